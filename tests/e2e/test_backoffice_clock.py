"""In a real browser (issue #14): the back office extends a food licence case (延期,
行政许可法第四十二条), then terminates it after a confirmation (终止); a case accepted with
a ground for denial found at intake offers no approval, and the window shows that ground
to the clerk apart from the refusals. Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import expect

from formkit.cases.service import Case, CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from formkit.intake.examples import submission_of
from tests.e2e.conftest import Studio

FOOD = "食品经营许可证核发（新办）"
COMMITTED = "2026-12-02"  # 5 working days from 2026-11-25 (FORMKIT_TODAY)
EXTENDED = "2026-12-07"  # 3 working days more
GROUND = "公职人员不得违反有关规定从事或者参与营利性活动"
EXTEND = "延期 Extend the time limit（最多 at most 5 个工作日 working days）"
END = "终止或撤回 End the case without a decision"
DOCUMENTS = "文书 Documents：打印、下载 print or download"


def receive(workspace: Path, code: str, example: str, applicant: str,
            leave_out: str | None = None) -> Case:
    """The matter's example received at the window on 2026-11-25, straight through formkit
    (without the material ``leave_out``)."""
    opened = open_catalog(workspace / "definitions")
    store = TinyCaseStore(workspace / "var" / "store", prefix=opened.catalog.code_prefix
                          if opened.catalog else "FK")
    svc = CaseService(store, opened.work_calendar(), now=lambda: dt.datetime(2026, 11, 25, 9))
    rules = opened.rules_of(code)
    assert rules is not None
    ex = next(t for t in rules.matter.tests if example in t.name)
    sub = submission_of(ex)
    return svc.receive(rules, snapshot_for_case(store, opened, code), sub["fields"],
                       [HandedIn(**m) for m in sub["materials"] if m["id"] != leave_out],
                       actor="clerk", applicant=applicant)


def test_officer_extends_then_terminates_a_case(studio: Studio, workspace: Path) -> None:
    food = receive(workspace, "XX-MS-0002", "restaurant", "新兴县禾丰餐饮管理有限公司")
    grounds = receive(workspace, "XX-MS-0001", "public servant", "吴俊杰")
    assert food.state == grounds.state == "accepted"
    page = studio.page
    studio.sign_in("ms_officer")
    expect(page.get_by_role("heading", name="后台审批 Back office")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("审批 Officer · 市场监督管理局")
    expect(sidebar).not_to_contain_text("market_supervision")

    # ---- open the food licence case: the deadlines as fixed at acceptance
    studio.fill("按编号查找 Case number", food.number)
    studio.click("打开 Open")
    heading = page.get_by_role("heading", name=re.compile(food.number))
    expect(heading).to_be_visible()
    expect(studio.metric_value("承诺期限 Committed deadline")).to_have_text(COMMITTED)
    studio.shot("case-opened", focus=heading)

    # ---- 延期: 3 working days, approved, with the reason told to the applicant
    box = studio.expander(EXTEND, "延期工作日 Working days")
    expect(box).to_contain_text("最多 5 个工作日，须经本行政机关负责人批准")
    studio.fill("延期工作日 Working days", "3")
    expect(box).to_contain_text(f"延期后 After the extension：承诺期限 committed {EXTENDED}")
    studio.fill("延期理由 Reason（将告知申请人 told to the applicant）",
                "经营场所需补充现场核查，核查人员不足")
    studio.tick("已经本行政机关负责人批准 Approved")
    studio.shot("extension-filled", focus=box)
    studio.click("延期 Extend")
    expect(studio.alert("success", "已延期 3 个工作日")).to_be_visible()
    expect(studio.metric_value("承诺期限 Committed deadline")).to_have_text(EXTENDED)
    extended = studio.alert("info", "已延期 Extended：3 个工作日")
    expect(extended).to_contain_text("批准人 Approved by：本行政机关负责人")
    expect(extended).to_contain_text("理由 Reason：经营场所需补充现场核查，核查人员不足")
    expect(page.get_by_test_id("stExpander").filter(has_text=EXTEND)).to_have_count(0)
    studio.expect_no_exception()
    studio.shot("case-extended", focus=heading)

    # ---- the 延期通知书: print view with its print button, and the HTML file
    notice_box = studio.expander(DOCUMENTS, "下载 HTML")
    expect(studio.radio_value("文书 Document")).to_have_text("延期通知书")
    frame = notice_box.frame_locator("iframe").first
    body = frame.locator("body")
    expect(body).to_contain_text("延期通知书")
    expect(body).to_contain_text("办理期限延长3个工作日，至2026年12月14日")
    expect(body).to_contain_text("经营场所需补充现场核查，核查人员不足")
    body.evaluate("b => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    frame.get_by_role("button", name="打印 Print").click()
    assert body.evaluate("() => window.__printed") == 1
    with page.expect_download() as download_info:
        notice_box.get_by_role("button", name="下载 HTML").click()
    download = download_info.value
    assert download.suggested_filename == f"{food.number}-extension.html"
    saved = studio.output_dir / download.suggested_filename
    download.save_as(saved)
    assert "延期通知书" in saved.read_text(encoding="utf-8")
    studio.shot("extension-notice", focus=notice_box)
    printed = page.context.new_page()  # the downloaded file, as it prints
    try:
        printed.goto(saved.as_uri())
        printed.emulate_media(media="print")
        studio.shot("extension-notice-printed", page=printed)
    finally:
        printed.close()

    # ---- the clock stops for a special procedure (行政许可法第四十五条), by its name
    studio.select("特别程序 Special procedure（所需时间不计入办理时限 its time is not counted）",
                  "检测")
    studio.click("中止计时 Stop the clock")
    stopped = studio.alert("warning", "计时已中止 Clock stopped：检测")
    expect(stopped).to_contain_text("自 since 2026-11-25")
    expect(page.get_by_role("button", name="恢复计时 Restart the clock")).to_be_visible()
    studio.shot("clock-stopped", focus=heading)

    # ---- 终止: a reason, then a confirmation
    box = studio.expander(END, "办理方式 How")
    studio.radio("办理方式 How", "终止 Terminate")
    studio.fill("终止理由 Reason", "经营者已申请注销营业执照")
    studio.click("终止 Terminate…")
    confirm = studio.alert("warning", f"确认终止案件 {food.number}")
    expect(confirm).to_contain_text("经营者已申请注销营业执照")
    studio.shot("terminate-confirm", focus=box)
    studio.click("确认终止 Confirm")
    expect(studio.alert("success", "案件已终止")).to_be_visible()
    expect(studio.metric_value("状态 State")).to_have_text("已终止 Terminated")
    expect(studio.alert("info", "理由 Reason：经营者已申请注销营业执照")).to_be_visible()
    for gone in ("开始审查 Start review", "中止计时 Stop the clock"):
        expect(page.get_by_role("button", name=gone, exact=True)).to_have_count(0)
    studio.tab("历史 History")
    history = [r["动作 Action"] for r in studio.frame_rows("动作 Action")]
    assert history == ["收件", "受理", "延期（3 个工作日）", "中止计时（检测）", "终止"], history
    studio.expect_no_exception()
    studio.shot("case-terminated", focus=heading)

    # ---- a case accepted with a ground for denial: no approval, the denial prefilled
    studio.fill("按编号查找 Case number", grounds.number)
    studio.click("打开 Open")
    ground = studio.alert("error", "受理时发现不予许可情形")
    expect(ground).to_contain_text(GROUND)
    expect(page.get_by_role("button", name="准予许可 Approve", exact=True)).to_have_count(0)
    expect(studio.text_input("不予许可理由 Reasons for denial")).to_have_value(
        re.compile(GROUND))
    studio.expect_no_exception()
    studio.shot("deny-ground", focus=page.get_by_role("heading", name=re.compile(
        grounds.number)))


def test_window_shows_a_ground_for_denial_apart_from_refusals(studio: Studio,
                                                            workspace: Path) -> None:
    short = receive(workspace, "XX-MS-0001", "public servant", "吴俊杰",
                    leave_out="property_certificate")
    assert short.state == "supplement"
    page = studio.page
    studio.sign_in("clerk")
    studio.radio("办理类型 Mode", "补正续办 Returning applicant (补正)")
    studio.fill("案件编号 Case number", short.number)
    studio.click("打开案件 Open case")
    last = page.get_by_test_id("stExpander").filter(has_text="上次一次性告知 Last one-time notice")
    ground = last.get_by_test_id("stAlertContentWarning").filter(
        has_text="存在不予许可情形（受理后由审批部门决定）")
    expect(ground).to_contain_text(GROUND)
    expect(last).to_contain_text("缺少材料 Missing material")
    expect(last).not_to_contain_text("不予受理 Refusal")
    studio.expect_no_exception()
    studio.shot("window-ground-for-denial", focus=last)
