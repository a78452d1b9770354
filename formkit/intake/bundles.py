"""The window's intake of a bundle (高效办成一件事): one form, one checklist, one pre-check.

A bundle submission is ``{"fields": {...}, "materials": [...]}`` where ``fields``
holds the shared answers by question id and each member's own answers under its
code, and a material is a ``materials_once`` id or ``{"id": ..., "matter": CODE}``
(docs/bundles.md). ``run_bundle_precheck`` decides which members apply, runs each
member's own pre-check on its share of the submission, and tells everything once:
an item several matters share is listed once, naming them; the outcome is the most
severe of the members'.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, model_serializer

from formkit.calendar import WorkCalendar
from formkit.dsl.compiler import EvalContext, call
from formkit.errors import FormkitError
from formkit.intake.forms import FormState, form_state
from formkit.intake.messages import message
from formkit.intake.precheck import MaterialItem, Outcome, PrecheckResult, run_precheck
from formkit.ruleset import BundleRules, Place
from formkit.values import to_json

__all__ = [
    "BundleFieldError",
    "BundleFinding",
    "BundleMaterial",
    "BundlePrecheckResult",
    "MemberOutcome",
    "applying",
    "bundle_form",
    "material_key",
    "member_submission",
    "run_bundle_precheck",
    "split_materials",
]

OUTCOMES: tuple[Outcome, ...] = ("accept", "accept_with_tolerance", "incomplete", "refuse")
SEVERITY: dict[str, int] = {outcome: i for i, outcome in enumerate(OUTCOMES)}  # the least first


class BundleFieldError(BaseModel):
    """A field problem, once: ``field`` is a shared question's id (and the path inside
    it) or ``CODE.path`` for a member's own field; ``matters`` the members concerned."""

    field: str
    message: str
    matters: list[str]


