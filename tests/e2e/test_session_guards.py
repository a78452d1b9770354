"""In a real browser: six wrong passwords are throttled; an idle session ends and the same
page opens again after the sign-in; the account and users pages change passwords and
users, and a disabled user cannot sign in.

Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Studio

SIGNIN = "formkit · 登录 Sign in"


def expect_sign_in_form(studio: Studio) -> None:
    """The sign-in page drawn in full (its fields are drawn a moment after the frame)."""
    expect(studio.page.get_by_role("heading", name=SIGNIN)).to_be_visible()
    expect(studio.text_input("用户名 Username")).to_be_visible()
    expect(studio.text_input("密码 Password")).to_be_visible()


def log_events(workspace: Path) -> list[dict[str, object]]:
    text = (workspace / "var" / "security.log").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_six_wrong_passwords_are_throttled(studio: Studio, workspace: Path,
                                           shot: Callable[[str], Path]) -> None:
    page = studio.page
    alert = page.get_by_test_id("stAlertContentError")
    for i in range(5):
        studio.sign_in("admin", password=f"wrong-{i}")
        expect(alert).to_contain_text("用户名或密码错误")
        if i == 2:
            expect(alert).to_contain_text("再错 2 次须等待后再试")
            shot("third-wrong-password-warns")
    expect(alert).to_contain_text("失败次数过多，请 1 分钟后再试")
    studio.sign_in("admin", password="wrong-5")
    expect(alert).to_have_text("登录失败次数过多，请 1 分钟后再试。"
                               "Too many failed sign-ins: try again in 1 min.")
    expect_sign_in_form(studio)
    shot("sixth-attempt-throttled")

    # The right password is refused as well until the wait is over.
    studio.sign_in("admin")
    expect(alert).to_contain_text("登录失败次数过多")
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    events = [e["event"] for e in log_events(workspace)]
    assert events == ["signin-failed"] * 5 + ["signin-locked"] + ["signin-throttled"] * 2
    assert all(e["username"] == "admin" for e in log_events(workspace))
    server_log = (studio.output_dir / "server.log").read_text("utf-8")
    assert "too many failed sign-ins: name 'admin'" in server_log


class TestIdleExpiry:
    """A studio whose sessions end after 6 idle seconds (FORMKIT_SESSION_IDLE_MINUTES)."""

    @pytest.fixture(autouse=True)
    def _short_idle(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # Autouse: set before the studio server (which copies os.environ) starts.
        monkeypatch.setenv("FORMKIT_SESSION_IDLE_MINUTES", "0.1")

    def test_an_idle_session_ends_and_the_page_opens_again_after_sign_in(
            self, studio: Studio, shot: Callable[[str], Path]) -> None:
        page = studio.page
        studio.sign_in("supervisor")
        studio.go("事项目录 Catalog")
        expect(page).to_have_url(re.compile(r"/catalog$"))
        expect(page.get_by_test_id("stSidebar")).to_contain_text("闲置 0.1 分钟后自动退出")
        time.sleep(3)
        page.reload()
        studio.wait_idle()
        expect(page.get_by_test_id("stSidebar")).to_contain_text("效能监察员")  # 3 s: kept
        time.sleep(7.5)
        page.reload()
        studio.wait_idle()
        expect_sign_in_form(studio)
        expect(page).to_have_url(re.compile(r"/catalog$"))
        expect(page.get_by_test_id("stAlertContentInfo")).to_have_text(
            "登录已超时或已失效，请重新登录。Your session has ended (idle too long, or "
            "signed out); please sign in again.")
        shot("idle-session-ended")
        studio.sign_in("supervisor")
        expect(page).to_have_url(re.compile(r"/catalog$"))
        expect(page.get_by_test_id("stMain")).to_contain_text("事项目录")
        shot("back-on-the-catalog")

    def test_an_idle_tab_is_signed_out_at_its_next_click(
            self, studio: Studio, shot: Callable[[str], Path]) -> None:
        page = studio.page
        studio.sign_in("clerk")
        studio.go("事项目录 Catalog")
        time.sleep(7.5)
        studio.go("综合窗口 Window")
        expect_sign_in_form(studio)
        expect(page.get_by_test_id("stAlertContentInfo")).to_contain_text("登录已超时")
        shot("idle-tab-signed-out")


def test_a_user_changes_their_own_password(studio: Studio,
                                           shot: Callable[[str], Path]) -> None:
    page = studio.page
    studio.sign_in("ms_officer")
    studio.go("账号 Account")
    expect(page.get_by_role("heading", name="账号 Account")).to_be_visible()
    expect(page.get_by_test_id("stMain")).to_contain_text("市场监管局审批员")
    shot("account-page")
    studio.fill("当前密码 Current password", "officer123", commit=False)
    studio.fill("新密码 New password（至少 8 个字符 at least 8 characters）", "short",
                commit=False)
    studio.fill("再次输入新密码 New password again", "short", commit=False)
    studio.click("修改密码 Change password")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("密码至少 8 个字符")
    shot("account-password-too-short")
    studio.fill("当前密码 Current password", "officer123", commit=False)
    studio.fill("新密码 New password（至少 8 个字符 at least 8 characters）",
                "river stone lamp", commit=False)
    studio.fill("再次输入新密码 New password again", "river stone lamp", commit=False)
    studio.click("修改密码 Change password")
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("密码已修改")
    shot("account-password-changed")

    studio.click("退出 Sign out")
    expect_sign_in_form(studio)
    studio.sign_in("ms_officer")
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("用户名或密码错误")
    studio.sign_in("ms_officer", password="river stone lamp")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("市场监管局审批员")


def test_the_admin_manages_users_and_a_disabled_user_cannot_sign_in(
        studio: Studio, open_studio: Callable[[str], Studio],
        shot: Callable[[str], Path]) -> None:
    page = studio.page
    studio.sign_in("admin")
    studio.go("用户管理 Users")
    expect(page.get_by_role("heading", name="用户管理 Users")).to_be_visible()
    studio.expect_frame_row_count("用户名 Username", 6)
    shot("users-page")

    page.get_by_text("➕ 新建用户 New user").click()
    studio.fill("用户名 Username（如 e.g. zhang.san）", "wang.wu", commit=False)
    studio.fill("姓名 Name（中文）", "王五", commit=False)
    studio.fill("临时密码 Temporary password（至少 8 个字符）", "first day words",
                commit=False)
    studio.click("创建用户 Create user")
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("已创建用户 wang.wu")
    studio.expect_frame_row_count("用户名 Username", 7)
    shot("user-created")

    # The clerk works in another browser meanwhile.
    newcomer = open_studio("clerk")
    newcomer.sign_in("clerk")
    expect(newcomer.page.get_by_test_id("stSidebar")).to_contain_text("综合窗口受理员")

    studio.select("用户 User", "综合窗口受理员（clerk）")
    page.get_by_text("停用此账号 Disable this account").click()
    studio.click("保存 Save")
    expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("已保存 clerk")
    shot("clerk-disabled")

    # The clerk's open tab is signed out at its next click; a new sign-in is refused.
    newcomer.go("事项目录 Catalog")
    expect_sign_in_form(newcomer)
    expect(newcomer.page.get_by_test_id("stAlertContentInfo")).to_contain_text("账号已停用")
    newcomer.sign_in("clerk")
    expect(newcomer.page.get_by_test_id("stAlertContentError")).to_contain_text(
        "此账号已停用")
    newcomer.shot("disabled-clerk-refused")

    first = open_studio("first-sign-in")
    first.sign_in("wang.wu", password="first day words")
    expect(first.page.get_by_role("heading", name="账号 Account")).to_be_visible()
    expect(first.page.get_by_test_id("stAlertContentWarning")).to_contain_text(
        "请先设置您自己的密码")
    first.shot("first-sign-in-must-choose-password")
