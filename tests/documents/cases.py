"""Sample cases that have every document: driven through the real lifecycle.

``documents_of(code, root)`` receives the sample matter's own examples on their
own days and moves them on (review, extension, a special procedure, sign-offs,
approval or denial), so each document kind comes from a case that reached it the
way a real one would.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from formkit.cases.service import Case, CaseService
from formkit.documents import DOCUMENT_KINDS, Document, case_document, guide_document
from formkit.intake.deadlines import deadline
from tests.cases.support import Clock, calendar, catalog, receive_example, service

CLERK, PHONE = "李敏", "0766-2881234"


def _example(code: str, outcome: str, *, denials: bool = False) -> str | None:
    for ex in catalog().matters[code].tests:
        if ex.expect.outcome != outcome:
            continue
        if bool(ex.expect.denials) == denials:
            return ex.name
    return None


def _later(day: dt.date, n: int) -> dt.date:
    return deadline(day, n, "working_days", calendar()).value


def _sign_all(svc: CaseService, case: Case) -> Case:
    while case.step < len(case.route):
        for unit in case.route[case.step]:
            if unit not in case.signed[case.step] if case.step < len(case.signed) else True:
                case = svc.sign_off(case.number, unit, actor="officer")
    return case


# What an officer writes, by matter: the reason to extend, the procedure that stops the
# clock with what they told the applicant, and the reasons of a denial after review.
EXTENSION_REASON = {
    "XX-MS-0002": "申请人经营场所涉及多处加工区域，需核实布局与操作流程",
    "XX-MS-0001": "申请登记的经营范围涉及多个行业类别，需进一步核实",
    "XX-CA-0002": "申请家庭成员收入情况需向外地有关单位核实",
}
PROCEDURE_NOTE = {
    "XX-MS-0002": "委托具有资质的检验检测机构对自制饮品样品进行检测，预计10个工作日",
    "XX-CA-0002": "在申请家庭所在村（社区）公示",
}
DENIAL = {
    "XX-MS-0002": "经现场核查，经营场所布局与申请材料不一致，不符合食品经营许可条件",
    "XX-CA-0002": "经入户调查和家庭经济状况核对，你家庭月人均收入为980元，高于本县城乡"
                  "最低生活保障标准850元/月",
}


def documents_of(code: str, root: Path) -> dict[str, Document]:
    """Every document of ``code``'s sample cases, by kind (``decision_deny`` for the
    denial, ``guide`` for the 办事指南)."""
    opened = catalog()
    matter = opened.matters[code]
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(root, clock)
    out: dict[str, Document] = {}

    def doc(case: Case, kind: str, key: str | None = None) -> None:
        out[key or kind] = case_document(opened.catalog, matter, svc.get(case.number), kind,
                                         calendar=calendar(), clerk=CLERK, clerk_phone=PHONE)

    accepted = _example(code, "accept")
    assert accepted, code
    case = receive_example(svc, clock, code, accepted)
    doc(case, "acceptance")
    clock.set(_later(case.received_on, 1))
    case = svc.start_review(case.number, actor="officer")
    if matter.time_limit.extension:
        case = svc.extend(case.number, matter.time_limit.extension.days, actor="officer",
                          comment=EXTENSION_REASON.get(code, "情况复杂，需进一步核实"),
                          approver="本局负责人")
        doc(case, "extension")
    # a stop the law gives: the matter's own procedure, or §45's 检测 for a licence
    procedure = matter.special_procedures[0] if matter.special_procedures else None
    if procedure is not None or matter.wording == "licence":
        case = svc.suspend(case.number, procedure.id if procedure else "testing",
                           actor="officer", comment=PROCEDURE_NOTE.get(code, ""))
        doc(case, "special_procedure")
        took = procedure.max_days if procedure and procedure.max_days else 2
        clock.set(deadline(clock.current.date(), took, procedure.unit if procedure
                           else "working_days", calendar()).value)
        case = svc.resume(case.number, actor="officer")
    case = _sign_all(svc, case)
    case = svc.approve(case.number, actor="chief")
    doc(case, "decision")

    tolerated = _example(code, "accept_with_tolerance")
    if tolerated:
        case = receive_example(svc, clock, code, tolerated)
        doc(case, "tolerance")
        doc(case, "commitment")
    incomplete = _example(code, "incomplete")
    if incomplete:
        case = receive_example(svc, clock, code, incomplete)
        doc(case, "supplement")
    refused = _example(code, "refuse")
    if refused:
        case = receive_example(svc, clock, code, refused)
        doc(case, "refusal")
    ground = _example(code, "accept", denials=True)
    if ground:
        case = receive_example(svc, clock, code, ground)
        if case.state == "accepted":
            case = svc.deny(case.number, actor="chief", reason="；".join(case.deny_grounds))
    else:
        case = receive_example(svc, clock, code, accepted)
        clock.set(_later(case.received_on, 3))
        case = svc.start_review(case.number, actor="officer")
        case = svc.deny(case.number, actor="chief", reason=DENIAL[code])
    doc(case, "decision", "decision_deny")
    out["guide"] = guide_document(opened.catalog, matter, issued_on=dt.date(2026, 12, 7))
    assert set(out) - {"guide", "decision_deny"} <= set(DOCUMENT_KINDS)
    return out
