"""Pre-check speed: the largest sample matter, and a county year over the whole catalog.

    python bench/precheck_bench.py [--cases 130000] [--repeat 2000]

Prints the median time of one pre-check of the largest sample matter (goal
< 0.5 ms), the time of a county year of 130,000 pre-checks spread over
every sample matter's examples on one core (goal < 60 s), and the median
pre-check of a matter whose check reads the end of a 32-level `let` chain
(`b1: b0 + b0`, ... `b32: b31 + b31`), of numbers and of texts (goal < 1 ms:
each let is computed once, not 2**32 times; the text chain stops at the
100,000-character bound, a field error).

For each sample bundle (高效办成一件事) it prints the median pre-check of every
example as a bundle beside the sum of its applying members' own pre-checks of
the same submissions (goal: a bundle costs no more than the sum of its members;
the ratio is measured in the same run, interleaved).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

from formkit.catalog import OpenCatalog, open_catalog
from formkit.definitions.loader import load_matter_text
from formkit.intake.bundles import run_bundle_precheck
from formkit.intake.examples import submission_of
from formkit.intake.precheck import run_precheck
from formkit.ruleset import RuleSet

ROOT = Path(__file__).resolve().parents[1]

CHAIN = """
code: BENCH-CHAIN
name: {{zh: 中间值链}}
department: market_supervision
kind: public_service
time_limit: {{statutory_days: 5, committed_days: 1}}
form:
  - {{id: x, type: number}}
  - {{id: t, type: text}}
let:
  b0: {first}
{lets}
checks:
  - when: '{when}'
    warn: {{zh: 链}}
"""


def chain_rules(first: str, when: str, levels: int = 32) -> RuleSet:
    """A matter whose check reads the end of a chain of lets, each the previous twice."""
    lets = "\n".join(f"  b{i}: b{i - 1} + b{i - 1}" for i in range(1, levels + 1))
    matter, doc = load_matter_text(CHAIN.format(first=first, lets=lets, when=when), "chain.yaml")
    assert matter is not None, doc
    rules = RuleSet.build(matter, None)
    assert rules.ok, rules.errors[:3]
    rules.programs()
    return rules


def chain_ms(rules: RuleSet, submission: dict[str, object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter_ns()
        run_precheck(rules, submission)
        times.append(time.perf_counter_ns() - t)
    return statistics.median(times) / 1e6


def bundle_rows(opened: OpenCatalog, repeat: int) -> list[str]:
    """Each bundle's pre-check beside its members' (median over its examples)."""
    calendar = opened.work_calendar()
    rows = []
    for code, bundle in opened.bundles.items():
        rules = opened.bundle_rules[code]
        subs = [({"fields": e.fields, "materials": [m.model_dump(exclude_none=True)
                                                     for m in e.materials]}, e.today)
                for e in bundle.tests]
        # the members' own submissions, as the bundle hands them over
        parts = [[(rules.members[m], s) for m, s in run_bundle_precheck(
            rules, sub, today=today, calendar=calendar).submissions.items()]
            for sub, today in subs]
        whole, members = [], []
        for i in range(repeat):
            k = i % len(subs)
            sub, today = subs[k]
            t = time.perf_counter_ns()
            run_bundle_precheck(rules, sub, today=today, calendar=calendar)
            whole.append(time.perf_counter_ns() - t)
            t = time.perf_counter_ns()
            for member, member_sub in parts[k]:
                run_precheck(member, member_sub, today=today, calendar=calendar)
            members.append(time.perf_counter_ns() - t)
        b, m = statistics.median(whole) / 1e6, statistics.median(members) / 1e6
        rows.append(f"| one pre-check of bundle {code} ({len(bundle.matters)} matters, "
                    f"{len(subs)} examples), median; its applying members' own pre-checks "
                    f"summed | {b:.3f} ms; {m:.3f} ms (ratio {b / m:.2f}) | no more than "
                    f"the sum (ratio <= 1) | {'yes' if b <= m else 'no'} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=130_000)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    opened = open_catalog(ROOT / "definitions")
    assert opened.ok, opened.errors[:3]
    calendar = opened.work_calendar()
    work = []
    for code, matter in opened.matters.items():
        rules = opened.rules[code]
        rules.programs()  # compile once, as a running window does
        for example in matter.tests:
            work.append((rules, submission_of(example), example.today))
    largest = max(opened.matters.values(), key=lambda m: len(opened.doc_of(m).file.text))
    rules = opened.rules[largest.code]
    subs = [(submission_of(e), e.today) for e in largest.tests]
    gc.collect()
    times = []
    for i in range(args.repeat):
        sub, today = subs[i % len(subs)]
        t = time.perf_counter_ns()
        run_precheck(rules, sub, today=today, calendar=calendar)
        times.append(time.perf_counter_ns() - t)
    median_ms = statistics.median(times) / 1e6
    p99_ms = sorted(times)[int(len(times) * 0.99)] / 1e6
    t = time.perf_counter()
    for i in range(args.cases):
        r, sub, today = work[i % len(work)]
        run_precheck(r, sub, today=today, calendar=calendar)
    year_s = time.perf_counter() - t
    numbers = chain_ms(chain_rules("x", "b32 > 0"), {"fields": {"x": 1}}, args.repeat)
    texts = chain_ms(chain_rules("t", "len(b32) > 0"), {"fields": {"t": "a"}}, args.repeat)
    print(f"command: python bench/precheck_bench.py --cases {args.cases} "
          f"--repeat {args.repeat}\n")
    print("| what | figure | goal | met |")
    print("|---|--:|--:|:-:|")
    print(f"| one pre-check, largest sample matter ({largest.code}, {len(largest.tests)} "
          f"examples), median | {median_ms:.3f} ms (p99 {p99_ms:.3f} ms) | < 0.5 ms | "
          f"{'yes' if median_ms < 0.5 else 'no'} |")
    print(f"| {args.cases:,} pre-checks over all {len(opened.matters)} matters' "
          f"{len(work)} examples, one core | {year_s:.1f} s | < 60 s | "
          f"{'yes' if year_s < 60 else 'no'} |")
    for what, ms in (("numbers", numbers), ("texts, stopped at the size bound", texts)):
        print(f"| one pre-check, 32-level let chain of {what}, median | {ms:.3f} ms | "
              f"< 1 ms | {'yes' if ms < 1 else 'no'} |")
    for row in bundle_rows(opened, args.repeat):
        print(row)


if __name__ == "__main__":
    main()
