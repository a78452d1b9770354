"""Tests for formkit.documents.notices: the intake documents from a pre-check, golden
files and legal content.

Regenerate the goldens after an intended change with
``FORMKIT_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/documents``.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from formkit.calendar import WorkCalendar
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Catalog, Matter
from formkit.documents import (
    DOCUMENT_KINDS,
    PROVISIONAL_LINE,
    NoticeInfo,
    notice_kind,
    render_notice,
)
from formkit.documents.notices import applicant_message
from formkit.intake.messages import message
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.ruleset import RuleSet
from tests.cases.support import calendar as sample_calendar
from tests.cases.support import example
from tests.cases.support import rules as sample_rules

GOLDEN = Path(__file__).resolve().parent / "golden"
DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"
# The notices a pre-check outcome calls for.
PRECHECK_KINDS = ["acceptance", "supplement", "tolerance", "refusal"]
LINE = "以上期限按法定节假日推算，以国务院公布的节假日安排为准。"
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
    "acceptance": {"fields": FIELDS, "materials": MATERIALS},
    "tolerance": {"fields": FIELDS, "materials": MATERIALS[:3]},
    "supplement": {
        "fields": {**FIELDS, "applicant": {"name": "张三", "mobile": "1380013800"},
                   "kind": "<script>alert(1)</script>",
                   "staff": [{"staff_name": "李四"}]},
        "materials": [{"id": "id_card", "form": "copy"}, {"id": "layout", "copies": 1}],
    },
    "refusal": {"fields": {**FIELDS, "age": 15}, "materials": MATERIALS},
}


def _matter(statutory: int = 10, committed: int = 5) -> Matter:
    text = MATTER.replace("time_limit: {statutory_days: 10, committed_days: 5}",
                          f"time_limit: {{statutory_days: {statutory}, "
                          f"committed_days: {committed}}}")
    matter, doc = load_matter_text(text, "notice.yaml")
    assert matter is not None, doc
    assert (matter.time_limit.statutory_days, matter.time_limit.committed_days) == (
        statutory, committed)
    return matter


RULES = RuleSet.build(_matter(), None)
# A 20-working-day limit (行政许可法 §42) received just before the year the State Council
# has not published yet (2027): its deadlines rest on the statutory holidays only.
RULES_20 = RuleSet.build(_matter(20, 10), None)
RULES_ON_THE_SPOT = RuleSet.build(_matter(20, 0), None)  # 当场办结: no date printed
YEAR_END = dt.date(2026, 12, 28)


def result_for(kind: str) -> PrecheckResult:
    return run_precheck(RULES, SUBMISSIONS[kind], today=RECEIVED, calendar=CAL)


def render(kind: str, fmt: str) -> str:
    return render_notice(CATALOG, RULES.matter, result_for(kind), INFO,
                         fmt="html" if fmt == "html" else "text", calendar=CAL)


def test_the_rules_are_clean() -> None:
    for rules in (RULES, RULES_20, RULES_ON_THE_SPOT):
        assert rules.ok, [e.message for e in rules.errors]


def test_document_kinds_are_the_http_api_kinds() -> None:
    assert list(DOCUMENT_KINDS) == ["acceptance", "supplement", "refusal", "tolerance",
                                    "commitment", "decision", "extension",
                                    "special_procedure"]
    assert DOCUMENT_KINDS["refusal"][0] == "不予受理决定书"
    assert PROVISIONAL_LINE == LINE


@pytest.mark.parametrize(("kind", "outcome"), [
    ("acceptance", "accept"), ("tolerance", "accept_with_tolerance"),
    ("supplement", "incomplete"), ("refusal", "refuse")])
def test_each_outcome_picks_its_notice(kind: str, outcome: str) -> None:
    r = result_for(kind)
    assert r.outcome == outcome
    assert notice_kind(r) == kind


# --- golden files ------------------------------------------------------------------------------


def check_golden(name: str, fmt: str, got: str) -> None:
    path = GOLDEN / f"{name}.{'html' if fmt == 'html' else 'txt'}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.is_file(), f"no golden {path.name}: run with FORMKIT_UPDATE_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; if intended, regenerate with FORMKIT_UPDATE_GOLDEN=1")


@pytest.mark.parametrize("fmt", ["html", "text"])
@pytest.mark.parametrize("kind", PRECHECK_KINDS)
def test_golden(kind: str, fmt: str) -> None:
    check_golden(kind, fmt, render(kind, fmt))


YEAR_END_INFO = replace(INFO, case_number="新市监〔2026〕受字第1228-01号")


def render_year_end(fmt: str) -> str:
    result = run_precheck(RULES_20, SUBMISSIONS["acceptance"], today=YEAR_END, calendar=CAL)
    assert result.outcome == "accept" and result.calendar_provisional
    return render_notice(CATALOG, RULES_20.matter, result, YEAR_END_INFO,
                         fmt="html" if fmt == "html" else "text", calendar=CAL)


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_golden_accept_provisional(fmt: str) -> None:
    check_golden("accept_provisional", fmt, render_year_end(fmt))


# --- legal content, in both formats -------------------------------------------------------------


def visible(page: str, fmt: str) -> str:
    """A notice's visible text: tags removed and entities decoded (for HTML)."""
    if fmt == "html":
        body = page.split("<body", 1)[1]
        page = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return page


