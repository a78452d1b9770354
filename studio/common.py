"""Shared plumbing of the studio pages: the catalog, the store, the signed-in user.

Pages stay thin: every decision they show comes from a formkit call.
Configuration comes from the environment that `formkit studio` sets:
FORMKIT_CATALOG (catalog folder), FORMKIT_STORE (case store folder),
FORMKIT_DRAFTS (drafts folder), FORMKIT_TODAY (a fixed date, for demos and tests).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import streamlit as st

from formkit.authoring.drafts import DraftStore
from formkit.cases.tinystore import TinyCaseStore
from formkit.catalog import OpenCatalog, catalog_signature, open_catalog
from formkit.definitions.users import User, UserList, load_users
from formkit.errors import FormkitError


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
def _store(path: str, prefix: str) -> TinyCaseStore:
    return TinyCaseStore(path, prefix=prefix)


def store() -> TinyCaseStore:
    """The embedded case store (safe to share between sessions: it locks every write)."""
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


def users() -> UserList:
    """The user list (``users.yaml`` beside catalog.yaml)."""
    path = catalog_dir() / "users.yaml"
    return _users(str(path), path.stat().st_mtime if path.exists() else 0.0)


def current_user() -> User | None:
    """The signed-in user of this browser session."""
    user = st.session_state.get("user")
    return user if isinstance(user, User) else None


def sign_in(user: User) -> None:
    """Remember ``user`` for this session."""
    st.session_state["user"] = user


def sign_out() -> None:
    """Forget the user (and their page state)."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def with_hint(exc: FormkitError) -> str:
    """An error's message with its hint (what to do) after it, for st.error."""
    return exc.message + (f"（{exc.hint}）" if exc.hint else "")


_PRINT = ('<div class="no-print" style="text-align:right">'
          '<button onclick="window.print()">打印 Print</button></div>'
          '<style>@media print { .no-print { display: none; } }</style>')


def with_print_button(page: str) -> str:
    """A notice's HTML with a print button on top (left out of the printout)."""
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _PRINT, page, count=1)
