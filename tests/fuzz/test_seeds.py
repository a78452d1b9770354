"""Seeds: inputs known to have broken formkit once, each a case of its own.

Each one must give a result or a ``FormkitError`` (the command line: exit 0, 1 or 2 and
one UTF-8 JSON document, no internal error) within ``BOUND`` seconds. A seed whose fix
has not landed yet is marked ``xfail(strict=True)`` with what goes wrong: the suite
stays green, and turns red the day the fix lands, to remove the mark.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import formkit
from tests.conftest import MakeCatalog
from tests.fuzz.harness import (
    DEFINITIONS,
    RULES,
    SAMPLE,
    call_problem,
    cli_problem,
    deep,
    dump,
    timed,
)

Seed = Callable[[Path], str | None]


def _data(folder: Path, text: str) -> str:
    path = folder / "data.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _eval(expr: str, data: str | None = None, today: str | None = None) -> Seed:
    def seed(folder: Path) -> str | None:
        argv = ["eval", expr, "--json"]
        if data is not None:
            argv += ["--data", _data(folder, data)]
        if today is not None:
            argv += ["--today", today]
        return cli_problem(argv)
    return seed


def _precheck(code: str, text: str, today: str = "2026-11-25") -> Seed:
    def seed(folder: Path) -> str | None:
        return cli_problem(["precheck", code, "--catalog", str(DEFINITIONS), "--data",
                            _data(folder, text), "--today", today, "--json"])
    return seed


def _accepted(code: str) -> str:
    """The first of a matter's own examples that is accepted, as --data text."""
    for ex in SAMPLE.matters[code].tests:
        if ex.expect.outcome in ("accept", "accept_with_tolerance"):
            return json.dumps({"fields": ex.fields, "materials": [
                m.model_dump(mode="json", exclude_none=True) for m in ex.materials]},
                default=str)
    raise AssertionError(f"{code} has no accepted example")


def _api(code: str, fields: dict[str, object]) -> Seed:
    """A submission handed to ``formkit.run_precheck`` and ``formkit.form_state`` as is."""
    def seed(folder: Path) -> str | None:
        rules = SAMPLE.rules_of(code)
        assert rules is not None
        return call_problem(lambda: formkit.run_precheck(
            rules, {"fields": fields}, today=dt.date(2026, 11, 25))) or call_problem(
            lambda: formkit.form_state(rules, fields))
    return seed


def _let_chain(body: str) -> Seed:
    """A matter whose 32 lets each use the one before, pre-checked and validated."""
    def seed(folder: Path) -> str | None:
        site = folder / "site"
        shutil.copytree(DEFINITIONS, site / "definitions")
        shutil.copytree(RULES, site / "rules")
        lets = "\n".join(f'  a{i}: "{"1" if i == 0 else body.format(p=f"a{i - 1}")}"'
                         for i in range(32))
        (site / "definitions" / "market_supervision" / "chain.yaml").write_text(
            'code: "XX-ZZ-0001"\nname: {zh: 链}\ndepartment: market_supervision\n'
            "kind: public_service\ntime_limit: {statutory_days: 5, committed_days: 1}\n"
            f"let:\n{lets}\nform:\n  - {{id: x, type: number, constraint: a31 > 0}}\n",
            encoding="utf-8")
        rules = formkit.open_catalog(site / "definitions").rules_of("XX-ZZ-0001")
        assert rules is not None and rules.ok, rules and [e.render() for e in rules.errors]
        return call_problem(lambda: formkit.run_precheck(
            rules, {"fields": {"x": 1}}, today=dt.date(2026, 11, 25))) or cli_problem(
            ["validate", str(site / "definitions"), "--json"])
    return seed


def _yaml(old: str, new: str) -> Seed:
    """A sample definition with one text replaced, through open_catalog and validate."""
    def seed(folder: Path) -> str | None:
        shutil.copytree(DEFINITIONS, folder / "definitions")
        shutil.copytree(RULES, folder / "rules")
        path = folder / "definitions" / "market_supervision" / "company_establishment.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return call_problem(lambda: formkit.open_catalog(folder / "definitions")) or cli_problem(
            ["validate", str(folder / "definitions"), "--json"])
    return seed


BIG = "9" * 5000
OR_200 = " or ".join(["age == 1"] * 200)


def xfail(what: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"hardening: {what}")


