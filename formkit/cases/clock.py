"""The case clock: how stops and extensions move a case's deadlines.

A deadline is fixed when the case is accepted (or deemed accepted, 行政许可法
§32(4)). Two things move it afterwards:

- a stopped clock (行政许可法 §45: 听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审,
  and the procedures a matter's own law gives, 公示, 现场核查 ...). The time the
  procedure takes is not counted, up to its maximum when the matter declares
  one; past that maximum the clock runs again;
- an approved extension (延期, 行政许可法 §42: ten working days with the approval
  of the head of the office, or what the matter's law allows), counted in
  working days after the stopped-clock date.

Every function here takes the case as the store keeps it (a dict with ISO
dates), so the monitor can use the open-case index without loading cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from formkit.calendar import WorkCalendar
from formkit.intake.deadlines import deadline

__all__ = ["as_date", "deadlines", "effective_deadline", "extension_days", "paused_days",
           "stop_running", "workdays_after", "workdays_between"]


def as_date(value: Any) -> dt.date | None:
    """A date as the store keeps it (ISO text), or as it is, or None."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def workdays_after(calendar: WorkCalendar, day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (``day`` itself not counted)."""
    value = calendar.add_workdays(day, n).value
    assert isinstance(value, dt.date)
    return value


def workdays_between(calendar: WorkCalendar, a: dt.date, b: dt.date) -> int:
    """Working days after ``a`` up to and including ``b``."""
    value = calendar.workdays_between(a, b).value
    assert isinstance(value, int)
    return value


def _cap(pause: Mapping[str, Any], start: dt.date, calendar: WorkCalendar) -> dt.date | None:
    """The day a procedure's maximum is reached (None: the procedure has none)."""
    limit = pause.get("max_days")
    if not limit:
        return None
    if pause.get("unit") == "calendar_days":
        return start + dt.timedelta(days=int(limit))
    return workdays_after(calendar, start, int(limit))


def _stop_end(pause: Mapping[str, Any], today: dt.date, calendar: WorkCalendar
              ) -> tuple[dt.date | None, dt.date]:
    """The start of a stop and the day its uncounted time ends: its end (today while it
    runs), or, when the procedure has a maximum, the day that maximum is reached."""
    start = as_date(pause.get("start"))
    end = as_date(pause.get("end")) or today
    cap = _cap(pause, start, calendar) if start is not None else None
    return start, end if cap is None else min(end, cap)


def stop_running(pauses: Iterable[Mapping[str, Any]], today: dt.date,
                 calendar: WorkCalendar) -> bool:
    """A stop is open and within its maximum: the clock does not run today."""
    for p in pauses:
        start = as_date(p.get("start"))
        if p.get("end") is not None or start is None:
            continue
        cap = _cap(p, start, calendar)
        if cap is None or today < cap:
            return True
    return False


def paused_days(pauses: Iterable[Mapping[str, Any]], today: dt.date, unit: str,
                calendar: WorkCalendar) -> int:
    """Days the clock was stopped up to today, in the case's ``unit``: working days, or
    calendar days for a limit counted in calendar days; each stop counts to its end
    (today while it runs), and no further than its procedure's maximum."""
    total = 0
    for p in pauses:
        start, end = _stop_end(p, today, calendar)
        if start is None or end <= start:
            continue
        total += (end - start).days if unit == "calendar_days" else \
            workdays_between(calendar, start, end)
    return total


def extension_days(extensions: Iterable[Mapping[str, Any]] | None) -> int:
    """Days added by approved extensions (延期), in the limit's unit."""
    return sum(int(e.get("days") or 0) for e in extensions or [])


def effective_deadline(base: dt.date | None, pauses: Iterable[Mapping[str, Any]],
                       today: dt.date, unit: str, calendar: WorkCalendar, *,
                       accepted: dt.date | None = None, days: int | None = None,
                       extensions: Iterable[Mapping[str, Any]] | None = None
                       ) -> dt.date | None:
    """The deadline moved by the stopped clock (§45) and approved extensions (§42).

    In working days the stopped days are added to ``base``. In calendar days a stop
    moves the *end* of the period, not the due date: ``base`` may already have been
    rolled past a rest day (民法典 §203), so the period is counted again from
    ``accepted`` (the day of acceptance, not counted, 民法典 §201) over ``days`` plus
    the stopped days, and only that end is rolled to the next working day. Without
    ``accepted`` and ``days`` the end is not known: ``base`` plus the stopped days is
    rolled instead, which may be later than the law's date. An extension is in the
    limit's unit: working days for a limit in working days (§42 "延长十日", counted as
    working days by §82), added last; calendar days for a limit in calendar days (居民身份证
    60 days, 交通不便的地区 up to 30 more), which lengthen the period like a stop.
    """
    if base is None:
        return None
    stopped = paused_days(pauses, today, unit, calendar)
    extra = extension_days(extensions)
    due = base
    if unit == "calendar_days":
        if stopped or extra:
            start, length = (accepted, days + stopped + extra) if accepted is not None \
                and days is not None else (base, stopped + extra)
            due = deadline(start, length, unit, calendar).value
        return due
    if stopped:
        due = workdays_after(calendar, base, stopped)
    return workdays_after(calendar, due, extra) if extra else due


def deadlines(case: Mapping[str, Any], today: dt.date, calendar: WorkCalendar
              ) -> tuple[dt.date | None, dt.date | None]:
    """The effective committed and statutory deadlines of a case (a stored case or its
    index entry) as of ``today``: fixed at acceptance, moved by its stops and
    extensions."""
    unit = case.get("unit") or "working_days"
    accepted = as_date(case.get("accepted_on"))
    pauses = case.get("pauses") or []
    extensions = case.get("extensions") or []
    out: list[dt.date | None] = []
    for which in ("committed", "statutory"):
        days = case.get(f"{which}_days")
        out.append(effective_deadline(
            as_date(case.get(f"{which}_deadline")), pauses, today, unit, calendar,
            accepted=accepted, days=None if days is None else int(days),
            extensions=extensions))
    return out[0], out[1]
