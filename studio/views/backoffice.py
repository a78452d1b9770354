"""后台审批 Back office (受审分离): the department's queues, one case at a time.

Queues come from ``formkit.cases.queues.section_queue`` (one per section of the
officer's department, oldest deadline first) and ``formkit.desk.checklist`` (ready to
decide, ready to issue); every action is a ``CaseService`` transition. Every text of a
definition, an application, a comment or an error goes through ``plain`` wherever
Streamlit reads Markdown (labels, buttons, metrics, alerts, captions): shown as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from formkit_studio.common import (
    case_documents,
    catalog,
    current_user,
    store,
    today,
    users,
)
from formkit_studio.labels import (
    ACTIONS,
    FORMS,
    OUTCOMES,
    STATES,
    UNITS,
    error_text,
    procedure_text,
)
from formkit_studio.safe_text import plain

from formkit.calendar import WorkCalendar
from formkit.cases import clock as case_clock
from formkit.cases.queues import QueueItem, decision_queue, issue_queue, section_queue
from formkit.cases.service import Case, CaseService, Event
from formkit.cases.versions import case_rules
from formkit.catalog import OpenCatalog
from formkit.definitions.users import User
from formkit.desk.access import may_read, read_case
from formkit.desk.checklist import (
    answer_rows,
    clock,
    department_units,
    signable_units,
    unit_names,
)
from formkit.errors import AccessDenied, FormkitError
from formkit.intake.precheck import PrecheckResult

DECIDE, ISSUE = "decide", "issue"
ENDINGS = {"withdraw": ("撤回", "Withdraw",
                        "申请人在作出决定前申请撤回，记录申请人的申请 the applicant withdraws "
                        "the application before the decision"),
           "terminate": ("终止", "Terminate",
                         "因容缺材料逾期未补交、申请人死亡或者主体注销等原因终止办理 the case "
                         "ends without a decision (a tolerated material never came, the "
                         "applicant died or was dissolved)")}
TO = {"terminate": "terminated", "withdraw": "withdrawn"}


def _state(state: str) -> str:
    zh, en = STATES.get(state, (state, state))
    return f"{zh} {en}"


def _rows(items: list[QueueItem], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"案件编号 Case": i.number, "事项 Matter": names.get(i.matter, i.matter),
             "状态 State": _state(i.state), "环节 Step": i.step + 1,
             "收件 Received": i.received_on.isoformat(),
             "承诺期限 Due": i.due.isoformat() if i.due else "—",
             "计时 Clock": "中止 stopped" if i.paused else "计时中 running"} for i in items]


def worklists(opened: OpenCatalog, department: str, summaries: list[dict[str, Any]],
              day: Any, cal: WorkCalendar) -> dict[str, tuple[str, list[QueueItem]]]:
    """Each section's queue, then the cases ready to decide and to issue."""
    lists: dict[str, tuple[str, list[QueueItem]]] = {}
    if opened.catalog is not None:
        for unit, name in department_units(opened.catalog, department):
            lists[unit] = (name, section_queue(summaries, unit, day, cal))
    lists[DECIDE] = ("待决定 Ready to decide", decision_queue(summaries, department, day, cal))
    lists[ISSUE] = ("待发证送达 Ready to issue", issue_queue(summaries, department, day, cal))
    return lists


def key(name: str) -> str:
    """The key of an input the officer fills for the open case (a comment, a reason, the
    days of an extension), in its generation.

    Each action has its own inputs, and every input is emptied once an action is done or
    another case is opened: a comment is recorded only with the action it was typed for.
    Emptied by a new key: a key only taken out of ``st.session_state`` keeps its text in
    the browser, which sends it back with the next click.
    """
    return f"{name}#{st.session_state.get('bo_gen', 0)}"


def _forget_inputs() -> None:
    """Empty every input of the open case (a new generation of keys)."""
    gen = f"#{st.session_state.get('bo_gen', 0)}"
    for name in [k for k in st.session_state if str(k).startswith("bo_")
                 and str(k).endswith(gen)]:
        del st.session_state[name]
    st.session_state.pop("bo_end_confirm", None)
    st.session_state["bo_gen"] = st.session_state.get("bo_gen", 0) + 1


def _open(number: str) -> None:
    st.session_state["bo_open"] = number.strip().upper()
    st.session_state.pop("bo_refused", None)
    _forget_inputs()


