"""Cases and their lifecycle (接件 -> 受理/补正/不予受理 -> 审查 -> 办结 -> 送达).

``CaseService`` runs every transition through one table of legal moves,
records who, when and why in the case's history and in the audit trail, and
keeps the clock: deadlines are fixed at acceptance and move only by the
days the clock was stopped (special procedures, 行政许可法 §45) and by an
approved extension (延期, §42); ``formkit.cases.clock`` does that arithmetic.
docs/lifecycle.md states every rule with its source.
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
from formkit.cases import clock
from formkit.cases.store import CaseStore, unknown_case
from formkit.dsl.compiler import EvalContext
from formkit.errors import IllegalTransition, InputError, NotFoundError, SourceSpan
from formkit.intake.deadlines import deadline
from formkit.intake.forms import form_state, stored_answers
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.ruleset import RuleSet

__all__ = [
    "ACTION_NAMES",
    "OPEN_STATES",
    "RATABLE_STATES",
    "SCORE_NAMES",
    "STATE_NAMES",
    "TRANSITIONS",
    "BundleLink",
    "Case",
    "CaseService",
    "Event",
    "ExtensionRecord",
    "Followup",
    "HandedIn",
    "LateRequest",
    "Pause",
    "Procedure",
    "Rating",
    "Tolerated",
    "import_form",
]

State = Literal["received", "supplement", "refused", "accepted", "in_review", "approved",
                "denied", "issued", "terminated", "withdrawn"]
_BEFORE_DECISION = ("received", "supplement", "accepted", "in_review")
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
    # a substantive ground found at intake (a ``deny`` check) may be decided at once
    "deny": {"accepted": "denied", "in_review": "denied"},
    "issue": {"approved": "issued", "denied": "issued"},
    "suspend": {"accepted": "accepted", "in_review": "in_review"},
    "resume": {"accepted": "accepted", "in_review": "in_review"},
    "extend": {"accepted": "accepted", "in_review": "in_review"},  # §42, before the decision
    # 终止 (a tolerated material never came, the applicant died ...) / 撤回 by the applicant
    "terminate": dict.fromkeys(_BEFORE_DECISION, "terminated"),
    "withdraw": dict.fromkeys(_BEFORE_DECISION, "withdrawn"),
    # a year's holiday schedule became known: deadlines resting on a guess are fixed again
    "recompute_deadlines": {"accepted": "accepted", "in_review": "in_review"},
    # a result issued before this rule (or imported) may still owe a tolerated material
    "supply": {"accepted": "accepted", "in_review": "in_review", "approved": "approved",
               "issued": "issued"},
}
# The states and actions in the words of the window (Chinese, then English).
STATE_NAMES: dict[str, tuple[str, str]] = {
    "received": ("已收件", "Received"),
    "supplement": ("待补正", "Awaiting supplement"),
    "refused": ("不予受理", "Not accepted"),
    "accepted": ("已受理", "Accepted"),
    "in_review": ("审查中", "In review"),
    "approved": ("准予许可", "Approved"),
    "denied": ("不予许可", "Denied"),
    "issued": ("已送达办结", "Issued"),
    "terminated": ("已终止", "Terminated"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
ACTION_NAMES: dict[str, str] = {
    "receive": "收件", "accept": "受理", "request_supplement": "一次性告知补正",
    "late_supplement_request": "逾期告知补正（已视为受理）", "refuse": "不予受理",
    "resubmit": "补正材料", "start_review": "开始审查", "sign_off": "签批",
    "approve": "准予许可", "deny": "不予许可", "issue": "送达办结", "suspend": "中止计时",
    "resume": "恢复计时", "extend": "延期", "supply": "补交容缺材料", "terminate": "终止",
    "withdraw": "撤回", "recompute_deadlines": "重新计算期限",
    # not moves of the lifecycle: records on a case whatever its state allows
    "rate": "好差评", "order_followup": "督办", "close_followup": "督办办结",
}
NOTICE_DAYS = 5  # 行政许可法 §32(4): the one-time notice on the spot or within five days
OPEN_STATES = frozenset({"received", "supplement", "accepted", "in_review"})
FINISHED_STATES = frozenset({"approved", "denied", "issued", "refused", "terminated",
                             "withdrawn"})
# 行政许可法 §45: the time these take is not counted, and has no maximum in that law
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
    """A stopped clock: a special procedure (``reason``, its id), from ``start`` to
    ``end``; its time counts again past ``max_days`` (in ``unit``) when it has one."""

    reason: str
    start: dt.date
    end: dt.date | None = None
    max_days: int | None = None
    unit: str = "working_days"


class Procedure(BaseModel):
    """A special procedure a matter declares, copied onto its cases when received."""

    name: str
    max_days: int | None = None
    unit: str = "working_days"


class ExtensionRecord(BaseModel):
    """An approved extension (延期, 行政许可法 §42): days in the limit's unit, when, who
    approved."""

    days: int
    on: dt.date
    by: str
    comment: str = ""


# 好差评 (国办发〔2019〕51号; GB/T 39735-2020, GB/T 39734-2020): five grades, of which
# 不满意 and 非常不满意 are 差评 and owe a follow-up (核实, 整改, 反馈).
SCORE_NAMES: dict[int, str] = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意",
                               1: "非常不满意"}
POOR_SCORE = 2  # this score and below: 差评
# The service to the applicant has ended: the result served (办结送达), the application
# refused at the window (不予受理), or the case ended without a decision. An approved or
# denied case is rated when its result is served (出件), so that the rating covers it.
RATABLE_STATES = frozenset({"issued", "refused", "terminated", "withdrawn"})
# 差评: the follow-up is due this many working days after the rating. No national text
# we could read fixes it (local plans say 5, 7 or 15 working days): the centre sets it.
RATING_FOLLOWUP_DAYS = 15
RATING_VIA = ("window", "notice", "online", "api")


class Rating(BaseModel):
    """The applicant's rating (好差评) of a finished case: 1 (非常不满意) to 5 (非常满意)."""

    score: int = Field(ge=1, le=5)
    comment: str = ""
    via: str = "window"  # at the window, the notice's link, online, another system
    by: str = ""  # who recorded it (the clerk at the window, or the link's user)
    at: dt.datetime

    @property
    def poor(self) -> bool:
        """A 差评 (不满意 or 非常不满意)."""
        return self.score <= POOR_SCORE


