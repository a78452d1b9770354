"""Tests for formkit.intake.precheck: outcomes, materials, route, fee, deadlines, JSON, fuzz."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formkit.calendar import WorkCalendar
from formkit.catalog import open_catalog
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import FieldType, FormField
from formkit.intake.examples import submission_of
from formkit.intake.messages import message
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.ruleset import RuleSet
from tests.timing import bounded

ROOT = Path(__file__).resolve().parents[2]
CAL = WorkCalendar()
TODAY = dt.date(2026, 11, 25)  # a Wednesday

MATTER = """
code: T-PRE
name: {zh: 预审测试, en: Pre-check test}
department: market_supervision
kind: administrative_licensing
time_limit: {unit: working_days, statutory_days: 10, committed_days: 5}
fee: 'if kind == "catering" then 50 else 20'
form:
  - {id: name, type: text, required: true}
  - {id: age, type: integer, required: true}
  - id: kind
    type: choice
    required: true
    options:
      - {value: retail, label: {zh: 零售}}
      - {value: catering, label: {zh: 餐饮}}
  - {id: area, type: number, required: true}
  - {id: rented, type: boolean}
materials:
  - {id: application, name: {zh: 申请书}, form: original}
  - {id: id_copy, name: {zh: 身份证复印件}, form: copy, copies: 2}
  - {id: agent_id, name: {zh: 代理人身份证}, form: original_and_copy}
  - {id: lease, name: {zh: 租赁合同}, form: copy, required: rented, tolerable: true}
  - id: health_cert
    name: {zh: 健康证明}
    required: 'kind == "catering"'
    tolerable: true
  - {id: licence, name: {zh: 营业执照}, source: government}
  - {id: tax_cert, name: {zh: 完税证明}, source: government, required: rented}
  - {id: photo, name: {zh: 照片}, required: false}
checks:
  - when: age < 18
    refuse: {zh: 申请人未满十八周岁, en: The applicant is under 18}
  - when: 'kind == "catering" and area > 500'
    refuse: {zh: 餐饮经营面积超过500平方米，不属本机关受理范围}
  - when: area > 200
    warn: {zh: 经营面积较大，请核实, en: Large floor area; please check}
route:
  - step: [market_supervision.registration]
  - step: [fire_rescue.inspection, ecology.review]
    when: 'kind == "catering" and area > 100'
  - step: [market_supervision.field_inspection]
    when: rented
"""

GOOD_FIELDS: dict[str, Any] = {"name": "张三", "age": 30, "kind": "retail", "area": 50,
                               "rented": False}
GOOD_MATERIALS: list[dict[str, Any]] = [
    {"id": "application", "form": "original", "copies": 1},
    {"id": "id_copy", "form": "copy", "copies": 2},
    {"id": "agent_id", "form": "original_and_copy", "copies": 1},
]


def build(text: str = MATTER) -> RuleSet:
    matter, doc = load_matter_text(text, "m.yaml")
    assert matter is not None, doc
    rules = RuleSet.build(matter, None)
    assert rules.ok, [e.message for e in rules.errors]
    return rules


RULES = build()


def precheck(fields: dict[str, Any] | None = None, materials: list[Any] | None = None,
             *, rules: RuleSet = RULES, today: dt.date = TODAY,
             calendar: WorkCalendar = CAL, **kw: Any) -> PrecheckResult:
    submission = {"fields": {**GOOD_FIELDS, **(fields or {})},
                  "materials": GOOD_MATERIALS if materials is None else materials}
    return run_precheck(rules, submission, today=today, calendar=calendar, **kw)


def ids(items: list[Any]) -> list[str]:
    return [i.id for i in items]


# --- outcomes: refuse > incomplete > accept_with_tolerance > accept --------------------------


def test_everything_in_order_is_accepted() -> None:
    r = precheck()
    assert r.outcome == "accept" and r.accepted
    assert (r.field_errors, r.missing_materials, r.tolerated_materials, r.refusals,
            r.warnings) == ([], [], [], [], [])
    assert ids(r.fetched_materials) == ["licence"]


def test_only_tolerable_materials_missing_is_accept_with_tolerance() -> None:
    r = precheck({"rented": True, "kind": "catering"})
    assert r.outcome == "accept_with_tolerance" and r.accepted
    assert ids(r.tolerated_materials) == ["lease", "health_cert"]
    assert r.missing_materials == []
    assert r.committed_deadline is not None


def test_a_missing_required_material_is_incomplete_and_tolerated_ones_still_listed() -> None:
    r = precheck({"rented": True}, GOOD_MATERIALS[:2])
    assert r.outcome == "incomplete" and not r.accepted
    assert ids(r.missing_materials) == ["agent_id"]
    assert r.missing_materials[0].reason == message("material_absent")
    assert ids(r.tolerated_materials) == ["lease"]


def test_a_field_error_alone_is_incomplete() -> None:
    r = precheck({"area": "很大"})
    assert r.outcome == "incomplete"
    assert [(e.field, e.message) for e in r.field_errors] == [("area", message("not_number"))]
    assert r.missing_materials == []


def test_a_refusal_wins_and_every_problem_is_still_listed() -> None:
    r = precheck({"age": 16, "kind": "catering", "area": 800, "rented": True, "name": ""},
                 [{"id": "application", "form": "copy"}])
    assert r.outcome == "refuse"
    assert [f.message for f in r.refusals] == [
        "申请人未满十八周岁", "餐饮经营面积超过500平方米，不属本机关受理范围"]
    assert [w.message for w in r.warnings] == ["经营面积较大，请核实"]
    assert [e.field for e in r.field_errors] == ["name"]
    assert ids(r.missing_materials) == ["application", "id_copy", "agent_id"]
    assert ids(r.tolerated_materials) == ["lease", "health_cert"]
    assert ids(r.fetched_materials) == ["licence", "tax_cert"]
    assert r.committed_deadline is None and r.statutory_deadline is None


def test_warnings_do_not_change_the_outcome() -> None:
    r = precheck({"area": 300})
    assert r.outcome == "accept"
    assert [w.message for w in r.warnings] == ["经营面积较大，请核实"]


# --- deny: a substantive ground found at intake (不予许可, 行政许可法 §38) ----------------------

DENY = "申请人年满七十周岁，不符合许可条件，不予许可"
DENY_RULES = build(MATTER.replace("checks:\n", f"""checks:
  - when: age >= 70
    deny: {{zh: {DENY}, en: The applicant is 70 or older; the licence is denied}}
