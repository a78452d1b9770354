"""Issue #16 item 10, the editor and the catalog by AppTest: every text of the definition
(with a payload of markup, ``tests.studio.test_escaping.poison``) and every code typed
reaches Streamlit's Markdown only as ``plain`` writes it, once; expressions are inline
code that no backtick can end early."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from formkit_studio.editor_widgets import code_span
from formkit_studio.safe_text import plain
from streamlit.testing.v1 import AppTest

from formkit.authoring.drafts import DraftStore
from tests.studio.authoring import on_matter
from tests.studio.test_escaping import MATTER, PAYLOAD, PAYLOADS, poison, poisoned


@pytest.fixture()
def poisoned_workspace(workspace: Path) -> Path:
    poison(workspace / "definitions")
    return workspace


def _page(app: AppTest, kind: str) -> list[Any]:
    """The elements of ``kind`` on the page and in its dialogs; not in the sidebar
    (studio/app.py's)."""
    side = {id(e) for e in getattr(app.sidebar, kind)}
    return [e for e in getattr(app, kind) if id(e) not in side]


def markdown_texts(app: AppTest) -> Iterator[str]:
    """Every string of the page that Streamlit reads as Markdown, radio options too."""
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title",
                 "header", "subheader"):
        yield from (str(e.value) for e in _page(app, kind))
    for kind in ("text_input", "text_area", "checkbox", "selectbox", "multiselect", "radio",
                 "number_input", "toggle", "button"):
        for element in _page(app, kind):
            yield str(element.label)
            if getattr(element, "help", None):
                yield str(element.help)
    for radio in _page(app, "radio"):
        yield from (str(o) for o in radio.options)  # shown through format_func
    yield from (str(e.label) for e in _page(app, "expander"))
    yield from (str(e.label) for e in _page(app, "metric"))


def unsafe(app: AppTest) -> list[str]:
    """The Markdown strings that hold a payload other than as ``plain`` writes it, or a
    text escaped twice (its backslash would show)."""
    bad = []
    for text in markdown_texts(app):
        rest = text.replace(plain(PAYLOAD), "")
        for payload in PAYLOADS:
            rest = rest.replace(plain(payload), "")
        if any(p in rest for p in PAYLOADS) or "\\\\" in text or re.search(
                r"(?<!\\)(\*\*粗体|<img|<style|<a )", rest):
            bad.append(text)
    return bad


def everything(app: AppTest) -> str:
    return "\n".join(markdown_texts(app))


def test_code_span_holds_any_backticks() -> None:
    assert code_span('premises == "rented"') == '`premises == "rented"`'
    assert code_span('a == "`x`"') == '``a == "`x`"``'
    assert code_span("`x``") == "``` `x`` ```"  # a space each side: CommonMark strips them
    assert code_span("a\n  and b") == "`a and b`"  # one line: no block can start inside
    assert code_span("") == ""


def test_the_editor_shows_every_text_of_the_definition_as_text(
        poisoned_workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    assert not app.exception, app.exception
    label = plain(poisoned("申请方式"))
    assert f"{label}（applicant_role）· choice" in app.radio(key="field_pick").options
    assert app.subheader[0].value == f"{label}（applicant_role）"
    assert unsafe(app) == []

    app.radio(key="field_pick").set_value("premises").run()
    app.button(key="field_remove").click().run()  # used: the dialog lists where
    assert not app.exception, app.exception
    shown = everything(app)
    assert f"字段「{plain(poisoned('经营场所使用情况'))}」（premises）仍在使用中" in shown
    assert f"材料 › 「{plain(poisoned('经营场所租赁合同'))}」 › 是否必需" in shown
    assert '`premises == "rented"`' in shown
    assert unsafe(app) == []


def test_an_expression_with_backticks_is_listed_as_code(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.radio(key="field_pick").set_value("business_name").run()
    app.radio(key="field_visible_mode").set_value("when").run()
    expression = 'floor_area > 100 or business_scope == "`*粗体*` <b>x</b>"'
    app.text_input(key="field_visible").input(expression).run()
    app.radio(key="field_pick").set_value("floor_area").run()
    assert not app.exception, app.exception
    assert f"：{code_span(expression)}" in everything(app)
    assert code_span(expression).startswith("``floor_area")


def test_the_catalog_shows_names_and_the_typed_code_as_text(
        poisoned_workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("ps_editor", "catalog.py")
    assert app.title[0].value == f"{plain(poisoned('新兴县行政服务中心'))} · 事项目录"
    app.selectbox(key="open_code").set_value(MATTER).run()
    app.button(key="open_edit").click().run()  # another department's: refused, by name
    refused = app.error[0].value
    assert f"（{plain(poisoned('公安局'))}）" in refused
    assert plain(poisoned("市场监督管理局")) in refused
    assert unsafe(app) == []

    app = signed_in("ms_editor", "catalog.py")
    code = "XX.__bold__"  # a valid code that Markdown would make bold
    app.text_input(key="new_code").input(code)
    app.text_input(key="new_name").input(f"新事项 {PAYLOAD}")
    app.button(key="new_create").click().run()
    assert not app.exception, app.exception
    shown = everything(app)
    assert f"已创建草稿 Draft created: {plain(code)}（" in shown
    assert plain(code) == "XX.\\_\\_bold\\_\\_"
    assert unsafe(app) == []
    base = DraftStore(poisoned_workspace / "var" / "drafts").base("ms_editor", code)
    assert base is not None and base.known and base.text is None  # a matter not there yet
