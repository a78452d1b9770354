"""Back-office work queues (受审分离): what each section must sign off, oldest deadline first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from formkit.calendar import WorkCalendar
from formkit.monitor import effective_deadline

__all__ = ["QueueItem", "section_queue"]


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


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


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
        pauses = s.get("pauses") or []
        due = effective_deadline(_date(s.get("committed_deadline")), pauses, today,
                                 s.get("unit") or "working_days", calendar)
        items.append(QueueItem(number=s["number"], matter=s["matter"], state=str(state),
                               step=step, units=units,
                               received_on=dt.date.fromisoformat(str(s["received_on"])),
                               due=due, paused=any(p.get("end") is None for p in pauses)))
    items.sort(key=lambda i: (i.due or dt.date.max, i.number))
    return items
