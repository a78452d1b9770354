"""The publish page's guards by AppTest (issue 16): a draft begun before another's
publication is stopped and merged; failing examples block unless the admin overrides
them with a reason; a rollback from the history republishes an earlier version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import publications
from tests.studio.authoring import IBR, draft, go, matter_file, on_matter, texts


def store(workspace: Path) -> TinyCaseStore:
    return TinyCaseStore(workspace / "var" / "store", prefix="FK")


def table(app: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in app.dataframe if column in d.value.columns]
    assert found, [list(d.value.columns) for d in app.dataframe]
    return found[0]


def publish(app: AppTest, note: str) -> None:
    app.text_input(key="publish_note").input(note)
    app.button(key="publish_button").click().run()
    assert not app.exception, app.exception


def publish_max_visits_zero(signed_in: Callable[..., AppTest]) -> AppTest:
    """ms_editor publishes ``max_visits: 0`` (v1)."""
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.number_input(key="basic_max_visits").set_value(0).run()
    go(app, "publish.py")
    publish(app, "最多跑0次")
    assert "已发布 Published XX-MS-0001 · 第 1 版" in app.success[0].value
    return app


def test_the_second_of_two_editors_is_stopped_and_merges(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    admin = on_matter(signed_in, "admin", "editor.py")
    admin.text_input(key="field_label_zh").input("申请人身份").run()  # the admin's draft
    assert draft(workspace, "admin").exists()
    publish_max_visits_zero(signed_in)

    go(admin, "publish.py")
    assert "ms_editor 于" in admin.error[0].value and "不能发布" in admin.error[0].value
    three = table(admin, "谁改的 Changed by")
    assert three[["属性 Attribute", "起点 Base", "已发布 Published", "我的草稿 Mine",
                  "谁改的 Changed by"]].values.tolist() == [
        ["max_visits", "1", "0", "1", "对方 Theirs"],
        ["label", "申请方式", "申请方式", "申请人身份", "我的 Mine"]]
    publish(admin, "改标签")
    assert "发布被拒绝 Refused：此草稿开始编辑后，ms_editor 于" in admin.error[-1].value
    assert "published as v1 by ms_editor" in admin.error[-1].value
    assert "max_visits: 0" in matter_file(workspace).read_text(encoding="utf-8")
    assert len(publications(store(workspace), IBR)) == 1

    admin.button(key="merge_button").click().run()
    assert "已合并" in admin.success[0].value
    assert not [d for d in admin.dataframe if "谁改的 Changed by" in d.value.columns]
    assert table(admin, "属性 Attribute")[["属性 Attribute", "现在 After"]].values.tolist() \
        == [["label", "申请人身份"]]  # against v1 now: only the admin's change
    publish(admin, "改标签")
    assert "第 2 版" in admin.success[0].value
    text = matter_file(workspace).read_text(encoding="utf-8")
    assert "max_visits: 0" in text and "申请人身份" in text


def test_a_value_both_changed_is_chosen_before_merging(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    admin = on_matter(signed_in, "admin", "editor.py")
    admin.number_input(key="basic_max_visits").set_value(2).run()
    publish_max_visits_zero(signed_in)
    go(admin, "publish.py")
    rows = table(admin, "谁改的 Changed by")
    assert rows["谁改的 Changed by"].tolist() == ["⚠️ 双方不同 Both, differently"]
    pick = admin.radio(key="merge_pick_0")
    assert pick.value == "theirs" and pick.label == "max_visits（起点 base：1）"
    pick.set_value("mine").run()
    admin.button(key="merge_button").click().run()
    assert "max_visits: 2" in draft(workspace, "admin").read_text(encoding="utf-8")
    publish(admin, "最多跑2次（与 ms_editor 商定）")
    assert "第 2 版" in admin.success[0].value


def test_failing_examples_block_an_editor_and_the_admin_overrides_with_a_reason(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "editor.py")
    app.number_input(key="basic_committed").set_value(2).run()  # three deadlines move
    go(app, "publish.py")
    assert "7 个示例中有 3 个未通过，不能发布" in texts(app)
    assert len(table(app, "问题 Problem")) == 3
    assert not [c for c in app.checkbox if c.key == "publish_override"]
    assert "只有中心管理员可以在示例未通过时发布" in texts(app)
    publish(app, "承诺时限改为2日")
    assert app.error[-1].value.startswith(
        "发布被拒绝 Refused：XX-MS-0001 的 7 个示例中有 3 个未通过: 3 of 7 examples of XX-MS-0001 "
        "fail（修正草稿或示例")
    assert publications(store(workspace), IBR) == []

    admin = on_matter(signed_in, "admin", "editor.py")
    admin.number_input(key="basic_committed").set_value(2).run()
    go(admin, "publish.py")
    admin.checkbox(key="publish_override").check().run()
    publish(admin, "承诺时限改为2日")
    assert "示例未通过仍要发布，须写明理由" in admin.error[-1].value  # no reason yet
    reason = "市政府通知：承诺时限即日起改为2个工作日，示例下周更新"
    admin.text_area(key="publish_override_reason").input(reason)
    publish(admin, "承诺时限改为2日")
    assert "理由已记入审计" in admin.success[0].value
    [entry] = [a for a in store(workspace).audit() if a.get("kind") == "publish"]
    assert entry["actor"] == "admin" and entry["override"]["reason"] == reason
    assert entry["override"]["failed"] == 3
    history = table(admin, "示例 Examples")
    assert history["示例 Examples"].tolist() == [f"⚠️ 未通过仍发布 overridden：{reason}"]
    assert table(admin, "强制发布理由 Override reason")[
        "强制发布理由 Override reason"].tolist() == [reason]


def test_a_rollback_from_the_history_is_a_new_version_with_the_old_content(
        workspace: Path, signed_in: Callable[..., AppTest]) -> None:
    original = matter_file(workspace).read_text(encoding="utf-8")
    app = on_matter(signed_in, "ms_editor", "publish.py")
    assert not [s for s in app.selectbox if s.key == "rollback_pick"]  # nothing to go back to
    publish(app, "首次发布 first version")
    assert "没有可回滚的早期版本" in texts(app)  # v1 is the current content
    go(app, "editor.py")
    app.number_input(key="basic_max_visits").set_value(0).run()
    go(app, "publish.py")
    publish(app, "最多跑0次")
    v1, v2 = publications(store(workspace), IBR)

    assert app.selectbox(key="rollback_pick").options == ["v1 · " + app.selectbox(
        key="rollback_pick").options[0].split(" · ", 1)[1]]
    rollback = [d.value for d in app.dataframe if "原来 Before" in d.value.columns][-1]
    assert rollback[["属性 Attribute", "原来 Before", "现在 After"]].values.tolist() == [
        ["max_visits", "0", "1"]]  # what the rollback changes
    app.button(key="rollback_button").click().run()
    assert "needs a note" in app.error[-1].value and "回滚被拒绝" in app.error[-1].value
    app.text_input(key="rollback_note").input("0次跑动未获批准，恢复第1版")
    app.button(key="rollback_button").click().run()
    assert not app.exception
    assert "已回滚 Rolled back XX-MS-0001：v1 的内容已发布为第 3 版" in app.success[0].value

    v3 = publications(store(workspace), IBR)[-1]
    assert (v3.number, v3.hash, v3.rollback_of) == (3, v1.hash, v1.hash)
    assert matter_file(workspace).read_text(encoding="utf-8") == original
    entry = [a for a in store(workspace).audit() if a.get("kind") == "publish"][-1]
    assert (entry["rollback_of"], entry["previous"], entry["note"]) == (
        v1.hash, v2.hash, "0次跑动未获批准，恢复第1版")
    history = table(app, "类型 Kind")
    assert history[["版本 Version", "类型 Kind"]].values.tolist() == [
        ["v3", "回滚 rollback → v1"], ["v2", "发布 published"], ["v1", "发布 published"]]