def plain(kind: str, fmt: str) -> str:
    return visible(render(kind, fmt), fmt)


@pytest.mark.parametrize("fmt", ["html", "text"])
@pytest.mark.parametrize("kind", PRECHECK_KINDS)
def test_every_notice_names_who_what_when_and_by_whom(kind: str, fmt: str) -> None:
    text = plain(kind, fmt)
    for needed in [
        DOCUMENT_KINDS[kind][0],  # the title
        "新兴县行政服务中心", "市场监督管理局",  # centre and department
        "食品经营许可证核发", "T-NOTICE",  # the matter
        "张三 & <李四>",  # the applicant
        "新市监〔2026〕受字第0929-01号",  # the case number
        "收件日期", "2026年9月29日",  # the day of receipt
        "王<b>五</b>", "0766-2881234",  # the clerk
        "法律依据", "《中华人民共和国行政许可法》第三十二条",
        "（行政许可专用章）", "申请人签收",  # seal and signature (行政许可法 §32)
    ]:
        assert needed in text, (kind, fmt, needed)


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_acceptance_gives_the_committed_deadline(fmt: str) -> None:
    text = plain("acceptance", fmt)
    # 5 working days from 9-29 across National Day (10-10 is a 调休 Saturday).
    assert "承诺办结时限5个工作日" in text
    assert "本机关承诺于2026年10月12日前作出决定" in text
    assert "法定办结时限10个工作日，至2026年10月19日" in text
    assert "受理日期" in text and "第（五）项" in text
    # 行政许可法 §45: what is not counted, for a licensing matter without procedures
    assert "听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审" in text
    # the materials handed in are listed when the caller knows them (a case does)
    assert "已收材料" not in text


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_one_time_notice_lists_every_item_with_its_standard_and_a_deadline(fmt: str) -> None:
    text = plain("supplement", fmt)
    items = [
        ("食品经营许可申请书", message("material_absent"), "使用统一格式，申请人签字"),
        ("申请人身份证件", message("material_need_both"), "原件及复印件1份"),
        ("经营场所布局图", message("material_copies", need=2, got=1), "复印件2份"),
        # a field by its labels in words; the form's messages as an applicant reads them
        ("申请表：申请人的手机号码", message("bad_mobile"), "按申请表填写说明如实填写"),
        ("申请表：经营类别", "所填内容不是可选项，请从可选项中选择", "按申请表填写说明如实填写"),
        ("申请表：从业人员第1行的健康证明编号", "未填写", "按申请表填写说明如实填写"),
        ("从业人员健康证明", "可容缺，受理后补交", "在有效期内"),
    ]
    for name, problem, standard in items:
        assert name in text and problem in text and standard in text, name
    if fmt == "text":  # each item on its own numbered line, fields in form order
        lines = [line for line in text.splitlines() if re.match(r"  \d+\. ", line)]
        assert len(lines) == len(items)
        for line, (name, problem, standard) in zip(lines, items, strict=True):
            assert f"{name}（存在问题：{problem}" in line and standard in line, name
    # 3 working days to supply: 9-30, 10-8, 10-9.
    assert "请于2026年10月9日前补正" in text
    assert "一次性告知" in text and "第（四）项" in text


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_tolerance_notice_lists_what_is_owed_and_by_when(fmt: str) -> None:
    text = plain("tolerance", fmt)
    assert "从业人员健康证明" in text and "在有效期内" in text
    # the material has no tolerable_days: the info's 3 working days (9-30, 10-8, 10-9)
    assert "2026年10月9日" in text and "请于上述期限前补交容缺材料" in text
    assert "本机关承诺于2026年10月12日前作出决定" in text
    assert "容缺受理承诺书" in text


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_refusal_gives_every_reason_and_the_remedies(fmt: str) -> None:
    text = plain("refusal", fmt)
    assert "申请人未满十八周岁，不具有完全民事行为能力" in text
    assert "申请人未满十六周岁" in text
    assert "六十日内" in text and "行政复议" in text  # 行政复议法 (2023) §20
    assert "六个月内" in text and "行政诉讼" in text  # 行政诉讼法 §46
    assert "作出决定" not in text  # no deadline on a refusal


