"""The shipped sample catalog is valid and as rich as a real county centre's."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from formkit.catalog import OpenCatalog, open_catalog
from formkit.cli import main
from formkit.definitions.model import Expr, FieldType, Matter
from formkit.intake.precheck import run_precheck

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def opened() -> OpenCatalog:
    return open_catalog(ROOT / "definitions")


def test_validate_json_says_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "definitions"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True, doc["errors"][:3]
    assert doc["errors"] == []
    assert doc["matters"] >= 15


def test_size_and_spread(opened: OpenCatalog) -> None:
    assert opened.catalog is not None
    assert len(opened.catalog.departments) >= 8
    assert all(d.sections for d in opened.catalog.departments)
    assert len(opened.matters) >= 15
    assert len({m.department for m in opened.matters.values()}) >= 6


def test_every_matter_has_three_examples_and_bilingual_names(opened: OpenCatalog) -> None:
    for matter in opened.matters.values():
        assert len(matter.tests) >= 3, matter.code
        assert matter.name.en, matter.code


def _fields(matter: Matter) -> list[FieldType]:
    out: list[FieldType] = []
    stack = list(matter.form)
    while stack:
        f = stack.pop()
        out.append(f.type)
        stack.extend(f.fields or [])
    return out


def test_features_a_real_guide_needs_are_all_exercised(opened: OpenCatalog) -> None:
    matters = list(opened.matters.values())
    materials = [mat for m in matters for mat in m.materials]
    kinds = Counter(t for m in matters for t in _fields(m))
    assert any(mat.tolerable for mat in materials), "容缺 materials"
    assert any(mat.source == "government" for mat in materials), "fetched materials"
    assert {mat.form for mat in materials} >= {"original", "copy"}
    assert any(mat.copies > 1 for mat in materials)
    assert any(not isinstance(mat.required, bool) for mat in materials), "conditional"
    assert kinds[FieldType.repeat] >= 2 and kinds[FieldType.group] >= 1
    assert kinds[FieldType.choice] >= 1 and kinds[FieldType.multichoice] >= 1
    assert any(c.refuse for m in matters for c in m.checks)
    assert any(c.warn for m in matters for c in m.checks)
    assert any(len(step.step) > 1 for m in matters for step in m.route), "parallel units"
    assert any(len(m.route) > 1 for m in matters), "multi-step route"
    assert any(not isinstance(step.when, bool) for m in matters for step in m.route)
    assert any(m.time_limit.unit == "calendar_days" for m in matters)
    assert any(m.time_limit.committed_days == 0 for m in matters), "即办件"
    assert any(m.let for m in matters) and any(m.uses for m in matters)
    assert any(isinstance(m.fee, Expr) for m in matters), "fee as an expression"


# ---- matter-format v2: the 办事指南 elements (issue #15) ----

_REAL_ESTATE = "XX-NR-0001"


def test_every_matter_has_its_guide_filled(opened: OpenCatalog) -> None:
    assert len(opened.matters) == 20
    for matter in opened.matters.values():
        guide = matter.guide
        assert guide is not None, matter.code
        assert guide.place is not None and "新兴县" in guide.place.zh, matter.code
        assert guide.hours is not None and "周一至周五" in guide.hours.zh, matter.code
        assert guide.consult_phone and guide.complaint_phone, matter.code
        assert guide.complaint_phone in ("12345", "12366"), matter.code
        assert guide.delivery and set(guide.delivery) <= {"window", "post", "electronic"}
        assert guide.result_validity is not None and guide.result_validity.zh, matter.code
        assert guide.service_objects, matter.code
        assert guide.conditions is not None and len(guide.conditions.zh) >= 20, matter.code
        assert len(guide.process) >= 4, matter.code
        assert guide.scope in ("county", "city", "province", "national"), matter.code
        assert guide.online_depth is not None and 1 <= guide.online_depth <= 4, matter.code


def test_decision_wording_of_the_registration_matters(opened: OpenCatalog) -> None:
    wording = {m.code: m.wording for m in opened.matters.values()}
    for code in ("XX-MS-0001", "XX-MS-0003", "XX-NR-0001", "XX-CA-0001"):
        assert wording[code] == "registration", code
    assert wording["XX-PS-0001"] == "handling"
    assert wording["XX-CA-0002"] == "approval"
    assert wording["XX-HE-0002"] == "licence"
    re_basis = opened.matters[_REAL_ESTATE].document_basis
    assert re_basis["acceptance"] == ["《不动产登记暂行条例》第十七条"]
    assert re_basis["decision"] == ["《不动产登记暂行条例》第二十一条"]
    assert re_basis["decision_deny"] == ["《不动产登记暂行条例》第二十二条"]


def test_id_card_may_be_extended_thirty_calendar_days(opened: OpenCatalog) -> None:
    limit = opened.matters["XX-PS-0001"].time_limit
    # 居民身份证法 §12: 60 days; remote areas up to 30 more
    assert (limit.unit, limit.statutory_days) == ("calendar_days", 60)
    assert limit.extension is not None and limit.extension.days == 30
    assert limit.extension.approver is not None


def test_dibao_limit_and_seven_day_public_notice(opened: OpenCatalog) -> None:
    matter = opened.matters["XX-CA-0002"]
    # 最低生活保障审核确认办法: 30 working days, up to 45 in special cases
    assert (matter.time_limit.unit, matter.time_limit.statutory_days) == ("working_days", 30)
    assert matter.time_limit.extension is not None and matter.time_limit.extension.days == 15
    notice = {p.id: p for p in matter.special_procedures}["public_notice"]
    assert (notice.max_days, notice.unit) == (7, "calendar_days")


def test_real_estate_transfer_limits(opened: OpenCatalog) -> None:
    limit = opened.matters[_REAL_ESTATE].time_limit
    assert (limit.unit, limit.statutory_days, limit.committed_days) == ("working_days", 30, 5)
    assert opened.matters[_REAL_ESTATE].fees is not None


def _fees_due(opened: OpenCatalog, code: str, fields: dict[str, object]) -> Decimal:
    """The pre-check's fee: the sum of the matter's `fees` items that apply."""
    rules = opened.rules_of(code)
    assert rules is not None and rules.matter.fees is not None, code
    result = run_precheck(rules, {"fields": fields, "materials": []},
                          today=dt.date(2026, 11, 25))
    assert result.fee is not None, result.field_errors
    return result.fee


def _sale(use: str, certificates: int) -> dict[str, object]:
    buyers = [{"buyer_name": "吴俊杰", "buyer_id": "445321199609216318",
               "buyer_mobile": "13600005678"}]
    return {"applicant_role": "parties", "certificate_no": "粤（2019）新兴县不动产权第0012345号",
            "unit_no": "445321003004GB00123F00010002", "property_use": use,
            "floor_area": 96.5, "price": 520000,
            "sellers": [{"seller_name": "罗国平", "seller_id": "445321196207158510",
                         "seller_married": False}],
            "ownership_mode": "sole", "buyers": buyers, "certificate_count": certificates,
            "has_seizure": False}


@pytest.mark.parametrize(("use", "certificates", "expected"), [
    ("residential", 1, 80), ("residential", 3, 100),
    ("non_residential", 1, 550), ("non_residential", 3, 570),
])
def test_real_estate_fees(opened: OpenCatalog, use: str, certificates: int,
                          expected: int) -> None:
    # 发改价格规〔2016〕2559号: ¥80 residential, ¥550 non-residential per case; the first
    # certificate is free and each further one costs ¥10
    assert _fees_due(opened, _REAL_ESTATE, _sale(use, certificates)) == Decimal(expected)


def test_templates_and_commitments_are_real(opened: OpenCatalog) -> None:
    materials = [mat for m in opened.matters.values() for mat in m.materials]
    for mat in materials:
        for ref in (mat.template, mat.sample):
            if ref and not ref.startswith("https://"):
                assert (ROOT / "definitions" / ref).is_file(), ref
    assert sum(1 for mat in materials if mat.template) >= 8
    assert any(mat.sample for mat in materials)
    assert any(mat.commitment for mat in materials), "告知承诺"
    assert {mat.source for mat in materials} >= {"applicant", "government", "intermediary",
                                                   "other"}
    assert any(mat.tolerable_days for mat in materials)
    individual = {mat.id: mat for mat in opened.matters["XX-MS-0001"].materials}
    assert individual["property_certificate"].commitment is True


def test_catalog_departments_have_full_names_and_review_bodies(opened: OpenCatalog) -> None:
    catalog = opened.catalog
    assert catalog is not None
    assert catalog.region is not None and catalog.region.zh == "新兴县"
    assert catalog.complaint_phone == "12345"
    assert catalog.review_body is not None and catalog.review_body.zh == "新兴县人民政府"
    assert catalog.court is not None and catalog.court.zh == "新兴县人民法院"
    for dept in catalog.departments:
        assert dept.full_name is not None, dept.id
        assert dept.phone, dept.id
    names = {d.id: d.full_name.zh for d in catalog.departments if d.full_name}
    assert names["taxation"] == "国家税务总局新兴县税务局"
    assert names["market_supervision"] == "新兴县市场监督管理局"
    assert catalog.review_body_of("taxation") == "国家税务总局云浮市税务局"
    assert catalog.review_body_of("fire_rescue") == "云浮市消防救援支队"
    assert catalog.review_body_of("public_security") == "新兴县人民政府"
