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
    lease, food = numbers["lease"], numbers["food"]
    # the contract's shape: {"today", "open_cases", "flags": [{number, matter, flag, due,
    # days}]}. Both accepted 2026-11-25 (a Wednesday); working days past the due day:
    assert code == 0 and doc == {"today": "2026-12-03", "open_cases": 2, "flags": [
        # 个体工商户: committed 1 day -> 11-26; 11-27, 11-30, 12-01, 12-02, 12-03 over: red
        {"number": lease, "matter": "XX-MS-0001", "flag": "red", "due": "2026-11-26",
         "days": 5},
        # 食品经营: committed 5 days -> 11-26, 27, 30, 12-01, 12-02; 12-03 over: yellow
        {"number": food, "matter": "XX-MS-0002", "flag": "yellow", "due": "2026-12-02",
         "days": 1},
        # 个体工商户: statutory 3 days (行政许可法 §42 via 条例 §19) -> 11-30; 12-01..03
        {"number": lease, "matter": "XX-MS-0001", "flag": "statutory_overdue",
         "due": "2026-11-30", "days": 3},
        # the lease: due by the committed deadline 11-26 (not 5 days, 12-02)
        {"number": lease, "matter": "XX-MS-0001", "flag": "tolerated_overdue",
         "due": "2026-11-26", "days": 5},
    ]}
    code, out, _ = run(capsys, "overdue", "--store", str(store), "--today", "2026-12-03")
    assert code == 0 and out.rstrip().endswith(f"{len(doc['flags'])} flagged of 2 open cases")


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


# --- import: every line checked, all or nothing ----------------------------------------------