class Followup(BaseModel):
    """A follow-up item (督办) on a case: opened by a supervisor, or by a 差评, with its
    due day, tracked until it is closed with what was done."""

    id: str  # "D1", "D2" ... within the case
    kind: Literal["order", "rating"] = "order"  # 督办 by a supervisor / a 差评's 整改
    note: str
    due: dt.date
    opened_by: str
    opened_on: dt.date
    closed_on: dt.date | None = None
    closed_by: str = ""
    result: str = ""  # what was verified, put right and told the applicant

    @property
    def is_open(self) -> bool:
        """Not closed yet."""
        return self.closed_on is None


class BundleLink(BaseModel):
    """The 高效办成一件事 a case was applied for in: the bundle, its number (the number
    of its first case) and every case of it, this one included, in the bundle's order."""

    code: str
    name: str = ""
    number: str = ""
    cases: list[str] = Field(default_factory=list)


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
    # 延期 (行政许可法 §42): what the matter allows, once, and what was approved
    extension_days: int = 0
    extension_approver: str = ""
    extensions: list[ExtensionRecord] = Field(default_factory=list)
    procedures: dict[str, Procedure] = Field(default_factory=dict)  # the matter's own
    calendar_provisional: bool = False  # a deadline rests on an unpublished year
    ended_on: dt.date | None = None  # terminated or withdrawn
    rating: Rating | None = None  # 好差评, once the case is finished
    followups: list[Followup] = Field(default_factory=list)  # 督办
    bundle: BundleLink | None = None  # applied for with other matters (高效办成一件事)
    history: list[Event] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _marks_only_when_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The marks added since the first store (§32(4), §42, the matter's procedures,
        the provisional calendar) are written only on the cases they concern, so a case
        stored before them reads and writes back the same document."""
        doc: dict[str, Any] = handler(self)
        for key in _OPTIONAL:
            if not doc.get(key):
                doc.pop(key, None)
        for pause in doc.get("pauses") or []:
            if pause.get("max_days") is None:
                pause.pop("max_days", None)
                pause.pop("unit", None)
        return doc

    @property
    def is_open(self) -> bool:
        """Still being handled (not refused, decided or issued)."""
        return self.state in OPEN_STATES

    @property
    def deny_grounds(self) -> list[str]:
        """The substantive grounds for denial the pre-check found at intake (``deny``
        checks): the case may be denied on them, never approved."""
        return [str(d.get("message", "")) for d in self.precheck.get("denials") or []]

    @property
    def paused(self) -> bool:
        """The clock is stopped now."""
        return any(p.end is None for p in self.pauses)


_OPTIONAL = ("deemed_accepted", "late_requests", "extension_days", "extension_approver",
             "extensions", "procedures", "calendar_provisional", "ended_on", "rating",
             "followups", "bundle")


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
            "unit", "committed_days", "statutory_days", "extensions", "calendar_provisional")
    out = {k: case.get(k) for k in keys}
    if case.get("bundle"):  # only on a bundle's cases, so other summaries stay as they were
        out["bundle"] = case["bundle"].get("number")
    return out


def _not_now(case: Case, action: str, allowed: dict[str, str]) -> IllegalTransition:
    """The refusal of an action the case's state does not allow: in the window's words
    first, then the ids."""
    now = CaseService.allowed(case)
    return IllegalTransition(
        f"案件 {case.number} 当前为“{STATE_NAMES[case.state][0]}”，不能"
        f"{ACTION_NAMES.get(action, action)}（仅"
        f"{'或'.join(STATE_NAMES[s][0] for s in sorted(allowed))}的案件可以）: case "
        f"{case.number} is {case.state}; '{action}' is allowed only when "
        f"{' or '.join(sorted(allowed))}", None,
        hint=f"现在可以：{'、'.join(ACTION_NAMES[a] for a in now) or '无'} (allowed now: "
             f"{', '.join(now) or 'nothing'})")


Decision = Literal["accept", "request_supplement", "refuse"]


def _office_decision(case: Case, result: PrecheckResult, want: Decision,
                     comment: str) -> str:
    """The office decides other than the pre-check: allowed when it gives its reason
    (a material deficient in substance, a matter outside its power), never to accept an
    application the pre-check finds incomplete or refusable."""
    if want == "accept":
        problems = [m.id for m in result.missing_materials] + \
            [e.field for e in result.field_errors] + [r.message for r in result.refusals]
        raise IllegalTransition(
            f"案件 {case.number} 预检未通过，不能受理: case {case.number} cannot be accepted: "
            f"the pre-check finds it "
            f"{result.outcome} ({', '.join(problems[:6])})", None, code="not-complete",
            hint="request_supplement (一次性告知) for what is missing, or refuse (不予受理)"
            if result.outcome == "incomplete" else "refuse it (不予受理) with the reason")
    if want == "request_supplement" and result.outcome == "refuse":
        raise IllegalTransition(
            f"案件 {case.number} 预检结论为不予受理，补正不能消除: "
            f"case {case.number} is refused by "
            "the pre-check: "
            f"{'；'.join(r.message for r in result.refusals)}", None, code="not-complete",
            hint="refuse it (不予受理); supplementing cannot cure it")
    if not comment.strip():
        raise IllegalTransition(
            f"与预检结论不同的决定须说明理由: the pre-check does not find case {case.number} "
            f"{'incomplete' if want == 'request_supplement' else 'refusable'}; "
            "the office's own finding needs its reason", None, code="no-reason",
            hint="say in the comment what is deficient, or why it is refused "
                 "(行政许可法第三十二条)")
    return want


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
                 now: Callable[[], dt.datetime] = dt.datetime.now,
                 rating_followup_days: int = RATING_FOLLOWUP_DAYS) -> None:
        self.store = store
        self.calendar = calendar or WorkCalendar()
        self.tolerance_days = tolerance_days
        self.notice_days = notice_days
        self.now = now
        self.rating_followup_days = rating_followup_days

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
                raise _not_now(case, action, allowed)
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
                decide: bool = True, comment: str = "", bundle: BundleLink | None = None
                ) -> Case:
        """接件: store the application; with ``decide``, run the pre-check and act on it
        (the window); without, store the pre-check for the office that decides (an
        online application, 行政许可法 §32: within five working days).

        ``bundle``: the 一件事 the case belongs to (its number, when empty, is this
        case's).
        """
        today = self.now().date()
        matter = rules.matter
        fields = self._stored(rules, fields, today)
        submission = {"fields": fields,
                      "materials": [m.model_dump(exclude_none=True) for m in materials]}
        checked = {} if decide else run_precheck(
            rules, submission, today=today, calendar=self.calendar).model_dump(mode="json")

        def make(number: str) -> dict[str, Any]:
            limit = matter.time_limit
            case = Case(number=number, matter=matter.code, version=version,
                        applicant=applicant, department=matter.department, fields=fields,
                        materials=materials, received_on=today, unit=limit.unit,
                        committed_days=limit.committed_days,
                        statutory_days=limit.statutory_days,
                        extension_days=limit.extension.days if limit.extension else 0,
                        extension_approver=limit.extension.approver.text("zh")
                        if limit.extension and limit.extension.approver else "",
                        procedures={p.id: Procedure(name=p.name.text("zh"),
                                                    max_days=p.max_days, unit=p.unit)
                                    for p in matter.special_procedures},
                        precheck=checked)
            if bundle is not None:
                case.bundle = bundle.model_copy(update={"number": bundle.number or number})
            case.history.append(Event(
                action="receive", from_state=None, to_state="received", actor=actor,
                at=self.now(), comment=comment,
                data={"bundle": case.bundle.number} if case.bundle else {}))
            return case.model_dump(mode="json")

        doc = self.store.create(today, make, summary, audit_entry)
        case = Case.model_validate(doc)
        if decide:
            case = self.decide(case.number, rules, actor=actor)
        return case

    def _deny_at_once(self, case: Case, actor: str) -> Case:
        """A 即办件 accepted with a substantive ground (a ``deny`` check) is decided at
        once: 不予许可, with the grounds as the reasons (行政许可法 §38(2))."""
        grounds = case.deny_grounds
        if case.state != "accepted" or not grounds or case.committed_days != 0:
            return case
        return self.deny(case.number, actor=actor, reason="；".join(grounds))

    def _stored(self, rules: RuleSet, fields: dict[str, Any], today: dt.date
                ) -> dict[str, Any]:
        """The answers as the case keeps them: typed, hidden and empty ones left out
        (``stored_answers``), so a stored case fits its matter's JSON Schema."""
        state, _ = form_state(rules, fields, ctx=EvalContext(today, self.calendar))
        return stored_answers(state)

    def precheck(self, case: Case, rules: RuleSet) -> PrecheckResult:
        """The pre-check of the case as it stands (against its own matter version)."""
        submission = {"fields": case.fields,
                      "materials": [m.model_dump(exclude_none=True) for m in case.materials]}
        return run_precheck(rules, submission, today=self.now().date(),
                            calendar=self.calendar)

    def decide(self, number: str, rules: RuleSet, *, actor: str, comment: str = "",
               want: Decision | None = None) -> Case:
        """Run the pre-check and accept, request supplement, or refuse accordingly.

        ``want`` is the office's own decision on a received case (an online
        application): ``accept`` only when the pre-check finds the application
        complete; ``request_supplement`` when it finds something missing, or, with the
        reason in ``comment``, when the office finds a material deficient in substance;
        ``refuse`` (不予受理) when the pre-check refuses, or with the reason.

        A case the applicant was not told about within five working days of receipt
        was accepted on receipt (行政许可法 §32(4)): its deadlines run from receipt,
        and an incomplete one is accepted with the late request for materials recorded
        (``late_supplement_request``), not sent back to 补正.
        """
        case = self._decide(number, rules, actor, comment, None, {}, want)
        return self._deny_at_once(case, actor)

    def notice_late(self, case: Case, today: dt.date) -> bool:
        """No notice given and more than five working days since receipt (§32(4)): the
        fifth working day after receipt is still in time, the sixth is not."""
        if case.notice_on is not None:
            return False
        waited = self.calendar.workdays_between(case.received_on, today).value
        return isinstance(waited, int) and waited > self.notice_days

    def _decide(self, number: str, rules: RuleSet, actor: str, comment: str,
                bring: Callable[[Case], None] | None, data: dict[str, Any],
                want: Decision | None = None) -> Case:
        case = self.get(number)
        if bring is not None:
            bring(case)
        result = self.precheck(case, rules)
        action = {"accept": "accept", "accept_with_tolerance": "accept",
                  "incomplete": "request_supplement", "refuse": "refuse"}[result.outcome]
        if want is not None and want != action:
            action = _office_decision(case, result, want, comment)
        late = self.notice_late(case, self.now().date())
        if late and action == "request_supplement":
            action = "late_supplement_request"
        event_data = {"outcome": result.outcome, **data}
        if late and action != "refuse":
            event_data["deemed_accepted_on"] = case.received_on.isoformat()
        doc = result.model_dump(mode="json")
        tolerable = {m.id: m.tolerable_days for m in rules.matter.materials}

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
                self._fix_deadlines(case, start)
                case.tolerated = [Tolerated(id=m.id, due=self._tolerated_due(
                    case, start, tolerable.get(m.id), event_data))
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

    def _fix_deadlines(self, case: Case, start: dt.date) -> None:
        """The committed and statutory deadlines, counted from ``start`` (acceptance,
        or receipt when deemed accepted), and whether they rest on a guessed year."""
        committed = deadline(start, case.committed_days, case.unit, self.calendar)
        statutory = deadline(start, case.statutory_days, case.unit, self.calendar)
        case.committed_deadline, case.statutory_deadline = committed.value, statutory.value
        case.calendar_provisional = committed.provisional or statutory.provisional

    def _tolerated_due(self, case: Case, start: dt.date, days: int | None,
                       event_data: dict[str, Any]) -> dt.date:
        """容缺受理: the day a tolerated material is due, ``days`` working days after
        acceptance (the matter's ``tolerable_days``, else the centre's). It is needed
        for the decision, so it is due by the committed deadline at the latest (on
        acceptance day for a 即办件); a cut period is recorded in the event."""
        due = deadline(start, days or self.tolerance_days, "working_days",
                       self.calendar).value
        if case.committed_deadline is not None and due > case.committed_deadline:
            due = case.committed_deadline
            event_data["tolerated_due_capped"] = due.isoformat()
        return due

    def resubmit(self, number: str, rules: RuleSet, *, actor: str,
                 materials: list[HandedIn] | None = None,
                 fields: dict[str, Any] | None = None, comment: str = "") -> Case:
        """补正: the applicant brings more; the pre-check runs again and decides.

        The new answers and materials and the decision are one transition, so the
        history shows what was brought and a crash cannot keep one without the other.
        """
        case = self.get(number)
        if case.state != "supplement":
            raise _not_now(case, "resubmit", {"supplement": "supplement"})

        typed = None if fields is None else self._stored(rules, fields, self.now().date())

        def bring(current: Case) -> None:
            if typed is not None:
                current.fields = typed
            if materials:
                by_id = {m.id: m for m in current.materials}
                for m in materials:
                    by_id[m.id] = m
                current.materials = list(by_id.values())

        data = {"brought": [m.id for m in materials or []], "fields_changed": fields is not None}
        return self._deny_at_once(self._decide(number, rules, actor, comment, bring, data),
                                  actor)

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
                raise IllegalTransition(f"案件 {case.number} 已无待签批环节: "
                                        f"case {case.number} has no step left to sign",
                                        None,
                                        hint="approve or deny the case")
            units = case.route[case.step]
            if unit not in units:
                raise IllegalTransition(f"该单位不是第{case.step + 1}环节的承办单位: "
                                        f"'{unit}' is not a unit of step {case.step + 1} "
                                        f"({', '.join(units)})", None)
            signed = case.signed[case.step]
            if unit in signed:
                raise IllegalTransition(f"该单位已签批第{case.step + 1}环节: "
                                        f"'{unit}' has already signed step {case.step + 1}",
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
                raise IllegalTransition(f"案件 {case.number} 尚有环节未签批，不能办结: "
                                        f"case {case.number} still waits for step "
                                        f"{case.step + 1}: {', '.join(case.route[case.step])}",
                                        None)
            self._owes_nothing(case, "approve")
            grounds = case.deny_grounds
            if grounds:
                raise IllegalTransition(
                    f"案件 {case.number} 受理时发现不予许可情形，不能准予许可: "
                    f"case {case.number} was "
                    f"accepted with a ground for denial found at "
                    f"intake: {'；'.join(grounds)}", None, code="deny-ground",
                    hint="deny the case (不予许可) with that ground as the reason")
            self._close_pauses(case, today)
            case.decided_on = today
            return "approved"
        return self._apply(number, "approve", actor, comment, mutate)

    def deny(self, number: str, *, actor: str, reason: str) -> Case:
        """办结 (不予许可), with the reasons (required)."""
        if not reason.strip():
            raise IllegalTransition("不予许可必须说明理由: "
                                    "a denial needs its reasons", None, code="no-reason",
                                    hint="不予许可必须说明理由")

        def mutate(case: Case, today: dt.date) -> str:
            if case.state == "accepted" and not case.deny_grounds:
                # only a ground found at intake is decided without the back office
                raise IllegalTransition(
                    f"案件 {case.number} 尚未审查，不能直接不予许可: case {case.number} is "
                    "accepted and has no ground for denial found at intake; review it first",
                    None, hint="start_review, then deny with the reasons found")
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

    def procedures(self, case: Case) -> dict[str, Procedure]:
        """The special procedures that can stop the case's clock: the statutory ones of
        行政许可法 §45 and the matter's own (which may redefine one, with a maximum)."""
        return {**{k: Procedure(name=v) for k, v in SPECIAL_PROCEDURES.items()},
                **case.procedures}

    def suspend(self, number: str, reason: str, *, actor: str, comment: str = "") -> Case:
        """Stop the clock for a special procedure (听证, 检测, 专家评审, the matter's 公示 ...)."""
        def mutate(case: Case, today: dt.date) -> str:
            known = self.procedures(case)
            procedure = known.get(reason)
            if procedure is None:
                raise IllegalTransition(
                    f"“{reason}”不是本事项的特别程序: '{reason}' is not a special procedure of "
                    f"{case.matter}", None,
                    code="bad-reason", hint="one of: " + ", ".join(
                        f"{k} ({p.name})" for k, p in known.items()))
            if case.paused:
                raise IllegalTransition(f"案件 {case.number} 已在中止计时: "
                                        f"the clock of {case.number} is already stopped",
                                        None, hint="resume it first")
            case.pauses.append(Pause(reason=reason, start=today, max_days=procedure.max_days,
                                     unit=procedure.unit))
            return case.state
        return self._apply(number, "suspend", actor, comment, mutate, {"reason": reason})

    def resume(self, number: str, *, actor: str, comment: str = "") -> Case:
        """Restart the clock after a special procedure."""
        def mutate(case: Case, today: dt.date) -> str:
            if not case.paused:
                raise IllegalTransition(f"案件 {case.number} 未中止计时: "
                                        f"the clock of {case.number} is running", None)
            self._close_pauses(case, today)
            return case.state
        return self._apply(number, "resume", actor, comment, mutate)

    def extend(self, number: str, days: int, *, actor: str, comment: str,
               approver: str = "") -> Case:
        """延期 (行政许可法 §42): add working days to the limit, once, at most what the
        matter's law allows, approved by ``approver`` (the head of the office; default:
        ``actor``, who records it) and with the reason told to the applicant
        (``comment``), before the limit has run out."""
        if not comment.strip():
            raise IllegalTransition("延期须说明理由: "
                                    "an extension needs its reason", None, code="no-reason",
                                    hint="延期须将理由告知申请人（行政许可法第四十二条）")

        def mutate(case: Case, today: dt.date) -> str:
            if case.extension_days <= 0:
                raise IllegalTransition(
                    f"本事项不得延期: {case.matter} allows no extension of its time limit", None,
                    code="no-extension", hint="the matter's time_limit declares no "
                    "'extension'; decide within the limit")
            if case.extensions:
                raise IllegalTransition(
                    f"案件 {case.number} 已延期一次，不得再次延期: case {case.number} was already "
                    f"extended on {case.extensions[0].on} "
                    f"by {case.extensions[0].days} days; the law allows it once", None,
                    code="extension-used")
            if days < 1 or days > case.extension_days:
                zh, en = ("个工作日", "working days") if case.unit == "working_days" \
                    else ("日", "days")
                raise IllegalTransition(
                    f"延期天数须为1至{case.extension_days}{zh}: "
                    f"{days} days: {case.matter} may be "
                    f"extended by 1 to "
                    f"{case.extension_days} {en}", None, code="extension-too-long",
                    hint=f"at most {case.extension_days}")
            _, statutory = self.deadlines(case, today)
            if statutory is not None and today > statutory:
                raise IllegalTransition(
                    f"法定期限已于{statutory}届满，不能再延期: "
                    f"the statutory limit of {case.number} "
                    f"ended on {statutory}; an "
                    "extension is approved before it ends", None, code="extension-late",
                    hint="the case is past its legal limit; decide it now")
            case.extensions.append(ExtensionRecord(days=days, on=today,
                                                   by=approver.strip() or actor,
                                                   comment=comment))
            return case.state
        return self._apply(number, "extend", actor, comment, mutate, {"days": days})

    def terminate(self, number: str, *, actor: str, reason: str) -> Case:
        """终止: the case ends without a decision (a tolerated material never came, the
        applicant died or the company was dissolved), with the reason."""
        return self._end(number, "terminate", actor, reason, "终止须说明理由")

    def withdraw(self, number: str, *, actor: str, reason: str) -> Case:
        """撤回: the applicant withdraws the application before the decision
        (行政许可法 has no article for it; the centre records who asked, and why)."""
        return self._end(number, "withdraw", actor, reason, "撤回须记录申请人的申请或理由")

    def _end(self, number: str, action: str, actor: str, reason: str, hint: str) -> Case:
        if not reason.strip():
            raise IllegalTransition(f"{ACTION_NAMES.get(action, action)}须说明理由: "
                                    f"'{action}' needs its reason", None, code="no-reason",
                                    hint=hint)

        def mutate(case: Case, today: dt.date) -> str:
            self._close_pauses(case, today)
            case.ended_on = today
            return TRANSITIONS[action][case.state]
        return self._apply(number, action, actor, reason, mutate)

    def recompute_deadlines(self, number: str, *, actor: str) -> Case | None:
        """Fix again the deadlines of a case accepted while its year's holidays were a
        guess (the law's fixed holidays only), now that the calendar knows more.
        Returns the case when its deadlines or their provisional mark changed, else
        None (nothing is written)."""
        case = self.get(number)
        data: dict[str, Any] = {}
        if case.state in TRANSITIONS["recompute_deadlines"]:  # else refused below
            if not case.calendar_provisional or case.accepted_on is None:
                return None
            probe = case.model_copy(deep=True)
            self._fix_deadlines(probe, case.accepted_on)
            before = (case.committed_deadline, case.statutory_deadline)
            after = (probe.committed_deadline, probe.statutory_deadline)
            if before == after and probe.calendar_provisional:
                return None
            data = {"before": [d.isoformat() if d else None for d in before],
                    "after": [d.isoformat() if d else None for d in after]}

        def mutate(current: Case, today: dt.date) -> str:
            assert current.accepted_on is not None
            self._fix_deadlines(current, current.accepted_on)
            return current.state
        return self._apply(number, "recompute_deadlines", actor,
                           "节假日安排公布后重新计算期限", mutate, data)

    def deadlines(self, case: Case, today: dt.date | None = None, *,
                  extended: bool = True) -> tuple[dt.date | None, dt.date | None]:
        """The effective committed and statutory deadlines as of ``today``; with
        ``extended=False``, before any extension (the date an extension notice says
        the limit would have ended)."""
        doc = case.model_dump(mode="json")
        if not extended:
            doc["extensions"] = []
        return clock.deadlines(doc, today or self.now().date(), self.calendar)

    def view(self, case: Case, today: dt.date | None = None) -> dict[str, Any]:
        """The case object of cli.md ("The case object"): the stored case with its
        effective deadlines, and every key of the contract present."""
        committed, statutory = self.deadlines(case, today)
        doc = case.model_dump(mode="json")
        # a stop or an extension may carry a deadline into a year not yet published
        guessed = any(d is not None and self.calendar.is_provisional(d)
                      for d in (committed, statutory))
        doc.update(
            effective_committed_deadline=committed.isoformat() if committed else None,
            effective_statutory_deadline=statutory.isoformat() if statutory else None,
            extensions=[e.model_dump(mode="json") for e in case.extensions],
            calendar_provisional=case.calendar_provisional or guessed)
        return doc

    def supply(self, number: str, material: str, *, actor: str, comment: str = "") -> Case:
        """A tolerated material is handed in."""
        def mutate(case: Case, today: dt.date) -> str:
            item = next((t for t in case.tolerated if t.id == material), None)
            if item is None:
                raise IllegalTransition(f"该材料不是本案件的容缺材料: "
                                        f"'{material}' is not a tolerated material of "
                                        f"{case.number}", None)
            if item.supplied_on is not None:
                # a second hand-in would list the material twice and move the date
                raise IllegalTransition(f"该材料已于{item.supplied_on}补交: "
                                        f"'{material}' was already supplied on "
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
                f"案件 {case.number} 尚有容缺材料未补交，不能{ACTION_NAMES[action]}: "
                f"case {case.number} "
                f"still owes the tolerated (容缺) material {names}; "
                f"it cannot be {'approved' if action == 'approve' else 'issued'} before "
                "it is supplied", None, code="tolerated-outstanding",
                hint="record the material with 'supply' when the applicant hands it in; "
                     "if it will not come, terminate the case (终止) with that reason")

    @staticmethod
    def _close_pauses(case: Case, today: dt.date) -> None:
        for p in case.pauses:
            if p.end is None:
                p.end = today

    # ---- 好差评 and 督办: records on a case, not moves of its lifecycle

    def _record(self, number: str, action: str, actor: str, comment: str,
                mutate: Callable[[Case, dt.date], dict[str, Any]]) -> Case:
        """Change the case without moving its state: ``mutate`` checks and changes it and
        returns the event's data; the event and its audit entry are committed with it."""
        def change(doc: dict[str, Any]) -> dict[str, Any]:
            case = Case.model_validate(doc)
            data = mutate(case, self.now().date())
            case.history.append(self._event(case, action, actor, comment, data, case.state))
            return case.model_dump(mode="json")

        return Case.model_validate(self.store.update(number, change, summary, audit_entry))

    def rate(self, number: str, *, score: int, comment: str, actor: str,
             via: str = "window") -> Case:
        """好差评: the applicant's rating of a finished case, 1 (非常不满意) to 5 (非常满意),
        recorded once (一次一评, 一事一评: 国办发〔2019〕51号; GB/T 39734-2020).

        A 差评 (score 2 or 1) opens a follow-up (督办, kind ``rating``) due
        ``rating_followup_days`` working days later: the office that handled the case
        checks it (核实), puts it right (整改) and tells the applicant (反馈).

        Raises:
            IllegalTransition: ``bad-score`` (not 1 to 5, or ``via`` unknown),
                ``not-finished`` (the service has not ended: see ``RATABLE_STATES``),
                ``already-rated``.
            NotFoundError: ``unknown-case``.
        """
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise IllegalTransition(
                f"评价等级须为1至5（5 非常满意 … 1 非常不满意）: a rating is a score from 1 "
                f"to 5, not {score!r}", None, code="bad-score",
                hint="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意")
        if via not in RATING_VIA:
            raise IllegalTransition(
                f"评价渠道无效: unknown rating channel '{via}'", None, code="bad-score",
                hint=f"one of: {', '.join(RATING_VIA)}")
        comment = comment.strip()

        def mutate(case: Case, today: dt.date) -> dict[str, Any]:
            if case.state not in RATABLE_STATES:
                raise IllegalTransition(
                    f"案件 {case.number} 当前为“{STATE_NAMES[case.state][0]}”，办结后才能评价: "
                    f"case {case.number} is {case.state}; it is rated once the service "
                    f"has ended ({', '.join(sorted(RATABLE_STATES))})", None,
                    code="not-finished",
                    hint="评价在出件（送达办结）、不予受理、终止或撤回之后进行 (rate it when "
                         "the result is served)")
            if case.rating is not None:
                raise IllegalTransition(
                    f"案件 {case.number} 已于{case.rating.at.date()}评价"
                    f"（{SCORE_NAMES[case.rating.score]}），每件只评一次: case "
                    f"{case.number} was already rated", None, code="already-rated",
                    hint="一事一评：一个办件评价一次 (one rating per case)")
            case.rating = Rating(score=score, comment=comment, via=via, by=actor,
                                 at=self.now())
            data: dict[str, Any] = {"score": score, "via": via}
            if case.rating.poor:
                due = deadline(today, self.rating_followup_days, "working_days",
                               self.calendar).value
                item = Followup(id=_next_id(case), kind="rating", due=due,
                                note=f"差评（{SCORE_NAMES[score]}）核实、整改、反馈"
                                     + (f"：{comment}" if comment else ""),
                                opened_by=actor, opened_on=today)
                case.followups.append(item)
                data["followup"] = item.id
            return data

        return self._record(number, "rate", actor, comment, mutate)

    def order_followup(self, number: str, *, note: str, due: dt.date, actor: str) -> Case:
        """督办: a supervisor orders the case's office to act by ``due``, with ``note``
        (what to do); tracked on the case until ``close_followup``.

        Raises:
            IllegalTransition: ``no-reason`` (no note), ``bad-due`` (a day already past).
            NotFoundError: ``unknown-case``.
        """
        note = note.strip()
        if not note:
            raise IllegalTransition("督办须写明督办事项: a follow-up order needs its note",
                                    None, code="no-reason",
                                    hint="写明要求承办单位做什么 (say what is to be done)")

        def mutate(case: Case, today: dt.date) -> dict[str, Any]:
            if due < today:
                raise IllegalTransition(
                    f"督办期限 {due} 已过: the due day {due} is before today ({today})",
                    None, code="bad-due", hint="期限为今天或以后 (today or later)")
            item = Followup(id=_next_id(case), kind="order", note=note, due=due,
                            opened_by=actor, opened_on=today)
            case.followups.append(item)
            return {"followup": item.id, "due": due.isoformat()}

        return self._record(number, "order_followup", actor, note, mutate)

    def close_followup(self, number: str, followup_id: str, *, note: str,
                       actor: str) -> Case:
        """Close a follow-up (督办办结) with what was done (``note``: what was found,
        put right and told the applicant).

        Raises:
            IllegalTransition: ``no-reason`` (no note), ``followup-closed``.
            NotFoundError: ``unknown-followup``, ``unknown-case``.
        """
        note = note.strip()
        if not note:
            raise IllegalTransition("督办办结须写明办理结果: closing a follow-up needs "
                                    "what was done", None, code="no-reason",
                                    hint="写明核实、整改和反馈的情况 (what was checked, "
                                         "put right and told the applicant)")

        def mutate(case: Case, today: dt.date) -> dict[str, Any]:
            item = next((f for f in case.followups if f.id == followup_id), None)
            if item is None:
                raise NotFoundError(
                    f"案件 {case.number} 没有督办事项 {followup_id}: case {case.number} has "
                    f"no follow-up '{followup_id}'", None, code="unknown-followup",
                    hint="督办事项：" + ("、".join(f.id for f in case.followups) or "无"))
            if not item.is_open:
                raise IllegalTransition(
                    f"督办事项 {followup_id} 已于{item.closed_on}办结: follow-up "
                    f"'{followup_id}' was closed on {item.closed_on}", None,
                    code="followup-closed", hint="需要再督办时，另行督办 (order a new one)")
            item.closed_on, item.closed_by, item.result = today, actor, note
            late = _days_late(self.calendar, item.due, today)
            return {"followup": followup_id, "late_days": late}

        return self._record(number, "close_followup", actor, note, mutate)


def _next_id(case: Case) -> str:
    """The next follow-up id of the case: D1, D2 ..."""
    return f"D{len(case.followups) + 1}"


def _days_late(calendar: WorkCalendar, due: dt.date, day: dt.date) -> int:
    """Working days ``day`` is past ``due`` (0 when on time)."""
    if day <= due:
        return 0
    counted = calendar.workdays_between(due, day).value
    return int(counted) if isinstance(counted, int) else 0
