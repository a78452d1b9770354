"""The monitor's tables and charts: rows coloured by flag, a row that opens its case,
an Excel and a CSV export under every table, and Altair charts with Chinese axis
titles whose labels are never cut off.

Two costs shape this module. A pandas ``Styler`` (the only way Streamlit colours a row)
costs 10-30 ms a table and about 0.4 ms a row at every render, so a row's background is
painted on the tables that hold red rows (past the law, a red card, an overdue 督办) of
up to ``PAINT_ROWS`` rows; every row, on every table, starts with its flag's coloured
mark (🟥 🟧 🟨), which costs nothing. And an Altair chart validates its
Vega-Lite JSON against the schema when built and again when shown (30-60 ms a chart):
each chart's spec is built once per distinct data (``st.cache_data``) and shown with
``st.vega_lite_chart``, the same spec Streamlit would draw from the Altair object.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from altair.utils.schemapi import debug_mode

from formkit.cases.trends import Trends

__all__ = ["CASE", "MARKS", "bars", "export", "performance_chart", "table", "trend_charts",
           "wrapped_table"]

CASE = "案件编号 Case"
PAINT_ROWS = 30
# A row's colour by its flag: red past the law or the card period, orange past the
# promise, yellow a warning; the mark starts its first cell, the colour paints the row.
RED, ORANGE, YELLOW = "#f8c4c4", "#fde2b8", "#fff6bf"
MARKS = {RED: "🟥", ORANGE: "🟧", YELLOW: "🟨"}
FONT = 13
# Altair checks every part of a chart against the Vega-Lite schema as it is built, and
# the whole spec again: most of a chart's cost. The specs here are fixed code over
# tables of known columns, so they are checked by the tests (which set this), not at
# every first render.
VALIDATE = False


def table(frame: pd.DataFrame, key: str, title: str, *, colours: list[str] | None = None,
          select: bool = True) -> str | None:
    """Show ``frame``, rows in ``colours`` (its first column starts with each colour's
    mark), with its Excel and CSV export (of the data, without the marks); returns the
    case number of the selected row, if any."""
    shown: Any = frame
    if colours and any(colours):
        first = frame.columns[0]
        shown = frame.assign(**{first: [f"{MARKS.get(c, '⬜')} {v}" if c else str(v)
                                         for c, v in zip(colours, frame[first],
                                                         strict=True)]})
        if len(frame) <= PAINT_ROWS and RED in colours:
            paint = [f"background-color: {c}" if c else "" for c in colours]
            # object columns: the Styler writes each cell's display text back into the
            # frame, half as fast into pandas' Arrow-backed strings
            shown = shown.astype(object).style.apply(lambda col: paint, axis=0)
    picked = st.dataframe(shown, hide_index=True, width="stretch", key=key,
                          on_select="rerun" if select else "ignore",
                          selection_mode="single-row")
    export(frame, title, key)
    if not select or CASE not in frame.columns:
        return None
    rows = list(getattr(getattr(picked, "selection", None), "rows", None) or [])
    return str(frame[CASE].iloc[rows[0]]) if rows and rows[0] < len(frame) else None


def wrapped_table(frame: pd.DataFrame, key: str, title: str, *,
                  colours: list[str] | None = None) -> None:
    """A short table whose long cells wrap instead of being cut off (``st.table``: a
    list of names in a cell shows whole), rows in ``colours`` with their marks as in
    ``table``, and the same Excel and CSV export (of the data, without the marks)."""
    colours = colours or [""] * len(frame)
    first = frame.columns[0]
    marked = frame.assign(**{first: [f"{MARKS.get(c, '⬜')} {v}" if c else str(v)
                                      for c, v in zip(colours, frame[first], strict=True)]})
    paint = [f"background-color: {c}" if c else "" for c in colours]
    shown = marked.astype(object).style.apply(lambda col: paint, axis=0).hide(axis="index")
    with st.container(key=key):
        st.table(shown)
    export(frame, title, key)


def export(frame: pd.DataFrame, title: str, key: str) -> None:
    """导出 Excel and 导出 CSV buttons; the files are made when clicked."""
    name = file_name(title)
    with st.container(horizontal=True):
        st.download_button("导出 Excel", data=functools.partial(xlsx, frame, name),
                           file_name=f"{name}.xlsx", key=f"{key}|xlsx", icon="📥",
                           mime="application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet", on_click="ignore")
        st.download_button("导出 CSV", data=functools.partial(csv, frame),
                           file_name=f"{name}.csv", mime="text/csv", key=f"{key}|csv",
                           icon="📄", on_click="ignore")


def file_name(title: str) -> str:
    """A title's Chinese words as a file name: ``红牌 Red cards（…）`` -> ``红牌``."""
    head = title.split("（")[0].split(" ")[0].strip()
    return "".join(ch for ch in head if ch.isalnum() or ch in "-_") or "table"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    """The table as an Excel workbook (one sheet), its columns as wide as their text."""
    out = io.BytesIO()
    name = sheet[:31] or "Sheet1"
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=name)
        ws = writer.sheets[name]
        for i, column in enumerate(frame.columns, start=1):
            cells = [str(column)] + [str(v) for v in frame[column].head(500)]
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(
                max(_width(c) for c in cells) + 2, 80)
    return out.getvalue()


