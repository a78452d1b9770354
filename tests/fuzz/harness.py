"""The fuzz suite's generators and its one verdict, shared with ``bench/fuzz_bench.py``.

Four families of input, each a hypothesis strategy:

* ``expressions()``: the rule language's grammatical expressions and token soup
  (``tests/dsl/test_fuzz.py``'s ``grammatical`` and ``soup``) and hostile shapes (long
  flat chains, deep brackets, huge literals, costly calls), with JSON data for
  ``formkit eval`` (``eval_data()``);
* ``yaml_mutations()``: a sample definition file (``definitions/**/*.yaml``) with
  lines deleted, duplicated or replaced, types flipped, huge numbers, deep nesting
  and odd Unicode;
* ``submissions()`` / ``cli_submissions()``: a sample matter's own examples
  (or nothing) with answers and materials replaced by junk: random JSON shapes, huge
  integers, ``Decimal`` oddities, lone surrogates, deep nesting, wrong types;
* dates for ``today``.

The verdict is the same everywhere: the outcome is a result or a ``FormkitError``
(never an internal error), the command line exits 0, 1 or 2 and prints one JSON
document that parses and is UTF-8, and a case finishes within its time bound. Each
``*_problem`` function returns ``None`` or a sentence saying what went wrong.

The suite and ``bench/fuzz_bench.py`` draw from the same strategies. A fault found is
kept as a seed in ``tests/fuzz/test_seeds.py``, ``xfail(strict=True)`` until its fix
lands; never narrow a strategy here to step around one.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import formkit
from formkit.cli import main
from formkit.errors import FormkitError
from tests.dsl.test_fuzz import grammatical, soup
from tests.timing import Hang, bounded

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "definitions"
RULES = ROOT / "rules"
KINDS = {"syntax", "name", "type", "evaluation", "limit", "definition", "io"}
BOUND = 2.0  # seconds a case may take in the suite


# ---- the verdict ------------------------------------------------------------------------------


def error_problem(err: FormkitError) -> str | None:
    """What is wrong with an error formkit raised (None: a proper error)."""
    if err.kind not in KINDS:
        return f"error of unknown kind {err.kind!r}: {err.message}"
    if not err.message:
        return f"error without a message (code {err.code})"
    if err.code == "internal" or "internal error" in err.message:
        return f"internal error: {err.message}"
    try:
        json.dumps(err.to_json(), allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"error object is not JSON: {exc}"
    return None


def call_problem(fn: Callable[[], Any]) -> str | None:
    """Run ``fn``: a result or a proper ``FormkitError`` is fine; anything else is reported.

    A result with ``model_dump`` (a form state, a pre-check) must dump to strict JSON.
    """
    try:
        result = fn()
    except FormkitError as err:
        return error_problem(err)
    except Hang:
        raise
    except Exception as exc:  # the fault the fuzzing is for
        return f"raised {type(exc).__name__}: {str(exc)[:300]}"
    try:
        for part in result if isinstance(result, tuple) else (result,):
            if hasattr(part, "model_dump"):
                json.dumps(part.model_dump(mode="json"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"the result is not JSON: {type(exc).__name__}: {str(exc)[:200]}"
    return None


def cli_problem(argv: list[str]) -> str | None:
    """``formkit ARGV`` in-process: exit 0/1/2, one UTF-8 JSON document, no internal error."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except Hang:
        raise
    except BaseException as exc:  # SystemExit included: main returns its status
        return f"main raised {type(exc).__name__}: {str(exc)[:300]}"
    text, said = out.getvalue(), err.getvalue()
    if code not in (0, 1, 2):
        return f"exit status {code}"
    if "internal error" in text + said:
        return f"exit {code}, internal error: {(text + said)[:400]}"
    if code == 2:
        return None if said else "exit 2 without a word on stderr"
    if "--json" in argv:
        try:
            text.encode("utf-8")  # what a real stdout does with it
        except UnicodeEncodeError as exc:
            return f"exit {code}, the output is not UTF-8 ({exc.reason} at {exc.start})"
        try:
            json.loads(text)
        except ValueError as exc:
            return f"exit {code}, the output is not one JSON document ({exc}): {text[:200]!r}"
    return None


