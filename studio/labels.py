"""Every label the studio's pages show: names of states, outcomes, kinds and types,
table column headers, and the sentences that say why a material is required.

The engine returns codes and data (``Case.state``, ``PrecheckResult.outcome``,
``ChecklistItem.condition`` and ``values``); this module turns them into what a
clerk, officer, supervisor or editor reads. Pure functions: no Streamlit, so the
tests call them directly.

What they return is text, not Markdown: ``why_text``, ``why``, ``error_text``,
``refusal_text`` and ``procedure_text`` hold words of a definition or of an engine message
(which can quote one). The page escapes them with ``formkit_studio.safe_text.plain``
where Streamlit reads Markdown (alerts, captions, labels), once, and passes them as they
are where it shows strings as they are (selectbox options, table cells): escaped here,
they would show a backslash there, or a doubled one on a page that escapes as well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from formkit.authoring.access import Refusal
from formkit.authoring.diff import Change
from formkit.cases.monitor import Flag
from formkit.cases.service import ACTION_NAMES, STATE_NAMES, Case, Procedure
from formkit.catalog import OpenCatalog
from formkit.definitions.bundlecheck import field_at
from formkit.definitions.model import Bundle, Expr, Matter
from formkit.desk.checklist import ChecklistItem
from formkit.desk.wording import because_text, field_words
from formkit.errors import FormkitError
from formkit.ruleset import RuleSet

__all__ = [
    "ACTIONS",
    "CHANNELS",
    "DECISION_WORDINGS",
    "DELIVERY",
    "DOCUMENT_NAMES",
    "FIELD_TYPES",
    "FLAGS",
    "FOLLOWUPS",
    "FORMS",
    "HELD",
    "KINDS",
    "MATERIAL_SOURCES",
    "ONLINE_DEPTHS",
    "OUTCOMES",
    "SCOPES",
    "SERVICE_OBJECTS",
    "STATES",
    "UNITS",
    "WORKLISTS",
    "bundle_material_rows",
    "bundle_member_rows",
    "bundle_shared_rows",
    "bundle_when_text",
    "catalog_rows",
    "change_rows",
    "error_text",
    "field_text",
    "flag_text",
    "pdf_error_text",
    "procedure_text",
    "reason_text",
    "refusal_text",
    "rule_text",
    "why",
    "why_text",
]

# Bilingual names of the case states, the pre-check outcomes and the material forms.
STATES: dict[str, tuple[str, str]] = STATE_NAMES
ACTIONS: dict[str, str] = ACTION_NAMES  # the Chinese names of the case actions
UNITS: dict[str, str] = {"working_days": "工作日", "calendar_days": "自然日"}
OUTCOMES: dict[str, tuple[str, str]] = {
    "accept": ("受理", "Accept"),
    "accept_with_tolerance": ("容缺受理", "Accept, materials to follow"),
    "incomplete": ("一次性告知补正", "Incomplete: one-time notice"),
    "refuse": ("不予受理", "Refuse"),
}
FORMS: dict[str, tuple[str, str]] = {
    "original": ("原件", "Original"),
    "copy": ("复印件", "Copy"),
    "original_and_copy": ("原件及复印件", "Original and copy"),
}
KINDS: dict[str, str] = {
    "administrative_licensing": "行政许可 Licensing (01)",
    "administrative_punishment": "行政处罚 Punishment (02)",
    "administrative_enforcement": "行政强制 Enforcement (03)",
    "administrative_levy": "行政征收 Levy (04)",
    "administrative_payment": "行政给付 Payment (05)",
    "administrative_inspection": "行政检查 Inspection (06)",
    "administrative_confirmation": "行政确认 Confirmation (07)",
    "administrative_reward": "行政奖励 Reward (08)",
    "administrative_ruling": "行政裁决 Ruling (09)",
    "other_administrative": "其他行政权力 Other (10)",
    "public_service": "公共服务 Public service (20)",
}
FIELD_TYPES: dict[str, str] = {
    "text": "文本 text", "textarea": "多行文本 textarea", "number": "数字 number",
    "integer": "整数 integer", "money": "金额 money", "boolean": "是/否 boolean",
    "date": "日期 date", "choice": "单选 choice", "multichoice": "多选 multichoice",
    "id_number": "身份证号 id_number", "uscc": "统一社会信用代码 uscc",
    "mobile": "手机号 mobile", "email": "邮箱 email", "group": "分组 group",
    "repeat": "表格（多行）repeat",
}
CHANNELS: dict[str, str] = {"window": "窗口 Window", "online": "网上 Online",
                            "self_service": "自助 Self-service", "mail": "邮寄 Mail"}
# The 办事指南's choices (matter-format v2), as the editor offers them.
SERVICE_OBJECTS: dict[str, str] = {"natural_person": "自然人 Natural person",
                                   "legal_person": "法人 Legal person",
                                   "other_organisation": "其他组织 Other organisation"}
DELIVERY: dict[str, str] = {"window": "窗口领取 Window", "post": "邮寄送达 Post",
                            "electronic": "电子送达 Online"}
SCOPES: dict[str, str] = {"county": "本县通办 Within the county",
                          "city": "本市通办 Within the city",
                          "province": "全省通办 Within the province",
                          "national": "全国通办 Nationwide"}
ONLINE_DEPTHS: dict[int, str] = {
    1: "一级：网上公开办事指南，窗口办理 Guide online",
    2: "二级：网上预审 Pre-checked online",
    3: "三级：网上受理，最多跑一次 Accepted online, one visit at most",
    4: "四级：全程网办，零跑动 Wholly online, no visit",
}
MATERIAL_SOURCES: dict[str, str] = {"applicant": "申请人自备 The applicant",
                                    "government": "政府部门核发 A government department",
                                    "intermediary": "中介机构出具 An intermediary",
                                    "other": "其他 Other"}
DECISION_WORDINGS: dict[str, str] = {
    "licence": "准予/不予行政许可 Licence",
    "registration": "准予/不予登记 Registration",
    "approval": "批准/不予批准 Approval",
    "handling": "办理/不予办理 Handling",
}
DOCUMENT_NAMES: dict[str, str] = {
    "acceptance": "受理通知书 Acceptance",
    "supplement": "一次性告知（补正）通知书 Supplement",
    "refusal": "不予受理通知书 Refusal",
    "tolerance": "容缺受理通知书 Tolerance",
    "commitment": "告知承诺书 Commitment",
    "decision": "决定书 Decision",
    "extension": "延期通知书 Extension",
    "special_procedure": "特别程序告知书 Special procedure",
}


# The monitor's lists (``formkit.cases.monitor.Flag.kind``), as the supervisor reads them.
FLAGS: dict[str, tuple[str, str]] = {
    "due_soon": ("即将到期", "Due soon"),
    "yellow": ("黄牌（超过承诺时限）", "Yellow card: past the committed deadline"),
    "red": ("红牌（督办期满仍未办结）", "Red card: still open after the reminder period"),
    "notice_risk": ("5日告知即将到期", "One-time notice due within 5 working days"),
    "notice_overdue": ("逾期未告知（视为受理）", "No notice within 5 working days: accepted"),
    "step_overdue": ("环节超时", "Step overdue"),
    "tolerated_overdue": ("容缺材料逾期未补交", "Tolerated material overdue"),
    "statutory_overdue": ("超过法定时限", "Past the statutory deadline"),
    "supplement_expired": ("补正期满未补正", "Supplement period over"),
}


def flag_text(flag: Flag, matter: Matter | None = None) -> str:
    """A monitor flag's detail as the supervisor reads it, a material named by its name
    (``容缺材料“经营场所租赁合同”逾期未补交``), never by its id; the list's name when
    the engine said nothing more."""
    detail = flag.detail
    if matter is not None:
        for m in matter.materials:
            detail = detail.replace(f" {m.id} ", f"“{m.name.zh}”")
    detail = re.sub(r" ?\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b ?", "", detail)  # any id left
    return detail.strip() or FLAGS.get(flag.kind, ("", ""))[0]


# A case's follow-ups (``formkit.cases.service.Followup.kind``).
FOLLOWUPS: dict[str, tuple[str, str]] = {
    "order": ("督办", "Follow-up order"),
    "rating": ("差评整改", "Putting a poor rating right"),
}

# The back office's worklists (``formkit.cases.queues.Worklist``) and why a move is held
# (``Offer.held``), as the officer reads them.
WORKLISTS: dict[str, tuple[str, str]] = {
    "review": ("待审查", "Review"),
    "decide": ("待决定", "Decide"),
    "issue": ("待发证/送达", "Issue"),
    "follow_up": ("待跟进", "Follow up"),
    "suspended": ("已中止", "Stopped"),
    "window": ("窗口环节", "Window"),
}
HELD: dict[str, tuple[str, str]] = {
    "tolerated-outstanding": ("尚有容缺材料未补交，补交后才能办理",
                              "waits for the tolerated material"),
    "extension-late": ("法定期限已过，不能再延期，请尽快作出决定",
                       "past the statutory limit: no extension"),
    "steps-left": ("各审查环节签批后作出决定", "decided once every step is signed"),
}


# ---- why a material is required


def why_text(item: ChecklistItem) -> str:
    """Why the material is (or is not) required now, for the clerk to read out: in
    labels and option labels (``因为经营场所使用情况为自有产权``), never rule text or ids."""
    if not item.required:
        if item.condition == "false" or not item.because:
            return "本次无需提交"
        return f"本次无需提交（{item.because}时才需提交）"
    if item.condition == "true" or not item.because:
        reason = "所有申请均需提交"
    else:
        reason = f"因为{item.because}"
    if item.fetched:
        reason += "；由窗口通过数据共享调取"
    elif item.tolerable:
        reason += "；可容缺，受理后补交"
    return reason


def rule_text(item: ChecklistItem) -> str:
    """The requirement as the definition writes it, for editors only (the preview):
    ``premises == "rented"（premises = "rented"）``."""
    return item.condition + _decided_by(item.values)


def field_text(matter: Matter, path: str) -> str:
    """A field by its row-indexed path in plain words: ``经营者的手机号码``,
    ``从业人员第1行的健康证明编号`` (``field_title`` joins the labels with ``·``)."""
    return field_words(matter, path)


def reason_text(matter: Matter, condition: str | None, values: Mapping[str, Any] | None,
                rules: RuleSet | None = None) -> str:
    """Why a check fired or a route step applies, in plain words (``因为经营面积为1200平方米``);
    "" for none. What ``why`` says in rule text, for clerks, officers and supervisors."""
    if condition is None or condition == "false":
        return ""
    if condition == "true":
        return "所有申请均适用"
    return "因为" + because_text(matter, condition, values, rules)


def why(condition: str | None, values: Mapping[str, Any] | None) -> str:
    """A condition with the values that decided it, as ``why_text`` writes them:
    ``因为 because premises == "rented"（premises = "rented"）``."""
    if condition is None:
        return ""
    if condition in ("true", "false"):
        return "始终 always" if condition == "true" else "从不 never"
    return f"因为 because {condition}" + _decided_by(values or {})


def _decided_by(values: Mapping[str, Any]) -> str:
    shown = "，".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items())
    return f"（{shown}）" if shown else ""


# ---- bundles (高效办成一件事)


def bundle_when_text(bundle: Bundle, when: bool | Expr) -> str:
    """When a member matter of a bundle applies, in the shared questions' words:
    ``“是否兼营住宿……”为“是”时办理``; never an id where a label says it."""
    if when is True:
        return "始终办理"
    if when is False:
        return "不办理"
    text = when.text.strip()
    labels = {q.id: (q.label.zh if q.label else q.id) for q in bundle.shared}
    negated = re.fullmatch(r"not\s+([A-Za-z_][A-Za-z0-9_]*)", text)
    if text in labels:
        return f"“{labels[text]}”为“是”时办理"
    if negated and negated.group(1) in labels:
        return f"“{labels[negated.group(1)]}”为“否”时办理"
    words = re.sub(r"[A-Za-z_][A-Za-z0-9_]*",
                   lambda m: f"“{labels[m.group(0)]}”" if m.group(0) in labels
                   else m.group(0), text)
    return f"{words} 时办理"


def _member_name(opened: OpenCatalog, code: str) -> str:
    matter = opened.matters.get(code)
    return matter.name.zh if matter else f"（目录中没有的事项 {code}）"


def bundle_member_rows(opened: OpenCatalog, bundle: Bundle) -> list[dict[str, str]]:
    """A bundle's member matters: name, code, department, when it applies."""
    cat = opened.catalog
    rows = []
    for member in bundle.matters:
        matter = opened.matters.get(member.code)
        dept = matter.department if matter else ""
        rows.append({"事项名称 Matter": _member_name(opened, member.code),
                     "编码 Code": member.code,
                     "部门 Department": (cat.department_full_name(dept) if cat else dept)
                     or "—",
                     "何时办理 Applies": bundle_when_text(bundle, member.when)})
    return rows


