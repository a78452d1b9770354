"""`formkit studio` without the studio extra: a clear word and exit 2, never a traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from formkit.cli import main

CATALOG = str(Path(__file__).resolve().parents[2] / "definitions")


@pytest.mark.parametrize("module", [
    "streamlit",  # the app itself
    "ruamel",  # round-trip YAML of the editor (find_spec("ruamel.yaml") raises without it)
    "pypinyin",  # the window's matter search
    "formkit_studio",  # the app's package
])
def test_studio_without_its_extra(monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], module: str) -> None:
    # As if not installed: the module and any of its parts already imported.
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, module, None)

    def execve(*args: object) -> None:  # were the check wrong, pytest must not become streamlit
        raise AssertionError(f"the studio was started: {args}")

    monkeypatch.setattr(os, "execve", execve)
    assert main(["studio", CATALOG, "--port", "1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "pip install 'formkit[studio]'" in err
    assert "Traceback" not in err and "internal error" not in err


def test_export_names_the_option_it_refuses(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    assert main(["cases", "export", "--since", "bad", "--store", str(tmp_path)]) == 2
    assert "--since 'bad' is not a date" in capsys.readouterr().err
