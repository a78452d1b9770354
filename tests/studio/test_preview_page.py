"""The preview page by AppTest: the draft's form as the window sees it, reacting live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.studio.authoring import SCOPE, go, on_matter, texts


def keys(app: AppTest) -> set[str]:
    return {str(w.key) for w in (*app.text_input, *app.selectbox, *app.radio, *app.checkbox)}


def test_a_conditional_field_appears_when_its_condition_holds(
        signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "preview.py")
    assert f"{SCOPE}|operator.name" in keys(app)
    assert f"{SCOPE}|agent.name" not in keys(app)
    app.selectbox(key=f"{SCOPE}|applicant_role").set_value("agent").run()
    assert not app.exception
    assert f"{SCOPE}|agent.name" in keys(app)
    assert "授权委托书" in texts(app)  # the power of attorney is now required...
    assert ("因为申请方式为委托代理人申请　:small[规则 rule：agent_applies（agent_applies = "
            "true）]") in texts(app)  # ...and why, in words and as the rule


def test_a_conditional_material_becomes_required_with_its_reason(
        signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "preview.py")
    assert "- **经营场所租赁合同**" not in texts(app)
    app.selectbox(key=f"{SCOPE}|premises").set_value("rented").run()
    assert not app.exception
    panel = texts(app)
    # the clerk's words, then the rule as the definition writes it
    assert ('- **经营场所租赁合同**（复印件 Copy ×1）：因为经营场所使用情况为租用；可容缺，受理后'
            '补交　:small[规则 rule：premises == "rented"（premises = "rented"）]') in panel
    assert "容缺（受理后补交）Tolerated, to follow" in panel


def test_answers_and_materials_drive_the_outcome(signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "preview.py")
    assert "一次性告知补正" in app.warning[0].value  # nothing filled in: incomplete
    answers = {"applicant_role": "operator", "organisation": "individual", "industry": "retail",
               "premises": "owned"}
    for path, value in answers.items():
        app.selectbox(key=f"{SCOPE}|{path}").set_value(value).run()
    for path, value in {"operator.name": "张伟", "operator.id_number": "445321199003071230",
                        "operator.mobile": "13800138000",
                        "address": "新兴县新城镇东堤北路18号", "floor_area": "45"}.items():
        app.text_input(key=f"{SCOPE}|{path}").input(value).run()
    app.text_area(key=f"{SCOPE}|business_scope").input("日用百货零售").run()
    app.radio(key=f"{SCOPE}|operator.is_public_servant").set_value(False).run()
    for material in ("application_form", "operator_id", "property_certificate"):
        app.checkbox(key=f"{SCOPE}|mat|{material}|in").check().run()
    assert not app.exception
    assert "预检结果 Outcome：受理 Accept" in app.success[0].value
    assert "承诺 committed 2026-11-26" in texts(app)
    assert "1. 市场监督管理局·登记注册股" in texts(app)  # the unit's name, not its id


def test_the_preview_follows_the_draft(signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.text_input(key="field_label_zh").input("申请人身份").run()
    go(app, "preview.py")
    assert app.selectbox(key=f"{SCOPE}|applicant_role").label.startswith("申请人身份")


def test_answers_survive_a_visit_to_another_page(signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "preview.py")
    app.selectbox(key=f"{SCOPE}|premises").set_value("rented").run()
    app.text_input(key=f"{SCOPE}|floor_area").input("60").run()
    app.checkbox(key=f"{SCOPE}|mat|application_form|in").check().run()
    go(app, "playground.py")
    go(app, "preview.py")
    assert app.selectbox(key=f"{SCOPE}|premises").value == "rented"
    assert app.text_input(key=f"{SCOPE}|floor_area").value == "60"
    assert app.checkbox(key=f"{SCOPE}|mat|application_form|in").value is True
    app.button(key="pv_clear").click().run()
    assert app.selectbox(key=f"{SCOPE}|premises").value is None


def test_a_draft_that_does_not_load_is_explained(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    source = app.text_area(key="source_text").value
    app.text_area(key="source_text").input(source.replace("kind:", "knd:", 1)).run()
    go(app, "preview.py")
    assert "草稿无法加载" in app.error[0].value
