"""Rule evaluation speed: formkit against rule-engine, cel-python and plain Python.

    python bench/rule_bench.py [--rounds 21] [--batch-ms 20] [--profile]

Eight rule shapes are evaluated on the same applicant data by

* formkit: each expression parsed, checked (``formkit.dsl.checker.Checker``) and compiled
  (``formkit.dsl.compiler.Unit``) once, then the ``Program`` (the generated function)
  called as ``program(env, ctx)``, the generated function itself (the form state and
  the pre-check run it through ``compiler.call``, one frame more);
* rule-engine (PyPI ``rule-engine``): ``Rule(text).evaluate(data)`` on the same dict;
* cel-python (PyPI ``cel-python``): ``program.evaluate(activation)``, the data converted
  once to CEL values (CEL has no decimal: numbers are doubles there);
* lambda: a hand-written Python function over the same dict (numbers are ``Decimal``,
  like formkit's; regular expressions precompiled with ``re``).

A peer that is not installed is reported as skipped. Timing: ``timeit`` loops (GC off
during a batch) timed with ``time.perf_counter_ns``; every engine is warmed up, then the
engines take turns, one batch of about ``--batch-ms`` each, for ``--rounds`` rounds; the
figure is the median of the per-call time over the rounds. The ratio is to the lambda of
the same run; the last row is the geometric mean of the ratios.

A second table gives formkit's cost to turn a text into a program: parse
(``parse_expression``), check (a fresh ``Checker``) and compile (a fresh ``Unit``,
one ``compile()``), each the median of many single timings. Goals: formkit's geo-mean
within 2x of the lambda, check+compile under 100 us per expression (the verdict is
on the worst shape). For reference, a last line gives the cost per expression when
the eight are checked and compiled together, as a matter's rules are.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import math
import pstats
import re
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from formkit.dsl.checker import Checker, Scope
from formkit.dsl.compiler import EvalContext, Program, Unit
from formkit.dsl.parser import parse_expression
from formkit.dsl.source import Source
from formkit.dsl.types import BOOL, DATE, NUMBER, TEXT, T, group_of, list_of

try:
    import rule_engine
except ImportError:  # pragma: no cover - optional peer
    rule_engine = None
try:
    import celpy
    from celpy import celtypes
except ImportError:  # pragma: no cover - optional peer
    celpy = None

D = Decimal
TODAY = dt.date(2026, 11, 25)

# ---------------------------------------------------------------------------------------
# The data (one applicant) and its static types for formkit.

DATA: dict[str, Any] = {
    "age": D(35),
    "kind": "catering",
    "premises_rented": True,
    "applicant_role": "legal_rep",
    "mobile": "13800138000",
    "uscc": "91445321MA4WLB2E5H",
    "floor_area": D("120.5"),
    "fee": D(5),
    "birth": dt.date(1990, 3, 7),
    "applicant": {"name": "张三", "address": {"city": "新兴", "street": "裕华路38号"}},
    "shareholders": [{"name": "张三", "share": D(60)}, {"name": "李四", "share": D(30)},
                     {"name": "王五", "share": D(10)}],
}

KINDS = frozenset({"retail", "catering", "canteen", "delivery", "wholesale"})
SCOPE_FIELDS: dict[str, T] = {
    "age": NUMBER,
    "kind": T("text", options=KINDS),
    "premises_rented": BOOL,
    "applicant_role": T("text", options=frozenset({"legal_rep", "agent"})),
    "mobile": TEXT,
    "uscc": TEXT,
    "floor_area": NUMBER,
    "fee": NUMBER,
    "birth": DATE,
    "applicant": group_of({"name": TEXT, "address": group_of({"city": TEXT, "street": TEXT})}),
    "shareholders": list_of(group_of({"name": TEXT, "share": NUMBER})),
}

# ---------------------------------------------------------------------------------------
# The shapes: the same rule written for each engine.

_MOBILE = re.compile(r"^1[3-9]")
_T = TODAY


def _adult(d: dict[str, Any]) -> bool:
    b = d.get("birth")
    return (_T.year - b.year - ((_T.month, _T.day) < (b.month, b.day))) >= 18


_CEL_YEARS = ("today.getFullYear() - birth.getFullYear() - ((today.getMonth() < "
              "birth.getMonth() || (today.getMonth() == birth.getMonth() && "
              "today.getDayOfMonth() < birth.getDayOfMonth())) ? 1 : 0) >= 18")
_RE_YEARS = ("today.year - birth.year - ((today.month < birth.month or (today.month == "
             "birth.month and today.day < birth.day)) ? 1 : 0) >= 18")

SHAPES: list[dict[str, Any]] = [
    {"name": "comparison chain",
     "formkit": "18 <= age < 60",
     "rule_engine": "18 <= age and age < 60",
     "cel": "18 <= age && age < 60",
     "lambda": lambda d: 18 <= d.get("age") < 60},
    {"name": "and/or chain",
     "formkit": '(kind == "retail" or kind == "catering") and premises_rented '
                'and applicant_role != "agent" and not (age < 18)',
     "rule_engine": '(kind == "retail" or kind == "catering") and premises_rented '
                    'and applicant_role != "agent" and not (age < 18)',
     "cel": '(kind == "retail" || kind == "catering") && premises_rented '
            '&& applicant_role != "agent" && !(age < 18)',
     "lambda": lambda d: ((d.get("kind") == "retail" or d.get("kind") == "catering")
                          and d.get("premises_rented") and d.get("applicant_role") != "agent"
                          and not d.get("age") < 18)},
    {"name": "membership in a literal list",
     "formkit": 'kind in ["retail", "catering", "canteen", "delivery"]',
     "rule_engine": 'kind in ["retail", "catering", "canteen", "delivery"]',
     "cel": 'kind in ["retail", "catering", "canteen", "delivery"]',
     "lambda": lambda d: d.get("kind") in {"retail", "catering", "canteen", "delivery"}},
    {"name": "regex + startswith",
     "formkit": 'matches(mobile, "^1[3-9]") and startswith(uscc, "91")',
     "rule_engine": 'mobile =~~ "^1[3-9]" and uscc.starts_with("91")',
     "cel": 'mobile.matches("^1[3-9]") && uscc.startsWith("91")',
     "lambda": lambda d: (_MOBILE.search(d.get("mobile")) is not None
                          and d.get("uscc").startswith("91"))},
    {"name": "arithmetic",
     "formkit": "floor_area * 2 + fee > 100",
     "rule_engine": "floor_area * 2 + fee > 100",
     "cel": "floor_area * 2.0 + fee > 100.0",
     "lambda": lambda d: d.get("floor_area") * 2 + d.get("fee") > 100},
    {"name": "dates (age from birth date)",
     "formkit": "years_between(birth, today()) >= 18",
     "rule_engine": _RE_YEARS,
     "cel": _CEL_YEARS,
     "lambda": _adult},
    {"name": "nested members",
     "formkit": 'applicant.address.city == "新兴"',
     "rule_engine": 'applicant.address.city == "新兴"',
     "cel": 'applicant.address.city == "新兴"',
     "lambda": lambda d: d.get("applicant").get("address").get("city") == "新兴"},
    {"name": "count over a repeat",
     "formkit": "count(shareholders, share >= 10) >= 2",
     "rule_engine": "[s for s in shareholders if s.share >= 10].length >= 2",
     "cel": "shareholders.filter(s, s.share >= 10.0).size() >= 2",
     "lambda": lambda d: sum(1 for s in d.get("shareholders") if s.get("share") >= 10) >= 2},
]


# ---------------------------------------------------------------------------------------
# Engines: each returns a zero-setup (stmt, globals) pair for timeit.


def formkit_program(text: str) -> Program:
    """Parse, check and compile one expression; raise on any error."""
    source = Source(text)
    node = parse_expression(text, source)
    checker = Checker(Scope(fields=dict(SCOPE_FIELDS)))
    typed = checker.check(node, source)
    if checker.errors:
        raise checker.errors[0]
    unit = Unit(checker)
    unit.add(typed)
    program = unit.build()[0]
    if unit.errors:
        raise unit.errors[0]
    return program


def cel_activation() -> dict[str, Any]:
    assert celpy is not None

    def conv(v: Any) -> Any:
        if isinstance(v, Decimal):
            return float(v)
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(x) for x in v]
        return v

    plain = {k: v for k, v in DATA.items() if k != "birth"}
    act = dict(celpy.json_to_cel(conv(plain)))
    utc = dt.UTC
    act["age"] = celtypes.IntType(int(DATA["age"]))
    act["birth"] = celtypes.TimestampType(dt.datetime(*DATA["birth"].timetuple()[:3], tzinfo=utc))
    act["today"] = celtypes.TimestampType(dt.datetime(*TODAY.timetuple()[:3], tzinfo=utc))
    return act


def engines_for(shape: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]] | str]:
    """engine -> (stmt, globals) or a reason it is skipped."""
    out: dict[str, tuple[str, dict[str, Any]] | str] = {}
    ctx = EvalContext(TODAY)
    prog = formkit_program(shape["formkit"])
    out["formkit"] = ("p(d, c)", {"p": prog, "d": DATA, "c": ctx})
    if rule_engine is None:
        out["rule-engine"] = "skipped: not installed (pip install rule-engine)"
    else:
        data = dict(DATA, today=TODAY)
        rule = rule_engine.Rule(shape["rule_engine"])
        out["rule-engine"] = ("r.evaluate(d)", {"r": rule, "d": data})
    if celpy is None:
        out["cel-python"] = "skipped: not installed (pip install cel-python)"
    else:
        env = celpy.Environment()
        program = env.program(env.compile(shape["cel"]))
        out["cel-python"] = ("p.evaluate(a)", {"p": program, "a": cel_activation()})
    out["lambda"] = ("f(d)", {"f": shape["lambda"], "d": DATA})
    return out


def result_of(stmt: str, g: dict[str, Any]) -> Any:
    return eval(stmt, dict(g))


def per_call_ns(stmt: str, g: dict[str, Any], n: int) -> float:
    timer = timeit.Timer(stmt, globals=g, timer=time.perf_counter_ns)
    return timer.timeit(n) / n


def calibrate(stmt: str, g: dict[str, Any], batch_ms: float) -> int:
    n = 10
    while True:
        ns = per_call_ns(stmt, g, n) * n
        if ns > 2e6 or n >= 1_000_000:
            return max(10, int(n * batch_ms * 1e6 / max(ns, 1)))
        n *= 4


def run_shape(shape: dict[str, Any], rounds: int, batch_ms: float
              ) -> dict[str, float | str]:
    engines = engines_for(shape)
    runnable = {k: v for k, v in engines.items() if isinstance(v, tuple)}
    # Every engine must agree on the answer (true for this data).
    for name, (stmt, g) in runnable.items():
        value = result_of(stmt, g)
        if bool(value) is not True:
            print(f"WARNING: {shape['name']}: {name} gives {value!r}, expected true",
                  file=sys.stderr)
    sizes = {k: calibrate(stmt, g, batch_ms) for k, (stmt, g) in runnable.items()}
    for k, (stmt, g) in runnable.items():  # warm-up
        per_call_ns(stmt, g, sizes[k])
    samples: dict[str, list[float]] = {k: [] for k in runnable}
    for _ in range(rounds):
        for k, (stmt, g) in runnable.items():
            samples[k].append(per_call_ns(stmt, g, sizes[k]))
    out: dict[str, float | str] = {k: v for k, v in engines.items() if isinstance(v, str)}
    out.update({k: statistics.median(v) / 1000 for k, v in samples.items()})
    return out


def one_ns(fn: Callable[[], Any]) -> int:
    start = time.perf_counter_ns()
    fn()
    return time.perf_counter_ns() - start


def compile_costs(text: str, reps: int) -> dict[str, float]:
    """Median us to parse, check and compile ``text`` (each timed alone, GC off)."""
    source = Source(text)
    parse: list[int] = []
    check: list[int] = []
    comp: list[int] = []
    node = parse_expression(text, source)
    for _ in range(10):  # warm-up
        formkit_program(text)
    gc.disable()
    try:
        for _ in range(reps):
            start = time.perf_counter_ns()
            parse_expression(text, Source(text))
            parse.append(time.perf_counter_ns() - start)
            start = time.perf_counter_ns()
            checker = Checker(Scope(fields=dict(SCOPE_FIELDS)))
            typed = checker.check(node, source)
            check.append(time.perf_counter_ns() - start)
            start = time.perf_counter_ns()
            unit = Unit(checker)
            unit.add(typed)
            unit.build()
            comp.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return {"parse": statistics.median(parse) / 1000, "check": statistics.median(check) / 1000,
            "compile": statistics.median(comp) / 1000,
            "check+compile": statistics.median(a + b for a, b in zip(check, comp, strict=True))
            / 1000}


def unit_cost(texts: list[str], reps: int) -> float:
    """Median us per expression to check and compile ``texts`` together, as a matter's
    rules are (one Checker, one Unit, one ``compile()``); each rep parses them first,
    untimed, as ``compile_costs`` does."""
    times: list[int] = []
    for t in texts * 10:  # warm-up
        formkit_program(t)
    gc.disable()
    try:
        for _ in range(reps):
            parsed = [(parse_expression(t, source := Source(t)), source) for t in texts]
            start = time.perf_counter_ns()
            checker = Checker(Scope(fields=dict(SCOPE_FIELDS)))
            typed = [checker.check(node, source) for node, source in parsed]
            unit = Unit(checker)
            for t in typed:
                unit.add(t)
            unit.build()
            times.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return statistics.median(times) / 1000 / len(texts)


def peer_compile_us(shape: dict[str, Any], reps: int) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    if rule_engine is not None:
        text = shape["rule_engine"]
        out["rule-engine"] = statistics.median(
            one_ns(lambda: rule_engine.Rule(text)) for _ in range(reps)) / 1000
    if celpy is not None:
        env = celpy.Environment()
        text = shape["cel"]
        out["cel-python"] = statistics.median(
            one_ns(lambda: env.program(env.compile(text))) for _ in range(reps)) / 1000
    return out


def fmt(v: float | str | None) -> str:
    if v is None or isinstance(v, str):
        return "skipped"
    return f"{v:,.2f}" if v < 10 else f"{v:,.1f}" if v < 100 else f"{v:,.0f}"


def profile_formkit(seconds: float = 1.0) -> str:
    """cProfile of formkit evaluating every shape, and of parse/check/compile."""
    ctx = EvalContext(TODAY)
    programs = [formkit_program(s["formkit"]) for s in SHAPES]
    prof = cProfile.Profile()
    prof.enable()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for p in programs:
            for _ in range(100):
                p(DATA, ctx)
    for s in SHAPES:
        for _ in range(50):
            formkit_program(s["formkit"])
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(25)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="rule evaluation benchmark")
    p.add_argument("--rounds", type=int, default=21)
    p.add_argument("--batch-ms", type=float, default=20.0)
    p.add_argument("--compile-reps", type=int, default=300)
    p.add_argument("--profile", action="store_true", help="print a cProfile of formkit")
    args = p.parse_args(argv)

    names = ["formkit", "rule-engine", "cel-python", "lambda"]
    results = []
    for shape in SHAPES:
        print(f"timing: {shape['name']}", file=sys.stderr)
        results.append(run_shape(shape, args.rounds, args.batch_ms))
    for name in ("rule-engine", "cel-python"):
        reason = results[0].get(name)
        if isinstance(reason, str):
            print(f"{name}: {reason}")

    print()
    print(f"Evaluation, median us per call ({args.rounds} rounds; x = ratio to the lambda "
          f"of the same run; Python {sys.version.split()[0]})")
    print()
    print("| shape | " + " | ".join(names) + " |")
    print("|---|" + "--:|" * len(names))
    ratios: dict[str, list[float]] = {n: [] for n in names}
    for shape, res in zip(SHAPES, results, strict=True):
        base = res["lambda"]
        cells = []
        for n in names:
            v = res.get(n)
            if isinstance(v, float) and isinstance(base, float):
                ratios[n].append(v / base)
                cells.append(f"{fmt(v)} ({v / base:.1f}x)" if n != "lambda" else fmt(v))
            else:
                cells.append("skipped")
        print(f"| {shape['name']} | " + " | ".join(cells) + " |")
    geo = {n: math.exp(statistics.fmean(math.log(r) for r in rs)) if rs else None
           for n, rs in ratios.items()}
    print("| **geo-mean ratio** | " + " | ".join(
        f"**{geo[n]:.2f}x**" if geo[n] is not None else "skipped" for n in names) + " |")
    fk = geo["formkit"]
    print()
    print(f"formkit geo-mean {fk:.2f}x the lambda: goal (within 2x) "
          f"{'met' if fk is not None and fk <= 2 else 'NOT met'}")

    print()
    print(f"Turning a text into a program, median us ({args.compile_reps} single timings "
          "each, GC off); peers: their own parse+compile, for reference")
    print()
    print("| shape | formkit parse | formkit check | formkit compile | "
          "**formkit check+compile** | rule-engine Rule() | cel-python compile+program |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    worst = 0.0
    cc_all = []
    for shape in SHAPES:
        c = compile_costs(shape["formkit"], args.compile_reps)
        peers = peer_compile_us(shape, max(20, args.compile_reps // 10))
        worst = max(worst, c["check+compile"])
        cc_all.append(c["check+compile"])
        print(f"| {shape['name']} | {fmt(c['parse'])} | {fmt(c['check'])} | "
              f"{fmt(c['compile'])} | **{fmt(c['check+compile'])}** | "
              f"{fmt(peers.get('rule-engine'))} | {fmt(peers.get('cel-python'))} |")
    print()
    print(f"check+compile: median over shapes {statistics.median(cc_all):.1f} us, worst "
          f"{worst:.1f} us: goal (< 100 us per expression) "
          f"{'met' if worst < 100 else 'NOT met'}")
    together = unit_cost([s["formkit"] for s in SHAPES], max(20, args.compile_reps // 3))
    print(f"(the {len(SHAPES)} shapes checked and compiled together, as a matter's rules are: "
          f"{together:.1f} us per expression)")
    if args.profile:
        print()
        print("cProfile of formkit (evaluation of every shape, then parse/check/compile):")
        print("```")
        print(profile_formkit())
        print("```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
