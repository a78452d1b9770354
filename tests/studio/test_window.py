"""The window page (综合窗口) by AppTest: find, fill, pre-check, notice, case, 补正."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from formkit.cases.service import Case, CaseService, HandedIn
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import open_catalog

FOOD = "XX-MS-0002"
COMPANY = "XX-MS-0003"
# The restaurant of the food licence's examples, as a clerk types it.
RESTAURANT_TEXT = {
    "operator.entity_name": "新兴县禾丰餐饮管理有限公司", "operator.uscc": "91445321MA4WLB2E5H",
    "operator.legal_rep": "张伟", "operator.legal_rep_id": "445321199003071230",
    "operator.mobile": "13800138000", "premises_address": "新兴县新城镇裕华路38号",
    "floor_area": "180", "food_safety_manager.name": "李娜",
    "food_safety_manager.id_number": "445321199208152464"}
LAYOUT_PLAN = "主要设备设施、经营布局、操作流程等文件"


def key(path: str, scope: str = f"new:{FOOD}") -> str:
    return f"{scope}|{path}"


def find(at: AppTest, query: str) -> AppTest:
    at.text_input(key="win_query").input(query).run()
    assert not at.exception, at.exception
    return at


def fill_restaurant(at: AppTest, *, categories: list[str] | None = None,
                    operation_form: str = "catering", **text: str) -> AppTest:
    """Type the restaurant's answers into the food licence form (not yet run)."""
    for path, value in {**RESTAURANT_TEXT, **text}.items():
        at.text_input(key=key(path)).input(value)
    at.selectbox(key=key("applicant_role")).select("legal_rep")
    at.selectbox(key=key("operation_form")).select(operation_form)
    at.multiselect(key=key("categories")).set_value(categories or ["hot_food", "drinks"])
    at.radio(key=key("vending_machines")).set_value(False)
    return at


