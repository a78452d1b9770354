"""The window's intake of a bundle (高效办成一件事): one form, one checklist, one pre-check.

The shared questions are asked once, on top; then one section per member matter that
applies to those answers (``formkit.intake.bundles.applying``), each the member's own
form with the fields the shared questions answer left out (``BundleRules.targets``).
One materials checklist: a ``materials_once`` material once, naming the matters it is
for, then each member's own materials under its name. One pre-check
(``run_bundle_precheck``), every problem once, naming the matters it concerns by their
Chinese names; the combined notice (``formkit.documents.bundle_notices``); 受理 makes
one linked case per member (``receive_bundle``).

Widget keys: the shared questions and the once materials under ``bundle:<code>``, a
member's fields and materials under ``bundle:<code>|<member code>`` (the form_widgets
key scheme), so no two members' keys clash and ``clear_scope`` forgets them all.
Every text of a definition or an answer goes through ``plain`` where Markdown is read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st
from formkit_studio.common import case_documents, current_user, with_print_button
from formkit_studio.form_widgets import (
    checklist_widgets,
    clear_scope,
    draw_state,
    form_answers,
    handed_in,
)
from formkit_studio.labels import FORMS, OUTCOMES, STATES, error_text, field_text
from formkit_studio.safe_text import plain

from formkit.cases.bundles import receive_bundle
from formkit.cases.service import Case, CaseService
from formkit.catalog import OpenCatalog
from formkit.definitions.model import Bundle
from formkit.desk.checklist import ChecklistItem, material_checklist, unit_names
from formkit.documents.bundle_notices import BundleNoticeInfo, bundle_document
from formkit.dsl.compiler import EvalContext
from formkit.errors import FormkitError
from formkit.intake.bundles import (
    BundlePrecheckResult,
    applying,
    bundle_form,
    member_submission,
)
from formkit.intake.bundles import (
    run_bundle_precheck as _run_bundle_precheck,
)
from formkit.intake.forms import FormState, applicant_of, form_state, stored_answers
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.ruleset import BundleRules

__all__ = ["bundle_intake"]

# the window's workbench heights (px), as a single matter's
FORM_HEIGHT = 720
OUTCOME_HEIGHT = 300
CHECKLIST_HEIGHT = 420

_BOX = {"accept": st.success, "accept_with_tolerance": st.success,
        "incomplete": st.warning, "refuse": st.error}
# how bad a status of a material is, for a material handed in once for several matters
_WORST = ["not_required", "handed_in", "fetched", "tolerated", "missing"]


def _d(day: dt.date | None) -> str:
    return "—" if day is None else f"{day.year}年{day.month}月{day.day}日（{day.isoformat()}）"


def _safe(key: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in key)


def _department_names(opened: OpenCatalog) -> dict[str, str]:
    return {d.id: d.name.zh for d in opened.catalog.departments} if opened.catalog else {}


class _Intake:
    """What the session holds for a bundle now: the answers, the members that apply,
    their form states, the materials handed in, and the pre-check."""

    def __init__(self, rules: BundleRules, scope: str, today: dt.date, calendar: Any) -> None:
        self.rules, self.scope = rules, scope
        ctx = EvalContext(today, calendar)
        self.shared_answers = form_answers(rules.shared.matter, scope)
        self.shared_state, env = bundle_form(rules, self.shared_answers, ctx=ctx)
        shared_values = stored_answers(self.shared_state)
        self.members = applying(rules, env, ctx)
        self.own = {code: form_answers(rules.members[code].matter, self.member_scope(code))
                    for code in self.members}
        self.states: dict[str, FormState] = {}
        for code in self.members:
            full = member_submission(rules, code, self.own, shared_values)
            self.states[code], _ = form_state(rules.members[code], full, ctx=ctx)
        self.submission = {"fields": {**self.shared_answers, **self.own},
                           "materials": self._handed()}
        self.result = _run_bundle_precheck(rules, self.submission, today=today,
                                           calendar=calendar)
        # each member's own pre-check with its reasons, for the checklist
        self.explained: dict[str, PrecheckResult] = {
            code: run_precheck(rules.members[code], sub, today=today, calendar=calendar,
                               explain=True)
            for code, sub in self.result.submissions.items()}

    def member_scope(self, code: str) -> str:
        return f"{self.scope}|{code}"

    def name(self, code: str) -> str:
        member = self.rules.members.get(code)
        return member.matter.name.zh if member else code

    def names(self, codes: list[str]) -> str:
        return "、".join(self.name(c) for c in codes)

    def once_targets(self, code: str) -> set[str]:
        """The member's materials handed in once for the bundle."""
        return {o.to[code] for o in self.rules.bundle.materials_once if code in o.to}

    def _handed(self) -> list[dict[str, Any]]:
        """The materials the clerk ticked, as the bundle submission names them."""
        out: list[dict[str, Any]] = []
        for once in self.rules.bundle.materials_once:
            targets = [(c, mid) for c, mid in once.to.items() if c in self.members]
            if not targets:
                continue
            code, mid = targets[0]
            material = next((m for m in self.rules.members[code].matter.materials
                             if m.id == mid), None)
            base = f"{self.scope}|mat|{once.id}"
            if material is None or material.source == "government" \
                    or not st.session_state.get(f"{base}|in"):
                continue
            form = st.session_state.get(f"{base}|form", material.form)
            copies = st.session_state.get(f"{base}|copies", material.copies)
            out.append({"id": once.id, "form": form if form in FORMS else material.form,
                        "copies": int(copies) if copies is not None else material.copies,
                        "original_sighted": bool(st.session_state.get(f"{base}|sighted"))})
        for code in self.members:
            once = self.once_targets(code)
            for h in handed_in(self.rules.members[code].matter, self.member_scope(code)):
                if h.id not in once:
                    out.append({**h.model_dump(exclude_none=True), "matter": code})
        return out

    def applicant(self) -> str:
        for code, sub in self.result.submissions.items():
            name = applicant_of(self.rules.members[code].matter, sub["fields"])
            if name:
                return name
        return ""

    def shared_shown(self) -> FormState:
        """The shared questions' state as the members make them: required where an
        applying member requires the field it fills, with that field's errors."""
        fields = []
        for fs in self.shared_state.fields:
            required, errors = fs.required, list(fs.errors)
            for code in self.members:
                by_path = {x.path: x for x in self.states[code].fields}
                for path, qid in self.rules.targets.get(code, {}).items():
                    target = by_path.get(path)
                    if qid != fs.id or target is None or not target.visible:
                        continue
                    required = required or target.required
                    errors += [e for e in target.errors if e not in errors]
            fields.append(fs.model_copy(update={"required": required, "errors": errors}))
        return self.shared_state.model_copy(update={"fields": fields})


