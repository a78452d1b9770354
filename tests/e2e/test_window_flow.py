"""In real browsers (issue 7): a day at the comprehensive window, the back office and the
supervisor's monitor, on one studio server and one case store.

A clerk takes an application for the food business licence (XX-MS-0002,
食品经营许可证核发（新办）) with the layout plan missing, gets the one-time notice listing
it and prints it; the applicant returns with the plan, the case is accepted with its
committed deadline; the market supervision officer signs off each route step, approves
and issues the licence; the supervisor's monitor shows it done on time. Each person
signs in in their own browser context. Screenshots go to
``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Studio

FOOD = "食品经营许可证核发（新办）"
FIND = "查找事项 Find a matter（名称 name / 编码 code / 拼音首字母 pinyin initials）"
LAYOUT_PLAN = "主要设备设施、经营布局、操作流程等文件"
FORM_NAME = "食品经营许可申请书"
SAFETY_RULES = ("食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的"
                "规章制度目录")
COMMITTED = "2026-12-02"  # 5 working days from 2026-11-25 (FORMKIT_TODAY)
# The restaurant of the matter's own examples, as the clerk types it (label -> answer).
RESTAURANT = {
    "经营者名称（与营业执照一致） Name as on the business licence *": "新兴县禾丰餐饮管理有限公司",
    "统一社会信用代码 Unified social credit code *": "91445321MA4WLB2E5H",
    "法定代表人（负责人） Legal representative *": "张伟",
    "法定代表人身份证号码 Legal representative's ID number *": "445321199003071230",
    "联系电话 Contact mobile *": "13800138000",
    "经营场所 Premises address *": "新兴县新城镇裕华路38号",
    "经营场所面积（平方米） Floor area (m²) *": "180",
    "姓名 Name *": "李娜",
    "身份证号码 ID number *": "445321199208152464",
}


def sighted(number: int, name: str) -> str:
    """The "original sighted" checkbox of the ``number``-th required material."""
    short = f"{number}. {name[:10]}…" if len(name) > 12 else f"{number}. {name}"
    return f"原件已核验 Original sighted（{short}）"


def hand_in(studio: Studio, number: int, name: str) -> None:
    """Tick a material as handed in, its original sighted."""
    studio.tick(f"已收取 Handed in：{name}")
    studio.tick(sighted(number, name))


def fill_restaurant(clerk: Studio) -> None:
    """Find the food business licence by its pinyin initials and type in the restaurant
    of the matter's own examples (no material handed in yet)."""
    clerk.fill(FIND, "spjy")  # pinyin initials of 食品经营
    expect(clerk.page.get_by_role("combobox", name="事项 Matter", exact=True)).to_have_value(
        f"{FOOD}（XX-MS-0002）")
    for label, value in RESTAURANT.items():
        clerk.fill(label, value)
    # asked once: the applicant is the operator the form names
    expect(clerk.page.get_by_test_id("stMain")).to_contain_text(
        "申请人 Applicant（取自申请表 from the form）：新兴县禾丰餐饮管理有限公司")
    clerk.select("申请方式 Who applies *", "法定代表人（负责人）申请 The legal representative")
    clerk.select("主体业态 Type of operation *", "餐饮服务经营者 Catering business")
    clerk.multiselect("经营项目 Business items *", ["热食类食品制售 Hot food",
                                                   "自制饮品制售 Home-made drinks"])
    clerk.radio("是否通过自动售货设备从事食品经营 Sells through vending machines *", "否 No")
    expect(clerk.page.get_by_test_id("stMain").get_by_test_id("stAlertContentError")
           ).to_have_count(0)


def case_documents(page: Page) -> Locator:
    """The documents of the case just filed or reopened (not the matter's guide)."""
    return page.locator('[class*="st-key-docs-new_"], [class*="st-key-docs-case_"]')


