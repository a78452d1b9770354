"""Tests for formkit.intake.notices: the four printed notices, golden files and legal content.

Regenerate the goldens after an intended change with
``FORMKIT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/intake/test_notices.py``.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from pathlib import Path
from typing import Any

import pytest

from formkit.calendar import WorkCalendar
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Catalog, Matter
from formkit.intake.messages import message
from formkit.intake.notices import NOTICE_KINDS, NoticeInfo, notice_kind, render_notice
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.ruleset import RuleSet

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("FORMKIT_UPDATE_GOLDEN") == "1"
CAL = WorkCalendar()
RECEIVED = dt.date(2026, 9, 29)  # just before National Day: deadlines cross the holiday

CATALOG = Catalog.model_validate({
    "name": {"zh": "新兴县行政服务中心", "en": "Xinxing County Administrative Service Center"},
    "departments": [{"id": "market_supervision", "name": {"zh": "市场监督管理局"}}],
})

MATTER = """
code: T-NOTICE
name: {zh: 食品经营许可证核发, en: Food business licence}
department: market_supervision
kind: administrative_licensing
time_limit: {statutory_days: 10, committed_days: 5}
form:
  - id: applicant
    type: group
    label: {zh: 申请人}
    fields:
      - {id: name, type: text, label: {zh: 姓名}, required: true}
      - {id: mobile, type: mobile, label: {zh: 手机号码}, required: true}
  - id: kind
    type: choice
    label: {zh: 经营类别}
    required: true
    options:
      - {value: retail, label: {zh: 食品销售}}
      - {value: catering, label: {zh: 餐饮服务}}
  - id: staff
    type: repeat
    label: {zh: 从业人员}
    fields:
      - {id: staff_name, type: text, label: {zh: 姓名}, required: true}
      - {id: health_no, type: text, label: {zh: 健康证明编号}, required: true}
  - {id: age, type: integer, label: {zh: 年龄}, required: true}
materials:
  - id: application
    name: {zh: 食品经营许可申请书}
    standard: {zh: 使用统一格式，申请人签字}
  - {id: id_card, name: {zh: 申请人身份证件}, form: original_and_copy}
  - {id: layout, name: {zh: 经营场所布局图}, form: copy, copies: 2}
  - id: health_certs
    name: {zh: 从业人员健康证明}
    form: copy
    tolerable: true
    standard: {zh: 在有效期内}
checks:
  - when: age < 18
    refuse: {zh: 申请人未满十八周岁，不具有完全民事行为能力}
  - when: age < 16
    refuse: {zh: 申请人未满十六周岁}
"""

FIELDS: dict[str, Any] = {
    "applicant": {"name": "张三", "mobile": "13800138000"},
    "kind": "catering",
    "staff": [{"staff_name": "李四", "health_no": "JK-2026-001"}],
    "age": 30,
}
MATERIALS: list[dict[str, Any]] = [{"id": "application"}, {"id": "id_card"},
                                   {"id": "layout"}, {"id": "health_certs"}]
INFO = NoticeInfo(applicant="张三 & <李四>", case_number="新市监〔2026〕受字第0929-01号",
                  clerk="王<b>五</b>", clerk_phone="0766-2881234", supply_within_days=3)

SUBMISSIONS: dict[str, dict[str, Any]] = {
    "accept": {"fields": FIELDS, "materials": MATERIALS},
    "tolerance": {"fields": FIELDS, "materials": MATERIALS[:3]},
    "supplement": {
        "fields": {**FIELDS, "applicant": {"name": "张三", "mobile": "1380013800"},
                   "kind": "<script>alert(1)</script>",
                   "staff": [{"staff_name": "李四"}]},
        "materials": [{"id": "id_card", "form": "copy"}, {"id": "layout", "copies": 1}],
    },
    "refuse": {"fields": {**FIELDS, "age": 15}, "materials": MATERIALS},
}


def _matter() -> Matter:
    matter, doc = load_matter_text(MATTER, "notice.yaml")
    assert matter is not None, doc
    return matter


RULES = RuleSet.build(_matter(), None)


def result_for(kind: str) -> PrecheckResult:
    return run_precheck(RULES, SUBMISSIONS[kind], today=RECEIVED, calendar=CAL)


def render(kind: str, fmt: str) -> str:
    return render_notice(CATALOG, RULES.matter, result_for(kind), INFO,
                         fmt="html" if fmt == "html" else "text", calendar=CAL)


def test_the_rules_are_clean() -> None:
    assert RULES.ok, [e.message for e in RULES.errors]


@pytest.mark.parametrize(("kind", "outcome"), [
    ("accept", "accept"), ("tolerance", "accept_with_tolerance"),
    ("supplement", "incomplete"), ("refuse", "refuse")])
def test_each_outcome_picks_its_notice(kind: str, outcome: str) -> None:
    r = result_for(kind)
    assert r.outcome == outcome
    assert notice_kind(r) == kind


# --- golden files ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "text"])
@pytest.mark.parametrize("kind", list(NOTICE_KINDS))
def test_golden(kind: str, fmt: str) -> None:
    path = GOLDEN / f"{kind}.{'html' if fmt == 'html' else 'txt'}"
    got = render(kind, fmt)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.is_file(), f"no golden {path.name}: run with FORMKIT_UPDATE_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; if intended, regenerate with FORMKIT_UPDATE_GOLDEN=1")


# --- legal content, in both formats -------------------------------------------------------------


def plain(kind: str, fmt: str) -> str:
    """The notice's visible text: tags removed and entities decoded (for HTML)."""
    text = render(kind, fmt)
    if fmt == "html":
        body = text.split("<body", 1)[1]
        text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return text


