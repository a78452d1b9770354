"""Tests for formkit.intake.forms: raw window input -> typed values, visibility, errors by path."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import formkit
from formkit.catalog import OpenCatalog
from formkit.definitions.loader import load_matter_text
from formkit.dsl.compiler import EvalContext
from formkit.intake.forms import FormState, form_state
from formkit.intake.messages import message
from formkit.ruleset import RuleSet
from tests.conftest import MakeCatalog

MATTER = """
code: T-FORMS
name: {zh: 表单测试, en: Form test}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
form:
  - {id: area, type: number, label: {zh: 面积, en: Area}, min: 0, max: 100000}
  - {id: staff, type: integer, label: {zh: 人数, en: Staff}, min: 1, max: 500}
  - {id: capital, type: money, label: {zh: 资金数额, en: Capital}}
  - {id: rented, type: boolean, label: {zh: 是否租用, en: Rented}}
  - {id: opened_on, type: date, label: {zh: 开业日期}}
  - id: kind
    type: choice
    label: {zh: 类别, en: Kind}
    options:
      - {value: retail, label: {zh: 零售, en: Retail}}
      - {value: catering, label: {zh: 餐饮, en: Catering}}
  - id: services
    type: multichoice
    options:
      - {value: delivery, label: {zh: 配送}}
      - {value: dine_in, label: {zh: 堂食}}
  - {id: idn, type: id_number, label: {zh: 公民身份号码}}
  - {id: code, type: uscc}
  - {id: mobile, type: mobile}
  - {id: email, type: email}
  - {id: note, type: text, max: 10}
  - {id: memo, type: textarea}
  - {id: agreed, type: boolean, default: false}
  - id: lease_months
    type: integer
    label: {zh: 租期（月）, en: Lease (months)}
    visible: rented
    required: true
  - id: applicant
    type: group
    label: {zh: 申请人, en: Applicant}
    fields:
      - {id: name, type: text, label: {zh: 姓名, en: Name}, required: true}
      - {id: age, type: integer}
  - id: shareholders
    type: repeat
    label: {zh: 股东, en: Shareholders}
    min: 1
    max: 3
    fields:
      - {id: name, type: text, label: {zh: 姓名}, required: true}
      - id: share
        type: number
        label: {zh: 出资比例, en: Share}
        required: true
        constraint: share > 0 and share <= 100
        message: {zh: 出资比例应在0到100之间, en: A share is between 0 and 100}
      - {id: reason, type: text, visible: share > 50, required: true}
  - {id: total_share, type: number, label: {zh: 合计出资比例}, value: sum(shareholders.share)}
  - id: big
    type: boolean
    value: area > 1000
