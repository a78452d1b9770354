"""A bundle's progress and the monitor's bundle figures (高效办成一件事): done only when
its last case has ended, due on the latest committed deadline, overdue past it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from formkit.calendar import WorkCalendar
from formkit.cases.bundles import (
    bundle_figures,
    bundle_progress,
    bundle_row,
    receive_bundle,
)
from formkit.cases.service import CaseService
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.trends import Figures, store_digests
from formkit.catalog import OpenCatalog, open_catalog

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = "XX-B-0001"
D = dt.date
TODAY = D(2026, 11, 25)


def case(number: str, bundle: str, matter: str, state: str, due: str | None, **more: Any
         ) -> dict[str, Any]:
    return {"number": number, "matter": matter, "department": "market_supervision",
            "state": state, "received_on": "2026-11-25", "committed_deadline": due,
            "route": [], "bundle": {"code": BUNDLE, "name": "开办餐饮店“一件事”",
                                    "number": bundle, "cases": []}, **more}


def issued(number: str, bundle: str, matter: str, due: str, on: str) -> dict[str, Any]:
    return case(number, bundle, matter, "issued", due, decided_on=on, issued_on=on)


@pytest.fixture(scope="module")
def opened() -> OpenCatalog:
    return open_catalog(ROOT / "definitions")


def calendar() -> WorkCalendar:
    return WorkCalendar()


def test_a_bundle_is_done_only_when_its_last_case_is_issued() -> None:
    cases = [issued("A1", "A1", "XX-MS-0001", "2026-11-26", "2026-11-26"),
             case("A2", "A1", "XX-MS-0002", "approved", "2026-12-02",
                  decided_on="2026-12-01")]  # decided, not yet served: still open
    (progress,) = bundle_progress(cases)
    assert not progress.done and progress.still_open == ["A2"]
    cases[1] = issued("A2", "A1", "XX-MS-0002", "2026-12-02", "2026-12-03")
    (progress,) = bundle_progress(cases)
    assert progress.done and progress.done_on == D(2026, 12, 3)
    assert progress.still_open == []


def test_due_is_the_latest_committed_deadline_and_overdue_past_it() -> None:
    cases = [case("B1", "B1", "XX-MS-0001", "in_review", "2026-11-26"),
             case("B2", "B1", "XX-MS-0002", "accepted", "2026-12-02"),
             case("B3", "B1", "XX-HE-0002", "received", None)]  # no deadline yet
    (progress,) = bundle_progress(cases)
    assert progress.due == D(2026, 12, 2)
    assert not progress.overdue(D(2026, 12, 2))
    assert progress.overdue(D(2026, 12, 3))
    # B1 is past its own deadline, but the bundle is due on its latest: not overdue yet
    assert not progress.overdue(D(2026, 11, 30))


def test_figures_count_received_done_open_and_overdue_most_urgent_first() -> None:
    cases = [issued("C1", "C1", "XX-MS-0001", "2026-11-10", "2026-11-09"),
             issued("C2", "C1", "XX-MS-0002", "2026-11-12", "2026-11-12"),  # done
             case("E1", "E1", "XX-MS-0001", "in_review", "2026-11-20"),  # 3 days over
             case("E2", "E1", "XX-MS-0002", "issued", "2026-11-18", issued_on="2026-11-18"),
             case("F1", "F1", "XX-MS-0001", "accepted", "2026-11-23"),  # 2 days over
             case("G1", "G1", "XX-MS-0002", "accepted", "2026-11-27"),  # 2 days left
             case("H1", "H1", "XX-MS-0002", "received", None)]  # no deadline yet
    for c in cases[2:]:
        c["received_on"] = "2026-11-02"
    cases[0]["received_on"] = cases[1]["received_on"] = "2026-10-28"
    rows = [bundle_row(c) for c in cases]
    got = bundle_figures(rows, D(2026, 10, 1), TODAY, calendar())
    assert (got.received, got.done, got.open, got.overdue) == (5, 1, 4, 2)
    assert [b.progress.number for b in got.open_bundles] == ["E1", "F1", "G1", "H1"]
    assert [b.days for b in got.open_bundles] == [3, 2, -2, None]
    assert got.open_bundles[0].open_matters == ["XX-MS-0001"]
    later = bundle_figures(rows, D(2026, 11, 1), TODAY, calendar())  # the period
    assert (later.received, later.done) == (4, 0)


def test_figures_come_from_the_monitors_digests_of_a_real_bundle(
        tmp_path: Path, opened: OpenCatalog) -> None:
    store = TinyCaseStore(tmp_path / "store", prefix="FK", fsync=False)
    svc = CaseService(store, opened.work_calendar(), now=lambda: dt.datetime(2026, 11, 25, 10))
    example = opened.bundles[BUNDLE].tests[2]  # three matters, accepted
    submission = {"fields": example.fields,
                  "materials": [m.model_dump(exclude_none=True) for m in example.materials]}
    made = receive_bundle(svc, opened, BUNDLE, submission, actor="clerk")
    assert len(made.cases) == 3
    cal = opened.work_calendar()
    digests = store_digests(store, D(2026, 1, 1), TODAY, cal)
    got = bundle_figures([r for d in digests for r in d.bundles], D(2026, 1, 1), TODAY, cal)
    assert (got.received, got.done, got.open, got.overdue) == (1, 0, 1, 0)
    (item,) = got.open_bundles
    assert item.progress.number == made.number
    assert item.progress.due == max(c.committed_deadline for c in made.cases
                                    if c.committed_deadline)
    assert item.progress.due == D(2026, 12, 4)  # the hygiene licence's, the latest
    # every case ends: the bundle is done, and the digest of its day is read again
    for c in made.cases:
        store.update(c.number, lambda doc: {**doc, "state": "refused",
                                            "notice_on": "2026-11-25"},
                     lambda doc: None)
    digests = store_digests(store, D(2026, 1, 1), TODAY, cal)
    got = bundle_figures([r for d in digests for r in d.bundles], D(2026, 1, 1), TODAY, cal)
    assert (got.received, got.done, got.open) == (1, 1, 0)
    assert Figures.of([], cal).bundles == []
