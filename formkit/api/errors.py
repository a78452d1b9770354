"""Every error answer is ``{"error": <error object>}`` (http-api.md, "Errors").

``status_of`` maps formkit's errors to HTTP statuses; ``install`` adds the
handlers for them, for FastAPI's own validation errors (422, or 400 for a body
that is not JSON), for its HTTP errors (404 unknown route, 405, 413), and the
two ASGI layers: ``BodyLimit`` (413 past the limit, by ``Content-Length`` and by
the bytes actually received) and ``Guard`` (an unexpected exception: a 500 with
an error object, the traceback in the server's log only).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from formkit.errors import (
    AccessDenied,
    DefinitionError,
    DocumentUnavailable,
    EvaluationError,
    FormkitError,
    IllegalTransition,
    InputError,
    LimitError,
    NotFoundError,
    PdfUnavailable,
    StoreError,
)

__all__ = ["BodyLimit", "Guard", "JsonBody", "error_answer", "install", "safe_url", "status_of"]

_LOG = logging.getLogger("formkit.api")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def safe_url(where: str) -> str:
    """A store folder or URL as it may be printed or logged: a URL's password (in
    ``user:password@`` or a ``password=`` parameter) becomes ``***``."""
    text = re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@?#]*):[^@/?#]*@", r"\1:***@", where)
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", text)


def status_of(error: FormkitError) -> int:
    """The HTTP status of a formkit error (docs/api.md lists the choices)."""
    from formkit.api.auth import THROTTLED, UNAUTHORIZED

    if isinstance(error, AccessDenied) and error.code in UNAUTHORIZED:
        return 401
    if isinstance(error, LimitError) and error.code == THROTTLED:
        return 429
    if isinstance(error, AccessDenied):
        return 403
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, IllegalTransition | DocumentUnavailable):
        return 409
    if isinstance(error, LimitError):
        return 413 if error.code == "body-too-large" else 422
    if isinstance(error, PdfUnavailable | StoreError):
        return 503
    if isinstance(error, DefinitionError):
        # the catalog's own matter does not load: the server's fault, not the caller's
        return 503
    if isinstance(error, InputError) and error.code == "bad-json":
        return 400
    return 422


def _relative(value: Any, root: Path | None) -> Any:
    """``value`` with every ``file`` made relative to the catalog folder ``root``
    (a server path is none of the caller's business), or to its last part."""
    if isinstance(value, list):
        return [_relative(v, root) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _relative(v, root) for k, v in value.items()}
    file = out.get("file")
    if isinstance(file, str) and Path(file).is_absolute():
        path = Path(file)
        try:
            out["file"] = path.resolve().relative_to(root.resolve()).as_posix() \
                if root is not None else path.name
        except ValueError:
            out["file"] = path.name
    return out


def error_answer(error: FormkitError, status: int | None = None,
                 headers: dict[str, str] | None = None,
                 items: list[dict[str, Any]] | None = None,
                 root: Path | None = None) -> JSONResponse:
    body = _relative(error.to_json(), root)
    if items:
        body["errors"] = items
    return JSONResponse({"error": body}, status_code=status or status_of(error),
                        headers=headers)


def _place(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


_WHAT = {"extra_forbidden": "未知字段 (unknown field)", "missing": "缺少必填项 (missing)"}


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = list(exc.errors())
    if any(p.get("type") == "json_invalid" for p in problems):
        first = next(p for p in problems if p.get("type") == "json_invalid")
        detail = (first.get("ctx") or {}).get("error") or first.get("msg", "")
        return error_answer(InputError(
            f"请求正文不是有效的 JSON (the body is not valid JSON: {detail})", None,
            code="bad-json", hint="send one JSON object, UTF-8, with "
                                  "Content-Type: application/json"), 400)
    items = [{"kind": "io", "code": "bad-request-field", "field": _place(p.get("loc", ())),
              "message": _WHAT.get(str(p.get("type")), str(p.get("msg", "")))}
             for p in problems[:50]]
    first_item = items[0] if items else {"field": "body", "message": "invalid"}
    more = f" ... and {len(items) - 1} more" if len(items) > 1 else ""
    return error_answer(InputError(
        f"请求不符合接口要求 (the request is not valid): {first_item['field']}: "
        f"{first_item['message']}{more}", None, code="bad-request-field",
        hint="the OpenAPI document (/api/v1/openapi.json) describes every body; "
             "'errors' lists each bad part"), 422, items=items)


def _http_error(status: int, detail: Any) -> FormkitError:
    if status == 404:
        return NotFoundError("没有这个接口 (no such path)", None, code="unknown-route",
                             hint="the OpenAPI document at /api/v1/openapi.json lists "
                                  "every path")
    if status == 405:
        return NotFoundError("该接口不支持此请求方法 (method not allowed)", None,
                             code="method-not-allowed",
                             hint="the OpenAPI document lists each path's methods")
    if status == 413:
        return too_large(str(detail))
    return InputError(f"请求格式错误 (malformed request: {detail})", None, code="bad-request")


def too_large(message: str) -> LimitError:
    return LimitError(message, None, code="body-too-large",
                      hint="send the materials' files by another way; the body holds the "
                           "answers and the list of materials")


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    error = _http_error(exc.status_code, exc.detail)
    return error_answer(error, exc.status_code, dict(exc.headers or {}))


async def _formkit(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FormkitError)
    status = status_of(exc)
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    wait = getattr(exc, "retry_after", None)
    if status == 429 and wait:
        headers["Retry-After"] = str(wait)
    if status >= 500:
        _LOG.error("%s %s: %s", request.method, request.url.path, exc.render())
    root = getattr(request.app.state, "catalog_root", None)
    return error_answer(exc, status, headers, root=root)


def install(app: FastAPI) -> None:
    """The handlers and the two ASGI layers (see the module docstring)."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(FormkitError, _formkit)


INTERNAL = EvaluationError("服务器内部错误 (internal error): this is a bug in formkit; the "
                           "server's log has the details", None, code="internal",
                           hint="please report it with the time of the request").to_json()


async def _send_json(send: Send, status: int, body: dict[str, Any],
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())] + (headers or [])})
    await send({"type": "http.response.body", "body": data})


class Guard:
    """An exception no handler took: a 500 with an error object, logged here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            _LOG.exception("unexpected fault in %s %s", scope.get("method"),
                           scope.get("path"))
            if not started:
                await _send_json(send, 500, {"error": INTERNAL})


class JsonBody:
    """Every body of the API is JSON (http-api.md): a body sent with another or no
    ``Content-Type`` (curl's default ``application/x-www-form-urlencoded``,
    ``text/plain``) is read as JSON all the same, so it is either parsed or a 400
    ``bad-json``, never a misleading 422 "not an object"."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in ("POST", "PUT", "PATCH"):
            headers = [(k, v) for k, v in scope.get("headers") or []
                       if k != b"content-type" or _is_json(v)]
            if len(headers) != len(scope.get("headers") or []) or \
                    not any(k == b"content-type" for k, _ in headers):
                headers.append((b"content-type", b"application/json"))
                scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def _is_json(value: bytes) -> bool:
    media = value.split(b";")[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


class BodyLimit:
    """A body over ``limit`` bytes is a 413: at once by its ``Content-Length``, else
    as soon as the bytes received pass it (a chunked upload)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    def _too_large(self) -> dict[str, Any]:
        mb = self.limit / 2**20
        return {"error": too_large(f"请求正文超过 {mb:g} MB (the body is over {mb:g} MB)"
                                   ).to_json()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers") or []:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    bad = InputError("Content-Length 无效 (bad Content-Length)", None,
                                     code="bad-request")
                    await _send_json(send, 400, {"error": bad.to_json()})
                    return
                if declared > self.limit:
                    await _send_json(send, 413, self._too_large(),
                                     [(b"connection", b"close")])
                    return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise StarletteHTTPException(413, self._too_large()["error"]["message"])
            return message

        await self.app(scope, counted, send)
