"""The monitor and who may read which case (issue #16, item 11) by AppTest: the
supervisor's lists hold every department's cases, an officer's only their own; the
supervisor sees the refused reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formkit.definitions.users import User
from formkit.desk.access import read_case
from formkit.errors import AccessDenied
from tests.studio.conftest import ROOT
from tests.studio.test_backoffice_access import receive_id_card
from tests.studio.test_monitor_page import ALL, Desk, metrics
from tests.studio.test_window import service

MONITOR = ROOT / "studio" / "views" / "monitor.py"


def user(username: str, role: str, department: str | None = None) -> User:
    return User(username=username, name={"zh": "某人"}, role=role,  # type: ignore[arg-type]
                department=department, password="scrypt$1$1$1$AA==$AA==")


def monitor_as(who: User) -> AppTest:
    """The monitor page run on its own for ``who`` (an officer has no link to it)."""
    at = AppTest.from_file(str(MONITOR), default_timeout=60)
    at.session_state["user"] = who
    at.run()
    assert not at.exception, at.exception
    return at


def flagged(at: AppTest) -> set[str]:
    return {n for d in at.dataframe if "案件编号 Case" in d.value.columns
            for n in d.value["案件编号 Case"]}


def test_the_lists_hold_the_cases_the_user_may_read(
        signed_in: Callable[..., AppTest], workspace: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    food = Desk(workspace).on(dt.date(2026, 11, 25)).receive(ALL)
    card = receive_id_card(workspace)
    monkeypatch.setenv("FORMKIT_TODAY", "2027-03-01")  # both long past their limits
    at = signed_in("supervisor", "monitor.py")
    assert metrics(at)["在办 Open"] == "2"
    assert {food.number, card.number} <= flagged(at)
    officer = monitor_as(user("ms_x", "officer", "market_supervision"))
    assert metrics(officer)["在办 Open"] == "1"
    assert food.number in flagged(officer) and card.number not in flagged(officer)


def test_the_supervisor_sees_the_refused_reads(signed_in: Callable[..., AppTest],
                                               workspace: Path) -> None:
    card = receive_id_card(workspace)
    with pytest.raises(AccessDenied):
        read_case(service(workspace), user("ms_officer", "officer", "market_supervision"),
                  card.number)
    at = signed_in("supervisor", "monitor.py")
    assert not [d for d in at.dataframe if "人员 Person" in d.value.columns]  # when asked
    at.toggle(key="mon_refused").set_value(True).run()
    assert not at.exception, at.exception
    rows = next(d.value for d in at.dataframe if "人员 Person" in d.value.columns)
    assert rows.to_dict("records") == [{
        "时间 At": "2026-11-25 10:00:00", "人员 Person": "市场监管局审批员",
        "所属部门 Their department": "市场监督管理局", "案件编号 Case": card.number}]
