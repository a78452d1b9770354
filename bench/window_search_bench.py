"""The window's case search over a busy store: how long a search takes.

    python bench/window_search_bench.py [--cases 10000] [--days 25] [--runs 20] [--seed 1]

Fills a fresh store as ``bench/pages_bench.py`` does (``fill_store``: realistic cases
from the sample catalog's examples, names drawn from common surnames), then times
``formkit.desk.case_search.search_cases`` by name, 身份证号, last four digits, mobile and
case number: the first search of a fresh store object (every partition read and
indexed), the following ones (median and slowest), and one after another window changed
a case (one partition read again). Last, an ``AppTest`` run of the window's 查询案件
mode with a name typed (first render and re-runs). Prints a markdown table; nothing is
asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages_bench import environment, fill_store, signed_in

from formkit.cases.service import summary
from formkit.cases.tinystore import TinyCaseStore
from formkit.definitions.model import Label
from formkit.definitions.users import User
from formkit.desk.case_search import search_cases

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=25)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    args = ap.parse_args(argv)
    command = "python " + " ".join(shlex.quote(a) for a in
                                   [os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    work = Path(tempfile.mkdtemp(prefix="window-search-bench-"))
    try:
        shutil.copytree(ROOT / "definitions", work / "definitions")
        shutil.copytree(ROOT / "rules", work / "rules")
        root = work / "var" / "store"
        filled = fill_store(root, work / "definitions", cases=args.cases, days=args.days,
                            today=args.today, seed=args.seed)
        print(f"`{command}`\n\nStore: {filled['cases']:,} cases over {args.days} working "
              f"days up to {args.today}.\n")
        store = TinyCaseStore(root)
        clerk = User(username="clerk", name=Label(zh="窗口"), role="clerk",  # type: ignore[arg-type]
                     password="scrypt$x")
        since = args.today - dt.timedelta(days=366)
        sample = next(c for c in store.cases_since(args.today) if c.get("applicant"))
        found = search_cases(store, clerk, sample["applicant"][:2], since=since)
        hit = found.hits[0] if found.hits else None
        queries = {"name (2 characters)": sample["applicant"][:2],
                   "case number": sample["number"],
                   "last four digits": "1230", "mobile": "13800138000",
                   "身份证号": "445321199003071230"}
        store = TinyCaseStore(root)  # a fresh object: the first search indexes all
        rows = []
        t = time.perf_counter()
        first = search_cases(store, clerk, queries["name (2 characters)"], since=since)
        rows.append(("first search, fresh store object (name)", (time.perf_counter() - t),
                     None, first.total))
        for label, q in queries.items():
            times = []
            for _ in range(args.runs):
                t = time.perf_counter()
                got = search_cases(store, clerk, q, since=since)
                times.append(time.perf_counter() - t)
            rows.append((label, statistics.median(times), max(times), got.total))
        changed = TinyCaseStore(root)
        number = sample["number"]
        times = []
        for i in range(5):
            changed.update(number, lambda c, i=i: {**c, "applicant": f"{c['applicant']}{i}"},
                           summary)
            t = time.perf_counter()
            search_cases(store, clerk, "13800138000", since=since)
            times.append(time.perf_counter() - t)
        rows.append(("after another window changed a case", statistics.median(times),
                     max(times), None))
        print("| search | median | slowest | cases found |\n|---|---|---|---|")
        for label, med, worst, total in rows:
            print(f"| {label} | {med * 1000:.1f} ms | "
                  f"{'—' if worst is None else f'{worst * 1000:.1f} ms'} | "
                  f"{'—' if total is None else f'{total:,}'} |")
        del hit

        env = environment(work / "definitions", root, args.today)
        next(env)
        try:
            at, _ = signed_in("clerk")
            at.radio(key="win_mode").set_value("find").run()
            t = time.perf_counter()
            at.text_input(key="fc_query").input(queries["name (2 characters)"]).run()
            first_ms = (time.perf_counter() - t) * 1000
            reruns = []
            for _ in range(5):
                t = time.perf_counter()
                at.run()
                reruns.append((time.perf_counter() - t) * 1000)
            if at.exception:
                raise RuntimeError(str(at.exception))
            print(f"\nwindow.py, 查询案件 with a name typed (AppTest): first {first_ms:.0f} ms, "
                  f"re-run median {statistics.median(reruns):.0f} ms, slowest "
                  f"{max(reruns):.0f} ms")
        finally:
            next(env, None)
        print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f} at the end.")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
