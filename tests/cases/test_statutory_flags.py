"""The monitor's own flags for the law's limits: ``statutory_overdue`` (行政许可法 §42,
past the statutory deadline, not only the committed one) and ``supplement_expired`` (a
补正 case whose period to bring the materials has run out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from formkit.cases.monitor import MonitorConfig, MonitorReport, monitor
from formkit.cases.service import Case, Pause, summary
from tests.cases.support import calendar

D = dt.date


def entry(state: str, **facts: Any) -> dict[str, Any]:
    """The index entry of a case received Friday 2026-11-13 (committed 5, statutory 10)."""
    base: dict[str, Any] = {"number": "FK2026111300001", "matter": "XX-MS-0002",
                            "version": "v", "department": "market_supervision",
                            "received_on": D(2026, 11, 13), "state": state,
                            "committed_days": 5, "statutory_days": 10}
    if state not in ("received", "supplement"):
        # 11-16 .. 11-20: committed 11-20; 11-23 .. 11-27: statutory 11-27
        base.update(accepted_on=D(2026, 11, 13), notice_on=D(2026, 11, 13),
                    committed_deadline=D(2026, 11, 20), statutory_deadline=D(2026, 11, 27))
    base.update(facts)
    found = summary(Case(**base).model_dump(mode="json"))
    assert found is not None
    return found


def run(e: dict[str, Any], today: dt.date, **config: Any) -> MonitorReport:
    return monitor([e], today, calendar(), MonitorConfig(**config))


STATUTORY = [
    # (state, facts, today, expected (days, due) of statutory_overdue)
    ("in_review", {}, D(2026, 11, 27), []),  # the last day of the statutory limit
    ("in_review", {}, D(2026, 11, 30), [(1, D(2026, 11, 27))]),  # Monday after it
    ("accepted", {}, D(2026, 12, 3), [(4, D(2026, 11, 27))]),  # 11-30, 12-01, 02, 03
    # stopped 11-17, 11-18 for testing (§45): both limits move two working days
    ("in_review", {"pauses": [Pause(reason="testing", start=D(2026, 11, 16),
                                    end=D(2026, 11, 18))]}, D(2026, 12, 1), []),
    ("in_review", {"pauses": [Pause(reason="testing", start=D(2026, 11, 16),
                                    end=D(2026, 11, 18))]}, D(2026, 12, 2),
     [(1, D(2026, 12, 1))]),
    # the clock is stopped now: the limit keeps moving, no flag
    ("in_review", {"pauses": [Pause(reason="hearing", start=D(2026, 11, 26))]},
     D(2026, 12, 10), []),
    # decided: the limit was met or not, nothing left to watch
    ("approved", {"decided_on": D(2026, 12, 1)}, D(2026, 12, 3), []),
    # never answered (§32(4)): accepted on receipt 11-13, so also statutory 11-27
    ("received", {}, D(2026, 11, 30), [(1, D(2026, 11, 27))]),
]


@pytest.mark.parametrize(("state", "facts", "today", "expected"), STATUTORY)
def test_statutory_overdue(state: str, facts: dict[str, Any], today: dt.date,
                           expected: list[tuple[int, dt.date]]) -> None:
    report = run(entry(state, **facts), today)
    assert [(f.days, f.due) for f in report.statutory_overdue] == expected
    assert all(f.kind == "statutory_overdue" and "法定时限" in f.detail
               for f in report.statutory_overdue)


SUPPLEMENT = [
    # (notice given on, config, today, expected (days, due) of supplement_expired)
    # default 10 working days from the notice of Friday 11-13: 11-16 .. 20, 23 .. 27
    (D(2026, 11, 13), {}, D(2026, 11, 27), []),
    (D(2026, 11, 13), {}, D(2026, 11, 30), [(1, D(2026, 11, 27))]),
    (D(2026, 11, 13), {}, D(2026, 12, 4), [(5, D(2026, 11, 27))]),  # 11-30 .. 12-04
    # the centre's own period: 5 working days -> 11-20, Monday 11-23 is one over
    (D(2026, 11, 13), {"supplement_days": 5}, D(2026, 11, 23), [(1, D(2026, 11, 20))]),
    # across 国庆 2026: 9-30, 10-08, 09, 10 (调休), 12, 13, 14, 15, 16, 19 -> 10-19
    (D(2026, 9, 29), {}, D(2026, 10, 19), []),
    (D(2026, 9, 29), {}, D(2026, 10, 20), [(1, D(2026, 10, 19))]),
    # no notice date on record (an old import): nothing to count from
    (None, {}, D(2026, 12, 4), []),
]


@pytest.mark.parametrize(("told", "config", "today", "expected"), SUPPLEMENT)
def test_supplement_expired(told: dt.date | None, config: dict[str, Any], today: dt.date,
                            expected: list[tuple[int, dt.date]]) -> None:
    report = run(entry("supplement", notice_on=told), today, **config)
    assert [(f.days, f.due) for f in report.supplement_expired] == expected
    # a 补正 case has no deadlines yet: on no other list
    assert report.yellow == report.red == report.statutory_overdue == report.due_soon == []


# --- calendar-day limits: a stop moves the end of the period, not the rolled due date -------

# 居民身份证换领 (30 / 60 calendar days), accepted Wednesday 2026-08-26. 8-26 + 30 = 9-25
# (中秋) -> due Monday 9-28; 8-26 + 60 = 10-25 (Sunday) -> due Monday 10-26. Stopped
# 9-01 .. 9-06 (5 days, 行政许可法 §45): the periods end 8-26 + 35 = 9-30 (Wednesday) and
# 8-26 + 65 = 10-30 (Friday), both working days; rolling the due dates instead gave
# 9-28 + 5 = 10-03 (国庆) -> 10-08 and 10-26 + 5 = 10-31 (Saturday) -> 11-02.
ID_CARD = {"matter": "XX-PS-0001", "unit": "calendar_days", "committed_days": 30,
           "statutory_days": 60, "received_on": D(2026, 8, 26), "accepted_on": D(2026, 8, 26),
           "notice_on": D(2026, 8, 26), "committed_deadline": D(2026, 9, 28),
           "statutory_deadline": D(2026, 10, 26),
           "pauses": [Pause(reason="testing", start=D(2026, 9, 1), end=D(2026, 9, 6))]}

CALENDAR_DAYS = [
    # (today, list, expected (kind, days, due))
    # 10-08, the first working day after 国庆: one working day past 9-30 (was due_soon 0)
    (D(2026, 10, 8), "yellow", [("yellow", 1, D(2026, 9, 30))]),
    (D(2026, 10, 8), "due_soon", []),
    # Monday 11-02: one working day past 10-30 (was not flagged, due 11-02)
    (D(2026, 11, 2), "statutory_overdue", [("statutory_overdue", 1, D(2026, 10, 30))]),
]


@pytest.mark.parametrize(("today", "name", "expected"), CALENDAR_DAYS)
def test_a_stop_moves_the_end_of_a_calendar_day_period(
        today: dt.date, name: str, expected: list[tuple[str, int, dt.date]]) -> None:
    report = run(entry("in_review", **ID_CARD), today)
    assert [(f.kind, f.days, f.due) for f in getattr(report, name)] == expected


def test_queues_and_figures_use_the_same_end() -> None:
    from formkit.cases.queues import decision_queue
    from formkit.cases.stats import overview

    # in review with no route step left: waits for a decision, due 9-30 (not 10-08)
    queued = decision_queue([entry("in_review", **ID_CARD)], None, D(2026, 10, 8),
                            calendar())
    assert [(q.number, q.due) for q in queued] == [("FK2026111300001", D(2026, 9, 30))]
    # decided 10-08: late against 9-30 (it counted as on time against 10-08)
    case = Case(number="FK2026111300001", version="v", state="approved",
                decided_on=D(2026, 10, 8), **ID_CARD).model_dump(mode="json")
    [perf] = overview([case], D(2026, 10, 8), calendar()).performance
    assert (perf.decided, perf.on_time) == (1, 0)
