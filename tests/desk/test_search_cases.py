"""Finding a case by the person at the window: name, 身份证号, mobile, case number;
scoped by role, masked, on the embedded store and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.service import Case, summary
from formkit.cases.store import CaseStore
from formkit.cases.tinystore import TinyCaseStore
from formkit.definitions.model import Label
from formkit.definitions.users import User
from formkit.desk.case_search import mask_id, mask_mobile, query_kind, search_cases

DAY = dt.date(2026, 11, 25)
SINCE = dt.date(2026, 1, 1)
ZHANG_ID, LI_ID = "445321199003071230", "44532119920815246X"


def _case(number: str, day: dt.date, *, matter: str, department: str, applicant: str,
          fields: dict[str, Any], state: str = "accepted",
          route: list[list[str]] | None = None) -> dict[str, Any]:
    return Case(number=number, matter=matter, version="v", applicant=applicant,
                department=department, fields=fields, received_on=day, state=state,
                route=route or []).model_dump(mode="json")


CASES = [
    # a restaurant: the company applies, its legal representative 张伟 and manager 李娜
    _case("FK2026112500001", DAY, matter="XX-MS-0002", department="market_supervision",
          applicant="新兴县禾丰餐饮管理有限公司",
          fields={"operator": {"entity_name": "新兴县禾丰餐饮管理有限公司", "legal_rep": "张伟",
                               "legal_rep_id": ZHANG_ID, "mobile": "13800138000"},
                  "food_safety_manager": {"name": "李娜", "id_number": LI_ID.lower()}}),
    # 张伟 again, a month earlier, his own ID card
    _case("FK2026102300004", dt.date(2026, 10, 23), matter="XX-PS-0001",
          department="public_security", applicant="张伟", state="issued",
          fields={"applicant": {"name": "张伟", "id_number": ZHANG_ID,
                                "mobile": "13800138000"}}),
    # a property sale: the tax office signs a step of it
    _case("FK2026112400002", dt.date(2026, 11, 24), matter="XX-NR-0001",
          department="natural_resources", applicant="王芳", route=[["taxation.review"]],
          fields={"buyers": [{"buyer_name": "王芳", "buyer_id": "445321198501011234"}],
                  "seller_name": "刘强", "seller_mobile": "13922223333"}),
    # an old case, before the period searched
    _case("FK2025060200001", dt.date(2025, 6, 2), matter="XX-PS-0001",
          department="public_security", applicant="张伟", state="issued",
          fields={"applicant": {"name": "张伟", "id_number": ZHANG_ID}}),
]


def _user(role: str, department: str | None = None) -> User:
    return User(username=role, name=Label(zh=role), role=role, department=department,
                password="scrypt$x")  # type: ignore[arg-type]


CLERK = _user("clerk")


def _tiny(tmp_path: Path) -> Iterator[CaseStore]:
    yield TinyCaseStore(tmp_path / "store", prefix="FK")


def _postgres(tmp_path: Path) -> Iterator[CaseStore]:
    from formkit.cases.pgstore import PostgresCaseStore, close_pools
    from tests.cases.conftest import new_pg_url

    url = new_pg_url()
    yield PostgresCaseStore(url, prefix="FK")
    close_pools(url)


@pytest.fixture(params=["tiny", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CaseStore]:
    made = (_tiny if request.param == "tiny" else _postgres)(tmp_path)
    s = next(made)
    s.import_cases([dict(c) for c in CASES], summary)
    yield s
    next(made, None)


def numbers(store: CaseStore, query: str, user: User = CLERK, **kw: Any) -> list[str]:
    return [h.number for h in search_cases(store, user, query, since=SINCE, **kw).hits]


@pytest.mark.parametrize(("query", "found"), [
    ("张伟", ["FK2026112500001", "FK2026102300004"]),  # applicant, and a legal rep
    ("禾丰", ["FK2026112500001"]),  # part of a company's name
    ("李娜", ["FK2026112500001"]),  # a person named in the form, not the applicant
    ("刘强", ["FK2026112400002"]),  # the seller of a property sale
    (ZHANG_ID, ["FK2026112500001", "FK2026102300004"]),  # the full 身份证号
    (LI_ID, ["FK2026112500001"]),  # an X checksum, stored in lower case
    ("1230", ["FK2026112500001", "FK2026102300004"]),  # its last four digits
    ("246x", ["FK2026112500001"]),  # last digits with the X, any case
    ("13800138000", ["FK2026112500001", "FK2026102300004"]),  # the mobile
    ("3333", ["FK2026112400002"]),  # a mobile's 尾号
    ("FK2026112400002", ["FK2026112400002"]),  # the case number
    ("fk 20261124", ["FK2026112400002"]),  # its start, typed loosely
    ("2026112400002", ["FK2026112400002"]),  # the number without its prefix
    ("赵六", []),
])
def test_found_by_the_person_or_the_number(store: CaseStore, query: str,
                                           found: list[str]) -> None:
    assert numbers(store, query) == found  # newest first


def test_a_longer_period_finds_older_cases(store: CaseStore) -> None:
    got = search_cases(store, CLERK, "张伟", since=dt.date(2025, 1, 1))
    assert [h.number for h in got.hits][-1] == "FK2025060200001"


@pytest.mark.parametrize(("user", "found"), [
    (_user("supervisor"), ["FK2026112500001", "FK2026112400002"]),
    (_user("officer", "market_supervision"), ["FK2026112500001"]),
    (_user("officer", "taxation"), ["FK2026112400002"]),  # its step of the sale
    (_user("officer", "health"), []),
    (_user("editor", "market_supervision"), []),
])
def test_scoped_by_role(store: CaseStore, user: User, found: list[str]) -> None:
    assert numbers(store, "FK202611", user) == found  # November's cases


def test_hits_are_masked_and_name_the_person_matched(store: CaseStore) -> None:
    hit = search_cases(store, CLERK, "李娜", since=SINCE).hits[0]
    assert hit.applicant == "新兴县禾丰餐饮管理有限公司"
    assert hit.matched_name == "李娜"
    assert hit.id_number == "4453**********1230"  # the case's first, masked
    assert hit.mobile == "138****8000"
    assert hit.received_on == DAY and hit.state == "accepted"
    by_id = search_cases(store, CLERK, "246X", since=SINCE).hits[0]
    assert by_id.id_number == "4453**********246X"  # the one matched
    assert ZHANG_ID not in repr(search_cases(store, CLERK, ZHANG_ID, since=SINCE))


def test_limit_and_total(store: CaseStore) -> None:
    got = search_cases(store, CLERK, "张伟", since=SINCE, limit=1)
    assert got.total == 2 and len(got.hits) == 1 and got.truncated


def test_a_change_is_found_at_the_next_search(store: CaseStore) -> None:
    assert numbers(store, "王芳") == ["FK2026112400002"]
    store.update("FK2026112400002", lambda c: {**c, "applicant": "王芳芳"}, summary)
    assert numbers(store, "王芳芳") == ["FK2026112400002"]


@pytest.mark.parametrize(("query", "kind"), [
    ("张", None),  # one character: too little to search
    ("123", None),
    ("1234", "digits"),
    ("张伟", "name"),
    (ZHANG_ID, "id_number"),
    ("445321900307123", "id_number"),  # an old 15-digit number
    ("13800138000", "mobile"),
    ("FK2026112500001", "number"),
    ("  ", None),
])
def test_query_kinds(query: str, kind: str | None) -> None:
    assert query_kind(query) == kind


def test_masks() -> None:
    assert mask_id(ZHANG_ID) == "4453**********1230"
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_id("") == "" and mask_mobile("") == ""


def test_a_bundle_number_finds_every_case_of_the_bundle(store: CaseStore) -> None:
    # 高效办成一件事: the bundle's number is its first case's; a sibling case has its own
    linked = _case("FK2026112500007", DAY, matter="XX-HE-0002", department="health",
                   applicant="新兴县禾丰餐饮管理有限公司", fields={})
    linked["bundle"] = {"code": "XX-B-0001", "name": "开办餐饮店“一件事”",
                        "number": "FK2026112500001",
                        "cases": ["FK2026112500001", "FK2026112500007"]}
    store.import_cases([linked], summary)
    assert numbers(store, "FK2026112500001") == ["FK2026112500007", "FK2026112500001"]
    assert numbers(store, "FK2026112500007") == ["FK2026112500007"]
