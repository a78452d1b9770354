"""Who may read which case (formkit.desk.access), over a real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from formkit.definitions.users import User
from formkit.desk.access import may_read, read_case
from formkit.errors import AccessDenied
from tests.cases.support import Clock, receive_example, service


def user(role: str, department: str | None = None) -> User:
    return User(username=f"u_{role}", name={"zh": "某人"}, role=role,  # type: ignore[arg-type]
                department=department, password="scrypt$1$1$1$AA==$AA==")


@pytest.mark.parametrize("who, department, allowed", [
    (user("officer", "market_supervision"), "market_supervision", True),
    (user("officer", "market_supervision"), "public_security", False),
    (user("officer"), "public_security", False),  # an officer of no department
    (user("clerk"), "public_security", True),  # 一窗受理: the window serves any matter
    (user("supervisor"), "public_security", True),
    (user("admin"), "public_security", True),
    (user("editor", "public_security"), "public_security", False),  # definitions only
])
def test_who_reads_which_department(who: User, department: str, allowed: bool) -> None:
    assert may_read(who, department) is allowed


def test_an_office_with_a_step_on_the_route_reads_the_case() -> None:
    # 二手房转移登记: the tax office signs the second step with the registry
    route = [["natural_resources.registry_intake"],
             ["natural_resources.registry_review", "taxation.tax_service"]]
    assert may_read(user("officer", "taxation"), "natural_resources", route)
    assert not may_read(user("officer", "market_supervision"), "natural_resources", route)


def test_a_refused_read_is_audited_and_shows_nothing(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path, clock)
    case = receive_example(svc, clock, "XX-MS-0001", "operator in person")
    assert read_case(svc, user("officer", "market_supervision"), case.number) == case
    before = list(svc.store.audit())
    with pytest.raises(AccessDenied) as info:
        read_case(svc, user("officer", "public_security"), case.number)
    assert info.value.code == "other-department"
    assert info.value.message.startswith(f"案件 {case.number} 不属于本部门")
    assert case.applicant not in info.value.message  # no personal data in the refusal
    after = list(svc.store.audit())
    assert after[len(before):] == [{"kind": "refused_read", "number": case.number,
                                    "actor": "u_officer", "role": "officer",
                                    "department": "public_security",
                                    "at": "2026-11-25T09:00:00"}]
