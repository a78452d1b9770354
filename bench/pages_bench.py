"""The daily-work pages over a busy store: how long each takes to render.

    python bench/pages_bench.py [--cases 10000] [--days 25] [--runs 5] [--seed 1]
                                [--today 2026-11-25] [--dir DIR] [--profile PAGE]

1. Fills a fresh case store with ``--cases`` realistic cases received over the
   ``--days`` working days up to ``--today`` (10,000 over 25 days is a busy county
   centre, ~400 a day), as plain dicts shaped exactly like
   ``formkit.cases.service.Case(...).model_dump(mode="json")`` and loaded with
   ``store.import_cases(docs, formkit.cases.service.summary)``. Matters of the sample catalog
   are weighted by typical volumes; answers, materials and the stored pre-check come
   from each matter's own ``tests:`` examples (run through ``run_precheck``); each
   case carries the history ``CaseService`` would have left (receive, accept or
   supplement or refuse, start_review, a sign_off per route unit, approve or deny,
   issue, the odd supplied tolerated material and statutory pause), cut at ``--today``,
   so recent cases are still open, some late, some waiting for their notice. The
   matter versions are stored too, so the back office can open any case.
2. Times an ``AppTest`` run of each page signed in as its role (window: clerk;
   back office: ms_officer; monitor: supervisor): once for a fresh process (catalog
   load and store files parsed: the server's one-time warm-up), then per page the
   first render after switching to it (page data caches cleared; for the monitor, a
   new store object too, so its figures are computed afresh) and ``--runs`` re-runs
   (median and max), plus the window with a matter found, the back office with a
   case open (first render = the run after that interaction), and the monitor with
   an open case changed by another store object (another window) before each re-run.
3. Prints a markdown table with the exact command line. Nothing is asserted
   (``tests/studio/test_pages_speed.py`` asserts the 1 s bound).

``--profile PAGE`` (window, backoffice or monitor) adds a cProfile of re-runs of
that page.
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import datetime as dt
import os
import pickle
import pstats
import random
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formkit.calendar import WorkCalendar
from formkit.cases.service import SPECIAL_PROCEDURES, TRANSITIONS, Case, summary
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import matter_snapshot
from formkit.catalog import open_catalog
from formkit.intake.deadlines import deadline

sys.path.insert(0, str(Path(__file__).resolve().parent))
from casegen import (
    GIVEN,
    MIX,
    P_DENY,
    P_LATE,
    P_NOTICE_LAG,
    P_PAUSE,
    P_REFUSE,
    P_STUCK,
    P_SUPPLEMENT,
    P_TOLERATED_LATE,
    SURNAMES,
    Cut,
    MatterKit,
    Template,
    matter_kits,
)

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "studio" / "app.py"
PASSWORDS = {"clerk": "clerk123", "ms_officer": "officer123", "supervisor": "super123"}


class Generator:
    """Cases received over the working days up to ``today``, as CaseService leaves them."""

    def __init__(self, kits: list[MatterKit], calendar: WorkCalendar, number: Callable[..., str],
                 today: dt.date, days: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.kits = kits
        self.cum: list[float] = []
        total = 0.0
        for k in kits:
            total += MIX.get(k.code, 1.0)
            self.cum.append(total)
        self.total = total
        self.calendar = calendar
        self.number = number
        # working days from well before the first receipt to well after today
        day, last = today - dt.timedelta(days=days * 2 + 30), today + dt.timedelta(days=400)
        self.wd: list[dt.date] = []
        while day <= last:
            if calendar.is_workday(day):
                self.wd.append(day)
            day += dt.timedelta(days=1)
        self.t = bisect.bisect_right(self.wd, today) - 1  # index of today (or the day before)
        self.first = self.t - days + 1
        self.iso = [d.isoformat() for d in self.wd]
        self._due: dict[tuple[int, int, str], str] = {}

    def due(self, di: int, days: int, unit: str) -> str:
        key = (di, days, unit)
        if key not in self._due:
            self._due[key] = deadline(self.wd[di], days, unit, self.calendar).value.isoformat()
        return self._due[key]

    def generate(self, n: int) -> list[dict[str, Any]]:
        days = self.t - self.first + 1
        base, extra = divmod(n, days)
        return [self.case(di, seq) for i, di in enumerate(range(self.first, self.t + 1))
                for seq in range(1, base + (1 if i < extra else 0) + 1)]

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN)
                                                for _ in range(self.rng.choice((1, 2, 2))))

    def case(self, di: int, seq: int) -> dict[str, Any]:
        rng = self.rng
        kit = self.kits[bisect.bisect(self.cum, rng.random() * self.total)]
        ok = rng.choice(kit.accepts)
        r = rng.random()
        first, path = ok, "accept"
        if r < P_REFUSE and kit.refuse:
            first, path = kit.refuse, "refuse"
        elif r < P_REFUSE + P_SUPPLEMENT and kit.incomplete:
            first, path = kit.incomplete, "supplement"
        fields, materials, precheck = pickle.loads(first.blob)
        doc: dict[str, Any] = {
            "number": self.number(self.wd[di], seq), "matter": kit.code,
            "version": kit.version, "applicant": self.name(), "department": kit.department,
            "fields": fields, "materials": materials, "state": "received",
            "received_on": self.iso[di], "accepted_on": None, "decided_on": None,
            "issued_on": None, "notice_on": None, "precheck": {}, "tolerated": [],
            "route": [], "step_days": [], "step": 0, "signed": [], "step_started_on": None,
            "unit": kit.unit, "committed_days": kit.committed,
            "statutory_days": kit.statutory, "committed_deadline": None,
            "statutory_deadline": None, "pauses": [], "history": []}
        window = f"window-{rng.randint(1, 40):02d}"
        moment = [di, 8 * 60 + 30 + seq % 480]  # working day index, minute of the day

        def event(action: str, to_state: str, actor: str, when: int,
                  data: dict[str, Any] | None = None, comment: str = "") -> None:
            if when > self.t:
                raise Cut
            if when > moment[0]:
                moment[0], moment[1] = when, 9 * 60 + rng.randint(0, 420)
            else:
                moment[1] = min(moment[1] + rng.randint(1, 30), 23 * 60 + 59)
            d = self.wd[when]
            at = dt.datetime(d.year, d.month, d.day, moment[1] // 60, moment[1] % 60)
            doc["history"].append({"action": action,
                                   "from_state": doc["state"] if doc["history"] else None,
                                   "to_state": to_state, "actor": actor,
                                   "at": at.isoformat(), "comment": comment,
                                   "data": data or {}})
            doc["state"] = to_state

        def noticed(pre: dict[str, Any], on: int) -> None:
            pre["received_on"] = self.iso[on]
            if pre.get("committed_deadline") is not None:
                pre["committed_deadline"] = self.due(on, kit.committed, kit.unit)
                pre["statutory_deadline"] = self.due(on, kit.statutory, kit.unit)
            doc["precheck"], doc["notice_on"] = pre, self.iso[on]

        try:
            event("receive", "received", window, di)
            decide = di + (rng.randint(1, 7) if rng.random() < P_NOTICE_LAG else 0)
            if path == "refuse":
                event("refuse", "refused", window, decide, {"outcome": "refuse"})
                noticed(precheck, decide)
                doc["decided_on"] = self.iso[decide]
                return doc
            if path == "supplement":
                event("request_supplement", "supplement", window, decide,
                      {"outcome": "incomplete"})
                noticed(precheck, decide)
                back = decide + rng.randint(1, 8)
                new_fields, new_materials, precheck = pickle.loads(ok.blob)
                event("accept", "accepted", window, back,
                      {"outcome": ok.outcome, "brought": [m["id"] for m in new_materials],
                       "fields_changed": new_fields != fields})
                doc["fields"], doc["materials"] = new_fields, new_materials
                acc = back
            else:
                event("accept", "accepted", window, decide, {"outcome": ok.outcome})
                acc = decide
            noticed(precheck, acc)
            doc["accepted_on"] = self.iso[acc]
            doc["committed_deadline"] = self.due(acc, kit.committed, kit.unit)
            doc["statutory_deadline"] = self.due(acc, kit.statutory, kit.unit)
            doc["tolerated"] = [{"id": t, "due": self.due(acc, 5, "working_days"),
                                 "supplied_on": None} for t in ok.tolerated]
            doc["route"] = [list(s) for s in ok.route]
            doc["step_days"] = list(ok.step_days)
            doc["signed"] = [{} for _ in ok.route]
            self.review(doc, kit, ok, acc, event)
        except Cut:
            pass
        return doc

    def review(self, doc: dict[str, Any], kit: MatterKit, ok: Template, acc: int,
               event: Callable[..., None]) -> None:
        rng = self.rng
        span = kit.committed if kit.unit == "working_days" else kit.committed * 5 // 7
        r = rng.random()
        if span == 0:
            k = 0
        elif r < P_STUCK:
            k = span + rng.randint(10, 20)
        elif r < P_STUCK + P_LATE:
            k = span + rng.randint(1, 8)
        else:
            k = rng.randint(max(1, span // 3), span)
        start = acc + (rng.choice((0, 0, 1)) if span > 1 else 0)
        plan: list[tuple[int, int, str, str]] = []  # (day, order, what, argument)
        if kit.licensing and span and rng.random() < P_PAUSE:
            p_start, p_len = start + rng.randint(0, max(0, k - 1)), rng.randint(3, 10)
            k += p_len
            plan += [(p_start, 1, "suspend", rng.choice(list(SPECIAL_PROCEDURES))),
                     (p_start + p_len, 1, "resume", "")]
        decided = max(start, acc + k)
        for t in ok.tolerated:
            late = rng.random() < P_TOLERATED_LATE
            when = acc + (rng.randint(6, 12) if late else rng.randint(0, 4))
            plan.append((max(start, min(decided, when)), 0, "supply", t))
        units = [u for step in ok.route for u in step]
        for j, u in enumerate(units):
            plan.append((start + round((j + 1) * (decided - start) / (len(units) + 1)), 2,
                         "sign_off", u))
        plan.sort(key=lambda p: (p[0], p[1]))
        back = f"back-{rng.randint(1, 60):02d}"
        event("start_review", "in_review", back, start)
        doc["step"], doc["step_started_on"] = 0, self.iso[start]
        for when, _, what, arg in plan:
            state = doc["state"]
            if what == "supply":
                event("supply", state, back, when, {"material": arg})
                for t in doc["tolerated"]:
                    if t["id"] == arg:
                        t["supplied_on"] = self.iso[when]
                doc["materials"].append({"id": arg, "form": None, "copies": None,
                                         "original_sighted": False})
            elif what == "suspend":
                event("suspend", state, back, when, {"reason": arg})
                doc["pauses"].append({"reason": arg, "start": self.iso[when], "end": None})
            elif what == "resume":
                event("resume", state, back, when)
                doc["pauses"][-1]["end"] = self.iso[when]
            else:
                event("sign_off", "in_review", back, when, {"unit": arg})
                signed = doc["signed"][doc["step"]]
                signed[arg] = back
                if set(signed) >= set(doc["route"][doc["step"]]):
                    doc["step"] += 1
                    doc["step_started_on"] = self.iso[when]
        if rng.random() < P_DENY and span:
            event("deny", "denied", back, decided, comment="不符合法定条件，不予许可")
        else:
            event("approve", "approved", back, decided)
        doc["decided_on"] = self.iso[decided]
        for p in doc["pauses"]:
            p["end"] = p["end"] or self.iso[decided]
        issued = decided + (rng.choice((0, 0, 1, 2)) if span else 0)
        event("issue", "issued", f"window-{rng.randint(1, 40):02d}", issued)
        doc["issued_on"] = self.iso[issued]


def check_sample(cases: list[dict[str, Any]], rng: random.Random, n: int = 300) -> None:
    """Generated documents are exactly what the model dumps, with legal histories."""
    for doc in rng.sample(cases, min(n, len(cases))):
        dumped = Case.model_validate(doc).model_dump(mode="json")
        if dumped != doc:
            diff = [k for k in dumped if dumped.get(k) != doc.get(k)]
            raise ValueError(f"generated case {doc['number']} is not a Case dump: {diff}")
        for e in doc["history"][1:]:
            if TRANSITIONS[e["action"]].get(e["from_state"]) != e["to_state"]:
                raise ValueError(f"{doc['number']}: illegal {e['action']} from "
                                 f"{e['from_state']}")


def fill_store(root: Path, definitions: Path, *, cases: int = 10_000, days: int = 25,
               today: dt.date = dt.date(2026, 11, 25), seed: int = 1) -> dict[str, Any]:
    """A store at ``root`` holding ``cases`` generated cases and the matter versions."""
    opened = open_catalog(definitions)
    if opened.errors:
        raise ValueError(f"the catalog has errors: {opened.errors[:3]}")
    calendar = opened.work_calendar()
    store = TinyCaseStore(root, prefix=opened.catalog.code_prefix if opened.catalog else "FK",
                          fsync=False)
    kits = [kit for kit, _ in matter_kits(opened, calendar, today)]
    for kit in kits:
        store.put_version({**matter_snapshot(opened, kit.code), "published": True,
                           "published_by": "bench", "published_at": "2026-01-01T08:00:00",
                           "note": "bench"})
    t = time.perf_counter()
    docs = Generator(kits, calendar, store.number, today, days, seed).generate(cases)
    generated = time.perf_counter() - t
    check_sample(docs, random.Random(seed))
    t = time.perf_counter()
    store.import_cases(docs, summary)
    imported = time.perf_counter() - t
    states: dict[str, int] = {}
    for d in docs:
        states[d["state"]] = states.get(d["state"], 0) + 1
    return {"cases": len(docs), "open": len(store.open_summaries()), "states": states,
            "generate_s": generated, "import_s": imported}


# ---------------------------------------------------------------- page timings


@dataclass
class Page:
    """A page as one role sees it, and what to do on it before timing."""

    name: str
    user: str
    file: str
    prepare: Callable[[Any], None] | None = None
    between: Callable[[], None] | None = None  # before each re-run, untimed
    # the first render with a new store object: the monitor's figures (tallies the
    # store keeps per partition) are computed afresh, as in a new server process
    cold_store: bool = False


def _choose_food_matter(at: Any) -> None:
    at.text_input(key="win_query").input("spjy").run()


def _open_first_case(at: Any) -> None:
    pick = at.selectbox(key="bo_pick")
    if pick.options:
        pick.select_index(0).run()


def change_an_open_case() -> None:
    """What another window's transition writes: an open case and its summary change."""
    store = TinyCaseStore(os.environ["FORMKIT_STORE"])
    number = min(s["number"] for s in store.open_summaries())
    store.update(number, lambda c: {**c, "applicant": f"{c.get('applicant') or ''}·"},
                 summary)


