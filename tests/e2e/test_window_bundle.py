"""In real browsers: a 高效办成一件事 bundle taken at the window, then seen in the back office.

A clerk finds 开办餐饮店“一件事” by a citizen's word (开饭店), fills one form (the shared
answers once, a section for each of its three matters: the farm restaurant also lets
guest rooms), ticks one checklist without the floor plan both licences need, gets one
pre-check naming both matters and the combined 一次性告知书; with the plan handed in,
受理 makes three linked cases and the combined 受理通知书. The market supervision
officer opens the restaurant's registration in the back office and sees its fellow
cases. Screenshots: ``tests/e2e/output/<test name>/`` and, for the docs,
``docs/screenshots/window-bundle.png`` (the form with its sections) and
``window-bundle-notice.png`` (the outcome and the notice).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, expect

from tests.e2e.conftest import Studio

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
FIND = "查找事项 Find a matter（名称 name / 编码 code / 拼音首字母 pinyin initials）"
BUNDLE = "开办餐饮店“一件事” · 高效办成一件事（3 个事项） · 开饭店"
INDIVIDUAL, FOOD, HYGIENE = "个体工商户设立登记", "食品经营许可证核发（新办）", \
    "公共场所卫生许可（新办）"
LAYOUT_PLAN = "经营场所平面布局图（含主要设备设施、操作流程和卫生设施布局）"
SHARED = {"经营者姓名 Operator's name *": "梁志强",
          "经营者公民身份号码 Operator's ID number *": "445321198803091518",
          "经营者手机号码 Operator's mobile *": "13500001111",
          "店名（个体工商户名称） Name of the business *": "新兴县志强农家乐",
          "经营场所 Premises *": "新兴县六祖镇龙山村58号",
          "经营面积（平方米） Floor area (m²) *": "420"}
HANDED = ["个体工商户登记（备案）申请书", "经营者身份证件", "经营场所产权证明（不动产权证书等）",
          "食品经营许可申请书",
          "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录",
          "公共场所卫生许可申请表", "公共场所卫生管理制度", "从业人员健康合格证明",
          "公共场所卫生检测或者评价报告"]


# Scroll a scrolling container (and any inside it) back to its top.
_TO_TOP_JS = "e => { for (const x of [e, ...e.querySelectorAll('*')]) x.scrollTop = 0; }"


def section(clerk: Studio, code: str) -> Locator:
    """A member matter's section of the form."""
    return clerk.page.locator(f".st-key-bundle-member-{code}")


def _in(clerk: Studio, where: Locator, testid: str, label: str) -> Locator:
    return where.get_by_test_id(testid).filter(
        has=clerk.page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))


def fill(clerk: Studio, where: Locator, label: str, value: str) -> None:
    box = where.get_by_label(label, exact=True)
    box.fill(value)
    clerk._rerun(lambda: box.press("Tab"))


def select(clerk: Studio, where: Locator, label: str, option: str) -> None:
    clerk._open_list(_in(clerk, where, "stSelectbox", label))
    choice = clerk.page.get_by_role("option", name=option, exact=True)
    clerk._rerun(choice.click)


def radio(clerk: Studio, where: Locator, label: str, option: str) -> None:
    group = where.get_by_role("radiogroup", name=label, exact=True)
    choice = group.get_by_test_id("stRadioOption").filter(
        has=clerk.page.get_by_text(option, exact=True))
    clerk._rerun(choice.click)
    expect(choice).to_have_attribute("data-selected", "true")


def hand_in(clerk: Studio, name: str) -> None:
    """Tick a material as handed in and its original as sighted."""
    clerk.tick(f"已收取 Handed in：{name}")
    short = f"{name[:10]}…" if len(name) > 12 else name  # as the checklist numbers it
    sighted = clerk.page.get_by_test_id("stCheckbox").filter(has_text=re.compile(
        rf"^原件已核验 Original sighted（\d+\. {re.escape(short)}）$"))
    clerk._rerun(lambda: sighted.locator("label").click())
    expect(sighted.get_by_role("checkbox")).to_be_checked()


def fill_farm_restaurant(clerk: Studio) -> None:
    """The farm restaurant with guest rooms of the bundle's examples, complete."""
    clerk.fill(FIND, "开饭店")  # the citizen's word: the bundle first, then the licence
    expect(clerk.selectbox("事项 Matter").get_by_role("combobox")).to_have_value(BUNDLE)
    main = clerk.page.get_by_test_id("stMain")
    for label, value in SHARED.items():
        fill(clerk, main, label, value)
    radio(clerk, main, "是否兼营住宿、沐浴、美容美发、游泳等须办公共场所卫生许可的场所 Also runs a "
          "hotel, bath, salon or pool *", "是 Yes")
    expect(section(clerk, "XX-HE-0002")).to_be_visible()  # the hygiene licence applies
    one, two, three = (section(clerk, c) for c in ("XX-MS-0001", "XX-MS-0002", "XX-HE-0002"))
    select(clerk, one, "申请方式 Who applies *", "经营者本人申请 The operator in person")
    radio(clerk, one, "是否为公职人员 Is a public servant *", "否 No")
    select(clerk, one, "组成形式 Form of organisation *", "个人经营 Run by one person")
    fill(clerk, one, "经营范围 Business scope *", "热食类、冷食类食品制售；住宿服务")
    select(clerk, one, "经营场所使用情况 Use of the premises *", "自有产权 Owned")
    select(clerk, two, "申请方式 Who applies *",
           "法定代表人（负责人）申请 The legal representative")
    clerk.multiselect("经营项目 Business items *", ["热食类食品制售 Hot food",
                                                   "冷食类食品制售 Cold food"])
    radio(clerk, two, "是否通过自动售货设备从事食品经营 Sells through vending machines *", "否 No")
    fill(clerk, two, "姓名 Name *", "梁志强")
    fill(clerk, two, "身份证号码 ID number *", "445321198803091518")
    fill(clerk, three, "场所名称 Name of the place *", "志强农家乐客房部")
    select(clerk, three, "场所类别 Kind of place *", "宾馆、旅店、招待所 Hotel or guesthouse")
    fill(clerk, three, "从业人员数 Staff *", "6")
    fill(clerk, three, "其中持有效健康合格证明人数 Of whom hold a valid health certificate *", "5")
    radio(clerk, three, "是否使用集中空调通风系统 Has central air conditioning *", "否 No")


