"""后台审批 Back office (受审分离): the department's queues, one case at a time.

Queues come from ``formkit.cases.queues.section_queue`` (one per section of the
officer's department, oldest deadline first) and ``formkit.desk.checklist`` (ready to
decide, ready to issue); every action is a ``CaseService`` transition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from formkit_studio.common import catalog, current_user, store, today, with_hint
from formkit_studio.labels import FORMS, OUTCOMES, STATES

from formkit.calendar import WorkCalendar
from formkit.cases.monitor import effective_deadline
from formkit.cases.queues import QueueItem, decision_queue, issue_queue, section_queue
from formkit.cases.service import SPECIAL_PROCEDURES, Case, CaseService
from formkit.cases.versions import case_rules
from formkit.catalog import OpenCatalog
from formkit.desk.checklist import (
    answer_rows,
    clock,
    department_units,
    signable_units,
    unit_names,
)
from formkit.errors import FormkitError
from formkit.intake.precheck import PrecheckResult

DECIDE, ISSUE = "decide", "issue"


def _state(state: str) -> str:
    zh, en = STATES.get(state, (state, state))
    return f"{zh} {en}"


def _rows(items: list[QueueItem], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"案件编号 Case": i.number, "事项 Matter": names.get(i.matter, i.matter),
             "状态 State": _state(i.state), "环节 Step": i.step + 1,
             "收件 Received": i.received_on.isoformat(),
             "承诺期限 Due": i.due.isoformat() if i.due else "—",
             "计时 Clock": "暂停 stopped" if i.paused else "计时中 running"} for i in items]


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


def _open(number: str) -> None:
    st.session_state["bo_open"] = number.strip().upper()


def _act(action: Callable[[], Case], done: str) -> None:
    """Run one transition; its refusal (an illegal move, a missing reason) is shown."""
    try:
        action()
    except FormkitError as exc:
        st.error(f"未能完成 Not done：{with_hint(exc)}")
        return
    st.session_state["bo_flash"] = done
    st.rerun()


def actions(svc: CaseService, case: Case, department: str, units: dict[str, str]) -> None:
    """What the officer can do with the case now."""
    user = current_user()
    actor = user.username if user else "officer"
    n = case.number
    comment = st.text_input("审批意见 Comment", key="bo_comment")
    if case.state == "accepted" and st.button("开始审查 Start review", key="bo_start",
                                              type="primary"):
        _act(lambda: svc.start_review(n, actor=actor, comment=comment),
             "已开始审查 Review started")
    mine = signable_units(case, department)
    for unit in mine:
        if st.button(f"签署 Sign off：{units.get(unit, unit)}", key=f"bo_sign|{unit}",
                     type="primary"):
            _act(lambda unit=unit: svc.sign_off(n, unit, actor=actor, comment=comment),
                 f"已签署 Signed off：{units.get(unit, unit)}")
    if case.state == "in_review" and case.step < len(case.route):
        others = [u for u in signable_units(case, None) if u not in mine]
        if others:
            st.info("等待会签 Waiting for：" + "、".join(units.get(u, u) for u in others))
    if case.state == "in_review" and case.step >= len(case.route):
        if st.button("准予许可 Approve", key="bo_approve", type="primary"):
            _act(lambda: svc.approve(n, actor=actor, comment=comment), "已准予 Approved")
        reason = st.text_area("不予许可理由 Reasons for denial", key="bo_reason")
        if st.button("不予许可 Deny", key="bo_deny"):
            _act(lambda: svc.deny(n, actor=actor, reason=reason), "已作出不予许可决定 Denied")
    if case.state in ("approved", "denied") and st.button(
            "发证/送达 Record issue of the result", key="bo_issue", type="primary"):
        _act(lambda: svc.issue(n, actor=actor, comment=comment), "已送达 Issued")
    if case.state in ("accepted", "in_review"):
        _clock(svc, case, actor, comment)
    for t in case.tolerated:
        if t.supplied_on is None and case.state in ("accepted", "in_review", "approved") \
                and st.button(f"容缺材料已补交 Supplied：{t.id}（限 due {t.due}）",
                              key=f"bo_supply|{t.id}"):
            _act(lambda t=t: svc.supply(n, t.id, actor=actor, comment=comment),
                 f"已补交 Supplied：{t.id}")


def _clock(svc: CaseService, case: Case, actor: str, comment: str) -> None:
    """Stop or restart the clock for a statutory special procedure (行政许可法 §45)."""
    n = case.number
    if case.paused:
        pause = next(p for p in case.pauses if p.end is None)
        st.warning(f"计时已暂停 Clock stopped：{SPECIAL_PROCEDURES.get(pause.reason)} "
                   f"({pause.reason})，自 since {pause.start}")
        if st.button("恢复计时 Restart the clock", key="bo_resume"):
            _act(lambda: svc.resume(n, actor=actor, comment=comment),
                 "已恢复计时 Clock restarted")
        return
    cols = st.columns([2, 1])
    reason = cols[0].selectbox(
        "特别程序 Special procedure（行政许可法第四十五条）", list(SPECIAL_PROCEDURES),
        format_func=lambda r: f"{SPECIAL_PROCEDURES[r]} {r}", key="bo_pause_reason")
    if cols[1].button("暂停计时 Stop the clock", key="bo_suspend"):
        _act(lambda: svc.suspend(n, reason, actor=actor, comment=comment),
             "已暂停计时 Clock stopped")


def details(svc: CaseService, case: Case, opened: OpenCatalog, units: dict[str, str]) -> None:
    """Answers, materials, the pre-check, the route and the history of the case."""
    try:
        rules = case_rules(svc.store, case)
    except FormkitError as exc:
        st.error(f"找不到受理时的事项版本 The matter version is missing：{exc.message}")
        return
    matter = rules.matter
    names = {m.id: m.name.zh for m in matter.materials}
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
            st.caption(f"容缺 Tolerated：{names.get(t.id, t.id)} · 限 due {t.due} · "
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
                    st.caption(f"{label}：" + "、".join(names.get(i.id, i.id) for i in items))
            for f in result.warnings:
                st.warning(f.message)
    with tabs[3]:
        for i, step in enumerate(case.route):
            signed = case.signed[i] if i < len(case.signed) else {}
            mark = "▶" if case.state == "in_review" and i == case.step else (
                "✔" if i < case.step or case.state not in ("accepted", "in_review") else "·")
            st.markdown(f"{mark} 第{i + 1}环节 Step {i + 1}：" + "；".join(
                f"{units.get(u, u)}" + (f"（{signed[u]} 已签 signed）" if u in signed else "")
                for u in step))
    with tabs[4]:
        st.dataframe([{"时间 At": e.at.strftime("%Y-%m-%d %H:%M"), "动作 Action": e.action,
                       "状态 State": _state(e.to_state), "经办 Actor": e.actor,
                       "意见 Comment": e.comment} for e in case.history],
                     hide_index=True, width="stretch", key="bo_history")


def case_panel(svc: CaseService, opened: OpenCatalog, number: str, department: str) -> None:
    try:
        case = svc.get(number)
    except FormkitError as exc:
        st.error(f"找不到案件 Case not found：{exc.message}")
        return
    units = unit_names(opened.catalog) if opened.catalog else {}
    matter = opened.matters.get(case.matter)
    st.subheader(f"{case.number} · {matter.name.zh if matter else case.matter}")
    st.caption(f"申请人 Applicant：{case.applicant or '—'} · 收件 received {case.received_on}"
               f" · 受理 accepted {case.accepted_on or '—'}")
    day = svc.now().date()
    due = effective_deadline(case.committed_deadline,
                             [p.model_dump(mode="json") for p in case.pauses], day, case.unit,
                             svc.calendar, accepted=case.accepted_on, days=case.committed_days)
    cols = st.columns(4)
    cols[0].metric("状态 State", _state(case.state))
    cols[1].metric("环节 Step", f"{min(case.step + 1, len(case.route))}/{len(case.route)}"
                   if case.route else "—")
    cols[2].metric("承诺期限 Committed deadline", due.isoformat() if due else "—")
    cols[3].metric("法定期限 Statutory deadline",
                   case.statutory_deadline.isoformat() if case.statutory_deadline else "—")
    if case.department != department:
        st.info("此案件不属于本部门，只能查看 Another department's case: read only")
    else:
        actions(svc, case, department, units)
    details(svc, case, opened, units)


def main() -> None:
    opened = catalog()
    user = current_user()
    department = user.department if user else None
    st.title("后台审批 Back office")
    if not department:
        st.error("您的账号未设置所属部门 Your account has no department")
        return
    dept = next((d for d in opened.catalog.departments if d.id == department), None) \
        if opened.catalog else None
    st.caption(f"{dept.name.zh if dept else department} · 受审分离：按股室队列办理 "
               "work the section queues, oldest deadline first")
    flash = st.session_state.pop("bo_flash", None)
    if flash:
        st.success(flash)
    day = today()
    svc = CaseService(store(), opened.work_calendar(), now=clock(day))
    lists = worklists(opened, department, svc.store.open_summaries(), day, svc.calendar)
    cols = st.columns(len(lists))
    for col, (name, items) in zip(cols, lists.values(), strict=True):
        col.metric(name, len(items))
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
    if number:
        st.divider()
        case_panel(svc, opened, number, department)


main()
