"""Tests for formkit.cases.service: the state machine, lifecycles, history, audit and the clock."""

from __future__ import annotations

import datetime as dt
import itertools
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from formkit.cases.clock import effective_deadline
from formkit.cases.service import (
    ACTION_NAMES,
    OPEN_STATES,
    STATE_NAMES,
    TRANSITIONS,
    Case,
    CaseService,
    HandedIn,
    Pause,
    Tolerated,
)
from formkit.cases.store import CaseStore
from formkit.cases.tinystore import TinyCaseStore
from formkit.definitions.loader import load_matter_text
from formkit.errors import IllegalTransition, NotFoundError
from formkit.ruleset import RuleSet
from tests.cases.support import (
    Clock,
    calendar,
    example,
    materials_of,
    receive_example,
    rules,
    seed,
    service,
)

D = dt.date
STATES: tuple[str, ...] = typing.get_args(Case.model_fields["state"].annotation)
NR = "XX-NR-0001"  # 存量房转移登记: 5 committed working days, a parallel step
NR_ROUTE = [["natural_resources.registry_intake"],
            ["natural_resources.registry_review", "taxation.tax_service"],
            ["natural_resources.certificate"]]
NR_ACCEPT = "residential flat sold to one buyer"  # accepted 2026-09-29
NR_INCOMPLETE = "agent with an unnotarised copy"
MS = "XX-MS-0001"  # 个体工商户登记: a 15-year-old operator is refused at intake
MS_REFUSE = "operator aged 15 is refused"


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 25, 9, 0))


@pytest.fixture
def svc(tmp_path: Path, clock: Clock) -> CaseService:
    return service(tmp_path / "store", clock)


def store_of(svc: CaseService) -> TinyCaseStore:
    assert isinstance(svc.store, TinyCaseStore)
    return svc.store


def audit_of(svc: CaseService, number: str) -> list[dict[str, Any]]:
    return [e for e in svc.store.audit() if e.get("number") == number]


# --- the table itself ----------------------------------------------------------------------

# What the issue asks for, written out by hand so that a change to TRANSITIONS shows here.
EXPECTED_ALLOWED = {
    # late_supplement_request: told after the five days of §32(4), accepted on receipt
    "received": ["accept", "late_supplement_request", "refuse", "request_supplement",
                 "terminate", "withdraw"],
    "supplement": ["accept", "refuse", "request_supplement", "terminate", "withdraw"],
    "refused": [],
    # deny: a ground found at intake may be decided at once
    "accepted": ["deny", "extend", "recompute_deadlines", "start_review", "supply", "suspend",
                 "resume", "terminate", "withdraw"],
    "in_review": ["approve", "deny", "extend", "recompute_deadlines", "sign_off", "supply",
                  "suspend", "resume", "terminate", "withdraw"],
    "approved": ["issue", "supply"],
    "denied": ["issue"],
    "issued": ["supply"],  # a tolerated material still owed after an (old) issue
    "terminated": [],
    "withdrawn": [],
}


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions_per_state_match_the_issue(state: str) -> None:
    case = Case(number="FK2026112500001", matter=NR, version="v", received_on=D(2026, 11, 25),
                state=state)  # type: ignore[arg-type]
    assert CaseService.allowed(case) == sorted(EXPECTED_ALLOWED[state])


def test_transition_table_names_only_known_states() -> None:
    for action, moves in TRANSITIONS.items():
        for source, target in moves.items():
            assert source in STATES and target in STATES, (action, source, target)
    # the open states are exactly those the applicant is still waiting in
    assert {"received", "supplement", "accepted", "in_review"} == OPEN_STATES
    # every state but "received" (the start) is the target of some action
    targets = {t for moves in TRANSITIONS.values() for t in moves.values()}
    assert targets == set(STATES) - {"received"}


# --- every (action, state) pair ------------------------------------------------------------

ACCEPT_EX = example(NR, NR_ACCEPT)
INCOMPLETE_EX = example(NR, NR_INCOMPLETE)


def _submitted(ex: Any) -> dict[str, Any]:
    return {"fields": dict(ex.fields), "materials": materials_of(ex)}


