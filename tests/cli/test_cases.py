"""``formkit cases``: the operators' view of a case store (overdue, show, export, import,
reindex), over a real store filled through the case service."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.service import summary
from formkit.cases.tinystore import TinyCaseStore
from formkit.cli import main
from formkit.errors import StoreError
from tests.cases.support import Clock, receive_example, service

DAY = dt.date(2026, 11, 25)


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A store with a business registration (due 11-26) and a restaurant licence."""
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path / "store", clock)
    lease = receive_example(svc, clock, "XX-MS-0001", "without the lease, tolerated", day=DAY)
    food = receive_example(svc, clock, "XX-MS-0002", "restaurant making hot food", day=DAY)
    return tmp_path / "store", {"lease": lease.number, "food": food.number}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["cases", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def one_json(out: str) -> Any:
    assert out.endswith("\n") and out.count("\n") == 1, out
    return json.loads(out)


def test_overdue_lists_the_flagged_cases(filled: tuple[Path, dict[str, str]],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    store, numbers = filled
    code, out, _ = run(capsys, "overdue", "--store", str(store), "--today", "2026-12-03",
                       "--json")
    doc = one_json(out)
    assert code == 0 and doc["today"] == "2026-12-03" and doc["open_cases"] == 2
    flagged = {(f["number"], f["kind"]) for f in doc["overdue"]}
    assert (numbers["lease"], "red") in flagged
    assert (numbers["lease"], "tolerated_overdue") in flagged
    code, out, _ = run(capsys, "overdue", "--store", str(store), "--today", "2026-12-03")
    assert code == 0 and out.rstrip().endswith(f"{len(doc['overdue'])} flagged of 2 open cases")


def test_show_and_an_unknown_case(filled: tuple[Path, dict[str, str]],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    store, numbers = filled
    code, out, _ = run(capsys, "show", numbers["food"], "--store", str(store), "--json")
    assert code == 0 and one_json(out)["number"] == numbers["food"]
    code, out, _ = run(capsys, "show", "FK2026112599999", "--store", str(store), "--json")
    # a number no case has is not found (kind name), not an io error; the input was
    # checked and is wrong: exit 1
    assert code == 1 and one_json(out)["error"] == {
        "kind": "name", "code": "unknown-case", "message": "no case FK2026112599999",
        "hint": "check the number on the receipt"}


def test_export_then_import_into_a_new_store(filled: tuple[Path, dict[str, str]],
                                             tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    store, numbers = filled
    code, exported, _ = run(capsys, "export", "--store", str(store))
    lines = [json.loads(line) for line in exported.splitlines()]
    assert code == 0 and [c["number"] for c in lines] == sorted(numbers.values())
    dump = tmp_path / "export.jsonl"
    dump.write_text(exported, "utf-8")
    code, out, _ = run(capsys, "import", str(dump), "--store", str(tmp_path / "copy"),
                       "--json")
    assert code == 0 and one_json(out) == {"imported": 2}
    code, again, _ = run(capsys, "export", "--store", str(tmp_path / "copy"))
    assert again == exported


def test_reindex_repairs_a_damaged_index(filled: tuple[Path, dict[str, str]],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    store, _ = filled
    _, before, _ = run(capsys, "overdue", "--store", str(store), "--today", "2026-12-03",
                       "--json")
    for path in (store / "open").glob("*.json"):
        path.write_text("{", "utf-8")
    code, out, _ = run(capsys, "overdue", "--store", str(store), "--today", "2026-12-03",
                       "--json")
    error = one_json(out)["error"]
    assert code == 1 and "damaged" in error["message"]
    assert "formkit cases reindex --store" in error["hint"]
    code, out, _ = run(capsys, "reindex", "--store", str(store), "--json")
    assert code == 0 and one_json(out) == {"cases": 2, "open_cases": 2, "index_files": 2,
                                           "removed_files": 0}
    _, after, _ = run(capsys, "overdue", "--store", str(store), "--today", "2026-12-03",
                      "--json")
    assert after == before
    code, out, _ = run(capsys, "reindex", "--store", str(store))
    assert code == 0 and out == ("rebuilt the open-case index: 2 open of 2 cases in 2 files "
                                 "(0 stale files removed)\n")


def test_reindex_after_a_change_met_the_damaged_file(filled: tuple[Path, dict[str, str]],
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    store, numbers = filled
    for path in (store / "open").glob("*.json"):
        path.write_text("{", "utf-8")
    window = TinyCaseStore(store)
    with pytest.raises(StoreError, match="was saved"):  # the journal stays behind
        window.update(numbers["food"], lambda c: {**c, "applicant": "李四"}, summary)
    code, out, _ = run(capsys, "reindex", "--store", str(store), "--json")
    assert code == 0 and one_json(out)["open_cases"] == 2
    assert not (store / "journal.json").exists()
    applicants = {s["number"]: s["applicant"] for s in TinyCaseStore(store).open_summaries()}
    assert applicants[numbers["food"]] == "李四"