"""

TODAY = dt.date(2026, 11, 25)
BASE: dict[str, Any] = {"applicant": {"name": "张三"},
                        "shareholders": [{"name": "张三", "share": 50}]}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    matter, doc = load_matter_text(MATTER, "m.yaml")
    assert matter is not None, doc
    built = RuleSet.build(matter, None)
    assert built.ok, [e.message for e in built.errors]
    return built


def run(rules: RuleSet, answers: Any, lang: str = "zh") -> FormState:
    state, _ = form_state(rules, answers, ctx=EvalContext(TODAY), lang=lang)
    return state


def errors(state: FormState) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in state.errors:
        out.setdefault(e.field, []).append(e.message)
    return out


def with_base(**fields: Any) -> dict[str, Any]:
    return {**BASE, **fields}


def test_the_base_answers_are_clean(rules: RuleSet) -> None:
    state = run(rules, BASE)
    assert state.ok, state.errors


# --- coercion, one row per case: field, raw input, value after, error (key, kwargs) ----------

NO = None
COERCION: list[tuple[str, Any, Any, tuple[str, dict[str, Any]] | None]] = [
    # numbers from text as a window sends them
    ("area", "123", 123, NO),
    ("area", "１２３", 123, NO),  # full-width digits (Chinese IME)
    ("area", "1,000", 1000, NO),  # thousands separator
    ("area", "１，０００．５", 1000.5, NO),  # all full-width
    ("area", " 12.5 ", 12.5, NO),
    ("area", 12.5, 12.5, NO),  # a JSON number
    ("area", "", None, NO),  # blank is unanswered, not an error
    ("area", "abc", None, ("not_number", {})),
    ("area", True, None, ("not_number", {})),  # a boolean is not 1
    ("area", "NaN", None, ("not_number", {})),
    ("area", "Infinity", None, ("not_number", {})),
    ("area", [1], None, ("not_number", {})),  # wrong shape
    ("area", {"v": 1}, None, ("not_number", {})),
    ("area", "1e400", None, ("number_too_large", {"max": "1,000,000,000,000,000"})),
    ("area", "1e9999999999", None, ("number_too_large", {"max": "1,000,000,000,000,000"})),
    ("area", 10**400, None, ("number_too_large", {"max": "1,000,000,000,000,000"})),
    ("area", "-1", -1, ("below_min", {"min": 0})),  # out of bounds: kept, as typed
    # integers
    ("staff", "3", 3, NO),
    ("staff", "3.0", 3, NO),
    ("staff", 7, 7, NO),
    ("staff", "3.5", None, ("not_integer", {})),
    # money: at most two decimals (trailing zeros are fine)
    ("capital", "1999.99", 1999.99, NO),
    ("capital", 19.99, 19.99, NO),
    ("capital", "1,000.50", 1000.5, NO),
    ("capital", "1.500", 1.5, NO),
    ("capital", "1.505", None, ("money_cents", {})),
    # booleans: 是/否, true/false, 1/0, yes/no
    ("rented", "是", True, NO),
    ("rented", "否", False, NO),
    ("rented", "true", True, NO),
    ("rented", "TRUE", True, NO),
    ("rented", "false", False, NO),
    ("rented", "1", True, NO),
    ("rented", 1, True, NO),
    ("rented", "0", False, NO),
    ("rented", 0, False, NO),
    ("rented", True, True, NO),
    ("rented", "yes", True, NO),
    ("rented", "也许", None, ("not_boolean", {})),
    ("rented", 2, None, ("not_boolean", {})),
    ("rented", [True], None, ("not_boolean", {})),
    # dates
    ("opened_on", "2026-11-25", "2026-11-25", NO),
    ("opened_on", "２０２６－１１－２５", "2026-11-25", NO),  # full-width
    ("opened_on", "2026-02-30", None, ("not_date", {})),  # impossible date
    ("opened_on", "2026/11/25", None, ("not_date", {})),
    ("opened_on", 20261125, None, ("not_date", {})),
    # choice and multichoice
    ("kind", "retail", "retail", NO),
    ("kind", "catring", None, ("not_option", {"value": "catring"})),
    ("kind", ["retail"], None, ("not_text", {})),
    ("services", ["delivery", "dine_in"], ["delivery", "dine_in"], NO),
    ("services", "delivery", ["delivery"], NO),  # one value alone
    ("services", ["delivery", "delivery"], ["delivery"], NO),  # ticked twice
    ("services", [], [], NO),
    ("services", ["delivery", "takeaway"], ["delivery"],
     ("not_option", {"value": "takeaway"})),
    ("services", [10**5000], [], ("too_long", {"max": 10_000})),  # str() would raise
    # identifiers
    ("idn", "44532119850612351x", "44532119850612351X", NO),  # lower-case x
    ("idn", "４４５３２１１９９００３０７１２３０", "445321199003071230", NO),  # full-width
    ("idn", "445321199003071231", "445321199003071231", ("bad_id_number", {})),
    ("code", "91445321ma0kd1y64n", "91445321MA0KD1Y64N", NO),
    ("code", "91445321MA0KD1Y64A", "91445321MA0KD1Y64A", ("bad_uscc", {})),
    ("mobile", "13800138000", "13800138000", NO),
    ("mobile", 13800138000, "13800138000", NO),  # a JSON number
    ("mobile", "１３８００１３８０００", "13800138000", NO),
    ("mobile", "1380013800", "1380013800", ("bad_mobile", {})),
    ("email", "zhang@example.cn", "zhang@example.cn", NO),
    ("email", "zhang@", "zhang@", ("bad_email", {})),
    # text
    ("note", " 十字以内 ", "十字以内", NO),  # trimmed
    ("note", "一二三四五六七八九十一", "一二三四五六七八九十一", ("text_too_long", {"max": 10})),
    ("memo", 5, "5", NO),
    ("memo", {"a": 1}, None, ("not_text", {})),
    ("memo", True, None, ("not_text", {})),
    ("memo", "长" * 10_001, None, ("too_long", {"max": 10_000})),
]


@pytest.mark.parametrize(("field", "raw", "value", "error"), COERCION,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(COERCION)])
def test_coercion(rules: RuleSet, field: str, raw: Any, value: Any,
                  error: tuple[str, dict[str, Any]] | None) -> None:
    state = run(rules, with_base(**{field: raw}))
    assert state.values[field] == value
    expected = [message(error[0], **error[1])] if error else []
    assert errors(state).get(field, []) == expected
    # Nothing else is touched (a true `rented` only makes `lease_months` required).
    assert set(errors(state)) - {field, "lease_months"} == set()


def test_a_group_takes_typed_members(rules: RuleSet) -> None:
    state = run(rules, with_base(applicant={"name": "张三", "age": "４０"}))
    assert state.ok
    assert state.values["applicant"] == {"name": "张三", "age": 40}


def test_repeat_rows_are_typed_one_by_one(rules: RuleSet) -> None:
    rows = [{"name": "甲", "share": "３０"}, {"name": "乙", "share": "20.5"}]
    state = run(rules, with_base(shareholders=rows))
    assert state.ok, state.errors
    assert state.values["shareholders"] == [{"name": "甲", "share": 30, "reason": None},
                                            {"name": "乙", "share": 20.5, "reason": None}]
    table = next(f for f in state.fields if f.path == "shareholders")
    assert table.rows == 2
    assert [f.path for f in state.fields if f.path.startswith("shareholders[1]")] == [
        "shareholders[1].name", "shareholders[1].share", "shareholders[1].reason"]


# --- unknown fields and wrong shapes, each at its path -----------------------------------------

SHAPES: list[tuple[str, dict[str, Any], dict[str, list[str]]]] = [
    ("unknown top-level field", with_base(bogus=1), {"bogus": [message("unknown_field")]}),
    ("unknown member of a group", with_base(applicant={"name": "张三", "nick": "三"}),
     {"applicant.nick": [message("unknown_field")]}),
    ("unknown member of a row",
     with_base(shareholders=[{"name": "甲", "share": 40}, {"name": "乙", "share": 10, "x": 1}]),
     {"shareholders[1].x": [message("unknown_field")]}),
    ("a group that is not an object", with_base(applicant="张三"),
     {"applicant": [message("not_group")],
      "applicant.name": [message("required")]}),
    ("a repeat that is not a list", with_base(shareholders={"name": "甲"}),
     {"shareholders": [message("not_rows"), message("too_few_rows", min=1)]}),
    ("a row that is not an object", with_base(shareholders=[{"name": "甲", "share": 40}, 7]),
     {"shareholders[1]": [message("not_group")],
      "shareholders[1].name": [message("required")],
      "shareholders[1].share": [message("required")]}),
    ("a bad value in the second row",
     with_base(shareholders=[{"name": "甲", "share": 40}, {"name": "乙", "share": "四十"}]),
     {"shareholders[1].share": [message("not_number")]}),
    ("the field's own message for its constraint",
     with_base(shareholders=[{"name": "甲", "share": 40}, {"name": "乙", "share": 0}]),
     {"shareholders[1].share": ["出资比例应在0到100之间"]}),
    ("a required member of a row", with_base(shareholders=[{"share": 10}]),
     {"shareholders[0].name": [message("required")]}),
    ("too many rows", with_base(shareholders=[{"name": str(i), "share": 1} for i in range(4)]),
     {"shareholders": [message("too_many_rows", max=3)]}),
    ("no rows where min is 1", with_base(shareholders=[]),
     {"shareholders": [message("too_few_rows", min=1)]}),
    ("no rows at all", {"applicant": {"name": "张三"}},
     {"shareholders": [message("too_few_rows", min=1)]}),
]


@pytest.mark.parametrize(("answers", "expected"), [c[1:] for c in SHAPES],
                         ids=[c[0] for c in SHAPES])
def test_wrong_shapes_are_field_errors_at_their_path(
        rules: RuleSet, answers: dict[str, Any], expected: dict[str, list[str]]) -> None:
    assert errors(run(rules, answers)) == expected


@pytest.mark.parametrize("answers", [None, [], "fields", 42, [{"a": 1}]])
def test_answers_that_are_not_an_object(rules: RuleSet, answers: Any) -> None:
    state = run(rules, answers)
    if answers is None:  # nothing answered at all: only the required fields
        assert "fields" not in errors(state)
    else:
        assert errors(state)["fields"] == [message("not_group")]
    assert errors(state)["applicant.name"] == [message("required")]


def test_every_problem_is_reported_at_once(rules: RuleSet) -> None:
    state = run(rules, {"area": "x", "staff": "1.5", "kind": "no", "rented": True,
                        "shareholders": [{"share": 500}], "bogus": 1})
    assert set(errors(state)) == {"area", "staff", "kind", "lease_months", "applicant.name",
                                  "shareholders[0].name", "shareholders[0].share",
                                  "shareholders[0].reason", "bogus"}


def test_errors_come_in_form_order(rules: RuleSet) -> None:
    # The one-time notice lists them in this order, so it follows the form the applicant
    # holds; errors at no field of the form (an unknown key) come last.
    state = run(rules, {"bogus": 1, "shareholders": [{"name": "甲", "share": "x"}],
                        "kind": "no", "area": -1})
    assert [e.field for e in state.errors] == [
        "area", "kind", "applicant.name", "shareholders[0].share", "bogus"]


# --- visibility and requiredness ----------------------------------------------------------------


def field(state: FormState, path: str) -> Any:
    return next(f for f in state.fields if f.path == path)


def test_a_hidden_field_is_not_required_and_its_value_is_dropped(rules: RuleSet) -> None:
    state = run(rules, with_base(rented=False, lease_months=12))
    assert state.ok
    assert state.values["lease_months"] is None
    f = field(state, "lease_months")
    assert (f.visible, f.required, f.value) == (False, False, None)


def test_a_hidden_field_is_not_complained_about(rules: RuleSet) -> None:
    # Its value is dropped, so how it was typed does not matter to the applicant.
    state = run(rules, with_base(rented="否", lease_months="十二"))
    assert state.ok, state.errors


def test_a_shown_field_is_required(rules: RuleSet) -> None:
    state = run(rules, with_base(rented="是"))
    assert errors(state) == {"lease_months": [message("required")]}
    f = field(state, "lease_months")
    assert (f.visible, f.required) == (True, True)
    state = run(rules, with_base(rented="是", lease_months="24"))
    assert state.ok and state.values["lease_months"] == 24


def test_a_badly_typed_required_field_gets_one_error_not_two(rules: RuleSet) -> None:
    state = run(rules, with_base(rented=True, lease_months="两年"))
    assert errors(state) == {"lease_months": [message("not_number")]}


def test_visibility_inside_a_row_uses_the_row(rules: RuleSet) -> None:
    rows = [{"name": "甲", "share": 60, "reason": "控股"}, {"name": "乙", "share": 40,
                                                          "reason": "dropped"}]
    state = run(rules, with_base(shareholders=rows))
    assert state.ok, state.errors
    assert state.values["shareholders"][0]["reason"] == "控股"
    assert state.values["shareholders"][1]["reason"] is None  # hidden in this row
    assert field(state, "shareholders[1].reason").visible is False
    state = run(rules, with_base(shareholders=[{"name": "甲", "share": 60}]))
    assert errors(state) == {"shareholders[0].reason": [message("required")]}


def test_defaults_fill_unanswered_fields(rules: RuleSet) -> None:
    assert run(rules, BASE).values["agreed"] is False
    assert run(rules, with_base(agreed="是")).values["agreed"] is True


# --- computed values -----------------------------------------------------------------------------


def test_computed_values_are_computed_and_answers_to_them_ignored(rules: RuleSet) -> None:
    rows = [{"name": "甲", "share": 30}, {"name": "乙", "share": "20.5"}]
    state = run(rules, with_base(shareholders=rows, total_share=999, area="1,500"))
    assert state.ok, state.errors
    assert state.values["total_share"] == 50.5
    assert state.values["big"] is True
    f = field(state, "total_share")
    assert f.computed and f.value == 50.5
    assert run(rules, with_base(area=10)).values["big"] is False


# --- bounds ---------------------------------------------------------------------------------------

BOUNDS: list[tuple[str, Any, list[str]]] = [
    ("area", 0, []),  # min is inclusive
    ("area", 100000, []),  # max is inclusive
    ("area", -0.5, [message("below_min", min=0)]),
    ("area", 100000.01, [message("above_max", max=100000)]),
    ("staff", 0, [message("below_min", min=1)]),
    ("staff", 500, []),
    ("staff", 501, [message("above_max", max=500)]),
    ("note", "一二三四五六七八九十", []),  # max 10 characters, not bytes
]


@pytest.mark.parametrize(("name", "raw", "expected"), BOUNDS)
def test_min_and_max(rules: RuleSet, name: str, raw: Any, expected: list[str]) -> None:
    got = errors(run(rules, with_base(**{name: raw}))).get(name, [])
    assert got == expected


# --- English ------------------------------------------------------------------------------------


def test_messages_and_labels_in_english(rules: RuleSet) -> None:
    answers = with_base(area="abc", rented="yes",
                        shareholders=[{"name": "A", "share": 0}])
    state = run(rules, answers, lang="en")
    assert errors(state) == {
        "area": ["expected a number"],
        "lease_months": ["this field is required"],
        "shareholders[0].share": ["A share is between 0 and 100"],
    }
    assert field(state, "area").label == "Area"
    assert field(state, "opened_on").label == "开业日期"  # no English: the Chinese label
    assert field(state, "kind").options == [{"value": "retail", "label": "Retail"},
                                            {"value": "catering", "label": "Catering"}]
    assert field(state, "shareholders[0].share").errors == ["A share is between 0 and 100"]


# --- JSON -----------------------------------------------------------------------------------------


def test_the_state_is_json_and_round_trips(rules: RuleSet) -> None:
    answers = with_base(area="1,000", capital="12.30", opened_on="2026-11-25", rented="是",
                        lease_months=12, services=["delivery"], idn="44532119850612351x",
                        shareholders=[{"name": "甲", "share": 60, "reason": "控股"},
                                      {"name": "乙", "share": "x"}])
    state = run(rules, answers)
    data = state.model_dump(mode="json")
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    assert FormState.model_validate(json.loads(text)) == state
    assert data["matter"] == "T-FORMS"
    assert data["values"]["opened_on"] == "2026-11-25"
    assert data["values"]["capital"] == 12.3
    assert data["errors"] == [{"field": "shareholders[1].share", "message": message(
        "not_number")}]
    assert {"path", "id", "type", "label", "visible", "required", "computed", "value",
            "errors"} <= set(data["fields"][0])


# --- a group's or repeat's own constraint runs, with its message, at its path ------------------

WHOLE = """\
code: "XX-T-0009"
name: {zh: 整体约束}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
form:
  - id: applicant
    type: group
    label: {zh: 申请人}
    constraint: applicant.age == null or applicant.age >= 18
    message: {zh: 申请人须年满18周岁, en: The applicant must be 18 or over}
    fields:
      - {id: name, type: text}
      - {id: age, type: integer}
  - id: shareholders
    type: repeat
    label: {zh: 股东}
    constraint: len(shareholders) >= 1 and sum(shareholders.share) == 100
    message: {zh: 出资比例合计应为100, en: The shares add up to 100}
    fields:
      - {id: name, type: text}
      - {id: share, type: number}
      - id: address
        type: group
        constraint: address.city != null or address.street == null
        message: {zh: 有街道须填城市}
        fields:
          - {id: city, type: text}
          - {id: street, type: text}
