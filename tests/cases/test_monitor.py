"""Tests for formkit.cases.monitor: the 电子效能监察 lists, table-driven with fixed dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.monitor import Flag, MonitorConfig, MonitorReport, monitor
from formkit.cases.service import Case, Pause, Tolerated, summary
from tests.cases.support import Clock, calendar, receive_example, rules, service

D = dt.date
LISTS = ("due_soon", "yellow", "red", "notice_risk", "step_overdue", "tolerated_overdue",
         "statutory_overdue", "supplement_expired")


def open_case(state: str, number: str = "FK2026111300001", **facts: Any) -> dict[str, Any]:
    """The open-case index entry of a case with these facts (as the store keeps it)."""
    base: dict[str, Any] = {"number": number, "matter": "XX-NR-0001", "version": "v",
                            "department": "natural_resources",
                            "received_on": D(2026, 11, 13), "state": state,
                            "committed_days": 5, "statutory_days": 30}
    if state != "received":
        base.update(accepted_on=D(2026, 11, 13), notice_on=D(2026, 11, 13),
                    committed_deadline=D(2026, 11, 20), statutory_deadline=D(2026, 12, 25))
    base.update(facts)
    entry = summary(Case(**base).model_dump(mode="json"))
    assert entry is not None, "not an open case"
    return entry


def flags(report: MonitorReport) -> list[tuple[str, str, int, dt.date | None]]:
    """(list, kind, days, due) of every flag, list by list."""
    return [(name, f.kind, f.days, f.due) for name in LISTS for f in getattr(report, name)]


def run(entries: list[dict[str, Any]], today: dt.date, **config: Any) -> MonitorReport:
    return monitor(entries, today, calendar(), MonitorConfig(**config))


# --- due soon, yellow, red -----------------------------------------------------------------

# Committed deadline Friday 2026-11-20 (accepted 11-13); defaults: due soon within 2
# working days, red after 3 working days overdue.
DEADLINE_CASES = [
    # (today, config, expected flags as (list, kind, days, due))
    (D(2026, 11, 16), {}, []),  # 4 working days left
    (D(2026, 11, 18), {}, [("due_soon", "due_soon", 2, D(2026, 11, 20))]),
    (D(2026, 11, 20), {}, [("due_soon", "due_soon", 0, D(2026, 11, 20))]),  # due today
    (D(2026, 11, 22), {}, [("due_soon", "due_soon", 0, D(2026, 11, 20))]),  # Sunday after
    (D(2026, 11, 23), {}, [("yellow", "yellow", 1, D(2026, 11, 20))]),
    (D(2026, 11, 25), {}, [("yellow", "yellow", 3, D(2026, 11, 20))]),  # end of 督办 period
    (D(2026, 11, 26), {}, [("red", "red", 4, D(2026, 11, 20))]),
    # thresholds are the centre's own
    (D(2026, 11, 16), {"due_soon_days": 4}, [("due_soon", "due_soon", 4, D(2026, 11, 20))]),
    (D(2026, 11, 18), {"due_soon_days": 1}, []),
    (D(2026, 11, 23), {"red_after_days": 0}, [("red", "red", 1, D(2026, 11, 20))]),
    (D(2026, 11, 26), {"red_after_days": 5}, [("yellow", "yellow", 4, D(2026, 11, 20))]),
]


@pytest.mark.parametrize("state", ["accepted", "in_review"])
@pytest.mark.parametrize(("today", "config", "expected"), DEADLINE_CASES)
def test_due_soon_yellow_red(state: str, today: dt.date, config: dict[str, Any],
                             expected: list[Any]) -> None:
    report = run([open_case(state)], today, **config)
    assert flags(report) == expected
    assert report.open_cases == 1


# (pauses, today, expected): the committed deadline 2026-11-20 moves by the working days
# the clock was stopped, and a case whose clock is stopped now is on no deadline list.
PAUSE_CASES = [
    # still in a hearing: not flagged however late
    ([Pause(reason="hearing", start=D(2026, 11, 19))], D(2026, 11, 30), []),
    # 11-17 and 11-18 stopped: due 11-24
    ([Pause(reason="testing", start=D(2026, 11, 16), end=D(2026, 11, 18))], D(2026, 11, 23),
     [("due_soon", "due_soon", 1, D(2026, 11, 24))]),
    ([Pause(reason="testing", start=D(2026, 11, 16), end=D(2026, 11, 18))], D(2026, 11, 26),
     [("yellow", "yellow", 2, D(2026, 11, 24))]),
    # a weekend inside the pause moves nothing: 11-23 only
    ([Pause(reason="expert_review", start=D(2026, 11, 20), end=D(2026, 11, 23))],
     D(2026, 11, 23), [("due_soon", "due_soon", 0, D(2026, 11, 23))]),
]


@pytest.mark.parametrize(("pauses", "today", "expected"), PAUSE_CASES)
def test_stopped_clock(pauses: list[Pause], today: dt.date, expected: list[Any]) -> None:
    assert flags(run([open_case("in_review", pauses=pauses)], today)) == expected


def test_deadline_across_the_national_day_holiday() -> None:
    entry = open_case("accepted", received_on=D(2026, 9, 29), accepted_on=D(2026, 9, 29),
                      committed_deadline=D(2026, 10, 12))
    # 10-09 (Fri): 10-10 (调休 Saturday) and 10-12 are left
    assert flags(run([entry], D(2026, 10, 9))) == [
        ("due_soon", "due_soon", 2, D(2026, 10, 12))]
    assert flags(run([entry], D(2026, 10, 5))) == []  # in the holiday: 4 left
    assert flags(run([entry], D(2026, 10, 13))) == [("yellow", "yellow", 1, D(2026, 10, 12))]


# --- the 5-working-day one-time notice (行政许可法 §32) --------------------------------------

NOTICE_CASES = [
    # (received, today, config, expected) for a case still in "received"
    (D(2026, 11, 16), D(2026, 11, 16), {}, []),
    (D(2026, 11, 16), D(2026, 11, 19), {}, []),  # 3 working days waited
    (D(2026, 11, 16), D(2026, 11, 20), {},
     [("notice_risk", "notice_risk", 1, D(2026, 11, 23))]),
    # the 5th working day is still "within 5 days": at risk, not yet deemed accepted
    (D(2026, 11, 16), D(2026, 11, 23), {},
     [("notice_risk", "notice_risk", 0, D(2026, 11, 23))]),
    # deemed accepted on receipt (§32(4)), so its 5 committed days ran from 11-16 too:
    # due 11-23, one working day over on 11-24 (this assertion used to miss the yellow card)
    (D(2026, 11, 16), D(2026, 11, 24), {},
     [("yellow", "yellow", 1, D(2026, 11, 23)),
      ("notice_risk", "notice_overdue", 1, D(2026, 11, 23))]),
    # 11-24, 25, 26, 27, 30: five over, past the 3-day 督办 period: red
    (D(2026, 11, 16), D(2026, 11, 30), {},
     [("red", "red", 5, D(2026, 11, 23)),
      ("notice_risk", "notice_overdue", 5, D(2026, 11, 23))]),
    (D(2026, 11, 16), D(2026, 11, 18), {"notice_warn_days": 2},
     [("notice_risk", "notice_risk", 3, D(2026, 11, 23))]),
    # across the National Day holiday: due 10-12
    (D(2026, 9, 29), D(2026, 10, 9), {}, []),
    (D(2026, 9, 29), D(2026, 10, 10), {},
     [("notice_risk", "notice_risk", 1, D(2026, 10, 12))]),
    # deemed accepted 9-29: committed 5 days -> 10-12 as well, one over on 10-13
    (D(2026, 9, 29), D(2026, 10, 13), {},
     [("yellow", "yellow", 1, D(2026, 10, 12)),
      ("notice_risk", "notice_overdue", 1, D(2026, 10, 12))]),
]


@pytest.mark.parametrize(("received", "today", "config", "expected"), NOTICE_CASES)
def test_notice_risk_and_overdue(received: dt.date, today: dt.date,
                                 config: dict[str, Any], expected: list[Any]) -> None:
    report = run([open_case("received", received_on=received)], today, **config)
    assert flags(report) == expected
    for f in report.notice_risk:
        assert ("视为受理" in f.detail) == (f.kind == "notice_overdue")


@pytest.mark.parametrize("state", ["supplement", "accepted", "in_review"])
def test_notice_rule_watches_only_cases_left_in_received(state: str) -> None:
    entry = open_case(state, received_on=D(2026, 11, 2), committed_deadline=D(2026, 12, 30))
    assert run([entry], D(2026, 11, 30)).notice_risk == []


# --- per-step limits (route `days:`) -------------------------------------------------------

STEP_CASES = [
    # (step, step started, pauses, today, expected) on a route whose 2nd step has days: 3
    (0, D(2026, 11, 16), [], D(2026, 11, 30), []),  # step 1 has no limit
    (1, D(2026, 11, 16), [], D(2026, 11, 19), []),  # due 11-19: not over yet
    (1, D(2026, 11, 16), [], D(2026, 11, 20),
     [("step_overdue", "step_overdue", 1, D(2026, 11, 19))]),
    (1, D(2026, 11, 16), [], D(2026, 11, 24),
     [("step_overdue", "step_overdue", 3, D(2026, 11, 19))]),
    # stopped now: not flagged
    (1, D(2026, 11, 16), [Pause(reason="testing", start=D(2026, 11, 17))], D(2026, 11, 24),
     []),
    # stopped one working day (11-18) during the step: the step is due a day later
    (1, D(2026, 11, 16), [Pause(reason="testing", start=D(2026, 11, 17),
                                end=D(2026, 11, 18))], D(2026, 11, 20), []),
    (1, D(2026, 11, 16), [Pause(reason="testing", start=D(2026, 11, 17),
                                end=D(2026, 11, 18))], D(2026, 11, 23),
     [("step_overdue", "step_overdue", 1, D(2026, 11, 20))]),
    # a pause that ended before the step started does not move the step's limit
    (1, D(2026, 11, 16), [Pause(reason="testing", start=D(2026, 11, 10),
                                end=D(2026, 11, 12))], D(2026, 11, 20),
     [("step_overdue", "step_overdue", 1, D(2026, 11, 19))]),
]


@pytest.mark.parametrize(("step", "started", "pauses", "today", "expected"), STEP_CASES)
def test_step_overdue(step: int, started: dt.date, pauses: list[Pause], today: dt.date,
                      expected: list[Any]) -> None:
    entry = open_case("in_review", route=[["a.one"], ["b.two"]], step_days=[None, 3],
                      signed=[{}, {}], step=step, step_started_on=started, pauses=pauses,
                      committed_deadline=D(2026, 12, 31))
    assert flags(run([entry], today)) == expected


# --- tolerated materials -------------------------------------------------------------------

TOLERATED_CASES = [
    # (state, supplied on, today, expected); the material is due 2026-11-20
    ("accepted", None, D(2026, 11, 20), []),
    ("accepted", None, D(2026, 11, 23),
     [("tolerated_overdue", "tolerated_overdue", 1, D(2026, 11, 20))]),
    ("in_review", None, D(2026, 11, 25),
     [("tolerated_overdue", "tolerated_overdue", 3, D(2026, 11, 20))]),
    ("accepted", D(2026, 11, 19), D(2026, 11, 25), []),
    ("accepted", D(2026, 11, 24), D(2026, 11, 25), []),  # late, but handed in now
    # decided but not yet issued: the certificate waits for the material, still watched
    ("approved", None, D(2026, 11, 23),
     [("tolerated_overdue", "tolerated_overdue", 1, D(2026, 11, 20))]),
]


@pytest.mark.parametrize(("state", "supplied", "today", "expected"), TOLERATED_CASES)
def test_tolerated_overdue(state: str, supplied: dt.date | None, today: dt.date,
                           expected: list[Any]) -> None:
    entry = open_case(state, committed_deadline=D(2026, 12, 31),
                      tolerated=[Tolerated(id="lease_contract", due=D(2026, 11, 20),
                                           supplied_on=supplied)])
    report = run([entry], today)
    assert flags(report) == expected
    assert all("lease_contract" in f.detail for f in report.tolerated_overdue)


# --- several cases at once -----------------------------------------------------------------


def test_lists_are_sorted_and_overdue_puts_the_worst_first() -> None:
    entries = [
        open_case("accepted", "FK2026111300003", committed_deadline=D(2026, 11, 23)),
        open_case("accepted", "FK2026111300001", committed_deadline=D(2026, 11, 16)),
        open_case("accepted", "FK2026111300002", committed_deadline=D(2026, 11, 23)),
        open_case("in_review", "FK2026111300004", committed_deadline=D(2026, 11, 20)),
        open_case("received", "FK2026111300005"),
        open_case("supplement", "FK2026111300006"),
    ]
    report = run(entries, D(2026, 11, 24))
    assert report.open_cases == 6
    # each list by due date, then number
    # 05 was never answered: deemed accepted 11-13 (§32(4)), due 11-20 like 04
    assert [(f.number, f.days) for f in report.yellow] == [
        ("FK2026111300004", 2), ("FK2026111300005", 2), ("FK2026111300002", 1),
        ("FK2026111300003", 1)]
    assert [(f.number, f.days) for f in report.red] == [("FK2026111300001", 6)]
    # the overdue view: red and yellow together, most overdue first
    assert [f.number for f in report.overdue()] == [
        "FK2026111300001", "FK2026111300004", "FK2026111300005", "FK2026111300002",
        "FK2026111300003"]
    assert [f.number for f in report.notice_risk] == ["FK2026111300005"]


# --- end to end: cases received through the service, lists from the store's index ---------


def test_monitor_over_the_store_index(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path / "store", clock)
    cal = calendar()
    day = D(2026, 11, 25)
    # a restaurant, accepted 11-25 (5 working days: due 12-02); its on-site inspection
    # step carries `days: 3` in the route: started 11-25, due 11-30
    food = receive_example(svc, clock, "XX-MS-0002", "restaurant making hot food", day=day)
    assert food.step_days == [None, 3]
    svc.start_review(food.number, actor="back-01")
    food = svc.sign_off(food.number, "market_supervision.food_licensing", actor="back-01")
    assert (food.step, food.step_started_on) == (1, day)
    # a business registration (1 working day: due 11-26) with the lease tolerated: due by
    # the decision, 11-26, not 5 working days later (12-02) as this test used to say
    lease = receive_example(svc, clock, "XX-MS-0001", "without the lease, tolerated", day=day)
    assert (lease.committed_deadline, lease.tolerated[0].due) == (D(2026, 11, 26),
                                                                 D(2026, 11, 26))
    # an application left lying at the window since 11-25 (notice due 12-02)
    lying = receive_example(svc, clock, "XX-NR-0001", "residential flat sold", decide=False,
                            day=day)
    # and one refused: never on a list
    receive_example(svc, clock, "XX-MS-0001", "operator aged 15 is refused", day=day)

    def lists(today: dt.date) -> dict[str, list[tuple[str, str, int]]]:
        report = monitor(svc.store.open_summaries(), today, cal)
        assert report.open_cases == 3
        return {name: [(f.number, f.kind, f.days) for f in getattr(report, name)]
                for name in LISTS if getattr(report, name)}

    assert lists(D(2026, 11, 26)) == {"due_soon": [(lease.number, "due_soon", 0)]}
    # the lease's statutory 3 days: 11-26, 27, 30; its material was due 11-26
    assert lists(D(2026, 12, 1)) == {
        "due_soon": [(food.number, "due_soon", 1)],
        "yellow": [(lease.number, "yellow", 3)],
        "notice_risk": [(lying.number, "notice_risk", 1)],
        "step_overdue": [(food.number, "step_overdue", 1)],
        "tolerated_overdue": [(lease.number, "tolerated_overdue", 3)],
        "statutory_overdue": [(lease.number, "statutory_overdue", 1)],
    }
    # the lying application is deemed accepted 11-25 (§32(4)): due 12-02 like the food
    assert lists(D(2026, 12, 3)) == {
        "yellow": [(food.number, "yellow", 1), (lying.number, "yellow", 1)],
        "red": [(lease.number, "red", 5)],
        "notice_risk": [(lying.number, "notice_overdue", 1)],
        "step_overdue": [(food.number, "step_overdue", 3)],
        "tolerated_overdue": [(lease.number, "tolerated_overdue", 5)],
        "statutory_overdue": [(lease.number, "statutory_overdue", 3)],
    }
    # the lease is handed in: off that list
    clock.set(D(2026, 12, 3))
    svc.supply(lease.number, "lease_contract", actor="window-04")
    assert "tolerated_overdue" not in lists(D(2026, 12, 3))
    # a hearing stops the restaurant's clock: off the deadline and step lists while it runs
    svc.suspend(food.number, "hearing", actor="back-01")
    got = lists(D(2026, 12, 10))
    assert all(food.number not in [n for n, _, _ in v] for v in got.values())
    # the lying application is told what to bring: off the notice list
    svc.decide(lying.number, rules("XX-NR-0001"), actor="window-07")
    assert "notice_risk" not in lists(D(2026, 12, 10))


def test_flag_fields() -> None:
    report = run([open_case("accepted")], D(2026, 11, 23))
    assert report.yellow == [Flag(kind="yellow", number="FK2026111300001", matter="XX-NR-0001",
                                  department="natural_resources", state="accepted",
                                  due=D(2026, 11, 20), days=1, detail="超过承诺时限 1 个工作日")]
