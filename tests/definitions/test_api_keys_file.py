"""api_keys.yaml sits beside users.yaml in the catalog folder (docs/api.md): it is the
HTTP API's key list, not a matter, and must not make the catalog invalid."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from formkit.cli.main import main

ROOT = Path(__file__).resolve().parents[2]

KEYS = ('api_keys:\n  - name: online_platform\n    key: "sha256$' + "0" * 64 + '"\n'
        "    role: clerk\n")


def test_validate_ignores_api_keys_yaml(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "definitions", tmp_path / "defs")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (tmp_path / "defs" / "api_keys.yaml").write_text(KEYS, encoding="utf-8")
    code = main(["validate", str(tmp_path / "defs"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report
    assert report["ok"] is True
    assert "api_keys.yaml" not in json.dumps(report)
