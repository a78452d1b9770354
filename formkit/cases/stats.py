"""Supervisor figures: counts by stage and department, on-time rate, handling days."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from formkit.calendar import WorkCalendar
from formkit.cases.clock import as_date, deadlines, paused_days
from formkit.cases.store import CaseStore

__all__ = ["MatterPerformance", "Overview", "Tally", "handling", "overview", "store_overview",
           "tally"]


class MatterPerformance(BaseModel):
    """How one matter's decided cases did against their committed limit."""

    matter: str
    decided: int
    on_time: int
    on_time_rate: float
    average_days: float
    committed_days: int


class Overview(BaseModel):
    """Counts by stage and department, and per-matter performance."""

    by_state: dict[str, int]
    by_department: dict[str, int]
    performance: list[MatterPerformance]


class Tally:
    """The figures of some cases, in a form that adds up: the tallies of a store's
    partitions merge into the figures of a year (``store_overview``)."""

    __slots__ = ("by_department", "by_state", "perf")

    def __init__(self) -> None:
        self.by_state: Counter[str] = Counter()
        self.by_department: Counter[str] = Counter()
        # matter -> [decided, on time, handling days, highest case number decided,
        # that case's committed days]
        self.perf: dict[str, list[Any]] = {}

    def add(self, c: dict[str, Any], calendar: WorkCalendar) -> None:
        """Count one case."""
        self.add_handled(c, handling(c, calendar))

    def add_handled(self, c: dict[str, Any], done: tuple[dt.date, int, int] | None) -> None:
        """Count one case whose ``handling`` is ``done`` (computed once by a caller that
        needs it too)."""
        self.by_state[str(c.get("state"))] += 1
        self.by_department[str(c.get("department") or "")] += 1
        if done is None:
            return
        _, on_time, days = done
        self._perf(str(c["matter"]), [1, on_time, days, str(c.get("number") or ""),
                                      int(c.get("committed_days") or 0)])

    def _perf(self, matter: str, row: list[Any]) -> None:
        mine = self.perf.get(matter)
        if mine is None:
            self.perf[matter] = list(row)
            return
        mine[0] += row[0]
        mine[1] += row[1]
        mine[2] += row[2]
        if row[3] >= mine[3]:  # the committed days of the latest case (by number)
            mine[3], mine[4] = row[3], row[4]

    def merge(self, other: Tally) -> None:
        """Add ``other``'s cases to these."""
        self.by_state.update(other.by_state)
        self.by_department.update(other.by_department)
        for matter, row in other.perf.items():
            self._perf(matter, row)

    def overview(self) -> Overview:
        """The figures."""
        performance = [
            MatterPerformance(matter=code, decided=n, on_time=on_time,
                              on_time_rate=round(on_time / n, 4),
                              average_days=round(days / n, 2), committed_days=committed)
            for code, (n, on_time, days, _, committed) in sorted(self.perf.items())]
        return Overview(by_state=dict(self.by_state), by_department=dict(self.by_department),
                        performance=performance)


def handling(c: dict[str, Any], calendar: WorkCalendar) -> tuple[dt.date, int, int] | None:
    """A decided case's decision day, whether it was within its committed limit (1 or 0)
    and its handling days (acceptance to decision, in the limit's unit, a stopped clock
    not counted); None when it is not decided (or was never accepted)."""
    accepted, decided = as_date(c.get("accepted_on")), as_date(c.get("decided_on"))
    if accepted is None or decided is None:
        return None
    unit = c.get("unit") or "working_days"
    due, _ = deadlines(c, decided, calendar)
    if unit == "calendar_days":
        days = (decided - accepted).days
    else:
        counted = calendar.workdays_between(accepted, decided).value
        days = int(counted) if isinstance(counted, int) else 0
    days -= paused_days(c.get("pauses") or [], decided, unit, calendar)
    return decided, int(due is None or decided <= due), max(days, 0)


def tally(cases: Iterable[dict[str, Any]], calendar: WorkCalendar) -> Tally:
    """The tally of ``cases`` (full case documents)."""
    out = Tally()
    for c in cases:
        out.add(c, calendar)
    return out


def overview(cases: Iterable[dict[str, Any]], today: dt.date,
             calendar: WorkCalendar) -> Overview:
    """Figures over ``cases`` (full case documents, e.g. ``store.cases_since(...)``)."""
    return tally(cases, calendar).overview()


def store_overview(store: CaseStore, since: dt.date, calendar: WorkCalendar) -> Overview:
    """``overview`` of the store's cases received since ``since``, from tallies the store
    keeps per partition: after the first call, only partitions written since are read
    (a transition rewrites one), so the figures stay current at every render."""
    total = Tally()
    for part in store.digests_since(since, ("formkit.cases.stats.tally", calendar),
                                    functools.partial(tally, calendar=calendar)):
        total.merge(part)
    return total.overview()
