"""Tests for formkit.calendar: official holidays, 调休, overrides and provisional years."""

from __future__ import annotations

import timeit
from datetime import date, timedelta
from typing import Any

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from formkit.calendar import DayResult, OfficialSchedule, WorkCalendar

CAL = WorkCalendar()
# The package data this test file was written against: 1.11.0 covers 2004-2026.
FIRST_YEAR, LAST_YEAR = 2004, 2026


# --- official schedule ---------------------------------------------------------------------


def test_from_package_is_cached_and_covers_the_package_range() -> None:
    schedule = OfficialSchedule.from_package()
    assert schedule is OfficialSchedule.from_package()
    assert set(range(FIRST_YEAR, LAST_YEAR + 1)) <= schedule.years
    assert not schedule.covers(FIRST_YEAR - 1)
    # 调休 working days are always weekend days in the official data.
    assert all(d.weekday() >= 5 for d in schedule.workdays)


def test_is_workday_agrees_with_the_package_on_every_covered_day() -> None:
    # Exhaustive over 2004-2026 (~8400 days): the set-based lookup must give exactly the
    # package's own answer wherever the package has data.
    d, end = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
    while d <= end:
        assert CAL.is_workday(d) == chinese_calendar.is_workday(d), d
        assert not CAL.is_provisional(d)
        d += timedelta(days=1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 2, 13), True),  # Friday before the Spring Festival block
        (date(2026, 2, 14), True),  # Saturday, 调休 working day
        (date(2026, 2, 15), False),  # Sunday, first day of the block
        (date(2026, 2, 16), False),  # Monday, 除夕 (statutory since the 2024 revision)
        (date(2026, 2, 17), False),  # Tuesday, 初一
        (date(2026, 2, 23), False),  # Monday, last day of the block
        (date(2026, 2, 24), True),  # Tuesday, back to work
        (date(2026, 2, 28), True),  # Saturday, 调休 working day
        (date(2026, 10, 1), False),  # Thursday, 国庆
        (date(2026, 10, 7), False),  # Wednesday, last day of 国庆 block
        (date(2026, 10, 8), True),  # Thursday
        (date(2026, 10, 10), True),  # Saturday, 调休 working day
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 11, 25), True),  # ordinary Wednesday
    ],
)
def test_is_workday_2026(day: date, expected: bool) -> None:
    assert CAL.is_workday(day) is expected


# --- add_workdays ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Verified fact: accepted Tue 2026-09-29, 5 working days -> Mon 2026-10-12, because
        # 9-30 (1), 10-8 (2), 10-9 (3), Sat 10-10 调休 (4), 10-12 (5).
        (date(2026, 9, 29), 5, date(2026, 10, 12)),
        # Accepted on the Friday before the Spring Festival: the next working day is the
        # 调休 Saturday 2026-02-14.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        # From that Saturday the next working day is after the whole 9-day block.
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        # Accepted during the holiday: counting starts after the holiday.
        (date(2026, 2, 18), 3, date(2026, 2, 26)),
        # 20 working days (行政许可法 §42) across 中秋 and 国庆: 9-16..18 (3), Sun 9-20
        # 调休 (4), 9-21..24 (8), 9-28..30 (11), 10-8..10 (14), 10-12..16 (19), 10-19 (20).
        (date(2026, 9, 15), 20, date(2026, 10, 19)),
        # Ordinary week: Wednesday + 3 -> Monday.
        (date(2026, 11, 25), 3, date(2026, 11, 30)),
        # Ends on 12-31, still inside the covered year.
        (date(2026, 12, 28), 3, date(2026, 12, 31)),
    ],
)
def test_add_workdays_official(start: date, n: int, due: date) -> None:
    assert CAL.add_workdays(start, n) == DayResult(due, provisional=False)


def test_add_workdays_zero_is_the_day_itself() -> None:
    # 即办: due on the day of acceptance, even a holiday, and nothing was guessed.
    assert CAL.add_workdays(date(2026, 10, 1), 0) == DayResult(date(2026, 10, 1), False)
    assert CAL.add_workdays(date(2027, 6, 1), 0) == DayResult(date(2027, 6, 1), False)


def test_add_workdays_negative_is_an_error() -> None:
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 10, 1), -1)


def test_add_workdays_past_date_max_is_an_overflow() -> None:
    with pytest.raises(OverflowError):
        CAL.add_workdays(date.max - timedelta(days=3), 10)


