"""The FastAPI app of ``formkit serve`` (http-api.md): ``create_app`` builds it over a
catalog folder and a case store; ``app_from_env`` is the factory uvicorn's worker
processes call (``FORMKIT_CATALOG``, ``FORMKIT_STORE``).

Every endpoint is a plain function (FastAPI runs it in its thread pool): the
engine's calls are synchronous, scrypt takes half a second, and the store locks.
"""


import base64
import datetime as dt
import difflib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from formkit.api import errors
from formkit.api.auth import (
    API_KEYS_FILE,
    KEY_PREFIX,
    ApiKeyList,
    FileCache,
    Principal,
    TokenSigner,
    api_secret,
    forbidden,
    load_api_keys,
    throttled,
    unauthorized,
)
from formkit.api.guard import GuardedStore, Replayed, etag_of
from formkit.api.schemas import (
    ActionRequest,
    BundleAnswer,
    CaseList,
    CaseListItem,
    CaseObject,
    CaseRequest,
    ErrorAnswer,
    FormStateRequest,
    GuideAnswer,
    Health,
    MatterDocument,
    MatterSummary,
    MonitorAnswer,
    PrecheckRequest,
    TokenAnswer,
    TokenRequest,
)
from formkit.authoring.signin import SecurityLog, Throttle, attempt_sign_in
from formkit.calendar import WorkCalendar
from formkit.cases.bundles import receive_bundle, siblings
from formkit.cases.monitor import MonitorConfig, monitor
from formkit.cases.service import Case, CaseService, HandedIn, State
from formkit.cases.store import CaseStore, parse_number
from formkit.cases.stores import open_store
from formkit.cases.versions import case_rules, matter_snapshot, snapshot_for_case
from formkit.catalog import OpenCatalog, catalog_signature, open_catalog
from formkit.definitions.loader import USERS_FILE
from formkit.definitions.model import Catalog, FieldType, FormField
from formkit.definitions.users import UserList, load_users
from formkit.documents import DOCUMENT_KINDS, case_document, guide_document, html_to_pdf
from formkit.dsl.compiler import EvalContext
from formkit.errors import (
    DefinitionError,
    FormkitError,
    IllegalTransition,
    InputError,
    NotFoundError,
)
from formkit.intake.bundles import run_bundle_precheck
from formkit.intake.forms import applicant_of, form_state
from formkit.intake.precheck import run_precheck
from formkit.intake.schema import matter_schema
from formkit.ruleset import BundleRules, RuleSet

__all__ = ["MAX_BODY", "RatingRequest", "app_from_env", "create_app"]

MAX_BODY = 5 * 2**20
PREFIX = "/api/v1"
TOKEN_MINUTES_ENV = "FORMKIT_API_TOKEN_MINUTES"
DEFAULT_TOKEN_MINUTES = 60
_LOG = logging.getLogger("formkit.api")
_RELOAD_EVERY = 2.0  # seconds between checks of the catalog's files
# every answer may be one of these (documented once for every path)
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorAnswer, "description": what} for status, what in (
        (400, "malformed request"), (401, "no or bad credentials"),
        (403, "not allowed for this caller"), (404, "unknown matter, case or path"),
        (409, "not allowed in the case's state, or a stale If-Match"),
        (413, "body over 5 MB"), (422, "invalid request"), (429, "too many attempts"),
        (500, "unexpected fault (a bug)"), (503, "store, catalog or PDF printer "
                                                "unavailable"))}


class RatingRequest(BaseModel):
    """``POST /api/v1/cases/{number}/rating``: the applicant's 好差评 of a finished case
    (5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意), and where it was given."""

    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)
    via: Literal["notice", "online", "window", "api"] = "notice"


def may_create_for(who: Principal, department: str) -> bool:
    """Whether ``who`` may create cases of ``department``'s matters. The window takes
    every department's applications (一窗受理: http-api.md, "Who may call";
    docs/security.md), so today the department does not narrow it: a bundle asks this
    for each of its matters, the one place to change if a window is ever scoped."""
    return who.may_create()


