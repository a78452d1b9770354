"""Form state: what a front end renders for a matter and a (partial) answer set.

``form_state(rules, answers)`` coerces raw input as a window sends it (numbers
and dates from text, booleans, repeat rows), computes each field's computed
value, visibility and requiredness, drops hidden fields' values, and collects
every field error with its row-indexed path (``shareholders[1].share``).
The result is a pydantic model, so any front end can render the same JSON.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field

from formkit import identifiers
from formkit.definitions.model import FieldType, FormField, Matter
from formkit.dsl.compiler import EvalContext, Program, call
from formkit.errors import FormkitError
from formkit.intake.messages import message
from formkit.ruleset import Place, RuleSet
from formkit.values import to_json

__all__ = ["FieldError", "FieldState", "FormState", "applicant_of", "field_title", "field_words",
           "form_state", "stored_answers"]

MAX_TEXT = 10_000
MAX_ROWS = 1_000
_TRUE = {"true", "yes", "y", "1", "是", "有", "对"}
_FALSE = {"false", "no", "n", "0", "否", "无", "不是"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MAX_DIGITS = 15
MAX_NUMBER = 10**_MAX_DIGITS  # also the bound below which to_json keeps a number exact
_CENT = Decimal("0.01")
_IDENTIFIERS = frozenset({FieldType.id_number, FieldType.uscc, FieldType.mobile,
                          FieldType.email})
_SHAPE_ERROR = {FieldType.boolean: "not_boolean", FieldType.number: "not_number",
                FieldType.integer: "not_number", FieldType.money: "not_number",
                FieldType.date: "not_date"}


class FieldError(BaseModel):
    """A problem with one field, by its dotted, row-indexed path."""

    field: str
    message: str


class FieldState(BaseModel):
    """What to render for one field (or one repeat row's field)."""

    path: str
    id: str
    type: str
    label: str
    visible: bool
    required: bool
    computed: bool = False
    value: Any = None
    errors: list[str] = Field(default_factory=list)
    options: list[dict[str, str]] | None = None
    rows: int | None = None  # repeats: how many rows there are
    help: str | None = None
    placeholder: str | None = None


class FormState(BaseModel):
    """Every field's state, the cleaned answers, and every field error."""

    matter: str
    fields: list[FieldState]
    values: dict[str, Any]
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        """True when no field has an error."""
        return not self.errors


class _Run:
    """One computation of a form: the environment, programs and collected output."""

    def __init__(self, rules: RuleSet, ctx: EvalContext, lang: str) -> None:
        self.rules = rules
        self.programs = rules.programs()
        self.ctx = ctx
        self.lang = lang
        self.errors: list[FieldError] = []
        self.states: list[FieldState] = []
        self.bad_paths: set[str] = set()
        self.hidden: set[str] = set()  # paths of hidden fields (final pass)

    def error(self, path: str, key: str, **kw: Any) -> None:
        self.errors.append(FieldError(field=path, message=message(key, self.lang, **kw)))

    def program(self, path: str, attr: str, row: bool) -> Program | None:
        return self.programs.get(Place("field", path, attr, row))

    def cond(self, f: FormField, attr: str, path: str, env: dict[str, Any],
             row: dict[str, Any] | None, default: bool) -> bool:
        value = getattr(f, attr)
        if isinstance(value, bool):
            return value
        if value is None:
            return default
        program = self.program(path, attr, row is not None)
        if program is None:
            return default
        try:
            return call(program, env, self.ctx, row) is True
        except FormkitError as exc:
            self.error(path, "evaluation_failed", detail=exc.message)
            return default


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _empty(f: FormField) -> Any:
    """The value of an unanswered field: null, no rows, or a group of nulls."""
    if f.type == FieldType.repeat:
        return []
    if f.type == FieldType.group:
        return {c.id: _empty(c) for c in f.fields or []}
    return None


def _coerce_value(f: FormField, raw: Any, path: str, run: _Run) -> Any:
    """Turn raw input into the field's runtime value; errors go to ``run``."""
    t = f.type
    if raw is None or (isinstance(raw, str) and not raw.strip() and t not in (
            FieldType.group, FieldType.repeat)):
        return None
    if t in (FieldType.group, FieldType.repeat):
        return raw  # handled by the caller (nested)
    if t == FieldType.multichoice:
        return _choices(f, raw, path, run)
    if isinstance(raw, list | dict):
        # Never str() a container: it may be huge or nested past the recursion limit.
        run.error(path, _SHAPE_ERROR.get(t, "not_text"))
        return None
    if isinstance(raw, str) and len(raw) > MAX_TEXT:
        run.error(path, "too_long", max=MAX_TEXT)
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) >= MAX_NUMBER:
        # str() of a huge int raises (Python's 4300-digit limit); no field wants one.
        if t in (FieldType.number, FieldType.integer, FieldType.money):
            run.error(path, "number_too_large", max=f"{MAX_NUMBER:,}")
            return None
        if abs(raw) >= 10**40:
            run.error(path, _SHAPE_ERROR.get(t, "too_long"), max=MAX_TEXT)
            return None
    if t == FieldType.boolean:
        if isinstance(raw, bool):
            return raw
        text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        run.error(path, "not_boolean")
        return None
    if t in (FieldType.number, FieldType.integer, FieldType.money):
        return _number(f, raw, path, run)
    if t == FieldType.date:
        if isinstance(raw, dt.date):
            return raw
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        try:
            if not _DATE.match(text):
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            run.error(path, "not_date")
            return None
    if isinstance(raw, bool):
        run.error(path, "not_text")
        return None
    text = _float_text(raw) if isinstance(raw, float) else str(raw).strip()
    if t in _IDENTIFIERS:
        # Typed with a Chinese input method in full-width mode: ４４５３… is 4453….
        text = unicodedata.normalize("NFKC", text).strip()
    if t == FieldType.choice:
        allowed = {o.value for o in f.options or []}
        if text not in allowed:
            run.error(path, "not_option", value=text[:80])
            return None
    if t == FieldType.id_number:
        text = text.upper()
    if t == FieldType.uscc:
        text = text.upper()
    return text


