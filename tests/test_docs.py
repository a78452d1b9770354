"""The runnable example in docs/embedding.md runs, and prints what it says."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_embedding_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (ROOT / "docs" / "embedding.md").read_text(encoding="utf-8")
    code = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/embedding.md", "exec"), {"__name__": "__docs__"})
    printed = out.getvalue().splitlines()
    # Each `print(...)  # expected` comment in the doc is what that line prints.
    expected = re.findall(r"print\(.*\)[ \t]+# (.+)", code)
    for want in expected:
        assert any(want.strip() == line.strip() for line in printed), (want, printed)
    assert os.getcwd() == str(ROOT)
