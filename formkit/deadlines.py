"""Deadlines: N working or calendar days after receipt, the day of receipt not counted."""

from __future__ import annotations

import datetime as dt

from dataclasses import dataclass

from formkit.calendar import WorkCalendar

__all__ = ["Due", "deadline"]


@dataclass(frozen=True, slots=True)
class Due:
    """A due date, and whether it rests on a year without an official holiday schedule."""

    value: dt.date
    provisional: bool

_DEFAULT: WorkCalendar | None = None


def _default_calendar() -> WorkCalendar:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = WorkCalendar()
    return _DEFAULT


def deadline(received: dt.date, days: int, unit: str,
             calendar: WorkCalendar | None = None) -> Due:
    """The due date ``days`` after ``received`` (民法典 §201: the start day is not counted).

    ``days == 0`` is a 即办件: due on the day of receipt. Working days follow the
    official schedule plus the centre's overrides; a date resting on a year without
    official data is flagged provisional. A calendar-day period that ends on a rest
    day ends on the next working day (民法典 §203).
    """
    if days == 0:
        return Due(received, False)
    cal = calendar or _default_calendar()
    if unit == "calendar_days":
        # 民法典 §203: a period whose last day is a holiday ends on the next working day.
        due = received + dt.timedelta(days=days)
        provisional = cal.is_provisional(due)
        if not cal.is_workday(due):
            moved = cal.add_workdays(due, 1)
            assert isinstance(moved.value, dt.date)
            due, provisional = moved.value, provisional or moved.provisional
        return Due(due, provisional)
    result = cal.add_workdays(received, days)
    assert isinstance(result.value, dt.date)
    return Due(result.value, result.provisional)
