"""The errors the editor shows, in Chinese first at their place (formkit.authoring.problems).

No Streamlit here: the editor's rendering of these is in test_editor_rename.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from formkit.authoring.drafts import check_draft, load_yaml
from formkit.authoring.problems import describe, explain, locate
from formkit.errors import DefinitionError, SourceSpan

ROOT = Path(__file__).resolve().parents[2]
DEFS = ROOT / "definitions"
IBR = DEFS / "market_supervision" / "individual_business_registration.yaml"
TEXT = IBR.read_text(encoding="utf-8")
TREE = load_yaml(TEXT)
# the kinds in the order the model lists them (by their national code)
KINDS = ("administrative_licensing, administrative_punishment, administrative_enforcement, "
         "administrative_levy, administrative_payment, administrative_inspection, "
         "administrative_confirmation, administrative_reward, administrative_ruling, "
         "other_administrative, public_service")


@pytest.mark.parametrize(("loc", "said"), [
    (("form", 1, "fields", 2, "required"),
     "表单 › 字段「经营者 › 手机号码」 › 必填 · form › field operator.mobile › required"),
    (("form", 5, "fields", 2, "options", 1),
     "表单 › 字段「参加经营的家庭成员 › 与经营者关系」 › 选项 › 选项 child · form › field "
     "family_members.relation › options › option child"),
    (("materials", 3, "required"),
     "材料 › 「经营场所租赁合同」 › 是否必需 · materials › material lease_contract › required"),
    (("checks", 0, "when"), "检查 › 第 1 条 › 适用条件 · checks › check 1 › when"),
    (("route", 0, "step"), "流程 › 第 1 步 › 办理单位 · route › step 1 › units"),
    (("let", "operator_age"), "计算值 › operator_age · let › operator_age"),
    (("time_limit", "committed_days"),
     "办结时限 › 承诺办结时限 · time limit › committed days"),
    (("tests", 2, "fields", "operator", "mobile"),
     "示例 › 「agent without power of attorney, agent ID copy only and a bad mobile number」 › "
     "填写值 › operator › mobile · examples › example 3 › answers › operator › mobile"),
    (("tests", 2, "expect", "field_errors", 0),
     "示例 › 「agent without power of attorney, agent ID copy only and a bad mobile number」 › "
     "预期结果 › 字段错误 › 第 1 项 · examples › example 3 › expect › field errors › item 1"),
    ((), ""),
])
def test_places_are_said_as_the_editor_names_them(loc: tuple[Any, ...], said: str) -> None:
    assert describe(TREE, loc) == said


def position(text: str, after: str = "") -> tuple[int, int]:
    """The 1-based line and column of ``text`` (after ``after``) in the sample matter."""
    start = TEXT.index(text, TEXT.index(after) if after else 0)
    line = TEXT.count("\n", 0, start) + 1
    return line, start - TEXT.rfind("\n", 0, start)


@pytest.mark.parametrize(("text", "after", "loc"), [
    ("market_supervision", "department", ("department",)),  # inside a value
    ("operator.id_number", "let:", ("let", "operator_age")),  # inside an expression
    ("type: mobile", "id: mobile", ("form", 1, "fields", 2, "type")),  # in a flow map
    ("# 个体工商户", "", ()),  # the comment at the top: no place
])
def test_locate_finds_the_deepest_place_at_a_position(text: str, after: str,
                                                      loc: tuple[Any, ...]) -> None:
    assert locate(TREE, *position(text, after)) == loc


def check(text: str) -> list[Any]:
    found, _ = check_draft(DEFS, IBR, text)
    return found.errors


@pytest.mark.parametrize(("old", "new", "where", "zh", "en"), [
    # pydantic's own "List should have at least 1 item after validation, not 0"
    ("  - step: [market_supervision.registration]", "  - step: []",
     "流程 › 第 1 步 › 办理单位 · route › step 1 › units", "至少需要 1 项",
     "needs at least 1 item(s)"),
    # pydantic's "Input should be less than or equal to 100"
    ("    copies: 1\n    required: true\n    standard", "    copies: 500\n    required: true\n"
     "    standard", "材料 › 「个体工商户登记（备案）申请书」 › 份数 · materials › material "
     "application_form › copies", "应不大于 100", "must be 100 or less"),
    ("kind: administrative_licensing", "kind: administrative_licencing",
     "事项类型 · kind", ("“administrative_licencing” 不是允许的值，可选：" + KINDS).replace(
         "“", "").replace("”", ""), "'administrative_licencing' is not allowed; choose one "
     "of: " + KINDS),
    # placed at the field that lacks it, not at the first key it has
    ("      - {id: mobile, type: mobile, label: {zh: 手机号码, en: Mobile number}, required: "
     "true}\n  - id: business_name", "      - {type: mobile, label: {zh: 手机号码, en: Mobile "
     "number}, required: true}\n  - id: business_name", "表单 › 字段「委托代理人 › 手机号码」 · "
     "form › field agent.#3", "缺少必填项 “id”（标识）", "missing required key 'id'"),
    ("max_visits: 1", "max_visits: 1\nbogus: 1", "bogus · bogus", "不认识的项 “bogus”",
     "unknown key 'bogus'"),
    ("statutory_days: 3", "statutory_days: many", "办结时限 › 法定办结时限 · time limit › "
     "statutory days", "类型不对，应为整数", "expected a whole number"),
    ("when: floor_area > 1000", "when: flor_area > 1000", "检查 › 第 4 条 › 适用条件 · checks › "
     "check 4 › when", "没有名为 “flor_area” 的字段或计算值", "unknown name 'flor_area'"),
])
def test_errors_read_in_chinese_first_without_pydantic_words(
        old: str, new: str, where: str, zh: str, en: str) -> None:
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    errors = check(text)
    assert len(errors) == 1, [e.render() for e in errors]
    problem = explain(errors[0], load_yaml(text))
    assert (problem.where, problem.zh, problem.en) == (where, zh, en)
    for word in ("should", "validation", "Input"):
        assert word not in problem.zh + problem.en + problem.hint


def test_the_hint_and_the_line_come_along() -> None:
    text = TEXT.replace("when: floor_area > 1000", "when: flor_area > 1000")
    problem = explain(check(text)[0], load_yaml(text))
    assert problem.hint == "是否应为 floor_area？did you mean 'floor_area'?"
    # the line of the check in the sample file, counted, not remembered
    line = text.splitlines().index("  - when: flor_area > 1000") + 1
    assert problem.line == line
    assert problem.excerpt == "  - when: flor_area > 1000\n          ^^^^^^^^^"
    assert problem.headline() == (
        f"检查 › 第 4 条 › 适用条件 · checks › check 4 › when（第 {line} 行 line {line}）："
        "没有名为 “flor_area” 的字段或计算值　unknown name 'flor_area'")


def test_a_pydantic_message_not_in_the_table_is_not_shown_raw() -> None:
    error = DefinitionError("tests[0].fields: Dictionary should have at most 3 items",
                            SourceSpan("x.yaml", 1, 1), code="bad-value")
    problem = explain(error)
    assert (problem.zh, problem.en) == ("取值不符合要求", "this value is not allowed here")
    assert problem.where == "文件 x.yaml · file"


def test_a_long_line_is_cut_around_the_place_not_at_its_end() -> None:
    line = "  - {id: x, name: {zh: " + "很长的名称" * 30 + "}, copies: 500}"
    column = line.index("500") + 1
    error = DefinitionError("materials[0].copies: Input should be less than or equal to 100",
                            SourceSpan("x.yaml", 1, column, 1, column + 3, line + "\n"),
                            code="bad-value")
    excerpt = explain(error).excerpt
    assert excerpt is not None
    shown, caret = excerpt.split("\n")
    assert shown.startswith("…") and "copies: 500}" in shown and len(shown) < 80
    # the caret sits under "500", counting each Chinese character as two columns
    assert caret.endswith("^^^")
    width = sum(2 if "\u4e00" <= c <= "\u9fff" else 1 for c in shown[:shown.index("500")])
    assert len(caret) - 3 == width
