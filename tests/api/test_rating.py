"""``POST /api/v1/cases/{number}/rating`` (好差评, an addition to http-api.md): who
records a rating, when, and the error objects of what is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ONLINE_KEY, Api
from tests.api.test_cases import create


def refused_case(api: Api, submission: Any) -> str:
    """An online application the window refuses (不予受理, with its reason): finished."""
    r = create(api, submission, who=ONLINE_KEY, channel="online")
    assert r.status_code == 201, r.text
    number = str(r.json()["number"])
    r = api.client.post(f"/api/v1/cases/{number}/actions", headers=api.auth("clerk"),
                        json={"action": "refuse", "comment": "不属于本中心受理范围"})
    assert r.status_code == 200 and r.json()["state"] == "refused", r.text
    return number


def rate(api: Api, number: str, who: str = ONLINE_KEY, **body: Any) -> Any:
    return api.client.post(f"/api/v1/cases/{number}/rating", headers=api.auth(who),
                           json=body)


@pytest.mark.parametrize(("score", "kinds"), [(5, []), (2, ["rating"])])
def test_a_finished_case_is_rated(api: Api, accepted_submission: Any, score: int,
                                  kinds: list[str]) -> None:
    number = refused_case(api, accepted_submission)
    r = rate(api, number, score=score, comment="办事很方便")
    assert r.status_code == 200, r.text
    case = r.json()
    assert (case["rating"]["score"], case["rating"]["via"], case["rating"]["by"]) == (
        score, "notice", "online_platform")
    assert [f["kind"] for f in case.get("followups", [])] == kinds
    got = api.client.get(f"/api/v1/cases/{number}", headers=api.auth("supervisor"))
    assert got.json() == case and got.headers["etag"] == r.headers["etag"]


@pytest.mark.parametrize(("who", "body", "status", "code"), [
    # the supervisor reads the case but does not record the applicant's rating
    ("supervisor", {"score": 5}, 403, "forbidden"),
    # the department's officer: the office being rated
    ("ms_officer", {"score": 5}, 403, "forbidden"),
    # not a score of the five grades
    (ONLINE_KEY, {"score": 0}, 422, None),
    (ONLINE_KEY, {"score": 6}, 422, None),
    # a key the contract does not know is reported, never dropped
    (ONLINE_KEY, {"score": 5, "stars": 5}, 422, None),
])
def test_what_the_rating_endpoint_refuses(api: Api, accepted_submission: Any, who: str,
                                          body: dict[str, Any], status: int,
                                          code: str | None) -> None:
    number = refused_case(api, accepted_submission)
    r = api.client.post(f"/api/v1/cases/{number}/rating", headers=api.auth(who), json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) >= {"kind", "message", "code"}
    if code is not None:
        assert error["code"] == code
    assert "rating" not in api.client.get(f"/api/v1/cases/{number}",
                                          headers=api.auth("clerk")).json()


def test_an_open_case_and_a_second_rating_are_409(api: Api,
                                                 accepted_submission: Any) -> None:
    r = create(api, accepted_submission)
    open_number = r.json()["number"]
    r = rate(api, open_number, score=5)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not-finished", r.text
    assert r.json()["error"]["message"].startswith(f"案件 {open_number} 当前为")
    number = refused_case(api, accepted_submission)
    assert rate(api, number, score=4).status_code == 200
    r = rate(api, number, score=1)
    assert r.status_code == 409 and r.json()["error"]["code"] == "already-rated"


def test_an_unknown_case_is_404(api: Api) -> None:
    r = rate(api, "FK2026112599999", score=5)
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown-case"


def test_the_endpoint_is_in_the_openapi_document(api: Api) -> None:
    paths = api.client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/cases/{number}/rating"]
