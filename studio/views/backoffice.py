"""后台审批 Back office (受审分离): the department's worklists, one case at a time.

The worklists come from ``formkit.cases.queues.worklists``: every open case of the
department on exactly one (待审查, 待决定, 待发证/送达, 待跟进, 已中止, 窗口环节), most urgent
first, each row coloured by the monitor's flag (红牌, 黄牌, 即将到期) with its days in
words. The buttons of the open case are ``formkit.cases.queues.offered_actions``: the
moves of ``CaseService.allowed(case)`` the service would carry out now; the page tests
no case state itself. Every text of a definition, an application, a comment or an
error goes through ``plain`` wherever Streamlit reads Markdown (labels, buttons,
metrics, alerts, captions): shown as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
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
from formkit_studio.labels import HELD as HELD_WORDS
from formkit_studio.labels import WORKLISTS as WORKLIST_NAMES
from formkit_studio.safe_text import plain

from formkit.cases import clock as case_clock
from formkit.cases.bundles import siblings
from formkit.cases.monitor import Flag, monitor
from formkit.cases.queues import WORKLISTS, Offer, WorkItem, Worklist, offered_actions, worklists
from formkit.cases.service import Case, CaseService, Event, summary
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

# The worklists, the monitor's flags and the held moves in the officer's words. Defined
# here until studio/labels.py holds them (it has the states and the actions).
WORKLIST_NOTES: dict[str, str] = {
    "review": "已受理待开始审查，或尚有环节待签批 accepted, or a step still to sign",
    "decide": "各环节已签批，待作出准予或不予决定 every step signed: approve or deny",
    "issue": "已作出决定（含不予许可），待发证或送达决定书 decided, the result or the "
             "decision not yet served",
    "follow_up": "补正期满未补正、容缺材料逾期未交或送达后仍欠容缺材料 a 补正 period over, a "
                 "tolerated material overdue or still owed",
    "suspended": "特别程序中，计时中止 a special procedure stops the clock",
    "window": "已收件待受理，或补正期内等待申请人 received and not yet answered, or "
              "waiting for the applicant's 补正",
}
FLAG_NAMES: dict[str, str] = {
    "red": "红牌", "yellow": "黄牌", "due_soon": "即将到期",
    "statutory_overdue": "超过法定时限", "notice_risk": "告知期限将满",
    "notice_overdue": "逾期未告知", "step_overdue": "环节超时",
    "tolerated_overdue": "容缺材料逾期", "supplement_expired": "补正期满",
}
# The worklist's columns in pixels: the flag with its days, the case and its deadline fit
# the page beside the sidebar; the detail, the applicant and the receipt scroll in.
COLUMN_WIDTHS = {"预警 Flag": 215, "案件编号 Case": 135, "事项 Matter": 205,
                 "状态 State": 70, "环节 Step": 68, "待签 Waiting for": 118,
                 "承诺期限 Due": 95, "说明 Detail": 360, "申请人 Applicant": 180,
                 "收件 Received": 100}
LEVEL_MARKS = {"red": "🔴", "yellow": "🟡", "due_soon": "🔵"}
LEVEL_COLOURS = {"red": "#fde0e0", "yellow": "#fff3bf", "due_soon": "#e1edfc"}
ENDINGS = {"withdraw": ("撤回", "Withdraw",
                        "申请人在作出决定前申请撤回，记录申请人的申请 the applicant withdraws "
                        "the application before the decision"),
           "terminate": ("终止", "Terminate",
                         "因容缺材料逾期未补交、申请人死亡或者主体注销等原因终止办理 the case "
                         "ends without a decision (a tolerated material never came, the "
                         "applicant died or was dissolved)")}
TO = {"terminate": "terminated", "withdraw": "withdrawn"}


def _held_words(why: str | None) -> str:
    """Why a move is held, Chinese first."""
    zh, en = HELD_WORDS.get(why or "", ("暂不能办理", "not now"))
    return f"{zh} {en}"


def _state(state: str) -> str:
    zh, en = STATES.get(state, (state, state))
    return f"{zh} {en}"


def flag_words(flag: Flag, step: int = 0) -> str:
    """A flag with its days, as the officer reads it: ``超期 8 个工作日``."""
    d = flag.days
    return {
        "red": f"超期 {d} 个工作日", "yellow": f"超期 {d} 个工作日",
        "due_soon": "今日到期" if d == 0 else f"还剩 {d} 个工作日",
        "statutory_overdue": f"超过法定时限 {d} 个工作日",
        "notice_risk": "今日须告知" if d == 0 else f"告知期限还剩 {d} 个工作日",
        "notice_overdue": f"逾期未告知 {d} 个工作日，依法视为受理",
        "step_overdue": f"第{step + 1}环节超时 {d} 个工作日",
        "tolerated_overdue": f"容缺材料逾期 {d} 个工作日",
        "supplement_expired": f"补正期满 {d} 个工作日未补正",
    }.get(flag.kind, f"{d} 个工作日")


def _flag_cell(i: WorkItem) -> str:
    """The row's flag and its days in words (``🔴 红牌 · 超期 8 个工作日``), else its days
    left or its stopped clock."""
    f = i.flag
    if f is None:
        return _time_words(i)
    mark = LEVEL_MARKS.get(i.level or "", "")
    words = flag_words(f, i.step)
    if f.kind in ("red", "yellow", "due_soon"):  # the words say the days only
        words = f"{FLAG_NAMES[f.kind]} · {words}"
    return f"{mark} {words}".strip()


def _time_words(i: WorkItem) -> str:
    """An unflagged row's clock in words: the days left, or the stop."""
    if i.stopped:
        return "计时中止"
    if i.days_left is not None:
        return "今日到期" if i.days_left == 0 else f"还剩 {i.days_left} 个工作日"
    return "—"


