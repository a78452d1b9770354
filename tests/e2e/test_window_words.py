"""In a real browser (issue 17, item 1): the window's materials checklist says why a
material is required in the form's own words, never in rule text or ids.

The clerk takes an individual business registration (XX-MS-0001) in owned premises,
applied for by an agent: the title certificate is required "because 经营场所使用情况为
自有产权", the power of attorney "because 申请方式为委托代理人申请", and the lease
contract is not required now, "only when 经营场所使用情况为租用". The screenshot of the
checklist is kept as ``docs/screenshots/window-plain-words.png``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Studio

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screenshots" / "window-plain-words.png"
# the search box, by the start of its label (the page may name more ways to search)
FIND = re.compile(r"^查找事项 Find a matter")
MATTER = "个体工商户设立登记（XX-MS-0001）"
# rule text or an id: a snake_case name, an operator, a bare field or option id (the
# materials' English names, "Title certificate of the premises", may stay)
RULE_TEXT = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b|==|!=|\bbecause\b|\btrue\b|\bfalse\b|"
                       r"\bpremises\b(?! *[)）\n])|\bowned\b|\brented\b")


def test_the_checklist_says_why_in_the_forms_words(
        open_studio: Callable[[str], Studio], output_dir: Path) -> None:
    clerk = open_studio("clerk")
    page = clerk.page
    clerk.sign_in("clerk")
    expect(page.get_by_role("heading", name=re.compile("综合窗口$"))).to_be_visible()
    find = page.get_by_label(FIND)
    find.fill("个体工商户设立")
    clerk._rerun(lambda: find.press("Tab"))
    expect(page.get_by_role("combobox", name=re.compile(r"^事项 Matter"))).to_have_value(MATTER)
    clerk.select("申请方式 Who applies *", "委托代理人申请 An authorised agent")
    clerk.select("经营场所使用情况 Use of the premises *", "自有产权 Owned")

    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("因为经营场所使用情况为自有产权")
    expect(main).to_contain_text("因为申请方式为委托代理人申请")
    expect(main).to_contain_text("所有申请均需提交")
    others = clerk.expander("本次无需提交的材料", "经营场所租赁合同")
    expect(others).to_contain_text(
        "经营场所租赁合同：本次无需提交（经营场所使用情况为租用时才需提交）")
    expect(others).to_contain_text("组成形式为家庭经营时才需提交")

    checklist = page.get_by_role("heading", name="材料清单 Materials checklist")
    expect(checklist).to_be_visible()
    # every reason the checklist gives: its captions and the list of the others
    reasons = [*main.get_by_test_id("stCaptionContainer").all_inner_texts(),
               *others.get_by_test_id("stMarkdownContainer").all_inner_texts()]
    assert any("因为" in r for r in reasons), reasons
    bad = [r for r in reasons if RULE_TEXT.search(r)]
    assert not bad, bad
    clerk.expect_no_exception()

    # the checklist scrolls in its own box: bring the title certificate's reason into view
    certificate = main.get_by_text(re.compile(r"^\d+\. 经营场所产权证明")).first
    shot = clerk.shot("window-plain-words", focus=certificate)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT)
