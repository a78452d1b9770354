"""Cold load + validate time of a generated catalog (``formkit.catalog.open_catalog``).

    python bench/load_bench.py [--sizes 500 5000] [--runs 3] [--seed 1] [--keep DIR]

For each size, bench/gen_catalog.py writes a catalog into a temporary folder; then each
run is a fresh Python process that imports formkit and calls ``open_catalog`` once (the
same work as ``formkit validate``). Figures are medians over the runs:

* open_catalog: in-process wall time of the call (import excluded);
* phases of that call: YAML + models (reading, YAML composition, the position-keeping
  walk, pydantic), cross-checks (``crosscheck.check_catalog``), expressions (rule
  libraries + ``RuleSet.build`` for every matter: parse, name and type checking);
* process: wall time of the whole child process, interpreter start, import, freeing the
  catalog and exit included (what a user of ``formkit validate`` waits for);
* peak RSS of the child.

One extra diagnostic run per size repeats the call with Python's cyclic garbage collector
disabled (``gc.disable()`` in the child, formkit unchanged) to show how much of the time
is collector work. The goals are 500 matters < 1 s and 5,000 < 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_catalog

GOALS = {500: 1.0, 5000: 10.0}

# The child: time import, then open_catalog with timers around its phases. The timers
# wrap formkit's own functions (looked up at call time), so formkit itself is unchanged.
CHILD = r"""
import gc, json, os, resource, sys, time
if sys.argv[2] == "nogc":
    gc.disable()
t0 = time.perf_counter()
import formkit.catalog as catalog
import formkit.crosscheck as crosscheck
t1 = time.perf_counter()
spent = {"cross": 0.0, "libs": 0.0, "rules": 0.0}

def timed(key, fn):
    def wrapper(*a, **k):
        s = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            spent[key] += time.perf_counter() - s
    return wrapper

crosscheck.check_catalog = timed("cross", crosscheck.check_catalog)
catalog.load_libraries = timed("libs", catalog.load_libraries)
_build = catalog.RuleSet.build.__func__
catalog.RuleSet.build = classmethod(timed("rules", _build))
_load = catalog.load_catalog
load_time = [0.0]
def load(*a, **k):
    s = time.perf_counter()
    try:
        return _load(*a, **k)
    finally:
        load_time[0] = time.perf_counter() - s
catalog.load_catalog = load

t2 = time.perf_counter()
opened = catalog.open_catalog(sys.argv[1])
t3 = time.perf_counter()
ru = resource.getrusage(resource.RUSAGE_SELF)
counts = (len(opened.matters), len(opened.errors))
del opened  # like `formkit validate`, whose catalog is a local freed before exit
print(json.dumps({
    "import": t1 - t0, "open": t3 - t2,
    "yaml_models": load_time[0] - spent["cross"], "cross": spent["cross"],
    "expressions": spent["libs"] + spent["rules"],
    "matters": counts[0], "errors": counts[1],
    "rss_mb": ru.ru_maxrss / 1024, "gc": [g["collections"] for g in gc.get_stats()],
}), flush=True)
if sys.argv[2] == "nogc":
    os._exit(0)  # diagnostic run: skip the teardown
"""


def run_child(root: Path, mode: str) -> dict[str, float]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root), mode],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process"] = wall
    return out


def folder_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.yaml"))


def fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="cold load + validate benchmark")
    p.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", type=Path, help="generate here and keep the catalogs")
    p.add_argument("--no-diagnostic", action="store_true", help="skip the gc-off run")
    args = p.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="formkit-bench-") as tmp:
        base = args.keep or Path(tmp)
        for n in args.sizes:
            root = base / f"catalog-{n}"
            t = time.perf_counter()
            gen_catalog.generate(root, n, args.seed)
            print(f"generated {n} matters ({folder_bytes(root) / 1e6:.1f} MB of YAML) in "
                  f"{time.perf_counter() - t:.1f} s: {root}", file=sys.stderr)
            runs = []
            for i in range(args.runs):
                r = run_child(root, "normal")
                if r["errors"] or r["matters"] != n:
                    print(f"WARNING: {r['errors']} errors, {r['matters']} matters loaded "
                          f"(the generated catalog should validate cleanly)", file=sys.stderr)
                print(f"  run {i + 1}: open_catalog {r['open']:.2f} s, process "
                      f"{r['process']:.2f} s, rss {r['rss_mb']:.0f} MB, "
                      f"gc collections {r['gc']}", file=sys.stderr)
                runs.append(r)
            nogc = None
            if not args.no_diagnostic:
                nogc = run_child(root, "nogc")
                print(f"  gc off: open_catalog {nogc['open']:.2f} s", file=sys.stderr)

            def med(key: str, runs: list[dict[str, float]] = runs) -> float:
                return statistics.median(r[key] for r in runs)

            rows.append((n, folder_bytes(root), med("open"), med("yaml_models"), med("cross"),
                         med("expressions"), med("import"), med("process"), med("rss_mb"),
                         nogc))

    print()
    print(f"Cold `open_catalog` (fresh process each run, median of {args.runs}; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    print()
    print("| matters | YAML | open_catalog | YAML+models | cross-checks | expressions "
          "| import | process | peak RSS | gc off* | goal | met |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|")
    for n, size, total, ym, cross, expr, imp, proc, rss, nogc in rows:
        goal = GOALS.get(n)
        met = "-" if goal is None else ("yes" if total < goal else "**no**")
        print(f"| {n:,} | {size / 1e6:.1f} MB | {fmt(total)} | {fmt(ym)} | {fmt(cross)} "
              f"| {fmt(expr)} | {fmt(imp)} | {fmt(proc)} | {rss:.0f} MB "
              f"| {fmt(nogc['open']) if nogc else '-'} "
              f"| {'< ' + fmt(goal) if goal else '-'} | {met} |")
    print()
    print("process: the whole child, start + import + open_catalog + freeing it + exit.")
    print("*gc off: one diagnostic run of the same call with `gc.disable()` in the child "
          "(formkit unchanged), to show the cyclic collector's share.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