def _detail(i: WorkItem, materials: dict[str, dict[str, str]]) -> str:
    """The row's other flags, and the tolerated materials it owes, by name."""
    cards = ("red", "yellow", "due_soon")  # their words say days only: named first
    parts = [f"{FLAG_NAMES[f.kind]}：{flag_words(f, i.step)}" if f.kind in cards
             else flag_words(f, i.step) for f in i.flags[1:]
             if f.kind != "tolerated_overdue" or i.flag is None
             or i.flag.kind != "tolerated_overdue"]
    names = materials.get(i.matter, {})
    if i.owed:
        parts.append("待补交 owed：" + "、".join(
            f"{names.get(o.id, '容缺材料')}（限 {o.due}）" for o in i.owed))
    return "；".join(parts)


def _rows(items: list[WorkItem], names: dict[str, str], units: dict[str, str],
          materials: dict[str, dict[str, str]],
          bundled: frozenset[str] | set[str] = frozenset()) -> list[dict[str, Any]]:
    """The worklist's rows; a case applied for in a bundle (``bundled``) is marked
    ``🔗`` before its matter."""
    return [{"预警 Flag": _flag_cell(i),
             "案件编号 Case": i.number,
             "事项 Matter": ("🔗 " if i.number in bundled else "")
             + names.get(i.matter, "—"),
             "状态 State": STATES.get(i.state, ("—",))[0],
             "环节 Step": f"{min(i.step + 1, i.steps)}/{i.steps}" if i.steps else "—",
             "待签 Waiting for": "、".join(units.get(u, "其他股室").split("·")[-1]
                                          for u in i.waiting),
             "承诺期限 Due": i.due.isoformat() if i.due else "—",
             "说明 Detail": _detail(i, materials), "申请人 Applicant": i.applicant,
             "收件 Received": i.received_on.isoformat()} for i in items]


def _table(items: list[WorkItem], rows: list[dict[str, Any]]) -> Any:
    """The rows as a table, each coloured by its flag (red, yellow, due soon).

    The colours go to the Styler as one frame of CSS (``axis=None``): half the time of a
    function called per row, which Streamlit's marshalling of every cell dominates."""
    frame = pd.DataFrame(rows)
    colours = [LEVEL_COLOURS.get(i.level or "", "") for i in items]
    if not any(colours):
        return frame
    css = pd.DataFrame([[f"background-color: {c}" if c else ""] * len(frame.columns)
                        for c in colours], index=frame.index, columns=frame.columns)
    return frame.style.apply(lambda _: css, axis=None)


