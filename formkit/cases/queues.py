"""Back-office work queues (受审分离): the worklists that hold every open piece of work
once, and what an officer may do with a case now.

``worklists`` partitions a department's open-case index into six lists, each case in
exactly one (``worklist_of`` decides which):

- ``follow_up`` (待跟进): the 补正 period ran out with nothing handed in, a tolerated
  (容缺) material is past its day, or a served case still owes one; checked first,
  because the case cannot move until someone chases it;
- ``suspended`` (已中止): the clock is stopped for a special procedure (§45);
- ``issue`` (待发证/送达): decided, approved or denied, the document not yet served;
- ``decide`` (待决定): in review with every route step signed;
- ``review`` (待审查): accepted, or in review with a step still to sign;
- ``window`` (窗口环节): received and not yet answered, or waiting for the applicant's
  补正 within its period: the window's work, shown so the 5-day notice is watched.

Each row carries the monitor's flags (``formkit.cases.monitor``) with their days, and
its colour level: red (红牌, past the statutory limit, deemed accepted), yellow (黄牌,
a step, a tolerated material or a 补正 period overdue) or due soon (预警).

``offered_actions`` starts from ``CaseService.allowed(case)`` (the lifecycle's table)
and keeps the moves the service would carry out now: a step to sign for the officer's
own units, a stop to end only when the clock is stopped. Moves the lifecycle allows but
a fact of the case holds back (approval while a tolerated material is owed) come back
held, with the reason's code, so the page can say why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel

from formkit.calendar import WorkCalendar
from formkit.cases.clock import as_date, deadlines, stop_running, workdays_between
from formkit.cases.monitor import Flag, MonitorConfig, monitor
from formkit.cases.service import Case, CaseService

__all__ = ["LEVELS", "WORKLISTS", "Level", "Offer", "Owed", "QueueItem", "WorkItem",
           "Worklist", "decision_queue", "issue_queue", "offered_actions", "section_queue",
           "worklist_of", "worklists"]


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
    """Approved cases of ``department`` whose result has not been issued yet (the
    ``issue`` worklist of ``worklists`` holds the denials to serve as well)."""
    return _sorted([_item(s, today, calendar, step=int(s.get("step") or 0), units=[])
                    for s in summaries
                    if s.get("state") == "approved"
                    and (department is None or s.get("department") == department)])


# ---- the worklists: every open piece of work in exactly one

Worklist = Literal["review", "decide", "issue", "follow_up", "suspended", "window"]
WORKLISTS: tuple[Worklist, ...] = ("review", "decide", "issue", "follow_up", "suspended",
                                   "window")
Level = Literal["red", "yellow", "due_soon"]
LEVELS: tuple[Level, ...] = ("red", "yellow", "due_soon")  # most urgent first
# The colour of each flag, and which flag names a row (the first it has in this order).
_LEVEL: dict[str, Level] = {
    "red": "red", "statutory_overdue": "red", "notice_overdue": "red",
    "yellow": "yellow", "supplement_expired": "yellow", "tolerated_overdue": "yellow",
    "step_overdue": "yellow", "due_soon": "due_soon", "notice_risk": "due_soon"}
_MAIN = ("red", "yellow", "statutory_overdue", "notice_overdue", "supplement_expired",
         "tolerated_overdue", "step_overdue", "due_soon", "notice_risk")


class Owed(BaseModel):
    """A tolerated (容缺) material not supplied yet, and its day."""

    id: str
    due: dt.date | None


class WorkItem(BaseModel):
    """One open case on its one worklist, with the monitor's flags."""

    number: str
    matter: str
    department: str
    applicant: str = ""
    state: str
    worklist: Worklist
    step: int  # the current route step (0-based); == steps once every step is signed
    steps: int
    waiting: list[str]  # units of the current step not signed yet (accepted: the first's)
    received_on: dt.date
    due: dt.date | None  # the committed deadline, moved by stops and an extension
    days_left: int | None  # working days to ``due``; negative: that many over
    stopped: bool  # a special procedure is open (the clock may run again past its maximum)
    owed: list[Owed]
    flags: list[Flag]  # most telling first: ``flags[0]`` names the row
    level: Level | None  # the row's colour

    @property
    def flag(self) -> Flag | None:
        """The flag that names the row (a card before the lists it is also on)."""
        return self.flags[0] if self.flags else None


