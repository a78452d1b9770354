"""In real browsers (issue #17): the window on a 1920 x 1080 screen.

A clerk finds a case by the applicant's name and by the 身份证号 and reprints the notice
it was given; the form and the materials checklist stand side by side with the
pre-check outcome in view while the form scrolls; a finished case takes the applicant's
好差评 rating. Screenshots go to ``tests/e2e/output/<test name>/`` and, for the docs, to
``docs/screenshots/window-*.png``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from formkit.cases.service import Case, CaseService
from formkit.cases.tinystore import TinyCaseStore
from formkit.catalog import open_catalog
from tests.e2e.conftest import Studio
from tests.e2e.test_backoffice_clock import receive
from tests.e2e.test_window_flow import FORM_NAME, LAYOUT_PLAN, fill_restaurant, hand_in

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
ZHANG_ID = "445321199003071230"  # the restaurant's legal representative, 张伟
QUERY = "查询案件 Find a case（申请人姓名 / 身份证号或后四位 / 手机号或尾号 / 案件编号）"
WIDE = {"width": 1920, "height": 1080}

# The height of Streamlit's scrolling main area, and where an element is in the view.
_PAGE_HEIGHT_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  let p = main;
  while (p && !(p.scrollHeight > p.clientHeight
                && /(auto|scroll)/.test(getComputedStyle(p).overflowY))) p = p.parentElement;
  return (p || main).scrollHeight;
}
"""


def page_height(page: Page) -> int:
    """The window page's height in pixels (its scrolling main area)."""
    return int(page.evaluate(_PAGE_HEIGHT_JS))


