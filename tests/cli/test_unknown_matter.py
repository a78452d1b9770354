"""A matter code the catalog does not have: a not-found error, whichever command asks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from formkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
CATALOG = str(ROOT / "definitions")


@pytest.mark.parametrize(("args", "hint"), [
    # A near miss names the closest code ...
    (["precheck", "XX-MS-001", "--data", "{data}"], "did you mean 'XX-MS-0001'?"),
    (["schema", "XX-MS-0002x"], "did you mean 'XX-MS-0002'?"),
    # ... anything else points at validate.
    (["precheck", "ZZZ", "--data", "{data}"], "'formkit validate' lists"),
    (["eval", "1", "--matter", "ZZZ"], "'formkit validate' lists"),
])
def test_unknown_matter(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                        args: list[str], hint: str) -> None:
    data = tmp_path / "data.json"
    data.write_text('{"fields": {}}', encoding="utf-8")
    words = [a.replace("{data}", str(data)) for a in args] + ["--catalog", CATALOG, "--json"]
    assert main(words) == 1
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert (error["kind"], error["code"]) == ("name", "unknown-matter")
    assert error["hint"].startswith(hint), error
    assert "Traceback" not in err
