"""A bundle's combined documents (高效办成一件事): one 一次性告知书, one 受理通知书.

A bundle is applied for at one window with one form and one checklist, so the
applicant is told once: the combined 一次性告知书 lists everything missing from
every member at once, a material several matters share once, naming them
(行政许可法 §32(1)(4): 一次告知申请人需要补正的全部内容); the combined 受理通知书 lists
each accepted member with its department, case number and deadlines, the
departments working in parallel and the bundle done when its last result is issued.
The centre issues both: it takes the bundle in for every department (行政许可法
§26(2): 统一受理, 转告有关部门分别提出意见后统一办理; 国发〔2024〕3号). A member
refused keeps its own 不予受理决定书 from its department (``precheck_document``).

``bundle_document`` writes them from a bundle pre-check (before and right after the
cases are made); ``bundle_case_document`` reprints the acceptance from the stored
cases of the bundle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from formkit.calendar import WorkCalendar
from formkit.cases.service import Case
from formkit.definitions.model import Bundle, Catalog, Material, Matter
from formkit.documents.layout import UNIT_WORDS, Document, Page, Table, day, render
from formkit.documents.legal import DOCUMENT_KINDS, basis_of, licensed
from formkit.documents.notices import (
    PROVISIONAL_LINE,
    NoticeInfo,
    _Intake,
    _standard,
    applicant_message,
)
from formkit.errors import DocumentUnavailable
from formkit.intake.bundles import BundleMaterial, BundlePrecheckResult
from formkit.intake.deadlines import deadline
from formkit.intake.forms import field_words

__all__ = ["BUNDLE_KINDS", "BundleNoticeInfo", "bundle_case_document", "bundle_document",
           "bundle_notice_kind"]

# The combined documents a bundle has (a refusal is each member's own, on its own page).
BUNDLE_KINDS = ("acceptance", "supplement", "refusal")
_BLANK = "________"  # a number the window writes in by hand (no case made yet)
_LAW = "《中华人民共和国行政许可法》"


@dataclass(frozen=True)
class BundleNoticeInfo:
    """Who and what a bundle's document is about, besides the pre-check itself."""

    applicant: str
    bundle_number: str = ""
    # member code -> case number (empty before the cases exist)
    case_numbers: Mapping[str, str] = field(default_factory=dict)
    clerk: str = ""
    clerk_phone: str = ""
    issued_on: dt.date | None = None  # default: the day of receipt
    # working days to supply what is missing (and a tolerated material without its
    # own ``tolerable_days``)
    supply_within_days: int = 5


def bundle_notice_kind(result: BundlePrecheckResult) -> str:
    """The combined document a bundle pre-check calls for: ``supplement`` while anything
    is to be supplied, else ``acceptance`` when a member is accepted, else ``refusal``."""
    if result.field_errors or result.missing_materials or any(
            m.outcome == "incomplete" for m in result.matters):
        return "supplement"
    if any(m.outcome in ("accept", "accept_with_tolerance") for m in result.matters):
        return "acceptance"
    return "refusal"


@dataclass(frozen=True)
class _Member:
    """One applying member as the combined acceptance prints it."""

    member: str  # its code
    matter: Matter
    outcome: str  # a pre-check outcome
    number: str = ""
    committed: dt.date | None = None
    statutory: dt.date | None = None
    tolerated: tuple[tuple[str, dt.date], ...] = ()  # (material id, due)
    fee: Decimal = Decimal(0)

    @property
    def accepted(self) -> bool:
        return self.outcome in ("accept", "accept_with_tolerance")


def _material(matter: Matter, mid: str) -> Material | None:
    return next((m for m in matter.materials if m.id == mid), None)


def _names(matters: Mapping[str, Matter], codes: Sequence[str]) -> str:
    return "、".join(matters[c].name.zh if c in matters else c for c in codes)


