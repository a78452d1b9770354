"""Weekly trends and open follow-ups (formkit.cases.trends), from case documents and
from every store (the digests it keeps per partition)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from formkit.cases.service import CaseService, summary
from formkit.cases.stats import overview
from formkit.cases.trends import Figures, figures, store_figures, week_of
from tests.cases.conftest import MakeStore
from tests.cases.support import Clock, calendar

D = dt.date
TODAY = D(2026, 12, 9)  # a Wednesday


def doc(seq: int, received: D, *, state: str = "issued", accepted: D | None = None,
        decided: D | None = None, committed: int = 5, matter: str = "XX-MS-0001",
        department: str = "market_supervision", **extra: Any) -> dict[str, Any]:
    """A case document as the store holds it (only the keys the figures read)."""
    due = calendar().add_workdays(accepted or received, committed).value
    return {"committed_deadline": due.isoformat() if state != "received" else None,
            "number": f"FK{received:%Y%m%d}{seq:05d}", "matter": matter,
            "department": department, "state": state, "received_on": received.isoformat(),
            "accepted_on": (accepted or received).isoformat() if state != "received" else None,
            "decided_on": decided.isoformat() if decided else None, "unit": "working_days",
            "committed_days": committed, "statutory_days": 20, "pauses": [],
            "extensions": [], "history": [], "version": "v1", **extra}


CASES = [
    # received Mon 11-23, decided Wed 11-25 (2 working days, limit 5: on time)
    doc(1, D(2026, 11, 23), decided=D(2026, 11, 25)),
    # received Mon 11-23, decided Tue 12-01 (6 working days > 5: late)
    doc(2, D(2026, 11, 23), decided=D(2026, 12, 1)),
    # another department, received and decided in the week of 11-30, on time
    doc(3, D(2026, 11, 30), decided=D(2026, 12, 2), matter="XX-NR-0001",
        department="natural_resources", committed=3),
    # still open: received only
    doc(4, D(2026, 12, 7), state="in_review"),
    # refused at the window: finished, never accepted, so not on the on-time figures
    {**doc(5, D(2026, 12, 7), state="refused"), "accepted_on": None,
     "decided_on": "2026-12-07",
     "rating": {"score": 1, "at": "2026-12-08T10:00:00", "via": "window"},
     "followups": [{"id": "D1", "kind": "rating", "note": "差评", "due": "2026-12-29",
                    "opened_on": "2026-12-08", "opened_by": "window-07"}]},
]


@pytest.mark.parametrize(("week", "expected"), [
    # (Monday, (received, finished, decided, on time, rate, average days, committed))
    (D(2026, 11, 23), (2, 1, 1, 1, 1.0, 2.0, 5.0)),     # case 1 decided, case 2 not yet
    (D(2026, 11, 30), (1, 2, 2, 1, 0.5, 4.0, 4.0)),     # case 2 late (6 d), case 3 (2 d)
    (D(2026, 12, 7), (2, 1, 0, 0, None, None, None)),   # a refusal counts as finished
])
def test_weekly_figures(week: D, expected: tuple[Any, ...]) -> None:
    _, trends, _ = figures([Figures.of(CASES, calendar())], D(2026, 11, 1), TODAY, calendar())
    row = next(w for w in trends.weeks if w.week == week)
    assert (row.received, row.finished, row.decided, row.on_time, row.on_time_rate,
            row.average_days, row.average_committed_days) == expected


def test_every_week_is_listed_and_ratings_counted() -> None:
    _, trends, _ = figures([Figures.of(CASES, calendar())], D(2026, 11, 1), TODAY, calendar())
    assert [w.week for w in trends.weeks] == [D(2026, 11, 23), D(2026, 11, 30),
                                              D(2026, 12, 7)]
    assert [(w.rated, w.poor) for w in trends.weeks] == [(0, 0), (0, 0), (1, 1)]


@pytest.mark.parametrize(("kind", "expected"), [
    ("by_department", [(D(2026, 11, 23), "market_supervision", 1, 1.0),
                       (D(2026, 11, 30), "market_supervision", 1, 0.0),
                       (D(2026, 11, 30), "natural_resources", 1, 1.0)]),
    ("by_matter", [(D(2026, 11, 23), "XX-MS-0001", 1, 1.0),
                   (D(2026, 11, 30), "XX-MS-0001", 1, 0.0),
                   (D(2026, 11, 30), "XX-NR-0001", 1, 1.0)]),
])
def test_on_time_rate_by_department_and_matter_over_time(kind: str,
                                                         expected: list[Any]) -> None:
    _, trends, _ = figures([Figures.of(CASES, calendar())], D(2026, 11, 1), TODAY, calendar())
    assert [(g.week, g.key, g.decided, g.on_time_rate)
            for g in getattr(trends, kind)] == expected


def test_the_totals_are_the_overview_of_the_same_cases() -> None:
    totals, _, _ = figures([Figures.of(CASES, calendar())], D(2026, 11, 1), TODAY, calendar())
    assert totals == overview(CASES, TODAY, calendar())


def test_a_period_keeps_its_cases_and_every_open_follow_up() -> None:
    parts = [Figures.of([c], calendar()) for c in CASES]
    totals, trends, followups = figures(parts, D(2026, 12, 7), TODAY, calendar())
    assert sum(totals.by_state.values()) == 2  # received from 12-07 only
    assert [w.week for w in trends.weeks] == [D(2026, 12, 7)]
    assert [(f.number, f.id, f.kind, f.due, f.overdue) for f in followups] == [
        ("FK2026120700005", "D1", "rating", D(2026, 12, 29), False)]


@pytest.mark.parametrize(("today", "days_over"), [
    (D(2026, 12, 29), 0),  # on the due day: not yet overdue
    (D(2026, 12, 30), 1),  # the first working day after it
    (D(2027, 1, 4), 3),    # 12-31, 1-1 (New Year) shut: 12-30, 12-31 and 1-4 ... counted
])
def test_an_open_follow_up_is_overdue_after_its_due_day(today: D, days_over: int) -> None:
    _, _, (item,) = figures([Figures.of(CASES, calendar())], D(2026, 1, 1), today,
                            calendar())
    expected = calendar().workdays_between(D(2026, 12, 29), today).value
    assert item.days_over == expected
    assert item.overdue == (days_over > 0)


def test_week_of_is_the_monday() -> None:
    assert week_of(D(2026, 12, 13)) == D(2026, 12, 7)
    assert week_of(D(2026, 12, 7)) == D(2026, 12, 7)


@pytest.mark.contract
def test_store_figures_follow_the_store(make_store: MakeStore) -> None:
    """From the store's digests: the same as from the documents, and current after a
    change (a 督办 ordered, then closed)."""
    store = make_store()
    assert store.import_cases([dict(c) for c in CASES], summary) == len(CASES)
    cal = calendar()
    since = D(2026, 11, 1)
    got = store_figures(store, since, TODAY, cal)
    assert got[:2] == figures([Figures.of(CASES, cal)], since, TODAY, cal)[:2]
    assert [f.id for f in got[2]] == ["D1"]
    svc = CaseService(store, cal, now=Clock(dt.datetime(2026, 12, 9, 10)))
    svc.order_followup("FK2026112300002", note="请说明超期原因", due=D(2026, 12, 11),
                       actor="supervisor")
    after = store_figures(store, since, TODAY, cal)[2]
    assert [(f.number, f.id, f.kind) for f in after] == [
        ("FK2026112300002", "D1", "order"), ("FK2026120700005", "D1", "rating")]
    svc.close_followup("FK2026120700005", "D1", note="已回访并整改", actor="supervisor")
    assert [f.number for f in store_figures(store, since, TODAY, cal)[2]] == [
        "FK2026112300002"]
