"""Shared plumbing of the studio pages: the catalog, the store, the signed-in user.

Pages stay thin: every decision they show comes from a formkit call.
Configuration comes from the environment that `formkit studio` sets:
FORMKIT_CATALOG (catalog folder), FORMKIT_STORE (case store folder or postgresql:// URL),
FORMKIT_DRAFTS (drafts folder), FORMKIT_TODAY (a fixed date, for demos and tests),
FORMKIT_SESSION_IDLE_MINUTES (sign-out after that long idle, 30 by default) and
FORMKIT_SECURITY_LOG (the sign-in log, ``var/security.log`` by default).

A sign-in survives a reload: the browser keeps a random session token in the
cookie ``formkit_session`` (written by a line of JavaScript, as Streamlit sets
no cookies; SameSite=Strict, Secure over HTTPS), and the server keeps the
session (``formkit.authoring.sessions``). Every run resumes it: an idle,
signed-out or unknown token, or a user since disabled, signs the tab out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

import streamlit as st
from formkit_studio.labels import pdf_error_text
from formkit_studio.safe_text import plain

from formkit.authoring.drafts import DraftStore
from formkit.authoring.sessions import DEFAULT_IDLE_MINUTES, SessionTable
from formkit.authoring.signin import Attempt, SecurityLog, Throttle
from formkit.cases.service import Case, CaseService
from formkit.cases.store import CaseStore
from formkit.cases.stores import open_store
from formkit.cases.versions import case_rules
from formkit.catalog import OpenCatalog, catalog_signature, open_catalog
from formkit.definitions.users import User, UserList, load_users
from formkit.documents import Document, case_document, case_document_kinds
from formkit.documents.pdf import find_browser, html_to_pdf
from formkit.errors import FormkitError, PdfUnavailable


def catalog_dir() -> Path:
    """The catalog folder the studio works on."""
    return Path(os.environ.get("FORMKIT_CATALOG", "definitions"))


def today() -> dt.date:
    """Today, or the fixed FORMKIT_TODAY (demos and tests)."""
    fixed = os.environ.get("FORMKIT_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


@st.cache_resource(show_spinner=False)
def _catalog(path: str, signature: tuple[tuple[str, float], ...]) -> OpenCatalog:
    # The signature (file names and mtimes) reloads the catalog when a file changes.
    return open_catalog(path)


def catalog() -> OpenCatalog:
    """The catalog, reloaded whenever one of its files changed."""
    root = catalog_dir()
    return _catalog(str(root), catalog_signature(root))


@st.cache_resource(show_spinner=False)
def _store(where: str, prefix: str) -> CaseStore:
    return open_store(where, prefix=prefix)


def store() -> CaseStore:
    """The case store: a folder or a postgresql:// URL in FORMKIT_STORE (safe to share
    between sessions: the embedded store locks every write, PostgreSQL makes each one
    transaction)."""
    root = os.environ.get("FORMKIT_STORE") or str(catalog_dir().parent / "var" / "store")
    opened = catalog()
    prefix = opened.catalog.code_prefix if opened.catalog else "FK"
    return _store(root, prefix)


def drafts() -> DraftStore:
    """Unsaved edits, per user, apart from the catalog."""
    root = os.environ.get("FORMKIT_DRAFTS") or str(catalog_dir().parent / "var" / "drafts")
    return DraftStore(Path(root))


@st.cache_resource(show_spinner=False)
def _users(path: str, mtime: float) -> UserList:
    return load_users(Path(path))


def users_file() -> Path:
    """``users.yaml`` beside catalog.yaml: who signs in."""
    return catalog_dir() / "users.yaml"


def users() -> UserList:
    """The user list, read again whenever the file changed."""
    path = users_file()
    return _users(str(path), path.stat().st_mtime if path.exists() else 0.0)


def idle_minutes() -> float:
    """FORMKIT_SESSION_IDLE_MINUTES, or 30; a value that is not a positive number: 30."""
    try:
        minutes = float(os.environ.get("FORMKIT_SESSION_IDLE_MINUTES", ""))
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return minutes if 0 < minutes < 100_000 else DEFAULT_IDLE_MINUTES


# One table and one throttle per catalog (a server serves one; tests open many).
@st.cache_resource(show_spinner=False)
def _sessions(catalog: str, idle: float) -> SessionTable:
    return SessionTable(idle=idle)


def sessions() -> SessionTable:
    """The server's open sessions."""
    return _sessions(str(catalog_dir().resolve()), idle_minutes() * 60)


