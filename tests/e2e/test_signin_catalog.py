"""In a real browser: sign in, see the catalog of the sample matters, filter it.

Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Studio

DEPT = "部门 Department"


def test_admin_signs_in_and_filters_the_catalog_by_department(
        studio: Studio, shot: Callable[[str], Path]) -> None:
    page = studio.page
    expect(page.get_by_role("heading", name="formkit · 登录 Sign in")).to_be_visible()
    shot("signin")

    studio.sign_in("admin")
    expect(page.get_by_role("heading", name="新兴县行政服务中心 · 事项目录")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("中心管理员")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("admin")
    # the matters' table first; the bundles' tables (高效办成一件事) follow it
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    studio.expect_no_exception()

    everything = int(studio.metric("事项 Matters"))
    assert everything >= 15
    studio.expect_table_row_count(everything)
    first_rows = studio.table_rows()
    assert first_rows and all(r["编码 Code"].startswith("XX-") for r in first_rows)
    assert "内地居民结婚登记" in [r["事项名称 Matter"] for r in first_rows]
    shot("catalog-all")

    options = studio.selectbox_options(DEPT)
    assert options[0] == "全部 All" and "市场监督管理局" in options
    studio.select(DEPT, "市场监督管理局")
    expect(page.get_by_role("combobox", name=DEPT)).to_have_value("市场监督管理局")
    expect(studio.metric_value("部门 Departments")).to_have_text("1")
    narrowed = int(studio.metric("事项 Matters"))
    assert 0 < narrowed < everything
    studio.expect_table_row_count(narrowed)
    rows = studio.table_rows()
    assert len(rows) == narrowed  # a few rows: every one is drawn
    assert {r[DEPT] for r in rows} == {"市场监督管理局"}
    assert "个体工商户设立登记" in [r["事项名称 Matter"] for r in rows]
    shot("catalog-market-supervision")

    studio.fill("搜索 Search (名称 name / 编码 code)", "zzz-no-such-matter")
    expect(studio.metric_value("事项 Matters")).to_have_text("0")
    studio.expect_table_row_count(0)
    studio.expect_no_exception()
    shot("catalog-search-nothing")


def test_wrong_password_shows_the_error_and_stays_on_sign_in(
        studio: Studio, shot: Callable[[str], Path]) -> None:
    page = studio.page
    studio.sign_in("admin", password="not-the-password")
    alert = page.get_by_test_id("stAlertContentError")
    expect(alert).to_contain_text("用户名或密码错误")
    expect(page.get_by_role("heading", name="formkit · 登录 Sign in")).to_be_visible()
    expect(page.get_by_test_id("stMetric")).to_have_count(0)
    shot("wrong-password")