# ---------------------------------------------------------------- the form


def _form(opened: OpenCatalog, intake: _Intake, show_required: bool) -> None:
    rules = intake.rules
    depts = _department_names(opened)
    st.markdown("##### 共同信息（各事项共用，只填一次）Shared answers, asked once")
    with st.container(border=True, key=f"bundle-shared-{_safe(intake.scope)}"):
        draw_state(rules.shared.matter.form, intake.shared_shown(), intake.scope,
                   show_required=show_required)
    for i, code in enumerate(intake.members, 1):
        member = rules.members[code]
        matter = member.matter
        limit = matter.time_limit
        unit = "工作日" if limit.unit == "working_days" else "自然日"
        committed = "即办" if limit.committed_days == 0 else f"{limit.committed_days} {unit}"
        st.markdown(f"##### {i}. {plain(matter.name.zh)}")
        st.caption(f"承办 {plain(depts.get(matter.department, matter.department))} · "
                   f"承诺 {committed} · 已在共同信息中填写的不再重复填写")
        with st.container(border=True, key=f"bundle-member-{_safe(code)}"):
            draw_state(matter.form, intake.states[code], intake.member_scope(code),
                       show_required=show_required, skip=rules.targets.get(code, {}).keys())
    left_out = intake.result.not_applying
    if left_out:
        st.caption("按以上回答，本次不需办理 Not needed for these answers："
                   + plain(intake.names(left_out)))