@st.cache_resource(show_spinner=False)
def _throttle(catalog: str) -> Throttle:
    return Throttle()


def throttle() -> Throttle:
    """Failed sign-ins by name and address."""
    return _throttle(str(catalog_dir().resolve()))


def security_log() -> SecurityLog:
    """The sign-in and account log (JSON lines)."""
    path = os.environ.get("FORMKIT_SECURITY_LOG") or str(
        catalog_dir().parent / "var" / "security.log")
    return SecurityLog(Path(path))


def client_address() -> str | None:
    """The browser's address; None on localhost (and on Streamlit before 1.45)."""
    address = getattr(st.context, "ip_address", None)
    return address if isinstance(address, str) and address else None


COOKIE = "formkit_session"
_USER, _TOKEN, _LAST = "user", "_fk_token", "_fk_last_user"
_NOTICE, _DEAD = "_fk_notice", "_fk_dead_token"


def current_user() -> User | None:
    """The signed-in user of this browser session."""
    user = st.session_state.get(_USER)
    return user if isinstance(user, User) else None


def session_token() -> str | None:
    """This tab's session token (to keep one session open when ending the others)."""
    token = st.session_state.get(_TOKEN)
    return token if isinstance(token, str) else None


def _cookie_token() -> str | None:
    token = st.context.cookies.get(COOKIE)
    return token if isinstance(token, str) and token else None


def _start(user: User, token: str) -> None:
    if st.session_state.get(_LAST) not in (None, user.username):
        for key in list(st.session_state.keys()):  # nothing of another user's work
            del st.session_state[key]
    st.session_state[_USER] = user
    st.session_state[_TOKEN] = token
    st.session_state[_LAST] = user.username
    st.session_state.pop(_DEAD, None)


def resume_session() -> None:
    """Once a run, before the pages: take up this tab's session, or the browser's (a
    reload, a bookmark, a new tab); sign the tab out when it has ended."""
    token = session_token()
    if token is None:
        token = _cookie_token()
        if token is None or token == st.session_state.get(_DEAD):
            return
    username = sessions().resume(token)
    user = users().find(username) if username is not None else None
    if user is not None and not user.disabled:
        _start(user, token)  # read afresh each run: a new role applies at once
        return
    had = current_user()
    if username is not None:
        sessions().close(token)
    name = username or (had.username if had is not None else None)
    now = users().find(name) if name is not None else None
    # Disabling a user ends their sessions at once; the tab still says why.
    reason = "disabled" if now is not None and now.disabled else "expired"
    if name is not None:
        security_log().record(f"session-{reason}", name, client_address())
    # The page's own state stays: the same user signing in again finds it.
    st.session_state.pop(_USER, None)
    st.session_state.pop(_TOKEN, None)
    st.session_state[_DEAD] = token
    st.session_state[_NOTICE] = reason


def session_notice() -> str | None:
    """Why the tab was signed out ("expired", "disabled"), once."""
    notice = st.session_state.pop(_NOTICE, None)
    return notice if isinstance(notice, str) else None


def sign_in(user: User) -> None:
    """Open a session for ``user`` in this tab (and, through the cookie, the browser)."""
    _start(user, sessions().open(user.username))
    st.session_state.pop(_NOTICE, None)


def sign_out() -> None:
    """End the session, here and in every tab of the browser; forget the page state."""
    token = session_token()
    user = current_user()
    if token is not None:
        sessions().close(token)
    if user is not None:
        security_log().record("signout", user.username, client_address())
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if token is not None:
        st.session_state[_DEAD] = token


_SET = "document.cookie = {cookie} + (location.protocol === 'https:' ? '; Secure' : '');"
# Only the cookie of the session that ended: another tab may have signed in since.
_DELETE = ("if (document.cookie.split('; ').includes({cookie})) "
           "document.cookie = {name} + '=; Path=/; Max-Age=0; SameSite=Strict';")


