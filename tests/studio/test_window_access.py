"""The window's case lookup and who may read which case (issue #16, item 11) by AppTest:
the comprehensive window serves every department's cases (一窗受理); anyone else who
may not read a case is refused without its data, and the attempt is audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.studio.conftest import ROOT
from tests.studio.test_backoffice_access import (
    APPLICANT,
    everything,
    receive_id_card,
    refused_reads,
)
from tests.studio.test_monitor_access import user

WINDOW = ROOT / "studio" / "views" / "window.py"


def look_up(at: AppTest, number: str) -> AppTest:
    at.radio(key="win_mode").set_value("returning").run()
    at.text_input(key="ret_number").input(number)
    at.button(key="ret_open").click().run()
    assert not at.exception, at.exception
    return at


def test_the_window_reads_every_departments_case(signed_in: Callable[..., AppTest],
                                                 workspace: Path) -> None:
    card = receive_id_card(workspace)  # public security, at the same window
    at = look_up(signed_in("clerk", "window.py"), card.number)
    assert "不在补正中" in at.warning[0].value
    assert any(m.label == "案件编号 Case number" and m.value == card.number for m in at.metric)
    assert refused_reads(workspace) == []


def test_a_user_who_may_not_read_the_case_is_refused(workspace: Path) -> None:
    card = receive_id_card(workspace)
    at = AppTest.from_file(str(WINDOW), default_timeout=60)
    at.session_state["user"] = user("ms_x", "officer", "market_supervision")
    at.run()
    look_up(at, card.number)
    assert at.error[0].value == ("无权查看 Access refused：该案件不属于本部门，无权查看；"
                                 "本次查看已记录")
    assert APPLICANT not in everything(at) and not at.metric
    at.run()  # not read again at every rerun
    assert [(e["number"], e["actor"]) for e in refused_reads(workspace)] == [
        (card.number, "ms_x")]
