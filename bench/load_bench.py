"""Cold load + validate time of a generated catalog (``formkit.catalog.open_catalog``).

    python bench/load_bench.py [--sizes 500 5000] [--runs 3] [--seed 1] [--keep DIR]

For each size, bench/gen_catalog.py writes a catalog into a temporary folder; then each
run is a fresh Python process that imports formkit and calls ``open_catalog`` once (the
same work as ``formkit validate``), in three situations:

* no cache: ``FORMKIT_CACHE=off``, every file read, composed, walked and validated;
* first load: an empty parse cache (``formkit.definitions.parsecache``), every file read and each
  clean one written to the cache (what the first ``formkit validate`` after an install
  or a formkit upgrade costs; one run);
* cached: the cache filled by the first load (what every later start costs: the
  studio, ``formkit validate`` in CI after a few files changed).

Figures are medians over the runs:

* open_catalog: in-process wall time of the call (import excluded);
* phases of that call: YAML + models (reading, and YAML composition, the
  position-keeping walk and pydantic, or the cache), cross-checks
  (``crosscheck.check_catalog``), expressions (rule libraries + ``RuleSet.build`` for
  every matter: parse, name and type checking);
* process: wall time of the whole child process, interpreter start, import, freeing the
  catalog and exit included (what a user of ``formkit validate`` waits for);
* peak RSS of the child.

The goals are 500 matters < 1 s and 5,000 < 10 s, judged on the cached load; the
other two are printed beside it.
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
t0 = time.perf_counter()
import formkit.catalog as catalog
import formkit.definitions.crosscheck as crosscheck
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
"""


def run_child(root: Path, cache: Path | None) -> dict[str, float]:
    env = dict(os.environ)
    if cache is None:
        env["FORMKIT_CACHE"] = "off"
    else:
        env.pop("FORMKIT_CACHE", None)
        env["FORMKIT_CACHE_DIR"] = str(cache)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root)], env=env,
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


def timed_runs(root: Path, n: int, runs: int, cache: Path | None, what: str
               ) -> dict[str, float]:
    """Median figures of ``runs`` children."""
    done = []
    for i in range(runs):
        r = run_child(root, cache)
        if r["errors"] or r["matters"] != n:
            print(f"WARNING: {r['errors']} errors, {r['matters']} matters loaded "
                  f"(the generated catalog should validate cleanly)", file=sys.stderr)
        print(f"  {what} {i + 1}: open_catalog {r['open']:.2f} s, process "
              f"{r['process']:.2f} s, rss {r['rss_mb']:.0f} MB", file=sys.stderr)
        done.append(r)
    return {key: statistics.median(r[key] for r in done)
            for key in ("open", "yaml_models", "cross", "expressions", "import", "process",
                        "rss_mb")}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="cold load + validate benchmark")
    p.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", type=Path, help="generate here and keep the catalogs")
    args = p.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="formkit-bench-") as tmp:
        base = args.keep or Path(tmp)
        for n in args.sizes:
            root = base / f"catalog-{n}"
            cache = Path(tmp) / f"cache-{n}"
            t = time.perf_counter()
            gen_catalog.generate(root, n, args.seed)
            print(f"generated {n} matters ({folder_bytes(root) / 1e6:.1f} MB of YAML) in "
                  f"{time.perf_counter() - t:.1f} s: {root}", file=sys.stderr)
            plain = timed_runs(root, n, args.runs, None, "no cache")
            first = timed_runs(root, n, 1, cache, "first load")
            warm = timed_runs(root, n, args.runs, cache, "cached")
            rows.append((n, folder_bytes(root), plain, first, warm))

    print()
    print(f"Cold `open_catalog` (fresh process each run, median of {args.runs}; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    print()
    print("| matters | YAML | load | open_catalog | YAML+models | cross-checks | expressions "
          "| import | process | peak RSS | goal | met |")
    print("|--:|--:|:--|--:|--:|--:|--:|--:|--:|--:|--:|:-:|")
    for n, size, plain, first, warm in rows:
        goal = GOALS.get(n)
        for what, r in (("no cache", plain), ("first load", first), ("cached", warm)):
            judged = what == "cached" and goal is not None
            met = ("yes" if r["open"] < goal else "**no**") if judged and goal else ""
            print(f"| {n:,} | {size / 1e6:.1f} MB | {what} | {fmt(r['open'])} "
                  f"| {fmt(r['yaml_models'])} | {fmt(r['cross'])} | {fmt(r['expressions'])} "
                  f"| {fmt(r['import'])} | {fmt(r['process'])} | {r['rss_mb']:.0f} MB "
                  f"| {'< ' + fmt(goal) if judged and goal else ''} | {met} |")
    print()
    print("no cache: FORMKIT_CACHE=off; first load: an empty cache, filled by this load; "
          "cached: the filled cache.")
    print("process: the whole child, start + import + open_catalog + freeing it + exit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
