"""The cases of a bundle (高效办成一件事): one case per matter that applies, linked.

``receive_bundle`` pre-checks the bundle submission once and creates one case per
applying member, each with its own route, clock and decision (the departments work
in parallel), each carrying a ``BundleLink``: the bundle's code and name, its
number (the number of its first case) and every case's number. ``siblings`` reads a
case's fellow cases; ``bundle_progress`` is the supervisor's view of bundles: one is
done when its last case is issued (or otherwise ended), and due on the latest
committed deadline of its cases (docs/bundles.md). ``bundle_figures`` counts the
bundles of a period for the monitor (received, done, still being handled, overdue) and
lists the open ones, most urgent first; it reads ``bundle_row``s, the few facts of a
bundle's case that the monitor's per-partition digest keeps (``trends.Figures``): a
bundle's cases are all received on one day, so one day's partitions hold all of it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

from formkit.calendar import WorkCalendar
from formkit.cases.service import BundleLink, Case, CaseService, HandedIn, summary
from formkit.cases.versions import snapshot_for_case
from formkit.catalog import OpenCatalog
from formkit.errors import FormkitErrors, InputError
from formkit.intake.bundles import BundlePrecheckResult, run_bundle_precheck
from formkit.intake.forms import applicant_of

_MATERIAL_ENTRY = re.compile(r"^(?:[^.\[]+\.)?materials(?:\[|$)")

__all__ = ["BundleFigures", "BundleIntake", "BundleProgress", "OpenBundle", "bundle_figures",
           "bundle_progress", "bundle_row", "progress_of_rows", "receive_bundle", "siblings"]


class BundleIntake(BaseModel):
    """What a bundle's intake made: its number, its cases, and its pre-check."""

    number: str
    bundle: str
    cases: list[Case] = Field(default_factory=list)
    precheck: BundlePrecheckResult


def _handed(items: list[dict[str, Any]]) -> list[HandedIn]:
    return [HandedIn.model_validate({k: m[k] for k in ("id", "form", "copies") if k in m})
            for m in items]


def receive_bundle(service: CaseService, opened: OpenCatalog, code: str,
                   submission: dict[str, Any], *, actor: str, decide: bool = True,
                   comment: str = "", resume: Case | None = None) -> BundleIntake:
    """接件 of a bundle: one case per applying member, linked by the bundle number.

    With ``decide`` (the window) each case is decided on its own pre-check, as a
    single matter's would be: a member refused while the others are accepted gets its
    不予受理决定书 and the others go on. Nothing is created when no member applies.

    ``resume``: the first case of an intake that stopped before its links were written
    (a crash, a failed write; the API's retry with the same Idempotency-Key): members
    that have a case keep it, the others get theirs, then all are linked.

    Raises:
        NotFoundError: (``unknown-matter``) no bundle ``code``.
        FormkitErrors: the bundle or a member has definition errors.
        InputError: (``bad-data``) a material entry is malformed.
    """
    rules = opened.bundle_rules_of(code)
    if rules is None:
        raise opened.unknown_matter(code)
    broken = rules.problems
    if broken:
        raise broken[0] if len(broken) == 1 else FormkitErrors(broken)
    today = service.now().date()
    checked = run_bundle_precheck(rules, submission, today=today, calendar=service.calendar)
    wrong = [e for e in checked.field_errors if _MATERIAL_ENTRY.match(e.field)]
    if wrong:  # a malformed entry is bad data, as for a single matter (never stored)
        raise InputError(f"{wrong[0].field}: {wrong[0].message}", None, code="bad-data",
                         hint='each material is {"id": "...", "matter": "CODE", "form": '
                         '"original|copy|original_and_copy|commitment", "copies": N}')
    if not checked.results:
        raise InputError(f"no matter of bundle {code} applies to these answers", None,
                         code="bad-data", hint="check the shared answers that decide "
                         "which matters apply")
    link = BundleLink(code=code, name=rules.bundle.name.text("zh"))
    have: dict[str, Case] = {}
    if resume is not None and resume.bundle is not None:
        link = resume.bundle.model_copy(update={"cases": []})
        have = {c.matter: c for c in (resume, *siblings(service, resume))}
    made: list[Case] = []
    for member, sub in checked.submissions.items():
        if member in have:
            made.append(have[member])
            continue
        member_rules = rules.members[member]
        try:
            handed = _handed(sub["materials"])
        except ValueError:
            raise InputError(f"a material handed in for {member} has a wrong form or "
                             "copies", None, code="bad-data", hint="form is original, "
                             "copy, original_and_copy or commitment; copies a whole "
                             "number") from None
        version = snapshot_for_case(service.store, opened, member)
        case = service.receive(member_rules, version, sub["fields"], handed, actor=actor,
                               applicant=applicant_of(member_rules.matter, sub["fields"]),
                               decide=decide, comment=comment, bundle=link)
        if not link.number and case.bundle is not None:
            link = link.model_copy(update={"number": case.bundle.number})
        made.append(case)
    numbers = [c.number for c in made]

    def linked(doc: dict[str, Any]) -> dict[str, Any]:
        doc["bundle"] = {**doc["bundle"], "cases": numbers}
        return doc

    # The link to every sibling is written once all exist; a crash before leaves the
    # cases whole and ``siblings`` finds them by the bundle number instead.
    cases = [Case.model_validate(service.store.update(n, linked, summary)) for n in numbers]
    return BundleIntake(number=link.number, bundle=code, cases=cases, precheck=checked)