# Per action: the case facts that make the action possible once the state allows it,
# and the call that performs it. The decision actions are reached through decide(): the
# pre-check of the seeded submission picks accept, request_supplement or refuse.
Perform = Callable[[CaseService, str], Case]
ACTIONS: dict[str, tuple[dict[str, Any], Perform]] = {
    "accept": (_submitted(ACCEPT_EX),
               lambda s, n: s.decide(n, rules(NR), actor="window-03")),
    "request_supplement": (_submitted(INCOMPLETE_EX),
                           lambda s, n: s.decide(n, rules(NR), actor="window-03")),
    # received 11-16, decided 11-25: 7 working days without a notice (行政许可法 §32(4))
    "late_supplement_request": ({**_submitted(INCOMPLETE_EX), "received_on": D(2026, 11, 16)},
                                lambda s, n: s.decide(n, rules(NR), actor="window-03")),
    # the pre-check accepts; the office refuses with its reason (not its jurisdiction)
    "refuse": (_submitted(ACCEPT_EX),
               lambda s, n: s.decide(n, rules(NR), actor="window-03", want="refuse",
                                     comment="不动产不在本县，不属本机构管辖（《不动产登记暂行条例》"
                                             "第七条）")),
    "start_review": ({"route": NR_ROUTE, "signed": [{}, {}, {}]},
                     lambda s, n: s.start_review(n, actor="back-01")),
    "sign_off": ({"route": NR_ROUTE, "signed": [{}, {}, {}], "step": 0},
                 lambda s, n: s.sign_off(n, "natural_resources.registry_intake",
                                         actor="back-01")),
    "approve": ({"route": NR_ROUTE, "step": 3,
                 "signed": [{u: "x" for u in units} for units in NR_ROUTE]},
                lambda s, n: s.approve(n, actor="chief")),
    # from accepted only with a ground found at intake (else the back office reviews first)
    "deny": ({"precheck": {"denials": [{"message": "不动产已被查封"}]}},
             lambda s, n: s.deny(n, actor="chief", reason="产权存在争议")),
    "issue": ({}, lambda s, n: s.issue(n, actor="window-09")),
    "suspend": ({}, lambda s, n: s.suspend(n, "expert_review", actor="back-01")),
    "resume": ({"pauses": [Pause(reason="hearing", start=D(2026, 11, 20))]},
               lambda s, n: s.resume(n, actor="back-01")),
    "supply": ({"tolerated": [Tolerated(id="maintenance_fund", due=D(2026, 12, 2))]},
               lambda s, n: s.supply(n, "maintenance_fund", actor="window-03")),
    # the matter allows 10 working days (行政许可法 §42); the limit has not run out
    "extend": ({"extension_days": 10, "accepted_on": D(2026, 11, 24),
                "statutory_deadline": D(2026, 12, 22)},
               lambda s, n: s.extend(n, 10, actor="head", comment="需要补充核查")),
    "terminate": ({}, lambda s, n: s.terminate(n, actor="window-03",
                                               reason="容缺材料逾期未补交")),
    "withdraw": ({}, lambda s, n: s.withdraw(n, actor="window-03", reason="申请人书面撤回")),
    # accepted while 2027's holidays were a guess, with a deadline the guess got wrong
    "recompute_deadlines": ({"calendar_provisional": True, "accepted_on": D(2026, 11, 25),
                             "committed_deadline": D(2026, 11, 26),
                             "statutory_deadline": D(2026, 12, 1)},
                            lambda s, n: _recomputed(s, n)),
}


def _recomputed(svc: CaseService, number: str) -> Case:
    case = svc.recompute_deadlines(number, actor="system")
    assert case is not None
    return case


