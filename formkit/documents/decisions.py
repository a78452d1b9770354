"""The documents of a case after acceptance: the decision (准予 / 不予, worded for the
matter: 行政许可, 登记, 批准, 办理), the 延期通知书 and the 特别程序告知书.

Each is built from the stored case: its dates, its history (the reasons given),
its extensions and its stops. A denial states its reasons and the remedies
(行政许可法 §38(2)); a grant names the result and, for a licence, the ten days
within which it is delivered (§44).
"""

from __future__ import annotations

import datetime as dt

from formkit.calendar import WorkCalendar
from formkit.cases import clock
from formkit.cases.service import SPECIAL_PROCEDURES, Case
from formkit.definitions.model import Catalog, Matter
from formkit.documents.layout import UNIT_WORDS, Page, Table, day
from formkit.documents.legal import basis_of, licensed, wording_of
from formkit.documents.notices import PROVISIONAL_LINE
from formkit.documents.office import Office, received_line

__all__ = ["decision_page", "extension_page", "special_procedure_page"]


def _last(case: Case, action: str) -> str:
    """The comment of the case's last ``action`` event (a denial's reasons ...)."""
    return next((e.comment for e in reversed(case.history) if e.action == action), "")


def _frame(office: Office, case: Case, kind: str, clerk: str, clerk_phone: str,
           issued_on: dt.date, **titles: str) -> Page:
    page = office.page(kind, number=case.number, applicant=case.applicant,
                       issued_on=issued_on, clerk=clerk, clerk_phone=clerk_phone, **titles)
    page.meta += [("收件日期", day(case.received_on)), ("受理日期", day(case.accepted_on))]
    return page


def decision_page(catalog: Catalog, matter: Matter, case: Case, *, clerk: str = "",
                  clerk_phone: str = "", issued_on: dt.date | None = None) -> Page:
    """准予 / 不予 decision of a decided case (``approved``, ``denied`` or issued after
    either)."""
    office = Office(catalog, matter)
    wording = wording_of(matter)
    denied = any(e.to_state == "denied" for e in case.history)
    title = wording.deny_title if denied else wording.grant_title
    page = _frame(office, case, "decision", clerk, clerk_phone,
                  issued_on or case.decided_on or case.received_on, title=title,
                  title_en=("Decision Not to Grant" if denied else "Decision to Grant"))
    page.meta.append(("决定日期", day(case.decided_on)))
    if denied:
        page.basis = basis_of(matter, "decision_deny")
    opening = received_line(case.applicant, case.received_on, matter)
    if denied:
        reasons = [r for r in dict.fromkeys(
            part.strip() for text in [_last(case, "deny"), *case.deny_grounds]
            for part in text.replace(";", "；").split("；")) if r]
        page.body.append(opening + "本机关已依法受理。经审查，有下列情形：")
        page.tables.append(Table(("理由",), [(r,) for r in reasons]))
        page.after.append(f"本机关决定{wording.deny}。")
    else:
        page.body.append(opening + f"本机关已依法受理。经审查，符合法定条件、标准，"
                         f"本机关决定{wording.grant}。")
        result = matter.result.zh if matter.result else ""
        if result and licensed(matter):
            # 行政许可法 §44: 自作出决定之日起十日内颁发、送达行政许可证件
            page.body.append(f"本机关将自作出决定之日起十日内向你颁发、送达{result}。")
        elif result:
            page.body.append(f"请凭本决定书领取{result}。")
        validity = matter.guide.result_validity if matter.guide else None
        if result and validity:
            page.meta.append(("结果有效期", validity.zh))
        comment = _last(case, "approve")
        if comment:
            page.body.append(f"说明：{comment}")
    noun = title[-3:] if title.endswith(("决定书", "告知书", "通知书")) else "决定书"
    page.remedies = office.remedies.sentence(noun)
    return page


def _deadlines(case: Case, today: dt.date, calendar: WorkCalendar, *, extended: bool
               ) -> tuple[dt.date | None, dt.date | None]:
    doc = case.model_dump(mode="json")
    if not extended:
        doc["extensions"] = []
    return clock.deadlines(doc, today, calendar)


def extension_page(catalog: Catalog, matter: Matter, case: Case, calendar: WorkCalendar, *,
                   clerk: str = "", clerk_phone: str = "",
                   issued_on: dt.date | None = None) -> Page:
    """延期通知书: the limit extended, by how much, why, on whose approval (行政许可法
    §42: the reason must be told)."""
    office = Office(catalog, matter)
    record = case.extensions[-1]
    unit = office.unit()
    _, before = _deadlines(case, record.on, calendar, extended=False)
    _, after = _deadlines(case, record.on, calendar, extended=True)
    page = _frame(office, case, "extension", clerk, clerk_phone, issued_on or record.on)
    page.meta += [("原法定办结期限", day(before)), ("延长后办结期限", day(after))]
    reason = record.comment.rstrip("。，；,.; ") or "情况复杂"
    # ``by`` is who approved it, or the user who entered it when no approver was named:
    # then the matter's declared approver is printed, never a user's sign-in id
    entered_by = next((e.actor for e in reversed(case.history) if e.action == "extend"), "")
    approver = record.by if record.by and record.by != entered_by \
        else case.extension_approver or "本机关负责人"
    page.body.append(received_line(case.applicant, case.received_on, matter)
                     + f"本机关已于{day(case.accepted_on)}受理。因{reason}，不能在法定期限"
                     f"（{day(before)}）内作出决定，经{approver}批准，办理期限延长"
                     f"{record.days}{unit}，至{day(after)}。")
    if case.calendar_provisional:
        page.notes.append(PROVISIONAL_LINE)
    return page


def special_procedure_page(catalog: Catalog, matter: Matter, case: Case, *, clerk: str = "",
                           clerk_phone: str = "", issued_on: dt.date | None = None) -> Page:
    """特别程序告知书 for the case's latest stop: the procedure and the time it takes,
    which is not counted in the limit (行政许可法 §45: 书面告知申请人所需时间)."""
    office = Office(catalog, matter)
    pause = case.pauses[-1]
    procedure = case.procedures.get(pause.reason)
    name = procedure.name if procedure else SPECIAL_PROCEDURES.get(pause.reason, pause.reason)
    page = _frame(office, case, "special_procedure", clerk, clerk_phone,
                  issued_on or pause.start)
    page.meta += [("特别程序", name), ("开始日期", day(pause.start))]
    unit = UNIT_WORDS[pause.unit]
    # 行政许可法 §45: the time it takes must be told in writing. The matter's maximum
    # when it declares one; else what the officer wrote when stopping the clock; else
    # a blank the officer fills in by hand before the notice is sealed.
    comment = next((e.comment for e in reversed(case.history)
                    if e.action == "suspend" and e.comment), "").rstrip("。")
    took = f"不超过{pause.max_days}{unit}" if pause.max_days else comment or "______日"
    page.meta.append(("所需时间", took))
    page.body.append(received_line(case.applicant, case.received_on, matter)
                     + f"本机关已于{day(case.accepted_on)}受理。因依法需要进行{name}，"
                     f"自{day(pause.start)}起，{name}所需时间不计算在办理期限内，"
                     f"所需时间：{took}。")
    if comment and pause.max_days:
        page.body.append(f"{comment}。")
    if pause.end:
        page.body.append(f"{name}已于{day(pause.end)}结束，办理期限自该日起继续计算。")
    else:
        page.body.append(f"{name}结束后，办理期限继续计算，本机关将依法作出决定。")
    return page
