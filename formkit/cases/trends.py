"""Supervisor trends (电子效能监察): figures per week, not only totals, and the open
follow-ups (督办), in one pass over the store.

Per week (Monday to Sunday): cases received (by receipt day) and finished (办结: decided,
refused, terminated or withdrawn, by that day); the cases decided that week, how many
within their committed limit, their average handling days (accepted to decided, in the
limit's unit, a stopped clock not counted) against their average committed days; the
same on-time rate per department and per matter; the 好差评 ratings given and the 差评
among them. ``stats.Tally`` keeps the totals of the same cases.

One digest per partition holds all of it (``Figures``), so the store keeps one digest
per partition for the monitor: a store keeps the digests of its two most recent keys,
and one key for the totals, another for the trends and a third for the follow-ups would
push each other out at every render. The figures of a period are the partitions
received since its first day; the follow-ups are those of every partition read, which
reach back ``FOLLOWUP_LOOKBACK_DAYS`` before today at least (a rating comes after a
case is served, so its case may be older than the period). The digest also keeps the
``bundles.bundle_row`` of each case of a 高效办成一件事 (``bundles.bundle_figures``): the
monitor reads one digest per partition for all its figures (``store_digests``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from formkit.calendar import WorkCalendar
from formkit.cases.bundles import bundle_row
from formkit.cases.clock import as_date
from formkit.cases.stats import Overview, Tally, handling
from formkit.cases.store import CaseStore

__all__ = ["FOLLOWUP_LOOKBACK_DAYS", "Figures", "GroupWeek", "OpenFollowup", "Trends", "Week",
           "figures", "open_followups", "store_digests", "store_figures", "week_of"]

FOLLOWUP_LOOKBACK_DAYS = 730  # follow-ups are looked for on cases received this far back
_FINISHED = ("refused", "approved", "denied", "issued", "terminated", "withdrawn")


def week_of(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


class Week(BaseModel):
    """One week's figures."""

    week: dt.date  # its Monday
    received: int = 0
    finished: int = 0
    decided: int = 0
    on_time: int = 0
    on_time_rate: float | None = None  # None: nothing decided that week
    average_days: float | None = None  # handling days of the cases decided that week
    average_committed_days: float | None = None  # their committed limits, on average
    rated: int = 0
    poor: int = 0  # 差评 among them


class GroupWeek(BaseModel):
    """One department's or matter's decided cases in one week."""

    week: dt.date
    key: str  # the department id or the matter code
    decided: int
    on_time: int
    on_time_rate: float


class OpenFollowup(BaseModel):
    """An open follow-up (督办), with the case it belongs to."""

    number: str
    matter: str
    department: str
    state: str
    id: str
    kind: str  # order (督办 by a supervisor) / rating (a 差评's 整改)
    note: str
    due: dt.date
    opened_on: dt.date
    opened_by: str
    days_over: int = 0  # working days past the due day (0: not yet due)

    @property
    def overdue(self) -> bool:
        """Past its due day and still open."""
        return self.days_over > 0


class Trends(BaseModel):
    """Weekly figures of a period, per department and per matter."""

    weeks: list[Week]
    by_department: list[GroupWeek]
    by_matter: list[GroupWeek]


class _Part:
    """The figures of one receipt day's cases, in a form that adds up."""

    __slots__ = ("_rows", "groups", "tally", "weeks")

    def __init__(self) -> None:
        self.tally = Tally()
        # week -> [received, finished, decided, on time, days, committed days, rated, poor]
        self.weeks: dict[dt.date, list[int]] = {}
        # ("department" | "matter", key, week) -> [decided, on time]
        self.groups: dict[tuple[str, str, dt.date], list[int]] = {}
        self._rows: dict[str, list[int]] = {}  # a day's ISO text -> its week's row

    def _week(self, day: dt.date) -> list[int]:
        return self.weeks.setdefault(week_of(day), [0] * 8)

    def _row(self, day: Any) -> list[int] | None:
        """The row of the week of ``day`` (a date or its ISO text), found by its text:
        10,000 cases name a few dozen days, each parsed once."""
        if not day:
            return None
        text = str(day)[:10]
        row = self._rows.get(text)
        if row is None:
            parsed = as_date(text)
            if parsed is None:
                return None
            row = self._rows[text] = self._week(parsed)
        return row

    def add(self, c: dict[str, Any], calendar: WorkCalendar) -> None:
        row = self._row(c.get("received_on"))
        if row is not None:
            row[0] += 1
        if c.get("state") in _FINISHED:
            row = self._row(c.get("decided_on") or c.get("ended_on") or c.get("issued_on"))
            if row is not None:
                row[1] += 1
        done = handling(c, calendar)
        self.tally.add_handled(c, done)
        if done is not None:
            decided, on_time, days = done
            row = self._week(decided)
            row[2] += 1
            row[3] += on_time
            row[4] += days
            row[5] += int(c.get("committed_days") or 0)
            for kind, key in (("department", str(c.get("department") or "")),
                              ("matter", str(c.get("matter")))):
                group = self.groups.setdefault((kind, key, week_of(decided)), [0, 0])
                group[0] += 1
                group[1] += on_time
        rating = c.get("rating")
        if rating:
            row = self._row(rating.get("at"))
            if row is not None:
                row[6] += 1
                row[7] += int(int(rating.get("score") or 0) <= 2)

    def merge(self, other: _Part) -> None:
        self.tally.merge(other.tally)
        for week, row in other.weeks.items():
            mine = self._week(week)
            for i, n in enumerate(row):
                mine[i] += n
        for key, (n, on_time) in other.groups.items():
            group = self.groups.setdefault(key, [0, 0])
            group[0] += n
            group[1] += on_time


