"""`formkit cases receive` and `formkit cases act`: the case lifecycle from a shell.

cli.md ("Case operations, v2") is the contract. Each operation opens the
catalog (for the calendar and the matter), runs one ``CaseService`` call on
the day of ``--today`` and prints the case object (``CaseService.view``).
An action the state or the law does not allow raises ``IllegalTransition``
before anything is written.
"""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from formkit.cases.service import Case, CaseService, HandedIn
from formkit.cases.store import CaseStore
from formkit.cases.versions import case_rules, snapshot_for_case
from formkit.catalog import OpenCatalog
from formkit.errors import FormkitErrors, InputError
from formkit.intake.forms import applicant_of

__all__ = ["ACTIONS", "Operation", "act", "bundle_submission", "default_actor", "rate",
           "receive", "receive_bundle", "submission"]

# action -> the options it needs (cli.md's table); the rest are refused as unused
ACTIONS: dict[str, tuple[str, ...]] = {
    "accept": (), "request_supplement": (), "resubmit": ("data",), "refuse": ("comment",),
    "start_review": (), "sign_off": (), "approve": (), "deny": ("comment",), "issue": (),
    "suspend": ("procedure",), "resume": (), "extend": ("days", "comment", "approver"),
    "supply": ("material",), "terminate": ("comment",), "withdraw": ("comment",),
}


@dataclass
class Operation:
    """Who acts, when, on which store and catalog."""

    store: CaseStore
    opened: OpenCatalog
    today: dt.date
    actor: str

    def service(self) -> CaseService:
        """A service whose clock stands on ``today`` (the time of day is the real one,
        so the history keeps the order of events)."""
        def now() -> dt.datetime:
            return dt.datetime.combine(self.today, dt.datetime.now().time())
        return CaseService(self.store, self.opened.work_calendar(), now=now)


