"""The editor's 材料 tab by AppTest (issue 17, item 13): a list of the materials and one form
to add or change a material, with Chinese choices; nothing typed is lost; deleting asks."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from formkit.authoring.drafts import load_yaml
from formkit.authoring.steps import material_examples
from tests.studio.authoring import codes, draft, on_matter, texts

ADD, SAVE = "➕ 添加材料 Add material", "💾 保存修改 Save"
LEASE = 3  # materials[3] of the sample matter: 经营场所租赁合同


def submit(app: AppTest, label: str) -> AppTest:
    """Click the material form's submit button ``label``."""
    button = next(b for b in app.button if b.label == label)
    return button.click().run()


def materials(workspace: Path) -> list[Any]:
    return list(load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))[
        "materials"])



def alone(workspace: Path) -> None:
    """The matter without the bundle that fills its fields and names its materials: a
    bundle's own report of a renamed or removed one is tested apart
    (tests/studio/test_editor_rename.py, the last test)."""
    shutil.rmtree(workspace / "definitions" / "bundles")

def test_the_choices_are_chinese_labels_of_the_formats_values(
        signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    assert app.selectbox(key="mf_form").options == [
        "原件 Original", "复印件 Copy", "原件及复印件 Original and copy"]
    assert app.selectbox(key="mf_medium").options == [
        "纸质 Paper", "电子 Electronic", "纸质或电子均可 Either"]
    assert app.selectbox(key="mf_source").options[0] == "申请人自备 The applicant"
    assert app.radio(key="mf_required").options == [
        "必需 Required", "非必需 Optional", "按条件需要 When a condition holds"]
    # the list says each material in Chinese, never the format's words
    shown = texts(app)
    assert "**4\\. 经营场所租赁合同**  \n复印件 · 纸质 · 1 份 · 按条件需要：" \
        '`premises == "rented"` · 可容缺（5 个工作日内补交）' in shown
    for raw in ("original", "paper", "electronic", "either"):
        assert f"· {raw}" not in shown


def test_a_material_is_added_through_the_form(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.text_input(key="mf_name_zh").input("营业场所照片")
    app.selectbox(key="mf_medium").set_value("electronic")
    app.number_input(key="mf_copies").set_value(2)
    app.radio(key="mf_required").set_value("when")
    app.text_input(key="mf_when").input('premises == "rented"')
    submit(app, ADD)
    assert not app.exception
    added = materials(workspace)
    assert len(added) == 10  # one more, no stray row
    assert dict(added[-1]) == {"id": "material", "name": {"zh": "营业场所照片"},
                               "medium": "electronic", "copies": 2,
                               "required": 'premises == "rented"'}
    assert "已添加材料「营业场所照片」 · Material added" in [s.value for s in app.success]
    assert "检查通过" in app.success[-1].value
    assert "**10\\. 营业场所照片**" in texts(app)
    # the form is blank again, for the next one
    assert app.text_input(key="mf_name_zh").value == ""
    assert app.selectbox(key="mf_medium").value == "paper"


def test_a_refused_save_keeps_everything_typed(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.text_input(key="mf_name_en").input("Photo of the premises")
    app.selectbox(key="mf_form").set_value("copy")
    app.radio(key="mf_required").set_value("when")  # without a condition
    submit(app, ADD)
    refused = [e.value for e in app.error if "未保存" in e.value]
    assert refused == ["未保存 Not saved：材料名称（中文）不能为空；"
                       "选择“按条件需要”时，请填写条件"]
    assert not draft(workspace, "ms_editor").exists()
    assert (app.text_input(key="mf_name_en").value, app.selectbox(key="mf_form").value,
            app.radio(key="mf_required").value) == ("Photo of the premises", "copy", "when")
    # fixed, it saves
    app.text_input(key="mf_name_zh").input("营业场所照片")
    app.radio(key="mf_required").set_value("no")
    submit(app, ADD)
    assert dict(materials(workspace)[-1]) == {
        "id": "material", "name": {"zh": "营业场所照片", "en": "Photo of the premises"},
        "form": "copy", "required": False}


def test_a_condition_with_a_typo_is_refused_with_its_error_in_chinese(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.text_input(key="mf_name_zh").input("营业场所照片")
    app.radio(key="mf_required").set_value("when")
    app.text_input(key="mf_when").input('premises == "rentd"')
    submit(app, ADD)
    assert not draft(workspace, "ms_editor").exists()
    shown = texts(app)
    assert "未保存 Not saved：条件有误，请按下面的提示修改" in [e.value for e in app.error]
    assert "❗ “rentd” 不是这个选择字段的选项  \n提示：是否应为 rented？" in shown
    assert "English: " in shown and "hint: did you mean 'rented'?" in shown
    assert codes(app) == ['premises == "rentd"\n            ^^^^^^^']
    assert app.text_input(key="mf_when").value == 'premises == "rentd"'
    app.text_input(key="mf_when").input('premises == "rented"')
    submit(app, ADD)
    assert materials(workspace)[-1]["required"] == 'premises == "rented"'
    assert not codes(app)


def test_a_material_is_edited_and_other_edits_meanwhile_lose_nothing(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.button(key=f"material_edit_{LEASE}").click().run()
    assert app.text_input(key="mf_name_zh").value == "经营场所租赁合同"
    assert (app.selectbox(key="mf_form").value, app.radio(key="mf_required").value,
            app.text_input(key="mf_when").value, app.checkbox(key="mf_tolerable").value,
            app.number_input(key="mf_tolerable_days").value) == (
        "copy", "when", 'premises == "rented"', True, 5)
    assert "**编辑材料 Edit material：经营场所租赁合同**" in texts(app)
    # another edit of the matter (a rerun with a new draft text) leaves the form as it
    # was: it is filled only by ✏️, a save or 取消 (the browser test types, then edits)
    app.number_input(key="basic_committed").set_value(2).run()
    assert app.text_input(key="mf_name_zh").value == "经营场所租赁合同"
    assert app.number_input(key="mf_tolerable_days").value == 5
    app.number_input(key="mf_copies").set_value(2)
    app.text_input(key="mf_notes").input("须在有效期内")
    submit(app, SAVE)
    assert not app.exception
    lease = materials(workspace)[LEASE]
    assert (lease["id"], lease["copies"], lease["notes"]["zh"], lease["tolerable_days"]) == (
        "lease_contract", 2, "须在有效期内", 5)
    assert len(materials(workspace)) == 9
    assert "已保存材料「经营场所租赁合同」 · Material saved" in [s.value for s in app.success]
    assert app.text_input(key="mf_name_zh").value == ""  # back to a new material


def test_materials_are_moved_and_removed_after_confirmation(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    alone(workspace)
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.button(key="material_down_0").click().run()
    assert [m["id"] for m in materials(workspace)][:2] == ["operator_id", "application_form"]
    app.button(key=f"material_remove_{LEASE}").click().run()
    asked = texts(app) + "\n".join(w.value for w in app.warning)
    assert "确定删除材料「经营场所租赁合同」吗？" in asked
    named = material_examples(load_yaml(draft(workspace, "ms_editor").read_text("utf-8")),
                              "lease_contract")
    assert f"以下 {len(named)} 个示例提交或预期了此材料" in asked
    app.button(key="material_remove_cancel").click().run()
    assert "lease_contract" in [m["id"] for m in materials(workspace)]
    app.button(key=f"material_remove_{LEASE}").click().run()
    app.button(key="material_remove_confirm").click().run()
    assert not app.exception
    assert "lease_contract" not in [m["id"] for m in materials(workspace)]
    assert "已删除材料「经营场所租赁合同」 · Material removed" in [s.value for s in app.success]
    assert "检查通过" in app.success[-1].value  # the examples' mentions went with it
