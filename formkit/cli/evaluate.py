"""``formkit eval``: one expression evaluated over JSON data (or a matter's answers).

The expression goes through ``formkit.dsl.pipeline.evaluate_text``, as in the studio's
playground; this module reads the data and types it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

from formkit.dsl.checker import Scope
from formkit.dsl.compiler import EvalContext
from formkit.dsl.pipeline import evaluate_text
from formkit.dsl.types import ANY, BOOL, DATE, NULL, NUMBER, TEXT, T, group_of, list_of, unify
from formkit.errors import InputError, LimitError, RuleTypeError, SourceSpan
from formkit.values import MAX_DIGITS, MAX_EXPONENT, from_json, number_out_of_range, to_json

__all__ = ["evaluate_cli", "infer_type", "parse_today", "read_json_object",
           "surrogate_problem"]

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_DATA_DEPTH = 64  # lists and objects in a data file
MAX_DATA_BYTES = 5_000_000


def parse_today(text: str | None, option: str = "--today") -> dt.date | None:
    """``--today YYYY-MM-DD`` (or another date ``option``); a wrong date is an input error."""
    if text is None:
        return None
    try:
        if not _DATE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option} '{text}' is not a date", None,
                         hint="write it as YYYY-MM-DD, e.g. 2026-11-25") from None


def infer_type(value: Any) -> T:
    """The static type of a JSON value (a ``YYYY-MM-DD`` text is a date)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float | Decimal):
        return NUMBER
    if isinstance(value, str):
        return DATE if _is_date(value) else TEXT
    if isinstance(value, list):
        elem: T = NULL
        for item in value:
            joined = unify(elem, infer_type(item))
            if joined is None:
                raise RuleTypeError("a list in the data mixes types", None,
                                    hint="every item of a list must have the same type",
                                    code="mixed-list")
            elem = joined
        return list_of(ANY if elem.kind == "null" else elem)
    if isinstance(value, dict):
        return group_of({str(k): infer_type(v) for k, v in value.items()})
    raise RuleTypeError(f"unsupported value {value!r}", None)