class _FirstKeyStore(GuardedStore):
    """A guarded store whose idempotency key goes with the first case created only (a
    bundle's first case; its other cases are found by their link on a replay)."""

    def create(self, day: dt.date, make: Callable[[str], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: Any = None, *, key: str | None = None) -> dict[str, Any]:
        try:
            return super().create(day, make, summary, audit, key=key)
        finally:
            self.key = None


class _Catalog:
    """The catalog, opened again when its files change (checked every 2 s at most)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._opened = open_catalog(root)
        self._signature = catalog_signature(root)
        self._checked = time.monotonic()

    def get(self) -> OpenCatalog:
        now = time.monotonic()
        if now - self._checked < _RELOAD_EVERY:
            return self._opened
        with self._lock:
            if now - self._checked >= _RELOAD_EVERY:
                self._checked = now
                signature = catalog_signature(self.root)
                if signature != self._signature:
                    self._opened = open_catalog(self.root)
                    self._signature = signature
        return self._opened


def _rules(opened: OpenCatalog, code: str) -> RuleSet:
    """The rules of matter ``code``.

    Raises:
        NotFoundError: no such matter (``unknown-matter``; no server path in it).
        DefinitionError: the matter or catalog.yaml does not load (``matter-broken``,
            a 503: the server's fault, not the caller's); the details go to the log.
    """
    rules = opened.rules_of(code)
    if rules is None and code in opened.bundles:
        raise NotFoundError(f"{code} 是“一件事”，不是单个事项 ({code} is a bundle, not a "
                            "matter: this path is one matter's)", None, code="is-bundle",
                            hint="its matters: " + ", ".join(opened.bundles[code].codes)
                            + "; precheck and POST /api/v1/cases take the bundle's code")
    if rules is None:
        close = difflib.get_close_matches(code, [*opened.matters, *opened.bundles], n=1)
        raise NotFoundError(f"没有事项 '{code[:64]}' (no matter '{code[:64]}')", None,
                            code="unknown-matter",
                            hint=f"did you mean '{close[0]}'?" if close else
                            "GET /api/v1/matters lists the matters")
    if rules.errors or opened.catalog is None:
        errs = rules.errors or [DefinitionError("the catalog file has errors", None)]
        _LOG.error("matter %s does not load: %s", code,
                   "; ".join(e.render() for e in errs[:20]))
        raise DefinitionError(f"事项 {code} 暂不可用 (matter {code} does not load on the "
                              "server)", None, code="matter-broken",
                              hint="the centre must fix its catalog (formkit validate "
                                   "lists the errors); try again later")
    return rules


def _bundle_rules(opened: OpenCatalog, code: str) -> BundleRules | None:
    """The rules of bundle ``code`` (高效办成一件事), None when ``code`` is no bundle.

    Raises:
        DefinitionError: the bundle or one of its matters does not load
            (``matter-broken``, a 503, as for a matter); the details go to the log.
    """
    rules = opened.bundle_rules_of(code)
    if rules is None:
        return None
    errs = rules.problems
    if errs or opened.catalog is None:
        _LOG.error("bundle %s does not load: %s", code,
                   "; ".join(e.render() for e in errs[:20]) or "a matter is missing")
        raise DefinitionError(f"事项 {code} 暂不可用 (bundle {code} does not load on the "
                              "server)", None, code="matter-broken",
                              hint="the centre must fix its catalog (formkit validate "
                                   "lists the errors); try again later")
    return rules


def _no_member_materials(materials: list[Any]) -> None:
    """A matter's code takes no ``matter`` in its materials (a bundle's does): the 422
    of a key the body does not have, as the request model gives it."""
    wrong = [{"type": "extra_forbidden", "loc": ("body", "materials", i, "matter"),
              "msg": "Extra inputs are not permitted", "input": m.matter}
             for i, m in enumerate(materials) if m.matter is not None]
    if wrong:
        raise RequestValidationError(wrong)


def _bundle_data(rules: BundleRules, fields: dict[str, Any], materials: list[Any]
                 ) -> dict[str, Any]:
    """A bundle's submission from a request body; a material's ``matter`` must be one
    of the bundle's matters (a 422 ``unknown-field`` otherwise, nothing created)."""
    for i, m in enumerate(materials):
        if m.matter is not None and m.matter not in rules.members:
            raise InputError(f"materials[{i}].matter '{m.matter[:64]}' 不是本“一件事”的事项 "
                             f"(not a matter of bundle {rules.bundle.code})", None,
                             code="unknown-field",
                             hint="its matters: " + ", ".join(rules.bundle.codes))
    return {"fields": fields,
            "materials": [m.model_dump(exclude_none=True) for m in materials]}


def _bundle_unknown_fields(rules: BundleRules, answers: dict[str, Any]) -> list[str]:
    """The paths of a bundle's answers that name no shared question, and, under a
    member's code, no field of that matter's form."""
    shared = rules.shared.matter.form
    ids = {f.id for f in shared}
    out: list[str] = []
    for key, value in answers.items():
        if key in ids:
            out += _unknown_fields(shared, {key: value})
        elif key in rules.members:
            out += _unknown_fields(rules.members[key].matter.form, value, f"{key}.")
        else:
            out.append(str(key)[:200])
    return out


def _catalog_of(opened: OpenCatalog) -> Catalog:
    if opened.catalog is None:
        raise DefinitionError("目录文件有误 (catalog.yaml does not load)", None,
                              hint="formkit validate lists the errors")
    return opened.catalog


def _unknown_fields(fields: list[FormField], answers: Any, prefix: str = "") -> list[str]:
    """The paths of answers that name no field of the form (``unknown_field``)."""
    if not isinstance(answers, dict):
        return []
    by_id = {f.id: f for f in fields}
    out: list[str] = []
    for key, value in answers.items():
        f = by_id.get(str(key))
        path = f"{prefix}{key}"
        if f is None:
            out.append(path[:200])
        elif f.type == FieldType.group:
            out += _unknown_fields(f.fields or [], value, path + ".")
        elif f.type == FieldType.repeat and isinstance(value, list):
            for i, row in enumerate(value[:1000]):
                out += _unknown_fields(f.fields or [], row, f"{path}[{i}].")
    return out


