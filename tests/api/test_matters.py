"""The catalog over HTTP; precheck and form-state are key for key the CLI's and the
Python API's answers."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest

from formkit.cli import main
from formkit.dsl.compiler import EvalContext
from formkit.intake.examples import submission_of
from formkit.intake.forms import form_state
from tests.api.conftest import CATALOG, Api


def test_health_needs_no_token(api: Api, sample: Any) -> None:
    r = api.client.get("/healthz")
    assert r.json() == {"ok": True, "matters": len(sample.matters), "store": "tinydb"}


def test_the_openapi_document_and_docs_are_open(api: Api) -> None:
    doc = api.client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/cases/{number}/actions" in doc["paths"]
    assert api.client.get("/api/v1/docs").status_code == 200


def test_the_catalog_and_a_search(api: Api, sample: Any) -> None:
    r = api.client.get("/api/v1/matters", headers=api.auth("clerk")).json()
    assert [m["code"] for m in r] == sorted(sample.matters)
    assert set(r[0]) == {"code", "name", "department", "kind", "channels", "time_limit"}
    some = next(iter(sorted(sample.matters.values(), key=lambda m: m.code)))
    hit = api.client.get("/api/v1/matters", headers=api.auth("clerk"),
                         params={"q": some.name.zh}).json()
    assert hit[0]["code"] == some.code


def test_a_matter_its_schema_and_its_guide(api: Api, sample: Any) -> None:
    code = sorted(sample.matters)[0]
    clerk = api.auth("clerk")
    m = api.client.get(f"/api/v1/matters/{code}", headers=clerk).json()
    assert m["code"] == code and len(m["version"]) == 64
    assert m["matter"]["code"] == code
    s = api.client.get(f"/api/v1/matters/{code}/schema", headers=clerk).json()
    assert s["$schema"].endswith("2020-12/schema")
    g = api.client.get(f"/api/v1/matters/{code}/guide", headers=clerk)
    assert g.headers["content-type"].startswith("application/json")
    assert g.json()["code"] == code and "办事指南" in g.json()["title"]
    h = api.client.get(f"/api/v1/matters/{code}/guide",
                       headers={**clerk, "Accept": "text/html"})
    assert h.headers["content-type"].startswith("text/html") and "<html" in h.text
    assert api.client.get("/api/v1/matters/XX-NO-0000",
                          headers=clerk).json()["error"]["code"] == "unknown-matter"


def _examples(sample: Any) -> list[tuple[str, Any]]:
    return [(code, ex) for code in sorted(sample.matters)
            for ex in sample.matters[code].tests[:2]]


def _cli_precheck(code: str, data: dict[str, Any], today: dt.date, tmp: Path,
                  *extra: str) -> Any:
    path = tmp / "data.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["precheck", code, "--data", str(path), "--catalog", str(CATALOG),
                       "--today", today.isoformat(), "--json", *extra])
    assert status == 0
    return json.loads(out.getvalue())


def test_precheck_is_the_cli_json_for_every_example(api: Api, sample: Any,
                                                    tmp_path: Path) -> None:
    clerk = api.auth("clerk")
    compared = 0
    for code, ex in _examples(sample):
        data = submission_of(ex)
        today = ex.today or dt.date(2026, 11, 25)
        for lang, explain in (("zh", False), ("en", True)):
            body = {**data, "today": today.isoformat(), "lang": lang, "explain": explain}
            r = api.client.post(f"/api/v1/matters/{code}/precheck", headers=clerk, json=body)
            assert r.status_code == 200, (code, r.text)
            extra = ["--lang", lang] + (["--explain"] if explain else [])
            assert r.json() == _cli_precheck(code, data, today, tmp_path, *extra), \
                (code, ex.name)
            compared += 1
    assert compared >= 10


def test_form_state_is_the_python_api_answer(api: Api, sample: Any) -> None:
    for code, ex in _examples(sample)[:12]:
        today = ex.today or dt.date(2026, 11, 25)
        r = api.client.post(f"/api/v1/matters/{code}/form-state", headers=api.auth("clerk"),
                            json={"fields": ex.fields, "today": today.isoformat()})
        assert r.status_code == 200, r.text
        state, _ = form_state(sample.rules_of(code), ex.fields,
                              ctx=EvalContext(today, sample.work_calendar()))
        assert r.json() == state.model_dump(mode="json")


def test_precheck_reports_unknown_fields_as_the_cli_does(api: Api, sample: Any) -> None:
    code = sorted(sample.matters)[0]
    r = api.client.post(f"/api/v1/matters/{code}/precheck", headers=api.auth("clerk"),
                        json={"fields": {"no_such_field": 1}})
    assert r.status_code == 200
    assert any(e["field"] == "no_such_field" for e in r.json()["field_errors"])


@pytest.mark.parametrize("body", [{"fields": [], "materials": []},
                                  {"materials": [{"id": "x", "form": "photo"}]},
                                  {"today": "2026-13-01"}, {"extra": 1}])
def test_a_bad_precheck_body_is_422_naming_the_place(api: Api, sample: Any,
                                                     body: dict[str, Any]) -> None:
    code = sorted(sample.matters)[0]
    r = api.client.post(f"/api/v1/matters/{code}/precheck", headers=api.auth("clerk"),
                        json=body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "bad-request-field"
    assert err["errors"] and all(e["field"].startswith("body") for e in err["errors"])
