"""In a real browser (issue #16, item 4): a back-office comment is recorded only with the
action it was typed for, and no input keeps its text once an action is done.

Before, the one comment box kept its text in the browser after an action (Streamlit's
browser side sends a widget's value back even when the page forgot it), so the next
action recorded the previous comment: start_review logged with "租赁合同复印件已补交",
resume with "需现场核查，暂停计时". Each action now has its own comment box beside its
button, and every input is new (empty) after each action. Every action is done here:
supply, start_review, suspend, resume, sign_off, approve, issue, extend, terminate,
withdraw and deny. Screenshots go to ``tests/e2e/output/<test name>/``.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from formkit.cases.service import Case
from tests.e2e.conftest import Studio
from tests.studio.test_window import receive_food, service

ALL = ["application_form", "layout_plan", "safety_rules"]
SUPPLIED = "租赁合同复印件已补交"
STOPPED = "需现场核查，暂停计时"
PROCEDURE = "特别程序 Special procedure（所需时间不计入办理时限 its time is not counted）"
FOOD_DESK = "市场监督管理局·食品经营许可股"
INSPECTION = "市场监督管理局·现场核查组"
EXTEND = "延期 Extend the time limit（最多 at most 5 个工作日 working days）"
END = "终止或撤回 End the case without a decision"
EXT_REASON = "延期理由 Reason（将告知申请人 told to the applicant）"

# What the officer has typed or ticked in the main area: every text box, text area and
# checkbox by its label, leaving out the case-number lookup (not a case input) and the
# selectboxes (a choice, shown with its default).
_TYPED_JS = """
() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const out = {};
  for (const e of main.querySelectorAll('input, textarea')) {
    const label = e.getAttribute('aria-label') || e.closest('label')?.innerText || '';
    if (label.startsWith('按编号查找') || e.getAttribute('role') === 'combobox') continue;
    if (e.type === 'checkbox') { if (e.checked) out[label.trim()] = true; continue; }
    if (e.type === 'text' || e.tagName === 'TEXTAREA') {
      if (e.value) out[label.trim()] = e.value;
    }
  }
  return out;
}
"""


def typed(studio: Studio) -> dict[str, object]:
    """The inputs of the page that hold something now."""
    studio.wait_idle()
    return dict(studio.page.evaluate(_TYPED_JS))


def open_case(studio: Studio, case: Case) -> None:
    studio.fill("按编号查找 Case number", case.number)
    studio.click("打开 Open")
    expect(studio.page.get_by_role("heading", name=re.compile(case.number))).to_be_visible()


def act(studio: Studio, button: str | re.Pattern[str], done: str) -> None:
    """Click an action's button and wait for its success message."""
    target = studio.page.get_by_role("button", name=button, exact=isinstance(button, str))
    studio._rerun(target.click)
    expect(studio.alert("success", done)).to_be_visible()


def comments(workspace: Path, case: Case) -> list[tuple[str, str]]:
    """The case's history as (action, comment), after its receipt and acceptance."""
    return [(e.action, e.comment) for e in service(workspace).get(case.number).history[2:]]


def test_each_action_records_only_the_comment_typed_for_it(studio: Studio,
                                                           workspace: Path) -> None:
    case = receive_food(workspace, ["application_form", "layout_plan"])  # rules to follow
    page = studio.page
    studio.sign_in("ms_officer")
    open_case(studio, case)
    heading = page.get_by_role("heading", name=re.compile(case.number))

    # ---- the story: a comment typed for the supply, then start the review
    studio.fill("补交意见 Comment", SUPPLIED)
    studio.shot("supply-comment-typed", focus=heading)
    act(studio, "容缺材料已补交 Supplied", "已补交 Supplied")
    assert typed(studio) == {}
    act(studio, "开始审查 Start review", "已开始审查")
    assert typed(studio) == {}

    # ---- stop the clock with a comment, restart it without one
    studio.select(PROCEDURE, "检测")
    studio.fill("中止计时意见 Comment", STOPPED)
    studio.shot("suspend-comment-typed", focus=heading)
    act(studio, "中止计时 Stop the clock", "已中止计时")
    assert typed(studio) == {}
    studio.shot("after-suspend-inputs-empty", focus=heading)
    act(studio, "恢复计时 Restart the clock", "已恢复计时")
    assert typed(studio) == {}

    # ---- a comment typed for one action, another action done: the other records nothing
    studio.fill(f"签署（{FOOD_DESK}）意见 Comment", "场所布局符合要求")
    studio.fill("中止计时意见 Comment", "不应记录")
    act(studio, f"签署 Sign off：{FOOD_DESK}", "已签署")
    assert typed(studio) == {}
    act(studio, f"签署 Sign off：{INSPECTION}", "已签署")
    studio.fill("准予许可意见 Comment", "符合许可条件")
    act(studio, "准予许可 Approve", "已准予")
    assert typed(studio) == {}
    act(studio, "发证/送达 Record issue of the result", "已送达")
    studio.tab("历史 History")
    shown = [(r["动作 Action"], r["意见 Comment"]) for r in studio.frame_rows("动作 Action")]
    studio.expect_no_exception()
    studio.shot("history", focus=page.get_by_role("tab", name="历史 History"))
    expected = [("supply", SUPPLIED), ("start_review", ""), ("suspend", STOPPED), ("resume", ""),
                ("sign_off", "场所布局符合要求"), ("sign_off", ""), ("approve", "符合许可条件"),
                ("issue", "")]
    assert comments(workspace, case) == expected
    assert shown[2:] == [("补交容缺材料", SUPPLIED), ("开始审查", ""),
                         ("中止计时（检测）", STOPPED), ("恢复计时", ""),
                         ("签批", "场所布局符合要求"), ("签批", ""),
                         ("准予许可", "符合许可条件"), ("送达办结", "")], shown