def _signed_route_done(s: dict[str, Any]) -> bool:
    return int(s.get("step") or 0) >= len(s.get("route") or [])


def _owed(s: dict[str, Any]) -> list[Owed]:
    return [Owed(id=str(t.get("id")), due=as_date(t.get("due")))
            for t in s.get("tolerated") or [] if t.get("supplied_on") is None]


def worklist_of(s: dict[str, Any], kinds: set[str]) -> Worklist:
    """The one worklist of the open case summarised in ``s``, whose monitor flags are
    ``kinds``. Decided cases that owe nothing more are not open work, and still land
    in ``issue`` when asked (the caller lists open summaries only)."""
    state = s.get("state")
    if kinds & {"supplement_expired", "tolerated_overdue"}:
        return "follow_up"
    if state == "issued":  # served, and still owes a tolerated material
        return "follow_up"
    if state in ("approved", "denied"):
        return "issue"
    if state in ("received", "supplement"):
        return "window"
    if any(p.get("end") is None for p in s.get("pauses") or []):
        return "suspended"
    if state == "in_review" and _signed_route_done(s):
        return "decide"
    return "review"


def _waiting(s: dict[str, Any]) -> list[str]:
    route = s.get("route") or []
    state = s.get("state")
    step = int(s.get("step") or 0) if state == "in_review" else 0
    if state not in ("accepted", "in_review") or step >= len(route):
        return []
    signed = (s.get("signed") or [{}] * len(route))[step] if state == "in_review" else {}
    return [u for u in route[step] if u not in (signed or {})]


def _flag_rank(flag: Flag) -> int:
    """Where a flag comes among a row's (a kind the monitor adds later comes last)."""
    return _MAIN.index(flag.kind) if flag.kind in _MAIN else len(_MAIN)


def _signed_days(calendar: WorkCalendar, a: dt.date, b: dt.date) -> int:
    """Working days from ``a`` to ``b``, negative when ``b`` is before ``a``."""
    return workdays_between(calendar, a, b) if b >= a else \
        -workdays_between(calendar, b, a)


def worklists(summaries: Iterable[dict[str, Any]], today: dt.date, calendar: WorkCalendar,
              *, department: str | None = None, config: MonitorConfig | None = None
              ) -> dict[Worklist, list[WorkItem]]:
    """The worklists of ``department`` (None: every department) as of ``today``.

    Each open case of the department is on exactly one list. Another department's case
    is listed, under ``review``, only while a unit of ``department`` has its current step
    to sign (an office with a step on it). Each list is most urgent first: red, yellow,
    due soon, then the rest; by deadline within a colour, then by number.
    """
    listed: list[tuple[dict[str, Any], bool]] = []  # (summary, of the department)
    for s in summaries:
        if department is None or s.get("department") == department:
            listed.append((s, True))
        elif s.get("state") == "in_review" and any(
                u.split(".", 1)[0] == department for u in _waiting(s)):
            listed.append((s, False))
    report = monitor([s for s, _ in listed], today, calendar, config)
    flags: dict[str, list[Flag]] = {}
    for f in report.flags():
        flags.setdefault(f.number, []).append(f)
    lists: dict[Worklist, list[WorkItem]] = {name: [] for name in WORKLISTS}
    for s, ours in listed:
        own = sorted(flags.get(s["number"], []), key=_flag_rank)
        where = worklist_of(s, {str(f.kind) for f in own}) if ours else "review"
        lists[where].append(_work_item(s, where, own, today, calendar))
    rank: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
    for items in lists.values():
        items.sort(key=lambda i: (rank.get(i.level or "", len(LEVELS)),
                                  (i.flag.due if i.flag and i.flag.due else i.due)
                                  or dt.date.max, i.number))
    return lists