def _is_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _runtime(value: Any) -> Any:
    """JSON data as runtime values, with date-shaped texts as dates."""
    if isinstance(value, str) and _is_date(value):
        return dt.date.fromisoformat(value)
    if isinstance(value, list):
        return [_runtime(v) for v in value]
    if isinstance(value, dict):
        return {k: _runtime(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return value
    return from_json(value)


_JSON_KINDS = {bool: "true/false", str: "a text", list: "a list", dict: "an object"}


def _typed_value(value: Any, t: T, where: str) -> Any:
    """A JSON value as the runtime value of a field of type ``t`` (``--matter``)."""
    if value is None or t.kind in ("any", "null"):
        return _runtime(value)
    ok = True
    if t.kind == "number":
        ok = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        result: Any = from_json(value) if ok and not isinstance(value, Decimal) else value
    elif t.kind == "text":
        ok, result = isinstance(value, str), value
    elif t.kind == "bool":
        ok, result = isinstance(value, bool), value
    elif t.kind == "date":
        ok = isinstance(value, str) and _is_date(value)
        result = dt.date.fromisoformat(value) if ok else value
    elif t.kind == "list" and t.elem is not None:
        ok = isinstance(value, list)
        result = [_typed_value(v, t.elem, f"{where}[{i}]") for i, v in enumerate(value)] \
            if ok else value
    elif t.kind == "group":
        ok = isinstance(value, dict)
        members = dict(t.fields or ())
        result = {k: _typed_value(v, members[k], f"{where}.{k}") if k in members
                  else _runtime(v) for k, v in value.items()} if ok else value
    if not ok:
        want = {"number": "a number", "text": "a text", "bool": "true or false",
                "date": "a date (YYYY-MM-DD)", "list": "a list", "group": "an object"}
        got = _JSON_KINDS.get(type(value), "a number")
        raise InputError(f"--data: '{where}' must be {want.get(t.kind, t.kind)}, not {got} "
                         f"({json.dumps(value, ensure_ascii=False, default=str)[:40]})",
                         None, hint="give each answer the type of its field in the form",
                         code="bad-data")
    return result


def _check_printable(value: Any) -> None:
    """JSON has no infinity: a number too large for a JSON number is a limit error."""
    if isinstance(value, Decimal) and (not value.is_finite() or abs(value) >= Decimal("1e308")):
        raise LimitError("the result is too large to print as a JSON number", None,
                         code="too-large")
    if isinstance(value, list):
        for item in value:
            _check_printable(item)
    elif isinstance(value, dict):
        for item in value.values():
            _check_printable(item)


def evaluate_cli(expr: str, *, data_file: str | None = None, catalog_dir: str | None = None,
                 matter_code: str | None = None, today: str | None = None) -> Any:
    """What ``formkit eval`` prints as ``value`` (JSON data)."""
    unreadable = surrogate_problem(expr, "the expression")
    if unreadable is not None:
        raise unreadable
    ctx = EvalContext(parse_today(today))
    scope = Scope()
    env: dict[str, Any] = {}
    if (catalog_dir is None) != (matter_code is None):
        raise InputError("--catalog and --matter go together", None,
                         hint="name the catalog folder and the matter code")
    if catalog_dir is not None and matter_code is not None:
        from formkit.catalog import open_catalog

        opened = open_catalog(catalog_dir)
        rules = opened.rules_of(matter_code)
        if rules is None:
            bad = [e for e in opened.errors if e.kind in ("io",)]
            if not bad and matter_code in opened.bundles:
                from formkit.cli.main import bundle_not_matter

                raise bundle_not_matter(opened, matter_code, "eval --matter")
            raise bad[0] if bad else opened.unknown_matter(matter_code)
        # A copy: the data below must not change the matter's own scope.
        scope = dataclasses.replace(rules.scope, fields=dict(rules.scope.fields))
        # The centre's calendar as every other command reads it (holidays, closures,
        # opening days, newly published notices): one place decides what counts.
        ctx.calendar = opened.work_calendar()
    if data_file is not None:
        data = _read_data(data_file)
        for key, value in data.items():
            declared = scope.fields.get(key) if matter_code is not None else None
            if declared is not None:
                # The form decides the type: a text field's "2026-01-05" stays a text.
                env[key] = _typed_value(value, declared, key)
            else:
                scope.fields[key] = infer_type(value)
                env[key] = _runtime(value)
    value, _ = evaluate_text(expr, scope, env, ctx)
    _check_printable(value)
    return to_json(value)


def _read_data(path: str) -> dict[str, Any]:
    from formkit.definitions.loader import decode_utf8, read_bounded

    raw = read_bounded(path, MAX_DATA_BYTES, code="limit", hint="give a smaller file")
    # A byte-order mark (Notepad's UTF-8) is accepted, as in the YAML files.
    text = decode_utf8(raw, path).removeprefix("\ufeff")
    try:
        # Decimal keeps 0.1 exact; NaN and Infinity are not numbers of the language.
        data = json.loads(text, parse_float=_decimal, parse_int=_int,
                          parse_constant=_no_constant)
    except _NotANumber as exc:
        raise InputError(f"{path}: {exc.args[0]} is not a number", None,
                         hint="write a number, or null for no answer", code="bad-data") \
            from None
    except _TooLarge as exc:
        literal = exc.args[0]
        shown = literal if len(literal) <= 24 else f"{literal[:10]}...{literal[-10:]}"
        raise LimitError(f"{path}: the number {shown} is too large (at most {MAX_DIGITS} "
                         f"digits, and less than 1e{MAX_EXPONENT})",
                         _token_span(path, text, _NUMBER, literal),
                         hint="write a smaller number; a code that is all digits goes in "
                         "quotes, as a text", code="big-number") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc.msg}",
                         SourceSpan(path, exc.lineno, exc.colno, source=text),
                         hint="check commas, quotes and brackets") from None
    except RecursionError:
        raise _too_deep(path) from None
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold a JSON object of names and values", None)
    if _deeper_than(data, MAX_DATA_DEPTH):
        # Checked without recursion: the walks below (types, runtime values, the
        # surrogate check) recurse, and a 500-deep list would exhaust Python's stack.
        raise _too_deep(path)
    where = _surrogate_at(data, "")
    if where is not None:
        # json reads "\ud800" into a text no UTF-8 output (or case file) can hold:
        # refused here, so that every text formkit keeps or prints is valid Unicode.
        raise InputError(f"{path}: the text at '{where or '(a key)'}' holds a lone UTF-16 "
                         "surrogate (a \\uD800-\\uDFFF escape without its pair), which is "
                         "not a character", _token_span(path, text, _STRING, None),
                         hint="write the character itself, or both halves of its "
                         "\\u escape pair", code="bad-text")
    return data