def siblings(service: CaseService, case: Case) -> list[Case]:
    """The other cases of the case's bundle, in the bundle's order (none for a case
    applied for alone)."""
    link = case.bundle
    if link is None:
        return []
    numbers = [n for n in link.cases if n != case.number]
    if link.cases:
        found = [service.store.get(n) for n in numbers]
        return [Case.model_validate(d) for d in found if d is not None]
    return [Case.model_validate(d) for d in service.store.cases_since(case.received_on)
            if (d.get("bundle") or {}).get("number") == link.number
            and d["number"] != case.number]


@dataclass
class BundleProgress:
    """One bundle's progress: its cases' states and its due date."""

    number: str
    bundle: str  # the bundle's code
    name: str
    received_on: dt.date
    cases: dict[str, str] = field(default_factory=dict)  # number -> state
    matters: dict[str, str] = field(default_factory=dict)  # number -> matter code
    due: dt.date | None = None  # the latest committed deadline of its cases
    done_on: dt.date | None = None  # when its last case ended
    departments: dict[str, str] = field(default_factory=dict)  # number -> department
    still_open: list[str] = field(default_factory=list)  # the cases still being handled

    @property
    def done(self) -> bool:
        """Every case has ended: issued, denied and served, refused, withdrawn."""
        return self.done_on is not None

    def overdue(self, today: dt.date) -> bool:
        """Not done and past its due date (or done after it)."""
        if self.due is None:
            return False
        return (self.done_on or today) > self.due


def _ended_on(doc: dict[str, Any]) -> dt.date | None:
    """When a case ended for its bundle: None while it is still being handled."""
    if summary(doc) is not None:
        return None
    for key in ("issued_on", "ended_on", "decided_on", "notice_on"):
        if doc.get(key):
            return dt.date.fromisoformat(str(doc[key])[:10])
    return dt.date.fromisoformat(str(doc["received_on"])[:10])