def _wants(request: Request, offered: tuple[str, ...]) -> str:
    """The offered media type the ``Accept`` header prefers (the first on a tie or
    when it names none of them)."""
    best, best_q = offered[0], -1.0
    for part in request.headers.get("accept", "").split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.strip().lower()
        for kind in offered:
            if media == kind and q > best_q and q > 0:
                best, best_q = kind, q
    return best


def _pdf(html: str, filename: str) -> Response:
    data = html_to_pdf(html)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _fee(fee: Any) -> dict[str, Any]:
    """The guide's ``fee``: a JSON number (yuan) when the matter fixes it; a fee the
    form computes is ``fee: null`` and its expression text under ``fee_expression``."""
    if isinstance(fee, Decimal):
        return {"fee": int(fee) if fee == fee.to_integral_value() else float(fee),
                "fee_expression": None}
    return {"fee": None, "fee_expression": str(getattr(fee, "text", fee))}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


# ---------------------------------------------------------------------- case helpers

# action -> the options it needs (as `formkit cases act`); the rest are refused unused
_OPTIONS: dict[str, tuple[str, ...]] = {
    "accept": (), "request_supplement": (), "resubmit": ("data",), "refuse": (),
    "start_review": (), "sign_off": ("unit",), "approve": (), "deny": (), "issue": (),
    "suspend": ("procedure",), "resume": (), "extend": ("days", "approver"),
    "supply": ("material",), "terminate": (), "withdraw": (),
}
_NEEDED = {"resubmit": "fields or materials", "suspend": "procedure", "extend": "days",
           "supply": "material"}


def _check_options(body: ActionRequest) -> None:
    given = {"procedure": body.procedure, "days": body.days, "material": body.material,
             "unit": body.unit, "approver": body.approver,
             "data": body.fields if body.fields is not None else body.materials}
    allowed = _OPTIONS[body.action]
    unused = [k for k, v in given.items() if v is not None and k not in allowed]
    if unused:
        name = "fields/materials" if unused[0] == "data" else unused[0]
        raise InputError(f"操作 {body.action} 不接受 '{name}' ('{body.action}' takes no "
                         f"'{name}')", None, code="unused-option",
                         hint="the table of formkit cases act lists each action's options")
    needed = _NEEDED.get(body.action)
    if needed and all(given[k] is None for k in (("data",) if body.action == "resubmit"
                                                 else (needed,))):
        raise InputError(f"操作 {body.action} 需要 '{needed}' ('{body.action}' needs "
                         f"'{needed}')", None, code="missing-option",
                         hint="the table of formkit cases act lists each action's options")


def _handed(materials: list[Any] | None) -> list[HandedIn]:
    return [HandedIn.model_validate(m.model_dump(exclude_none=True)) for m in materials or []]


def _run_action(svc: CaseService, store: CaseStore, case: Case, body: ActionRequest,
                actor: str, unit: str | None) -> Case:
    n, say = case.number, body.comment
    action = body.action
    if action in ("accept", "request_supplement", "refuse"):
        return svc.decide(n, case_rules(store, case), actor=actor, comment=say,
                          want=action)
    if action == "resubmit":
        return svc.resubmit(n, case_rules(store, case), actor=actor, comment=say,
                            materials=_handed(body.materials), fields=body.fields)
    calls: dict[str, Callable[[], Case]] = {
        "start_review": lambda: svc.start_review(n, actor=actor, comment=say),
        "sign_off": lambda: svc.sign_off(n, unit or "", actor=actor, comment=say),
        "approve": lambda: svc.approve(n, actor=actor, comment=say),
        "deny": lambda: svc.deny(n, actor=actor, reason=say),
        "issue": lambda: svc.issue(n, actor=actor, comment=say),
        "suspend": lambda: svc.suspend(n, body.procedure or "", actor=actor, comment=say),
        "resume": lambda: svc.resume(n, actor=actor, comment=say),
        "extend": lambda: svc.extend(n, body.days or 0, actor=actor, comment=say,
                                     approver=body.approver or ""),
        "supply": lambda: svc.supply(n, body.material or "", actor=actor, comment=say),
        "terminate": lambda: svc.terminate(n, actor=actor, reason=say),
        "withdraw": lambda: svc.withdraw(n, actor=actor, reason=say),
    }
    return calls[action]()


def _leaves(value: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _leaves(v, str(k))]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v, key)]
    return [(key, value)] if isinstance(value, str) else []


def applicant_matches(doc: dict[str, Any], wanted: str) -> bool:
    """Whether a case's applicant is ``wanted``: the applicant's name (or a field whose
    id says name) contains it, or an answer equals it (an ID number, a mobile)."""
    q = wanted.strip().upper()
    if not q:
        return True
    if len(q) >= 2 and q in str(doc.get("applicant") or "").upper():
        return True
    for key, text in _leaves(doc.get("fields") or {}):
        t = text.strip().upper()
        if t == q or (len(q) >= 2 and "name" in key.lower() and q in t):
            return True
    return False


