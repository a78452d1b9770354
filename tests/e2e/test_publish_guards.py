"""In a real browser (issue 16): two editors publish the same matter and the second is
stopped, sees the three-way difference and merges; failing examples block publishing
until the admin overrides them with a reason; a rollback from the history.

Matter XX-MS-0001 (个体工商户设立登记). Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, expect

from tests.e2e.conftest import Studio

MATTER = "XX-MS-0001 · 个体工商户设立登记"
LABEL_ZH = "标签（中文）Label (Chinese)"
MAX_VISITS = "到办事现场次数 Max visits"
COMMITTED = "承诺办结时限 Committed days（0 = 即办 on the spot）"
NOTE = "修改说明 Note（必填 required）"
PUBLISH = "🚀 发布 Publish"
MERGE = "🔀 合并到当前版本 Merge onto the current version"
CLEAN_DRAFT = "检查通过 No errors · 草稿 draft"
CHANGED_BY = "谁改的 Changed by"
ROLLBACK = "↩️ 回滚到早期版本 Roll back to an earlier version"


def matter_file(workspace: Path) -> Path:
    return workspace / "definitions" / "market_supervision" / \
        "individual_business_registration.yaml"


def open_matter(studio: Studio, username: str) -> None:
    """Sign in as ``username`` and open the matter in the editor."""
    studio.sign_in(username)
    studio.go("编辑 Editor")
    studio.select("事项 Matter", MATTER)


def edit_number(studio: Studio, label: str, value: int) -> None:
    studio.fill(label, str(value))
    expect(studio.alert("success", CLEAN_DRAFT)).to_be_visible()


def heading(studio: Studio, text: str) -> Locator:
    return studio.page.get_by_role("heading", name=text)


def test_two_editors_publish_the_same_matter_and_the_second_is_stopped(
        open_studio: Callable[[str], Studio], workspace: Path) -> None:
    # ---- the admin begins a draft and opens the publish page
    admin = open_studio("admin")
    open_matter(admin, "admin")
    admin.tab("表单 Fields")
    admin.fill(LABEL_ZH, "申请人身份")
    expect(admin.alert("success", CLEAN_DRAFT)).to_be_visible()
    admin.go("发布 Publish")
    expect(admin.alert("success", "整个目录检查通过")).to_be_visible()
    # The draft records the matter as it stood (the file, never published) as its base.
    admin.expect_text("此草稿始于 This draft began from：目录中未发布的文件")
    admin.shot("admin-ready-to-publish")

    # ---- meanwhile ms_editor publishes max_visits: 0
    ms = open_studio("ms_editor")
    open_matter(ms, "ms_editor")
    edit_number(ms, MAX_VISITS, 0)
    ms.go("发布 Publish")
    ms.fill(NOTE, "最多跑0次")
    ms.click(PUBLISH)
    expect(ms.alert("success", "已发布 Published XX-MS-0001 · 第 1 版")).to_be_visible()
    ms.shot("ms-editor-published-first")
    assert "max_visits: 0" in matter_file(workspace).read_text(encoding="utf-8")

    # ---- the admin, on the page as it was, publishes: stopped
    admin.fill(NOTE, "申请方式改为申请人身份", commit=False)
    admin.click(PUBLISH)
    refused = admin.alert("error", "发布被拒绝")
    expect(refused).to_contain_text("此草稿开始编辑后，ms_editor 于")
    expect(refused).to_contain_text("published as v1 by ms_editor")
    expect(admin.alert("error", "因此不能发布")).to_contain_text("ms_editor 于")
    admin.expect_no_exception()
    assert "max_visits: 0" in matter_file(workspace).read_text(encoding="utf-8")
    admin.expect_frame_row_count(CHANGED_BY, 2)
    rows = admin.frame_rows(CHANGED_BY)
    assert [(r["属性 Attribute"], r["起点 Base"], r["已发布 Published"], r["我的草稿 Mine"],
             r[CHANGED_BY]) for r in rows] == [
        ("max_visits", "1", "0", "1", "对方 Theirs"),
        ("label", "申请方式", "申请方式", "申请人身份", "我的 Mine")], rows
    admin.shot("admin-stopped-three-way",
               focus=heading(admin, "⛔ 事项已有新版本 The matter changed since this draft began"))
    admin.shot("admin-stopped-refusal", focus=refused)

    # ---- merge onto v1, then publish
    admin.click(MERGE)
    expect(admin.alert("success", "已合并")).to_be_visible()
    expect(admin.page.get_by_text(CHANGED_BY)).to_have_count(0)
    admin.expect_frame_row_count("属性 Attribute", 1)
    assert admin.frame_rows("属性 Attribute")[0]["现在 After"] == "申请人身份"
    admin.shot("admin-merged")
    admin.fill(NOTE, "申请方式改为申请人身份")
    admin.click(PUBLISH)
    expect(admin.alert("success", "第 2 版 version 2")).to_be_visible()
    admin.expect_frame_row_count("发布人 By", 2)
    assert [r["发布人 By"] for r in admin.frame_rows("发布人 By")] == ["admin", "ms_editor"]
    admin.expect_no_exception()
    admin.shot("admin-published-after-merge",
               focus=heading(admin, "版本历史 Version history"))
    text = matter_file(workspace).read_text(encoding="utf-8")
    assert "max_visits: 0" in text and "label: {zh: 申请人身份, en: Who applies}" in text


def test_failing_examples_block_until_the_admin_overrides_with_a_reason(
        open_studio: Callable[[str], Studio], workspace: Path) -> None:
    ms = open_studio("ms_editor")
    open_matter(ms, "ms_editor")
    edit_number(ms, COMMITTED, 2)
    ms.go("发布 Publish")
    blocked = ms.alert("error", "7 个示例中有 3 个未通过，不能发布")
    expect(blocked).to_be_visible()
    ms.expect_frame_row_count("问题 Problem", 3)
    ms.expect_text("只有中心管理员可以在示例未通过时发布")
    ms.shot("editor-examples-fail", focus=heading(ms, "示例 Examples"))
    ms.fill(NOTE, "承诺时限改为2日")
    ms.click(PUBLISH)
    expect(ms.alert("error", "发布被拒绝 Refused：XX-MS-0001 的 7 个示例中有 3 个未通过")
           ).to_be_visible()
    ms.shot("editor-publish-refused", focus=heading(ms, "发布新版本 Publish a new version"))
    assert "committed_days: 1" in matter_file(workspace).read_text(encoding="utf-8")

    admin = open_studio("admin")
    open_matter(admin, "admin")
    edit_number(admin, COMMITTED, 2)
    admin.go("发布 Publish")
    admin.tick("示例未通过仍然发布 Publish despite the failing examples")
    reason = "市政府通知：承诺时限即日起改为2个工作日，示例下周更新"
    admin.fill("理由（记入审计记录）Reason (goes into the audit trail)", reason)
    admin.fill(NOTE, "承诺时限改为2日")
    admin.shot("admin-override-with-reason",
               focus=heading(admin, "发布新版本 Publish a new version"))
    admin.click(PUBLISH)
    expect(admin.alert("success", "理由已记入审计")).to_be_visible()
    admin.expect_frame_row_count("示例 Examples", 1)
    assert admin.frame_rows("示例 Examples")[0]["示例 Examples"].endswith(reason)
    admin.page.get_by_test_id("stExpander").filter(has_text="审计记录 Audit trail") \
        .locator("summary").click()
    admin.expect_frame_row_count("强制发布理由 Override reason", 1)
    assert admin.frame_rows("强制发布理由 Override reason")[0][
        "强制发布理由 Override reason"] == reason
    admin.expect_no_exception()
    admin.shot("admin-override-in-history", focus=heading(admin, "版本历史 Version history"))


def test_a_rollback_from_the_history(open_studio: Callable[[str], Studio],
                                     workspace: Path) -> None:
    original = matter_file(workspace).read_text(encoding="utf-8")
    ms = open_studio("ms_editor")
    ms.sign_in("ms_editor")
    ms.go("发布 Publish")
    ms.select("事项 Matter", MATTER)
    ms.fill(NOTE, "首次发布 first version")
    ms.click(PUBLISH)
    expect(ms.alert("success", "第 1 版")).to_be_visible()
    ms.go("编辑 Editor")
    edit_number(ms, MAX_VISITS, 0)
    ms.go("发布 Publish")
    ms.fill(NOTE, "最多跑0次")
    ms.click(PUBLISH)
    expect(ms.alert("success", "第 2 版")).to_be_visible()

    box = ms.expander(ROLLBACK, "回滚将带来的变化 What the rollback changes")
    ms.fill("回滚说明 Note（必填 required）", "0次跑动未获批准，恢复第1版")
    ms.shot("rollback-chosen", focus=box)
    ms.click("↩️ 回滚到 v1 Roll back to v1")
    expect(ms.alert("success", "已回滚 Rolled back XX-MS-0001：v1 的内容已发布为第 3 版")
           ).to_be_visible()
    ms.expect_frame_row_count("类型 Kind", 3)
    assert [(r["版本 Version"], r["类型 Kind"]) for r in ms.frame_rows("类型 Kind")] == [
        ("v3", "回滚 rollback → v1"), ("v2", "发布 published"), ("v1", "发布 published")]
    ms.expect_no_exception()
    ms.shot("rolled-back-history", focus=heading(ms, "版本历史 Version history"))
    assert matter_file(workspace).read_text(encoding="utf-8") == original