def test_every_action_of_the_table_has_a_row_here() -> None:
    assert set(ACTIONS) == set(TRANSITIONS)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_every_action_in_every_state(svc: CaseService, action: str, state: str) -> None:
    facts, perform = ACTIONS[action]
    before = seed(store_of(svc), state, seq=1, **facts)
    legal = state in TRANSITIONS[action]
    if legal:
        after = perform(svc, before.number)
        # the state the table names, one event recording the move, one audit entry
        assert after.state == TRANSITIONS[action][state]
        assert len(after.history) == len(before.history) + 1
        event = after.history[-1]
        assert (event.action, event.from_state, event.to_state) == \
            (action, state, after.state)
        assert [e["action"] for e in audit_of(svc, before.number)] == [action]
        assert svc.get(before.number) == after
        return
    with pytest.raises(IllegalTransition) as info:
        perform(svc, before.number)
    err = info.value
    assert err.code == "illegal-transition"
    # the message names the case, its state and the action; the hint what is allowed now
    assert before.number in err.message and f"is {state};" in err.message
    assert f"'{action}' is allowed only when" in err.message
    allowed = sorted(EXPECTED_ALLOWED[state])
    assert err.hint is not None and err.hint.endswith(
        "(allowed now: " + (", ".join(allowed) if allowed else "nothing") + ")")
    # the window's words come first: the state and the action in Chinese
    assert err.message.startswith(f"案件 {before.number} 当前为“{STATE_NAMES[state][0]}”，不能"
                                  f"{ACTION_NAMES[action]}")
    # nothing was written: not the case, not the audit
    assert svc.get(before.number) == before
    assert audit_of(svc, before.number) == []


def test_illegal_transition_renders_message_and_hint(svc: CaseService) -> None:
    case = seed(store_of(svc), "refused", seq=1)
    with pytest.raises(IllegalTransition) as info:
        svc.issue(case.number, actor="window-09")
    assert str(info.value) == (
        "evaluation error: 案件 FK2026112500001 当前为“不予受理”，"
        "不能送达办结（仅准予许可或不予许可的案件可以）: "
        "case FK2026112500001 is refused; 'issue' is allowed only when "
        "approved or denied\n    hint: 现在可以：无 (allowed now: nothing)")


# --- full lifecycles on sample matters -----------------------------------------------------


def test_accept_review_in_parallel_approve_issue(svc: CaseService, clock: Clock) -> None:
    case = receive_example(svc, clock, NR, NR_ACCEPT, actor="window-07")
    assert case.state == "accepted"
    assert case.number == "FK2026092900001"
    assert case.received_on == case.accepted_on == case.notice_on == D(2026, 9, 29)
    assert case.route == NR_ROUTE and case.signed == [{}, {}, {}]
    assert case.precheck["outcome"] == "accept"
    assert all(m.original_sighted for m in case.materials) and case.materials
    assert len(case.version) == 64  # the content hash it was taken under

    clock.set(D(2026, 9, 30))
    case = svc.start_review(case.number, actor="intake-clerk")
    assert (case.state, case.step, case.step_started_on) == ("in_review", 0, D(2026, 9, 30))
    case = svc.sign_off(case.number, "natural_resources.registry_intake", actor="intake-clerk")
    assert case.step == 1
    # step 2 has two units working in parallel: one signature is not enough
    clock.set(D(2026, 10, 8))
    case = svc.sign_off(case.number, "taxation.tax_service", actor="tax-officer")
    assert case.step == 1 and case.signed[1] == {"taxation.tax_service": "tax-officer"}
    with pytest.raises(IllegalTransition, match=r"still waits for step 2: "
                       r"natural_resources\.registry_review"):
        svc.approve(case.number, actor="chief")
    with pytest.raises(IllegalTransition, match="already signed step 2"):
        svc.sign_off(case.number, "taxation.tax_service", actor="tax-officer")
    with pytest.raises(IllegalTransition, match="not a unit of step 2"):
        svc.sign_off(case.number, "natural_resources.certificate", actor="x")
    case = svc.sign_off(case.number, "natural_resources.registry_review", actor="reviewer")
    assert (case.step, case.step_started_on) == (2, D(2026, 10, 8))
    case = svc.sign_off(case.number, "natural_resources.certificate", actor="cert-clerk")
    assert case.step == 3
    with pytest.raises(IllegalTransition, match="no step left"):
        svc.sign_off(case.number, "natural_resources.certificate", actor="cert-clerk")
    assert any(s["number"] == case.number for s in svc.store.open_summaries())

    clock.set(D(2026, 10, 9))
    case = svc.approve(case.number, actor="chief", comment="准予登记")
    assert (case.state, case.decided_on) == ("approved", D(2026, 10, 9))
    clock.set(D(2026, 10, 12))
    case = svc.issue(case.number, actor="window-09", comment="证书已领取")
    assert (case.state, case.issued_on) == ("issued", D(2026, 10, 12))
    assert [e.action for e in case.history] == [
        "receive", "accept", "start_review", "sign_off", "sign_off", "sign_off", "sign_off",
        "approve", "issue"]
    assert [e.data.get("unit") for e in case.history if e.action == "sign_off"] == [
        "natural_resources.registry_intake", "taxation.tax_service",
        "natural_resources.registry_review", "natural_resources.certificate"]
    # issued: out of the open-case index, still found by number
    assert all(s["number"] != case.number for s in svc.store.open_summaries())
    assert svc.get(case.number) == case