# --- provisional years -----------------------------------------------------------------------


def test_uncovered_year_is_provisional_and_uses_the_weekday_rule() -> None:
    assert CAL.is_provisional(date(2027, 3, 1))
    assert CAL.is_provisional(date(2003, 3, 1))
    assert not CAL.is_provisional(date(2026, 12, 31))
    # 2027-01-01 is a Friday, but 元旦 is fixed by 全国年节及纪念日放假办法 §2: a rest day
    # even before the 2027 notice; the flag still says the year is a guess.
    assert not CAL.is_workday(date(2027, 1, 1))
    assert not CAL.is_workday(date(2027, 1, 2))  # Saturday
    assert CAL.is_workday(date(2027, 1, 4))  # Monday


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Crosses into 2027: 12-31 (1), 元旦 Fri 2027-01-01 a rest day by law, Mon 01-04
        # (2), Tue 01-05 (3).
        (date(2026, 12, 30), 3, date(2027, 1, 5)),
        # Entirely in 2027: Thu 09-30 (1), 国庆 10-01..10-03 by law (放假办法 §2), Mon
        # 10-04 (2), 10-05 (3), 10-06 (4), 10-07 (5).
        (date(2027, 9, 29), 5, date(2027, 10, 7)),
        # Starts on the last covered day: 2027-01-01 is 元旦, so Mon 01-04.
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
    ],
)
def test_add_workdays_into_uncovered_year_is_flagged(start: date, n: int, due: date) -> None:
    assert CAL.add_workdays(start, n) == DayResult(due, provisional=True)


def test_workdays_between_flags_uncovered_years() -> None:
    # 12-31 and Mon 2027-01-04; 元旦 2027-01-01 is not a working day.
    assert CAL.workdays_between(date(2026, 12, 30), date(2027, 1, 4)) == DayResult(2, True)
    assert CAL.workdays_between(date(2026, 12, 1), date(2026, 12, 31)).provisional is False


def test_empty_schedule_makes_everything_provisional() -> None:
    cal = WorkCalendar(official=OfficialSchedule.empty())
    # Without data 国庆 2026 keeps only the law's own days 10-01..10-03 (放假办法 §2),
    # not the 调休 of the notice; the flag is what keeps this honest. 09-30 (1), Mon
    # 10-05 (2), 10-06 (3), 10-07 (4), 10-08 (5).
    assert not cal.is_workday(date(2026, 10, 1))
    assert cal.add_workdays(date(2026, 9, 29), 5) == DayResult(date(2026, 10, 8), True)


# --- merging a newly announced year ---------------------------------------------------------

# A made-up notice for 2027 (not the real one): 1-1 Fri off, Sat 1-9 made a working day.
NOTICE_2027 = OfficialSchedule(
    holidays=frozenset({date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}),
    workdays=frozenset({date(2027, 1, 9)}),
    years=frozenset({2027}),
)


def test_merged_adds_a_year() -> None:
    schedule = OfficialSchedule.from_package().merged(NOTICE_2027)
    cal = WorkCalendar(official=schedule)
    assert not cal.is_provisional(date(2027, 1, 1))
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 9))
    assert cal.add_workdays(date(2026, 12, 30), 3) == DayResult(date(2027, 1, 5), False)
    # Earlier years are untouched.
    assert cal.add_workdays(date(2026, 9, 29), 5) == DayResult(date(2026, 10, 12), False)


def test_merged_replaces_a_whole_year() -> None:
    # A correction for 2026 that lists no holidays wipes the package's 2026 holidays.
    blank_2026 = OfficialSchedule(frozenset(), frozenset(), frozenset({2026}))
    cal = WorkCalendar(official=OfficialSchedule.from_package().merged(blank_2026))
    assert cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 10, 10))
    assert not cal.is_provisional(date(2026, 10, 1))
    assert not cal.is_workday(date(2025, 10, 1))  # 2025 still from the package


def test_schedule_rejects_inconsistent_data() -> None:
    with pytest.raises(ValueError, match="outside the covered years"):
        OfficialSchedule(frozenset({date(2028, 1, 1)}), frozenset(), frozenset({2027}))
    with pytest.raises(ValueError, match="both holiday and working day"):
        d = date(2027, 1, 2)
        OfficialSchedule(frozenset({d}), frozenset({d}), frozenset({2027}))


# --- centre overrides ------------------------------------------------------------------------


