"""Built-in functions: one ``Builtin`` entry per function, holding all of it.

``BUILTINS`` maps a name to its entry; the checker, the code generator and the
compiler read the entries and keep no per-name tables of their own. An entry has:

- ``min_args``/``max_args`` and ``rule`` (argument types -> result type; a
  ``SignatureError`` names the argument that does not fit): the signature.
- ``nulls``, the null rule: ``"propagates"`` (null if an argument may be null),
  ``"never"`` (``len``, ``count``, ``sum``, ``any``, ``all``: null is empty; the
  ``valid_*`` functions: false; ``today``) or ``"maybe"`` (null even from
  non-null arguments: ``min``/``max`` of no values, ``id_birthdate`` and
  ``id_gender`` of an invalid number).
- ``fold``, the constant rule: with constant arguments, the call is computed
  when the matter loads (never for a function that reads the evaluation context
  or the rows of a repeat). ``literal``: a literal argument checked when the
  matter loads (``date("2026-02-30")``, ``round(x, 20)``, ``matches(t, "(")``).
- ``impl``, the implementation: generated code calls it as ``_B_<name>``; with
  ``context`` its first argument is the ``EvalContext`` (``c``); with ``faults``
  the call goes through ``_called`` so that an ``EvalFault`` is placed at it.
- ``emit``: an optional code-generation hook ``emit(gen, node) -> Code | None``
  for a call the general ``_B_<name>(args)`` does not serve (``today()`` reads
  ``c.today``, ``count`` passes its condition as a lambda of the row, a literal
  pattern is compiled once); ``None`` from the hook means the general call.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

import re2

from formkit import identifiers
from formkit.dsl import ast
from formkit.dsl.pycode import AND, ATOM, COND, Code
from formkit.dsl.types import ANY, BOOL, DATE, NUMBER, TEXT, T
from formkit.errors import EvaluationError, FormkitError, LimitError, SourceSpan

if TYPE_CHECKING:
    from formkit.dsl.codegen import Gen
    from formkit.dsl.compiler import EvalContext

__all__ = ["BUILTINS", "MAX_PATTERN", "MAX_SIZE", "MAX_WORKDAY_SPAN", "Builtin", "EvalFault",
           "LiteralCheck", "SignatureError", "compile_regex", "fault_error", "too_large"]

MAX_PATTERN = 500
MAX_TEXT = 100_000
# The largest text (characters) or list (items, counting the items of the lists in it)
# an expression may build: `t + t` in a chain of lets doubles at every step.
MAX_SIZE = 100_000
MAX_WORKDAY_SPAN = 7305  # 20 years of calendar days


class EvalFault(Exception):
    """Raised inside generated code; the program maps it to an ``EvaluationError``.

    ``limit`` marks a fault that is a passed bound (a ``LimitError`` instead); ``code``
    is then its error code.
    """

    def __init__(self, message: str, node: int = -1, hint: str | None = None,
                 limit: bool = False, code: str = "evaluation") -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.hint = hint
        self.limit = limit
        self.code = code


def fault_error(fault: EvalFault, span: SourceSpan) -> FormkitError:
    """The error a runtime fault is reported as: a limit, or an evaluation error."""
    if fault.limit:
        return LimitError(fault.message, span, hint=fault.hint, code=fault.code)
    return EvaluationError(fault.message, span, hint=fault.hint, code=fault.code)


class SignatureError(Exception):
    """A call's argument types do not fit; ``arg`` is the offending argument index."""

    def __init__(self, message: str, arg: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.arg = arg


Nulls = Literal["propagates", "never", "maybe"]
Emit = Callable[["Gen", ast.Call], "Code | None"]


@dataclass(frozen=True, slots=True)
class LiteralCheck:
    """An argument that, written as a literal, is checked when the matter loads."""

    arg: int  # its index
    check: Callable[[Any], object]  # raises EvalFault for a value that cannot work
    at_argument: bool = False  # the error points at the argument, not the whole call


@dataclass(frozen=True, slots=True)
class Builtin:
    """A built-in function, whole: signature, null and constant rules, implementation
    and code generation (see the module docstring)."""

    name: str
    min_args: int
    max_args: int | None
    rule: Callable[[list[T]], T]
    impl: Callable[..., Any] | None  # None: ``emit`` writes all of its code
    nulls: Nulls = "propagates"
    fold: bool = True
    literal: LiteralCheck | None = None
    context: bool = False  # impl(c, ...): reads the evaluation context
    faults: bool = False  # may raise EvalFault, placed at the call
    emit: Emit | None = None
    row_condition: bool = False  # count/any/all: the 2nd argument runs per row
    summary: str = ""

    def nullable(self, args: list[bool]) -> bool:
        """Whether a call may give null, given whether each argument may be null."""
        return self.nulls == "maybe" or (self.nulls == "propagates" and any(args))


def _want(t: T, kinds: tuple[str, ...], i: int, what: str) -> None:
    if t.kind not in (*kinds, "null", "any"):
        raise SignatureError(f"argument {i + 1} must be {what}, not {t.plain}", i)


def _fixed(params: tuple[tuple[tuple[str, ...], str], ...], result: T) -> Callable[[list[T]], T]:
    def rule(args: list[T]) -> T:
        for i, (arg, (kinds, what)) in enumerate(zip(args, params, strict=False)):
            _want(arg, kinds, i, what)
        return result
    return rule


_TEXT = (("text",), "a text")
_NUM = (("number",), "a number")
_DATE = (("date",), "a date")


def _len_rule(args: list[T]) -> T:
    _want(args[0], ("text", "list"), 0, "a text or a list")
    return NUMBER


def _rows_rule(result: T) -> Callable[[list[T]], T]:
    def rule(args: list[T]) -> T:
        t = args[0]
        if t.kind == "any" or t.kind == "null":
            return result
        if t.kind != "list" or t.elem is None or t.elem.kind not in ("group", "any"):
            raise SignatureError(f"argument 1 must be a list of rows (a repeat), not {t.plain}", 0)
        return result
    return rule


def _sum_rule(args: list[T]) -> T:
    t = args[0]
    if t.kind not in ("null", "any") and not (t.kind == "list" and t.elem is not None
                                              and t.elem.kind in ("number", "null", "any")):
        raise SignatureError(f"sum needs a list of numbers, not {t.plain}", 0)
    return NUMBER


def _minmax_rule(args: list[T]) -> T:
    if len(args) == 1:
        t = args[0]
        if t.kind == "list" and t.elem is not None and t.elem.kind in ("number", "date", "any"):
            return t.elem
        if t.kind in ("null", "any"):
            return ANY
        raise SignatureError(f"with one argument, it must be a list of numbers or dates, "
                             f"not {t.plain}", 0)
    kind = None
    for i, t in enumerate(args):
        _want(t, ("number", "date"), i, "a number or a date")
        if t.kind in ("number", "date"):
            if kind is not None and t.kind != kind:
                raise SignatureError("the arguments must all be numbers or all be dates", i)
            kind = t.kind
    return T(kind) if kind else ANY


# ---- implementations (None in -> None out unless the null rule says otherwise)

def _len(x: Any) -> Decimal:
    return Decimal(0) if x is None else Decimal(len(x))


# count/any/all over the rows of a repeat: the condition is a lambda of the row (a
# lambda compiles faster than a generator expression, and runs faster here too); no
# rows (a repeat never answered) count 0, any false, all true.
def _count(rows: Any, cond: Callable[[Any], bool]) -> Decimal:
    n = 0
    for row in rows or ():
        if cond(row):
            n += 1
    return Decimal(n)


def _any(rows: Any, cond: Callable[[Any], bool]) -> bool:
    for row in rows or ():  # noqa: SIM110 - a plain loop: no generator to resume per row
        if cond(row):
            return True
    return False


def _all(rows: Any, cond: Callable[[Any], bool]) -> bool:
    for row in rows or ():  # noqa: SIM110 - a plain loop: no generator to resume per row
        if not cond(row):
            return False
    return True


def _sum(xs: Any) -> Decimal:
    # Unanswered cells count as nothing, so a half-filled table still sums.
    return sum((x for x in xs or () if x is not None), Decimal(0))


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        values = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        if len(args) == 1 and args[0] is None:
            return None
        if any(v is None for v in values) and len(args) > 1:
            return None
        present = [v for v in values if v is not None]
        return pick(present) if present else None
    return impl


def _abs(x: Any) -> Any:
    return None if x is None else abs(x)


def _round(x: Any, places: Any = Decimal(0)) -> Any:
    if x is None or places is None:
        return None
    if places != places.to_integral_value() or not 0 <= places <= 10:
        raise EvalFault("round: places must be a whole number from 0 to 10")
    try:
        return x.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise EvalFault("round: the number is too large to round") from None


@functools.lru_cache(maxsize=256)
def compile_regex(pattern: str) -> Any:
    """A linear-time (RE2) regular expression; raises ``EvalFault`` when invalid."""
    if len(pattern) > MAX_PATTERN:
        raise EvalFault(f"the pattern is too long ({len(pattern)} characters; at most "
                        f"{MAX_PATTERN})", hint="split the check into several matches() "
                        "joined with 'and'", limit=True, code="too-long")
    options = re2.Options()
    options.max_mem = 1 << 22  # 4 MiB of automaton: bounds the cost of any pattern
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        if "too large" in str(detail):  # RE2 ran out of its max_mem budget
            raise EvalFault("the pattern is too costly to match (its automaton needs more "
                            "than 4 MiB)", hint="use fewer or smaller repetitions such as "
                            "{1000}", limit=True, code="too-costly") from None
        raise EvalFault(f"invalid regular expression: {detail}",
                        hint="patterns use RE2 syntax (no look-around or back-references)") \
            from None


def _matches(t: Any, pattern: Any) -> Any:
    if t is None or pattern is None:
        return None
    if len(t) > MAX_TEXT:
        raise EvalFault(f"the text is too long to search (at most {MAX_TEXT} characters)",
                        limit=True, code="too-long")
    return compile_regex(pattern).search(t) is not None


def _text_fn(fn: Callable[..., Any]) -> Callable[..., Any]:
    def impl(*args: Any) -> Any:
        if any(a is None for a in args):
            return None
        return fn(*args)
    return impl


def too_large(text: bool, size: int, node: int = -1) -> EvalFault:
    """The fault of a text (or a list) that would pass ``MAX_SIZE``, at site ``node``."""
    what, unit = ("text", "characters") if text else ("list", "items")
    return EvalFault(f"the {what} would be too long ({size:,} {unit}; at most {MAX_SIZE:,})",
                     node, hint=f"a rule builds short values: look for a {what} that is joined to "
                     "itself again and again", limit=True, code="too-long")


def _case_fn(fn: Callable[[str], str]) -> Callable[[Any], Any]:
    """``upper``/``lower``: a few characters change into several (``ß`` -> ``SS``)."""
    def impl(t: Any) -> Any:
        if t is None:
            return None
        result = fn(t)
        if len(result) > MAX_SIZE:
            raise too_large(True, len(result))
        return result
    return impl


_YMD = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: Any) -> Any:
    """``YYYY-MM-DD`` -> date; an impossible date is an evaluation error."""
    if text is None:
        return None
    if isinstance(text, dt.date):
        return text
    try:
        # fromisoformat alone would also take "2026-W48-3" and "20261125".
        if not _YMD.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise EvalFault(f"'{text}' is not a date", hint="write dates as YYYY-MM-DD, "
                        "e.g. date(\"2026-11-25\")") from None


