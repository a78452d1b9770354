"""Shared helpers for the case tests: the sample catalog, a movable clock, seeded cases."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path
from typing import Any

from formkit.calendar import WorkCalendar
from formkit.cases.service import Case, CaseService, Event, HandedIn, summary
from formkit.cases.tinystore import TinyCaseStore
from formkit.catalog import OpenCatalog, open_catalog
from formkit.definitions.model import Example
from formkit.intake.examples import submission_of
from formkit.ruleset import RuleSet

DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"


@functools.cache
def catalog() -> OpenCatalog:
    """The sample catalog, opened once per test run."""
    opened = open_catalog(DEFINITIONS)
    assert not opened.errors, opened.errors[:3]
    return opened


def calendar() -> WorkCalendar:
    """The sample centre's working calendar (official schedule plus its overrides)."""
    return catalog().work_calendar()


def rules(code: str) -> RuleSet:
    """The checked rules of a sample matter."""
    found = catalog().rules_of(code)
    assert found is not None, code
    return found


def version(code: str) -> str:
    """A content hash of the matter, as a case records the definition it was taken under."""
    return hashlib.sha256(catalog().matters[code].model_dump_json().encode()).hexdigest()


def example(code: str, name_part: str) -> Example:
    """The one example of ``code`` whose name contains ``name_part``."""
    found = [e for e in catalog().matters[code].tests if name_part in e.name]
    assert len(found) == 1, (code, name_part, [e.name for e in found])
    return found[0]


def materials_of(ex: Example) -> list[HandedIn]:
    """The example's materials as the window records them (originals sighted)."""
    return [HandedIn(**m, original_sighted=True) for m in submission_of(ex)["materials"]]


class Clock:
    """A settable clock for ``CaseService(now=...)``."""

    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def set(self, day: dt.date, hour: int = 9, minute: int = 0) -> None:
        self.current = dt.datetime(day.year, day.month, day.day, hour, minute)

    def tick(self, minutes: int = 1) -> None:
        self.current += dt.timedelta(minutes=minutes)


def service(root: Path, clock: Clock, **kwargs: Any) -> CaseService:
    """A case service over a fresh TinyDB store in ``root`` with the sample calendar."""
    return CaseService(TinyCaseStore(root, fsync=False), calendar(), now=clock, **kwargs)


def receive_example(svc: CaseService, clock: Clock, code: str, name_part: str, *,
                    actor: str = "window-07", decide: bool = True,
                    day: dt.date | None = None) -> Case:
    """Receive a sample example on ``day`` (default: its own date), as a clerk would."""
    ex = example(code, name_part)
    if (day or ex.today) is not None:
        clock.set(day or ex.today)  # type: ignore[arg-type]
    return svc.receive(rules(code), version(code), dict(ex.fields), materials_of(ex),
                       actor=actor, applicant="张三", decide=decide)


def seed(store: TinyCaseStore, state: str, *, seq: int, day: dt.date = dt.date(2026, 11, 25),
         **changes: Any) -> Case:
    """Restore a case straight into ``state`` (as ``formkit cases import`` would)."""
    case = Case(number=store.number(day, seq), matter="XX-NR-0001",
                version=version("XX-NR-0001"), received_on=day, state=state,  # type: ignore[arg-type]
                committed_days=5, statutory_days=30,
                history=[Event(action="import", from_state=None, to_state=state,
                               actor="restore", at=dt.datetime(2026, 11, 25, 8))])
    case = case.model_copy(update=changes)
    assert store.import_cases([case.model_dump(mode="json")], summary) == 1
    return case
