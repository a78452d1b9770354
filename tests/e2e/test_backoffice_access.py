"""In real browsers (issue #16, item 11): an officer of one department cannot open
another's case. The market-supervision officer types a public-security case's number:
the page refuses in Chinese and shows nothing of the case, and the audit trail has the
refused read; the public-security officer (added to this test's own users file) opens
it; the supervisor's monitor lists the refused read. Screenshots go to
``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from formkit.cases.tinystore import TinyCaseStore
from tests.e2e.conftest import Studio
from tests.studio.test_backoffice_access import APPLICANT, add_user, receive_id_card
from tests.studio.test_window import receive_food

REFUSED = "无权查看 Access refused：该案件不属于本部门，无权查看；本次查看已记录"
RESTAURANT = "新兴县禾丰餐饮管理有限公司"
PICK = "打开案件 Open a case from the list"


def refused_reads(workspace: Path) -> list[dict[str, object]]:
    store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
    return [e for e in store.audit() if e.get("kind") == "refused_read"]


def open_number(studio: Studio, number: str) -> None:
    studio.fill("按编号查找 Case number", number)
    studio.click("打开 Open")


def test_an_officer_of_one_department_cannot_open_anothers_case(
        open_studio: Callable[[str], Studio], workspace: Path) -> None:
    add_user(workspace, "ps_officer", "officer", "public_security", "公安局审批员")
    card = receive_id_card(workspace)  # public security: 居民身份证换领
    food = receive_food(workspace, ["application_form", "layout_plan", "safety_rules"])

    # ================================================================ market supervision
    ms = open_studio("ms_officer")
    ms.sign_in("ms_officer")
    page = ms.page
    expect(page.get_by_role("heading", name="后台审批 Back office")).to_be_visible()
    options = ms.selectbox_options(PICK)  # the queue: its own department's cases only
    assert [o.split(" · ")[0] for o in options] == [food.number], options
    open_number(ms, card.number)
    refusal = ms.alert("error", REFUSED)
    expect(refusal).to_be_visible()
    main = page.get_by_test_id("stMain")
    for hidden in (APPLICANT, "居民身份证", "申请表 Answers", "历史 History",
                   "public_security", "other-department"):
        expect(main).not_to_contain_text(hidden)
    expect(page.get_by_test_id("stMetric").filter(has_text="状态 State")).to_have_count(0)
    ms.expect_no_exception()
    ms.shot("ms-officer-refused", focus=refusal)
    assert [(e["number"], e["actor"], e["department"]) for e in refused_reads(workspace)] \
        == [(card.number, "ms_officer", "market_supervision")]
    # a rerun (another click) does not read the case again
    decide = page.get_by_role("radio", name="待决定（0）")
    ms._rerun(decide.click)
    expect(decide).to_be_checked()
    expect(refusal).to_be_visible()
    assert len(refused_reads(workspace)) == 1
    # its own case opens as before
    open_number(ms, food.number)
    expect(page.get_by_role("heading", name=re.compile(food.number))).to_be_visible()
    expect(main).to_contain_text(RESTAURANT)
    expect(refusal).to_have_count(0)
    ms.shot("ms-officer-own-case", focus=page.get_by_role("heading",
                                                           name=re.compile(food.number)))

    # ================================================================ public security
    ps = open_studio("ps_officer")
    ps.sign_in("ps_officer", "officer123")
    expect(ps.page.get_by_test_id("stSidebar")).to_contain_text("审批 Officer · 公安局")
    open_number(ps, food.number)
    expect(ps.alert("error", REFUSED)).to_be_visible()
    expect(ps.page.get_by_test_id("stMain")).not_to_contain_text(RESTAURANT)
    open_number(ps, card.number)
    heading = ps.page.get_by_role("heading", name=re.compile(card.number))
    expect(heading).to_be_visible()
    expect(ps.page.get_by_test_id("stMain")).to_contain_text(APPLICANT)
    ps.expect_no_exception()
    ps.shot("ps-officer-own-case", focus=heading)
    assert [(e["number"], e["actor"]) for e in refused_reads(workspace)] == [
        (card.number, "ms_officer"), (food.number, "ps_officer")]

    # ================================================================ the supervisor
    sup = open_studio("supervisor")
    sup.sign_in("supervisor")
    expect(sup.page.get_by_role("heading", name="效能监察 Monitor")).to_be_visible()
    toggle = sup.page.get_by_test_id("stCheckbox").filter(has_text="显示本区间的越权查看记录")
    sup._rerun(lambda: toggle.locator("label").click())
    sup.expect_frame_row_count("人员 Person", 2)
    rows = sup.frame_rows("人员 Person")
    assert [(r["人员 Person"], r["所属部门 Their department"], r["案件编号 Case"])
            for r in rows] == [("公安局审批员", "公安局", food.number),
                               ("市场监管局审批员", "市场监督管理局", card.number)], rows
    sup.expect_no_exception()
    sup.shot("supervisor-refused-reads", focus=sup.page.get_by_role(
        "heading", name=re.compile("^越权查看记录")))
