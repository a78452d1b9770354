"""What the studio pages print for the engine's codes and data (formkit_studio.labels)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import pytest
from formkit_studio.editor_widgets import table_edit
from formkit_studio.labels import (
    ACTIONS,
    FLAGS,
    FOLLOWUPS,
    HELD,
    STATES,
    WORKLISTS,
    catalog_rows,
    change_rows,
    error_text,
    flag_text,
    procedure_text,
    reason_text,
    refusal_text,
    rule_text,
    why,
    why_text,
)

from formkit.authoring.access import Refusal
from formkit.authoring.diff import diff_matters
from formkit.authoring.steps import set_in
from formkit.cases.monitor import Flag, FlagKind
from formkit.cases.queues import Worklist
from formkit.cases.service import TRANSITIONS, Followup, Procedure, State
from formkit.catalog import open_catalog
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Matter
from formkit.errors import FormkitError
from tests.desk.test_checklist import checklist, food_answers
from tests.studio.test_window import receive_food, service

TEXT = (Path(__file__).resolve().parents[2] / "definitions" / "market_supervision"
        / "individual_business_registration.yaml").read_text(encoding="utf-8")


def _matter(text: str) -> Matter:
    matter, doc = load_matter_text(text, "m.yaml")
    assert matter is not None, doc.errors
    return matter


def _row(section: str, item: str, what: str, attr: str, before: str, after: str
         ) -> dict[str, str]:
    return {"部分 Section": section, "项目 Item": item, "变化 Change": what,
            "属性 Attribute": attr, "原来 Before": before, "现在 After": after}


def test_a_label_change_is_one_row() -> None:
    new = set_in(TEXT, ("form", 0, "label", "zh"), "申请人身份")
    assert change_rows(diff_matters(_matter(TEXT), _matter(new))) == [
        _row("字段 Field", "applicant_role", "修改 changed", "label", "申请方式", "申请人身份")]


def test_booleans_read_as_yaml_and_the_time_limit_has_a_heading() -> None:
    new = set_in(TEXT, ("materials", 0, "tolerable"), True)
    new = set_in(new, ("time_limit", "committed_days"), 2)
    rows = change_rows(diff_matters(_matter(TEXT), _matter(new)))
    assert _row("时限 Time limit", "", "修改 changed", "committed_days", "1", "2") in rows
    assert _row("材料 Material", "application_form", "修改 changed", "tolerable", "false",
                "true") in rows

# ---- why a material is required


ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|==|!=|\btrue\b|\bfalse\b")


def test_why_text_says_why_in_labels_and_when_it_does_not_hold() -> None:
    by_agent = checklist(food_answers(applicant_role="agent"), [])
    assert why_text(by_agent["power_of_attorney"]) == "因为申请方式为委托代理人申请"
    themselves = checklist(food_answers(), [])
    assert why_text(themselves["power_of_attorney"]) == \
        "本次无需提交（申请方式为委托代理人申请时才需提交）"


@pytest.mark.parametrize(("material", "words"), [
    ("application_form", "所有申请均需提交"),  # required: true
    ("business_licence", "由窗口通过数据共享调取"),  # source: government
    ("safety_rules", "可容缺，受理后补交"),  # tolerable
])
def test_why_text(material: str, words: str) -> None:
    assert words in why_text(checklist(food_answers(), [])[material])


@pytest.mark.parametrize("answers", [
    food_answers(), food_answers(applicant_role="agent", vending_machines=True,
                                 vending_count=2)])
def test_why_text_never_shows_an_id_or_rule_text(answers: dict[str, Any]) -> None:
    for item in checklist(answers, []).values():
        said = why_text(item)
        assert not ID.search(said), (item.id, said)
        assert item.condition in rule_text(item)  # the rule stays for the editors


@pytest.mark.parametrize(("condition", "values", "words"), [
    ("floor_area > 1000", {"floor_area": 1200}, "因为经营面积为1200平方米"),  # a warn check
    ("true", {}, "所有申请均适用"),  # a route step with no condition
    ("false", {}, ""),
    (None, None, ""),
])
def test_reason_text(condition: str | None, values: dict[str, Any] | None,
                     words: str) -> None:
    matter = open_catalog(Path(__file__).resolve().parents[2] / "definitions") \
        .matters["XX-MS-0001"]
    assert reason_text(matter, condition, values) == words


def test_flag_text_names_the_list_and_the_material() -> None:
    matter = open_catalog(Path(__file__).resolve().parents[2] / "definitions") \
        .matters["XX-MS-0001"]
    flag = Flag(kind="tolerated_overdue", number="FK1", matter="XX-MS-0001",
                department="market_supervision", state="accepted",
                detail="容缺材料 lease_contract 逾期未补交")
    assert flag_text(flag, matter) == "容缺材料“经营场所租赁合同”逾期未补交"
    assert flag_text(flag) == "容缺材料逾期未补交"  # without the matter: no id
    assert flag_text(flag.model_copy(update={"detail": ""})) == "容缺材料逾期未补交"


def test_every_state_action_and_flag_has_a_chinese_name() -> None:
    assert set(TRANSITIONS) <= set(ACTIONS)
    assert set(get_args(State)) == set(STATES)
    assert set(get_args(FlagKind)) == set(FLAGS)
    assert set(get_args(Worklist)) == set(WORKLISTS)
    assert set(get_args(Followup.model_fields["kind"].annotation)) == set(FOLLOWUPS)
    for zh in [*(v[0] for v in STATES.values()), *ACTIONS.values(),
               *(v[0] for v in FLAGS.values()), *(v[0] for v in WORKLISTS.values()),
               *(v[0] for v in HELD.values()), *(v[0] for v in FOLLOWUPS.values())]:
        assert zh and not ID.search(zh) and re.search("[\u4e00-\u9fff]", zh)


def test_why_names_the_condition_and_the_values_that_decided_it() -> None:
    assert why('premises == "rented"', {"premises": "rented"}) == \
        '因为 because premises == "rented"（premises = "rented"）'
    assert why("true", {}) == "始终 always" and why("false", None) == "从不 never"
    assert why(None, None) == ""


# ---- tables


def test_catalog_rows_have_the_kind() -> None:
    opened = open_catalog(Path(__file__).resolve().parents[2] / "definitions")
    rows = {r["编码 Code"]: r for r in catalog_rows(opened)}
    assert rows["XX-MS-0001"]["类型 Kind"] == "行政许可 Licensing (01)"
    assert rows["XX-MS-0001"]["事项名称 Matter"] == "个体工商户设立登记"


@pytest.mark.parametrize(("change_set", "rows"), [
    (None, [{"v": "a"}, {"v": "b"}]),  # nothing changed yet
    ({"edited_rows": {"1": {"v": "B"}}}, [{"v": "a"}, {"v": "B"}]),  # keys arrive as text
    ({"deleted_rows": [0], "added_rows": [{"v": "c"}]}, [{"v": "b"}, {"v": "c"}]),
])
def test_table_edit_reads_a_data_editor_change_set(change_set: Any,
                                                   rows: list[dict[str, str]]) -> None:
    assert table_edit(change_set).apply([{"v": "a"}, {"v": "b"}]) == rows


@pytest.mark.parametrize(("refusal", "words"), [
    (Refusal("bad-code", "a b"), "编码只能由字母、数字和 - _ . 组成"),
    (Refusal("code-taken", "XX-1"), "编码 XX-1 已被使用"),
    (Refusal("name-required"), "请填写中文名称"),
    (Refusal("other-department", "health", "market_supervision"),
     "您只能编辑本部门（market_supervision）的事项，此事项属于 health"),
    (Refusal("other-department", "health"), "本部门（—）"),  # a user of no department
])
def test_refusal_text(refusal: Refusal, words: str) -> None:
    assert words in refusal_text(refusal)


def test_refusal_text_names_the_departments() -> None:
    opened = open_catalog(Path(__file__).resolve().parents[2] / "definitions")
    text = refusal_text(Refusal("other-department", "health", "market_supervision"), opened)
    assert "本部门（市场监督管理局）" in text and "此事项属于 卫生健康局" in text


# ---- the case clock and the engine's refusals


def test_every_case_state_has_its_names() -> None:
    states = {s for moves in TRANSITIONS.values() for pair in moves.items() for s in pair}
    assert states <= set(STATES)
    assert STATES["terminated"] == ("已终止", "Terminated")
    assert STATES["withdrawn"] == ("已撤回", "Withdrawn")


def test_a_procedure_reads_by_its_name_and_maximum() -> None:
    assert procedure_text(Procedure(name="公示", max_days=7, unit="calendar_days")) == \
        "公示（最长 7 个自然日）"
    assert procedure_text(Procedure(name="检测")) == "检测"


def test_the_engines_refusals_read_in_chinese_without_english_or_ids(workspace: Path) -> None:
    svc = service(workspace)
    case = receive_food(workspace, ["application_form", "layout_plan", "safety_rules"])
    n = case.number

    def said(action: Callable[[], object]) -> str:
        with pytest.raises(FormkitError) as caught:
            action()
        text = error_text(caught.value, svc.get(n))
        assert not re.search(r"[a-z]{3,}", text), text  # no English, no action ids
        return text

    assert said(lambda: svc.extend(n, 9, actor="o", comment="现场核查")) == \
        "延期天数应为 1 至 5 个工作日"
    assert said(lambda: svc.extend(n, 3, actor="o", comment=" ")) == \
        "延期须将理由告知申请人（行政许可法第四十二条）"
    assert said(lambda: svc.suspend(n, "no_such", actor="o")) == "所选特别程序不适用于本事项"
    assert said(lambda: svc.terminate(n, actor="o", reason="")) == "终止须说明理由"
    assert said(lambda: svc.approve(n, actor="o")).startswith(
        f"案件 {n} 当前为“已受理”，不能准予许可（仅审查中的案件可以）；现在可以：")
    assert said(lambda: svc.resume(n, actor="o")) == f"案件 {n} 未中止计时"
    svc.extend(n, 2, actor="o", comment="现场核查")
    assert said(lambda: svc.extend(n, 2, actor="o", comment="再延")) == \
        "本案件已经延期一次，依法只能延期一次"