# ---------------------------------------------------------------- the checklist


def _once_items(intake: _Intake) -> tuple[list[ChecklistItem], dict[str, str]]:
    """The materials handed in once, each as one checklist item (the worst status of
    the matters it is for), and by id the matters that need it now."""
    items: list[ChecklistItem] = []
    serves: dict[str, str] = {}
    lists = {code: {i.id: i for i in material_checklist(
        intake.rules.members[code].matter, got, intake.rules.members[code])}
        for code, got in intake.explained.items()}
    for once in intake.rules.bundle.materials_once:
        found = [(code, lists[code][mid]) for code, mid in once.to.items()
                 if code in lists and mid in lists[code]]
        needed = [(code, item) for code, item in found if item.required]
        if not needed:
            continue
        worst = max((item for _, item in needed), key=lambda i: _WORST.index(i.status))
        name = once.name.zh if once.name else worst.name
        items.append(worst.model_copy(update={
            "id": once.id, "name": name,
            "name_en": (once.name.en or "") if once.name else worst.name_en}))
        serves[once.id] = intake.names([code for code, _ in needed])
    return items, serves


def _checklist(intake: _Intake) -> None:
    once, serves = _once_items(intake)
    number = 1
    if once:
        st.markdown("**一次提交的材料 Handed in once for several matters**")
        number = checklist_widgets(once, intake.scope, start=number, serves=serves)
    for code, got in intake.explained.items():
        member = intake.rules.members[code]
        targets = intake.once_targets(code)
        items = [i for i in material_checklist(member.matter, got, member)
                 if i.id not in targets]
        st.markdown(f"**{plain(member.matter.name.zh)}**")
        if not any(i.required for i in items):
            st.caption("无需另交材料 Nothing more for this matter")
        number = checklist_widgets(items, intake.member_scope(code), start=number)


# ---------------------------------------------------------------- the outcome


def _field_name(rules: BundleRules, field: str) -> str:
    """A bundle field error's field in words: a shared question's label, or a member's
    field as its form names it."""
    code, _, path = field.partition(".")
    if code in rules.members and path:
        return field_text(rules.members[code].matter, path)
    return field_text(rules.shared.matter, field)


def outcome_panel(opened: OpenCatalog, rules: BundleRules,
                  result: BundlePrecheckResult) -> None:
    """The bundle's pre-check: the most severe outcome, each matter's, and every
    problem once with the matters it concerns."""
    def names(codes: list[str]) -> str:
        return "、".join(plain(rules.members[c].matter.name.zh) if c in rules.members
                        else "—" for c in codes)

    zh, en = OUTCOMES[result.outcome]
    _BOX[result.outcome](f"预检结果 Pre-check outcome：**{zh}** {en}")
    problems = [f"不予受理 Refusal（{names([f.matter])}）：{plain(f.message)}"
                for f in result.refusals]
    problems += [f"缺少材料 Missing material：{plain(m.name)}（{plain(m.reason or '未提交')}）"
                 f"——涉及 {names(m.matters)}" for m in result.missing_materials]
    problems += [f"申请表 Form：{plain(_field_name(rules, e.field))}：{plain(e.message)}"
                 + (f"——涉及 {names(e.matters)}" if e.matters else "")
                 for e in result.field_errors]
    if problems:
        st.markdown(f"**共 {len(problems)} 项问题 {len(problems)} problem(s)：**\n\n"
                    + "\n".join(f"{i}. {p}" for i, p in enumerate(problems, 1)))
    st.caption("各事项 Each matter：" + "；".join(
        f"{plain(m.name)} {OUTCOMES[m.outcome][0]}" for m in result.matters))
    if result.denials:
        st.warning("**存在不予许可情形（受理后由审批部门决定）** Grounds for denial, decided by "
                   "the department after acceptance：\n\n"
                   + "\n".join(f"- {names([f.matter])}：{plain(f.message)}"
                               for f in result.denials), icon="⚖️")
    for m in result.tolerated_materials:
        st.info(f"容缺 To follow：{plain(m.name)}（受理后补交）——涉及 {names(m.matters)}")
    for w in result.warnings:
        st.warning(f"提示 Warning（{names([w.matter])}）：{plain(w.message)}")
    facts = []
    if result.fetched_materials:
        facts.append("窗口调取 Fetched：" + "、".join(
            f"{plain(m.name)}（{names(m.matters)}）" for m in result.fetched_materials))
    if result.committed_deadline:
        facts.append("承诺办结 Committed deadline（最后办结的事项）："
                     f"{_d(result.committed_deadline)}")
    if result.fee:
        facts.append(f"收费 Fee：{result.fee} 元")
    if result.calendar_provisional:
        facts.append("⚠ 期限依据未公布的节假日安排，仅供参考")
    for fact in facts:
        st.caption(fact)
    units = unit_names(opened.catalog) if opened.catalog else {}
    routes = [f"{plain(m.name)}：" + " → ".join(" + ".join(plain(units.get(u, u)) for u in s)
                                              for s in m.route)
              for m in result.matters if m.route]
    if routes:
        st.caption("审批路线 Routes（各部门并联办理）：" + "；".join(routes))


