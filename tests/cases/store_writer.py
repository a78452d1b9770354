"""A writer process for the crash and race tests (``tests/cases/test_store_crash.py``).

It runs the real store and case service against a store folder and prints one line,
flushed, right after each call returns (the moment the caller was told "done"):

    C <number>                    a case was created
    T <number> <events> <action>  a transition; the case now has <events> history events
    U <number> <writer>:<i>       (race) an event appended to a shared case

Usage:
    python tests/cases/store_writer.py crash ROOT SEED
    python tests/cases/store_writer.py race ROOT WRITER OPS NUMBER...

ROOT is a store folder or a postgresql:// URL. A PostgreSQL store's server may be
restarted under the writer (``stop -m immediate``): an operation that fails for it
(``StoreError``, the connection lost) is not reported, and the writer goes on.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from typing import Any

from formkit.calendar import OfficialSchedule, WorkCalendar
from formkit.cases.service import Case, CaseService, Event, audit_entry, summary
from formkit.cases.store import CaseStore
from formkit.cases.stores import open_store
from formkit.errors import IllegalTransition, StoreError

ROUTE = [["unit.a", "unit.b"], ["unit.c"]]
DAYS = [dt.date(2026, 11, 23), dt.date(2026, 11, 24), dt.date(2026, 11, 25)]


def new_case(number: str, actor: str) -> dict[str, Any]:
    """An accepted case with a two-step route (one step with two parallel units)."""
    now = dt.datetime.now()
    case = Case(number=number, matter="XX-NR-0001", version="v1", received_on=now.date(),
                state="accepted", accepted_on=now.date(), route=ROUTE, signed=[{}, {}],
                step_days=[None, 2], committed_days=5, statutory_days=30,
                committed_deadline=now.date() + dt.timedelta(days=7),
                history=[Event(action="import", from_state=None, to_state="accepted",
                               actor=actor, at=now)])
    return case.model_dump(mode="json")


def create(store: CaseStore, day: dt.date, actor: str) -> str:
    doc = store.create(day, lambda n: new_case(n, actor), summary, audit_entry)
    return str(doc["number"])


def step(svc: CaseService, case: Case, rng: random.Random) -> Case | None:
    """The next move of a case, as the back office would make it (None: nothing left)."""
    n, who = case.number, f"clerk-{rng.randrange(9)}"
    if case.state in ("approved", "denied"):
        return svc.issue(n, actor=who)
    if case.state not in ("accepted", "in_review"):
        return None
    if case.paused:
        return svc.resume(n, actor=who)
    if rng.random() < 0.15:
        return svc.suspend(n, "testing", actor=who, comment="送检")
    if case.state == "accepted":
        return svc.start_review(n, actor=who)
    if case.step < len(case.route):
        unit = next(u for u in case.route[case.step] if u not in case.signed[case.step])
        return svc.sign_off(n, unit, actor=who)
    if rng.random() < 0.2:
        return svc.deny(n, actor=who, reason="材料与事实不符")
    return svc.approve(n, actor=who, comment="准予")


def crash(root: str, seed: int) -> None:
    """Create cases and move them on, forever (until killed)."""
    rng = random.Random(seed)
    store = open_store(root)
    svc = CaseService(store, WorkCalendar(official=OfficialSchedule.empty()))
    pool = [s["number"] for s in store.open_summaries()]  # left by killed writers
    print("ready", flush=True)
    for _ in range(100_000):
        try:
            pool = crash_step(store, svc, rng, pool)
        except StoreError as exc:  # the server restarted under us: not acknowledged
            print("E", exc.code, flush=True)
            time.sleep(0.05)


def crash_step(store: CaseStore, svc: CaseService, rng: random.Random,
               pool: list[str]) -> list[str]:
    """One create or transition of ``crash``, reported once it returned."""
    if not pool or rng.random() < 0.35:
        number = create(store, rng.choice(DAYS), "window-1")
        print("C", number, flush=True)
        pool.append(number)
        return pool
    number = rng.choice(pool)
    moved = step(svc, svc.get(number), rng)
    if moved is None or moved.state in ("issued",):
        pool.remove(number)
    if moved is not None:
        print("T", number, len(moved.history), moved.history[-1].action, flush=True)
    return pool


def race(root: str, writer: str, ops: int, shared: list[str]) -> None:
    """``ops`` operations: every 4th creates a case, the rest append to shared cases."""
    store = open_store(root)
    day = dt.date(2026, 12, 1 + int(writer))  # each writer's new cases on its own day

    def append(i: int) -> Any:
        def change(doc: dict[str, Any]) -> dict[str, Any]:
            case = Case.model_validate(doc)
            case.history.append(Event(action="note", from_state=case.state,
                                      to_state=case.state, actor=f"writer-{writer}",
                                      at=dt.datetime.now(), comment=f"{writer}:{i}"))
            return case.model_dump(mode="json")
        return change

    print("ready", flush=True)
    for i in range(ops):
        if i % 4 == 0:
            print("C", create(store, day, f"writer-{writer}"), flush=True)
        else:
            number = shared[i % len(shared)]
            store.update(number, append(i), summary, audit_entry)
            print("U", number, f"{writer}:{i}", flush=True)
    print("done", flush=True)


def main(argv: list[str]) -> None:
    if argv[0] == "crash":
        crash(argv[1], int(argv[2]))
    elif argv[0] == "race":
        race(argv[1], argv[2], int(argv[3]), argv[4:])
    else:  # pragma: no cover
        raise SystemExit(__doc__)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except IllegalTransition as exc:  # pragma: no cover - a bug the test should show
        raise SystemExit(f"illegal transition: {exc}") from exc