def test_closure_on_a_weekday() -> None:
    # A local festival closes the centre on Wednesday 2026-11-25.
    cal = WorkCalendar(closures=[date(2026, 11, 25)])
    assert not cal.is_workday(date(2026, 11, 25))
    assert cal.add_workdays(date(2026, 11, 24), 1) == DayResult(date(2026, 11, 26), False)


def test_overrides_win_over_official_data() -> None:
    cal = WorkCalendar(
        # Closed on the official 调休 Saturday.
        closures=[date(2026, 10, 10)],
        # Open on an official holiday and on an ordinary Saturday.
        workdays=[date(2026, 10, 5), date(2026, 11, 28)],
    )
    assert not cal.is_workday(date(2026, 10, 10))
    assert cal.is_workday(date(2026, 10, 5))
    assert cal.is_workday(date(2026, 11, 28))
    # 10-5 (1), 10-8 (2), 10-9 (3), 10-12 (4), 10-13 (5).
    assert cal.add_workdays(date(2026, 9, 30), 5) == DayResult(date(2026, 10, 13), False)


def test_overrides_in_an_uncovered_year_are_still_provisional() -> None:
    cal = WorkCalendar(closures=[date(2027, 1, 1)])
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.add_workdays(date(2026, 12, 31), 1) == DayResult(date(2027, 1, 4), True)


def test_same_day_closed_and_open_is_an_error() -> None:
    with pytest.raises(ValueError):
        WorkCalendar(closures=[date(2026, 5, 6)], workdays=[date(2026, 5, 6)])


# --- workdays_between and add_days -----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (date(2026, 9, 29), date(2026, 10, 12), 5),  # the verified case, inverted
        (date(2026, 9, 29), date(2026, 10, 11), 4),  # Sunday end: not counted
        (date(2026, 9, 30), date(2026, 10, 7), 0),  # only the 国庆 block
        (date(2026, 11, 25), date(2026, 11, 25), 0),  # same day
        (date(2026, 11, 30), date(2026, 11, 25), 0),  # b before a
        # Whole 2026: 261 weekdays - 19 weekday holidays + 6 调休 days = 248.
        (date(2026, 1, 1), date(2026, 12, 31), 248),
    ],
)
def test_workdays_between(a: date, b: date, count: int) -> None:
    assert CAL.workdays_between(a, b) == DayResult(count, provisional=False)


def test_add_days() -> None:
    assert CAL.add_days(date(2026, 12, 25), 10) == date(2027, 1, 4)
    assert CAL.add_days(date(2026, 3, 1), -1) == date(2026, 2, 28)


# --- properties ------------------------------------------------------------------------------

any_day = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
override_days = st.frozensets(
    st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30)), max_size=15
)


@given(any_day, st.integers(0, 60), override_days, override_days)
def test_workdays_between_inverts_add_workdays(
    d: date, n: int, closed: frozenset[date], opened: frozenset[date]
) -> None:
    cal = WorkCalendar(closures=closed, workdays=opened - closed)
    due = cal.add_workdays(d, n)
    assert isinstance(due.value, date)
    assert cal.workdays_between(d, due.value) == DayResult(n, due.provisional)
    if n > 0:
        assert cal.is_workday(due.value)
        # Nothing strictly between d and the due date is skipped or double-counted.
        assert cal.workdays_between(d, due.value - timedelta(days=1)).value == n - 1


@given(any_day, any_day)
def test_add_workdays_inverts_workdays_between(a: date, b: date) -> None:
    count = CAL.workdays_between(a, b).value
    assert isinstance(count, int)
    due = CAL.add_workdays(a, count).value
    assert isinstance(due, date)
    assert due <= max(a, b)
    if b > a and CAL.is_workday(b):
        assert due == b


@given(
    st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 9, 1)), st.integers(1, 60)
)
def test_add_workdays_matches_package_find_workday(d: date, n: int) -> None:
    # find_workday(k, x) is the (k+1)-th working day on or after x.
    expected = chinese_calendar.find_workday(n - 1, d + timedelta(days=1))
    assert CAL.add_workdays(d, n) == DayResult(expected, provisional=False)


def test_add_workdays_is_fast() -> None:
    # Budget: < 20 µs for n = 20; measured ~4 µs. The assertion allows 5x for slow CI.
    runs = 2000
    best = min(
        timeit.repeat(lambda: CAL.add_workdays(date(2026, 9, 15), 20), number=runs, repeat=5)
    )
    assert best / runs < 100e-6