def _work_item(s: dict[str, Any], where: Worklist, flags: list[Flag], today: dt.date,
               calendar: WorkCalendar) -> WorkItem:
    state = str(s.get("state"))
    due = None
    if state in ("accepted", "in_review"):
        due, _ = deadlines(s, today, calendar)
    card = next((f for f in flags if f.kind in ("red", "yellow", "due_soon")), None)
    if due is None and card is not None:
        due = card.due  # received, told too late: deemed accepted, its limits run (§32)
    levels = [_LEVEL[f.kind] for f in flags if f.kind in _LEVEL]
    return WorkItem(
        number=s["number"], matter=s["matter"], department=str(s.get("department") or ""),
        applicant=str(s.get("applicant") or ""), state=state, worklist=where,
        step=int(s.get("step") or 0) if state == "in_review" else 0,
        steps=len(s.get("route") or []), waiting=_waiting(s),
        received_on=dt.date.fromisoformat(str(s["received_on"])), due=due,
        days_left=_signed_days(calendar, today, due) if due is not None else None,
        stopped=any(p.get("end") is None for p in s.get("pauses") or []),
        owed=_owed(s), flags=flags,
        level=min(levels, key=LEVELS.index) if levels else None)


# ---- what the officer may do with a case now

# 受理, 补正 and 不予受理 are decided with the pre-check at the window (综合窗口).
WINDOW_ACTIONS = frozenset({"accept", "request_supplement", "late_supplement_request",
                            "refuse"})


class Offer(BaseModel):
    """One move of ``CaseService.allowed(case)`` as the back office offers it: ``target``
    names the unit to sign or the material to record; ``held`` is the code of the fact
    that holds it back now (``steps-left``, ``tolerated-outstanding``, ``deny-ground``,
    ``extension-late``), None when it can be done."""

    action: str
    target: str | None = None
    held: str | None = None


def offered_actions(svc: CaseService, case: Case, department: str | None, *,
                    own: bool = True, today: dt.date | None = None) -> list[Offer]:
    """The moves of ``CaseService.allowed(case)`` an officer of ``department`` can make
    now, in the lifecycle's order of work; an office with a step on another department's
    case (``own=False``) signs its step only.

    Left out: the window's decisions (``WINDOW_ACTIONS``), and moves the service refuses
    whatever is typed (resume a running clock, sign a step of another department's
    unit, record a material supplied already, extend a matter with no extension or a
    case extended once, recompute deadlines that rest on no guess). Kept but ``held``:
    a decision or a service the officer expects and that waits for one fact.
    """
    day = today or svc.now().date()
    allowed = set(CaseService.allowed(case))
    owed = [t for t in case.tolerated if t.supplied_on is None]
    route_done = case.state == "in_review" and case.step >= len(case.route)
    offers: list[Offer] = []

    def add(action: str, target: str | None = None, held: str | None = None) -> None:
        if action in allowed and (own or action == "sign_off"):
            offers.append(Offer(action=action, target=target, held=held))

    add("start_review")
    if case.state == "in_review" and case.step < len(case.route):
        signed = case.signed[case.step] if case.step < len(case.signed) else {}
        for unit in case.route[case.step]:
            if unit not in signed and (department is None
                                       or unit.split(".", 1)[0] == department):
                add("sign_off", unit)
    if case.deny_grounds:
        if case.state in ("accepted", "in_review"):
            add("deny")  # the ground found at intake is the reason; never approved
    elif case.state == "in_review":
        held = "steps-left" if not route_done else (
            "tolerated-outstanding" if owed else None)
        add("approve", held=held)
        add("deny", held=None if route_done else "steps-left")
    if case.state != "approved" or not owed:
        add("issue")
    else:
        add("issue", held="tolerated-outstanding")
    for t in owed:
        add("supply", t.id)
    add("resume" if case.paused else "suspend")
    if case.extension_days > 0 and not case.extensions:
        _, statutory = svc.deadlines(case, day)
        add("extend", held="extension-late"
            if statutory is not None and day > statutory else None)
    if case.calendar_provisional:
        add("recompute_deadlines")
    add("terminate")
    add("withdraw")
    return offers