"""
WHOLE_OK: dict[str, Any] = {
    "applicant": {"name": "张三", "age": 30},
    "shareholders": [{"name": "张三", "share": 60}, {"name": "李四", "share": 40}]}


def whole_rules(make_catalog: MakeCatalog, text: str = WHOLE) -> tuple[OpenCatalog, RuleSet]:
    opened = formkit.open_catalog(make_catalog(text))
    assert opened.ok, [e.message for e in opened.errors]
    rules = opened.rules_of("XX-T-0009")
    assert rules is not None and rules.ok, rules and [e.message for e in rules.errors]
    return opened, rules


@pytest.fixture
def whole(make_catalog: MakeCatalog) -> tuple[OpenCatalog, RuleSet]:
    return whole_rules(make_catalog)


def test_group_and_repeat_constraints_hold_on_good_answers(
        whole: tuple[OpenCatalog, RuleSet]) -> None:
    _, rules = whole
    assert run(rules, WHOLE_OK).errors == []


@pytest.mark.parametrize(("answers", "path", "text"), [
    ({**WHOLE_OK, "applicant": {"name": "张三", "age": 16}}, "applicant", "申请人须年满18周岁"),
    ({**WHOLE_OK, "shareholders": [{"name": "张三", "share": 60}]}, "shareholders",
     "出资比例合计应为100"),
    ({**WHOLE_OK, "shareholders": []}, "shareholders", "出资比例合计应为100"),
    ({**WHOLE_OK, "shareholders": [{"name": "张三", "share": 60},
                                   {"share": 40, "address": {"city": "", "street": "中山路"}}]},
     "shareholders[1].address", "有街道须填城市"),
], ids=["group", "repeat-sum", "repeat-no-rows", "group-in-a-row"])
def test_a_failing_group_or_repeat_constraint_is_a_field_error_at_its_path(
        whole: tuple[OpenCatalog, RuleSet], answers: dict[str, Any], path: str, text: str) -> None:
    opened, rules = whole
    assert errors(run(rules, answers)) == {path: [text]}
    result = formkit.run_precheck(rules, {"fields": answers, "materials": []}, today=TODAY,
                                  calendar=opened.work_calendar())
    assert result.outcome == "incomplete"
    assert [(e.field, e.message) for e in result.field_errors] == [(path, text)]


def test_a_group_constraint_speaks_english_and_skips_a_hidden_group(
        make_catalog: MakeCatalog) -> None:
    young = {**WHOLE_OK, "applicant": {"age": 16}}
    _, hidden = whole_rules(make_catalog, WHOLE.replace(
        "    label: {zh: 申请人}\n", "    label: {zh: 申请人}\n    visible: false\n"))
    assert errors(run(hidden, young)) == {}
    _, rules = whole_rules(make_catalog)
    state = run(rules, young, lang="en")
    assert errors(state) == {"applicant": ["The applicant must be 18 or over"]}
    assert [f.errors for f in state.fields if f.path == "applicant"] == [
        ["The applicant must be 18 or over"]]


def test_a_required_empty_repeat_gets_one_error_not_two(make_catalog: MakeCatalog) -> None:
    _, rules = whole_rules(make_catalog, WHOLE.replace(
        "    label: {zh: 股东}\n", "    label: {zh: 股东}\n    required: true\n"))
    assert errors(run(rules, {**WHOLE_OK, "shareholders": []})) == {
        "shareholders": [message("required", "zh")]}


# ---- lets are computed once per form, and again when an answer they read changes ------------

LETS = """
code: T-LETS
name: {zh: 中间值}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
let:
  big: double > 100
  has_extra: extra != null