def test_supplement_then_resubmit_is_accepted(svc: CaseService, clock: Clock) -> None:
    hc = "XX-HC-0001"
    clock.set(D(2026, 11, 2))
    bad = example(hc, "one copy of the application form")
    case = svc.receive(rules(hc), "v1", dict(bad.fields), materials_of(bad), actor="window-02")
    assert (case.state, case.notice_on, case.accepted_on) == ("supplement", D(2026, 11, 2), None)
    assert case.precheck["outcome"] == "incomplete" and case.committed_deadline is None

    # the applicant comes back with only part of it: told again, still waiting
    clock.set(D(2026, 11, 9))
    case = svc.resubmit(case.number, rules(hc), actor="window-02",
                        materials=[HandedIn(id="unrelated_note")])
    assert case.state == "supplement" and case.notice_on == D(2026, 11, 9)

    # then with everything: accepted, and the clock starts only now (补正 does not count)
    clock.set(D(2026, 11, 16))
    good = example(hc, "special project with fire review")
    case = svc.resubmit(case.number, rules(hc), actor="window-05", fields=dict(good.fields),
                        materials=materials_of(good))
    assert (case.state, case.accepted_on) == ("accepted", D(2026, 11, 16))
    assert case.committed_deadline == D(2026, 11, 19)  # 3 working days after acceptance
    assert case.route == [["housing.permits"],
                          ["housing.quality_safety", "housing.fire_acceptance"]]
    # what was brought is part of the decision's event
    assert case.history[-1].data == {"outcome": "accept", "fields_changed": True,
                                     "brought": [m.id for m in materials_of(good)]}
    assert case.history[-2].data == {"outcome": "incomplete", "fields_changed": False,
                                     "brought": ["unrelated_note"]}
    assert "unrelated_note" in {m.id for m in case.materials}
    assert [(e.action, e.from_state, e.to_state, e.actor) for e in case.history] == [
        ("receive", None, "received", "window-02"),
        ("request_supplement", "received", "supplement", "window-02"),
        ("request_supplement", "supplement", "supplement", "window-02"),
        ("accept", "supplement", "accepted", "window-05")]
    with pytest.raises(IllegalTransition, match="allowed only when supplement"):
        svc.resubmit(case.number, rules(hc), actor="window-05")


def test_refused_case_is_closed_with_its_reasons(svc: CaseService, clock: Clock) -> None:
    case = receive_example(svc, clock, MS, MS_REFUSE)
    assert (case.state, case.decided_on) == ("refused", D(2026, 11, 25))
    assert case.precheck["refusals"]  # the stated reasons (不予受理决定书)
    assert svc.store.open_summaries() == []
    for act in (lambda: svc.start_review(case.number, actor="x"),
                lambda: svc.decide(case.number, rules(MS), actor="x")):
        with pytest.raises(IllegalTransition, match="allowed now: nothing"):
            act()


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_deny_needs_reasons(svc: CaseService, reason: str) -> None:
    case = seed(store_of(svc), "in_review", seq=1)
    with pytest.raises(IllegalTransition) as info:
        svc.deny(case.number, actor="chief", reason=reason)
    assert info.value.code == "no-reason" and info.value.hint == "不予许可必须说明理由"
    assert svc.get(case.number) == case