@pytest.mark.parametrize("fmt", ["html", "text"])
@pytest.mark.parametrize("kind", list(NOTICE_KINDS))
def test_every_notice_names_who_what_when_and_by_whom(kind: str, fmt: str) -> None:
    text = plain(kind, fmt)
    for needed in [
        NOTICE_KINDS[kind][0],  # the title
        "新兴县行政服务中心", "市场监督管理局",  # centre and department
        "食品经营许可证核发", "T-NOTICE",  # the matter
        "张三 & <李四>",  # the applicant
        "新市监〔2026〕受字第0929-01号",  # the case number
        "收件日期", "2026年9月29日",  # the day of receipt
        "王<b>五</b>", "0766-2881234",  # the clerk
        "法律依据", "《中华人民共和国行政许可法》第三十二条",
        "（本机关专用章）", "申请人签收",  # seal and signature (行政许可法 §32)
    ]:
        assert needed in text, (kind, fmt, needed)


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_acceptance_gives_the_committed_deadline(fmt: str) -> None:
    text = plain("accept", fmt)
    # 5 working days from 9-29 across National Day (10-10 is a 调休 Saturday).
    assert "承诺办结时限为5个工作日" in text
    assert "将于2026年10月12日前作出决定" in text
    assert "法定时限10个工作日，至2026年10月19日" in text
    assert "受理日期" in text and "第（五）项" in text


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_one_time_notice_lists_every_item_with_its_standard_and_a_deadline(fmt: str) -> None:
    text = plain("supplement", fmt)
    items = [
        ("食品经营许可申请书", message("material_absent"), "使用统一格式，申请人签字"),
        ("申请人身份证件", message("material_need_both"), "原件及复印件1份"),
        ("经营场所布局图", message("material_copies", need=2, got=1), "复印件2份"),
        ("申请表：申请人·手机号码", message("bad_mobile"), "按申请表填写说明如实填写"),
        ("申请表：经营类别", message("not_option", value="<script>alert(1)</script>"),
         "按申请表填写说明如实填写"),
        ("申请表：从业人员·第1行·健康证明编号", message("required"),
         "按申请表填写说明如实填写"),
        ("从业人员健康证明", "可容缺，受理后补交", "在有效期内"),
    ]
    for name, problem, standard in items:
        assert name in text and problem in text and standard in text, name
    if fmt == "text":  # each item on its own numbered line, fields in form order
        lines = [line for line in text.splitlines() if re.match(r"  \d+\. ", line)]
        assert len(lines) == len(items)
        for line, (name, problem, standard) in zip(lines, items, strict=True):
            assert f"{name}：{problem}" in line and standard in line, name
    # 3 working days to supply: 9-30, 10-8, 10-9.
    assert "请于2026年10月9日前补正" in text
    assert "一次性告知" in text and "第（四）项" in text


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_tolerance_notice_lists_what_is_owed_and_by_when(fmt: str) -> None:
    text = plain("tolerance", fmt)
    assert "从业人员健康证明" in text and "在有效期内" in text
    assert "请于2026年10月9日前补交上述容缺材料" in text
    assert "将于2026年10月12日前作出决定" in text
    assert "容缺受理承诺书" in text


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_refusal_gives_every_reason_and_the_remedies(fmt: str) -> None:
    text = plain("refuse", fmt)
    assert "申请人未满十八周岁，不具有完全民事行为能力" in text
    assert "申请人未满十六周岁" in text
    assert "六十日内" in text and "行政复议" in text  # 行政复议法 (2023) §20
    assert "六个月内" in text and "行政诉讼" in text  # 行政诉讼法 §46
    assert "作出决定" not in text  # no deadline on a refusal


def test_user_text_is_escaped_in_html() -> None:
    for kind in NOTICE_KINDS:
        page = render(kind, "html")
        assert "<李四>" not in page and "&lt;李四&gt;" in page
        assert "<b>五</b>" not in page and "王&lt;b&gt;五&lt;/b&gt;" in page
        assert "张三 &amp; " in page
    page = render("supplement", "html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_issued_on_and_forced_kind() -> None:
    info = NoticeInfo(applicant="张三", case_number="1", clerk="王五",
                      issued_on=dt.date(2026, 9, 30))
    text = render_notice(CATALOG, RULES.matter, result_for("accept"), info, fmt="text",
                         calendar=CAL)
    assert "2026年9月30日" in text.splitlines()[-3]  # the closing line, dated
    refused = render_notice(CATALOG, RULES.matter, result_for("accept"), info, fmt="text",
                            kind="refuse", calendar=CAL)
    assert refused.splitlines()[1] == "不予受理通知书"


def test_a_field_path_that_is_not_in_the_form_is_printed_as_sent() -> None:
    r = run_precheck(RULES, {"fields": {**FIELDS, "staff[x": 1, "applicant": {
        "name": "张三", "mobile": "13800138000", "a[b]": 2}}, "materials": MATERIALS},
                     today=RECEIVED, calendar=CAL)
    assert {e.field for e in r.field_errors} == {"staff[x", "applicant.a[b]"}
    text = render_notice(CATALOG, RULES.matter, r, INFO, fmt="text", calendar=CAL)
    assert "申请表：staff[x：" in text
    assert "申请表：申请人·a[b]：" in text
