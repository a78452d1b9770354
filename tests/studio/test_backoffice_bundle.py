"""The back office and 高效办成一件事, by AppTest: a bundle's case shows its fellow cases
(another department's without its details), and its worklist row is marked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from formkit.cases.bundles import BundleIntake, receive_bundle
from formkit.catalog import open_catalog
from tests.studio.test_backoffice import ALL, open_case, worklist
from tests.studio.test_window import receive_food, service

BUNDLE = "XX-B-0001"


def receive_restaurant(workspace: Path, example: int = 2) -> BundleIntake:
    """The bundle example ``example`` received at the window (2: the farm restaurant
    with guest rooms, three matters, accepted)."""
    opened = open_catalog(workspace / "definitions")
    ex = opened.bundles[BUNDLE].tests[example]
    submission = {"fields": ex.fields,
                  "materials": [m.model_dump(exclude_none=True) for m in ex.materials]}
    return receive_bundle(service(workspace), opened, BUNDLE, submission, actor="clerk")


def panel(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "部门 Department" in d.value.columns
                and "预警 Flag" in d.value.columns)


def test_a_bundle_case_shows_its_fellow_cases(signed_in: Callable[..., AppTest],
                                              workspace: Path) -> None:
    made = receive_restaurant(workspace)
    licence, food, hygiene = made.cases
    at = open_case(signed_in("ms_officer", "backoffice.py"), food.number)
    text = " ".join(m.value for m in at.markdown)
    assert "同一件事的其他事项" in text and "开办餐饮店“一件事”" in text
    assert f"一件事编号 {made.number}" in text
    rows = panel(at)
    assert list(rows["事项 Matter"]) == ["个体工商户设立登记", "公共场所卫生许可（新办）"]
    assert list(rows["部门 Department"]) == ["新兴县市场监督管理局", "新兴县卫生健康局"]
    assert list(rows["状态 State"]) == ["已受理", "已受理"]
    # its own department's: the number, the deadline, the clock
    assert rows["案件编号 Case"].iloc[0] == licence.number
    assert rows["承诺期限 Due"].iloc[0] == "2026-11-26"
    assert rows["预警 Flag"].iloc[0].startswith("🔵 即将到期")
    # the health bureau's: matter, department and state only
    assert list(rows.iloc[1][["案件编号 Case", "承诺期限 Due", "预警 Flag"]]) == ["—"] * 3
    assert any("只显示事项、部门和办理状态" in c.value for c in at.caption)
    assert not any(b.key == f"bo_bundle_open|{hygiene.number}" for b in at.button)
    # a fellow case of its own department opens from the panel
    at.button(key=f"bo_bundle_open|{licence.number}").click().run()
    assert not at.exception, at.exception
    assert at.session_state["bo_open"] == licence.number
    assert list(panel(at)["事项 Matter"]) == ["食品经营许可证核发（新办）",
                                            "公共场所卫生许可（新办）"]
    # nothing of the health case was read as the officer's: no refused read either
    assert not [e for e in service(workspace).store.audit()
                if e.get("kind") == "refused_read"]


def test_bundle_rows_are_marked_on_the_worklist(signed_in: Callable[..., AppTest],
                                               workspace: Path) -> None:
    made = receive_restaurant(workspace)
    alone = receive_food(workspace, ALL)
    at = signed_in("ms_officer", "backoffice.py")
    queue = worklist(at, "review")
    matter = dict(zip(queue["案件编号 Case"], queue["事项 Matter"], strict=True))
    assert matter[made.cases[1].number] == "🔗 食品经营许可证核发（新办）"
    assert matter[made.cases[0].number] == "🔗 个体工商户设立登记"
    assert matter[alone.number] == "食品经营许可证核发（新办）"
    assert made.cases[2].number not in matter  # the health bureau's
    assert any("🔗 一件事：高效办成一件事" in c.value for c in at.caption)


def test_a_case_applied_for_alone_has_no_bundle_panel(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    alone = receive_food(workspace, ALL)
    at = open_case(signed_in("ms_officer", "backoffice.py"), alone.number)
    assert not any("同一件事" in m.value for m in at.markdown)
    assert not any("🔗" in c.value for c in at.caption)



def _document_options(at: AppTest) -> list[str]:
    return [str(o) for r in at.radio if r.label == "文书 Document" for o in r.options]


def test_the_combined_acceptance_is_reprinted_for_whoever_reads_every_case(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    made = receive_restaurant(workspace)
    food = made.cases[1]
    # the market-supervision officer may not read the health bureau's case: no reprint
    at = open_case(signed_in("ms_officer", "backoffice.py"), food.number)
    assert not any("一件事" in o for o in _document_options(at))
    # the window's clerk finds the bundle by its number and reprints the combined notice
    at = signed_in("clerk", "window.py")
    at.radio(key="win_mode").set_value("find").run()
    at.text_input(key="fc_query").input(made.number).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert sorted(table["案件编号"]) == sorted(c.number for c in made.cases)
    assert all(m.startswith(f"🔗 {made.number} · ") for m in table["事项"])  # marked
    at.selectbox(key="fc_pick").set_value(food.number).run()
    assert not at.exception, at.exception
    assert any("开办餐饮店“一件事”受理通知书" in o for o in _document_options(at)), \
        _document_options(at)