PAGES = [Page("window.py", "clerk", "window.py"),
         Page("window.py (食品经营许可 chosen)", "clerk", "window.py", _choose_food_matter),
         Page("backoffice.py", "ms_officer", "backoffice.py"),
         Page("backoffice.py (first case open)", "ms_officer", "backoffice.py",
              _open_first_case),
         Page("monitor.py", "supervisor", "monitor.py", cold_store=True),
         Page("monitor.py (a case changed before each re-run)", "supervisor", "monitor.py",
              between=change_an_open_case, cold_store=True)]


def signed_in(user: str) -> tuple[Any, float]:
    """An AppTest signed in as ``user`` (on the role's first page); and that run's time."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.text_input(key="signin_user").input(user)
    at.text_input(key="signin_password").input(PASSWORDS[user])
    t = time.perf_counter()
    at.button[0].click().run()
    took = time.perf_counter() - t
    if at.exception:
        raise RuntimeError(f"sign-in as {user}: {at.exception}")
    return at, took


def _render(at: Any, action: Callable[[], Any]) -> tuple[float, float]:
    """(wall, CPU) seconds of one render; CPU is the process's (the script thread's work:
    AppTest's own thread sleeps while it waits)."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    took = time.perf_counter() - wall, time.process_time() - cpu
    if at.exception:
        raise RuntimeError(str(at.exception))
    return took