def test_a_bundle_is_taken_at_the_window_and_seen_in_the_back_office(
        open_studio: Callable[[str], Studio], output_dir: Path) -> None:
    # ================================================================ the window
    clerk = open_studio("clerk")
    page = clerk.page
    clerk.sign_in("clerk")
    expect(page.get_by_role("heading", name=re.compile("综合窗口$"))).to_be_visible()
    fill_farm_restaurant(clerk)
    for name in HANDED:  # everything but the floor plan
        hand_in(clerk, name)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text(f"一次提交，同时用于：{FOOD}、{HYGIENE}")
    expect(main.get_by_test_id("stAlertContentError")).to_have_count(0)
    clerk.click("运行预检 Run pre-check")
    outcome = clerk.alert("warning", "预检结果 Pre-check outcome")
    expect(outcome).to_contain_text("一次性告知补正")
    problems = main.get_by_test_id("stMarkdownContainer").filter(has_text="项问题")
    expect(problems).to_contain_text(
        f"缺少材料 Missing material：{LAYOUT_PLAN}（未提交）——涉及 {FOOD}、{HYGIENE}")
    expect(problems).to_contain_text("共 1 项问题")
    expect(problems).not_to_contain_text("XX-")
    notice = page.locator('[class*="st-key-bundle-notice-"]').frame_locator("iframe").first
    expect(notice.locator("body")).to_contain_text("一次性告知书")
    expect(notice.locator("body")).to_contain_text(LAYOUT_PLAN)
    clerk.expect_no_exception()
    # the form from its top: the shared answers, then the first matter's section
    for box in ("win-form", "win-checklist"):
        page.locator(f".st-key-{box}-bundle_XX-B-0001").evaluate(_TO_TOP_JS)
    shot = clerk.shot("bundle-form", focus=page.get_by_role(
        "heading", name="申请表 Application form（一件事一张表）"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SHOTS / "window-bundle.png")
    page.set_viewport_size({"width": 1440, "height": 1900})  # the outcome and the notice
    clerk.wait_idle()
    shot = clerk.shot("bundle-notice", focus=page.get_by_role("heading", name="预检 Pre-check"))
    shutil.copyfile(shot, SHOTS / "window-bundle-notice.png")
    page.set_viewport_size({"width": 1440, "height": 1000})

    # the applicant hands in the plan: 受理, three linked cases
    hand_in(clerk, LAYOUT_PLAN)
    expect(clerk.alert("success", "预检结果 Pre-check outcome")).to_contain_text("受理")
    clerk.click("受理 Accept（立案 3 件）")
    expect(clerk.alert("success", "一件事编号 Bundle number")).to_contain_text("共立案 3 件")
    clerk.expect_frame_row_count("案件编号", 3)
    rows = clerk.frame_rows("案件编号")
    assert [r["事项"] for r in rows] == [INDIVIDUAL, FOOD, HYGIENE], rows
    assert {r["状态"] for r in rows} == {"已受理"}, rows
    numbers = {r["事项"]: r["案件编号"] for r in rows}
    dues = {r["事项"]: r["承诺办结期限"] for r in rows}
    accepted = page.locator('[class*="st-key-bundle-notice-"]').frame_locator("iframe").first
    expect(accepted.locator("body")).to_contain_text("受理通知书")
    for number in numbers.values():
        expect(accepted.locator("body")).to_contain_text(number)
    clerk.expect_no_exception()
    clerk.shot("bundle-accepted", focus=page.get_by_test_id("stAlertContentSuccess").first)

    # ================================================================ the back office
    officer = open_studio("officer")
    officer.sign_in("ms_officer")
    expect(officer.page.get_by_role("heading", name="后台审批 Back office")).to_be_visible()
    number = numbers[INDIVIDUAL]
    officer.select("打开案件 Open a case from the list",
                   f"{number} · {INDIVIDUAL} · 期限 due {dues[INDIVIDUAL]}")
    expect(officer.metric_value("状态 State")).to_contain_text("已受理")
    panel = officer.page.locator(".st-key-bo_bundle")
    if panel.count():  # 同一件事的其他事项 (the back office's bundle panel)
        expect(panel).to_contain_text("同一件事的其他事项")
        grid = panel.get_by_test_id("stDataFrame").locator("table[role=grid]")
        expect(grid).to_have_attribute("aria-rowcount", "3")
        expect(grid.locator("tbody")).to_contain_text(FOOD)
        expect(grid.locator("tbody")).to_contain_text(HYGIENE)
        expect(grid.locator("tbody")).to_contain_text(numbers[FOOD])
    officer.expect_no_exception()
    officer.shot("officer-bundle-case", focus=officer.page.get_by_role(
        "heading", name=re.compile(number)))