def show(value: Any, limit: int = 400) -> str:
    """``repr(value)`` cut to ``limit``, also for huge integers and deep nesting."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return repr(value)[:limit]
    except RecursionError:
        return "<nested too deep to show>"
    finally:
        sys.set_int_max_str_digits(old)


def timed(fn: Callable[[], str | None], seconds: float = BOUND) -> tuple[str | None, float]:
    """``fn()`` under the time bound: (its problem, or the hang; elapsed seconds)."""
    start = time.perf_counter()
    try:
        with bounded(seconds):
            problem = fn()
    except Hang as hang:
        problem = f"hang: {hang}"
    return problem, time.perf_counter() - start


# ---- the sample catalog -----------------------------------------------------------------------

SAMPLE = formkit.open_catalog(DEFINITIONS)
CODES = sorted(SAMPLE.matters)
YAML_FILES = sorted(p.relative_to(DEFINITIONS).as_posix() for p in DEFINITIONS.rglob("*.yaml"))
YAML_TEXTS = {rel: (DEFINITIONS / rel).read_text(encoding="utf-8") for rel in YAML_FILES}


def _bases(code: str) -> list[tuple[dict[str, Any], list[Any]]]:
    """A matter's examples as (fields, materials) in JSON form, and the empty submission."""
    matter = SAMPLE.matters[code]
    out: list[tuple[dict[str, Any], list[Any]]] = [({}, [])]
    for ex in matter.tests:
        fields = json.loads(json.dumps(ex.fields, ensure_ascii=False, default=str))
        materials = [m.model_dump(mode="json", exclude_none=True) for m in ex.materials]
        out.append((fields, materials))
    return out


BASES = {code: _bases(code) for code in CODES}


# ---- junk values ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Raw:
    """JSON text written as is (numbers Python's json would not write)."""

    text: str


ODD_TEXTS = ["", " ", "１２３", "1,000", "2026-02-30", "2024-02-29", "9999-12-31", "0001-01-01",
             "是", "否", "NaN", "Infinity", "-0", "1e999999", "x" * 20_000, "\u2028", "\u200b",
             "\u202e", "\ufeff", "\x00", "💡", "ｙｅｓ", "44532119850612351X", "13800138000",
             "a@b.c", "91440300MA5FXXXX0X", "retail"]
SURROGATES = ["\ud800", "a\udfffb", "\udc00\ud800"]


def _texts() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ODD_TEXTS + SURROGATES), st.text(max_size=12))


def api_leaves() -> st.SearchStrategy[Any]:
    """Python values an embedder may pass: JSON's, and the Decimals and floats it reads
    (lone surrogates too: a Python text may hold them)."""
    return st.one_of(
        st.none(), st.booleans(), st.integers(-2**70, 2**70),
        st.sampled_from([5000, 400, 15, 63]).map(lambda n: 10**n)
        | st.sampled_from([-400, -15, -63]).map(lambda n: -(10**-n)),
        st.floats(), st.sampled_from([Decimal("1e999999"), Decimal("-1e-999999"),
                                      Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"),
                                      Decimal("1e999999999999"), Decimal("0.001"),
                                      Decimal("-0")]),
        st.dates().map(dt.date.isoformat), _texts())


def json_leaves() -> st.SearchStrategy[Any]:
    """Leaves of JSON text (``Raw`` for numbers beyond what json.dumps writes)."""
    numbers = ["1e400", "1E4000", "-0", "0.1", "1e-999", "9" * 300, "9" * 4000,
               "-" + "9" * 4300, "1e999999", "1e999999999999", "-1e999999", "9" * 5000,
               "-" + "9" * 5000]
    return st.one_of(
        st.none(), st.booleans(), st.integers(-2**70, 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(numbers).map(Raw), st.dates().map(dt.date.isoformat), _texts())


KEYS = st.sampled_from(["name", "share", "value", "id", "form", "copies", "fields",
                        "materials", "", "\u200b", "__class__", "0"]) | st.text(max_size=6)


def deep(leaf: Any, depth: int, kind: str) -> Any:
    """``leaf`` inside ``depth`` lists (or one-key objects)."""
    for _ in range(depth):
        leaf = [leaf] if kind == "list" else {"a": leaf}
    return leaf


def junk(leaves: st.SearchStrategy[Any], max_depth: int) -> st.SearchStrategy[Any]:
    """Random JSON shapes over ``leaves``, and a few very deep ones."""
    shapes = st.recursive(
        leaves, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                        st.dictionaries(KEYS, inner, max_size=4)),
        max_leaves=10)
    nested = st.builds(deep, leaves, st.integers(10, max_depth), st.sampled_from(["list", "obj"]))
    return st.one_of(shapes, shapes, shapes, nested)


