"""Tests for formkit.store: numbers, reads and writes, damaged files, journal, threads."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from formkit.errors import InputError
from formkit.store import SHARDS, StoreError, TinyCaseStore, parse_number

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


@pytest.fixture
def store(tmp_path: Path) -> TinyCaseStore:
    return TinyCaseStore(tmp_path / "store")


def json_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.json"))


# --- case numbers --------------------------------------------------------------------------


def test_numbers_are_prefix_date_and_a_five_digit_sequence(store: TinyCaseStore) -> None:
    got = [create(store)["number"] for _ in range(3)]
    assert got == ["FK2026112500001", "FK2026112500002", "FK2026112500003"]
    # a new day starts again at 1; another centre has its own prefix
    assert create(store, D(2026, 11, 26))["number"] == "FK2026112600001"
    other = TinyCaseStore(store.root.parent / "other", prefix="XX01")
    assert create(other)["number"] == "XX012026112500001"
    assert parse_number("XX012026112500001") == ("XX01", DAY, 1)


def test_numbers_are_unique_across_store_objects_on_one_folder(tmp_path: Path) -> None:
    # two windows (two store objects, as two processes would hold) on the same folder
    a, b = TinyCaseStore(tmp_path / "s"), TinyCaseStore(tmp_path / "s")
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
    with pytest.raises(StoreError) as info:
        parse_number(bad)
    assert info.value.code == "bad-number"
    assert repr(bad) in str(info.value) or f"'{bad}'" in str(info.value)


def test_a_prefix_that_cannot_make_a_number_is_refused(tmp_path: Path) -> None:
    for prefix in ("F-K", "", "ABCDEFGHI", "fk"):
        with pytest.raises(StoreError):
            TinyCaseStore(tmp_path / "s", prefix=prefix)


# --- get, update, summaries ----------------------------------------------------------------


def test_get_and_update(store: TinyCaseStore) -> None:
    case = create(store, applicant="李四")
    assert store.get(case["number"]) == case
    assert store.get("FK2026112500099") is None  # no such sequence
    assert store.get("FK2026112400001") is None  # no such day
    assert store.get("XX2026112500001") is None  # another centre's number
    new = store.update(case["number"], lambda c: {**c, "history": [*c["history"], "x"]},
                       index_entry)
    assert new["history"] == ["x"] and store.get(case["number"]) == new
    with pytest.raises(StoreError) as info:
        store.update("FK2026112500099", lambda c: c, index_entry)
    assert info.value.code == "unknown-case"
    with pytest.raises(StoreError) as info:
        store.get("not a number")
    assert info.value.code == "bad-number"


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


def test_open_summaries_follow_the_state(store: TinyCaseStore) -> None:
    a, b, c = (create(store)["number"] for _ in range(3))
    set_state(store, b, "issued")
    set_state(store, c, "accepted")
    assert sorted(s["number"] + ":" + s["state"] for s in store.open_summaries()) == [
        f"{a}:received", f"{c}:accepted"]
    assert TinyCaseStore(store.root).open_summaries() == store.open_summaries()


def test_empty_store(tmp_path: Path) -> None:
    store = TinyCaseStore(tmp_path / "new")
    assert store.open_summaries() == []
    assert list(store.cases_since(DAY)) == []
    assert list(store.audit()) == []
    assert store.versions() == []


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


def test_import_cases(store: TinyCaseStore, tmp_path: Path) -> None:
    for _ in range(3):
        create(store)
    set_state(store, "FK2026112500002", "issued")
    exported = list(store.cases_since(D(2000, 1, 1)))
    target = TinyCaseStore(tmp_path / "restored")
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
    with pytest.raises(StoreError):
        target.import_cases([doc("bogus")], index_entry)


# --- versions ------------------------------------------------------------------------------


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
    (store.root / "open" / f"2026-11-25-{1 % SHARDS}.json").write_text("{", "utf-8")
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
import formkit.store as st
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
st.write_atomic, os.unlink = write_atomic, unlink
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


def test_four_threads_sharing_one_store_lose_nothing(tmp_path: Path) -> None:
    # what st.cache_resource does: one store object for every session's thread
    store = TinyCaseStore(tmp_path / "s")
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
    history = [h for n in shared for h in TinyCaseStore(store.root).get(n)["history"]]
    assert sorted(history) == sorted(f"{t}:{i}" for t in range(4) for i in range(200))
    assert len(set(created)) == len(created) == 40
    assert len(store.open_summaries()) == 43
    for path in json_files(store.root):
        json.loads(path.read_text("utf-8"))