"""))


def test_a_holding_deny_check_accepts_and_lists_the_denial() -> None:
    # Unlike a refusal (不予受理, §32), the case is accepted and goes to decision
    # marked for 不予许可: it has a 受理 date and deadlines like any accepted case.
    r = precheck({"age": 75}, rules=DENY_RULES)
    assert r.outcome == "accept" and r.accepted
    assert [d.message for d in r.denials] == [DENY]
    assert r.refusals == [] and r.warnings == [] and r.missing_materials == []
    assert (r.committed_deadline, r.statutory_deadline) == (dt.date(2026, 12, 2),
                                                            dt.date(2026, 12, 9))


def test_a_deny_check_that_does_not_hold_lists_nothing() -> None:
    r = precheck({"age": 69}, rules=DENY_RULES)
    assert r.outcome == "accept" and r.denials == []


def test_a_refusal_still_wins_over_a_denial_and_both_are_listed() -> None:
    r = precheck({"age": 75, "kind": "catering", "area": 800}, rules=DENY_RULES)
    assert r.outcome == "refuse" and not r.accepted
    assert [f.message for f in r.refusals] == ["餐饮经营面积超过500平方米，不属本机关受理范围"]
    assert [d.message for d in r.denials] == [DENY]
    assert [w.message for w in r.warnings] == ["经营面积较大，请核实"]
    assert r.committed_deadline is None and r.statutory_deadline is None


def test_a_denial_with_a_missing_material_is_incomplete_and_still_listed() -> None:
    r = precheck({"age": 75}, GOOD_MATERIALS[:2], rules=DENY_RULES)
    assert r.outcome == "incomplete" and not r.accepted
    assert ids(r.missing_materials) == ["agent_id"]
    assert [d.message for d in r.denials] == [DENY]
    assert r.refusals == [] and r.committed_deadline is None


def test_a_denial_with_a_tolerated_material_is_accepted_with_tolerance() -> None:
    r = precheck({"age": 75, "rented": True}, rules=DENY_RULES)
    assert r.outcome == "accept_with_tolerance"
    assert ids(r.tolerated_materials) == ["lease"]
    assert [d.message for d in r.denials] == [DENY]


def test_a_denial_is_explained_like_a_refusal() -> None:
    data = precheck({"age": 75}, rules=DENY_RULES, explain=True).model_dump(mode="json")
    assert data["denials"] == [{"message": DENY, "condition": "age >= 70",
                                "values": {"age": 75}}]
    assert data["refusals"] == []
    plain = precheck({"age": 75}, rules=DENY_RULES).model_dump(mode="json")
    assert plain["denials"] == [{"message": DENY}]


def test_a_denial_in_english() -> None:
    r = precheck({"age": 75}, rules=DENY_RULES, lang="en")
    assert [d.message for d in r.denials] == ["The applicant is 70 or older; the licence is denied"]


@pytest.mark.parametrize(("code", "name", "outcome", "denials"), [
    ("XX-MS-0001", "public servant", "accept", 1),
    ("XX-HC-0001", "individual business as contractor is accepted", "accept", 1),
    ("XX-HC-0001", "unfunded project", "incomplete", 2),
    ("XX-NR-0001", "property under seizure", "accept", 1),
])
def test_the_sample_substantive_grounds_deny_and_do_not_refuse(code: str, name: str,
                                                               outcome: str,
                                                               denials: int) -> None:
    # 公职人员 (XX-MS-0001), funding and contractor (XX-HC-0001) and a seizure (XX-NR-0001)
    # are grounds to decide against an application, not to turn it away at the window.
    rules = open_catalog(ROOT / "definitions").rules_of(code)
    assert rules is not None
    [example] = [t for t in rules.matter.tests if name in t.name]
    r = run_precheck(rules, submission_of(example), today=example.today, calendar=CAL)
    assert (r.outcome, len(r.denials), r.refusals) == (outcome, denials, [])
    assert all("不予" in d.message for d in r.denials)


# --- materials: form, copies, defaults -----------------------------------------------------------

MATERIAL_CASES: list[tuple[str, list[Any], dict[str, str]]] = [
    ("a copy where an original is required",
     [{"id": "application", "form": "copy"}, *GOOD_MATERIALS[1:]],
     {"application": message("material_copy_for_original")}),
    ("too few copies", [GOOD_MATERIALS[0], {"id": "id_copy", "form": "copy", "copies": 1},
                        GOOD_MATERIALS[2]],
     {"id_copy": message("material_copies", need=2, got=1)}),
    ("zero copies", [GOOD_MATERIALS[0], {"id": "id_copy", "copies": 0}, GOOD_MATERIALS[2]],
     {"id_copy": message("material_copies", need=2, got=0)}),
    ("only the original where original and copy are required",
     [*GOOD_MATERIALS[:2], {"id": "agent_id", "form": "original"}],
     {"agent_id": message("material_need_both")}),
    ("only a copy where original and copy are required",
     [*GOOD_MATERIALS[:2], {"id": "agent_id", "form": "copy"}],
     {"agent_id": message("material_need_both")}),
    ("the original and a copy listed as two entries",
     [*GOOD_MATERIALS[:2], {"id": "agent_id", "form": "original"},
      {"id": "agent_id", "form": "copy"}], {}),
    ("copies listed in two entries add up",
     [GOOD_MATERIALS[0], {"id": "id_copy", "copies": 1}, {"id": "id_copy", "copies": 1},
      GOOD_MATERIALS[2]], {}),
    ("no form and no copies: as the matter asks",
     [{"id": "application"}, {"id": "id_copy"}, {"id": "agent_id"}], {}),
    ("no copies given: the copies the matter asks",
     [{"id": "application", "form": "original"}, {"id": "id_copy", "form": "copy"},
      {"id": "agent_id", "form": "original_and_copy"}], {}),
    ("more copies than asked", [GOOD_MATERIALS[0], {"id": "id_copy", "copies": 5},
                                GOOD_MATERIALS[2]], {}),
    ("an original where a copy is asked (the window copies it)",
     [GOOD_MATERIALS[0], {"id": "id_copy", "form": "original"}, GOOD_MATERIALS[2]], {}),
    ("materials as bare ids", ["application", "id_copy", "agent_id"], {}),
    ("nothing handed in", [], {"application": message("material_absent"),
                               "id_copy": message("material_absent"),
                               "agent_id": message("material_absent")}),
]


@pytest.mark.parametrize(("materials", "missing"), [c[1:] for c in MATERIAL_CASES],
                         ids=[c[0] for c in MATERIAL_CASES])
def test_materials(materials: list[Any], missing: dict[str, str]) -> None:
    r = precheck(materials=materials)
    assert {m.id: m.reason for m in r.missing_materials} == missing
    assert r.outcome == ("incomplete" if missing else "accept")


def test_a_not_required_material_is_never_listed() -> None:
    r = precheck()
    assert "photo" not in ids(r.missing_materials + r.tolerated_materials
                              + r.fetched_materials)


def test_government_materials_are_fetched_never_missing() -> None:
    r = precheck({"rented": True}, GOOD_MATERIALS)  # neither licence nor tax_cert handed in
    assert ids(r.fetched_materials) == ["licence", "tax_cert"]
    assert not {"licence", "tax_cert"} & set(ids(r.missing_materials + r.tolerated_materials))
    assert r.outcome == "accept_with_tolerance"  # only the lease is short
    handed = precheck(materials=[*GOOD_MATERIALS, {"id": "licence", "form": "copy"}])
    assert ids(handed.fetched_materials) == ["licence"] and handed.outcome == "accept"


def test_unknown_materials_are_a_warning_and_bad_entries_field_errors() -> None:
    r = precheck(materials=[*GOOD_MATERIALS, {"id": "passport"}])
    assert r.outcome == "accept"
    assert [w.message for w in r.warnings] == [message("material_unknown", id="passport")]
    r = precheck(materials=[*GOOD_MATERIALS, {"id": "photo", "form": "scan", "copies": -1}, 7])
    assert [e.field for e in r.field_errors] == ["materials[3].form", "materials[3].copies",
                                                 "materials[4]"]
    assert r.outcome == "incomplete"


@pytest.mark.parametrize("submission", [None, [], "x", {"fields": []}, {"materials": {}}])
def test_a_malformed_submission_is_reported_not_raised(submission: Any) -> None:
    r = run_precheck(RULES, submission, today=TODAY, calendar=CAL)
    assert r.outcome == "incomplete"
    assert r.field_errors


# --- route -------------------------------------------------------------------------------------

ROUTES = [
    ({}, [["market_supervision.registration"]]),
    ({"kind": "catering", "area": 150},  # a parallel step
     [["market_supervision.registration"], ["fire_rescue.inspection", "ecology.review"]]),
    ({"kind": "catering", "area": 80}, [["market_supervision.registration"]]),
    ({"kind": "catering", "area": 150, "rented": True},
     [["market_supervision.registration"], ["fire_rescue.inspection", "ecology.review"],
      ["market_supervision.field_inspection"]]),
]


@pytest.mark.parametrize(("fields", "route"), ROUTES)
def test_route(fields: dict[str, Any], route: list[list[str]]) -> None:
    assert precheck(fields).route == route


# --- fee ---------------------------------------------------------------------------------------


def test_fee_as_an_expression() -> None:
    assert precheck().fee == 20
    assert precheck({"kind": "catering"}).fee == 50
    assert precheck({"kind": "catering"}).model_dump(mode="json")["fee"] == 50


def test_fee_as_a_number() -> None:
    rules = build(MATTER.replace("""fee: 'if kind == "catering" then 50 else 20'""",
                                 "fee: 12.5"))
    r = precheck(rules=rules)
    assert r.fee == 12.5
    assert r.model_dump(mode="json")["fee"] == 12.5
    free = build(MATTER.replace("""fee: 'if kind == "catering" then 50 else 20'\n""", ""))
    assert precheck(rules=free).model_dump(mode="json")["fee"] == 0


# --- deadlines -----------------------------------------------------------------------------------


def limit(unit: str, statutory: int, committed: int) -> RuleSet:
    return build(MATTER.replace(
        "time_limit: {unit: working_days, statutory_days: 10, committed_days: 5}",
        f"time_limit: {{unit: {unit}, statutory_days: {statutory}, "
        f"committed_days: {committed}}}"))


CALENDAR_DAYS = limit("calendar_days", 60, 30)
ON_THE_SPOT = limit("working_days", 3, 0)

DEADLINES: list[tuple[str, RuleSet, dt.date, WorkCalendar, dt.date, dt.date, bool]] = [
    # 9-30 is day 1, 10-1..10-7 is the National Day block, 10-10 (Saturday) is a 调休
    # working day: 10-8, 10-9, 10-10, 10-12 are days 2-5.
    ("working days over National Day 2026", RULES, dt.date(2026, 9, 29), CAL,
     dt.date(2026, 10, 12), dt.date(2026, 10, 19), False),
    ("working days, an ordinary week", RULES, TODAY, CAL,
     dt.date(2026, 12, 2), dt.date(2026, 12, 9), False),
    ("received on a Saturday, that day not counted", RULES, dt.date(2026, 11, 28), CAL,
     dt.date(2026, 12, 4), dt.date(2026, 12, 11), False),
    ("calendar days", CALENDAR_DAYS, dt.date(2026, 10, 26), CAL,
     dt.date(2026, 11, 25), dt.date(2026, 12, 25), False),
    # 8-2 + 60 days is 10-1, inside the holiday block: the period ends on the next
    # working day (民法典 §203); 8-2 + 30 is 9-1, a Tuesday.
    ("calendar days ending in a holiday roll on", CALENDAR_DAYS, dt.date(2026, 8, 2), CAL,
     dt.date(2026, 9, 1), dt.date(2026, 10, 8), False),
    # 10-30 + 30 is 11-29, a Sunday: Monday 11-30.
    ("calendar days ending on a Sunday roll on", CALENDAR_DAYS, dt.date(2026, 10, 30), CAL,
     dt.date(2026, 11, 30), dt.date(2026, 12, 29), False),
    ("committed 0 days: due the day of receipt", ON_THE_SPOT, TODAY, CAL,
     TODAY, dt.date(2026, 11, 30), False),
    # 民法典 §203: a 即办件 received on Sunday 11-29 is due Monday 11-30
    ("committed 0 days on a Sunday: the next working day", ON_THE_SPOT,
     dt.date(2026, 11, 29), CAL, dt.date(2026, 11, 30), dt.date(2026, 12, 2), False),
    ("a local closure is not a working day", RULES, TODAY,
     WorkCalendar(closures=[dt.date(2026, 11, 26)]),
     dt.date(2026, 12, 3), dt.date(2026, 12, 10), False),
    ("a local extra working Saturday counts", RULES, dt.date(2026, 11, 27),
     WorkCalendar(workdays=[dt.date(2026, 11, 28)]),
     dt.date(2026, 12, 3), dt.date(2026, 12, 10), False),
    # 元旦 2027-01-01 is a rest day by law (放假办法 §2) even before the 2027 notice:
    # 12-29..12-31 (3), 01-04 (4), 01-05 (5); ten days end Tue 01-12
    ("into 2027, a year without an official schedule", RULES, dt.date(2026, 12, 28), CAL,
     dt.date(2027, 1, 5), dt.date(2027, 1, 12), True),
    ("calendar days into 2027 are provisional too", CALENDAR_DAYS, dt.date(2026, 12, 1), CAL,
     dt.date(2026, 12, 31), dt.date(2027, 2, 1), True),
]


@pytest.mark.parametrize(("rules", "received", "calendar", "committed", "statutory",
                          "provisional"), [c[1:] for c in DEADLINES],
                         ids=[c[0] for c in DEADLINES])
def test_deadlines(rules: RuleSet, received: dt.date, calendar: WorkCalendar,
                   committed: dt.date, statutory: dt.date, provisional: bool) -> None:
    r = precheck(rules=rules, today=received, calendar=calendar)
    assert r.outcome == "accept"
    assert r.received_on == received
    assert (r.committed_deadline, r.statutory_deadline) == (committed, statutory)
    assert r.calendar_provisional is provisional


def test_the_sample_calendar_overrides_apply() -> None:
    opened = open_catalog(ROOT / "definitions")
    # 2026-12-19 (Saturday) is a 延时服务日 in definitions/calendar.yaml: the window is
    # open but the day does not count toward a time limit (行政许可法 §82).
    opening = opened.work_calendar()
    assert opening.is_open(dt.date(2026, 12, 19)) and not opening.is_workday(dt.date(2026, 12, 19))
    r = precheck(today=dt.date(2026, 12, 18), calendar=opening)
    assert r.committed_deadline == dt.date(2026, 12, 25)
    assert precheck(today=dt.date(2026, 12, 18)).committed_deadline == dt.date(2026, 12, 25)


@pytest.mark.parametrize("fields", [{"age": 16}, {"area": "x"}])
def test_deadlines_are_null_unless_accepted(fields: dict[str, Any]) -> None:
    r = precheck(fields, today=dt.date(2026, 12, 28))
    assert not r.accepted
    data = r.model_dump(mode="json")
    assert data["committed_deadline"] is None and data["statutory_deadline"] is None
    assert data["calendar_provisional"] is False
    assert data["received_on"] == "2026-12-28"


# --- explain -----------------------------------------------------------------------------------


def test_explain_gives_each_condition_and_the_values_that_decided_it() -> None:
    r = precheck({"rented": True, "age": 17, "kind": "catering", "area": 150}, explain=True)
    data = r.model_dump(mode="json")
    assert data["tolerated_materials"][0] == {"id": "lease", "condition": "rented",
                                              "values": {"rented": True}}
    assert data["tolerated_materials"][1] == {
        "id": "health_cert", "condition": 'kind == "catering"', "values": {"kind": "catering"}}
    assert data["fetched_materials"][1] == {"id": "tax_cert", "condition": "rented",
                                            "values": {"rented": True}}
    assert data["refusals"] == [{"message": "申请人未满十八周岁", "condition": "age < 18",
                                 "values": {"age": 17}}]
    assert data["route_explained"][1] == {
        "units": ["fire_rescue.inspection", "ecology.review"],
        "condition": 'kind == "catering" and area > 100',
        "values": {"kind": "catering", "area": 150}}
    assert data["route_explained"][0]["condition"] == "true"
    required = {m["id"]: m for m in data["required_materials"]}
    assert set(required) == {"application", "id_copy", "agent_id", "lease", "health_cert",
                             "licence", "tax_cert"}
    assert required["lease"]["values"] == {"rented": True}


def test_explain_shows_a_member_path_not_the_whole_group() -> None:
    # The explanation must not copy a whole group (names, ID numbers) for one member.
    opened = open_catalog(ROOT / "definitions")
    rules = opened.rules_of("XX-MS-0001")
    assert rules is not None
    servant = next(t for t in rules.matter.tests if t.name.startswith("public servant"))
    r = run_precheck(rules, {"fields": servant.fields, "materials": []}, today=TODAY,
                     calendar=CAL, explain=True)
    denial = r.model_dump(mode="json")["denials"][0]
    assert denial["condition"] == "operator.is_public_servant"
    assert denial["values"] == {"operator.is_public_servant": True}


def test_without_explain_there_are_no_conditions() -> None:
    data = precheck({"rented": True}).model_dump(mode="json")
    assert data["tolerated_materials"] == [{"id": "lease"}]
    assert "route_explained" not in data and "required_materials" not in data


# --- the JSON document (cli.md, precheck) ------------------------------------------------------

CLI_KEYS = {"matter", "outcome", "field_errors", "missing_materials", "tolerated_materials",
            "refusals", "warnings", "route", "received_on", "committed_deadline",
            "statutory_deadline"}
EXTRA_KEYS = {"fetched_materials", "denials", "fee", "calendar_provisional"}  # documented extras


def test_json_shape_is_exactly_the_cli_example() -> None:
    r = precheck({"rented": True, "name": "", "age": 16, "area": 300},
                  [{"id": "application", "form": "copy"}])
    data = r.model_dump(mode="json")
    assert set(data) == CLI_KEYS | EXTRA_KEYS
    assert json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False)) == data
    assert data["matter"] == "T-PRE" and data["outcome"] == "refuse"
    assert data["field_errors"] == [{"field": "name", "message": message("required")}]
    assert data["missing_materials"][0] == {"id": "application",
                                            "reason": message("material_copy_for_original")}
    assert all(set(m) == {"id", "reason"} for m in data["missing_materials"])
    assert data["tolerated_materials"] == [{"id": "lease"}]
    assert data["fetched_materials"] == [{"id": "licence"}, {"id": "tax_cert"}]
    assert data["refusals"] == [{"message": "申请人未满十八周岁"}]
    assert data["warnings"] == [{"message": "经营面积较大，请核实"}]
    assert data["route"] == [["market_supervision.registration"],
                             ["market_supervision.field_inspection"]]
    assert data["received_on"] == "2026-11-25"
    assert data["committed_deadline"] is None and data["statutory_deadline"] is None
    assert data["fee"] == 20 and data["calendar_provisional"] is False


def test_json_of_an_accepted_case() -> None:
    data = precheck().model_dump(mode="json")
    assert set(data) == CLI_KEYS | EXTRA_KEYS
    assert (data["committed_deadline"], data["statutory_deadline"]) == ("2026-12-02",
                                                                        "2026-12-09")
    assert PrecheckResult.model_validate(data).model_dump(mode="json") == data


def test_messages_in_english() -> None:
    r = precheck({"age": 10, "area": "x", "rented": True}, [], lang="en")
    assert [f.message for f in r.refusals] == ["The applicant is under 18"]
    assert r.field_errors[0].message == "expected a number"
    assert r.missing_materials[0].reason == "not handed in"


# --- fuzz: any JSON against every sample matter gives a valid result ----------------------------

SAMPLE = open_catalog(ROOT / "definitions")
CODES = sorted(code for code, rules in SAMPLE.rules.items() if rules.ok)


def _nest(depth: int) -> Any:
    value: Any = "深"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


HUGE = st.sampled_from(["9" * 50_000, "１" * 20_000, "x" * 100_001, "1e" + "9" * 30,
                        "-" * 5000, "是" * 11_000])
DEEP = st.integers(min_value=50, max_value=3000).map(_nest)
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(-(10**400), 10**400)
           | st.floats() | st.text(max_size=30) | HUGE
           | st.sampled_from(["", "是", "否", "1,000", "１２", "2026-02-30", "2026-11-25",
                              "NaN", "1e9999999999", "445321199003071230", "13800138000",
                              "original", "copy", "original_and_copy"]))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20) | DEEP


def _answer(f: FormField) -> st.SearchStrategy[Any]:
    """Answers shaped like the form (so the fuzz reaches coercion and rules), or junk."""
    if f.type == FieldType.group:
        return _answers(f.fields or []) | JSON
    if f.type == FieldType.repeat:
        return st.lists(_answers(f.fields or []), max_size=3) | JSON
    options = [o.value for o in f.options or []]
    if options:
        return st.sampled_from(options) | st.lists(st.sampled_from(options)) | SCALARS
    return SCALARS


def _answers(fields: list[FormField]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={f.id: _answer(f) for f in fields})


def _submission(code: str) -> st.SearchStrategy[Any]:
    matter = SAMPLE.matters[code]
    material = st.fixed_dictionaries({"id": st.sampled_from([m.id for m in matter.materials]
                                                            or ["x"]) | JSON},
                                      optional={"form": JSON, "copies": JSON})
    good = st.fixed_dictionaries({"fields": _answers(matter.form) | JSON,
                                  "materials": st.lists(material | JSON, max_size=6) | JSON})
    return good | JSON


def test_the_fuzz_covers_every_sample_matter() -> None:
    assert len(CODES) == len(SAMPLE.matters) >= 15


@pytest.mark.parametrize("code", CODES)
@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
@given(data=st.data())
def test_any_json_gives_a_valid_result(code: str, data: st.DataObject) -> None:
    submission = data.draw(_submission(code))
    explain = data.draw(st.booleans())
    rules = SAMPLE.rules[code]
    r = run_precheck(rules, submission, today=TODAY, calendar=SAMPLE.work_calendar(),
                     explain=explain, lang=data.draw(st.sampled_from(["zh", "en"])))
    doc = r.model_dump(mode="json")
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
    assert PrecheckResult.model_validate(json.loads(text)).outcome == r.outcome
    assert set(doc) - {"route_explained", "required_materials"} == CLI_KEYS | EXTRA_KEYS
    if r.refusals:
        assert r.outcome == "refuse"
    elif r.field_errors or r.missing_materials:
        assert r.outcome == "incomplete"
    elif r.tolerated_materials:
        assert r.outcome == "accept_with_tolerance"
    else:
        assert r.outcome == "accept"
    assert (r.committed_deadline is not None) == r.accepted


# ---- a chain of lets costs its length, not 2 ** its length ------------------------------------

def chain_matter(first: str, when: str, n: int = 32) -> RuleSet:
    lets = "\n".join([f"  b0: '{first}'"] + [f"  b{i}: 'b{i - 1} + b{i - 1}'"
                                               for i in range(1, n + 1)])
    return build(MATTER.replace("fee: ", f"let:\n{lets}\nfee: ").replace(
        "checks:\n", f"checks:\n  - when: '{when}'\n    warn: {{zh: 链}}\n"))


# Each row: the chain's first value, the check that reads its end, and what the check
# gives: 2**32 evaluations without memory (9.6 s at 24 levels; 32 levels of text were
# killed at 5.3 GB).
@pytest.mark.parametrize(("first", "when", "warned", "error"), [
    ("age", "b32 > 0", True, None),                           # numbers
    ('"a"', "len(b16) > 0 and b32 == b32", False, "too long"),  # texts: past the bound
    ('"a"', "len(b16) == 65536", True, None),                 # texts within the bound
])
def test_a_32_level_let_chain_prechecks_at_once(first: str, when: str, warned: bool,
                                                error: str | None) -> None:
    rules = chain_matter(first, when)
    rules.programs()
    with bounded(10):  # hours before
        start = time.perf_counter()
        result = precheck(rules=rules)
        elapsed = time.perf_counter() - start
    assert ("链" in [w.message for w in result.warnings]) is warned
    errors = [e.message for e in result.field_errors]
    assert (errors == []) if error is None else (len(errors) == 1 and error in errors[0])
    assert elapsed < 0.5, elapsed


# --- fees (matter-format v2) and 告知承诺 --------------------------------------------------------

FEES = MATTER.replace("""fee: 'if kind == "catering" then 50 else 20'\n""", """\
fees:
  - {name: {zh: 登记费}, amount: 80, basis: {zh: 价格规2559号}, when: 'kind == "retail"'}
  - {name: {zh: 登记费}, amount: 550, basis: {zh: 价格规2559号}, when: 'kind == "catering"'}
  - {name: {zh: 面积附加费}, amount: "max(area - 100, 0) * 0.5"}
  - {name: {zh: 不收的费}, amount: 1000, when: false}
