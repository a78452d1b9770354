"""In a real browser (issue 6): an editor changes a matter, watches the preview and the live
checks react, is refused publishing a broken expression, fixes it and publishes.

Matter XX-MS-0001 (个体工商户设立登记) of the sample catalog, as ms_editor (market
supervision). Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Studio

MATTER = "XX-MS-0001 · 个体工商户设立登记"
FIELDS, MATERIALS = "表单 Fields", "材料 Materials"
LABEL_ZH = "标签（中文）Label (Chinese)"
MATERIAL_NAME = "材料名称（中文）Name"
PROPERTY_NAME = "经营场所产权证明（不动产权证书等）"
MATERIAL_MODE = "是否必需 Required"
MATERIAL_WHEN = "需要此材料的条件 Condition（仅“按条件需要”时填写 only for “when”）"
SAVE = "💾 保存修改 Save"
VISIBLE_MODE = "显示 Visible"
VISIBLE_WHEN = "显示 Visible：条件表达式 condition"
PREMISES = "经营场所使用情况 Use of the premises *"
NOTE = "修改说明 Note（必填 required）"
PUBLISH = "🚀 发布 Publish"
CLEAN_DRAFT = "检查通过 No errors · 草稿 draft"


def test_editor_changes_checks_and_publishes_a_matter(
        studio: Studio, shot: Callable[..., Path], workspace: Path) -> None:
    page = studio.page
    matter_file = workspace / "definitions" / "market_supervision" / \
        "individual_business_registration.yaml"
    draft = workspace / "var" / "drafts" / "ms_editor" / "XX-MS-0001.yaml"

    # ---- sign in, open the matter in the editor
    studio.sign_in("ms_editor")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("市场监管局编辑")
    studio.go("编辑 Editor")
    studio.select("事项 Matter", MATTER)
    expect(studio.alert("success", "检查通过 No errors · 已发布文件 published file")
           ).to_be_visible()
    studio.expect_no_exception()
    shot("editor-opened")

    # ---- a field label: the first field (applicant_role) is selected
    studio.tab(FIELDS)
    expect(studio.radio_value("字段 Fields")).to_have_text("申请方式（applicant_role）· choice")
    expect(studio.text_input(LABEL_ZH)).to_have_value("申请方式")
    studio.fill(LABEL_ZH, "申请人身份")
    expect(studio.alert("success", CLEAN_DRAFT)).to_be_visible()
    expect(studio.radio_value("字段 Fields")).to_have_text("申请人身份（applicant_role）· choice")
    assert "label: {zh: 申请人身份, en: Who applies}" in draft.read_text(encoding="utf-8")
    shot("field-label-changed", focus=studio.text_input(LABEL_ZH))

    # ---- a material's condition, in the material form: a typo is refused in Chinese
    # with its hint and nothing is saved; the fix is saved
    studio.tab(MATERIALS)
    studio._rerun(lambda: page.locator(".st-key-material_edit_2 button").first.click())
    expect(studio.text_input(MATERIAL_NAME)).to_have_value(PROPERTY_NAME)
    expect(studio.radio_value(MATERIAL_MODE)).to_have_text("按条件需要 When a condition holds")
    condition = studio.text_input(MATERIAL_WHEN)
    expect(condition).to_have_value('premises == "owned" or premises == "rented"')
    studio.fill(MATERIAL_WHEN, 'premises == "ownd"', commit=False)
    studio.click(SAVE)
    form = page.get_by_test_id("stForm")
    expect(form).to_contain_text("未保存 Not saved：条件有误")
    expect(form).to_contain_text("“ownd” 不是这个选择字段的选项")  # in Chinese, at its place
    expect(form).to_contain_text("提示：是否应为 owned？")
    expect(condition).to_have_value('premises == "ownd"')  # as typed, not lost
    assert not draft.exists() or '"ownd"' not in draft.read_text(encoding="utf-8")
    shot("material-condition-refused", focus=form)

    studio.fill(MATERIAL_WHEN, 'premises == "owned"', commit=False)
    studio.click(SAVE)
    expect(studio.alert("success", f"已保存材料「{PROPERTY_NAME}」")).to_be_visible()
    expect(studio.alert("success", CLEAN_DRAFT)).to_be_visible()
    assert "required: 'premises == \"owned\"'" in draft.read_text(encoding="utf-8")
    shot("material-condition-fixed", focus=form)
    studio.expect_no_exception()

    # ---- the preview: the new label, and the material follows the new condition
    studio.go("预览 Preview")
    panel = page.locator(".st-key-pv_panel")
    expect(panel).to_contain_text("现在需要什么，为什么 What is required now, and why")
    expect(studio.selectbox("申请人身份 Who applies *")).to_be_visible()
    expect(panel).to_contain_text("申请人身份：此项为必填项")
    expect(panel).not_to_contain_text("经营场所产权证明")
    studio.select(PREMISES, "自有产权 Owned")
    expect(panel).to_contain_text('经营场所产权证明（不动产权证书等）（复印件 Copy ×1）：'
                                  '因为经营场所使用情况为自有产权')
    expect(panel).to_contain_text('规则 rule：premises == "owned"（premises = "owned"）')
    shot("preview-owned-premises", focus=panel)
    studio.select(PREMISES, "租用 Rented")
    expect(panel).to_contain_text("经营场所租赁合同（复印件 Copy ×1）：因为经营场所使用情况为租用")
    expect(panel).not_to_contain_text("经营场所产权证明")  # was required for rented before
    expect(panel).to_contain_text("容缺（受理后补交）Tolerated, to follow")
    shot("preview-rented-premises", focus=panel)
    studio.expect_no_exception()

    # ---- a broken expression: the live check shows it with caret and hint
    studio.go("编辑 Editor")
    studio.tab(FIELDS)
    studio.radio("字段 Fields", "个体工商户名称（business_name）· text")
    expect(studio.text_input(LABEL_ZH)).to_have_value("个体工商户名称")
    studio.radio(VISIBLE_MODE, "条件 When…")
    studio.fill(VISIBLE_WHEN, "flor_area > 100")
    expect(studio.alert("error", "1 处错误 errors · 草稿 draft")).to_be_visible()
    studio.tab(FIELDS)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("❗ 没有名为 “flor_area” 的字段或计算值")
    expect(main).to_contain_text("提示：是否应为 floor_area？")
    expect(main.get_by_text("English: unknown name 'flor_area'")).to_have_count(1)
    expect(studio.code_blocks().filter(has_text="flor_area > 100").first
           ).to_contain_text("^^^^^^^^^")
    shot("visible-condition-live-error", focus=studio.text_input(VISIBLE_WHEN))

    # ---- publishing it is refused, with the error shown
    studio.go("发布 Publish")
    expect(studio.alert("error", "不能发布")).to_be_visible()
    studio.fill(NOTE, "名称在面积大于100时显示")
    studio.click(PUBLISH)
    refused = studio.alert("error", "发布被拒绝")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("Refused: the catalog has errors")
    shown = studio.code_blocks().filter(has_text="hint: did you mean 'floor_area'?")
    expect(shown.last).to_contain_text("unknown name 'flor_area'")
    studio.expect_no_exception()
    shot("publish-refused", focus=refused)
    assert "flor_area" not in matter_file.read_text(encoding="utf-8")

    # ---- fix it in the editor
    studio.go("编辑 Editor")
    studio.tab(FIELDS)
    expect(studio.radio_value("字段 Fields")).to_have_text(
        "个体工商户名称（business_name）· text · ❗ 有错误 has errors")  # marked in the list
    expect(studio.text_input(VISIBLE_WHEN)).to_have_value("flor_area > 100")
    studio.fill(VISIBLE_WHEN, "floor_area > 100")
    expect(studio.alert("success", CLEAN_DRAFT)).to_be_visible()
    studio.tab(FIELDS)
    expect(studio.code_blocks()).to_have_count(0)
    shot("visible-condition-fixed", focus=studio.text_input(VISIBLE_WHEN))

    # ---- publish with a note; the new version is in the history
    studio.go("发布 Publish")
    expect(studio.alert("success", "整个目录检查通过")).to_be_visible()
    studio.expect_frame_row_count("属性 Attribute", 3)  # the label, the condition, the visibility
    expect(page.get_by_test_id("stMain")).to_contain_text("还没有发布过 Never published yet")
    shot("publish-diff")
    note = "申请方式改名；产权证明仅自有场所需要；名称在面积大于100时显示"
    studio.fill(NOTE, note)
    studio.click(PUBLISH)
    flash = studio.alert("success", "已发布 Published XX-MS-0001")
    expect(flash).to_be_visible()
    shot("published", focus=flash)
    studio.expect_frame_row_count("发布人 By", 1)
    rows = studio.frame_rows("发布人 By")
    assert len(rows) == 1, rows
    assert rows[0]["发布人 By"] == "ms_editor" and rows[0]["说明 Note"] == note, rows
    assert rows[0]["类型 Kind"] == "发布 published", rows
    studio.expect_no_exception()
    shot("published-history", focus=page.get_by_role("heading", name="版本历史 Version history"))

    published = matter_file.read_text(encoding="utf-8")
    assert "label: {zh: 申请人身份, en: Who applies}" in published
    assert "required: 'premises == \"owned\"'" in published
    assert "floor_area > 100" in published
    assert not draft.exists()