def _float_text(raw: float) -> str:
    """A JSON number sent for a text field: ``13800138000.0`` is ``13800138000``."""
    return str(int(raw)) if raw.is_integer() and abs(raw) < 1e17 else repr(raw)


def _choices(f: FormField, raw: Any, path: str, run: _Run) -> list[str]:
    """A multichoice answer: a list of option values (one value alone is a list of one)."""
    items = raw if isinstance(raw, list) else [raw]
    values: list[str] = []
    for item in items[:MAX_ROWS]:
        if _blank(item):
            continue
        if isinstance(item, list | dict | bool):
            run.error(path, "not_text")
            continue
        if isinstance(item, int) and abs(item) >= 10**40:
            # As for a single answer: str() of a huge int raises past 4,300 digits, and no
            # option value is a 40-digit number.
            run.error(path, "too_long", max=MAX_TEXT)
            continue
        text = str(item).strip()[:MAX_TEXT]
        if text not in {o.value for o in f.options or []}:
            run.error(path, "not_option", value=text[:80])
        elif text not in values:  # ticking an option twice is ticking it once
            values.append(text)
    return values


def _number(f: FormField, raw: Any, path: str, run: _Run) -> Decimal | None:
    if isinstance(raw, bool):
        run.error(path, "not_number")
        return None
    try:
        if isinstance(raw, int):
            value = Decimal(raw)
        elif isinstance(raw, float):
            value = Decimal(str(raw))
        else:
            text = str(raw)
            if len(text) > 60:
                raise InvalidOperation
            text = unicodedata.normalize("NFKC", text).strip().replace(",", "")
            if len(text) > 40:
                raise InvalidOperation
            value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        run.error(path, "not_number")
        return None
    if value and value.adjusted() >= _MAX_DIGITS:  # abs(value) >= MAX_NUMBER, without
        # the context arithmetic that overflows on exponents like 1e9999999999
        # Past this no form answer makes sense (and to_json would turn it into a float).
        run.error(path, "number_too_large", max=f"{MAX_NUMBER:,}")
        return None
    if f.type == FieldType.integer and value != value.to_integral_value():
        run.error(path, "not_integer")
        return None
    if f.type == FieldType.money and value != value.quantize(_CENT, rounding=ROUND_DOWN):
        run.error(path, "money_cents")  # 1.50 and 1.500 are fine; 1.505 is not
        return None
    return value