class _Writer:
    """One combined document being written: the centre's frame around the members."""

    def __init__(self, catalog: Catalog, bundle: Bundle, matters: Mapping[str, Matter],
                 applicant: str, received_on: dt.date, info: BundleNoticeInfo,
                 calendar: WorkCalendar | None) -> None:
        self.catalog, self.bundle, self.matters = catalog, bundle, matters
        self.applicant, self.received_on, self.info = applicant, received_on, info
        self.calendar = calendar
        self.provisional = False

    def page(self, kind: str, codes: Sequence[str], issued_on: dt.date) -> Page:
        zh, en = DOCUMENT_KINDS[kind]
        title = "一次性告知书" if kind == "supplement" else zh
        departments = list(dict.fromkeys(
            self.catalog.department_full_name(self.matters[c].department) for c in codes))
        centre = self.catalog.name.zh
        page = Page(title=f"{self.bundle.name.zh}{title}",
                    title_en=f"{en}: {self.bundle.name.en or self.bundle.code}",
                    centre=centre, issuer=centre, number=self.info.bundle_number or _BLANK,
                    issued_on=issued_on, number_label="“一件事”编号",
                    meta=[("申请人", self.applicant or "—"),
                          ("申请事项", f"{self.bundle.name.zh}（{self.bundle.code}）"),
                          ("包含事项", _names(self.matters, codes)),
                          ("承办部门", "、".join(departments)),
                          ("受理窗口", centre),
                          ("收件日期", day(self.received_on))],
                    basis=self.basis(kind, codes), contacts=self.contacts(codes))
        return page

    def basis(self, kind: str, codes: Sequence[str]) -> list[str]:
        """Each member's provisions for the document, 行政许可法 first, then the bundle's."""
        provisions = list(dict.fromkeys(p for c in codes for p in basis_of(self.matters[c],
                                                                            kind)))
        first = [p for p in provisions if p.startswith(_LAW)]
        rest = [p for p in provisions if not p.startswith(_LAW)]
        return list(dict.fromkeys([*first, *rest, *self.bundle.basis]))

    def contacts(self, codes: Sequence[str]) -> list[tuple[str, str]]:
        """经办人, the centre's place and phone, each department's phone, 监督投诉电话."""
        cat, info = self.catalog, self.info
        out: list[tuple[str, str]] = []
        if info.clerk:
            out.append(("经办人", info.clerk + (f"（联系电话：{info.clerk_phone}）"
                                              if info.clerk_phone else "")))
        if cat.address:
            out.append(("办理地点", cat.address.zh))
        if cat.phone:
            out.append(("咨询电话", cat.phone))
        phones = []
        for dept_id in dict.fromkeys(self.matters[c].department for c in codes):
            dept = cat.department(dept_id)
            if dept is not None and dept.phone:
                phones.append(f"{cat.department_full_name(dept_id)} {dept.phone}")
        if phones:
            out.append(("承办部门电话", "；".join(phones)))
        if cat.complaint_phone:
            out.append(("监督投诉电话", cat.complaint_phone))
        return out

    def opening(self) -> str:
        return (f"{self.applicant or '申请人'}：你（单位）于{day(self.received_on)}提出的"
                f"{self.bundle.name.zh}申请，")

    def finish(self, page: Page) -> Page:
        if self.provisional:
            page.notes.append(PROVISIONAL_LINE)
        return page

    # --- the one-time notice -------------------------------------------------------------

    def material_row(self, item: BundleMaterial, problem: str) -> tuple[str, str, str, str]:
        """A material once: its name, the matters needing it, the problem, the standard."""
        once = next((o for o in self.bundle.materials_once if o.id == item.id), None) \
            if item.matter is None else None
        if once is not None:
            code = next((c for c in item.matters if c in once.to), next(iter(once.to)))
            m = _material(self.matters[code], once.to[code]) if code in self.matters else None
        else:
            code = item.matter or (item.matters[0] if item.matters else "")
            m = _material(self.matters[code], item.id) if code in self.matters else None
        return (item.name or item.id, self.concerned(item.matters, "提交"), problem,
                _standard(m))

    def concerned(self, codes: Sequence[str], verb: str) -> str:
        """The matters an item is for: several share it, handed in (or filled in) once."""
        names = _names(self.matters, codes)
        return f"{names}共用，只需{verb}一份" if len(codes) > 1 and verb == "提交" else \
            f"{names}共用，只需填写一次" if len(codes) > 1 else names

    def field_name(self, path: str, codes: Sequence[str]) -> str:
        """A field problem's item in words: a shared question by its label, a member's own
        field by its labels in that member's form, after the member's name."""
        head, sep, rest = path.partition(".")
        member = self.matters.get(head) if head in self.bundle.codes else None
        if member is not None:
            words = field_words(member, rest) if sep else "申请表"
            part = f"申请表（{member.name.zh}部分）"
            return part if words == "申请表" else f"{part}：{words}"
        qid = path.split(".")[0].split("[")[0]
        question = next((q for q in self.bundle.shared if q.id == qid), None)
        if question is None:
            return "申请材料清单" if qid == "materials" else "申请表"
        label = question.label.zh if question.label else ""
        tail = path[len(qid):]
        if tail or not label:
            # a row or a part of a shared answer: in the words of a member it fills
            for code in codes or list(question.to):
                if code in question.to and code in self.matters:
                    words = field_words(self.matters[code], question.to[code] + tail)
                    if words != "申请表":
                        return f"申请表：{words}"
        return f"申请表：{label}" if label else "申请表"

    def supplement(self, result: BundlePrecheckResult) -> Page:
        codes = [m.matter for m in result.matters]
        page = self.page("supplement", codes, self.info.issued_on or result.received_on)
        page.body.append(self.opening() + "经审查，申请材料不齐全或者不符合法定形式。现一次性告知"
                         "你需要补正的全部内容（多个事项共用的材料只需提交一份），请按下列要求补正：")
        rows: list[tuple[str, ...]] = []
        for item in result.missing_materials:
            rows.append(self.material_row(item, item.reason or "未提交"))
        for err in result.field_errors:
            rows.append((self.field_name(err.field, err.matters),
                         self.concerned(err.matters, "填写") or "“一件事”申请表",
                         applicant_message(err.message), "按申请表填写说明如实填写"))
        for item in result.tolerated_materials:
            rows.append(self.material_row(item, "可容缺，受理后补交"))
        page.tables.append(Table(("材料或事项", "涉及事项", "存在问题", "补正要求"), rows))
        if result.fetched_materials:
            page.after.append("下列材料由窗口通过部门间信息共享调取，无需你提交："
                              + "；".join(m.name or m.id for m in result.fetched_materials)
                              + "。")
        days = self.info.supply_within_days
        due = deadline(result.received_on, days, "working_days", self.calendar)
        self.provisional |= due.provisional
        page.after.append(f"请于{day(due.value)}前（自收件之日起{days}个工作日内）携带上述材料到"
                          f"{self.catalog.name.zh}“高效办成一件事”窗口一次补正。补正的申请材料"
                          "齐全、符合法定形式的，各承办部门将予以受理，并同步办理。")
        page.after += self.others([
            _Member(member=m.matter, matter=self.matters[m.matter], outcome=m.outcome)
            for m in result.matters], skip=("incomplete",))
        return self.finish(page)

    # --- the acceptance ------------------------------------------------------------------

    def others(self, members: Sequence[_Member], skip: Sequence[str] = ()) -> list[str]:
        """One line for each member that gets its own document instead."""
        out = []
        for m in members:
            if m.outcome == "refuse" and "refuse" not in skip:
                out.append(f"{m.matter.name.zh}事项不予受理，另行出具不予受理决定书。")
            elif m.outcome == "incomplete" and "incomplete" not in skip:
                out.append(f"{m.matter.name.zh}事项申请材料需补正，另行出具一次性告知书。")
        return out

    def acceptance(self, members: Sequence[_Member], issued_on: dt.date,
                   accepted_on: dt.date) -> Page:
        accepted = [m for m in members if m.accepted]
        if not accepted:
            raise DocumentUnavailable(
                f"“一件事”{self.bundle.code} 没有予以受理的事项，无受理通知书: no member of "
                f"bundle {self.bundle.code} is accepted", None, code="no-document",
                hint="print the 一次性告知书 (supplement) or each member's 不予受理决定书 "
                     "(refusal)")
        codes = [m.member for m in accepted]
        kinds = "tolerance" if any(m.tolerated for m in accepted) else "acceptance"
        page = self.page("acceptance", codes, issued_on)
        page.basis = self.basis(kinds, codes)
        last = max((m.committed for m in accepted if m.committed), default=None)
        page.meta += [("受理日期", day(accepted_on)), ("全部办结期限", f"至{day(last)}")]
        tolerance = any(m.tolerated for m in accepted)
        page.body.append(self.opening() + "经审查，下列事项申请材料齐全、符合法定形式，予以受理"
                         + ("（注明“容缺受理”的事项主要申请材料齐全、符合法定形式，非主要材料"
                            "暂缺，予以容缺受理）" if tolerance else "") + "：")
        rows: list[tuple[str, ...]] = []
        for m in accepted:
            unit = UNIT_WORDS[m.matter.time_limit.unit]
            limit = m.matter.time_limit
            committed = "当场办结" if limit.committed_days == 0 else \
                f"{limit.committed_days}{unit}，至{day(m.committed)}"
            statutory = "当场办结" if limit.statutory_days == 0 else \
                f"{limit.statutory_days}{unit}，至{day(m.statutory)}"
            rows.append((m.matter.name.zh + ("（容缺受理）" if m.tolerated else ""),
                         self.catalog.department_full_name(m.matter.department),
                         m.number or _BLANK, committed, statutory))
        page.tables.append(Table(("申请事项", "承办部门", "受理编号", "承诺办结期限",
                                  "法定办结期限"), rows, heading="受理事项"))
        if tolerance:
            page.tables.append(Table(("容缺材料", "涉及事项", "补交期限", "要求"), [
                ((mat.name.zh if (mat := _material(m.matter, mid)) else mid),
                 m.matter.name.zh, day(due), _standard(mat))
                for m in accepted for mid, due in m.tolerated], heading="容缺材料"))
        page.after.append("上述事项由各承办部门同步办理、分别作出决定；各事项的办理结果全部出具，"
                          f"本“一件事”即办结，最迟于{day(last)}前办结（以各事项中最晚的承诺办结期限为准）。"
                          "可凭“一件事”编号或各事项受理编号查询办理进度。")
        # 行政许可法 §45: 听证、检验、检测、鉴定、专家评审 ... 所需时间不计算在期限内, 书面告知
        special = [m for m in accepted if m.matter.special_procedures or licensed(m.matter)]
        if special:
            page.after.append("办理过程中依法需要听证、检验、检测、检疫、鉴定、专家评审等的，所需时间"
                              "不计算在上述期限内，承办部门将书面告知所需时间。")
        if tolerance:
            page.after.append("你已签署容缺受理承诺书。请于上述期限前补交容缺材料；逾期未补交的，"
                              "承办部门将按申请材料不齐全依法处理，该事项的办理结果在容缺材料补齐后发放。")
        fee = sum((m.fee for m in accepted), Decimal(0))
        if fee:
            page.after.append(f"上述事项应缴纳费用合计{fee}元，收费项目及依据见各事项办事指南。")
        page.after += self.others(members)
        return self.finish(page)

    def tolerated_due(self, matter: Matter, mid: str, committed: dt.date | None) -> dt.date:
        """A tolerated material's due day as the case will record it: the matter's
        ``tolerable_days`` (else the notice's) working days, by the committed deadline."""
        m = _material(matter, mid)
        days = (m.tolerable_days if m and m.tolerable_days else None) \
            or self.info.supply_within_days
        got = deadline(self.received_on, days, "working_days", self.calendar)
        self.provisional |= got.provisional
        return min(got.value, committed) if committed else got.value


