"""Tests for formkit.intake.schema: a draft 2020-12 JSON Schema of each matter's intake form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from formkit.catalog import open_catalog
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Matter
from formkit.intake.schema import DRAFT, matter_schema

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = open_catalog(ROOT / "definitions")
CODES = sorted(SAMPLE.matters)

MATTER = """
code: T-SCHEMA
name: {zh: 结构测试, en: Schema test}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
form:
  - {id: name, type: text, label: {zh: 姓名, en: Name}, required: true, max: 30}
  - id: kind
    type: choice
    label: {zh: 类别}
    required: true
    options:
      - {value: retail, label: {zh: 零售}}
      - {value: catering, label: {zh: 餐饮}}
  - {id: area, type: number, label: {zh: 面积}, min: 0, constraint: area < 100000,
     message: {zh: 面积过大}}
  - {id: staff, type: integer, label: {zh: 人数}}
  - {id: capital, type: money, label: {zh: 资金}}
  - {id: rented, type: boolean, label: {zh: 是否租用}}
  - {id: lease_end, type: date, label: {zh: 租期届满日}, visible: rented, required: true}
  - id: services
    type: multichoice
    options:
      - {value: delivery, label: {zh: 配送}}
  - {id: idn, type: id_number, label: {zh: 公民身份号码}}
  - {id: code, type: uscc}
  - {id: mobile, type: mobile}
  - {id: total, type: number, value: sum(shareholders.share)}
  - id: shareholders
    type: repeat
    label: {zh: 股东}
    min: 1
    max: 3
    fields:
      - {id: holder, type: text, required: true}
      - {id: share, type: number, required: true}
  - id: agent
    type: group
    label: {zh: 代理人}
    visible: 'kind == "catering"'
    fields:
      - {id: agent_name, type: text, required: true}
