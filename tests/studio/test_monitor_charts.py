"""The monitor's charts and exports (studio/monitor_widgets.py) without a browser: every
chart spec passes Altair's schema checks (skipped at render time), has Chinese axis
titles and no truncated labels; the .xlsx and CSV exports hold the table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import openpyxl
import pandas as pd
import pytest
from formkit_studio import monitor_widgets as mw

D = dt.date
WEEKS = pd.DataFrame([{"周": "11-16", "收件": 3, "办结": 1, "平均办理工作日": 2.5,
                       "平均承诺时限": 5.0},
                      {"周": "11-23", "收件": 2, "办结": 4, "平均办理工作日": None,
                       "平均承诺时限": None}])
RATES = pd.DataFrame([{"周": "11-16", "部门": "市场监督管理局", "事项": "食品经营许可",
                       "按时办结率": 0.5, "办结": 2}])
PERF = pd.DataFrame([{"事项 Matter": "食品经营许可证核发（新办）",
                      "平均办理工作日 Average days": 4.0, "承诺时限 Committed days": 5}])
ORDER = ["11-16", "11-23"]


@pytest.fixture(autouse=True)
def checked() -> Iterator[None]:
    """Altair's schema checks on, and no spec left in the cache from unchecked runs."""
    mw.VALIDATE = True
    st_cached = [mw._bars_spec, mw._performance_spec, mw._lines_spec, mw._rate_lines_spec,
                 mw._rate_heat_spec]
    for f in st_cached:
        f.clear()
    yield
    mw.VALIDATE = False
    for f in st_cached:
        f.clear()


def axes(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every encoding channel of the spec and its layers."""
    found = []
    for part in [spec, *spec.get("layer", [])]:
        found += [v for v in (part.get("encoding") or {}).values() if isinstance(v, dict)]
    return found


@pytest.mark.parametrize("build", [
    # (a label, the spec): each one the page draws
    lambda: mw._bars_spec(pd.DataFrame({"阶段 Stage": ["审查中"], "件数 Cases": [3]}),
                          "阶段 Stage", "件数 Cases"),
    lambda: mw._performance_spec(PERF),
    lambda: mw._lines_spec(WEEKS, ORDER, ["收件", "办结"], "件数", "件数", False),
    lambda: mw._lines_spec(WEEKS, ORDER, ["平均办理工作日", "平均承诺时限"], "工作日", "工作日",
                           True),
    lambda: mw._rate_lines_spec(RATES, ORDER),
    lambda: mw._rate_heat_spec(RATES, ORDER),
])
def test_every_chart_is_valid_vega_lite_with_uncut_labels(build: Any) -> None:
    spec = build()  # raises if Altair's schema check fails
    config = spec["config"]
    assert config["axis"]["labelLimit"] == 0 and config["legend"]["labelLimit"] == 0
    titles = [c.get("title") for c in axes(spec) if "title" in c]
    assert titles and all(t is None or any("\u4e00" <= ch <= "\u9fff" for ch in t)
                          for t in titles), titles
    assert "value" not in titles


def test_the_week_labels_carry_the_year_only_across_two() -> None:
    assert mw.week_labels([D(2026, 11, 23)])(D(2026, 11, 23)) == "11-23"
    assert mw.week_labels([D(2025, 12, 29), D(2026, 1, 5)])(D(2026, 1, 5)) == "2026-01-05"


def test_the_exports_hold_the_table() -> None:
    frame = pd.DataFrame([{"案件编号 Case": "FK2026112500001", "说明 Detail": "超过承诺时限",
                           "工作日 Days": 3}])
    book = openpyxl.load_workbook(io.BytesIO(mw.xlsx(frame, "红牌")))
    sheet = book["红牌"]
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [
        ["案件编号 Case", "说明 Detail", "工作日 Days"], ["FK2026112500001", "超过承诺时限", 3]]
    assert sheet.column_dimensions["B"].width >= 12  # as wide as the Chinese text
    data = mw.csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1] == [
        "FK2026112500001", "超过承诺时限", "3"]


@pytest.mark.parametrize(("title", "name"), [
    ("红牌 Red cards（督办期后仍未办结）", "红牌"),
    ("督办事项", "督办事项"),
    ("5日告知风险 5-day notice risk（行政许可法第三十二条）", "5日告知风险"),
])
def test_file_names_are_the_titles_chinese_words(title: str, name: str) -> None:
    assert mw.file_name(title) == name

