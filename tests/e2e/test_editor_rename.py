"""In a real browser (issue 16, items 5 and 6): a new matter starts clean; renaming a used
field renames every use; deleting a used field asks first, listing the places; a new
field's stand-in label is flagged; an error reads in Chinese first at its place.

As ms_editor (market supervision). Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from formkit.authoring.drafts import load_yaml
from formkit.authoring.references import field_uses
from tests.e2e.conftest import Studio

MATTER = "XX-MS-0001 · 个体工商户设立登记"
FIELDS, SOURCE = "表单 Fields", "源码 YAML"
FIELD_LIST = "字段 Fields"
FIELD_ID = "字段标识 Field id（表达式中使用 used in expressions）"
LABEL_ZH = "标签（中文）Label (Chinese)"
PREMISES = "经营场所使用情况（premises）· choice"
CLEAN_DRAFT = "检查通过 No errors · 草稿 draft"


def test_a_new_matter_starts_without_errors(studio: Studio, shot: Callable[..., Path],
                                            workspace: Path) -> None:
    page = studio.page
    studio.sign_in("ms_editor")
    page.get_by_text("➕ 新建事项 New matter").click()
    studio.fill("实施编码 Code（如 e.g. XX-MS-0009）", "XX-MS-0100", commit=False)
    studio.fill("事项名称（中文）Name (Chinese)", "广告发布登记", commit=False)
    studio.click("创建并编辑 Create and edit")
    expect(studio.alert("success", "已创建草稿 Draft created: XX-MS-0100")).to_be_visible()
    expect(studio.alert("success", CLEAN_DRAFT)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    studio.expect_no_exception()
    shot("new-matter-clean")
    studio.tab("流程 Route")
    expect(page.get_by_text("登记注册股", exact=False).first).to_be_visible()
    shot("new-matter-route", focus=page.get_by_text("第 1 步 Step 1"))
    saved = workspace / "var" / "drafts" / "ms_editor" / "XX-MS-0100.yaml"
    assert list(load_yaml(saved.read_text(encoding="utf-8"))["route"][0]["step"]) == [
        "market_supervision.registration"]


def test_rename_and_delete_a_used_field(studio: Studio, shot: Callable[..., Path],
                                        workspace: Path) -> None:
    page = studio.page
    # the matter alone: 开办餐饮店“一件事” fills premises and would report it renamed
    # (tests/studio/test_editor_rename.py shows that error in the editor)
    shutil.rmtree(workspace / "definitions" / "bundles")
    draft = workspace / "var" / "drafts" / "ms_editor" / "XX-MS-0001.yaml"
    studio.sign_in("ms_editor")
    studio.go("编辑 Editor")
    studio.select("事项 Matter", MATTER)
    studio.tab(FIELDS)
    studio.radio(FIELD_LIST, PREMISES)
    expect(studio.text_input(FIELD_ID)).to_have_value("premises")
    studio.expect_text("此字段用在 3 处表达式和 7 个示例中，改名时一并修改")
    page.get_by_text("查看引用位置 Where it is used").click()
    studio.expect_text(re.compile("材料 › 「经营场所租赁合同」 › 是否必需"))
    shot("premises-used-in", focus=studio.text_input(FIELD_ID))

    # ---- rename: every use goes with it, nothing dangles
    studio.fill(FIELD_ID, "premises_use")
    expect(studio.alert("success", "并修改了 3 处表达式和 7 个示例中的引用")).to_be_visible()
    expect(studio.alert("success", CLEAN_DRAFT)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    studio.expect_no_exception()
    shot("premises-renamed")
    saved = draft.read_text(encoding="utf-8")
    assert field_uses(saved, "premises").uses == ()
    assert len(field_uses(saved, "premises_use").uses) == 11

    # ---- delete: asked first, with the places listed; cancel keeps it
    studio.tab(FIELDS)
    expect(studio.radio_value(FIELD_LIST)).to_have_text("经营场所使用情况（premises_use）· choice")
    studio.click("🗑️ 删除 Remove")
    box = page.locator(".st-key-field_remove_confirm_box")
    expect(box).to_contain_text("字段「经营场所使用情况」（premises_use）仍在使用中：3 处表达式，"
                                "7 个示例")
    expect(box).to_contain_text("材料 › 「经营场所产权证明（不动产权证书等）」 › 是否必需")
    expect(box).to_contain_text('premises_use == "owned" or premises_use == "rented"')
    expect(box).to_contain_text("示例中的填写值（7 个示例）")
    assert "id: premises_use" in draft.read_text(encoding="utf-8")  # nothing deleted yet
    shot("delete-asks", focus=box)
    studio.click("取消 Cancel")
    expect(box).to_have_count(0)

    studio.tab(FIELDS)
    studio.click("🗑️ 删除 Remove")
    studio.click("🗑️ 仍然删除 Delete anyway")
    removed = studio.alert("warning", "已删除字段 premises_use")
    expect(removed).to_be_visible()
    expect(studio.alert("error", "4 处错误 errors · 草稿 draft")).to_be_visible()
    assert "id: premises_use" not in draft.read_text(encoding="utf-8")
    shot("deleted-errors-listed", focus=removed)


def test_stand_in_label_and_readable_errors(studio: Studio, shot: Callable[..., Path],
                                            workspace: Path) -> None:
    page = studio.page
    studio.sign_in("ms_editor")
    studio.go("编辑 Editor")
    studio.select("事项 Matter", MATTER)
    studio.tab(FIELDS)
    studio.radio(FIELD_LIST, "经营面积（平方米）（floor_area）· number")
    studio.click("➕ 新增字段 Add field")
    warning = studio.alert("warning", "1 个字段的标签仍是“新字段”，请在发布前填写：new_field")
    expect(warning).to_be_visible()
    studio.tab(FIELDS)
    expect(studio.radio_value(FIELD_LIST)).to_have_text(
        "新字段（new_field）· text · ⚠️ 待填标签 needs a label")
    shot("stand-in-label-flagged")
    studio.fill(LABEL_ZH, "店铺照片")
    expect(warning).to_have_count(0)

    # ---- an error of the YAML itself, in Chinese first with its place, never cut off
    studio.tab(SOURCE)
    yaml = "YAML 源码 YAML source"
    text = studio.text_input(yaml).input_value()
    studio.fill(yaml, text.replace("  - step: [market_supervision.registration]",
                                   "  - step: []"))
    expect(studio.alert("error", "1 处错误 errors · 草稿 draft")).to_be_visible()
    main = page.get_by_test_id("stMain")
    # one line in the list at the top, saying where to go; in full in the route tab
    expect(main).to_contain_text(
        "1. 流程 › 第 1 步 › 办理单位：至少需要 1 项　→ 在「流程 Route」页修改")
    expect(main).to_contain_text("English: needs at least 1 item(s)")
    expect(main).not_to_contain_text("List should have")
    studio.expect_no_exception()
    shot("route-error-readable", focus=page.get_by_text("错误一览 All errors"))
