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

    ``days == 0`` is a 即办件: due on the day of receipt, or, when that day is a rest
    day (an application sent online on a holiday), on the first working day after it
    (民法典 §203: a period whose last day is a statutory holiday ends on the day after
    the holiday). Working days follow the official schedule plus the centre's overrides
    (an opening day, 延时服务日, never counts; a shut day does); a date resting on a year
    without official data is flagged provisional. A period in calendar days that would
    end on a rest day (weekend, holiday) or a shut day ends on the next working day
    instead (民法典 §203), since nothing can be collected or decided on it.
    A due date past 9999-12-31 raises ``LimitError`` (code ``date-range``).
    """
    try:
        if days == 0:
            return _roll(received, calendar or _default_calendar())
        return _deadline(received, days, unit, calendar or _default_calendar())
    except OverflowError:
        # Past 9999-12-31 (a mistyped date of receipt): no date can say it.
        what = "working days" if unit == "working_days" else "days"
        raise LimitError(f"{days} {what} after {received.isoformat()} is past "
                         f"{dt.date.max.isoformat()}, the last date formkit can count to",
                         None, hint="check the date of receipt (--today)",
                         code="date-range") from None


def _roll(due: dt.date, cal: WorkCalendar) -> Due:
    """``due``, or the next day a period may end on (民法典 §203)."""
    provisional = cal.is_provisional(due)
    for _ in range(_MAX_ROLL):
        if cal.can_end_on(due):
            break
        due += dt.timedelta(days=1)
        provisional = provisional or cal.is_provisional(due)
    else:
        provisional = True
    return Due(due, provisional)


def _deadline(received: dt.date, days: int, unit: str, cal: WorkCalendar) -> Due:
    if unit == "calendar_days":
        return _roll(received + dt.timedelta(days=days), cal)
    result = cal.add_workdays(received, days)
    assert isinstance(result.value, dt.date)
    return Due(result.value, result.provisional)