# --- the last days a date can have -----------------------------------------------------------


@pytest.mark.parametrize(("received", "days", "unit", "due"), [
    # working days past 9999-12-31: a LimitError, not the calendar's OverflowError
    (date(9999, 12, 31), 1, "working_days", None),
    (date(9999, 12, 28), 5, "working_days", None),
    # calendar days past it: timedelta's OverflowError before
    (date(9999, 12, 31), 1, "calendar_days", None),
    # a period that ends on 9999-12-31 itself, a Friday: nothing to roll past it
    (date(9999, 12, 30), 1, "calendar_days", date(9999, 12, 31)),
    # within the range, as before
    (date(9999, 12, 20), 5, "working_days", date(9999, 12, 27)),
    # 即办: no day is counted, so even the last day has its deadline
    (date(9999, 12, 31), 0, "working_days", date(9999, 12, 31)),
])
def test_deadline_past_the_last_date(received: date, days: int, unit: str,
                                     due: date | None) -> None:
    from formkit.errors import LimitError
    from formkit.intake.deadlines import deadline

    if due is None:
        with pytest.raises(LimitError) as caught:
            deadline(received, days, unit, CAL)
        assert caught.value.code == "date-range"
        assert "9999-12-31" in caught.value.message
    else:
        assert deadline(received, days, unit, CAL).value == due


@pytest.mark.parametrize(("checks", "outcome"), [
    # accepted: its deadlines cannot be dated, so the pre-check raises a FormkitError
    ("", None),
    # refused: no deadline is counted, so the result and its notice come back
    ("checks:\n  - when: true\n    refuse: {zh: 不予受理}\n", "refuse"),
])
def test_the_api_on_the_last_day(make_catalog: Any, checks: str, outcome: str | None) -> None:
    import formkit

    folder = make_catalog(
        'code: "XX-T-0001"\nname: {zh: 测试事项}\ndepartment: market_supervision\n'
        "kind: public_service\ntime_limit: {statutory_days: 5, committed_days: 1}\n"
        + checks)
    catalog = formkit.open_catalog(folder)
    rules = catalog.rules_of("XX-T-0001")
    assert catalog.ok and rules is not None and catalog.catalog is not None
    last = date(9999, 12, 31)
    if outcome is None:
        with pytest.raises(formkit.FormkitError) as caught:
            formkit.run_precheck(rules, {"fields": {}}, today=last)
        assert (caught.value.kind, caught.value.code) == ("limit", "date-range")
        return
    result = formkit.run_precheck(rules, {"fields": {}}, today=last)
    assert result.outcome == outcome
    info = formkit.NoticeInfo(applicant="张三", case_number="X1", clerk="李四")
    # the refusal prints no day to supply by: it is not counted (it overflowed)
    assert "不予受理" in formkit.render_notice(catalog.catalog, rules.matter, result, info)


# --- 即办件 received on a rest day -------------------------------------------------------------


@pytest.mark.parametrize(("received", "due"), [
    # The case: sent online on Sat 2026-10-03, inside 国庆 (10-01..10-07 in the
    # 2026 notice): due Thu 10-08, the first working day after it (民法典 §203).
    (date(2026, 10, 3), date(2026, 10, 8)),
    # Received on the first day of 国庆: the same first working day.
    (date(2026, 10, 1), date(2026, 10, 8)),
    # Received on 中秋, Fri 2026-09-25 (rest 09-25..27): Mon 09-28.
    (date(2026, 9, 25), date(2026, 9, 28)),
    # An ordinary Sunday, 2026-10-11: Mon 10-12.
    (date(2026, 10, 11), date(2026, 10, 12)),
    # A working day: due that day, as before.
    (date(2026, 10, 8), date(2026, 10, 8)),
    # Sat 2026-10-10 is a 调休 working day in the 2026 notice: due that day.
    (date(2026, 10, 10), date(2026, 10, 10)),
])
def test_same_day_case_received_on_a_rest_day_is_due_the_next_working_day(
        received: date, due: date) -> None:
    from formkit.intake.deadlines import Due, deadline

    for unit in ("working_days", "calendar_days"):
        assert deadline(received, 0, unit, CAL) == Due(due, False)