def _act(action: Callable[[], Case], done: str, case: Case) -> None:
    """Run one transition; its refusal (an illegal move, a missing reason) is shown in
    the officer's words, and what was typed for it stays to be corrected."""
    try:
        action()
    except FormkitError as exc:
        st.error(f"未能完成 Not done：{plain(error_text(exc, case))}")
        return
    st.session_state["bo_flash"] = done
    _forget_inputs()  # the inputs were for this action
    st.rerun()


def _step(label: str, name: str, what: str, run: Callable[[str], Case], done: str,
          case: Case, primary: bool = False) -> None:
    """One action with its own comment box beside its button (key ``bo_<name>``).
    ``label``, ``what`` and ``done`` are Markdown: any text of the definition in them
    already ``plain``."""
    cols = st.columns([3, 2], vertical_alignment="bottom")
    comment = cols[0].text_input(f"{what}意见 Comment", key=key(f"bo_comment|{name}"))
    if cols[1].button(label, key=f"bo_{name}", type="primary" if primary else "secondary"):
        _act(lambda: run(comment), done, case)


def _people() -> dict[str, str]:
    """Usernames -> the names people know each other by."""
    try:
        return {u.username: u.name.zh for u in users().users}
    except (FormkitError, OSError):
        return {}


def _day(day: Any) -> str:
    return day.isoformat() if day else "—"


def actions(svc: CaseService, case: Case, department: str, units: dict[str, str],
            materials: dict[str, str], *, own: bool = True) -> None:
    """What the officer can do with the case now; each action with its own inputs. An
    office with a step on another department's case (``own=False``) signs its step
    only: the decision is the case's own department's."""
    user = current_user()
    actor = user.username if user else "officer"
    n = case.number
    grounds = case.deny_grounds
    if case.state not in ("accepted", "in_review", "approved", "denied"):
        return  # refused, issued or ended: nothing more to do here
    if case.state == "accepted" and own:
        _step("开始审查 Start review", "start", "开始审查",
              lambda c: svc.start_review(n, actor=actor, comment=c),
              "已开始审查 Review started", case, primary=not grounds)
    mine = signable_units(case, department)
    for unit in mine:
        name = plain(units.get(unit, "本股室"))
        _step(f"签署 Sign off：{name}", f"sign|{unit}", f"签署（{name}）",
              lambda c, unit=unit: svc.sign_off(n, unit, actor=actor, comment=c),
              f"已签署 Signed off：{name}", case, primary=True)
    if case.state == "in_review" and case.step < len(case.route):
        others = [u for u in signable_units(case, None) if u not in mine]
        if others:
            st.info("等待会签 Waiting for：" + "、".join(plain(units.get(u, "其他股室"))
                                                     for u in others))
    if not own:
        return
    if grounds and case.state in ("accepted", "in_review"):
        st.caption("受理时已发现不予许可情形，不能准予许可：请以该情形为理由作出不予许可决定 "
                   "(approval is not offered: deny with the ground found at intake)")
        _deny(svc, case, actor, grounds)
    elif case.state == "in_review" and case.step >= len(case.route):
        _step("准予许可 Approve", "approve", "准予许可",
              lambda c: svc.approve(n, actor=actor, comment=c), "已准予 Approved", case,
              primary=True)
        _deny(svc, case, actor, grounds)
    if case.state in ("approved", "denied"):
        _step("发证/送达 Record issue of the result", "issue", "发证/送达",
              lambda c: svc.issue(n, actor=actor, comment=c), "已送达 Issued", case,
              primary=True)
    for t in case.tolerated:
        if t.supplied_on is None and case.state in ("accepted", "in_review", "approved"):
            name = plain(materials.get(t.id, "容缺材料"))
            st.markdown(f"容缺材料 Tolerated material：**{name}**（限 due {t.due} 补交）")
            _step("容缺材料已补交 Supplied", f"supply|{t.id}", "补交",
                  lambda c, t=t: svc.supply(n, t.id, actor=actor, comment=c),
                  f"已补交 Supplied：{name}", case)
    if case.state in ("accepted", "in_review"):
        _clock(svc, case, actor)
        _extension(svc, case, actor)
        _end(svc, case, actor)