def csv(frame: pd.DataFrame) -> bytes:
    """The table as CSV, UTF-8 with a BOM: Excel reads a file without one in the
    local code page, and the Chinese comes out garbled."""
    return frame.to_csv(index=False).encode("utf-8-sig")


# ---- charts


def _show(spec: dict[str, Any], key: str) -> None:
    st.vega_lite_chart(spec, width="stretch", key=key)


def _unchecked(build: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Build a spec with Altair's checks as ``VALIDATE`` says."""
    @functools.wraps(build)
    def built(*args: Any, **kwargs: Any) -> dict[str, Any]:
        with debug_mode(VALIDATE):
            return build(*args, **kwargs)
    return built


def _tips(*fields: str) -> list[Any]:
    # channel objects, not strings: Altair checks a string against the schema each time
    return [alt.Tooltip(f) for f in fields]


def _configured(chart: Any) -> dict[str, Any]:
    """The chart's spec: labels and legends at a readable size, never truncated, the
    legend above the plot (a long department name beside it would squeeze it; below,
    it sits far from the plot, past the axis labels)."""
    spec: dict[str, Any] = chart.configure_axis(
        labelFontSize=FONT, titleFontSize=FONT, labelLimit=0, titlePadding=8,
    ).configure_legend(labelFontSize=FONT, titleFontSize=FONT, labelLimit=0,
                       orient="top", columns=4).to_dict(validate=VALIDATE)
    return spec


@st.cache_data(show_spinner=False, max_entries=256)
@_unchecked
def _bars_spec(frame: pd.DataFrame, y: str, x: str) -> dict[str, Any]:
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{y}:N", sort=None, title=None),
        x=alt.X(f"{x}:Q", title=x, axis=alt.Axis(tickMinStep=1, format="d")),
        tooltip=[alt.Tooltip(f"{y}:N"), alt.Tooltip(f"{x}:Q")])
    return _configured((base.mark_bar() + base.mark_text(align="left", dx=3).encode(
        text=alt.Text(f"{x}:Q"))).properties(height=max(80, 28 * len(frame))))


def bars(frame: pd.DataFrame, y: str, x: str, key: str) -> None:
    """Horizontal bars, one per row in the frame's order, the figure at the bar's end."""
    _show(_bars_spec(frame, y, x), key)


