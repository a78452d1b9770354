"""效能监察 Monitor (电子效能监察): deadlines at risk, cards, and how each matter does.

Lists come from ``formkit.cases.monitor.monitor`` over the open-case index; counts,
on-time rates and handling days from ``formkit.cases.stats.store_overview``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st
from formkit_studio.common import catalog, current_user, store, today, users, with_hint
from formkit_studio.labels import STATES
from formkit_studio.safe_text import plain

from formkit.cases.monitor import Flag, MonitorConfig, monitor
from formkit.cases.stats import Overview, store_overview
from formkit.cases.store import CaseStore
from formkit.desk.access import may_read
from formkit.errors import FormkitError

PERIODS = {"year": "本年 This year", "90": "近90天 Last 90 days", "30": "近30天 Last 30 days",
           "all": "全部 All"}
LISTS = [  # (report attribute, title)
    ("statutory_overdue", "超过法定时限 Past the statutory limit（行政许可法第四十二条）"),
    ("red", "红牌 Red cards（督办期后仍未办结 still open after the follow-up period）"),
    ("yellow", "黄牌 Yellow cards（超过承诺时限 past the committed deadline）"),
    ("due_soon", "即将到期 Due soon（预警 early warning）"),
    ("notice_risk", "5日告知风险 5-day notice risk（行政许可法第三十二条）"),
    ("step_overdue", "环节超时 Step overdue"),
    ("tolerated_overdue", "容缺材料逾期 Tolerated materials overdue"),
    ("supplement_expired", "补正期满未补正 Supplement period over, nothing handed in"),
]


def _since(period: str, day: dt.date) -> dt.date:
    if period == "year":
        return dt.date(day.year, 1, 1)
    if period in ("90", "30"):
        return day - dt.timedelta(days=int(period))
    return dt.date(1900, 1, 1)


def _flags(flags: list[Flag], matters: dict[str, str], depts: dict[str, str]
           ) -> list[dict[str, Any]]:
    return [{"案件编号 Case": f.number, "事项 Matter": matters.get(f.matter, f.matter),
             "部门 Department": depts.get(f.department, f.department),
             "状态 State": STATES.get(f.state, (f.state,))[0],
             "期限 Due": f.due.isoformat() if f.due else "—", "工作日 Days": f.days,
             "说明 Detail": f.detail} for f in flags]


def main() -> None:
    opened = catalog()
    day = today()
    cal = opened.work_calendar()
    st.title("效能监察 Monitor")
    st.caption(f"电子效能监察 · 截至 as of {day.isoformat()}")
    matters = {c: m.name.zh for c, m in opened.matters.items()}
    depts = {d.id: d.name.zh for d in opened.catalog.departments} if opened.catalog else {}
    with st.expander("预警阈值 Thresholds（工作日 working days）"):
        cols = st.columns(3)
        due_soon = cols[0].number_input("预警 Due-soon window", min_value=0, max_value=30,
                                        value=2, step=1, key="mon_due_soon")
        red_after = cols[1].number_input("督办期 Days from yellow to red", min_value=0,
                                         max_value=60, value=3, step=1, key="mon_red_after")
        notice_warn = cols[2].number_input("告知预警 Notice warning after", min_value=0,
                                           max_value=5, value=4, step=1, key="mon_notice_warn")
    config = MonitorConfig(due_soon_days=int(due_soon), red_after_days=int(red_after),
                           notice_warn_days=int(notice_warn))
    shop = store()
    user = current_user()
    try:
        summaries = shop.open_summaries()
    except FormkitError as exc:  # a damaged index file: say which, and how to repair it
        _store_error(exc)
        return
    # The flags of the cases the user may read (desk.access): a supervisor's are all, an
    # officer's their own department's.
    summaries = [s for s in summaries if user is not None
                 and may_read(user, str(s.get("department") or ""), s.get("route"))]
    report = monitor(summaries, day, cal, config)
    cols = st.columns(7)
    for col, (label, value) in zip(cols, [
            ("在办 Open", report.open_cases), ("即将到期 Due soon", len(report.due_soon)),
            ("黄牌 Yellow", len(report.yellow)), ("红牌 Red", len(report.red)),
            ("告知风险 Notice risk", len(report.notice_risk)),
            ("环节超时 Step overdue", len(report.step_overdue)),
            ("容缺逾期 Tolerated overdue", len(report.tolerated_overdue))], strict=True):
        col.metric(label, value)

    period = st.selectbox("统计区间 Period", list(PERIODS), format_func=PERIODS.__getitem__,
                          key="mon_period")
    # Current at every render: the store keeps a tally per partition (shared by every
    # session), and reads again only the partitions written since the last render.
    figures: Overview | None = None
    try:
        figures = store_overview(shop, _since(period, day), cal)
    except FormkitError as exc:  # a damaged case partition: the lists still show
        _store_error(exc)
    if figures is not None:
        _by_stage_and_department(figures, depts)
    for name, title in LISTS:
        flags: list[Flag] = getattr(report, name)
        st.subheader(f"{title}：{len(flags)}")
        if flags:
            st.dataframe(_flags(flags, matters, depts), hide_index=True, width="stretch",
                         key=f"mon_{name}")
        else:
            st.caption("无 None")
    if figures is not None:
        _performance(figures, matters)
    if user is not None and user.role in ("supervisor", "admin"):
        _refused_reads(shop, _since(period, day), depts)


def _refused_reads(shop: CaseStore, since: dt.date, depts: dict[str, str]) -> None:
    """Who tried to open a case of another department (desk.access writes each refused
    read to the audit trail); read from the trail only when asked for."""
    st.subheader("越权查看记录 Refused reads")
    if not st.toggle("显示本区间的越权查看记录 Show the refused reads of this period",
                     key="mon_refused"):
        return
    try:
        entries = [e for e in shop.audit(since=since) if e.get("kind") == "refused_read"]
    except FormkitError as exc:
        _store_error(exc)
        return
    if not entries:
        st.caption("无 None")
        return
    try:
        people = {u.username: u.name.zh for u in users().users}
    except (FormkitError, OSError):
        people = {}
    st.dataframe([{"时间 At": str(e.get("at", "")).replace("T", " "),
                   "人员 Person": people.get(str(e.get("actor")), str(e.get("actor", ""))),
                   "所属部门 Their department": depts.get(str(e.get("department")), "—"),
                   "案件编号 Case": e.get("number", "")} for e in reversed(entries)],
                 hide_index=True, width="stretch", key="mon_refused_reads")


def _store_error(exc: FormkitError) -> None:
    st.error(f"案件库读取失败 Cannot read the case store：{plain(with_hint(exc))}")


def _by_stage_and_department(figures: Overview, depts: dict[str, str]) -> None:
    left, right = st.columns(2)
    with left:
        st.subheader("按阶段 By stage")
        by_state = pd.DataFrame(
            [{"阶段 Stage": " ".join(STATES.get(s, (s, s))), "件数 Cases": n}
             for s, n in sorted(figures.by_state.items(), key=lambda kv: list(STATES).index(
                 kv[0]) if kv[0] in STATES else 99)], columns=["阶段 Stage", "件数 Cases"])
        if not by_state.empty:
            st.bar_chart(by_state, x="阶段 Stage", y="件数 Cases", horizontal=True)
        st.dataframe(by_state, hide_index=True, width="stretch", key="mon_by_state")
    with right:
        st.subheader("按部门 By department")
        by_dept = pd.DataFrame(
            [{"部门 Department": depts.get(d, d or "—"), "件数 Cases": n}
             for d, n in sorted(figures.by_department.items(),
                                key=lambda kv: (-kv[1], kv[0]))],
            columns=["部门 Department", "件数 Cases"])
        if not by_dept.empty:
            st.bar_chart(by_dept, x="部门 Department", y="件数 Cases", horizontal=True)
        st.dataframe(by_dept, hide_index=True, width="stretch", key="mon_by_department")


def _performance(figures: Overview, matters: dict[str, str]) -> None:
    st.subheader("按事项的按时办结率与平均办理天数 On-time rate and handling days per matter")
    perf = pd.DataFrame(
        [{"编码 Code": p.matter, "事项 Matter": matters.get(p.matter, p.matter),
          "办结 Decided": p.decided, "按时 On time": p.on_time,
          "按时办结率 On-time rate %": round(p.on_time_rate * 100, 1),
          "平均办理工作日 Average days": p.average_days,
          "承诺时限 Committed days": p.committed_days} for p in figures.performance],
        columns=["编码 Code", "事项 Matter", "办结 Decided", "按时 On time",
                 "按时办结率 On-time rate %", "平均办理工作日 Average days",
                 "承诺时限 Committed days"])
    if perf.empty:
        st.caption("本区间内尚无办结案件 No case decided in this period")
        return
    st.dataframe(perf, hide_index=True, width="stretch", key="mon_performance")
    st.bar_chart(perf, x="事项 Matter",
                 y=["平均办理工作日 Average days", "承诺时限 Committed days"], stack=False,
                 horizontal=True)


main()