def _cursor(number: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": number}).encode()).decode() \
        .rstrip("=")


def _uncursor(cursor: str) -> tuple[dt.date, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        _, day, seq = parse_number(str(json.loads(raw)["before"]))
    except (ValueError, KeyError, TypeError, NotFoundError):
        raise InputError("cursor 无效 (the cursor is not one this API gave)", None,
                         code="bad-cursor", hint="give the next_cursor of the previous "
                                                 "page as it was") from None
    return day, seq


def _number_key(doc: dict[str, Any]) -> tuple[dt.date, int]:
    try:
        _, day, seq = parse_number(str(doc.get("number")))
    except NotFoundError:  # pragma: no cover - the store holds numbers only
        return dt.date.min, 0
    return day, seq


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _newest_first(store: CaseStore, since: dt.date | None, top: dt.date | None,
                  today: dt.date) -> Iterator[dict[str, Any]]:
    """The cases received on or after ``since`` and on or before ``top`` (all, without
    them), newest number first, read a month at a time from ``top`` (or today, after
    the few cases of later days) backwards: a page stops reading once it is full,
    instead of reading the whole store (``cases_since`` gives number order)."""
    probe = store.cases_since(since or dt.date.min, copy=False)
    first = next(iter(probe), None)
    close = getattr(probe, "close", None)
    if callable(close):  # a generator: release its cursor or file now
        close()
    if first is None:
        return
    try:
        _, lowest, _ = parse_number(str(first.get("number")))
    except NotFoundError:  # pragma: no cover - the store holds numbers only
        lowest = since or dt.date.min
    if top is None:  # cases of days after today (a clerk's --today): read them first
        later = list(store.cases_since(today + dt.timedelta(days=1), copy=False))
        yield from sorted(later, key=_number_key, reverse=True)
        top = today
    end = top + dt.timedelta(days=1)  # exclusive
    while end > lowest:
        start = max(_month_start(end - dt.timedelta(days=1)), lowest)
        month: list[dict[str, Any]] = []
        scan = store.cases_since(start, copy=False)
        for doc in scan:
            if _number_key(doc)[0] >= end:
                break
            month.append(doc)
        close = getattr(scan, "close", None)
        if callable(close):
            close()
        yield from sorted(month, key=_number_key, reverse=True)
        end = start


# the query parameters of GET /cases (any other is refused: a typo would list all)
_LIST_PARAMS = frozenset({"state", "matter", "department", "applicant", "since", "limit",
                          "cursor"})

# ---------------------------------------------------------------------- the app


def create_app(catalog_dir: str | os.PathLike[str], store: CaseStore | str, *,
               users_file: Path | None = None, api_keys_file: Path | None = None,
               secret: bytes | None = None, token_minutes: float | None = None,
               security_log: SecurityLog | None = None, throttle: Throttle | None = None,
               now: Callable[[], dt.datetime] = dt.datetime.now,
               clock: Callable[[], float] = time.time, max_body: int = MAX_BODY) -> FastAPI:
    """The API over the catalog in ``catalog_dir`` and ``store`` (a store, or a folder
    or ``postgresql://`` URL). ``users.yaml`` and ``api_keys.yaml`` are read from the
    catalog folder unless given; ``now``/``clock`` are for tests."""
    root = Path(catalog_dir)
    catalog = _Catalog(root)
    centre = catalog.get().catalog
    # the centre column of the store is the catalog's code_prefix (docs/store.md)
    the_store = open_store(store, prefix=centre.code_prefix if centre else "FK") \
        if isinstance(store, str) else store
    users = FileCache[UserList](users_file or root / USERS_FILE, load_users)
    keys = FileCache[ApiKeyList](api_keys_file or root / API_KEYS_FILE, load_api_keys)
    store_root = getattr(the_store, "root", None)
    if secret is None:
        secret = api_secret(Path(store_root) if store_root is not None else None)
    minutes = token_minutes if token_minutes is not None else float(
        os.environ.get(TOKEN_MINUTES_ENV) or DEFAULT_TOKEN_MINUTES)
    signer = TokenSigner(secret, minutes * 60, clock)
    log = security_log or SecurityLog(Path(os.environ.get("FORMKIT_SECURITY_LOG") or (
        root.resolve().parent / "var" / "security.log")))
    attempts = throttle or Throttle()
    store_kind = "tinydb" if type(the_store).__name__.startswith("Tiny") else "postgresql"

    app = FastAPI(title="formkit", version="1", openapi_url=f"{PREFIX}/openapi.json",
                  docs_url=f"{PREFIX}/docs", redoc_url=None, responses=_ERRORS,
                  description="The HTTP API of formkit (http-api.md; docs/api.md).")
    errors.install(app)
    app.add_middleware(errors.JsonBody)
    app.add_middleware(errors.BodyLimit, limit=max_body)
    app.add_middleware(errors.Guard)
    bearer = HTTPBearer(auto_error=False, description="a token of POST /api/v1/token, "
                        "or an API key")

    def calendar() -> WorkCalendar:
        return catalog.get().work_calendar()

    def service(store_: CaseStore | None = None) -> CaseService:
        return CaseService(store_ or the_store, calendar(), now=now)

    # The caller, the pre-check and the form state are CPU work of well under a
    # millisecond that touch no store: they run on the event loop, as async functions.
    # A sync one is sent to the thread pool and back, which cost as much as the work
    # (a pre-check through the app: 1.1 ms in-process, 0.5 ms without the hops; the
    # GIL gave the threads no parallelism to win). What reads or writes the store, or
    # prints a PDF, stays sync: its waiting belongs in the pool.
    async def caller(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
                     ) -> Principal:
        if creds is None or not creds.credentials:
            raise unauthorized("需要登录：请提供 Authorization: Bearer <令牌> (credentials "
                               "are needed: Authorization: Bearer <token>)",
                               code="no-credentials")
        token = creds.credentials
        if token.startswith(KEY_PREFIX):
            key = keys.get().find(token)
            if key is None or key.disabled:
                raise unauthorized("API 密钥无效 (the API key is not valid)", code="bad-key",
                                   hint="ask the centre for a key")
            return Principal.of_key(key)
        return Principal.of_user(signer.check(token, users.get()))

    Caller = Annotated[Principal, Depends(caller)]

    def readable(who: Principal, number: str) -> tuple[Case, dict[str, Any]]:
        """The case ``number`` and its stored document, when ``who`` may read it
        (``desk.access``: a refused read is written to the audit trail)."""
        if not who.reads_cases():
            raise forbidden("编辑人员不查看案件 (editors do not read cases)")
        doc = the_store.get(number)
        if doc is None:
            from formkit.cases.store import unknown_case

            raise unknown_case(number)
        case = Case.model_validate(doc)
        if who.may_read(case.department, case.route):
            return case, doc
        the_store.append_audit({
            "kind": "refused_read", "number": case.number, "actor": who.name,
            "role": who.role, "department": ",".join(who.departments),
            "at": now().isoformat(timespec="seconds"), "via": "api"})
        raise forbidden(f"案件 {case.number} 不属于本部门，无权查看: case {case.number} "
                        "belongs to another department", code="other-department")

    def case_answer(svc: CaseService, doc: dict[str, Any], status: int = 200,
                    headers: dict[str, str] | None = None) -> JSONResponse:
        """The case object of the stored ``doc``, with its ETag."""
        view = svc.view(Case.model_validate(doc), now().date())
        return JSONResponse(view, status_code=status,
                            headers={"ETag": etag_of(doc), **(headers or {})})

    # ------------------------------------------------------------------ open paths

    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz() -> dict[str, Any]:
        return {"ok": True, "matters": len(catalog.get().matters), "store": store_kind}

    @app.post(f"{PREFIX}/token", response_model=TokenAnswer, tags=["auth"])
    def token(body: TokenRequest, request: Request) -> dict[str, Any]:
        address = request.client.host if request.client else None
        attempt = attempt_sign_in(users.get(), body.user, body.password, address=address,
                                  throttle=attempts, log=log,
                                  users_file=users_file or root / USERS_FILE)
        if attempt.outcome == "throttled" or (attempt.outcome == "wrong" and attempt.wait):
            raise throttled(attempt.wait)
        if attempt.outcome != "ok" or attempt.user is None:
            raise unauthorized("用户名或密码错误，或账号已停用 (wrong user or password, or "
                               "the user is disabled)", code="bad-credentials",
                               hint="after 5 failures in an hour a name must wait")
        if attempt.user.must_change_password:
            raise forbidden("密码已被重置，请先在工作台修改密码 (the password was reset: "
                            "change it in the studio first)", code="must-change-password")
        # a password stored again at today's cost has a new hash: sign with that one
        user = users.get().find(attempt.user.username) or attempt.user
        signed, expires = signer.issue(user)
        return {"token": signed,
                "expires_at": dt.datetime.fromtimestamp(expires, dt.UTC)}

    # ------------------------------------------------------------------ matters

    @app.get(f"{PREFIX}/matters", response_model=list[MatterSummary], tags=["matters"])
    def matters(who: Caller, q: Annotated[str | None, Query(max_length=200)] = None
                ) -> list[dict[str, Any]]:
        opened = catalog.get()
        found = sorted(opened.matters.values(), key=lambda m: m.code)
        if q and q.strip():
            from formkit.desk.search import search_matters

            hits = search_matters(found, q, limit=len(found))
            # the contract searches the result too (营业执照), after the window's hits
            words = q.strip().lower()
            seen = {m.code for m in hits}
            found = hits + [m for m in found if m.code not in seen and m.result and (
                words in m.result.zh.lower() or words in (m.result.en or "").lower())]
        return [{"code": m.code, "name": m.name.zh, "department": m.department,
                 "kind": str(m.kind), "channels": [str(c) for c in m.channels],
                 "time_limit": m.time_limit.model_dump(mode="json")} for m in found]

    @app.get(f"{PREFIX}/matters/{{code}}", response_model=MatterDocument, tags=["matters"])
    def matter(who: Caller, code: str) -> dict[str, Any]:
        opened = catalog.get()
        _rules(opened, code)
        snapshot = matter_snapshot(opened, code)
        content = yaml.safe_load(snapshot["matter_yaml"])
        return {"code": code, "version": snapshot["hash"], "matter": _jsonable(content)}

    @app.get(f"{PREFIX}/matters/{{code}}/schema", response_model=dict[str, Any],
             tags=["matters"])
    def schema(who: Caller, code: str) -> dict[str, Any]:
        return matter_schema(_rules(catalog.get(), code).matter)

    @app.get(f"{PREFIX}/matters/{{code}}/guide", response_model=GuideAnswer,
             tags=["matters"], responses={200: {"content": {
                 "text/html": {"schema": {"type": "string"}},
                 "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    def guide(who: Caller, code: str, request: Request) -> Any:
        opened = catalog.get()
        m = _rules(opened, code).matter
        doc = guide_document(_catalog_of(opened), m, issued_on=now().date())
        wanted = _wants(request, ("application/json", "text/html", "application/pdf"))
        if wanted == "text/html":
            return HTMLResponse(doc.html)
        if wanted == "application/pdf":
            return _pdf(doc.html, doc.filename("pdf"))
        return {"code": m.code, "title": doc.title, "name": m.name.zh,
                "department": m.department, "kind": str(m.kind), "basis": m.basis,
                "time_limit": m.time_limit.model_dump(mode="json"),
                **_fee(m.fee), "channels": [str(c) for c in m.channels],
                "fees": [f.model_dump(mode="json") for f in m.fees] if m.fees else None,
                "materials": [x.model_dump(mode="json", exclude_none=True)
                              for x in m.materials],
                "guide": m.guide.model_dump(mode="json") if m.guide else None,
                "text": doc.text}

    @app.post(f"{PREFIX}/matters/{{code}}/form-state", response_model=dict[str, Any],
              tags=["intake"])
    async def form_state_of(who: Caller, code: str, body: FormStateRequest
                            ) -> dict[str, Any]:
        opened = catalog.get()
        rules = _rules(opened, code)
        ctx = EvalContext(body.today or now().date(), opened.work_calendar())
        state, _ = form_state(rules, body.fields, ctx=ctx, lang=body.lang)
        return state.model_dump(mode="json")

    @app.post(f"{PREFIX}/matters/{{code}}/precheck", response_model=dict[str, Any],
              tags=["intake"])
    async def precheck(who: Caller, code: str, body: PrecheckRequest) -> JSONResponse:
        opened = catalog.get()
        bundle = _bundle_rules(opened, code)
        if bundle is not None:  # formkit's addition: a bundle's pre-check (docs/api.md)
            if body.explain:
                raise InputError("一件事的预审不提供 explain (explain is for one matter's "
                                 "pre-check, not a bundle's)", None, code="unused-option",
                                 hint=f"pre-check one of its matters with explain: "
                                      f"{', '.join(bundle.bundle.codes)}")
            got = run_bundle_precheck(bundle, _bundle_data(bundle, body.fields,
                                                           body.materials),
                                      today=body.today or now().date(),
                                      calendar=opened.work_calendar(), lang=body.lang)
            return JSONResponse(got.model_dump(mode="json"))
        rules = _rules(opened, code)
        _no_member_materials(body.materials)
        data = {"fields": body.fields,
                "materials": [m.model_dump(exclude_none=True) for m in body.materials]}
        result = run_precheck(rules, data, today=body.today or now().date(),
                              calendar=opened.work_calendar(), lang=body.lang,
                              explain=body.explain)
        return JSONResponse(result.model_dump(mode="json"))

    # ------------------------------------------------------------------ cases

    def create_bundle(who: Principal, body: CaseRequest, rules: BundleRules,
                      idempotency_key: str | None) -> JSONResponse:
        """``POST /cases`` with a bundle's code (formkit's addition, docs/api.md): one
        linked case per member that applies. The Idempotency-Key goes with the first
        case only: a replay finds it, and the bundle's other cases by its link."""
        opened = catalog.get()
        code = rules.bundle.code
        for member in rules.members.values():  # the window takes every member's cases
            if not may_create_for(who, member.matter.department):
                raise forbidden(f"无权为 {member.matter.department} 收件 (the caller may not "
                                f"create cases of {member.matter.code}, a matter of {code})")
        unknown = _bundle_unknown_fields(rules, body.fields)
        if unknown:
            raise InputError(f"未知字段 {', '.join(unknown[:10])} (no such shared question, "
                             f"or no such field in the matter's form, in {code})", None,
                             code="unknown-field",
                             hint="a bundle's fields: its shared questions' ids, and each "
                                  "matter's own answers under its code (GET "
                                  "/api/v1/matters/{matter}/schema)")
        data = _bundle_data(rules, body.fields, body.materials)
        key = f"{who.kind}:{who.name}:{idempotency_key}" if idempotency_key else None
        guarded = _FirstKeyStore(the_store, key=key)
        svc = service(guarded)
        try:
            made = receive_bundle(svc, opened, code, data, actor=who.name,
                                  decide=body.channel != "online")
            number, cases = made.number, made.cases
            checked = made.precheck
        except Replayed as replay:
            first = Case.model_validate(the_store.get(str(replay.doc["number"]))
                                        or replay.doc)
            if first.bundle is None or first.bundle.code != code:
                raise IllegalTransition(
                    "Idempotency-Key 已用于另一申请 (this Idempotency-Key was used for "
                    f"another request: case {first.number} of {first.matter})",
                    None, code="idempotency-key-reused",
                    hint="use a new key for each new application") from None
            if first.bundle.cases:  # the intake was whole: answer as it did
                cases = [first, *siblings(svc, first)]
                number = first.bundle.number or first.number
                # the same pre-check the first answer gave: the same body on its day
                checked = run_bundle_precheck(rules, data, today=first.received_on,
                                              calendar=svc.calendar)
            else:  # it stopped before its links: finish it, creating what is missing
                made = receive_bundle(service(the_store), opened, code, data,
                                      actor=who.name, decide=body.channel != "online",
                                      resume=first)
                number, cases, checked = made.number, made.cases, made.precheck
        day = now().date()
        answer = {"bundle": code, "number": number,
                  "precheck": checked.model_dump(mode="json"),
                  "cases": [svc.view(c, day) for c in cases]}
        return JSONResponse(answer, status_code=201,
                            headers={"Location": f"{PREFIX}/cases/{cases[0].number}"})

    @app.post(f"{PREFIX}/cases", status_code=201,
              response_model=CaseObject | BundleAnswer, tags=["cases"])
    def create_case(who: Caller, body: CaseRequest,
                    idempotency_key: Annotated[str | None, Header(max_length=200)] = None
                    ) -> JSONResponse:
        if not who.may_create():
            raise forbidden("只有综合窗口可以收件 (only the window creates cases)")
        opened = catalog.get()
        bundle = _bundle_rules(opened, body.matter)
        if bundle is not None:
            return create_bundle(who, body, bundle, idempotency_key)
        rules = _rules(opened, body.matter)
        _no_member_materials(body.materials)
        unknown = _unknown_fields(rules.matter.form, body.fields)
        if unknown:
            raise InputError(f"未知字段 {', '.join(unknown[:10])} (no such field in "
                             f"{body.matter}'s form)", None, code="unknown-field",
                             hint=f"GET /api/v1/matters/{body.matter}/schema lists the "
                                  "fields")
        key = f"{who.kind}:{who.name}:{idempotency_key}" if idempotency_key else None
        guarded = GuardedStore(the_store, key=key)
        svc = service(guarded)
        version = snapshot_for_case(the_store, opened, body.matter)
        try:
            svc.receive(rules, version, body.fields, _handed(body.materials),
                        actor=who.name, applicant=applicant_of(rules.matter, body.fields),
                        decide=body.channel != "online")
            doc = guarded.last or {}
        except Replayed as replay:
            doc = the_store.get(str(replay.doc["number"])) or replay.doc
            if doc.get("matter") != body.matter or doc.get("bundle"):  # or a bundle's
                raise IllegalTransition(
                    "Idempotency-Key 已用于另一申请 (this Idempotency-Key was used for "
                    f"another request: case {doc.get('number')} of {doc.get('matter')})",
                    None, code="idempotency-key-reused",
                    hint="use a new key for each new application") from None
        return case_answer(svc, doc, 201, {"Location": f"{PREFIX}/cases/{doc['number']}"})

    @app.get(f"{PREFIX}/cases", response_model=CaseList, tags=["cases"])
    def list_cases(
        who: Caller,
        request: Request,
        state: State | None = None,
        matter: Annotated[str | None, Query(max_length=64)] = None,
        department: Annotated[str | None, Query(max_length=64)] = None,
        applicant: Annotated[str | None, Query(max_length=100)] = None,
        since: dt.date | None = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        cursor: Annotated[str | None, Query(max_length=400)] = None,
    ) -> dict[str, Any]:
        unknown = sorted(set(request.query_params) - _LIST_PARAMS)
        if unknown:
            raise InputError(f"未知查询参数 {', '.join(k[:40] for k in unknown[:10])} (no "
                             "such query parameter)", None, code="unknown-parameter",
                             hint="GET /api/v1/cases takes " + ", ".join(
                                 sorted(_LIST_PARAMS)))
        if not who.reads_cases():
            raise forbidden("编辑人员不查看案件 (editors do not read cases)")
        before = _uncursor(cursor) if cursor else None

        def wanted(doc: dict[str, Any]) -> tuple[dt.date, int] | None:
            try:
                _, day, seq = parse_number(str(doc.get("number")))
            except NotFoundError:  # pragma: no cover - the store holds numbers only
                return None
            if before is not None and (day, seq) >= before:
                return None
            if (state and doc.get("state") != state) or (matter and doc.get("matter") != matter) \
                    or (department and doc.get("department") != department):
                return None
            if not who.may_read(str(doc.get("department") or ""), doc.get("route")):
                return None
            if applicant and not applicant_matches(doc, applicant):
                return None
            return day, seq

        found: list[tuple[tuple[dt.date, int], dict[str, Any]]] = []
        for doc in _newest_first(the_store, since, before[0] if before else None,
                                 now().date()):
            at = wanted(doc)
            if at is not None:
                found.append((at, doc))
                if len(found) > limit:  # one more than the page: there is a next page
                    break
        page = found[:limit]
        items = [{k: d.get(k) for k in CaseListItem.model_fields} for _, d in page]
        for item in items:
            item["applicant"] = item["applicant"] or ""
        more = len(found) > limit
        return {"cases": items,
                "next_cursor": _cursor(str(page[-1][1]["number"])) if more else None}

    @app.get(f"{PREFIX}/cases/{{number}}", response_model=CaseObject, tags=["cases"])
    def get_case(who: Caller, number: str) -> JSONResponse:
        _, doc = readable(who, number)
        return case_answer(service(), doc)

    @app.post(f"{PREFIX}/cases/{{number}}/actions", response_model=CaseObject,
              tags=["cases"])
    def act(who: Caller, number: str, body: ActionRequest,
            if_match: Annotated[str | None, Header(max_length=400)] = None) -> JSONResponse:
        case, _ = readable(who, number)
        _check_options(body)
        if body.action == "resubmit" and body.fields is not None:
            unknown = _unknown_fields(case_rules(the_store, case).matter.form, body.fields)
            if unknown:
                raise InputError(f"未知字段 {', '.join(unknown[:10])} (no such field in "
                                 f"{case.matter}'s form)", None, code="unknown-field",
                                 hint=f"GET /api/v1/matters/{case.matter}/schema lists "
                                      "the fields")
        unit = body.unit
        if body.action == "sign_off" and unit is None:
            mine = who.own_units(case)
            unit = mine[0] if mine else ""
        if not who.may_act(case, body.action, unit):
            raise forbidden(f"无权对案件 {case.number} 执行 {body.action} (the "
                            f"{who.role} may not {body.action} case {case.number})")
        guarded = GuardedStore(the_store, if_match=if_match)
        svc = service(guarded)
        _run_action(svc, guarded, case, body, who.name, unit)
        return case_answer(svc, guarded.last or {})

    @app.post(f"{PREFIX}/cases/{{number}}/rating", response_model=CaseObject,
              tags=["cases"])
    def rate(who: Caller, number: str, body: RatingRequest) -> JSONResponse:
        """好差评 (an addition to http-api.md; docs/api.md): recorded by the window or a
        service platform's key (role clerk) for the applicant, once the case is
        finished; a 差评 (2 or 1) opens a follow-up for the supervisor."""
        case, _ = readable(who, number)
        if who.role != "clerk":  # the office being rated does not record its rating
            raise forbidden(f"只有窗口或办事平台可以登记好差评 (the {who.role} may not "
                            f"record the rating of case {case.number})")
        guarded = GuardedStore(the_store)
        svc = service(guarded)
        svc.rate(case.number, score=body.score, comment=body.comment, actor=who.name,
                 via=body.via)
        return case_answer(svc, guarded.last or {})

    @app.get(f"{PREFIX}/cases/{{number}}/notices/{{kind}}", tags=["cases"],
             response_model=None, responses={200: {"content": {
                 "text/html": {"schema": {"type": "string"}},
                 "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    def notice(who: Caller, number: str, kind: str, request: Request) -> Response:
        if kind not in DOCUMENT_KINDS:
            raise NotFoundError(f"没有这种文书 '{kind[:40]}' (no document kind '{kind[:40]}')",
                                None, code="unknown-document",
                                hint="one of: " + ", ".join(DOCUMENT_KINDS))
        case, _ = readable(who, number)
        svc = service()
        opened = catalog.get()
        m = case_rules(the_store, case).matter
        doc = case_document(_catalog_of(opened), m, case, kind, calendar=svc.calendar)
        if _wants(request, ("text/html", "application/pdf")) == "application/pdf":
            return _pdf(doc.html, doc.filename("pdf"))
        return HTMLResponse(doc.html)

    @app.get(f"{PREFIX}/monitor", response_model=MonitorAnswer, tags=["cases"])
    def monitor_flags(who: Caller, today: dt.date | None = None) -> dict[str, Any]:
        if not who.reads_cases():
            raise forbidden("编辑人员不查看案件 (editors do not read cases)")
        day = today or now().date()
        mine = [s for s in the_store.open_summaries()
                if who.may_read(str(s.get("department") or ""), s.get("route"))]
        report = monitor(mine, day, calendar(), MonitorConfig())
        return {"today": day.isoformat(), "open_cases": report.open_cases,
                "flags": [{"number": f.number, "matter": f.matter, "flag": f.kind,
                           "due": f.due.isoformat() if f.due else None, "days": f.days}
                          for f in report.flags()]}

    app.state.store = the_store
    app.state.catalog_root = root
    app.state.users = users
    app.state.signer = signer
    return app


def app_from_env() -> FastAPI:
    """The app of ``formkit serve`` in a uvicorn worker: ``FORMKIT_CATALOG``,
    ``FORMKIT_STORE``."""
    catalog_dir = os.environ.get("FORMKIT_CATALOG") or "definitions"
    store = os.environ.get("FORMKIT_STORE") or "var/store"
    try:
        return create_app(catalog_dir, store)
    except FormkitError as exc:  # the worker cannot start: say why, as the CLI does
        print(exc.render(), file=sys.stderr)
        raise SystemExit(1) from None
