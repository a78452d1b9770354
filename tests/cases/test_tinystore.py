"""Tests for formkit.cases.tinystore: numbers, reads and writes, damaged files, journal, threads.

The tests marked ``contract`` are the store contract: they run against PostgreSQL too
(``formkit.cases.pgstore``; the ``store`` fixture's "postgres" case, see conftest.py).
The others are about the embedded store's files and run against it alone."""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB

import formkit.cases.files
import formkit.cases.tinystore
from formkit.cases.files import SETTLE_NS
from formkit.cases.store import CaseStore
from formkit.cases.tinystore import (
    INDEX_SHARDS,
    LEGACY_SHARDS,
    SHARDS,
    TinyCaseStore,
    parse_number,
)
from formkit.errors import InputError, NotFoundError, StoreError
from tests.cases.conftest import fresh_store, need_postgres, other_centre, reopen

D = dt.date
DAY = D(2026, 11, 25)


def doc(number: str, state: str = "received", **extra: Any) -> dict[str, Any]:
    return {"number": number, "state": state, "history": [], **extra}


def index_entry(case: dict[str, Any]) -> dict[str, Any] | None:
    """The open-case index entry: open cases only."""
    if case["state"] in ("issued", "refused"):
        return None
    return {"number": case["number"], "state": case["state"]}


def create(store: TinyCaseStore, day: dt.date = DAY, **extra: Any) -> dict[str, Any]:
    return store.create(day, lambda n: doc(n, **extra), index_entry)


def set_state(store: TinyCaseStore, number: str, state: str) -> dict[str, Any]:
    return store.update(number, lambda c: {**c, "state": state}, index_entry)


