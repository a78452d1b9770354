"""matter-format v2 keys (issue #15): each parses, and a wrong value of each is reported
at its exact line and column.

``BASE`` is the smallest valid matter (five lines), so a case's own lines start at 6.
"""

# ruff: noqa: E501  (YAML lines are kept whole, as an editor writes them)
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest

from formkit.catalog import open_catalog
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Catalog, Expr, Matter, MatterKind
from formkit.errors import FormkitError
from tests.conftest import CATALOG_YAML, MakeCatalog

M1 = "market_supervision/matter1.yaml"
BASE = """\
code: "XX-T-0001"
name: {zh: 测试事项}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
"""
FORM = """\
form:
  - {id: purpose, type: text}
  - {id: certificates, type: integer}
"""
MATERIAL = "materials:\n  - {id: lease, name: {zh: 租赁合同}, "


class E(NamedTuple):
    """An expected error; ``hint`` and ``message`` are substrings when given."""

    kind: str
    code: str
    line: int
    column: int
    hint: str | None = None
    message: str | None = None
    file: str = M1


def _assert_errors(folder: Path, errors: list[FormkitError], expected: list[E]) -> None:
    got = []
    for err in errors:
        span = err.span
        assert span is not None and span.file is not None, err.render()
        got.append((err.kind, err.code, Path(span.file).relative_to(folder).as_posix(),
                    span.line, span.column))
    want = [(e.kind, e.code, e.file, e.line, e.column) for e in expected]
    assert got == want, "\n".join(e.render() for e in errors)
    for err, exp in zip(errors, expected, strict=True):
        if exp.hint is not None:
            assert err.hint is not None and exp.hint in err.hint, (err.hint, exp.hint)
        if exp.message is not None:
            assert exp.message in err.message, (err.message, exp.message)


