"""好差评 and 督办 on a case (``CaseService.rate``, ``order_followup``, ``close_followup``),
on every store: the rating and the follow-ups are keys of the case, written through the
store's generic ``update``, with their events in the history and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from formkit.cases.service import Case, CaseService, Event, summary
from formkit.cases.store import CaseStore
from formkit.errors import FormkitError, IllegalTransition, NotFoundError
from tests.cases.conftest import MakeStore
from tests.cases.support import Clock, calendar, version

pytestmark = pytest.mark.contract  # run against PostgreSQL too
D = dt.date
DAY = D(2026, 12, 7)  # a Monday


def seeded(store: CaseStore, state: str, seq: int = 1, **changes: Any) -> str:
    """A case imported straight into ``state``; returns its number."""
    number = f"FK{DAY:%Y%m%d}{seq:05d}"
    case = Case(number=number, matter="XX-NR-0001", version=version("XX-NR-0001"),
                received_on=DAY, state=state,  # type: ignore[arg-type]
                department="natural_resources", committed_days=5, statutory_days=30,
                history=[Event(action="import", from_state=None, to_state=state,
                               actor="restore", at=dt.datetime(2026, 12, 7, 8))])
    case = case.model_copy(update=changes)
    assert store.import_cases([case.model_dump(mode="json")], summary) == 1
    return number


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 12, 7, 10, 0))


@pytest.fixture
def svc(make_store: MakeStore, clock: Clock) -> CaseService:
    return CaseService(make_store(), calendar(), now=clock)


@pytest.mark.parametrize(("state", "score", "followup"), [
    ("issued", 5, False),      # 非常满意 after the result was served
    ("issued", 3, False),      # 基本满意 is not a 差评
    ("issued", 2, True),       # 不满意: a 差评, a follow-up opens
    ("refused", 1, True),      # 非常不满意 with a 不予受理
    ("terminated", 4, False),  # the service ended without a decision
    ("withdrawn", 4, False),
])
def test_a_finished_case_is_rated_once(svc: CaseService, clock: Clock, state: str,
                                       score: int, followup: bool) -> None:
    number = seeded(svc.store, state)
    case = svc.rate(number, score=score, comment="  窗口很耐心 ", actor="window-07",
                    via="notice")
    assert case.rating is not None
    assert (case.rating.score, case.rating.comment, case.rating.via, case.rating.by) == (
        score, "窗口很耐心", "notice", "window-07")
    assert case.state == state  # a rating moves nothing
    last = case.history[-1]
    assert (last.action, last.from_state, last.to_state) == ("rate", state, state)
    assert last.data["score"] == score
    assert [f.kind for f in case.followups] == (["rating"] if followup else [])
    stored = svc.get(number)  # read back from the store
    assert stored.rating == case.rating and stored.followups == case.followups
    audit = [e for e in svc.store.audit() if e.get("action") == "rate"]
    assert [(e["number"], e["data"]["score"]) for e in audit] == [(number, score)]


def test_a_poor_rating_opens_a_follow_up_due_in_15_working_days(svc: CaseService) -> None:
    number = seeded(svc.store, "issued")
    case = svc.rate(number, score=1, comment="等了很久", actor="applicant", via="notice")
    (item,) = case.followups
    # 2026-12-07 (Mon) + 15 working days = 2026-12-28 (Mon)
    assert (item.id, item.kind, item.due, item.opened_on, item.is_open) == (
        "D1", "rating", D(2026, 12, 28), DAY, True)
    assert "非常不满意" in item.note and "等了很久" in item.note
    assert case.history[-1].data["followup"] == "D1"


def test_the_follow_up_period_is_the_centres(make_store: MakeStore, clock: Clock) -> None:
    svc = CaseService(make_store(), calendar(), now=clock, rating_followup_days=5)
    number = seeded(svc.store, "issued")
    assert svc.rate(number, score=2, comment="", actor="a").followups[0].due == D(2026, 12, 14)


@pytest.mark.parametrize(("state", "score", "via", "code"), [
    ("issued", 0, "window", "bad-score"),      # below 非常不满意
    ("issued", 6, "window", "bad-score"),      # above 非常满意
    ("issued", True, "window", "bad-score"),   # a bool is not a score
    ("issued", 5, "pigeon", "bad-score"),      # an unknown channel
    ("in_review", 5, "window", "not-finished"),
    ("accepted", 5, "window", "not-finished"),
    ("approved", 5, "window", "not-finished"),  # rated when the result is served
    ("denied", 5, "window", "not-finished"),
])
def test_what_cannot_be_rated(svc: CaseService, state: str, score: Any, via: str,
                              code: str) -> None:
    number = seeded(svc.store, state)
    with pytest.raises(IllegalTransition) as err:
        svc.rate(number, score=score, comment="", actor="a", via=via)
    assert err.value.code == code
    assert err.value.message[0] > "\u2e80"  # Chinese first
    assert err.value.hint
    assert svc.get(number).rating is None


def test_a_second_rating_is_refused(svc: CaseService) -> None:
    number = seeded(svc.store, "issued")
    svc.rate(number, score=4, comment="", actor="a")
    with pytest.raises(IllegalTransition) as err:
        svc.rate(number, score=1, comment="改主意了", actor="a")
    assert err.value.code == "already-rated"
    assert svc.get(number).rating.score == 4  # type: ignore[union-attr]


def test_an_unknown_case_cannot_be_rated(svc: CaseService) -> None:
    with pytest.raises(NotFoundError) as err:
        svc.rate("FK2026120799999", score=5, comment="", actor="a")
    assert err.value.code == "unknown-case"


def test_a_follow_up_is_ordered_tracked_and_closed(svc: CaseService, clock: Clock) -> None:
    number = seeded(svc.store, "in_review")
    case = svc.order_followup(number, note="请说明超期原因", due=D(2026, 12, 10),
                              actor="supervisor")
    (item,) = case.followups
    assert (item.id, item.kind, item.note, item.due, item.opened_by, item.is_open) == (
        "D1", "order", "请说明超期原因", D(2026, 12, 10), "supervisor", True)
    assert case.history[-1].action == "order_followup"
    clock.set(D(2026, 12, 11))  # a working day late
    case = svc.close_followup(number, "D1", note="已补办，已告知申请人", actor="supervisor")
    item = case.followups[0]
    assert (item.closed_on, item.closed_by, item.result, item.is_open) == (
        D(2026, 12, 11), "supervisor", "已补办，已告知申请人", False)
    assert case.history[-1].data == {"followup": "D1", "late_days": 1}
    assert svc.order_followup(number, note="再次督办", due=D(2026, 12, 18),
                              actor="supervisor").followups[1].id == "D2"
    actions = [e["action"] for e in svc.store.audit() if e.get("number") == number]
    assert actions[-3:] == ["order_followup", "close_followup", "order_followup"]


@pytest.mark.parametrize(("call", "code"), [
    # no note
    (lambda s, n: s.order_followup(n, note=" ", due=D(2026, 12, 9), actor="s"), "no-reason"),
    # a due day already past
    (lambda s, n: s.order_followup(n, note="x", due=D(2026, 12, 4), actor="s"), "bad-due"),
    # closing one that does not exist
    (lambda s, n: s.close_followup(n, "D9", note="x", actor="s"), "unknown-followup"),
    # closing without saying what was done
    (lambda s, n: s.close_followup(n, "D1", note="", actor="s"), "no-reason"),
])
def test_what_a_follow_up_refuses(svc: CaseService, call: Any, code: str) -> None:
    number = seeded(svc.store, "in_review")
    svc.order_followup(number, note="请说明", due=D(2026, 12, 9), actor="s")
    with pytest.raises(FormkitError) as err:
        call(svc, number)
    assert err.value.code == code
    assert err.value.hint


def test_a_closed_follow_up_is_not_closed_again(svc: CaseService) -> None:
    number = seeded(svc.store, "issued")
    svc.rate(number, score=2, comment="", actor="a")
    svc.close_followup(number, "D1", note="已回访", actor="s")
    with pytest.raises(IllegalTransition) as err:
        svc.close_followup(number, "D1", note="again", actor="s")
    assert err.value.code == "followup-closed"


def test_a_case_without_rating_writes_no_new_keys(svc: CaseService) -> None:
    """A case stored before 好差评 reads and writes back the same document."""
    number = seeded(svc.store, "issued")
    doc = svc.get(number).model_dump(mode="json")
    assert "rating" not in doc and "followups" not in doc
