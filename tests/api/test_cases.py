"""Cases over HTTP: creation (with Idempotency-Key), reading with an ETag, actions
with If-Match, the list, the monitor and the printed notices."""

from __future__ import annotations

import concurrent.futures
import os
from typing import Any

import pytest

from formkit.documents.pdf import find_browser
from tests.api.conftest import ONLINE_KEY, Api, listed_numbers


def create(api: Api, submission: Any, who: str = "clerk", **extra: Any) -> Any:
    code, data, _ = submission
    headers = {**api.auth(who), **extra.pop("headers", {})}
    return api.client.post("/api/v1/cases", headers=headers,
                           json={"matter": code, **data, **extra})


def test_a_window_case_is_created_accepted_with_its_location(
        api: Api, accepted_submission: Any) -> None:
    r = create(api, accepted_submission)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["state"] == "accepted"
    assert r.headers["location"] == f"/api/v1/cases/{case['number']}"
    for key in ("number", "matter", "version", "state", "received_on", "accepted_on",
                "committed_deadline", "statutory_deadline", "effective_committed_deadline",
                "effective_statutory_deadline", "pauses", "extensions", "tolerated",
                "calendar_provisional", "history"):
        assert key in case
    assert case["history"][0]["actor"] == "clerk"
    got = api.client.get(r.headers["location"], headers=api.auth("clerk"))
    assert got.status_code == 200
    assert got.json() == case
    assert got.headers["etag"] == r.headers["etag"]


def test_an_online_application_waits_received(api: Api, accepted_submission: Any) -> None:
    r = create(api, accepted_submission, who=ONLINE_KEY, channel="online")
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "received"
    assert r.json()["history"][0]["actor"] == "online_platform"


def test_an_unknown_field_or_matter_is_refused_and_nothing_is_stored(
        api: Api, accepted_submission: Any) -> None:
    code, data, _ = accepted_submission
    bad = {**data, "fields": {**data["fields"], "no_such_field": "x"}}
    r = api.client.post("/api/v1/cases", headers=api.auth("clerk"),
                        json={"matter": code, **bad})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown-field"
    assert "no_such_field" in r.json()["error"]["message"]
    r = api.client.post("/api/v1/cases", headers=api.auth("clerk"),
                        json={"matter": "XX-NO-9999", **data})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown-matter"
    assert list(api.store.cases_since(__import__("datetime").date(1900, 1, 1))) == []


def _stored(api: Api) -> list[dict[str, Any]]:
    import datetime as dt

    return list(api.store.cases_since(dt.date(1900, 1, 1)))


def test_the_same_idempotency_key_gives_the_same_case_once(
        api: Api, accepted_submission: Any) -> None:
    key = {"Idempotency-Key": "order-4711"}
    first = create(api, accepted_submission, headers=key)
    again = create(api, accepted_submission, headers=key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    other = create(api, accepted_submission, headers={"Idempotency-Key": "order-4712"})
    assert other.json()["number"] != first.json()["number"]
    assert len(_stored(api)) == 2


def test_concurrent_retries_with_one_key_make_one_case(
        api: Api, accepted_submission: Any) -> None:
    headers = {"Idempotency-Key": "burst-1"}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: create(api, accepted_submission, headers=headers),
                                range(4)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["number"] for a in answers}) == 1
    assert len(_stored(api)) == 1


def test_a_key_reused_for_another_matter_is_409(api: Api, accepted_submission: Any,
                                                sample: Any) -> None:
    code = accepted_submission[0]
    create(api, accepted_submission, headers={"Idempotency-Key": "k1"})
    other = next(c for c in sorted(sample.matters) if c != code)
    r = api.client.post("/api/v1/cases", headers={**api.auth("clerk"),
                                                  "Idempotency-Key": "k1"},
                        json={"matter": other})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "idempotency-key-reused"