def hand_in(at: AppTest, *materials: str, scope: str = f"new:{FOOD}") -> AppTest:
    for m in materials:
        at.checkbox(key=key(f"mat|{m}|in", scope)).check()
        at.checkbox(key=key(f"mat|{m}|sighted", scope)).check()
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page says in markdown, captions, alerts and code blocks."""
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "success",
                                  "info", "code") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def notice_text(at: AppTest) -> str:
    return "\n".join(c.value for c in at.code)


def receipt(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# ---------------------------------------------------------------- finding a matter


@pytest.mark.parametrize(("query", "code"), [
    ("spjy", FOOD),  # pinyin initials of 食品经营
    ("食品经营", FOOD),  # part of the name
    ("XX-MS-0002", FOOD),  # the code
    ("xx-ms-0002", FOOD),  # the code, typed in lower case
    ("gtgsh", "XX-MS-0001"),  # 个体工商户
])
def test_clerk_finds_a_matter_by_initials_name_or_code(
        signed_in: Callable[..., AppTest], query: str, code: str) -> None:
    at = find(signed_in("clerk", "window.py"), query)
    assert at.selectbox(key="win_matter").value == code
    assert at.button(key=key("run", f"new:{code}"))  # its form is open


def test_no_match_says_so(signed_in: Callable[..., AppTest]) -> None:
    at = find(signed_in("clerk", "window.py"), "zzzz-nothing")
    assert "没有找到" in at.warning[0].value


# ---------------------------------------------------------------- the generated form


def test_identifiers_are_checked_as_typed_and_required_fields_only_after_a_precheck(
        signed_in: Callable[..., AppTest]) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    assert not at.error  # a fresh form is not a wall of "required"
    at.text_input(key=key("operator.uscc")).input("91445321MA4WLB2E5X")
    at.text_input(key=key("operator.mobile")).input("12345")
    at.text_input(key=key("operator.legal_rep_id")).input("445321199003071231")
    at.text_input(key=key("floor_area")).input("abc").run()
    errors = [e.value for e in at.error]
    assert any("统一社会信用代码无效" in e for e in errors)
    assert any("手机号码无效" in e for e in errors)
    assert any("公民身份号码无效" in e for e in errors)
    assert any("应为数字" in e for e in errors)
    assert not any("必填" in e for e in errors)
    at.button(key=key("run")).click().run()
    assert any("此项为必填项" in e.value for e in at.error)


def test_conditional_field_and_material_appear_live(signed_in: Callable[..., AppTest]) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    fill_restaurant(at).run()
    keys = [w.key for w in at.text_input]
    assert key("vending_count") not in keys
    assert key("mat|vending_documents|in") not in [c.key for c in at.checkbox]
    at.radio(key=key("vending_machines")).set_value(True).run()
    assert key("vending_count") in [w.key for w in at.text_input]
    assert key("mat|vending_documents|in") in [c.key for c in at.checkbox]
    assert "因为通过自动售货设备从事食品经营" in texts(at)  # why it is required now
    at.text_input(key=key("vending_count")).input("0").run()
    assert any("不能小于 1" in e.value for e in at.error)


def test_repeat_rows_dates_and_computed_values(signed_in: Callable[..., AppTest]) -> None:
    scope = f"new:{COMPANY}"
    at = find(signed_in("clerk", "window.py"), COMPANY)
    assert at.text_input(key=key("shareholders[0].holder_name", scope))  # min: 1 row
    at.button(key=key("add|shareholders", scope)).click().run()
    for i, name in enumerate(["甲", "乙"]):
        at.text_input(key=key(f"shareholders[{i}].holder_name", scope)).input(name)
        at.selectbox(key=key(f"shareholders[{i}].holder_kind", scope)).select("natural")
        at.text_input(key=key(f"shareholders[{i}].subscribed", scope)).input("50000")
    at.date_input(key=key("shareholders[1].paid_deadline", scope)).set_value(
        dt.date(2026, 1, 1)).run()
    assert not at.exception, at.exception
    assert "股东人数 Number of shareholders：**2**" in texts(at)  # computed by formkit
    assert any("五年内缴足" in e.value for e in at.error)  # date constraint, row 2
    assert at.text_input(key=key("shareholders[1].holder_id", scope))  # natural person
    at.button(key=key("del|shareholders[0]", scope)).click().run()
    assert at.text_input(key=key("shareholders[0].holder_name", scope)).value == "乙"
    assert at.date_input(key=key("shareholders[0].paid_deadline", scope)).value == \
        dt.date(2026, 1, 1)
    assert key("shareholders[1].holder_name", scope) not in [w.key for w in at.text_input]
    assert "股东人数 Number of shareholders：**1**" in texts(at)


def test_a_copy_where_an_original_is_needed_is_flagged_at_once(
        signed_in: Callable[..., AppTest]) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    fill_restaurant(at).run()
    at.checkbox(key=key("mat|layout_plan|in")).check()
    at.selectbox(key=key("mat|layout_plan|form")).select("copy").run()
    assert any("需提交原件，仅提交了复印件" in e.value for e in at.error)
    at.selectbox(key=key("mat|layout_plan|form")).select("original").run()
    assert not any("复印件" in e.value for e in at.error)


# ---------------------------------------------------------------- the day at the window


def test_one_time_notice_then_acceptance_when_the_applicant_returns(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    fill_restaurant(at).run()
    checklist = texts(at)
    assert "所有申请均需提交" in checklist and "由窗口通过数据共享调取" in checklist
    hand_in(at, "application_form", "safety_rules")  # the layout plan is left out
    at.button(key=key("run")).click().run()
    assert not at.exception, at.exception
    assert "一次性告知补正" in at.warning[0].value
    assert f"缺少材料 Missing material：{LAYOUT_PLAN}（未提交）" in texts(at)
    assert "一次性告知书" in notice_text(at) and LAYOUT_PLAN in notice_text(at)
    assert at.download_button(key=key("preview|download"))

    at.button(key=key("create")).click().run()
    assert not at.exception, at.exception
    number = at.session_state[key("case")]
    assert receipt(at)["案件编号 Case number"] == number
    assert receipt(at)["状态 State"].startswith("待补正")
    assert f"文书编号：{number}" in notice_text(at) and LAYOUT_PLAN in notice_text(at)
    assert at.download_button(key=key("supplement|html"))

    # the applicant comes back with the plan
    at.radio(key="win_mode").set_value("returning").run()
    at.text_input(key="ret_number").input(number)
    at.button(key="ret_open").click().run()
    scope = f"case:{number}"
    assert at.text_input(key=key("operator.uscc", scope)).value == "91445321MA4WLB2E5H"
    assert at.checkbox(key=key("mat|application_form|in", scope)).value
    assert LAYOUT_PLAN in texts(at)  # the last notice, shown again
    hand_in(at, "layout_plan", scope=scope)
    assert "预检结果 Pre-check outcome：**受理**" in texts(at)  # the preview
    at.button(key=key("resubmit", scope)).click().run()
    assert not at.exception, at.exception
    assert receipt(at)["状态 State"].startswith("已受理")
    assert receipt(at)["承诺办结期限 Committed deadline"] == "2026-12-02"
    assert "受理通知书" in notice_text(at) and "2026年12月2日" in notice_text(at)
    case = service(workspace).get(number)
    assert case.state == "accepted"
    assert [e.action for e in case.history] == ["receive", "request_supplement", "accept"]
    assert {m.id for m in case.materials} == {"application_form", "safety_rules",
                                              "layout_plan"}
    assert all(m.original_sighted for m in case.materials)


def test_refusal_gets_the_non_acceptance_notice(signed_in: Callable[..., AppTest]) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    fill_restaurant(at, categories=["prepackaged"], operation_form="retailer").run()
    hand_in(at, "application_form", "layout_plan", "safety_rules")
    at.button(key=key("run")).click().run()
    assert "不予受理" in at.error[0].value
    assert "仅销售预包装食品" in texts(at)
    assert "不予受理决定书" in notice_text(at) and "行政复议" in notice_text(at)
    at.button(key=key("create")).click().run()
    assert receipt(at)["状态 State"].startswith("不予受理")


def test_missing_tolerable_material_is_accepted_with_tolerance(
        signed_in: Callable[..., AppTest]) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    fill_restaurant(at).run()
    hand_in(at, "application_form", "layout_plan")  # the rules list will follow
    at.button(key=key("run")).click().run()
    assert "容缺受理" in at.success[0].value
    assert "容缺受理通知书" in notice_text(at)
    at.button(key=key("create")).click().run()
    assert receipt(at)["状态 State"].startswith("已受理")
    assert receipt(at)["承诺办结期限 Committed deadline"] == "2026-12-02"


def test_a_case_needs_the_applicant_name(signed_in: Callable[..., AppTest]) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    fill_restaurant(at, **{"operator.entity_name": ""}).run()  # the form names none
    at.button(key=key("run")).click().run()
    at.button(key=key("create")).click().run()
    assert any("请填写申请人" in e.value for e in at.error)
    assert key("case") not in at.session_state


def test_next_applicant_starts_afresh_and_a_second_supplement_round_reloads(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    fill_restaurant(at).run()
    hand_in(at, "application_form")
    at.button(key=key("run")).click().run()
    at.button(key=key("create")).click().run()
    number = at.session_state[key("case")]
    at.button(key=key("next")).click().run()
    assert at.text_input(key=key("operator.uscc")).value == ""
    assert not at.metric

    at.radio(key="win_mode").set_value("returning").run()
    at.text_input(key="ret_number").input(number)
    at.button(key="ret_open").click().run()
    scope = f"case:{number}"
    hand_in(at, "layout_plan", scope=scope)  # the safety rules may follow (容缺)
    at.text_input(key=key("floor_area", scope)).input("-1").run()  # but a typo
    at.button(key=key("resubmit", scope)).click().run()
    assert receipt(at)["状态 State"].startswith("待补正")
    assert "经营场所面积应大于0" in notice_text(at)
    at.button(key=key("again", scope)).click().run()
    assert at.text_input(key=key("floor_area", scope)).value == "-1"  # as stored
    at.text_input(key=key("floor_area", scope)).input("180").run()
    at.button(key=key("resubmit", scope)).click().run()
    assert receipt(at)["状态 State"].startswith("已受理")
    assert [e.action for e in service(workspace).get(number).history] == [
        "receive", "request_supplement", "request_supplement", "accept"]
    at.button(key=key("next", scope)).click().run()
    assert at.text_input(key="ret_number").value == ""


def test_only_cases_awaiting_supplement_reopen(signed_in: Callable[..., AppTest],
                                               workspace: Path) -> None:
    accepted = receive_food(workspace, ["application_form", "layout_plan", "safety_rules"])
    at = signed_in("clerk", "window.py")
    at.radio(key="win_mode").set_value("returning").run()
    at.text_input(key="ret_number").input(accepted.number)
    at.button(key="ret_open").click().run()
    assert "不在补正中" in at.warning[0].value
    at.text_input(key="ret_number").input("FK2026112599999")
    at.button(key="ret_open").click().run()
    assert "找不到案件" in at.error[0].value
    assert not at.exception


def test_grounds_for_denial_are_shown_apart_from_refusals(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    svc = service(workspace)
    opened = open_catalog(workspace / "definitions")
    rules = opened.rules_of("XX-MS-0001")
    assert rules is not None
    ex = next(t for t in rules.matter.tests if "public servant" in t.name)
    short = svc.receive(rules, snapshot_for_case(svc.store, opened, "XX-MS-0001"),
                        ex.fields, [HandedIn(id="application_form", original_sighted=True),
                                    HandedIn(id="operator_id", original_sighted=True)],
                        actor="clerk", applicant="吴俊杰")
    assert short.state == "supplement"
    at = signed_in("clerk", "window.py")
    at.radio(key="win_mode").set_value("returning").run()
    at.text_input(key="ret_number").input(short.number)
    at.button(key="ret_open").click().run()
    assert not at.exception, at.exception
    ground = "公职人员不得违反有关规定从事或者参与营利性活动"
    denials = [w.value for w in at.warning if "存在不予许可情形（受理后由审批部门决定）" in w.value]
    assert len(denials) == 2 and all(ground in d for d in denials)  # last notice, preview
    assert "不予受理 Refusal" not in texts(at)  # not a refusal: the case can be accepted
    scope = f"case:{short.number}"
    hand_in(at, "property_certificate", scope=scope)
    at.button(key=key("resubmit", scope)).click().run()
    assert not at.exception, at.exception
    assert receipt(at)["状态 State"].startswith("已受理")
    assert any(ground in w.value and "受理后由审批部门决定" in w.value for w in at.warning)


def test_an_ended_case_says_so_at_the_window(signed_in: Callable[..., AppTest],
                                            workspace: Path) -> None:
    case = receive_food(workspace, ["application_form", "layout_plan", "safety_rules"])
    service(workspace).withdraw(case.number, actor="ms_officer", reason="申请人申请撤回")
    at = signed_in("clerk", "window.py")
    at.radio(key="win_mode").set_value("returning").run()
    at.text_input(key="ret_number").input(case.number)
    at.button(key="ret_open").click().run()
    assert "已撤回 Withdrawn" in at.warning[0].value
    assert receipt(at)["状态 State"] == "已撤回 Withdrawn"
    assert any("已撤回 Withdrawn：案件" in i.value for i in at.info)


# ---------------------------------------------------------------- helpers over formkit


def service(workspace: Path) -> CaseService:
    """The workspace's case service, as the studio opens it."""
    opened = open_catalog(workspace / "definitions")
    store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
    return CaseService(store, opened.work_calendar(),
                       now=lambda: dt.datetime(2026, 11, 25, 10))


