"""In a real browser (issue #17, items 8-10): on 2026-12-21 the back office's worklists
show late cases late, and every open case is on its one list.

The store holds the market-supervision cases a busy December leaves: a food licence 9
working days past its committed deadline (red card, and past the statutory limit), an
individual business 2 days past it (yellow card), one due in 2 days (due soon), a
denial not yet served, a 补正 whose period ran out, a tolerated material 2 days overdue
and a stopped clock. The studio runs with FORMKIT_TODAY=2026-12-21. Screenshots go to
``tests/e2e/output/<test name>/`` and ``docs/screenshots/backoffice-worklists.png``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from formkit.cases.service import Case, CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from formkit.intake.examples import submission_of
from tests.e2e.conftest import ROOT, Studio

TODAY = "2026-12-21"
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture()
def studio_today() -> str:
    """The studio runs on 2026-12-21 (conftest's studio_server reads this)."""
    return TODAY


class December:
    """Cases received at the window on the days given, straight through formkit."""

    def __init__(self, workspace: Path) -> None:
        self.opened = open_catalog(workspace / "definitions")
        self.store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
        self.day = dt.date(2026, 12, 1)
        self.svc = CaseService(self.store, self.opened.work_calendar(),
                               now=lambda: dt.datetime.combine(self.day, dt.time(10)))

    def on(self, day: str) -> CaseService:
        self.day = dt.date.fromisoformat(day)
        return self.svc

    def receive(self, day: str, code: str, example: str, applicant: str) -> Case:
        svc = self.on(day)
        rules = self.opened.rules_of(code)
        assert rules is not None
        ex = next(t for t in rules.matter.tests if example in t.name)
        sub = submission_of(ex)
        return svc.receive(rules, snapshot_for_case(self.store, self.opened, code),
                           sub["fields"], [HandedIn(**m) for m in sub["materials"]],
                           actor="clerk", applicant=applicant)


def december(workspace: Path) -> dict[str, Case]:
    """The store of 2026-12-21 (committed limits: food licence 5 working days, an
    individual business 1)."""
    d = December(workspace)
    late = d.receive("2026-12-01", "XX-MS-0002", "restaurant", "新兴县禾丰餐饮管理有限公司")
    d.on("2026-12-02").start_review(late.number, actor="ms_officer")  # due 12-08
    d.svc.sign_off(late.number, "market_supervision.food_licensing", actor="ms_officer")
    yellow = d.receive("2026-12-16", "XX-MS-0001", "owned shop", "陈志强")  # due 12-17
    soon = d.receive("2026-12-16", "XX-MS-0002", "restaurant", "县城东小吃店")  # due 12-23
    denied = d.receive("2026-12-14", "XX-MS-0001", "public servant", "吴俊杰")
    d.on("2026-12-15").deny(denied.number, actor="ms_officer",
                            reason="公职人员不得从事营利性活动")
    supplement = d.receive("2026-12-01", "XX-MS-0002", "vending seller", "刘洋")  # to 12-15
    tolerated = d.receive("2026-12-10", "XX-MS-0002", "special food", "黄丽")  # due 12-17
    stopped = d.receive("2026-12-14", "XX-MS-0002", "restaurant", "周记面馆")
    d.on("2026-12-15").suspend(stopped.number, "testing", actor="ms_officer")
    cases = {"late": late, "yellow": yellow, "soon": soon, "denied": denied,
             "supplement": supplement, "tolerated": tolerated, "stopped": stopped}
    states = {k: d.svc.get(c.number).state for k, c in cases.items()}
    assert states == {"late": "in_review", "yellow": "accepted", "soon": "accepted",
                      "denied": "denied", "supplement": "supplement",
                      "tolerated": "accepted", "stopped": "accepted"}, states
    return cases


def show(studio: Studio, name: str) -> None:
    """Choose the worklist ``name`` (its segment reads ``name（count）``)."""
    button = studio.page.get_by_role("radio", name=re.compile(
        "^" + re.escape(name).replace("/", r"\/") + "（"))  # Playwright's regex: / escaped
    studio._rerun(button.click)
    expect(button).to_be_checked()


def rows(studio: Studio, *numbers: str) -> dict[str, dict[str, str]]:
    """The rows of the worklist, by case number, once it holds just ``numbers`` (the
    grid redraws a moment after the run). The grid draws the columns in view only: the
    rest are read after scrolling it to its right end, and matched by row order."""
    studio.expect_frame_row_count("案件编号 Case", len(numbers))
    grid = studio.table(0)  # the list's (no case is open: the page's only table)
    for number in numbers:
        expect(grid).to_contain_text(number)
    left = studio._grid_rows(grid)
    studio.page.get_by_test_id("stDataFrame").first.hover()  # the wheel scrolls the grid
    studio.page.mouse.wheel(3000, 0)
    expect(grid.locator("thead th").filter(has_text="收件 Received")).to_be_attached()
    right = studio._grid_rows(grid)
    studio.page.mouse.wheel(-3000, 0)
    return {a["案件编号 Case"]: {**b, **a} for a, b in zip(left, right, strict=True)}


def test_late_cases_look_late_and_every_case_is_on_its_list(studio: Studio,
                                                            workspace: Path) -> None:
    cases = december(workspace)
    page = studio.page
    studio.sign_in("ms_officer")
    expect(page.get_by_role("heading", name="后台审批 Back office")).to_be_visible()
    for name, count in (("待审查", 3), ("待决定", 0),
                        ("待发证/送达", 1), ("待跟进", 2),
                        ("已中止", 1), ("窗口环节", 0)):
        expect(page.get_by_role("radio", name=f"{name}（{count}）")).to_be_visible()

    # ---- to review, most urgent first: the red card, the yellow card, the one due soon
    review = rows(studio, *(cases[k].number for k in ("late", "yellow", "soon")))
    late, yellow, soon = (review[cases[k].number] for k in ("late", "yellow", "soon"))
    assert list(review) == [cases[k].number for k in ("late", "yellow", "soon")]
    assert late["预警 Flag"] == "🔴 红牌 · 超期 9 个工作日", late
    assert late["说明 Detail"].startswith("超过法定时限 4 个工作日；"), late
    assert (late["状态 State"], late["环节 Step"], late["待签 Waiting for"]) == (
        "审查中", "2/2", "现场核查组")
    assert yellow["预警 Flag"] == "🟡 黄牌 · 超期 2 个工作日", yellow
    assert soon["预警 Flag"] == "🔵 即将到期 · 还剩 2 个工作日", soon
    assert "计时中 running" not in page.get_by_test_id("stMain").inner_text()
    studio.expect_no_exception()
    shot = studio.shot("worklists-review", focus=page.get_by_role("heading",
                                                                  name="后台审批 Back office"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "backoffice-worklists.png").write_bytes(shot.read_bytes())

    # ---- the denial waits to be served; the expired 补正 and the overdue material wait
    # to be followed up; the stopped clock is on its own list
    show(studio, "待发证/送达")
    served = rows(studio, cases["denied"].number)
    assert list(served) == [cases["denied"].number]
    assert served[cases["denied"].number]["状态 State"] == "不予许可"
    show(studio, "待跟进")
    follow = rows(studio, cases["supplement"].number, cases["tolerated"].number)
    assert set(follow) == {cases["supplement"].number, cases["tolerated"].number}
    expired = follow[cases["supplement"].number]
    assert expired["状态 State"] == "待补正", expired
    assert re.fullmatch(r"🟡 补正期满 \d+ 个工作日未补正", expired["预警 Flag"]), expired
    owed = follow[cases["tolerated"].number]
    # also past its committed deadline (the material was due by it): the card names it
    assert owed["预警 Flag"] == "🟡 黄牌 · 超期 2 个工作日", owed
    assert owed["说明 Detail"].startswith("容缺材料逾期 2 个工作日；待补交 owed："), owed
    assert "待补交 owed：" in owed["说明 Detail"] and "_" not in owed["说明 Detail"], owed
    shot = studio.shot("worklists-follow-up", focus=page.get_by_role(
        "heading", name="后台审批 Back office"))
    (SCREENSHOTS / "backoffice-follow-up.png").write_bytes(shot.read_bytes())
    show(studio, "已中止")
    assert list(rows(studio, cases["stopped"].number)) == [cases["stopped"].number]

    # ---- the denied case opened from its list: the one move left is to serve it
    show(studio, "待发证/送达")
    studio.select("打开案件 Open a case from the list",
                  f"{cases['denied'].number} · 个体工商户设立登记 · 期限 due —")
    expect(studio.metric_value("状态 State")).to_contain_text("不予许可")
    main = page.get_by_test_id("stMain")
    expect(page.get_by_role("button", name="发证/送达 Record issue of the result")
           ).to_be_visible()
    for gone in ("开始审查 Start review", "准予许可 Approve", "不予许可 Deny"):
        expect(page.get_by_role("button", name=gone, exact=True)).to_have_count(0)
    expect(main).not_to_contain_text("终止或撤回")
    for internal in ("start_review", "sign_off", "market_supervision", "safety_rules",
                     "supplement_expired", "tolerated_overdue", "denied"):
        expect(main).not_to_contain_text(internal)
    studio.shot("denied-case-actions", focus=page.get_by_role(
        "heading", name=re.compile(cases["denied"].number)))
    studio.click("发证/送达 Record issue of the result")
    expect(studio.alert("success", "已送达 Issued")).to_be_visible()
    expect(page.get_by_role("radio", name="待发证/送达（0）")).to_be_visible()
    studio.expect_no_exception()
