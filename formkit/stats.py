"""Supervisor figures: counts by stage and department, on-time rate, handling days."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from formkit.calendar import WorkCalendar
from formkit.monitor import effective_deadline, paused_days

__all__ = ["MatterPerformance", "Overview", "overview"]


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


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def overview(cases: Iterable[dict[str, Any]], today: dt.date,
             calendar: WorkCalendar) -> Overview:
    """Figures over ``cases`` (full case documents, e.g. ``store.cases_since(...)``)."""
    by_state: Counter[str] = Counter()
    by_dept: Counter[str] = Counter()
    perf: dict[str, list[tuple[bool, int, int]]] = {}
    for c in cases:
        by_state[str(c.get("state"))] += 1
        by_dept[str(c.get("department") or "")] += 1
        accepted, decided = _date(c.get("accepted_on")), _date(c.get("decided_on"))
        if accepted is None or decided is None:
            continue
        unit = c.get("unit") or "working_days"
        pauses = c.get("pauses") or []
        due = effective_deadline(_date(c.get("committed_deadline")), pauses, decided, unit,
                                 calendar)
        if unit == "calendar_days":
            days = (decided - accepted).days
        else:
            counted = calendar.workdays_between(accepted, decided).value
            days = int(counted) if isinstance(counted, int) else 0
        days -= paused_days(pauses, decided, unit, calendar)
        on_time = due is None or decided <= due
        perf.setdefault(str(c["matter"]), []).append(
            (on_time, max(days, 0), int(c.get("committed_days") or 0)))
    performance = [
        MatterPerformance(matter=code, decided=len(rows), on_time=sum(r[0] for r in rows),
                          on_time_rate=round(sum(r[0] for r in rows) / len(rows), 4),
                          average_days=round(sum(r[1] for r in rows) / len(rows), 2),
                          committed_days=rows[-1][2])
        for code, rows in sorted(perf.items())]
    return Overview(by_state=dict(by_state), by_department=dict(by_dept),
                    performance=performance)
