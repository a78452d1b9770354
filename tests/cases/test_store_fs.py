"""The case store on a full disk and on a read-only file system: reads go on (a pending
crash journal read in memory), writes fail with a StoreError that says what to do, and
nothing acknowledged is lost.

Both are real: a small tmpfs mounted for the test (``mount`` needs root: CI runs as
root; elsewhere these tests skip, except under ``CI=true``), filled to the page, or
remounted read-only.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.tinystore import TinyCaseStore
from formkit.cli import main
from formkit.errors import StoreError
from tests.cases.store_writer import create

DAY = dt.date(2026, 11, 25)
PAGE = 4096  # tmpfs counts its size in pages
ROOT = Path(__file__).resolve().parents[2]


def mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                               str(where)], capture_output=True, text=True, timeout=30)
        reason = proc.stderr.strip() or f"exit {proc.returncode}"
        ok = proc.returncode == 0
    except OSError as exc:
        ok, reason = False, str(exc)
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to mount a small tmpfs (as root): {reason}")
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {reason}")


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 512 KB tmpfs of its own, unmounted afterwards."""
    where = tmp_path / "fs"
    mount_tmpfs(where, "512k")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=30)


def remount(where: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True,
                   capture_output=True, timeout=30)


def fill(where: Path, leave_pages: int = 0) -> Path:
    """Fill the file system to the last page, then free ``leave_pages`` pages."""
    filler = where / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        while True:
            try:
                os.write(fd, b"\0" * PAGE)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
                break
        size = os.fstat(fd).st_size
        os.ftruncate(fd, max(0, size - size % PAGE - leave_pages * PAGE))
    finally:
        os.close(fd)
    return filler


def doc(number: str, state: str = "received", **extra: Any) -> dict[str, Any]:
    return {"number": number, "state": state, "history": [], **extra}


def entry(case: dict[str, Any]) -> dict[str, Any] | None:
    """The index entry, padded so that an index file takes pages of its own."""
    if case["state"] == "issued":
        return None
    return {"number": case["number"], "state": case["state"], "pad": "x" * 5000}


def audit(case: dict[str, Any]) -> dict[str, Any]:
    return {"at": "2026-11-25T10:00:00", "number": case["number"], "action": case["state"]}


def new_store(root: Path) -> tuple[TinyCaseStore, list[str]]:
    """Five cases received on DAY, each with its audit line."""
    if root.exists():
        shutil.rmtree(root)
    store = TinyCaseStore(root)
    numbers = [store.create(DAY, lambda n: doc(n), entry, audit)["number"] for _ in range(5)]
    return store, numbers


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def accept(store: TinyCaseStore, number: str) -> dict[str, Any]:
    return store.update(number, lambda c: {**c, "state": "accepted"}, entry, audit)


def test_a_write_on_a_full_disk_loses_nothing(small_fs: Path) -> None:
    root = small_fs / "store"
    outcomes: dict[str, int] = {}
    # From no page free to enough: the write fails before the case is written (the
    # store stays byte for byte as it was), after it (the case is saved, its index
    # entry and audit line wait in the journal), or succeeds.
    for pages in range(0, 12):
        store, numbers = new_store(root)
        before = snapshot(root)
        filler = fill(small_fs, pages)
        try:
            accept(store, numbers[4])
        except StoreError as exc:
            assert exc.code == "disk-full", exc
            assert "free space" in (exc.hint or "") and "full" in exc.message
            if store.get(numbers[4])["state"] == "received":  # type: ignore[index]
                outcome = "unchanged"
                assert snapshot(root) == before
                assert "nothing was changed" in (exc.hint or "")
            else:
                outcome = "saved"
                assert exc.message.startswith(f"case {numbers[4]} was saved, but")
                assert (root / "journal.json").exists()
                # reads show the whole change, its index entry and audit line included
                reader = TinyCaseStore.open_existing(root)
                states = {s["number"]: s["state"] for s in reader.open_summaries()}
                assert states[numbers[4]] == "accepted"
                assert [e["action"] for e in reader.audit()][-1] == "accepted"
        else:
            outcome = "done"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        filler.unlink()  # space freed: the next write completes what is pending
        accept(store, numbers[3])
        reopened = TinyCaseStore.open_existing(root)
        assert not (root / "journal.json").exists()
        states = {s["number"]: s["state"] for s in reopened.open_summaries()}
        expected = "received" if outcome == "unchanged" else "accepted"
        assert states == {**{n: "received" for n in numbers[:3]}, numbers[3]: "accepted",
                          numbers[4]: expected}
        actions = [(e["number"], e["action"]) for e in reopened.audit()]
        assert actions == [(n, "received") for n in numbers] + (
            [] if outcome == "unchanged" else [(numbers[4], "accepted")]) + [
            (numbers[3], "accepted")]
        assert reopened.verify_audit()["ok"] is True
    # each way a write can meet the full disk was met
    assert set(outcomes) == {"unchanged", "saved", "done"}, outcomes