def in_view(page: Page, element: Locator) -> bool:
    """Whether ``element`` is wholly inside the browser's view."""
    box = element.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def save_shot(path: Path, name: str) -> None:
    """Copy a test's screenshot to docs/screenshots/ under ``name``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SHOTS / name)


def _withdrawn(workspace: Path, case: Case) -> None:
    opened = open_catalog(workspace / "definitions")
    store = TinyCaseStore(workspace / "var" / "store",
                          prefix=opened.catalog.code_prefix if opened.catalog else "FK")
    CaseService(store, opened.work_calendar(), now=lambda: dt.datetime(2026, 11, 25, 11)
                ).withdraw(case.number, actor="ms_officer", reason="申请人申请撤回")


def _find(clerk: Studio, query: str, number: str | None = None) -> None:
    """Search; with ``number``, wait until the result list shows that case alone."""
    clerk.fill(QUERY, query)
    clerk.expect_no_exception()
    if number is not None:
        clerk.expect_frame_row_count("案件编号", 1)
        expect(clerk.frame("案件编号").locator("tbody")).to_contain_text(number)


def test_a_case_is_found_by_name_and_id_number_and_its_notice_reprinted(
        studio: Studio, workspace: Path) -> None:
    food = receive(workspace, "XX-MS-0002", "restaurant", "新兴县禾丰餐饮管理有限公司",
                   leave_out="layout_plan")
    other = receive(workspace, "XX-MS-0001", "public servant", "吴俊杰")
    assert food.state == "supplement" and other.state == "accepted"
    page = studio.page
    page.set_viewport_size(WIDE)
    studio.sign_in("clerk")
    studio.radio("办理类型 Mode", "查询案件 Find a case")

    # ---- by the legal representative's name: one hit, opened at once
    _find(studio, "张伟", food.number)
    row = studio.frame_rows("案件编号")[0]
    assert row["案件编号"] == food.number, row
    assert row["事项"] == "食品经营许可证核发（新办）", row
    assert row["申请人"] == "新兴县禾丰餐饮管理有限公司（张伟）", row  # the person matched
    assert row["身份证号"] == "4453**********1230" and row["手机"] == "138****8000", row
    assert row["状态"] == "待补正" and row["收件日期"] == "2026-11-25", row
    main = page.get_by_test_id("stMain")
    expect(main).not_to_contain_text(ZHANG_ID)  # masked everywhere shown
    expect(studio.metric_value("案件编号 Case number")).to_have_text(food.number)
    documents = page.locator(f'[class*="st-key-docs-found_{food.number}"]')
    notice = documents.frame_locator("iframe").first
    expect(notice.locator("body")).to_contain_text("一次性告知")
    expect(notice.locator("body")).to_contain_text(LAYOUT_PLAN)
    notice.locator("body").evaluate(
        "b => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    notice.get_by_role("button", name="打印 Print").click()  # reprinted
    assert notice.locator("body").evaluate("() => window.__printed") == 1
    shot = studio.shot("case-found-by-name",
                       focus=page.get_by_test_id("stRadio").filter(has_text="办理类型").first)
    save_shot(shot, "window-case-search.png")

    # ---- by the 身份证号, and by its last four digits
    _find(studio, ZHANG_ID, food.number)
    expect(main).not_to_contain_text(ZHANG_ID)
    _find(studio, "1230", food.number)
    _find(studio, "吴俊杰", other.number)
    expect(studio.metric_value("案件编号 Case number")).to_have_text(other.number)
    expect(page.locator(f'[class*="st-key-docs-found_{other.number}"]').frame_locator(
        "iframe").first.locator("body")).to_contain_text("受理通知书")
    _find(studio, "赵六")
    expect(studio.alert("warning", "没有找到符合条件的案件")).to_be_visible()


def test_the_form_and_checklist_side_by_side_with_the_outcome_in_view(
        studio: Studio) -> None:
    page = studio.page
    page.set_viewport_size(WIDE)
    studio.sign_in("clerk")
    fill_restaurant(studio)
    hand_in(studio, 1, FORM_NAME)
    studio.click("运行预检 Run pre-check")
    studio.expect_no_exception()
    form = page.locator('[class*="st-key-win-form-new_XX-MS-0002"]')
    checklist = page.locator('[class*="st-key-win-checklist-new_XX-MS-0002"]')
    outcome = studio.alert("warning", "预检结果 Pre-check outcome")
    expect(outcome).to_contain_text("一次性告知补正")
    # side by side: the checklist right of the form, their tops level
    f, c = form.bounding_box(), checklist.bounding_box()
    assert f is not None and c is not None
    assert c["x"] >= f["x"] + f["width"], (f, c)
    # scroll the page until the form's column ends in the view, then scroll the form
    # itself: the outcome and the create button stay in view all the while
    form.evaluate("e => e.scrollIntoView({block: 'end'})")
    assert in_view(page, outcome)
    assert in_view(page, page.get_by_role("button", name="立案并出具通知书 Create case"))
    for top in ("e.scrollHeight / 2", "e.scrollHeight"):
        form.evaluate(f"e => {{ e.scrollTop = {top}; }}")
        page.wait_for_timeout(200)
        assert in_view(page, outcome), top
    assert in_view(page, checklist)
    height = page_height(page)
    # the workbench (form and checklist) fits one screen's worth, the notice below it
    print(f"window page height at 1920x1080 after a pre-check: {height} px")
    shot = studio.shot("side-by-side", full_page=False)
    save_shot(shot, "window-layout.png")


def test_the_applicant_rates_a_finished_case(studio: Studio, workspace: Path) -> None:
    food = receive(workspace, "XX-MS-0002", "restaurant", "新兴县禾丰餐饮管理有限公司")
    _withdrawn(workspace, food)
    page = studio.page
    page.set_viewport_size(WIDE)
    studio.sign_in("clerk")
    studio.radio("办理类型 Mode", "查询案件 Find a case")
    _find(studio, food.number)
    expect(studio.metric_value("状态 State")).to_contain_text("已撤回")
    studio.radio("评价 Rating", "不满意")
    studio.fill("意见或建议 Comment（不满意的请写明原因）", "材料要求没有一次说清")
    studio.click("提交评价 Submit rating")
    studio.expect_no_exception()
    rated = studio.alert("warning", "好差评 Rating")
    expect(rated).to_contain_text("不满意")
    expect(rated).to_contain_text("材料要求没有一次说清")
    expect(page.get_by_test_id("stMain")).to_contain_text("差评已转督办")
    expect(page.get_by_role("radiogroup", name="评价 Rating")).to_have_count(0)  # once
    shot = studio.shot("rated", focus=page.get_by_test_id("stMetric").first)
    save_shot(shot, "window-rating.png")
