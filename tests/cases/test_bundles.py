"""A bundle's cases on every store: one per applying matter, linked, each on its own."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.bundles import bundle_progress, receive_bundle, siblings
from formkit.cases.service import CaseService
from formkit.catalog import OpenCatalog, open_catalog
from formkit.errors import InputError, NotFoundError
from tests.cases.conftest import MakeStore
from tests.cases.support import Clock

pytestmark = pytest.mark.contract  # run against PostgreSQL too
ROOT = Path(__file__).resolve().parents[2]
CODE = "XX-B-0001"
COMPLETE = "the same farm restaurant complete is accepted, due when its hygiene licence is"
JUDGED = "a farm restaurant with guest rooms misses the floor plan two matters need and " \
    "its business scope"


@pytest.fixture(scope="module")
def opened() -> OpenCatalog:
    return open_catalog(ROOT / "definitions")


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 25, 9, 30))


@pytest.fixture
def svc(make_store: MakeStore, clock: Clock, opened: OpenCatalog) -> CaseService:
    return CaseService(make_store(), opened.work_calendar(), now=clock)


def example(opened: OpenCatalog, name: str) -> dict[str, Any]:
    found = next(e for e in opened.bundles[CODE].tests if e.name == name)
    return {"fields": copy.deepcopy(found.fields),
            "materials": [m.model_dump(exclude_none=True) for m in found.materials]}


def test_one_case_per_applying_matter_each_with_its_own_clock(
        svc: CaseService, opened: OpenCatalog) -> None:
    intake = receive_bundle(svc, opened, CODE, example(opened, COMPLETE), actor="window-03")
    numbers = [c.number for c in intake.cases]
    assert [c.matter for c in intake.cases] == ["XX-MS-0001", "XX-MS-0002", "XX-HE-0002"]
    assert intake.number == numbers[0]
    for case in intake.cases:
        assert case.state == "accepted"
        assert case.bundle is not None
        assert (case.bundle.code, case.bundle.number, case.bundle.cases) == (
            CODE, numbers[0], numbers)
        stored = svc.get(case.number)
        assert stored.bundle == case.bundle
        # the shared answers reached each matter's own field
        assert stored.history[0].data == {"bundle": numbers[0]}
    ms1, ms2, he = (svc.get(n) for n in numbers)
    assert ms1.fields["operator"]["name"] == "梁志强" == ms2.fields["operator"]["legal_rep"]
    assert he.fields["place_address"] == ms1.fields["address"]
    assert ms2.fields["licence_together"] is True and "uscc" not in ms2.fields["operator"]
    # each keeps its own limit: 1, 5 and 7 working days from Wed 2026-11-25
    assert [c.committed_deadline for c in (ms1, ms2, he)] == [
        dt.date(2026, 11, 26), dt.date(2026, 12, 2), dt.date(2026, 12, 4)]
    assert [c.number for c in siblings(svc, he)] == numbers[:2]
    # one case moves on alone
    svc.start_review(numbers[0], actor="officer")
    assert svc.get(numbers[1]).state == "accepted"


def test_an_incomplete_bundle_makes_cases_awaiting_their_materials(
        svc: CaseService, opened: OpenCatalog) -> None:
    intake = receive_bundle(svc, opened, CODE, example(opened, JUDGED), actor="window-03")
    assert intake.precheck.outcome == "incomplete"
    states = {c.matter: c.state for c in intake.cases}
    assert set(states.values()) == {"supplement"}, states


def test_siblings_are_found_by_the_number_when_the_links_were_not_written(
        svc: CaseService, opened: OpenCatalog) -> None:
    intake = receive_bundle(svc, opened, CODE, example(opened, COMPLETE), actor="w")
    numbers = [c.number for c in intake.cases]

    def unlink(doc: dict[str, Any]) -> dict[str, Any]:  # as a crash before the links
        doc["bundle"] = {**doc["bundle"], "cases": []}
        return doc

    from formkit.cases.service import summary
    svc.store.update(numbers[1], unlink, summary)
    assert [c.number for c in siblings(svc, svc.get(numbers[1]))] == [numbers[0], numbers[2]]


def test_progress_is_done_when_the_last_case_ends(svc: CaseService, opened: OpenCatalog,
                                                  clock: Clock) -> None:
    intake = receive_bundle(svc, opened, CODE, example(opened, COMPLETE), actor="w")
    numbers = [c.number for c in intake.cases]

    def progress() -> Any:
        (one,) = bundle_progress(svc.store.cases_since(dt.date(2026, 11, 25)))
        return one

    first = progress()
    assert (first.number, first.bundle, first.due, first.done) == (
        numbers[0], CODE, dt.date(2026, 12, 4), False)
    for n in numbers[:2]:
        svc.withdraw(n, actor="w", reason="申请人撤回")
    assert not progress().done
    clock.set(dt.date(2026, 12, 8))
    svc.withdraw(numbers[2], actor="w", reason="申请人撤回")
    last = progress()
    assert last.done and last.done_on == dt.date(2026, 12, 8)
    assert last.overdue(dt.date(2026, 12, 9))  # ended after its due day


def test_a_wrong_code_or_no_applying_matter_creates_nothing(
        svc: CaseService, opened: OpenCatalog) -> None:
    with pytest.raises(NotFoundError) as wrong:
        receive_bundle(svc, opened, "XX-B-0001A", {}, actor="w")
    assert wrong.value.code == "unknown-matter" and "XX-B-0001" in (wrong.value.hint or "")
    sub = example(opened, COMPLETE)
    sub["materials"] = [{"id": "application_form", "matter": "XX-MS-0001", "copies": -1}]
    with pytest.raises(InputError):
        receive_bundle(svc, opened, CODE, sub, actor="w")
    assert list(svc.store.cases_since(dt.date(2026, 1, 1))) == []