def _deny(svc: CaseService, case: Case, actor: str, grounds: list[str]) -> None:
    """不予许可 with its reasons; a ground found at intake is the reason already written."""
    if grounds and key("bo_reason") not in st.session_state:
        st.session_state[key("bo_reason")] = "；".join(grounds)
    reason = st.text_area("不予许可理由 Reasons for denial", key=key("bo_reason"))
    if st.button("不予许可 Deny", key="bo_deny", type="primary" if grounds else "secondary"):
        _act(lambda: svc.deny(case.number, actor=actor, reason=reason),
             "已作出不予许可决定 Denied", case)


def _clock(svc: CaseService, case: Case, actor: str) -> None:
    """Stop or restart the clock for a special procedure (行政许可法 §45, or the
    matter's own law)."""
    n = case.number
    st.markdown("**计时 Clock**")
    if case.paused:
        _step("恢复计时 Restart the clock", "resume", "恢复计时",
              lambda c: svc.resume(n, actor=actor, comment=c), "已恢复计时 Clock restarted",
              case)
        return
    procedures = svc.procedures(case)
    own = [k for k in case.procedures if k in procedures]  # the matter's own first
    order = own + [k for k in procedures if k not in own]
    reason = st.selectbox(
        "特别程序 Special procedure（所需时间不计入办理时限 its time is not counted）", order,
        format_func=lambda k: procedure_text(procedures[k]), key=key("bo_pause_reason"))
    _step("中止计时 Stop the clock", "suspend", "中止计时",
          lambda c: svc.suspend(n, reason, actor=actor, comment=c),
          f"已中止计时 Clock stopped：{plain(procedures[reason].name) if reason else ''}",
          case)


def _extension(svc: CaseService, case: Case, actor: str) -> None:
    """延期 (行政许可法 §42): once, at most the matter's days, approved, with the reason
    told to the applicant. Offered only when the matter allows one and none was used."""
    most = case.extension_days
    if most <= 0 or case.extensions:
        return
    approver = plain(case.extension_approver)  # "" when none
    with st.expander(f"延期 Extend the time limit（最多 at most {most} 个工作日 working days）",
                     key="bo_ext_box"):
        st.caption(f"本事项可以延期一次，最多 {most} 个工作日"
                   + (f"，须经{approver}批准" if approver else "，须经批准")
                   + "；延期理由须告知申请人（行政许可法第四十二条）。 One extension, "
                   "approved, with the reason told to the applicant.")
        days = st.number_input("延期工作日 Working days", min_value=1, max_value=most,
                               value=most, step=1, key=key("bo_ext_days"))
        committed, statutory = svc.deadlines(case)
        add = int(days) if 1 <= int(days) <= most else 0
        if add and committed is not None and statutory is not None:
            st.caption(
                f"延期后 After the extension：承诺期限 committed "
                f"{case_clock.workdays_after(svc.calendar, committed, add)} · 法定期限 "
                f"statutory {case_clock.workdays_after(svc.calendar, statutory, add)}")
        reason = st.text_area("延期理由 Reason（将告知申请人 told to the applicant）",
                              key=key("bo_ext_reason"))
        approved = st.checkbox(f"已经{approver or '负责人'}批准 Approved", key=key("bo_ext_ok"))
        if st.button("延期 Extend", key="bo_extend", type="primary"):
            if not approved:
                st.error(f"未能完成 Not done：请确认延期已经{approver or '负责人'}批准")
                return
            _act(lambda: svc.extend(case.number, int(days), actor=actor, comment=reason),
                 f"已延期 {int(days)} 个工作日 Extended by {int(days)} working days", case)