def _material_names(opened: OpenCatalog) -> dict[str, dict[str, str]]:
    """Each matter's materials by their Chinese names (the current definitions)."""
    return {c: {m.id: m.name.zh for m in matter.materials}
            for c, matter in opened.matters.items()}


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


def _held(label: str, name: str, held: str) -> None:
    """A move the lifecycle allows that waits for one fact: its button greyed out, and
    why beside it."""
    cols = st.columns([3, 2], vertical_alignment="bottom")
    cols[0].caption(_held_words(held))
    cols[1].button(label, key=f"bo_{name}", disabled=True)


def actions(svc: CaseService, case: Case, offers: list[Offer], units: dict[str, str],
            materials: dict[str, str]) -> None:
    """What the officer can do with the case now: exactly the ``offers``
    (``offered_actions``: the moves of ``CaseService.allowed(case)`` the service would
    carry out), each with its own inputs; a move held back shows why."""
    user = current_user()
    actor = user.username if user else "officer"
    n = case.number
    grounds = case.deny_grounds
    by: dict[str, list[Offer]] = {}
    for o in offers:
        by.setdefault(o.action, []).append(o)
    if "start_review" in by:
        _step("开始审查 Start review", "start", "开始审查",
              lambda c: svc.start_review(n, actor=actor, comment=c),
              "已开始审查 Review started", case, primary=not grounds)
    mine = [str(o.target) for o in by.get("sign_off", [])]
    for unit in mine:
        name = plain(units.get(unit, "本股室"))
        _step(f"签署 Sign off：{name}", f"sign|{unit}", f"签署（{name}）",
              lambda c, unit=unit: svc.sign_off(n, unit, actor=actor, comment=c),
              f"已签署 Signed off：{name}", case, primary=True)
    others = [u for u in signable_units(case, None) if u not in mine]
    if others:
        st.info("等待会签 Waiting for：" + "、".join(plain(units.get(u, "其他股室"))
                                                 for u in others))
    deny = next(iter(by.get("deny", [])), None)
    if grounds and deny is not None:
        st.caption("受理时已发现不予许可情形，不能准予许可：请以该情形为理由作出不予许可决定 "
                   "(approval is not offered: deny with the ground found at intake)")
        _deny(svc, case, actor, grounds)
    approve = next(iter(by.get("approve", [])), None)
    if approve is not None and approve.held is None:
        _step("准予许可 Approve", "approve", "准予许可",
              lambda c: svc.approve(n, actor=actor, comment=c), "已准予 Approved", case,
              primary=True)
    elif approve is not None and approve.held != "steps-left":
        _held("准予许可 Approve", "approve", approve.held or "")
    if deny is not None and not grounds and deny.held is None:
        _deny(svc, case, actor, grounds)
    for o in by.get("issue", []):
        if o.held is None:
            _step("发证/送达 Record issue of the result", "issue", "发证/送达",
                  lambda c: svc.issue(n, actor=actor, comment=c), "已送达 Issued", case,
                  primary=True)
        else:
            _held("发证/送达 Record issue of the result", "issue", o.held)
    for o in by.get("supply", []):
        t = next(t for t in case.tolerated if t.id == o.target)
        name = plain(materials.get(t.id, "容缺材料"))
        st.markdown(f"容缺材料 Tolerated material：**{name}**（限 due {t.due} 补交）")
        _step("容缺材料已补交 Supplied", f"supply|{t.id}", "补交",
              lambda c, t=t: svc.supply(n, t.id, actor=actor, comment=c),
              f"已补交 Supplied：{name}", case)
    if "resume" in by or "suspend" in by:
        _clock(svc, case, actor, resume="resume" in by)
    for o in by.get("extend", []):
        if o.held is None:
            _extension(svc, case, actor)
        else:
            st.caption(f"延期 Extension：{_held_words(o.held)}")
    if "recompute_deadlines" in by and st.button("重新计算期限 Recompute the deadlines",
                                                 key="bo_recompute"):
        _act(lambda: svc.recompute_deadlines(n, actor=actor) or case,
             "已重新计算期限 Deadlines recomputed", case)
    endings = [k for k in ENDINGS if k in by]
    if endings:
        _end(svc, case, actor, endings)


