"""The monitor page (效能监察) by AppTest; and a whole day across the three pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from formkit.cases.service import Case, CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from tests.studio.test_backoffice import click, worklist
from tests.studio.test_window import (
    FOOD,
    LAYOUT_PLAN,
    fill_restaurant,
    find,
    hand_in,
    key,
    notice_text,
    receipt,
)

ALL = ["application_form", "layout_plan", "safety_rules"]
FOOD_NAME = "食品经营许可证核发（新办）"


class Desk:
    """Cases made through formkit on chosen days, in the workspace's store."""

    def __init__(self, workspace: Path) -> None:
        self.opened = open_catalog(workspace / "definitions")
        self.now = dt.datetime(2026, 11, 25, 9)
        store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
        self.svc = CaseService(store, self.opened.work_calendar(), now=lambda: self.now)
        self.rules = self.opened.rules_of(FOOD)
        self.version = snapshot_for_case(store, self.opened, FOOD)

    def on(self, day: dt.date) -> Desk:
        self.now = dt.datetime(day.year, day.month, day.day, 10)
        return self

    def receive(self, materials: list[str], *, decide: bool = True) -> Case:
        assert self.rules is not None
        ex = next(t for t in self.rules.matter.tests if "restaurant" in t.name)
        return self.svc.receive(self.rules, self.version, dict(ex.fields),
                                [HandedIn(id=m) for m in materials], actor="clerk",
                                applicant="新兴县禾丰餐饮管理有限公司", decide=decide)

    def sign_all(self, number: str) -> None:
        self.svc.start_review(number, actor="ms_officer")
        for step in self.svc.get(number).route:
            for unit in step:
                self.svc.sign_off(number, unit, actor="ms_officer")


def table(at: AppTest, column: str, containing: str | None = None) -> pd.DataFrame:
    """The first table with ``column`` (and a cell ``containing`` in it)."""
    for d in at.dataframe:
        frame = d.value
        if column in frame.columns and (containing is None
                                        or containing in set(frame[column].astype(str))):
            return frame
    raise AssertionError(f"no table with {column} {containing or ''}")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_monitor_lists_cards_risks_and_figures(signed_in: Callable[..., AppTest],
                                               workspace: Path) -> None:
    desk = Desk(workspace)
    late = desk.on(dt.date(2026, 11, 10)).receive(ALL)  # due 11-17: red by 11-25
    tolerated = desk.on(dt.date(2026, 11, 10)).receive(["application_form", "layout_plan"])
    yellow = desk.on(dt.date(2026, 11, 17)).receive(ALL)  # due 11-24: one day over
    soon = desk.on(dt.date(2026, 11, 20)).receive(ALL)  # due 11-27: two days left
    silent = desk.on(dt.date(2026, 11, 18)).receive(ALL, decide=False)  # not told yet
    on_time = desk.on(dt.date(2026, 11, 20)).receive(ALL)
    desk.sign_all(on_time.number)
    desk.on(dt.date(2026, 11, 24)).svc.approve(on_time.number, actor="chief")
    desk.on(dt.date(2026, 11, 25)).svc.issue(on_time.number, actor="clerk")
    desk.sign_all(late.number)
    desk.svc.approve(late.number, actor="chief")  # decided today, 6 days late
    desk.on(dt.date(2026, 11, 25))

    at = signed_in("supervisor", "monitor.py")
    assert not at.exception, at.exception
    m = metrics(at)
    assert m["在办 Open"] == "5"  # the approved one waits to be issued; issued is done
    assert (m["红牌 Red"], m["黄牌 Yellow"], m["即将到期 Due soon"]) == ("1", "1", "1")
    assert (m["告知风险 Notice risk"], m["容缺逾期 Tolerated overdue"]) == ("1", "1")
    assert tolerated.number in set(table(at, "案件编号 Case", tolerated.number)["案件编号 Case"])
    # the tolerated case, accepted 11-10, is past its 10-day statutory limit (11-24) too
    titles = [s.value for s in at.subheader]
    assert "超过法定时限 Past the statutory limit（行政许可法第四十二条）：1" in titles
    assert "补正期满未补正 Supplement period over, nothing handed in：0" in titles
    for case in (yellow, soon, silent):
        assert case.number in set(table(at, "案件编号 Case", case.number)["案件编号 Case"])
    perf = table(at, "编码 Code", FOOD).set_index("编码 Code").loc[FOOD]
    assert (perf["办结 Decided"], perf["按时 On time"]) == (2, 1)
    assert perf["按时办结率 On-time rate %"] == 50.0
    assert perf["承诺时限 Committed days"] == 5
    stages = table(at, "阶段 Stage").set_index("阶段 Stage")["件数 Cases"].to_dict()
    assert stages["已送达办结 Issued"] == 1 and stages["准予许可 Approved"] == 1
    assert table(at, "部门 Department", "市场监督管理局")["件数 Cases"].sum() == 6


def test_thresholds_and_period_are_the_supervisors(signed_in: Callable[..., AppTest],
                                                   workspace: Path) -> None:
    desk = Desk(workspace)
    desk.on(dt.date(2026, 11, 17)).receive(ALL)  # one working day overdue: yellow
    at = signed_in("supervisor", "monitor.py")
    assert metrics(at)["黄牌 Yellow"] == "1"
    at.number_input(key="mon_red_after").set_value(0).run()
    assert (metrics(at)["黄牌 Yellow"], metrics(at)["红牌 Red"]) == ("0", "1")
    at.selectbox(key="mon_period").select("30").run()
    assert not at.exception, at.exception


