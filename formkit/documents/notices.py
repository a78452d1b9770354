"""The documents of intake: 受理通知书, 一次性告知书, 不予受理决定书, 容缺受理通知书,
and the applicant's 承诺书 (容缺受理承诺书, 告知承诺书).

Each is built from a pre-check's outcome and :class:`NoticeInfo` (who and what,
besides the pre-check), so the window can print them before and after a case is
stored; ``formkit.documents.cases`` fills a NoticeInfo from a stored case.
Deadlines print in the matter's unit; a date resting on a year whose holiday
schedule is not yet published carries :data:`PROVISIONAL_LINE`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from formkit.calendar import WorkCalendar
from formkit.definitions.model import Catalog, Material, Matter
from formkit.documents.layout import UNIT_WORDS, Document, Page, Table, day, render
from formkit.documents.legal import COMMITMENT_POLICY, licensed
from formkit.documents.office import Office, received_line
from formkit.errors import DocumentUnavailable
from formkit.intake.deadlines import deadline
from formkit.intake.forms import field_words
from formkit.intake.messages import MESSAGES
from formkit.intake.precheck import PrecheckResult

__all__ = ["PROVISIONAL_LINE", "NoticeInfo", "applicant_message", "commitment_document",
           "notice_kind", "precheck_document", "render_notice"]

# The notice each pre-check outcome calls for.
NoticeKind = Literal["acceptance", "supplement", "tolerance", "refusal"]
_OUTCOME_KIND: dict[str, NoticeKind] = {
    "accept": "acceptance", "accept_with_tolerance": "tolerance",
    "incomplete": "supplement", "refuse": "refusal"}
# Printed under the deadlines when one of them rests on a year without the State
# Council's holiday schedule (formkit then counts the statutory holidays only).
PROVISIONAL_LINE = "以上期限按法定节假日推算，以国务院公布的节假日安排为准。"
_FORMS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件",
          "commitment": "告知承诺"}


@dataclass(frozen=True)
class NoticeInfo:
    """Who and what a notice is about, besides the pre-check itself."""

    applicant: str
    case_number: str
    clerk: str = ""
    clerk_phone: str = ""
    issued_on: dt.date | None = None  # default: the day of receipt
    # working days to supply missing or tolerated materials, when a material has no
    # ``tolerable_days`` of its own
    supply_within_days: int = 5
    # the materials handed in: (id, form, copies); printed on the acceptance notice
    handed: Sequence[tuple[str, str | None, int | None]] = ()
    # a stored case's due day of each tolerated material (else counted from receipt)
    tolerated_due: Mapping[str, dt.date] = field(default_factory=dict)
    # materials a signed commitment replaced (告知承诺), by id
    committed: Sequence[str] = ()


# A form message as an applicant reads it: the window's texts speak of "this field" and
# quote what was typed (markup and all); the notice names the field in its own column.
_PLAIN_MESSAGES = {
    "required": "未填写",
    "not_option": "所填内容不是可选项，请从可选项中选择",
    "unknown_field": "申请表中没有此项，请按申请表填写",
    "not_group": "填写格式不正确，请按申请表填写",
    "not_rows": "填写格式不正确，请按申请表逐行填写",
    "not_date": "日期填写不正确，请按“年-月-日”填写（如2026-01-31）",
    "evaluation_failed": "填写内容需要核对，请按申请表填写说明填写",
}


def _message_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", template)
    return re.compile("^" + ".*?".join(re.escape(p) for p in parts) + "$", re.S)


_PLAIN_PATTERNS = [(_message_pattern(MESSAGES[key][0]), words)
                   for key, words in _PLAIN_MESSAGES.items()]


def applicant_message(message: str) -> str:
    """A form message as the one-time notice prints it for the applicant: ``此项为必填项``
    -> ``未填写``; a message that quotes what was typed (``“…”不是可选项``) without the
    quote; any other message (a matter's own, ``手机号码无效（应为11位，以1开头）``) as is."""
    for pattern, words in _PLAIN_PATTERNS:
        if pattern.match(message):
            return words
    return message


def notice_kind(result: PrecheckResult) -> NoticeKind:
    """The notice a pre-check outcome calls for."""
    return _OUTCOME_KIND[result.outcome]


def form_text(material: Material | None, form: str | None = None,
              copies: int | None = None) -> str:
    """原件 / 复印件N份, as the matter asks or as handed in."""
    if material is None:
        return ""
    text = _FORMS[form or material.form]
    n = material.copies if copies is None else copies
    return f"{text}{n}份" if n and form != "commitment" else text


def _standard(m: Material | None) -> str:
    return m.standard.zh if m and m.standard else form_text(m)


def _name(matter: Matter, mid: str) -> tuple[str, Material | None]:
    m = next((x for x in matter.materials if x.id == mid), None)
    return (m.name.zh if m else mid), m


class _Intake:
    """One notice being written: the office, the pre-check, the info, the calendar."""

    def __init__(self, catalog: Catalog, matter: Matter, result: PrecheckResult,
                 info: NoticeInfo, calendar: WorkCalendar | None) -> None:
        self.office = Office(catalog, matter)
        self.matter, self.result, self.info, self.calendar = matter, result, info, calendar
        self.provisional = False

    def page(self, kind: str, **kw: str) -> Page:
        info = self.info
        page = self.office.page(kind, number=info.case_number, applicant=info.applicant,
                                issued_on=info.issued_on or self.result.received_on,
                                clerk=info.clerk, clerk_phone=info.clerk_phone, **kw)
        page.meta.append(("收件日期", day(self.result.received_on)))
        return page

    def due(self, mid: str) -> dt.date:
        """The day a tolerated or missing material must be supplied by."""
        if mid in self.info.tolerated_due:
            return self.info.tolerated_due[mid]
        _, m = _name(self.matter, mid)
        days = (m.tolerable_days if m and m.tolerable_days else None) \
            or self.info.supply_within_days
        got = deadline(self.result.received_on, days, "working_days", self.calendar)
        self.provisional |= got.provisional
        return got.value

    def deadlines(self, page: Page) -> None:
        """The acceptance's decision deadlines, as facts and as a sentence."""
        limit, r = self.matter.time_limit, self.result
        unit = self.office.unit()
        page.meta.append(("受理日期", day(r.received_on)))
        if limit.committed_days == 0:
            page.body.append("本机关当场作出决定。")
            return
        page.meta += [
            ("承诺办结期限", f"{limit.committed_days}{unit}，至{day(r.committed_deadline)}"),
            ("法定办结期限", f"{limit.statutory_days}{unit}，至{day(r.statutory_deadline)}")]
        page.body.append(f"本机关承诺于{day(r.committed_deadline)}前作出决定"
                         f"（承诺办结时限{limit.committed_days}{unit}；法定办结时限"
                         f"{limit.statutory_days}{unit}，至{day(r.statutory_deadline)}）。")
        self.provisional |= r.calendar_provisional
        procedures = self.matter.special_procedures
        if procedures:
            names = "、".join(
                p.name.zh + (f"（不超过{p.max_days}{UNIT_WORDS[p.unit]}）" if p.max_days else "")
                for p in procedures)
            page.body.append(f"办理过程中依法需要{names}的，所需时间不计算在上述期限内，"
                             "本机关将书面告知。")
        elif licensed(self.matter):
            page.body.append("依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，"
                             "所需时间不计算在上述期限内，本机关将书面告知所需时间。")

    def finish(self, page: Page) -> Page:
        if self.provisional:
            page.notes.append(PROVISIONAL_LINE)
        return page

    def acceptance(self) -> Page:
        page = self.page("acceptance")
        page.body.append(received_line(self.info.applicant, self.result.received_on,
                                       self.matter)
                         + "经审查，申请材料齐全、符合法定形式，本机关决定予以受理。")
        self.deadlines(page)
        if self.result.fee:
            page.body.append(f"本事项应缴纳费用{self.result.fee}元，收费项目及依据见本事项办事指南。")
        rows = []
        for mid, form, copies in self.info.handed:
            name, m = _name(self.matter, mid)
            rows.append((name, form_text(m, form, copies)))
        if rows:
            page.tables.append(Table(("材料名称", "形式及份数"), rows, heading="已收取申请材料"))
        return self.finish(page)

    def supplement(self) -> Page:
        page = self.page("supplement")
        r = self.result
        page.body.append(received_line(self.info.applicant, r.received_on, self.matter)
                         + "经审查，申请材料不齐全或者不符合法定形式。现一次性告知你需要补正的"
                         "全部内容，请按下列要求补正：")
        rows: list[tuple[str, ...]] = []
        for item in r.missing_materials:
            name, m = _name(self.matter, item.id)
            rows.append((name, item.reason or "未提交", _standard(m)))
        for err in r.field_errors:
            # the field by its labels (经营者的手机号码), never its path; a key the form
            # does not have is named by the part of the form it was sent in
            words = field_words(self.matter, err.field)
            rows.append(("申请表" if words == "申请表" else f"申请表：{words}",
                         applicant_message(err.message), "按申请表填写说明如实填写"))
        for item in r.tolerated_materials:
            name, m = _name(self.matter, item.id)
            rows.append((name, "可容缺，受理后补交", _standard(m)))
        page.tables.append(Table(("材料或事项", "存在问题", "补正要求"), rows))
        due = deadline(r.received_on, self.info.supply_within_days, "working_days",
                       self.calendar)
        self.provisional |= due.provisional
        page.after.append(f"请于{day(due.value)}前补正。补正的申请材料齐全、符合法定形式的，"
                          "本机关将予以受理。")
        return self.finish(page)

    def refusal(self) -> Page:
        page = self.page("refusal")
        r = self.result
        page.body.append(received_line(self.info.applicant, r.received_on, self.matter)
                         + "经审查，有下列情形，本机关决定不予受理：")
        page.tables.append(Table(("不予受理的理由",), [(f.message,) for f in r.refusals]))
        page.remedies = self.office.remedies.sentence("决定书")
        return self.finish(page)

    def tolerance(self) -> Page:
        page = self.page("tolerance")
        page.body.append(received_line(self.info.applicant, self.result.received_on,
                                       self.matter)
                         + "经审查，主要申请材料齐全、符合法定形式，下列非主要材料暂缺，"
                         "本机关决定予以容缺受理。")
        self.deadlines(page)
        rows = []
        for item in self.result.tolerated_materials:
            name, m = _name(self.matter, item.id)
            rows.append((name, day(self.due(item.id)), _standard(m)))
        page.tables.append(Table(("容缺材料", "补交期限", "要求"), rows))
        page.after.append("你已签署容缺受理承诺书。请于上述期限前补交容缺材料；逾期未补交的，"
                          "本机关将按申请材料不齐全依法处理，办理结果在容缺材料补齐后发放。")
        return self.finish(page)

    def commitments(self) -> list[Page]:
        """容缺受理承诺书 for the tolerated materials, 告知承诺书 for the committed ones."""
        pages = []
        tolerated = [i.id for i in self.result.tolerated_materials]
        if tolerated:
            page = self.page("commitment", title="容缺受理承诺书",
                             title_en="Commitment to Supply Tolerated Materials")
            page.signer = "applicant"
            page.body.append(f"本人（单位）{self.info.applicant or '____'}向{self.office.issuer}"
                             f"申请办理{self.matter.name.zh}，下列非主要材料暂缺，申请容缺受理。"
                             "现郑重承诺：")
            page.tables.append(Table(("容缺材料", "承诺补交期限"), [
                (_name(self.matter, mid)[0], day(self.due(mid))) for mid in tolerated]))
            page.after += ["一、在上述期限前补交容缺材料，所补交材料与申请时陈述的情况一致；",
                           "二、对所提交申请材料实质内容的真实性负责；",
                           "三、逾期未补交或者补交的材料不符合要求的，同意本机关按申请材料不齐全"
                           "依法处理，办理结果在容缺材料补齐后领取。"]
            pages.append(self.finish(page))
        committed = list(self.info.committed) or \
            [i.id for i in getattr(self.result, "committed_materials", [])]
        if committed:
            page = self.page("commitment", title="告知承诺书",
                             title_en="Commitment in Place of a Certificate")
            page.signer = "applicant"
            page.basis = list(dict.fromkeys([*page.basis, COMMITMENT_POLICY]))
            page.body.append(f"{self.office.issuer}告知：你申请办理{self.matter.name.zh}，"
                             "下列证明材料可以由你书面承诺代替。你承诺后，本机关不再索要该证明，"
                             "并将依法核查。")
            rows: list[tuple[str, ...]] = []
            for mid in committed:
                name, m = _name(self.matter, mid)
                rows.append((name, f"本人（单位）承诺符合{name}所证明的事项",
                             m.basis.zh if m and m.basis else ""))
            page.tables.append(Table(("证明材料", "承诺内容", "证明依据"), rows))
            page.after += [f"本人（单位）{self.info.applicant or '____'}已知晓上述告知内容，"
                           "承诺所述情况真实。",
                           "承诺不实的，本人（单位）自愿承担终止办理、撤销已作出的决定等后果，"
                           "依法承担法律责任，并同意记入信用记录。"]
            pages.append(self.finish(page))
        return pages


def precheck_document(catalog: Catalog, matter: Matter, result: PrecheckResult,
                      info: NoticeInfo, kind: str | None = None, *,
                      calendar: WorkCalendar | None = None) -> Document:
    """The intake document ``kind`` (default: the one the outcome calls for)."""
    kind = kind or notice_kind(result)
    intake = _Intake(catalog, matter, result, info, calendar)
    if kind == "commitment":
        pages = intake.commitments()
        if not pages:
            raise DocumentUnavailable(
                f"本申请没有容缺或告知承诺的材料，无需承诺书: {info.case_number} has no "
                "tolerated or committed material", None, code="no-document",
                hint="a 承诺书 is for materials tolerated (容缺) or replaced by a commitment")
        return render(kind, pages)
    build = {"acceptance": intake.acceptance, "supplement": intake.supplement,
             "refusal": intake.refusal, "tolerance": intake.tolerance}.get(kind)
    if build is None:
        raise ValueError(f"not an intake document: {kind!r}")
    return render(kind, [build()])


def commitment_document(catalog: Catalog, matter: Matter, result: PrecheckResult,
                        info: NoticeInfo, *, calendar: WorkCalendar | None = None
                        ) -> Document:
    """The applicant's 承诺书 (容缺受理承诺书 and/or 告知承诺书)."""
    return precheck_document(catalog, matter, result, info, "commitment", calendar=calendar)


def render_notice(catalog: Catalog, matter: Matter, result: PrecheckResult, info: NoticeInfo,
                  *, fmt: Literal["html", "text"] = "html", kind: str | None = None,
                  calendar: WorkCalendar | None = None) -> str:
    """The notice for ``result`` (or the ``kind`` asked for) as HTML or plain text."""
    doc = precheck_document(catalog, matter, result, info, kind, calendar=calendar)
    return doc.html if fmt == "html" else doc.text