def _deny(svc: CaseService, case: Case, actor: str, grounds: list[str]) -> None:
    """不予许可 with its reasons; a ground found at intake is the reason already written."""
    if grounds and key("bo_reason") not in st.session_state:
        st.session_state[key("bo_reason")] = "；".join(grounds)
    reason = st.text_area("不予许可理由 Reasons for denial", key=key("bo_reason"))
    if st.button("不予许可 Deny", key="bo_deny", type="primary" if grounds else "secondary"):
        _act(lambda: svc.deny(case.number, actor=actor, reason=reason),
             "已作出不予许可决定 Denied", case)


def _clock(svc: CaseService, case: Case, actor: str, *, resume: bool) -> None:
    """Stop or restart the clock for a special procedure (行政许可法 §45, or the
    matter's own law): ``resume`` when the offered move is to restart it."""
    n = case.number
    st.markdown("**计时 Clock**")
    if resume:
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


def _end(svc: CaseService, case: Case, actor: str, endings: list[str]) -> None:
    """终止 / 撤回 (those of ``endings`` offered): the case ends without a decision, with
    its reason, after a confirmation."""
    with st.expander("终止或撤回 End the case without a decision", key="bo_end_box"):
        kind = st.radio("办理方式 How", endings, key=key("bo_end_kind"), horizontal=True,
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
            started = case.step_started_on is not None and case.is_open
            mark = "▶" if started and i == case.step else (
                "✔" if i < case.step or case.decided_on is not None else "·")
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
    if pause is not None:  # ending or deciding a case closes its stop
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


def _sibling_flag(svc: CaseService, sibling: Case) -> str:
    """A sibling's most telling flag in words (``🟡 黄牌 · 超期 2 个工作日``); its clock
    when it has none; ``已办结`` once it has ended."""
    doc = summary(sibling.model_dump(mode="json"))
    if doc is None:
        return "已办结"
    flags = monitor([doc], svc.now().date(), svc.calendar).flags()
    if not flags:
        return "—"
    f = flags[0]
    words = flag_words(f, sibling.step)
    if f.kind in ("red", "yellow", "due_soon"):
        words = f"{FLAG_NAMES[f.kind]} · {words}"
    mark = {"red": "🔴", "yellow": "🟡", "due_soon": "🔵"}.get(f.kind, "⚠️")
    return f"{mark} {words}"


def bundle_panel(svc: CaseService, opened: OpenCatalog, user: User, case: Case) -> None:
    """同一件事的其他事项: the case's fellow cases of its 高效办成一件事. A sibling the officer
    may read (desk.access) shows its number, deadline and flag, and opens here; of
    another department's, only its matter, department and state (nothing of the
    applicant)."""
    link = case.bundle
    if link is None:
        return
    found = siblings(svc, case)
    cat = opened.catalog
    with st.container(border=True, key="bo_bundle"):
        st.markdown(f"**🔗 同一件事的其他事项** · {plain(link.name) or '一件事'} · "
                    f"一件事编号 {plain(link.number)}")
        if not found:
            st.caption("未找到同一件事的其他案件 No other case of this bundle was found")
            return
        rows, readable = [], []
        for sib in found:
            matter = opened.matters.get(sib.matter)
            full = may_read(user, sib.department, sib.route)
            row = {"事项 Matter": matter.name.zh if matter else "其他事项",
                   "部门 Department": cat.department_full_name(sib.department)
                   if cat else sib.department,
                   "状态 State": STATES.get(sib.state, ("—",))[0],
                   "案件编号 Case": "—", "承诺期限 Due": "—", "预警 Flag": "—"}
            if full:
                committed, _ = svc.deadlines(sib)
                row.update({"案件编号 Case": sib.number, "承诺期限 Due": _day(committed),
                            "预警 Flag": _sibling_flag(svc, sib)})
                readable.append(sib.number)
            rows.append(row)
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     key="bo_bundle_table",
                     column_order=["事项 Matter", "部门 Department", "状态 State",
                                   "承诺期限 Due", "预警 Flag", "案件编号 Case"])
        if len(readable) < len(found):
            st.caption("其他部门的案件只显示事项、部门和办理状态 Another department's case "
                       "shows its matter, department and state only")
        if readable:
            with st.container(horizontal=True):
                for n in readable:
                    st.button(f"打开 Open {n}", key=f"bo_bundle_open|{n}",
                              on_click=_open, args=(n,))