def test_if_match_makes_a_stale_action_409_and_loses_no_update(
        api: Api, accepted_submission: Any) -> None:
    number = create(api, accepted_submission).json()["number"]
    url = f"/api/v1/cases/{number}"
    officer = api.auth("ms_officer")
    etag = api.client.get(url, headers=officer).headers["etag"]
    # someone else acts first
    first = api.client.post(f"{url}/actions", headers={**officer, "If-Match": etag},
                            json={"action": "start_review", "comment": "first"})
    assert first.status_code == 200, first.text
    assert first.headers["etag"] != etag
    stale = api.client.post(f"{url}/actions", headers={**officer, "If-Match": etag},
                            json={"action": "suspend", "procedure": "expert_review"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale-case"
    now = api.client.get(url, headers=officer).json()
    assert [e["action"] for e in now["history"]][-1] == "start_review"
    assert now["pauses"] == []
    fresh = api.client.post(f"{url}/actions",
                            headers={**officer, "If-Match": first.headers["etag"]},
                            json={"action": "extend", "days": 5, "comment": "busy"})
    assert fresh.status_code in (200, 409), fresh.text  # the matter may allow no extension
    if fresh.status_code == 409:
        assert fresh.json()["error"]["code"] != "stale-case"


def test_two_actions_with_one_etag_at_once_one_wins(api: Api,
                                                    accepted_submission: Any) -> None:
    number = create(api, accepted_submission).json()["number"]
    url = f"/api/v1/cases/{number}"
    officer = api.auth("ms_officer")
    etag = api.client.get(url, headers=officer).headers["etag"]

    def act(comment: str) -> int:
        r = api.client.post(f"{url}/actions", headers={**officer, "If-Match": etag},
                            json={"action": "start_review", "comment": comment})
        return r.status_code
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(act, ["a", "b", "c", "d"]))
    assert codes == [200, 409, 409, 409]


@pytest.mark.parametrize("body, code", [
    ({"action": "fly"}, "bad-request-field"),
    ({"action": "suspend"}, "missing-option"),
    ({"action": "start_review", "days": 3}, "unused-option"),
    ({"action": "start_review", "colour": "red"}, "bad-request-field"),
])
def test_a_wrong_action_body_is_422(api: Api, accepted_submission: Any,
                                    body: dict[str, Any], code: str) -> None:
    number = create(api, accepted_submission).json()["number"]
    r = api.client.post(f"/api/v1/cases/{number}/actions", headers=api.auth("ms_officer"),
                        json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == code


def test_an_action_the_state_does_not_allow_is_409(api: Api,
                                                   accepted_submission: Any) -> None:
    number = create(api, accepted_submission).json()["number"]
    r = api.client.post(f"/api/v1/cases/{number}/actions", headers=api.auth("ms_officer"),
                        json={"action": "issue"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "illegal-transition"


@pytest.mark.parametrize("number", ["FK2026112500999", "not-a-number"])
def test_an_unknown_case_is_404(api: Api, number: str) -> None:
    r = api.client.get(f"/api/v1/cases/{number}", headers=api.auth("clerk"))
    assert r.status_code == 404
    assert r.json()["error"]["kind"] == "name"


def test_the_list_filters_pages_and_finds_the_applicant(
        api: Api, accepted_submission: Any) -> None:
    numbers = [create(api, accepted_submission).json()["number"] for _ in range(5)]
    clerk = api.auth("clerk")
    seen = listed_numbers(api, clerk, pages=5)
    assert seen == sorted(numbers, reverse=True)  # newest first, each once
    code = accepted_submission[0]
    assert len(api.client.get("/api/v1/cases", headers=clerk,
                              params={"matter": code, "state": "accepted"}
                              ).json()["cases"]) == 5
    assert api.client.get("/api/v1/cases", headers=clerk,
                          params={"state": "issued"}).json()["cases"] == []
    fields = accepted_submission[1]["fields"]
    ids = [v for v in _strings(fields) if len(v) == 18]
    if ids:
        found = api.client.get("/api/v1/cases", headers=clerk,
                               params={"applicant": ids[0]}).json()["cases"]
        assert len(found) == 5
    assert api.client.get("/api/v1/cases", headers=clerk,
                          params={"applicant": "13900000000X"}).json()["cases"] == []
    bad = api.client.get("/api/v1/cases", headers=clerk, params={"cursor": "garbage"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad-cursor"


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_the_monitor_is_scoped_to_the_caller(api: Api, accepted_submission: Any) -> None:
    create(api, accepted_submission)
    far = "2099-06-01"
    sup = api.client.get("/api/v1/monitor", headers=api.auth("supervisor"),
                         params={"today": far}).json()
    assert sup["today"] == far and sup["open_cases"] == 1 and sup["flags"]
    assert {"number", "matter", "flag", "due", "days"} == set(sup["flags"][0])
    other = api.client.get("/api/v1/monitor", headers=api.auth("ps_officer"),
                           params={"today": far}).json()
    assert other["open_cases"] == 0 and other["flags"] == []


def test_a_notice_as_html_and_an_absent_one_as_409(api: Api,
                                                   accepted_submission: Any) -> None:
    number = create(api, accepted_submission).json()["number"]
    url = f"/api/v1/cases/{number}/notices"
    r = api.client.get(f"{url}/acceptance", headers=api.auth("clerk"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "受理通知书" in r.text and number in r.text
    none = api.client.get(f"{url}/decision", headers=api.auth("clerk"))
    assert none.status_code == 409 and none.json()["error"]["code"] == "no-document"
    kind = api.client.get(f"{url}/poster", headers=api.auth("clerk"))
    assert kind.status_code == 404 and kind.json()["error"]["code"] == "unknown-document"
    assert api.client.get(f"{url}/acceptance",
                          headers=api.auth("ps_officer")).status_code == 403


def _need_browser() -> None:
    if find_browser() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no chromium in CI, which installs it (.ci/run)")
        pytest.skip("no browser engine to print PDFs: apt-get install chromium "
                    "fonts-arphic-uming; CI installs it")


def test_a_notice_and_a_guide_as_pdf(api: Api, accepted_submission: Any) -> None:
    _need_browser()
    number = create(api, accepted_submission).json()["number"]
    pdf = {**api.auth("clerk"), "Accept": "application/pdf"}
    r = api.client.get(f"/api/v1/cases/{number}/notices/acceptance", headers=pdf)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    g = api.client.get(f"/api/v1/matters/{accepted_submission[0]}/guide", headers=pdf)
    assert g.status_code == 200 and g.content.startswith(b"%PDF-")


def test_no_pdf_engine_is_503_with_an_error_object(api: Api, accepted_submission: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMKIT_CHROMIUM", "/nonexistent/chromium")
    number = create(api, accepted_submission).json()["number"]
    r = api.client.get(f"/api/v1/cases/{number}/notices/acceptance",
                       headers={**api.auth("clerk"), "Accept": "application/pdf"})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "no-pdf-engine"