def test_figures_follow_a_change_made_at_another_desk(signed_in: Callable[..., AppTest],
                                                     workspace: Path) -> None:
    desk = Desk(workspace)
    first = desk.on(dt.date(2026, 11, 20)).receive(ALL)
    second = desk.on(dt.date(2026, 11, 20)).receive(ALL)
    for case in (first, second):
        desk.sign_all(case.number)
    desk.on(dt.date(2026, 11, 24)).svc.approve(first.number, actor="chief")
    at = signed_in("supervisor", "monitor.py")
    assert table(at, "编码 Code", FOOD).set_index("编码 Code").loc[FOOD]["办结 Decided"] == 1
    # another desk denies the second: the next render's figures include it
    desk.on(dt.date(2026, 11, 25)).svc.deny(second.number, actor="chief", reason="不符合条件")
    at.run()
    assert not at.exception, at.exception
    perf = table(at, "编码 Code", FOOD).set_index("编码 Code").loc[FOOD]
    assert (perf["办结 Decided"], perf["按时 On time"]) == (2, 2)
    stages = table(at, "阶段 Stage").set_index("阶段 Stage")["件数 Cases"].to_dict()
    assert stages["不予许可 Denied"] == 1


def test_ended_cases_are_counted_by_their_stage_and_leave_the_lists(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    desk = Desk(workspace)
    late = desk.on(dt.date(2026, 11, 10)).receive(ALL)  # would be a red card
    gone = desk.on(dt.date(2026, 11, 17)).receive(ALL)  # would be a yellow card
    desk.on(dt.date(2026, 11, 20)).svc.terminate(late.number, actor="ms_officer",
                                                   reason="经营者已注销")
    desk.svc.withdraw(gone.number, actor="ms_officer", reason="申请人申请撤回")
    at = signed_in("supervisor", "monitor.py")
    assert not at.exception, at.exception
    m = metrics(at)
    assert (m["在办 Open"], m["红牌 Red"], m["黄牌 Yellow"]) == ("0", "0", "0")
    stages = table(at, "阶段 Stage").set_index("阶段 Stage")["件数 Cases"].to_dict()
    assert stages == {"已终止 Terminated": 1, "已撤回 Withdrawn": 1}


def test_a_damaged_store_file_is_an_error_on_the_page(signed_in: Callable[..., AppTest],
                                                      workspace: Path) -> None:
    desk = Desk(workspace)
    case = desk.on(dt.date(2026, 11, 20)).receive(ALL)
    root = workspace / "var" / "store"
    part = next((root / "cases").glob("*/*/*.json"))
    good = part.read_bytes()
    part.write_bytes(b'{"cases": {"1": ')  # a damaged partition: the lists still show
    at = signed_in("supervisor", "monitor.py")
    assert not at.exception, at.exception
    assert any(str(part) in e.value for e in at.error)
    assert case.number in set(table(at, "案件编号 Case", case.number)["案件编号 Case"])
    part.write_bytes(good)
    index = next((root / "open").glob("*.json"))
    index.write_text("{", "utf-8")  # a damaged index: nothing to list; how to repair
    at.run()
    assert not at.exception, at.exception
    assert any("formkit cases reindex" in e.value for e in at.error)


def test_an_empty_store_shows_empty_lists(signed_in: Callable[..., AppTest]) -> None:
    at = signed_in("supervisor", "monitor.py")
    assert not at.exception, at.exception
    assert metrics(at)["在办 Open"] == "0"
    assert any("尚无办结案件" in c.value for c in at.caption)


def test_the_whole_day_window_back_office_monitor(signed_in: Callable[..., AppTest]) -> None:
    """The issue's story: a food licence with the layout plan missing, told at once; the
    applicant returns with it; the back office signs every step and issues the licence;
    the monitor shows it done on time."""
    clerk = find(signed_in("clerk", "window.py"), "spjy")
    fill_restaurant(clerk).run()
    hand_in(clerk, "application_form", "safety_rules")
    click(clerk, key("run"))
    assert LAYOUT_PLAN in notice_text(clerk)
    click(clerk, key("create"))
    number = receipt(clerk)["案件编号 Case number"]
    clerk.radio(key="win_mode").set_value("returning").run()
    clerk.text_input(key="ret_number").input(number)
    click(clerk, "ret_open")
    hand_in(clerk, "layout_plan", scope=f"case:{number}")
    click(clerk, key("resubmit", f"case:{number}"))
    assert receipt(clerk)["承诺办结期限 Committed deadline"] == "2026-12-02"

    officer = signed_in("ms_officer", "backoffice.py")
    assert number in set(worklist(officer, "market_supervision.food_licensing")["案件编号 Case"])
    officer.selectbox(key="bo_pick").select(number).run()
    click(officer, "bo_start")
    click(officer, "bo_sign|market_supervision.food_licensing")
    click(officer, "bo_sign|market_supervision.field_inspection")
    click(officer, "bo_approve")
    click(officer, "bo_issue")
    assert next(m.value for m in officer.metric if m.label == "状态 State").startswith("已送达")

    supervisor = signed_in("supervisor", "monitor.py")
    perf = table(supervisor, "编码 Code", FOOD).set_index("编码 Code").loc[FOOD]
    assert perf["事项 Matter"] == FOOD_NAME
    assert (perf["办结 Decided"], perf["按时 On time"]) == (1, 1)
    assert perf["按时办结率 On-time rate %"] == 100.0
    assert perf["平均办理工作日 Average days"] <= perf["承诺时限 Committed days"]
    assert metrics(supervisor)["在办 Open"] == "0"