def settle_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count every file as settled however recently it changed, so that reads go
    through the read cache at once (in use a file must first be still for 2 s)."""
    monkeypatch.setattr(formkit.cases.files, "SETTLE_NS", -10 ** 18)


@pytest.fixture(params=["cache", "no-cache", "postgres"])
def store(tmp_path: Path, request: pytest.FixtureRequest,
          monkeypatch: pytest.MonkeyPatch) -> Any:
    """A new store; with "cache", every read it can serve from its read cache is;
    "postgres": a PostgreSQL store (contract tests only: conftest.py deselects it for
    the others)."""
    if request.param == "postgres":
        need_postgres()
        return fresh_store("postgres", tmp_path)
    if request.param == "cache":
        settle_at_once(monkeypatch)
    return TinyCaseStore(tmp_path / "store")


def json_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.json"))


# --- case numbers --------------------------------------------------------------------------


@pytest.mark.contract
def test_numbers_are_prefix_date_and_a_five_digit_sequence(store: TinyCaseStore) -> None:
    got = [create(store)["number"] for _ in range(3)]
    assert got == ["FK2026112500001", "FK2026112500002", "FK2026112500003"]
    # a new day starts again at 1; another centre has its own prefix
    assert create(store, D(2026, 11, 26))["number"] == "FK2026112600001"
    other = other_centre(store, "XX01")
    assert create(other)["number"] == "XX012026112500001"
    assert parse_number("XX012026112500001") == ("XX01", DAY, 1)


@pytest.mark.contract
def test_numbers_are_unique_across_store_objects_on_one_folder(store: CaseStore) -> None:
    # two windows (two store objects, as two processes would hold) on the same folder
    a, b = store, reopen(store)
    numbers = [create(s)["number"] for _ in range(20) for s in (a, b)]
    assert len(set(numbers)) == 40
    assert sorted(numbers) == [f"FK20261125{i:05d}" for i in range(1, 41)]


def test_parse_number_round_trip() -> None:
    assert parse_number("FK2026112500042") == ("FK", DAY, 42)
    assert parse_number(" fk2026112500042 ") == ("FK", DAY, 42)  # as typed at a window


@pytest.mark.parametrize("bad", [
    "",  # nothing
    "FK",  # prefix only
    "FK202611250004",  # a 4-digit sequence
    "FK20261125000421",  # 6 digits after the date, read as a longer prefix: still no
    "2026112500042",  # no prefix
    "FK-2026112500042",  # punctuation
    "ABCDEFGHI2026112500001",  # prefix longer than 8
    "FK2026023000001",  # 30 February
    "FK2026130100001",  # month 13
    "ＦＫ2026112500042",  # full-width letters
])
def test_parse_number_errors(bad: str) -> None:
    with pytest.raises(NotFoundError) as info:  # no case can have it: not an io fault
        parse_number(bad)
    assert (info.value.kind, info.value.code) == ("name", "bad-number")
    assert repr(bad) in str(info.value) or f"'{bad}'" in str(info.value)


def test_a_prefix_that_cannot_make_a_number_is_refused(tmp_path: Path) -> None:
    for prefix in ("F-K", "", "ABCDEFGHI", "fk"):
        with pytest.raises(StoreError):
            TinyCaseStore(tmp_path / "s", prefix=prefix)


# --- get, update, summaries ----------------------------------------------------------------


@pytest.mark.contract
def test_get_and_update(store: TinyCaseStore) -> None:
    case = create(store, applicant="李四")
    assert store.get(case["number"]) == case
    assert store.get("FK2026112500099") is None  # no such sequence
    assert store.get("FK2026112400001") is None  # no such day
    assert store.get("XX2026112500001") is None  # another centre's number
    new = store.update(case["number"], lambda c: {**c, "history": [*c["history"], "x"]},
                       index_entry)
    assert new["history"] == ["x"] and store.get(case["number"]) == new
    with pytest.raises(NotFoundError) as info:
        store.update("FK2026112500099", lambda c: c, index_entry)
    assert (info.value.kind, info.value.code) == ("name", "unknown-case")
    with pytest.raises(NotFoundError) as info:
        store.get("not a number")
    assert (info.value.kind, info.value.code) == ("name", "bad-number")


@pytest.mark.contract
def test_a_failing_change_writes_nothing(store: TinyCaseStore) -> None:
    case = create(store)

    def boom(c: dict[str, Any]) -> dict[str, Any]:
        c["state"] = "half-done"
        raise ValueError("no")

    with pytest.raises(ValueError):
        store.update(case["number"], boom, index_entry)
    assert store.get(case["number"]) == case
    assert store.open_summaries() == [index_entry(case)]
    assert create(store)["number"] == "FK2026112500002"  # the lock was released


@pytest.mark.contract
def test_reads_hand_out_copies(store: TinyCaseStore) -> None:
    case = create(store)
    got = store.get(case["number"])
    assert got is not None
    got["history"].append("tampered")
    got["state"] = "tampered"
    assert store.get(case["number"]) == case
    store.open_summaries()[0]["state"] = "tampered"
    assert store.open_summaries() == [index_entry(case)]
    next(store.cases_since(DAY))["history"].append("tampered")
    assert list(store.cases_since(DAY)) == [case]


@pytest.mark.contract
def test_open_summaries_follow_the_state(store: TinyCaseStore) -> None:
    a, b, c = (create(store)["number"] for _ in range(3))
    set_state(store, b, "issued")
    set_state(store, c, "accepted")
    assert sorted(s["number"] + ":" + s["state"] for s in store.open_summaries()) == [
        f"{a}:received", f"{c}:accepted"]
    assert reopen(store).open_summaries() == store.open_summaries()


@pytest.mark.contract
def test_empty_store(store: CaseStore) -> None:
    assert store.open_summaries() == []
    assert list(store.cases_since(DAY)) == []
    assert list(store.audit()) == []
    assert store.versions() == []


@pytest.mark.contract
def test_cases_since_in_number_order(store: TinyCaseStore) -> None:
    # more cases than shards on several days, created out of day order
    for day in (D(2026, 11, 26), DAY, D(2026, 11, 24), D(2026, 12, 1)):
        for _ in range(2 * SHARDS + 1):
            create(store, day)
    numbers = [c["number"] for c in store.cases_since(DAY)]
    assert numbers == sorted(numbers)
    assert len(numbers) == 3 * (2 * SHARDS + 1)
    assert numbers[0] == "FK2026112500001"
    assert [c["number"] for c in store.cases_since(D(2026, 12, 1))][-1] == \
        f"FK20261201{2 * SHARDS + 1:05d}"


@pytest.mark.contract
def test_import_cases(store: TinyCaseStore, tmp_path: Path) -> None:
    for _ in range(3):
        create(store)
    set_state(store, "FK2026112500002", "issued")
    exported = list(store.cases_since(D(2000, 1, 1)))
    target = fresh_store(store, tmp_path / "restored")
    # imported out of order; the summaries are rebuilt from the cases
    assert target.import_cases(reversed(exported), index_entry) == 3
    assert list(target.cases_since(D(2000, 1, 1))) == exported
    assert sorted(s["number"] for s in target.open_summaries()) == [
        "FK2026112500001", "FK2026112500003"]
    # the sequence moved past the imported numbers: a new case never overwrites one
    assert create(target)["number"] == "FK2026112500004"
    # importing again replaces, never duplicates
    assert target.import_cases(exported, index_entry) == 3
    assert len(list(target.cases_since(D(2000, 1, 1)))) == 4
    with pytest.raises(InputError) as info:
        target.import_cases([doc("bogus")], index_entry)
    assert info.value.code == "bad-case" and "'bogus' is not a case number" in str(info.value)


# --- versions ------------------------------------------------------------------------------


@pytest.mark.contract
def test_versions_are_immutable_snapshots_by_hash(store: TinyCaseStore) -> None:
    h1, h2, h3 = "a" * 64, "b" * 64, "c" * 64
    snap = {"hash": h1, "code": "XX-NR-0001", "published_at": "2026-11-01T09:00:00",
            "matter": {"time_limit": {"committed_days": 5}}}
    assert store.put_version(snap) is True
    # publishing the same content again changes nothing, even with other metadata
    assert store.put_version({**snap, "published_at": "2026-11-30T09:00:00"}) is False
    assert store.get_version(h1) == snap
    assert store.get_version(h2) is None
    assert store.put_version({"hash": h3, "code": "XX-NR-0001",
                              "published_at": "2026-11-20T09:00:00"}) is True
    assert store.put_version({"hash": h2, "code": "XX-HC-0001",
                              "published_at": "2026-11-10T09:00:00"}) is True
    assert [v["hash"] for v in store.versions()] == [h1, h2, h3]
    assert [v["hash"] for v in store.versions("XX-NR-0001")] == [h1, h3]
    got = store.get_version(h1)
    assert got is not None
    got["matter"]["time_limit"]["committed_days"] = 1
    assert store.get_version(h1) == snap  # a copy, not the stored snapshot
    with pytest.raises(InputError):
        store.put_version({"hash": "not-hex", "code": "x"})


# --- damaged files -------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", [
    b'{"cases": {"1": {"number": "FK2026112500001", "sta',  # cut short
    b"",  # emptied
    b"\xff\xfe\x00garbage",  # not UTF-8
    b"[1, 2, 3]",  # JSON, but not a TinyDB file
    b'{"cases": [1, 2]}',  # a TinyDB file with a table of the wrong shape
    b'{"cases": {"1": {"number": "FK2026112500001"}},}',  # a trailing comma
    b'{"cases": {"1": {"number": "x"} "17": {}}}',  # a missing one
    b'{"cases": {"1": {"number": "FK2026112500001"}}} {}',  # more after the end
    b'{"cases": {"1": {"number": "FK2026112500001"}, "17": 5}}',  # not a document
])
def test_a_damaged_partition_is_a_store_error(store: TinyCaseStore, garbage: bytes) -> None:
    numbers = [create(store)["number"] for _ in range(SHARDS * 2)]
    damaged = parse_number(numbers[0])[2]
    part = store.root / "cases" / "2026" / "11" / f"25-{damaged % SHARDS}.json"
    assert part.exists()
    part.write_bytes(garbage)
    hit = [n for n in numbers if parse_number(n)[2] % SHARDS == damaged % SHARDS]
    for n in hit:
        if garbage == b"":
            break  # an emptied file reads as an empty table: the cases are simply absent
        with pytest.raises(StoreError) as info:
            store.get(n)
        assert str(part) in str(info.value) and info.value.hint
        with pytest.raises(StoreError):
            store.update(n, lambda c: c, index_entry)
        with pytest.raises(StoreError):
            list(store.cases_since(DAY))
    # every other partition still reads and writes; so does the index
    for n in numbers:
        if n not in hit:
            assert store.get(n) is not None
            set_state(store, n, "accepted")
    assert len(store.open_summaries()) == len(numbers)
    # and a fresh store object (another process) opens the folder without trouble
    assert TinyCaseStore(store.root).get(numbers[1]) is not None


def test_a_damaged_index_or_sequence_is_a_store_error(store: TinyCaseStore) -> None:
    case = create(store)
    (store.root / "open" / f"2026-11-25-{1 % store.index_shards}.json").write_text("{", "utf-8")
    with pytest.raises(StoreError):
        store.open_summaries()
    assert store.get(case["number"]) == case  # the cases themselves are fine
    (store.root / "seq" / "2026-11.json").write_text("{", "utf-8")
    with pytest.raises(StoreError):
        create(store)


def test_a_damaged_audit_line_is_skipped(store: TinyCaseStore) -> None:
    store.append_audit({"at": "2026-11-25T09:00:00", "action": "one"})
    path = store.root / "audit" / "2026-11.jsonl"
    with path.open("a", encoding="utf-8") as f:
        f.write('{"at": "2026-11-25T09:01:00", "act')  # torn by a power cut
    store.append_audit({"at": "2026-11-25T09:02:00", "action": "two"})
    assert [e["action"] for e in store.audit()] == ["one", "two"]


# --- the journal: a crash between the case write and the index write -----------------------

CRASH_AT = """
import os, sys
from pathlib import Path
import formkit.cases.tinystore as st
import formkit.cases.files as sf
root, number, point = sys.argv[1], sys.argv[2], sys.argv[3]
real_write, real_unlink = st.write_atomic, os.unlink
def write_atomic(path, text, **kwargs):
    if point in Path(path).relative_to(root).parts[0]:
        os._exit(70)  # no cleanup, no unlock, nothing flushed: a crash
    real_write(path, text, **kwargs)