def _end(svc: CaseService, case: Case, actor: str) -> None:
    """终止 / 撤回: the case ends without a decision, with its reason, after a
    confirmation."""
    with st.expander("终止或撤回 End the case without a decision", key="bo_end_box"):
        kind = st.radio("办理方式 How", list(ENDINGS), key=key("bo_end_kind"), horizontal=True,
                        format_func=lambda k: f"{ENDINGS[k][0]} {ENDINGS[k][1]}")
        zh, en, meaning = ENDINGS[kind]
        st.caption(meaning)
        reason = st.text_area(f"{zh}理由 Reason", key=key("bo_end_reason"))
        if st.session_state.get("bo_end_confirm") != kind:
            if st.button(f"{zh} {en}…", key="bo_end"):
                if not reason.strip():
                    st.error(f"未能完成 Not done：请填写{zh}理由")
                    return
                st.session_state["bo_end_confirm"] = kind
                st.rerun()
            return
        st.warning(f"确认{zh}案件 {case.number}？{zh}后案件即办结，不能恢复。理由：{plain(reason)} "
                   f"(Confirm: the case ends and cannot be reopened.)")
        cols = st.columns([1, 1, 3])
        end = svc.terminate if kind == "terminate" else svc.withdraw
        if cols[0].button(f"确认{zh} Confirm", key="bo_end_yes", type="primary"):
            st.session_state.pop("bo_end_confirm", None)
            _act(lambda: end(case.number, actor=actor, reason=reason),
                 f"案件已{zh} {STATES[TO[kind]][1]}", case)
        if cols[1].button("取消 Cancel", key="bo_end_no"):
            st.session_state.pop("bo_end_confirm", None)
            st.rerun()


def _history_action(e: Event, procedures: dict[str, str]) -> str:
    """An event's action in words, with what it concerned (the procedure, the days)."""
    name = ACTIONS.get(e.action, "其他 other")
    if e.action == "suspend" and e.data.get("reason"):
        name += f"（{procedures.get(str(e.data['reason']), '特别程序')}）"
    if e.action == "extend" and e.data.get("days"):
        name += f"（{e.data['days']} 个工作日）"
    return name


def details(svc: CaseService, case: Case, opened: OpenCatalog, units: dict[str, str]) -> None:
    """Answers, materials, the pre-check, the route and the history of the case."""
    try:
        rules = case_rules(svc.store, case)
    except FormkitError:
        st.error("找不到受理时的事项版本，请联系管理员 The matter version of this case is "
                 "missing")
        return
    matter = rules.matter
    names = {m.id: m.name.zh for m in matter.materials}  # as typed: for the tables
    shown = {m: plain(n) for m, n in names.items()}  # Markdown: for captions
    tabs = st.tabs(["申请表 Answers", "材料 Materials", "预检 Pre-check", "审批路线 Route",
                    "历史 History"])
    with tabs[0]:
        rows = answer_rows(rules, case.fields, today=svc.now().date(), calendar=svc.calendar)
        st.dataframe([{"项目 Field": r.title, "内容 Answer": r.value,
                       "问题 Problem": "；".join(r.errors)} for r in rows],
                     hide_index=True, width="stretch", key="bo_answers")
    with tabs[1]:
        st.dataframe([{"材料 Material": names.get(m.id, m.id),
                       "形式 Form": " ".join(FORMS[m.form]) if m.form in FORMS else "—",
                       "份数 Copies": m.copies, "原件已核验 Sighted": m.original_sighted}
                      for m in case.materials], hide_index=True, width="stretch",
                     key="bo_materials")
        for t in case.tolerated:
            st.caption(f"容缺 Tolerated：{shown.get(t.id, plain(t.id))} · 限 due {t.due} · "
                       + (f"已补交 supplied {t.supplied_on}" if t.supplied_on else "未补交 owed"))
    with tabs[2]:
        if case.precheck:
            result = PrecheckResult.model_validate(case.precheck)
            zh, en = OUTCOMES[result.outcome]
            st.markdown(f"**{zh} {en}** · 收件 received {result.received_on}")
            for label, items in (("缺少 Missing", result.missing_materials),
                                 ("容缺 Tolerated", result.tolerated_materials),
                                 ("窗口调取 Fetched", result.fetched_materials)):
                if items:
                    st.caption(f"{label}：" + "、".join(shown.get(i.id, plain(i.id))
                                                       for i in items))
            for f in result.denials:
                st.error(f"不予许可情形 Ground for denial：{plain(f.message)}")
            for f in result.warnings:
                st.warning(plain(f.message))
    with tabs[3]:
        for i, step in enumerate(case.route):
            signed = case.signed[i] if i < len(case.signed) else {}
            mark = "▶" if case.state == "in_review" and i == case.step else (
                "✔" if i < case.step or case.state not in ("accepted", "in_review") else "·")
            st.markdown(f"{mark} 第{i + 1}环节 Step {i + 1}：" + "；".join(
                plain(units.get(u, u)) + (f"（{plain(signed[u])} 已签 signed）"
                                          if u in signed else "")
                for u in step))
    with tabs[4]:
        people = _people()
        procedures = {k: p.name for k, p in svc.procedures(case).items()}
        st.dataframe([{"时间 At": e.at.strftime("%Y-%m-%d %H:%M"),
                       "动作 Action": _history_action(e, procedures),
                       "状态 State": _state(e.to_state), "经办 Actor": people.get(e.actor, e.actor),
                       "意见 Comment": e.comment} for e in case.history],
                     hide_index=True, width="stretch", key="bo_history")


