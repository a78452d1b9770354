"""Tests for formkit.desk.checklist: what the window and back office show, no Streamlit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from formkit.cases.service import Case
from formkit.desk.checklist import (
    answer_rows,
    clock,
    department_units,
    material_checklist,
    signable_units,
    unit_names,
)
from formkit.intake.forms import field_title
from formkit.intake.precheck import run_precheck
from tests.cases.support import calendar, catalog, example, rules

FOOD = "XX-MS-0002"
TODAY = dt.date(2026, 11, 25)


def food_answers(**changes: Any) -> dict[str, Any]:
    """The restaurant example's answers, changed as given."""
    answers = dict(example(FOOD, "restaurant").fields)
    answers.update(changes)
    return answers


def checklist(answers: dict[str, Any], handed: list[str]) -> dict[str, Any]:
    result = run_precheck(rules(FOOD), {"fields": answers, "materials": handed},
                          today=TODAY, calendar=calendar(), explain=True)
    return {i.id: i for i in material_checklist(rules(FOOD).matter, result)}


# ---------------------------------------------------------------- materials checklist


def test_checklist_lists_every_material_in_order_with_its_status() -> None:
    items = checklist(food_answers(), ["application_form"])
    assert list(items) == [m.id for m in rules(FOOD).matter.materials]
    assert items["application_form"].status == "handed_in"
    assert items["layout_plan"].status == "missing"
    assert items["layout_plan"].reason == "未提交"
    assert items["safety_rules"].status == "tolerated"  # may follow (容缺)
    assert items["business_licence"].status == "fetched"
    assert items["business_licence"].fetched
    assert items["power_of_attorney"].status == "not_required"


def test_checklist_follows_the_answers_and_says_why() -> None:
    by_agent = checklist(food_answers(applicant_role="agent", vending_machines=True,
                                      vending_count=2), [])
    poa = by_agent["power_of_attorney"]
    assert poa.required and poa.condition == "by_agent"
    assert poa.values == {"by_agent": True}
    assert by_agent["vending_documents"].values == {"vending_machines": True}
    themselves = checklist(food_answers(), [])
    assert not themselves["power_of_attorney"].required
    assert themselves["power_of_attorney"].condition == "by_agent"


def test_checklist_needs_an_explained_precheck() -> None:
    result = run_precheck(rules(FOOD), {"fields": food_answers()}, today=TODAY)
    with pytest.raises(ValueError, match="explain"):
        material_checklist(rules(FOOD).matter, result)


# ---------------------------------------------------------------- fields and answers


@pytest.mark.parametrize(("path", "title"), [
    ("operator.uscc", "经营者·统一社会信用代码"),  # group member
    ("shareholders[1].holder_name", "股东（发起人）出资情况·第2行·股东名称或姓名"),  # row
    ("no_such.field", "no_such.field"),  # not a field: as given
])
def test_field_title(path: str, title: str) -> None:
    matter = catalog().matters["XX-MS-0003" if "share" in path else FOOD]
    assert field_title(matter, path) == title


def test_answer_rows_show_labels_and_option_names_and_skip_hidden_fields() -> None:
    rows = {r.path: r for r in answer_rows(rules(FOOD), food_answers(), today=TODAY)}
    assert rows["operation_form"].value == "餐饮服务经营者"
    assert rows["categories"].value == "热食类食品制售、自制饮品制售"
    assert rows["vending_machines"].value == "否"
    assert rows["operator.uscc"].title == "经营者·统一社会信用代码"
    assert "vending_count" not in rows  # hidden: no vending machines
    broken = answer_rows(rules(FOOD), food_answers(floor_area="-3"), today=TODAY)
    assert next(r for r in broken if r.path == "floor_area").errors == ["经营场所面积应大于0"]


# ---------------------------------------------------------------- back office


def test_department_units_and_unit_names() -> None:
    cat = catalog().catalog
    assert cat is not None
    units = department_units(cat, "market_supervision")
    assert [u for u, _ in units] == ["market_supervision.registration",
                                     "market_supervision.food_licensing",
                                     "market_supervision.field_inspection"]
    assert units[1][1].startswith("食品经营许可股")
    assert department_units(cat, "nowhere") == []
    assert unit_names(cat)["taxation.tax_service"] == "税务局·纳税服务股"


def case_on(route: list[list[str]], step: int, signed: list[dict[str, str]],
            state: str = "in_review") -> Case:
    return Case(number="FK2026112500001", matter="XX-NR-0001", version="v", state=state,  # type: ignore[arg-type]
                received_on=TODAY, route=route, step=step, signed=signed)


PARALLEL = [["natural_resources.registry_intake"],
            ["natural_resources.registry_review", "taxation.tax_service"]]


@pytest.mark.parametrize(("case", "department", "units"), [
    # parallel step: each department signs its own unit
    (case_on(PARALLEL, 1, [{"a": "x"}, {}]), "natural_resources",
     ["natural_resources.registry_review"]),
    (case_on(PARALLEL, 1, [{"a": "x"}, {}]), "taxation", ["taxation.tax_service"]),
    (case_on(PARALLEL, 1, [{"a": "x"}, {}]), None,
     ["natural_resources.registry_review", "taxation.tax_service"]),
    # a unit that signed is not asked again
    (case_on(PARALLEL, 1, [{"a": "x"}, {"taxation.tax_service": "t"}]), None,
     ["natural_resources.registry_review"]),
    # every step signed, or not in review: nothing to sign
    (case_on(PARALLEL, 2, [{"a": "x"}, {}]), None, []),
    (case_on(PARALLEL, 0, [{}, {}], state="accepted"), None, []),
])
def test_signable_units(case: Case, department: str | None, units: list[str]) -> None:
    assert signable_units(case, department) == units


def test_clock_keeps_the_day_and_the_time_of_day() -> None:
    now = clock(TODAY)()
    assert now.date() == TODAY
    wall = dt.datetime.combine(TODAY, dt.datetime.now().time())
    assert abs((wall - now).total_seconds()) < 60

