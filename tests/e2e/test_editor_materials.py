"""In a real browser (issue 17, items 13 and 14): a material is added and edited through
the editor's form, with Chinese choices, and nothing typed is lost to a rerun; an unknown
name shows once, in Chinese, at its place, and the header names the file from the catalog.

As ms_editor (market supervision), matter XX-MS-0001. Screenshots go to
``tests/e2e/output/<test name>/``; the two the docs show are copied to docs/screenshots/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from formkit.authoring.drafts import load_yaml
from tests.e2e.conftest import ROOT, Studio

MATTER = "XX-MS-0001 · 个体工商户设立登记"
MATERIALS, BASIC, CHECKS = "材料 Materials", "基本信息 Basic", "检查 Checks"
NAME = "材料名称（中文）Name"
COPIES = "份数 Copies"
COMMITTED = "承诺办结时限 Committed days（0 = 即办 on the spot）"
ADD, SAVE = "➕ 添加材料 Add material", "💾 保存修改 Save"
SHOTS = ROOT / "docs" / "screenshots"


def save_shot(path: Path, name: str) -> None:
    """Copy a test's screenshot to docs/screenshots/ under ``name``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SHOTS / name)


def materials(workspace: Path) -> list[dict[str, object]]:
    draft = workspace / "var" / "drafts" / "ms_editor" / "XX-MS-0001.yaml"
    return [dict(m) for m in load_yaml(draft.read_text(encoding="utf-8"))["materials"]]


def open_editor(studio: Studio) -> None:
    studio.sign_in("ms_editor")
    studio.go("编辑 Editor")
    studio.select("事项 Matter", MATTER)
    expect(studio.alert("success", "检查通过 No errors")).to_be_visible()


def test_a_material_is_added_and_edited_in_the_form(
        studio: Studio, shot: Callable[..., Path], workspace: Path) -> None:
    page = studio.page
    open_editor(studio)
    studio.tab(MATERIALS)
    rows = page.locator("[class*='st-key-material_row_']")
    expect(rows).to_have_count(9)
    # the choices are Chinese labels, never the format's values
    assert studio.selectbox_options("材料类型 Form") == [
        "原件 Original", "复印件 Copy", "原件及复印件 Original and copy"]
    assert studio.selectbox_options("材料形式 Medium") == [
        "纸质 Paper", "电子 Electronic", "纸质或电子均可 Either"]
    expect(page.get_by_test_id("stMain")).not_to_contain_text(re.compile(
        r"· (original|copy|paper|electronic|either)\b"))

    # ---- type a new material, then change something else before adding it
    studio.fill(NAME, "营业场所照片", commit=False)
    studio.select("材料形式 Medium", "电子 Electronic")
    studio.fill(COPIES, "2", commit=False)
    studio.tab(BASIC)
    studio.fill(COMMITTED, "2")  # a rerun, and a new draft text
    expect(studio.alert("success", "检查通过 No errors · 草稿 draft")).to_be_visible()
    studio.tab(MATERIALS)
    expect(studio.text_input(NAME)).to_have_value("营业场所照片")  # nothing typed is lost
    expect(studio.text_input(COPIES)).to_have_value("2")
    studio.click(ADD)
    expect(studio.alert("success", "已添加材料「营业场所照片」")).to_be_visible()
    expect(rows).to_have_count(10)  # one more row, no stray one
    expect(rows.nth(9)).to_contain_text("10. 营业场所照片")
    expect(rows.nth(9)).to_contain_text("原件 · 电子 · 2 份 · 必需")
    expect(studio.text_input(NAME)).to_have_value("")
    added = materials(workspace)[-1]
    assert added == {"id": "material", "name": {"zh": "营业场所照片"},
                     "medium": "electronic", "copies": 2}
    studio.expect_no_exception()

    # ---- edit the lease contract: the form fills in, in Chinese
    studio._rerun(lambda: page.locator(".st-key-material_edit_3 button").first.click())
    expect(studio.text_input(NAME)).to_have_value("经营场所租赁合同")
    expect(studio.selectbox("材料类型 Form").get_by_role("combobox")).to_have_value(
        "复印件 Copy")
    expect(studio.radio_value("是否必需 Required")).to_have_text(
        "按条件需要 When a condition holds")
    expect(rows.nth(3)).to_contain_text("✏️ 编辑中 editing")
    studio.fill(COPIES, "2", commit=False)
    studio.fill("材料依据 Basis", "《个体工商户登记管理办法》第十条", commit=False)
    form = page.get_by_test_id("stForm")
    page.set_viewport_size({"width": 1440, "height": 1700})
    save_shot(shot("material-being-edited", focus=rows.nth(3)), "editor-materials.png")
    page.set_viewport_size({"width": 1440, "height": 1000})
    studio.click(SAVE)
    expect(studio.alert("success", "已保存材料「经营场所租赁合同」")).to_be_visible()
    lease = materials(workspace)[3]
    assert (lease["id"], lease["copies"], lease["basis"]) == (
        "lease_contract", 2, {"zh": "《个体工商户登记管理办法》第十条"})
    expect(rows).to_have_count(10)
    expect(form).to_contain_text("新增材料 Add a material")
    studio.expect_no_exception()


def test_an_unknown_name_shows_once_in_chinese_at_its_place(
        studio: Studio, shot: Callable[..., Path]) -> None:
    page = studio.page
    open_editor(studio)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text(
        "文件 File: market_supervision/individual_business_registration.yaml")
    studio.tab(CHECKS)
    studio.fill("条件 4 When", "flor_area > 1000")
    expect(studio.alert("error", "1 处错误 errors · 草稿 draft")).to_be_visible()
    studio.tab(CHECKS)
    said = "没有名为 “flor_area” 的字段或计算值"
    # at its place: under check 4's condition, with the hint and a caret
    box = page.locator(".stVerticalBlock").filter(
        has=studio.text_input("条件 4 When")).last
    expect(box).to_contain_text(f"❗ {said}")
    expect(box).to_contain_text("提示：是否应为 floor_area？")
    expect(studio.code_blocks()).to_have_count(1)
    expect(studio.code_blocks().first).to_contain_text("flor_area > 1000")
    # the English is there, in small print, once
    expect(main.get_by_text("English: unknown name 'flor_area'")).to_have_count(1)
    # the list at the top: one line, where to go
    summary = page.get_by_test_id("stExpander").filter(has_text="错误一览 All errors")
    expect(summary).to_contain_text(
        f"1. 检查 › 第 4 条 › 适用条件：{said}　→ 在「检查 Checks」页修改")
    expect(main.get_by_text(re.compile(said))).to_have_count(2)  # the line, and its place
    expect(main).not_to_contain_text("name error")
    expect(main).not_to_contain_text(str(ROOT))
    page.set_viewport_size({"width": 1440, "height": 2000})
    path = shot("unknown-name-once", focus=main.get_by_role("heading", name="编辑事项"))
    save_shot(path, "editor-errors.png")
    studio.expect_no_exception()
