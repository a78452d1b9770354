"""The publish page by AppTest: never a broken matter; diff, history, audit and impact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from formkit.cases.service import CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from formkit.intake.examples import submission_of
from tests.studio.authoring import codes, draft, go, matter_file, on_matter, texts


def table(app: AppTest, column: str) -> pd.DataFrame:
    """The page's table that has ``column``."""
    found = [d.value for d in app.dataframe if column in d.value.columns]
    assert found, [list(d.value.columns) for d in app.dataframe]
    return found[0]


def store(workspace: Path) -> TinyCaseStore:
    return TinyCaseStore(workspace / "var" / "store", prefix="FK")


def publish(app: AppTest, note: str) -> None:
    app.text_input(key="publish_note").input(note)
    app.button(key="publish_button").click().run()
    assert not app.exception


def test_a_broken_draft_is_refused_then_published_once_fixed(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.text_input(key="field_label_zh").input("申请人身份").run()
    app.radio(key="field_pick").set_value("business_name").run()
    app.radio(key="field_visible_mode").set_value("when").run()
    app.text_input(key="field_visible").input("flor_area > 100").run()
    go(app, "publish.py")
    assert "不能发布" in app.error[0].value
    publish(app, "名称可选")
    assert "发布被拒绝" in app.error[-1].value
    assert any("hint: did you mean 'floor_area'?" in c and "^^^^^^^^^" in c for c in codes(app))
    assert store(workspace).versions("XX-MS-0001") == []
    assert "flor_area" not in matter_file(workspace).read_text(encoding="utf-8")

    go(app, "editor.py")
    app.text_input(key="field_visible").input("floor_area > 100").run()
    go(app, "publish.py")
    assert "整个目录检查通过" in app.success[0].value
    diff = table(app, "属性 Attribute")
    assert {(r["项目 Item"], r["属性 Attribute"], r["现在 After"])
            for _, r in diff.iterrows()} == {("applicant_role", "label", "申请人身份"),
                                             ("business_name", "visible", "floor_area > 100")}
    publish(app, "")  # a publication needs a note
    assert "needs a note" in app.error[-1].value
    publish(app, "申请方式改名；名称在面积大于100时显示")
    assert "已发布 Published XX-MS-0001" in app.success[0].value
    versions = [v for v in store(workspace).versions("XX-MS-0001") if v["published"]]
    assert [(v["published_by"], v["note"]) for v in versions] == [
        ("ms_editor", "申请方式改名；名称在面积大于100时显示")]
    audit = [a for a in store(workspace).audit() if a.get("kind") == "publish"]
    assert [(a["code"], a["actor"], a["hash"]) for a in audit] == [
        ("XX-MS-0001", "ms_editor", versions[0]["hash"])]
    assert "floor_area > 100" in matter_file(workspace).read_text(encoding="utf-8")
    assert not draft(workspace, "ms_editor").exists()
    history = table(app, "发布人 By")
    assert list(history["说明 Note"]) == ["申请方式改名；名称在面积大于100时显示"]
    assert "没有新的修改可发布" in texts(app)  # the file is v1 now
    go(app, "editor.py")
    app.number_input(key="basic_max_visits").set_value(0).run()
    go(app, "publish.py")
    assert app.text_input(key="publish_note").value == ""  # not offered for the next one


def test_history_shows_the_diff_of_two_versions(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "publish.py")
    publish(app, "首次发布 first version")
    go(app, "editor.py")
    app.number_input(key="basic_max_visits").set_value(0).run()
    go(app, "publish.py")
    assert "上一发布版本" in texts(app)  # the diff is now against the published version
    assert table(app, "属性 Attribute")["现在 After"].tolist() == ["0"]
    publish(app, "最多跑0次")
    assert len(store(workspace).versions("XX-MS-0001")) == 2
    diff = table(app, "属性 Attribute")  # the history's: from the older to the newer
    assert diff[["属性 Attribute", "原来 Before", "现在 After"]].values.tolist() == [
        ["max_visits", "1", "0"]]
    versions = app.selectbox(key="hist_from").options
    app.selectbox(key="hist_from").set_value(app.selectbox(key="hist_to").value).run()
    assert "没有变化 No change" in texts(app)
    assert len(versions) == 2


def test_the_impact_report_lists_open_cases_treated_differently(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    opened = open_catalog(workspace / "definitions")
    rules = opened.rules_of("XX-MS-0001")
    assert rules is not None
    example = next(e for e in rules.matter.tests if "tolerated" in e.name)
    cases = CaseService(store(workspace), opened.work_calendar(),
                        now=lambda: dt.datetime(2026, 9, 29, 9, 0))
    case = cases.receive(rules, snapshot_for_case(cases.store, opened, "XX-MS-0001"),
                         example.fields, [HandedIn(**m) for m in submission_of(example)[
                             "materials"]], actor="clerk")
    assert case.state == "accepted"

    app = on_matter(signed_in, "ms_editor", "publish.py")
    assert "No open case would be treated differently" in texts(app)
    go(app, "editor.py")
    app.button(key="material_edit_3").click().run()  # the material form, filled
    app.checkbox(key="mf_tolerable").uncheck()
    next(b for b in app.button if b.label == "💾 保存修改 Save").click().run()
    assert not app.exception, app.exception
    go(app, "publish.py")
    impact = table(app, "案件 Case")
    assert impact.values.tolist()[0][:4] == [case.number, "accepted", "accept_with_tolerance",
                                             "incomplete"]
    assert "1 件在办件会受到不同处理" in texts(app)


def test_an_editor_cannot_publish_another_departments_matter(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ps_editor", "publish.py")
    assert "您只能编辑本部门" in app.error[0].value
    assert not [b for b in app.button if b.key == "publish_button"]
    assert store(workspace).versions("XX-MS-0001") == []
