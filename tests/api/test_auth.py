"""Who may call: tokens, API keys, the throttle, and each role's scope (docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from formkit.authoring.signin import Throttle
from formkit.errors import AccessDenied
from tests.api.conftest import ONLINE_KEY, PASSWORDS, TAX_KEY, Api


def test_a_token_opens_the_api_and_its_expiry_is_given(api: Api) -> None:
    r = api.client.post("/api/v1/token", json={"user": "clerk", "password": "clerk123"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"token", "expires_at"}
    ok = api.client.get("/api/v1/matters",
                        headers={"Authorization": f"Bearer {body['token']}"})
    assert ok.status_code == 200
    assert (api.folder / "security.log").read_text().count("signin-ok") == 1


@pytest.mark.parametrize("headers, code", [
    ({}, "no-credentials"),
    ({"Authorization": "Bearer"}, "no-credentials"),
    ({"Authorization": "Basic Y2xlcms6Y2xlcmsxMjM="}, "no-credentials"),
    ({"Authorization": "Bearer v1.e30.AAAA"}, "bad-token"),
    ({"Authorization": "Bearer nonsense"}, "bad-token"),
    ({"Authorization": "Bearer fk_not-a-key"}, "bad-key"),
])
def test_no_or_bad_credentials_are_401(api: Api, headers: dict[str, str], code: str
                                       ) -> None:
    r = api.client.get("/api/v1/matters", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == code
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("token", [
    "v1.\u00e9.x",                      # non-ASCII payload (was a 500)
    "v1.e30.\u00e9\u00e9",             # non-ASCII signature
    "v1.\u4ee4\u724c.AAAA",           # CJK
    "v1.e30=.AAAA",                    # padding is not base64url as issued
    "v1.e 30.AAAA",                    # a space inside
    "v1..AAAA",                        # an empty payload
    "v1.e30.AAAA.extra",               # four parts
    "v2.e30.AAAA",                     # another version
    "v1.e30.AAAA\n",                  # a trailing newline
    "v1." + "A" * 1100 + ".AAAA",      # too long
])
def test_hostile_tokens_are_401_bad_token(api: Api, token: str) -> None:
    header = f"Bearer {token}".encode()
    r = api.client.get("/api/v1/matters", headers={"Authorization": header})  # type: ignore[dict-item]
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "bad-token"
    with pytest.raises(AccessDenied) as caught:
        api.app.state.signer.check(token, api.app.state.users.get())
    assert caught.value.code == "bad-token"


def test_a_token_signed_with_another_secret_is_refused(api: Api,
                                                       make_api: Callable[..., Api]) -> None:
    other = make_api(secret=b"o" * 48)
    r = api.client.get("/api/v1/matters", headers=other.auth("clerk"))
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad-token"


def test_an_expired_token_is_401(api: Api) -> None:
    headers = api.auth("clerk")
    api.clock[0] += 61 * 60
    r = api.client.get("/api/v1/matters", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token-expired"


def test_a_password_change_or_disabling_revokes_tokens(api: Api) -> None:
    headers = api.auth("clerk")
    users = api.folder / "users.yaml"
    text = users.read_text()
    users.write_text(text.replace("  - username: clerk\n", "  - username: clerk\n"
                                  "    disabled: true\n"))
    r = api.client.get("/api/v1/matters", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "token-revoked"


@pytest.mark.parametrize("user, password", [("clerk", "wrong"), ("nobody", "x"),
                                            ("old_clerk", PASSWORDS["old_clerk"])])
def test_wrong_password_unknown_or_disabled_user_is_401(api: Api, user: str,
                                                        password: str) -> None:
    r = api.client.post("/api/v1/token", json={"user": user, "password": password})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "bad-credentials"


def test_too_many_failures_are_429_before_the_password_is_checked(
        make_api: Callable[..., Api]) -> None:
    api = make_api(throttle=Throttle(per_user=2))
    codes = [api.client.post("/api/v1/token", json={"user": "clerk", "password": "no"}
                             ).status_code for _ in range(3)]
    assert codes == [401, 429, 429]
    right = api.client.post("/api/v1/token", json={"user": "clerk", "password": "clerk123"})
    assert right.status_code == 429
    assert right.json()["error"]["code"] == "too-many-attempts"
    assert int(right.headers["retry-after"]) > 0
    assert "signin-throttled" in (api.folder / "security.log").read_text()


def test_a_token_body_with_an_unknown_key_is_422(api: Api) -> None:
    r = api.client.post("/api/v1/token", json={"user": "clerk", "password": "clerk123",
                                               "remember": True})
    assert r.status_code == 422
    assert r.json()["error"]["errors"][0]["field"] == "body.remember"


def _case(api: Api, submission: tuple[str, dict[str, Any], Any]) -> dict[str, Any]:
    code, data, _ = submission
    r = api.client.post("/api/v1/cases", headers=api.auth("clerk"),
                        json={"matter": code, **data})
    assert r.status_code == 201, r.text
    doc: dict[str, Any] = r.json()
    return doc


# (caller, can create a case, can read a market-supervision case, can list/monitor)
SCOPES = [
    ("clerk", 201, 200, 200),
    (ONLINE_KEY, 201, 200, 200),
    ("ms_officer", 403, 200, 200),
    ("ps_officer", 403, 403, 200),
    (TAX_KEY, 403, 403, 200),
    ("supervisor", 403, 200, 200),
    ("admin", 403, 200, 200),
    ("ms_editor", 403, 403, 403),
]


@pytest.mark.parametrize("who, create, read, lists", SCOPES)
def test_each_role_and_department_scope(api: Api, accepted_submission: Any, who: str,
                                        create: int, read: int, lists: int) -> None:
    code, data, _ = accepted_submission
    number = _case(api, accepted_submission)["number"]
    headers = api.auth(who)
    r = api.client.post("/api/v1/cases", headers=headers, json={"matter": code, **data})
    assert r.status_code == create, r.text
    assert api.client.get(f"/api/v1/cases/{number}", headers=headers).status_code == read
    listed = api.client.get("/api/v1/cases", headers=headers)
    assert listed.status_code == lists
    if lists == 200:
        numbers = [c["number"] for c in listed.json()["cases"]]
        assert (number in numbers) == (read == 200)
    assert api.client.get("/api/v1/monitor", headers=headers).status_code == lists
    # the catalog is open to every role
    assert api.client.get("/api/v1/matters", headers=headers).status_code == 200


def test_a_refused_read_is_audited(api: Api, accepted_submission: Any) -> None:
    number = _case(api, accepted_submission)["number"]
    r = api.client.get(f"/api/v1/cases/{number}", headers=api.auth("ps_officer"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "other-department"
    refused = [e for e in api.store.audit() if e.get("kind") == "refused_read"]
    assert refused and refused[-1]["actor"] == "ps_officer"


@pytest.mark.parametrize("who, status", [("ms_officer", 200), ("clerk", 403),
                                         ("ps_officer", 403), ("supervisor", 403),
                                         ("admin", 403)])
def test_who_may_start_a_review(api: Api, accepted_submission: Any, who: str,
                                status: int) -> None:
    number = _case(api, accepted_submission)["number"]
    r = api.client.post(f"/api/v1/cases/{number}/actions", headers=api.auth(who),
                        json={"action": "start_review"})
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json()["state"] == "in_review"