def _fixed_text(opened: OpenCatalog, to: Mapping[str, str], value: Any) -> str:
    """A fixed answer by its option's label in a target matter (``餐饮服务``)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    for code, path in to.items():
        matter = opened.matters.get(code)
        target = field_at(matter, path) if matter else None
        for option in (target.options or []) if target else []:
            if option.value == str(value):
                return option.label.zh
    return str(value)


def bundle_shared_rows(opened: OpenCatalog, bundle: Bundle) -> list[dict[str, str]]:
    """A bundle's shared questions, asked once: the question, how it is answered, and
    the field of each matter it fills, all in labels."""
    rows = []
    for q in bundle.shared:
        targets = []
        for code, path in q.to.items():
            matter = opened.matters.get(code)
            where = field_text(matter, path) if matter and field_at(matter, path) else path
            targets.append(f"{_member_name(opened, code)}：{where}")
        if q.label is not None:
            question = q.label.zh
        else:
            first = next(((opened.matters[c], p) for c, p in q.to.items()
                          if c in opened.matters), None)
            question = field_text(*first) if first else q.id
        if q.value is not None:
            how = f"固定为“{_fixed_text(opened, q.to, q.value)}”，不必询问"
        elif q.type is not None:
            how = FIELD_TYPES.get(q.type.value, q.type.value).split(" ")[0]
        else:
            how = "按各事项的表单填写"
        rows.append({"问题 Question": question,
                     "填写 Answer": how + ("（必填）" if q.required else ""),
                     "填入事项 Fills": "；".join(targets) or "仅用于判断办理哪些事项"})
    return rows


def bundle_material_rows(opened: OpenCatalog, bundle: Bundle) -> list[dict[str, str]]:
    """A bundle's materials handed in once for several matters, by their names."""
    rows = []
    for m in bundle.materials_once:
        used = []
        for code, mat_id in m.to.items():
            matter = opened.matters.get(code)
            mat = next((x for x in matter.materials if x.id == mat_id), None) \
                if matter else None
            used.append(f"{_member_name(opened, code)}：{mat.name.zh if mat else mat_id}")
        first = used[0].split("：", 1)[1] if used else m.id
        rows.append({"材料 Material": m.name.zh if m.name else first,
                     "用于 Used for": "；".join(used)})
    return rows


