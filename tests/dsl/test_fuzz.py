"""Property tests: whatever text comes in, only results or ``FormkitError``s come out.

Random token soup, grammatical expressions, arbitrary Unicode, rule libraries,
expressions inside YAML, and random data for ``formkit eval``: parse, check,
compile and evaluate must never raise anything but a ``FormkitError``.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from formkit.cli.evaluate import evaluate_cli
from formkit.definitions.loader import load_matter_text
from formkit.definitions.yamldoc import SourceFile
from formkit.dsl.checker import Scope
from formkit.dsl.compiler import EvalContext, call
from formkit.dsl.parser import parse_expression, parse_library
from formkit.dsl.pipeline import evaluate_text
from formkit.dsl.source import Source
from formkit.errors import FormkitError
from formkit.ruleset import RuleSet
from tests.dsl.test_contract import ENV, FIELDS

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TODAY = dt.date(2026, 11, 25)
KINDS = {"syntax", "name", "type", "evaluation", "limit", "definition", "io"}

NAMES = [*sorted(FIELDS), "share", "kind", "unknown", "申请人", "x"]
WORDS = [
    *NAMES, "0", "1", "3.5", "-1", "1e5", "999999999999999999999999999999", "0.0000001",
    "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "=", "in", "not", "and", "or",
    "if", "then", "else", "true", "false", "null", "let", "use", "(", ")", "[", "]", ",",
    ".", "'x'", '"个人"', '"2026-02-30"', '"2026-11-25"', '"("', "'\\q'", '"\\n"', "#",
    "\n", "（", "，", "“", "&", "!", "len(", "count(", "any(", "all(", "sum(", "min(",
    "max(", "abs(", "round(", "matches(", "startswith(", "upper(", "trim(", "today()",
    "date(", "days_between(", "years_between(", "add_workdays(", "workdays_between(",
    "valid_id_number(", "id_birthdate(", "id_gender(", "valid_uscc(", "valid_mobile(",
    "__import__(", ".__class__",
]

soup = st.lists(st.sampled_from(WORDS) | st.text(max_size=3), max_size=16).map(" ".join)


def evaluate(expr: str) -> Any:
    return evaluate_text(expr, Scope(fields=dict(FIELDS)), dict(ENV),
                         EvalContext(today=TODAY))


def only_formkit_errors(expr: str) -> FormkitError | None:
    try:
        evaluate(expr)
    except FormkitError as err:
        assert err.kind in KINDS
        assert err.message
        return err
    return None


@SETTINGS
@given(soup)
def test_token_soup(expr: str) -> None:
    only_formkit_errors(expr)


@SETTINGS
@given(st.text(max_size=60))
def test_arbitrary_unicode(text: str) -> None:
    only_formkit_errors(text)
    try:
        parse_expression(text)
    except FormkitError as err:
        assert err.span is not None and err.span.line is not None


# ---- grammatical expressions: never a syntax error ------------------------------------------

def _text_literal(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


LEAVES = st.one_of(
    st.sampled_from(NAMES),
    st.integers(-10**6, 10**6).map(str),
    st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False).map(
        lambda d: str(abs(d)) if d >= 0 else f"(-{abs(d)})"),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=6).map(_text_literal),
    st.sampled_from(["true", "false", "null", "today()", 'date("2026-11-25")',
                     'date("2026-02-30")', "shareholders", "applicant"]),
)
BINARY = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "in", "not in",
          "and", "or"]
FUNCTIONS = ["len", "sum", "min", "max", "abs", "round", "upper", "trim", "date",
             "days_between", "years_between", "add_workdays", "workdays_between",
             "valid_id_number", "id_birthdate", "id_gender", "matches", "startswith"]


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, st.sampled_from(BINARY), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda a: f"(-{a})"),
        inner.map(lambda a: f"(not {a})"),
        st.tuples(inner, inner, inner).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(inner, min_size=1, max_size=2)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.tuples(inner, st.sampled_from(["name", "share", "x"])).map(
            lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(st.sampled_from(["count", "any", "all"]), inner).map(
            lambda t: f"{t[0]}(shareholders, {t[1]})"),
        st.tuples(inner, st.sampled_from(["<", "<="]), inner, st.sampled_from(["<", "<="]),
                  inner).map(lambda t: f"({' '.join(t)})"),
    )


grammatical = st.recursive(LEAVES, _compound, max_leaves=12)


@SETTINGS
@given(grammatical)
def test_grammatical_expressions(expr: str) -> None:
    err = only_formkit_errors(expr)
    assert err is None or err.kind != "syntax", err.render()


# ---- rule libraries and expressions inside YAML ---------------------------------------------

@SETTINGS
@given(st.lists(st.one_of(
    st.tuples(st.just("let"), st.sampled_from(NAMES), soup).map(
        lambda t: f"{t[0]} {t[1]} = {t[2]}"),
    st.tuples(st.just("let"), st.sampled_from(["f", "g"]), st.lists(
        st.sampled_from(["a", "b", "x"]), max_size=3), soup).map(
        lambda t: f"let {t[1]}({', '.join(t[2])}) = {t[3]}"),
    st.sampled_from(NAMES).map(lambda n: f"use {n}"),
    soup,
), max_size=5).map("\n".join))
def test_rule_libraries(text: str) -> None:
    source = Source(text, file=SourceFile("fuzz.rules", text))
    try:
        parse_library(text, source)
    except FormkitError as err:
        assert err.span is not None and err.span.file == "fuzz.rules"
        assert err.span.line is not None and 1 <= err.span.line <= text.count("\n") + 1


MATTER = """\
code: "T-1"
name: {zh: 测试}
department: market_supervision
kind: administrative_licensing
time_limit: {statutory_days: 5, committed_days: 1}
form:
  - {id: floor_area, type: number}
  - {id: 申请人类型, type: text}
  - id: shareholders
    type: repeat
    fields:
      - {id: share, type: number, constraint: %s}