def _check_format(f: FormField, value: Any, path: str, run: _Run) -> None:
    """Built-in validity of typed fields and min/max bounds."""
    t = f.type
    if t == FieldType.id_number and not identifiers.valid_id_number(value, run.ctx.today):
        run.error(path, "bad_id_number")
    elif t == FieldType.uscc and not identifiers.valid_uscc(value):
        run.error(path, "bad_uscc")
    elif t == FieldType.mobile and not identifiers.valid_mobile(value):
        run.error(path, "bad_mobile")
    elif t == FieldType.email and not identifiers.valid_email(value):
        run.error(path, "bad_email")
    if t in (FieldType.number, FieldType.integer, FieldType.money):
        if f.min is not None and value < f.min:
            run.error(path, "below_min", min=to_json(f.min))
        if f.max is not None and value > f.max:
            run.error(path, "above_max", max=to_json(f.max))
    elif isinstance(value, str):
        if f.min is not None and len(value) < f.min:
            run.error(path, "text_too_short", min=to_json(f.min))
        if f.max is not None and len(value) > f.max:
            run.error(path, "text_too_long", max=to_json(f.max))


def _coerce_group(fields: list[FormField], raw: Any, prefix: str, run: _Run,
                  depth: int) -> dict[str, Any]:
    """Answers of a form/group/row -> a dict with every member (absent ones null)."""
    out: dict[str, Any] = {f.id: _empty(f) for f in fields}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        run.error(prefix.rstrip(".") or "fields", "not_group")
        raw = {}
    by_id = {f.id: f for f in fields}
    for key, value in raw.items():
        f = by_id.get(str(key))
        if f is None:
            run.error(f"{prefix}{str(key)[:80]}", "unknown_field")
            continue
        path = f"{prefix}{key}"
        if f.value is not None:
            continue  # computed: the answer is ignored, the value is computed
        out[f.id] = _coerce_field(f, value, path, run, depth)
    for f in fields:
        if f.default is not None and f.value is None and f.id not in raw:
            out[f.id] = _coerce_field(f, f.default, f"{prefix}{f.id}", run, depth)
    return out


def _coerce_field(f: FormField, raw: Any, path: str, run: _Run, depth: int) -> Any:
    if f.type == FieldType.group:
        return _coerce_group(f.fields or [], raw, path + ".", run, depth + 1)
    if f.type == FieldType.repeat:
        if raw is None:
            return []
        if not isinstance(raw, list):
            run.error(path, "not_rows")
            return []
        if len(raw) > MAX_ROWS:
            run.error(path, "too_many_rows", max=MAX_ROWS)
            raw = raw[:MAX_ROWS]
        return [_coerce_group(f.fields or [], row, f"{path}[{i}].", run, depth + 1)
                for i, row in enumerate(raw)]
    return _coerce_value(f, raw, path, run)


def _coerce_answers(matter: Matter, answers: Any, run: _Run) -> dict[str, Any]:
    """The runtime environment for a matter's answers."""
    return _coerce_group(matter.form, answers, "", run, 0)


def _label(f: FormField, lang: str) -> str:
    return f.title(lang)