""").replace("  - {id: photo, name: {zh: 照片}, required: false}\n", """\
  - {id: photo, name: {zh: 照片}, required: false}
  - {id: credit_pledge, name: {zh: 信用承诺材料}, commitment: true}
  - {id: guarantee, name: {zh: 担保材料}, commitment: true, form: original_and_copy,
     tolerable: true}
""")
FEES_RULES = build(FEES)
GOOD_WITH_PLEDGE = [*GOOD_MATERIALS, {"id": "credit_pledge"}, {"id": "guarantee",
                                                               "form": "original_and_copy"}]


@pytest.mark.parametrize(("fields", "fee", "items"), [
    ({}, 80, [("登记费", 80, "价格规2559号"), ("面积附加费", 0, None)]),
    ({"kind": "catering", "area": 150}, 575,
     [("登记费", 550, "价格规2559号"), ("面积附加费", 25, None)]),
    ({"area": 101}, 80.5, [("登记费", 80, "价格规2559号"), ("面积附加费", 0.5, None)]),
])
def test_fees_are_the_sum_of_the_items_that_apply(fields: dict[str, Any], fee: float,
                                                  items: list[tuple[str, float, str | None]]
                                                  ) -> None:
    r = precheck(fields, GOOD_WITH_PLEDGE, rules=FEES_RULES)
    assert r.accepted and r.fee == fee
    assert r.fee_items == items
    data = r.model_dump(mode="json")
    assert data["fee"] == fee and "fee_items" not in data and "committed_materials" not in data


def test_a_fee_item_that_cannot_be_computed_makes_the_fee_null() -> None:
    r = precheck({"area": None}, GOOD_WITH_PLEDGE, rules=FEES_RULES)
    assert r.fee is None and r.model_dump(mode="json")["fee"] is None


def test_fees_replace_the_fee_and_a_free_matter_costs_nothing() -> None:
    rules = build(MATTER.replace("""fee: 'if kind == "catering" then 50 else 20'\n""",
                                 "fees: []\n"))
    r = precheck(rules=rules)
    assert r.fee == 0 and r.fee_items == []


@pytest.mark.parametrize(("materials", "missing", "tolerated", "committed"), [
    # the signed commitment stands for a material that allows it
    ([*GOOD_MATERIALS, {"id": "credit_pledge", "form": "commitment"},
      {"id": "guarantee", "form": "commitment"}], {}, [], ["credit_pledge", "guarantee"]),
    # and not for one that does not: it stays missing, with its own reason
    ([{"id": "application", "form": "commitment"}, *GOOD_MATERIALS[1:],
      {"id": "credit_pledge", "form": "commitment"}, {"id": "guarantee", "form": "commitment"}],
     {"application": message("material_no_commitment")}, [], ["credit_pledge", "guarantee"]),
    ([*GOOD_MATERIALS[:2], {"id": "agent_id", "form": "commitment"}, "credit_pledge",
      {"id": "guarantee", "form": "commitment"}],
     {"agent_id": message("material_no_commitment")}, [], ["guarantee"]),
    # without a commitment the material is missing (or tolerated) as before
    ([*GOOD_MATERIALS, "credit_pledge"], {}, ["guarantee"], []),
    ([*GOOD_MATERIALS], {"credit_pledge": message("material_absent")}, ["guarantee"], []),
    # a commitment besides the material itself: the material counts, nothing is committed
    ([*GOOD_MATERIALS, "credit_pledge", {"id": "credit_pledge", "form": "commitment"},
      {"id": "guarantee", "form": "original_and_copy"}], {}, [], []),
    # a commitment for a material handed in short (a copy for both): the commitment counts
    ([*GOOD_MATERIALS, "credit_pledge", {"id": "guarantee", "form": "copy"},
      {"id": "guarantee", "form": "commitment"}], {}, [], ["guarantee"]),
])
def test_a_commitment_counts_only_for_a_material_that_allows_it(
        materials: list[Any], missing: dict[str, str], tolerated: list[str],
        committed: list[str]) -> None:
    r = precheck(None, materials, rules=FEES_RULES)
    assert {m.id: m.reason for m in r.missing_materials} == missing
    assert ids(r.tolerated_materials) == tolerated
    assert ids(r.committed_materials) == committed
    assert r.outcome == ("incomplete" if missing else "accept_with_tolerance" if tolerated
                         else "accept")
    assert "committed_materials" not in r.model_dump(mode="json")


def test_the_json_without_commitment_is_unchanged_by_committable_materials() -> None:
    plain = FEES.replace(", commitment: true", "")
    for materials in ([*GOOD_MATERIALS, "credit_pledge"], GOOD_MATERIALS):
        with_keys = precheck(None, materials, rules=FEES_RULES).model_dump(mode="json")
        without = precheck(None, materials, rules=build(plain)).model_dump(mode="json")
        assert with_keys == without


def test_a_commitment_reason_in_english() -> None:
    r = precheck(None, [{"id": "application", "form": "commitment"}, *GOOD_MATERIALS[1:]],
                 rules=FEES_RULES, lang="en")
    assert r.missing_materials[0].reason == message("material_no_commitment", "en")