def test_same_day_case_received_on_a_holiday_is_not_overdue_on_the_next_working_day() -> None:
    from formkit.cases.monitor import monitor
    from formkit.intake.deadlines import deadline

    due = deadline(date(2026, 10, 3), 0, "working_days", CAL).value
    summary = {"number": "X1", "matter": "XX-T-0001", "state": "accepted",
               "received_on": "2026-10-03", "accepted_on": "2026-10-03",
               "committed_deadline": due.isoformat(), "unit": "working_days",
               "committed_days": 0, "pauses": []}
    # On Thu 10-08, the first working day after 国庆, it is due today, not a yellow card.
    report = monitor([summary], date(2026, 10, 8), CAL)
    assert report.yellow == [] and report.red == []
    assert [(f.kind, f.due, f.days) for f in report.due_soon] == [
        ("due_soon", date(2026, 10, 8), 0)]
    # On Fri 10-09 it is one working day over.
    report = monitor([summary], date(2026, 10, 9), CAL)
    assert [(f.kind, f.days) for f in report.yellow] == [("yellow", 1)]


# --- the centre's opening days and shut days ---------------------------------------------------


OPEN_SAT = date(2026, 12, 19)  # a Saturday 延时服务日
SHUT_THU = date(2026, 11, 26)  # a Thursday the centre is shut (system upgrade)
CENTRE = WorkCalendar(opening_days=[OPEN_SAT], shut_days=[SHUT_THU])


@pytest.mark.parametrize(("day", "is_open", "counts"), [
    # 延时服务日: the window works, but a Saturday is a rest day for every limit (§82).
    (OPEN_SAT, True, False),
    # Shut on a Thursday: closed, yet a working day under 行政许可法 §82.
    (SHUT_THU, False, True),
    # An ordinary Friday and Sunday.
    (date(2026, 11, 27), True, True),
    (date(2026, 11, 29), False, False),
])
def test_open_is_not_the_same_as_counted(day: date, is_open: bool, counts: bool) -> None:
    assert CENTRE.is_open(day) is is_open
    assert CENTRE.is_workday(day) is counts


@pytest.mark.parametrize(("start", "n", "unit", "due"), [
    # The XX-HR-0001 case: accepted Wed 2026-11-25, statutory 20 working days.
    # Counted by hand, the opening Saturday 12-19 left out and Thu 11-26 (shut) counted:
    # 11-26 (1), 11-27 (2), 11-30..12-04 (7), 12-07..12-11 (12), 12-14..12-18 (17),
    # 12-21 (18), 12-22 (19), 12-23 (20). Counting the Saturday gave 12-22.
    (date(2026, 11, 25), 20, "working_days", date(2026, 12, 23)),
    # The 1st working day after 11-25 is the shut 11-26: the limit ends on Fri 11-27
    # (民法典 §203: a last day without business hours moves to the next one).
    (date(2026, 11, 25), 1, "working_days", date(2026, 11, 27)),
    # The 2nd working day is also 11-27: the shut day counted as the 1st.
    (date(2026, 11, 25), 2, "working_days", date(2026, 11, 27)),
    # 11-16 + 10 calendar days = the shut 11-26: ends Fri 11-27.
    (date(2026, 11, 16), 10, "calendar_days", date(2026, 11, 27)),
    # 12-09 + 10 calendar days = the opening Saturday 12-19: still a rest day, so the
    # end rolls to Mon 12-21 (民法典 §203).
    (date(2026, 12, 9), 10, "calendar_days", date(2026, 12, 21)),
    # A 即办件 received on the opening Saturday: due Mon 12-21 (民法典 §203).
    (OPEN_SAT, 0, "working_days", date(2026, 12, 21)),
    # A 即办件 received on the shut Thursday (online): due Fri 11-27.
    (SHUT_THU, 0, "working_days", date(2026, 11, 27)),
])
def test_limits_follow_the_law_not_the_opening_hours(start: date, n: int, unit: str,
                                                     due: date) -> None:
    from formkit.intake.deadlines import deadline

    assert deadline(start, n, unit, CENTRE).value == due


def test_a_shut_day_still_counts_toward_the_days_used() -> None:
    # 11-25 -> 11-27: the shut 11-26 and 11-27 are 2 working days used (§82).
    assert CENTRE.workdays_between(date(2026, 11, 25), date(2026, 11, 27)) == DayResult(2, False)
    # 12-18 -> 12-21: the opening Saturday is not a working day used.
    assert CENTRE.workdays_between(date(2026, 12, 18), date(2026, 12, 21)) == DayResult(1, False)