def test_deny_with_reasons_then_issue(svc: CaseService, clock: Clock) -> None:
    case = receive_example(svc, clock, NR, NR_ACCEPT)
    svc.start_review(case.number, actor="back-01")
    case = svc.deny(case.number, actor="chief", reason="申请人非不动产权利人")
    assert case.state == "denied" and case.history[-1].comment == "申请人非不动产权利人"
    assert audit_of(svc, case.number)[-1]["comment"] == "申请人非不动产权利人"
    assert svc.issue(case.number, actor="window-09").state == "issued"


def test_unknown_case_is_not_found_not_an_io_error(svc: CaseService) -> None:
    with pytest.raises(NotFoundError) as info:
        svc.start_review("FK2026112599999", actor="x")
    assert (info.value.kind, info.value.code) == ("name", "unknown-case")
    assert info.value.hint == "check the number on the receipt"
    with pytest.raises(NotFoundError) as info:
        svc.get("FK2026112599999")
    assert (info.value.kind, info.value.code) == ("name", "unknown-case")


# --- history and audit ---------------------------------------------------------------------


def test_history_and_audit_record_actor_time_states_comment(svc: CaseService,
                                                           clock: Clock) -> None:
    case = receive_example(svc, clock, NR, NR_ACCEPT, actor="window-07")
    steps: list[tuple[str, Callable[[], Case]]] = [
        ("back-01", lambda: svc.start_review(case.number, actor="back-01", comment="移交")),
        ("back-01", lambda: svc.suspend(case.number, "appraisal", actor="back-01",
                                        comment="委托评估")),
        ("back-02", lambda: svc.resume(case.number, actor="back-02", comment="评估完毕")),
    ]
    for _, act in steps:
        clock.tick(37)
        act()
    case = svc.get(case.number)
    events = case.history
    assert [e.actor for e in events] == ["window-07", "window-07", "back-01", "back-01",
                                         "back-02"]
    assert [e.comment for e in events[2:]] == ["移交", "委托评估", "评估完毕"]
    assert [e.at for e in events[2:]] == [dt.datetime(2026, 9, 29, 9, 37),
                                          dt.datetime(2026, 9, 29, 10, 14),
                                          dt.datetime(2026, 9, 29, 10, 51)]
    # the states chain: each event starts where the last one ended
    assert events[0].from_state is None
    for a, b in itertools.pairwise(events):
        assert a.to_state == b.from_state
    # the audit trail says the same, entry for entry
    audit = audit_of(svc, case.number)
    assert [(a["action"], a["actor"], a["at"], a["from_state"], a["to_state"], a["comment"])
            for a in audit] == [
        (e.action, e.actor, e.at.isoformat(), e.from_state, e.to_state, e.comment)
        for e in events]
    assert all(a["kind"] == "case" for a in audit)
    assert [a["event"] for a in audit] == list(range(len(events)))
    assert [a["data"] for a in audit][2:] == [{}, {"reason": "appraisal"}, {}]


def test_audit_is_append_only(svc: CaseService, clock: Clock) -> None:
    # No method of the interface (or of TinyDB's store) edits or deletes audit entries.
    words = ("delete", "remove", "edit", "clear", "truncate", "purge", "drop", "rewrite",
             "replace", "set_audit", "update_audit")
    from formkit.cases.pgstore import PostgresCaseStore

    for cls, readers in ((CaseStore, ["verify_audit"]), (TinyCaseStore, ["verify_audit"]),
                         (PostgresCaseStore, ["verify_audit"])):
        public = [n for n in dir(cls) if not n.startswith("_")]
        # verify_audit reads the trail and checks its hash chain, nothing else
        assert [n for n in public if "audit" in n] == ["append_audit", "audit", *readers]
        assert not [n for n in public if any(w in n for w in words)], public
    case = receive_example(svc, clock, NR, NR_ACCEPT)
    files = sorted((store_of(svc).root / "audit").glob("*.jsonl"))
    before = {f: f.read_bytes() for f in files}
    svc.start_review(case.number, actor="back-01")
    # later entries only ever extend the files; what was written stays byte for byte
    for f, data in before.items():
        assert f.read_bytes().startswith(data) and len(f.read_bytes()) > len(data)
    # entries handed out are copies: changing one changes nothing stored
    first = next(iter(svc.store.audit()))
    first["actor"] = "someone else"
    assert next(iter(svc.store.audit()))["actor"] == "window-07"


