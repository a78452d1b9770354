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
KaTeX) and for the payload shown as typed. A heading (``st.title``, ``st.header``,
``st.subheader``) gets an anchor link made of its text, evil.example and all: a heading
that holds such a text is drawn with ``anchor=False``. Every page here must pass: a page
that shows such a text unescaped fails. Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ROOT, Studio
from tests.studio.test_escaping import (
    APPLICANT,
    MATTER,
    PAYLOAD,
    SCOPE_ANSWER,
    officer_case,
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


def test_the_window_shows_every_text_as_text(studio: Studio) -> None:
    """A new application (its pre-check, then its case) and the applicant's return: the
    centre's and matter's names, the checklist, every problem, the warnings, a typed case
    number and the applicant's name, each as typed."""
    page = studio.page
    studio.sign_in("clerk")
    studio.fill("查找事项 Find a matter（名称 name / 编码 code / 拼音首字母 pinyin initials）",
                MATTER)
    scope = f"new:{MATTER}"
    type_in(studio, f"{scope}|operator.name", APPLICANT)
    fill_application(studio, scope)
    studio.shot("window-form", focus=page.get_by_role("heading", name="申请表 Application form"))
    studio.click("运行预检 Run pre-check")
    studio.expect_no_exception()
    studio.shot("window-precheck", focus=page.get_by_role("heading", name="预检 Pre-check"))
    warning = studio.alert("warning", "请核对经营范围").first
    studio.shot("window-precheck-warnings", focus=warning)
    # The outcome names the material and the field the form and the checklist show.
    expect_as_text(page, *FORM_TEXTS[1:], poisoned("新兴县行政服务中心"),
                   poisoned("个体工商户设立登记"), poisoned("请核对经营范围"),
                   poisoned("登记注册股"),  # the route
                   f"缺少材料 Missing material：{poisoned('个体工商户登记（备案）申请书')}")
    studio.click("立案并出具通知书 Create case")
    studio.expect_no_exception()
    studio.shot("window-case", focus=page.get_by_test_id("stMetric").first)
    expect_as_text(page, poisoned("个体工商户设立登记"), poisoned("请核对经营范围"),
                   f"缺少材料 Missing material：{poisoned('个体工商户登记（备案）申请书')}")
    number = studio.metric("案件编号 Case number")

    studio.radio("办理类型 Mode", "补正续办 Returning applicant (补正)")
    typed = f"X{PAYLOAD}"  # no such case: the number is shown back as typed (upper case)
    studio.fill("案件编号 Case number", typed)
    studio.click("打开案件 Open case")
    studio.expect_no_exception()
    expect_as_text(page, f"找不到案件 Case not found：{typed.upper()}")
    studio.fill("案件编号 Case number", number)
    studio.click("打开案件 Open case")
    studio.expect_no_exception()
    studio.shot("window-returning",
                focus=page.get_by_test_id("stMarkdown").filter(has_text="申请人 Applicant").first)
    expect_as_text(page, APPLICANT, poisoned("个体工商户设立登记"), *FORM_TEXTS[1:4])


def test_the_back_office_shows_every_text_as_text(studio: Studio, workspace: Path) -> None:
    """The queues (section names in the metrics), the case (its matter, applicant,
    grounds, extension and stopped clock), the actions, the tabs of the details, a
    typed reason in the confirmation and the flash of a sign-off, each as typed."""
    number = officer_case(workspace)
    page = studio.page
    studio.sign_in("ms_officer")
    studio.expect_no_exception()
    studio.shot("officer-queues", focus=page.get_by_test_id("stMetric").first)
    expect_as_text(page, poisoned("市场监督管理局"), poisoned("登记注册股"))
    studio.fill("按编号查找 Case number", number, commit=False)
    studio.click("打开 Open")
    studio.expect_no_exception()
    expect(studio.metric_value("状态 State")).to_contain_text("审查中")
    studio.shot("officer-case", focus=page.get_by_role("heading", name=re.compile(number)))
    studio.shot("officer-actions", focus=page.get_by_test_id("stExpander").first)
    unit = f"{poisoned('市场监督管理局')}·{poisoned('登记注册股')}"
    expect_as_text(page, poisoned("个体工商户设立登记"), APPLICANT, f"延期理由 {PAYLOAD}",
                   poisoned("听证"), poisoned("登记机关负责人"), f"签署 Sign off：{unit}",
                   f"容缺材料 Tolerated material：{poisoned('经营场所租赁合同')}")
    for tab, texts in (("材料 Materials", [f"容缺 Tolerated：{poisoned('经营场所租赁合同')}"]),
                       ("预检 Pre-check", [poisoned("请核对经营范围")]),
                       ("审批路线 Route", [f"第1环节 Step 1：{unit}"])):
        studio.tab(tab)
        expect_as_text(page, *texts)
    studio.shot("officer-route", focus=page.get_by_role("tab", name="审批路线 Route"))

    page.get_by_test_id("stExpander").filter(has_text="终止或撤回").locator("summary").click()
    studio.fill("撤回理由 Reason", f"申请人书面申请撤回 {PAYLOAD}")
    studio.click("撤回 Withdraw…")
    confirm = studio.alert("warning", "确认撤回案件")
    expect(confirm).to_be_visible()
    studio.shot("officer-withdraw-confirm", focus=confirm)
    expect_as_text(page, f"理由：申请人书面申请撤回 {PAYLOAD}")
    studio.click("取消 Cancel")

    studio._rerun(page.get_by_role("button", name=re.compile("^签署 Sign off")).click)
    studio.expect_no_exception()
    done = studio.alert("success", "已签署 Signed off")
    expect(done).to_be_visible()
    studio.shot("officer-signed", focus=done)
    expect_as_text(page, f"已签署 Signed off：{unit}")


def test_the_monitor_shows_every_text_as_text(studio: Studio, workspace: Path) -> None:
    officer_case(workspace)
    studio.sign_in("supervisor")
    studio.expect_no_exception()
    studio.shot("monitor")
    expect_as_text(studio.page, "效能监察 Monitor")


def test_the_sidebar_shows_names_as_text(studio: Studio) -> None:
    studio.sign_in("ms_officer")
    sidebar = '[data-testid="stSidebar"]'
    studio.shot("sidebar")
    expect_as_text(studio.page, poisoned("市场监管局审批员"), poisoned("市场监督管理局"),
                   where=sidebar)


def test_the_catalog_shows_every_text_as_text(studio: Studio) -> None:
    studio.sign_in("ms_editor")  # the catalog is the editor's first page
    studio.expect_no_exception()
    studio.shot("catalog")
    expect_as_text(studio.page, poisoned("新兴县行政服务中心"))


def test_the_editor_shows_every_text_as_text(studio: Studio) -> None:
    studio.sign_in("ms_editor")
    studio.go("编辑 Editor")
    choose(studio, "matter_pick", MATTER)
    studio.tab("表单 Fields")
    studio.expect_no_exception()
    studio.shot("editor-fields", focus=studio.page.get_by_role("tab", name="表单 Fields"))
    expect_as_text(studio.page, poisoned("申请方式"))
