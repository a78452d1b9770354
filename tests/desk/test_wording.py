"""Tests for formkit.desk.wording: rule conditions of the sample catalog in plain words."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from formkit.definitions.model import Expr
from formkit.desk.wording import (
    Wording,
    answer_text,
    because_text,
    condition_text,
    field_words,
)
from formkit.intake.precheck import run_precheck
from tests.cases.support import calendar, catalog, example, rules

# an id (snake_case), an operator or a literal of the rule language: never in the words
RULE_TEXT = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|==|!=|<=|>=|\b(?:and|or|not|true|"
                       r"false|null)\b|[a-z]+\(")


@pytest.mark.parametrize(("code", "condition", "words"), [
    # a choice by its option label
    ("XX-MS-0001", 'premises == "rented"', "经营场所使用情况为租用"),
    # two options of one field said once
    ("XX-MS-0001", 'premises == "owned" or premises == "rented"',
     "经营场所使用情况为自有产权或租用"),
    # a let value by its body
    ("XX-MS-0001", "agent_applies", "申请方式为委托代理人申请"),
    # a yes/no question answered yes, the group said once
    ("XX-MS-0001", "operator.is_public_servant", "经营者为公职人员"),
    ("XX-MS-0001", "needs_prior_approval", "经营范围涉及登记前置许可"),
    # a number with the unit its label ends with
    ("XX-MS-0001", "floor_area > 1000", "经营面积超过1000平方米"),
    # a chain: the subject said once; a library function inlined (age from the ID)
    ("XX-MS-0001", "16 <= operator_age < 18",
     "按经营者的公民身份号码计算的年龄不少于16周岁且少于18周岁"),
    # not, pushed into a library function's comparison
    ("XX-DP-0001", "not under16(applicant.id_number)",
     "按申请人的公民身份号码计算的年龄不少于16周岁"),
    # a yes/no question answered no
    ("XX-CA-0002", "local_hukou == false and residence_permit == false",
     "申请人不是本县户籍，并且未持有本县居住证"),
    ("XX-HC-0001", "not special_fire_project", "不属于特殊建设工程（须经消防设计审查）"),
    ("XX-NR-0001", "seller_married", "已婚"),  # a row's field, read by the row's rule
    # member of a multiple choice
    ("XX-CA-0002", '"serious_illness" in hardship', "困难类型包括重大疾病"),
    ("XX-HE-0001", "not has_radiology", "诊疗科目不包括医学影像科"),
    # any/all over a repeat's rows
    ("XX-CA-0002", 'any(household_members, employment == "employed")',
     "共同生活的家庭成员（含申请人）中有一行就业状况为在业（含灵活就业）"),
    ("XX-TR-0001", "all(vehicles, total_mass <= 4500)", "拟投入车辆每一行都总质量不超过4500千克"),
    # a count compared with 0 said as "there is (no) row"
    ("XX-HE-0001", "physicians == 0", "卫生技术人员名册中没有一行执业类别为执业医师"),
    ("XX-PS-0002", 'reason == "join_children" or reason == "join_parents" or has_movers',
     "迁入类别为老人投靠子女或子女投靠父母，或者随迁人员已填写"),
    # money: 元
    ("XX-HC-0001", "investment <= 300000 or floor_area <= 300",
     "工程投资额不超过300000元，或者建筑面积不超过300平方米"),
    # dates: earlier / later, not less / more
    ("XX-HC-0001", "planned_start < today()", "计划开工日期早于今天"),
    ("XX-HR-0002", "days_between(separation_date, today()) > 60",
     "终止或解除劳动合同日期至今天的天数超过60日"),
    # != on a choice
    ("XX-HE-0001", 'ownership != "public"', "经营性质不是政府办非营利性"),
    # a negated conjunction inside a conjunction keeps its brackets
    ("XX-HC-0001", "valid_uscc(contractor.uscc) and not enterprise_code(contractor.uscc)",
     "施工单位的统一社会信用代码是有效的统一社会信用代码，并且（施工单位的统一社会信用代码"
     "不是有效的统一社会信用代码，或者施工单位的统一社会信用代码不以“91”开头）"),
    # a let over several options
    ("XX-TX-0001", "large_limit", "申请最高开票限额为一百万元或一千万元"),
    # a choice field in a repeat, read from a row's visible:
    ("XX-MS-0003", 'holder_kind == "natural"', "股东类型为自然人"),
    # gender from the ID number
    ("XX-CA-0001", "is_female(groom.id_number) or is_male(bride.id_number)",
     "男方的公民身份号码对应的性别为女，或者女方的公民身份号码对应的性别为男"),
    # the two constants
    ("XX-MS-0001", "true", "所有申请均适用"),
])
def test_condition_text(code: str, condition: str, words: str) -> None:
    assert condition_text(rules(code).matter, condition, rules(code)) == words


def _conditions() -> list[tuple[str, str]]:
    """Every condition of the sample catalog: materials, checks, routes, fields."""
    out: list[tuple[str, str]] = []
    for code, matter in sorted(catalog().matters.items()):
        texts = [m.required for m in matter.materials] + [c.when for c in matter.checks] \
            + [r.when for r in matter.route]
        stack = list(matter.form)
        while stack:
            f = stack.pop()
            texts += [f.visible, f.required]
            stack += f.fields or []
        out += [(code, t.text) for t in dict.fromkeys(texts) if isinstance(t, Expr)]
    return out


@pytest.mark.parametrize(("code", "condition"), _conditions())
def test_every_condition_of_the_catalog_reads_without_ids_or_rule_text(
        code: str, condition: str) -> None:
    said = condition_text(rules(code).matter, condition, rules(code))
    assert said and not RULE_TEXT.search(said), said
    assert "相关填写内容" not in said  # every name was found in the form


def test_without_the_libraries_a_library_call_falls_back_to_labels() -> None:
    matter = rules("XX-DP-0001").matter
    said = condition_text(matter, "not under16(applicant.id_number)")
    assert said == "根据申请人的公民身份号码判断的条件不成立"  # no rules: not inlined


def test_an_unparsable_condition_still_reads_as_words() -> None:
    assert condition_text(rules("XX-MS-0001").matter, "premises ==") == "按本事项规定的条件"


@pytest.mark.parametrize(("code", "condition", "values", "words"), [
    # the answer that decided it, not the whole condition
    ("XX-MS-0001", 'premises == "owned" or premises == "rented"', {"premises": "owned"},
     "经营场所使用情况为自有产权"),
    ("XX-MS-0001", "agent_applies", {"agent_applies": True}, "申请方式为委托代理人申请"),
    ("XX-MS-0001", "floor_area > 1000", {"floor_area": Decimal("1200")},
     "经营面积为1200平方米"),
    ("XX-MS-0002", "not by_agent", {"by_agent": False}, "申请方式不是委托代理人申请"),
    # of an "or", only the parts that hold
    ("XX-PS-0002", 'reason == "join_children" or reason == "join_parents" or has_movers',
     {"reason": "join_spouse", "has_movers": True}, "随迁人员已填写"),
    ("XX-PS-0002", 'reason == "join_children" or reason == "join_parents" or has_movers',
     {"reason": "join_children", "has_movers": True}, "迁入类别为老人投靠子女，随迁人员已填写"),
    # 是否为X answered yes, with no owner before it: 是X
    ("XX-PS-0001", "low_income", {"low_income": True}, "是城乡最低生活保障对象"),
    # several options chosen: the condition says which one mattered
    ("XX-EC-0001", '"hazardous_waste" in pollutants',
     {"pollutants": ["wastewater", "hazardous_waste"]}, "主要污染物类别包括危险废物"),
    # a group's value cannot be said alone: the condition instead
    ("XX-MS-0001", "operator.is_public_servant", {"operator": {"is_public_servant": True}},
     "经营者为公职人员"),
])
def test_because_text(code: str, condition: str, values: dict[str, Any], words: str) -> None:
    assert because_text(rules(code).matter, condition, values, rules(code)) == words


def test_because_text_from_an_explained_precheck() -> None:
    food = "XX-MS-0002"
    answers = dict(example(food, "restaurant").fields, applicant_role="agent")
    result = run_precheck(rules(food), {"fields": answers, "materials": []},
                          today=catalog().matters[food].tests[0].today or None,
                          calendar=calendar(), explain=True)
    poa = next(m for m in result.required_materials or [] if m.id == "power_of_attorney")
    assert poa.condition is not None
    assert Wording(rules(food).matter).because(poa.condition, poa.values or {}) == \
        "申请方式为委托代理人申请"


@pytest.mark.parametrize(("code", "path", "words"), [
    ("XX-MS-0001", "operator.mobile", "经营者的手机号码"),  # a group's member
    ("XX-MS-0003", "shareholders[1].holder_name", "股东（发起人）出资情况第2行的股东名称或姓名"),
    ("XX-MS-0001", "floor_area", "经营面积（平方米）"),
    ("XX-MS-0001", "no_such.field", "申请表"),  # never the path itself
])
def test_field_words(code: str, path: str, words: str) -> None:
    assert field_words(rules(code).matter, path) == words


@pytest.mark.parametrize(("name", "value", "words"), [
    ("premises", "owned", "经营场所使用情况为自有产权"),
    ("needs_prior_approval", False, "经营范围不涉及登记前置许可"),
    ("capital", Decimal("50000"), "资金数额为50000元"),
    ("business_name", None, "个体工商户名称未填写"),
    ("no_such_field", 1, "所填内容"),
])
def test_answer_text(name: str, value: Any, words: str) -> None:
    assert answer_text(rules("XX-MS-0001").matter, name, value) == words
