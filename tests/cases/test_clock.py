"""The case clock (formkit.cases.clock and the service moves that use it): special
procedures with a maximum, extensions, provisional years recomputed, and a 即办件 with a
substantive ground. Dates are counted by hand (see each test)."""

from __future__ import annotations

import datetime as dt
from datetime import date as D
from pathlib import Path
from typing import Any

import pytest

from formkit.calendar import OfficialSchedule, WorkCalendar
from formkit.cases.clock import deadlines, paused_days, stop_running
from formkit.cases.service import CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.definitions.loader import load_matter_text
from formkit.dsl.library import libraries_from_texts
from formkit.errors import IllegalTransition
from formkit.ruleset import RuleSet
from tests.cases.support import Clock, receive_example, seed, service

PLAIN = WorkCalendar()  # the national schedule, no centre overrides


def notice(days: int, unit: str = "calendar_days", **more: Any) -> dict[str, Any]:
    return {"reason": "public_notice", "max_days": days, "unit": unit, **more}


# (pause, today, stopped working days, clock stopped today?)
CAPS = [
    # 公示 of 7 calendar days from Tuesday 12-01: counts to 12-08 at most: working days
    # 12-02, 03, 04, 07, 08 = 5, however long the stop stays open
    (notice(7, start="2026-12-01"), D(2026, 12, 4), 3, True),
    (notice(7, start="2026-12-01"), D(2026, 12, 8), 5, False),
    (notice(7, start="2026-12-01"), D(2026, 12, 21), 5, False),
    (notice(7, start="2026-12-01", end="2026-12-03"), D(2026, 12, 21), 2, False),
    # 10 working days from Tuesday 12-01: to 12-15 at most (12-02 .. 12-15)
    (notice(10, "working_days", start="2026-12-01"), D(2026, 12, 14), 9, True),
    (notice(10, "working_days", start="2026-12-01"), D(2026, 12, 30), 10, False),
    # §45 hearing, no maximum: 12-02 .. 12-21 = 14 working days
    ({"reason": "hearing", "start": "2026-12-01"}, D(2026, 12, 21), 14, True),
]


@pytest.mark.parametrize("pause, today, stopped, running", CAPS)
def test_a_procedure_stops_the_clock_up_to_its_maximum(pause: dict[str, Any], today: D,
                                                       stopped: int, running: bool) -> None:
    assert paused_days([pause], today, "working_days", PLAIN) == stopped
    assert stop_running([pause], today, PLAIN) is running


def test_calendar_day_limit_counts_a_capped_stop_in_calendar_days() -> None:
    # a 30-calendar-day limit accepted 11-02 ends 12-02 (a Wednesday). 公示 from 11-10,
    # still open on 11-30, stops it 7 days: the period ends 12-09 (a Wednesday)
    case = {"unit": "calendar_days", "accepted_on": "2026-11-02", "statutory_days": 30,
            "statutory_deadline": "2026-12-02", "committed_days": 30,
            "committed_deadline": "2026-12-02", "pauses": [notice(7, start="2026-11-10")]}
    assert deadlines(case, D(2026, 11, 30), PLAIN) == (D(2026, 12, 9), D(2026, 12, 9))
    # and an extension of 3 working days on top: 12-10, 11, 14
    case["extensions"] = [{"days": 3, "on": "2026-11-30", "by": "head"}]
    assert deadlines(case, D(2026, 11, 30), PLAIN) == (D(2026, 12, 14), D(2026, 12, 14))


def test_a_matter_procedure_is_copied_onto_the_case(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 2, 9))
    svc = service(tmp_path, clock)
    case = receive_example(svc, clock, "XX-CA-0002", "rural family with a disabled member")
    assert case.procedures["public_notice"].max_days == 7
    assert svc.procedures(case)["public_notice"].name == "公示"
    assert svc.procedures(case)["hearing"].max_days is None  # §45's are always there
    with pytest.raises(IllegalTransition) as info:
        svc.suspend(case.number, "inspection_visit", actor="back-01")
    assert info.value.code == "bad-reason" and "public_notice (公示)" in (info.value.hint or "")


# --- unpublished years --------------------------------------------------------------------

LICENCE = """\
code: T-CLOCK
name: {zh: 测试许可}
department: market_supervision
kind: administrative_licensing
time_limit: {unit: working_days, statutory_days: 10, committed_days: 5}
form:
  - {id: public_servant, type: boolean, label: {zh: 是否公务员}}
checks:
  - when: public_servant
    deny: {zh: 申请人系公务员，不予许可}
"""


def rules_of(text: str) -> RuleSet:
    matter, doc = load_matter_text(text, "t.yaml")
    assert matter is not None, doc.errors
    return RuleSet.build(matter, libraries_from_texts({}))


