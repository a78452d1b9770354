"""The catalog page for authors: filter by kind, create a matter, open one in the editor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from formkit.authoring.drafts import load_yaml
from tests.studio.authoring import draft, go, texts


def test_the_kind_filter_narrows_the_list(signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("admin", "catalog.py")
    everything = len(app.dataframe[0].value)
    app.selectbox(key="kind").select("行政给付 Payment (05)").run()
    shown = app.dataframe[0].value
    assert 0 < len(shown) < everything
    assert set(shown["类型 Kind"]) == {"行政给付 Payment (05)"}


def test_an_editor_creates_a_matter_from_the_template(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("ms_editor", "catalog.py")
    assert app.selectbox(key="new_dept").options == ["市场监督管理局（market_supervision）"]
    app.text_input(key="new_code").input("XX-MS-0100")
    app.text_input(key="new_name").input("广告发布登记")
    app.button(key="new_create").click().run()
    assert not app.exception
    text = draft(workspace, "ms_editor", "XX-MS-0100").read_text(encoding="utf-8")
    tree = load_yaml(text)
    assert (tree["code"], tree["name"]["zh"], tree["department"]) == (
        "XX-MS-0100", "广告发布登记", "market_supervision")
    # Now in the editor, on the new matter, which passes every check as it is.
    assert app.selectbox(key="matter_pick").value == "XX-MS-0100"
    assert "已创建草稿" in texts(app)
    assert not app.error
    assert any("检查通过" in s.value for s in app.success)
    go(app, "editor.py")  # AppTest stays on the page it switched from; a browser does not
    assert not app.error
    assert "检查通过" in app.success[0].value
    assert app.multiselect(key="route_units_0").value == ["market_supervision.registration"]


def test_a_matter_is_copied_and_a_taken_code_refused(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("ms_editor", "catalog.py")
    app.text_input(key="new_code").input("XX-MS-0001")
    app.text_input(key="new_name").input("重复")
    app.button(key="new_create").click().run()
    assert "已被使用" in app.error[0].value
    app.text_input(key="new_code").input("XX-MS-0101")
    app.text_input(key="new_name").input("个体工商户变更登记")
    app.selectbox(key="new_from").set_value("XX-MS-0001").run()
    app.button(key="new_create").click().run()
    assert not app.exception
    tree = load_yaml(draft(workspace, "ms_editor", "XX-MS-0101").read_text(encoding="utf-8"))
    assert tree["name"]["zh"] == "个体工商户变更登记"
    assert len(tree["form"]) == 14 and len(tree["tests"]) == 7
    assert app.selectbox(key="matter_pick").value == "XX-MS-0101"


def test_open_in_the_editor_is_refused_for_another_department(
        signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("ps_editor", "catalog.py")
    app.selectbox(key="open_code").set_value("XX-MS-0001").run()
    app.button(key="open_edit").click().run()
    # departments by name, as the catalog shows them, never their ids
    assert "您只能编辑本部门（公安局）的事项，此事项属于 市场监督管理局" in app.error[0].value
    app.selectbox(key="open_code").set_value("XX-PS-0001").run()
    app.button(key="open_edit").click().run()
    assert not app.exception
    assert app.selectbox(key="matter_pick").value == "XX-PS-0001"


def test_a_clerk_sees_no_authoring_controls(signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("clerk", "catalog.py")
    keys = {w.key for w in (*app.text_input, *app.selectbox)}
    assert "new_code" not in keys and "open_code" not in keys
