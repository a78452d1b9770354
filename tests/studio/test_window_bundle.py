"""The window's intake of a bundle (高效办成一件事) by AppTest: find 开办餐饮店“一件事”,
fill one form (the shared answers once, a section per matter that applies), tick one
checklist, get one pre-check naming the matters, then 受理: one linked case a matter.

The applicant is the farm restaurant with guest rooms of the bundle's own examples
(definitions/bundles/open_restaurant.yaml), first without the floor plan both licences
need and without its business scope.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from formkit.cases.tinystore import TinyCaseStore
from formkit.catalog import open_catalog

BUNDLE = "XX-B-0001"
SCOPE = f"bundle:{BUNDLE}"
INDIVIDUAL, FOOD, HYGIENE = "XX-MS-0001", "XX-MS-0002", "XX-HE-0002"
NAMES = {INDIVIDUAL: "个体工商户设立登记", FOOD: "食品经营许可证核发（新办）",
         HYGIENE: "公共场所卫生许可（新办）"}
LAYOUT_PLAN = "经营场所平面布局图（含主要设备设施、操作流程和卫生设施布局）"
SHARED = {"operator_name": "梁志强", "operator_id": "445321198803091518",
          "mobile": "13500001111", "business_name": "新兴县志强农家乐",
          "address": "新兴县六祖镇龙山村58号", "floor_area": "420"}
# what each matter's own section asks, as typed (text inputs)
OWN_TEXT = {
    INDIVIDUAL: {"family_members[0].member_name": "李秀英",
                 "family_members[0].member_id": "445321199207284537"},
    FOOD: {"food_safety_manager.name": "李秀英",
           "food_safety_manager.id_number": "445321199207284537"},
    HYGIENE: {"place_name": "志强农家乐客房部", "staff_count": "6", "certified_staff": "6"},
}
HANDED = {INDIVIDUAL: ["application_form", "operator_id", "property_certificate",
                       "family_relation_proof"],
          FOOD: ["application_form", "safety_rules"],
          HYGIENE: ["application_form", "hygiene_rules", "health_certificates",
                    "hygiene_test_report"]}


def key(path: str, member: str | None = None) -> str:
    return f"{SCOPE}|{member}|{path}" if member else f"{SCOPE}|{path}"


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "success",
                                  "info", "code") for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, at.exception
    return at


def open_bundle(at: AppTest, query: str = "开饭店") -> AppTest:
    ok(at.text_input(key="win_query").input(query).run())
    assert at.selectbox(key="win_matter").value == BUNDLE
    return at


def fill_farm_restaurant(at: AppTest) -> AppTest:
    """The second example of open_restaurant.yaml, less its business scope."""
    for qid, value in SHARED.items():
        at.text_input(key=key(qid)).input(value)
    ok(at.radio(key=key("also_public_place")).set_value(True).run())
    at.selectbox(key=key("applicant_role", INDIVIDUAL)).select("operator")
    at.radio(key=key("operator.is_public_servant", INDIVIDUAL)).set_value(False)
    at.selectbox(key=key("premises", INDIVIDUAL)).select("owned")
    ok(at.selectbox(key=key("organisation", INDIVIDUAL)).select("family").run())
    at.selectbox(key=key("family_members[0].relation", INDIVIDUAL)).select("spouse")
    at.selectbox(key=key("applicant_role", FOOD)).select("legal_rep")
    at.multiselect(key=key("categories", FOOD)).set_value(["hot_food", "cold_food"])
    at.radio(key=key("vending_machines", FOOD)).set_value(False)
    at.selectbox(key=key("place_kind", HYGIENE)).select("hotel")
    at.radio(key=key("central_air_conditioning", HYGIENE)).set_value(False)
    for member, answers in OWN_TEXT.items():
        for path, value in answers.items():
            at.text_input(key=key(path, member)).input(value)
    return ok(at.run())


def hand_in(at: AppTest, member: str | None, *materials: str) -> AppTest:
    for m in materials:
        at.checkbox(key=key(f"mat|{m}|in", member)).check()
        at.checkbox(key=key(f"mat|{m}|sighted", member)).check()
    return ok(at.run())


def test_a_bundle_is_listed_apart_from_the_matters(signed_in: Callable[..., AppTest]) -> None:
    at = open_bundle(signed_in("clerk", "window.py"), "kbcyd")
    box = at.selectbox(key="win_matter")
    assert box.format_func(box.value) == "开办餐饮店“一件事” · 高效办成一件事（3 个事项）"
    at = open_bundle(at, "开饭店")  # the bundle's synonym, and the food licence's
    assert at.selectbox(key="win_matter").options == [
        "开办餐饮店“一件事” · 高效办成一件事（3 个事项） · 开饭店",
        "食品经营许可证核发（新办）（XX-MS-0002） · 开饭店"]


def test_the_shared_answers_are_asked_once_and_a_matter_shows_when_it_applies(
        signed_in: Callable[..., AppTest]) -> None:
    at = open_bundle(signed_in("clerk", "window.py"))
    keys = [w.key for w in at.text_input]
    # the operator's name is asked once, not in any matter's section
    assert key("operator_name") in keys
    asked = {k for k in keys if k.count("|") == 2}  # the members' own fields
    assert asked and not asked & {key(p, m) for m in (INDIVIDUAL, FOOD) for p in (
        "operator.name", "operator.legal_rep", "operator.mobile", "business_name", "address",
        "premises_address", "floor_area")}
    assert key("industry", INDIVIDUAL) not in [w.key for w in at.selectbox]  # fixed
    sections = [m.value for m in at.markdown if str(m.value).startswith("##### ")]
    assert sections == ["##### 共同信息（各事项共用，只填一次）Shared answers, asked once",
                        f"##### 1. {NAMES[INDIVIDUAL]}", f"##### 2. {NAMES[FOOD]}"]
    ok(at.radio(key=key("also_public_place")).set_value(True).run())
    assert f"##### 3. {NAMES[HYGIENE]}" in texts(at)
    assert key("place_name", HYGIENE) in [w.key for w in at.text_input]
    ok(at.radio(key=key("also_public_place")).set_value(False).run())
    assert NAMES[HYGIENE] not in [m.value for m in at.markdown]
    assert key("place_name", HYGIENE) not in [w.key for w in at.text_input]
    assert f"本次不需办理 Not needed for these answers：{NAMES[HYGIENE]}" in texts(at)


def test_one_pre_check_names_the_matters_then_accepts_three_linked_cases(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    at = fill_farm_restaurant(open_bundle(signed_in("clerk", "window.py")))
    for member, materials in HANDED.items():
        hand_in(at, member, *materials)
    checklist = texts(at)
    assert checklist.count(f"**1. {LAYOUT_PLAN}** · ❌ 缺 missing") == 1  # listed once
    assert f"一次提交，同时用于：{NAMES[FOOD]}、{NAMES[HYGIENE]}" in checklist
    assert "申请人 Applicant**（取自申请表 from the form）：梁志强" in checklist
    ok(at.button(key=key("run")).click().run())

    outcome = at.warning[0].value
    assert "预检结果 Pre-check outcome：**一次性告知补正**" in outcome
    said = texts(at)
    missing = (f"缺少材料 Missing material：{LAYOUT_PLAN}（未提交）——涉及 {NAMES[FOOD]}、"
               f"{NAMES[HYGIENE]}")
    assert said.count(missing) == 1, said
    assert f"申请表 Form：经营范围：此项为必填项——涉及 {NAMES[INDIVIDUAL]}" in said
    assert "共 2 项问题" in said
    problems = next(m.value for m in at.markdown if "项问题" in str(m.value))
    assert "XX-" not in problems and "layout_plan" not in problems  # names, not codes
    assert any("此项为必填项" in e.value for e in at.error)  # at the business scope
    assert at.button(key=key("create")).label.startswith("立案并出具一次性告知书")

    # the applicant hands in the plan and gives the business scope
    at.text_area(key=key("business_scope", INDIVIDUAL)).input("热食类、冷食类食品制售；住宿服务")
    hand_in(at, None, "layout_plan")
    assert "预检结果 Pre-check outcome：**受理**" in at.success[0].value
    assert at.button(key=key("create")).label == "受理 Accept（立案 3 件）"
    ok(at.button(key=key("create")).click().run())

    done = at.session_state[key("intake")]
    numbers = done["cases"]
    assert len(numbers) == 3
    rows = at.dataframe[0].value
    assert list(rows["事项"]) == [NAMES[INDIVIDUAL], NAMES[FOOD], NAMES[HYGIENE]]
    assert list(rows["承办部门"]) == ["市场监督管理局", "市场监督管理局", "卫生健康局"]
    assert list(rows["案件编号"]) == numbers
    assert set(rows["状态"]) == {"已受理"}
    assert "一件事编号 Bundle number" in at.success[0].value

    # the store: three cases, each linked to the others by the bundle
    opened = open_catalog(workspace / "definitions")
    store = TinyCaseStore(workspace / "var" / "store",
                          prefix=opened.catalog.code_prefix if opened.catalog else "FK")
    cases = [store.get(n) for n in numbers]
    assert [c["matter"] for c in cases] == [INDIVIDUAL, FOOD, HYGIENE]
    for case in cases:
        assert case["state"] == "accepted"
        assert case["bundle"]["code"] == BUNDLE
        assert case["bundle"]["number"] == done["number"]
        assert case["bundle"]["cases"] == numbers
    assert cases[0]["applicant"] == "梁志强"

    ok(at.button(key=key("next")).click().run())  # the next applicant: a blank form
    assert key("intake") not in at.session_state
    assert at.text_input(key=key("operator_name")).value == ""


def test_the_combined_notices_are_printed(signed_in: Callable[..., AppTest]) -> None:
    at = fill_farm_restaurant(open_bundle(signed_in("clerk", "window.py")))
    for member, materials in HANDED.items():
        hand_in(at, member, *materials)
    ok(at.button(key=key("run")).click().run())
    notice = "\n".join(c.value for c in at.code)
    assert "一次性告知书" in notice
    assert notice.count(LAYOUT_PLAN) == 1, notice  # once, for both licences
    assert at.download_button(key=key("preview|download"))
    at.text_area(key=key("business_scope", INDIVIDUAL)).input("热食类、冷食类食品制售；住宿服务")
    hand_in(at, None, "layout_plan")
    ok(at.button(key=key("create")).click().run())
    numbers = at.session_state[key("intake")]["cases"]
    notice = "\n".join(c.value for c in at.code)
    assert "受理通知书" in notice
    assert all(n in notice for n in numbers), notice
    assert all(name in notice for name in NAMES.values())