def _walk(fields: list[FormField], env: dict[str, Any], values: dict[str, Any],
          prefix: str, place_prefix: str, row: dict[str, Any] | None, run: _Run,
          parent_visible: bool, final: bool) -> None:
    """Compute values, visibility and requiredness; drop hidden values; collect errors."""
    for f in fields:
        path = f"{prefix}{f.id}"
        place = f"{place_prefix}{f.id}"
        in_row = row is not None
        if f.value is not None:
            program = run.program(place, "value", in_row)
            if program is not None:
                try:
                    computed = call(program, env, run.ctx, row)
                except FormkitError as exc:
                    if final:
                        run.error(path, "evaluation_failed", detail=exc.message)
                    computed = None
                _change(values, f.id, computed, run)
        visible = parent_visible and run.cond(f, "visible", place, env, row, True)
        if not visible:
            _change(values, f.id, _empty(f), run)
        required = final and visible and run.cond(f, "required", place, env, row, False)
        value = values.get(f.id)
        state: FieldState | None = None
        if final:  # the first pass only settles visibility: no states to build
            state = FieldState(
                path=path, id=f.id, type=f.type.value, label=_label(f, run.lang), visible=visible,
                required=required, computed=f.value is not None,
                help=f.help.text(run.lang) if f.help else None,
                placeholder=f.placeholder.text(run.lang) if f.placeholder else None,
                options=[{"value": o.value, "label": o.label.text(run.lang)} for o in f.options]
                if f.options else None)
        if state is not None:
            run.states.append(state)
        if final and not visible:
            run.hidden.add(path)
        if f.type == FieldType.group:
            _walk(f.fields or [], env, value if isinstance(value, dict) else {}, path + ".",
                  place + ".", row, run, visible, final)
            if final and visible and path not in run.bad_paths:
                _constraint(f, path, place, env, row, run)
        elif f.type == FieldType.repeat:
            rows = value or []
            if state is not None:
                state.rows = len(rows)
            if final and visible:
                if required and not rows:
                    run.error(path, "required")
                elif f.min is not None and len(rows) < f.min:
                    # `min: 1` on a shown table means at least one row, also when none
                    # was entered (the sample's sellers, buyers, shareholders...).
                    run.error(path, "too_few_rows", min=to_json(f.min))
                if f.max is not None and len(rows) > f.max and path not in run.bad_paths:
                    run.error(path, "too_many_rows", max=to_json(f.max))
                if path not in run.bad_paths and not (required and not rows):
                    _constraint(f, path, place, env, row, run)
            for i, row_values in enumerate(rows):
                _walk(f.fields or [], env, row_values, f"{path}[{i}].", place + ".",
                      row_values, run, visible, final)
            continue
        elif final and visible:
            if _blank(value):
                if required and path not in run.bad_paths:
                    run.error(path, "required")
            else:
                _check_format(f, value, path, run)
                _constraint(f, path, place, env, row, run)
        if state is not None:
            state.value = to_json(value) if f.type != FieldType.group else None


def _constraint(f: FormField, path: str, place: str, env: dict[str, Any],
                row: dict[str, Any] | None, run: _Run) -> None:
    """The field's ``constraint``: when false, its ``message`` (or the plain one) at ``path``.

    A plain field's runs on an answer; a group's or repeat's whenever it is shown, so
    ``len(shareholders) >= 1`` fails on an empty table and ``sum(...)`` sees every row.
    """
    if f.constraint is not None and not run.cond(f, "constraint", place, env, row, True):
        text = f.message.text(run.lang) if f.message else None
        run.errors.append(FieldError(field=path, message=text or message("constraint", run.lang)))


def _change(values: dict[str, Any], key: str, value: Any, run: _Run) -> None:
    """Set an answer while the form is worked out: the lets computed from the answers
    before are stale when it changes (``EvalContext.remembering``)."""
    if key not in values or values[key] != value:
        run.ctx.forget()
    values[key] = value


