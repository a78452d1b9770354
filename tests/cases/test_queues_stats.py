"""Back-office queues and supervisor figures over real cases in a real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.queues import decision_queue, issue_queue, section_queue
from formkit.cases.service import CaseService, HandedIn
from formkit.cases.stats import Tally, overview, store_overview, tally
from formkit.cases.tinystore import TinyCaseStore
from formkit.catalog import open_catalog
from formkit.intake.examples import submission_of
from tests.cases.support import Clock, example, rules, service

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 11, 25)


def _accepted_cases(tmp_path: Path, clock: list[dt.datetime]) -> tuple[CaseService, list[str]]:
    opened = open_catalog(ROOT / "definitions")
    service = CaseService(TinyCaseStore(tmp_path / "store"), opened.work_calendar(),
                          now=lambda: clock[0])
    rules = opened.rules["XX-MS-0001"]
    accepted = next(t for t in rules.matter.tests if t.expect.outcome == "accept")
    numbers = []
    for _ in range(3):
        sub = submission_of(accepted)
        case = service.receive(rules, "v1", sub["fields"],
                               [HandedIn(**m) for m in sub["materials"]], actor="clerk")
        assert case.state == "accepted"
        numbers.append(case.number)
    return service, numbers


def test_queue_lists_accepted_and_in_review_cases_for_their_unit(tmp_path: Path) -> None:
    clock = [dt.datetime(2026, 11, 25, 9)]
    service, numbers = _accepted_cases(tmp_path, clock)
    unit = service.get(numbers[0]).route[0][0]
    cal = service.calendar
    queue = section_queue(service.store.open_summaries(), unit, clock[0].date(), cal)
    assert [q.number for q in queue] == numbers
    service.start_review(numbers[0], actor="officer")
    service.sign_off(numbers[0], unit, actor="officer")
    queue = section_queue(service.store.open_summaries(), unit, clock[0].date(), cal)
    assert numbers[0] not in [q.number for q in queue]
    assert section_queue(service.store.open_summaries(), "nobody.here", clock[0].date(),
                         cal) == []


def test_overview_counts_and_on_time_rate(tmp_path: Path) -> None:
    clock = [dt.datetime(2026, 11, 2, 9)]
    service, numbers = _accepted_cases(tmp_path, clock)
    for n in numbers:
        service.start_review(n, actor="officer")
        case = service.get(n)
        for step in case.route:
            for unit in step:
                service.sign_off(n, unit, actor="officer")
    service.approve(numbers[0], actor="chief")  # decided on the day: on time
    clock[0] = dt.datetime(2026, 11, 30, 9)  # long after the committed deadline
    service.approve(numbers[1], actor="chief")
    figures = overview(service.store.cases_since(dt.date(2026, 1, 1)), clock[0].date(),
                       service.calendar)
    assert figures.by_state == {"approved": 2, "in_review": 1}
    assert figures.by_department == {"market_supervision": 3}
    perf = figures.performance[0]
    assert (perf.matter, perf.decided, perf.on_time) == ("XX-MS-0001", 2, 1)
    assert perf.on_time_rate == 0.5
    assert perf.average_days == 10.0  # (0 + 20 working days) / 2


def _decided_cases(tmp_path: Path) -> tuple[CaseService, list[str]]:
    """Three accepted business registrations, all signed, two approved (one late)."""
    clock = [dt.datetime(2026, 11, 2, 9)]
    service, numbers = _accepted_cases(tmp_path, clock)
    for n in numbers:
        service.start_review(n, actor="officer")
        for step in service.get(n).route:
            for unit in step:
                service.sign_off(n, unit, actor="officer")
    service.approve(numbers[0], actor="chief")
    clock[0] = dt.datetime(2026, 11, 30, 9)
    service.approve(numbers[1], actor="chief")
    return service, numbers


def test_store_overview_is_overview_and_reads_only_what_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import formkit.cases.files
    import formkit.cases.stats

    monkeypatch.setattr(formkit.cases.files, "SETTLE_NS", -10 ** 18)  # cache at once
    service, numbers = _decided_cases(tmp_path)
    since, cal = dt.date(2026, 1, 1), service.calendar
    tallied: list[int] = []
    real = formkit.cases.stats.tally

    def counting(cases: Any, calendar: Any) -> Tally:
        tallied.append(len(cases))  # one call per partition read
        return real(cases, calendar)

    monkeypatch.setattr(formkit.cases.stats, "tally", counting)

    def fresh() -> Any:  # every case read afresh, not counted
        return real(service.store.cases_since(since), cal).overview()

    assert store_overview(service.store, since, cal) == fresh()
    read = len(tallied)
    assert store_overview(service.store, since, cal) == fresh()
    assert len(tallied) == read  # every partition's tally kept
    service.approve(numbers[2], actor="chief")  # the third is decided too
    got = store_overview(service.store, since, cal)
    assert got == fresh() and got.performance[0].decided == 3
    assert len(tallied) == read + 1  # its partition alone read again


@pytest.mark.parametrize("cut", [0, 1, 2, 3])
def test_tallies_add_up(tmp_path: Path, cut: int) -> None:
    service, _ = _decided_cases(tmp_path)
    cases = list(service.store.cases_since(dt.date(2026, 1, 1)))
    cases[-1]["committed_days"] = 7  # the latest case's limit is the one shown
    cases[-1]["decided_on"] = cases[-1]["decided_on"] or "2026-11-30"
    whole = tally(cases, service.calendar).overview()
    part = tally(cases[cut:], service.calendar)
    part.merge(tally(cases[:cut], service.calendar))  # merged in any order
    assert part.overview() == whole
    assert whole.performance[0].committed_days == 7


def test_decision_and_issue_queues(tmp_path: Path) -> None:
    clk = Clock(dt.datetime(2026, 11, 25, 9))
    svc: CaseService = service(tmp_path, clk)
    ex = example("XX-MS-0002", "restaurant")
    numbers = []
    for _ in range(3):
        case = svc.receive(rules("XX-MS-0002"), "v1", dict(ex.fields),
                           [HandedIn(id=m.id) for m in ex.materials], actor="clerk")
        svc.start_review(case.number, actor="officer")
        for step in case.route:
            for unit in step:
                svc.sign_off(case.number, unit, actor="officer")
        numbers.append(case.number)
    svc.approve(numbers[2], actor="chief")
    summaries = svc.store.open_summaries()
    cal = svc.calendar
    ready = decision_queue(summaries, "market_supervision", DAY, cal)
    assert [i.number for i in ready] == numbers[:2]
    assert ready[0].due == dt.date(2026, 12, 2)
    assert decision_queue(summaries, "taxation", DAY, cal) == []
    assert [i.number for i in issue_queue(summaries, "market_supervision", DAY, cal)] == \
        numbers[2:]
    svc.issue(numbers[2], actor="clerk")
    assert issue_queue(svc.store.open_summaries(), None, DAY, cal) == []