def _notice(opened: OpenCatalog, rules: BundleRules, result: BundlePrecheckResult, *,
            applicant: str, number: str, case_numbers: dict[str, str], key: str,
            calendar: Any) -> None:
    """The combined notice (一次性告知书 or 受理通知书) to print, download or read."""
    if opened.catalog is None:
        return
    user = current_user()
    info = BundleNoticeInfo(applicant=applicant or "—", bundle_number=number,
                            case_numbers=case_numbers, clerk=user.name.zh if user else "")
    matters = {code: rules.members[code].matter for code in result.results}
    try:
        doc = bundle_document(opened.catalog, rules.bundle, matters, result, info,
                              calendar=calendar)
    except FormkitError as exc:
        st.error(f"通知书生成失败 Could not make the notice：{plain(error_text(exc))}")
        return
    with st.container(key=f"bundle-notice-{_safe(key)}"):
        st.subheader(f"{plain(doc.title)} {plain(doc.title_en)}", anchor=False)
        st.download_button("下载通知书 Download notice (HTML)", data=doc.html.encode("utf-8"),
                           file_name=doc.filename("html"), mime="text/html",
                           key=f"{key}|download")
        st.iframe(with_print_button(doc.html), height=640)
        with st.expander("文本版 Text version"):
            st.code(doc.text, language=None)


# ---------------------------------------------------------------- after 受理


def _cases(opened: OpenCatalog, svc: CaseService, numbers: list[str]) -> list[Case]:
    return [svc.get(n) for n in numbers]


def _intake_done(opened: OpenCatalog, svc: CaseService, rules: BundleRules,
                 scope: str) -> None:
    done: dict[str, Any] = st.session_state[f"{scope}|intake"]
    cases = _cases(opened, svc, done["cases"])
    result: BundlePrecheckResult = done["precheck"]
    depts = _department_names(opened)
    accepted = [c for c in cases if c.state == "accepted"]
    st.success(f"一件事编号 Bundle number：**{done['number']}** · 共立案 {len(cases)} 件，"
               f"其中已受理 {len(accepted)} 件 (one case per matter, linked)")
    rows = []
    for c in cases:
        member = rules.members.get(c.matter)
        matter = member.matter if member else None
        due, _ = svc.deadlines(c)
        rows.append({"事项": matter.name.zh if matter else c.matter,
                     "承办部门": depts.get(matter.department, matter.department)
                     if matter else "—",
                     "案件编号": c.number, "状态": STATES.get(c.state, (c.state, ""))[0],
                     "承诺办结期限": due.isoformat() if due else "—"})
    st.dataframe(rows, hide_index=True, width="stretch", key=f"{scope}|cases")
    outcome_panel(opened, rules, result)
    _notice(opened, rules, result, applicant=done["applicant"], number=done["number"],
            case_numbers={c.matter: c.number for c in cases}, key=f"{scope}|filed",
            calendar=svc.calendar)
    for c in cases:
        if c.state == "refused":  # that matter's own 不予受理决定书
            name = rules.members[c.matter].matter.name.zh if c.matter in rules.members \
                else c.matter
            st.subheader(f"不予受理：{plain(name)}（{c.number}）", anchor=False)
            case_documents(opened, svc, c, f"{scope}|refused|{c.number}", heading=False)


