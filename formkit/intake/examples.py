"""Run every matter's ``tests:`` examples, and measure which conditions they cover."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from formkit.catalog import OpenCatalog
from formkit.definitions.model import BundleExample, Example, Expr, Matter
from formkit.intake.bundles import BundlePrecheckResult, run_bundle_precheck
from formkit.intake.precheck import PrecheckResult, run_precheck
from formkit.ruleset import Place, RuleSet

__all__ = ["ExampleFailure", "ExamplesReport", "Uncovered", "run_examples"]


class ExampleFailure(BaseModel):
    """An example whose expectation was not met, placed at the example in its file."""

    matter: str
    test: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None


class Uncovered(BaseModel):
    """A condition that no example made true, or none made false."""

    matter: str
    place: str
    condition: str
    never: list[bool]
    file: str | None = None
    line: int | None = None


class ExamplesReport(BaseModel):
    """What ``formkit test`` reports (cli.md), plus coverage when asked."""

    passed: int = 0
    failed: int = 0
    failures: list[ExampleFailure] = Field(default_factory=list)
    uncovered: list[Uncovered] | None = None


def compare(example: Example | BundleExample,
            result: PrecheckResult | BundlePrecheckResult) -> list[str]:
    """Every way ``result`` differs from what ``example`` expects (empty: it passes).
    A bundle's materials are named by their once id or as ``CODE/material``."""
    e = example.expect
    problems: list[str] = []
    if isinstance(result, BundlePrecheckResult):
        want_matters = getattr(e, "matters", None)
        got_matters = [m.matter for m in result.matters]
        if want_matters is not None and want_matters != got_matters:
            problems.append(f"matters: expected {want_matters}, got {got_matters}")
    if e.outcome is not None and e.outcome != result.outcome:
        problems.append(f"outcome: expected {e.outcome}, got {result.outcome}"
                        + _why(result))
    for key, got in (("missing", result.missing_materials),
                     ("tolerated", result.tolerated_materials),
                     ("fetched", result.fetched_materials)):
        want = getattr(e, key)
        have = {getattr(i, "key", i.id) for i in got}
        if want is not None and set(want) != have:
            problems.append(f"{key}: expected {sorted(want)}, got {sorted(have)}")
    if e.field_errors is not None:
        have = {f.field for f in result.field_errors}
        if set(e.field_errors) != have:
            problems.append(f"field_errors: expected {sorted(e.field_errors)}, got "
                            + str([f"{f.field}: {f.message}" for f in result.field_errors]))
    if e.refusals is not None and e.refusals != len(result.refusals):
        problems.append(f"refusals: expected {e.refusals}, got "
                        f"{[r.message for r in result.refusals]}")
    if e.denials is not None and e.denials != len(result.denials):
        problems.append(f"denials: expected {e.denials}, got "
                        f"{[d.message for d in result.denials]}")
    if e.warnings is not None and e.warnings != len(result.warnings):
        problems.append(f"warnings: expected {e.warnings}, got "
                        f"{[w.message for w in result.warnings]}")
    route = getattr(result, "route", None)  # a bundle's members each have their own
    if e.route is not None and e.route != route:
        problems.append(f"route: expected {e.route}, got {route}")
    for key in ("committed_deadline", "statutory_deadline"):
        want_d: dt.date | None = getattr(e, key)
        got_d: dt.date | None = getattr(result, key)
        if want_d is not None and want_d != got_d:
            problems.append(f"{key}: expected {want_d}, got {got_d}")
    return problems


def _why(result: PrecheckResult | BundlePrecheckResult) -> str:
    parts = [f"{getattr(m, 'key', m.id)} ({m.reason})" for m in result.missing_materials]
    parts += [f"{f.field}: {f.message}" for f in result.field_errors]
    parts += [r.message for r in result.refusals]
    return f" ({'; '.join(parts[:6])})" if parts else ""


def submission_of(example: Example) -> dict[str, Any]:
    """An example as a pre-check submission."""
    return {"fields": example.fields,
            "materials": [m.model_dump(exclude_none=True) for m in example.materials]}


