"""The back office's worklists and offered actions over real cases (issue #17, 8-10).

A seeded walk drives cases of every sample matter through ``CaseService`` over six
weeks (received at the window or online, 补正 answered or left to expire, reviewed,
stopped and restarted, extended, decided, served, ended), so the store holds cases in
every state, some late, some owing a tolerated material. Then, on several days:

- every open summary is on exactly one worklist, and no finished case is on any;
- the list each case lands on follows the table in ``formkit.cases.queues``;
- the actions offered for each case are ``CaseService.allowed(case)`` less the window's,
  and each one offered (not held) is carried out by the service, while each move of
  ``allowed`` left out is refused by it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.queues import (
    WINDOW_ACTIONS,
    WORKLISTS,
    Offer,
    offered_actions,
    worklist_of,
    worklists,
)
from formkit.cases.service import Case, CaseService, HandedIn, summary
from formkit.cases.store import CaseStore
from formkit.cases.tinystore import TinyCaseStore
from formkit.errors import FormkitError
from formkit.intake.examples import submission_of
from tests.cases.support import Clock, calendar, catalog, rules, version

START = dt.date(2026, 11, 2)
LAST = dt.date(2026, 12, 11)  # the walk's last working day
DAYS = (dt.date(2026, 11, 27), dt.date(2026, 12, 11), dt.date(2026, 12, 21))


def _workdays(a: dt.date, b: dt.date) -> Iterator[dt.date]:
    cal = calendar()
    day = a
    while day <= b:
        if cal.is_workday(day):
            yield day
        day += dt.timedelta(days=1)


def _receive(svc: CaseService, rng: random.Random, online: bool = False) -> Case:
    code = rng.choice(sorted(catalog().matters))
    matter = catalog().matters[code]
    ex = rng.choice(matter.tests)
    sub = submission_of(ex)
    return svc.receive(rules(code), version(code), dict(sub["fields"]),
                       [HandedIn(**m) for m in sub["materials"]], actor="clerk",
                       applicant="张三", decide=not online and rng.random() < 0.85)


def _step(svc: CaseService, case: Case, rng: random.Random) -> None:
    """One move an office might make on ``case`` today (refused moves are fine)."""
    n, r = case.number, rng.random()
    ruleset = rules(case.matter)
    if case.state == "received":
        if r < 0.6:
            svc.decide(n, ruleset, actor="clerk")
    elif case.state == "supplement":
        if r < 0.3:
            ok = next(t for t in ruleset.matter.tests if t.expect.outcome == "accept")
            sub = submission_of(ok)
            svc.resubmit(n, ruleset, actor="clerk", fields=dict(sub["fields"]),
                         materials=[HandedIn(**m) for m in sub["materials"]])
        elif r < 0.35:
            svc.withdraw(n, actor="clerk", reason="申请人撤回")
    elif case.state == "accepted":
        if r < 0.5:
            svc.start_review(n, actor="officer")
        elif r < 0.55:
            svc.suspend(n, "testing", actor="officer")
        elif r < 0.6 and case.deny_grounds:
            svc.deny(n, actor="chief", reason="；".join(case.deny_grounds))
    elif case.state == "in_review":
        owed = [t for t in case.tolerated if t.supplied_on is None]
        if case.paused:
            if r < 0.3:
                svc.resume(n, actor="officer")
        elif owed and r < 0.2:
            svc.supply(n, owed[0].id, actor="clerk")
        elif case.step < len(case.route) and r < 0.6:
            unit = next(u for u in case.route[case.step] if u not in case.signed[case.step])
            svc.sign_off(n, unit, actor="officer")
        elif case.step >= len(case.route) and r < 0.5:
            if case.deny_grounds or r < 0.15:
                svc.deny(n, actor="chief", reason="不符合法定条件")
            else:
                svc.approve(n, actor="chief")
        elif r < 0.65:
            svc.suspend(n, "expert_review", actor="officer")
        elif r < 0.67 and case.extension_days:
            svc.extend(n, 1, actor="officer", comment="需补充核查")
        elif r < 0.68:
            svc.terminate(n, actor="officer", reason="申请人注销")
    elif case.state in ("approved", "denied") and r < 0.3:
        svc.issue(n, actor="clerk")


def walk(root: Path, seed: int) -> tuple[CaseService, Clock]:
    """Six weeks of a small centre, seeded."""
    rng = random.Random(seed)
    clock = Clock(dt.datetime.combine(START, dt.time(9)))
    svc = CaseService(TinyCaseStore(root, fsync=False), calendar(), now=clock)
    numbers: list[str] = []
    for day in _workdays(START, LAST):
        clock.set(day)
        for i in range(rng.randint(2, 5)):
            numbers.append(_receive(svc, rng, online=day == LAST and i == 0).number)
        for n in numbers if day < LAST else []:  # the last day's receipts stay as they are
            case = svc.get(n)
            if case.state in ("refused", "issued", "terminated", "withdrawn"):
                continue
            clock.tick()
            with contextlib.suppress(FormkitError):  # a move refused today: walk on
                _step(svc, case, rng)
    return svc, clock


# Seeds whose walk reaches every worklist by the last day. The walk draws from the sample
# catalog's matters, so a matter added to it changes every walk: pick seeds again then.
@pytest.fixture(scope="module", params=[2, 5, 6])
def walked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> tuple[CaseService, Clock]:
    return walk(tmp_path_factory.mktemp(f"walk{request.param}"), request.param)


def _all_cases(svc: CaseService) -> list[dict[str, Any]]:
    return list(svc.store.cases_since(dt.date(2026, 1, 1)))


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_open_case_is_on_exactly_one_worklist(walked: tuple[CaseService, Clock],
                                                    day: dt.date) -> None:
    svc, _ = walked
    summaries = svc.store.open_summaries()
    lists = worklists(summaries, day, svc.calendar)
    listed = [i.number for items in lists.values() for i in items]
    assert sorted(listed) == sorted(s["number"] for s in summaries)  # each once
    finished = {c["number"] for c in _all_cases(svc) if summary(c) is None}
    assert finished and not finished & set(listed)
    # the walk reaches every list and every state a list holds
    states = {c["state"] for c in _all_cases(svc)}
    assert states >= {"received", "supplement", "accepted", "in_review", "approved",
                      "denied", "issued", "refused", "withdrawn"}, states
    if day >= LAST:  # (an earlier day sees the same cases before their deadlines)
        assert all(lists[name] for name in ("review", "decide", "issue", "follow_up",
                                            "suspended")), {k: len(v) for k, v in lists.items()}


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_each_department_partitions_its_own_cases(walked: tuple[CaseService, Clock],
                                                  day: dt.date) -> None:
    svc, _ = walked
    summaries = svc.store.open_summaries()
    for department in {s["department"] for s in summaries}:
        lists = worklists(summaries, day, svc.calendar, department=department)
        own = [i.number for items in lists.values() for i in items
               if i.department == department]
        assert sorted(own) == sorted(s["number"] for s in summaries
                                     if s["department"] == department)
        others = [i for items in lists.values() for i in items
                  if i.department != department]
        assert all(i.worklist == "review" and any(
            u.startswith(f"{department}.") for u in i.waiting) for i in others)


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_list_follows_the_case(walked: tuple[CaseService, Clock], day: dt.date) -> None:
    svc, _ = walked
    lists = worklists(svc.store.open_summaries(), day, svc.calendar)
    for name, items in lists.items():
        for item in items:
            kinds = {f.kind for f in item.flags}
            case = svc.get(item.number)
            expected = (
                "follow_up" if kinds & {"supplement_expired", "tolerated_overdue"}
                or case.state == "issued"
                else "issue" if case.state in ("approved", "denied")
                else "window" if case.state in ("received", "supplement")
                else "suspended" if case.paused
                else "decide" if case.state == "in_review" and case.step >= len(case.route)
                else "review")
            assert name == item.worklist == expected, (item.number, case.state, kinds)
            if item.level == "red":
                assert kinds & {"red", "statutory_overdue", "notice_overdue"}
            if item.flag is not None and item.flag.kind in ("red", "yellow"):
                assert item.days_left is not None and item.days_left == -item.flag.days


def test_on_december_21_late_cases_carry_their_cards(walked: tuple[CaseService, Clock]
                                                     ) -> None:
    svc, _ = walked
    lists = worklists(svc.store.open_summaries(), dt.date(2026, 12, 21), svc.calendar)
    late = [i for items in lists.values() for i in items
            if i.due is not None and not i.stopped and i.days_left is not None
            and i.days_left < 0]
    assert late
    for item in late:
        assert item.flag is not None and item.flag.kind in ("red", "yellow"), item
        assert item.level == "red" if -item.days_left > 3 else item.level in ("red",
                                                                                 "yellow")


# ---- the offered actions: allowed(), less what the service would refuse


class DryRun(CaseStore):
    """A store that reads through to ``real`` and never writes: a move is tried (the
    service's checks run in ``update``) and forgotten."""

    def __init__(self, real: CaseStore) -> None:
        self.real = real

    def get(self, number: str) -> dict[str, Any] | None:
        return self.real.get(number)

    def update(self, number: str, change: Callable[[dict[str, Any]], dict[str, Any]],
               summary: Any = None, audit: Any = None) -> dict[str, Any]:
        doc = self.real.get(number)
        assert doc is not None
        return change(doc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


for _name in list(getattr(CaseStore, "__abstractmethods__", ())):
    if _name not in ("get", "update"):
        setattr(DryRun, _name, lambda self, *a, _n=_name, **k: getattr(self.real, _n)(*a, **k))
DryRun.__abstractmethods__ = frozenset()


def _try(svc: CaseService, case: Case, offer: Offer) -> None:
    """Carry out ``offer`` with the inputs an officer would type."""
    n, actor = case.number, "officer"
    run: dict[str, Callable[[], object]] = {
        "start_review": lambda: svc.start_review(n, actor=actor),
        "sign_off": lambda: svc.sign_off(n, str(offer.target), actor=actor),
        "approve": lambda: svc.approve(n, actor=actor),
        "deny": lambda: svc.deny(n, actor=actor, reason="不符合法定条件"),
        "issue": lambda: svc.issue(n, actor=actor),
        "supply": lambda: svc.supply(n, str(offer.target), actor=actor),
        "suspend": lambda: svc.suspend(n, "testing", actor=actor),
        "resume": lambda: svc.resume(n, actor=actor),
        "extend": lambda: svc.extend(n, 1, actor=actor, comment="需补充核查"),
        "recompute_deadlines": lambda: svc.recompute_deadlines(n, actor=actor),
        "terminate": lambda: svc.terminate(n, actor=actor, reason="申请人注销"),
        "withdraw": lambda: svc.withdraw(n, actor=actor, reason="申请人撤回"),
    }
    run[offer.action]()


def _every_target(case: Case, action: str) -> list[Offer]:
    """Every way to try ``action`` on ``case`` (each unit, each material)."""
    if action == "sign_off":
        return [Offer(action=action, target=u) for step in case.route for u in step] or \
            [Offer(action=action, target="nobody.here")]
    if action == "supply":
        return [Offer(action=action, target=t.id) for t in case.tolerated] or \
            [Offer(action=action, target="nothing")]
    return [Offer(action=action)]


@pytest.mark.parametrize("day", [LAST, dt.date(2026, 12, 21)], ids=str)
def test_the_offered_actions_are_what_the_lifecycle_carries_out(
        walked: tuple[CaseService, Clock], day: dt.date) -> None:
    real, _ = walked
    svc = CaseService(DryRun(real.store), real.calendar,
                      now=lambda: dt.datetime.combine(day, dt.time(10)))
    tried = 0
    for doc in _all_cases(real):
        case = Case.model_validate(doc)
        department = case.department
        offers = offered_actions(svc, case, department, today=day)
        allowed = set(CaseService.allowed(case))
        assert {o.action for o in offers} <= allowed - WINDOW_ACTIONS
        for offer in offers:
            if offer.held is None:
                _try(svc, case, offer)  # raises if the service refuses it
                tried += 1
            elif (offer.action, offer.held) == ("deny", "steps-left"):
                _try(svc, case, offer)  # the law allows it; the office decides after review
            else:
                with pytest.raises(FormkitError):
                    _try(svc, case, offer)
        offered = {(o.action, o.target) for o in offers}
        for action in sorted(allowed - WINDOW_ACTIONS):
            for attempt in _every_target(case, action):
                if (action, attempt.target) in offered:
                    continue
                if action == "sign_off" and str(attempt.target).split(".")[0] != department:
                    continue  # another department's unit: its own office signs it
                if action == "recompute_deadlines":
                    assert svc.recompute_deadlines(case.number, actor="officer") is None
                    continue
                with pytest.raises(FormkitError):
                    _try(svc, case, attempt)
    assert tried > 50


def test_another_departments_office_signs_its_step_only(walked: tuple[CaseService, Clock]
                                                        ) -> None:
    real, _ = walked
    for doc in _all_cases(real):
        case = Case.model_validate(doc)
        offers = offered_actions(real, case, "nobody", own=False, today=LAST)
        assert offers == []  # no unit of "nobody" is on any route


def test_a_summary_without_flags_lands_by_its_state() -> None:
    base: dict[str, Any] = {"route": [["a.x"], ["a.y"]], "step": 0, "pauses": []}
    table = [  # (state, changes, flags, list)
        ("received", {}, set(), "window"),
        ("supplement", {}, set(), "window"),
        ("supplement", {}, {"supplement_expired"}, "follow_up"),
        ("accepted", {}, set(), "review"),
        ("accepted", {"pauses": [{"reason": "testing", "start": "2026-12-01"}]}, set(),
         "suspended"),
        ("in_review", {"step": 1}, {"red"}, "review"),
        ("in_review", {"step": 2}, {"yellow"}, "decide"),
        ("in_review", {"step": 2}, {"tolerated_overdue", "yellow"}, "follow_up"),
        ("approved", {}, set(), "issue"),
        ("denied", {}, set(), "issue"),  # the decision is served too
        ("issued", {}, set(), "follow_up"),  # served, a tolerated material still owed
    ]
    for state, changes, kinds, expected in table:
        assert worklist_of({**base, "state": state, **changes}, kinds) == expected, state
    assert set(WORKLISTS) == {"review", "decide", "issue", "follow_up", "suspended",
                              "window"}
