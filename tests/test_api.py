"""The public API: a sorted ``__all__`` of names that exist, and the embedding flow."""

from __future__ import annotations

import datetime as dt
import json
import types
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]

import formkit

ROOT = Path(__file__).resolve().parents[1]


def test_all_is_sorted_and_unique() -> None:
    assert formkit.__all__ == sorted(formkit.__all__)
    assert len(set(formkit.__all__)) == len(formkit.__all__)


def test_every_exported_name_exists() -> None:
    missing = [name for name in formkit.__all__ if not hasattr(formkit, name)]
    assert missing == []


def test_the_namespace_is_all() -> None:
    # As httpx does: every public name of the package is in __all__ and nothing else is.
    # Subpackages and modules (formkit.cases, formkit.errors ...) are the layout, not names.
    public = sorted(name for name, value in vars(formkit).items()
                    if not name.startswith("_") and not isinstance(value, types.ModuleType))
    assert public == formkit.__all__


def test_the_flow_of_docs_embedding() -> None:
    catalog = formkit.open_catalog(ROOT / "definitions")
    assert catalog.ok, formkit.FormkitErrors(catalog.errors).render()
    rules = catalog.rules_of("XX-MS-0001")
    assert isinstance(rules, formkit.RuleSet)
    submission = {
        "fields": {
            "applicant_role": "operator",
            "operator": {"name": "张三", "id_number": "44532119850612351x",
                         "mobile": "13800138000", "is_public_servant": "否"},
            "organisation": "individual",
            "industry": "retail",
            "business_scope": "日用百货零售",
            "address": "新兴县新城镇东堤北路1号",
            "premises": "rented",
            "floor_area": "２０",
        },
        "materials": [{"id": "application_form"}, {"id": "operator_id"},
                      {"id": "property_certificate"}],
    }

    # What a front end renders.
    state, env = formkit.form_state(rules, submission["fields"])
    assert isinstance(state, formkit.FormState) and state.ok, state.errors
    visible = [f.path for f in state.fields if f.visible]
    assert "operator.id_number" in visible and "agent.name" not in visible
    assert env["floor_area"] == 20 and state.values["operator"]["id_number"].endswith("X")
    json.dumps(state.model_dump(mode="json"), ensure_ascii=False, allow_nan=False)

    # The pre-check a window runs.
    result = formkit.run_precheck(rules, submission, today=dt.date(2026, 11, 25),
                                  calendar=catalog.work_calendar(), explain=True)
    assert isinstance(result, formkit.PrecheckResult)
    assert result.outcome == "accept_with_tolerance"
    assert [m.id for m in result.tolerated_materials] == ["lease_contract"]
    assert result.committed_deadline == dt.date(2026, 11, 26)
    data = result.model_dump(mode="json")
    assert data["tolerated_materials"][0]["values"] == {"premises": "rented"}
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data

    # The matching notice.
    info = formkit.NoticeInfo(applicant="张三", case_number="XX-20261125-0001", clerk="李四")
    assert formkit.notice_kind(result) == "tolerance"
    assert catalog.catalog is not None
    page = formkit.render_notice(catalog.catalog, rules.matter, result, info,
                                 calendar=catalog.work_calendar())
    assert "容缺受理通知书" in page and "经营场所租赁合同" in page

    # The intake form as JSON Schema.
    schema = formkit.matter_schema(rules.matter)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "个体工商户设立登记"

    # The examples runner.
    report = formkit.run_examples(catalog, codes=["XX-MS-0001"])
    assert isinstance(report, formkit.ExamplesReport)
    assert report.failed == 0 and report.passed == len(rules.matter.tests)


def test_bad_definitions_are_collected_not_raised(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text("name: {zh: 中心}\ndepartments: []\n",
                                           encoding="utf-8")
    loaded = formkit.load_catalog(tmp_path)
    assert isinstance(loaded, formkit.LoadedCatalog)
    assert not loaded.ok
    assert all(isinstance(e, formkit.FormkitError) for e in loaded.errors)
    assert formkit.FormkitErrors(loaded.errors).render()