class Figures:
    """A partition's digest: its figures per receipt day, its open follow-ups, and the
    ``bundle_row`` of each of its cases applied for in a bundle."""

    __slots__ = ("bundles", "days", "followups")

    def __init__(self) -> None:
        self.days: dict[dt.date, _Part] = {}
        self.followups: list[dict[str, Any]] = []
        self.bundles: list[dict[str, Any]] = []

    @classmethod
    def of(cls, cases: Iterable[dict[str, Any]], calendar: WorkCalendar) -> Figures:
        """The figures of ``cases`` (full case documents)."""
        out = cls()
        for c in cases:
            day = as_date(c.get("received_on")) or dt.date.min
            part = out.days.get(day)
            if part is None:
                part = out.days[day] = _Part()
            part.add(c, calendar)
            if c.get("bundle"):
                out.bundles.append(bundle_row(c))
            for f in c.get("followups") or []:
                if f.get("closed_on") is None:
                    out.followups.append({
                        "number": c.get("number"), "matter": c.get("matter"),
                        "department": c.get("department") or "", "state": c.get("state"),
                        **{k: f.get(k) for k in ("id", "kind", "note", "due", "opened_on",
                                                 "opened_by")}})
        return out


def figures(digests: Iterable[Figures], since: dt.date, today: dt.date,
            calendar: WorkCalendar) -> tuple[Overview, Trends, list[OpenFollowup]]:
    """The totals and the weekly trends of the cases received from ``since`` (to
    ``today``), and every open follow-up in ``digests``."""
    total = _Part()
    items: list[dict[str, Any]] = []
    for digest in digests:
        for day, part in digest.days.items():
            if day >= since:
                total.merge(part)
        items.extend(digest.followups)
    return total.tally.overview(), _trends(total, since, today), open_followups(
        items, today, calendar)


def _trends(total: _Part, since: dt.date, today: dt.date) -> Trends:
    weeks = [w for w in total.weeks if w <= today]
    if not weeks:
        return Trends(weeks=[], by_department=[], by_matter=[])
    first = max(min(weeks), week_of(since))
    out: list[Week] = []
    week = first
    while week <= week_of(today):  # every week, the empty ones too: a line has no gaps
        r = total.weeks.get(week, [0] * 8)
        out.append(Week(week=week, received=r[0], finished=r[1], decided=r[2], on_time=r[3],
                        on_time_rate=round(r[3] / r[2], 4) if r[2] else None,
                        average_days=round(r[4] / r[2], 2) if r[2] else None,
                        average_committed_days=round(r[5] / r[2], 2) if r[2] else None,
                        rated=r[6], poor=r[7]))
        week += dt.timedelta(days=7)
    groups: dict[str, list[GroupWeek]] = {"department": [], "matter": []}
    for (kind, key, wk), (n, on_time) in sorted(total.groups.items()):
        if first <= wk <= today:
            groups[kind].append(GroupWeek(week=wk, key=key, decided=n, on_time=on_time,
                                          on_time_rate=round(on_time / n, 4)))
    return Trends(weeks=out, by_department=groups["department"], by_matter=groups["matter"])


def open_followups(items: Iterable[dict[str, Any]], today: dt.date,
                   calendar: WorkCalendar) -> list[OpenFollowup]:
    """Open follow-ups, the most overdue first, then by due day."""
    out = []
    for f in items:
        due = as_date(f.get("due"))
        if due is None:
            continue
        over = calendar.workdays_between(due, today).value if today > due else 0
        out.append(OpenFollowup(**{**f, "due": due, "opened_on": as_date(f.get("opened_on")),
                                   "days_over": int(over) if isinstance(over, int) else 0}))
    return sorted(out, key=lambda f: (-f.days_over, f.due, f.number, f.id))


def store_figures(store: CaseStore, since: dt.date, today: dt.date,
                  calendar: WorkCalendar) -> tuple[Overview, Trends, list[OpenFollowup]]:
    """``figures`` over the store, from digests it keeps per partition: after the first
    call, only the partitions written since are read again."""
    return figures(store_digests(store, since, today, calendar), since, today, calendar)


def store_digests(store: CaseStore, since: dt.date, today: dt.date,
                  calendar: WorkCalendar) -> list[Figures]:
    """The store's digest of each partition the monitor reads for a period from
    ``since`` (and for the follow-ups, ``FOLLOWUP_LOOKBACK_DAYS`` back at least): for
    ``figures`` and, from their ``bundles``, ``bundles.bundle_figures``."""
    reach = min(since, today - dt.timedelta(days=FOLLOWUP_LOOKBACK_DAYS))
    return store.digests_since(reach, ("formkit.cases.trends.Figures", calendar),
                               lambda cases: Figures.of(cases, calendar))
