"""Fuzzing for longer: the fuzz suite's generators, run until a count or a time is reached.

    .venv/bin/python bench/fuzz_bench.py [--cases 100000] [--seconds S] [--stop 10]

Goal: 100,000 cases, 0 internal errors, 0 inputs slower than 1 s.

The generators are ``tests/fuzz/harness.py``'s, as the suite's. The cases take
turns over six targets, the same the suite runs a few hundred of:

* ``expr``: an expression through ``formkit.dsl.pipeline.evaluate_text`` over the
  contract's fields;
* ``eval``: an expression and random ``--data`` through ``formkit eval --json``;
* ``yaml``: a mutated sample definition through ``formkit.open_catalog`` and
  ``formkit validate --json`` (a copy of ``definitions/`` in a temporary folder);
* ``api``: a junk submission through ``formkit.run_precheck`` and ``formkit.form_state``;
* ``precheck``: a junk submission through ``formkit precheck CODE --data FILE --json``;
* ``seeds``: ``tests/fuzz/test_seeds.py``'s seeds, once each.

A case is an internal error when it raises anything but a ``FormkitError``, reports an
internal error, or the command line exits otherwise than 0/1/2 or prints no UTF-8 JSON
(``tests/fuzz/harness.py``'s verdict). A case over 1 s is a hang; it is stopped at
``--stop`` seconds (10 by default) and the run goes on. The report gives cases tried per
target, every internal error and hang with its input (the first 20 of each kind), and the
slowest input with its time.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import functools
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("FORMKIT_CACHE_DIR", tempfile.mkdtemp(prefix="formkit-fuzz-cache-"))

from hypothesis import strategies as st  # noqa: E402

import formkit  # noqa: E402
from formkit.cli.evaluate import evaluate_cli  # noqa: E402
from formkit.dsl.checker import Scope  # noqa: E402
from formkit.dsl.compiler import EvalContext  # noqa: E402
from formkit.dsl.pipeline import evaluate_text  # noqa: E402
from tests.dsl.test_contract import ENV, FIELDS  # noqa: E402
from tests.fuzz import harness as h  # noqa: E402

HANG = 1.0
TODAY = dt.date(2026, 11, 25)


def _example(strategy: st.SearchStrategy[Any]) -> Any:
    """One value drawn from ``strategy``, outside a test (hypothesis' own ``example``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return strategy.example()


class Fuzz:
    """The six targets, each turning one drawn input into (shown input, problem)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.site = work / "site" / "definitions"
        shutil.copytree(h.DEFINITIONS, self.site)
        shutil.copytree(h.RULES, work / "site" / "rules")
        self.data = work / "data.json"
        self.calendar = h.SAMPLE.work_calendar()
        self.strategies: dict[str, st.SearchStrategy[Any]] = {
            "expr": h.expressions(),
            "eval": st.tuples(h.expressions(), h.eval_data(), h.eval_todays()),
            "yaml": h.yaml_mutations(),
            "api": st.tuples(h.submissions(), h.todays()),
            "precheck": st.tuples(h.cli_submissions(), h.todays()),
        }
        # Drawing is slow one at a time: draw a batch of each through one strategy call.
        self.pools: dict[str, list[Any]] = {k: [] for k in self.strategies}

    def draw(self, target: str) -> Any:
        pool = self.pools[target]
        if not pool:
            pool.extend(_example(st.lists(self.strategies[target], min_size=50, max_size=50)))
        return pool.pop()

    def run(self, target: str, case: Any) -> tuple[str, Callable[[], str | None]]:
        if target == "expr":
            return repr(case), lambda: h.call_problem(lambda: evaluate_text(
                case, Scope(fields=dict(FIELDS)), dict(ENV), EvalContext(today=TODAY)))
        if target == "eval":
            expr, data, today = case
            self.data.write_text(data, encoding="utf-8")
            argv = ["eval", expr, "--data", str(self.data), "--json"]
            argv += ["--today", today] if today is not None else []
            shown = f"formkit eval {expr!r} --today {today} --data {data[:300]!r}"
            return shown, lambda: h.cli_problem(argv) or h.call_problem(
                lambda: evaluate_cli(expr, data_file=str(self.data), today=today))
        if target == "yaml":
            rel, text = case
            return f"{rel} mutated: {text[:300]!r}", lambda: self._yaml(rel, text)
        if target == "api":
            (code, submission), today = case
            rules = h.SAMPLE.rules_of(code)
            assert rules is not None
            fields = submission.get("fields") if isinstance(submission, dict) else submission
            return (f"run_precheck {code} today {today} {h.show(submission, 300)}",
                    lambda: h.call_problem(lambda: formkit.run_precheck(
                        rules, submission, today=today, calendar=self.calendar, explain=True))
                    or h.call_problem(lambda: formkit.form_state(
                        rules, fields, ctx=EvalContext(today, self.calendar))))
        (code, text), today = case
        self.data.write_text(text, encoding="utf-8")
        argv = ["precheck", code, "--catalog", str(h.DEFINITIONS), "--data", str(self.data),
                "--today", today.isoformat(), "--json"]
        return (f"formkit precheck {code} --today {today} --data {text[:300]!r}",
                lambda: h.cli_problem(argv))

    def _yaml(self, rel: str, text: str) -> str | None:
        path = self.site / rel
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            return h.call_problem(lambda: formkit.open_catalog(self.site)) or h.cli_problem(
                ["validate", str(self.site), "--json"])
        finally:
            path.write_text(h.YAML_TEXTS[rel], encoding="utf-8")


def _seeds(work: Path) -> list[tuple[str, Callable[[], str | None]]]:
    from tests.fuzz import test_seeds

    out: list[tuple[str, Callable[[], str | None]]] = []
    for i, param in enumerate(test_seeds.SEEDS):
        seed: test_seeds.Seed = param.values[0]  # type: ignore[attr-defined]
        folder = work / f"seed{i}"
        folder.mkdir()
        out.append((f"seed {param.id}", functools.partial(seed, folder)))  # type: ignore[attr-defined]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--stop", type=float, default=10.0,
                        help="stop a case after this many seconds")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="formkit-fuzz-"))
    fuzz = Fuzz(work)
    tried: collections.Counter[str] = collections.Counter()
    internal: list[tuple[str, str, str]] = []
    hangs: list[tuple[str, float, str]] = []
    slowest = (0.0, "", "")
    targets = ["expr", "eval", "api", "precheck", "yaml"]
    todo = _seeds(work)
    n = 0
    try:
        while n < args.cases:
            if args.seconds is not None and time.perf_counter() - started > args.seconds:
                break
            if todo:
                target = "seeds"
                shown, run = todo.pop(0)
            else:
                target = targets[n % len(targets)]
                shown, run = fuzz.run(target, fuzz.draw(target))
            problem, took = h.timed(run, args.stop)
            n += 1
            tried[target] += 1
            if took > slowest[0]:
                slowest = (took, target, shown)
            if took > HANG or (problem or "").startswith("hang"):
                hangs.append((target, took, shown))
            elif problem is not None:
                internal.append((target, problem, shown))
            if n % 1000 == 0:
                print(f"  {n} cases, {len(internal)} internal errors, {len(hangs)} hangs, "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _report(n, tried, internal, hangs, slowest, time.perf_counter() - started)
    return 0


def _report(n: int, tried: collections.Counter[str], internal: list[tuple[str, str, str]],
            hangs: list[tuple[str, float, str]], slowest: tuple[float, str, str],
            elapsed: float) -> None:
    print(f"fuzz_bench {dt.datetime.now():%Y-%m-%d %H:%M}: {n:,} cases in {elapsed:.0f} s "
          f"({', '.join(f'{k} {v:,}' for k, v in sorted(tried.items()))})")
    print(f"internal errors: {len(internal)}   hangs (over {HANG:g} s): {len(hangs)}   "
          f"goal: 100,000 cases, 0 and 0")
    by_kind: dict[str, list[tuple[str, str, str]]] = collections.defaultdict(list)
    for target, problem, shown in internal:
        by_kind[f"{target}: {problem[:120]}"].append((target, problem, shown))
    for kind, cases in sorted(by_kind.items(), key=lambda kv: -len(kv[1]))[:20]:
        print(f"\n[{len(cases)}x] {kind}\n    input: {cases[0][2][:400]}")
    for target, took, shown in sorted(hangs, key=lambda x: -x[1])[:20]:
        print(f"\nhang {took:.2f} s [{target}]\n    input: {shown[:400]}")
    took, target, shown = slowest
    print(f"\nslowest: {took:.3f} s [{target}]\n    input: {shown[:400]}")


if __name__ == "__main__":
    raise SystemExit(main())