def _case_materials(svc: CaseService, case: Case) -> dict[str, str]:
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
    offers = offered_actions(svc, case, department, own=case.department == department)
    if grounds and any(o.action == "deny" for o in offers):
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
    bundle_panel(svc, opened, user, case)
    documents(svc, opened, case)
    if case.ended_on is not None:  # terminated or withdrawn
        ending = next((e for e in reversed(case.history) if e.to_state == case.state), None)
        st.info(f"{_state(case.state)}：{_day(case.ended_on)} · 理由 Reason："
                f"{plain(ending.comment) if ending else '—'}")
    # read_case lets in the case's own department and the offices with a step on it;
    # offered_actions gives the latter their step to sign only
    actions(svc, case, offers, units, _case_materials(svc, case))
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
    day = today()
    st.caption(f"{plain(dept.name.zh if dept else department)} · 受审分离：每件在办案件在且仅在"
               f"一个工作清单中，最紧急的在前 · 截至 as of {day.isoformat()}")
    flash = st.session_state.pop("bo_flash", None)
    if flash:
        st.success(flash)
    svc = CaseService(store(), opened.work_calendar(), now=clock(day))
    # Only the cases the officer may read (desk.access): their own department's, and
    # those with a step for one of its sections.
    mine = [s for s in svc.store.open_summaries()
            if may_read(user, str(s.get("department") or ""), s.get("route"))]
    lists = worklists(mine, day, svc.calendar, department=department)
    sections = department_units(opened.catalog, department) if opened.catalog else []
    units = unit_names(opened.catalog) if opened.catalog else {}
    if sections:  # what each section has to sign (or start) now
        cols = st.columns(len(sections))
        for col, (unit, name) in zip(cols, sections, strict=True):
            col.metric(plain(name), sum(unit in i.waiting for i in lists["review"]),
                       help="本股室待签批或待开始审查的案件 cases waiting for this section")
    if st.session_state.get("bo_list") not in lists:  # start where the work is
        st.session_state["bo_list"] = next((k for k in WORKLISTS if lists[k]), WORKLISTS[0])
    choice: Worklist = st.segmented_control(
        "工作清单 Worklists", WORKLISTS, key="bo_list", required=True,
        format_func=lambda k: f"{WORKLIST_NAMES[k][0]}（{len(lists[k])}）"
    ) or WORKLISTS[0]
    st.caption(f"**{WORKLIST_NAMES[choice][0]} {WORKLIST_NAMES[choice][1]}**："
               f"{WORKLIST_NOTES[choice]} · 🔴 红牌：超期且已过督办期，或超过法定时限 · "
               "🟡 黄牌：超期 · 🔵 即将到期")
    items = lists[choice]
    if choice == "review" and sections:
        options = ["", *(u for u, _ in sections)]
        names_of = dict(sections)
        section = st.selectbox("股室 Section", options, key="bo_section",
                               format_func=lambda u: names_of.get(u, "全部股室 All sections"))
        if section:
            items = [i for i in items if section in i.waiting]
    names = {c: m.name.zh for c, m in opened.matters.items()}
    bundled = {str(s["number"]) for s in mine if s.get("bundle")}
    if items:
        if any(i.number in bundled for i in items):
            st.caption("🔗 一件事：高效办成一件事，与其他事项一并申请，打开案件可见其他事项的"
                       "办理情况")
        rows = _rows(items, names, units, _material_names(opened), bundled)
        st.dataframe(_table(items, rows), hide_index=True, width="stretch", key="bo_queue",
                     column_config={k: st.column_config.Column(width=w)
                                    for k, w in COLUMN_WIDTHS.items()})
    else:
        st.info("清单为空 Nothing on this list")
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