def test_a_day_both_open_and_shut_is_an_error() -> None:
    with pytest.raises(ValueError, match="opening day and as shut day"):
        WorkCalendar(opening_days=[OPEN_SAT], shut_days=[OPEN_SAT])


CALENDAR_YAML = """\
closures:
  - {date: "2026-11-26", name: {zh: 中心系统升级停办}}
workdays:
  - {date: "2026-12-19", name: {zh: 周末延时服务日}}
holidays:
  - {date: "2026-12-02", name: {zh: 地方民族节日}}
"""


@pytest.mark.parametrize(("start", "n", "due"), [
    # 20 working days from 11-25 with the opening Saturday 12-19 not counted and the
    # local holiday Wed 12-02 (全国年节及纪念日放假办法 §4) left out: 12-23 + 1 = Thu 12-24.
    (date(2026, 11, 25), 20, date(2026, 12, 24)),
    # 11-25 + 1 is the shut 11-26 (counted): the limit ends Fri 11-27.
    (date(2026, 11, 25), 1, date(2026, 11, 27)),
    # 12-01 + 1 skips the local holiday 12-02: Thu 12-03.
    (date(2026, 12, 1), 1, date(2026, 12, 3)),
])
def test_the_calendar_file_sets_holidays_closures_and_opening_days(
        make_catalog: Any, start: date, n: int, due: date) -> None:
    from formkit.catalog import open_catalog
    from formkit.intake.deadlines import deadline

    folder = make_catalog(catalog=_catalog_yaml_with_calendar(),
                          files={"calendar.yaml": CALENDAR_YAML})
    opened = open_catalog(folder)
    assert opened.ok, [e.message for e in opened.errors[:3]]
    cal = opened.work_calendar()
    assert cal.is_open(date(2026, 12, 19)) and not cal.is_open(date(2026, 11, 26))
    assert deadline(start, n, "working_days", cal).value == due


def test_a_day_both_closed_and_open_in_the_calendar_file_is_a_placed_error() -> None:
    from formkit.definitions.loader import validate_document
    from formkit.definitions.model import CalendarFile
    from formkit.definitions.yamldoc import parse_yaml

    doc = parse_yaml('closures:\n  - {date: "2026-12-19"}\nworkdays:\n'
                     '  - {date: "2026-12-19"}\n', "calendar.yaml")
    assert validate_document(doc, CalendarFile, "calendar") is None
    assert [(e.code, e.span.line if e.span else None) for e in doc.errors] == [("bad-value", 4)]
    assert "both under closures and under workdays" in doc.errors[0].message


def _catalog_yaml_with_calendar() -> str:
    from tests.conftest import CATALOG_YAML

    return CATALOG_YAML + "calendar: calendar.yaml\n"


# --- years without a notice: the law's own holidays ---------------------------------------------


@pytest.mark.parametrize(("year", "days"), [
    # 2027, worked out from 全国年节及纪念日放假办法 (2024) §2 and the lunar calendar:
    # 元旦 Fri 01-01; 春节 初一 = 02-06, so 除夕 02-05 and 初一-初三 02-06..02-08;
    # 清明 04-05; 劳动节 05-01, 05-02; 端午 06-09; 中秋 09-15; 国庆 10-01..10-03.
    (2027, [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7),
            date(2027, 2, 8), date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2),
            date(2027, 6, 9), date(2027, 9, 15), date(2027, 10, 1), date(2027, 10, 2),
            date(2027, 10, 3)]),
    # 2028: 春节 初一 = 01-26 (除夕 01-25), 清明 04-04, 端午 05-28, and 中秋 10-03 is also
    # a 国庆 day: 12 distinct days.
    (2028, [date(2028, 1, 1), date(2028, 1, 25), date(2028, 1, 26), date(2028, 1, 27),
            date(2028, 1, 28), date(2028, 4, 4), date(2028, 5, 1), date(2028, 5, 2),
            date(2028, 5, 28), date(2028, 10, 1), date(2028, 10, 2), date(2028, 10, 3)]),
    # Past the lunar table: only the fixed-date days and 清明.
    (2040, [date(2040, 1, 1), date(2040, 4, 4), date(2040, 5, 1), date(2040, 5, 2),
            date(2040, 10, 1), date(2040, 10, 2), date(2040, 10, 3)]),
    # Before the 2024 revision applied: nothing (those years have official data).
    (2024, []),
])
def test_statutory_holidays(year: int, days: list[date]) -> None:
    from formkit.calendar import statutory_holidays

    assert sorted(statutory_holidays(year)) == days


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_are_official_holidays_in_the_published_years(year: int) -> None:
    # The law's 13 days are in every notice since the revision: the table and the rule
    # agree with the State Council's 2025 and 2026 schedules.
    from formkit.calendar import statutory_holidays

    assert len(statutory_holidays(year)) == 13
    assert statutory_holidays(year) <= OfficialSchedule.from_package().holidays


