"""The monitor's opened case and its follow-ups (督办): the case's facts, history,
rating, follow-ups and documents, the 督办 order form, the open follow-ups with their
close form. Every change is a ``CaseService`` call; the page only asks and shows."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from formkit_studio.common import case_documents, current_user, users
from formkit_studio.labels import ACTIONS, STATES, error_text
from formkit_studio.monitor_widgets import CASE, RED, table
from formkit_studio.safe_text import plain

from formkit.cases.monitor import may_follow_up
from formkit.cases.service import SCORE_NAMES, Case, CaseService
from formkit.cases.trends import OpenFollowup
from formkit.catalog import OpenCatalog
from formkit.desk.access import read_case
from formkit.errors import FormkitError
from formkit.intake.deadlines import deadline

__all__ = ["FOLLOWUP_KINDS", "RATING_VIA", "Names", "case_panel", "followups_section"]

# Labels studio/labels.py does not have (yet): follow-up kinds and rating channels.
FOLLOWUP_KINDS = {"order": "督办", "rating": "差评整改"}
RATING_VIA = {"window": "窗口", "notice": "告知书链接", "online": "网上", "api": "其他系统"}
# A 督办's default due day: the card period's working days from today
ORDER_DAYS = 3


class Names:
    """Names for ids: matters, departments, people (never an id on the page)."""

    def __init__(self, opened: OpenCatalog) -> None:
        self.matters = {c: m.name.zh for c, m in opened.matters.items()}
        self.depts = {d.id: d.name.zh for d in opened.catalog.departments} \
            if opened.catalog else {}
        self.opened = opened
        self._people: dict[str, str] | None = None

    def matter(self, code: str) -> str:
        return self.matters.get(code, code)

    def dept(self, dept_id: str) -> str:
        return self.depts.get(dept_id, dept_id or "—")

    def person(self, username: str) -> str:
        if self._people is None:
            try:
                self._people = {u.username: u.name.zh for u in users().users}
            except (FormkitError, OSError):
                self._people = {}
        return self._people.get(username, username)



# ---- the opened case: history, rating, follow-ups, documents; the 督办 action


def case_panel(svc: CaseService, opened: OpenCatalog, names: Names, number: str,
                key: str, day: dt.date) -> None:
    user = current_user()
    if user is None:
        return
    try:
        case = read_case(svc, user, number)
    except FormkitError as exc:
        st.error(plain(error_text(exc)))
        return
    with st.container(border=True, key=f"{key}-case"):
        st.markdown(f"#### 案件 {plain(case.number)} · {plain(names.matter(case.matter))}")
        committed, statutory = svc.deadlines(case, day)
        facts = [("部门 Department", names.dept(case.department)),
                 ("申请人 Applicant", case.applicant or "—"),
                 ("状态 State", STATES.get(case.state, (case.state,))[0]),
                 ("收件 Received", case.received_on.isoformat()),
                 ("承诺期限 Committed", committed.isoformat() if committed else "—"),
                 ("法定期限 Statutory", statutory.isoformat() if statutory else "—")]
        st.markdown("　".join(f"**{k}**：{plain(v)}" for k, v in facts))
        if case.rating is not None:
            r = case.rating
            st.markdown(f"**好差评 Rating**：{r.score}（{SCORE_NAMES[r.score]}）· "
                        f"{RATING_VIA.get(r.via, r.via)} · {r.at:%Y-%m-%d}"
                        + (f" · {plain(r.comment)}" if r.comment else ""))
        st.markdown("**办理过程 History**")
        st.dataframe(_history(case, names), hide_index=True, width="stretch",
                     key=f"{key}-history")
        if case.followups:
            st.markdown("**督办 Follow-ups**")
            st.dataframe(_followup_history(case, names, svc, day), hide_index=True,
                         width="stretch", key=f"{key}-followups")
        if may_follow_up(user.role):
            _order_form(svc, case, key, day)
        with st.expander("文书 Documents"):
            case_documents(opened, svc, case, f"{key}-docs", heading=False)


def _history(case: Case, names: Names) -> pd.DataFrame:
    return pd.DataFrame([{
        "时间 At": e.at.strftime("%Y-%m-%d %H:%M"),
        "动作 Action": ACTIONS.get(e.action, "其他 Other"),
        "状态 State": STATES.get(e.to_state, (e.to_state,))[0],
        "经办 Actor": names.person(e.actor), "意见 Comment": e.comment}
        for e in case.history])


def _followup_history(case: Case, names: Names, svc: CaseService,
                      day: dt.date) -> pd.DataFrame:
    rows = []
    for i, f in enumerate(case.followups, start=1):
        late = f.is_open and day > f.due
        rows.append({"序号 No.": i, "类型 Kind": FOLLOWUP_KINDS.get(f.kind, "督办"),
                     "事项 What": f.note, "期限 Due": f.due.isoformat(),
                     "督办人 By": names.person(f.opened_by),
                     "状态 Status": ("已办结 Closed " + str(f.closed_on)) if not f.is_open
                     else ("逾期 Overdue" if late else "办理中 Open"),
                     "办理结果 Result": f.result})
    return pd.DataFrame(rows)


def _order_form(svc: CaseService, case: Case, key: str, day: dt.date) -> None:
    """督办: a note and a due day (default: the card period's working days from today)."""
    default = deadline(day, ORDER_DAYS, "working_days", svc.calendar).value
    with st.form(f"{key}-order", clear_on_submit=True, border=False):
        st.markdown("**督办 Order a follow-up**")
        cols = st.columns([3, 1])
        note = cols[0].text_input("督办事项 What is to be done", key=f"{key}-order-note",
                                  placeholder="例：请于期限前说明超期原因并办结")
        due = cols[1].date_input("期限 Due", value=default, min_value=day,
                                 key=f"{key}-order-due")
        if st.form_submit_button("督办 Order", type="primary"):
            user = current_user()
            try:
                svc.order_followup(case.number, note=str(note or ""), due=due,
                                   actor=user.username if user else "")
            except FormkitError as exc:
                st.error(plain(error_text(exc, case)))
                return
            st.session_state["mon_done"] = f"已督办 Ordered：{case.number}，期限 {due}"
            st.rerun()


def followups_section(svc: CaseService, opened: OpenCatalog, names: Names,
               items: list[OpenFollowup], day: dt.date) -> None:
    """The open follow-ups, the overdue ones first and in red; a selected one opens its
    case and can be closed with what was done."""
    done = st.session_state.pop("mon_done", None)
    st.subheader(f"督办事项 Open follow-ups：{len(items)}", anchor="followups")
    if done:
        st.success(plain(done))
    if not items:
        st.caption("无 None")
        return
    frame = pd.DataFrame([{
        "状态 Status": "逾期 Overdue" if f.overdue else "办理中 Open", CASE: f.number,
        "类型 Kind": FOLLOWUP_KINDS.get(f.kind, "督办"),
        "事项 Matter": names.matter(f.matter), "部门 Department": names.dept(f.department),
        "督办事项 What": f.note, "督办日 Opened": f.opened_on.isoformat(),
        "期限 Due": f.due.isoformat(), "逾期工作日 Days over": f.days_over} for f in items])
    number = table(frame, "mon_followups", "督办事项",
                   colours=[RED if f.overdue else "" for f in items])
    if number is None:
        return
    user = current_user()
    mine = [f for f in items if f.number == number]
    if user is not None and may_follow_up(user.role):
        for f in mine:
            _close_form(svc, f)
    case_panel(svc, opened, names, number, "mon_followups", day)


def _close_form(svc: CaseService, item: OpenFollowup) -> None:
    key = f"mon_close_{item.number}_{item.id}"
    with st.form(key, clear_on_submit=True):
        st.markdown(f"**办结督办 Close**：{plain(FOLLOWUP_KINDS.get(item.kind, '督办'))} · "
                    f"{plain(item.note)}")
        result = st.text_area("办理结果 What was done（核实、整改、反馈）", key=f"{key}-note",
                              height=80)
        if st.form_submit_button("办结 Close", type="primary"):
            user = current_user()
            try:
                svc.close_followup(item.number, item.id, note=str(result or ""),
                                   actor=user.username if user else "")
            except FormkitError as exc:
                st.error(plain(error_text(exc)))
                return
            st.session_state["mon_done"] = f"已办结督办 Closed：{item.number}"
            st.rerun()


