"""Rule-language expressions through ``evaluate_text`` and ``formkit eval``.

Grammatical expressions, token soup and hostile shapes (``tests/fuzz/harness.py``), over
the contract's fields and over random ``--data``: a value or a ``FormkitError``, an exit
status of 0, 1 or 2 with one JSON document, within ``BOUND`` seconds a case.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formkit.cli.evaluate import evaluate_cli
from formkit.dsl.checker import Scope
from formkit.dsl.compiler import EvalContext
from formkit.dsl.pipeline import evaluate_text
from tests.dsl.test_contract import ENV, FIELDS
from tests.fuzz.harness import (
    DEFINITIONS,
    call_problem,
    cli_problem,
    eval_data,
    eval_todays,
    expressions,
    timed,
)

SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
TODAY = dt.date(2026, 11, 25)


@SETTINGS
@given(expressions())
def test_expressions_over_the_contract_fields(expr: str) -> None:
    problem, _ = timed(lambda: call_problem(lambda: evaluate_text(
        expr, Scope(fields=dict(FIELDS)), dict(ENV), EvalContext(today=TODAY))))
    assert problem is None, f"{expr!r}: {problem}"


@settings(SETTINGS, max_examples=300)
@given(expressions(), eval_data(), eval_todays())
def test_formkit_eval_over_random_data(expr: str, data: str, today: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data.json"
        path.write_text(data, encoding="utf-8")
        argv = ["eval", expr, "--data", str(path), "--json"]
        if today is not None:
            argv += ["--today", today]
        problem, _ = timed(lambda: call_problem(
            lambda: evaluate_cli(expr, data_file=str(path), today=today)))
        assert problem is None, f"evaluate_cli({expr!r}, data {data[:300]!r}): {problem}"
        problem, _ = timed(lambda: cli_problem(argv))
        assert problem is None, f"formkit {argv[:2]} data {data[:300]!r}: {problem}"


@settings(SETTINGS, max_examples=60)
@given(st.sampled_from(["XX-MS-0001", "XX-NR-0001", "XX-CA-0002"]), expressions())
def test_formkit_eval_over_a_matter(code: str, expr: str) -> None:
    argv = ["eval", expr, "--catalog", str(DEFINITIONS), "--matter", code, "--json"]
    problem, _ = timed(lambda: cli_problem(argv))
    assert problem is None, f"formkit {argv}: {problem}"
