"""The examples page by AppTest: run the tests:, save the preview as one, see coverage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from formkit.authoring.drafts import load_yaml
from tests.studio.authoring import SCOPE, draft, go, on_matter, texts


def metrics(app: AppTest) -> tuple[str, str, str]:
    examples, passed, failed = (str(m.value) for m in app.metric[:3])
    return examples, passed, failed


def test_the_sample_examples_pass_and_cover_every_condition(
        signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "examples.py")
    assert not app.exception
    assert metrics(app) == ("7", "7", "0")
    assert "✅ **operator in person, owned shop, accepted**" in texts(app)
    assert "Every condition was made both true and false" in app.success[0].value


def test_the_preview_is_saved_as_a_new_example_that_passes(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "preview.py")
    app.selectbox(key=f"{SCOPE}|premises").set_value("rented").run()
    app.text_input(key=f"{SCOPE}|floor_area").input("60").run()
    app.checkbox(key=f"{SCOPE}|mat|application_form|in").check().run()
    go(app, "examples.py")
    assert "一次性告知补正" in texts(app)  # what the new example will expect
    app.text_input(key="ex_name").input("rented shop, only the form handed in").run()
    app.button(key="ex_save").click().run()
    assert not app.exception
    assert metrics(app) == ("8", "8", "0")
    assert "已保存示例" in app.success[0].value
    tree = load_yaml(draft(workspace, "ms_editor").read_text(encoding="utf-8"))
    saved = tree["tests"][-1]
    assert saved["name"] == "rented shop, only the form handed in"
    assert dict(saved["fields"]) == {"premises": "rented", "floor_area": 60,
                                     "needs_prior_approval": False}
    assert [dict(m) for m in saved["materials"]] == [
        {"id": "application_form", "form": "original", "copies": 1}]
    assert saved["expect"]["outcome"] == "incomplete"
    assert list(saved["expect"]["tolerated"]) == ["lease_contract"]
    app.button(key="ex_save").click().run()  # the same name again: refused
    assert "already an example named" in app.error[0].value


def test_a_failing_example_shows_the_difference(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.number_input(key="basic_committed").set_value(2).run()  # deadlines move by a day
    go(app, "examples.py")
    assert metrics(app) == ("7", "4", "3")
    assert "❌ **operator in person, owned shop, accepted**" in texts(app)
    assert "- committed_deadline: expected 2026-11-26, got 2026-11-27" in texts(app)


def test_uncovered_conditions_are_listed(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.button(key="material_edit_1").click().run()  # the material form, filled
    app.radio(key="mf_required").set_value("when")
    app.text_input(key="mf_when").input("floor_area > 5000")
    save(app)
    go(app, "examples.py")
    coverage = app.dataframe[0].value
    assert list(coverage["条件 Condition"]) == ["floor_area > 5000"]
    assert list(coverage["从未为 Never"]) == ["真 true"]


def test_an_example_opens_in_the_preview(signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "examples.py")
    app.button(key="ex_open_1").click().run()  # the agent with a family business
    go(app, "preview.py")
    assert app.selectbox(key=f"{SCOPE}|applicant_role").value == "agent"
    assert app.text_input(key=f"{SCOPE}|agent.name").value == "陈建国"
    assert app.text_input(key=f"{SCOPE}|family_members[0].member_name").value == "吴俊杰"
    assert "容缺受理" in app.info[0].value


def save(app: AppTest) -> None:
    """The material form's save button."""
    next(b for b in app.button if b.label == "💾 保存修改 Save").click().run()
    assert not app.exception, app.exception
