"""The printable 办事指南 (service guide) of a matter, from its definition alone.

The elements follow the national implementation list (GB/T 39554, the 实施清单
fields of domain-notes.md §1): basic information, 受理条件, 申请材料 with their
form, copies, source, templates and samples, 办理流程, time limits, fees with
their basis, place, hours, phones and delivery. What an applicant reads is
labels and sentences, never a rule: a material asked for only in some cases is
"视情形提交", with its notes.
"""

from __future__ import annotations

import datetime as dt

from formkit.definitions.model import Catalog, Expr, Matter
from formkit.documents.layout import UNIT_WORDS, Document, Page, Table, render
from formkit.documents.notices import form_text
from formkit.documents.office import Office

__all__ = ["guide_document"]

KIND_NAMES = {
    "administrative_licensing": "行政许可", "administrative_punishment": "行政处罚",
    "administrative_enforcement": "行政强制", "administrative_levy": "行政征收",
    "administrative_payment": "行政给付", "administrative_inspection": "行政检查",
    "administrative_confirmation": "行政确认", "administrative_reward": "行政奖励",
    "administrative_ruling": "行政裁决", "other_administrative": "其他行政权力",
    "public_service": "公共服务"}
_OBJECTS = {"natural_person": "自然人", "legal_person": "法人",
            "other_organisation": "其他组织"}
_DELIVERY = {"window": "窗口领取", "post": "邮寄送达", "electronic": "电子送达"}
_SCOPE = {"county": "全县通办", "city": "全市通办", "province": "全省通办",
          "national": "全国通办"}
_DEPTH = {1: "一级（网上咨询）", 2: "二级（网上预审）", 3: "三级（网上受理）",
          4: "四级（全程网办）"}
_CHANNELS = {"window": "窗口办理", "online": "网上办理", "self_service": "自助终端",
             "mail": "邮寄申请"}
_SOURCE = {"applicant": "申请人自备", "government": "政府部门核发（免提交，部门共享）",
           "intermediary": "中介机构出具", "other": "其他"}


def _days(n: int, unit: str) -> str:
    return f"{n}{UNIT_WORDS[unit]}"


def _amount(value: object) -> str:
    if isinstance(value, Expr):
        return "按收费依据计算"
    return f"{value}元"


def _resource(where: str) -> str:
    """A template or sample as an applicant reads it: a link, or the window (a file of
    the catalog is handed out there; its name is the catalog's, not the applicant's)."""
    if where.lower().startswith(("http://", "https://")):
        return where
    return "窗口领取"


def guide_document(catalog: Catalog, matter: Matter, *,
                   issued_on: dt.date | None = None) -> Document:
    """The 办事指南 of ``matter`` as a printable document."""
    office = Office(catalog, matter)
    guide = matter.guide
    limit = matter.time_limit
    page = Page(title=f"{matter.name.zh}办事指南", title_en="Service Guide",
                centre=office.centre, issuer=office.issuer, number=matter.code,
                issued_on=issued_on or dt.date.today(), number_label="事项编码",
                signer="none", contacts=office.contacts())
    meta = page.meta
    meta += [("事项名称", matter.name.zh), ("事项类型", KIND_NAMES.get(matter.kind, matter.kind)),
             ("实施主体", office.issuer), ("受理窗口", office.centre)]
    if matter.basis:
        meta.append(("设定依据", "；".join(matter.basis)))
    if guide and guide.service_objects:
        meta.append(("服务对象", "、".join(_OBJECTS[o] for o in guide.service_objects)))
    meta.append(("办件类型", "即办件" if limit.committed_days == 0 else "承诺件"))
    meta.append(("法定办结时限", _days(limit.statutory_days, limit.unit)))
    meta.append(("承诺办结时限", "当场办结" if limit.committed_days == 0
                 else _days(limit.committed_days, limit.unit)))
    if limit.extension:
        who = limit.extension.approver.zh if limit.extension.approver else "本机关负责人"
        meta.append(("延期", f"经{who}批准，可延长{_days(limit.extension.days, limit.unit)}"))
    if matter.special_procedures:
        meta.append(("特别程序", "；".join(
            p.name.zh + (f"（不超过{_days(p.max_days, p.unit)}，不计入办理时限）"
                         if p.max_days else "（不计入办理时限）")
            for p in matter.special_procedures)))
    meta.append(("办理渠道", "、".join(_CHANNELS[c] for c in matter.channels)))
    meta.append(("到办事现场次数", f"{matter.max_visits}次"))
    if matter.result:
        meta.append(("办理结果", matter.result.zh))
    if guide:
        for label, value in (
                ("结果有效期", guide.result_validity.zh if guide.result_validity else None),
                ("结果送达", "、".join(_DELIVERY[d] for d in guide.delivery) or None),
                ("通办范围", _SCOPE.get(guide.scope or "")),
                ("网办深度", _DEPTH.get(guide.online_depth or 0)),
                ("预约办理", None if guide.appointment is None
                 else ("可预约" if guide.appointment else "无需预约")),
                ("中介服务", "、".join(i.zh for i in guide.intermediary) or None),
                ("办理时间", guide.hours.zh if guide.hours else None)):
            if value:
                meta.append((label, value))
    if guide and guide.conditions:
        page.body.append(f"受理条件：{guide.conditions.zh}")
    rows = []
    for m in matter.materials:
        need = "必要" if m.required is True else ("视情形提交" if m.required is not False
                                                  else "非必要")
        extra = [need]
        if m.tolerable:
            extra.append("可容缺受理" + (f"，受理后{m.tolerable_days}个工作日内补交"
                                      if m.tolerable_days else ""))
        if m.commitment:
            extra.append("可告知承诺替代")
        notes = "；".join(x for x in (
            m.standard.zh if m.standard else "", m.notes.zh if m.notes else "",
            f"空白表格：{_resource(m.template)}" if m.template else "",
            f"示例样表：{_resource(m.sample)}" if m.sample else "",
            f"依据：{m.basis.zh}" if m.basis else "") if x)
        rows.append((m.name.zh, form_text(m), _SOURCE[m.source], "；".join(extra), notes))
    if rows:
        page.tables.append(Table(("材料名称", "形式及份数", "来源", "要求", "说明"), rows,
                                 heading="申请材料"))
    if guide and guide.process:
        page.tables.append(Table(("办理流程",), [(p.zh,) for p in guide.process],
                                 heading="办理流程"))
    fees = matter.fees
    if fees:
        page.tables.append(Table(
            ("收费项目", "标准", "收费依据"),
            [(f.name.zh, _amount(f.amount), f.basis.zh if f.basis else "") for f in fees],
            heading="收费标准"))
    else:
        page.body.append("收费标准：" + ("不收费" if not isinstance(matter.fee, Expr)
                                       and not matter.fee else _amount(matter.fee)))
    if guide and guide.notes:
        page.after.append(f"其他说明：{guide.notes.zh}")
    page.after.append("救济途径：" + office.remedies.general())
    return render("guide", [page])