def field_title(matter: Matter, path: str, lang: str = "zh") -> str:
    """``shareholders[1].share`` -> ``股东·第2行·出资比例``; non-fields are kept as sent."""
    fields: list[FormField] = matter.form
    parts: list[str] = []
    pieces = path.split(".")
    for n, piece in enumerate(pieces):
        name, _, index = piece.partition("[")
        f = next((x for x in fields if x.id == name), None)
        row = index[:-1] if index.endswith("]") else ""
        if f is None or (index and not (row.isascii() and row.isdigit())):
            parts.append(".".join(pieces[n:]))
            break
        parts.append(f.title(lang))
        if index:
            parts.append(f"第{int(row) + 1}行" if lang == "zh" else f"row {int(row) + 1}")
        fields = f.fields or []
    return "·".join(parts)


def field_words(matter: Matter, path: str) -> str:
    """A field's row-indexed path in plain words, for an applicant or a clerk:
    ``operator.mobile`` -> ``经营者的手机号码``, ``staff[0].health_no`` ->
    ``从业人员第1行的健康证明编号``; a path the form does not know -> ``申请表``, never
    the path itself (``field_title`` joins the labels with ``·`` instead)."""
    fields: list[FormField] = matter.form
    words = ""
    for piece in path.split("."):
        name, _, index = piece.partition("[")
        f = next((x for x in fields if x.id == name), None)
        if f is None:
            break
        words += f.title("zh")
        row = index[:-1] if index.endswith("]") else ""
        if row.isascii() and row.isdigit():
            words += f"第{int(row) + 1}行"
        words += "的"
        fields = f.fields or []
    return words.removesuffix("的") or "申请表"


def form_state(rules: RuleSet, answers: Any, *, ctx: EvalContext | None = None,
               lang: str = "zh") -> tuple[FormState, dict[str, Any]]:
    """The form state and the runtime environment (hidden values dropped)."""
    run = _Run(rules, ctx or EvalContext(), lang)
    env = _coerce_answers(rules.matter, answers, run)
    coerce_errors = list(run.errors)
    run.bad_paths = {e.field for e in coerce_errors}
    # Each let is computed once for all the form's rules, again only when an answer
    # changes (a computed value, a hidden field's value dropped: see _change).
    with run.ctx.remembering():
        # Visibility can depend on values that are themselves hidden: settle in two passes.
        _walk(rules.matter.form, env, env, "", "", None, run, True, final=False)
        run.errors = []
        _walk(rules.matter.form, env, env, "", "", None, run, True, final=True)
    # A hidden field's value is dropped, and so is any complaint about how it was typed.
    run.errors = [e for e in coerce_errors if not _under(e.field, run.hidden)] + run.errors
    run.errors = _in_form_order(run.errors, run.states)
    by_path: dict[str, list[str]] = {}
    for e in run.errors:
        by_path.setdefault(e.field, []).append(e.message)
    for field_state in run.states:
        field_state.errors = by_path.get(field_state.path, [])
    state = FormState(matter=rules.matter.code, fields=run.states,
                      values={k: to_json(v) for k, v in env.items()}, errors=run.errors)
    return state, env


