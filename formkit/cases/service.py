"""Cases and their lifecycle (接件 -> 受理/补正/不予受理 -> 审查 -> 办结 -> 送达).

``CaseService`` runs every transition through one table of legal moves,
records who, when and why in the case's history and in the audit trail, and
keeps the clock: deadlines are fixed at acceptance and move only by the
working days the clock was stopped (special procedures, 行政许可法 §45).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)

from formkit.calendar import WorkCalendar
from formkit.cases.store import CaseStore, unknown_case
from formkit.errors import IllegalTransition, InputError, SourceSpan
from formkit.intake.deadlines import deadline
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.ruleset import RuleSet

__all__ = [
    "OPEN_STATES",
    "TRANSITIONS",
    "Case",
    "CaseService",
    "Event",
    "HandedIn",
    "LateRequest",
    "Pause",
    "Tolerated",
    "import_form",
]

State = Literal["received", "supplement", "refused", "accepted", "in_review", "approved",
                "denied", "issued"]
TRANSITIONS: dict[str, dict[str, str]] = {
    # action -> {from state: to state}; a decision's target depends on the pre-check.
    "accept": {"received": "accepted", "supplement": "accepted"},
    "request_supplement": {"received": "supplement", "supplement": "supplement"},
    # 行政许可法 §32(4): no one-time notice within five working days of receipt, so the
    # case was accepted on receipt; the materials asked for late do not send it back.
    "late_supplement_request": {"received": "accepted"},
    "refuse": {"received": "refused", "supplement": "refused"},
    "start_review": {"accepted": "in_review"},
    "sign_off": {"in_review": "in_review"},
    "approve": {"in_review": "approved"},  # every tolerated material supplied first
    "deny": {"in_review": "denied"},
    "issue": {"approved": "issued", "denied": "issued"},
    "suspend": {"accepted": "accepted", "in_review": "in_review"},
    "resume": {"accepted": "accepted", "in_review": "in_review"},
    # a result issued before this rule (or imported) may still owe a tolerated material
    "supply": {"accepted": "accepted", "in_review": "in_review", "approved": "approved",
               "issued": "issued"},
}
NOTICE_DAYS = 5  # 行政许可法 §32(4): the one-time notice on the spot or within five days
OPEN_STATES = frozenset({"received", "supplement", "accepted", "in_review"})
FINISHED_STATES = frozenset({"approved", "denied", "issued", "refused"})
SPECIAL_PROCEDURES = {"hearing": "听证", "bidding": "招标", "auction": "拍卖",
                      "inspection": "检验", "testing": "检测", "quarantine": "检疫",
                      "appraisal": "鉴定", "expert_review": "专家评审"}


class HandedIn(BaseModel):
    """A material handed in at the window, with the clerk's marks."""

    id: str
    form: str | None = None
    copies: int | None = None
    original_sighted: bool = False


class Tolerated(BaseModel):
    """A tolerated (容缺) material and the day it must be supplied by."""

    id: str
    due: dt.date
    supplied_on: dt.date | None = None


class LateRequest(BaseModel):
    """Materials asked for after the five days of 行政许可法 §32(4): the case was already
    accepted on receipt, so the request is recorded, and the clock does not stop for it."""

    on: dt.date
    missing: list[str] = Field(default_factory=list)


class Pause(BaseModel):
    """A stopped clock: a statutory special procedure, from ``start`` to ``end``."""

    reason: str
    start: dt.date
    end: dt.date | None = None


class Event(BaseModel):
    """One transition in a case's history."""

    action: str
    from_state: str | None
    to_state: str
    actor: str
    at: dt.datetime
    comment: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