def unlink(path, *args, **kwargs):
    if point == "unlink" and Path(path).name == "journal.json":
        os._exit(70)  # everything written, the journal still there
    real_unlink(path, *args, **kwargs)
st.write_atomic = sf.write_atomic = write_atomic  # the store's writes and TinyDB's
os.unlink = unlink
store = st.TinyCaseStore(root)
store.update(number, lambda c: {**c, "state": "accepted", "history": ["accepted"]},
             lambda c: {"number": c["number"], "state": c["state"]},
             lambda c: {"number": c["number"], "at": "2026-11-25T10:00:00",
                        "action": "accept"})
"""


@pytest.mark.parametrize(("point", "state"), [
    ("journal", None),  # dies writing the journal
    ("cases", "received"),  # dies writing the case: the update never happened
    ("open", "accepted"),  # dies writing the index: the case is written, index and audit not
    ("unlink", "accepted"),  # dies removing the journal: everything was written
])
def test_journal_replay_after_a_crash(store: TinyCaseStore, point: str,
                                      state: str | None) -> None:
    case = create(store)
    other = create(store)
    proc = subprocess.run([sys.executable, "-c", CRASH_AT, str(store.root), case["number"],
                           point], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 70, proc.stderr
    for path in json_files(store.root):
        json.loads(path.read_text("utf-8"))  # whatever the moment, every file parses
    got = store.get(case["number"])
    assert got is not None
    if state is not None:
        assert got["state"] == state
    # the next store to open the folder (or the next write) replays the journal, and the
    # index agrees with the cases, whichever side of the crash the update fell on
    reopened = TinyCaseStore(store.root)
    assert not (store.root / "journal.json").exists()
    summaries = {s["number"]: s["state"] for s in reopened.open_summaries()}
    assert summaries == {case["number"]: got["state"], other["number"]: "received"}
    # the audit entry committed with the update is there exactly when the update is
    audit = [e["action"] for e in reopened.audit() if e.get("number") == case["number"]]
    assert audit == (["accept"] if got["state"] == "accepted" else [])
    assert reopened.get(case["number"]) == got
    # and the store carries on
    assert create(reopened)["number"] == "FK2026112500003"
    set_state(reopened, case["number"], "issued")
    assert sorted(s["number"] for s in reopened.open_summaries()) == [
        other["number"], "FK2026112500003"]


def test_a_garbled_journal_is_dropped(store: TinyCaseStore) -> None:
    case = create(store)
    (store.root / "journal.json").write_text('{"day": "2026-11-', "utf-8")
    reopened = TinyCaseStore(store.root)
    assert not (store.root / "journal.json").exists()
    assert reopened.open_summaries() == [index_entry(case)]


# --- threads -------------------------------------------------------------------------------


@pytest.mark.contract
def test_four_threads_sharing_one_store_lose_nothing(store: TinyCaseStore) -> None:
    # what st.cache_resource does: one store object for every session's thread
    shared = [create(store)["number"] for _ in range(3)]
    created: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work(t: int) -> None:
        try:
            start.wait()
            for i in range(200):
                number = shared[i % 3]
                store.update(number, lambda c, t=t, i=i: {**c, "history": [*c["history"],
                                                                           f"{t}:{i}"]},
                             index_entry)
                assert store.get(number) is not None
                if i % 20 == 0:
                    created.append(create(store)["number"])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    history = [h for n in shared for h in reopen(store).get(n)["history"]]
    assert sorted(history) == sorted(f"{t}:{i}" for t in range(4) for i in range(200))
    assert len(set(created)) == len(created) == 40
    assert len(store.open_summaries()) == 43
    for path in json_files(store.root) if isinstance(store, TinyCaseStore) else ():
        json.loads(path.read_text("utf-8"))


# --- layout: shards per day -----------------------------------------------------------------


def partitions(root: Path, day: dt.date = DAY) -> list[str]:
    return sorted(p.name for p in (root / "cases" / f"{day:%Y}" / f"{day:%m}").iterdir())


def index_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "open").iterdir())


def test_a_new_store_records_its_layout(store: TinyCaseStore) -> None:
    assert json.loads((store.root / "layout.json").read_text("utf-8")) == {
        "shards": SHARDS, "index_shards": INDEX_SHARDS}
    assert (store.shards, store.index_shards) == (SHARDS, INDEX_SHARDS) == (16, 4)
    for _ in range(SHARDS + 1):
        create(store)
    assert partitions(store.root) == sorted(f"25-{i}.json" for i in range(SHARDS))
    assert index_files(store.root) == [f"2026-11-25-{i}.json" for i in range(INDEX_SHARDS)]
    part = json.loads((store.root / "cases" / "2026" / "11" / "25-1.json").read_text("utf-8"))
    assert sorted(part["cases"]) == ["1", str(SHARDS + 1)]
    # another store object on the folder takes the recorded layout
    assert (TinyCaseStore(store.root).shards, TinyCaseStore(store.root).index_shards) == (
        SHARDS, INDEX_SHARDS)


def legacy_store(root: Path, cases: list[dict[str, Any]]) -> None:
    """A store folder as formkit wrote it before layout.json: 4 partitions and 4 index
    files a day (TinyDB files), a sequence per month, no layout file."""
    for case in cases:
        _, day, seq = parse_number(case["number"])
        for path, table, row in (
                (root / "cases" / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}-{seq % 4}.json",
                 "cases", case),
                (root / "open" / f"{day:%Y-%m-%d}-{seq % 4}.json", "open", index_entry(case))):
            data = json.loads(path.read_text("utf-8")) if path.exists() else {table: {}}
            if row is not None:
                data[table][str(seq)] = row
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    (root / "seq").mkdir()
    (root / "seq" / "2026-11.json").write_text(json.dumps(
        {"seq": {"20261125": {"day": "2026-11-25", "last": len(cases)}}}), "utf-8")


def test_a_store_made_before_the_layout_file_keeps_its_four_shards(tmp_path: Path) -> None:
    root = tmp_path / "old"
    cases = [doc(f"FK20261125{i:05d}", "issued" if i == 3 else "received")
             for i in range(1, 10)]
    legacy_store(root, cases)
    store = TinyCaseStore(root)
    assert (store.shards, store.index_shards) == (LEGACY_SHARDS, LEGACY_SHARDS) == (4, 4)
    # checked against the partition names once, then written down: a file lost later
    # is noticed, never guessed (see the next test)
    assert json.loads((root / "layout.json").read_text("utf-8")) == {
        "shards": 4, "index_shards": 4}
    assert [store.get(c["number"]) for c in cases] == cases
    assert list(store.cases_since(DAY)) == cases
    assert sorted(s["number"] for s in store.open_summaries()) == [
        c["number"] for c in cases if c["state"] != "issued"]
    set_state(store, "FK2026112500005", "accepted")
    assert create(store)["number"] == "FK2026112500010"
    assert partitions(root) == [f"25-{i}.json" for i in range(4)]  # 10 went to 25-2
    assert index_files(root) == [f"2026-11-25-{i}.json" for i in range(4)]
    reopened = TinyCaseStore(root)
    got = reopened.get("FK2026112500005")
    assert got is not None and got["state"] == "accepted"
    assert reopened.get("FK2026112500010") is not None
    assert len(reopened.open_summaries()) == 9


def test_a_lost_layout_file_is_refused_not_guessed(tmp_path: Path) -> None:
    store = TinyCaseStore(tmp_path / "s")
    numbers = [create(store)["number"] for _ in range(20)]
    (store.root / "layout.json").unlink()
    with pytest.raises(StoreError) as info:
        TinyCaseStore(store.root)
    assert info.value.code == "layout-missing" and '"shards": 16' in str(info.value.hint)
    assert not (store.root / "layout.json").exists()  # nothing written, nothing lost
    (store.root / "layout.json").write_text('{"shards": 16, "index_shards": 4}', "utf-8")
    assert [c["number"] for c in TinyCaseStore(store.root).cases_since(DAY)] == numbers


def test_the_layout_file_decides(tmp_path: Path) -> None:
    root = tmp_path / "s"
    root.mkdir()
    (root / "layout.json").write_text('{"shards": 3, "index_shards": 2}', "utf-8")
    store = TinyCaseStore(root)
    numbers = [create(store)["number"] for _ in range(7)]
    assert partitions(root) == ["25-0.json", "25-1.json", "25-2.json"]
    assert index_files(root) == ["2026-11-25-0.json", "2026-11-25-1.json"]
    assert [c["number"] for c in TinyCaseStore(root).cases_since(DAY)] == numbers


@pytest.mark.parametrize("text", [
    "{", "[16, 4]", '{"shards": 16}', '{"shards": 0, "index_shards": 4}',
    '{"shards": "16", "index_shards": 4}', '{"shards": true, "index_shards": 4}'])
def test_a_damaged_layout_file_is_a_store_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "layout.json").write_text(text, "utf-8")
    with pytest.raises(StoreError) as info:
        TinyCaseStore(tmp_path / "s")
    assert info.value.code == "damaged" and "layout.json" in str(info.value)


# --- numbers are never given twice, cases never overwritten ---------------------------------


def test_a_counter_behind_its_cases_never_overwrites_one(store: TinyCaseStore) -> None:
    made = [create(store) for _ in range(3)]
    # a seq file restored from an older backup: the day's counter says 1
    (store.root / "seq" / "2026-11.json").write_text(json.dumps(
        {"seq": {"20261125": {"day": "2026-11-25", "last": 1}}}), "utf-8")
    assert create(store)["number"] == "FK2026112500004"
    assert [store.get(c["number"]) for c in made] == made


def test_an_import_raises_the_counter_before_it_writes_cases(tmp_path: Path) -> None:
    store = TinyCaseStore(tmp_path / "s")
    cases = [doc(f"FK20261125{i:05d}") for i in range(1, 4)]
    (store.root / "open").mkdir()
    (store.root / "open" / "2026-11-25-1.json").write_text("{", "utf-8")  # damaged
    with pytest.raises(StoreError):
        store.import_cases(cases, index_entry)
    (store.root / "open" / "2026-11-25-1.json").unlink()
    assert create(store)["number"] == "FK2026112500004"  # 1-3 may have been written


@pytest.mark.contract
def test_an_import_keeps_to_the_store_s_numbers(store: CaseStore) -> None:
    with pytest.raises(StoreError) as info:
        store.import_cases([doc("XX2026112500001")], index_entry)
    assert info.value.code == "other-prefix"
    assert store.import_cases([doc("fk2026112500001")], index_entry) == 1
    found = store.get("FK2026112500001")
    assert found is not None and found["number"] == "FK2026112500001"


@pytest.mark.parametrize("garbage", ["9" * 5000, "[" * 100_000 + "]" * 100_000])
def test_a_partition_with_absurd_json_is_a_store_error(store: TinyCaseStore,
                                                       garbage: str) -> None:
    case = create(store)
    part = store.root / "cases" / "2026" / "11" / "25-1.json"
    part.write_text('{"cases": {"1": {"n": ' + garbage + '}}}', "utf-8")
    with pytest.raises(StoreError) as info:
        TinyCaseStore(store.root).get(case["number"])
    assert info.value.code == "damaged"
    with pytest.raises(StoreError):
        set_state(store, case["number"], "accepted")


def test_a_file_that_cannot_be_read_is_an_io_error_not_damage(store: TinyCaseStore) -> None:
    case = create(store)
    part = store.root / "cases" / "2026" / "11" / "25-1.json"
    part.unlink()
    part.mkdir()  # unreadable as a file (as root, permissions would not stop a read)
    with pytest.raises(StoreError) as info:
        TinyCaseStore(store.root).get(case["number"])
    assert info.value.code == "io" and "restore" not in str(info.value.hint)


# --- the read cache --------------------------------------------------------------------------

OTHER_PROCESS = """
import sys
from formkit.cases.tinystore import TinyCaseStore
TinyCaseStore(sys.argv[1]).update(sys.argv[2], lambda c: {**c, "state": sys.argv[3]},
                                  lambda c: None if c["state"] == "issued" else
                                  {"number": c["number"], "state": c["state"]})