form:
  - {id: note, type: text, visible: big}
  - {id: why, type: text, visible: has_extra}
  - {id: area, type: number}
  - {id: double, type: number, value: area * 2}
  - {id: extra, type: number, visible: area > 10}
"""


# Each row: the answers and the fields shown of note/why. `note` and `why` come before
# what their lets read, so the first pass computes the lets from answers that change
# after them: a let remembered across that change would be stale.
@pytest.mark.parametrize(("answers", "shown"), [
    ({"area": 60}, ["note"]),                 # double becomes 120 after note's let ran
    ({"area": 10}, []),
    ({"area": 60, "extra": 1}, ["note", "why"]),
    ({"area": 5, "extra": 1}, []),            # extra is hidden, its answer dropped
])
def test_a_let_follows_the_answers_it_reads(answers: dict[str, Any], shown: list[str]) -> None:
    matter, doc = load_matter_text(LETS, "m.yaml")
    assert matter is not None, doc
    rules = RuleSet.build(matter, None)
    assert rules.ok, [e.message for e in rules.errors]
    state = run(rules, answers)
    assert [f.path for f in state.fields if f.visible and f.path in ("note", "why")] == shown


_FIRST_APPLICANT = {  # the first example of each sample matter, by applicant_of's rule
    "XX-CA-0001": "吴俊杰、林晓燕", "XX-CA-0002": "何秀英", "XX-DP-0001": "冯德明",
    "XX-EC-0001": "新兴县宏木家具制造有限公司", "XX-FR-0001": "新兴县万家福商贸有限公司",
    "XX-HC-0001": "新兴县人民医院", "XX-HE-0001": "新兴康和门诊部有限公司",
    "XX-HE-0002": "新兴县六祖酒店管理有限公司", "XX-HR-0001": "林晓燕",
    "XX-HR-0002": "黄丽华", "XX-MS-0001": "张伟", "XX-MS-0002": "新兴县禾丰餐饮管理有限公司",
    "XX-MS-0003": "新兴县禾丰农业科技有限公司", "XX-NR-0001": "吴俊杰",
    "XX-PS-0001": "邓桂芳", "XX-PS-0002": "吴俊杰", "XX-PS-0003": "陈志明",
    "XX-TR-0001": "新兴县顺达物流有限公司", "XX-TX-0001": "新兴县禾丰农业科技有限公司",
    "XX-YB-0001": "陈子睿",
}


@pytest.mark.parametrize("code, expected", sorted(_FIRST_APPLICANT.items()))
def test_applicant_of_names_each_sample_example(code: str, expected: str) -> None:
    from formkit.catalog import open_catalog
    from formkit.intake.forms import applicant_of

    matter = open_catalog(Path(__file__).resolve().parents[2] / "definitions").matters[code]
    assert applicant_of(matter, matter.tests[0].fields) == expected
    for ex in matter.tests:  # every example of the sample catalog names its applicant
        name = applicant_of(matter, ex.fields)
        assert name and name == name.strip() and len(name) <= 200, ex.name
    assert applicant_of(matter, {}) == ""
    assert applicant_of(matter, "not an object") == ""
