"""Back-office comments by AppTest (issue #16, item 4): each action has its own comment
box, a comment is recorded only with the action it was typed for, and every input is
empty again once an action is done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.studio.test_backoffice import ALL, click, field, open_case
from tests.studio.test_window import receive_food, service

FOOD_DESK = "market_supervision.food_licensing"
INSPECTION = "market_supervision.field_inspection"


def comment(at: AppTest, action: str, text: str) -> AppTest:
    """Type ``text`` into the comment box of ``action`` (its button's key without bo_)."""
    at.text_input(key=field(at, f"bo_comment|{action}")).input(text)
    return at


def typed(at: AppTest) -> dict[str, object]:
    """What the officer's inputs hold now, by key, leaving out the empty ones (and
    those that start filled: the days of an extension, the procedure, the ending)."""
    boxes = [*at.text_input, *at.text_area, *at.checkbox]
    return {b.key: b.value for b in boxes
            if b.key and b.key.startswith("bo_") and b.key != "bo_find" and b.value}


def comments(workspace: Path, number: str) -> list[tuple[str, str]]:
    """The case's history as (action, comment), after its receipt and acceptance."""
    return [(e.action, e.comment) for e in service(workspace).get(number).history[2:]]


def test_each_action_records_only_its_own_comment(signed_in: Callable[..., AppTest],
                                                  workspace: Path) -> None:
    case = receive_food(workspace, ["application_form", "layout_plan"])  # rules to follow
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    labels = {t.key: t.label for t in at.text_input if t.key.startswith("bo_comment|")}
    assert labels == {
        field(at, "bo_comment|start"): "开始审查意见 Comment",
        field(at, "bo_comment|supply|safety_rules"): "补交意见 Comment",
        field(at, "bo_comment|suspend"): "中止计时意见 Comment"}, labels
    # typed for one action, another done: the other records nothing, and the box empties
    comment(at, "start", "材料齐全，开始审查")
    click(at, "bo_supply|safety_rules")
    assert typed(at) == {}
    assert field(at, "bo_comment|supply|safety_rules") not in [t.key for t in at.text_input]
    click(at, "bo_start")  # typed nothing for it
    comment(at, "suspend", "需现场核查，暂停计时")
    at.selectbox(key=field(at, "bo_pause_reason")).select("testing")
    click(at, "bo_suspend")
    assert typed(at) == {}
    click(at, "bo_resume")
    comment(at, f"sign|{FOOD_DESK}", "场所布局符合要求")
    click(at, f"bo_sign|{FOOD_DESK}")
    assert typed(at) == {}
    click(at, f"bo_sign|{INSPECTION}")
    comment(at, "approve", "准予许可")
    click(at, "bo_approve")
    assert typed(at) == {}
    click(at, "bo_issue")
    assert comments(workspace, case.number) == [
        ("supply", ""), ("start_review", ""), ("suspend", "需现场核查，暂停计时"),
        ("resume", ""), ("sign_off", "场所布局符合要求"), ("sign_off", ""),
        ("approve", "准予许可"), ("issue", "")]


def test_a_refused_action_keeps_its_comment_for_itself(signed_in: Callable[..., AppTest],
                                                       workspace: Path) -> None:
    case = receive_food(workspace, ["application_form", "layout_plan"])
    svc = service(workspace)
    svc.start_review(case.number, actor="ms_officer")
    for step in svc.get(case.number).route:
        for unit in step:
            svc.sign_off(case.number, unit, actor="ms_officer")
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    # approval waits for the tolerated material: offered greyed out, with the reason
    assert at.button(key="bo_approve").disabled
    assert any("尚有容缺材料未补交" in c.value for c in at.caption)
    at.text_area(key=field(at, "bo_ext_reason")).input("核查人员不足")
    click(at, "bo_extend")  # not ticked as approved: refused
    assert "批准" in at.error[0].value
    assert typed(at) == {field(at, "bo_ext_reason"): "核查人员不足"}  # to correct
    click(at, "bo_supply|safety_rules")  # another action: not its reason
    assert typed(at) == {}
    assert not at.button(key="bo_approve").disabled
    comment(at, "approve", "经审查符合条件")
    click(at, "bo_approve")
    assert comments(workspace, case.number)[-2:] == [("supply", ""),
                                                     ("approve", "经审查符合条件")]


def test_reasons_stay_with_their_action(signed_in: Callable[..., AppTest],
                                        workspace: Path) -> None:
    case = receive_food(workspace, ALL)
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    # a reason typed for the extension, then the clock stopped instead
    at.text_area(key=field(at, "bo_ext_reason")).input("核查人员不足")
    at.checkbox(key=field(at, "bo_ext_ok")).check()
    at.number_input(key=field(at, "bo_ext_days")).set_value(2)
    at.text_area(key=field(at, "bo_end_reason")).input("不应记录")
    click(at, "bo_suspend")
    assert typed(at) == {}
    assert at.number_input(key=field(at, "bo_ext_days")).value == 5  # back to its default
    click(at, "bo_resume")
    at.text_area(key=field(at, "bo_ext_reason")).input("核查人员不足")
    at.checkbox(key=field(at, "bo_ext_ok")).check()
    click(at, "bo_extend")
    assert typed(at) == {}
    comment(at, "start", "开始审查")
    at.radio(key=field(at, "bo_end_kind")).set_value("withdraw")
    at.text_area(key=field(at, "bo_end_reason")).input("申请人书面申请撤回")
    click(at, "bo_end")
    click(at, "bo_end_yes")
    assert typed(at) == {}
    assert comments(workspace, case.number) == [
        ("suspend", ""), ("resume", ""), ("extend", "核查人员不足"),
        ("withdraw", "申请人书面申请撤回")]


def test_a_denial_records_its_reasons_and_the_issue_nothing_more(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_food(workspace, ALL)
    svc = service(workspace)
    svc.start_review(case.number, actor="ms_officer")
    for step in svc.get(case.number).route:
        for unit in step:
            svc.sign_off(case.number, unit, actor="ms_officer")
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    comment(at, "approve", "不应记录")
    at.text_area(key=field(at, "bo_reason")).input("现场核查不符合食品安全要求")
    click(at, "bo_deny")
    assert typed(at) == {}
    click(at, "bo_issue")
    assert comments(workspace, case.number)[-2:] == [
        ("deny", "现场核查不符合食品安全要求"), ("issue", "")]


def test_another_case_opens_with_empty_inputs(signed_in: Callable[..., AppTest],
                                             workspace: Path) -> None:
    first = receive_food(workspace, ALL)
    second = receive_food(workspace, ALL, floor_area=90)
    at = open_case(signed_in("ms_officer", "backoffice.py"), first.number)
    comment(at, "start", "第一件的意见")
    at.text_area(key=field(at, "bo_end_reason")).input("第一件的理由")
    open_case(at, second.number)
    assert typed(at) == {}
    click(at, "bo_start")
    assert comments(workspace, second.number) == [("start_review", "")]
