"""A county year in the case store: bulk import, then live operations on top.

    python bench/store_bench.py [--cases 130000] [--dir DIR] [--ops 300] [--seed 1]
                                [--default-inserts 3] [--profile] [--store URL]

``--store postgresql://...`` measures the PostgreSQL store (``formkit.cases.pgstore``)
with the same code: the year is imported into that database (its schema upgraded
first; the centre must hold nothing yet: give a database, or a schema with
``?options=-csearch_path%3Dbench``, of its own), and the cold operations open a new
store object each, as the CLI does (a new connection and schema check each). The
TinyDB default-storage comparison is left out then.

1. Generates a year of cases (``--cases``, spread evenly over the working days of 2026,
   ~520 a day at 130,000) as plain dicts shaped exactly like
   ``formkit.cases.service.Case(...).model_dump(mode="json")``: numbers from
   ``TinyCaseStore.number(day, seq)``; matters of the sample catalog ``definitions/``
   weighted by a county's typical volumes; answers and materials from each matter's own
   ``tests:`` examples (names, ID and mobile numbers varied per case, birth dates kept so
   the stored pre-check still holds), the pre-check those answers really get, and the
   whole stage history a clerk would leave through ``CaseService`` (receive, accept or
   supplement or refuse, start_review, one sign_off per route unit, approve or deny,
   issue, plus the odd supplied tolerated material and statutory pause), cut at the
   evening of the year's last working day, so the cases received in its last weeks, a
   few late ones and the odd stuck one are still open. A sample is checked by
   round-tripping it through the pydantic model and replaying its history through
   ``formkit.cases.service.TRANSITIONS``.
2. Times ``TinyCaseStore.import_cases(cases, summary)`` into a fresh folder (durable
   writes, fsync on; goal < 60 s).
3. With the year stored (and the import's store object dropped): cold, a new
   ``TinyCaseStore`` per operation as the CLI would open it, in a fresh child process
   that holds nothing else (as ``formkit cases overdue`` runs; the same overdue lists
   timed in this process, which carries the heap the generated year left, are printed
   too, without a verdict: either can be the slower one in a run), ``--ops`` lookups
   ``store.get`` of random numbers of the year (goal < 5 ms) and overdue lists
   ``monitor(store.open_summaries(), today, calendar)`` (goal < 100 ms); then on one
   long-lived store object (the studio's): ``--ops`` durable transitions through
   ``CaseService``, each the next step of a distinct open case (start_review, sign_off,
   approve, one in ten suspend; goal p99 < 20 ms), ``--ops`` ``store.create`` of a new
   case on the last day (our single insert), and the same lookups and overdue lists
   warm. Each figure says in how many operations Python's cyclic collector spent 1 ms
   of CPU or more, and its longest such pause; the long-lived object's cache size is
   printed after the table.
4. TinyDB's default storage (``TinyDB(path)``, JSONStorage) holding the first 20,000
   and all ``--cases`` of the same generated cases (its file written directly in
   TinyDB's format, default ``json.dumps`` settings as JSONStorage uses): a first
   ``db.insert``, reported apart (it also scans the table for the next id), then
   ``--default-inserts`` timed ones; their median against our ``store.create`` median,
   same run, same cases.
5. Prints a markdown table of every figure with the exact command line.

Figures are wall-clock times on this machine; nothing is asserted. ``--profile`` adds a
cProfile of extra transitions (on further open cases). ``--dir`` keeps the store in DIR
(which must be empty or absent; the TinyDB files, hundreds of MB, are deleted after
use); otherwise a temporary folder is used and removed. ``--cases 20000`` is a quick run
(1 to 2 minutes).
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import cProfile
import datetime as dt
import gc
import io
import json
import os
import pickle
import platform
import pstats
import random
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from formkit.calendar import WorkCalendar
from formkit.cases.monitor import monitor
from formkit.cases.service import (
    SPECIAL_PROCEDURES,
    TRANSITIONS,
    Case,
    CaseService,
    audit_entry,
    summary,
)
from formkit.cases.stores import is_url, open_store, upgrade
from formkit.cases.tinystore import TinyCaseStore
from formkit.cases.versions import matter_snapshot
from formkit.catalog import open_catalog
from formkit.errors import IllegalTransition
from formkit.intake.deadlines import deadline

sys.path.insert(0, str(Path(__file__).resolve().parent))
from casegen import (
    GIVEN,
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
DEFINITIONS = ROOT / "definitions"
YEAR = 2026
FRONT_SEATS, BACK_SEATS = 146, 120

_ID = re.compile(r"^([0-9]{14})[0-9]{3}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def secs(seconds: float) -> str:
    return f"{seconds:.1f} s"


# ---------------------------------------------------------------- the catalog's matters


# ---------------------------------------------------------------- the generator


class YearGenerator:
    """Cases of one year as plain dicts, the way CaseService would have left them."""

    def __init__(self, kits: list[tuple[MatterKit, float]], calendar: WorkCalendar,
                 number: Any, seed: int) -> None:
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.names = [self.new_name() for _ in range(5000)]
        self._id_sums: dict[str, int] = {}
        self.kits = [k for k, _ in kits]
        total = 0.0
        self.cum: list[float] = []
        for _, w in kits:
            total += w
            self.cum.append(total)
        self.total = total
        self.calendar = calendar
        self.number = number  # TinyCaseStore.number
        # working days of the year and two more (stuck cases run long)
        day, last = dt.date(YEAR, 1, 1), dt.date(YEAR + 2, 12, 31)
        self.wd: list[dt.date] = []
        while day <= last:
            if calendar.is_workday(day):
                self.wd.append(day)
            day += dt.timedelta(days=1)
        self.year_days = [d for d in self.wd if d.year == YEAR]
        self.today = self.year_days[-1]
        self.now = dt.datetime.combine(self.today, dt.time(18, 0))
        self.iso = [d.isoformat() for d in self.wd]
        self._due: dict[tuple[int, int, str], str | None] = {}

    def due(self, di: int, days: int, unit: str) -> str | None:
        key = (di, days, unit)
        found = self._due.get(key, "")
        if found == "":
            value = deadline(self.wd[di], days, unit, self.calendar).value
            found = self._due[key] = value.isoformat() if value else None
        return found

    def generate(self, n: int) -> list[dict[str, Any]]:
        days = len(self.year_days)
        base, extra = divmod(n, days)
        out: list[dict[str, Any]] = []
        for di in range(days):
            per_day = base + (1 if di < extra else 0)
            for seq in range(1, per_day + 1):
                out.append(self.case(di, seq, per_day))
        return out

    # -- answers

    def ri(self, a: int, b: int) -> int:
        """random.randint, without its overhead (this is the generator's hot path)."""
        return a + int(self.r() * (b - a + 1))

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.r() * len(seq))]

    def new_name(self) -> str:
        return str(self.pick(SURNAMES)) + "".join(self.pick(GIVEN)
                                                  for _ in range(self.pick((1, 2, 2))))

    def name(self) -> str:
        return str(self.pick(self.names))

    def vary(self, value: Any, key: str = "") -> Any:
        """Other people, same shape: new names, ID and mobile numbers (birth dates kept)."""
        if isinstance(value, dict):
            for k, v in value.items():
                value[k] = self.vary(v, k)
            return value
        if isinstance(value, list):
            for i, v in enumerate(value):
                value[i] = self.vary(v, key)
            return value
        if isinstance(value, str):
            m = _ID.match(value)
            if m:
                head = m.group(1)  # region and birth date: kept
                total = self._id_sums.get(head)
                if total is None:
                    total = self._id_sums[head] = sum(
                        int(c) * w for c, w in zip(head, _ID_WEIGHTS, strict=False))
                tail = int(self.r() * 1000)
                total += (tail // 100) * 8 + (tail // 10 % 10) * 4 + (tail % 10) * 2
                return f"{head}{tail:03d}" + "10X98765432"[total % 11]
            if _MOBILE.match(value):
                return value[:3] + f"{int(self.r() * 10 ** 8):08d}"
            if key.endswith("name") and _CJK_NAME.match(value):
                return self.name()
        return value

    # -- one case

    def at(self, di: int, prev_di: int, prev: dt.datetime) -> dt.datetime:
        """A moment on working day ``di`` after ``prev`` (on working day ``prev_di``)."""
        if di <= prev_di:
            moment = prev + dt.timedelta(minutes=self.ri(2, 45))
            # never past midnight: the day the event is recorded on stays the same
            return moment if moment.date() == prev.date() else prev + dt.timedelta(seconds=1)
        d = self.wd[di]
        return dt.datetime(d.year, d.month, d.day, 9) + dt.timedelta(
            minutes=self.ri(0, 470))

    def case(self, di: int, seq: int, per_day: int) -> dict[str, Any]:
        kit = self.kits[bisect.bisect(self.cum, self.r() * self.total)]
        ok = self.pick(kit.accepts)
        r = self.r()
        if r < P_REFUSE and kit.refuse:
            first, path = kit.refuse, "refuse"
        elif r < P_REFUSE + P_SUPPLEMENT and kit.incomplete:
            first, path = kit.incomplete, "supplement"
        else:
            first, path = ok, "accept"
        fields, materials, precheck = pickle.loads(first.blob)
        self.vary(fields)
        day = self.wd[di]
        received = dt.datetime(day.year, day.month, day.day, 8, 30) + dt.timedelta(
            seconds=int(30600 * (seq - 1) / per_day) + int(self.r() * 60))
        window = f"window-{self.ri(1, FRONT_SEATS):03d}"
        doc: dict[str, Any] = {
            "number": self.number(day, seq), "matter": kit.code,
            "version": kit.version, "applicant": self.name(), "department": kit.department,
            "fields": fields, "materials": materials, "state": "received",
            "received_on": self.iso[di], "accepted_on": None, "decided_on": None,
            "issued_on": None, "notice_on": None, "precheck": {}, "tolerated": [],
            "route": [], "step_days": [], "step": 0, "signed": [], "step_started_on": None,
            "unit": kit.unit, "committed_days": kit.committed,
            "statutory_days": kit.statutory, "committed_deadline": None,
            "statutory_deadline": None, "pauses": [], "history": []}
        history: list[dict[str, Any]] = doc["history"]
        now = self.now
        clock: list[Any] = [di, received]  # the last event's working day and moment

        def event(action: str, to_state: str, actor: str, when_di: int,
                  data: dict[str, Any] | None = None, comment: str = "") -> int:
            moment = self.at(when_di, clock[0], clock[1])
            if moment > now:
                raise Cut
            history.append({"action": action,
                            "from_state": doc["state"] if history else None,
                            "to_state": to_state, "actor": actor,
                            "at": moment.isoformat(), "comment": comment,
                            "data": data or {}})
            doc["state"] = to_state
            clock[0], clock[1] = max(when_di, clock[0]), moment
            return when_di

        def set_precheck(pre: dict[str, Any], on: int) -> None:
            pre["received_on"] = self.iso[on]
            if pre.get("committed_deadline") is not None:
                pre["committed_deadline"] = self.due(on, kit.committed, kit.unit)
            if pre.get("statutory_deadline") is not None:
                pre["statutory_deadline"] = self.due(on, kit.statutory, kit.unit)
            doc["precheck"] = pre
            doc["notice_on"] = self.iso[on]

        try:
            history.append({"action": "receive", "from_state": None,
                            "to_state": "received", "actor": window,
                            "at": received.isoformat(), "comment": "", "data": {}})
            if received > now:
                raise Cut
            decide = di + (self.ri(1, 7) if self.r() < P_NOTICE_LAG else 0)
            if path == "refuse":
                event("refuse", "refused", window, decide, {"outcome": "refuse"})
                set_precheck(precheck, decide)
                doc["decided_on"] = self.iso[decide]
                return doc
            if path == "supplement":
                event("request_supplement", "supplement", window, decide,
                      {"outcome": "incomplete"})
                set_precheck(precheck, decide)
                back = decide + self.ri(1, 8)
                new_fields, new_materials, precheck = pickle.loads(ok.blob)
                had = {m["id"] for m in materials}
                event("accept", "accepted", window, back,
                      {"outcome": ok.outcome,
                       "brought": [m["id"] for m in new_materials if m["id"] not in had],
                       "fields_changed": new_fields != fields})
                if new_fields != fields:
                    doc["fields"] = self.vary(new_fields)
                doc["materials"] = new_materials
                acc = back
            else:
                event("accept", "accepted", window, decide, {"outcome": ok.outcome})
                acc = decide
            self.accept(doc, kit, ok, precheck, acc, set_precheck)
            self.review(doc, kit, ok, acc, event)
        except Cut:
            pass
        return doc

    def accept(self, doc: dict[str, Any], kit: MatterKit, ok: Template,
               precheck: dict[str, Any], acc: int, set_precheck: Any) -> None:
        set_precheck(precheck, acc)
        doc["accepted_on"] = self.iso[acc]
        doc["committed_deadline"] = self.due(acc, kit.committed, kit.unit)
        doc["statutory_deadline"] = self.due(acc, kit.statutory, kit.unit)
        tolerance = self.due(acc, 5, "working_days")
        doc["tolerated"] = [{"id": t, "due": tolerance, "supplied_on": None}
                            for t in ok.tolerated]
        doc["route"] = [list(step) for step in ok.route]
        doc["step_days"] = list(ok.step_days)
        doc["signed"] = [{} for _ in ok.route]

    def review(self, doc: dict[str, Any], kit: MatterKit, ok: Template, acc: int,
               event: Any) -> None:
        span = kit.committed if kit.unit == "working_days" else kit.committed * 5 // 7
        r = self.r()
        if span == 0:
            k = 0
        elif r < P_STUCK:
            k = span + self.ri(15, 150)
        elif r < P_STUCK + P_LATE:
            k = span + self.ri(1, 8)
        else:
            k = self.ri(max(1, span // 3), span)
        start = acc + (self.pick((0, 0, 1)) if span > 1 else 0)
        plan: list[tuple[int, int, str, Any]] = []  # (day, order, what, arg)
        if kit.licensing and span and self.r() < P_PAUSE:
            p_start, p_len = start + self.ri(0, max(0, k - 1)), self.ri(3, 15)
            k += p_len
            plan.append((p_start, 1, "suspend", self.pick(list(SPECIAL_PROCEDURES))))
            plan.append((p_start + p_len, 1, "resume", None))
        decided = max(start, acc + k)
        for t in ok.tolerated:
            late = self.r() < P_TOLERATED_LATE
            plan.append((max(start, min(decided, acc + (self.ri(6, 12) if late
                                                        else self.ri(0, 4)))),
                         0, "supply", t))
        units = [u for step in ok.route for u in step]
        for j, u in enumerate(units):
            plan.append((start + round((j + 1) * (decided - start) / (len(units) + 1)), 2,
                         "sign_off", u))
        plan.sort(key=lambda p: (p[0], p[1]))

        event("start_review", "in_review", self.back(), start)
        doc["step"], doc["step_started_on"] = 0, self.iso[start]
        for when, _, what, arg in plan:
            state = doc["state"]
            if what == "supply":
                event("supply", state, doc["history"][-1]["actor"], when, {"material": arg})
                for t in doc["tolerated"]:
                    if t["id"] == arg:
                        t["supplied_on"] = self.iso[max(when, acc)]
                doc["materials"].append({"id": arg, "form": None, "copies": None,
                                         "original_sighted": False})
            elif what == "suspend":
                event("suspend", state, self.back(), when, {"reason": arg})
                doc["pauses"].append({"reason": arg, "start": self.iso[when], "end": None})
            elif what == "resume":
                event("resume", state, self.back(), when)
                doc["pauses"][-1]["end"] = self.iso[when]
            else:
                actor = self.back()
                event("sign_off", "in_review", actor, when, {"unit": arg})
                step = doc["step"]
                signed = doc["signed"][step]
                signed[arg] = actor
                if set(signed) >= set(doc["route"][step]):
                    doc["step"] = step + 1
                    doc["step_started_on"] = self.iso[when]
        if self.r() < P_DENY:
            event("deny", "denied", self.back(), decided, comment="不符合法定条件，不予许可")
        else:
            event("approve", "approved", self.back(), decided)
        doc["decided_on"] = self.iso[decided]
        for p in doc["pauses"]:
            if p["end"] is None:
                p["end"] = self.iso[decided]
        issued = decided + (self.pick((0, 0, 1, 2)) if span else 0)
        event("issue", "issued", f"window-{self.ri(1, FRONT_SEATS):03d}", issued)
        doc["issued_on"] = self.iso[issued]

    def back(self) -> str:
        return f"back-{self.ri(1, BACK_SEATS):03d}"


def check_sample(cases: list[dict[str, Any]], rng: random.Random, n: int = 400) -> None:
    """Generated documents must be exactly what the model dumps, with legal histories."""
    for doc in rng.sample(cases, min(n, len(cases))):
        dumped = Case.model_validate(doc).model_dump(mode="json")
        if dumped != doc or list(dumped) != list(doc):
            diff = [k for k in dumped if dumped.get(k) != doc.get(k)]
            raise SystemExit(f"generated case {doc['number']} is not a Case dump: {diff}")
        for e in doc["history"][1:]:
            if TRANSITIONS[e["action"]].get(e["from_state"]) != e["to_state"]:
                raise SystemExit(f"{doc['number']}: illegal {e['action']} from "
                                 f"{e['from_state']}")


# ---------------------------------------------------------------- measurements


class GcClock:
    """CPU time spent in Python's cyclic collector, to tell its pauses from the store's work.

    CPU time of this thread, not wall time: on a shared machine a collection can be
    descheduled half-way, and that wait is not the collector's cost.
    """

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.thread_time()
        else:
            self.total += time.thread_time() - self._start


GC = GcClock()


class Sample:
    """Wall times of one kind of operation, with the collector's share of each."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.gc: list[float] = []

    @contextlib.contextmanager
    def op(self) -> Iterator[None]:
        before = GC.total
        t = time.perf_counter()
        yield
        self.times.append(time.perf_counter() - t)
        self.gc.append(GC.total - before)

    def p(self, q: float) -> float:
        return pct(self.times, q)

    def gc_text(self) -> str:
        hit = [g for g in self.gc if g >= 0.001]
        return f"{len(hit)}/{len(self.gc)}, max {max(hit) * 1000:.0f} ms" if hit else "0"


@dataclass
class Row:
    what: str
    n: int | str
    p50: str
    p99: str
    goal: str
    ok: str
    gc: str = ""

    @classmethod
    def of(cls, what: str, sample: Sample, goal: str = "", limit: float | None = None,
           on: float = 99) -> Row:
        return cls(what, len(sample.times), ms(sample.p(50)), ms(sample.p(99)), goal,
                   verdict(sample.p(on), limit), sample.gc_text())


def timed(fn: Any, *args: Any) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def verdict(value: float, limit: float | None) -> str:
    if limit is None:
        return ""
    return "yes" if value < limit else "**no**"


def tinydb_file(path: Path, docs: list[dict[str, Any]]) -> None:
    """A TinyDB default-storage file holding ``docs``, as JSONStorage itself writes it."""
    table = {str(i): doc for i, doc in enumerate(docs, 1)}
    path.write_text(json.dumps({"_default": table}), encoding="utf-8")


def tinydb_inserts(path: Path, doc: dict[str, Any], k: int) -> tuple[float, list[float]]:
    """One untimed-for-the-median first insert, then ``k`` timed inserts."""
    db = TinyDB(path)
    try:
        first = timed(db.insert, dict(doc, number=doc["number"] + "-0"))
        times = [timed(db.insert, dict(doc, number=f"{doc['number']}-{i}"))
                 for i in range(1, k + 1)]
    finally:
        db.close()
    return first, times


COLD_CHILD = r"""
import datetime as dt, gc, json, sys
sys.path.insert(0, sys.argv[1])
import store_bench as sb
from formkit.catalog import open_catalog
from formkit.cases.stores import open_store
args = json.loads(sys.stdin.read())
calendar = open_catalog(sb.DEFINITIONS).work_calendar()  # as the CLI opens it
cold = sb.Sample()
for number in args["numbers"]:
    fresh = open_store(args["root"], prefix=args["prefix"])
    with cold.op():
        found = fresh.get(number)
    assert found is not None and found["number"] == number
cold_m, cold_read, report = sb.cold_overdue(args["root"], args["prefix"],
                                            dt.date.fromisoformat(args["today"]),
                                            calendar, args["ops"])
flags = {k: len(getattr(report, k)) for k in sb.FLAGS}
print(json.dumps({"samples": [[s.times, s.gc] for s in (cold, cold_m, cold_read)],
                  "open": report.open_cases, "flags": flags,
                  "tracked": len(gc.get_objects())}))
"""


def pg_sizes(url: str) -> tuple[int, int, int]:
    """The PostgreSQL store's bytes (tables and indexes of its schema), month
    partitions of ``cases`` and rows of ``open_cases``."""
    import psycopg

    with psycopg.connect(url) as conn:
        size, parts = conn.execute(
            "SELECT (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE "
            "c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'), "
            "(SELECT count(*) FROM pg_inherits WHERE inhparent = 'cases'::regclass)"
            ).fetchone()
        opened = conn.execute("SELECT count(*) FROM open_cases").fetchone()[0]
    return int(size or 0), int(parts), int(opened)


def pg_server(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        found = conn.execute("SHOW server_version").fetchone()[0]
        sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
        fsync = conn.execute("SHOW fsync").fetchone()[0]
    return f"{found}, fsync {fsync}, synchronous_commit {sync}"


def cold_overdue(root: Path | str, prefix: str, today: dt.date, calendar: WorkCalendar,
                 ops: int) -> tuple[Sample, Sample, Any]:
    """``ops`` overdue lists, each on a new store object: the whole list, the reading
    of the open-case index within it, and the last report."""
    whole, read = Sample(), Sample()
    report = None
    for _ in range(ops):
        fresh = open_store(str(root), prefix=prefix)
        with whole.op():
            with read.op():
                got = fresh.open_summaries()
            report = monitor(got, today, calendar)
    return whole, read, report


FLAGS = ("due_soon", "yellow", "red", "notice_risk", "step_overdue", "tolerated_overdue")


@dataclass
class ColdReport:
    """The overdue list's counts, as the child process found them."""

    open_cases: int
    flags: dict[str, int]


def cold_in_child(root: Path | str, prefix: str, numbers: list[str], today: dt.date, ops: int
                  ) -> tuple[Sample, Sample, Sample, ColdReport, int]:
    """Cold lookups and overdue lists in a fresh Python process (see ``COLD_CHILD``)."""
    request = json.dumps({"root": str(root), "prefix": prefix, "numbers": numbers,
                          "today": today.isoformat(), "ops": ops})
    proc = subprocess.run([sys.executable, "-c", COLD_CHILD, str(Path(__file__).parent)],
                          input=request, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"the cold child failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    samples = []
    for times, gcs in out["samples"]:
        sample = Sample()
        sample.times, sample.gc = times, gcs
        samples.append(sample)
    report = ColdReport(out["open"], out["flags"])
    return samples[0], samples[1], samples[2], report, out["tracked"]


def transition_plan(summaries: list[dict[str, Any]], rng: random.Random
                    ) -> list[tuple[str, str, str]]:
    """The next legal durable transition of each open case: (action, number, argument).

    What the back office would do next: start the review of an accepted case, sign off
    the current step, approve a case whose steps are all signed, or (one in ten) stop
    the clock for a special procedure.
    """
    plan = []
    for s in summaries:
        paused = any(p.get("end") is None for p in s.get("pauses") or [])
        reason = rng.choice(list(SPECIAL_PROCEDURES))
        if not paused and s["state"] in ("accepted", "in_review") and rng.random() < 0.1:
            plan.append(("suspend", s["number"], reason))
        elif s["state"] == "accepted":
            plan.append(("start_review", s["number"], ""))
        elif s["state"] == "in_review":
            step, route = int(s.get("step") or 0), s.get("route") or []
            if step >= len(route):
                # a tolerated (容缺) material still owed: no approval before it comes
                if not any(t.get("supplied_on") is None for t in s.get("tolerated") or []):
                    plan.append(("approve", s["number"], ""))
                continue
            left = [u for u in route[step] if u not in (s.get("signed") or [{}])[step]]
            if left:
                plan.append(("sign_off", s["number"], left[0]))
    rng.shuffle(plan)
    return plan


def run_transition(svc: CaseService, action: str, number: str, arg: str) -> None:
    """One back-office transition of the benches (this one's plans and
    load_bench_api's writers): ``arg`` is the unit, material, reason or procedure."""
    actor = "back-001"
    if action == "start_review":
        svc.start_review(number, actor=actor)
    elif action == "sign_off":
        svc.sign_off(number, arg, actor=actor)
    elif action == "supply":
        svc.supply(number, arg, actor=actor)
    elif action == "approve":
        svc.approve(number, actor=actor)
    elif action == "deny":
        svc.deny(number, actor=actor, reason=arg)
    elif action == "issue":
        svc.issue(number, actor=actor)
    elif action == "suspend":
        svc.suspend(number, arg, actor=actor)
    else:
        raise ValueError(action)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=130_000, help="cases in the year")
    ap.add_argument("--dir", help="keep the store and TinyDB files here (empty or new)")
    ap.add_argument("--ops", type=int, default=300, help="operations per live measure")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--default-inserts", type=int, default=3,
                    help="timed inserts per size into TinyDB's default storage")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile extra transitions and print the top functions")
    ap.add_argument("--store", help="a postgresql:// URL: measure the PostgreSQL store "
                    "(default: the embedded store in a folder)")
    args = ap.parse_args(argv)
    command = "python " + " ".join(shlex.quote(a) for a in
                                   [os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    rng = random.Random(args.seed)
    if args.dir:
        work = Path(args.dir)
        if work.exists() and any(work.iterdir()):
            raise SystemExit(f"{work} is not empty: give a new or empty folder")
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="store-bench-"))
    rows: list[Row] = []
    notes: list[str] = []
    try:
        return _run(args, command, rng, work, rows, notes)
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)


def _run(args: argparse.Namespace, command: str, rng: random.Random, work: Path,
         rows: list[Row], notes: list[str]) -> int:
    load_start = os.getloadavg()
    opened = open_catalog(DEFINITIONS)
    if opened.errors:
        raise SystemExit(f"the sample catalog has errors: {opened.errors[:3]}")
    calendar = opened.work_calendar()
    prefix = opened.catalog.code_prefix if opened.catalog else "FK"
    pg = bool(args.store) and is_url(args.store)
    root: Path | str = args.store if pg else work / "store"
    if pg:
        upgrade(args.store)
    store = open_store(str(root), prefix=prefix)
    if pg and any(store.counts().values()):  # type: ignore[attr-defined]
        raise SystemExit(f"the database already holds cases of {prefix}: give an empty "
                         "database (or a schema of its own: ?options=-csearch_path%3D...)")
    kits = matter_kits(opened, calendar, dt.date(YEAR, 11, 25))
    for kit, _ in kits:
        snapshot = matter_snapshot(opened, kit.code)
        store.put_version({**snapshot, "published": True, "published_by": "bench",
                           "published_at": f"{YEAR}-01-01T08:00:00", "note": "bench"})

    # 1. generate
    log(f"generating {args.cases:,} cases ...")
    gen = YearGenerator(kits, calendar, store.number, args.seed)
    # The collector would walk the growing year again and again (half the generation
    # time); the generator makes no cycles, so it runs without it.
    gc.disable()
    t = time.perf_counter()
    cases = gen.generate(args.cases)
    t_gen = time.perf_counter() - t
    gc.enable()
    check_sample(cases, rng)
    sizes = [len(json.dumps(c, ensure_ascii=False).encode()) for c in cases]
    events = [len(c["history"]) for c in cases]
    states = Counter(c["state"] for c in cases)
    open_count = sum(1 for c in cases if summary(c) is not None)
    rows.append(Row(f"generate {len(cases):,} cases (plain dicts, collector off)",
                    len(cases), secs(t_gen), "", "", ""))

    # 2. bulk import
    log("importing ...")
    gc.collect()
    gc_before = GC.total
    t = time.perf_counter()
    count = store.import_cases(cases, summary)
    t_import = time.perf_counter() - t
    assert count == len(cases)
    rows.append(Row("bulk import `store.import_cases(cases, summary)`, fsync on", count,
                    secs(t_import), "", "< 60 s", verdict(t_import, 60),
                    f"{(GC.total - gc_before):.1f} s"))
    if pg:
        disk, partitions, index_files = pg_sizes(str(root))
    else:
        assert isinstance(root, Path)
        disk = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        partitions = len(list((root / "cases").rglob("*.json")))
        index_files = len(list((root / "open").glob("*.json")))

    # TinyDB default storage files holding the same cases, written directly
    default_sizes = [] if pg else sorted({min(20_000, len(cases)), len(cases)})
    default_files = {}
    for size in default_sizes:
        log(f"writing a TinyDB default-storage file of {size:,} cases ...")
        path = work / f"tinydb-default-{size}.json"
        tinydb_file(path, cases[:size])
        default_files[size] = path
    probe = dict(cases[-1])
    probe_size = len(json.dumps(probe).encode())
    sample_numbers = [c["number"] for c in rng.sample(cases, min(args.ops, len(cases)))]
    gen.number = None  # it holds the import store, whose cache holds the year
    del cases, store
    gc.collect()
    rss_before = current_rss_mb()  # the generated year is gone; the allocator keeps most
    os.sync()  # no write-back of the files above during the live measures

    # 3a. cold: a new store object per operation in a fresh process that holds nothing
    # else, as `formkit cases overdue` / `cases show` run. The same overdue lists are
    # also timed here, in this process, which carries the heap the generated year left
    # (its figure is printed beside the child's, without a verdict).
    log("cold lookups and overdue lists (a fresh process) ...")
    today = gen.today
    cold, cold_m, cold_read, cold_report, tracked_child = cold_in_child(
        root, prefix, sample_numbers, today, args.ops)
    log("cold overdue lists in this process ...")
    cold_here, _, _ = cold_overdue(root, prefix, today, calendar, args.ops)
    notes.append(f"Cold operations ran in a fresh child process (the CLI's situation; "
                 f"its collector tracked {tracked_child:,} objects at the end). The "
                 f"overdue list timed cold in this bench process, RSS "
                 f"{current_rss_mb():,.0f} MB, is the row marked 'bench process'.")

    # 3b. one long-lived store object (the studio's), its cache growing as it works
    store = open_store(str(root), prefix=prefix)
    clock_now = [gen.now]

    def now() -> dt.datetime:
        clock_now[0] += dt.timedelta(seconds=1)
        return clock_now[0]

    svc = CaseService(store, calendar, now=now)
    plan = transition_plan(store.open_summaries(), rng)
    ops = plan[: args.ops]
    log(f"{len(ops)} transitions ...")
    trans = Sample()
    refused = []
    for op in ops:
        try:
            with trans.op():  # a refused move is not timed (it writes nothing)
                run_transition(svc, *op)
        except IllegalTransition:  # a rule the summary does not show (a deny ground)
            refused.append(op)
    ops = [op for op in ops if op not in refused]
    if refused:
        notes.append(f"{len(refused)} planned transitions were refused by the service's "
                     "rules (e.g. an approval of a case accepted with a ground for denial) "
                     "and are not timed.")
    for action, number, _ in ops:
        found = store.get(number)
        assert found is not None and found["history"][-1]["action"] == action
    mix = Counter(op[0] for op in ops)

    log("inserts ...")
    kit = next((k for k, _ in kits if k.code == "XX-PS-0001"), kits[0][0])
    _, materials, _ = pickle.loads(kit.accepts[0].blob)

    def make(number: str) -> dict[str, Any]:
        at = now()
        return {"number": number, "matter": kit.code, "version": kit.version,
                "applicant": gen.name(), "department": kit.department,
                "fields": gen.vary(pickle.loads(kit.accepts[0].blob)[0]),
                "materials": materials, "state": "received",
                "received_on": at.date().isoformat(), "accepted_on": None,
                "decided_on": None, "issued_on": None, "notice_on": None, "precheck": {},
                "tolerated": [], "route": [], "step_days": [], "step": 0, "signed": [],
                "step_started_on": None, "unit": kit.unit, "committed_days": kit.committed,
                "statutory_days": kit.statutory, "committed_deadline": None,
                "statutory_deadline": None, "pauses": [],
                "history": [{"action": "receive", "from_state": None,
                             "to_state": "received", "actor": "window-001",
                             "at": at.isoformat(), "comment": "", "data": {}}]}

    create = Sample()
    for _ in range(args.ops):
        with create.op():
            store.create(today, make, summary, audit_entry)
    ours = create.p(50)

    log("warm lookups and overdue lists ...")
    for number in sample_numbers:
        store.get(number)
    warm = Sample()
    for number in sample_numbers:
        with warm.op():
            store.get(number)
    monitor(store.open_summaries(), today, calendar)
    warm_m, warm_read = Sample(), Sample()
    for _ in range(args.ops):
        with warm_m.op():
            with warm_read.op():
                got = store.open_summaries()
            monitor(got, today, calendar)
    cache = store.cache_info() if isinstance(store, TinyCaseStore) else None
    gc.collect()
    t = time.perf_counter()
    gc.collect()
    full_gc = time.perf_counter() - t
    rss = current_rss_mb()

    rows.append(Row.of("durable transition via `CaseService` ("
                       + ", ".join(f"{k} {v}" for k, v in sorted(mix.items())) + ")",
                       trans, "p99 < 20 ms", 0.020))
    rows.append(Row.of(f"durable insert `store.create` (new case on {today})", create))
    rows.append(Row.of("lookup `store.get(number)`, cold (new store object each)", cold,
                       "< 5 ms", 0.005))
    rows.append(Row.of("lookup `store.get(number)`, warm", warm, "< 5 ms", 0.005))
    rows.append(Row.of("overdue list `monitor(store.open_summaries(), today, cal)`, cold",
                       cold_m, "< 100 ms", 0.100))
    rows.append(Row.of("&nbsp;&nbsp;of which `open_summaries()`, cold", cold_read))
    rows.append(Row.of("&nbsp;&nbsp;the same overdue list, cold, in the bench process",
                       cold_here))
    rows.append(Row.of("overdue list, warm (long-lived store object)", warm_m, "< 100 ms",
                       0.100))
    rows.append(Row.of("&nbsp;&nbsp;of which `open_summaries()`, warm", warm_read))
    notes.append((f"The long-lived store object's read cache after these operations: "
                  f"{cache['partitions']} case partitions holding {cache['cases']:,} cases "
                  f"({cache['bytes'] / 2 ** 20:.1f} MB of case JSON), {cache['tables']} "
                  f"index and version files parsed; " if cache else
                  "PostgreSQL store: no read cache of ours; ")
                 + f"a full collection then takes "
                 f"{ms(full_gc)}; the bench process's RSS is then {rss:,.0f} MB, "
                 f"{rss - rss_before:+,.0f} MB since the live operations began (before "
                 f"them: {rss_before:,.0f} MB, most of it memory the generated year left "
                 f"with Python's allocator).")

    if args.profile:
        extra = plan[args.ops: args.ops + 100]
        prof = cProfile.Profile()
        prof.enable()
        for op in extra:
            run_transition(svc, *op)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(18)
        notes.append(f"cProfile of {len(extra)} more transitions (by own time):\n\n```\n"
                     + "\n".join(out.getvalue().strip().splitlines()[:40]) + "\n```")

    for size in default_sizes:
        log(f"TinyDB default storage at {size:,} ...")
        gc.collect()
        os.sync()
        gc_before = GC.total
        first, times = tinydb_inserts(default_files[size], probe, args.default_inserts)
        med = statistics.median(times)
        ratio = f"{med / ours:,.0f}x our insert p50" if size == default_sizes[-1] else ""
        rows.append(Row(f"TinyDB default `db.insert` into {size:,} of the same cases "
                        f"(first insert, with its id scan: {ms(first)})", len(times),
                        ms(med), ms(max(times)), ratio, "",
                        f"{(GC.total - gc_before):.1f} s in all {len(times) + 1}"))
        default_files[size].unlink()

    flags = cold_report.flags
    # 4. the table
    print(f"## Case store bench\n\n`{command}`\n")
    print(f"{len(sizes):,} cases over the {len(gen.year_days)} working days of {YEAR} "
          f"(~{len(sizes) / len(gen.year_days):.0f}/day), {len(kits)} sample matters; "
          f"case JSON {statistics.mean(sizes) / 1024:.1f} KB mean "
          f"(p50 {pct(sizes, 50) / 1024:.1f}, max {max(sizes) / 1024:.1f}), "
          f"{statistics.mean(events):.1f} history events mean; "
          f"states at {today} 18:00: "
          + ", ".join(f"{k} {v:,}" for k, v in states.most_common())
          + f"; {open_count:,} open (in the index). Store"
          + (f" (PostgreSQL {pg_server(str(root))}): {partitions} month partitions, "
             f"{index_files} rows in open_cases, {disk / 2 ** 20:.0f} MB of tables and "
             "indexes after the import. " if pg else
             f": {partitions} case partitions, {index_files} open-index files, "
             f"{disk / 2 ** 20:.0f} MB after the import. ")
          +
          f"Overdue list at {today} (before the live operations): "
          f"{cold_report.open_cases:,} open cases, "
          + ", ".join(f"{k} {v}" for k, v in flags.items())
          + ". The TinyDB default-storage files hold the same generated cases; the "
          f"inserted doc is one of them ({probe_size / 1024:.1f} KB as JSONStorage writes "
          "it, ASCII-escaped).\n")
    print("| measure | n | p50 | p99 (TinyDB default: max) | goal | met | GC in ops |")
    print("|---|---:|---:|---:|---|---|---|")
    for r in rows:
        print(f"| {r.what} | {r.n} | {r.p50} | {r.p99} | {r.goal} | {r.ok} | {r.gc} |")
    load_end = os.getloadavg()
    print(f"\nPython {platform.python_version()}, TinyDB {package_version('tinydb')}, "
          f"{os.cpu_count()} cores, {platform.machine()}; load average (1 min) "
          f"{load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end (this process "
          "alone keeps it near 1: more means other work shared the machine and the "
          f"figures are inflated); store in {work}. "
          "`GC in ops`: operations in which Python's cyclic collector spent 1 ms or more "
          "of CPU, and the most it spent in one (for the import and TinyDB: its total).")
    for note in notes:
        print("\n" + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