# ---- tables

_UNITS = UNITS


def catalog_rows(opened: OpenCatalog) -> list[dict[str, str]]:
    """One row per matter: department, code, name, kind, time limits."""
    names = {d.id: d.name.zh for d in opened.catalog.departments} if opened.catalog else {}
    rows = []
    for matter in sorted(opened.matters.values(), key=lambda m: (m.department, m.code)):
        limit = matter.time_limit
        unit = _UNITS[limit.unit]
        rows.append({
            "部门 Department": names.get(matter.department, matter.department),
            "编码 Code": matter.code,
            "事项名称 Matter": matter.name.zh,
            "Name (en)": matter.name.en or "",
            "法定时限 Statutory": "当场" if limit.statutory_days == 0
            else f"{limit.statutory_days} {unit}",
            "承诺时限 Committed": "即办" if limit.committed_days == 0
            else f"{limit.committed_days} {unit}",
            "类型 Kind": KINDS.get(matter.kind.value, ""),
        })
    return rows


_SECTIONS = {"basic": "基本信息 Basic", "time_limit": "时限 Time limit",
             "field": "字段 Field", "material": "材料 Material", "check": "检查 Check",
             "route": "流程 Route", "let": "计算值 Let"}
_WHAT = {"added": "新增 added", "removed": "删除 removed", "changed": "修改 changed"}


