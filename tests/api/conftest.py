"""The API over the sample catalog ``definitions/`` and a fresh store in tmp_path.

Users are those of ``definitions/users.yaml`` with cheap scrypt hashes (a test signs
in in milliseconds) plus a public-security officer and a disabled clerk; API keys:
an online platform (clerk), a tax office machine (officer of taxation).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the HTTP API needs the [api] extra: "
                    "pip install -e '.[dev]'")

from fastapi.testclient import TestClient

from formkit.api.app import create_app
from formkit.api.auth import hash_api_key
from formkit.authoring.signin import SecurityLog, Throttle
from formkit.cases.tinystore import TinyCaseStore
from formkit.catalog import open_catalog
from formkit.intake.examples import submission_of
from formkit.intake.precheck import run_precheck

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "definitions"
SECRET = b"s" * 48
PASSWORDS = {"admin": "admin123", "ms_editor": "editor123", "ps_editor": "editor123",
             "clerk": "clerk123", "ms_officer": "officer123", "supervisor": "super123",
             "ps_officer": "officer123", "old_clerk": "clerk123"}
ONLINE_KEY = "fk_online-platform-test-key-0000000000000000000"
TAX_KEY = "fk_tax-office-test-key-00000000000000000000000000"


def cheap_hash(password: str) -> str:
    salt = b"1234567890abcdef"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**4, r=8, p=1, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${2**4}$8$1${b64(salt).decode()}${b64(digest).decode()}"


def users_yaml() -> str:
    rows = [("admin", "admin", None, False), ("ms_editor", "editor", "market_supervision",
                                               False),
            ("ps_editor", "editor", "public_security", False), ("clerk", "clerk", None, False),
            ("ms_officer", "officer", "market_supervision", False),
            ("supervisor", "supervisor", None, False),
            ("ps_officer", "officer", "public_security", False),
            ("old_clerk", "clerk", None, True)]
    out = ["users:"]
    for name, role, dept, disabled in rows:
        out += [f"  - username: {name}", f"    name: {{zh: {name}}}", f"    role: {role}",
                f'    password: "{cheap_hash(PASSWORDS[name])}"']
        if dept:
            out.append(f"    department: {dept}")
        if disabled:
            out.append("    disabled: true")
    return "\n".join(out) + "\n"


def keys_yaml() -> str:
    return (f"api_keys:\n"
            f"  - name: online_platform\n    key: \"{hash_api_key(ONLINE_KEY)}\"\n"
            f"    role: clerk\n"
            f"  - name: tax_machine\n    key: \"{hash_api_key(TAX_KEY)}\"\n"
            f"    role: officer\n    departments: [taxation]\n")


@dataclass
class Api:
    client: TestClient
    app: Any
    store: TinyCaseStore
    folder: Path
    clock: list[float]

    def token(self, user: str) -> str:
        users = self.app.state.users.get()
        found = users.find(user)
        assert found is not None, user
        token: str = self.app.state.signer.issue(found)[0]
        return token

    def auth(self, user: str) -> dict[str, str]:
        if user.startswith("fk_"):
            return {"Authorization": f"Bearer {user}"}
        return {"Authorization": f"Bearer {self.token(user)}"}


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[Callable[..., Api]]:
    clients: list[TestClient] = []

    def make(**kwargs: Any) -> Api:
        folder = tmp_path / f"api{len(clients)}"
        folder.mkdir()
        (folder / "users.yaml").write_text(users_yaml(), encoding="utf-8")
        (folder / "api_keys.yaml").write_text(keys_yaml(), encoding="utf-8")
        store = TinyCaseStore(folder / "store", fsync=False)
        clock = [1_800_000_000.0]
        secret = kwargs.pop("secret", SECRET)
        app = create_app(CATALOG, store, users_file=folder / "users.yaml",
                         api_keys_file=folder / "api_keys.yaml", secret=secret,
                         security_log=SecurityLog(folder / "security.log"),
                         throttle=kwargs.pop("throttle", Throttle()),
                         clock=lambda: clock[0], **kwargs)
        client = TestClient(app, raise_server_exceptions=False)
        clients.append(client)
        return Api(client, app, store, folder, clock)

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def api(make_api: Callable[..., Api]) -> Api:
    return make_api()


@pytest.fixture(scope="session")
def sample() -> Any:
    return open_catalog(CATALOG)


@pytest.fixture(scope="session")
def accepted_submission(sample: Any) -> tuple[str, dict[str, Any], dt.date]:
    """A market-supervision example the pre-check accepts (today's date does not
    change that: every matter's examples carry their day)."""
    for code in sorted(sample.matters):
        matter = sample.matters[code]
        if matter.department != "market_supervision":
            continue
        for ex in matter.tests:
            if ex.expect.outcome != "accept":
                continue
            data = submission_of(ex)
            result = run_precheck(sample.rules_of(code), data, today=dt.date.today(),
                                  calendar=sample.work_calendar())
            if result.outcome == "accept" and not result.denials:
                return code, data, ex.today or dt.date.today()
    raise AssertionError("no accepted market-supervision example in the sample catalog")


def listed_numbers(api: Api, headers: dict[str, str], pages: int, limit: int = 2
                   ) -> list[str]:
    """The case numbers ``GET /api/v1/cases`` lists, page by page by its cursor, at
    most ``pages`` pages of ``limit``."""
    seen: list[str] = []
    cursor = None
    for _ in range(pages):
        params: dict[str, Any] = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/v1/cases", headers=headers, params=params).json()
        seen += [c["number"] for c in page["cases"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    return seen