# --- the clock: deadlines and clock stops --------------------------------------------------


def test_deadline_across_the_national_day_holiday(svc: CaseService, clock: Clock) -> None:
    # accepted 2026-09-29, 5 working days: 9-30, 10-08, 10-09, 10-10 (调休 Saturday), 10-12
    case = receive_example(svc, clock, NR, NR_ACCEPT)
    assert case.accepted_on == D(2026, 9, 29)
    assert case.committed_deadline == D(2026, 10, 12)
    assert case.statutory_deadline == calendar().add_workdays(D(2026, 9, 29), 30).value


def test_calendar_day_limits_end_on_a_working_day(svc: CaseService, clock: Clock) -> None:
    # 居民身份证换领: 30 / 60 calendar days from 2026-10-26
    case = receive_example(svc, clock, "XX-PS-0001", "renewal two months before expiry")
    assert case.unit == "calendar_days"
    assert case.committed_deadline == D(2026, 11, 25)
    assert case.statutory_deadline == D(2026, 12, 25)


# (pauses as (suspend day, resume day), effective committed deadline); accepted 2026-09-29,
# committed deadline 2026-10-12. The day a pause starts counts; the days after it up to and
# including the resume day do not, and holidays inside a pause were never counted anyway.
CLOCK_STOPS = [
    ([], D(2026, 10, 12)),
    ([(D(2026, 9, 29), D(2026, 9, 30))], D(2026, 10, 13)),  # one working day
    ([(D(2026, 9, 30), D(2026, 10, 9))], D(2026, 10, 14)),  # 10-08, 10-09: two, not nine
    ([(D(2026, 10, 12), D(2026, 10, 12))], D(2026, 10, 12)),  # stopped and restarted at once
    ([(D(2026, 9, 30), D(2026, 10, 8)), (D(2026, 10, 9), D(2026, 10, 12))],
     D(2026, 10, 15)),  # 10-08, then 10-10 (调休) and 10-12: three in all
]


@pytest.mark.parametrize(("pauses", "due"), CLOCK_STOPS)
def test_clock_stops_move_the_deadline(svc: CaseService, clock: Clock,
                                       pauses: list[tuple[dt.date, dt.date]],
                                       due: dt.date) -> None:
    case = receive_example(svc, clock, NR, NR_ACCEPT)
    clock.set(D(2026, 9, 29), 10)
    svc.start_review(case.number, actor="back-01")
    for start, end in pauses:
        clock.set(start, 11)
        svc.suspend(case.number, "testing", actor="back-01")
        clock.set(end, 15)
        svc.resume(case.number, actor="back-01")
    case = svc.get(case.number)
    # the stored deadline is fixed at acceptance; the effective one moves
    assert case.committed_deadline == D(2026, 10, 12)
    assert [(p.start, p.end, p.reason) for p in case.pauses] == [
        (s, e, "testing") for s, e in pauses]
    got = effective_deadline(case.committed_deadline,
                             [p.model_dump(mode="json") for p in case.pauses],
                             D(2026, 10, 20), case.unit, calendar())
    assert got == due


def test_a_running_pause_keeps_moving_the_deadline(svc: CaseService, clock: Clock) -> None:
    case = receive_example(svc, clock, NR, NR_ACCEPT)
    clock.set(D(2026, 9, 30))
    svc.suspend(case.number, "hearing", actor="back-01")
    pauses = [p.model_dump(mode="json") for p in svc.get(case.number).pauses]
    assert pauses[0]["end"] is None
    for today, due in [(D(2026, 9, 30), D(2026, 10, 12)), (D(2026, 10, 8), D(2026, 10, 13)),
                       (D(2026, 10, 12), D(2026, 10, 16))]:
        assert effective_deadline(D(2026, 10, 12), pauses, today, "working_days",
                                  calendar()) == due


