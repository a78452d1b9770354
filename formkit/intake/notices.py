"""Print-ready notices: 受理通知书, 一次性告知书, 容缺受理通知书, 不予受理通知书, and the
延长审批期限告知书 of 行政许可法 §42.

``render_notice`` picks the notice that matches a pre-check's outcome and
renders it as HTML (A4, for the window's printer) or plain text. Every notice
carries the centre and department, the matter, the applicant, the case number,
the date of receipt, the deadlines and the clerk (行政许可法 §32).
``render_extension_notice`` tells the applicant that the time limit of an accepted
case was extended, by how much, why and on whose approval (行政许可法 §42). It takes
plain values, not a case: the intake layer does not know the case store.

A notice that prints a date the calendar computed, when that date rests on a year
whose official holiday schedule is not yet published, says so (:data:`PROVISIONAL_LINE`).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Literal

from formkit.calendar import WorkCalendar
from formkit.definitions.model import Catalog, Matter
from formkit.intake.deadlines import deadline
from formkit.intake.forms import field_title
from formkit.intake.precheck import PrecheckResult

__all__ = ["NOTICE_KINDS", "PROVISIONAL_LINE", "ExtensionNoticeInfo", "NoticeInfo",
           "notice_kind", "render_extension_notice", "render_notice"]

# The notices a pre-check calls for (``render_notice``'s ``kind``).
NoticeKind = Literal["accept", "supplement", "tolerance", "refuse"]
# Every notice's title, Chinese then English: the pre-check's four, and "extension"
# (``render_extension_notice``), which no pre-check outcome calls for.
NOTICE_KINDS: dict[str, tuple[str, str]] = {
    "accept": ("受理通知书", "Notice of Acceptance"),
    "supplement": ("一次性告知书（补正材料通知书）", "One-time Notice of Items to Supply"),
    "tolerance": ("容缺受理通知书", "Notice of Acceptance with Materials to Follow"),
    "refuse": ("不予受理通知书", "Notice of Non-acceptance"),
    "extension": ("延长审批期限告知书", "Notice of Extension of the Time Limit"),
}
# Printed under the deadlines when one of them rests on a year without the State
# Council's holiday schedule (formkit then counts the statutory holidays only).
PROVISIONAL_LINE = "以上期限按法定节假日推算，以国务院公布的节假日安排为准。"
_EXTENSION_BASIS = "《中华人民共和国行政许可法》第四十二条第一款"
_BASIS = {
    "accept": "《中华人民共和国行政许可法》第三十二条第一款第（五）项",
    "supplement": "《中华人民共和国行政许可法》第三十二条第一款第（四）项",
    "tolerance": "《中华人民共和国行政许可法》第三十二条及本中心容缺受理制度",
    "refuse": "《中华人民共和国行政许可法》第三十二条第一款",
}
_REMEDIES = ("如不服本决定，可自收到本通知书之日起六十日内依法申请行政复议，"
             "或者在六个月内依法向人民法院提起行政诉讼。")


@dataclass(frozen=True)
class NoticeInfo:
    """Who and what a notice is about, besides the pre-check itself."""

    applicant: str
    case_number: str
    clerk: str
    clerk_phone: str = ""
    issued_on: dt.date | None = None  # default: the day of receipt
    supply_within_days: int = 5  # working days to supply tolerated/missing materials


@dataclass(frozen=True, kw_only=True)
class ExtensionNoticeInfo:
    """What a 延长审批期限告知书 says (行政许可法 §42: the reason must be told).

    The dates are the case's, computed by its caller: ``statutory_deadline`` is the
    deadline before the extension, ``new_deadline`` the one after ``days`` working days
    were added; ``provisional`` is true when either rests on a year whose official
    holiday schedule is not yet published.
    """

    applicant: str
    case_number: str
    received_on: dt.date
    accepted_on: dt.date
    statutory_deadline: dt.date
    days: int  # working days added
    new_deadline: dt.date
    reason: str  # 延长期限的理由
    approver: str  # who approved: 本行政机关负责人, or the name
    clerk: str
    clerk_phone: str = ""
    issued_on: dt.date
    provisional: bool = False


def notice_kind(result: PrecheckResult) -> NoticeKind:
    """The notice a pre-check outcome calls for."""
    return {"accept": "accept", "accept_with_tolerance": "tolerance",
            "incomplete": "supplement", "refuse": "refuse"}[result.outcome]  # type: ignore[return-value]


def _d(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def _dept(catalog: Catalog, matter: Matter) -> str:
    return next((d.name.zh for d in catalog.departments if d.id == matter.department),
                matter.department)


def _closing(catalog: Catalog, dept: str, clerk: str, clerk_phone: str,
             issued_on: dt.date) -> str:
    return (f"经办人：{clerk}" + (f"　联系电话：{clerk_phone}" if clerk_phone else "")
            + f"　　{catalog.name.zh}（{dept}）　{_d(issued_on)}")


_Lines = tuple[list[tuple[str, str]], list[str], list[tuple[str, str, str]], list[str], str]


def _lines(catalog: Catalog, matter: Matter, result: PrecheckResult,
           info: NoticeInfo, kind: NoticeKind, calendar: WorkCalendar | None) -> _Lines:
    """Header rows, opening paragraphs, item rows (name, problem, standard), closing
    paragraphs, and the signature line."""
    dept = _dept(catalog, matter)
    unit = "个工作日" if matter.time_limit.unit == "working_days" else "日"
    header = [("文书编号", info.case_number), ("申请人", info.applicant),
              ("申请事项", f"{matter.name.zh}（{matter.code}）"), ("承办部门", dept),
              ("收件日期", _d(result.received_on))]
    materials = {m.id: m for m in matter.materials}
    items: list[tuple[str, str, str]] = []
    body: list[str] = []
    # Only the notices that print it count the day to supply by: an acceptance or a
    # refusal dated near 9999-12-31 must not fail on a date it does not show.
    supply = deadline(result.received_on, info.supply_within_days, "working_days",
                      calendar) if kind in ("tolerance", "supplement") else None
    supply_by = supply.value if supply else None
    # Whether the notice prints a date the calendar computed: the decision deadlines
    # (an acceptance decided on the spot prints none) or the day to supply by.
    shows_due = supply is not None or (kind == "accept"
                                       and matter.time_limit.committed_days != 0)
    provisional = shows_due and (result.calendar_provisional
                                 or (supply is not None and supply.provisional))
    outro: list[str] = []
    if kind == "accept":
        header.append(("受理日期", _d(result.received_on)))
        if matter.time_limit.committed_days == 0:
            body.append("您的申请材料齐全、符合法定形式，本机关决定予以受理，并当场办结。")
        else:
            body.append(f"您的申请材料齐全、符合法定形式，本机关决定予以受理。"
                        f"承诺办结时限为{matter.time_limit.committed_days}{unit}，"
                        f"将于{_d(result.committed_deadline)}前作出决定"
                        f"（法定时限{matter.time_limit.statutory_days}{unit}，"
                        f"至{_d(result.statutory_deadline)}）。")
        body.append("依法需要听证、检验、检测、检疫、鉴定、专家评审的，所需时间不计算在上述期限内，"
                    "本机关将书面告知。")
    elif kind == "tolerance":
        header.append(("受理日期", _d(result.received_on)))
        body.append(f"您的申请主要材料齐全，本机关决定容缺受理。承诺办结时限为"
                    f"{matter.time_limit.committed_days}{unit}，将于"
                    f"{_d(result.committed_deadline)}前作出决定。")
        body.append("下列材料容缺受理，您已签署容缺受理承诺书：")
        outro.append(f"请于{_d(supply_by)}前补交上述容缺材料；逾期未补交的，本机关将依法终止办理。")
        for item in result.tolerated_materials:
            m = materials.get(item.id)
            items.append((m.name.zh if m else item.id, "容缺，待补交",
                          m.standard.zh if m and m.standard else _form(m)))
    elif kind == "supplement":
        body.append("经审查，您的申请材料不齐全或者不符合法定形式。现一次性告知您需要补正的全部内容，"
                    "请按下列要求补正后再行提交：")
        for item in result.missing_materials:
            m = materials.get(item.id)
            items.append((m.name.zh if m else item.id, item.reason or "",
                          m.standard.zh if m and m.standard else _form(m)))
        for err in result.field_errors:
            items.append((f"申请表：{field_title(matter, err.field)}", err.message,
                          "按申请表填写说明如实填写"))
        for item in result.tolerated_materials:
            m = materials.get(item.id)
            items.append((m.name.zh if m else item.id, "可容缺，受理后补交",
                          m.standard.zh if m and m.standard else _form(m)))
        outro.append(f"请于{_d(supply_by)}前补正。补正材料齐全后，本机关将依法受理。")
    else:
        body.append("经审查，您的申请有下列情形，本机关决定不予受理：")
        for finding in result.refusals:
            items.append((finding.message, "不予受理", ""))
        outro.append(_REMEDIES)
    outro.append(f"法律依据：{_BASIS[kind]}。")
    if provisional:
        outro.append(PROVISIONAL_LINE)
    closing = _closing(catalog, dept, info.clerk, info.clerk_phone,
                       info.issued_on or result.received_on)
    return header, body, items, outro, closing


def _form(m: object) -> str:
    if m is None:
        return ""
    from formkit.definitions.model import Material

    assert isinstance(m, Material)
    form = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件"}[m.form]
    return f"{form}{m.copies}份" if m.copies else form


def render_notice(catalog: Catalog, matter: Matter, result: PrecheckResult, info: NoticeInfo,
                  *, fmt: Literal["html", "text"] = "html", kind: NoticeKind | None = None,
                  calendar: WorkCalendar | None = None) -> str:
    """The notice for ``result`` (or the ``kind`` asked for) as HTML or plain text."""
    kind = kind or notice_kind(result)
    if kind not in _BASIS:
        raise ValueError(f"render_notice prints the pre-check notices ({', '.join(_BASIS)}), "
                         f"not {kind!r}; the extension notice is render_extension_notice")
    return _frame(catalog, kind, _lines(catalog, matter, result, info, kind, calendar), fmt)


def render_extension_notice(catalog: Catalog, matter: Matter, info: ExtensionNoticeInfo,
                            *, fmt: Literal["html", "text"] = "html") -> str:
    """The 延长审批期限告知书 (行政许可法 §42) for ``info`` as HTML or plain text."""
    dept = _dept(catalog, matter)
    header = [("文书编号", info.case_number), ("申请人", info.applicant),
              ("申请事项", f"{matter.name.zh}（{matter.code}）"), ("承办部门", dept),
              ("受理日期", _d(info.accepted_on))]
    body = [f"您于{_d(info.received_on)}提出的{matter.name.zh}申请，本机关已于"
            f"{_d(info.accepted_on)}受理。因{info.reason.rstrip('。，；,.; ')}，不能在法定期限"
            f"（{_d(info.statutory_deadline)}）内作出决定，经{info.approver}批准，"
            f"办理期限延长{info.days}个工作日，至{_d(info.new_deadline)}。"]
    outro = [f"法律依据：{'；'.join([_EXTENSION_BASIS, *matter.basis])}。", _REMEDIES]
    if info.provisional:
        outro.append(PROVISIONAL_LINE)
    closing = _closing(catalog, dept, info.clerk, info.clerk_phone, info.issued_on)
    return _frame(catalog, "extension", (header, body, [], outro, closing), fmt)


def _frame(catalog: Catalog, kind: str, lines: _Lines, fmt: Literal["html", "text"]) -> str:
    """Every notice's layout: centre, title, header table, paragraphs, items, closing."""
    title_zh, title_en = NOTICE_KINDS[kind]
    header, body, items, outro, closing = lines
    if fmt == "text":
        out = [catalog.name.zh, title_zh, ""]
        out += [f"{k}：{v}" for k, v in header]
        out.append("")
        out += body
        for i, (name, problem, standard) in enumerate(items, 1):
            out.append(f"  {i}. {name}：{problem}" + (f"（要求：{standard}）" if standard else ""))
        out += outro
        out += ["", closing, "申请人签收：______________　日期：__________", "（本机关专用章）"]
        return "\n".join(out) + "\n"
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in header)
    paras = "".join(f"<p>{e(p)}</p>" for p in body)
    table = ""
    if items:
        table = ("<table class=\"items\"><thead><tr><th>序号</th><th>事项</th><th>情况</th>"
                 "<th>要求</th></tr></thead><tbody>" + "".join(
                     f"<tr><td>{i}</td><td>{e(n)}</td><td>{e(p)}</td><td>{e(s)}</td></tr>"
                     for i, (n, p, s) in enumerate(items, 1)) + "</tbody></table>")
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title_zh)}</title>
<style>
@page {{ size: A4; margin: 20mm; }}
body {{ font-family: "SimSun", "Songti SC", serif; font-size: 12pt; line-height: 1.7; }}
h1 {{ text-align: center; font-size: 20pt; margin: 0; }}
h2 {{ text-align: center; font-size: 11pt; font-weight: normal; margin: 0 0 1em; }}
.centre {{ text-align: center; font-size: 14pt; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.5em 0; }}
th, td {{ border: 1px solid #000; padding: 2px 6px; text-align: left; vertical-align: top; }}
.meta th {{ width: 7em; }}
.closing {{ margin-top: 2em; }} .seal {{ text-align: right; margin-top: 2em; }}
</style></head>
<body class="notice notice-{kind}">
<div class="centre">{e(catalog.name.zh)}</div>
<h1>{e(title_zh)}</h1><h2>{e(title_en)}</h2>
<table class="meta">{rows}</table>
{paras}{table}{"".join(f"<p>{e(p)}</p>" for p in outro)}
<p class="closing">{e(closing)}</p>
<p>申请人签收：______________　日期：__________</p>
<p class="seal">（本机关专用章）</p>
</body></html>
"""
