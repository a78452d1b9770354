"""The monitor in a browser (issue #17, items 11 and 12): rows coloured by flag, a case
opened from its row, a 督办 ordered and tracked, every table exported to .xlsx and
CSV (the files' content checked), and the weekly trend charts drawn.

Screenshots: ``docs/screenshots/monitor-act.png`` (the opened case and the follow-ups)
and ``docs/screenshots/monitor-trends.png`` (the charts), also kept in the test's
output folder.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
from pathlib import Path

import openpyxl
from playwright.sync_api import Locator, expect

from tests.e2e.conftest import ROOT, Studio
from tests.studio.test_monitor_page import ALL, Desk

SCREENSHOTS = ROOT / "docs" / "screenshots"

# The grid's canvas colour of a row (Glide draws the cells; no DOM holds their style).
_PIXEL_JS = """
([x, y]) => {
  const c = document.querySelectorAll('[data-testid="stDataFrame"] canvas');
  for (const canvas of c) {
    const r = canvas.getBoundingClientRect();
    if (x >= r.left && x < r.right && y >= r.top && y < r.bottom) {
      const k = canvas.width / r.width;
      const d = canvas.getContext('2d').getImageData((x - r.left) * k, (y - r.top) * k, 1, 1);
      return Array.from(d.data.slice(0, 3));
    }
  }
  return null;
}
"""


def seed(workspace: Path) -> dict[str, str]:
    """A red card, a yellow card and an issued case rated 非常不满意 (a 差评: a
    follow-up opens), on the e2e day 2026-11-25."""
    desk = Desk(workspace)
    late = desk.on(dt.date(2026, 11, 10)).receive(ALL)  # due 11-17: red by 11-25
    yellow = desk.on(dt.date(2026, 11, 17)).receive(ALL)  # due 11-24: yellow
    done = desk.on(dt.date(2026, 11, 18)).receive(ALL)
    desk.sign_all(done.number)
    desk.on(dt.date(2026, 11, 24)).svc.approve(done.number, actor="chief")
    desk.svc.issue(done.number, actor="clerk")
    desk.on(dt.date(2026, 11, 25)).svc.rate(done.number, score=1, comment="来回跑了两次",
                                            actor="clerk", via="notice")
    return {"late": late.number, "yellow": yellow.number, "rated": done.number}


def grid(studio: Studio, column: str) -> Locator:
    """The ``st.dataframe`` element with a column ``column``."""
    header = studio.page.locator("thead th").filter(
        has_text=re.compile(rf"^\s*{re.escape(column)}\s*$"))
    return studio.page.get_by_test_id("stDataFrame").filter(has=header).first


def row_colour(studio: Studio, frame: Locator, row: int = 0) -> list[int]:
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    assert box is not None
    # the middle of the last column of the row, clear of the text at its start
    at = [box["x"] + box["width"] - 12, box["y"] + 35 * (row + 1) + 6]
    colour = studio.page.evaluate(_PIXEL_JS, at)
    assert colour is not None
    return list(colour)


def select_row(studio: Studio, frame: Locator, row: int = 0) -> None:
    """Tick the row's marker (the grid's first, narrow column)."""
    frame.scroll_into_view_if_needed()
    box = frame.bounding_box()
    assert box is not None
    runs = studio._runs()
    frame.hover()
    studio.page.mouse.click(box["x"] + 15, box["y"] + 35 * (row + 1) + 17)
    studio.wait_idle(runs)


def download(studio: Studio, button: Locator) -> bytes:
    with studio.page.expect_download() as info:
        button.click()
    path = info.value.path()
    return Path(path).read_bytes()


def test_the_supervisor_acts_on_the_monitor(studio: Studio, workspace: Path) -> None:
    cases = seed(workspace)
    studio.sign_in("supervisor")
    expect(studio.page.get_by_role("heading", name="效能监察 Monitor")).to_be_visible()
    studio.expect_no_exception()
    expect(studio.metric_value("红牌 Red")).to_have_text("1")
    expect(studio.metric_value("督办未办结 Open follow-ups")).to_have_text("1")

    # ---- rows coloured by flag: the red card's row is red, the yellow card's orange
    red = grid(studio, "标记 Flag")  # the first flag table: past the statutory limit
    red_rows = studio.frame_rows("标记 Flag")
    assert red_rows and red_rows[0]["标记 Flag"].startswith("🟥"), red_rows
    r, g, b = row_colour(studio, red)
    assert r > 230 and 180 < g < 215 and 180 < b < 215, (r, g, b)  # #f8c4c4

    # ---- the 差评 opened a follow-up, listed with its due day
    follow = grid(studio, "督办事项 What")
    rows = studio.frame_rows("督办事项 What")
    assert [(x["案件编号 Case"], x["类型 Kind"]) for x in rows] == [
        (cases["rated"], "差评整改")], rows

    # ---- exports: the follow-ups as .xlsx and CSV, the same rows
    exports = follow.locator("xpath=following::*[@data-testid='stDownloadButton']")
    book = openpyxl.load_workbook(io.BytesIO(download(
        studio, exports.filter(has_text="导出 Excel").first.locator("button"))))
    sheet = book.active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["状态 Status", "案件编号 Case", "类型 Kind"], values[0]
    assert values[1][1:3] == [cases["rated"], "差评整改"], values
    # due 15 working days after the rating on 11-25
    assert values[1][values[0].index("期限 Due")] == "2026-12-16", values
    text = download(studio, exports.filter(has_text="导出 CSV").first.locator("button"))
    assert text.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert table[0][1] == "案件编号 Case" and table[1][1] == cases["rated"], table

    # ---- open the red card's case from its row: history, documents, the 督办 form
    select_row(studio, red)
    panel = studio.page.locator(".st-key-mon_list_statutory_overdue-case")
    expect(panel).to_be_visible()
    expect(panel.get_by_text(f"案件 {cases['late']}")).to_be_visible()
    expect(panel.get_by_text("办理过程 History")).to_be_visible()
    panel.get_by_label("督办事项 What is to be done").fill("请说明超期原因，三日内办结")
    runs = studio._runs()
    panel.get_by_role("button", name="督办 Order").click()
    studio.wait_idle(runs)
    studio.expect_no_exception()
    studio.expect_text(re.compile(f"已督办 Ordered：{cases['late']}"))
    expect(studio.metric_value("督办未办结 Open follow-ups")).to_have_text("2")
    studio.expect_frame_row_count("督办事项 What", 2)  # the table redrawn
    rows = studio.frame_rows("督办事项 What")
    assert {(x["案件编号 Case"], x["类型 Kind"]) for x in rows} == {
        (cases["rated"], "差评整改"), (cases["late"], "督办")}, rows
    follow = grid(studio, "督办事项 What")
    select_row(studio, follow, [x["案件编号 Case"] for x in rows].index(cases["late"]))
    expect(studio.page.get_by_text("办结督办 Close")).to_be_visible()
    panel = studio.page.locator(".st-key-mon_followups-case")
    expect(panel.get_by_text(f"案件 {cases['late']}")).to_be_visible()
    expect(panel.get_by_text("督办 Follow-ups", exact=True)).to_be_visible()
    shot = studio.shot("monitor-act", focus=grid(studio, "督办事项 What"))
    shutil.copy(shot, SCREENSHOTS / "monitor-act.png")

    # ---- the trends: five charts, drawn, with Chinese axis titles
    heading = studio.page.get_by_role("heading", name=re.compile("^趋势 Trends"))
    heading.scroll_into_view_if_needed()
    runs = studio._runs()
    studio.page.get_by_text("显示按周趋势图 Show the weekly trends").click()
    studio.wait_idle(runs)
    charts = studio.page.get_by_test_id("stVegaLiteChart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 7  # stages, departments, per matter, and four weekly
    flow = charts.filter(has=studio.page.locator("svg, canvas")).nth(3)
    expect(flow).to_be_visible()
    shot = studio.shot("monitor-trends", focus=heading)
    shutil.copy(shot, SCREENSHOTS / "monitor-trends.png")
    studio.expect_no_exception()