def exported_lines(store: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    code, out, _ = run(capsys, "export", "--store", str(store))
    assert code == 0
    return out.splitlines()


def changed(line: str, **changes: Any) -> str:
    return json.dumps({**json.loads(line), **changes}, ensure_ascii=False)


# (what the second line of an otherwise good export becomes, the error's code and a part
# of its message)
BAD_LINES: list[tuple[str, Any, str, str]] = [
    # the history is not a list: 'cases overdue' used to fail on it after the import
    ("history not a list", lambda line: changed(line, history="x"), "bad-case-field",
     "field 'history'"),
    # a deadline that is not a date (the monitor compared it as one)
    ("deadline not a date", lambda line: changed(line, committed_deadline="not a date"),
     "bad-case-field", "field 'committed_deadline'"),
    # both at once: the first named, the other listed
    ("two wrong fields", lambda line: changed(line, history="x", committed_deadline="x"),
     "bad-case-field", "(also wrong: history)"),
    # an event inside the history with a time that is not one
    ("bad event time", lambda line: changed(line, history=[{**json.loads(line)["history"][0],
                                                            "at": "yesterday"}]),
     "bad-case-field", "field 'history[0].at'"),
    # a state the lifecycle does not have
    ("unknown state", lambda line: changed(line, state="lost"), "bad-case-field",
     "field 'state'"),
    # a required key missing
    ("no matter", lambda line: json.dumps({k: v for k, v in json.loads(line).items()
                                           if k != "matter"}),
     "bad-case-field", "field 'matter'"),
    # not a case number
    ("bad number", lambda line: changed(line, number="FK2026"), "bad-case",
     "'FK2026' is not a case number"),
    # not JSON at all
    ("not JSON", lambda line: line[:30], "io", "line 2 is not JSON"),
    # JSON, but not a case
    ("no number", lambda line: "[1, 2]", "io", "line 2 is not a case"),
]


@pytest.mark.parametrize(("spoil", "code", "message"), [(s, c, m) for _, s, c, m in BAD_LINES],
                         ids=[name for name, _, _, _ in BAD_LINES])
def test_an_import_with_a_bad_line_stores_nothing(
        filled: tuple[Path, dict[str, str]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str], spoil: Any, code: str, message: str) -> None:
    store, _ = filled
    lines = exported_lines(store, capsys)
    dump = tmp_path / "export.jsonl"
    dump.write_text(lines[0] + "\n" + spoil(lines[1]) + "\n", "utf-8")
    target = tmp_path / "copy"
    exit_code, out, _ = run(capsys, "import", str(dump), "--store", str(target), "--json")
    error = one_json(out)["error"]
    assert exit_code == 1 and error["code"] == code and message in error["message"], error
    assert (error["file"], error["line"]) == (str(dump), 2)
    assert not target.exists()  # all or nothing: not even the store was created
    # into an existing store: the good first line is not stored either
    assert run(capsys, "import", str(dump), "--store", str(store))[0] == 1
    assert exported_lines(store, capsys) == lines


def test_import_reports_every_bad_line(filled: tuple[Path, dict[str, str]], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    store, _ = filled
    first, second = exported_lines(store, capsys)
    dump = tmp_path / "export.jsonl"
    dump.write_text("\n".join([changed(first, history="x"), second,
                               changed(second, state="lost")]) + "\n", "utf-8")
    code, _, err = run(capsys, "import", str(dump), "--store", str(tmp_path / "copy"))
    assert code == 1
    assert f"{dump}:1: io error: case " in err and f"{dump}:3: io error: case " in err
    assert err.rstrip().endswith("2 errors")


def test_an_imported_case_is_stored_as_the_model_writes_it(
        filled: tuple[Path, dict[str, str]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    store, _ = filled
    line = exported_lines(store, capsys)[0]
    case = json.loads(line)
    # dates as the model reads them (a datetime for a date) and a key it does not know
    dump = tmp_path / "export.jsonl"
    dump.write_text(changed(line, committed_deadline=case["committed_deadline"] + "T00:00:00",
                            extensions=[]) + "\n", "utf-8")
    assert run(capsys, "import", str(dump), "--store", str(tmp_path / "copy"))[0] == 0
    stored = TinyCaseStore.open_existing(tmp_path / "copy").get(case["number"])
    assert stored == {**case, "extensions": []}
    code, out, _ = run(capsys, "overdue", "--store", str(tmp_path / "copy"), "--today",
                       "2026-12-03", "--json")
    assert code == 0 and one_json(out)["open_cases"] == 1


def test_import_of_a_gbk_file_and_of_a_file_with_a_bom(
        filled: tuple[Path, dict[str, str]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    store, _ = filled
    lines = exported_lines(store, capsys)
    text = "\n".join(lines) + "\n"
    assert "张三" in text  # the applicant's name: not ASCII
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(text.encode("gbk"))
    code, out, _ = run(capsys, "import", str(gbk), "--store", str(tmp_path / "copy"), "--json")
    error = one_json(out)["error"]
    assert code == 1 and error["code"] == "encoding" and error["kind"] == "io"
    assert (error["file"], error["line"]) == (str(gbk), 1)
    assert str(gbk) in error["message"] and "UTF-8" in error["hint"]
    assert not (tmp_path / "copy").exists()
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(text.encode("utf-8-sig"))  # as Windows Notepad saves UTF-8
    code, out, _ = run(capsys, "import", str(bom), "--store", str(tmp_path / "copy"), "--json")
    assert code == 0 and one_json(out) == {"imported": 2}
    assert exported_lines(tmp_path / "copy", capsys) == lines


# --- --store: a read never creates a store ---------------------------------------------------

# (the --store given, relative to a temp folder unless absolute; the code a read gets)
NOT_A_STORE: list[tuple[str, str]] = [
    ("missing", "no-store"),  # a mistyped folder
    ("empty", "no-store"),  # a folder that holds no store
    ("file.txt", "store-path"),  # a file
    ("file.txt/store", "store-path"),  # a folder inside a file
    ("/dev/null", "store-path"),  # a device
    ("/proc/formkit-store", "no-store"),  # a place where no folder can be made
]


@pytest.mark.parametrize(("where", "code"), NOT_A_STORE)
@pytest.mark.parametrize("action", [["show", "FK2026112500001"], ["overdue"], ["export"],
                                    ["verify"], ["reindex"]])
def test_a_read_of_a_folder_that_is_no_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             where: str, code: str, action: list[str]) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("notes", "utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    store = where if where.startswith("/") else str(tmp_path / where)
    exit_code, out, _ = run(capsys, *action, "--store", store, "--json")
    error = one_json(out)["error"]
    assert exit_code == 1 and error["code"] == code and error["kind"] == "io"
    assert error["message"].startswith(f"no case store at {store}")
    assert "--store" in error["hint"] and "FORMKIT_STORE" in error["hint"]
    # nothing was created: not the folder, not a lock, not a layout file
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list((tmp_path / "empty").iterdir()) == []
    assert not Path("/proc/formkit-store").exists()


@pytest.mark.parametrize(("where", "code"), [
    ("file.txt", "store-path"),  # a file
    ("file.txt/store", "store-path"),  # a folder inside a file
    ("/dev/null", "store-path"),  # a device
    ("/proc/formkit-store", "store-path"),  # a place where no folder can be made
])
def test_an_import_into_a_path_that_cannot_be_a_store(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, code: str) -> None:
    (tmp_path / "file.txt").write_text("notes", "utf-8")
    dump = tmp_path / "empty.jsonl"
    dump.write_text("", "utf-8")
    store = where if where.startswith("/") else str(tmp_path / where)
    exit_code, out, _ = run(capsys, "import", str(dump), "--store", store, "--json")
    error = one_json(out)["error"]
    assert exit_code == 1 and error["code"] == code, error
    assert store in error["message"] and "--store" in error["hint"]
    assert (tmp_path / "file.txt").read_text("utf-8") == "notes"


def test_writes_create_a_store_and_reads_then_find_it(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    dump = tmp_path / "empty.jsonl"
    dump.write_text("", "utf-8")
    store = tmp_path / "new" / "store"
    assert run(capsys, "import", str(dump), "--store", str(store))[0] == 0
    code, out, _ = run(capsys, "overdue", "--store", str(store), "--json")
    assert code == 0 and one_json(out)["open_cases"] == 0
    # a store the studio opened (TinyCaseStore(root) creates it) is a store too
    TinyCaseStore(tmp_path / "studio")
    assert run(capsys, "export", "--store", str(tmp_path / "studio"))[0] == 0


# --- verify: the audit trail's hash chain ----------------------------------------------------

def test_verify(filled: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    store, _ = filled
    entries = len(list(TinyCaseStore.open_existing(store).audit()))
    code, out, _ = run(capsys, "verify", "--store", str(store), "--json")
    doc = one_json(out)
    assert code == 0 and doc == {"ok": True, "files": 1, "entries": entries, "unchained": 0,
                                 "torn": 0, "head": doc["head"]}
    assert len(doc["head"]) == 64
    code, out, _ = run(capsys, "verify", "--store", str(store))
    assert code == 0 and out == (
        f"ok: {entries} audit entries in 1 files, chained: none edited, missing or garbled\n"
        f"head: {doc['head']}\n")
    path = store / "audit" / "2026-11.jsonl"
    rows = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join([rows[0], rows[1].replace("window-07", "window-08"), *rows[2:]]),
                    "utf-8")
    code, out, _ = run(capsys, "verify", "--store", str(store), "--json")
    assert code == 1 and one_json(out) == {
        "ok": False, "files": 1, "entries": 1, "unchained": 0, "torn": 0,
        "head": json.loads(rows[0])["chain"]["hash"],
        "break": {"file": str(path), "line": 2, "what": "edited",
                  "message": "the entry does not match its hash: it was changed"}}
    code, out, _ = run(capsys, "verify", "--store", str(store))
    assert code == 1 and out == (f"{path}:2: edited: the entry does not match its hash: it "
                                 "was changed\n1 chained entries were in order before it\n")