checks:
  - when: %s
    warn: {zh: 请核实}
"""


@SETTINGS
@given(st.one_of(soup, grammatical), st.one_of(soup, grammatical))
def test_expressions_inside_yaml(row_expr: str, check_expr: str) -> None:
    # JSON strings are YAML double-quoted scalars: the text reaches the checker as is.
    text = MATTER % (json.dumps(row_expr, ensure_ascii=False),
                     json.dumps(check_expr, ensure_ascii=False))
    matter, _ = load_matter_text(text, "m.yaml")
    assume(matter is not None)
    assert matter is not None
    rules = RuleSet.build(matter, None)
    lines = text.count("\n") + 1
    for err in rules.errors:
        assert err.kind in KINDS
        if err.span is not None and err.span.line is not None:
            assert err.span.file == "m.yaml" and 1 <= err.span.line <= lines
            assert err.span.column is not None and err.span.column >= 1
    programs = rules.programs()
    rows: list[dict[str, Any]] = [{"share": Decimal(1)}, {"share": None}]
    env: dict[str, Any] = {"floor_area": Decimal(10), "申请人类型": "个人", "shareholders": rows}
    for place, program in programs.items():
        try:
            if place.row:
                for row in rows:
                    call(program, env, EvalContext(today=TODAY), row)
            else:
                call(program, env, EvalContext(today=TODAY))
        except FormkitError as err:
            assert err.kind in KINDS


# ---- random data for formkit eval -----------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5),
              st.sampled_from(["2026-11-25", "2026-02-30", "1990-03-07"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b", "share"]), inner,
                                            max_size=3)),
    max_leaves=8)

DATA_EXPRESSIONS = ["a", "a + b", "a == b", "len(a)", "sum(a)", "a.share", "a[0]",
                    "count(a, share > 1)", "a < b", "a + 1", "b + 1", "if a then b else a",
                    "days_between(a, b)", "min(a)", "a in b"]


@SETTINGS
@given(st.dictionaries(st.sampled_from(["a", "b"]), json_values, min_size=2),
       st.sampled_from(DATA_EXPRESSIONS))
def test_random_data(data: dict[str, Any], expr: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        try:
            value = evaluate_cli(expr, data_file=str(path), today="2026-11-25")
        except FormkitError as err:
            assert err.kind in KINDS
        else:
            json.dumps(value, allow_nan=False)  # always printable as strict JSON