"""


def in_other_process(root: Path, number: str, state: str) -> None:
    proc = subprocess.run([sys.executable, "-c", OTHER_PROCESS, str(root), number, state],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_the_cache_never_serves_what_another_writer_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settle_at_once(monkeypatch)
    store = TinyCaseStore(tmp_path / "s")
    first, *_, last = [create(store)["number"] for _ in range(SHARDS + 1)]  # seq 1 and 17
    assert store.get(first) is not None and store.get(last) is not None
    assert store.open_summaries() and list(store.cases_since(DAY))
    assert {k: store.cache_info()[k] for k in ("partitions", "cases")} == {
        "partitions": 1, "cases": 2}
    # another process changes both cases of the cached partition, one after the other
    in_other_process(store.root, first, "accepted")
    got = store.get(first)
    assert got is not None and got["state"] == "accepted"
    in_other_process(store.root, last, "issued")
    assert [store.get(n)["state"] for n in (first, last)] == [  # type: ignore[index]
        "accepted", "issued"]
    by_number = {c["number"]: c["state"] for c in store.cases_since(DAY)}
    assert (by_number[first], by_number[last]) == ("accepted", "issued")
    # and the open index: the issued case leaves it
    assert {s["number"]: s["state"] for s in store.open_summaries()}[first] == "accepted"
    assert last not in {s["number"] for s in store.open_summaries()}
    # another store object in this process, the same
    other = TinyCaseStore(store.root)
    set_state(other, first, "in_review")
    got = store.get(first)
    assert got is not None and got["state"] == "in_review"
    assert store.cache_info()["partitions"] == 1


def test_an_index_file_removed_by_another_writer_leaves_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settle_at_once(monkeypatch)
    store = TinyCaseStore(tmp_path / "s")
    numbers = [create(store)["number"] for _ in range(INDEX_SHARDS)]  # one per index file
    assert len(store.open_summaries()) == INDEX_SHARDS
    tables = store.cache_info()["tables"]
    in_other_process(store.root, numbers[0], "issued")  # its index file is removed
    assert sorted(s["number"] for s in store.open_summaries()) == numbers[1:]
    assert store.cache_info()["tables"] == tables - 1


def test_a_recently_changed_file_is_read_afresh_until_it_settles(tmp_path: Path) -> None:
    store = TinyCaseStore(tmp_path / "s")
    case = create(store)
    assert store.get(case["number"]) == case
    assert store.cache_info()["partitions"] == 0  # written just now: not trusted yet
    time.sleep(SETTLE_NS / 1e9 + 0.1)
    assert store.get(case["number"]) == case
    assert store.cache_info()["partitions"] == 1
    assert store.get(case["number"]) == case


def test_a_rewrite_that_leaves_the_stat_unchanged_is_still_seen(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The worst writer: in place, same size, twice within one timestamp tick, so inode,
    # times and size all stay the same. This kernel's timestamps are fine-grained, so
    # the store is given one-second timestamps (as FAT, HFS+ or an old NFS server has).
    def coarse(st: os.stat_result) -> tuple[int, int, int, int, int]:
        second = 1_000_000_000
        return (st.st_dev, st.st_ino, st.st_ctime_ns // second, st.st_mtime_ns // second,
                st.st_size)

    monkeypatch.setattr(formkit.cases.tinystore, "stamp_of", coarse)
    monkeypatch.setattr(formkit.cases.files, "stamp_of", coarse)
    store = TinyCaseStore(tmp_path / "s", fsync=False)
    case = create(store)
    part = store.root / "cases" / "2026" / "11" / "25-1.json"
    before = part.read_bytes()
    after = before.replace(b'"received"', b'"accepted"')
    assert len(after) == len(before) and after != before
    for _ in range(200):
        with part.open("r+b") as f:
            f.write(before)
        seen = coarse(os.stat(part))
        got = store.get(case["number"])
        assert got is not None and got["state"] == "received"
        with part.open("r+b") as f:
            f.write(after)
        if coarse(os.stat(part)) == seen:
            break
    else:  # pragma: no cover - 200 pairs of writes, none within one second
        pytest.fail("could not write twice within one second")
    got = store.get(case["number"])
    assert got is not None and got["state"] == "accepted"


def test_the_cache_keeps_to_its_byte_budget(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    settle_at_once(monkeypatch)
    root = tmp_path / "s"
    days = [DAY + dt.timedelta(days=i) for i in range(8)]
    cases = [doc(f"FK{day:%Y%m%d}00001", history=["x"] * 20) for day in days]
    assert TinyCaseStore(root).import_cases(cases, index_entry) == len(cases)
    probe = TinyCaseStore(root)
    probe.get(cases[0]["number"])
    one = probe.cache_info()["bytes"]  # every partition holds one case of the same size
    store = TinyCaseStore(root, cache_bytes=3 * one + one // 2)
    for _ in range(2):
        assert [store.get(c["number"]) for c in cases] == cases
    info = store.cache_info()
    assert (info["partitions"], info["cases"], info["bytes"]) == (3, 3, 3 * one)
    # least recently used out: the last three days stay
    store.get(cases[-1]["number"])
    assert store.get(cases[0]["number"]) == cases[0]
    assert store.cache_info()["partitions"] == 3


def test_the_cache_gives_the_collector_nothing_to_walk(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue #5: a long-lived store holding parsed cases made every full collection walk
    # them (800 ms at 40,000 cases), whatever operation it fell in.
    settle_at_once(monkeypatch)
    root = tmp_path / "s"
    history = [{"action": "sign_off", "data": {"unit": "a.b", "list": [1, 2]}}] * 6
    cases = [doc(f"FK{DAY + dt.timedelta(days=i % 2):%Y%m%d}{i // 2 + 1:05d}",
                 history=history, route=[["a.b"], ["c.d"]]) for i in range(300)]
    TinyCaseStore(root).import_cases(cases, index_entry)
    store = TinyCaseStore(root)
    gc.collect()
    before = len(gc.get_objects())
    for c in cases:
        store.get(c["number"])
    gc.collect()
    info = store.cache_info()
    assert (info["partitions"], info["cases"]) == (2 * SHARDS, 300)
    # a few objects per cached file (its path, its entry), none per case: parsed, these
    # cases would be some 9,000 containers (a dict per event, a list per route step ...)
    assert len(gc.get_objects()) - before <= 4 * info["partitions"]


def test_files_stay_compact_tinydb_files(store: TinyCaseStore) -> None:
    # writes of one document splice its text among the others' texts: the result must
    # be the file json.dumps would write, and TinyDB itself must read it
    numbers = [create(store, applicant="王五 \"引号\" \\")["number"] for _ in range(SHARDS + 2)]
    set_state(store, numbers[0], "accepted")
    set_state(store, numbers[SHARDS], "issued")
    for path in json_files(store.root / "cases") + json_files(store.root / "open"):
        text = path.read_text("utf-8")
        assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    db = TinyDB(store.root / "cases" / "2026" / "11" / "25-1.json")
    assert [d["state"] for d in db.table("cases").all()] == ["accepted", "issued"]
    db.close()


def test_an_unchanged_index_entry_is_not_rewritten(store: TinyCaseStore) -> None:
    case = create(store)
    index = store.root / "open" / f"2026-11-25-{1 % store.index_shards}.json"
    before = os.stat(index)
    store.update(case["number"], lambda c: {**c, "history": ["noted"]}, index_entry)
    after = os.stat(index)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    set_state(store, case["number"], "accepted")
    assert os.stat(index).st_ino != before.st_ino
    assert store.open_summaries() == [{"number": case["number"], "state": "accepted"}]


# --- repair: the open-case index is derived from the cases, and rebuilt from them -------------

def _by_number(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(summaries, key=lambda s: s["number"])


def test_a_damaged_index_file_is_rebuilt_from_the_cases(store: TinyCaseStore) -> None:
    numbers = [create(store)["number"] for _ in range(12)]
    set_state(store, numbers[0], "issued")  # off the index
    before = _by_number(store.open_summaries())
    seq = parse_number(numbers[1])[2]
    bad = store.root / "open" / f"2026-11-25-{seq % store.index_shards}.json"
    bad.write_text('{"open": {"2": ', "utf-8")
    with pytest.raises(StoreError) as info:
        store.open_summaries()
    assert "reindex" in (info.value.hint or "")
    # A change whose index entry is in that file is saved, and the error says so.
    with pytest.raises(StoreError) as info:
        store.update(numbers[1], lambda c: {**c, "state": "accepted"}, index_entry,
                     lambda c: {"at": "2026-11-25T10:00:00", "action": "accept",
                                "number": c["number"]})
    assert f"case {numbers[1]} was saved" in info.value.message
    assert "reindex" in (info.value.hint or "")
    assert store.get(numbers[1])["state"] == "accepted"  # type: ignore[index]
    with pytest.raises(StoreError):  # its journal holds back other writes
        create(store)
    counts = store.rebuild_index(index_entry)
    assert counts == {"cases": 12, "open_cases": 11, "index_files": store.index_shards,
                      "removed_files": 0}
    assert not (store.root / "journal.json").exists()
    want = [{**s, "state": "accepted"} if s["number"] == numbers[1] else s for s in before]
    assert _by_number(store.open_summaries()) == want
    assert [e["action"] for e in store.audit()] == ["accept"]  # completed once
    store.rebuild_index(index_entry)  # again: nothing changes, nothing is added
    assert _by_number(store.open_summaries()) == want
    assert [e["action"] for e in store.audit()] == ["accept"]
    assert create(store)["number"] == store.number(DAY, 13)  # writes again


def test_a_lost_index_is_rebuilt_and_stale_index_files_go(store: TinyCaseStore) -> None:
    for day in (D(2026, 11, 24), DAY):
        for _ in range(5):
            create(store, day)
    before = _by_number(store.open_summaries())
    folder = store.root / "open"
    for path in folder.glob("2026-11-24-*.json"):
        path.unlink()
    stale = folder / "2026-01-05-0.json"  # a case that is no longer open (or never was)
    stale.write_text('{"open": {"4": {"number": "FK2026010500004", "state": "accepted"}}}',
                     "utf-8")
    notes = folder / "notes.txt"  # not an index file: not ours to remove
    notes.write_text("hand-written", "utf-8")
    counts = store.rebuild_index(index_entry)
    assert (counts["cases"], counts["open_cases"], counts["removed_files"]) == (10, 10, 1)
    assert not stale.exists() and notes.exists()
    assert _by_number(store.open_summaries()) == before
    assert _by_number(TinyCaseStore(store.root).open_summaries()) == before


def test_a_damaged_case_partition_stops_the_rebuild_before_it_writes(
        store: TinyCaseStore) -> None:
    numbers = [create(store)["number"] for _ in range(SHARDS + 2)]
    set_state(store, numbers[3], "issued")
    folder = store.root / "open"
    index_before = {p.name: p.read_bytes() for p in folder.iterdir()}
    part = store.root / "cases" / "2026" / "11" / f"25-{parse_number(numbers[5])[2] % SHARDS}.json"
    part.write_bytes(b'{"cases": {"6": [')
    with pytest.raises(StoreError) as info:
        store.rebuild_index(lambda c: {"number": c["number"], "state": "rebuilt"})
    assert info.value.code == "damaged" and str(part) in info.value.message
    assert "export" in (info.value.hint or "")  # a partition is restored, not rebuilt
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == index_before


def test_a_journal_whose_removal_was_lost_adds_no_audit_line_twice(
        store: TinyCaseStore) -> None:
    case = create(store)
    entry = {"at": "2026-11-25T10:00:00", "action": "accept", "number": case["number"]}
    store.update(case["number"], lambda c: {**c, "state": "accepted"}, index_entry,
                 lambda c: entry)
    summary_file = next((store.root / "open").glob("*.json"))
    journal = {"day": "2026-11-25", "seq": parse_number(case["number"])[2],
               "summary": {"number": case["number"], "state": "accepted"},
               "case": store.get(case["number"]), "audit": entry}
    # a later audit line reached the disk, the journal's removal did not (a power cut)
    store.append_audit({"at": "2026-11-25T10:05:00", "action": "sign-in"})
    (store.root / "journal.json").write_text(json.dumps(journal, ensure_ascii=False), "utf-8")
    index_before = summary_file.read_bytes()
    reopened = TinyCaseStore(store.root)  # replays the journal
    assert not (reopened.root / "journal.json").exists()
    assert [e["action"] for e in reopened.audit()] == ["accept", "sign-in"]
    assert summary_file.read_bytes() == index_before


# --- digests: per-partition figures kept while the partition is unchanged -------------------

def test_digests_are_kept_while_their_partition_is_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settle_at_once(monkeypatch)
    store = TinyCaseStore(tmp_path / "store", fsync=False)
    numbers = [create(store, day)["number"] for day in (D(2026, 11, 23), DAY, DAY)]
    seen: list[list[str]] = []

    def digest(cases: list[dict[str, Any]]) -> list[str]:
        got = [f"{c['number']}:{c['state']}" for c in cases]
        seen.append(got)
        return got

    def digests(since: dt.date | None = None, key: str = "states") -> list[list[str]]:
        return store.digests_since(since or D(2026, 11, 1), key, digest)

    first = digests()
    assert sorted(x for d in first for x in d) == sorted(f"{n}:received" for n in numbers)
    assert len(seen) == 3  # one call per partition (seq 1 and 2 of the 25th differ)
    assert digests() == first and len(seen) == 3  # nothing read again
    set_state(store, numbers[1], "accepted")
    assert f"{numbers[1]}:accepted" in [x for d in digests() for x in d]
    assert len(seen) == 4  # only the changed partition
    assert digests(DAY) == [d for d in digests() if d[0].startswith(numbers[1][:10])]
    assert len(seen) == 4  # a shorter period uses the same digests
    assert len(digests(key="another")) == 3 and len(seen) == 7  # its own digests


def test_a_digest_of_a_partition_still_settling_is_not_kept(tmp_path: Path) -> None:
    store = TinyCaseStore(tmp_path / "store", fsync=False)
    create(store)
    calls = []
    for _ in range(2):
        store.digests_since(DAY, "n", lambda cases: calls.append(len(cases)))
    assert calls == [1, 1]  # just written: read again until it has been still for 2 s


def test_digests_forget_removed_partitions_and_old_keys(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settle_at_once(monkeypatch)
    store = TinyCaseStore(tmp_path / "store", fsync=False)
    create(store)
    for key in range(6):
        store.digests_since(DAY, key, len)
    assert list(store._digests) == [4, 5]  # the two most recent keys
    part = next((store.root / "cases").glob("*/*/*.json"))
    part.unlink()
    assert store.digests_since(DAY, 5, len) == []
    assert store._digests[5] == {}


def test_sessions_share_digests_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settle_at_once(monkeypatch)
    store = TinyCaseStore(tmp_path / "store", fsync=False)
    for day in range(1, 21):
        for _ in range(3):
            create(store, D(2026, 11, day))
    failures: list[BaseException] = []

    def session() -> None:
        try:
            for _ in range(30):
                got = store.digests_since(D(2026, 11, 1), "n", len)
                assert sum(got) >= 60
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    def window() -> None:
        for _ in range(15):
            create(store, D(2026, 11, 30))

    threads = [threading.Thread(target=session) for _ in range(3)]
    threads.append(threading.Thread(target=window))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
    assert sum(store.digests_since(D(2026, 11, 1), "n", len)) == 75


def test_a_new_process_can_open_the_store_and_rebuild(store: TinyCaseStore) -> None:
    numbers = [create(store)["number"] for _ in range(3)]
    seq = parse_number(numbers[0])[2]
    (store.root / "open" / f"2026-11-25-{seq % store.index_shards}.json").write_text(
        "{", "utf-8")
    with pytest.raises(StoreError, match="was saved"):
        set_state(store, numbers[0], "accepted")
    other = TinyCaseStore(store.root)  # a restarted studio, the CLI: opening still works
    assert other.get(numbers[0])["state"] == "accepted"  # type: ignore[index]
    with pytest.raises(StoreError) as info:  # writes wait for the repair, and say so
        create(other)
    assert "reindex" in (info.value.hint or "")
    other.rebuild_index(index_entry)
    assert {s["number"]: s["state"] for s in other.open_summaries()} == {
        numbers[0]: "accepted", numbers[1]: "received", numbers[2]: "received"}
    assert create(other)["number"] == other.number(DAY, 4)


def test_a_rebuild_stopped_by_a_damaged_partition_keeps_the_journal(
        store: TinyCaseStore) -> None:
    numbers = [create(store, day)["number"] for day in (D(2026, 11, 24), DAY)]
    seq = parse_number(numbers[1])[2]
    (store.root / "open" / f"2026-11-25-{seq % store.index_shards}.json").write_text(
        "{", "utf-8")
    with pytest.raises(StoreError, match="was saved"):
        store.update(numbers[1], lambda c: {**c, "state": "accepted"}, index_entry,
                     lambda c: {"at": "2026-11-25T10:00:00", "action": "accept"})
    part = next((store.root / "cases" / "2026" / "11").glob("24-*.json"))
    good = part.read_bytes()
    part.write_bytes(b"{")
    with pytest.raises(StoreError) as info:
        store.rebuild_index(index_entry)
    assert str(part) in info.value.message
    assert (store.root / "journal.json").exists()  # the pending change is not lost
    # its audit line is not written yet; reads add it from the journal, as the case
    # they show already has the change
    assert not (store.root / "audit").exists()
    assert [e["action"] for e in store.audit()] == ["accept"]
    part.write_bytes(good)  # restored from a backup
    store.rebuild_index(index_entry)
    assert not (store.root / "journal.json").exists()
    assert [e["action"] for e in store.audit()] == ["accept"]
    assert {s["number"]: s["state"] for s in store.open_summaries()} == {
        numbers[0]: "received", numbers[1]: "accepted"}
