"""effective_deadline: a stopped clock moves the end of the period, then 民法典 §203 rolls it.

Every date below was worked out by hand from the State Council's 2026 schedule
(gov.cn/zhengce/content/202511/content_7047090.htm): 中秋 2026-09-25..27, 国庆
2026-10-01..07, 调休 working days Sunday 2026-09-20 and Saturday 2026-10-10.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from formkit.calendar import WorkCalendar
from formkit.cases.clock import effective_deadline

CAL = WorkCalendar()


def _pause(start: date, end: date | None) -> dict[str, Any]:
    return {"reason": "inspection", "start": start.isoformat(),
            "end": None if end is None else end.isoformat()}


@pytest.mark.parametrize(
    ("accepted", "days", "base", "pauses", "today", "due"),
    [
        # The ID card case: 08-26 + 30 days ends 09-25 (中秋), rolled to Mon 09-28.
        # Stopped 09-01..09-06 (5 days, 行政许可法 §45): the END moves, 09-25 + 5 = Wed
        # 09-30, a working day, so nothing rolls (was 09-28 + 5 = 10-03, a 国庆 holiday).
        (date(2026, 8, 26), 30, date(2026, 9, 28),
         [_pause(date(2026, 9, 1), date(2026, 9, 6))], date(2026, 9, 10), date(2026, 9, 30)),
        # Stopped 10 days: 09-25 + 10 = 10-05, inside 国庆, rolls to Thu 10-08 (民法典 §203).
        (date(2026, 8, 26), 30, date(2026, 9, 28),
         [_pause(date(2026, 9, 1), date(2026, 9, 11))], date(2026, 9, 20), date(2026, 10, 8)),
        # A stop still running counts up to today: 09-01..09-04 is 3 days, 09-25 + 3 =
        # Mon 09-28.
        (date(2026, 8, 26), 30, date(2026, 9, 28),
         [_pause(date(2026, 9, 1), None)], date(2026, 9, 4), date(2026, 9, 28)),
        # Two stops add up: 2 + 1 = 3 days, 09-25 + 3 = Mon 09-28.
        (date(2026, 8, 26), 30, date(2026, 9, 28),
         [_pause(date(2026, 9, 1), date(2026, 9, 3)),
          _pause(date(2026, 9, 10), date(2026, 9, 11))], date(2026, 9, 20), date(2026, 9, 28)),
        # 09-01 + 30 = 10-01 (国庆), base rolled to 10-08; stopped 2 days: 10-03, still
        # 国庆, rolls to 10-08 again.
        (date(2026, 9, 1), 30, date(2026, 10, 8),
         [_pause(date(2026, 9, 2), date(2026, 9, 4))], date(2026, 9, 10), date(2026, 10, 8)),
        # No stop: the due date fixed at acceptance stands.
        (date(2026, 8, 26), 30, date(2026, 9, 28), [], date(2026, 9, 10), date(2026, 9, 28)),
    ],
)
def test_calendar_day_pause_moves_the_end_of_the_period(
        accepted: date, days: int, base: date, pauses: list[dict[str, Any]], today: date,
        due: date) -> None:
    assert effective_deadline(base, pauses, today, "calendar_days", CAL,
                              accepted=accepted, days=days) == due


@pytest.mark.parametrize(
    ("base", "pauses", "today", "due"),
    [
        # Without the day of acceptance the end is not known: base 09-28 + 5 = 10-03 is a
        # 国庆 holiday and rolls to Thu 10-08 (民法典 §203) instead of being shown as due
        # on a day nobody works.
        (date(2026, 9, 28), [_pause(date(2026, 9, 1), date(2026, 9, 6))], date(2026, 9, 10),
         date(2026, 10, 8)),
        # Base Mon 11-30 + 2 = Wed 12-02, a working day.
        (date(2026, 11, 30), [_pause(date(2026, 11, 2), date(2026, 11, 4))],
         date(2026, 11, 10), date(2026, 12, 2)),
    ],
)
def test_calendar_day_pause_without_the_period_never_ends_on_a_rest_day(
        base: date, pauses: list[dict[str, Any]], today: date, due: date) -> None:
    assert effective_deadline(base, pauses, today, "calendar_days", CAL) == due


@pytest.mark.parametrize(
    ("base", "pauses", "due"),
    [
        # Working days: stopped 10-08..10-10 counts 10-09 and Sat 10-10 (调休) = 2 working
        # days (行政许可法 §82); 10-12 + 2 working days = Wed 10-14.
        (date(2026, 10, 12), [_pause(date(2026, 10, 8), date(2026, 10, 10))],
         date(2026, 10, 14)),
        # A stop inside 国庆 stops no working day: the deadline stands.
        (date(2026, 10, 12), [_pause(date(2026, 10, 2), date(2026, 10, 6))],
         date(2026, 10, 12)),
    ],
)
def test_working_day_pause_adds_working_days(base: date, pauses: list[dict[str, Any]],
                                             due: date) -> None:
    assert effective_deadline(base, pauses, date(2026, 10, 20), "working_days", CAL,
                              accepted=date(2026, 9, 29), days=5) == due


# An extension is counted in the limit's unit. 居民身份证: 60 days, up to 30 more in
# 交通不便的地区 (calendar days). Accepted 2026-11-02 (Mon): 60 days end 2027-01-01 元旦,
# a holiday, so the limit ends on the next working day, 2027-01-04 (民法典 §203).
# With 30 more the period is 90 days: 2027-01-31, a Sunday -> 2027-02-01 (Mon).
@pytest.mark.parametrize(("extra", "due"), [
    (0, date(2027, 1, 4)),
    (30, date(2027, 2, 1)),
])
def test_an_extension_of_a_calendar_day_limit_counts_calendar_days(
        extra: int, due: date) -> None:
    cal = WorkCalendar()
    accepted = date(2026, 11, 2)
    base = date(2027, 1, 4)
    got = effective_deadline(base, [], date(2026, 11, 20), "calendar_days", cal,
                             accepted=accepted, days=60,
                             extensions=[{"days": extra}] if extra else [])
    assert got == due
