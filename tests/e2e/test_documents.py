"""In real browsers (issue #15): the 办事指南 and every document of a case, printed and
downloaded as HTML and PDF; the editor's v2 elements and its authoring guide.

The editor adds a guide element and an itemised fee without YAML and sees them in the
draft; its 填写指南 link opens docs/zh/authoring.md. The clerk hands the applicant the
matter's 办事指南 before any application, takes the application and downloads the
受理通知书 as a PDF. The officer denies a registration and downloads the 不予登记决定书.
Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Download, Locator, expect

from formkit.authoring.drafts import load_yaml
from tests.e2e.conftest import Studio
from tests.e2e.test_backoffice_clock import DOCUMENTS, GROUND, receive
from tests.e2e.test_window_flow import (
    FORM_NAME,
    LAYOUT_PLAN,
    SAFETY_RULES,
    case_documents,
    fill_restaurant,
    hand_in,
)

MATTER = "XX-MS-0001 · 个体工商户设立登记"
PLACE = "办理地点 Place"
NEW_PLACE = "新兴县行政服务中心二楼市场监管专窗"


def saved(studio: Studio, button: Locator, name: str | re.Pattern[str]) -> Path:
    """Click a download button; the file, saved in the test's output folder, checked to be
    named ``name``."""
    with studio.page.expect_download() as info:
        button.click()
    download: Download = info.value
    assert re.fullmatch(name, download.suggested_filename) if isinstance(name, re.Pattern) \
        else download.suggested_filename == name, download.suggested_filename
    path = studio.output_dir / download.suggested_filename
    download.save_as(path)
    return path


def is_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5_000, (path, len(data))


def test_editor_writes_a_guide_element_and_a_fee(studio: Studio, workspace: Path) -> None:
    page = studio.page
    studio.sign_in("ms_editor")
    studio.go("编辑 Editor")
    studio.select("事项 Matter", MATTER)

    # ---- a guide element, in Chinese, with its choices labelled in Chinese
    studio.tab("办事指南 Guide")
    studio.fill(PLACE, NEW_PLACE)
    studio.fill("咨询电话 Enquiries telephone", "请来电")  # not a number: refused, in Chinese
    expect(studio.alert("error", "咨询电话的格式不对")).to_be_visible()
    studio.fill("咨询电话 Enquiries telephone", "0766-2881234")
    expect(studio.alert("error", "咨询电话的格式不对")).to_have_count(0)
    studio.select("网办深度 Online depth", "三级：网上受理，最多跑一次 Accepted online, one visit "
                  "at most")
    expect(studio.text_input(PLACE)).to_have_value(NEW_PLACE)
    studio.expect_no_exception()
    studio.shot("editor-guide", focus=page.get_by_role("heading", name=re.compile("编辑事项")))

    # ---- an itemised fee whose amount is an expression, checked as it is typed
    studio.tab("收费 Fees")
    studio.fill("新收费名称 New fee name", "证书副本工本费")
    studio.fill("新收费金额（元）New fee amount", "10 * max(operator_agee, 0)")
    expect(page.get_by_test_id("stMain")).to_contain_text("operator_agee")
    expect(page.get_by_test_id("stMain")).to_contain_text("没有名为 “operator_agee” 的字段或计算值")
    studio.fill("新收费金额（元）New fee amount", "10 * max(operator_age - 60, 0)")
    studio.fill("新收费依据 New fee basis", "粤发改价格〔2017〕1号")
    studio.click("➕ 添加收费 Add fee")
    expect(studio.text_input("第 1 项收费名称 Fee name")).to_have_value("证书副本工本费")
    studio.shot("editor-fee", focus=page.get_by_role("tab", name="收费 Fees"))

    # ---- both are in the draft's YAML, the file's comments kept
    studio.tab("源码 YAML")
    source = studio.text_input("YAML 源码 YAML source")
    expect(source).to_have_value(re.compile(f"place: {{zh: \"?{NEW_PLACE}\"?}}"))
    expect(source).to_have_value(re.compile(
        r"- \{name: \{zh: 证书副本工本费\}, amount: '10 \* max\(operator_age - 60, 0\)'"))
    draft = (workspace / "var" / "drafts" / "ms_editor" / "XX-MS-0001.yaml").read_text(
        encoding="utf-8")
    tree = load_yaml(draft)
    assert tree["guide"]["place"]["zh"] == NEW_PLACE and tree["guide"]["online_depth"] == 3
    assert tree["guide"]["consult_phone"] == "0766-2881234"
    assert tree["fees"][-1]["basis"]["zh"] == "粤发改价格〔2017〕1号"
    assert draft.startswith("# 个体工商户设立登记 办事指南\n")
    expect(studio.alert("success", "检查通过 No errors · 草稿 draft")).to_be_visible()

    # ---- the authoring guide, from where the editor works
    studio.click("填写指南 · 如何把办事指南写成事项文件")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("事项文件编写指南")
    expect(dialog.get_by_role("heading", name="一、先认识文件的位置")).to_be_visible()
    expect(dialog.locator("pre").first).to_contain_text("catalog.yaml")  # drawn late
    studio.expect_no_exception()
    studio.shot("editor-authoring-guide")


def test_window_hands_over_the_guide_and_the_acceptance_notice(studio: Studio) -> None:
    page = studio.page
    studio.sign_in("clerk")

    # ---- "what do I need?": the guide, before any application
    studio.fill("查找事项 Find a matter（名称 name / 编码 code / 拼音首字母 pinyin initials）",
                "spjy")
    box = studio.expander("办事指南 Service guide", "下载 PDF")
    guide = box.frame_locator("iframe").first.locator("body")
    expect(guide).to_contain_text("办事指南")
    expect(guide).to_contain_text(LAYOUT_PLAN)
    is_pdf(saved(studio, box.get_by_role("button", name="下载 PDF"), "XX-MS-0002-guide.pdf"))
    studio.shot("window-guide", focus=box)
    box.locator("summary").click()  # shut it again: the application comes next

    # ---- the application, complete: the case is accepted and its notice downloaded
    fill_restaurant(studio)
    for number, name in ((1, FORM_NAME), (3, LAYOUT_PLAN), (4, SAFETY_RULES)):
        hand_in(studio, number, name)
    studio.click("运行预检 Run pre-check")
    expect(studio.alert("success", "预检结果 Pre-check outcome")).to_contain_text("受理")
    studio.click("立案并出具通知书 Create case")
    expect(studio.metric_value("状态 State")).to_contain_text("已受理")
    number = studio.metric("案件编号 Case number")
    documents = case_documents(page)
    notice = documents.frame_locator("iframe").first.locator("body")
    expect(notice).to_contain_text("受理通知书")
    expect(notice).to_contain_text(number)
    pdf = saved(studio, documents.get_by_role("button", name="下载 PDF"),
                f"{number}-acceptance.pdf")
    is_pdf(pdf)
    html = saved(studio, documents.get_by_role("button", name="下载 HTML"),
                 f"{number}-acceptance.html")
    assert number in html.read_text(encoding="utf-8")
    for internal in ("market_supervision", "application_form", "acceptance"):
        expect(documents).not_to_contain_text(internal)
    studio.expect_no_exception()
    studio.shot("window-documents", focus=page.get_by_role("heading", name="文书 Documents"))


def test_back_office_denies_and_hands_over_the_decision(studio: Studio,
                                                         workspace: Path) -> None:
    case = receive(workspace, "XX-MS-0001", "public servant", "吴俊杰")
    assert case.state == "accepted"
    studio.sign_in("ms_officer")
    studio.fill("按编号查找 Case number", case.number)
    studio.click("打开 Open")
    expect(studio.alert("error", "受理时发现不予许可情形")).to_contain_text(GROUND)
    studio.click("不予许可 Deny")
    expect(studio.metric_value("状态 State")).to_contain_text("不予")

    box = studio.expander(DOCUMENTS, "下载 PDF")
    expect(studio.radio_value("文书 Document")).to_contain_text("不予登记")
    decision = box.frame_locator("iframe").first.locator("body")
    expect(decision).to_contain_text("不予登记决定书")
    expect(decision).to_contain_text(GROUND)
    expect(decision).to_contain_text("行政复议")
    is_pdf(saved(studio, box.get_by_role("button", name="下载 PDF"),
                 f"{case.number}-decision.pdf"))
    for internal in ("market_supervision", "ms_officer", "deny_ground", "denied"):
        expect(box).not_to_contain_text(internal)
    studio.expect_no_exception()
    studio.shot("backoffice-decision", focus=box)
