"""效能监察 Monitor (电子效能监察): deadlines at risk, cards, follow-ups (督办), trends.

Lists come from ``formkit.cases.monitor.monitor`` over the open-case index; totals,
weekly trends and the open follow-ups from ``formkit.cases.trends.store_figures`` (one
digest per store partition, kept while the partition is unchanged). The page only shows
them: a selected row opens its case below the table (history, rating, follow-ups,
documents), where the supervisor orders a 督办; every table exports to Excel and CSV;
the charts are Altair, with Chinese axis titles.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from formkit_studio.common import catalog, current_user, store, today, with_hint
from formkit_studio.labels import FLAGS, STATES, flag_text
from formkit_studio.monitor_case import Names, case_panel, followups_section
from formkit_studio.monitor_widgets import (
    CASE,
    ORANGE,
    RED,
    YELLOW,
    bars,
    performance_chart,
    table,
    trend_charts,
    wrapped_table,
)
from formkit_studio.safe_text import plain

from formkit.cases.bundles import BundleFigures, bundle_figures
from formkit.cases.monitor import Flag, MonitorConfig, monitor
from formkit.cases.service import CaseService
from formkit.cases.stats import Overview
from formkit.cases.store import CaseStore
from formkit.cases.trends import Figures, OpenFollowup, Trends, store_digests
from formkit.cases.trends import figures as period_figures
from formkit.definitions.users import User
from formkit.desk.access import may_read
from formkit.desk.checklist import clock
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
# A row's colour by its flag: red for what is past the law or the card period, orange
# for past the promise, yellow for a warning.
COLOURS = {"statutory_overdue": RED, "red": RED, "notice_overdue": RED, "yellow": ORANGE,
           "step_overdue": ORANGE, "tolerated_overdue": ORANGE, "supplement_expired": ORANGE,
           "due_soon": YELLOW, "notice_risk": YELLOW}


def _since(period: str, day: dt.date) -> dt.date:
    if period == "year":
        return dt.date(day.year, 1, 1)
    if period in ("90", "30"):
        return day - dt.timedelta(days=int(period))
    return dt.date(1900, 1, 1)


def main() -> None:
    opened = catalog()
    day = today()
    cal = opened.work_calendar()
    st.title("效能监察 Monitor")
    st.caption(f"电子效能监察 · 截至 as of {day.isoformat()}")
    names = Names(opened)
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
    svc = CaseService(shop, cal, now=clock(day))
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

    period = st.selectbox("统计区间 Period", list(PERIODS), format_func=PERIODS.__getitem__,
                          key="mon_period")
    # Current at every render: the store keeps a digest per partition (shared by every
    # session), and reads again only the partitions written since the last render.
    figures: Overview | None = None
    trends: Trends | None = None
    followups: list[OpenFollowup] = []
    digests: list[Figures] | None = None
    since = _since(period, day)
    try:
        digests = store_digests(shop, since, day, cal)
        figures, trends, followups = period_figures(digests, since, day, cal)
    except FormkitError as exc:  # a damaged case partition: the lists still show
        _store_error(exc)
    followups = [f for f in followups if user is not None and may_read(user, f.department)]
    cols = st.columns(8)
    for col, (label, value) in zip(cols, [
            ("在办 Open", report.open_cases), ("即将到期 Due soon", len(report.due_soon)),
            ("黄牌 Yellow", len(report.yellow)), ("红牌 Red", len(report.red)),
            ("告知风险 Notice risk", len(report.notice_risk)),
            ("环节超时 Step overdue", len(report.step_overdue)),
            ("容缺逾期 Tolerated overdue", len(report.tolerated_overdue)),
            ("督办未办结 Open follow-ups", len(followups))], strict=True):
        col.metric(label, value)

    if figures is not None:
        _by_stage_and_department(figures, names)
    for name, title in LISTS:
        flags: list[Flag] = getattr(report, name)
        st.subheader(f"{title}：{len(flags)}")
        if not flags:
            st.caption("无 None")
            continue
        chosen = table(_flag_frame(flags, names), f"mon_list_{name}", title,
                       colours=[COLOURS.get(f.kind, "") for f in flags])
        if chosen is not None:
            case_panel(svc, opened, names, chosen, f"mon_list_{name}", day)
    followups_section(svc, opened, names, followups, day)
    if digests is not None and user is not None:
        _bundles(bundle_figures(_readable_bundles(digests, user), since, day, cal), names,
                 config)
    if figures is not None:
        _performance(figures, names)
    if trends is not None:
        _trends(trends, names)
    if user is not None and user.role in ("supervisor", "admin"):
        _refused_reads(shop, _since(period, day), names)


def _flag_frame(flags: list[Flag], names: Names) -> pd.DataFrame:
    return pd.DataFrame(
        [{"标记 Flag": FLAGS.get(f.kind, (f.kind,))[0], CASE: f.number,
          "事项 Matter": names.matter(f.matter), "部门 Department": names.dept(f.department),
          "状态 State": STATES.get(f.state, (f.state,))[0],
          "期限 Due": f.due.isoformat() if f.due else "—", "工作日 Days": f.days,
          "说明 Detail": flag_text(f, names.opened.matters.get(f.matter))} for f in flags])


# ---- 高效办成一件事


def _readable_bundles(digests: list[Figures], user: User) -> list[dict[str, object]]:
    """The bundle rows of the bundles with a case ``user`` may read (desk.access): a
    supervisor's are all, an officer's those their department has a part in."""
    rows = [r for d in digests for r in d.bundles]
    mine = {r["bundle"] for r in rows
            if may_read(user, str(r.get("department") or ""), r.get("route"))}
    return [r for r in rows if r["bundle"] in mine]


def _bundle_flag(days: int | None) -> str:
    if days is None:
        return "尚未确定期限"
    if days > 0:
        return f"超期 {days} 个工作日"
    return "今日到期" if days == 0 else f"还剩 {-days} 个工作日"


def _bundles(found: BundleFigures, names: Names, config: MonitorConfig) -> None:
    """高效办成一件事: the bundles received in the period, and the open ones, most urgent
    first, with the matters still being handled."""
    st.subheader("高效办成一件事 One-thing bundles", anchor="bundles")
    st.caption("本区间受理的“一件事”：一次申请、多个事项并联办理；全部事项办结才算办结，"
               "办结期限为各事项承诺期限中最晚的一个")
    cols = st.columns(4)
    for col, (label, value) in zip(cols, [
            ("受理的一件事 Received", found.received), ("已办结 Done", found.done),
            ("办理中 Being handled", found.open), ("超期 Overdue", found.overdue)],
            strict=True):
        col.metric(label, value)
    title = "办理中的一件事 Open bundles（最紧急的在前 most urgent first）"
    st.markdown(f"**{title}**")
    if not found.open_bundles:
        st.caption("无 None")
        return
    rows, colours = [], []
    for b in found.open_bundles:
        p = b.progress
        done = len(p.cases) - len(p.still_open)
        rows.append({"标记 Flag": _bundle_flag(b.days), "一件事 Bundle": p.name,
                     "一件事编号 Number": p.number, "收件 Received": p.received_on.isoformat(),
                     "办结期限 Due": p.due.isoformat() if p.due else "—",
                     "已办结 Done": f"{done}/{len(p.cases)}",
                     "尚在办理的事项 Still open": "、".join(names.matter(m)
                                                         for m in b.open_matters)})
        days = b.days
        colours.append("" if days is None else RED if days > config.red_after_days
                       else ORANGE if days > 0 else YELLOW if -days <= config.due_soon_days
                       else "")
    # st.table: the matters still open wrap in their cell, never cut off
    wrapped_table(pd.DataFrame(rows), "mon_bundles", title, colours=colours)


# ---- the refused reads


def _refused_reads(shop: CaseStore, since: dt.date, names: Names) -> None:
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
    frame = pd.DataFrame([{"时间 At": str(e.get("at", "")).replace("T", " "),
                           "人员 Person": names.person(str(e.get("actor", ""))),
                           "所属部门 Their department": names.depts.get(
                               str(e.get("department")), "—"),
                           CASE: e.get("number", "")} for e in reversed(entries)])
    table(frame, "mon_refused_reads", "越权查看记录", select=False)


def _store_error(exc: FormkitError) -> None:
    st.error(f"案件库读取失败 Cannot read the case store：{plain(with_hint(exc))}")


# ---- figures and charts


def _by_stage_and_department(figures: Overview, names: Names) -> None:
    left, right = st.columns(2)
    order = list(STATES)
    with left:
        st.subheader("按阶段 By stage")
        by_state = pd.DataFrame(
            [{"阶段 Stage": " ".join(STATES.get(s, (s, s))), "件数 Cases": n}
             for s, n in sorted(figures.by_state.items(), key=lambda kv: order.index(
                 kv[0]) if kv[0] in STATES else 99)], columns=["阶段 Stage", "件数 Cases"])
        if not by_state.empty:
            bars(by_state, "阶段 Stage", "件数 Cases", "mon_chart_stage")
        table(by_state, "mon_by_state", "按阶段", select=False)
    with right:
        st.subheader("按部门 By department")
        by_dept = pd.DataFrame(
            [{"部门 Department": names.dept(d), "件数 Cases": n}
             for d, n in sorted(figures.by_department.items(),
                                key=lambda kv: (-kv[1], kv[0]))],
            columns=["部门 Department", "件数 Cases"])
        if not by_dept.empty:
            bars(by_dept, "部门 Department", "件数 Cases", "mon_chart_department")
        table(by_dept, "mon_by_department", "按部门", select=False)


def _performance(figures: Overview, names: Names) -> None:
    st.subheader("按事项的按时办结率与平均办理天数 On-time rate and handling days per matter")
    perf = pd.DataFrame(
        [{"编码 Code": p.matter, "事项 Matter": names.matter(p.matter),
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
    table(perf, "mon_performance", "按事项办结情况", select=False)
    performance_chart(perf)


def _trends(trends: Trends, names: Names) -> None:
    st.subheader("趋势 Trends（按周 weekly，周一起 weeks from Monday）")
    # Drawn when asked for (the choice is kept for the session): seven charts and their
    # data cost a quarter of a second a render, and the page must stay under a second
    # with a county's year of cases.
    if not st.toggle("显示按周趋势图 Show the weekly trends", key="mon_trends"):
        return
    if not trends.weeks:
        st.caption("本区间内尚无案件 No case in this period")
        return
    weeks = trend_charts(trends, names.dept, names.matter)
    st.markdown("**按周数据 The weeks' figures**")
    table(weeks, "mon_weeks", "按周趋势", select=False)


main()