def test_provisional_deadlines_are_fixed_again_when_the_year_is_published(
        tmp_path: Path) -> None:
    # accepted Monday 2026-12-28; 2027 unpublished, so only 元旦 (01-01, fixed by 放假办法
    # §2) rests: committed 5 working days = 12-29, 30, 31, 01-04, 01-05; statutory 10 =
    # then 01-06, 07, 08, 11, 12
    store = TinyCaseStore(tmp_path, fsync=False)
    clock = Clock(dt.datetime(2026, 12, 28, 9))
    svc = CaseService(store, PLAIN, now=clock)
    rules = rules_of(LICENCE)
    case = svc.receive(rules, "v1", {"public_servant": False}, [], actor="clerk")
    assert (case.committed_deadline, case.statutory_deadline) == (D(2027, 1, 5),
                                                                 D(2027, 1, 12))
    assert case.calendar_provisional is True
    assert svc.view(case)["calendar_provisional"] is True
    assert svc.recompute_deadlines(case.number, actor="system") is None  # nothing known
    # the State Council's notice, entered in calendar.yaml: 01-01 to 01-04 off (a
    # made-up schedule for the test): committed 12-29, 30, 31, 01-05, 01-06; statutory
    # then 01-07, 08, 11, 12, 13
    published = OfficialSchedule(holidays=frozenset(D(2027, 1, d) for d in range(1, 5)),
                                 workdays=frozenset(), years=frozenset({2027}))
    later = CaseService(store, WorkCalendar(
        official=OfficialSchedule.from_package().merged(published)), now=clock)
    clock.set(D(2027, 1, 4))
    fixed = later.recompute_deadlines(case.number, actor="system")
    assert fixed is not None
    assert (fixed.committed_deadline, fixed.statutory_deadline) == (D(2027, 1, 6),
                                                                   D(2027, 1, 13))
    assert fixed.calendar_provisional is False
    event = fixed.history[-1]
    assert (event.action, event.data) == ("recompute_deadlines", {
        "before": ["2027-01-05", "2027-01-12"], "after": ["2027-01-06", "2027-01-13"]})
    assert later.recompute_deadlines(case.number, actor="system") is None  # done once


# --- a 即办件 with a substantive ground ----------------------------------------------------


def test_an_immediate_matter_with_a_deny_ground_is_denied_at_once(tmp_path: Path) -> None:
    store = TinyCaseStore(tmp_path, fsync=False)
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = CaseService(store, PLAIN, now=clock)
    rules = rules_of(LICENCE.replace("committed_days: 5", "committed_days: 0"))
    case = svc.receive(rules, "v1", {"public_servant": True}, [HandedIn(id="x")],
                       actor="clerk")
    assert (case.state, case.accepted_on, case.decided_on) == ("denied", D(2026, 11, 25),
                                                              D(2026, 11, 25))
    assert [e.action for e in case.history] == ["receive", "accept", "deny"]
    assert case.history[-1].comment == "申请人系公务员，不予许可"
    # with a committed limit it waits for the decision instead, and cannot be granted
    later = CaseService(store, PLAIN, now=clock)
    waiting = later.receive(rules_of(LICENCE), "v1", {"public_servant": True}, [],
                            actor="clerk")
    assert waiting.state == "accepted"
    later.start_review(waiting.number, actor="officer")
    with pytest.raises(IllegalTransition) as info:
        later.approve(waiting.number, actor="chief")
    assert info.value.code == "deny-ground"


def test_terminated_pauses_close_and_the_reason_is_kept(tmp_path: Path) -> None:
    store = TinyCaseStore(tmp_path, fsync=False)
    clock = Clock(dt.datetime(2026, 11, 30, 9))
    svc = CaseService(store, PLAIN, now=clock)
    case = seed(store, "in_review", seq=1, accepted_on=D(2026, 11, 25))
    svc.suspend(case.number, "expert_review", actor="officer")
    clock.set(D(2026, 12, 2))
    ended = svc.terminate(case.number, actor="chief", reason="申请人死亡，终止办理")
    assert (ended.state, ended.ended_on, ended.pauses[0].end) == (
        "terminated", D(2026, 12, 2), D(2026, 12, 2))
    assert ended.history[-1].comment == "申请人死亡，终止办理"
    assert store.open_summaries() == []


@pytest.mark.parametrize("today, flagged", [
    (D(2026, 11, 20), []),  # the Friday of the limit itself
    (D(2026, 11, 21), []),  # the Saturday after: no working day over yet (as the cards)
    (D(2026, 11, 23), [("statutory_overdue", 1)]),
])
def test_statutory_overdue_from_the_first_working_day_after(today: D,
                                                            flagged: list[Any]) -> None:
    from formkit.cases.monitor import monitor

    entry = {"number": "FK2026110200001", "matter": "T", "state": "in_review",
             "received_on": "2026-11-02", "accepted_on": "2026-11-02",
             "committed_deadline": "2026-11-30", "statutory_deadline": "2026-11-20",
             "committed_days": 20, "statutory_days": 14, "unit": "working_days"}
    report = monitor([entry], today, PLAIN)
    assert [(f.kind, f.days) for f in report.statutory_overdue] == flagged
