"""The code generator's own promises: constants folded once, faults reported once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from formkit.dsl.checker import Checker, Scope
from formkit.dsl.compiler import EvalContext, Program, Unit, call, failure
from formkit.dsl.parser import parse_expression
from formkit.dsl.source import Source
from formkit.errors import FormkitError
from tests.dsl.test_contract import ENV, FIELDS


def compiled(text: str) -> tuple[Program, Checker, Unit]:
    source = Source(text)
    checker = Checker(Scope(fields=dict(FIELDS)))
    typed = checker.check(parse_expression(text, source), source)
    unit = Unit(checker)
    unit.add(typed)
    return unit.build()[0], checker, unit


@pytest.mark.parametrize(("text", "column"), [
    ("round(1, 5 + 20) + 1 > 2", 1),       # folded at load: one error, not one per level
    ("abs(abs(1 / 0)) > 1", 5),            # at the innermost call that folds the fault
    ('date("2026-02" + "-30") + 1 > today()', 1),
])
def test_a_constant_fault_is_reported_once(text: str, column: int) -> None:
    _, checker, unit = compiled(text)
    assert not checker.errors
    assert [(e.kind, e.span.column if e.span else None) for e in unit.errors] == \
        [("evaluation", column)]


def test_a_fault_the_checker_reported_is_not_reported_again() -> None:
    _, checker, unit = compiled('days_between(date("2026-02-30"), date("2026-01-01")) > 1')
    assert len(checker.errors) == 1
    assert unit.errors == []


@pytest.mark.parametrize(("text", "value"), [
    ("18 <= age < 60", True),
    ("18 <= age <= 30 < floor_area", True),
    ("missing < 1 < 2", False),
    ("1 < 2 < missing", False),
    ("age - (floor_area - 1)", D("-89.5")),
    ("-(1 - age) * -2", D("-58")),
    ("not (ok and no) or not ok", True),
    ("(if ok then 1 else 2) + 3", 4),
    ("if ok then if no then 1 else 2 else 3", 2),
    ("count(shareholders, share >= 40 and share < 60) == 1", True),
])
def test_brackets_and_null_tests(text: str, value: object) -> None:
    program, checker, unit = compiled(text)
    assert not checker.errors and not unit.errors
    assert program(dict(ENV), EvalContext(dt.date(2026, 11, 25))) == value


# Arithmetic under an ordering tests its parts once, then computes. Each row: the
# number of null tests in the code, and the value for age 30 and floor_area 120.5; with
# either one null the value is null (false under an ordering).
@pytest.mark.parametrize(("text", "tests", "value"), [
    ("age * 2 + floor_area > 100", 2, True),
    ("(age + 1) * (floor_area - 2) >= 3674", 2, False),  # 31 * 118.5 = 3673.5
    ("(age + 1) * (floor_area - 2) >= 3673", 2, True),
    ("age / 2 + floor_area > 135", 2, True),            # _div's result is tested once
    ("age + 1 + 2 > floor_area", 2, False),
    ("age * 2 + floor_area", 2, D("180.5")),             # a value: null if a part is null
    ("0 < age * 2 + floor_area < 300", 3, True),        # a chain's middle: bound, tested
    ("abs(age - floor_area) + age > 120", 4, True),     # a call: tested as its own part
])
def test_arithmetic_tests_its_parts_once(text: str, tests: int, value: object) -> None:
    program, checker, unit = compiled(text)
    assert not checker.errors and not unit.errors
    code = unit.lines[-1]
    assert code.count(" is not None") + code.count(" is None") == tests, code
    null = False if isinstance(value, bool) else None
    for age in (D(30), None):
        for area in (D("120.5"), None):
            want = value if age is not None and area is not None else null
            assert program({"age": age, "floor_area": area}) == want, (age, area, code)


def test_arithmetic_with_a_bad_value_is_still_a_formkit_error() -> None:
    program, _, _ = compiled("age * 2 + floor_area > 100")
    with pytest.raises(FormkitError) as info:
        call(program, {"age": "thirty", "floor_area": D(1)})
    assert info.value.code == "bad-value"
    assert call(program, {"age": "thirty", "floor_area": None}) is False  # null wins


def test_programs_default_their_context_and_row() -> None:
    program, _, _ = compiled("today() > born")
    assert program(dict(ENV)) is True
    program, _, _ = compiled("age > 1")
    assert program(dict(ENV)) is True


def test_a_bad_value_is_a_formkit_error() -> None:
    program, _, _ = compiled("age + 1 > 2")
    with pytest.raises(FormkitError) as info:
        call(program, {"age": "thirty"})
    assert info.value.code == "bad-value"
    assert (info.value.span.column, info.value.span.end_column) == (1, 12)


def test_a_direct_call_raises_python_errors_that_failure_maps() -> None:
    # The generated function has no try of its own: the caller maps what escapes.
    program, _, _ = compiled("age + 1 > 0 and round(age, 20) > 1")
    with pytest.raises(TypeError) as raw:
        program({"age": "thirty"})
    assert failure(program, raw.value).code == "bad-value"
    with pytest.raises(Exception) as fault:
        program({"age": D(1)})
    error = failure(program, fault.value)
    assert error.code != "bad-value" and error.span is not None
    assert (error.span.column, error.span.end_column) == (17, 31)  # at round(...)


def test_a_bug_in_formkit_is_not_dressed_as_a_rule_error() -> None:
    program, _, _ = compiled("age > 1")

    class Broken(dict[str, object]):
        def get(self, *args: object) -> object:
            raise AssertionError("formkit bug")

    with pytest.raises(AssertionError, match="formkit bug"):
        call(program, Broken())
