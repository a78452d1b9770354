"""Junk submissions for every sample matter through the pre-check and the form state.

Each matter's own examples (or nothing) with answers and materials replaced by random
JSON shapes, huge numbers, lone surrogates, deep nesting and wrong types
(``tests/fuzz/harness.py``), through ``formkit.run_precheck`` and ``formkit.form_state``
and through ``formkit precheck CODE --data FILE --json``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

import formkit
from tests.fuzz.harness import (
    SAMPLE,
    call_problem,
    cli_problem,
    cli_submissions,
    show,
    submissions,
    timed,
    todays,
)

SETTINGS = settings(max_examples=500, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
CALENDAR = SAMPLE.work_calendar()


@SETTINGS
@given(submissions(), todays())
def test_junk_through_the_precheck_and_the_form_state(case: tuple[str, Any],
                                                       today: dt.date) -> None:
    code, submission = case
    rules = SAMPLE.rules_of(code)
    assert rules is not None
    problem, _ = timed(lambda: call_problem(lambda: formkit.run_precheck(
        rules, submission, today=today, calendar=CALENDAR, explain=True)))
    assert problem is None, f"run_precheck {code} on {today}, {show(submission)}: {problem}"
    fields = submission.get("fields") if isinstance(submission, dict) else submission
    problem, _ = timed(lambda: call_problem(lambda: formkit.form_state(
        rules, fields, ctx=formkit.EvalContext(today, CALENDAR), lang="en")))
    assert problem is None, f"form_state {code}, {show(fields)}: {problem}"


@settings(SETTINGS, max_examples=200)
@given(cli_submissions(), todays())
def test_junk_through_formkit_precheck(case: tuple[str, str], today: dt.date) -> None:
    code, text = case
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "submission.json"
        data.write_text(text, encoding="utf-8")
        argv = ["precheck", code, "--catalog", str(SAMPLE.root), "--data", str(data),
                "--today", today.isoformat(), "--json"]
        problem, _ = timed(lambda: cli_problem(argv))
        assert problem is None, f"formkit precheck {code} --today {today}, {text[:400]}: {problem}"