def test_window_back_office_and_monitor_handle_a_food_licence(
        open_studio: Callable[[str], Studio], output_dir: Path) -> None:
    # ================================================================ the window
    clerk = open_studio("clerk")
    page = clerk.page
    clerk.sign_in("clerk")
    expect(page.get_by_role("heading", name=re.compile("综合窗口$"))).to_be_visible()
    fill_restaurant(clerk)
    expect(page.get_by_test_id("stMain")).to_contain_text("承诺 committed 5 工作日 working days")
    clerk.shot("clerk-form-filled",
               focus=page.get_by_role("heading", name="申请表 Application form"))

    # the applicant hands in the form and the rules list, but not the layout plan
    hand_in(clerk, 1, FORM_NAME)
    hand_in(clerk, 4, SAFETY_RULES)
    checklist = page.get_by_role("heading", name="材料清单 Materials checklist")
    clerk.shot("clerk-checklist-plan-missing", focus=checklist)
    clerk.click("运行预检 Run pre-check")
    outcome = clerk.alert("warning", "预检结果 Pre-check outcome")
    expect(outcome).to_contain_text("一次性告知补正")
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text(f"缺少材料 Missing material：{LAYOUT_PLAN}（未提交）")
    expect(main).to_contain_text("共 1 项问题 1 problem(s)")
    expect(main).to_contain_text("审批路线 Route：市场监督管理局·食品经营许可股 → "
                                 "市场监督管理局·现场核查组")
    clerk.shot("clerk-precheck-one-time-notice", focus=outcome)

    # the case is filed: its number is on the receipt and on the notice
    clerk.click("立案并出具通知书 Create case")
    number_value = clerk.metric_value("案件编号 Case number")
    expect(number_value).to_have_text(re.compile(r"^[A-Z]+\d{10,}$"))
    number = number_value.inner_text().strip()
    expect(clerk.metric_value("状态 State")).to_contain_text("待补正")
    expect(clerk.alert("warning", f"待补正 Awaiting supplement：案件 {number}")).to_be_visible()
    documents = case_documents(page)
    notice = documents.frame_locator("iframe").first
    expect(notice.locator("body")).to_contain_text("一次性告知")
    expect(notice.locator("body")).to_contain_text(LAYOUT_PLAN)
    expect(notice.locator("body")).to_contain_text(number)
    clerk.shot("clerk-case-filed-notice", focus=page.get_by_test_id("stMetric").first)

    # print it: the print button of the print view, and the HTML file to download
    frame = documents.frame_locator("iframe").first
    frame.locator("body").evaluate(
        "b => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    frame.get_by_role("button", name="打印 Print").click()
    assert frame.locator("body").evaluate("() => window.__printed") == 1
    with page.expect_download() as download_info:
        documents.get_by_role("button", name="下载 HTML").click()
    download = download_info.value
    assert download.suggested_filename.startswith(number), download.suggested_filename
    saved = output_dir / download.suggested_filename
    download.save_as(saved)
    html = saved.read_text(encoding="utf-8")
    assert "一次性告知" in html and LAYOUT_PLAN in html and number in html
    printed = page.context.new_page()  # the downloaded file, printed (to PDF)
    try:
        printed.goto(saved.as_uri())
        printed.emulate_media(media="print")
        expect(printed.get_by_role("button", name="打印 Print")).to_have_count(0)
        pdf = output_dir / f"{number}-notice.pdf"
        printed.pdf(path=str(pdf), format="A4", print_background=True)
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
        clerk.shot("clerk-notice-printed", page=printed)
    finally:
        printed.close()

    # ---- the applicant returns with the plan
    clerk.radio("办理类型 Mode", "补正续办 Returning applicant (补正)")
    clerk.fill("案件编号 Case number", number)
    clerk.click("打开案件 Open case")
    expect(clerk.text_input("统一社会信用代码 Unified social credit code *")).to_have_value(
        "91445321MA4WLB2E5H")
    expect(clerk.checkbox(f"已收取 Handed in：{FORM_NAME}").get_by_role("checkbox")
           ).to_be_checked()
    last = page.get_by_test_id("stExpander").filter(has_text="上次一次性告知 Last one-time notice")
    expect(last).to_contain_text(LAYOUT_PLAN)
    clerk.shot("clerk-returning-case-opened", focus=last)
    hand_in(clerk, 3, LAYOUT_PLAN)
    expect(clerk.alert("success", "预检结果 Pre-check outcome")).to_contain_text("受理")
    clerk.click("补正提交并重新预检 Resubmit and pre-check again")
    expect(clerk.metric_value("状态 State")).to_contain_text("已受理")
    expect(clerk.metric_value("承诺办结期限 Committed deadline")).to_have_text(COMMITTED)
    accepted = clerk.alert("success", f"已受理 Accepted：案件 {number}")
    expect(accepted).to_contain_text("2026年12月2日")
    expect(case_documents(page).frame_locator("iframe").first.locator("body")
           ).to_contain_text("受理通知书")
    clerk.expect_no_exception()
    clerk.shot("clerk-case-accepted", focus=page.get_by_test_id("stMetric").first)

    # ================================================================ the back office
    officer = open_studio("officer")
    officer.sign_in("ms_officer")
    expect(officer.page.get_by_role("heading", name="后台审批 Back office")).to_be_visible()
    officer.select("打开案件 Open a case from the list",
                   f"{number} · {FOOD} · 期限 due {COMMITTED}")
    expect(officer.metric_value("状态 State")).to_contain_text("已受理")
    expect(officer.metric_value("承诺期限 Committed deadline")).to_have_text(COMMITTED)
    officer.shot("officer-case-opened",
                 focus=officer.page.get_by_role("heading", name=re.compile(number)))
    answers = {r["项目 Field"]: r["内容 Answer"] for r in officer.frame_rows("项目 Field")}
    assert answers["经营者·统一社会信用代码"] == "91445321MA4WLB2E5H", answers
    assert answers["主体业态"] == "餐饮服务经营者", answers
    assert answers["经营项目"] == "热食类食品制售、自制饮品制售", answers
    officer.click("开始审查 Start review")
    expect(officer.alert("success", "Review started")).to_be_visible()
    # the route: the licensing section, then the on-site inspection (hot food is made)
    sign = officer.page.get_by_role("button", name=re.compile("^签署 Sign off："))
    for step, unit in enumerate(("食品经营许可股", "现场核查组"), 1):
        expect(officer.metric_value("环节 Step")).to_have_text(f"{step}/2")
        expect(sign).to_have_count(1)
        expect(sign).to_contain_text(unit)
        officer.click(sign.inner_text().strip())
        expect(officer.alert("success", "已签署 Signed off")).to_contain_text(unit)
        officer.shot(f"officer-signed-step-{step}")
    officer.click("准予许可 Approve")
    expect(officer.metric_value("状态 State")).to_contain_text("准予许可")
    officer.click("发证/送达 Record issue of the result")
    expect(officer.alert("success", "已送达 Issued")).to_be_visible()
    expect(officer.metric_value("状态 State")).to_contain_text("已送达")
    officer.expect_no_exception()
    officer.shot("officer-licence-issued")

    # ================================================================ the monitor
    supervisor = open_studio("supervisor")
    supervisor.sign_in("supervisor")
    expect(supervisor.page.get_by_role("heading", name="效能监察 Monitor")).to_be_visible()
    expect(supervisor.metric_value("在办 Open")).to_have_text("0")
    expect(supervisor.metric_value("黄牌 Yellow")).to_have_text("0")
    expect(supervisor.metric_value("红牌 Red")).to_have_text("0")
    supervisor.expect_frame_row_count("编码 Code", 1)
    perf = supervisor.frame_rows("编码 Code")
    assert len(perf) == 1, perf
    row = perf[0]
    assert (row["编码 Code"], row["事项 Matter"]) == ("XX-MS-0002", FOOD), row
    assert (row["办结 Decided"], row["按时 On time"]) == ("1", "1"), row
    assert float(row["按时办结率 On-time rate %"]) == 100.0, row
    assert float(row["平均办理工作日 Average days"]) <= float(row["承诺时限 Committed days"]), row
    stages = {r["阶段 Stage"]: r["件数 Cases"] for r in supervisor.frame_rows("阶段 Stage")}
    assert stages == {"已送达办结 Issued": "1"}, stages
    supervisor.expect_no_exception()
    supervisor.shot("supervisor-monitor")
    supervisor.shot("supervisor-on-time", focus=supervisor.page.get_by_role(
        "heading", name=re.compile("^按事项的按时办结率")))