def bundle_row(doc: dict[str, Any]) -> dict[str, Any]:
    """What the bundle figures need of one case of a bundle (a case document with a
    ``bundle``): small, so a digest of a day's cases keeps it."""
    link = doc["bundle"]
    ended = _ended_on(doc)
    due = doc.get("committed_deadline")
    return {"number": doc["number"], "bundle": link.get("number") or doc["number"],
            "code": str(link.get("code", "")), "name": str(link.get("name", "")),
            "received_on": str(doc["received_on"])[:10], "state": doc["state"],
            "matter": doc["matter"], "department": str(doc.get("department") or ""),
            "route": doc.get("route") or [], "due": str(due)[:10] if due else None,
            "ended_on": ended.isoformat() if ended else None}


def progress_of_rows(rows: Iterable[dict[str, Any]]) -> list[BundleProgress]:
    """Every bundle among ``rows`` (``bundle_row``s), in order of first appearance."""
    out: dict[str, BundleProgress] = {}
    ended: dict[str, list[str | None]] = {}
    for row in rows:
        number = row["bundle"]
        progress = out.get(number)
        if progress is None:
            progress = out[number] = BundleProgress(
                number=number, bundle=row["code"], name=row["name"],
                received_on=dt.date.fromisoformat(row["received_on"]))
            ended[number] = []
        progress.cases[row["number"]] = row["state"]
        progress.matters[row["number"]] = row["matter"]
        progress.departments[row["number"]] = row["department"]
        if row["due"]:
            day = dt.date.fromisoformat(row["due"])
            progress.due = max(progress.due, day) if progress.due else day
        if row["ended_on"] is None:
            progress.still_open.append(row["number"])
        ended[number].append(row["ended_on"])
    for number, progress in out.items():
        days = ended[number]
        if days and all(d is not None for d in days):
            progress.done_on = dt.date.fromisoformat(max(d for d in days if d is not None))
    return list(out.values())


def bundle_progress(cases: Iterable[dict[str, Any]]) -> list[BundleProgress]:
    """Every bundle among ``cases`` (case documents), in order of first appearance."""
    return progress_of_rows(bundle_row(doc) for doc in cases if doc.get("bundle"))


@dataclass
class OpenBundle:
    """A bundle still being handled, with its clock: ``days`` are the working days
    past its due date (positive: overdue; 0: due today; negative: that many left)."""

    progress: BundleProgress
    days: int | None  # None: no case has a committed deadline yet

    @property
    def overdue(self) -> bool:
        """Past its due date."""
        return self.days is not None and self.days > 0

    @property
    def open_matters(self) -> list[str]:
        """The matter codes of its cases still being handled, in the bundle's order."""
        return [self.progress.matters[n] for n in self.progress.still_open]


@dataclass
class BundleFigures:
    """The bundles received in a period: how many, done, being handled, overdue (being
    handled and past the latest committed deadline of their cases); the open ones,
    most urgent first."""

    received: int = 0
    done: int = 0
    open: int = 0
    overdue: int = 0
    open_bundles: list[OpenBundle] = field(default_factory=list)


def _signed_days(calendar: WorkCalendar, due: dt.date, today: dt.date) -> int:
    """Working days from ``due`` to ``today`` (negative: ``today`` is before it)."""
    days = calendar.workdays_between(min(due, today), max(due, today)).value
    assert isinstance(days, int)
    return days if today > due else -days


def bundle_figures(rows: Iterable[dict[str, Any]], since: dt.date, today: dt.date,
                   calendar: WorkCalendar) -> BundleFigures:
    """The figures of the bundles received from ``since`` among ``rows``
    (``bundle_row``s); the open bundles the most overdue first, then by due date (those
    without one last), then by number."""
    out = BundleFigures()
    for progress in progress_of_rows(r for r in rows if r["received_on"] >= since.isoformat()):
        out.received += 1
        if progress.done:
            out.done += 1
            continue
        out.open += 1
        days = _signed_days(calendar, progress.due, today) if progress.due else None
        item = OpenBundle(progress, days)
        out.overdue += item.overdue
        out.open_bundles.append(item)
    out.open_bundles.sort(key=lambda b: (b.days is None, -(b.days or 0), b.progress.number))
    return out