def clock_facts(svc: CaseService, case: Case) -> None:
    """How the deadlines were moved: the days the clock stood, the extension, the stop
    open now, and a deadline resting on an unpublished holiday schedule."""
    day = svc.now().date()
    pauses = [p.model_dump(mode="json") for p in case.pauses]
    unit = UNITS.get(case.unit, "日")
    moved = []
    stopped = case_clock.paused_days(pauses, day, case.unit, svc.calendar)
    if stopped:
        moved.append(f"中止计时 {stopped} 个{unit}")
    added = case_clock.extension_days([e.model_dump(mode="json") for e in case.extensions])
    if added:
        moved.append(f"延期 {added} 个工作日")
    if moved and case.committed_deadline is not None:
        st.caption(f"期限已顺延 Deadlines moved：{'，'.join(moved)}（受理时确定 fixed at "
                   f"acceptance：承诺 {_day(case.committed_deadline)}，法定 "
                   f"{_day(case.statutory_deadline)}）")
    people = _people()
    for e in case.extensions:
        approver = case.extension_approver or people.get(e.by, e.by)
        st.info(f"已延期 Extended：{e.days} 个工作日 working days · 批准人 Approved by："
                f"{plain(approver)}（{plain(people.get(e.by, e.by))} {e.on} 登记 recorded）· "
                f"理由 Reason：{plain(e.comment)}")
    pause = next((p for p in case.pauses if p.end is None), None)
    if pause is not None and case.state in ("accepted", "in_review"):
        procedure = svc.procedures(case).get(pause.reason)
        name = plain(procedure.name) if procedure else "特别程序"
        limit = f"最长 {pause.max_days} 个{UNITS.get(pause.unit, '日')}" if pause.max_days \
            else "不设最长期限"
        text = f"计时已中止 Clock stopped：{name}（{limit}），自 since {pause.start}"
        if not case_clock.stop_running(pauses, day, svc.calendar):
            text += "；已超过最长期限，超出部分计入办理时限 (past its maximum: the clock runs)"
        st.warning(text)
    if case.calendar_provisional:
        st.caption("⚠ 期限依据尚未公布的节假日安排计算，公布后将重新计算 the deadlines rest on "
                   "an unpublished holiday schedule")


def documents(svc: CaseService, opened: OpenCatalog, case: Case) -> None:
    """Every document of the case (the intake notices, 延期 after an extension, 特别程序
    after a stop, the 准予/不予 decision once decided): print view, HTML and PDF, the
    latest first, in an expander so the actions stay in view."""
    with st.expander("📄 文书 Documents：打印、下载 print or download", key="bo_docs_box"):
        case_documents(opened, svc, case, key=f"bo_docs:{case.number}", heading=False)


def _material_names(svc: CaseService, case: Case) -> dict[str, str]:
    """The matter's materials by their Chinese names (as at acceptance)."""
    try:
        return {m.id: m.name.zh for m in case_rules(svc.store, case).matter.materials}
    except FormkitError:
        return {}  # details() says the matter version is missing


def refused(number: str, text: str) -> None:
    """A refused read: why (``error_text``), and nothing of the case."""
    st.error(f"无权查看 Access refused：{plain(text)}")
    st.caption(f"案件编号 Case number：{plain(number)}")


