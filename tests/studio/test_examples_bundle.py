"""高效办成一件事 for editors, by AppTest: an editor of a department with a matter in a
bundle sees the bundle in the catalog (its matters, questions asked once, materials
handed in once, in words) and runs its examples on the examples page, with the draft;
an editor of another department sees neither."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from formkit.authoring.access import concerned_bundles
from formkit.catalog import open_catalog
from formkit.definitions.users import User
from tests.studio.authoring import go, on_matter, texts
from tests.studio.test_backoffice_bundle import BUNDLE

ROOT = Path(__file__).resolve().parents[2]


def bundle_results(app: AppTest) -> list[str]:
    """The bundle examples' lines (✅/❌ and the name)."""
    return [m.value for m in app.markdown if m.value.startswith(("✅ ", "❌ "))
            and "**" not in m.value]


def test_the_editors_of_a_members_department_see_the_bundle() -> None:
    opened = open_catalog(ROOT / "definitions")
    seen = {dept: concerned_bundles(opened, User(username="editor1", name={"zh": "某"},
                                                 role="editor", department=dept,
                                                 password="x"))
            for dept in ("market_supervision", "health", "public_security")}
    # public security registers a newborn: 新生儿出生“一件事”, not the restaurant's
    assert seen == {"market_supervision": [BUNDLE], "health": [BUNDLE],
                    "public_security": ["XX-B-0002"]}
    admin = User(username="admin1", name={"zh": "管"}, role="admin", password="x")
    assert concerned_bundles(opened, admin) == ["XX-B-0002", BUNDLE]


def test_the_catalog_shows_the_bundle_read_only_in_words(
        signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("ms_editor", "catalog.py")
    assert not app.exception, app.exception
    assert any(s.value.startswith("高效办成一件事") for s in app.subheader)
    box = next(e for e in app.expander if "开办餐饮店“一件事”" in e.label)
    assert "XX-B-0001" in box.label
    frames = {str(d.value.columns[0]): d.value for d in box.dataframe}
    members = frames["事项名称 Matter"]
    assert list(members["事项名称 Matter"]) == [
        "个体工商户设立登记", "食品经营许可证核发（新办）", "公共场所卫生许可（新办）"]
    assert list(members["部门 Department"]) == [
        "新兴县市场监督管理局", "新兴县市场监督管理局", "新兴县卫生健康局"]
    assert members["何时办理 Applies"].iloc[2] == (
        "“是否兼营住宿、沐浴、美容美发、游泳等须办公共场所卫生许可的场所”为“是”时办理")
    shared = frames["问题 Question"]
    assert "经营者姓名" in set(shared["问题 Question"])
    fills = " ".join(shared["填入事项 Fills"]) + " ".join(shared["填写 Answer"])
    assert "个体工商户设立登记：经营者的姓名" in fills
    assert "固定为“餐饮业”" in fills
    for raw in ("operator.name", "also_public_place", "catering", "premises_address"):
        assert raw not in fills
    once = frames["材料 Material"]
    assert once["材料 Material"].iloc[0].startswith("经营场所平面布局图")
    assert "layout_plan" not in " ".join(once["用于 Used for"])
    assert not app.button(key="open_edit").disabled  # the catalog's own parts stay


def test_an_editor_of_another_department_does_not_see_the_bundle(
        signed_in: Callable[..., AppTest]) -> None:
    app = signed_in("ps_editor", "catalog.py")
    assert not app.exception, app.exception
    assert not any("开办餐饮店" in e.label for e in app.expander)
    assert any("新生儿出生" in e.label for e in app.expander)  # one of its own


def test_the_examples_page_runs_the_bundles_examples_with_the_draft(
        signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "examples.py")
    assert not app.exception, app.exception
    assert any(s.value.startswith("高效办成一件事的示例") for s in app.subheader)
    assert "通过 passed 4 / 4" in texts(app)
    lines = bundle_results(app)
    assert len(lines) == 4 and all(line.startswith("✅") for line in lines)
    # the individual business's registration promised in 15 days: the bundle is due then
    go(app, "editor.py")
    app.number_input(key="basic_statutory").set_value(20).run()
    app.number_input(key="basic_committed").set_value(15).run()
    go(app, "examples.py")
    assert "通过 passed 2 / 4" in texts(app) and "未通过 failed 2" in texts(app)
    lines = bundle_results(app)
    assert [line[0] for line in lines] == ["❌", "✅", "❌", "✅"]
    assert "committed_deadline: expected 2026-12-02" in texts(app)


def test_an_editor_of_another_department_has_no_bundle_examples(
        signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ps_editor", "examples.py", code="XX-PS-0001")
    assert not app.exception, app.exception
    shown = " ".join(m.value for m in app.markdown)
    assert "开办餐饮店" not in shown and "farm restaurant" not in shown
