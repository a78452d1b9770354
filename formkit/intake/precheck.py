"""The pre-check a comprehensive window runs for every applicant (一窗受理).

``run_precheck`` checks the fields, every required material (form and
copies), the refusing and warning checks, works out the route, the fee and
the deadlines, and tells everything at once (一次性告知). Its result is a
pydantic model whose ``model_dump(mode="json")`` is exactly what
``formkit precheck --json`` prints.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, model_serializer

from formkit.calendar import WorkCalendar
from formkit.definitions.model import Expr, Material, Matter
from formkit.dsl import ast
from formkit.dsl.compiler import EvalContext, call
from formkit.dsl.pipeline import parse
from formkit.errors import FormkitError
from formkit.intake.deadlines import deadline
from formkit.intake.forms import FieldError, form_state
from formkit.intake.messages import message
from formkit.ruleset import Place, RuleSet
from formkit.values import to_json

__all__ = [
    "FeeLine",
    "Finding",
    "MaterialItem",
    "Outcome",
    "PrecheckResult",
    "RouteStepResult",
    "run_precheck",
]

Outcome = Literal["refuse", "incomplete", "accept_with_tolerance", "accept"]
_FORMS = ("original", "copy", "original_and_copy")
# formkit's addition to the input: the applicant signed a 告知承诺书 for the material
COMMITMENT = "commitment"
FeeLine = tuple[str, Decimal, str | None]
"""One fee item that applies: its name (zh), amount, and basis (zh) if given."""


class _Explained(BaseModel):
    """An item that may carry its condition and the values that decided it."""

    condition: str | None = None
    values: dict[str, Any] | None = None

    @model_serializer(mode="wrap")
    def _drop_unexplained(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if "reason" in data and data["reason"] is None:
            del data["reason"]  # only missing materials have a reason
        condition, values = data.pop("condition", None), data.pop("values", None)
        if self.condition is not None:  # explained: the condition and its values go last
            data["condition"], data["values"] = condition, values
        return data


class MaterialItem(_Explained):
    """A material in a list of the result; ``reason`` only where it is missing."""

    id: str
    reason: str | None = None


class Finding(_Explained):
    """A refusal, a substantive ground for denial, or a warning."""

    message: str


class RouteStepResult(_Explained):
    """A route step that applies (explained with ``--explain``)."""

    units: list[str]


class PrecheckResult(BaseModel):
    """The outcome of a pre-check and every problem found (cli.md, ``precheck``)."""

    matter: str
    outcome: Outcome
    field_errors: list[FieldError] = Field(default_factory=list)
    missing_materials: list[MaterialItem] = Field(default_factory=list)
    tolerated_materials: list[MaterialItem] = Field(default_factory=list)
    fetched_materials: list[MaterialItem] = Field(default_factory=list)
    refusals: list[Finding] = Field(default_factory=list)
    # substantive grounds (``deny`` checks): the case is accepted, and decided against
    denials: list[Finding] = Field(default_factory=list)
    warnings: list[Finding] = Field(default_factory=list)
    route: list[list[str]] = Field(default_factory=list)
    # where each step of ``route`` is in ``matter.route`` (two steps may have the same
    # units): what a case needs to take each step's ``days:``; not part of the JSON
    route_steps: list[int] = Field(default_factory=list, exclude=True)
    received_on: dt.date
    committed_deadline: dt.date | None = None
    statutory_deadline: dt.date | None = None
    fee: Decimal | None = None
    # the ``fees`` items that apply, for the documents to print; not part of the JSON
    fee_items: list[FeeLine] = Field(default_factory=list, exclude=True)
    # the materials the applicant signed a 告知承诺书 for instead (``"form":
    # "commitment"``): counted as handed in; not part of the JSON
    committed_materials: list[MaterialItem] = Field(default_factory=list, exclude=True)
    calendar_provisional: bool = False
    route_explained: list[RouteStepResult] | None = None
    required_materials: list[MaterialItem] | None = None

    @model_serializer(mode="wrap")
    def _shape(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("route_explained", "required_materials"):
            if data.get(key) is None:
                data.pop(key, None)
        if isinstance(self.fee, Decimal):
            data["fee"] = to_json(self.fee)
        return data

    @property
    def accepted(self) -> bool:
        """True for ``accept`` and ``accept_with_tolerance``."""
        return self.outcome in ("accept", "accept_with_tolerance")


def _handed(submission: Any, matter: Matter, lang: str, warnings: list[Finding],
            errors: list[FieldError], pledged: set[str] | None = None
            ) -> dict[str, dict[str, Any]]:
    """The materials handed in, by id; malformed entries are reported, not fatal.

    An entry with ``"form": "commitment"`` is not a material handed in: its id goes to
    ``pledged`` (the applicant signed a commitment for it instead).
    """
    raw = submission.get("materials", []) if isinstance(submission, dict) else []
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        errors.append(FieldError(field="materials", message=message("not_rows", lang)))
        return {}
    known = {m.id for m in matter.materials}
    out: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(raw[:1000]):
        if isinstance(item, str):
            item = {"id": item}
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            errors.append(FieldError(field=f"materials[{i}]", message=message(
                "not_group", lang)))
            continue
        mid = item["id"]
        if mid not in known:
            warnings.append(Finding(message=message("material_unknown", lang, id=mid[:80])))
            continue
        form = item.get("form")
        if form == COMMITMENT:
            if pledged is not None:
                pledged.add(mid)
            continue
        if form is not None and form not in _FORMS:
            errors.append(FieldError(field=f"materials[{i}].form", message=message(
                "material_bad_form", lang, id=mid[:80],
                form=form[:40] if isinstance(form, str) else type(form).__name__)))
            form = None
        copies = item.get("copies")
        if copies is not None and (isinstance(copies, bool) or not isinstance(copies, int)
                                   or copies < 0):
            errors.append(FieldError(field=f"materials[{i}].copies",
                                     message=message("not_integer", lang)))
            copies = None
        prev = out.get(mid)
        if prev is not None:  # the same material listed twice (an original, then a copy)
            form = _merged_form(prev["form"], form)
            copies = None if prev["copies"] is None or copies is None \
                else prev["copies"] + copies
        out[mid] = {"form": form, "copies": copies}
    return out


def _merged_form(a: str | None, b: str | None) -> str | None:
    """Two entries of one material together; ``None`` is "as the matter asks"."""
    if a is None or b is None:
        return None
    forms = {a, b}
    if "original_and_copy" in forms or forms == {"original", "copy"}:
        return "original_and_copy"
    return a


def _shortfall(material: Material, handed: dict[str, Any] | None, lang: str) -> str | None:
    """Why a handed-in material does not count, or None when it does."""
    if handed is None:
        return message("material_absent", lang)
    form = handed["form"] or material.form
    copies = handed["copies"] if handed["copies"] is not None else material.copies
    if material.form == "original" and form == "copy":
        return message("material_copy_for_original", lang)
    if material.form == "original_and_copy" and form != "original_and_copy":
        return message("material_need_both", lang)
    if material.copies and copies < material.copies:
        return message("material_copies", lang, need=material.copies, got=copies)
    return None


class _Explainer:
    """Condition texts and the values of the names they read."""

    def __init__(self, rules: RuleSet, env: dict[str, Any], ctx: EvalContext,
                 on: bool) -> None:
        self.rules, self.env, self.ctx, self.on = rules, env, ctx, on
        self._lets: dict[str, Any] = {}

    def explain(self, expr: Any, item: Any) -> None:
        if not self.on:
            return
        if not isinstance(expr, Expr):
            item.condition = "true" if expr is not False else "false"
            item.values = {}
            return
        item.condition = expr.text
        item.values = self.values(expr)

    def values(self, expr: Expr) -> dict[str, Any]:
        try:
            node = parse(expr.text, cached=True)
        except FormkitError:
            return {}
        out: dict[str, Any] = {}
        inner: set[int] = set()  # the `operator` of `operator.id_number`: shown as part
        for n in ast.walk(node):  # parents come first
            if id(n) in inner:
                continue
            path = _path_of(n)
            if path is None:
                continue
            obj = n
            while isinstance(obj, ast.Member):
                obj = obj.obj
                inner.add(id(obj))
            key = ".".join(path)
            head = path[0]
            if key in out:
                continue
            if head in self.rules.scope.fields:
                value: Any = self.env.get(head)
                for part in path[1:]:
                    value = _member(value, part)
                out[key] = to_json(value)
            elif len(path) == 1 and (head in self.rules.scope.lets
                                     or head in self.rules.scope.libs):
                out[head] = self.let_value(head)
        return out

    def let_value(self, name: str) -> Any:
        if name not in self._lets:
            try:
                program = self.rules.let_program(name)
                self._lets[name] = to_json(call(program, self.env, self.ctx)) \
                    if program else None
            except FormkitError:
                self._lets[name] = None
        return self._lets[name]


def _member(value: Any, name: str) -> Any:
    """``group.name``, or ``rows.name``: that field of every row (as the language does)."""
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, list):
        return [_member(v, name) for v in value]
    return None


def _path_of(node: ast.Node) -> tuple[str, ...] | None:
    parts: list[str] = []
    while isinstance(node, ast.Member):
        parts.append(node.name)
        node = node.obj
    if isinstance(node, ast.Name):
        return (node.name, *reversed(parts))
    return None


def run_precheck(rules: RuleSet, submission: Any, *, today: dt.date | None = None,
                 calendar: WorkCalendar | None = None, lang: str = "zh",
                 explain: bool = False,
                 trace: dict[Place, set[bool]] | None = None) -> PrecheckResult:
    """Pre-check one submission (``{"fields": {...}, "materials": [...]}``).

    ``trace``, when given, collects the truth values each condition took (coverage).
    """
    matter = rules.matter
    received = today or dt.date.today()
    ctx = EvalContext(received, calendar)
    programs = rules.programs()
    warnings: list[Finding] = []
    input_errors: list[FieldError] = []
    fields = submission.get("fields", {}) if isinstance(submission, dict) else None
    if not isinstance(fields, dict):
        input_errors.append(FieldError(field="fields", message=message("not_group", lang)))
        fields = {}
    pledged: set[str] = set()  # signed a commitment for
    handed = _handed(submission, matter, lang, warnings, input_errors, pledged)
    state, env = form_state(rules, fields, ctx=ctx, lang=lang)
    # The answers are settled: each let is computed once for all the rules below (the
    # context is this pre-check's own, so its memory needs no restoring).
    ctx.lets = {}
    why = _Explainer(rules, env, ctx, explain)
    field_errors = input_errors + state.errors

    def holds(place: Place, value: Any, default: bool) -> bool:
        if isinstance(value, bool):
            return value
        program = programs.get(place)
        if program is None:
            return default
        try:
            truth: bool = call(program, env, ctx) is True
        except FormkitError as exc:
            field_errors.append(FieldError(field=str(place), message=message(
                "evaluation_failed", lang, detail=exc.message)))
            return default
        if trace is not None:
            trace.setdefault(place, set()).add(truth)
        return truth

    result = PrecheckResult(matter=matter.code, outcome="accept", received_on=received)
    required_all: list[MaterialItem] = []
    for material in matter.materials:
        if not holds(Place("material", material.id, "required"), material.required, True):
            continue
        item = MaterialItem(id=material.id)
        why.explain(material.required, item)
        required_all.append(item.model_copy())
        if material.source == "government":
            result.fetched_materials.append(item)
            continue
        brought = handed.get(material.id)
        reason = _shortfall(material, brought, lang)
        if reason is None:
            continue
        if material.id in pledged:
            if material.commitment:  # 告知承诺: the signed commitment stands for it
                result.committed_materials.append(item)
                continue
            if brought is None:
                reason = message("material_no_commitment", lang)
        if material.tolerable:
            result.tolerated_materials.append(item)
        else:
            item.reason = reason
            result.missing_materials.append(item)
    for i, check in enumerate(matter.checks):
        if not holds(Place("check", str(i), "when"), check.when, False):
            continue
        label = check.refuse or check.deny or check.warn
        assert label is not None
        finding = Finding(message=label.text(lang))
        why.explain(check.when, finding)
        (result.refusals if check.refuse else result.denials if check.deny
         else warnings).append(finding)
    result.warnings = warnings
    steps: list[RouteStepResult] = []
    for i, step in enumerate(matter.route):
        if holds(Place("route", str(i), "when"), step.when, True):
            applied = RouteStepResult(units=list(step.step))
            why.explain(step.when, applied)
            steps.append(applied)
            result.route_steps.append(i)
    result.route = [s.units for s in steps]
    if matter.fees is not None:
        result.fee, result.fee_items = _fees(rules, env, ctx, field_errors, lang, trace)
    else:
        result.fee = _fee(rules, env, ctx, field_errors, lang)
    result.field_errors = field_errors
    if result.refusals:
        result.outcome = "refuse"
    elif field_errors or result.missing_materials:
        result.outcome = "incomplete"
    elif result.tolerated_materials:
        result.outcome = "accept_with_tolerance"
    if result.accepted:
        limit = matter.time_limit
        committed = deadline(received, limit.committed_days, limit.unit, ctx.calendar)
        statutory = deadline(received, limit.statutory_days, limit.unit, ctx.calendar)
        result.committed_deadline, result.statutory_deadline = committed.value, statutory.value
        result.calendar_provisional = committed.provisional or statutory.provisional \
            or ctx.provisional
    if explain:
        result.route_explained = steps
        result.required_materials = required_all
    return result


def _fee(rules: RuleSet, env: dict[str, Any], ctx: EvalContext,
         errors: list[FieldError], lang: str) -> Decimal | None:
    fee = rules.matter.fee
    if isinstance(fee, Decimal):
        return fee
    program = rules.programs().get(Place("fee", "", ""))
    if program is None:
        return None
    try:
        value = call(program, env, ctx)
    except FormkitError as exc:
        errors.append(FieldError(field="fee", message=message("evaluation_failed", lang,
                                                              detail=exc.message)))
        return None
    return value if isinstance(value, Decimal) else None


def _fees(rules: RuleSet, env: dict[str, Any], ctx: EvalContext, errors: list[FieldError],
          lang: str, trace: dict[Place, set[bool]] | None
          ) -> tuple[Decimal | None, list[FeeLine]]:
    """The sum of the ``fees`` items whose ``when`` holds, and those items; the sum is
    None when a condition or an amount cannot be worked out."""
    programs = rules.programs()
    total: Decimal | None = Decimal(0)
    lines: list[FeeLine] = []
    for i, item in enumerate(rules.matter.fees or ()):
        applies: Any = item.when
        if not isinstance(applies, bool):
            place = Place("fee", str(i), "when")
            applies = _run(programs.get(place), env, ctx, errors, f"fees[{i}]", lang)
            if applies is None:
                total = None
                continue
            applies = applies is True
            if trace is not None:
                trace.setdefault(place, set()).add(applies)
        if not applies:
            continue
        amount: Any = item.amount
        if not isinstance(amount, Decimal):
            amount = _run(programs.get(Place("fee", str(i), "amount")), env, ctx, errors,
                          f"fees[{i}]", lang)
            if not isinstance(amount, Decimal):
                total = None
                continue
        lines.append((item.name.zh, amount, item.basis.zh if item.basis else None))
        if total is not None:
            total += amount
    return total, lines


def _run(program: Any, env: dict[str, Any], ctx: EvalContext, errors: list[FieldError],
         field: str, lang: str) -> Any:
    """The value of ``program``, or None (its failure reported under ``field``)."""
    if program is None:
        return None
    try:
        return call(program, env, ctx)
    except FormkitError as exc:
        errors.append(FieldError(field=field, message=message("evaluation_failed", lang,
                                                              detail=exc.message)))
        return None