@st.cache_data(show_spinner=False, max_entries=64)
@_unchecked
def _performance_spec(perf: pd.DataFrame) -> dict[str, Any]:
    series = ["平均办理工作日", "承诺时限"]
    long = pd.DataFrame(
        [{"事项": m, "指标": s, "工作日": v}
         for m, days, limit in perf[["事项 Matter", "平均办理工作日 Average days",
                                      "承诺时限 Committed days"]].itertuples(index=False)
         for s, v in zip(series, (days, limit), strict=True)])
    return _configured(alt.Chart(long).mark_bar().encode(
        y=alt.Y("事项:N", title=None, sort=None),
        yOffset=alt.YOffset("指标:N", sort=series),
        x=alt.X("工作日:Q", title="工作日", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("指标:N", title=None, sort=series,
                        scale=alt.Scale(range=["#4c78a8", "#bab0ac"])),
        tooltip=_tips("事项:N", "指标:N", "工作日:Q")).properties(
            height=max(120, 44 * len(perf))))


def performance_chart(perf: pd.DataFrame) -> None:
    """Each matter's average handling days beside its committed limit."""
    _show(_performance_spec(perf), "mon_chart_performance")


def week_labels(weeks: list[dt.date]) -> Callable[[dt.date], str]:
    """A week's label (its Monday): ``11-23``, with the year when the weeks span two."""
    if len({w.year for w in weeks}) <= 1:
        return lambda w: f"{w:%m-%d}"
    return lambda w: f"{w:%Y-%m-%d}"


def _week_axis(order: list[str]) -> Any:
    return alt.X("周:O", sort=order, title="周（以周一日期表示）",
                 axis=alt.Axis(labelAngle=-45, labelOverlap="greedy"))


@st.cache_data(show_spinner=False, max_entries=64)
@_unchecked
def _lines_spec(frame: pd.DataFrame, order: list[str], series: list[str], value: str,
                title: str, dashed: bool) -> dict[str, Any]:
    long = frame.melt(id_vars=["周"], value_vars=series, var_name="类别",
                      value_name=value).dropna()
    encoding: dict[str, Any] = {
        "x": _week_axis(order),
        "y": alt.Y(f"{value}:Q", title=title, axis=alt.Axis(tickMinStep=1, format="d")),
        "color": alt.Color("类别:N", title=None, sort=series),
        "tooltip": _tips("周:N", "类别:N", f"{value}:Q")}
    if dashed:
        # the same field and title as the colour: one legend shows both
        encoding["strokeDash"] = alt.StrokeDash("类别:N", title=None, sort=series)
    return _configured(alt.Chart(long).mark_line(point=True).encode(**encoding)
                       .properties(height=260))


@st.cache_data(show_spinner=False, max_entries=64)
@_unchecked
def _rate_lines_spec(frame: pd.DataFrame, order: list[str]) -> dict[str, Any]:
    return _configured(alt.Chart(frame).mark_line(point=True).encode(
        x=_week_axis(order),
        y=alt.Y("按时办结率:Q", title="按时办结率",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("部门:N", title=None),
        tooltip=[*_tips("周:N", "部门:N"), alt.Tooltip("按时办结率:Q", format=".0%"),
                 alt.Tooltip("办结:Q")])
        .properties(height=280))


@st.cache_data(show_spinner=False, max_entries=64)
@_unchecked
def _rate_heat_spec(frame: pd.DataFrame, order: list[str]) -> dict[str, Any]:
    base = alt.Chart(frame).encode(
        x=_week_axis(order), y=alt.Y("事项:N", title=None),
        tooltip=[*_tips("周:N", "事项:N"), alt.Tooltip("按时办结率:Q", format=".0%"),
                 alt.Tooltip("办结:Q")])
    heat = base.mark_rect().encode(color=alt.Color(
        "按时办结率:Q", title="按时办结率",
        scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"),
        legend=alt.Legend(format="%", direction="horizontal")))
    text = base.mark_text(fontSize=11).encode(text=alt.Text("按时办结率:Q", format=".0%"))
    return _configured((heat + text).properties(
        height=max(120, 30 * frame["事项"].nunique())))


def trend_charts(trends: Trends, dept: Callable[[str], str],
                 matter: Callable[[str], str]) -> pd.DataFrame:
    """The weekly charts: received and finished; handling days against the limit; the
    on-time rate by department (lines) and by matter (a heat map). Returns the weeks'
    table."""
    label = week_labels([w.week for w in trends.weeks])
    order = [label(w.week) for w in trends.weeks]
    weeks = pd.DataFrame([{
        "周": label(w.week), "收件": w.received, "办结": w.finished, "决定": w.decided,
        "按时办结": w.on_time, "按时办结率": w.on_time_rate,
        "平均办理工作日": w.average_days, "平均承诺时限": w.average_committed_days,
        "评价": w.rated, "差评": w.poor} for w in trends.weeks])
    none = "本区间内尚无办结案件 No case decided in this period"

    st.markdown("**收件与办结 Received and finished per week**")
    _show(_lines_spec(weeks, order, ["收件", "办结"], "件数", "件数", False),
          "mon_chart_flow")
    st.markdown("**平均办理工作日与承诺时限 Average handling days against the committed "
                "limit**")
    if weeks["平均办理工作日"].notna().any():
        _show(_lines_spec(weeks, order, ["平均办理工作日", "平均承诺时限"], "工作日",
                          "工作日", True), "mon_chart_days")
    else:
        st.caption(none)
    st.markdown("**各部门按时办结率 On-time rate by department**")
    by_dept = pd.DataFrame([{"周": label(g.week), "部门": dept(g.key),
                             "按时办结率": g.on_time_rate, "办结": g.decided}
                            for g in trends.by_department])
    if by_dept.empty:
        st.caption(none)
    else:
        _show(_rate_lines_spec(by_dept, order), "mon_chart_department_rate")
    st.markdown("**各事项按时办结率 On-time rate by matter**")
    by_matter = pd.DataFrame([{"周": label(g.week), "事项": matter(g.key),
                               "按时办结率": g.on_time_rate, "办结": g.decided}
                              for g in trends.by_matter])
    if by_matter.empty:
        st.caption(none)
    else:
        _show(_rate_heat_spec(by_matter, order), "mon_chart_matter_rate")
    return weeks
