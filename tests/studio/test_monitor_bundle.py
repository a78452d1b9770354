"""The monitor's 高效办成一件事 section, by AppTest: how many bundles, done, being handled
and overdue, and the open ones most urgent first, exportable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from formkit_studio import monitor_widgets as mw
from streamlit.testing.v1 import AppTest

from formkit.cases.bundles import BundleIntake, receive_bundle
from formkit.cases.service import CaseService
from formkit.cases.tinystore import TinyCaseStore
from formkit.catalog import open_catalog
from tests.studio.test_backoffice_bundle import BUNDLE

TITLE = "办理中的一件事"


def receive_on(workspace: Path, day: dt.date, example: int = 2) -> BundleIntake:
    """The bundle example ``example`` received at the window on ``day``."""
    opened = open_catalog(workspace / "definitions")
    store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
    svc = CaseService(store, opened.work_calendar(),
                      now=lambda: dt.datetime.combine(day, dt.time(10)))
    ex = opened.bundles[BUNDLE].tests[example]
    submission = {"fields": ex.fields,
                  "materials": [m.model_dump(exclude_none=True) for m in ex.materials]}
    return receive_bundle(svc, opened, BUNDLE, submission, actor="clerk")


def metric(at: AppTest, label: str) -> str:
    return str(next(m.value for m in at.metric if m.label == label))


def bundles_table(at: AppTest) -> pd.DataFrame:
    return next(t.value for t in at.table if "一件事 Bundle" in t.value.columns)


def test_the_monitor_counts_bundles_and_lists_the_open_ones_most_urgent_first(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    late = receive_on(workspace, dt.date(2026, 11, 2))  # due 11-11: past it by today
    fresh = receive_on(workspace, dt.date(2026, 11, 25), example=0)  # two matters
    at = signed_in("supervisor", "monitor.py")
    assert not at.exception, at.exception
    assert any(s.value.startswith("高效办成一件事") for s in at.subheader)
    assert (metric(at, "受理的一件事 Received"), metric(at, "已办结 Done"),
            metric(at, "办理中 Being handled"), metric(at, "超期 Overdue")) == (
        "2", "0", "2", "1")
    table = bundles_table(at)
    assert list(table["一件事编号 Number"]) == [late.number, fresh.number]
    first = table.iloc[0]
    assert first["标记 Flag"].startswith("🟥 超期 ")  # red: past the 督办 period too
    assert first["一件事 Bundle"] == "开办餐饮店“一件事”"
    assert first["收件 Received"] == "2026-11-02"
    assert first["办结期限 Due"] == max(c.committed_deadline for c in late.cases
                                       if c.committed_deadline).isoformat()
    assert first["已办结 Done"] == "0/3"
    assert first["尚在办理的事项 Still open"] == (
        "个体工商户设立登记、食品经营许可证核发（新办）、公共场所卫生许可（新办）")
    assert table.iloc[1]["标记 Flag"].endswith("还剩 5 个工作日")
    assert table.iloc[1]["已办结 Done"] == "0/2"
    # exported like the other tables (monitor_widgets.table): 办理中的一件事.xlsx / .csv
    assert mw.file_name(TITLE + " Open bundles（最紧急的在前）") == TITLE
    assert mw.csv(table).decode("utf-8-sig").splitlines()[0].startswith("标记 Flag,一件事")


def test_a_bundle_is_done_once_every_case_has_ended(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    made = receive_on(workspace, dt.date(2026, 11, 20), example=0)
    store = TinyCaseStore(workspace / "var" / "store", prefix="FK", fsync=False)
    first, second = made.cases
    store.update(first.number, lambda d: {**d, "state": "issued", "decided_on": "2026-11-23",
                                          "issued_on": "2026-11-23"}, lambda d: None)
    at = signed_in("supervisor", "monitor.py")
    assert metric(at, "办理中 Being handled") == "1"
    assert bundles_table(at).iloc[0]["已办结 Done"] == "1/2"
    assert bundles_table(at).iloc[0]["尚在办理的事项 Still open"] == "食品经营许可证核发（新办）"
    store.update(second.number, lambda d: {**d, "state": "issued", "decided_on": "2026-11-24",
                                           "issued_on": "2026-11-24"}, lambda d: None)
    at.run()
    assert (metric(at, "已办结 Done"), metric(at, "办理中 Being handled")) == ("1", "0")
    assert not any("一件事 Bundle" in t.value.columns for t in at.table)