class Case(BaseModel):
    """A case: the application, its pre-check, its route and its full history."""

    number: str
    matter: str
    version: str
    applicant: str = ""
    department: str = ""
    fields: dict[str, Any] = Field(default_factory=dict)
    materials: list[HandedIn] = Field(default_factory=list)
    state: State = "received"
    received_on: dt.date
    accepted_on: dt.date | None = None
    decided_on: dt.date | None = None
    issued_on: dt.date | None = None
    notice_on: dt.date | None = None  # when the applicant was told (accept/supplement/refuse)
    deemed_accepted: bool = False  # 行政许可法 §32(4): accepted on receipt, told too late
    late_requests: list[LateRequest] = Field(default_factory=list)
    precheck: dict[str, Any] = Field(default_factory=dict)
    tolerated: list[Tolerated] = Field(default_factory=list)
    route: list[list[str]] = Field(default_factory=list)
    step_days: list[int | None] = Field(default_factory=list)
    step: int = 0
    signed: list[dict[str, str]] = Field(default_factory=list)  # per step: unit -> actor
    step_started_on: dt.date | None = None
    unit: str = "working_days"
    committed_days: int = 0
    statutory_days: int = 0
    committed_deadline: dt.date | None = None
    statutory_deadline: dt.date | None = None
    pauses: list[Pause] = Field(default_factory=list)
    history: list[Event] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _marks_only_when_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The §32(4) marks are written only on the cases they concern, so a case
        stored before them reads and writes back the same document."""
        doc: dict[str, Any] = handler(self)
        if not self.deemed_accepted:
            doc.pop("deemed_accepted", None)
        if not self.late_requests:
            doc.pop("late_requests", None)
        return doc

    @property
    def is_open(self) -> bool:
        """Still being handled (not refused, decided or issued)."""
        return self.state in OPEN_STATES

    @property
    def paused(self) -> bool:
        """The clock is stopped now."""
        return any(p.end is None for p in self.pauses)


def summary(case: dict[str, Any]) -> dict[str, Any] | None:
    """The open-case index entry (None once the case is finished)."""
    # Decided cases stay listed until their result is issued (发证/送达), denials included;
    # a granted case that still owes a tolerated (容缺) material stays listed until it comes.
    state = case.get("state")
    owes = any(t.get("supplied_on") is None for t in case.get("tolerated") or []) and not any(
        e.get("to_state") == "denied" for e in case.get("history") or [])  # a denial owes none
    if state not in OPEN_STATES and not (
            state in ("approved", "denied") and not case.get("issued_on")) and not (
            state in ("approved", "issued") and owes):
        return None
    keys = ("number", "matter", "department", "state", "received_on", "accepted_on",
            "notice_on", "committed_deadline", "statutory_deadline", "route", "step",
            "signed", "step_started_on", "step_days", "pauses", "tolerated", "applicant",
            "unit", "committed_days", "statutory_days")
    return {k: case.get(k) for k in keys}


def import_form(doc: dict[str, Any], span: SourceSpan | None = None) -> dict[str, Any]:
    """A case to import (a restore, a bulk load), checked against ``Case``: the document
    as ``Case`` writes it (dates as ISO text, defaults filled in), with the keys
    ``Case`` does not know kept as they are (a newer formkit's).

    Raises:
        InputError: (code ``bad-case-field``) a field ``Case`` refuses, the first one
            named (``history[0].at``), at ``span``.
    """
    try:
        case = Case.model_validate(doc)
    except ValidationError as exc:
        errors = exc.errors()
        fields = ["".join(f"[{part}]" if isinstance(part, int) else f".{part}"
                          for part in e["loc"]).lstrip(".") or "(the case)" for e in errors]
        also = list(dict.fromkeys(fields[1:]))
        raise InputError(
            f"case {doc.get('number')}: field '{fields[0]}': {errors[0]['msg']}"
            + (f" (also wrong: {', '.join(also)})" if also else ""),
            span, code="bad-case-field",
            hint="fix the case in the file, or import the file a formkit export wrote; "
                 "nothing of this import was stored") from None
    return {**doc, **case.model_dump(mode="json")}


def audit_entry(case: dict[str, Any]) -> dict[str, Any]:
    """The audit entry of the case's latest event (committed with it by the store)."""
    events = case["history"]
    last = events[-1]
    return {"kind": "case", "number": case["number"], "event": len(events) - 1,
            "action": last["action"], "actor": last["actor"], "at": last["at"],
            "from_state": last["from_state"], "to_state": last["to_state"],
            "comment": last["comment"], "data": last.get("data") or {}}


class CaseService:
    """The lifecycle of cases over a store, with one clock and one audit trail."""

    def __init__(self, store: CaseStore, calendar: WorkCalendar | None = None,
                 *, tolerance_days: int = 5, notice_days: int = NOTICE_DAYS,
                 now: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        self.store = store
        self.calendar = calendar or WorkCalendar()
        self.tolerance_days = tolerance_days
        self.notice_days = notice_days
        self.now = now

    # ---- reading

    def get(self, number: str) -> Case:
        """The case with ``number``; a clear error when there is none."""
        doc = self.store.get(number)
        if doc is None:
            raise unknown_case(number)
        return Case.model_validate(doc)

    # ---- writing

    def _event(self, case: Case, action: str, actor: str, comment: str,
               data: dict[str, Any] | None, to_state: str) -> Event:
        return Event(action=action, from_state=case.state, to_state=to_state, actor=actor,
                     at=self.now(), comment=comment, data=data or {})

    def _apply(self, number: str, action: str, actor: str, comment: str,
               mutate: Callable[[Case, dt.date], str], data: dict[str, Any] | None = None
               ) -> Case:
        def change(doc: dict[str, Any]) -> dict[str, Any]:
            case = Case.model_validate(doc)
            allowed = TRANSITIONS[action]
            if case.state not in allowed:
                raise IllegalTransition(
                    f"case {case.number} is {case.state}; '{action}' is allowed only when "
                    f"{' or '.join(sorted(allowed))}", None,
                    hint=f"allowed now: {', '.join(self.allowed(case)) or 'nothing'}")
            today = self.now().date()
            before = case.state
            target = mutate(case, today)
            event = self._event(case, action, actor, comment, data, target)
            event.from_state = before
            case.state = target  # type: ignore[assignment]
            case.history.append(event)
            return case.model_dump(mode="json")

        # the audit entry is committed with the case: a crash keeps both or neither
        new = self.store.update(number, change, summary, audit_entry)
        return Case.model_validate(new)

    @staticmethod
    def allowed(case: Case) -> list[str]:
        """The actions allowed in the case's current state."""
        return sorted(a for a, moves in TRANSITIONS.items() if case.state in moves)

    def receive(self, rules: RuleSet, version: str, fields: dict[str, Any],
                materials: list[HandedIn], *, actor: str, applicant: str = "",
                decide: bool = True, comment: str = "") -> Case:
        """接件: store the application; with ``decide``, run the pre-check and act on it."""
        today = self.now().date()
        matter = rules.matter

        def make(number: str) -> dict[str, Any]:
            case = Case(number=number, matter=matter.code, version=version,
                        applicant=applicant, department=matter.department, fields=fields,
                        materials=materials, received_on=today, unit=matter.time_limit.unit,
                        committed_days=matter.time_limit.committed_days,
                        statutory_days=matter.time_limit.statutory_days)
            case.history.append(Event(action="receive", from_state=None, to_state="received",
                                      actor=actor, at=self.now(), comment=comment))
            return case.model_dump(mode="json")

        doc = self.store.create(today, make, summary, audit_entry)
        case = Case.model_validate(doc)
        if decide:
            case = self.decide(case.number, rules, actor=actor)
        return case

    def precheck(self, case: Case, rules: RuleSet) -> PrecheckResult:
        """The pre-check of the case as it stands (against its own matter version)."""
        submission = {"fields": case.fields,
                      "materials": [m.model_dump(exclude_none=True) for m in case.materials]}
        return run_precheck(rules, submission, today=self.now().date(),
                            calendar=self.calendar)

    def decide(self, number: str, rules: RuleSet, *, actor: str, comment: str = "") -> Case:
        """Run the pre-check and accept, request supplement, or refuse accordingly.

        A case the applicant was not told about within five working days of receipt
        was accepted on receipt (行政许可法 §32(4)): its deadlines run from receipt,
        and an incomplete one is accepted with the late request for materials recorded
        (``late_supplement_request``), not sent back to 补正.
        """
        return self._decide(number, rules, actor, comment, None, {})

    def notice_late(self, case: Case, today: dt.date) -> bool:
        """No notice given and more than five working days since receipt (§32(4)): the
        fifth working day after receipt is still in time, the sixth is not."""
        if case.notice_on is not None:
            return False
        waited = self.calendar.workdays_between(case.received_on, today).value
        return isinstance(waited, int) and waited > self.notice_days

    def _decide(self, number: str, rules: RuleSet, actor: str, comment: str,
                bring: Callable[[Case], None] | None, data: dict[str, Any]) -> Case:
        case = self.get(number)
        if bring is not None:
            bring(case)
        result = self.precheck(case, rules)
        action = {"accept": "accept", "accept_with_tolerance": "accept",
                  "incomplete": "request_supplement", "refuse": "refuse"}[result.outcome]
        late = self.notice_late(case, self.now().date())
        if late and action == "request_supplement":
            action = "late_supplement_request"
        event_data = {"outcome": result.outcome, **data}
        if late and action != "refuse":
            event_data["deemed_accepted_on"] = case.received_on.isoformat()
        doc = result.model_dump(mode="json")

        def mutate(case: Case, today: dt.date) -> str:
            if bring is not None:
                bring(case)  # what the applicant brought, in the same transition
            case.precheck = doc
            case.notice_on = today
            if action in ("accept", "late_supplement_request"):
                # §32(4): told too late, the case was accepted on the day of receipt
                start = case.received_on if late else today
                case.accepted_on = start
                case.deemed_accepted = late
                if action == "late_supplement_request":
                    case.late_requests.append(LateRequest(
                        on=today, missing=[m.id for m in result.missing_materials]))
                limit_unit = case.unit
                committed = deadline(start, case.committed_days, limit_unit, self.calendar)
                statutory = deadline(start, case.statutory_days, limit_unit, self.calendar)
                case.committed_deadline, case.statutory_deadline = \
                    committed.value, statutory.value
                due = deadline(start, self.tolerance_days, "working_days",
                               self.calendar).value
                assert isinstance(due, dt.date)
                if result.tolerated_materials and case.committed_deadline is not None \
                        and due > case.committed_deadline:
                    # 容缺受理: supplied before the decision, so due by the committed
                    # deadline at the latest (on acceptance day for a 即办件)
                    due = case.committed_deadline
                    event_data["tolerated_due_capped"] = due.isoformat()
                case.tolerated = [Tolerated(id=m.id, due=due)
                                  for m in result.tolerated_materials]
                case.route = result.route
                # by position: two steps may name the same units with other days
                case.step_days = [rules.matter.route[i].days for i in result.route_steps]
                case.signed = [{} for _ in result.route]
                return "accepted"
            if action == "refuse":
                case.decided_on = today
                return "refused"
            return "supplement"

        return self._apply(number, action, actor, comment, mutate, event_data)

    def resubmit(self, number: str, rules: RuleSet, *, actor: str,
                 materials: list[HandedIn] | None = None,
                 fields: dict[str, Any] | None = None, comment: str = "") -> Case:
        """补正: the applicant brings more; the pre-check runs again and decides.

        The new answers and materials and the decision are one transition, so the
        history shows what was brought and a crash cannot keep one without the other.
        """
        case = self.get(number)
        if case.state != "supplement":
            raise IllegalTransition(f"case {number} is {case.state}, not waiting for "
                                    "supplement", None,
                                    hint=f"allowed now: "
                                         f"{', '.join(self.allowed(case)) or 'nothing'}")

        def bring(current: Case) -> None:
            if fields is not None:
                current.fields = fields
            if materials:
                by_id = {m.id: m for m in current.materials}
                for m in materials:
                    by_id[m.id] = m
                current.materials = list(by_id.values())

        data = {"brought": [m.id for m in materials or []], "fields_changed": fields is not None}
        return self._decide(number, rules, actor, comment, bring, data)

    def start_review(self, number: str, *, actor: str, comment: str = "") -> Case:
        """Hand the accepted case to the back office (first route step)."""
        def mutate(case: Case, today: dt.date) -> str:
            case.step = 0
            case.step_started_on = today
            return "in_review"
        return self._apply(number, "start_review", actor, comment, mutate)

    def sign_off(self, number: str, unit: str, *, actor: str, comment: str = "") -> Case:
        """One unit of the current step signs off; the step ends when all have."""
        def mutate(case: Case, today: dt.date) -> str:
            if case.step >= len(case.route):
                raise IllegalTransition(f"case {case.number} has no step left to sign",
                                        None,
                                        hint="approve or deny the case")
            units = case.route[case.step]
            if unit not in units:
                raise IllegalTransition(f"'{unit}' is not a unit of step {case.step + 1} "
                                        f"({', '.join(units)})", None)
            signed = case.signed[case.step]
            if unit in signed:
                raise IllegalTransition(f"'{unit}' has already signed step {case.step + 1}",
                                        None)
            signed[unit] = actor
            if set(signed) >= set(units):
                case.step += 1
                case.step_started_on = today
            return "in_review"
        return self._apply(number, "sign_off", actor, comment, mutate, {"unit": unit})

    def approve(self, number: str, *, actor: str, comment: str = "") -> Case:
        """办结 (准予): every route step must be signed off first."""
        def mutate(case: Case, today: dt.date) -> str:
            if case.step < len(case.route):
                raise IllegalTransition(f"case {case.number} still waits for step "
                                        f"{case.step + 1}: {', '.join(case.route[case.step])}",
                                        None)
            self._owes_nothing(case, "approve")
            self._close_pauses(case, today)
            case.decided_on = today
            return "approved"
        return self._apply(number, "approve", actor, comment, mutate)

    def deny(self, number: str, *, actor: str, reason: str) -> Case:
        """办结 (不予许可), with the reasons (required)."""
        if not reason.strip():
            raise IllegalTransition("a denial needs its reasons", None, code="no-reason",
                                    hint="不予许可必须说明理由")

        def mutate(case: Case, today: dt.date) -> str:
            self._close_pauses(case, today)
            case.decided_on = today
            return "denied"
        return self._apply(number, "deny", actor, reason, mutate)

    def issue(self, number: str, *, actor: str, comment: str = "") -> Case:
        """发证/送达: the result reaches the applicant."""
        def mutate(case: Case, today: dt.date) -> str:
            if case.state == "approved":  # a denial owes the applicant nothing more
                self._owes_nothing(case, "issue")
            case.issued_on = today
            return "issued"
        return self._apply(number, "issue", actor, comment, mutate)

    def suspend(self, number: str, reason: str, *, actor: str, comment: str = "") -> Case:
        """Stop the clock for a statutory special procedure (听证, 检测, 专家评审 ...)."""
        if reason not in SPECIAL_PROCEDURES:
            raise IllegalTransition(f"'{reason}' is not a statutory special procedure", None,
                                    code="bad-reason",
                                    hint="one of: " + ", ".join(SPECIAL_PROCEDURES))

        def mutate(case: Case, today: dt.date) -> str:
            if case.paused:
                raise IllegalTransition(f"the clock of {case.number} is already stopped",
                                        None)
            case.pauses.append(Pause(reason=reason, start=today))
            return case.state
        return self._apply(number, "suspend", actor, comment, mutate, {"reason": reason})

    def resume(self, number: str, *, actor: str, comment: str = "") -> Case:
        """Restart the clock after a special procedure."""
        def mutate(case: Case, today: dt.date) -> str:
            if not case.paused:
                raise IllegalTransition(f"the clock of {case.number} is running", None)
            self._close_pauses(case, today)
            return case.state
        return self._apply(number, "resume", actor, comment, mutate)

    def supply(self, number: str, material: str, *, actor: str, comment: str = "") -> Case:
        """A tolerated material is handed in."""
        def mutate(case: Case, today: dt.date) -> str:
            item = next((t for t in case.tolerated if t.id == material), None)
            if item is None:
                raise IllegalTransition(f"'{material}' is not a tolerated material of "
                                        f"{case.number}", None)
            if item.supplied_on is not None:
                # a second hand-in would list the material twice and move the date
                raise IllegalTransition(f"'{material}' was already supplied on "
                                        f"{item.supplied_on}", None)
            item.supplied_on = today
            case.materials.append(HandedIn(id=material))
            return case.state
        return self._apply(number, "supply", actor, comment, mutate, {"material": material})

    @staticmethod
    def _owes_nothing(case: Case, action: str) -> None:
        """容缺受理: the tolerated materials are supplied before the case is granted or its
        result issued (the 容缺承诺书 promises them by their day; a grant without them rests
        on an incomplete file)."""
        owed = [t for t in case.tolerated if t.supplied_on is None]
        if owed:
            names = ", ".join(f"{t.id} (due {t.due.isoformat()})" for t in owed)
            raise IllegalTransition(
                f"case {case.number} still owes the tolerated (容缺) material {names}; "
                f"it cannot be {'approved' if action == 'approve' else 'issued'} before "
                "it is supplied", None, code="tolerated-outstanding",
                hint="record the material with 'supply' when the applicant hands it in; "
                     "if it will not come, deny the case (不予许可) with that reason")

    @staticmethod
    def _close_pauses(case: Case, today: dt.date) -> None:
        for p in case.pauses:
            if p.end is None:
                p.end = today