def test_reasons_stay_with_their_action(studio: Studio, workspace: Path) -> None:
    extended = receive_food(workspace, ALL)
    withdrawn = receive_food(workspace, ALL, floor_area=90)
    denied = receive_food(workspace, ALL, floor_area=120)
    svc = service(workspace)
    svc.start_review(denied.number, actor="ms_officer")
    for step in svc.get(denied.number).route:
        for unit in step:
            svc.sign_off(denied.number, unit, actor="ms_officer")
    page = studio.page
    studio.sign_in("ms_officer")

    # ---- 延期 typed and approved, then the clock stopped instead: nothing carried over
    open_case(studio, extended)
    studio.expander(EXTEND, "延期工作日 Working days")
    studio.fill(EXT_REASON, "核查人员不足")
    studio.tick("已经本行政机关负责人批准 Approved")
    act(studio, "中止计时 Stop the clock", "已中止计时")
    assert typed(studio) == {}
    act(studio, "恢复计时 Restart the clock", "已恢复计时")
    studio.expander(EXTEND, "延期工作日 Working days")
    studio.fill(EXT_REASON, "经营场所需补充现场核查")
    studio.tick("已经本行政机关负责人批准 Approved")
    act(studio, "延期 Extend", "已延期")
    assert typed(studio) == {}
    # ---- 终止 with its reason, after a comment typed for the review
    studio.fill("开始审查意见 Comment", "不应记录")
    studio.expander(END, "办理方式 How")
    studio.radio("办理方式 How", "终止 Terminate")
    studio.fill("终止理由 Reason", "经营者已申请注销营业执照")
    studio.click("终止 Terminate…")
    act(studio, "确认终止 Confirm", "案件已终止")
    assert typed(studio) == {}
    studio.shot("terminated", focus=page.get_by_role("heading", name=re.compile(
        extended.number)))
    assert comments(workspace, extended) == [
        ("suspend", ""), ("resume", ""), ("extend", "经营场所需补充现场核查"),
        ("terminate", "经营者已申请注销营业执照")]

    # ---- another case opens with every input empty; 撤回 records only its reason
    open_case(studio, withdrawn)
    studio.fill("开始审查意见 Comment", "第一件的意见")
    studio.fill("中止计时意见 Comment", "第一件的意见")
    open_case(studio, denied)
    assert typed(studio) == {}
    open_case(studio, withdrawn)
    assert typed(studio) == {}
    studio.fill("开始审查意见 Comment", "不应记录")
    studio.expander(END, "办理方式 How")
    studio.radio("办理方式 How", "撤回 Withdraw")
    studio.fill("撤回理由 Reason", "申请人书面申请撤回")
    studio.click("撤回 Withdraw…")
    act(studio, "确认撤回 Confirm", "案件已撤回")
    assert typed(studio) == {}
    assert comments(workspace, withdrawn) == [("withdraw", "申请人书面申请撤回")]

    # ---- 不予许可 with its reasons, then the decision served without a comment
    open_case(studio, denied)
    studio.fill("准予许可意见 Comment", "不应记录")
    studio.fill("不予许可理由 Reasons for denial", "现场核查不符合食品安全要求")
    studio.shot("deny-reasons-typed", focus=page.get_by_role("heading", name=re.compile(
        denied.number)))
    act(studio, "不予许可 Deny", "不予许可")
    assert typed(studio) == {}
    act(studio, "发证/送达 Record issue of the result", "已送达")
    studio.expect_no_exception()
    studio.shot("denied-and-issued", focus=page.get_by_role("heading", name=re.compile(
        denied.number)))
    assert comments(workspace, denied)[-2:] == [("deny", "现场核查不符合食品安全要求"),
                                                ("issue", "")]
