"""Every document of real sample cases: golden files for a licence, two registrations
and a benefit, and the legal text each must carry.

The cases are driven through the lifecycle (``tests/documents/cases.py``). Regenerate
the goldens after an intended change with
``FORMKIT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/documents`` and review the
diff line by line against the law.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path

import pytest

from formkit.cases.service import Case
from formkit.documents import DOCUMENT_KINDS, Document, case_document, case_document_kinds
from formkit.errors import DocumentUnavailable
from tests.cases.support import Clock, catalog, receive_example, service
from tests.documents.cases import documents_of

GOLDEN = Path(__file__).resolve().parent / "golden" / "cases"
UPDATE = os.environ.get("FORMKIT_UPDATE_GOLDEN") == "1"

# A licence, a market registration (licensing kind, registration wording), a real-estate
# registration (行政确认) and a benefit (行政给付).
MATTERS = {"XX-MS-0002": "licence", "XX-MS-0001": "market registration",
           "XX-NR-0001": "real-estate registration", "XX-CA-0002": "benefit"}
_CACHE: dict[str, dict[str, Document]] = {}


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Document]]:
    if not _CACHE:
        for code in MATTERS:
            _CACHE[code] = documents_of(code, tmp_path_factory.mktemp(code))
    return _CACHE


def visible(doc: Document) -> str:
    body = doc.html.split("<body", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


GOLDEN_CASES = [(code, kind) for code in MATTERS
                for kind in ("acceptance", "supplement", "refusal", "tolerance", "commitment",
                             "decision", "decision_deny", "extension", "special_procedure",
                             "guide")]


@pytest.mark.parametrize(("code", "kind"), GOLDEN_CASES)
def test_golden(docs: dict[str, dict[str, Document]], code: str, kind: str) -> None:
    doc = docs[code].get(kind)
    if doc is None:  # and no golden left from when it had one
        assert not list((GOLDEN / code).glob(f"{kind}.*")), f"stale golden {code}/{kind}"
        pytest.skip(f"{code} has no sample case for {kind}")
    for ext, got in (("txt", doc.text), ("html", doc.html)):
        path = GOLDEN / code / f"{kind}.{ext}"
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(got, encoding="utf-8")
        assert path.is_file(), f"no golden {path}: run with FORMKIT_UPDATE_GOLDEN=1"
        assert got == path.read_text(encoding="utf-8"), (
            f"{path.name} of {code} changed; if intended, regenerate with "
            "FORMKIT_UPDATE_GOLDEN=1 and review the diff")


def test_each_matter_has_the_documents_the_issue_names(
        docs: dict[str, dict[str, Document]]) -> None:
    for code, found in docs.items():
        assert {"acceptance", "decision", "decision_deny", "guide"} <= set(found), code
    # a stop the law gives: §45 for the licence, the 公示 of 低保; none for registrations
    assert "special_procedure" in docs["XX-MS-0002"] and "special_procedure" in docs["XX-CA-0002"]
    assert "special_procedure" not in docs["XX-NR-0001"]
    # across the four matters every kind is shown at least once
    assert set(DOCUMENT_KINDS) <= {k for found in docs.values() for k in found}


@pytest.mark.parametrize("code", list(MATTERS))
def test_every_document_names_the_office_the_matter_and_whom_to_call(
        docs: dict[str, dict[str, Document]], code: str) -> None:
    matter = catalog().matters[code]
    full = catalog().catalog.department_full_name(matter.department)  # type: ignore[union-attr]
    assert full.startswith(("新兴县", "国家税务总局新兴县"))
    for kind, doc in docs[code].items():
        text = visible(doc)
        for needed in ("新兴县行政服务中心", full, matter.name.zh, matter.code, "监督投诉电话",
                       "12345", "咨询电话"):
            assert needed in text, (code, kind, needed)
        if kind != "guide":
            assert "张三" in text and doc.number in text, (code, kind)
            assert "法律依据：" in text, (code, kind)
            assert re.search(r"（\w*章）", text) or "承诺人（签字或盖章）" in text, (code, kind)


# (matter, document, what its legal text must say, what it must never say)
LEGAL = [
    ("XX-MS-0002", "acceptance", ["《中华人民共和国行政许可法》第三十二条第一款第（五）项",
                                  "行政许可专用章"], []),
    ("XX-MS-0002", "supplement", ["第三十二条第一款第（四）项"], []),
    ("XX-MS-0002", "decision", ["准予行政许可决定书", "第三十八条第一款、第四十四条",
                                "十日内向你颁发、送达"], ["不予"]),
    ("XX-MS-0002", "decision_deny", ["不予行政许可决定书", "第三十八条第二款", "新兴县人民政府",
                                     "新兴县人民法院", "六十日内", "六个月内"],
     ["第三十八条第一款", "第四十四条"]),
    ("XX-MS-0002", "extension", ["第四十二条第一款", "经本局负责人批准"], ["如不服"]),
    ("XX-MS-0002", "special_procedure", ["第四十五条", "不计算在办理期限内", "检测"], []),
    ("XX-MS-0002", "commitment", ["容缺受理承诺书", "第三十一条"], ["信用记录"]),
    # registration under 市场主体登记管理条例: its own articles, the registration wording,
    # none of 行政许可法's §44 ten days or §45 procedures
    ("XX-MS-0001", "acceptance", ["《中华人民共和国市场主体登记管理条例》第十九条", "登记专用章"],
     ["行政许可法", "听证"]),
    ("XX-MS-0001", "decision", ["准予登记决定书", "准予登记"], ["行政许可法", "十日内向你"]),
    ("XX-MS-0001", "decision_deny", ["不予登记决定书", "本机关决定不予登记"], ["行政许可法"]),
    ("XX-MS-0001", "extension", ["《中华人民共和国市场主体登记管理条例》第十九条"],
     ["行政许可法"]),
    # 不动产登记 is not a licence: no 行政许可法 anywhere
    ("XX-NR-0001", "acceptance", ["《不动产登记暂行条例》第十七条"], ["行政许可法"]),
    ("XX-NR-0001", "supplement", ["《不动产登记暂行条例》"], ["行政许可法"]),
    ("XX-NR-0001", "decision_deny", ["不予登记决定书", "查封"], ["行政许可法"]),
    # 低保: 社会救助暂行办法, approval wording, 公示 as the special procedure
    ("XX-CA-0002", "acceptance", ["《社会救助暂行办法》"], ["行政许可法"]),
    ("XX-CA-0002", "decision", ["批准决定书", "予以批准"], ["行政许可法"]),
    ("XX-CA-0002", "decision_deny", ["不予批准决定书", "月人均收入为980元"], ["行政许可法"]),
    ("XX-CA-0002", "special_procedure", ["公示", "不超过7日"], ["行政许可法"]),
]


@pytest.mark.parametrize(("code", "kind", "says", "never"), LEGAL)
def test_legal_text_fits_the_matter_and_the_document(
        docs: dict[str, dict[str, Document]], code: str, kind: str, says: list[str],
        never: list[str]) -> None:
    text = visible(docs[code][kind])
    for phrase in says:
        assert phrase in text, (code, kind, phrase)
    for phrase in never:
        assert phrase not in text, (code, kind, phrase)


def test_the_guide_prints_every_element(docs: dict[str, dict[str, Document]]) -> None:
    text = visible(docs["XX-NR-0001"]["guide"])
    for needed in ("办事指南", "事项编码", "设定依据", "受理条件", "申请材料", "办理流程",
                   "救济途径", "法定办结时限", "承诺办结时限", "收费标准", "80元", "550元",
                   "发改价格规〔2016〕2559号", "办理地点", "办理时间", "咨询电话",
                   "结果送达", "结果有效期"):
        assert needed in text, needed
    # applicants never read rule text
    for rule in ("==", " and ", "max(", "certificates"):
        assert rule not in text, rule


def test_a_document_the_case_does_not_have_is_refused_with_a_reason(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path, clock)
    opened = catalog()
    case: Case = receive_example(svc, clock, "XX-MS-0002", "restaurant making hot food")
    matter = opened.matters["XX-MS-0002"]
    assert case_document_kinds(matter, case) == ["acceptance"]
    for kind in ("decision", "extension", "special_procedure", "refusal", "commitment"):
        with pytest.raises(DocumentUnavailable) as err:
            case_document(opened.catalog, matter, case, kind)  # type: ignore[arg-type]
        assert err.value.code == "no-document" and "没有" in err.value.message
    with pytest.raises(ValueError, match="not a document kind"):
        case_document(opened.catalog, matter, case, "receipt")  # type: ignore[arg-type]


def test_an_extension_entered_without_an_approver_prints_the_matters_approver(
        tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path, clock)
    case = receive_example(svc, clock, "XX-MS-0002", "restaurant making hot food")
    case = svc.start_review(case.number, actor="officer-zhang")
    case = svc.extend(case.number, 1, actor="officer-zhang", comment="需要补充核实")
    doc = case_document(catalog().catalog, catalog().matters["XX-MS-0002"], case,
                        "extension")
    assert "officer-zhang" not in doc.text
    assert f"经{case.extension_approver}批准" in doc.text