def case_panel(svc: CaseService, opened: OpenCatalog, user: User, number: str,
               department: str) -> None:
    """The case ``number``, when the officer's department may read it (desk.access: a
    refused read is written to the audit trail, once per opening)."""
    try:
        case = read_case(svc, user, number)
    except AccessDenied as exc:
        text = error_text(exc)
        st.session_state["bo_refused"] = (number, text)  # shown again without a new read
        st.session_state.pop("bo_open", None)
        refused(number, text)
        return
    except FormkitError:
        st.error(f"找不到案件 Case not found：{plain(number)}")
        return
    units = unit_names(opened.catalog) if opened.catalog else {}
    matter = opened.matters.get(case.matter)
    st.subheader(f"{case.number} · {plain(matter.name.zh) if matter else '事项'}",
                 anchor=False)  # an anchor's link would be made of the matter's name
    st.caption(f"申请人 Applicant：{plain(case.applicant) or '—'} · 收件 received "
               f"{case.received_on}"
               f" · 受理 accepted {case.accepted_on or '—'}")
    grounds = case.deny_grounds
    if grounds and case.state in ("accepted", "in_review"):
        st.error("受理时发现不予许可情形 Ground for denial found at intake："
                 + "；".join(plain(g) for g in grounds))
    committed, statutory = svc.deadlines(case)
    cols = st.columns([3, 1, 2, 2])  # room for the longest state name
    cols[0].metric("状态 State", _state(case.state))
    cols[1].metric("环节 Step", f"{min(case.step + 1, len(case.route))}/{len(case.route)}"
                   if case.route else "—")
    cols[2].metric("承诺期限 Committed deadline", _day(committed))
    cols[3].metric("法定期限 Statutory deadline", _day(statutory))
    clock_facts(svc, case)
    documents(svc, opened, case)
    if case.state in TO.values():
        ending = next((e for e in reversed(case.history) if e.to_state == case.state), None)
        st.info(f"{_state(case.state)}：{_day(case.ended_on)} · 理由 Reason："
                f"{plain(ending.comment) if ending else '—'}")
    # read_case lets in the case's own department and the offices with a step on it
    actions(svc, case, department, units, _material_names(svc, case),
            own=case.department == department)
    details(svc, case, opened, units)


def main() -> None:
    opened = catalog()
    user = current_user()
    st.title("后台审批 Back office")
    if user is None or not user.department:
        st.error("您的账号未设置所属部门 Your account has no department")
        return
    department = user.department
    dept = next((d for d in opened.catalog.departments if d.id == department), None) \
        if opened.catalog else None
    st.caption(f"{plain(dept.name.zh if dept else department)} · 受审分离：按股室队列办理 "
               "work the section queues, oldest deadline first")
    flash = st.session_state.pop("bo_flash", None)
    if flash:
        st.success(flash)
    day = today()
    svc = CaseService(store(), opened.work_calendar(), now=clock(day))
    # Only the cases the officer may read (desk.access): their own department's.
    mine = [s for s in svc.store.open_summaries()
            if may_read(user, str(s.get("department") or ""), s.get("route"))]
    lists = worklists(opened, department, mine, day, svc.calendar)
    cols = st.columns(len(lists))
    for col, (name, items) in zip(cols, lists.values(), strict=True):
        col.metric(plain(name), len(items))
    if st.session_state.get("bo_list") not in lists:  # start where the work is
        st.session_state["bo_list"] = next((k for k, (_, v) in lists.items() if v),
                                           next(iter(lists)))
    choice = st.selectbox("工作清单 Worklist", list(lists), key="bo_list",
                          format_func=lambda k: f"{lists[k][0]}（{len(lists[k][1])}）")
    items = lists[choice][1] if choice in lists else []
    names = {c: m.name.zh for c, m in opened.matters.items()}
    if items:
        st.dataframe(_rows(items, names), hide_index=True, width="stretch", key="bo_queue")
    else:
        st.info("队列为空 The queue is empty")
    by_number = {i.number: i for i in items}
    cols = st.columns([3, 2, 1])
    cols[0].selectbox("打开案件 Open a case from the list", list(by_number), index=None,
                      key="bo_pick", placeholder="选择案件 Choose a case",
                      format_func=lambda n: f"{n} · {names.get(by_number[n].matter, '')} · "
                      f"期限 due {by_number[n].due or '—'}",
                      on_change=lambda: _open(st.session_state.get("bo_pick") or ""))
    cols[1].text_input("按编号查找 Case number", key="bo_find")
    cols[2].button("打开 Open", key="bo_find_open",
                   on_click=lambda: _open(st.session_state.get("bo_find") or ""))
    number = st.session_state.get("bo_open")
    refusal = st.session_state.get("bo_refused")
    if number:
        st.divider()
        case_panel(svc, opened, user, number, department)
    elif refusal:
        st.divider()
        refused(*refusal)


main()
