"""Helpers for the AppTests of the authoring pages (editor, preview, playground, ...)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

IBR = "XX-MS-0001"  # 个体工商户设立登记 (market supervision)
SCOPE = f"preview:{IBR}"  # the preview's widget keys: f"{SCOPE}|{field path}"


def on_matter(signed_in: Callable[..., AppTest], username: str, page: str,
              code: str = IBR) -> AppTest:
    """An AppTest signed in as ``username``, on ``page``, working on matter ``code``."""
    app = signed_in(username)
    app.session_state["current_matter"] = code
    app.switch_page(f"views/{page}").run()
    assert not app.exception, app.exception
    return app


def go(app: AppTest, page: str) -> AppTest:
    """Switch ``app`` to another page of the studio."""
    app.switch_page(f"views/{page}").run()
    assert not app.exception, app.exception
    return app


def draft(workspace: Path, username: str, code: str = IBR) -> Path:
    """Where the user's draft of ``code`` is kept."""
    return workspace / "var" / "drafts" / username / f"{code}.yaml"


def matter_file(workspace: Path) -> Path:
    """The sample matter's file in the workspace catalog."""
    return workspace / "definitions" / "market_supervision" / \
        "individual_business_registration.yaml"


def codes(app: AppTest) -> list[str]:
    """The texts of every ``st.code`` block on the page (rendered errors)."""
    return [c.value for c in app.code]


def texts(app: AppTest) -> str:
    """Every markdown, caption and alert text of the page, joined."""
    parts = [m.value for m in app.markdown] + [c.value for c in app.caption]
    parts += [e.value for e in (*app.error, *app.warning, *app.success, *app.info)]
    return "\n".join(str(p) for p in parts)
