"""The back-office page (后台审批) by AppTest: queues, sign-offs, decisions, the clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from formkit.cases.service import HandedIn
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog
from formkit.intake.examples import submission_of
from tests.studio.test_window import receive_food, service

ALL = ["application_form", "layout_plan", "safety_rules"]
FOOD_DESK = "market_supervision.food_licensing"
INSPECTION = "market_supervision.field_inspection"


def worklist(at: AppTest, name: str) -> pd.DataFrame:
    """Choose a worklist (``review``, ``decide``, ``issue``, ``follow_up``, ``suspended``,
    ``window``), or a section's part of ``review`` by its unit; the list's table (empty
    when the list is)."""
    lists = ("review", "decide", "issue", "follow_up", "suspended", "window")
    at.segmented_control(key="bo_list").set_value(name if name in lists else "review").run()
    assert not at.exception, at.exception
    if name not in lists:
        at.selectbox(key="bo_section").select(name).run()
        assert not at.exception, at.exception
    if any("清单为空" in i.value for i in at.info):
        return pd.DataFrame(columns=["案件编号 Case"])
    return next(d.value for d in at.dataframe if "案件编号 Case" in d.value.columns)


def open_case(at: AppTest, number: str) -> AppTest:
    """Open a case by its number (the queue's own picker is tested on its own)."""
    at.text_input(key="bo_find").input(number)
    return click(at, "bo_find_open")


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def field(at: AppTest, name: str) -> str:
    """The key of the open case's input ``name`` now: the page gives its inputs new keys
    (a new generation) after each action, so that they show empty in the browser."""
    gen = at.session_state.get("bo_gen", 0)
    return f"{name}#{gen}"


def test_officer_works_a_case_through_every_step(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    older = receive_food(workspace, ALL)
    newer = receive_food(workspace, ALL, floor_area=90)
    at = signed_in("ms_officer", "backoffice.py")
    assert metric(at, "食品经营许可股 Food Business Licensing Section") == "2"
    queue = worklist(at, FOOD_DESK)
    assert list(queue["案件编号 Case"]) == [older.number, newer.number]  # oldest deadline
    assert set(queue["承诺期限 Due"]) == {"2026-12-02"}

    at.selectbox(key="bo_pick").select(older.number).run()
    assert metric(at, "状态 State").startswith("已受理")
    answers = next(d.value for d in at.dataframe if "项目 Field" in d.value.columns)
    assert "经营者·统一社会信用代码" in set(answers["项目 Field"])
    assert "餐饮服务经营者" in set(answers["内容 Answer"])
    click(at, "bo_start")
    assert "Review started" in at.success[0].value
    click(at, f"bo_sign|{FOOD_DESK}")
    assert metric(at, "环节 Step") == "2/2"
    assert older.number in set(worklist(at, INSPECTION)["案件编号 Case"])
    assert older.number not in set(worklist(at, FOOD_DESK)["案件编号 Case"])
    click(at, f"bo_sign|{INSPECTION}")  # the case stays open after each action
    assert list(worklist(at, "decide")["案件编号 Case"]) == [older.number]
    click(at, "bo_approve")
    assert metric(at, "状态 State").startswith("准予许可")
    assert list(worklist(at, "issue")["案件编号 Case"]) == [older.number]
    click(at, "bo_issue")
    assert metric(at, "状态 State").startswith("已送达")
    case = service(workspace).get(older.number)
    assert [e.action for e in case.history] == [
        "receive", "accept", "start_review", "sign_off", "sign_off", "approve", "issue"]
    assert case.signed == [{FOOD_DESK: "ms_officer"}, {INSPECTION: "ms_officer"}]
    assert worklist(at, "issue").empty


def test_the_clock_stops_for_a_special_procedure_and_restarts(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_food(workspace, ALL)
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    at.selectbox(key=field(at, "bo_pause_reason")).select("testing")
    click(at, "bo_suspend")
    assert "计时已中止" in at.warning[0].value and "检测" in at.warning[0].value
    stopped = worklist(at, "suspended")
    assert list(stopped["案件编号 Case"]) == [case.number]
    assert stopped["预警 Flag"].iloc[0] == "计时中止"
    assert case.number not in set(worklist(at, FOOD_DESK)["案件编号 Case"])
    click(at, "bo_resume")
    assert not any("计时已中止" in w.value for w in at.warning)
    history = [e.action for e in service(workspace).get(case.number).history]
    assert history[-2:] == ["suspend", "resume"]


def test_a_denial_needs_its_reasons(signed_in: Callable[..., AppTest],
                                    workspace: Path) -> None:
    case = receive_food(workspace, ALL)
    svc = service(workspace)
    svc.start_review(case.number, actor="ms_officer")
    for step in svc.get(case.number).route:
        for unit in step:
            svc.sign_off(case.number, unit, actor="ms_officer")
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    click(at, "bo_deny")
    assert any("不予许可必须说明理由" in e.value for e in at.error)
    at.text_area(key=field(at, "bo_reason")).input("现场核查不符合食品安全要求")
    click(at, "bo_deny")
    assert metric(at, "状态 State").startswith("不予许可")
    click(at, "bo_issue")  # the decision is served: no list holds denied cases
    done = service(workspace).get(case.number)
    assert done.state == "issued"
    assert done.history[-2].comment == "现场核查不符合食品安全要求"


def test_a_tolerated_material_is_recorded_when_supplied(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_food(workspace, ["application_form", "layout_plan"])
    assert [t.id for t in case.tolerated] == ["safety_rules"]
    at = open_case(signed_in("ms_officer", "backoffice.py"), case.number)
    click(at, "bo_supply|safety_rules")
    assert service(workspace).get(case.number).tolerated[0].supplied_on is not None
    assert "bo_supply|safety_rules" not in [b.key for b in at.button]


def test_another_departments_case_is_refused(signed_in: Callable[..., AppTest],
                                            workspace: Path) -> None:
    svc = service(workspace)
    opened = open_catalog(workspace / "definitions")
    rules = opened.rules_of("XX-NR-0001")
    assert rules is not None
    ex = next(t for t in rules.matter.tests if t.expect.outcome == "accept")
    sub = submission_of(ex)
    case = svc.receive(rules, snapshot_for_case(svc.store, opened, "XX-NR-0001"),
                       sub["fields"], [HandedIn(**m) for m in sub["materials"]],
                       actor="clerk", applicant="王芳")
    assert case.state == "accepted"
    at = signed_in("ms_officer", "backoffice.py")
    at.text_input(key="bo_find").input(case.number)
    click(at, "bo_find_open")
    assert "该案件不属于本部门，无权查看" in at.error[0].value
    assert "王芳" not in "".join(str(e.value) for e in at.caption)
    assert "bo_start" not in [b.key for b in at.button]
    at.text_input(key="bo_find").input("FK2026112599999")
    click(at, "bo_find_open")
    assert "找不到案件" in at.error[0].value
