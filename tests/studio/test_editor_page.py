"""The editor page by AppTest: every change is a draft; expressions are checked live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from formkit.authoring.drafts import load_yaml
from formkit.authoring.steps import get_in
from tests.studio.authoring import codes, draft, matter_file, on_matter, texts


def test_a_label_change_is_saved_as_a_draft_and_survives_a_reload(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    assert "检查通过" in app.success[0].value
    assert app.radio(key="field_pick").value == "applicant_role"
    app.text_input(key="field_label_zh").input("申请人身份").run()
    assert not app.exception
    saved = draft(workspace, "ms_editor").read_text(encoding="utf-8")
    assert "label: {zh: 申请人身份, en: Who applies}" in saved
    assert "申请人身份" not in matter_file(workspace).read_text(encoding="utf-8")
    assert "草稿 draft" in app.success[0].value

    fresh = on_matter(signed_in, "ms_editor", "editor.py")  # a reload: a new session
    assert fresh.text_input(key="field_label_zh").value == "申请人身份"
    assert fresh.text_area(key="source_text").value == saved


def test_a_broken_expression_shows_its_error_with_caret_and_hint(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.radio(key="field_pick").set_value("business_name").run()
    app.radio(key="field_visible_mode").set_value("when").run()
    assert app.text_input(key="field_visible").value == ""
    app.text_input(key="field_visible").input("flor_area > 100").run()
    assert not app.exception
    # under the box, once: Chinese first, the caret, the English in a caption
    assert codes(app) == ["flor_area > 100\n^^^^^^^^^"]
    shown = texts(app)
    assert "❗ 没有名为 “flor_area” 的字段或计算值  \n提示：是否应为 floor_area？" in shown
    assert shown.count("English: unknown name 'flor_area' · hint: did you mean "
                       "'floor_area'?") == 1
    assert "1 处错误" in app.error[0].value  # the whole-draft check at the top
    app.text_input(key="field_visible").input("floor_area > 100").run()
    assert "检查通过" in app.success[0].value
    assert not any("flor_area" in c for c in codes(app))
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    assert get_in(tree, ("form", 3, "visible")) == "floor_area > 100"


def test_required_and_visible_modes(workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.radio(key="field_pick").set_value("capital").run()
    assert app.radio(key="field_required_mode").value == "no"
    app.radio(key="field_required_mode").set_value("yes").run()
    app.radio(key="field_visible_mode").set_value("no").run()
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    capital = get_in(tree, ("form", 11))
    assert (capital["id"], capital["required"], capital["visible"]) == ("capital", True, False)
    app.radio(key="field_visible_mode").set_value("yes").run()  # the default: the key goes
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    assert "visible" not in get_in(tree, ("form", 11))


def test_fields_are_added_moved_nested_and_removed(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.radio(key="field_pick").set_value("operator.mobile").run()
    app.button(key="field_add").click().run()
    assert app.radio(key="field_pick").value == "operator.new_field"
    app.text_input(key="field_id").input("email").run()
    app.selectbox(key="field_type").set_value("email").run()
    app.text_input(key="field_label_zh").input("邮箱").run()
    assert app.radio(key="field_pick").value == "operator.email"
    app.button(key="field_up").click().run()
    options = app.radio(key="field_pick").options  # as shown: 标签（path）· type
    assert options.index("\u3000邮箱（operator.email）· email") < \
        options.index("\u3000手机号码（operator.mobile）· mobile")
    app.selectbox(key="field_nest_target").set_value("agent").run()
    app.button(key="field_nest").click().run()
    assert app.radio(key="field_pick").value == "agent.email"
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    assert [f["id"] for f in get_in(tree, ("form", 2, "fields"))][-1] == "email"
    assert "检查通过" in app.success[0].value
    app.button(key="field_remove").click().run()
    assert not [o for o in app.radio(key="field_pick").options if "agent.email" in o]
    assert not app.exception


def test_choice_options_are_edited_as_a_table(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.radio(key="field_pick").set_value("organisation").run()
    app.session_state["field_options"] = {
        "edited_rows": {1: {"zh": "家庭经营（夫妻等）"}},
        "added_rows": [{"value": "partnership", "zh": "合伙经营"}], "deleted_rows": []}
    app.run()
    assert not app.exception
    saved = draft(workspace, "ms_editor").read_text(encoding="utf-8")
    assert "{value: family, label: {zh: 家庭经营（夫妻等）, en: Run by a family}}" in saved
    assert "{value: partnership, label: {zh: 合伙经营}}" in saved


def test_basic_information_checks_and_route(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.number_input(key="basic_committed").set_value(2).run()
    app.selectbox(key="basic_kind").set_value("administrative_confirmation").run()
    app.multiselect(key="basic_channels").set_value(["window", "mail"]).run()
    app.text_input(key="basic_fee").input("floor_area * 2").run()
    app.button(key="check_add").click().run()
    app.text_input(key="check_when_4").input("floor_area > 5000").run()
    app.radio(key="check_kind_4").set_value("refuse").run()
    app.text_input(key="check_msg_zh_4").input("面积过大").run()
    app.button(key="route_add").click().run()
    app.text_input(key="route_when_1").input("floor_area > 500").run()
    assert not app.exception
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    assert tree["time_limit"]["committed_days"] == 2
    assert tree["kind"] == "administrative_confirmation"
    assert list(tree["channels"]) == ["window", "mail"]
    assert tree["fee"] == "floor_area * 2"
    assert dict(tree["checks"][4]) == {"when": "floor_area > 5000",
                                       "refuse": {"zh": "面积过大", "en": "Please check"}}
    assert dict(tree["route"][1]) == {"step": ["market_supervision.registration"],
                                      "when": "floor_area > 500"}
    assert "检查通过" in app.success[0].value
    app.text_input(key="basic_fee").input("floor_are * 2").run()
    assert "提示：是否应为 floor_area？" in texts(app)
    assert codes(app) == ["floor_are * 2\n^^^^^^^^^"]


def test_let_values_are_added_and_checked_live(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.text_input(key="let_new_name").input("big_shop")
    app.text_input(key="let_new_expr").input("floor_are > 500").run()
    assert "提示：是否应为 floor_area？" in texts(app)
    app.text_input(key="let_new_expr").input("floor_area > 500").run()
    app.button(key="let_add").click().run()
    assert app.text_input(key="let_name_2").value == "big_shop"
    assert app.text_input(key="let_new_name").value == ""
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    assert tree["let"]["big_shop"] == "floor_area > 500"


def test_the_raw_yaml_is_checked_the_same_way_and_a_draft_can_be_discarded(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    source = app.text_area(key="source_text").value
    app.text_area(key="source_text").input(source.replace("kind: administrative_licensing",
                                                          "knd: administrative_licensing"))
    app.run()
    assert not app.exception
    assert "处错误" in app.error[0].value
    assert any("knd" in c for c in codes(app))
    app.button(key="discard_draft").click().run()
    assert not draft(workspace, "ms_editor").exists()
    assert [s.value for s in app.success][:2] == [
        "草稿已放弃 Draft discarded", "检查通过 No errors · 已发布文件 published file"]
    assert app.text_area(key="source_text").value == source


def test_an_editor_cannot_open_another_departments_matter(
        signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ps_editor", "editor.py")
    assert not app.exception
    assert "您只能编辑本部门" in app.error[0].value
    assert not [w for w in app.text_input if w.key == "basic_code"]
    assert "XX-MS-0001" not in app.selectbox(key="matter_pick").options


def test_an_administrator_can_edit_every_matter(signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "admin", "editor.py", "XX-PS-0001")
    assert not app.error, [e.value for e in app.error]
    assert len(app.selectbox(key="matter_pick").options) >= 18


def test_defaults_and_bounds_are_written_as_numbers_and_booleans(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.radio(key="field_pick").set_value("employees").run()
    app.text_input(key="field_max").input("200").run()
    app.text_input(key="field_default").input("1").run()
    app.radio(key="field_pick").set_value("needs_prior_approval").run()
    assert app.text_input(key="field_default").value == "false"
    app.text_input(key="field_default").input("true").run()
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    employees, prior = tree["form"][12], tree["form"][13]
    assert (employees["max"], employees["default"], prior["default"]) == (200, 1, True)
