"""A bundle's pre-check: members that apply, each item told once naming its matters."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from formkit.catalog import OpenCatalog, open_catalog
from formkit.intake.bundles import BundlePrecheckResult, run_bundle_precheck

ROOT = Path(__file__).resolve().parents[2]
CODE = "XX-B-0001"
JUDGED = "a farm restaurant with guest rooms misses the floor plan two matters need and " \
    "its business scope"


@pytest.fixture(scope="module")
def opened() -> OpenCatalog:
    catalog = open_catalog(ROOT / "definitions")
    assert catalog.ok, [str(e) for e in catalog.errors[:3]]
    return catalog


def example(opened: OpenCatalog, name: str) -> dict[str, Any]:
    found = next(e for e in opened.bundles[CODE].tests if e.name == name)
    return {"fields": copy.deepcopy(found.fields),
            "materials": [m.model_dump(exclude_none=True) for m in found.materials]}


def check(opened: OpenCatalog, submission: Any) -> BundlePrecheckResult:
    return run_bundle_precheck(opened.bundle_rules[CODE], submission,
                               today=dt.date(2026, 11, 25), calendar=opened.work_calendar())


def test_a_material_two_matters_need_and_a_field_are_each_told_once(
        opened: OpenCatalog) -> None:
    result = check(opened, example(opened, JUDGED))
    assert result.outcome == "incomplete"
    assert [m.matter for m in result.matters] == ["XX-MS-0001", "XX-MS-0002", "XX-HE-0002"]
    assert [(m.id, m.matter, m.matters) for m in result.missing_materials] == [
        ("layout_plan", None, ["XX-MS-0002", "XX-HE-0002"])]
    assert result.missing_materials[0].name.startswith("经营场所平面布局图")
    assert [(e.field, e.matters) for e in result.field_errors] == [
        ("XX-MS-0001.business_scope", ["XX-MS-0001"])]
    # the licence both matters fetch is listed once too
    assert [(m.id, m.matters) for m in result.fetched_materials] == [
        ("business_licence", ["XX-MS-0002", "XX-HE-0002"])]
    data = result.model_dump(mode="json")
    assert "results" not in data and "submissions" not in data


def test_a_bad_shared_answer_is_told_once_naming_every_matter_it_fills(
        opened: OpenCatalog) -> None:
    sub = example(opened, JUDGED)
    sub["fields"]["mobile"] = "1380013"
    result = check(opened, sub)
    bad = [e for e in result.field_errors if e.field == "mobile"]
    assert len(bad) == 1 and bad[0].matters == ["XX-MS-0001", "XX-MS-0002", "XX-HE-0002"]
    assert "手机" in bad[0].message


def test_a_member_whose_when_fails_is_left_out(opened: OpenCatalog) -> None:
    sub = example(opened, JUDGED)
    sub["fields"]["also_public_place"] = False
    result = check(opened, sub)
    assert [m.matter for m in result.matters] == ["XX-MS-0001", "XX-MS-0002"]
    assert result.not_applying == ["XX-HE-0002"]
    assert [m.matters for m in result.missing_materials] == [["XX-MS-0002"]]


def test_the_outcome_is_the_most_severe_and_the_due_date_the_latest(
        opened: OpenCatalog) -> None:
    done = example(opened, "the same farm restaurant complete is accepted, due when its "
                           "hygiene licence is")
    result = check(opened, done)
    assert result.outcome == "accept"
    assert result.committed_deadline == max(m.committed_deadline for m in result.matters
                                            if m.committed_deadline)
    # a tea room needs no hygiene licence: that member is refused, so is the bundle
    done["fields"]["XX-HE-0002"]["place_kind"] = "restaurant_cafe"
    refused = check(opened, done)
    assert refused.outcome == "refuse"
    assert [(r.matter, "取消" in r.message) for r in refused.refusals] == [("XX-HE-0002", True)]
    assert [m.outcome for m in refused.matters] == ["accept", "accept", "refuse"]
    assert refused.committed_deadline is None


def test_the_submission_is_not_changed(opened: OpenCatalog) -> None:
    sub = example(opened, JUDGED)
    before = copy.deepcopy(sub)
    check(opened, sub)
    assert sub == before


@pytest.mark.parametrize(("materials", "field", "warning"), [
    pytest.param([{"id": "ghost"}], None, "ghost", id="unknown-id"),
    pytest.param([{"id": "application_form"}], None, "请注明所属事项",
                 id="ambiguous-without-matter"),
    pytest.param([{"id": "hygiene_rules", "matter": "XX-ZZ-0001"}], None, "不在本“一件事”中",
                 id="matter-not-in-bundle"),
    pytest.param([{"id": "hygiene_rules", "matter": ["x"]}], None, "不在本“一件事”中",
                 id="matter-not-text"),
    pytest.param([17], "materials[0]", None, id="not-an-entry"),
    pytest.param("layout_plan", "materials", None, id="not-a-list"),
])
def test_a_wrong_material_entry_is_told_not_fatal(opened: OpenCatalog, materials: Any,
                                                  field: str | None,
                                                  warning: str | None) -> None:
    sub = example(opened, JUDGED)
    sub["materials"] = materials
    result = check(opened, sub)
    assert result.outcome == "incomplete"
    if field is not None:
        assert field in [e.field for e in result.field_errors]
    if warning is not None:
        assert any(warning in w.message for w in result.warnings), result.warnings


def test_a_material_only_one_member_has_needs_no_matter(opened: OpenCatalog) -> None:
    sub = example(opened, JUDGED)
    sub["materials"] = [m if m.get("id") != "hygiene_test_report" else {"id": m["id"]}
                        for m in sub["materials"]]
    result = check(opened, sub)
    assert "XX-HE-0002/hygiene_test_report" not in {m.key for m in result.missing_materials}


@pytest.mark.parametrize("submission", [None, [], {"fields": 3}, {"fields": {"XX-MS-0001": 5}},
                                        {"fields": {"mobile": {"x": 1}}}])
def test_junk_gives_errors_not_a_traceback(opened: OpenCatalog, submission: Any) -> None:
    result = check(opened, submission)
    assert result.outcome in ("incomplete", "refuse")
    assert result.field_errors


def test_a_member_part_that_is_not_a_group_is_told(opened: OpenCatalog) -> None:
    sub = example(opened, JUDGED)
    sub["fields"]["XX-MS-0001"] = 5
    result = check(opened, sub)
    (part,) = [e for e in result.field_errors if e.field == "XX-MS-0001"]
    assert "个体工商户设立登记" in part.message


def test_a_material_handed_in_once_is_missing_once_even_if_one_matter_tolerates_it(
        tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "definitions"
    shutil.copytree(ROOT / "definitions", folder)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    bundle = folder / "bundles" / "open_restaurant.yaml"
    text = bundle.read_text(encoding="utf-8").replace("materials_once:\n", (
        "materials_once:\n  - {id: staff_rules, to: {\"XX-MS-0002\": safety_rules, "
        "\"XX-HE-0002\": health_certificates}}\n"), 1)
    bundle.write_text(text, encoding="utf-8")
    mine = open_catalog(folder, cache=False)
    assert mine.ok, [str(e) for e in mine.errors[:3]]
    sub = example(mine, JUDGED)
    sub["materials"] = [m for m in sub["materials"]
                        if m["id"] not in ("safety_rules", "health_certificates")]
    result = run_bundle_precheck(mine.bundle_rules[CODE], sub, today=dt.date(2026, 11, 25))
    assert [(m.id, m.matters) for m in result.missing_materials
            if m.id == "staff_rules"] == [("staff_rules", ["XX-HE-0002", "XX-MS-0002"])]
    assert "staff_rules" not in [m.id for m in result.tolerated_materials]
