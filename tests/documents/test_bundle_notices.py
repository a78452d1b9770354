"""Tests for formkit.documents.bundle_notices: a bundle's combined 一次性告知书 and
受理通知书, from the sample bundle 开办餐饮店“一件事” (XX-B-0001), golden files and
what an applicant must read in them.

Regenerate the goldens after an intended change with
``FORMKIT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/documents``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from formkit.cases.bundles import BundleIntake, receive_bundle, siblings
from formkit.definitions.model import Catalog, Matter
from formkit.documents.bundle_notices import (
    BundleNoticeInfo,
    bundle_case_document,
    bundle_document,
    bundle_notice_kind,
)
from formkit.documents.layout import day
from formkit.errors import DocumentUnavailable
from formkit.intake.bundles import BundlePrecheckResult, run_bundle_precheck
from formkit.intake.precheck import Finding
from formkit.ruleset import BundleRules
from tests.cases.support import Clock, calendar, catalog, service
from tests.documents.test_notices import check_golden

BUNDLE = "XX-B-0001"
MS, FOOD, HYGIENE = "XX-MS-0001", "XX-MS-0002", "XX-HE-0002"
MISSING = "misses the floor plan two matters need and its business scope"
COMPLETE = "the same farm restaurant complete is accepted"
TOLERATED = "a public servant opening a restaurant"
INFO = BundleNoticeInfo(applicant="梁志强", clerk="李敏", clerk_phone="0766-2883345")
FLOOR_PLAN = "经营场所平面布局图（含主要设备设施、操作流程和卫生设施布局）"


def centre() -> Catalog:
    found = catalog().catalog
    assert found is not None
    return found


def rules() -> BundleRules:
    found = catalog().bundle_rules_of(BUNDLE)
    assert found is not None
    return found


def matters() -> dict[str, Matter]:
    return {code: r.matter for code, r in rules().members.items()}


def submission(name_part: str) -> tuple[dict[str, object], dt.date]:
    found = [e for e in rules().bundle.tests if name_part in e.name]
    assert len(found) == 1, name_part
    ex = found[0]
    assert ex.today is not None
    return ({"fields": ex.fields,
             "materials": [m.model_dump(exclude_none=True) for m in ex.materials]}, ex.today)


def precheck(name_part: str) -> BundlePrecheckResult:
    sub, today = submission(name_part)
    return run_bundle_precheck(rules(), sub, today=today, calendar=calendar())


def document(name_part: str, info: BundleNoticeInfo = INFO, kind: str | None = None,
             fmt: str = "text") -> str:
    doc = bundle_document(centre(), rules().bundle, matters(),
                          precheck(name_part), info, kind, calendar=calendar())
    return doc.html if fmt == "html" else doc.text


def items(text: str) -> list[str]:
    """The numbered item lines of a text rendering."""
    return [line.strip() for line in text.splitlines() if line.startswith("  ")]


# --- the kind -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name_part", "kind"), [
    (MISSING, "supplement"), (COMPLETE, "acceptance"), (TOLERATED, "acceptance")])
def test_kind_by_outcome(name_part: str, kind: str) -> None:
    assert bundle_notice_kind(precheck(name_part)) == kind


def test_all_refused_is_a_refusal() -> None:
    result = precheck(COMPLETE)
    for m in result.matters:
        m.outcome = "refuse"
    assert bundle_notice_kind(result) == "refusal"


# --- the judged example: one notice, everything once -------------------------------------------


def test_supplement_lists_the_shared_floor_plan_once_naming_both_matters() -> None:
    text = document(MISSING)
    assert "开办餐饮店“一件事”一次性告知书" in text
    assert text.count(FLOOR_PLAN) == 1
    plan = next(i for i in items(text) if FLOOR_PLAN in i)
    assert "食品经营许可证核发（新办）、公共场所卫生许可（新办）共用，只需提交一份" in plan
    assert "未提交" in plan and "布局图标明各功能区名称及面积" in plan


def test_supplement_lists_the_business_scope_once_naming_its_matter() -> None:
    text = document(MISSING)
    scope = [i for i in items(text) if "经营范围" in i]
    assert len(scope) == 1
    assert scope[0].startswith("2. 申请表（个体工商户设立登记部分）：经营范围")
    assert "涉及事项：个体工商户设立登记；" in scope[0]
    assert "存在问题：未填写" in scope[0]  # the plain words, not 此项为必填项
    assert "business_scope" not in text and "此项为必填项" not in text
    assert len(items(text)) == 2  # nothing else is missing


def test_supplement_says_where_and_when_and_on_what_law() -> None:
    text = document(MISSING)
    # five working days from Wed 25 November 2026
    assert "请于2026年12月2日前（自收件之日起5个工作日内）" in text
    assert "新兴县行政服务中心“高效办成一件事”窗口一次补正" in text
    assert "《中华人民共和国行政许可法》第三十二条第一款第（四）项" in text  # §32(1)(4)
    assert "国发〔2024〕3号" in text
    assert "营业执照（一并核发后由窗口调取）" in text  # fetched, not asked for
    assert "经办人：李敏（联系电话：0766-2883345）" in text
    assert "新兴县市场监督管理局 0766-2882291；新兴县卫生健康局" in text
    assert "新兴县行政服务中心（印章）" in text


def test_supplement_escapes_in_html() -> None:
    page = document(MISSING, fmt="html")
    assert "<h1>开办餐饮店“一件事”一次性告知书</h1>" in page
    assert page.count(FLOOR_PLAN) == 1


def test_a_refused_member_is_one_line_of_the_combined_notice() -> None:
    result = precheck(MISSING)
    result.matters[2].outcome = "refuse"
    doc = bundle_document(centre(), rules().bundle, matters(),
                          result, INFO, calendar=calendar())
    assert "公共场所卫生许可（新办）事项不予受理，另行出具不予受理决定书。" in doc.text


# --- acceptance -------------------------------------------------------------------------------


def test_acceptance_lists_each_member_with_its_deadlines() -> None:
    text = document(COMPLETE)
    assert "开办餐饮店“一件事”受理通知书" in text
    lines = items(text)
    assert lines[0].startswith("1. 个体工商户设立登记（承办部门：新兴县市场监督管理局；"
                               "受理编号：________；承诺办结期限：1个工作日，至2026年11月26日")
    assert "公共场所卫生许可（新办）（承办部门：新兴县卫生健康局" in lines[2]
    assert "7个工作日，至2026年12月4日；法定办结期限：20个工作日，至2026年12月23日" in lines[2]
    assert "全部办结期限：至2026年12月4日" in text
    assert "同步办理" in text and "最迟于2026年12月4日前办结" in text
    assert "服务评价" not in text  # as the single acceptance: rated when finished


def test_tolerated_acceptance_lists_the_material_and_its_due_day() -> None:
    text = document(TOLERATED, BundleNoticeInfo(applicant="何文"))
    assert "个体工商户设立登记（容缺受理）" in text
    # due by the committed deadline of its matter at the latest, as the case records it
    assert "经营场所租赁合同（涉及事项：个体工商户设立登记；补交期限：2026年11月26日" in text
    assert "你已签署容缺受理承诺书" in text


def test_no_acceptance_without_an_accepted_member() -> None:
    with pytest.raises(DocumentUnavailable) as caught:
        document(MISSING, kind="acceptance")
    assert caught.value.code == "no-document"


def test_refusal_is_each_members_own_decision() -> None:
    result = precheck(COMPLETE)
    own = result.results[HYGIENE]
    result.matters[2].outcome = own.outcome = "refuse"
    own.refusals = [Finding(message="不属于本机关职权范围")]
    doc = bundle_document(centre(), rules().bundle, matters(),
                          result, INFO, "refusal", calendar=calendar())
    assert "不予受理决定书" in doc.text and "不属于本机关职权范围" in doc.text
    assert "新兴县卫生健康局" in doc.text.splitlines()[0]
    accepted = bundle_document(centre(), rules().bundle,
                               matters(), result, INFO, "acceptance", calendar=calendar())
    assert "公共场所卫生许可（新办）事项不予受理，另行出具不予受理决定书。" in accepted.text
    assert "全部办结期限：至2026年12月2日" in accepted.text


def test_not_a_bundle_kind() -> None:
    with pytest.raises(ValueError, match="not a bundle document"):
        document(COMPLETE, kind="decision")


# --- with the cases made ----------------------------------------------------------------------


def received(tmp_path: Path) -> BundleIntake:
    sub, today = submission(COMPLETE)
    clock = Clock(dt.datetime(today.year, today.month, today.day, 9, 30))
    svc = service(tmp_path, clock)
    return receive_bundle(svc, catalog(), BUNDLE, sub, actor="window-07")


def test_acceptance_with_the_case_numbers(tmp_path: Path) -> None:
    intake = received(tmp_path)
    numbers = {c.matter: c.number for c in intake.cases}
    info = BundleNoticeInfo(applicant="梁志强", bundle_number=intake.number,
                            case_numbers=numbers, clerk="李敏", clerk_phone="0766-2883345")
    doc = bundle_document(centre(), rules().bundle, matters(),
                          intake.precheck, info, calendar=calendar())
    assert f"“一件事”编号：{intake.number}" in doc.text
    for case in intake.cases:
        assert f"受理编号：{case.number}；" in doc.text
        assert f"至{day(case.committed_deadline)}" in doc.text
    assert "________" not in doc.text.split("申请人签收")[0]
    check_golden("bundle_acceptance", "text", doc.text)
    check_golden("bundle_acceptance", "html", doc.html)


def test_reprinted_from_the_cases_says_the_same(tmp_path: Path) -> None:
    intake = received(tmp_path)
    numbers = {c.matter: c.number for c in intake.cases}
    info = BundleNoticeInfo(applicant="梁志强", bundle_number=intake.number,
                            case_numbers=numbers)
    fresh = bundle_document(centre(), rules().bundle,
                            matters(), intake.precheck, info, calendar=calendar())
    svc = service(tmp_path, Clock(dt.datetime(2026, 12, 1, 9)))
    one = svc.get(intake.cases[1].number)
    cases = [one, *siblings(svc, one)]
    again = bundle_case_document(centre(), rules().bundle,
                                 matters(), cases, "acceptance", calendar=calendar())
    assert again.text == fresh.text
    with pytest.raises(DocumentUnavailable):
        bundle_case_document(centre(), rules().bundle,
                             matters(), cases, "supplement")


# --- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_golden_supplement(fmt: str) -> None:
    check_golden("bundle_supplement", fmt, document(MISSING, fmt=fmt))


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_golden_tolerated_acceptance(fmt: str) -> None:
    check_golden("bundle_tolerance", fmt,
                 document(TOLERATED, BundleNoticeInfo(applicant="何文"), fmt=fmt))