def test_suspend_and_resume_guard_their_preconditions(svc: CaseService, clock: Clock) -> None:
    case = receive_example(svc, clock, NR, NR_ACCEPT)
    with pytest.raises(IllegalTransition) as info:
        svc.suspend(case.number, "coffee break", actor="back-01")
    assert info.value.code == "bad-reason" and "hearing" in (info.value.hint or "")
    with pytest.raises(IllegalTransition, match="is running"):
        svc.resume(case.number, actor="back-01")
    svc.suspend(case.number, "hearing", actor="back-01")
    assert svc.get(case.number).paused
    with pytest.raises(IllegalTransition, match="already stopped"):
        svc.suspend(case.number, "testing", actor="back-01")
    # a decision taken while the clock is stopped closes the pause on that day
    svc.start_review(case.number, actor="back-01")
    for units in NR_ROUTE:
        for unit in units:
            svc.sign_off(case.number, unit, actor="back-01")
    clock.set(D(2026, 10, 9))
    case = svc.approve(case.number, actor="chief")
    assert not case.paused and case.pauses[0].end == D(2026, 10, 9)


# --- tolerated (容缺) materials ------------------------------------------------------------


@pytest.mark.parametrize(("tolerance_days", "due"), [
    # due by the decision (容缺受理): 5 or 3 working days after 9-29 would be 10-12 or
    # 10-09, past the committed deadline 9-30, so 9-30 both times (these rows used to
    # expect 10-12 and 10-09, after the decision was due)
    (5, D(2026, 9, 30)),
    (3, D(2026, 9, 30)),
])
def test_tolerated_materials_get_a_supply_deadline(tmp_path: Path, clock: Clock,
                                                   tolerance_days: int, due: dt.date) -> None:
    svc = service(tmp_path / "store", clock, tolerance_days=tolerance_days)
    case = receive_example(svc, clock, "XX-MS-0001", "without the lease, tolerated")
    assert case.state == "accepted" and case.precheck["outcome"] == "accept_with_tolerance"
    assert case.committed_deadline == D(2026, 9, 30)
    assert [(t.id, t.due, t.supplied_on) for t in case.tolerated] == [
        ("lease_contract", due, None)]


def test_supplying_a_tolerated_material(svc: CaseService, clock: Clock) -> None:
    case = receive_example(svc, clock, "XX-MS-0001", "without the lease, tolerated")
    assert "lease_contract" not in {m.id for m in case.materials}
    clock.set(D(2026, 10, 9))
    case = svc.supply(case.number, "lease_contract", actor="window-04")
    assert case.state == "accepted"
    assert [(t.id, t.supplied_on) for t in case.tolerated] == [("lease_contract",
                                                                 D(2026, 10, 9))]
    assert [m.id for m in case.materials].count("lease_contract") == 1
    assert case.history[-1].data == {"material": "lease_contract"}
    with pytest.raises(IllegalTransition, match="already supplied"):
        svc.supply(case.number, "lease_contract", actor="window-04")
    with pytest.raises(IllegalTransition, match="not a tolerated material"):
        svc.supply(case.number, "id_card", actor="window-04")
    assert len(svc.get(case.number).history) == len(case.history)


# One unit, two alternative steps with other days: the step that applies must bring its own.
SAME_UNITS = """
code: T-SAME
name: {zh: 同一科室两种审查}
department: market_supervision
kind: administrative_licensing
time_limit: {unit: working_days, statutory_days: 20, committed_days: 10}
form:
  - {id: simple, type: boolean, required: true}
materials:
  - {id: application, name: {zh: 申请书}}
route:
  - step: [market_supervision.registration]
    when: simple
    days: 2
  - step: [market_supervision.registration]
    when: not simple
    days: 7
  - step: [market_supervision.field_inspection]
    days: 3
"""


@pytest.mark.parametrize(("simple", "days"), [(True, [2, 3]), (False, [7, 3])])
def test_step_days_follow_the_steps_that_apply_even_with_the_same_units(
        svc: CaseService, simple: bool, days: list[int]) -> None:
    matter, doc = load_matter_text(SAME_UNITS, "same.yaml")
    assert matter is not None, doc
    same = RuleSet.build(matter, None)
    assert same.ok, [e.message for e in same.errors]
    case = svc.receive(same, "v1", {"simple": simple}, [HandedIn(id="application")],
                       actor="window-01")
    assert case.state == "accepted"
    assert case.route == [["market_supervision.registration"],
                          ["market_supervision.field_inspection"]]
    assert case.step_days == days
    assert "route_steps" not in case.precheck  # positions are not part of the JSON