class BundleMaterial(BaseModel):
    """A material in a list of the result: a ``materials_once`` id (``matter`` null) or
    a member's own material; ``matters`` are the members that need it."""

    id: str
    matter: str | None = None
    name: str = ""
    matters: list[str]
    reason: str | None = None

    @model_serializer(mode="wrap")
    def _shape(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("reason") is None:
            data.pop("reason", None)
        return data

    @property
    def key(self) -> str:
        """How an example names it: the once id, or ``CODE/material``."""
        return material_key(self.id, self.matter)


class BundleFinding(BaseModel):
    """A refusal, ground for denial or warning of one member."""

    message: str
    matter: str


class MemberOutcome(BaseModel):
    """One member's share of the outcome."""

    matter: str
    name: str
    department: str
    outcome: Outcome
    committed_deadline: dt.date | None = None
    statutory_deadline: dt.date | None = None
    route: list[list[str]] = Field(default_factory=list)


class BundlePrecheckResult(BaseModel):
    """The pre-check of a bundle submission (``formkit precheck BUNDLE --json``)."""

    bundle: str
    outcome: Outcome
    matters: list[MemberOutcome] = Field(default_factory=list)
    not_applying: list[str] = Field(default_factory=list)
    field_errors: list[BundleFieldError] = Field(default_factory=list)
    missing_materials: list[BundleMaterial] = Field(default_factory=list)
    tolerated_materials: list[BundleMaterial] = Field(default_factory=list)
    fetched_materials: list[BundleMaterial] = Field(default_factory=list)
    refusals: list[BundleFinding] = Field(default_factory=list)
    denials: list[BundleFinding] = Field(default_factory=list)
    warnings: list[BundleFinding] = Field(default_factory=list)
    received_on: dt.date
    # the latest of the applying members' (the bundle is done when its last case is)
    committed_deadline: dt.date | None = None
    statutory_deadline: dt.date | None = None
    fee: Decimal = Decimal(0)
    calendar_provisional: bool = False
    # each applying member's own result, for the documents and the cases; not JSON
    results: dict[str, PrecheckResult] = Field(default_factory=dict, exclude=True)
    # each applying member's submission (its answers with the shared ones filled in)
    submissions: dict[str, dict[str, Any]] = Field(default_factory=dict, exclude=True)

    @model_serializer(mode="wrap")
    def _shape(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        data["fee"] = to_json(self.fee)
        return data

    @property
    def accepted(self) -> bool:
        """True for ``accept`` and ``accept_with_tolerance``."""
        return self.outcome in ("accept", "accept_with_tolerance")


def material_key(mid: str, matter: str | None) -> str:
    """A bundle material's name in examples: the once id, or ``CODE/material``."""
    return f"{matter}/{mid}" if matter else mid


def bundle_form(rules: BundleRules, fields: Any, *, ctx: EvalContext | None = None,
                lang: str = "zh") -> tuple[FormState, dict[str, Any]]:
    """The shared questions' form state and runtime values (``fields`` may hold the
    members' own answers too: they are not the shared form's)."""
    shared_ids = {f.id for f in rules.shared.matter.form}
    answers = {k: v for k, v in fields.items() if k in shared_ids} \
        if isinstance(fields, dict) else {}
    return form_state(rules.shared, answers, ctx=ctx, lang=lang)


def applying(rules: BundleRules, env: dict[str, Any], ctx: EvalContext,
             errors: list[BundleFieldError] | None = None, lang: str = "zh") -> list[str]:
    """The members that apply to these shared answers, in the bundle's order. A
    ``when`` that cannot be evaluated counts as applying (the clerk sees the error)."""
    programs = (rules.deciding or rules.shared).programs()
    out: list[str] = []
    for member in rules.bundle.matters:
        if member.code not in rules.members or member.code in out:
            continue
        if member.when is True:
            out.append(member.code)
            continue
        if member.when is False:
            continue
        program = programs.get(Place("member", member.code, "when"))
        if program is None:
            out.append(member.code)
            continue
        try:
            if call(program, env, ctx) is True:
                out.append(member.code)
        except FormkitError as exc:
            out.append(member.code)
            if errors is not None:
                errors.append(BundleFieldError(
                    field=member.code, matters=[member.code],
                    message=message("evaluation_failed", lang, detail=exc.message)))
    return out


def _put(answers: dict[str, Any], path: str, value: Any) -> None:
    """Put ``value`` at ``path``, copying each group on the way (the caller's answers
    are not changed; the pre-check does not change what it is given)."""
    parts = path.split(".")
    here = answers
    for part in parts[:-1]:
        inner = here.get(part)
        inner = here[part] = dict(inner) if isinstance(inner, dict) else {}
        here = inner
    here[parts[-1]] = value


def member_submission(rules: BundleRules, code: str, fields: Any,
                      shared_values: dict[str, Any]) -> dict[str, Any]:
    """A member's answers: its own (``fields[code]``) with every shared answer put in
    the field it fills (the shared answer wins; the member's section does not ask it)."""
    own = fields.get(code) if isinstance(fields, dict) else None
    answers: dict[str, Any] = dict(own) if isinstance(own, dict) else {}
    fixed = {q.id: q.value for q in rules.bundle.shared if q.value is not None}
    for path, qid in rules.targets.get(code, {}).items():
        value = fixed.get(qid, shared_values.get(qid))
        if value is not None:
            _put(answers, path, value)
    return answers


def split_materials(rules: BundleRules, raw: Any, members: list[str], lang: str,
                    errors: list[BundleFieldError], warnings: list[BundleFinding]
                    ) -> dict[str, list[dict[str, Any]]]:
    """The bundle's handed-in list, as each member's own list: a once material goes to
    every member it stands for, a member's own to that member. A material named
    without ``matter`` that one member alone has is that member's."""
    out: dict[str, list[dict[str, Any]]] = {code: [] for code in members}
    if raw is None:
        return out
    if not isinstance(raw, list):
        errors.append(BundleFieldError(field="materials", matters=[],
                                       message=message("not_rows", lang)))
        return out
    once = {o.id: o for o in rules.bundle.materials_once}
    own: dict[str, list[str]] = {}
    for code in members:
        for m in rules.members[code].matter.materials:
            own.setdefault(m.id, []).append(code)
    for i, item in enumerate(raw[:1000]):
        if isinstance(item, str):
            item = {"id": item}
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            errors.append(BundleFieldError(field=f"materials[{i}]", matters=[],
                                           message=message("not_group", lang)))
            continue
        entry = {k: v for k, v in item.items() if k != "matter"}
        mid, matter = item["id"], item.get("matter")
        if matter is None and mid in once:
            for code, target in once[mid].to.items():
                if code in out:
                    out[code].append({**entry, "id": target})
            continue
        if matter is None and len(own.get(mid, [])) == 1:
            matter = own[mid][0]
        if matter is None or not isinstance(matter, str) or matter not in out:
            warnings.append(_entry_warning(rules, mid, matter, own.get(mid, []), lang))
            continue
        out[matter].append(entry)
    return out


def _entry_warning(rules: BundleRules, mid: str, matter: Any, having: list[str],
                   lang: str) -> BundleFinding:
    """Why a handed-in entry was not counted, in the clerk's words (matter names)."""
    def name(code: str) -> str:
        return rules.members[code].matter.name.text(lang)

    def material(code: str) -> str:
        found = next((m for m in rules.members[code].matter.materials if m.id == mid), None)
        return found.name.text(lang) if found is not None else mid[:80]

    if matter is None and having:  # several applying members have it
        return BundleFinding.model_construct(matter="", message=message(
            "material_ambiguous", lang, id=material(having[0]),
            matters="、".join(name(c) for c in having)))
    if isinstance(matter, str) and matter in rules.members:  # a member that does not apply
        return BundleFinding.model_construct(matter=matter, message=message(
            "material_not_applying", lang, id=material(matter), matter=name(matter)))
    if matter is not None:
        return BundleFinding.model_construct(matter="", message=message(
            "material_other_matter", lang, id=mid[:80]))
    return BundleFinding.model_construct(matter="", message=message(
        "material_unknown", lang, id=mid[:80]))


def run_bundle_precheck(rules: BundleRules, submission: Any, *,
                        today: dt.date | None = None, calendar: WorkCalendar | None = None,
                        lang: str = "zh") -> BundlePrecheckResult:
    """Pre-check one bundle submission: the members that apply, each on its share.

    The result is assembled from plain values and its parts are made without
    validation (``model_construct``): they come from checked results, and the
    assembling is most of what a bundle costs beyond its members' own pre-checks.
    """
    received = today or dt.date.today()
    ctx = EvalContext(received, calendar)
    bundle = rules.bundle
    errors: dict[str, BundleFieldError] = {}
    fields = submission.get("fields", {}) if isinstance(submission, dict) else None
    if not isinstance(fields, dict):
        errors["fields"] = _field_error("fields", message("not_group", lang), [])
        fields = {}
    deciding = rules.deciding or rules.shared
    asked = {f.id for f in deciding.matter.form}
    state, env = form_state(deciding, {k: v for k, v in fields.items() if k in asked},
                            ctx=ctx, lang=lang)
    # each member is given the answers as typed and checks them itself (told once)
    shared_values = {q.id: fields[q.id] for q in bundle.shared if q.id in fields}
    when_errors: list[BundleFieldError] = []
    members = applying(rules, env, ctx, when_errors, lang)
    for problem in when_errors:
        errors.setdefault(problem.field, problem)
    by_question = _question_matters(rules, members)
    for fe in state.errors:
        errors.setdefault(fe.field, _field_error(
            fe.field, fe.message, by_question.get(fe.field.split(".")[0].split("[")[0], [])))
    warnings: list[BundleFinding] = []
    input_errors: list[BundleFieldError] = []
    handed = split_materials(rules, submission.get("materials") if isinstance(
        submission, dict) else None, members, lang, input_errors, warnings)
    for problem in input_errors:
        errors.setdefault(problem.field, problem)
    lists: tuple[dict[tuple[str, str | None], BundleMaterial], ...] = ({}, {}, {})
    severity = 0
    committed: list[dt.date] = []
    statutory: list[dt.date] = []
    outcomes: list[MemberOutcome] = []
    refusals: list[BundleFinding] = []
    denials: list[BundleFinding] = []
    results: dict[str, PrecheckResult] = {}
    submissions: dict[str, dict[str, Any]] = {}
    fee = Decimal(0)
    provisional = False
    for code in members:
        member = rules.members[code]
        if code in fields and not isinstance(fields[code], dict):
            errors.setdefault(code, _field_error(code, message(
                "group_expected", lang, name=member.matter.name.text(lang)), [code]))
        sub = {"fields": member_submission(rules, code, fields, shared_values),
               "materials": handed[code]}
        submissions[code] = sub
        got = results[code] = run_precheck(member, sub, today=received, calendar=calendar,
                                           lang=lang)
        matter = member.matter
        outcomes.append(MemberOutcome.model_construct(
            matter=code, name=matter.name.text(lang), department=matter.department,
            outcome=got.outcome, committed_deadline=got.committed_deadline,
            statutory_deadline=got.statutory_deadline, route=got.route))
        severity = max(severity, SEVERITY[got.outcome])
        if got.committed_deadline:
            committed.append(got.committed_deadline)
        if got.statutory_deadline:
            statutory.append(got.statutory_deadline)
        provisional = provisional or got.calendar_provisional
        if isinstance(got.fee, Decimal):
            fee += got.fee
        targets = rules.targets.get(code, {})
        for fe in got.field_errors:
            path = _shared_path(fe.field, targets) or f"{code}.{fe.field}"
            known = errors.get(path)
            if known is None:
                errors[path] = _field_error(path, fe.message, [code])
            elif code not in known.matters:
                known.matters.append(code)
        for into, items in zip(lists, (got.missing_materials, got.tolerated_materials,
                                       got.fetched_materials), strict=True):
            for item in items:
                _add_material(rules, into, code, item, lang)
        refusals += [BundleFinding.model_construct(message=f.message, matter=code)
                     for f in got.refusals]
        denials += [BundleFinding.model_construct(message=f.message, matter=code)
                    for f in got.denials]
        warnings += [BundleFinding.model_construct(message=f.message, matter=code)
                     for f in got.warnings]
    for key in [k for k in lists[1] if k in lists[0]]:
        # a material handed in once is missing for all its matters if for one
        for code in lists[1].pop(key).matters:
            if code not in lists[0][key].matters:
                lists[0][key].matters.append(code)
    if errors and severity < SEVERITY["incomplete"]:
        severity = SEVERITY["incomplete"]
    outcome = OUTCOMES[severity]
    accepted = outcome in ("accept", "accept_with_tolerance")
    return BundlePrecheckResult.model_construct(
        bundle=bundle.code, outcome=outcome, matters=outcomes,
        not_applying=[c for c in bundle.codes if c in rules.members and c not in members],
        field_errors=list(errors.values()), missing_materials=list(lists[0].values()),
        tolerated_materials=list(lists[1].values()), fetched_materials=list(lists[2].values()),
        refusals=refusals, denials=denials, warnings=warnings, received_on=received,
        committed_deadline=max(committed, default=None) if accepted else None,
        statutory_deadline=max(statutory, default=None) if accepted else None,
        fee=fee, calendar_provisional=provisional, results=results, submissions=submissions)


def _field_error(path: str, text: str, matters: list[str]) -> BundleFieldError:
    return BundleFieldError.model_construct(field=path, message=text, matters=matters)


def _question_matters(rules: BundleRules, members: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for code in members:
        for qid in rules.targets.get(code, {}).values():
            out.setdefault(qid, []).append(code)
    return out


def _shared_path(path: str, targets: dict[str, str]) -> str | None:
    """A member's field path as the bundle asks it: ``operator.name`` filled by the
    shared question ``operator_name`` is ``operator_name``."""
    for target, qid in targets.items():
        if path == target:
            return qid
        if path.startswith(target + ".") or path.startswith(target + "["):
            return qid + path[len(target):]
    return None


def _add_material(rules: BundleRules, into: dict[tuple[str, str | None], BundleMaterial],
                  code: str, item: MaterialItem, lang: str) -> None:
    once = next((o for o in rules.bundle.materials_once if o.to.get(code) == item.id), None)
    key: tuple[str, str | None] = (once.id, None) if once else (item.id, code)
    known = into.get(key)
    if known is not None:
        if code not in known.matters:
            known.matters.append(code)
        return
    material = next(m for m in rules.members[code].matter.materials if m.id == item.id)
    name = once.name.text(lang) if once and once.name else material.name.text(lang)
    into[key] = BundleMaterial.model_construct(id=key[0], matter=key[1], name=name,
                                               matters=[code], reason=item.reason)
