"""Desk helpers for the window (一窗受理) and the back office (受审分离).

What the studio's daily-work pages show, computed without Streamlit so the tests
check it directly: the materials checklist for the answers given so far (which
material is required now, and why: in plain words from ``formkit.desk.wording``, the
rule text kept apart for the editors), field titles by row-indexed path, a case's
answers as labelled rows, the back-office units of a department, the units an
officer may sign now, and the lists a queue does not hold (cases ready for a
decision, results ready to issue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from formkit.calendar import WorkCalendar
from formkit.cases.service import Case
from formkit.definitions.model import Catalog, Expr, Matter
from formkit.desk.wording import Wording
from formkit.dsl.compiler import EvalContext
from formkit.intake.forms import FieldState, field_title, form_state
from formkit.intake.precheck import PrecheckResult
from formkit.ruleset import RuleSet

__all__ = [
    "AnswerRow",
    "ChecklistItem",
    "answer_rows",
    "clock",
    "department_units",
    "material_checklist",
    "signable_units",
    "unit_names",
]

Status = Literal["handed_in", "missing", "tolerated", "fetched", "not_required"]


class ChecklistItem(BaseModel):
    """One material of the matter as the answers given so far make it."""

    id: str
    name: str
    name_en: str = ""
    required: bool  # required now, for these answers
    status: Status
    reason: str | None = None  # why a required material does not count yet
    condition: str  # the matter's requirement: "true" or an expression (rule text)
    # the requirement in plain words, for the clerk: why it is required now (the
    # answers that decided it), or when it would be; "" when always required
    because: str = ""
    values: dict[str, Any] = Field(default_factory=dict)  # the values that decided it
    form: str  # as the matter asks: original / copy / original_and_copy
    copies: int
    tolerable: bool
    fetched: bool  # the window fetches it (government data sharing)
    standard: str | None = None
    notes: str | None = None


class AnswerRow(BaseModel):
    """One answered (or unanswered) field of a case, by its row-indexed path."""

    path: str
    title: str
    value: str
    errors: list[str] = Field(default_factory=list)


def material_checklist(matter: Matter, result: PrecheckResult,
                       rules: RuleSet | None = None) -> list[ChecklistItem]:
    """Every material of ``matter``, in order: required now or not, why, and its status.

    ``result`` must come from ``run_precheck(..., explain=True)`` on the same answers;
    ``rules`` (the matter's RuleSet) lets the reasons phrase library functions too.
    """
    words = Wording(matter, rules)
    if result.required_materials is None:
        raise ValueError("material_checklist needs run_precheck(..., explain=True)")
    required = {m.id: m for m in result.required_materials}
    missing = {m.id: m.reason for m in result.missing_materials}
    tolerated = {m.id for m in result.tolerated_materials}
    items: list[ChecklistItem] = []
    for m in matter.materials:
        explained = required.get(m.id)
        status: Status
        if explained is None:
            status = "not_required"
        elif m.source == "government":
            status = "fetched"
        elif m.id in missing:
            status = "missing"
        elif m.id in tolerated:
            status = "tolerated"
        else:
            status = "handed_in"
        if explained is not None and explained.condition is not None:
            condition, values = explained.condition, dict(explained.values or {})
        else:
            condition = m.required.text if isinstance(m.required, Expr) \
                else ("true" if m.required else "false")
            values = {}
        if condition in ("true", "false"):
            because = ""
        elif explained is not None:
            because = words.because(condition, values)
        else:
            because = words.condition(condition)
        items.append(ChecklistItem(
            id=m.id, name=m.name.zh, name_en=m.name.en or "", required=explained is not None,
            status=status, reason=missing.get(m.id), condition=condition, values=values,
            because=because,
            form=m.form, copies=m.copies, tolerable=m.tolerable,
            fetched=m.source == "government",
            standard=m.standard.zh if m.standard else None,
            notes=m.notes.zh if m.notes else None))
    return items


def _shown(fs: FieldState) -> str:
    value = fs.value
    if value is None or value == [] or value == "":
        return ""
    labels = {o["value"]: o["label"] for o in fs.options or []}
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    return labels.get(str(value), str(value))


def answer_rows(rules: RuleSet, fields: dict[str, Any], *, today: dt.date,
                calendar: WorkCalendar | None = None) -> list[AnswerRow]:
    """A case's answers as titled rows, in form order: visible fields only, with errors."""
    state, _ = form_state(rules, fields, ctx=EvalContext(today, calendar))
    return [AnswerRow(path=fs.path, title=field_title(rules.matter, fs.path),
                      value=_shown(fs), errors=fs.errors)
            for fs in state.fields if fs.visible and fs.type not in ("group", "repeat")]


def department_units(catalog: Catalog, department: str) -> list[tuple[str, str]]:
    """The back-office units of ``department`` as (``dept.section``, name) pairs."""
    for d in catalog.departments:
        if d.id == department:
            return [(f"{d.id}.{s.id}", s.name.zh + (f" {s.name.en}" if s.name.en else ""))
                    for s in d.sections]
    return []


def unit_names(catalog: Catalog) -> dict[str, str]:
    """Every unit of the catalog (``dept.section``) -> ``部门·股室``."""
    return {f"{d.id}.{s.id}": f"{d.name.zh}·{s.name.zh}"
            for d in catalog.departments for s in d.sections}


def signable_units(case: Case, department: str | None) -> list[str]:
    """The units of the case's current step that have not signed yet and that an
    officer of ``department`` may sign for (``None``: any department)."""
    if case.state != "in_review" or case.step >= len(case.route):
        return []
    signed = case.signed[case.step] if case.step < len(case.signed) else {}
    return [u for u in case.route[case.step] if u not in signed
            and (department is None or u.split(".", 1)[0] == department)]


def clock(today: dt.date) -> Callable[[], dt.datetime]:
    """``CaseService(now=...)`` for a fixed day (FORMKIT_TODAY) at the wall-clock time."""
    def now() -> dt.datetime:
        return dt.datetime.combine(today, dt.datetime.now().time())
    return now
