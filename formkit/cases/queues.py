"""Back-office work queues (受审分离): what each section must sign off, what waits for a
decision and what waits to be issued; oldest deadline first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from formkit.calendar import WorkCalendar
from formkit.cases.clock import deadlines, stop_running

__all__ = ["QueueItem", "decision_queue", "issue_queue", "section_queue"]


class QueueItem(BaseModel):
    """A case waiting for one unit."""

    number: str
    matter: str
    state: str
    step: int
    units: list[str]
    received_on: dt.date
    due: dt.date | None
    paused: bool


def _item(s: dict[str, Any], today: dt.date, calendar: WorkCalendar, *, step: int,
          units: list[str]) -> QueueItem:
    """A summary as a queue item, due by its committed deadline moved by its pauses."""
    pauses = s.get("pauses") or []
    due, _ = deadlines(s, today, calendar)
    return QueueItem(number=s["number"], matter=s["matter"], state=str(s["state"]),
                     step=step, units=units,
                     received_on=dt.date.fromisoformat(str(s["received_on"])), due=due,
                     paused=stop_running(pauses, today, calendar))


def _sorted(items: list[QueueItem]) -> list[QueueItem]:
    """Oldest deadline first (no deadline last), then by number."""
    return sorted(items, key=lambda i: (i.due or dt.date.max, i.number))


def section_queue(summaries: Iterable[dict[str, Any]], unit: str, today: dt.date,
                  calendar: WorkCalendar) -> list[QueueItem]:
    """Cases whose current route step includes ``unit`` (``dept.section``) and that
    ``unit`` has not signed yet; accepted cases wait for their first step's units."""
    items: list[QueueItem] = []
    for s in summaries:
        state = s.get("state")
        route = s.get("route") or []
        step = int(s.get("step") or 0) if state == "in_review" else 0
        if state not in ("accepted", "in_review") or step >= len(route):
            continue
        units = list(route[step])
        signed = (s.get("signed") or [{}] * len(route))[step] if state == "in_review" else {}
        if unit not in units or unit in (signed or {}):
            continue
        items.append(_item(s, today, calendar, step=step, units=units))
    return _sorted(items)


def decision_queue(summaries: Iterable[dict[str, Any]], department: str | None,
                   today: dt.date, calendar: WorkCalendar) -> list[QueueItem]:
    """Cases of ``department`` in review with every route step signed: they wait for
    approval or denial (no section queue holds them). Oldest deadline first."""
    return _sorted([_item(s, today, calendar, step=int(s.get("step") or 0), units=[])
                    for s in summaries
                    if s.get("state") == "in_review"
                    and int(s.get("step") or 0) >= len(s.get("route") or [])
                    and (department is None or s.get("department") == department)])


def issue_queue(summaries: Iterable[dict[str, Any]], department: str | None,
                today: dt.date, calendar: WorkCalendar) -> list[QueueItem]:
    """Approved cases of ``department`` whose result has not been issued yet.

    Denied cases leave the open-case index when they are decided (``service.summary``),
    so they are issued from the case itself, not from this list.
    """
    return _sorted([_item(s, today, calendar, step=int(s.get("step") or 0), units=[])
                    for s in summaries
                    if s.get("state") == "approved"
                    and (department is None or s.get("department") == department)])