def default_actor() -> str:
    """The OS user, as cli.md says; 'unknown' where the system cannot tell."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container without /etc/passwd entry
        return "unknown"


def submission(data: dict[str, Any], place: str) -> tuple[dict[str, Any], list[HandedIn]]:
    """The fields and materials of a ``--data`` file (the shape ``precheck`` takes).

    Raises:
        InputError: (code ``bad-data``) ``fields`` is not an object, or a material is
            not ``{"id": ...}`` with an optional form and copies.
    """
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        raise InputError(f"{place}: 'fields' must be an object", None, code="bad-data",
                         hint='{"fields": {...}, "materials": [{"id": ...}]}')
    handed: list[HandedIn] = []
    for i, m in enumerate(data.get("materials") or []):
        if not isinstance(m, dict) or not isinstance(m.get("id"), str):
            raise InputError(f"{place}: materials[{i}] is not a material", None,
                             code="bad-data", hint='each material is {"id": "...", '
                             '"form": "original|copy|original_and_copy|commitment", '
                             '"copies": N}')
        try:
            handed.append(HandedIn.model_validate(
                {k: m[k] for k in ("id", "form", "copies") if k in m}))
        except ValueError:
            raise InputError(f"{place}: materials[{i}] has a wrong form or copies", None,
                             code="bad-data", hint="form is original, copy, "
                             "original_and_copy or commitment (告知承诺); copies a whole "
                             "number") from None
    return fields, handed


def receive(op: Operation, code: str, data: dict[str, Any], *, online: bool,
            place: str) -> dict[str, Any]:
    """接件: pre-check and create the case; at the window the clerk decides on the spot,
    an online application waits ``received`` for the office (行政许可法 §32)."""
    rules = op.opened.rules_of(code)
    if rules is None:
        raise op.opened.unknown_matter(code)
    if rules.errors:
        raise rules.errors[0] if len(rules.errors) == 1 else FormkitErrors(rules.errors)
    fields, handed = submission(data, place)
    svc = op.service()
    version = snapshot_for_case(op.store, op.opened, code)
    case = svc.receive(rules, version, fields, handed, actor=op.actor,
                       applicant=applicant_of(rules.matter, fields), decide=not online)
    return svc.view(case)


def bundle_submission(data: dict[str, Any], place: str) -> dict[str, Any]:
    """A bundle's ``--data`` checked before any case is made: ``fields`` an object (the
    shared answers, and each matter's own under its code), ``materials`` a list of
    ``{"id", "matter"?, "form"?, "copies"?}`` (or a ``materials_once`` id alone).

    Raises:
        InputError: (code ``bad-data``) the shape is wrong; nothing is created.
    """
    fields = data.get("fields", {})
    if not isinstance(fields, dict):
        raise InputError(f"{place}: 'fields' must be an object", None, code="bad-data",
                         hint='{"fields": {"shared_id": ..., "MATTER-CODE": {...}}, '
                              '"materials": [{"id": ..., "matter": "MATTER-CODE"}]}')
    materials = data.get("materials") or []
    if not isinstance(materials, list):
        raise InputError(f"{place}: 'materials' must be a list", None, code="bad-data",
                         hint='[{"id": "...", "matter": "MATTER-CODE"}, ...]')
    for i, m in enumerate(materials):
        if isinstance(m, str):
            continue
        if not isinstance(m, dict) or not isinstance(m.get("id"), str) \
                or not isinstance(m.get("matter", ""), str | None):
            raise InputError(f"{place}: materials[{i}] is not a material", None,
                             code="bad-data", hint='each material is {"id": "...", '
                             '"matter": "MATTER-CODE" (a matter\'s own; none for one '
                             'handed in once), "form": ..., "copies": N}')
        try:
            HandedIn.model_validate({k: m[k] for k in ("id", "form", "copies") if k in m})
        except ValueError:
            raise InputError(f"{place}: materials[{i}] has a wrong form or copies", None,
                             code="bad-data", hint="form is original, copy, "
                             "original_and_copy or commitment (告知承诺); copies a whole "
                             "number") from None
    return {"fields": fields, "materials": materials}


def receive_bundle(op: Operation, code: str, data: dict[str, Any], *, online: bool,
                   place: str) -> dict[str, Any]:
    """接件 of a bundle (高效办成一件事): one linked case per matter that applies.

    The answer (docs/cli.md): ``{"bundle": CODE, "number": the bundle's number,
    "precheck": the bundle pre-check, "cases": [case object, ...]}``.
    """
    from formkit.cases.bundles import receive_bundle as receive_all

    checked = bundle_submission(data, place)
    svc = op.service()
    made = receive_all(svc, op.opened, code, checked, actor=op.actor, decide=not online)
    return {"bundle": made.bundle, "number": made.number,
            "precheck": made.precheck.model_dump(mode="json"),
            "cases": [svc.view(case) for case in made.cases]}


def act(op: Operation, number: str, action: str, *, comment: str = "",
        data: dict[str, Any] | None = None, place: str = "", procedure: str | None = None,
        days: int | None = None, material: str | None = None,
        unit: str | None = None, approver: str | None = None) -> dict[str, Any]:
    """One action of cli.md's table on case ``number``; the case object after it."""
    svc = op.service()
    case = svc.get(number)
    who, say = op.actor, comment
    calls: dict[str, Callable[[], Case]] = {
        "accept": lambda: svc.decide(number, case_rules(op.store, case), actor=who,
                                     comment=say, want="accept"),
        "request_supplement": lambda: svc.decide(
            number, case_rules(op.store, case), actor=who, comment=say,
            want="request_supplement"),
        "refuse": lambda: svc.decide(number, case_rules(op.store, case), actor=who,
                                     comment=say, want="refuse"),
        "resubmit": lambda: _resubmit(svc, op, case, data or {}, place, say),
        "start_review": lambda: svc.start_review(number, actor=who, comment=say),
        "sign_off": lambda: svc.sign_off(number, unit or _next_unit(case), actor=who,
                                         comment=say),
        "approve": lambda: svc.approve(number, actor=who, comment=say),
        "deny": lambda: svc.deny(number, actor=who, reason=say),
        "issue": lambda: svc.issue(number, actor=who, comment=say),
        "suspend": lambda: svc.suspend(number, procedure or "", actor=who, comment=say),
        "resume": lambda: svc.resume(number, actor=who, comment=say),
        "extend": lambda: svc.extend(number, days or 0, actor=who, comment=say,
                                     approver=approver or ""),
        "supply": lambda: svc.supply(number, material or "", actor=who, comment=say),
        "terminate": lambda: svc.terminate(number, actor=who, reason=say),
        "withdraw": lambda: svc.withdraw(number, actor=who, reason=say),
    }
    return svc.view(calls[action]())


def _next_unit(case: Case) -> str:
    """The first unit of the current step that has not signed (``--unit`` absent)."""
    if case.step < len(case.route):
        signed = case.signed[case.step] if case.step < len(case.signed) else {}
        for unit in case.route[case.step]:
            if unit not in signed:
                return unit
    return ""  # sign_off then says there is no step left to sign


def _resubmit(svc: CaseService, op: Operation, case: Case, data: dict[str, Any],
              place: str, comment: str) -> Case:
    fields, handed = submission(data, place)
    rules = case_rules(op.store, case)
    return svc.resubmit(case.number, rules, actor=op.actor, comment=comment,
                        materials=handed, fields=fields if "fields" in data else None)


def rate(op: Operation, number: str, *, score: int, comment: str = "",
         via: str = "notice") -> dict[str, Any]:
    """好差评: record the applicant's rating of a finished case (the link printed on its
    notice leads here, hence ``via="notice"``); the case object after it, with its
    ``rating`` and, after a 差评, the follow-up it opened (``followups``)."""
    svc = op.service()
    return svc.view(svc.rate(number, score=score, comment=comment, actor=op.actor,
                             via=via))
