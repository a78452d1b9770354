"""`formkit serve`: what it checks before uvicorn starts (the server itself is run by
hand, see docs/api.md; the app is tested through the test client)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from formkit.cli import main


def test_without_the_api_extra_serve_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name in ("fastapi", "uvicorn") else real(name, *args)
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert main(["serve", "definitions"]) == 2
    assert "pip install 'formkit[api]'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--workers", "0"], ["--port", "70000"]])
def test_bad_options_are_usage_errors(argv: list[str]) -> None:
    assert main(["serve", "definitions", *argv]) == 2


def test_a_catalog_that_does_not_load_stops_it_before_any_worker(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(tmp_path / "none"), "--store", str(tmp_path / "s"),
                 "--json"]) == 1
    assert '"error"' in capsys.readouterr().out