def test_user_text_is_escaped_in_html() -> None:
    for kind in PRECHECK_KINDS:
        page = render(kind, "html")
        assert "<李四>" not in page and "&lt;李四&gt;" in page
        assert "<b>五</b>" not in page and "王&lt;b&gt;五&lt;/b&gt;" in page
        assert "张三 &amp; " in page
    page = render("supplement", "html")
    assert "<script>" not in page
    assert "script" not in page  # what was typed for a choice is not quoted back


def test_issued_on_and_forced_kind() -> None:
    info = NoticeInfo(applicant="张三", case_number="1", clerk="王五",
                      issued_on=dt.date(2026, 9, 30))
    text = render_notice(CATALOG, RULES.matter, result_for("acceptance"), info, fmt="text",
                         calendar=CAL)
    assert text.splitlines()[-2] == "2026年9月30日"  # under the seal, dated
    refused = render_notice(CATALOG, RULES.matter, result_for("acceptance"), info,
                            fmt="text", kind="refusal", calendar=CAL)
    assert refused.splitlines()[1] == "不予受理决定书"


def test_a_field_path_that_is_not_in_the_form_is_never_printed() -> None:
    r = run_precheck(RULES, {"fields": {**FIELDS, "staff[x": 1, "applicant": {
        "name": "张三", "mobile": "13800138000", "a[b]": 2}}, "materials": MATERIALS},
                     today=RECEIVED, calendar=CAL)
    assert {e.field for e in r.field_errors} == {"staff[x", "applicant.a[b]"}
    text = render_notice(CATALOG, RULES.matter, r, INFO, fmt="text", calendar=CAL)
    assert "staff" not in text and "a[b]" not in text
    # named by the part of the form it was sent in
    assert "申请表：从业人员（存在问题：申请表中没有此项，请按申请表填写" in text
    assert "申请表：申请人（存在问题：申请表中没有此项，请按申请表填写" in text


@pytest.mark.parametrize(("said", "printed"), [
    (message("required"), "未填写"),
    (message("not_option", value="<b>x</b>"), "所填内容不是可选项，请从可选项中选择"),
    (message("evaluation_failed", detail="x > 1"), "填写内容需要核对，请按申请表填写说明填写"),
    (message("bad_mobile"), message("bad_mobile")),  # already plain: as is
    ("经营面积应大于0且小于100000平方米", "经营面积应大于0且小于100000平方米"),  # a matter's own
])
def test_applicant_message(said: str, printed: str) -> None:
    assert applicant_message(said) == printed


def test_render_notice_refuses_a_case_document_kind() -> None:
    with pytest.raises(ValueError, match="not an intake document"):
        render_notice(CATALOG, RULES.matter, result_for("acceptance"), INFO,
                      kind="extension", calendar=CAL)


# --- the provisional calendar line ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "text"])
def test_year_end_acceptance_prints_provisional_deadlines_and_says_so(fmt: str) -> None:
    text = visible(render_year_end(fmt), fmt)
    # Counted by hand from 2026-12-28 (Mon), the day of receipt not counted: 12-29, 12-30,
    # 12-31 (3); 2027-01-01 元旦 (fixed by 全国年节及纪念日放假办法, a Friday); 01-04..01-08
    # (8); 01-11, 01-12 (10); 01-13..01-15 (13); 01-18..01-22 (18); 01-25, 01-26 (20).
    assert "本机关承诺于2027年1月12日前作出决定（承诺办结时限10个工作日" in text
    assert "法定办结时限20个工作日，至2027年1月26日" in text
    assert text.count(LINE) == 1


def _after_outro(page: str, fmt: str) -> bool:
    """Whether the line closes the notice's paragraphs, just before the closing line."""
    if fmt == "text":
        lines = page.splitlines()
        i = lines.index(LINE)
        return lines[i - 1].startswith(("法律依据", "如不服")) and lines[i + 1] == "" \
            and lines[i + 2].startswith("经办人：")
    return f'<p>{LINE}</p></div>\n<div class="contacts"><p>经办人：' in page


def _precheck_notice(notice: str, submission: str, rules: RuleSet, received: dt.date,
                     supply_days: int, provisional: bool | None
                     ) -> tuple[PrecheckResult, NoticeInfo, RuleSet, str]:
    result = run_precheck(rules, SUBMISSIONS[submission], today=received, calendar=CAL)
    if provisional is not None:  # what the pre-check itself says about its deadlines
        assert result.calendar_provisional is provisional
    return result, replace(INFO, supply_within_days=supply_days), rules, notice