def time_page(page: Page, runs: int) -> dict[str, tuple[float, float]]:
    """The page's first render (its data caches cleared), then ``runs`` re-runs:
    (wall, CPU) seconds of the first, the median and the slowest re-run.

    With ``prepare``, the first render is the one that follows the interaction.
    """
    import streamlit as st

    at, _ = signed_in(page.user)
    st.cache_data.clear()
    if page.cold_store:
        from formkit_studio.common import _store

        _store.clear()
    first = _render(at, lambda: at.switch_page(f"views/{page.file}").run())
    if page.prepare is not None:
        prepare = page.prepare
        first = _render(at, lambda: prepare(at))
    times = []
    for _ in range(runs):
        if page.between is not None:
            page.between()
        times.append(_render(at, at.run))
    walls = sorted(times)
    return {"first": first, "median": walls[len(walls) // 2], "max": walls[-1]}


def environment(definitions: Path, store_root: Path, today: dt.date) -> Iterator[None]:
    """FORMKIT_* set for the studio, restored afterwards."""
    keys = ("FORMKIT_CATALOG", "FORMKIT_STORE", "FORMKIT_DRAFTS", "FORMKIT_TODAY")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(FORMKIT_CATALOG=str(definitions), FORMKIT_STORE=str(store_root),
                      FORMKIT_DRAFTS=str(store_root.parent / "drafts"),
                      FORMKIT_TODAY=today.isoformat())
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=25, help="working days of receipts")
    ap.add_argument("--runs", type=int, default=5, help="re-runs per page")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25))
    ap.add_argument("--dir", help="keep the workspace here (empty or new folder)")
    ap.add_argument("--profile", choices=["window", "backoffice", "monitor"])
    args = ap.parse_args(argv)
    command = "python " + " ".join(shlex.quote(a) for a in
                                   [os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    work = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="pages-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(ROOT / "definitions", work / "definitions", dirs_exist_ok=True)
        shutil.copytree(ROOT / "rules", work / "rules", dirs_exist_ok=True)
        store_root = work / "var" / "store"
        filled = fill_store(store_root, work / "definitions", cases=args.cases,
                            days=args.days, today=args.today, seed=args.seed)
        print(f"`{command}`\n")
        print(f"Store: {filled['cases']:,} cases over {args.days} working days up to "
              f"{args.today} ({filled['open']:,} open; "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(filled["states"].items()))
              + f"); generated in {filled['generate_s']:.1f} s, imported in "
              f"{filled['import_s']:.1f} s.\n")
        env = environment(work / "definitions", store_root, args.today)
        next(env)
        try:
            # A fresh server process: the catalog is loaded and the store's files are
            # parsed once (shared by every session afterwards).
            cpu = time.process_time()
            _, cold = signed_in("supervisor")
            cpu = time.process_time() - cpu
            print(f"Fresh process: sign-in landing on monitor.py (catalog load, store files "
                  f"parsed, figures computed) took {cold * 1000:.0f} ms wall / "
                  f"{cpu * 1000:.0f} ms CPU.\n")
            print("| page | first render wall / CPU | re-run median wall / CPU | "
                  "slowest re-run wall / CPU | < 1 s |")
            print("|---|---|---|---|---|")
            for page in PAGES:
                got = time_page(page, args.runs)
                worst = max(w for w, _ in got.values())
                cells = " | ".join(f"{w * 1000:.0f} / {c * 1000:.0f} ms"
                                   for w, c in got.values())
                print(f"| {page.name} | {cells} | {'yes' if worst < 1 else '**no**'} |",
                      flush=True)
            if args.profile:
                page = next(p for p in PAGES if p.file == f"{args.profile}.py")
                at, _ = signed_in(page.user)
                at.switch_page(f"views/{page.file}").run()
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(args.runs):
                    at.run()
                prof.disable()
                pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        finally:
            next(env, None)
        print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f} at the end; AppTest runs (script, app.py "
              "navigation and the page; sign-in excluded); '< 1 s' judges the wall times.")
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