"""

GOOD: dict[str, Any] = {"name": "张三", "kind": "retail", "area": 20.5, "staff": 3,
                        "capital": 19.99, "rented": True, "lease_end": "2027-06-30",
                        "services": ["delivery"], "idn": "44532119850612351x",
                        "code": "91445321MA0KD1Y64N", "mobile": "13800138000",
                        "shareholders": [{"holder": "张三", "share": 100}],
                        "agent": {"agent_name": "李四"}}


def _matter() -> Matter:
    matter, doc = load_matter_text(MATTER, "m.yaml")
    assert matter is not None, doc
    return matter


SCHEMA = matter_schema(_matter())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


@pytest.mark.parametrize("code", CODES)
def test_every_sample_schema_is_a_valid_draft_2020_12_schema(code: str) -> None:
    schema = matter_schema(SAMPLE.matters[code])
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DRAFT
    assert schema["title"] == SAMPLE.matters[code].name.zh
    assert schema["type"] == "object" and schema["additionalProperties"] is False


EXAMPLES = [(code, i) for code in CODES for i, t in enumerate(SAMPLE.matters[code].tests)
            if t.expect.outcome in ("accept", "accept_with_tolerance")]


def test_there_are_accepted_examples_to_check() -> None:
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize(("code", "index"), EXAMPLES)
def test_every_accepted_sample_example_validates(code: str, index: int) -> None:
    matter = SAMPLE.matters[code]
    validator = jsonschema.Draft202012Validator(matter_schema(matter))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(
        matter.tests[index].fields)]
    assert errors == [], matter.tests[index].name


def test_the_inline_schema_is_valid_and_accepts_good_answers() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert [e.message for e in VALIDATOR.iter_errors(GOOD)] == []


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("wrong type: a number as text", {**GOOD, "name": 5}, "type"),
    ("wrong type: text as a number", {**GOOD, "area": "20"}, "type"),
    ("wrong type: a fraction as an integer", {**GOOD, "staff": 2.5}, "type"),
    ("wrong type: 是 as a boolean", {**GOOD, "rented": "是"}, "type"),
    ("unknown key", {**GOOD, "bogus": 1}, "additionalProperties"),
    ("unknown key in a group", {**GOOD, "agent": {"agent_name": "李四", "x": 1}},
     "additionalProperties"),
    ("unknown key in a row", {**GOOD, "shareholders": [{"holder": "a", "share": 1, "x": 1}]},
     "additionalProperties"),
    ("bad enum", {**GOOD, "kind": "catring"}, "oneOf"),
    ("bad enum in a multichoice", {**GOOD, "services": ["takeaway"]}, "oneOf"),
    ("a required field missing", {k: v for k, v in GOOD.items() if k != "kind"}, "required"),
    ("a required member of a row missing", {**GOOD, "shareholders": [{"share": 1}]},
     "required"),
    ("below minimum", {**GOOD, "area": -1}, "minimum"),
    ("too long", {**GOOD, "name": "张" * 31}, "maxLength"),
    ("too few rows", {**GOOD, "shareholders": []}, "minItems"),
    ("too many rows", {**GOOD, "shareholders": [{"holder": "a", "share": 1}] * 4},
     "maxItems"),
    ("a row that is not an object", {**GOOD, "shareholders": [5]}, "type"),
    ("malformed resident ID", {**GOOD, "idn": "4453211985061235"}, "pattern"),
    ("malformed mobile", {**GOOD, "mobile": "1380013800"}, "pattern"),
    ("malformed USCC (O is not used)", {**GOOD, "code": "91445321MA0KD1Y64O"}, "pattern"),
]


@pytest.mark.parametrize(("answers", "validator"), [c[1:] for c in BAD],
                         ids=[c[0] for c in BAD])
def test_bad_answers_fail_validation(answers: dict[str, Any], validator: str) -> None:
    errors = list(VALIDATOR.iter_errors(answers))
    assert errors, "expected a validation error"
    assert validator in {e.validator for e in errors}


@pytest.mark.parametrize("value", [0.07, 19.99, 2.675, 1234567.89, 100, 0])
def test_money_with_cents_validates(value: float) -> None:
    # `multipleOf: 0.01` would reject these in binary floating point.
    assert VALIDATOR.is_valid({**GOOD, "capital": value})


def test_titles_options_and_formats() -> None:
    props = SCHEMA["properties"]
    assert SCHEMA["title"] == "结构测试" and SCHEMA["x-title-en"] == "Schema test"
    assert props["name"]["title"] == "姓名" and props["name"]["x-title-en"] == "Name"
    assert props["kind"]["oneOf"] == [{"const": "retail", "title": "零售"},
                                      {"const": "catering", "title": "餐饮"}]
    assert props["lease_end"]["format"] == "date"
    assert props["idn"]["format"] == "x-cn-resident-id"
    assert props["total"]["readOnly"] is True
    assert props["shareholders"]["items"]["required"] == ["holder", "share"]
    # Only unconditionally required, visible, non-computed fields are `required`.
    assert SCHEMA["required"] == ["name", "kind"]


def test_x_formkit_carries_the_conditional_rules() -> None:
    props = SCHEMA["properties"]
    assert props["lease_end"]["x-formkit"] == {"visible": "rented"}
    assert props["area"]["x-formkit"] == {"constraint": "area < 100000", "message": "面积过大"}
    assert props["total"]["x-formkit"] == {"value": "sum(shareholders.share)"}
    assert props["agent"]["x-formkit"] == {"visible": 'kind == "catering"'}
    assert props["capital"]["x-formkit"] == {"decimals": 2}
    assert SCHEMA["x-formkit"]["matter"] == "T-SCHEMA"


def test_sample_conditional_rules_are_carried() -> None:
    schema = matter_schema(SAMPLE.matters["XX-MS-0001"])
    props = schema["properties"]
    assert props["agent"]["x-formkit"]["visible"] == "agent_applies"
    assert props["floor_area"]["x-formkit"]["constraint"] == (
        "floor_area > 0 and floor_area < 100000")
    assert schema["x-formkit"]["let"]["agent_applies"] == 'applicant_role == "agent"'


def test_the_guide_conditions_describe_the_form_and_fees_change_nothing() -> None:
    plain = matter_schema(_matter())
    assert "description" not in plain
    text = MATTER + ("guide: {conditions: {zh: 申请人具有完全民事行为能力}, online_depth: 4}\n"
                     "fees:\n  - {name: {zh: 登记费}, amount: 80, when: 'area > 10'}\n")
    matter, doc = load_matter_text(text, "m.yaml")
    assert matter is not None, doc.errors
    schema = matter_schema(matter)
    assert schema.pop("description") == "申请人具有完全民事行为能力"
    assert schema == plain
    jsonschema.Draft202012Validator.check_schema(schema)