def test_a_create_and_an_audit_line_on_a_full_disk(small_fs: Path) -> None:
    store, numbers = new_store(small_fs / "store")
    lines = (store.root / "audit" / "2026-11.jsonl").read_bytes()
    filler = fill(small_fs)
    with pytest.raises(StoreError) as info:
        store.create(DAY, lambda n: doc(n, pad="y" * 9000), entry, audit)
    assert info.value.code == "disk-full" and "no case was created" in (info.value.hint or "")
    with pytest.raises(StoreError) as info:
        store.append_audit({"at": "2026-11-25T11:00:00", "action": "sign-in",
                            "pad": "z" * 9000})
    assert info.value.code == "disk-full"
    # a line the disk could not take whole is not left half written
    assert (store.root / "audit" / "2026-11.jsonl").read_bytes() == lines
    assert [c["number"] for c in store.cases_since(DAY)] == numbers
    filler.unlink()
    assert store.create(DAY, lambda n: doc(n), entry, audit)["number"] == numbers[-1][:-1] + "6"
    assert store.verify_audit()["ok"] is True


CRASH = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import formkit.cases.tinystore as st
    from formkit.calendar import OfficialSchedule, WorkCalendar
    from formkit.cases.service import CaseService
    root, number = sys.argv[1], sys.argv[2]
    real = st.write_atomic
    def write_atomic(path, text, **kwargs):
        if Path(path).parent.name == "open":
            os._exit(70)  # a crash after the case write, before its index and audit
        real(path, text, **kwargs)
    st.write_atomic = write_atomic
    svc = CaseService(st.TinyCaseStore(root), WorkCalendar(official=OfficialSchedule.empty()))
    svc.start_review(number, actor="back-01")
""")


def crash_after_the_case_write(root: Path, number: str) -> None:
    proc = subprocess.run([sys.executable, "-c", CRASH, str(root), number],
                          capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 70, proc.stderr
    assert (root / "journal.json").exists()


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = main(["cases", *args, "--json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal" not in out, (out, err)
    return code, [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("condition", ["read-only", "full"])
def test_reads_work_on_a_read_only_or_full_store_with_a_journal_pending(
        small_fs: Path, condition: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = small_fs / "store"
    store = TinyCaseStore(root)
    # five accepted cases, as the service writes them; the last one's start_review is
    # cut by a crash after its case write
    numbers = [create(store, DAY, "window-1") for _ in range(5)]
    crash_after_the_case_write(root, numbers[4])
    before = snapshot(root)
    filler = fill(small_fs) if condition == "full" else None
    if condition == "read-only":
        remount(small_fs, "ro")
    try:
        # show, overdue, export, verify: as if the journal had been completed
        code, shown = cli(capsys, "show", numbers[4], "--store", str(root))
        assert code == 0 and shown[0]["state"] == "in_review"
        code, overdue = cli(capsys, "overdue", "--store", str(root), "--today", "2026-11-26")
        assert code == 0 and overdue[0]["open_cases"] == 5
        code, exported = cli(capsys, "export", "--store", str(root))
        assert code == 0 and [c["state"] for c in exported] == ["accepted"] * 4 + [
            "in_review"]
        code, verified = cli(capsys, "verify", "--store", str(root))
        assert code == 0 and verified[0]["ok"] is True and verified[0]["entries"] == 5
        # the studio's open (which completes a journal when it can) reads as well
        studio = TinyCaseStore(root)
        states = {s["number"]: s["state"] for s in studio.open_summaries()}
        assert states[numbers[4]] == "in_review"
        assert [e["action"] for e in studio.audit()] == ["import"] * 5 + ["start_review"]
        # a write says what to do, and changes nothing
        code, failed = cli(capsys, "reindex", "--store", str(root))
        error = failed[0]["error"]
        assert code == 1 and error["code"] == ("read-only" if condition == "read-only"
                                               else "disk-full")
        assert ("remount it read-write" if condition == "read-only" else "free space") \
            in error["hint"]
        with pytest.raises(StoreError) as info:
            accept(studio, numbers[3])
        assert info.value.code == error["code"]
        if filler is not None:
            assert snapshot(root) == before
    finally:
        if condition == "read-only":
            remount(small_fs, "rw")
    assert snapshot(root) == before  # nothing was written by any of the reads
    if filler is not None:
        filler.unlink()
    # writable again: the next write completes the journal first
    accept(TinyCaseStore(root), numbers[3])
    reopened = TinyCaseStore.open_existing(root)
    assert not (root / "journal.json").exists()
    assert [e["action"] for e in reopened.audit()] == ["import"] * 5 + [
        "start_review", "accepted"]
    assert reopened.verify_audit()["ok"] is True


def test_creating_a_store_on_a_read_only_file_system(small_fs: Path,
                                                     capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    (small_fs / "cases.jsonl").write_text("", "utf-8")
    remount(small_fs, "ro")
    try:
        with pytest.raises(StoreError) as info:
            TinyCaseStore(small_fs / "new")
        assert info.value.code == "read-only"
        code, out = cli(capsys, "import", str(small_fs / "cases.jsonl"), "--store",
                        str(small_fs / "new"))
        assert code == 1 and out[0]["error"]["code"] == "read-only"
    finally:
        remount(small_fs, "rw")
    assert not (small_fs / "new").exists()