def bundle_document(catalog: Catalog, bundle: Bundle, matters: Mapping[str, Matter],
                    result: BundlePrecheckResult, info: BundleNoticeInfo,
                    kind: str | None = None, *, calendar: WorkCalendar | None = None
                    ) -> Document:
    """The bundle's ``kind`` document (default: the one the pre-check calls for):
    ``supplement`` the combined 一次性告知书, ``acceptance`` the combined 受理通知书,
    ``refusal`` each refused member's own 不予受理决定书, one page each.

    ``matters`` holds the members' definitions by code (at least the applying ones).

    Raises:
        DocumentUnavailable: (``no-document``) no member is accepted (acceptance) or
            refused (refusal).
        ValueError: ``kind`` is not a bundle document.
    """
    kind = kind or bundle_notice_kind(result)
    writer = _Writer(catalog, bundle, matters, info.applicant, result.received_on, info,
                     calendar)
    issued = info.issued_on or result.received_on
    if kind == "supplement":
        return render(kind, [writer.supplement(result)])
    if kind == "acceptance":
        members = []
        for m in result.matters:
            own = result.results.get(m.matter)
            matter = matters[m.matter]
            committed = m.committed_deadline
            writer.provisional |= bool(own and own.calendar_provisional)
            members.append(_Member(
                member=m.matter, matter=matter, outcome=m.outcome,
                number=info.case_numbers.get(m.matter, ""), committed=committed,
                statutory=m.statutory_deadline, fee=own.fee if own is not None and isinstance(
                    own.fee, Decimal) else Decimal(0),
                tolerated=tuple((t.id, writer.tolerated_due(matter, t.id, committed))
                                for t in (own.tolerated_materials if own else []))))
        return render(kind, [writer.acceptance(members, issued, result.received_on)])
    if kind == "refusal":
        pages = []
        for m in result.matters:
            own = result.results.get(m.matter)
            if m.outcome != "refuse" or own is None:
                continue
            single = NoticeInfo(applicant=info.applicant,
                                case_number=info.case_numbers.get(m.matter, ""),
                                clerk=info.clerk, clerk_phone=info.clerk_phone,
                                issued_on=info.issued_on)
            pages.append(_Intake(catalog, matters[m.matter], own, single, calendar).refusal())
        if not pages:
            raise DocumentUnavailable(
                f"“一件事”{bundle.code} 没有不予受理的事项: no member of bundle {bundle.code} "
                "is refused", None, code="no-document",
                hint="print the 受理通知书 (acceptance) or the 一次性告知书 (supplement)")
        return render(kind, pages)
    raise ValueError(f"not a bundle document: {kind!r}; one of {', '.join(BUNDLE_KINDS)}")