def run_examples(opened: OpenCatalog, *, coverage: bool = False,
                 codes: list[str] | None = None) -> ExamplesReport:
    """Run the examples of every matter (or of ``codes``)."""
    report = ExamplesReport(uncovered=[] if coverage else None)
    calendar = opened.work_calendar()
    for code, matter in opened.matters.items():
        if codes is not None and code not in codes:
            continue
        rules = opened.rules.get(code)
        doc = opened.doc_of(matter)
        if rules is None or rules.errors:
            # Its rules cannot run, so none of its examples can pass: say so, never skip.
            text = "the matter has definition errors"
            if rules is not None and rules.errors:
                text += f": {rules.errors[0].message}"
            for i, example in enumerate(matter.tests):
                report.failed += 1
                report.failures.append(_failure(code, example.name, text, doc, i))
            continue
        trace: dict[Place, set[bool]] = {}
        for i, example in enumerate(matter.tests):
            result = run_precheck(rules, submission_of(example), today=example.today,
                                  calendar=calendar, trace=trace)
            problems = compare(example, result)
            if not problems:
                report.passed += 1
                continue
            report.failed += 1
            report.failures.append(_failure(code, example.name, "; ".join(problems), doc, i))
        if report.uncovered is not None:
            report.uncovered.extend(_uncovered(matter, rules, trace, doc))
    for code in opened.bundles:
        if codes is not None and code not in codes:
            continue
        _run_bundle(opened, code, report)
    return report


def _run_bundle(opened: OpenCatalog, code: str, report: ExamplesReport) -> None:
    """A bundle's examples (``tests:`` in its file), each a bundle pre-check."""
    bundle = opened.bundles[code]
    rules = opened.bundle_rules.get(code)
    doc = opened.doc_of(bundle)
    broken = rules.problems if rules is not None else []
    for i, example in enumerate(bundle.tests):
        if rules is None or broken:
            text = "the bundle or one of its matters has definition errors"
            if broken:
                text += f": {broken[0].message}"
            report.failed += 1
            report.failures.append(_failure(code, example.name, text, doc, i))
            continue
        submission = {"fields": example.fields,
                      "materials": [m.model_dump(exclude_none=True) for m in example.materials]}
        result = run_bundle_precheck(rules, submission, today=example.today,
                                     calendar=opened.work_calendar())
        problems = compare(example, result)
        if problems:
            report.failed += 1
            report.failures.append(_failure(code, example.name, "; ".join(problems), doc, i))
        else:
            report.passed += 1


def _failure(code: str, name: str, text: str, doc: Any, i: int) -> ExampleFailure:
    """A failure placed at the example ``tests[i]`` in its file."""
    span = doc.span_at(("tests", i)) if doc else None
    return ExampleFailure(matter=code, test=name, message=text,
                          file=span.file if span else None,
                          line=span.line if span else None,
                          column=span.column if span else None)


def conditions(matter: Matter) -> list[tuple[Place, Expr, tuple[int | str, ...]]]:
    """The checks, material, route and fee conditions written as expressions."""
    out: list[tuple[Place, Expr, tuple[int | str, ...]]] = []
    for i, mat in enumerate(matter.materials):
        if isinstance(mat.required, Expr):
            out.append((Place("material", mat.id, "required"), mat.required,
                        ("materials", i, "required")))
    for i, check in enumerate(matter.checks):
        if isinstance(check.when, Expr):
            out.append((Place("check", str(i), "when"), check.when, ("checks", i, "when")))
    for i, step in enumerate(matter.route):
        if isinstance(step.when, Expr):
            out.append((Place("route", str(i), "when"), step.when, ("route", i, "when")))
    for i, fee in enumerate(matter.fees or ()):
        if isinstance(fee.when, Expr):
            out.append((Place("fee", str(i), "when"), fee.when, ("fees", i, "when")))
    return out


def _uncovered(matter: Matter, rules: RuleSet, trace: dict[Place, set[bool]],
               doc: Any) -> list[Uncovered]:
    out: list[Uncovered] = []
    for place, expr, loc in conditions(matter):
        seen = trace.get(place, set())
        never = [v for v in (True, False) if v not in seen]
        if never:
            span = doc.span_at(loc) if doc else None
            out.append(Uncovered(matter=matter.code, place=str(place), condition=expr.text,
                                 never=never, file=span.file if span else None,
                                 line=span.line if span else None))
    return out
