"""What a rule may cost: each let computed once, values of bounded size, a huge index
answered at once, and a flat chain of `and`/`or` terms that is not nesting.

Rules come from department staff: a definition that passes ``formkit validate`` must
not take the window down. Every row here took seconds, minutes or gigabytes before.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal as D
from types import FrameType
from typing import Any

import pytest

from formkit.dsl import builtins, pipeline
from formkit.dsl.builtins import MAX_SIZE
from formkit.dsl.checker import Checker, LetEntry, Scope
from formkit.dsl.compiler import EvalContext, Program, Unit, call
from formkit.dsl.library import libraries_from_texts
from formkit.dsl.parser import MAX_DEPTH, parse_expression
from formkit.dsl.source import Source
from formkit.dsl.types import BOOL, NUMBER, TEXT, T, group_of, list_of
from formkit.errors import FormkitError, LimitError
from tests.timing import bounded

FIELDS: dict[str, T] = {"x": NUMBER, "y": NUMBER, "t": TEXT, "ok": BOOL,
                        "rows": list_of(group_of({"share": NUMBER}))}


def program(text: str, lets: dict[str, str] | None = None, *,
            library: str | None = None) -> Program:
    """``text`` compiled in a scope with FIELDS, the ``lets`` and a rule library."""
    scope = Scope(fields=dict(FIELDS))
    for name, body in (lets or {}).items():
        source = Source(body)
        scope.lets[name] = LetEntry(name, None, pipeline.parse(body, source), source, "let")
    if library is not None:
        libs = libraries_from_texts({"lib": ("lib.rules", library)})
        assert not libs.errors, libs.errors
        scope.libs, errors = libs.entries_for(["lib"])
        assert not errors
    checker = Checker(scope)
    for entry in [*scope.lets.values(), *scope.libs.values()]:
        if entry.params is None:
            checker.check_let(entry)
    typed = pipeline.check(checker, text)
    assert not checker.errors, [e.message for e in checker.errors]
    unit = Unit(checker)
    unit.add(typed)
    built = unit.build()[0]
    assert not unit.errors, unit.errors
    return built


def doubling(n: int, first: str, name: str = "b") -> dict[str, str]:
    """``b0: first``, ``b1: b0 + b0``, ... ``bn``: 2**n evaluations of b0 without memory."""
    return {f"{name}0": first, **{f"{name}{i}": f"{name}{i - 1} + {name}{i - 1}"
                                  for i in range(1, n + 1)}}


@contextmanager
def counting(fn: Any) -> Iterator[list[int]]:
    """How many times the Python function ``fn`` runs inside the block."""
    code, calls = fn.__code__, [0]

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is code:
            calls[0] += 1

    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(None)


# ---- 1. a let is computed once per evaluation ----------------------------------------------

# Each row: lets (or a library), the expression, the answers, the value. Without memory
# each is 2**32 evaluations (the 22-level number chain took 2.4 s; 32 levels of text were
# killed at 5.3 GB).
CHAINS: list[tuple[str, dict[str, str] | None, str | None, str, dict[str, Any], Any]] = [
    # 32 matter lets of numbers, each the previous one twice
    ("let numbers", doubling(32, "x"), None, "b32 > 0", {"x": D(1)}, True),
    ("let value", doubling(32, "x"), None, "b32", {"x": D(1)}, D(2) ** 32),
    # a chain read many times by one expression, inside a count over rows
    ("let in a row condition", doubling(32, "x"), None,
     "count(rows, share < b32) + count(rows, share > b31)", {"x": D(1), "rows": [
         {"share": D(1)}, {"share": D(2) ** 33}]}, D(2)),
    # library values: the same
    ("library values", None, "\n".join(f"let {k} = {v}" for k, v in
                                        doubling(32, "1", "v").items()), "v32", {}, D(2) ** 32),
    # library functions calling the one below twice with the same argument (31 levels:
    # the expression that calls the top one is the 32nd)
    ("library functions", None, "let f0(a) = a + 1\n" + "\n".join(
        f"let f{i}(a) = f{i - 1}(a) + f{i - 1}(a)" for i in range(1, 32)), "f31(x)",
     {"x": D(1)}, D(2) ** 32),
    # 16 levels of text: 65,536 characters, within the bound
    ("let texts", doubling(16, "t"), None, "len(b16)", {"t": "a"}, D(2) ** 16),
]


@pytest.mark.parametrize(("lets", "library", "text", "env", "value"),
                         [c[1:] for c in CHAINS], ids=[c[0] for c in CHAINS])
def test_a_chain_of_lets_costs_one_evaluation_each(
        lets: dict[str, str] | None, library: str | None, text: str, env: dict[str, Any],
        value: Any) -> None:
    compiled = program(text, lets, library=library)
    with bounded(10):
        start = time.perf_counter()
        result = call(compiled, env, EvalContext())
        elapsed = time.perf_counter() - start
    assert result == value
    assert elapsed < 0.5, elapsed


def test_a_let_named_by_many_rules_runs_once_per_evaluation() -> None:
    lets = {"n": "count(rows, share > 0)", "m": "n + n", "k": "m * n + m"}
    texts = ["n > 1", "m > 1 and k > 1", "count(rows, share > n) > k"]
    env = {"rows": [{"share": D(1)}, {"share": D(5)}]}
    programs = [program(t, lets) for t in texts]
    ctx = EvalContext()
    with counting(builtins._count) as alone:  # each run remembers for itself alone
        for p in programs:
            call(p, env, ctx)
    assert alone == [len(texts) + 1]  # once per program; the last counts rows itself too
    with counting(builtins._count) as shared, ctx.remembering():
        for p in programs:
            call(p, env, ctx)
        call(programs[0], env, ctx)
    assert shared == [2]  # n once for the whole evaluation, and the last one's own count
    assert ctx.lets is None  # the memory ends with the evaluation


def test_what_one_run_remembers_is_not_reused_by_the_next() -> None:
    compiled = program("b2", doubling(2, "x"))
    ctx = EvalContext()
    assert [call(compiled, {"x": D(n)}, ctx) for n in (1, 2, 3)] == [D(4), D(8), D(12)]
    with ctx.remembering():
        assert call(compiled, {"x": D(1)}, ctx) == D(4)
        ctx.forget()  # the answers changed
        assert call(compiled, {"x": D(2)}, ctx) == D(8)


def test_a_library_function_with_list_arguments_is_not_remembered_by_value() -> None:
    # lists are not kept by value: each call computes (and gives the right answer)
    compiled = program("g(rows) + g(rows)", library="let g(r) = count(r, share > 0)")
    env = {"rows": [{"share": D(1)}, {"share": D(0)}]}
    assert call(compiled, env, EvalContext()) == D(2)


# ---- 2. the size of a text or list an expression builds --------------------------------------

BIG = "t" * 1_000_000
# Each row: lets, expression, answers, and the column of the error in the text that
# builds the value too long (the let's own text for a let), or None for no error.
SIZES: list[tuple[str, dict[str, str] | None, str, dict[str, Any], int | None]] = [
    # a text joined to itself past the bound: at the '+'
    ("join", None, "len(t + t) > 0", {"t": "a" * 60_000}, 5),
    # exactly at the bound is allowed
    ("join at the bound", None, "len(t + t) > 0", {"t": "a" * (MAX_SIZE // 2)}, None),
    # the balanced tree of the report over a 1 MB text (1.8 GB and 6 s before)
    ("balanced", None, "len(" + "(" * 8 + "t+t" + "".join(")+(t+t)" for _ in range(8))
     + ") > 0", {"t": BIG}, 13),
    # a let chain of texts: 17 doublings of one character
    ("let chain", doubling(17, "t"), "len(b17) > 0", {"t": "a"}, 1),
    # upper() of a text whose characters grow (ß -> SS)
    ("upper", None, "upper(t) == t", {"t": "ß" * 60_000}, 1),
    # a list of lists doubling in a let chain: its items counted with those inside
    ("nested lists", {"l0": "[x]", **{f"l{i}": f"[l{i - 1}, l{i - 1}]"
                                      for i in range(1, 18)}}, "len(l17) > 0",
     {"x": D(1)}, 1),
    # a flat list of texts is short however long its texts
    ("list of texts", None, "len([t, t, t]) == 3", {"t": "a" * 90_000}, None),
]


@pytest.mark.parametrize(("lets", "text", "env", "column"), [c[1:] for c in SIZES],
                         ids=[c[0] for c in SIZES])
def test_a_value_cannot_grow_past_the_bound(lets: dict[str, str] | None, text: str,
                                            env: dict[str, Any], column: int | None) -> None:
    compiled = program(text, lets)
    with bounded(10):
        if column is None:
            assert call(compiled, env, EvalContext()) is True
            return
        with pytest.raises(LimitError) as info:
            call(compiled, env, EvalContext())
    error = info.value
    assert error.code == "too-long" and error.hint
    assert f"at most {MAX_SIZE:,}" in error.message
    assert error.span is not None and error.span.column == column


# ---- 3. an index is checked on the number, before it becomes an int --------------------------

@pytest.mark.parametrize(("index", "value"), [
    (D("1e999999"), None),      # 26-37 s before: int() of a million digits
    (D("-1e999999"), None),
    (D("1e-999999"), None),     # not whole
    (D("Infinity"), None),      # was "the calculation failed (OverflowError)"
    (D("NaN"), None),
    (D(1), D(2)),
    (D("1.0"), D(2)),
    (D(2), None),
])
def test_an_index_out_of_range_is_null_at_once(index: D, value: Any) -> None:
    compiled = program("[1, 2][x]")
    with bounded(5):
        assert call(compiled, {"x": index}, EvalContext()) == value


# ---- 15. a flat chain of and/or is one level; real nesting is still bounded -------------------

def chain(op: str, n: int) -> str:
    return f" {op} ".join(f"x > {i % 7}" if i % 2 else f"y == {i}" for i in range(n))


@pytest.mark.parametrize("text", [
    " and ".join(["x > 1"] * (MAX_DEPTH + 1)),   # refused as "nested too deeply" before
    " or ".join(["ok"] * 660),                   # about as long as an expression may be
    " or ".join(["(ok and x > 1)"] * 220),       # chains in a chain
    "(" + " and ".join(["x > 1"] * 60) + ") and y > 0",  # a bracketed start: the same chain
])
def test_a_flat_chain_is_not_nesting(text: str) -> None:
    parse_expression(text, Source(text))
    compiled = program(text)
    assert call(compiled, {"x": D(5), "y": D(1), "ok": True}, EvalContext()) is True
    assert call(compiled, {"x": D(0), "y": D(0), "ok": False}, EvalContext()) is False


@pytest.mark.parametrize(("op", "x", "y", "value"), [
    ("and", D(9), D(-1), False),  # y == 0 fails
    ("or", D(9), D(-1), True),    # x > 1 holds
    ("or", D(-5), D(-1), False),  # nothing holds
    ("or", D(-5), D(1000), True),  # one y == i deep in the chain
])
def test_a_chain_of_2000_terms_in_a_library_checks_compiles_and_runs(
        op: str, x: D, y: D, value: bool) -> None:
    with bounded(30):
        compiled = program("big", library=f"let big = {chain(op, 2000)}\n")
        assert call(compiled, {"x": x, "y": y}, EvalContext()) is value


@pytest.mark.parametrize("text", [
    "x > 1 and (" * MAX_DEPTH + "y > 1" + ")" * MAX_DEPTH,   # nested by brackets
    "x > 1 or (" * MAX_DEPTH + "y > 1" + ")" * MAX_DEPTH,
    "not " * (MAX_DEPTH + 1) + "x > 1",
    "(x > 1 and (y > 1 or " * 25 + "x > 2" + "))" * 25,     # and in or in and ...
])
def test_real_nesting_is_still_refused(text: str) -> None:
    with pytest.raises(LimitError) as info:
        parse_expression(text, Source(text))
    assert info.value.code == "too-deep"
    library = libraries_from_texts({"lib": ("lib.rules", f"let deep = {text}\n")})
    assert [e.code for e in library.errors] == ["too-deep"]


def test_a_refused_chain_names_the_limit() -> None:
    text = "x > 1 and (" * MAX_DEPTH + "y > 1" + ")" * MAX_DEPTH
    with pytest.raises(FormkitError) as info:
        pipeline.program_of(text, Scope(fields=dict(FIELDS)))
    assert info.value.kind == "limit" and "48" in info.value.message