def dump(value: Any) -> str:
    """JSON text of ``value``: ``Raw`` as is, texts escaped (a lone surrogate as \\udXXX)."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:  # no recursion: the value may nest thousands deep
        item = stack.pop()
        if isinstance(item, _Tok | Raw):
            out.append(item.text)
        elif isinstance(item, list):
            stack.append(_Tok("]"))
            for i, v in enumerate(reversed(item)):
                stack.append(v)
                if i < len(item) - 1:
                    stack.append(_Tok(","))
            stack.append(_Tok("["))
        elif isinstance(item, dict):
            pairs = list(item.items())
            stack.append(_Tok("}"))
            for i, (k, v) in enumerate(reversed(pairs)):
                stack.append(v)
                stack.append(_Tok(json.dumps(str(k)) + ":"))
                if i < len(pairs) - 1:
                    stack.append(_Tok(","))
            stack.append(_Tok("{"))
        else:
            out.append(json.dumps(item, default=str))
    return "".join(out)


@dataclass(frozen=True)
class _Tok:
    text: str


# ---- submissions ------------------------------------------------------------------------------

def _slots(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) inside ``value``, for a mutation to hit."""
    out: list[tuple[Any, Any]] = []
    todo = [value]
    while todo:
        item = todo.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item) \
            if isinstance(item, list) else []
        for k, v in pairs:
            out.append((item, k))
            todo.append(v)
    return out


@st.composite
def _submission(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> tuple[str, Any]:
    code = draw(st.sampled_from(CODES))
    fields, materials = copy.deepcopy(draw(st.sampled_from(BASES[code])))
    submission: Any = {"fields": fields, "materials": materials}
    for _ in range(draw(st.integers(1, 4))):
        move = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add",
                                     "fields", "materials", "item", "whole"]))
        slots = _slots(submission)
        if move in ("replace", "delete") and slots:
            container, key = draw(st.sampled_from(slots))
            if move == "replace":
                container[key] = draw(values)
            else:
                del container[key]
        elif not isinstance(submission, dict):
            continue
        elif move == "add" and isinstance(submission.get("fields"), dict):
            submission["fields"][draw(KEYS)] = draw(values)
        elif move in ("fields", "materials"):
            submission[move] = draw(values)
        elif move == "item" and isinstance(submission.get("materials"), list):
            submission["materials"].append(draw(values))
        elif move == "whole" and draw(st.integers(0, 9)) == 0:
            submission = draw(values)
    return code, submission


def submissions() -> st.SearchStrategy[tuple[str, Any]]:
    """(matter code, submission) for ``formkit.run_precheck`` and ``formkit.form_state``."""
    return _submission(junk(api_leaves(), 1500))


def cli_submissions() -> st.SearchStrategy[tuple[str, str]]:
    """(matter code, JSON text of a submission) for ``formkit precheck --data``."""
    return _submission(junk(json_leaves(), 5000)).map(lambda cs: (cs[0], dump(cs[1])))


def todays() -> st.SearchStrategy[dt.date]:
    """Dates of receipt: any date, the first and last ones often."""
    edges = [dt.date(2026, 11, 25), dt.date(1, 1, 1), dt.date(2024, 2, 29), dt.date(2026, 9, 30),
             dt.date(2027, 1, 29), dt.date(9999, 12, 1), dt.date.max]
    return st.one_of(st.sampled_from(edges), st.dates())


# ---- expressions and their data ---------------------------------------------------------------

LINK = ["or", "and", "+", "-", "*", "/", "==", "<", "!=", "%"]
LEAF_WORDS = ["true", "false", "1", "x", "age", "name", "null", '"a"', "today()", "0"]
COSTLY = [
    "add_workdays(today(), 99999999)", "add_workdays(today(), -99999999)",
    'workdays_between(date("0001-01-01"), date("9999-12-31"))',
    'days_between(date("0001-01-01"), date("9999-12-31"))', "round(age, 999999999)",
    "round(age, -999999999)", 'matches(name, "(a*)*b")',
    'matches(name, "(((a{1,100}){1,100}){1,100})")',
    'date("9999-12-31")', "today() + 1", 'years_between(date("0001-01-01"), today())',
    "[1][age * 1000000000000]", "[1][-1]", "[1][0.5]", "sum(shareholders.share) / 0",
    "age % 0", "abs(-0)", 'upper("ß" + name)', 'trim("\u3000\u3000")', "len(name) * 1" + "0" * 30,
    'id_birthdate("44532119850230351X")', 'valid_id_number("\u0660" * 18)',
    "min()", "max([])", "sum([])", "count(shareholders, share > share)",
]


