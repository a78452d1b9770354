"""Deadlines: N working or calendar days after receipt, the day of receipt not counted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from formkit.calendar import WorkCalendar
from formkit.errors import LimitError

__all__ = ["Due", "deadline"]

# A period in calendar days may not end on a rest day; past this many days something
# is wrong with the calendar (a closure list of years), and the date is flagged instead.
_MAX_ROLL = 60


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
    official data is flagged provisional. A period in calendar days that would end on
    a rest day (weekend, holiday, closure) ends on the next working day instead
    (民法典 §203), since nothing can be collected or decided while the centre is shut.
    A due date past 9999-12-31 raises ``LimitError`` (code ``date-range``).
    """
    if days == 0:
        return Due(received, False)
    try:
        return _deadline(received, days, unit, calendar or _default_calendar())
    except OverflowError:
        # Past 9999-12-31 (a mistyped date of receipt): no date can say it.
        what = "working days" if unit == "working_days" else "days"
        raise LimitError(f"{days} {what} after {received.isoformat()} is past "
                         f"{dt.date.max.isoformat()}, the last date formkit can count to",
                         None, hint="check the date of receipt (--today)",
                         code="date-range") from None


def _deadline(received: dt.date, days: int, unit: str, cal: WorkCalendar) -> Due:
    if unit == "calendar_days":
        due = received + dt.timedelta(days=days)
        provisional = cal.is_provisional(due)
        for _ in range(_MAX_ROLL):
            if cal.is_workday(due):
                break
            due += dt.timedelta(days=1)
            provisional = provisional or cal.is_provisional(due)
        else:
            provisional = True
        return Due(due, provisional)
    result = cal.add_workdays(received, days)
    assert isinstance(result.value, dt.date)
    return Due(result.value, result.provisional)