BROKEN = [
    pytest.param(BASE.replace("public_service", "administrative_x"),
                 [E("definition", "bad-value", 4, 7, message="administrative_inspection")],
                 id="kind-unknown"),
    pytest.param(BASE + "guide:\n  service_objects: [natural_person, robot]\n",
                 [E("definition", "bad-value", 7, 37, message="other_organisation")],
                 id="guide-service-object"),
    pytest.param(BASE + "guide:\n  online_depth: 5\n",
                 [E("definition", "bad-value", 7, 17, message="less than or equal to 4")],
                 id="guide-online-depth-5"),
    pytest.param(BASE + "guide:\n  online_depth: true\n",
                 [E("definition", "bad-type", 7, 17, message="whole number")],
                 id="guide-online-depth-true"),
    pytest.param(BASE + "guide:\n  consult_phone: 'call 2888888'\n",
                 [E("definition", "bad-value", 7, 18, hint="0766-2888888",
                    message="not a telephone number")], id="guide-bad-phone"),
    pytest.param(BASE + "guide:\n  complaint_phone: 0766-28888888888\n",
                 [E("definition", "bad-value", 7, 20, hint="12345")],
                 id="guide-phone-too-long"),
    pytest.param(BASE + "guide: {delivery: [window, fax]}\n",
                 [E("definition", "bad-value", 6, 28, message="window, post, electronic")],
                 id="guide-delivery-fax"),
    pytest.param(BASE + "guide:\n  scope: town\n",
                 [E("definition", "bad-value", 7, 10, message="county, city, province, national")],
                 id="guide-scope-town"),
    pytest.param(BASE + "guide:\n  visits_note: {zh: 无}\n",
                 [E("definition", "unknown-key", 7, 3)], id="guide-unknown-key"),
    pytest.param(BASE + "fees:\n  - {amount: 10}\n",
                 [E("definition", "missing-key", 7, 5, message="'name' in fees[0]")],
                 id="fees-item-without-name"),
    pytest.param(BASE + "fees:\n  - {name: {zh: 登记费}, amount: -1}\n",
                 [E("definition", "bad-value", 7, 31, message="0 or more")],
                 id="fees-amount-negative"),
    pytest.param(BASE + FORM + "fees:\n  - {name: {zh: 登记费}, amount: 10}\n  - {name: {zh: 工本费}, amount: 'purpose'}\n",
                 [E("type", "wrong-type", 11, 32, message="amount of fees[1]")],
                 id="fees-amount-text"),
    pytest.param(BASE + FORM + "fees:\n  - name: {zh: 登记费}\n    amount: 80\n    when: 'purpos == \"home\"'\n",
                 [E("name", "unknown-name", 12, 12, hint="did you mean 'purpose'?")],
                 id="fees-when-unknown-field"),
    pytest.param(BASE + FORM + "fees:\n  - {name: {zh: 登记费}, amount: 80, when: 'certificates + 1'}\n",
                 [E("type", "wrong-type", 10, 42, message="'when' of fees[0]")],
                 id="fees-when-not-a-condition"),
    pytest.param(BASE + "fee: 10\nfees:\n  - {name: {zh: 登记费}, amount: 80}\n",
                 [E("definition", "fee-and-fees", 7, 1, message="either fee or fees")],
                 id="fee-and-fees"),
    pytest.param(BASE + FORM + "fee: '10 * certificates'\nfees: []\n",
                 [E("definition", "fee-and-fees", 10, 1)], id="fee-expression-and-fees"),
    pytest.param(BASE + MATERIAL + "template: forms/lease.docx}\n",
                 [E("definition", "missing-file", 7, 45, hint="forms/lease.docx",
                    message="does not exist")], id="template-missing-file"),
    pytest.param(BASE + MATERIAL + "template: /etc/passwd}\n",
                 [E("definition", "bad-value", 7, 45, hint="relative to the catalog folder",
                    message="absolute path")], id="template-absolute"),
    pytest.param(BASE + MATERIAL + "sample: ../x}\n",
                 [E("definition", "bad-value", 7, 43, message="outside the catalog folder")],
                 id="sample-dotdot"),
    pytest.param(BASE + MATERIAL + "sample: forms/../../x.pdf}\n",
                 [E("definition", "bad-value", 7, 43, message="outside the catalog folder")],
                 id="sample-dotdot-inside"),
    pytest.param(BASE + MATERIAL + "template: 'ftp://x.cn/a.doc'}\n",
                 [E("definition", "bad-value", 7, 45, message="http and https")],
                 id="template-ftp"),
    pytest.param(BASE + MATERIAL + "source: bank}\n",
                 [E("definition", "bad-value", 7, 43,
                    message="applicant, government, intermediary, other")],
                 id="material-source-bank"),
    pytest.param(BASE + MATERIAL + "commitment: maybe}\n",
                 [E("definition", "bad-type", 7, 47)], id="material-commitment-not-bool"),
    pytest.param(BASE + "document_basis:\n  acceptance: [条例第十九条]\n  certificate: [条例]\n",
                 [E("definition", "unknown-key", 8, 3, hint="use one of: acceptance, supplement",
                    message="special_procedure")], id="document-basis-unknown-key"),
    pytest.param(BASE + "document_basis: {extention: [条例]}\n",
                 [E("definition", "unknown-key", 6, 18, hint="did you mean 'extension'?")],
                 id="document-basis-typo"),
    pytest.param(BASE + "document_basis: {decision: 条例}\n",
                 [E("definition", "bad-type", 6, 28, message="a list")],
                 id="document-basis-not-a-list"),
    pytest.param(BASE + "decision_wording: x\n",
                 [E("definition", "bad-value", 6, 19,
                    message="licence, registration, approval, handling")],
                 id="decision-wording"),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_a_wrong_v2_value_is_reported_at_its_place(make_catalog: MakeCatalog, text: str,
                                                   expected: list[E]) -> None:
    folder = make_catalog(text)
    _assert_errors(folder, open_catalog(folder, cache=False).errors, expected)


BROKEN_CATALOG = [
    pytest.param("phone: 12\n", [E("definition", "bad-value", 1, 8, hint="0766-2888888",
                                   file="catalog.yaml")], id="catalog-phone"),
    pytest.param("court: 新兴县人民法院\n",
                 [E("definition", "bad-type", 1, 8, message="mapping", file="catalog.yaml")],
                 id="catalog-court-not-a-label"),
    pytest.param("region: {en: Xinxing}\n",
                 [E("definition", "missing-key", 1, 9, file="catalog.yaml")],
                 id="catalog-region-without-zh"),
    pytest.param("rating_url: www.gdzwfw.gov.cn\n",
                 [E("definition", "bad-value", 1, 13, file="catalog.yaml")],
                 id="catalog-rating-url-without-scheme"),
]


@pytest.mark.parametrize(("head", "expected"), BROKEN_CATALOG)
def test_a_wrong_catalog_key_is_reported_at_its_place(make_catalog: MakeCatalog, head: str,
                                                      expected: list[E]) -> None:
    folder = make_catalog(BASE, catalog=head + CATALOG_YAML)
    _assert_errors(folder, open_catalog(folder, cache=False).errors, expected)


def test_a_department_key_is_checked(make_catalog: MakeCatalog) -> None:
    catalog = CATALOG_YAML.replace("    name: {zh: 市场监督管理局}\n",
                                   "    name: {zh: 市场监督管理局}\n    phone: 'x'\n", 1)
    assert catalog != CATALOG_YAML
    folder = make_catalog(BASE, catalog=catalog)
    [err] = open_catalog(folder, cache=False).errors
    assert (err.code, err.span and err.span.file.endswith("catalog.yaml")) == ("bad-value", True)
    assert err.message.startswith("departments[0].phone:")


FULL = BASE.replace("kind: public_service", "kind: administrative_levy") + FORM + """\
decision_wording: approval
document_basis:
  acceptance: ["《市场主体登记管理条例》第十九条"]
  extension: ["《市场主体登记管理条例》第十九条"]
guide:
  service_objects: [natural_person, legal_person, other_organisation]
  conditions: {zh: 申请人具有完全民事行为能力, en: The applicant is of full capacity}
  process: [{zh: 申请}, {zh: 受理}, {zh: 审查}, {zh: 决定}, {zh: 送达}]
  place: {zh: 新兴县行政服务中心一楼综合窗口}
  hours: {zh: "周一至周五 8:30-12:00, 14:30-17:30"}
  consult_phone: "0766-2888888"
  complaint_phone: 12345
  delivery: [window, post, electronic]
  result_validity: {zh: 长期}
  scope: county
  online_depth: 4
  appointment: true
  intermediary: [{zh: 房产测绘}]
  notes: {zh: 其他说明}
fees:
  - {name: {zh: 登记费}, amount: 80, basis: {zh: 发改价格规〔2016〕2559号}, when: 'purpose != "commercial"'}
  - {name: {zh: 登记费}, amount: 550, when: 'purpose == "commercial"'}
  - {name: {zh: 证书工本费}, amount: "10 * max(certificates - 1, 0)", basis: {zh: 工本费依据}}
materials:
  - id: lease
    name: {zh: 经营场所租赁合同}
    form: copy
    commitment: true
    source: intermediary
    template: forms/lease.docx
    sample: "https://www.example.gov.cn/lease-sample.pdf"
    basis: {zh: 《条例》第十条}
  - {id: other, name: {zh: 其他材料}, source: other, sample: ./forms/lease.docx}
"""


def test_every_v2_key_parses(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(FULL, files={"forms/lease.docx": b"PK"})
    cat = open_catalog(folder, cache=False)
    assert [e.render() for e in cat.errors] == []
    matter = cat.matters["XX-T-0001"]
    assert matter.kind == MatterKind.administrative_levy and matter.wording == "approval"
    assert matter.document_basis == {"acceptance": ["《市场主体登记管理条例》第十九条"],
                                     "extension": ["《市场主体登记管理条例》第十九条"]}
    guide = matter.guide
    assert guide is not None
    assert guide.service_objects == ["natural_person", "legal_person", "other_organisation"]
    assert guide.conditions is not None and guide.conditions.en == "The applicant is of full capacity"
    assert [p.zh for p in guide.process] == ["申请", "受理", "审查", "决定", "送达"]
    assert (guide.consult_phone, guide.complaint_phone) == ("0766-2888888", "12345")
    assert guide.delivery == ["window", "post", "electronic"]
    assert (guide.scope, guide.online_depth, guide.appointment) == ("county", 4, True)
    assert guide.result_validity is not None and guide.result_validity.zh == "长期"
    assert [i.zh for i in guide.intermediary] == ["房产测绘"]
    assert guide.notes is not None and guide.place is not None and guide.hours is not None
    fees = matter.fees
    assert fees is not None and [f.name.zh for f in fees] == ["登记费", "登记费", "证书工本费"]
    assert fees[0].amount == Decimal(80) and isinstance(fees[0].when, Expr)
    assert isinstance(fees[2].amount, Expr) and fees[2].when is True and fees[1].basis is None
    lease, other = matter.materials
    assert (lease.commitment, lease.source, lease.template, lease.sample) == (
        True, "intermediary", "forms/lease.docx", "https://www.example.gov.cn/lease-sample.pdf")
    assert lease.basis is not None and lease.basis.zh == "《条例》第十条"
    assert (other.commitment, other.source, other.basis) == (False, "other", None)
    assert cat.rules["XX-T-0001"].ok


def test_a_v1_matter_has_the_v2_defaults() -> None:
    matter, doc = load_matter_text(BASE + "materials:\n  - {id: lease, name: {zh: 租赁合同}}\n",
                                   "m.yaml")
    assert matter is not None, doc.errors
    assert (matter.guide, matter.fees, matter.decision_wording, matter.document_basis) == (
        None, None, None, {})
    m = matter.materials[0]
    assert (m.commitment, m.template, m.sample, m.basis) == (False, None, None, None)


@pytest.mark.parametrize(("kind", "wording"), [
    ("administrative_licensing", "licence"), ("administrative_confirmation", "registration"),
    ("administrative_payment", "approval"), ("administrative_punishment", "handling"),
    ("administrative_enforcement", "handling"), ("administrative_inspection", "handling"),
    ("public_service", "handling"), ("other_administrative", "handling")])
def test_the_decision_wording_defaults_by_kind(kind: str, wording: str) -> None:
    matter, doc = load_matter_text(BASE.replace("public_service", kind), "m.yaml")
    assert matter is not None, doc.errors
    assert matter.decision_wording is None and matter.wording == wording
    given = Matter.model_validate({**matter.model_dump(), "decision_wording": "registration"})
    assert given.wording == "registration"


@pytest.mark.parametrize("phone", ["0766-2888888", "2888888", "12345", "0766-12345",
                                   "020-12345678-801", "400-123-4567", "4001234567",
                                   "800-810-8888"])
def test_telephone_numbers_that_are_accepted(phone: str) -> None:
    matter, doc = load_matter_text(BASE + f"guide: {{consult_phone: '{phone}'}}\n", "m.yaml")
    assert matter is not None and matter.guide is not None, doc.errors
    assert matter.guide.consult_phone == phone


@pytest.mark.parametrize("phone", ["1234", "0766 2888888", "+86-766-2888888", "call",
                                   "0766-", "07662-2888888", "400-12-34"])
def test_telephone_numbers_that_are_refused(phone: str) -> None:
    matter, doc = load_matter_text(BASE + f"guide: {{consult_phone: '{phone}'}}\n", "m.yaml")
    assert matter is None
    assert [e.code for e in doc.errors] == ["bad-value"]


CATALOG = """\
name: {zh: 新兴县政务服务中心}
region: {zh: 新兴县, en: Xinxing County}
address: {zh: 新兴县新城镇}
phone: "0766-2888888"
complaint_phone: 12345
review_body: {zh: 新兴县人民政府}
court: {zh: 新兴县人民法院}
departments:
  - id: market_supervision
    name: {zh: 市场监督管理局, en: Market Supervision Bureau}
  - id: taxation
    name: {zh: 税务局}
    full_name: {zh: 国家税务总局新兴县税务局}
    review_body: {zh: 国家税务总局云浮市税务局}
    court: {zh: 云浮市云城区人民法院}
    address: {zh: 新兴县税务大楼}
    phone: "0766-2777777"
  - id: county_office
    name: {zh: 新兴县人民政府办公室}
"""


def test_the_catalog_names_each_department_and_its_remedies(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(BASE, catalog=CATALOG)
    cat = open_catalog(folder, cache=False)
    assert [e.render() for e in cat.errors] == []
    catalog = cat.catalog
    assert isinstance(catalog, Catalog)
    assert catalog.complaint_phone == "12345" and catalog.phone == "0766-2888888"
    assert catalog.department_full_name("market_supervision") == "新兴县市场监督管理局"
    assert catalog.department_full_name("market_supervision", "en") == \
        "Xinxing County Market Supervision Bureau"
    assert catalog.department_full_name("taxation") == "国家税务总局新兴县税务局"
    # a name that already starts with the region is not prefixed twice
    assert catalog.department_full_name("county_office") == "新兴县人民政府办公室"
    assert catalog.department_full_name("nowhere") == "nowhere"
    assert catalog.review_body_of("market_supervision") == "新兴县人民政府"
    assert catalog.review_body_of("taxation") == "国家税务总局云浮市税务局"
    assert catalog.court_of("market_supervision") == "新兴县人民法院"
    assert catalog.court_of("taxation") == "云浮市云城区人民法院"
    dept = catalog.department("taxation")
    assert dept is not None and dept.phone == "0766-2777777"
    assert dept.address is not None and dept.address.zh == "新兴县税务大楼"


def test_without_region_or_review_body_the_catalog_says_none(make_catalog: MakeCatalog) -> None:
    cat = open_catalog(make_catalog(BASE), cache=False)
    assert cat.catalog is not None and cat.errors == []
    assert cat.catalog.department_full_name("market_supervision") == "市场监督管理局"
    assert cat.catalog.review_body_of("market_supervision") is None
    assert cat.catalog.court_of("market_supervision") is None


def test_a_template_link_is_not_fetched_and_a_folder_is_not_a_file(
        make_catalog: MakeCatalog) -> None:
    folder = make_catalog(BASE + MATERIAL + "template: 'http://x.gov.cn/a.doc', sample: forms}\n",
                          files={"forms/a.txt": "x"})
    _assert_errors(folder, open_catalog(folder, cache=False).errors,
                   [E("definition", "missing-file", 7, 78, message="'forms' is not a file")])