def stored_answers(state: FormState) -> dict[str, Any]:
    """The answers as a case keeps them: each typed as its field (``"35"`` a number), a
    hidden field left out, an unanswered one too, and an empty row or group dropped;
    what the pre-check saw, in a form the matter's JSON Schema accepts."""
    hidden = {f.path for f in state.fields if not f.visible}

    def keep(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {k: v for k, v in ((k, keep(v, f"{path}.{k}" if path else k))
                                     for k, v in value.items())
                   if v is not None and f"{path}.{k}".lstrip(".") not in hidden}
            return out or None
        if isinstance(value, list):
            rows = [r for r in (keep(v, f"{path}[{i}]") for i, v in enumerate(value))
                    if r is not None]
            return rows if rows or path not in hidden else None
        return value

    kept = keep(state.values, "")
    return kept if isinstance(kept, dict) else {}


def _in_form_order(errors: list[FieldError], states: list[FieldState]) -> list[FieldError]:
    """Errors in the order of the form (as the one-time notice lists them); errors at no
    field of the form (unknown keys, a non-object answer) keep their order, last."""
    position = {fs.path: i for i, fs in enumerate(states)}

    def key(e: FieldError) -> int:
        path = e.field
        while path:
            if path in position:
                return position[path]
            path = path[:max(path.rfind("."), path.rfind("["), 0)]
        return len(states)

    return sorted(errors, key=key)


def _under(path: str, hidden: set[str]) -> bool:
    """Whether ``path`` is a hidden field or lies inside one (``agent.mobile``)."""
    return path in hidden or any(ch in ".[" and path[:i] in hidden
                                 for i, ch in enumerate(path))


# applicant_of's rule, in this order (the sample catalog's forms follow it)
APPLICANT_GROUPS = ("applicant", "operator", "holder", "taxpayer", "builder",
                    "institution", "legal_representative", "representative", "head")
APPLICANT_GROUP_NAMES = ("name", "entity_name")
APPLICANT_TEXTS = ("applicant_name", "company_name", "entity_name", "name")
APPLICANT_COUPLES = (("groom", "bride"),)
APPLICANT_REPEATS = (("buyers", "buyer_name"),)
_APPLICANT_MAX = 200


def applicant_of(matter: Matter, answers: Any) -> str:
    """The applicant's name (申请人) of a submission of ``matter``, from its form; ``""``
    when the form names none. Only fields the form declares are read, text answers
    only, stripped and cut to 200 characters. The first that gives a name wins:

    1. a top-level group among ``applicant``, ``operator``, ``holder``, ``taxpayer``,
       ``builder``, ``institution``, ``legal_representative``, ``representative``,
       ``head`` (in this order), by its text field ``name`` or ``entity_name``
       (the person applying, or the business operator or unit applying);
    2. a top-level text field ``applicant_name``, ``company_name``, ``entity_name`` or
       ``name`` (a company being established applies in its own name);
    3. both groups ``groom`` and ``bride`` (a marriage): their names as ``A、B``;
    4. the repeat ``buyers`` (a property transfer): every row's ``buyer_name``, ``、``
       between them.
    """
    if not isinstance(answers, dict):
        return ""
    form = {f.id: f for f in matter.form}

    def text(fields: dict[str, FormField], values: Any, ids: tuple[str, ...]) -> str:
        if not isinstance(values, dict):
            return ""
        for fid in ids:
            f = fields.get(fid)
            value = values.get(fid)
            if f is not None and f.type == FieldType.text and isinstance(value, str) \
                    and value.strip():
                return value.strip()[:_APPLICANT_MAX]
        return ""

    def group_name(gid: str) -> str:
        group = form.get(gid)
        if group is None or group.type != FieldType.group:
            return ""
        return text({f.id: f for f in group.fields or []}, answers.get(gid),
                    APPLICANT_GROUP_NAMES)

    for gid in APPLICANT_GROUPS:
        if name := group_name(gid):
            return name
    if name := text(form, answers, APPLICANT_TEXTS):
        return name
    for couple in APPLICANT_COUPLES:
        names = [group_name(gid) for gid in couple]
        if all(names):
            return "、".join(names)[:_APPLICANT_MAX]
    for rid, fid in APPLICANT_REPEATS:
        repeat = form.get(rid)
        rows = answers.get(rid)
        if repeat is None or repeat.type != FieldType.repeat or not isinstance(rows, list):
            continue
        fields = {f.id: f for f in repeat.fields or []}
        names = [n for row in rows[:50] if (n := text(fields, row, (fid,)))]
        if names:
            return "、".join(names)[:_APPLICANT_MAX]
    return ""
