"""电子效能监察: due-soon, yellow-card and red-card lists from the open-case index.

Deadlines were fixed at acceptance; a stopped clock (special procedures)
moves them by the working days it was stopped. A case nobody answered within
five working days of receipt was accepted on receipt (行政许可法 §32(4)), so
its deadlines run from receipt even before the office acts. Thresholds are
configurable because each centre sets its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from formkit.calendar import WorkCalendar
from formkit.cases.clock import (
    as_date,
    deadlines,
    effective_deadline,
    stop_running,
    workdays_after,
    workdays_between,
)
from formkit.intake.deadlines import deadline

__all__ = ["FOLLOWUP_ROLES", "Flag", "MonitorConfig", "MonitorReport", "may_follow_up",
           "monitor"]

# Who orders and closes a 督办 (follow-up): the supervisor (电子效能监察), not the
# administrator (who keeps the catalog and the users) nor the offices being watched.
FOLLOWUP_ROLES = frozenset({"supervisor"})

FlagKind = Literal["due_soon", "yellow", "red", "notice_risk", "notice_overdue",
                   "step_overdue", "tolerated_overdue", "statutory_overdue",
                   "supplement_expired"]


class MonitorConfig(BaseModel):
    """Thresholds, in working days."""

    due_soon_days: int = Field(default=2, ge=0)
    red_after_days: int = Field(default=3, ge=0)  # 督办 period after the yellow card
    notice_days: int = Field(default=5, ge=1)  # 行政许可法 §32: tell within 5 days
    notice_warn_days: int = Field(default=4, ge=0)
    # 补正: the one-time notice gives the applicant a period to bring the materials; no
    # law or matter field fixes it, so the centre sets it (default 10 working days)
    supplement_days: int = Field(default=10, ge=1)


class Flag(BaseModel):
    """One case on one list."""

    kind: FlagKind
    number: str
    matter: str
    department: str
    state: str
    due: dt.date | None = None
    days: int = 0  # working days left (due soon) or over (overdue)
    detail: str = ""


class MonitorReport(BaseModel):
    """Every list at once, as of ``today``."""

    today: dt.date
    open_cases: int
    due_soon: list[Flag] = Field(default_factory=list)
    yellow: list[Flag] = Field(default_factory=list)
    red: list[Flag] = Field(default_factory=list)
    notice_risk: list[Flag] = Field(default_factory=list)
    step_overdue: list[Flag] = Field(default_factory=list)
    tolerated_overdue: list[Flag] = Field(default_factory=list)
    statutory_overdue: list[Flag] = Field(default_factory=list)  # 行政许可法 §42
    supplement_expired: list[Flag] = Field(default_factory=list)

    def flags(self) -> list[Flag]:
        """Every flag of every list: yellow and red cards first, most overdue first."""
        return self.overdue() + self.statutory_overdue + self.notice_risk + \
            self.step_overdue + self.tolerated_overdue + self.supplement_expired + \
            self.due_soon

    def overdue(self) -> list[Flag]:
        """Yellow and red cards, most overdue first."""
        return sorted(self.yellow + self.red, key=lambda f: -f.days)


def may_follow_up(role: str) -> bool:
    """Whether a user of ``role`` may order and close follow-ups (督办)."""
    return role in FOLLOWUP_ROLES


def _between(calendar: WorkCalendar, a: dt.date, b: dt.date) -> int:
    """Signed working days from a to b."""
    return workdays_between(calendar, a, b) if b >= a else -workdays_between(calendar, b, a)


def _tolerated(report: MonitorReport, s: dict[str, Any], base: dict[str, Any],
               today: dt.date, calendar: WorkCalendar) -> None:
    """Flag tolerated (容缺) materials not supplied by their day."""
    for t in s.get("tolerated") or []:
        supplied, t_due = t.get("supplied_on"), as_date(t.get("due"))
        if supplied is None and t_due is not None and today > t_due:
            report.tolerated_overdue.append(Flag(
                kind="tolerated_overdue", due=t_due, days=_between(calendar, t_due, today),
                **base, detail=f"容缺材料 {t.get('id')} 逾期未补交"))


def monitor(summaries: Iterable[dict[str, Any]], today: dt.date, calendar: WorkCalendar,
            config: MonitorConfig | None = None) -> MonitorReport:
    """The monitoring lists for the open cases summarised in ``summaries``."""
    cfg = config or MonitorConfig()
    items = list(summaries)
    report = MonitorReport(today=today, open_cases=len(items))
    for s in items:
        base = {"number": s["number"], "matter": s["matter"],
                "department": s.get("department", ""), "state": s["state"]}
        state = s["state"]
        unit = s.get("unit") or "working_days"
        fixed = dict(s)
        if state == "received":
            received = as_date(s["received_on"])
            assert received is not None
            waited = _between(calendar, received, today)
            notice_due = workdays_after(calendar, received, cfg.notice_days)
            # "within 5 days" includes the 5th: deemed accepted only from the day after
            if waited <= cfg.notice_days:
                if waited >= min(cfg.notice_warn_days, cfg.notice_days):
                    report.notice_risk.append(Flag(kind="notice_risk", due=notice_due,
                                                   days=cfg.notice_days - waited, **base,
                                                   detail="即将超过5个工作日告知期限"))
                continue
            report.notice_risk.append(Flag(kind="notice_overdue", due=notice_due,
                                           days=waited - cfg.notice_days, **base,
                                           detail="逾期未告知，依法视为受理"))
            # 行政许可法 §32(4): accepted on receipt, so its time limits run from receipt
            fixed["accepted_on"] = received
            for which in ("committed", "statutory"):
                fixed[f"{which}_deadline"] = deadline(
                    received, int(s.get(f"{which}_days") or 0), unit, calendar).value
        if state == "supplement":
            told = as_date(s.get("notice_on"))
            if told is not None:
                until = workdays_after(calendar, told, cfg.supplement_days)
                if today > until:
                    report.supplement_expired.append(Flag(
                        kind="supplement_expired", due=until,
                        days=_between(calendar, until, today), **base,
                        detail="补正期限已过，申请人未补正"))
            continue
        if state not in ("received", "accepted", "in_review", "approved", "issued"):
            continue
        _tolerated(report, s, base, today, calendar)
        if state in ("approved", "issued"):
            continue  # decided: only a tolerated material still owed is watched
        pauses = s.get("pauses") or []
        due, legal_due = deadlines(fixed, today, calendar)  # stops (§45), extensions (§42)
        paused = stop_running(pauses, today, calendar)
        over = _between(calendar, legal_due, today) if legal_due is not None else 0
        if legal_due is not None and not paused and over > 0:
            # 行政许可法 §42: past the time limit of the law itself, not only the promise;
            # like the cards, from the first working day after it (a weekend after a
            # Friday limit is not yet a day over)
            report.statutory_overdue.append(Flag(
                kind="statutory_overdue", due=legal_due, days=over, **base,
                detail=f"超过法定时限 {over} 个工作日"))
        if due is not None and not paused:
            left = _between(calendar, today, due)
            if left < 0:
                over = -left
                kind: FlagKind = "red" if over > cfg.red_after_days else "yellow"
                flag = Flag(kind=kind, due=due, days=over, **base,
                            detail=f"超过承诺时限 {over} 个工作日")
                (report.red if kind == "red" else report.yellow).append(flag)
            elif left <= cfg.due_soon_days:
                report.due_soon.append(Flag(kind="due_soon", due=due, days=left, **base,
                                            detail=f"距承诺时限 {left} 个工作日"))
        step_days = s.get("step_days") or []
        step = int(s.get("step") or 0)
        started = as_date(s.get("step_started_on"))
        if state == "in_review" and started and step < len(step_days) and \
                step_days[step] is not None and not paused:
            # only the clock stops since the step began move its limit
            step_pauses = [{**p, "start": max(as_date(p.get("start")) or started, started)}
                           for p in pauses]
            step_due = effective_deadline(workdays_after(calendar, started, int(step_days[step])),
                                          step_pauses, today, "working_days", calendar)
            assert step_due is not None
            if today > step_due:
                report.step_overdue.append(Flag(
                    kind="step_overdue", due=step_due, days=_between(calendar, step_due, today),
                    **base, detail=f"第{step + 1}环节超时"))
    for name in ("due_soon", "yellow", "red", "notice_risk", "step_overdue",
                 "tolerated_overdue", "statutory_overdue", "supplement_expired"):
        getattr(report, name).sort(key=lambda f: (f.due or today, f.number))
    return report
