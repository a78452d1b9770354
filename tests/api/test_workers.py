"""Two workers share nothing but the store folder: a token one signs opens the other
(the secret file in the store), and an idempotency key or an ETag checked by one holds
for the other (the store's own atomic writes)."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from formkit.api.app import create_app
from formkit.authoring.signin import SecurityLog
from formkit.cases.tinystore import TinyCaseStore
from tests.api.conftest import CATALOG, keys_yaml, users_yaml


@pytest.fixture
def workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[TestClient]:
    monkeypatch.delenv("FORMKIT_API_SECRET", raising=False)
    (tmp_path / "users.yaml").write_text(users_yaml(), encoding="utf-8")
    (tmp_path / "api_keys.yaml").write_text(keys_yaml(), encoding="utf-8")
    out = []
    for _ in range(2):  # each its own store object, app, signer and caches
        app = create_app(CATALOG, TinyCaseStore(tmp_path / "store", fsync=False),
                         users_file=tmp_path / "users.yaml",
                         api_keys_file=tmp_path / "api_keys.yaml",
                         security_log=SecurityLog(tmp_path / "security.log"))
        out.append(TestClient(app))
    return out


def test_the_secret_is_made_once_0600_and_tokens_work_on_either(
        workers: list[TestClient], tmp_path: Path) -> None:
    secret = tmp_path / "store" / "api_secret"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
    a, b = workers
    user = a.app.state.users.get().find("clerk")
    token = a.app.state.signer.issue(user)[0]
    r = b.get("/api/v1/matters", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_one_key_on_two_workers_makes_one_case_and_one_etag_wins_once(
        workers: list[TestClient], accepted_submission: Any) -> None:
    a, b = workers
    user = a.app.state.users.get().find("clerk")
    clerk = {"Authorization": f"Bearer {a.app.state.signer.issue(user)[0]}"}
    code, data, _ = accepted_submission

    def post(client: TestClient) -> Any:
        return client.post("/api/v1/cases", json={"matter": code, **data},
                           headers={**clerk, "Idempotency-Key": "twice"})
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(post, [a, b, a, b]))
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["number"] for r in answers}) == 1
    store = a.app.state.store
    assert len(list(store.cases_since(dt.date(1900, 1, 1)))) == 1

    number = answers[0].json()["number"]
    officer_user = a.app.state.users.get().find("ms_officer")
    officer = {"Authorization":
               f"Bearer {b.app.state.signer.issue(officer_user)[0]}"}
    etag = a.get(f"/api/v1/cases/{number}", headers=officer).headers["etag"]

    def act(client: TestClient) -> int:
        return client.post(f"/api/v1/cases/{number}/actions",
                           headers={**officer, "If-Match": etag},
                           json={"action": "start_review"}).status_code
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(act, [a, b, a, b]))
    assert codes == [200, 409, 409, 409]