def sync_cookie() -> None:
    """Write the session cookie where the browser lacks this tab's token; delete the
    cookie of a session that ended. Renders an invisible element (or nothing)."""
    token = session_token() if current_user() is not None else None
    dead = st.session_state.get(_DEAD)
    if token is not None and _cookie_token() != token:
        script = _SET.format(cookie=json.dumps(f"{COOKIE}={token}; Path=/; SameSite=Strict"))
    elif token is None and isinstance(dead, str):  # the script checks the cookie
        script = _DELETE.format(cookie=json.dumps(f"{COOKIE}={dead}"), name=json.dumps(COOKIE))
    else:
        return
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)


# Why a tab was signed out, and what became of a sign-in, as the pages say it.
SIGNED_OUT = {
    "expired": "登录已超时或已失效，请重新登录。"
               "Your session has ended (idle too long, or signed out); please sign in again.",
    "disabled": "您的账号已停用，请联系管理员。Your account has been disabled; ask the "
                "administrator.",
}


def wait_text(seconds: int) -> tuple[str, str]:
    """A wait in Chinese and in English: ``("45 秒", "45 s")``, ``("2 分钟", "2 min")``."""
    if seconds < 60:
        return f"{seconds} 秒", f"{seconds} s"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} 分钟", f"{minutes} min"


def attempt_text(attempt: Attempt) -> str:
    """The error line of an attempt that did not sign in."""
    zh, en = wait_text(attempt.wait)
    if attempt.outcome == "throttled":
        return f"登录失败次数过多，请 {zh}后再试。Too many failed sign-ins: try again in {en}."
    if attempt.outcome == "disabled":
        return "此账号已停用，请联系管理员。This account is disabled; ask the administrator."
    if attempt.wait:
        return (f"用户名或密码错误；失败次数过多，请 {zh}后再试。"
                f"Wrong username or password; too many failures: try again in {en}.")
    if attempt.left <= 2:
        times = "1 more failure" if attempt.left == 1 else f"{attempt.left} more failures"
        return (f"用户名或密码错误；再错 {attempt.left} 次须等待后再试。"
                f"Wrong username or password; {times} and you must wait.")
    return "用户名或密码错误 (wrong username or password)"


def with_hint(exc: FormkitError) -> str:
    """An error's message with its hint (what to do) after it, for st.error; pass it
    through ``plain`` there (a message may quote a name or an answer)."""
    return exc.message + (f"（{exc.hint}）" if exc.hint else "")


_PRINT = ('<div class="no-print" style="text-align:right">'
          '<button onclick="window.print()">打印 Print</button></div>'
          '<style>@media print { .no-print { display: none; } }</style>')


def with_print_button(page: str) -> str:
    """A notice's HTML with a print button on top (left out of the printout)."""
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _PRINT, page, count=1)


# The document a case's event gives (the one the applicant is handed now).
_EVENT_DOCUMENTS = {"accepted": "acceptance", "supplement": "supplement", "refused": "refusal",
                    "approved": "decision", "denied": "decision"}


def latest_document(case: Case, kinds: list[str]) -> str | None:
    """The document of the case's latest event that has one: the notice just given."""
    for event in reversed(case.history):
        kind = {"extend": "extension", "suspend": "special_procedure"}.get(
            event.action, _EVENT_DOCUMENTS.get(event.to_state))
        if kind == "acceptance" and "tolerance" in kinds:
            kind = "tolerance"
        if kind in kinds:
            return kind
    return kinds[-1] if kinds else None


@functools.lru_cache(maxsize=64)
def _pdf(html: str) -> bytes:
    """The PDF of a document, made when its download button is clicked (a print takes
    about a second: a page listing six documents must not wait six seconds)."""
    return html_to_pdf(html)


def _no_pdf_engine() -> PdfUnavailable | None:
    """Why no PDF can be made here (no browser engine), or None."""
    if find_browser() is not None:
        return None
    return PdfUnavailable("没有可用的 PDF 打印引擎: no browser engine to print PDFs", None,
                          code="no-pdf-engine")