def change_rows(changes: Iterable[Change]) -> list[dict[str, str]]:
    """A diff as table rows with Chinese and English headings."""
    return [{"部分 Section": _SECTIONS.get(c.section, c.section), "项目 Item": c.item,
             "变化 Change": _WHAT.get(c.what, c.what), "属性 Attribute": c.attr,
             "原来 Before": c.before, "现在 After": c.after} for c in changes]


# ---- refusals


def refusal_text(refusal: Refusal, opened: OpenCatalog | None = None) -> str:
    """What an editor reads when a step is refused; departments by name when the
    catalog is given."""
    if refusal.code == "bad-code":
        return "编码只能由字母、数字和 - _ . 组成 (code: letters, digits, - _ . only)"
    if refusal.code == "code-taken":
        return f"编码 {refusal.subject} 已被使用 (the code is taken)"
    if refusal.code == "name-required":
        return "请填写中文名称 (the Chinese name is required)"
    names = {d.id: d.name.zh for d in opened.catalog.departments} \
        if opened is not None and opened.catalog is not None else {}
    own = names.get(refusal.own, refusal.own) or "—"
    return (f"您只能编辑本部门（{own}）的事项，此事项属于 "
            f"{names.get(refusal.subject, refusal.subject)} "
            f"(you can edit only your own department's matters)")


