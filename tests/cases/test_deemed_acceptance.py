"""行政许可法 §32(4): an application the office does not answer within five working days
of receipt is accepted on receipt (逾期不告知的，自收到申请材料之日起即为受理)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from formkit.cases.service import CaseService, LateRequest
from formkit.errors import IllegalTransition
from tests.cases.support import Clock, receive_example, rules, service

D = dt.date
FOOD = "XX-MS-0002"  # 食品经营许可: committed 5, statutory 10 working days
HOT_FOOD = "restaurant making hot food"  # complete: accepted
VENDING = "vending seller by agent"  # incomplete: vending_documents, power_of_attorney

# 2026 国庆: 10-01 .. 10-07 off, 10-08 and 10-09 working, Saturday 10-10 a 调休 working day.
# Received Tuesday 2026-09-29; working days after it: 9-30 (1), 10-08 (2), 10-09 (3),
# 10-10 (4), 10-12 (5), 10-13 (6), 10-14 (7), 10-15 (8), 10-16 (9), 10-19 (10).
DEEMED = [
    # (example, decided on, state, accepted_on, committed, statutory, deemed)
    # in time on the 5th working day: the clock starts on the day of the decision;
    # 10-12 + 5: 10-13, 14, 15, 16, 19; + 10: 20, 21, 22, 23, 26
    (HOT_FOOD, D(2026, 10, 12), "accepted", D(2026, 10, 12), D(2026, 10, 19),
     D(2026, 10, 26), False),
    # the 6th working day is late: accepted on receipt, 9-29 + 5 = 10-12, + 10 = 10-19
    (HOT_FOOD, D(2026, 10, 13), "accepted", D(2026, 9, 29), D(2026, 10, 12),
     D(2026, 10, 19), True),
    # the case: decided 10-14 used to give accepted 10-14, due 10-21 / 10-28
    (HOT_FOOD, D(2026, 10, 14), "accepted", D(2026, 9, 29), D(2026, 10, 12),
     D(2026, 10, 19), True),
    # incomplete but told late: accepted on receipt all the same, not sent to 补正
    (VENDING, D(2026, 10, 14), "accepted", D(2026, 9, 29), D(2026, 10, 12),
     D(2026, 10, 19), True),
    # incomplete and told in time: 补正, no deadlines yet
    (VENDING, D(2026, 10, 12), "supplement", None, None, None, False),
]


@pytest.mark.parametrize(("name", "decided", "state", "accepted", "committed", "statutory",
                          "deemed"), DEEMED)
def test_deadlines_run_from_receipt_when_told_late(
        tmp_path: Path, name: str, decided: dt.date, state: str, accepted: dt.date | None,
        committed: dt.date | None, statutory: dt.date | None, deemed: bool) -> None:
    clock = Clock(dt.datetime(2026, 9, 29, 9))
    svc = service(tmp_path / "store", clock)
    case = receive_example(svc, clock, FOOD, name, decide=False, day=D(2026, 9, 29))
    assert case.state == "received"
    clock.set(decided)
    case = svc.decide(case.number, rules(FOOD), actor="window-03")
    assert (case.state, case.accepted_on, case.committed_deadline,
            case.statutory_deadline, case.deemed_accepted) == (
        state, accepted, committed, statutory, deemed)
    assert case.notice_on == decided  # the day the applicant was in fact told
    assert ("deemed_accepted_on" in case.history[-1].data) == deemed
    if deemed:
        assert case.history[-1].data["deemed_accepted_on"] == "2026-09-29"


def test_a_late_request_for_materials_is_recorded_not_a_return_to_supplement(
        tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 9, 29, 9))
    svc = service(tmp_path / "store", clock)
    case = receive_example(svc, clock, FOOD, VENDING, decide=False, day=D(2026, 9, 29))
    clock.set(D(2026, 10, 14), 10)
    case = svc.decide(case.number, rules(FOOD), actor="window-03")
    # one event saying what happened, the materials asked for, and the audit entry
    event = case.history[-1]
    assert (event.action, event.from_state, event.to_state) == (
        "late_supplement_request", "received", "accepted")
    assert event.data["outcome"] == "incomplete"
    assert case.late_requests == [LateRequest(on=D(2026, 10, 14),
                                              missing=["vending_documents",
                                                       "power_of_attorney"])]
    assert [e["action"] for e in svc.store.audit() if e["number"] == case.number] == [
        "receive", "late_supplement_request"]
    # it is accepted: no 补正 round can follow as if nothing had happened
    before = svc.get(case.number)
    with pytest.raises(IllegalTransition) as info:
        svc.resubmit(case.number, rules(FOOD), actor="window-03")
    assert info.value.code == "illegal-transition"
    assert "'resubmit' is allowed only when supplement" in info.value.message
    assert svc.get(case.number) == before


def test_notice_late_counts_working_days(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 9, 29, 9))
    svc: CaseService = service(tmp_path / "store", clock)
    case = receive_example(svc, clock, FOOD, HOT_FOOD, decide=False, day=D(2026, 9, 29))
    for today, late in [
        (D(2026, 10, 7), False),  # the holiday: one working day (9-30) has passed
        (D(2026, 10, 11), False),  # Sunday: four (9-30, 10-08, 10-09, 10-10)
        (D(2026, 10, 12), False),  # the 5th: still "within five days"
        (D(2026, 10, 13), True),  # the 6th
    ]:
        assert svc.notice_late(case, today) is late, today
