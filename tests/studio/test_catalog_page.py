"""Sign-in and the catalog page, by AppTest; and `formkit studio` served for real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.studio.conftest import APP, ROOT


def test_wrong_password_is_refused(workspace: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.text_input(key="signin_user").input("admin")
    at.text_input(key="signin_password").input("wrong")
    at.button[0].click().run()
    assert not at.exception
    assert "错误" in at.error[0].value


def test_lists_every_matter_of_the_sample_catalog(signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("admin", "catalog.py")
    table = app.dataframe[0].value
    assert len(table) >= 15
    assert {"部门 Department", "编码 Code", "事项名称 Matter", "承诺时限 Committed"} <= set(
        table.columns)
    assert not app.error, [e.value for e in app.error]


def test_department_filter_and_search_narrow_the_list(
        signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("admin", "catalog.py")
    everything = len(app.dataframe[0].value)
    dept = app.selectbox(key="dept")
    dept.select(dept.options[1]).run()
    by_dept = app.dataframe[0].value
    assert 0 < len(by_dept) < everything
    assert set(by_dept["部门 Department"]) == {dept.options[1]}
    app.selectbox(key="dept").select("全部 All").run()
    app.text_input(key="query").input("zzz-no-such-matter").run()
    assert len(app.dataframe[0].value) == 0


def test_broken_catalog_shows_its_errors_not_a_traceback(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    matter = next((workspace / "definitions" / "market_supervision").glob("*.yaml"))
    matter.write_text(matter.read_text(encoding="utf-8").replace("kind:", "knd:", 1),
                      encoding="utf-8")
    app = signed_in("admin", "catalog.py")
    assert not app.exception
    assert "错误" in app.error[0].value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_formkit_studio_serves_the_page() -> None:
    """What `make run` starts: a real Streamlit server on the sample catalog."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "formkit", "studio", str(ROOT / "definitions"),
         "--port", str(port)], cwd=ROOT, env=dict(os.environ),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        health = f"http://127.0.0.1:{port}/_stcore/health"
        while True:
            try:
                with urllib.request.urlopen(health, timeout=2) as resp:
                    assert resp.read().decode() == "ok"
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("the studio did not start")
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
            assert resp.status == 200
            assert b"<div id=\"root\">" in resp.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
