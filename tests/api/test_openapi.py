"""A property-based run over the OpenAPI document (schemathesis): for every path,
requests generated from the document (valid and not) with a valid token never get a
500, and every answer matches the document: its status, content type and body.

Bounded to stay fast: a few examples a path, no deadline (scrypt and the store's
fsync are slow, not wrong).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the property-based run needs "
                                   "schemathesis: pip install -e '.[dev]'")
from hypothesis import HealthCheck, settings  # noqa: E402

from formkit.api.app import create_app  # noqa: E402
from formkit.authoring.signin import SecurityLog, Throttle  # noqa: E402
from formkit.cases.tinystore import TinyCaseStore  # noqa: E402
from tests.api.conftest import CATALOG, SECRET, keys_yaml, users_yaml  # noqa: E402

_FOLDER = Path(tempfile.mkdtemp(prefix="formkit-openapi-"))
(_FOLDER / "users.yaml").write_text(users_yaml(), encoding="utf-8")
(_FOLDER / "api_keys.yaml").write_text(keys_yaml(), encoding="utf-8")
APP = create_app(CATALOG, TinyCaseStore(_FOLDER / "store", fsync=False),
                 users_file=_FOLDER / "users.yaml", api_keys_file=_FOLDER / "api_keys.yaml",
                 secret=SECRET, security_log=SecurityLog(_FOLDER / "security.log"),
                 throttle=Throttle(per_user=10**6, per_address=10**6))
_CLERK = APP.state.users.get().find("clerk")
HEADERS = {"Authorization": f"Bearer {APP.state.signer.issue(_CLERK)[0]}"}

schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
CHECKS: list[Any] = [schemathesis.checks.not_a_server_error,
                     schemathesis.checks.content_type_conformance,
                     schemathesis.checks.status_code_conformance,
                     schemathesis.checks.response_schema_conformance]


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_openapi_document(case: Any) -> None:
    if case.path == "/api/v1/token":
        # a sign-in costs a scrypt (and a rehash); its answers are checked in test_auth
        case.call_and_validate(checks=CHECKS)
        return
    case.call_and_validate(headers=HEADERS, checks=CHECKS)