# ---- the case clock and the engine's refusals


def procedure_text(procedure: Procedure) -> str:
    """A special procedure as the officer reads it: its name and its maximum, if any
    (``公示（最长 7 个自然日）``, ``检测``); never its id."""
    if procedure.max_days:
        return f"{procedure.name}（最长 {procedure.max_days} 个{UNITS.get(procedure.unit, '日')}）"
    return procedure.name


def _has_chinese(text: str | None) -> bool:
    return bool(text) and any("\u4e00" <= ch <= "\u9fff" for ch in text or "")


def _chinese_part(text: str, sep: str) -> str:
    """The Chinese sentence an engine message starts with (before ``sep`` and the
    English)."""
    return text.split(sep, 1)[0].strip() if _has_chinese(text[:1]) else ""


def error_text(exc: FormkitError, case: Case | None = None) -> str:
    """What a clerk or officer reads when the engine refuses an action: in Chinese,
    without ids, rule text or the English of the message."""
    code = exc.code
    if code == "no-reason":
        hint = _chinese_part(exc.hint or "", " (")
        return hint or "请填写理由"
    ext_days = case.extension_days if case is not None else 0
    fixed = {
        "no-extension": "本事项的办理时限不能延期，请在时限内作出决定",
        "extension-used": "本案件已经延期一次，依法只能延期一次",
        "extension-too-long": f"延期天数应为 1 至 {ext_days} 个工作日" if ext_days
        else "延期天数超出本事项允许的范围",
        "extension-late": "法定办理期限已过，不能再延期，请尽快作出决定",
        "deny-ground": "受理时发现不予许可情形，不能准予许可；请以该情形为理由作出不予许可决定",
        "bad-reason": "所选特别程序不适用于本事项",
        "tolerated-outstanding": "尚有容缺材料未补交，补交前不能准予许可或送达；"
        "申请人不再补交的，可以终止案件",
        "not-complete": "预检认为申请不齐全或应不予受理，不能受理",
        "unknown-case": "找不到该案件",
        "other-department": "该案件不属于本部门，无权查看；本次查看已记录",
    }
    if code in fixed:
        return fixed[code]
    said = _chinese_part(exc.message, ": ")
    if said:
        hint = _chinese_part(exc.hint or "", " (")
        return said + (f"；{hint}" if hint else "")
    if exc.kind == "io":
        return "案件库暂时无法读写，请稍后重试；仍不行请联系管理员"
    return "此操作现在不能进行（案件可能刚被他人办理），请重新打开案件后再试"


def pdf_error_text(exc: FormkitError) -> str:
    """Why there is no PDF, as a clerk reads it: the Chinese sentence of the message
    (``无法生成 PDF：未找到浏览器引擎 chromium``) and what to do instead."""
    said = exc.message.split(" (", 1)[0].strip() if _has_chinese(exc.message[:1]) else ""
    return (said or "暂时无法生成 PDF") + "；请下载 HTML 文件，用浏览器打开后打印或另存为 PDF"
