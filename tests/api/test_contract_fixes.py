"""Review 18's contract fixes: the result search, a broken matter as 503 without
server paths, refused query typos, the guide's fee as a number, resubmit's unknown
fields, and a JSON body sent without its Content-Type."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from formkit.api.app import create_app
from formkit.authoring.signin import SecurityLog
from formkit.cases.tinystore import TinyCaseStore
from tests.api.conftest import CATALOG, SECRET, Api, listed_numbers, users_yaml


def test_q_searches_the_matters_result(api: Api) -> None:
    clerk = api.auth("clerk")
    for q in ("营业执照", "business licence"):
        codes = [m["code"] for m in api.client.get(
            "/api/v1/matters", headers=clerk, params={"q": q}).json()]
        assert "XX-MS-0001" in codes and "XX-MS-0003" in codes, (q, codes)


def test_a_matter_that_does_not_load_is_503_without_server_paths(tmp_path: Path) -> None:
    defs = tmp_path / "defs"
    shutil.copytree(CATALOG, defs)  # without ../rules: the matters' libraries are gone
    (tmp_path / "users.yaml").write_text(users_yaml(), encoding="utf-8")
    app = create_app(defs, TinyCaseStore(tmp_path / "store", fsync=False),
                     users_file=tmp_path / "users.yaml", secret=SECRET,
                     security_log=SecurityLog(tmp_path / "security.log"))
    client = TestClient(app, raise_server_exceptions=False)
    user = app.state.users.get().find("clerk")
    headers = {"Authorization": f"Bearer {app.state.signer.issue(user)[0]}"}
    for path in ("/api/v1/matters/XX-MS-0001", "/api/v1/matters/XX-MS-0001/guide",
                 "/api/v1/matters/XX-MS-0001/schema"):
        r = client.get(path, headers=headers)
        assert r.status_code == 503, (path, r.text)
        assert r.json()["error"]["code"] == "matter-broken"
        assert str(tmp_path) not in r.text and "/tmp" not in r.text
    r = client.get("/api/v1/matters/XX-NO-0000", headers=headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown-matter"
    assert str(tmp_path) not in r.text


def test_an_unknown_matter_names_no_server_path(api: Api) -> None:
    r = api.client.get("/api/v1/matters/XX-MS-000", headers=api.auth("clerk"))
    assert r.status_code == 404
    assert str(CATALOG) not in r.text and "XX-MS-000" in r.text


@pytest.mark.parametrize("params, place", [
    ({"status": "received"}, "status"),
    ({"foo": "1", "state": "accepted"}, "foo"),
])
def test_an_unknown_query_parameter_is_422(api: Api, params: dict[str, str],
                                           place: str) -> None:
    r = api.client.get("/api/v1/cases", headers=api.auth("clerk"), params=params)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown-parameter"
    assert place in r.json()["error"]["message"]


def test_a_state_that_is_none_is_422(api: Api) -> None:
    r = api.client.get("/api/v1/cases", headers=api.auth("clerk"),
                       params={"state": "nonsense"})
    assert r.status_code == 422
    assert "state" in json.dumps(r.json())


def test_the_guide_fee_is_a_json_number(api: Api, sample: Any) -> None:
    clerk = api.auth("clerk")
    for code, m in sorted(sample.matters.items()):
        g = api.client.get(f"/api/v1/matters/{code}/guide", headers=clerk).json()
        text = getattr(m.fee, "text", None)
        if text is None:
            assert isinstance(g["fee"], int | float) and not isinstance(g["fee"], bool)
            assert g["fee"] == float(m.fee) and g["fee_expression"] is None
        else:
            assert g["fee"] is None and g["fee_expression"] == text


def test_resubmit_refuses_unknown_fields(api: Api, accepted_submission: Any) -> None:
    code, data, _ = accepted_submission
    clerk = api.auth("clerk")
    case = api.client.post("/api/v1/cases", headers=clerk,
                           json={"matter": code, **data}).json()
    r = api.client.post(f"/api/v1/cases/{case['number']}/actions", headers=clerk,
                        json={"action": "resubmit",
                              "fields": {**data["fields"], "no_such_field": 1}})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "unknown-field"
    assert "no_such_field" in r.json()["error"]["message"]


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded",
                                          "text/plain", "text/plain; charset=utf-8"])
def test_a_json_body_without_its_content_type_is_read_as_json(
        api: Api, accepted_submission: Any, content_type: str | None) -> None:
    code, data, _ = accepted_submission
    headers = {**api.auth("clerk"), **({"Content-Type": content_type}
                                       if content_type else {})}
    body = json.dumps(data, ensure_ascii=False).encode()
    r = api.client.post(f"/api/v1/matters/{code}/precheck", headers=headers, content=body)
    assert r.status_code == 200, r.text
    assert r.json()["outcome"] == "accept"
    bad = api.client.post(f"/api/v1/matters/{code}/precheck", headers=headers,
                          content=b"fields=1")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad-json"


def test_the_list_pages_across_months_newest_first(
        make_api: Any, accepted_submission: Any) -> None:
    import datetime as dt

    day = [dt.datetime(2026, 9, 30, 10)]
    api = make_api(now=lambda: day[0])
    code, data, _ = accepted_submission
    made: list[str] = []
    for when in (dt.datetime(2026, 8, 3, 9), dt.datetime(2026, 9, 30, 9),
                 dt.datetime(2026, 10, 1, 9), dt.datetime(2026, 10, 1, 11),
                 dt.datetime(2026, 12, 24, 9)):
        day[0] = when
        r = api.client.post("/api/v1/cases", headers=api.auth("clerk"),
                            json={"matter": code, **data})
        assert r.status_code == 201, r.text
        made.append(r.json()["number"])
    day[0] = dt.datetime(2026, 10, 15, 9)  # the last case is of a later day than today
    calls: list[dt.date] = []
    real = api.store.cases_since

    def counted(since: dt.date, **kw: Any) -> Any:
        calls.append(since)
        return real(since, **kw)
    api.store.cases_since = counted  # type: ignore[method-assign]
    clerk = api.auth("clerk")
    seen = listed_numbers(api, clerk, pages=10)
    assert seen == sorted(made, reverse=True)
    since = api.client.get("/api/v1/cases", headers=clerk,
                           params={"since": "2026-09-30"}).json()["cases"]
    assert [c["number"] for c in since] == sorted(made[1:], reverse=True)
    calls.clear()
    first = api.client.get("/api/v1/cases", headers=clerk, params={"limit": 1}).json()
    assert first["cases"][0]["number"] == made[-1]
    assert dt.date(2026, 8, 1) not in calls  # a full page reads no older month


def test_a_case_records_its_applicant(api: Api, sample: Any,
                                      accepted_submission: Any) -> None:
    from formkit.intake.forms import applicant_of

    code, data, _ = accepted_submission
    clerk = api.auth("clerk")
    case = api.client.post("/api/v1/cases", headers=clerk,
                           json={"matter": code, **data}).json()
    expected = applicant_of(sample.matters[code], data["fields"])
    assert expected and case["applicant"] == expected
    listed = api.client.get("/api/v1/cases", headers=clerk).json()["cases"]
    assert listed[0]["applicant"] == expected
