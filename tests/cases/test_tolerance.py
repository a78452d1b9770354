"""容缺受理: a tolerated material is due before the decision, and is supplied before the
case is granted or its result issued; tracking does not end while it is owed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from formkit.calendar import WorkCalendar
from formkit.cases.monitor import monitor
from formkit.cases.service import Case, CaseService, Tolerated
from formkit.cases.tinystore import TinyCaseStore
from formkit.errors import IllegalTransition
from tests.cases.support import Clock, calendar, receive_example, seed, service

D = dt.date
NR = "XX-NR-0001"  # 存量房转移登记: committed 5 working days
FUND = "maintenance fund tolerated"  # received 2026-11-25, maintenance_fund tolerated
MS = "XX-MS-0001"  # 个体工商户: committed 1 working day
LEASE = "without the lease, tolerated"  # received 2026-09-29, lease_contract tolerated

DUE = [
    # (matter, example, tolerance_days, committed deadline, material due, capped)
    # NR from Wednesday 11-25: 11-26, 27, 30, 12-01, 12-02 -> committed 12-02
    (NR, FUND, 3, D(2026, 12, 2), D(2026, 11, 30), None),  # 11-26, 27, 30: before it
    (NR, FUND, 5, D(2026, 12, 2), D(2026, 12, 2), None),  # the same day: allowed
    (NR, FUND, 8, D(2026, 12, 2), D(2026, 12, 2), "2026-12-02"),  # 12-07: too late, capped
    # MS from 9-29: committed 9-30; 5 working days would be 10-12, after the decision
    (MS, LEASE, 5, D(2026, 9, 30), D(2026, 9, 30), "2026-09-30"),
]


@pytest.mark.parametrize(("code", "name", "days", "committed", "due", "capped"), DUE)
def test_a_tolerated_material_is_due_by_the_decision(
        tmp_path: Path, code: str, name: str, days: int, committed: dt.date, due: dt.date,
        capped: str | None) -> None:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path / "store", clock, tolerance_days=days)
    case = receive_example(svc, clock, code, name)
    assert case.state == "accepted" and case.committed_deadline == committed
    assert [(t.due, t.supplied_on) for t in case.tolerated] == [(due, None)]
    # the event says when the centre's period had to give way to the decision's
    assert case.history[-1].data.get("tolerated_due_capped") == capped


def _to_decision(svc: CaseService, number: str) -> Case:
    case = svc.start_review(number, actor="back-01")
    for units in case.route:
        for unit in units:
            case = svc.sign_off(number, unit, actor="back-01")
    return case


def _audit(svc: CaseService, number: str) -> list[str]:
    return [e["action"] for e in svc.store.audit() if e.get("number") == number]


def test_approve_waits_for_the_tolerated_material(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path / "store", clock)
    case = receive_example(svc, clock, MS, LEASE)
    _to_decision(svc, case.number)
    before, audit = svc.get(case.number), _audit(svc, case.number)
    with pytest.raises(IllegalTransition) as info:
        svc.approve(case.number, actor="chief")
    err = info.value
    assert err.code == "tolerated-outstanding"
    assert "lease_contract (due 2026-09-30)" in err.message and "approved" in err.message
    assert "supply" in (err.hint or "") and "终止" in (err.hint or "")
    # nothing changed: not the case, not the audit
    assert svc.get(case.number) == before and _audit(svc, case.number) == audit
    # supplied: the decision and the issue go through, and the case leaves the index
    svc.supply(case.number, "lease_contract", actor="window-04")
    svc.approve(case.number, actor="chief")
    case = svc.issue(case.number, actor="window-09")
    assert case.state == "issued"
    assert case.number not in {s["number"] for s in svc.store.open_summaries()}


def _store(svc: CaseService) -> TinyCaseStore:
    assert isinstance(svc.store, TinyCaseStore)
    return svc.store


OWED = [Tolerated(id="maintenance_fund", due=D(2026, 11, 20))]
ISSUE = [
    # (state the case was imported in, issue allowed)
    ("approved", False),  # granted before this rule: the result still waits
    ("denied", True),  # a denial owes the applicant nothing: served at once
]


@pytest.mark.parametrize(("state", "allowed"), ISSUE)
def test_issue_of_a_grant_waits_for_the_tolerated_material(
        tmp_path: Path, state: str, allowed: bool) -> None:
    svc = service(tmp_path / "store", Clock(dt.datetime(2026, 11, 25, 9)))
    case = seed(_store(svc), state, seq=1, tolerated=OWED)
    if allowed:
        assert svc.issue(case.number, actor="window-09").state == "issued"
        # a denied case stops being tracked when issued, whatever it owed
        assert svc.store.open_summaries() == []
        return
    with pytest.raises(IllegalTransition) as info:
        svc.issue(case.number, actor="window-09")
    assert info.value.code == "tolerated-outstanding" and "issued" in info.value.message
    assert svc.get(case.number) == case


def test_an_issued_case_owing_a_material_is_still_tracked(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path / "store", clock)
    # issued before this rule with the fund owed (due 11-20): still in the index
    case = seed(_store(svc), "issued", seq=1, tolerated=OWED, issued_on=D(2026, 11, 19))
    cal: WorkCalendar = calendar()
    report = monitor(svc.store.open_summaries(), D(2026, 11, 25), cal)
    # 11-23, 24, 25: three working days past 11-20
    assert [(f.number, f.kind, f.days, f.due) for f in report.tolerated_overdue] == [
        (case.number, "tolerated_overdue", 3, D(2026, 11, 20))]
    assert report.yellow == report.red == report.statutory_overdue == []
    # handed in at last: recorded on the issued case, and tracking ends
    after = svc.supply(case.number, "maintenance_fund", actor="window-04")
    assert after.state == "issued" and after.tolerated[0].supplied_on == D(2026, 11, 25)
    assert svc.store.open_summaries() == []