def _too_deep(path: str) -> LimitError:
    return LimitError(f"{path} is nested too deeply (at most {MAX_DATA_DEPTH} levels of "
                      "lists and objects)", SourceSpan(path), code="too-deep",
                      hint="a form's answers nest a few levels (a group, a repeat's rows)")


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects in ``value`` nest more than ``limit`` levels."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item \
            if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NUMBER = re.compile(r'"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _token_span(path: str, text: str, tokens: re.Pattern[str],
                literal: str | None) -> SourceSpan:
    """Where the first number ``literal`` (or the first text holding a lone surrogate,
    when ``literal`` is None) is in the JSON ``text``; the file alone if not found."""
    for match in tokens.finditer(text):
        token = match.group()
        if literal is not None:
            found = token == literal
        else:
            found = "\\u" in token and _SURROGATE.search(_decoded(token)) is not None
        if found:
            start = match.start()
            line = text.count("\n", 0, start) + 1
            return SourceSpan(path, line, start - text.rfind("\n", 0, start), source=text)
    return SourceSpan(path)


def _decoded(token: str) -> str:
    try:
        return str(json.loads(token))
    except ValueError:  # pragma: no cover - the whole text parsed already
        return ""


def _surrogate_at(value: Any, where: str) -> str | None:
    """The dotted place of the first text (or key) holding a lone surrogate, or None."""
    if isinstance(value, str):
        return where if _SURROGATE.search(value) else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _surrogate_at(item, f"{where}[{i}]")
            if found is not None:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                return where or ""
            found = _surrogate_at(item, f"{where}.{key}" if where else key)
            if found is not None:
                return found
    return None


def surrogate_problem(text: str, what: str) -> InputError | None:
    """An error when ``text`` (a command-line word) holds a lone surrogate: a byte that
    is not UTF-8 (Python keeps it as U+DC80-U+DCFF) or a UTF-16 half; None when clean."""
    match = _SURROGATE.search(text)
    if match is None:
        return None
    code = ord(match.group())
    shown = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
    return InputError(f"{what} is not UTF-8 text ({shown} at column {match.start() + 1})",
                      SourceSpan(None, 1, match.start() + 1),
                      hint="write it in UTF-8 (check the terminal's encoding)",
                      code="bad-text")


class _TooLarge(Exception):
    """A number in a data file past ``number_out_of_range``'s bounds."""


def _int(literal: str) -> int:
    if number_out_of_range(literal):
        raise _TooLarge(literal)
    return int(literal)


def _decimal(literal: str) -> Decimal:
    if number_out_of_range(literal):
        raise _TooLarge(literal)
    return Decimal(literal)


class _NotANumber(Exception):
    """``NaN`` or ``Infinity`` in a data file."""


def _no_constant(name: str) -> Any:
    raise _NotANumber(name)


def read_json_object(path: str) -> dict[str, Any]:
    """Read a JSON object from ``path`` (bounded size); raises ``FormkitError``."""
    return _read_data(path)
