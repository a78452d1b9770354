"""Helpers for driving the studio with Streamlit's AppTest."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "studio" / "app.py"
PASSWORDS = {"admin": "admin123", "ms_editor": "editor123", "ps_editor": "editor123",
             "clerk": "clerk123", "ms_officer": "officer123", "supervisor": "super123"}


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample catalog and rules, with its own store and drafts."""
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    monkeypatch.setenv("FORMKIT_CATALOG", str(tmp_path / "definitions"))
    monkeypatch.setenv("FORMKIT_STORE", str(tmp_path / "var" / "store"))
    monkeypatch.setenv("FORMKIT_DRAFTS", str(tmp_path / "var" / "drafts"))
    monkeypatch.setenv("FORMKIT_TODAY", "2026-11-25")
    return tmp_path


@pytest.fixture()
def signed_in(workspace: Path) -> Callable[..., AppTest]:
    """``signed_in("ms_editor", page="editor.py")``: an AppTest signed in, on a page."""

    def make(username: str, page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        assert not at.exception, at.exception
        at.text_input(key="signin_user").input(username)
        at.text_input(key="signin_password").input(PASSWORDS[username])
        at.button[0].click().run()
        assert not at.exception, at.exception
        if page is not None:
            at.switch_page(f"views/{page}").run()
            assert not at.exception, at.exception
        return at

    return make