def _days_between(a: Any, b: Any) -> Any:
    return None if a is None or b is None else Decimal((b - a).days)


def _years_between(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    years = b.year - a.year - ((b.month, b.day) < (a.month, a.day))
    return Decimal(years)


def _calendar(c: EvalContext) -> Any:
    """The context's working-day calendar (the official one unless it brings its own)."""
    if c.calendar is None:
        from formkit.calendar import WorkCalendar

        c.calendar = WorkCalendar()
    return c.calendar


def _add_workdays(c: EvalContext, d: Any, n: Any) -> Any:
    """The n-th working day after d (null in, null out)."""
    if d is None or n is None:
        return None
    if n != n.to_integral_value() or not 0 <= n <= 3650:
        raise EvalFault(f"add_workdays needs a whole number of days from 0 to 3650, not {n}")
    try:
        result = _calendar(c).add_workdays(d, int(n))
    except (ValueError, OverflowError) as exc:
        raise EvalFault(f"add_workdays: {exc}") from None
    c.provisional = c.provisional or result.provisional
    return result.value


def _workdays_between(c: EvalContext, a: Any, b: Any) -> Any:
    """Working days after a, up to and including b."""
    if a is None or b is None:
        return None
    if (b - a).days > MAX_WORKDAY_SPAN:
        # Counted day by day: bound the cost, as add_workdays bounds its n.
        raise EvalFault(f"workdays_between: the dates are more than {MAX_WORKDAY_SPAN} "
                        "days apart", hint="working days are for time limits; use "
                        "days_between for long periods", limit=True, code="too-costly")
    result = _calendar(c).workdays_between(a, b)
    c.provisional = c.provisional or result.provisional
    return Decimal(result.value)


def _valid(fn: Callable[[str], bool]) -> Callable[[Any], bool]:
    def impl(t: Any) -> bool:
        return t is not None and fn(t)
    return impl


# Valid means valid on the evaluation's today (so --today fixes it); the text is not
# null (see _non_null).
def _valid_id_number(c: EvalContext, text: str) -> bool:
    return identifiers.valid_id_number(text, c.today)


def _id_birthdate(c: EvalContext, text: str) -> dt.date | None:
    if not identifiers.valid_id_number(text, c.today):
        return None
    return dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def _id_gender(c: EvalContext, text: str) -> str | None:
    if not identifiers.valid_id_number(text, c.today):
        return None
    return "M" if int(text[16]) % 2 == 1 else "F"


# ---- code-generation hooks (see Builtin.emit)

def _emit_today(gen: Gen, node: ast.Call) -> Code:
    return "c.today", ATOM


def _emit_rows(gen: Gen, node: ast.Call) -> Code:
    """``count(rows, cond)``: ``_B_count(rows, lambda _r1: cond)``, the row a parameter."""
    var = f"_r{int(str(gen.infos[node].ref[2]))}"
    rows = gen.expr(node.args[0])
    cond = gen.truth(node.args[1])[0]
    return f"_B_{node.name}({rows}, lambda {var}: {cond})", ATOM


def _emit_matches(gen: Gen, node: ast.Call) -> Code | None:
    """A literal pattern is compiled once, here; a bad one is reported at it."""
    pattern = node.args[1]
    if not (isinstance(pattern, ast.Literal) and isinstance(pattern.value, str)):
        return None
    try:
        regex = gen.const(compile_regex(pattern.value))
    except EvalFault as fault:
        gen.report(fault, pattern)
        return "None", ATOM
    return gen.unless_null(gen.code(node.args[0]),
                           lambda v: f"{regex}.search({v}) is not None")


def _non_null(null: Literal["None", "False"]) -> Emit:
    """``impl(c, text)`` called only for a text that is not null: null gives ``null``
    (``None`` or ``False``) without a call."""
    def emit(gen: Gen, node: ast.Call) -> Code:
        arg = gen.expr(node.args[0])
        t = gen.temp()
        call = f"_B_{node.name}(c, {t})"
        if null == "False":
            return f"({t} := {arg}) is not None and {call}", AND
        return f"None if ({t} := {arg}) is None else {call}", COND
    return emit


def _round_places(places: Any) -> object:
    return _round(Decimal(0), places)


def _over_rows(name: str, result: T, impl: Callable[..., Any], summary: str) -> Builtin:
    """count/any/all: a condition per row of a repeat; null rows are no rows."""
    return Builtin(name, 2, 2, _rows_rule(result), impl, "never", fold=False,
                   row_condition=True, emit=_emit_rows, summary=summary)


_B = Builtin
BUILTINS: dict[str, Builtin] = {b.name: b for b in [
    _B("len", 1, 1, _len_rule, _len, "never", summary="characters of a text, items of a list"),
    _over_rows("count", NUMBER, _count, "rows where cond holds"),
    _over_rows("any", BOOL, _any, "cond holds for some row"),
    _over_rows("all", BOOL, _all, "cond holds for every row"),
    _B("sum", 1, 1, _sum_rule, _sum, "never", summary="sum of a list of numbers"),
    _B("min", 1, None, _minmax_rule, _extreme(min), "maybe", summary="smallest value"),
    _B("max", 1, None, _minmax_rule, _extreme(max), "maybe", summary="largest value"),
    _B("abs", 1, 1, _fixed((_NUM,), NUMBER), _abs, summary="absolute value"),
    _B("round", 1, 2, _fixed((_NUM, _NUM), NUMBER), _round, faults=True,
       literal=LiteralCheck(1, _round_places), summary="round half up"),
    _B("matches", 2, 2, _fixed((_TEXT, _TEXT), BOOL), _matches, faults=True,
       literal=LiteralCheck(1, compile_regex, at_argument=True), emit=_emit_matches,
       summary="regular expression search (RE2)"),
    _B("startswith", 2, 2, _fixed((_TEXT, _TEXT), BOOL), _text_fn(str.startswith)),
    _B("endswith", 2, 2, _fixed((_TEXT, _TEXT), BOOL), _text_fn(str.endswith)),
    _B("upper", 1, 1, _fixed((_TEXT,), TEXT), _case_fn(str.upper), faults=True),
    _B("lower", 1, 1, _fixed((_TEXT,), TEXT), _case_fn(str.lower), faults=True),
    _B("trim", 1, 1, _fixed((_TEXT,), TEXT), _text_fn(str.strip)),
    _B("today", 0, 0, _fixed((), DATE), None, "never", fold=False, context=True,
       emit=_emit_today, summary="the current date"),
    _B("date", 1, 1, _fixed((_TEXT,), DATE), parse_date, faults=True,
       literal=LiteralCheck(0, parse_date), summary="parse YYYY-MM-DD"),
    _B("days_between", 2, 2, _fixed((_DATE, _DATE), NUMBER), _days_between),
    _B("years_between", 2, 2, _fixed((_DATE, _DATE), NUMBER), _years_between),
    _B("add_workdays", 2, 2, _fixed((_DATE, _NUM), DATE), _add_workdays, fold=False,
       context=True, faults=True),
    _B("workdays_between", 2, 2, _fixed((_DATE, _DATE), NUMBER), _workdays_between,
       fold=False, context=True, faults=True),
    _B("valid_id_number", 1, 1, _fixed((_TEXT,), BOOL), _valid_id_number, "never",
       fold=False, context=True, emit=_non_null("False")),
    _B("id_birthdate", 1, 1, _fixed((_TEXT,), DATE), _id_birthdate, "maybe", fold=False,
       context=True, emit=_non_null("None")),
    _B("id_gender", 1, 1, _fixed((_TEXT,), T("text", options=frozenset({"M", "F"}))),
       _id_gender, "maybe", fold=False, context=True, emit=_non_null("None")),
    _B("valid_uscc", 1, 1, _fixed((_TEXT,), BOOL), _valid(identifiers.valid_uscc), "never"),
    _B("valid_mobile", 1, 1, _fixed((_TEXT,), BOOL), _valid(identifiers.valid_mobile), "never"),
    _B("valid_email", 1, 1, _fixed((_TEXT,), BOOL), _valid(identifiers.valid_email), "never"),
]}