# ---------------------------------------------------------------- the page part


def _mark_checked(scope: str) -> None:
    st.session_state[f"{scope}|checked"] = True


def bundle_intake(opened: OpenCatalog, svc: CaseService, bundle: Bundle) -> None:
    """The window's new application for ``bundle``."""
    rules = opened.bundle_rules_of(bundle.code)
    if rules is None or rules.problems:
        st.error("该“一件事”的定义有错误，暂不能受理 This bundle's definition has errors")
        return
    scope = f"bundle:{bundle.code}"
    depts = _department_names(opened)
    st.caption(f"高效办成一件事 · {plain(bundle.name.zh)}：一次填表、一次交材料，"
               f"{len(bundle.matters)} 个事项各部门并联办理 —— " + "；".join(
                   f"{plain(m.matter.name.zh)}（{plain(depts.get(m.matter.department, ''))}）"
                   for m in rules.members.values()))
    if st.session_state.get(f"{scope}|intake"):
        _intake_done(opened, svc, rules, scope)
        st.button("下一位申请人 Next applicant", key=f"{scope}|next", on_click=clear_scope,
                  args=(scope,))
        return
    checked = bool(st.session_state.get(f"{scope}|checked"))
    intake = _Intake(rules, scope, svc.now().date(), svc.calendar)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.subheader("申请表 Application form（一件事一张表）", anchor=False)
        with st.container(height=FORM_HEIGHT, key=f"win-form-{_safe(scope)}"):
            _form(opened, intake, checked)
    result = intake.result
    applicant = intake.applicant()
    with right:
        st.markdown("**申请人 Applicant**（取自申请表 from the form）："
                    + (plain(applicant) if applicant else "—"))
        ready = checked and result.outcome != "incomplete"
        with st.container(horizontal=True):
            st.button("运行预检 Run pre-check", key=f"{scope}|run", type="primary",
                      on_click=_mark_checked, args=(scope,))
            create = checked and st.button(
                f"受理 Accept（立案 {len(result.matters)} 件）" if ready
                else "立案并出具一次性告知书 File, notice to supplement",
                key=f"{scope}|create", type="primary")
        if checked:
            st.subheader("预检 Pre-check", anchor=False)
            with st.container(height=OUTCOME_HEIGHT, border=False,
                              key=f"win-outcome-{_safe(scope)}"):
                outcome_panel(opened, rules, result)
        else:
            st.caption("填好申请表、勾选收到的材料后运行预检 Fill in the form, tick the "
                       "materials, then run the pre-check")
        st.subheader("材料清单 Materials checklist", anchor=False)
        with st.container(height=CHECKLIST_HEIGHT, key=f"win-checklist-{_safe(scope)}"):
            _checklist(intake)
    if not checked:
        return
    _notice(opened, rules, result, applicant=applicant, number="（受理后生成 on filing）",
            case_numbers={}, key=f"{scope}|preview", calendar=svc.calendar)
    if not create:
        return
    if not applicant:
        st.error("请在共同信息中填写申请人姓名 Enter the applicant's name in the shared answers")
        return
    user = current_user()
    try:
        made = receive_bundle(svc, opened, bundle.code, intake.submission,
                              actor=user.username if user else "window")
    except FormkitError as exc:
        st.error(f"立案失败 Could not create the cases：{plain(error_text(exc))}")
        return
    st.session_state[f"{scope}|intake"] = {
        "number": made.number, "cases": [c.number for c in made.cases],
        "precheck": made.precheck, "applicant": applicant}
    st.rerun()
