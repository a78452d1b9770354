"""In a real browser: a sign-in survives a reload, a bookmark and a new tab; every address
answers in Chinese; sign-out ends the session everywhere.

Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Studio

SIGNIN = "formkit · 登录 Sign in"
COOKIE = "formkit_session"


def reload(studio: Studio) -> None:
    studio.page.reload()
    expect(studio.page.locator('[data-testid="stApp"]')).to_be_visible()
    studio.wait_idle()


def session_cookie(studio: Studio) -> dict[str, object] | None:
    return next((c for c in studio.page.context.cookies() if c["name"] == COOKIE), None)


def expect_no_english_not_found(studio: Studio) -> None:
    expect(studio.page.get_by_text("Page not found", exact=True)).to_have_count(0)
    expect(studio.page.get_by_text(re.compile("no corresponding file"))).to_have_count(0)


def test_a_reload_keeps_the_user_signed_in_and_on_the_same_page(
        studio: Studio, shot: Callable[[str], Path]) -> None:
    page = studio.page
    studio.sign_in("ms_editor")
    studio.go("预览 Preview")
    expect(page).to_have_url(re.compile(r"/preview$"))
    heading = page.get_by_test_id("stMain").get_by_role("heading").first
    expect(heading).to_be_visible()
    title = heading.inner_text()
    shot("preview-before-reload")

    cookie = session_cookie(studio)
    assert cookie is not None
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert "editor123" not in str(cookie["value"]) and "ms_editor" not in str(cookie["value"])
    assert len(str(cookie["value"])) >= 43

    reload(studio)
    expect(page).to_have_url(re.compile(r"/preview$"))
    expect(page.get_by_role("heading", name=SIGNIN)).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("市场监管局编辑")
    expect(page.get_by_test_id("stMain").get_by_role("heading").first).to_have_text(title)
    studio.expect_no_exception()
    expect_no_english_not_found(studio)
    shot("preview-after-reload")

    # A typed address in the same browser opens that page, still signed in.
    studio.open("/publish")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("市场监管局编辑")
    expect(page.get_by_role("heading", name=SIGNIN)).to_have_count(0)
    shot("typed-address-publish")


def test_a_bookmarked_page_signs_in_there_and_then_opens_it(
        studio: Studio, shot: Callable[[str], Path]) -> None:
    page = studio.page
    studio.open("/examples")
    expect(page.get_by_role("heading", name=SIGNIN)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/examples$"))
    expect_no_english_not_found(studio)
    shot("bookmark-asks-for-sign-in")

    studio.sign_in("ms_editor")
    expect(page).to_have_url(re.compile(r"/examples$"))
    expect(page.get_by_role("heading", name=SIGNIN)).to_have_count(0)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("市场监管局编辑")
    expect(page.get_by_test_id("stMain")).to_contain_text("示例")
    studio.expect_no_exception()
    expect_no_english_not_found(studio)
    shot("bookmark-opened-after-sign-in")


def test_an_unknown_address_says_so_in_chinese_with_a_way_back(
        studio: Studio, shot: Callable[[str], Path]) -> None:
    page = studio.page
    studio.open("/no-such-page")
    expect(page.get_by_role("heading", name="页面不存在 Page not found")).to_be_visible()
    expect_no_english_not_found(studio)
    shot("not-found-signed-out")
    studio._rerun(lambda: page.get_by_role("link", name=re.compile("返回首页")).click())
    expect(page.get_by_role("heading", name=SIGNIN)).to_be_visible()

    studio.sign_in("clerk")
    studio.open("/nonsense")
    expect(page.get_by_role("heading", name="页面不存在 Page not found")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("综合窗口受理员")
    expect_no_english_not_found(studio)
    shot("not-found-signed-in")

    # A page of another role: said so, not run.
    studio.open("/editor")
    expect(page.get_by_role("heading", name="无权访问 Not open to your role")).to_be_visible()
    expect_no_english_not_found(studio)
    shot("not-open-to-the-clerk")
    studio._rerun(lambda: page.get_by_role("link", name=re.compile("返回首页")).click())
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("stMain")).to_contain_text("综合窗口")


def test_sign_out_ends_the_session_for_a_reload_and_for_the_old_cookie(
        studio: Studio, shot: Callable[[str], Path]) -> None:
    page = studio.page
    studio.sign_in("supervisor")
    cookie = session_cookie(studio)
    assert cookie is not None
    studio.click("退出 Sign out")
    expect(page.get_by_role("heading", name=SIGNIN)).to_be_visible()
    page.wait_for_function(f"!document.cookie.includes('{COOKIE}=')")
    reload(studio)
    expect(page.get_by_role("heading", name=SIGNIN)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentInfo")).to_have_count(0)  # no "expired"
    # The old token, put back by hand, opens nothing.
    page.context.add_cookies([{"name": COOKIE, "value": str(cookie["value"]),
                               "domain": "127.0.0.1", "path": "/"}])
    reload(studio)
    expect(page.get_by_role("heading", name=SIGNIN)).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)
    shot("signed-out-old-cookie-refused")
