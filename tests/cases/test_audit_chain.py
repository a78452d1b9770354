"""The audit trail's hash chain: every entry carries the hash of the one before, and
``verify_audit`` (``formkit cases verify``) finds the first entry edited, removed or
garbled since it was written. Real store files, changed the way a person with a text
editor (or a crash) would change them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.tinystore import TinyCaseStore

NOV = "audit/2026-11.jsonl"
DEC = "audit/2026-12.jsonl"


def filled(root: Path) -> TinyCaseStore:
    """Four entries in November, two in December."""
    store = TinyCaseStore(root, fsync=False)
    for i in range(4):
        store.append_audit({"at": f"2026-11-25T09:0{i}:00", "action": f"nov-{i}",
                            "actor": "window-07", "kind": "case"})
    for i in range(2):
        store.append_audit({"at": f"2026-12-01T09:0{i}:00", "action": f"dec-{i}",
                            "actor": "back-01", "kind": "case"})
    return store


def lines(root: Path, name: str) -> list[str]:
    return (root / name).read_text("utf-8").splitlines(keepends=True)


def rewrite(root: Path, name: str, change: Callable[[list[str]], list[str]]) -> None:
    (root / name).write_text("".join(change(lines(root, name))), "utf-8")


def edit_actor(rows: list[str]) -> list[str]:
    entry = json.loads(rows[1])
    entry["actor"] = "someone else"
    return [rows[0], json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n", *rows[2:]]


def edit_and_rehash(rows: list[str]) -> list[str]:
    """Line 2 edited and its own hash recomputed (as one who read the code would)."""
    entry = json.loads(rows[1])
    chain = entry.pop("chain")
    entry["actor"] = "someone else"
    body = {**entry, "chain": {"prev": chain["prev"]}}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    chain["hash"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return [rows[0], json.dumps({**entry, "chain": chain}, sort_keys=True) + "\n", *rows[2:]]


def strip_hash(rows: list[str]) -> list[str]:
    entry = json.loads(rows[2])
    del entry["chain"]
    return [*rows[:2], json.dumps(entry, sort_keys=True) + "\n", *rows[3:]]


# (what is done to the files, the break expected: (file, line, what), or None: ok)
TAMPERING: list[tuple[str, Callable[[Path], None], tuple[str, int, str] | None]] = [
    # nothing: every entry in order
    ("untouched", lambda root: None, None),
    # the actor of the second entry changed: its hash no longer matches it
    ("edited actor", lambda root: rewrite(root, NOV, edit_actor), (NOV, 2, "edited")),
    # the same, with that entry's own hash recomputed: the next one no longer follows it
    ("edited and rehashed", lambda root: rewrite(root, NOV, edit_and_rehash),
     (NOV, 3, "missing")),
    # the second line deleted: the third does not follow the first
    ("deleted middle line", lambda root: rewrite(root, NOV, lambda r: [r[0], *r[2:]]),
     (NOV, 2, "missing")),
    # the first line deleted: the second does not start the chain
    ("deleted first line", lambda root: rewrite(root, NOV, lambda r: r[1:]),
     (NOV, 1, "missing")),
    # two lines swapped
    ("reordered", lambda root: rewrite(root, NOV, lambda r: [r[0], r[2], r[1], r[3]]),
     (NOV, 2, "missing")),
    # a middle line garbled (it used to be skipped as if a crash had torn it)
    ("garbled middle line",
     lambda root: rewrite(root, NOV, lambda r: [r[0], r[1][:40] + "\n", *r[2:]]),
     (NOV, 2, "garbled")),
    # a line of garbage inserted between two entries
    ("inserted garbage", lambda root: rewrite(root, NOV, lambda r: [r[0], "xx\n", *r[1:]]),
     (NOV, 2, "garbled")),
    # the hash of an entry after the first removed (made to look like an old entry)
    ("hash removed", lambda root: rewrite(root, NOV, strip_hash), (NOV, 3, "edited")),
    # November's file deleted: December's first entry follows nothing there is
    ("month file deleted", lambda root: (root / NOV).unlink(), (DEC, 1, "missing")),
    # the last line torn by a crash (never acknowledged): not a break
    ("torn last line",
     lambda root: rewrite(root, DEC, lambda r: [*r, '{"action": "dec-2", "act']), None),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in TAMPERING],
                         ids=[name for name, _, _ in TAMPERING])
def test_verify_finds_the_first_break(tmp_path: Path, change: Callable[[Path], None],
                                      expected: tuple[str, int, str] | None) -> None:
    root = tmp_path / "store"
    filled(root)
    change(root)
    result = TinyCaseStore.open_existing(root).verify_audit()
    if expected is None:
        assert result["ok"] is True and "break" not in result, result
        assert result["entries"] == 6 and result["unchained"] == 0
        return
    file, line, what = expected
    assert result["ok"] is False
    assert (result["break"]["file"], result["break"]["line"], result["break"]["what"]) == (
        str(root / file), line, what), result["break"]


def test_every_entry_carries_the_hash_of_the_one_before(tmp_path: Path) -> None:
    root = tmp_path / "store"
    filled(root)
    entries = [json.loads(line) for name in (NOV, DEC) for line in lines(root, name)]
    chains = [e.pop("chain") for e in entries]
    assert chains[0]["prev"] == ""
    for before, chain, entry in zip([None, *chains], chains, entries, strict=False):
        assert chain["prev"] == ("" if before is None else before["hash"])
        body = {**entry, "chain": {"prev": chain["prev"]}}
        canonical = json.dumps(body, ensure_ascii=False, sort_keys=True,
                               separators=(",", ":")).encode("utf-8")
        assert chain["hash"] == hashlib.sha256(canonical).hexdigest()
    # the chain runs across the month files, and verify reports its head
    result = TinyCaseStore(root).verify_audit()
    assert result == {"ok": True, "files": 2, "entries": 6, "unchained": 0, "torn": 0,
                      "head": chains[-1]["hash"]}
    # readers get the entries as appended, without their place in the chain
    assert [e["action"] for e in TinyCaseStore(root).audit()] == [
        "nov-0", "nov-1", "nov-2", "nov-3", "dec-0", "dec-1"]
    assert all("chain" not in e for e in TinyCaseStore(root).audit())


def test_a_torn_last_line_is_repaired_and_recorded(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = filled(root)
    with (root / DEC).open("a", encoding="utf-8") as f:
        f.write('{"at": "2026-12-01T09:05:00", "act')  # a power cut inside a write
    assert store.verify_audit()["torn"] == 1
    # the next entry ends the torn line and records it: verify tells it from a line
    # garbled later, and the reader skips it as before
    TinyCaseStore(root).append_audit({"at": "2026-12-01T09:06:00", "action": "dec-3"})
    result = TinyCaseStore(root).verify_audit()
    assert result["ok"] is True and result["entries"] == 7 and result["torn"] == 0
    assert lines(root, DEC)[2] == '{"at": "2026-12-01T09:05:00", "act\n'
    assert json.loads(lines(root, DEC)[3])["chain"]["torn"] == [hashlib.sha256(
        b'{"at": "2026-12-01T09:05:00", "act').hexdigest()]
    assert [e["action"] for e in store.audit()][-2:] == ["dec-1", "dec-3"]
    # garbling the recorded line afterwards is a break again
    rewrite(root, DEC, lambda r: [*r[:2], "tampered\n", *r[3:]])
    broken = TinyCaseStore(root).verify_audit()["break"]
    assert (broken["line"], broken["what"]) == (3, "garbled")


def test_entries_from_before_the_chain(tmp_path: Path) -> None:
    # a store written by a formkit without the chain: entries without a hash
    root = tmp_path / "store"
    TinyCaseStore(root)
    (root / "audit").mkdir()
    old = [{"at": f"2026-10-0{i + 1}T09:00:00", "action": f"old-{i}"} for i in range(3)]
    (root / "audit" / "2026-10.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in old), "utf-8")
    store = TinyCaseStore(root)
    store.append_audit({"at": "2026-11-02T09:00:00", "action": "new-0"})
    store.append_audit({"at": "2026-11-02T09:01:00", "action": "new-1"})
    result = store.verify_audit()
    # the chain starts at the first hashed entry; the older ones are counted, unprotected
    assert result["ok"] is True and (result["entries"], result["unchained"]) == (2, 3)
    assert json.loads(lines(root, "audit/2026-11.jsonl")[0])["chain"]["prev"] == ""
    assert [e["action"] for e in store.audit()] == [
        "old-0", "old-1", "old-2", "new-0", "new-1"]


def test_a_clock_set_back_keeps_the_files_in_written_order(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = filled(root)
    # an entry dated in November after December's: it goes to December's file (the
    # files hold the chain in the order written), and reads find it by its date
    store.append_audit({"at": "2026-11-30T17:00:00", "action": "late"})
    assert not (root / "audit" / "2026-11.jsonl").read_text("utf-8").count("late")
    assert store.verify_audit()["ok"] is True
    since = [e["action"] for e in store.audit(dt.date(2026, 11, 30))]
    assert since == ["dec-0", "dec-1", "late"]


def test_two_store_objects_append_to_one_chain(tmp_path: Path) -> None:
    root = tmp_path / "store"
    one, two = TinyCaseStore(root, fsync=False), TinyCaseStore(root, fsync=False)
    for i in range(6):  # each object's remembered head is stale after the other's append
        (one if i % 2 else two).append_audit({"at": f"2026-11-25T09:0{i}:00",
                                              "action": str(i)})
    result = one.verify_audit()
    assert result["ok"] is True and result["entries"] == 6


def test_an_empty_trail_verifies(tmp_path: Path) -> None:
    expected: dict[str, Any] = {"ok": True, "files": 0, "entries": 0, "unchained": 0,
                                "torn": 0, "head": None}
    assert TinyCaseStore(tmp_path / "store").verify_audit() == expected