def receive_food(workspace: Path, materials: list[str], **fields: Any) -> Case:
    """The restaurant's application received straight through formkit (as the window does)."""
    opened = open_catalog(workspace / "definitions")
    svc = service(workspace)
    ex = next(t for t in opened.matters[FOOD].tests if "restaurant" in t.name)
    rules = opened.rules_of(FOOD)
    assert rules is not None
    return svc.receive(rules, snapshot_for_case(svc.store, opened, FOOD),
                       {**ex.fields, **fields}, [HandedIn(id=m, original_sighted=True)
                                                 for m in materials],
                       actor="clerk", applicant="新兴县禾丰餐饮管理有限公司")


# ---------------------------------------------------------------- issue #17: ask once,
# find a matter as citizens ask, find a case by the person, 好差评


def test_a_matter_is_found_by_the_paper_citizens_ask_for(
        signed_in: Callable[..., AppTest]) -> None:
    at = find(signed_in("clerk", "window.py"), "营业执照")
    box = at.selectbox(key="win_matter")
    assert box.options == ["个体工商户设立登记（XX-MS-0001） · 营业执照",
                           "有限责任公司设立登记（XX-MS-0003） · 营业执照"]
    assert box.value == "XX-MS-0001"  # the best match, its form open


def test_the_applicant_is_taken_from_the_form_not_asked_twice(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    at = find(signed_in("clerk", "window.py"), "spjy")
    assert key("applicant") not in [w.key for w in at.text_input]  # no box of its own
    assert "**申请人 Applicant**（取自申请表 from the form）：—" in texts(at)
    fill_restaurant(at).run()
    assert ("**申请人 Applicant**（取自申请表 from the form）：新兴县禾丰餐饮管理有限公司"
            in texts(at))
    hand_in(at, "application_form", "layout_plan", "safety_rules")
    at.button(key=key("run")).click().run()
    at.button(key=key("create")).click().run()
    assert not at.exception, at.exception
    number = receipt(at)["案件编号 Case number"]
    assert service(workspace).get(number).applicant == "新兴县禾丰餐饮管理有限公司"


def _find_case(at: AppTest, query: str) -> AppTest:
    at.radio(key="win_mode").set_value("find").run()
    at.text_input(key="fc_query").input(query).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("query", [
    "张伟",  # the legal representative's name
    "禾丰餐饮",  # part of the company's name (the applicant)
    "445321199003071230",  # his 身份证号
    "1230",  # its last four digits
    "13800138000",  # the mobile
])
def test_a_case_is_found_by_the_person_and_its_notice_reprinted(
        signed_in: Callable[..., AppTest], workspace: Path, query: str) -> None:
    case = receive_food(workspace, ["application_form", "safety_rules"])  # 一次性告知
    at = _find_case(signed_in("clerk", "window.py"), query)
    table = at.dataframe[0].value
    assert list(table["案件编号"]) == [case.number]
    row = table.iloc[0].to_dict()
    assert row["身份证号"] == "4453**********1230" and row["手机"] == "138****8000"
    assert row["状态"] == "待补正" and row["收件日期"] == "2026-11-25"
    assert row["事项"] == "食品经营许可证核发（新办）"
    # one hit: opened at once, with the documents it was given to reprint
    assert at.selectbox(key="fc_pick").value == case.number
    assert receipt(at)["案件编号 Case number"] == case.number
    assert "一次性告知书" in notice_text(at)
    assert at.button(key=f"found:{case.number}|supplement")  # on to the supplement
    shown = texts(at) + "\n".join(str(c) for c in table.to_dict("records"))
    assert "445321199003071230" not in shown.replace(query, "")  # masked everywhere


def test_a_search_that_says_too_little_or_finds_nothing(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    receive_food(workspace, ["application_form", "safety_rules"])
    at = _find_case(signed_in("clerk", "window.py"), "张")
    assert "至少两个字" in at.warning[0].value
    at.text_input(key="fc_query").input("赵六").run()
    assert "没有找到符合条件的案件" in at.warning[0].value


def test_the_applicant_rates_a_finished_case_at_the_window(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_food(workspace, ["application_form", "layout_plan", "safety_rules"])
    service(workspace).withdraw(case.number, actor="ms_officer", reason="申请人申请撤回")
    at = _find_case(signed_in("clerk", "window.py"), case.number)
    scope = f"found:{case.number}"
    assert at.radio(key=f"{scope}|score").options == [
        "非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    at.button(key=f"{scope}|rate").click().run()
    assert "请先选择评价等级" in at.error[0].value  # nothing recorded
    at.radio(key=f"{scope}|score").set_value(2)
    at.text_area(key=f"{scope}|comment").input("等候时间太长").run()
    at.button(key=f"{scope}|rate").click().run()
    assert not at.exception, at.exception
    rated = service(workspace).get(case.number)
    assert rated.rating is not None and rated.rating.score == 2
    assert rated.rating.via == "window" and rated.rating.by == "clerk"
    assert any("不满意" in w.value and "等候时间太长" in w.value for w in at.warning)
    assert "差评已转督办" in texts(at)
    assert f"{scope}|score" not in [r.key for r in at.radio]  # rated once


def test_an_open_case_is_not_rated(signed_in: Callable[..., AppTest], workspace: Path) -> None:
    case = receive_food(workspace, ["application_form", "layout_plan", "safety_rules"])
    at = _find_case(signed_in("clerk", "window.py"), case.number)
    assert f"found:{case.number}|score" not in [r.key for r in at.radio]
