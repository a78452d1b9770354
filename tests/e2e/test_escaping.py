"""In chromium (issue #16 item 10): a payload of markup in every text of a definition, and
in the answers, is shown as text on every page, never as markup.

The catalog is the sample one with the payload (``tests.studio.test_escaping.PAYLOAD``:
an ``<img onerror>``, an HTML link, a Markdown image and link, a ``<style>``, ``**bold**``,
``:red[...]``, ``$LaTeX$``) after every text: the centre, its departments and sections,
the users' names, and matter XX-MS-0001's name, result, basis, fields (labels, help,
placeholders, messages, options), materials (names, notes, standards), checks (refuse,
deny, warn), route step names, special procedure and examples. The answers (a text
field, the applicant's name) carry it too, and so do the officer's comments.

Each page is checked for what the payload would make as markup (``_MARKUP_JS``: an image
or a link to evil.example, the ``<style>``, ``<strong>粗体</strong>``, a coloured 红,
KaTeX) and for the payload shown as typed. The pages of the studio whose text is not
escaped yet are marked ``xfail(strict=True)`` with the file and what to change: they
pass, and then fail as XPASS, once it is fixed. Screenshots go to
``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from formkit.cases.service import CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from tests.e2e.conftest import ROOT, Studio
from tests.studio.test_escaping import (
    APPLICANT,
    MATTER,
    PAYLOAD,
    SCOPE_ANSWER,
    poison,
    poisoned,
)

# Every element the payload would make, if a page rendered it: found in ``root``.
_MARKUP_JS = """
(root) => {
  const found = [];
  const say = (why, e) => found.push(why + ': ' + e.outerHTML.slice(0, 160));
  for (const e of root.querySelectorAll('img')) {
    const src = e.getAttribute('src') || '';
    if (src === 'x' || src.includes('evil') || e.hasAttribute('onerror')) say('image', e);
  }
  for (const e of root.querySelectorAll('a')) {
    if ((e.getAttribute('href') || '').includes('evil')
        || ['点我', 'link'].includes(e.textContent.trim())) say('link', e);
  }
  for (const e of root.querySelectorAll('style')) {
    if (e.textContent.includes('display:none}')) say('style', e);
  }
  for (const e of root.querySelectorAll('strong, b, em, i')) {
    if (e.textContent.trim() === '粗体') say('bold', e);
  }
  for (const e of root.querySelectorAll('span, font')) {
    if (e.textContent.trim() === '红') say('colour', e);
  }
  for (const e of root.querySelectorAll('.katex, math')) say('latex', e);
  return found;
}
"""

_WORD_JOINER = "\u2060"


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """The sample catalog and rules with the payload in every text (``poison``)."""
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    poison(tmp_path / "definitions")
    return tmp_path


# ---------------------------------------------------------------- checks


def markup(page: Page, where: str = '[data-testid="stMain"]') -> list[str]:
    """What the payload made as markup in ``where`` (and in every frame of the page)."""
    found = list(page.locator(where).first.evaluate(_MARKUP_JS))
    for frame in page.frames[1:]:
        found += [f"frame: {f}" for f in frame.evaluate(f"() => ({_MARKUP_JS})(document)")]
    return found


def shown(page: Page, where: str = '[data-testid="stMain"]') -> str:
    """The text ``where`` shows, as a reader sees it (no word joiners, spaces collapsed)."""
    text = page.locator(where).first.inner_text().replace(_WORD_JOINER, "")
    return re.sub(r"\s+", " ", text)


def expect_as_text(page: Page, *texts: str, where: str = '[data-testid="stMain"]') -> None:
    """No markup from the payload; each of ``texts`` shown literally."""
    assert markup(page, where) == []
    seen = shown(page, where)
    for text in texts:
        assert re.sub(r"\s+", " ", text) in seen, text


# ---------------------------------------------------------------- widgets by key


def widget(page: Page, key: str) -> Locator:
    """The element of the widget with ``key`` (Streamlit's ``st-key-`` class)."""
    return page.locator(".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip()))


def choose(studio: Studio, key: str, option: str) -> None:
    """Pick the option that holds ``option`` in the selectbox ``key``."""
    studio._open_list(widget(studio.page, key))
    choice = studio.page.get_by_role("option").filter(has_text=option).first
    studio._rerun(choice.click)


def type_in(studio: Studio, key: str, value: str) -> None:
    """Type ``value`` into the text input or area ``key`` and commit it."""
    box = widget(studio.page, key).locator("input, textarea").first
    box.fill(value)
    studio._rerun(lambda: box.press("Tab"))


def tick(studio: Studio, key: str) -> None:
    box = widget(studio.page, key)
    studio._rerun(lambda: box.locator("label").first.click())
    expect(box.get_by_role("checkbox")).to_be_checked()


def fill_application(studio: Studio, scope: str) -> None:
    """An agent files a family business in a rented shop; the scope carries the payload,
    the floor area is large, the operator's mobile is wrong; the application form is
    handed in as a copy (it must be the original)."""
    choose(studio, f"{scope}|applicant_role", "委托代理人申请")
    type_in(studio, f"{scope}|business_scope", SCOPE_ANSWER)
    choose(studio, f"{scope}|premises", "租用")
    choose(studio, f"{scope}|organisation", "家庭经营")
    type_in(studio, f"{scope}|floor_area", "2000")
    type_in(studio, f"{scope}|operator.mobile", "123")
    tick(studio, f"{scope}|mat|application_form|in")
    choose(studio, f"{scope}|mat|application_form|form", "复印件")


# What the form and the checklist show of the definition and the answers.
FORM_TEXTS = (
    f"{poisoned('经营范围')} {poisoned('Business scope')} *",  # a label
    f"已收取 Handed in：{poisoned('个体工商户登记（备案）申请书')}",  # a checklist tick
    poisoned("使用国家市场监督管理总局统一格式，经营者本人签字"),  # a standard
    poisoned("原件核验后退还，复印件留存"),  # notes
    f"{poisoned('手机号码')}：",  # a field error
    SCOPE_ANSWER,  # the computed field repeats the answer
)


def show_help(studio: Studio, scope: str) -> None:
    """Hover the help icon of the scope field: its tooltip shows the help text."""
    icon = widget(studio.page, f"{scope}|business_scope").get_by_test_id(
        "stTooltipHoverTarget").first
    icon.hover()
    tooltip = studio.page.get_by_test_id("stTooltipContent")
    expect(tooltip).to_be_visible()
    studio.shot("preview-help-tooltip", full_page=False)
    expect_as_text(studio.page, poisoned("说明"), where='[data-testid="stTooltipContent"]')
    studio.page.mouse.move(0, 0)


# ---------------------------------------------------------------- the pages


def test_preview_examples_and_playground_show_every_text_as_text(studio: Studio) -> None:
    page = studio.page
    studio.sign_in("ms_editor")
    studio.go("预览 Preview")
    choose(studio, "matter_pick", MATTER)
    scope = f"preview:{MATTER}"
    fill_application(studio, scope)
    studio._rerun(lambda: widget(page, "pv_show_required").locator("label").first.click())
    studio.expect_no_exception()
    because = f"business_scope = {json.dumps(SCOPE_ANSWER, ensure_ascii=False)}"
    expect_as_text(page, *FORM_TEXTS, poisoned("请核对经营范围"), because,
                   poisoned("经营场所租赁合同"), poisoned("登记注册股"),
                   f"{poisoned('个体工商户登记（备案）申请书')}：")
    studio.shot("preview-form", focus=page.get_by_role("heading", name="申请表 Intake form"))
    studio.shot("preview-checklist",
                focus=page.get_by_role("heading", name="材料清单 Materials checklist"))
    studio.shot("preview-panel-warnings",
                focus=page.get_by_text("提醒窗口 Warnings for the clerk", exact=True))
    show_help(studio, scope)

    studio.go("示例 Examples")
    studio.expect_no_exception()
    expect_as_text(page, poisoned("operator in person, owned shop, accepted"),
                   poisoned("public servant is accepted and marked for 不予登记"))
    studio.shot("examples")
    type_in(studio, "ex_name", f"新示例 {PAYLOAD}")
    studio.click("💾 保存为示例 Save as example")
    expect_as_text(page, f"已保存示例 Example saved: 新示例 {PAYLOAD}")
    studio.shot("examples-saved")

    studio.go("试算 Playground")
    type_in(studio, "pg_expr", "business_scope")
    studio.expect_no_exception()
    page.get_by_test_id("stExpander").filter(has_text="可用的名称 Names you can use").locator(
        "summary").click()
    expect_as_text(page, "business_scope: text", "scope_echo: text")
    value = json.dumps(SCOPE_ANSWER, ensure_ascii=False)  # the value, as JSON
    assert studio.code_blocks().first.inner_text().strip() == value
    studio.shot("playground")


@pytest.mark.xfail(strict=True, reason=(
    "studio/views/window.py: outcome_panel (refusals, missing materials, field errors, "
    "denials, warnings, tolerated and fetched names, route units), _matter_facts, "
    "returning() and main()'s title put definition text into st.markdown/caption/"
    "warning/info/title unescaped: wrap each text in formkit_studio.safe_text.plain"))
def test_the_window_shows_every_text_as_text(studio: Studio) -> None:
    page = studio.page
    studio.sign_in("clerk")
    studio.fill("查找事项 Find a matter（名称 name / 编码 code / 拼音首字母 pinyin initials）",
                MATTER)
    scope = f"new:{MATTER}"
    type_in(studio, f"{scope}|applicant", APPLICANT)
    fill_application(studio, scope)
    studio.shot("window-form", focus=page.get_by_role("heading", name="申请表 Application form"))
    studio.click("运行预检 Run pre-check")
    studio.shot("window-precheck", focus=page.get_by_role("heading", name="预检 Pre-check"))
    studio.click("立案并出具通知书 Create case")
    studio.expect_no_exception()
    studio.shot("window-case", focus=page.get_by_test_id("stMetric").first)
    expect_as_text(page, *FORM_TEXTS[1:], poisoned("个体工商户设立登记"),
                   poisoned("请核对经营范围"), poisoned("登记注册股"))


def _case_for_the_officer(workspace: Path) -> str:
    """A case of XX-MS-0001 as the window and the officer left it: accepted with the lease
    to follow and a ground for denial, in review, extended and stopped for a hearing,
    every comment with the payload. Its number."""
    opened = open_catalog(workspace / "definitions")
    assert not opened.errors, opened.errors
    prefix = opened.catalog.code_prefix if opened.catalog else "FK"
    store = TinyCaseStore(workspace / "var" / "store", prefix=prefix, fsync=False)
    svc = CaseService(store, opened.work_calendar(),
                      now=lambda: dt.datetime(2026, 11, 25, 10))
    rules = opened.rules_of(MATTER)
    assert rules is not None
    example = next(t for t in rules.matter.tests if "family business" in t.name)
    fields = {**example.fields, "business_scope": SCOPE_ANSWER,
              "operator": {**example.fields["operator"], "is_public_servant": True}}
    handed = [HandedIn(id=m.id, form=m.form, original_sighted=True)
              for m in example.materials]
    case = svc.receive(rules, snapshot_for_case(store, opened, MATTER), fields, handed,
                       actor="clerk", applicant=APPLICANT)
    assert case.state == "accepted", case.state
    svc.start_review(case.number, actor="ms_officer", comment=f"开始审查 {PAYLOAD}")
    svc.extend(case.number, 3, actor="ms_officer", comment=f"延期理由 {PAYLOAD}")
    svc.suspend(case.number, "hearing", actor="ms_officer", comment=f"听证 {PAYLOAD}")
    return case.number


@pytest.mark.xfail(strict=True, reason=(
    "studio/views/backoffice.py: case_panel (matter name, applicant, grounds), "
    "clock_facts (approver, comment, procedure name), actions (section names in "
    "buttons, labels and flashes; material names; approver), details (denials, "
    "warnings, material and unit names) and main()'s department caption and section "
    "metrics show definition text and comments unescaped: wrap each in plain()"))
def test_the_back_office_shows_every_text_as_text(studio: Studio, workspace: Path) -> None:
    number = _case_for_the_officer(workspace)
    page = studio.page
    studio.sign_in("ms_officer")
    studio.fill("按编号查找 Case number", number, commit=False)
    studio.click("打开 Open")
    studio.expect_no_exception()
    expect(studio.metric_value("状态 State")).to_contain_text("审查中")
    studio.shot("officer-case", focus=page.get_by_role("heading", name=re.compile(number)))
    studio.shot("officer-actions", focus=page.get_by_test_id("stExpander").first)
    expect_as_text(page, poisoned("个体工商户设立登记"), APPLICANT, f"延期理由 {PAYLOAD}",
                   poisoned("听证"), poisoned("登记机关负责人"), poisoned("登记注册股"))


def test_the_monitor_shows_every_text_as_text(studio: Studio, workspace: Path) -> None:
    _case_for_the_officer(workspace)
    studio.sign_in("supervisor")
    studio.expect_no_exception()
    studio.shot("monitor")
    expect_as_text(studio.page, "效能监察 Monitor")


@pytest.mark.xfail(strict=True, reason=(
    "studio/app.py: the sidebar's st.markdown shows the user's name and department "
    "unescaped: wrap them in plain()"))
def test_the_sidebar_shows_names_as_text(studio: Studio) -> None:
    studio.sign_in("ms_officer")
    sidebar = '[data-testid="stSidebar"]'
    studio.shot("sidebar")
    expect_as_text(studio.page, poisoned("市场监管局审批员"), poisoned("市场监督管理局"),
                   where=sidebar)


@pytest.mark.xfail(strict=True, reason=(
    "studio/views/catalog.py: main()'s st.title shows the centre's name unescaped (and "
    "refusal_text/flash show department names and the typed code): wrap them in plain()"))
def test_the_catalog_shows_every_text_as_text(studio: Studio) -> None:
    studio.sign_in("ms_editor")  # the catalog is the editor's first page
    studio.expect_no_exception()
    studio.shot("catalog")
    expect_as_text(studio.page, poisoned("新兴县行政服务中心"))


@pytest.mark.xfail(strict=True, reason=(
    "studio/views/editor.py: the fields radio's options (format_func with each field's "
    "label), the field editor's st.subheader, the delete warning and the material "
    "markdown show definition text unescaped: wrap them in plain()"))
def test_the_editor_shows_every_text_as_text(studio: Studio) -> None:
    studio.sign_in("ms_editor")
    studio.go("编辑 Editor")
    choose(studio, "matter_pick", MATTER)
    studio.tab("表单 Fields")
    studio.expect_no_exception()
    studio.shot("editor-fields", focus=studio.page.get_by_role("tab", name="表单 Fields"))
    expect_as_text(studio.page, poisoned("申请方式"))