def _case_outcome(case: Case) -> str:
    """A stored case's intake outcome as the combined acceptance reads it."""
    if case.state == "refused" and case.accepted_on is None:
        return "refuse"
    if case.accepted_on is not None:
        return "accept_with_tolerance" if case.tolerated else "accept"
    return str(case.precheck.get("outcome") or "incomplete")


def bundle_case_document(catalog: Catalog, bundle: Bundle, matters: Mapping[str, Matter],
                         cases: Sequence[Case], kind: str = "acceptance", *,
                         calendar: WorkCalendar | None = None) -> Document:
    """The combined 受理通知书 of a bundle reprinted from its stored cases (a case and its
    ``siblings``): each case's number and deadlines as the case holds them.

    Raises:
        DocumentUnavailable: (``no-document``) ``kind`` is not ``acceptance``, no case
            is accepted, or ``cases`` is empty.
    """
    linked = [c for c in cases if c.bundle is not None]
    if kind != "acceptance" or not linked:
        raise DocumentUnavailable(
            f"“一件事”{bundle.code} 没有可重印的{DOCUMENT_KINDS.get(kind, (kind,))[0]}: "
            f"a bundle's stored cases reprint only the combined acceptance (not {kind!r})",
            None, code="no-document",
            hint="each case's own documents: formkit notice NUMBER KIND")
    order = {code: i for i, code in enumerate(bundle.codes)}
    ordered = sorted(linked, key=lambda c: order.get(c.matter, len(order)))
    first = ordered[0]
    link = first.bundle
    assert link is not None
    info = BundleNoticeInfo(applicant=first.applicant, bundle_number=link.number,
                            case_numbers={c.matter: c.number for c in ordered})
    received = min(c.received_on for c in ordered)
    accepted_on = min((c.accepted_on for c in ordered if c.accepted_on), default=received)
    writer = _Writer(catalog, bundle, matters, first.applicant, received, info, calendar)
    writer.provisional = any(c.calendar_provisional for c in ordered)
    members = []
    for c in ordered:
        fee = c.precheck.get("fee")
        members.append(_Member(
            member=c.matter, matter=matters[c.matter], outcome=_case_outcome(c), number=c.number,
            committed=c.committed_deadline, statutory=c.statutory_deadline,
            tolerated=tuple((t.id, t.due) for t in c.tolerated),
            fee=Decimal(str(fee)) if fee is not None else Decimal(0)))
    return render(kind, [writer.acceptance(members, accepted_on, received)])