@pytest.mark.parametrize(("day", "workday"), [
    # 2027 劳动节 05-01 is a Saturday and 05-02 a Sunday: rest days anyway.
    (date(2027, 5, 1), False),
    # 端午 Wed 2027-06-09: a rest day by law, not a guessed working day.
    (date(2027, 6, 9), False),
    # 中秋 Wed 2027-09-15.
    (date(2027, 9, 15), False),
    # 春节 除夕 Fri 2027-02-05 and 初三 Mon 02-08.
    (date(2027, 2, 5), False),
    (date(2027, 2, 8), False),
    # Tue 2027-02-09: the law's days are over; the notice may still add 调休 (§6).
    (date(2027, 2, 9), True),
])
def test_an_unpublished_year_rests_on_the_law_s_holidays(day: date, workday: bool) -> None:
    assert CAL.is_workday(day) is workday
    assert CAL.is_provisional(day)


NOTICE_YAML = """\
official:
  - year: 2027
    holidays: ["2027-01-01", "2027-01-02", "2027-01-03"]
    workdays: ["2027-01-09"]
"""


@pytest.mark.parametrize(("start", "n", "due", "provisional"), [
    # The entered (made-up) 2027 notice: 01-01..01-03 off, Sat 01-09 a 调休 working day.
    # Fri 01-08 + 1 is Sat 01-09, and nothing is guessed any more.
    (date(2027, 1, 8), 1, date(2027, 1, 9), False),
    # 12-31 + 1: 01-01..01-03 are holidays, Mon 01-04.
    (date(2026, 12, 31), 1, date(2027, 1, 4), False),
    # 2028 has no notice: still provisional. Fri 2027-12-31 + 1: 元旦 Sat 2028-01-01,
    # Sun 01-02, Mon 01-03.
    (date(2027, 12, 31), 1, date(2028, 1, 3), True),
])
def test_the_calendar_file_enters_a_newly_published_notice(
        make_catalog: Any, start: date, n: int, due: date, provisional: bool) -> None:
    from formkit.catalog import open_catalog

    folder = make_catalog(catalog=_catalog_yaml_with_calendar(),
                          files={"calendar.yaml": NOTICE_YAML})
    opened = open_catalog(folder)
    assert opened.ok, [e.message for e in opened.errors[:3]]
    assert opened.work_calendar().add_workdays(start, n) == DayResult(due, provisional)


@pytest.mark.parametrize(("text", "line", "message"), [
    # A date of another year under a year's notice.
    ('official:\n  - year: 2027\n    holidays: ["2028-01-01"]\n', 3,
     "not in the year 2027"),
    # A 调休 day of another year.
    ('official:\n  - year: 2027\n    holidays: ["2027-01-01"]\n'
     '    workdays: ["2026-12-26"]\n', 4, "not in the year 2027"),
    # The same day off and at work.
    ('official:\n  - year: 2027\n    holidays: ["2027-01-09"]\n'
     '    workdays: ["2027-01-09"]\n', 4, "both as holiday and as working day"),
    # One year given twice.
    ('official:\n  - {year: 2027, holidays: ["2027-01-01"]}\n'
     '  - {year: 2027, holidays: ["2027-01-02"]}\n', 2, "given twice"),
])
def test_a_wrong_notice_in_the_calendar_file_is_a_placed_error(
        text: str, line: int, message: str) -> None:
    from formkit.definitions.loader import validate_document
    from formkit.definitions.model import CalendarFile
    from formkit.definitions.yamldoc import parse_yaml

    doc = parse_yaml(text, "calendar.yaml")
    assert validate_document(doc, CalendarFile, "calendar") is None
    assert [e.code for e in doc.errors] == ["bad-value"]
    assert message in doc.errors[0].message
    assert doc.errors[0].span is not None and doc.errors[0].span.line == line
