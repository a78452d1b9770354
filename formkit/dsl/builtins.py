"""Built-in functions: their static signatures and their runtime implementations.

Null rule (rule-language.md): a function given ``null`` gives ``null``, except
``len``, ``count``, ``sum``, ``any`` and ``all`` (null is empty) and the
``valid_*`` functions (``false``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import re2

from formkit import identifiers
from formkit.dsl.types import ANY, BOOL, DATE, NUMBER, TEXT, T
from formkit.errors import EvaluationError, FormkitError, LimitError, SourceSpan

__all__ = ["BUILTINS", "MAX_PATTERN", "Builtin", "EvalFault", "SignatureError", "compile_regex",
           "fault_error"]

MAX_PATTERN = 500
MAX_TEXT = 100_000


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


@dataclass(frozen=True, slots=True)
class Builtin:
    """A built-in function: arity, a type rule, an implementation, null behaviour."""

    name: str
    min_args: int
    max_args: int | None
    rule: Callable[[list[T]], T]
    impl: Callable[..., Any]
    may_be_null: bool = True
    row_condition: bool = False  # count/any/all: the 2nd argument runs per row
    summary: str = ""


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


# ---- runtime implementations (None in -> None out unless the contract says otherwise)

def _len(x: Any) -> Decimal:
    return Decimal(0) if x is None else Decimal(len(x))


def _count(xs: Any, cond: Callable[[Any], Any]) -> Decimal:
    return Decimal(sum(1 for r in xs or () if cond(r) is True))


def _any(xs: Any, cond: Callable[[Any], Any]) -> bool:
    return any(cond(r) is True for r in xs or ())


def _all(xs: Any, cond: Callable[[Any], Any]) -> bool:
    return all(cond(r) is True for r in xs or ())


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


def _whole(n: Decimal, what: str) -> int:
    if n != n.to_integral_value():
        raise EvalFault(f"{what} must be a whole number of days, not {n}")
    if abs(n) > 36500:
        raise EvalFault(f"{what} is too large ({n} days)")
    return int(n)


def date_add(d: Any, n: Any) -> Any:
    """``date + number`` of calendar days."""
    if d is None or n is None:
        return None
    try:
        return d + dt.timedelta(days=_whole(n, "the number added to a date"))
    except OverflowError:
        raise EvalFault("the date is out of range") from None


def _valid(fn: Callable[[str], bool]) -> Callable[[Any], bool]:
    def impl(t: Any) -> bool:
        return t is not None and fn(t)
    return impl


def _id_birthdate(t: Any) -> Any:
    return None if t is None else identifiers.id_birthdate(t)


def _id_gender(t: Any) -> Any:
    return None if t is None else identifiers.id_gender(t)


def _unavailable(*_: Any) -> Any:  # pragma: no cover - replaced by context-bound versions
    raise EvalFault("this function needs the evaluation context")


_B = Builtin
BUILTINS: dict[str, Builtin] = {b.name: b for b in [
    _B("len", 1, 1, _len_rule, _len, False, summary="characters of a text, items of a list"),
    _B("count", 2, 2, _rows_rule(NUMBER), _count, False, True, "rows where cond holds"),
    _B("any", 2, 2, _rows_rule(BOOL), _any, False, True, "cond holds for some row"),
    _B("all", 2, 2, _rows_rule(BOOL), _all, False, True, "cond holds for every row"),
    _B("sum", 1, 1, _sum_rule, _sum, False, summary="sum of a list of numbers"),
    _B("min", 1, None, _minmax_rule, _extreme(min), summary="smallest value"),
    _B("max", 1, None, _minmax_rule, _extreme(max), summary="largest value"),
    _B("abs", 1, 1, _fixed((_NUM,), NUMBER), _abs, summary="absolute value"),
    _B("round", 1, 2, _fixed((_NUM, _NUM), NUMBER), _round, summary="round half up"),
    _B("matches", 2, 2, _fixed((_TEXT, _TEXT), BOOL), _matches,
       summary="regular expression search (RE2)"),
    _B("startswith", 2, 2, _fixed((_TEXT, _TEXT), BOOL), _text_fn(str.startswith)),
    _B("endswith", 2, 2, _fixed((_TEXT, _TEXT), BOOL), _text_fn(str.endswith)),
    _B("upper", 1, 1, _fixed((_TEXT,), TEXT), _text_fn(str.upper)),
    _B("lower", 1, 1, _fixed((_TEXT,), TEXT), _text_fn(str.lower)),
    _B("trim", 1, 1, _fixed((_TEXT,), TEXT), _text_fn(str.strip)),
    _B("today", 0, 0, _fixed((), DATE), _unavailable, False, summary="the current date"),
    _B("date", 1, 1, _fixed((_TEXT,), DATE), parse_date, summary="parse YYYY-MM-DD"),
    _B("days_between", 2, 2, _fixed((_DATE, _DATE), NUMBER), _days_between),
    _B("years_between", 2, 2, _fixed((_DATE, _DATE), NUMBER), _years_between),
    _B("add_workdays", 2, 2, _fixed((_DATE, _NUM), DATE), _unavailable),
    _B("workdays_between", 2, 2, _fixed((_DATE, _DATE), NUMBER), _unavailable),
    _B("valid_id_number", 1, 1, _fixed((_TEXT,), BOOL),
       _valid(identifiers.valid_id_number), False),
    _B("id_birthdate", 1, 1, _fixed((_TEXT,), DATE), _id_birthdate),
    _B("id_gender", 1, 1, _fixed((_TEXT,), T("text", options=frozenset({"M", "F"}))),
       _id_gender),
    _B("valid_uscc", 1, 1, _fixed((_TEXT,), BOOL), _valid(identifiers.valid_uscc), False),
    _B("valid_mobile", 1, 1, _fixed((_TEXT,), BOOL), _valid(identifiers.valid_mobile), False),
    _B("valid_email", 1, 1, _fixed((_TEXT,), BOOL), _valid(identifiers.valid_email), False),
]}