# (notice, submission, rules, received, days to supply, pre-check provisional,
#  whether the line is printed, a phrase that shows the scenario is the one described)
PRECHECK_TABLE = [
    pytest.param("acceptance", "acceptance", RULES_20, YEAR_END, 3, True, True,
                 "于2027年1月12日前作出决定", id="accept-2027-deadlines"),
    pytest.param("acceptance", "acceptance", RULES, RECEIVED, 3, False, False,
                 "于2026年10月12日前作出决定", id="accept-2026"),
    # decided on the spot: the statutory deadline is provisional but no date is printed
    pytest.param("acceptance", "acceptance", RULES_ON_THE_SPOT, YEAR_END, 3, True, False,
                 "本机关当场作出决定", id="accept-on-the-spot"),
    # supply by 12-31 (2026 schedule), decide by 2027-01-12 (provisional)
    pytest.param("tolerance", "tolerance", RULES_20, YEAR_END, 3, True, True,
                 "2026年12月31日", id="tolerance-2027-deadline"),
    # decide by 12-17 (statutory 12-24) but supply by 2027-01-04: 12-11 (1), 12-14..18
    # (6), 12-21..25 (11), 12-28..31 (15), 01-01 元旦, 01-04 (16)
    pytest.param("tolerance", "tolerance", RULES, dt.date(2026, 12, 10), 16, False, True,
                 "2027年1月4日", id="tolerance-2027-supply-by"),
    pytest.param("tolerance", "tolerance", RULES, RECEIVED, 3, False, False,
                 "2026年10月9日", id="tolerance-2026"),
    # supply by 2027-01-05: 12-29, 12-30, 12-31, 01-04, 01-05
    pytest.param("supplement", "supplement", RULES_20, YEAR_END, 5, False, True,
                 "请于2027年1月5日前补正", id="supplement-2027-supply-by"),
    pytest.param("supplement", "supplement", RULES_20, YEAR_END, 3, False, False,
                 "请于2026年12月31日前补正", id="supplement-2026-supply-by"),
    # a refusal prints no date, even when forced on a provisional acceptance
    pytest.param("refusal", "refusal", RULES_20, YEAR_END, 5, False, False,
                 "本机关决定不予受理", id="refuse"),
    pytest.param("refusal", "acceptance", RULES_20, YEAR_END, 5, True, False,
                 "本机关决定不予受理", id="refuse-forced-on-provisional"),
]


@pytest.mark.parametrize("fmt", ["html", "text"])
@pytest.mark.parametrize(("notice", "submission", "rules", "received", "supply_days",
                          "precheck_provisional", "line", "scenario"), PRECHECK_TABLE)
def test_provisional_line_on_precheck_notices(
        notice: str, submission: str, rules: RuleSet, received: dt.date, supply_days: int,
        precheck_provisional: bool, line: bool, scenario: str, fmt: str) -> None:
    result, info, rules, kind = _precheck_notice(notice, submission, rules, received,
                                                 supply_days, precheck_provisional)
    page = render_notice(CATALOG, rules.matter, result, info, kind=kind,  # type: ignore[arg-type]
                         fmt="html" if fmt == "html" else "text", calendar=CAL)
    text = visible(page, fmt)
    assert DOCUMENT_KINDS[kind][0] in text and scenario in text
    assert text.count(LINE) == (1 if line else 0)
    if line:
        assert _after_outro(page, fmt)


def test_the_table_covers_every_notice_both_ways() -> None:
    seen = {(p.values[0], p.values[6]) for p in PRECHECK_TABLE}
    assert {(k, True) for k in PRECHECK_KINDS if k != "refusal"} <= seen
    assert {(k, False) for k in PRECHECK_KINDS} <= seen


# ---- only what applies to this applicant (issue #17, item 6)


def test_an_owner_is_not_told_about_a_lessor() -> None:
    """The lessor-match note is the lease contract's standard (required only when the
    premises are rented): an owner's notice never mentions a lessor."""
    code = "XX-MS-0001"
    ex = example(code, "owned shop")
    handed = [m for m in ex.materials if m.id != "property_certificate"]
    result = run_precheck(sample_rules(code), {
        "fields": ex.fields, "materials": [m.model_dump() for m in handed]},
        today=RECEIVED, calendar=sample_calendar())
    assert [m.id for m in result.missing_materials] == ["property_certificate"]
    text = render_notice(CATALOG, sample_rules(code).matter, result, INFO, fmt="text",
                         calendar=sample_calendar())
    assert "经营场所产权证明" in text
    assert "出租人" not in text and "租赁合同" not in text
