"""Crash and concurrency tests of the case store, with real writer processes.

1. 100 times: a writer (``tests/cases/store_writer.py``) creates cases and moves them through
   the lifecycle; it is SIGKILLed 5-150 ms after it is ready. Every case and transition it
   reported must be there and readable, every file must parse, and the index and the
   audit trail must agree with the cases.
2. Two writers x 2,000 operations on one store: no lost update, no duplicate number.
3. (PostgreSQL) Writers go on while the server is stopped with ``-m immediate`` and
   started again, three times: every operation they reported is there, no number twice.

1 and 2 run against both stores (``store_kind``: a folder, or a fresh PostgreSQL schema).

A writer's standard output is read without a buffer of ours (see ``start``): every line it
reported is counted, so the counts are exact.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from formkit.cases.service import Case, summary
from formkit.cases.store import CaseStore
from formkit.cases.stores import is_url, open_store
from tests.cases.conftest import need_postgres, new_pg_url
from tests.cases.store_writer import create

WRITER = Path(__file__).with_name("store_writer.py")
ROOT = WRITER.parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TRIALS, LANES = 100, 4  # lanes run side by side, each on its own store folder


def start(*args: str) -> subprocess.Popen[bytes]:
    """A writer process, once it said "ready" (imports done, store opened).

    Its stdout is an unbuffered pipe: ``readline`` takes the first line a byte at a time
    and not a byte more, so ``finish`` gets every line after it. (A buffered reader reads
    ahead; ``communicate`` reads the pipe itself and never sees what was read ahead, so
    the writer's first lines after "ready" were lost.)
    """
    proc = subprocess.Popen([sys.executable, str(WRITER), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, bufsize=0, env=ENV, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == b"ready\n", (line, proc.stderr.read() if proc.stderr else b"")
    return proc


def finish(proc: subprocess.Popen[bytes], timeout: float) -> tuple[str, str]:
    """Everything the writer printed after "ready", to the end, and its stderr."""
    out, err = proc.communicate(timeout=timeout)
    return out.decode("utf-8"), err.decode("utf-8", "replace")


def every_file_parses(root: Path | str) -> None:
    if isinstance(root, str) and is_url(root):
        return  # a database: nothing half-written to parse
    for path in Path(root).rglob("*.json"):
        try:
            json.loads(path.read_text("utf-8"))
        except ValueError as exc:
            raise AssertionError(f"{path} does not parse: {exc}") from None


def consistent(store: CaseStore) -> dict[str, Case]:
    """Every case; asserts that the index and the audit trail agree with the cases."""
    cases = {doc["number"]: Case.model_validate(doc)
             for doc in store.cases_since(dt.date.min)}
    index = {s["number"]: s for s in store.open_summaries()}
    expected = {n: summary(c.model_dump(mode="json")) for n, c in cases.items()}
    assert index == {n: s for n, s in expected.items() if s is not None}
    # one audit entry per history event: none lost, none twice, none for a lost event
    audit = Counter((e["number"], e["event"]) for e in store.audit())
    assert audit == Counter({(n, i): 1 for n, c in cases.items()
                             for i in range(len(c.history))})
    # and its hash chain is whole: no entry edited, lost or garbled by a kill or a race
    chain = store.verify_audit()
    assert chain["ok"] and chain["entries"] == sum(audit.values()), chain
    return cases


def check(root: Path | str, out: str) -> tuple[int, int]:
    """Check a store just after its writer was killed; returns (creates, transitions)."""
    every_file_parses(root)  # as the crash left them, before any recovery
    store = open_store(str(root))  # opening replays the journal
    every_file_parses(root)
    cases = consistent(store)
    lines = reported(out)
    creates = transitions = 0
    for line in lines:
        kind, number, *rest = line.split()
        if kind == "E":
            continue  # an operation refused (a server restart): never acknowledged
        case = cases.get(number)
        assert case is not None, f"{number} was reported created but is lost"
        assert store.get(number) is not None
        if kind == "C":
            creates += 1
        else:
            events, action = int(rest[0]), rest[1]
            # the reported event is there, and stays where it was reported
            assert len(case.history) >= events, (number, events, len(case.history))
            assert case.history[events - 1].action == action
            transitions += 1
    return creates, transitions


def reported(out: str) -> list[str]:
    """A writer's whole lines: a line cut by the kill was never fully reported."""
    lines = out.splitlines()
    if lines and not out.endswith("\n"):
        lines.pop()
    return lines


def lane(base: Path | None, lane_no: int, trials: int) -> tuple[int, int, list[int]]:
    root = str(base / f"lane{lane_no}") if base is not None else new_pg_url()
    rng = random.Random(1000 + lane_no)
    creates = transitions = 0
    delays: list[int] = []
    for trial in range(trials):
        proc = start("crash", root, str(rng.randrange(1 << 30)))
        # a PostgreSQL operation takes longer (round trips, a commit's WAL flush):
        # a longer window lands its kills as often while it is writing
        delay = rng.randint(5, 150) if base is not None else rng.randint(5, 400)
        delays.append(delay)
        time.sleep(delay / 1000)
        proc.send_signal(signal.SIGKILL)
        out, err = finish(proc, timeout=30)
        assert proc.returncode == -signal.SIGKILL, (trial, proc.returncode, err)
        c, t = check(root, out)
        creates, transitions = creates + c, transitions + t
    return creates, transitions, delays


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path, store_kind: str) -> None:
    began = time.monotonic()
    base = tmp_path if store_kind == "tiny" else None
    with ThreadPoolExecutor(LANES) as pool:
        results = list(pool.map(lambda i: lane(base, i, TRIALS // LANES), range(LANES)))
    creates = sum(r[0] for r in results)
    transitions = sum(r[1] for r in results)
    kills = sum(len(r[2]) for r in results)
    assert kills == TRIALS
    # the kills landed while writing (about 2 creates and 4 transitions are reported
    # per trial here), not before the first write or after the last
    assert creates >= TRIALS // 2 and transitions >= TRIALS // 2, (creates, transitions)
    print(f"\n{store_kind}: {TRIALS} kills, {creates} creates and {transitions} "
          f"transitions reported, {time.monotonic() - began:.1f} s")


def test_two_writers_lose_no_update(tmp_path: Path, store_kind: str) -> None:
    root = str(tmp_path / "store") if store_kind == "tiny" else new_pg_url()
    ops = 2000
    store = open_store(root)
    # 20 shared cases on 10 days, so no partition holds more than one of them
    shared = [create(store, dt.date(2026, 11, 10 + i // 2), "setup") for i in range(20)]
    began = time.monotonic()
    writers = [start("race", root, str(w), str(ops), *shared) for w in (1, 2)]
    outs = []
    for w, proc in enumerate(writers, 1):
        out, err = finish(proc, timeout=600)
        assert proc.returncode == 0, err
        lines = out.splitlines()
        # one line per operation, in order, then "done": none lost, none extra
        assert len(lines) == ops + 1 and lines[-1] == "done", (w, len(lines), lines[-1:])
        assert [line[0] for line in lines[:-1]] == ["C" if i % 4 == 0 else "U"
                                                   for i in range(ops)]
        assert [line.split()[2] for line in lines[:-1] if line[0] == "U"] == [
            f"{w}:{i}" for i in range(ops) if i % 4]
        outs.append(lines[:-1])
    took = time.monotonic() - began
    every_file_parses(root)
    cases = consistent(open_store(root))
    created = [line.split()[1] for out in outs for line in out if line.startswith("C")]
    updates = [tuple(line.split()[1:]) for out in outs for line in out if line.startswith("U")]
    assert len(created) == 2 * ops // 4 and len(updates) == 2 * ops * 3 // 4
    # unique numbers, every one readable
    assert len(set(created)) == len(created)
    assert all(n in cases for n in created)
    # every update is in its case's history exactly once
    found = Counter((n, e.comment) for n in shared for e in cases[n].history
                    if e.action == "note")
    assert found == Counter(updates)
    assert sum(len(cases[n].history) for n in shared) == len(shared) + len(updates)
    print(f"\n{store_kind}: 2 writers x {ops} operations: {took:.1f} s "
          f"({took / (2 * ops) * 1000:.2f} ms per operation)")


def _cluster(*args: str) -> None:
    subprocess.run(["pg_ctlcluster", *args], check=True, capture_output=True, timeout=120)


def test_a_server_killed_and_restarted_loses_nothing_acknowledged() -> None:
    """Two writers on PostgreSQL; the server is stopped with ``-m immediate`` (no
    checkpoint: what is committed must come back from the WAL) and started, three
    times. Every case and transition a writer reported is there afterwards, the
    summaries and the audit chain agree with the cases, no number is given twice, and
    the writers carried on after each restart."""
    need_postgres()
    if os.geteuid() != 0 or shutil.which("pg_ctlcluster") is None:
        pytest.skip("restarting the server needs root and Debian's pg_ctlcluster")
    cluster = os.environ.get("FORMKIT_TEST_PG_CLUSTER", "15 main").split()
    url = new_pg_url()
    writers = [start("crash", url, str(seed)) for seed in (1, 2)]
    try:
        time.sleep(1.0)
        for _ in range(3):
            _cluster(*cluster, "stop", "-m", "immediate")
            time.sleep(0.3)
            _cluster(*cluster, "start")
            time.sleep(2.0)  # the writers reconnect and go on
        # the pool retries a lost server after a growing back-off (about 1 s, 2 s, ...):
        # on a busy machine the last restart can find a writer waiting one out, so give
        # it the time to show that it carried on
        time.sleep(6.0)
    finally:
        for proc in writers:
            proc.send_signal(signal.SIGKILL)
    outs = [finish(proc, timeout=30)[0] for proc in writers]
    creates = transitions = 0
    for out in outs:
        c, t = check(url, out)
        creates, transitions = creates + c, transitions + t
    numbers = [line.split()[1] for out in outs for line in reported(out)
               if line.startswith("C ")]
    assert len(numbers) == len(set(numbers))
    refused = sum(out.count("\nE ") for out in outs)
    # after the last restart both writers reported work again
    for out in outs:
        tail = out.rsplit("\nE ", 1)[-1]
        assert tail.count("\nC ") + tail.count("\nT ") > 0, out[-500:]
    print(f"\n3 server restarts: {creates} creates, {transitions} transitions reported, "
          f"{refused} operations refused while it was down")
