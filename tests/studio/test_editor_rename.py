"""The editor by AppTest: renaming a field renames its uses; deleting a used one asks first;
a new field's stand-in label is flagged; errors read in Chinese first, at their place."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from formkit.authoring.drafts import load_yaml
from formkit.authoring.references import field_uses
from formkit.authoring.steps import field_rows, get_in
from tests.studio.authoring import codes, draft, matter_file, on_matter, texts

ID = "field_id"


def fields_of(workspace: Path) -> list[str]:
    text = draft(workspace, "ms_editor").read_text(encoding="utf-8")
    return [r.path for r in field_rows(load_yaml(text))]


def pick(app: AppTest, path: str) -> None:
    app.radio(key="field_pick").set_value(path).run()
    assert not app.exception



def alone(workspace: Path) -> None:
    """The matter without the bundle that fills its fields and names its materials: a
    bundle's own report of a renamed or removed one is tested apart
    (tests/studio/test_editor_rename.py, the last test)."""
    shutil.rmtree(workspace / "definitions" / "bundles")

def test_renaming_a_used_field_renames_every_use(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    alone(workspace)
    app = on_matter(signed_in, "ms_editor", "editor.py")
    pick(app, "premises")
    assert "此字段用在 3 处表达式和 7 个示例中" in texts(app)
    app.text_input(key=ID).input("premises_use").run()
    assert not app.exception
    assert "检查通过" in app.success[-1].value  # 0 errors: nothing dangles
    assert not app.error
    assert any("并修改了 3 处表达式和 7 个示例中的引用" in s.value for s in app.success)
    saved = draft(workspace, "ms_editor").read_text(encoding="utf-8")
    assert field_uses(saved, "premises").uses == ()
    assert len(field_uses(saved, "premises_use").uses) == 11  # four names, seven answers
    assert "required: 'premises_use == \"owned\" or premises_use == \"rented\"'" in saved
    assert "premises_certificate" in saved  # a longer name is another thing
    assert app.radio(key="field_pick").value == "premises_use"
    assert app.text_input(key=ID).value == "premises_use"


def test_renaming_a_field_in_a_group_renames_its_dotted_uses(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    alone(workspace)
    app = on_matter(signed_in, "ms_editor", "editor.py")
    pick(app, "operator.id_number")
    app.text_input(key=ID).input("id_no").run()
    assert "检查通过" in app.success[-1].value
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    assert tree["let"]["operator_age"] == "age(operator.id_no)"
    assert "id_no" in tree["tests"][1]["fields"]["operator"]
    assert "id_number" in tree["tests"][1]["fields"]["agent"]  # the agent's is another field


def test_a_rename_to_a_taken_id_is_refused_in_chinese_first(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    pick(app, "premises")
    app.text_input(key=ID).input("address").run()
    assert not app.exception
    refused = app.error[0].value
    assert refused.startswith("无法修改 Cannot change: 无法改名 标识 “address” 重复了")
    assert app.text_input(key=ID).value == "premises"  # the id as it still is
    assert not draft(workspace, "ms_editor").exists()


def test_deleting_a_used_field_asks_and_lists_where_it_is_used(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    alone(workspace)
    app = on_matter(signed_in, "ms_editor", "editor.py")
    pick(app, "premises")
    app.button(key="field_remove").click().run()
    assert not app.exception
    assert not draft(workspace, "ms_editor").exists()  # nothing deleted yet
    asked = app.warning[-1].value
    assert "字段「经营场所使用情况」（premises）仍在使用中：3 处表达式，7 个示例" in asked
    listed = texts(app)
    for place in ("材料 › 「经营场所产权证明（不动产权证书等）」 › 是否必需",
                  "材料 › 「经营场所租赁合同」 › 是否必需",
                  "材料 › 「村（居）民委员会出具的经营场所使用证明」 › 是否必需",
                  "示例中的填写值（7 个示例）", "「operator aged 15 is refused」"):
        assert place in listed
    assert '`premises == "rented"`' in listed

    app.button(key="field_remove_cancel").click().run()
    assert "field_remove_confirm" not in {b.key for b in app.button}
    assert "premises" in [r.path for r in field_rows(load_yaml(
        matter_file(workspace).read_text(encoding="utf-8")))]

    app.button(key="field_remove").click().run()
    app.button(key="field_remove_confirm").click().run()
    assert not app.exception
    assert "premises" not in fields_of(workspace)
    saved = draft(workspace, "ms_editor").read_text(encoding="utf-8")
    assert "      premises: " not in saved  # its answers in the examples go with it
    # what is left dangling is what the confirmation listed: four names in three materials,
    # each shown once in its material's row (and named once in the list at the top)
    assert "4 处错误" in app.error[0].value
    assert texts(app).count("English: unknown name 'premises'") == 4
    assert len(codes(app)) == 4 and all("premises" in c for c in codes(app))


def test_deleting_an_unused_field_needs_no_confirmation(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    pick(app, "floor_area")
    app.button(key="field_add").click().run()
    assert app.radio(key="field_pick").value == "new_field"
    assert "此字段未被表达式或示例引用" in texts(app)
    app.button(key="field_remove").click().run()
    assert "new_field" not in fields_of(workspace)
    assert "field_remove_confirm" not in {b.key for b in app.button}


def test_a_new_fields_stand_in_label_is_flagged_until_it_is_named(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    pick(app, "floor_area")
    app.button(key="field_add").click().run()
    saved = draft(workspace, "ms_editor").read_text(encoding="utf-8")
    assert "label: {zh: 新字段}" in saved and "New field" not in saved
    assert "检查通过" in app.success[0].value
    assert "1 个字段的标签仍是“新字段”，请在发布前填写：new_field" in app.warning[0].value
    assert "新字段（new_field）· text · ⚠️ 待填标签 needs a label" in \
        app.radio(key="field_pick").options
    app.text_input(key="field_label_zh").input("店铺照片").run()
    assert not [w for w in app.warning if "新字段" in w.value]
    assert "店铺照片（new_field）· text" in app.radio(key="field_pick").options


def test_a_definition_error_reads_in_chinese_first_at_its_place(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    text = matter_file(workspace).read_text(encoding="utf-8")
    broken = text.replace("  - step: [market_supervision.registration]", "  - step: []")
    app.text_area(key="source_text").input(broken).run()
    assert not app.exception
    assert "1 处错误" in app.error[0].value
    shown = texts(app)
    line = broken.splitlines().index("  - step: []") + 1
    # at its place, in the route tab, Chinese first with the English in a caption ...
    assert "❗ 至少需要 1 项" in shown
    assert "English: needs at least 1 item(s)" in shown
    # ... and named once in the list at the top, with the tab to go to
    assert ("1\\. **流程 › 第 1 步 › 办理单位**：至少需要 1 项　→ 在「流程 Route」页修改 see the "
            "Route tab") in shown
    assert shown.count("至少需要 1 项") == 2
    everything = shown + "\n".join(codes(app))
    assert "List should" not in everything and "after validation" not in everything
    assert codes(app) == ["  - step: []\n          ^"]
    assert line > 0


def test_an_expression_error_keeps_its_caret_under_a_chinese_line(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    pick(app, "business_name")
    app.radio(key="field_visible_mode").set_value("when").run()
    app.text_input(key="field_visible").input("flor_area > 100").run()
    shown = texts(app)
    # plain(): an underscore inside a word starts nothing, so it is not escaped
    assert "没有名为 “flor_area” 的字段或计算值" in shown
    assert ("1\\. **表单 › 字段「个体工商户名称」 › 显示**：没有名为 “flor_area” 的字段或"
            "计算值　→ 在「表单 Fields」页修改") in shown
    # the header names the file from the catalog folder, not the whole path
    assert "文件 File: market_supervision/individual_business_registration.yaml" in shown
    assert str(workspace) not in shown + "\n".join(codes(app))
    assert get_in(load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8")),
                  ("form", 3, "visible")) == "flor_area > 100"


def test_renaming_a_field_a_bundle_fills_shows_the_bundles_error(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    # 开办餐饮店“一件事” fills the food licence's premises_address: renamed alone, the
    # bundle could no longer take applications, so the draft is not clean
    app = on_matter(signed_in, "ms_editor", "editor.py", code="XX-MS-0002")
    pick(app, "premises_address")
    app.text_input(key=ID).input("shop_address").run()
    assert not app.exception, app.exception
    assert not any("检查通过" in s.value for s in app.success)
    assert "没有字段" in texts(app) and "open_restaurant.yaml" in texts(app)