SEEDS: list[object] = [
    # a let chain 32 deep, each let once: linear
    pytest.param(_let_chain("{p} + 1"), id="let-chain-32"),
    # 32 lets each using the one before twice: 2**31 evaluations unless each is computed once
    pytest.param(_let_chain("{p} + {p}"), id="let-chain-32-doubling"),
    # an index of 1e999999 from the data, and written in the text (not a number literal)
    pytest.param(_eval("[1][x]", '{"x": 1e999999}'), id="index-by-1e999999"),
    pytest.param(_eval("[1][1e999999]"), id="index-literal-1e999999"),
    # the last day there is: dates after it, and a pre-check's deadlines after it
    pytest.param(_eval("add_workdays(today(), 5)", today="9999-12-31"), id="today-9999-eval"),
    pytest.param(_eval("today() + 1", today="9999-12-31"), id="today-9999-plus-one"),
    pytest.param(_precheck("XX-MS-0001", _accepted("XX-MS-0001"), today="9999-12-31"),
                 id="today-9999-precheck"),
    pytest.param(_precheck("XX-PS-0001", _accepted("XX-PS-0001"), today="9999-12-31"),
                 id="today-9999-precheck-calendar-days"),
    # a lone surrogate (valid JSON escape, no UTF-8 for it) handed in and answered
    pytest.param(_precheck("XX-MS-0001", '{"materials": ["\\ud800"]}'),
                 id="lone-surrogate-material"),
    pytest.param(_precheck("XX-MS-0001", '{"fields": {"operator": {"name": "\\udfff"}}}'),
                 id="lone-surrogate-answer"),
    # past Python's 4,300-digit limit of int <-> text: data, answer, expression, YAML
    pytest.param(_eval("x > 1", '{"x": ' + BIG + '}'), id="5000-digit-integer-eval"),
    pytest.param(_precheck("XX-MS-0001", '{"fields": {"staff": ' + BIG + '}}'),
                 id="5000-digit-integer-precheck"),
    pytest.param(_eval(BIG + " > 1"), id="5000-digit-literal"),
    # found by bench/fuzz_bench.py: an embedder's int of 5,001 digits as a multichoice answer
    pytest.param(_api("XX-MS-0003", {"shareholders": [{"methods": [10**5000]}]}),
                 id="5000-digit-integer-multichoice"),
    pytest.param(_yaml("statutory_days: 3", "statutory_days: " + BIG),
                 id="5000-digit-integer-yaml"),
    # an exponent no Decimal context takes
    pytest.param(_eval("1e999999999999"), id="1e999999999999-literal"),
    pytest.param(_eval("x + 1", '{"x": 1e999999999999}'), id="1e999999999999-data"),
    pytest.param(_precheck("XX-MS-0001", '{"fields": {"staff": 1e999999999999}}'),
                 id="1e999999999999-answer"),
    # a flat chain: not nesting, however the parser builds it
    pytest.param(_eval(OR_200, '{"age": 2}'), id="or-chain-200"),
    # data and answers nested deeper than the recursion of a naive walk
    pytest.param(_eval("len(x)", dump({"x": deep(1, 500, "list")})), id="data-nested-500"),
    pytest.param(_precheck("XX-MS-0001", dump({"fields": deep(1, 5000, "obj")})),
                 id="submission-nested-5000"),
]


@pytest.mark.parametrize("seed", SEEDS)
def test_seed(seed: Seed, tmp_path: Path) -> None:
    problem, _ = timed(lambda: seed(tmp_path))
    assert problem is None, problem


def test_seed_a_failing_group_constraint_is_reported(make_catalog: MakeCatalog,
                                                      tmp_path: Path) -> None:
    folder = make_catalog("""\
code: "XX-T-0001"
name: {zh: 测试事项}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
form:
  - id: applicant
    type: group
    constraint: applicant.age >= 18
    message: {zh: 申请人须年满18周岁}
    fields:
      - {id: age, type: integer}
""")
    argv = ["precheck", "XX-T-0001", "--catalog", str(folder), "--data",
            _data(tmp_path, '{"fields": {"applicant": {"age": 16}}}'), "--today",
            "2026-11-25", "--json"]
    problem, _ = timed(lambda: cli_problem(argv))
    assert problem is None, problem
    rules = formkit.open_catalog(folder).rules_of("XX-T-0001")
    assert rules is not None
    result = formkit.run_precheck(rules, {"fields": {"applicant": {"age": 16}}},
                                  today=dt.date(2026, 11, 25))
    assert result.outcome == "incomplete"
    assert [(e.field, e.message) for e in result.field_errors] == [
        ("applicant", "申请人须年满18周岁")]
