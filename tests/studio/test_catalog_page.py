"""The studio's catalog page: rendered by Streamlit's AppTest and served for real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "studio" / "app.py"


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("FORMKIT_CATALOG", str(ROOT / "definitions"))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def test_lists_every_matter_of_the_sample_catalog(app: AppTest) -> None:
    table = app.dataframe[0].value
    assert len(table) >= 15
    assert {"部门 Department", "编码 Code", "事项名称 Matter", "承诺时限 Committed"} <= set(
        table.columns)
    assert not app.error, [e.value for e in app.error]


def test_department_filter_and_search_narrow_the_list(app: AppTest) -> None:
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
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "catalog.yaml").write_text("name: {zh: 测试中心}\ndepartments: []\n",
                                           encoding="utf-8")
    monkeypatch.setenv("FORMKIT_CATALOG", str(tmp_path))
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception
    assert "错误" in at.error[0].value


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_formkit_studio_serves_the_page() -> None:
    """What `make run` starts: a real Streamlit server on the sample catalog."""
    port = _free_port()
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-m", "formkit.cli", "studio", str(ROOT / "definitions"),
         "--port", str(port)], cwd=ROOT, env=env,
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