@st.composite
def _hostile(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["chain", "brackets", "prefix", "literal", "list", "costly",
                                  "index"]))
    n = draw(st.integers(1, 300))
    if shape == "chain":
        link = draw(st.sampled_from(LINK))
        return f" {link} ".join(draw(st.lists(st.sampled_from(LEAF_WORDS), min_size=n,
                                              max_size=n)))
    if shape == "brackets":
        return "(" * n + draw(st.sampled_from(LEAF_WORDS)) + ")" * n
    if shape == "prefix":
        return draw(st.sampled_from(["not ", "-", "- ", "not not "])) * n + "1"
    if shape == "literal":
        return draw(st.sampled_from(["9" * n * 13, "0." + "0" * n * 13 + "1", f"1.{'5' * n}",
                                     '"' + "字" * n * 13 + '"', "x" * n * 13]))
    if shape == "list":
        return "[" + ", ".join([draw(st.sampled_from(LEAF_WORDS))] * n * 6) + "]"
    if shape == "index":
        return draw(st.sampled_from(["[1][x]", "[1, 2][x]", "x[0]", "[x][0]", "x.share",
                                     "len(x)", "x + 1", "x * x", "round(x, 2)", "x % 7",
                                     "add_workdays(today(), x)", "abs(x)", "x > 1", "-x"]))
    return draw(st.sampled_from(COSTLY))


def expressions() -> st.SearchStrategy[str]:
    """Grammatical expressions, token soup and hostile shapes."""
    return st.one_of(grammatical, soup, _hostile())


def eval_data() -> st.SearchStrategy[str]:
    """JSON text of ``formkit eval --data``: names the expressions use, junk values."""
    values = junk(json_leaves(), 5000)
    return st.dictionaries(st.sampled_from(["x", "age", "name", "shareholders", "a", "b"]),
                           values, max_size=4).map(dump)


CLI_TODAY = ["2026-11-25", "0001-01-01", "9999-12-31", "2026-02-29", "2026-13-01",
             "１９９９-01-01", "", "today"]


def eval_todays() -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), st.sampled_from(CLI_TODAY))


# ---- definition files -------------------------------------------------------------------------

FLIPS = ["[]", "{}", "true", "no", "~", "null", "1e999999", "1e999999999999", "9" * 4000,
         "9" * 5000, "-" + "9" * 4301, "-1", "0", "1.5", '"x"', "'", '"',
         "!!python/object:os.system", "*alias", "&a x",
         "2026-02-30", "[" * 100, "{" * 100, "｛", "：", "|", ">", "- ", "? x"]
ODD = ["\u2028", "\u2029", "\u0085", "\u200b", "\u202e", "\ufeff", "\x00", "\t", "\r",
       "💡", "ａ", "\u3000", "字" * 3000]


def _mutate_line(draw: st.DrawFn, lines: list[str]) -> None:
    i = draw(st.integers(0, max(len(lines) - 1, 0)))
    move = draw(st.sampled_from(["delete", "duplicate", "replace", "flip", "flip", "nest",
                                 "unicode", "indent", "key"]))
    if not lines:
        lines.append("")
    line = lines[i]
    if move == "delete":
        del lines[i]
    elif move == "duplicate":
        lines.insert(i, line)
    elif move == "replace":
        lines[i] = draw(st.sampled_from(lines) | st.text(max_size=30))
    elif move == "flip":
        head, sep, _ = line.partition(": ")
        lines[i] = (head + sep if sep else line.rstrip() + ": ") + draw(st.sampled_from(FLIPS))
    elif move == "nest":
        n = draw(st.integers(10, 300))
        pad = line[:len(line) - len(line.lstrip())]
        lines.insert(i, pad + "deep: " + draw(st.sampled_from(["[" * n + "1" + "]" * n,
                                                              "{a: " * n + "1" + "}" * n])))
    elif move == "unicode":
        at = draw(st.integers(0, len(line)))
        lines[i] = line[:at] + draw(st.sampled_from(ODD)) + line[at:]
    elif move == "indent":
        lines[i] = draw(st.sampled_from(["", " ", "   ", "\t"])) + line.lstrip()
    else:
        pad = line[:len(line) - len(line.lstrip())]
        lines.insert(i, pad + draw(st.sampled_from(["constraint", "value", "visible", "let",
                                                     "uses", "fields", "when", "fee"]))
                     + ": " + draw(grammatical | soup).replace("\n", " "))


@st.composite
def yaml_mutations(draw: st.DrawFn) -> tuple[str, str]:
    """(a sample file's path under ``definitions/``, its text after 1-4 mutations)."""
    rel = draw(st.sampled_from(YAML_FILES))
    lines = YAML_TEXTS[rel].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        _mutate_line(draw, lines)
    return rel, "\n".join(lines)