def document_views(docs: Sequence[Document], key: str, *, chosen: str | None = None) -> None:
    """Documents to hand over: one at a time (a choice when there are several,
    ``chosen`` first), each as a print view with its print button, an HTML and a PDF
    download and its plain text. Without a PDF printer, its Chinese reason instead of
    the PDF button."""
    if not docs:
        return
    by_kind = {d.kind: d for d in docs}
    kinds = list(by_kind)
    if len(docs) > 1:
        # Radio options are Markdown: a title can hold a matter's name.
        kind = st.radio("文书 Document", kinds, key=f"{key}|doc", horizontal=True,
                        index=kinds.index(chosen) if chosen in kinds else len(kinds) - 1,
                        format_func=lambda k: plain(by_kind[k].title))
    else:
        kind = kinds[0]
    doc = by_kind[str(kind)]
    with st.container(key=f"docs-{re.sub(r'[^A-Za-z0-9_-]', '_', key)}-{doc.kind}"):
        st.markdown(f"**{plain(doc.title)}** {plain(doc.title_en)}")
        missing = _no_pdf_engine()
        if missing is not None:
            st.warning(plain(pdf_error_text(missing)))
        with st.container(horizontal=True):
            if missing is None:
                st.download_button("下载 PDF", data=functools.partial(_pdf, doc.html),
                                   file_name=doc.filename("pdf"), mime="application/pdf",
                                   key=f"{key}|{doc.kind}|pdf", type="primary", icon="📥",
                                   on_click="ignore")
            st.download_button("下载 HTML", data=doc.html.encode("utf-8"),
                               file_name=doc.filename("html"), mime="text/html",
                               key=f"{key}|{doc.kind}|html", icon="📄")
        view, as_text = st.tabs(["打印版 Print view（点页面上方“打印”）", "文本版 Text version"])
        with view:
            st.iframe(with_print_button(doc.html), height=640)
        with as_text:
            st.code(doc.text, language=None)


def _bundle_acceptance(opened: OpenCatalog, svc: CaseService, case: Case) -> list[Document]:
    """A bundle's case reprints the bundle's combined 受理通知书 too (its siblings'
    numbers and deadlines as they stand), when one of its cases was accepted and the
    user may read every case it names (an officer of one department may not)."""
    from formkit.cases.bundles import siblings
    from formkit.desk.access import may_read
    from formkit.documents.bundle_notices import bundle_case_document

    bundle = opened.bundles.get(case.bundle.code) if case.bundle else None
    user = current_user()
    if bundle is None or opened.catalog is None or user is None or not (
            case.accepted_on or case.deemed_accepted):
        return []
    cases = [case, *siblings(svc, case)]
    if not all(may_read(user, c.department, c.route) for c in cases):
        return []
    matters = {c.matter: opened.matters[c.matter] for c in cases if c.matter in opened.matters}
    try:
        doc = bundle_case_document(opened.catalog, bundle, matters,
                                   [c for c in cases if c.matter in matters],
                                   calendar=svc.calendar)
    except FormkitError:
        return []
    # its own kind, beside the case's own 受理通知书
    return [dataclasses.replace(doc, kind="bundle_acceptance")]


def case_documents(opened: OpenCatalog, svc: CaseService, case: Case, key: str, *,
                   heading: bool = True) -> None:
    """Every document the case has now, to print or download (HTML, PDF), under the
    heading 文书 Documents (``heading=False``: where a title already says so)."""
    if opened.catalog is None:
        return
    try:
        matter = case_rules(svc.store, case).matter
    except FormkitError:
        return  # the matter version is missing: nothing can be printed from it
    user = current_user()
    kinds = case_document_kinds(matter, case)
    docs = [case_document(opened.catalog, matter, case, kind, calendar=svc.calendar,
                          clerk=user.name.zh if user else "") for kind in kinds]
    docs += _bundle_acceptance(opened, svc, case)
    if heading:
        st.subheader("文书 Documents", anchor=False)
    document_views(docs, key, chosen=latest_document(case, kinds))
