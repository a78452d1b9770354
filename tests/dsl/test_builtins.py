"""The built-in entries hold each function whole, and the pipeline is the one way in."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from types import CodeType

import pytest

from formkit.dsl import pipeline
from formkit.dsl.builtins import BUILTINS
from formkit.dsl.checker import Checker, Scope
from formkit.dsl.compiler import EvalContext, call
from formkit.dsl.parser import parse_expression
from formkit.dsl.source import Source
from formkit.dsl.types import BOOL, NUMBER, TEXT
from formkit.errors import FormkitError
from tests.dsl.test_contract import CASES, FIELDS, Err

# ---- the entries


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_an_entry_is_consistent(name: str) -> None:
    b = BUILTINS[name]
    assert b.name == name
    assert b.impl is not None or b.emit is not None, "no code for it"
    if b.context or b.row_condition:  # reads the context or the rows: never folded
        assert not b.fold
    if b.literal is not None:
        assert b.literal.arg < (b.max_args if b.max_args is not None else b.min_args + 1)


@pytest.mark.parametrize(("nulls", "args", "nullable"), [
    ("propagates", [False, False], False), ("propagates", [False, True], True),
    ("never", [True], False), ("maybe", [False], True),
])
def test_the_null_rule(nulls: str, args: list[bool], nullable: bool) -> None:
    entry = next(b for b in BUILTINS.values() if b.nulls == nulls)
    assert entry.nullable(args) is nullable


def test_the_null_rules_of_the_language() -> None:
    never = {n for n, b in BUILTINS.items() if b.nulls == "never"}
    maybe = {n for n, b in BUILTINS.items() if b.nulls == "maybe"}
    assert never == {"len", "count", "any", "all", "sum", "today", "valid_id_number",
                     "valid_uscc", "valid_mobile", "valid_email"}
    assert maybe == {"min", "max", "id_birthdate", "id_gender"}


def test_a_context_function_reads_the_evaluation_context() -> None:
    ctx = EvalContext(dt.date(2026, 11, 25))
    scope = Scope(fields={"id": TEXT})
    born = pipeline.evaluate_text("id_birthdate(id)", scope, {"id": "110105200811250011"},
                                  ctx)[0]
    assert born == dt.date(2008, 11, 25)
    # born after the evaluation's today: not a valid number on that day
    future = {"id": "110105202611260011"}
    assert pipeline.evaluate_text("id_birthdate(id)", scope, future, ctx)[0] is None
    later = EvalContext(dt.date(2026, 11, 26))
    assert pipeline.evaluate_text("id_gender(id)", scope, future, later)[0] == "M"
    assert pipeline.evaluate_text("today()", Scope(), {}, ctx)[0] == dt.date(2026, 11, 25)
    assert pipeline.evaluate_text("valid_id_number(id)", scope, {"id": None}, ctx)[0] is False


# ---- the pipeline


def test_a_cached_parse_reuses_the_tree() -> None:
    text = "age + 1 > 2 and ok"
    assert pipeline.parse(text, cached=True) is pipeline.parse(text, cached=True)


@pytest.mark.parametrize("text", ["age >", "a +\n  * 2", "(1 + 2"])
def test_a_cached_parse_error_is_placed_as_a_fresh_one(text: str) -> None:
    with pytest.raises(FormkitError) as fresh:
        parse_expression(text, Source(text))
    for _ in range(2):  # the miss, then the hit
        with pytest.raises(FormkitError) as cached:
            pipeline.parse(text, Source(text), cached=True)
        assert cached.value.to_json() == fresh.value.to_json()


def test_check_collects_and_program_of_raises() -> None:
    checker = Checker(Scope(fields={"age": NUMBER}))
    typed = pipeline.check(checker, "age + 1", want=BOOL, what="the condition")
    assert typed.type == NUMBER
    assert [e.code for e in checker.errors] == ["wrong-type"]
    with pytest.raises(FormkitError):
        pipeline.program_of("age + 1", Scope(fields={"age": NUMBER}), want=BOOL)
    program, t = pipeline.program_of("age * 2", Scope(fields={"age": NUMBER}))
    assert t == NUMBER and call(program, {"age": D(3)}) == D(6)


def test_compile_programs_reports_a_constant_that_cannot_work() -> None:
    checker = Checker(Scope())
    typed = pipeline.check(checker, 'date("2026-02" + "-30") + 1 > today()')
    programs, errors = pipeline.compile_programs(checker, [typed])
    assert len(programs) == 1 and [e.kind for e in errors] == ["evaluation"]


# ---- every implementation is called by some generated code


def _names(code: CodeType) -> set[str]:
    """The global names a code object (and the lambdas inside it) reads."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            names |= _names(const)
    return names


def test_the_contract_calls_every_builtin_and_every_implementation_is_used() -> None:
    # Every built-in appears in the contract table, and every _B_<name> that the
    # generated code's namespace offers is read by the code generated for that table:
    # an implementation no program calls would be dead code.
    texts = [c[0] for c in CASES if not isinstance(c[1], Err)]
    called = {name for text in texts for name in re.findall(r"\b(\w+)\(", text)}
    assert set(BUILTINS) - called == set()
    # The contract calls these on literals only, which are folded while checking: call
    # them on answers too, so that only generated code can use their implementation.
    texts += ["lower(name)", 'endswith(name, "店")', "matches(name, missing_text)",
              "valid_email(name)", "valid_uscc(name)", "valid_mobile(applicant.mobile)"]
    used: set[str] = set()
    for text in texts:
        program, _ = pipeline.program_of(text, Scope(fields=dict(FIELDS)))
        used |= _names(program.__code__)
    # what the compiler puts in the namespace of generated code (compiler._HELPERS)
    offered = {f"_B_{n}" for n, b in BUILTINS.items() if b.impl is not None}
    assert offered - used == set()
