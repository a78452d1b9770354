"""Every error is an error object with the contract's status: malformed JSON, size,
unknown paths and methods, and an unexpected fault (no traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from formkit.api.app import MAX_BODY
from tests.api.conftest import Api


def _is_error(r: Any, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code
    assert {"kind", "message", "code"} <= set(err)
    assert "Traceback" not in r.text


def test_malformed_json_is_400(api: Api) -> None:
    r = api.client.post("/api/v1/matters/XX-MS-0001/precheck",
                        headers={**api.auth("clerk"), "Content-Type": "application/json"},
                        content=b'{"fields": {')
    _is_error(r, 400, "bad-json")


def test_a_body_over_5_mb_is_413_by_its_length(api: Api) -> None:
    big = b'{"fields": {"x": "' + b"a" * MAX_BODY + b'"}}'
    r = api.client.post("/api/v1/matters/XX-MS-0001/precheck",
                        headers={**api.auth("clerk"), "Content-Type": "application/json"},
                        content=big)
    _is_error(r, 413, "body-too-large")


def test_a_streamed_body_over_5_mb_is_413(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"fields": {"x": "'
        for _ in range(6):
            yield b"a" * 2**20
        yield b'"}}'
    r = api.client.post("/api/v1/matters/XX-MS-0001/precheck",
                        headers={**api.auth("clerk"), "Content-Type": "application/json"},
                        content=chunks())
    assert "content-length" not in {k.lower() for k in r.request.headers}
    _is_error(r, 413, "body-too-large")


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/api/v1/nothing", 404, "unknown-route"),
    ("DELETE", "/api/v1/matters", 405, "method-not-allowed"),
    ("PUT", "/healthz", 405, "method-not-allowed"),
])
def test_unknown_paths_and_methods(api: Api, method: str, path: str, status: int,
                                   code: str) -> None:
    _is_error(api.client.request(method, path, headers=api.auth("clerk")), status, code)


def test_an_unexpected_fault_is_500_without_a_traceback(
        api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import formkit.api.app as app_module

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("secret internals")
    monkeypatch.setattr(app_module, "matter_schema", boom)
    r = api.client.get("/api/v1/matters/XX-MS-0001/schema", headers=api.auth("clerk"))
    _is_error(r, 500, "internal")
    assert "secret internals" not in r.text
    assert "ZeroDivisionError" in caplog.text
