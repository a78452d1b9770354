"""Every document of a stored case, by kind (http-api.md's ``notices/{kind}``).

``case_document_kinds`` says which documents a case has now; ``case_document``
renders one from the case and the matter version it was received under. The
intake documents are rebuilt from the pre-check stored on the case, so a notice
reprinted a year later says what it said on the day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from formkit.calendar import WorkCalendar
from formkit.cases.service import Case
from formkit.definitions.model import Catalog, Matter
from formkit.documents.decisions import decision_page, extension_page, special_procedure_page
from formkit.documents.layout import Document, render
from formkit.documents.legal import DOCUMENT_KINDS
from formkit.documents.notices import NoticeInfo, precheck_document
from formkit.errors import DocumentUnavailable
from formkit.intake.precheck import MaterialItem, PrecheckResult

__all__ = ["case_document", "case_document_kinds"]

_DECIDED = ("approved", "denied")


def _has(case: Case, kind: str) -> bool:
    outcome = case.precheck.get("outcome")
    states = {e.to_state for e in case.history}
    if kind == "acceptance":
        return case.accepted_on is not None and not case.tolerated \
            and outcome != "accept_with_tolerance"
    if kind == "supplement":
        return "supplement" in states or outcome == "incomplete"
    if kind == "refusal":
        return "refused" in states
    if kind == "tolerance":
        return case.accepted_on is not None and bool(case.tolerated)
    if kind == "commitment":
        return bool(case.tolerated) or any(m.form == "commitment" for m in case.materials)
    if kind == "decision":
        return case.decided_on is not None and bool(states & set(_DECIDED))
    if kind == "extension":
        return bool(case.extensions)
    return bool(case.pauses)  # special_procedure


def case_document_kinds(matter: Matter, case: Case) -> list[str]:
    """The documents ``case`` has now, in the order a case meets them."""
    return [k for k in DOCUMENT_KINDS if _has(case, k)]


def _result(case: Case) -> PrecheckResult:
    """The pre-check stored on the case, as the intake documents read it."""
    doc = dict(case.precheck)
    doc.setdefault("matter", case.matter)
    doc.setdefault("outcome", "accept")
    doc.setdefault("received_on", case.received_on.isoformat())
    doc.pop("fee", None)  # printed from the stored total below
    result = PrecheckResult.model_validate(doc)
    fee = case.precheck.get("fee")
    if fee is not None:
        result.fee = Decimal(str(fee))
    if case.tolerated and not result.tolerated_materials:
        result.tolerated_materials = [MaterialItem(id=t.id) for t in case.tolerated]
    return result


def case_document(catalog: Catalog, matter: Matter, case: Case, kind: str, *,
                  calendar: WorkCalendar | None = None, clerk: str = "",
                  clerk_phone: str = "", issued_on: dt.date | None = None) -> Document:
    """The ``kind`` document of ``case`` (one of ``DOCUMENT_KINDS``).

    Raises ``DocumentUnavailable`` (code ``no-document``) when the case has no such
    document now: a decision before the case is decided, an extension never
    granted ...; ``ValueError`` for a kind that is not a document at all.
    """
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"not a document kind: {kind!r}; one of {', '.join(DOCUMENT_KINDS)}")
    if not _has(case, kind):
        zh, _ = DOCUMENT_KINDS[kind]
        raise DocumentUnavailable(
            f"案件 {case.number} 没有{zh}: case {case.number} has no {kind} document "
            f"in state {case.state}", None, code="no-document",
            hint="documents of this case: " + (", ".join(case_document_kinds(matter, case))
                                               or "none yet"))
    cal = calendar or WorkCalendar()
    if kind == "decision":
        return render(kind, [decision_page(catalog, matter, case, clerk=clerk,
                                           clerk_phone=clerk_phone, issued_on=issued_on)])
    if kind == "extension":
        return render(kind, [extension_page(catalog, matter, case, cal, clerk=clerk,
                                            clerk_phone=clerk_phone, issued_on=issued_on)])
    if kind == "special_procedure":
        return render(kind, [special_procedure_page(catalog, matter, case, clerk=clerk,
                                                    clerk_phone=clerk_phone,
                                                    issued_on=issued_on)])
    info = NoticeInfo(
        applicant=case.applicant, case_number=case.number, clerk=clerk,
        clerk_phone=clerk_phone, issued_on=issued_on or _intake_day(case, kind),
        handed=[(m.id, m.form, m.copies) for m in case.materials],
        tolerated_due={t.id: t.due for t in case.tolerated},
        committed=[m.id for m in case.materials if m.form == "commitment"])
    return precheck_document(catalog, matter, _result(case), info, kind, calendar=cal)


def _intake_day(case: Case, kind: str) -> dt.date:
    """The day an intake document was given: its event's day, else the day of receipt."""
    state = {"acceptance": "accepted", "tolerance": "accepted", "supplement": "supplement",
             "refusal": "refused"}.get(kind)
    for event in case.history:
        if state and event.to_state == state:
            return event.at.date()
    return case.accepted_on or case.received_on
