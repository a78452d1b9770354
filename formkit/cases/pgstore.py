"""The case store on PostgreSQL: several processes on several machines over one database.

``PostgresCaseStore`` implements ``CaseStore`` with the meaning the embedded store
gives each method (``docs/store.md``, "PostgreSQL"):

- Each write is one transaction: a transition, its open-case summary and its audit
  entry commit together or not at all (``SELECT ... FOR UPDATE`` on the case row, so
  no update is lost).
- Case numbers come from ``case_counters`` (centre, day), bumped by ``INSERT ... ON
  CONFLICT DO UPDATE ... RETURNING`` in the creating transaction: the row lock
  serialises the creates of one centre and day, a rollback gives the number back.
- Cases are partitioned by month of receipt (``cases_y2026m11``), each partition
  created on demand under an advisory lock. The open cases' summaries are a table of
  their own (``open_cases``), written in the same transaction: the monitor never
  reads a closed case. Each row has a revision from a sequence, bumped by every write;
  a store object keeps the summaries it read and fetches only the rows whose revision
  changed since.
- The audit trail keeps the embedded store's hash chain: each entry's sealed JSON
  line (``formkit.cases.files.seal``). A centre has ``LANES`` chains, an entry's lane
  chosen by its case number (a case's entries stay in one chain, in order); a lane's
  tail is a row of ``audit_heads``, locked by each append until it commits, so the
  appends of one lane are serialised and the lanes commit side by side.
- Every table carries ``centre`` (the case-number prefix): the distribution column
  of a distributed PostgreSQL (Citus).
- The schema comes from versioned migrations (``formkit/cases/migrations/*.sql``),
  applied by ``upgrade`` (``formkit db upgrade``) in order under an advisory lock and
  recorded in ``schema_migrations``. A store refuses a schema older or newer than
  its code.

psycopg (with its pool) is imported only here, and this module only when a
``postgresql://`` URL is used (``formkit.cases.stores.open_store``).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import re
import threading
import zlib
from collections.abc import Callable, Hashable, Iterable, Iterator
from importlib import resources
from typing import Any

from formkit.cases.files import seal
from formkit.cases.store import AuditOf, CaseStore, T, imported_number, parse_number, unknown_case
from formkit.errors import InputError, StoreError

try:
    import psycopg
    from psycopg.rows import tuple_row
    from psycopg.types.json import Json
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError:  # pragma: no cover - the [postgres] extra is not installed
    psycopg = None  # type: ignore[assignment]

__all__ = ["LANES", "MIGRATIONS", "PostgresCaseStore", "close_pools", "lane_of", "migrations",
           "schema_version", "upgrade"]

_PREFIX = re.compile(r"[A-Z0-9]{1,8}")
_LOCK_MIGRATIONS = 0x666B_6D69  # "fkmi": the advisory lock of upgrade
_LOCK_PARTITIONS = 0x666B_7061  # "fkpa": the advisory lock of partition creation
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_UPGRADE_HINT = "run: formkit db upgrade --store URL (the same URL)"
# Audit chains per centre. An append holds its lane's tail row until its commit has
# reached the disk, so one chain let a centre commit one transition at a time (8
# writers near 270/s on 2 cores); 8 lanes let 8 writers commit together (group commit).
# verify_audit reads the lanes there are, so changing this needs no migration.
LANES = 8


def migrations() -> list[tuple[int, str, str]]:
    """The migrations shipped with this formkit: (version, file name, SQL), in order."""
    found = []
    for item in resources.files("formkit.cases").joinpath("migrations").iterdir():
        m = _MIGRATION_NAME.match(item.name)
        if m:
            found.append((int(m.group(1)), item.name, item.read_text(encoding="utf-8")))
    return sorted(found)


MIGRATIONS = len(migrations())  # the schema version this code needs


def _driver() -> Any:
    if psycopg is None:
        raise StoreError("a postgresql:// store needs the PostgreSQL driver (psycopg)", None,
                         code="no-driver",
                         hint="pip install 'formkit[postgres]'")
    return psycopg


def _safe_url(url: str) -> str:
    """``url`` without its password, for messages (``stores.printable``)."""
    from formkit.cases.stores import printable

    return printable(url)


def connection_error(exc: Exception, url: str) -> StoreError:
    """What a failed connection means, as a StoreError (never a traceback)."""
    text = str(exc).strip()
    where = _safe_url(url)
    if (isinstance(exc, psycopg.ProgrammingError) and "conninfo" in text.lower()) \
            or "invalid connection option" in text or "invalid URI" in text \
            or "invalid integer value" in text or "missing \"=\"" in text:
        return StoreError(f"'{where}' is not a PostgreSQL URL: {text}", None,
                          code="bad-store-url",
                          hint="postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE")
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low \
            or "no pg_hba.conf entry" in low or ("role" in low and "does not exist" in low):
        return StoreError(f"the database at {where} refused the sign-in: "
                          f"{text.splitlines()[-1]}", None, code="auth-failed",
                          hint="check the user and password in the URL (and pg_hba.conf)")
    if "database" in low and "does not exist" in low:
        return StoreError(f"no database at {where}: {text.splitlines()[-1]}", None,
                          code="no-database",
                          hint="create it (createdb), then run: formkit db upgrade --store URL")
    return StoreError(f"the database at {where} does not answer: "
                      f"{text.splitlines()[-1] if text else type(exc).__name__}", None,
                      code="no-server",
                      hint="check the host and port in the URL, and that PostgreSQL runs")


def _connect(url: str) -> Any:
    pg = _driver()
    try:
        return pg.connect(url, connect_timeout=10)
    except (pg.Error, ValueError) as exc:
        raise connection_error(exc, url) from None


def schema_version(url: str) -> int:
    """The highest migration applied to the database (0: none)."""
    with contextlib.closing(_connect(url)) as conn:
        return _version_of(conn)


def _version_of(conn: Any) -> int:
    found = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not found[0]:
        conn.rollback()
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    conn.rollback()
    return int(row[0])


def upgrade(url: str) -> list[str]:
    """Apply the migrations the database lacks, in order, in one transaction, under an
    advisory lock (two processes upgrading at once: the second finds nothing to do).
    Returns the names of the migrations applied."""
    pg = _driver()
    applied: list[str] = []
    with contextlib.closing(_connect(url)) as conn:
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_MIGRATIONS,))
                conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version integer PRIMARY KEY, name text NOT NULL, "
                             "applied_at timestamptz NOT NULL DEFAULT now())")
                done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
                newest = max(done, default=0)
                if newest > MIGRATIONS:
                    raise _newer(newest, url)
                for version, name, sql in migrations():
                    if version in done:
                        continue
                    conn.execute(sql)
                    conn.execute("INSERT INTO schema_migrations (version, name) "
                                 "VALUES (%s, %s)", (version, name))
                    applied.append(name)
        except pg.Error as exc:
            raise StoreError(f"the upgrade of {_safe_url(url)} failed, nothing of it was "
                             f"applied: {str(exc).strip()}", None, code="upgrade-failed",
                             hint="fix the cause (rights to create tables?), then run "
                                  "formkit db upgrade again") from None
    return applied


def _newer(found: int, url: str) -> StoreError:
    return StoreError(f"the database at {_safe_url(url)} has schema version {found}, newer "
                      f"than this formkit's {MIGRATIONS}", None, code="schema-newer",
                      hint="run a formkit at least as new as the one that upgraded it")


# One pool per URL and process: store objects on one database share it (as store
# objects on one folder share its lock), and a test run does not pile up connections.
_pools: dict[str, Any] = {}
_pools_lock = threading.Lock()


def _check(conn: Any) -> None:
    """A pooled connection is tried before it is handed out (a restarted server)."""
    conn.execute("")


def _pool(url: str, size: int) -> Any:
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None or pool.closed:
            # autocommit: the store's transactions are its own BEGIN ... COMMIT (_tx).
            # Without it the pool's check opened an implicit transaction, each _tx
            # became a SAVEPOINT inside it and the pool committed at the end: three
            # more round trips for every write.
            pool = ConnectionPool(url, min_size=1, max_size=size, open=False, timeout=15,
                                  kwargs={"connect_timeout": 10, "autocommit": True},
                                  check=_check, name="formkit-store")
            try:
                pool.open(wait=True, timeout=15)  # the first call finds a connection ready
            except PoolTimeout:
                pool.close()
                raise StoreError(f"the database at {_safe_url(url)} does not answer (no "
                                 "connection within 15 s)", None, code="no-server",
                                 hint="check that PostgreSQL runs and accepts connections "
                                      "(max_connections)") from None
            _pools[url] = pool
        return pool


def close_pools(url: str | None = None) -> None:
    """Close the connection pool of ``url`` (every pool: None)."""
    with _pools_lock:
        for key in [k for k in _pools if url is None or k == url]:
            _pools.pop(key).close()


atexit.register(close_pools)


class _Lost(Exception):
    """A create whose idempotency key another transaction took first."""


class PostgresCaseStore(CaseStore):
    """The case store of one centre (``prefix``) in a PostgreSQL database."""

    def __init__(self, url: str, *, prefix: str = "FK", pool_size: int = 8) -> None:
        """Open the store at ``url``; checks the server, the sign-in and the schema.

        Raises:
            StoreError: ``no-driver``, ``bad-store-url``, ``no-server``, ``auth-failed``,
                ``no-database``, ``schema-old`` (run ``formkit db upgrade``),
                ``schema-newer``, ``bad-prefix``.
        """
        if not _PREFIX.fullmatch(prefix):
            raise StoreError(f"'{prefix}' cannot start a case number", None,
                             code="bad-prefix", hint="1 to 8 capital letters or digits")
        pg = _driver()
        self.url = url
        self.prefix = prefix
        with contextlib.closing(_connect(url)) as conn:
            try:
                found = _version_of(conn)
            except pg.Error as exc:
                raise connection_error(exc, url) from None
        if found < MIGRATIONS:
            raise StoreError(
                f"the database at {_safe_url(url)} has schema version {found}, this formkit "
                f"needs {MIGRATIONS}" if found else
                f"the database at {_safe_url(url)} holds no formkit case store yet", None,
                code="schema-old", hint=_UPGRADE_HINT)
        if found > MIGRATIONS:
            raise _newer(found, url)
        self._pool = _pool(url, pool_size)
        self._months: set[tuple[int, int]] = set()  # partitions known to exist
        self._digests: dict[Hashable, dict[dt.date, tuple[tuple[int, int], Any]]] = {}
        self._lock = threading.Lock()
        self._open: dict[str, tuple[int, dict[str, Any]]] = {}  # number: (rev, summary)

    # ---- connections

    @contextlib.contextmanager
    def _tx(self, outcome: str = "nothing was changed") -> Iterator[Any]:
        """A pooled connection in one transaction (committed at the end of the block,
        rolled back by an exception); lost connections as a StoreError."""
        try:
            with self._pool.connection() as conn, conn.transaction():
                yield conn
        except PoolTimeout:
            raise StoreError(f"the database at {_safe_url(self.url)} does not answer "
                             f"(no connection within 15 s): {outcome}", None,
                             code="no-server",
                             hint="check that PostgreSQL runs, then do it again") from None
        except psycopg.OperationalError as exc:
            raise StoreError(f"the connection to the database was lost: {outcome} "
                             f"({str(exc).strip().splitlines()[0] if str(exc) else ''})",
                             None, code="connection-lost",
                             hint="look the case up before doing it again: a change "
                                  "whose commit was under way may have been saved") from None
        except psycopg.Error as exc:  # a constraint, a bad value, a missing table ...
            state = getattr(exc, "sqlstate", None) or type(exc).__name__
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise StoreError(f"数据库拒绝了此操作 (the database refused it: {outcome}): "
                             f"{type(exc).__name__} [{state}] {first}", None,
                             code="db-refused",
                             hint="the transaction was rolled back; report this with the "
                                  "message (formkit db upgrade if the schema was changed "
                                  "by hand)") from None

    def _ensure_month(self, day: dt.date) -> None:
        """The partition of ``day``'s month, created if missing (in a transaction of its
        own, under an advisory lock: two processes creating it at once are safe).

        Raises:
            StoreError: ``month-archived``: the month's partition was detached (or
                its cases were received but it is no longer in the database).
        """
        month = (day.year, day.month)
        if month in self._months:
            return
        name = _partition(day)
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        with self._tx("no case was created") as conn:
            state = self._month_state(conn, day)
            if state == "missing":
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_PARTITIONS,))
                state = self._month_state(conn, day)  # another process may have made it
            if state == "missing":
                conn.execute(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF cases "
                             f"FOR VALUES FROM ('{start.isoformat()}') "
                             f"TO ('{end.isoformat()}')")
            elif state != "attached":
                raise _archived(day, state)
        self._months.add(month)

    @staticmethod
    def _month_state(conn: Any, day: dt.date) -> str:
        """Where ``day``'s month stands: ``attached`` (its partition is one of
        ``cases``'), ``detached`` (a table of the partition's name is there, not
        attached: ``ALTER TABLE cases DETACH PARTITION``), ``gone`` (no such table, but
        cases were numbered in that month: detached and renamed, moved or dropped) or
        ``missing`` (never made). ``to_regclass`` alone finds a detached table too."""
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        found, attached, numbered = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL, EXISTS (SELECT 1 FROM pg_inherits "
            "WHERE inhrelid = to_regclass(%s) AND inhparent = 'cases'::regclass), "
            "EXISTS (SELECT 1 FROM case_counters WHERE day >= %s AND day < %s)",
            (_partition(day), _partition(day), start, end)).fetchone()
        if attached:
            return "attached"
        if found:
            return "detached"
        return "gone" if numbered else "missing"

    def _refused_month(self, day: dt.date) -> StoreError | None:
        """``month-archived`` if ``day``'s month is no longer attached (checked afresh:
        an operator may have detached it while this process ran), else None."""
        self._months.discard((day.year, day.month))
        try:
            with self._tx() as conn:
                state = self._month_state(conn, day)
        except StoreError:
            return None
        return None if state in ("attached", "missing") else _archived(day, state)

    # ---- numbers

    def number(self, day: dt.date, seq: int) -> str:
        """The case number of sequence ``seq`` received on ``day``."""
        return f"{self.prefix}{day:%Y%m%d}{seq:05d}"

    def _key_of(self, number: str) -> tuple[str, dt.date, int] | None:
        """(number, day, seq) of a number of this centre; None for another's."""
        prefix, day, seq = parse_number(number)
        if prefix != self.prefix:
            return None
        return number.strip().upper(), day, seq

    # ---- cases

    def create(self, day: dt.date, make: Callable[[str], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None, *, key: str | None = None) -> dict[str, Any]:
        self._ensure_month(day)
        try:
            return self._create(day, make, summary, audit, key)
        except StoreError as exc:
            if exc.code != "db-refused":
                raise
            raise self._refused_month(day) or exc from None

    def _create(self, day: dt.date, make: Callable[[str], dict[str, Any]],
                summary: Callable[[dict[str, Any]], dict[str, Any] | None],
                audit: AuditOf | None, key: str | None) -> dict[str, Any]:
        try:
            with self._tx("no case was created") as conn:
                if key is not None:
                    taken = conn.execute(
                        "INSERT INTO case_keys (centre, key) VALUES (%s, %s) "
                        "ON CONFLICT DO NOTHING RETURNING 1", (self.prefix, key)).fetchone()
                    if taken is None:  # created before (or just now, by another)
                        raise _Lost
                while True:
                    seq = conn.execute(
                        "INSERT INTO case_counters AS c (centre, day, last) "
                        "VALUES (%s, %s, 1) ON CONFLICT (centre, day) "
                        "DO UPDATE SET last = c.last + 1 RETURNING last",
                        (self.prefix, day)).fetchone()[0]
                    if seq > 99_999:
                        raise StoreError(f"more than 99,999 cases on {day}", None)
                    number = self.number(day, seq)
                    case = make(number)
                    # a counter behind its cases (an import's): never overwrite, go on
                    written = conn.execute(
                        "INSERT INTO cases (centre, number, received_on, seq, version, doc) "
                        "VALUES (%s, %s, %s, %s, nextval('case_versions'), %s) "
                        "ON CONFLICT DO NOTHING RETURNING 1",
                        (self.prefix, number, day, seq, Json(case))).fetchone()
                    if written is not None:
                        break
                self._set_summary(conn, number, day, summary(case))
                if key is not None:
                    conn.execute("UPDATE case_keys SET number = %s WHERE centre = %s AND "
                                 "key = %s", (number, self.prefix, key))
                if audit is not None:
                    entry = audit(case)
                    if entry is not None:
                        self._append(conn, entry)
                return case
        except _Lost:
            with self._tx() as conn:
                row = conn.execute("SELECT number FROM case_keys WHERE centre = %s AND "
                                   "key = %s", (self.prefix, key)).fetchone()
            found = self.get(row[0]) if row and row[0] else None
            if found is None:  # pragma: no cover - a key row always names its case
                raise StoreError(f"the idempotency key {key!r} names no case", None) from None
            return found

    def find_key(self, key: str) -> dict[str, Any] | None:
        """The case created with idempotency key ``key``, or None."""
        with self._tx() as conn:
            row = conn.execute("SELECT number FROM case_keys WHERE centre = %s AND key = %s",
                               (self.prefix, key)).fetchone()
        return self.get(row[0]) if row and row[0] else None

    def get(self, number: str) -> dict[str, Any] | None:
        found = self._key_of(number)
        if found is None:
            return None
        with self._tx() as conn:
            row = conn.execute("SELECT doc FROM cases WHERE centre = %s AND number = %s "
                               "AND received_on = %s", (self.prefix, found[0], found[1])
                               ).fetchone()
            state = self._month_state(conn, found[1]) if row is None else "attached"
        if state in ("detached", "gone"):
            raise _archived(found[1], state, found[0])
        return None if row is None else dict(row[0])

    def update(self, number: str, change: Callable[[dict[str, Any]], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None) -> dict[str, Any]:
        found = self._key_of(number)
        if found is None:
            raise unknown_case(number)
        normal, day, _ = found
        with self._tx(f"case {normal} is as it was: nothing was changed") as conn:
            row = conn.execute("SELECT doc FROM cases WHERE centre = %s AND number = %s "
                               "AND received_on = %s FOR UPDATE",
                               (self.prefix, normal, day)).fetchone()
            if row is None:
                state = self._month_state(conn, day)
                if state in ("detached", "gone"):
                    raise _archived(day, state, normal)
                raise unknown_case(number)
            new = change(row[0])
            conn.execute("UPDATE cases SET doc = %s, version = nextval('case_versions') "
                         "WHERE centre = %s AND number = %s AND received_on = %s",
                         (Json(new), self.prefix, normal, day))
            self._set_summary(conn, normal, day, summary(new))
            if audit is not None:
                entry = audit(new)
                if entry is not None:
                    self._append(conn, entry)
        return json.loads(json.dumps(new))  # type: ignore[no-any-return]

    def _set_summary(self, conn: Any, number: str, day: dt.date,
                     entry: dict[str, Any] | None) -> None:
        if entry is None:
            conn.execute("DELETE FROM open_cases WHERE centre = %s AND number = %s",
                         (self.prefix, number))
        else:
            conn.execute("INSERT INTO open_cases (centre, number, received_on, summary) "
                         "VALUES (%s, %s, %s, %s) ON CONFLICT (centre, number) "
                         "DO UPDATE SET summary = EXCLUDED.summary, "
                         "rev = nextval('open_revs')",
                         (self.prefix, number, day, Json(entry)))

    def open_summaries(self) -> list[dict[str, Any]]:
        """The open cases' summaries in number order, each dict the caller's own.

        The summaries read before are kept with their revisions: a call reads every
        open case's (number, revision), then only the summaries it lacks or whose
        revision moved, as one JSON text parsed once (a row each costs ~10x). The
        revision is compared per number, never against a high-water mark: a
        transaction that took a lower revision may commit after a higher one was read.
        """
        with self._tx() as conn:
            revs = dict(conn.execute("SELECT number, rev FROM open_cases WHERE centre = %s",
                                     (self.prefix,)).fetchall())
            with self._lock:
                known = dict(self._open)
            want = [n for n, rev in revs.items() if known.get(n, (None,))[0] != rev]
            fresh: list[list[Any]] = []
            if want:
                text = conn.execute(
                    "SELECT coalesce(json_agg(json_build_array(number, rev, summary)), "
                    "'[]')::text FROM open_cases WHERE centre = %s AND number = ANY(%s)",
                    (self.prefix, want)).fetchone()[0]
                fresh = json.loads(text)
        kept = {n: known[n] for n in revs if n in known and known[n][0] == revs[n]}
        for number, rev, entry in fresh:  # a row changed between the reads: its newer rev
            kept[number] = (rev, entry)
        with self._lock:
            self._open = kept
        return [dict(kept[n][1]) for n in sorted(kept)]

    def cases_since(self, since: dt.date, *, copy: bool = True
                    ) -> Iterator[dict[str, Any]]:
        """Every case received on or after ``since``, in number order, read in batches
        through a server-side cursor (a year is not held in memory at once)."""
        with self._tx() as conn, conn.cursor(name="cases_since", row_factory=tuple_row) as cur:
            cur.itersize = 2000
            cur.execute("SELECT doc FROM cases WHERE centre = %s AND received_on >= %s "
                        "ORDER BY received_on, seq", (self.prefix, since))
            for row in cur:
                yield row[0]

    def digests_since(self, since: dt.date, key: Hashable,
                      digest: Callable[[list[dict[str, Any]]], T]) -> list[T]:
        """``digest`` of each receipt day's cases (in number order) on or after
        ``since``, days in order. A day's digest is kept, per ``key``, while its count
        of cases and the sum of their versions are unchanged: every committed write
        gives its row a new, higher version, so any change moves the sum."""
        with self._lock:
            kept = self._digests.pop(key, {})
            self._digests[key] = kept
            while len(self._digests) > 2:
                del self._digests[next(iter(self._digests))]
        out: list[T] = []
        with self._tx() as conn:
            stamps = {day: (int(n), int(total)) for day, n, total in conn.execute(
                "SELECT received_on, count(*), sum(version) FROM cases WHERE centre = %s "
                "AND received_on >= %s GROUP BY received_on", (self.prefix, since))}
            stale = [d for d in stamps if d not in kept or kept[d][0] != stamps[d]]
            fresh: dict[dt.date, list[dict[str, Any]]] = {d: [] for d in stale}
            if stale:
                for day, doc in conn.execute(
                        "SELECT received_on, doc FROM cases WHERE centre = %s AND "
                        "received_on = ANY(%s) ORDER BY received_on, seq",
                        (self.prefix, stale)):
                    fresh[day].append(doc)
        for day in sorted(stamps):
            if day in fresh:
                value = digest(fresh[day])
                kept[day] = (stamps[day], value)
            else:
                value = kept[day][1]
            out.append(value)
        for gone in [d for d in list(kept) if d >= since and d not in stamps]:
            kept.pop(gone, None)
        return out

    def import_cases(self, cases: Iterable[dict[str, Any]],
                     summary: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
        rows = self._imported(cases, summary)
        with self._tx("nothing of the import was stored") as conn:
            self._write_imported(conn, rows)
        return len(rows)

    def _imported(self, cases: Iterable[dict[str, Any]],
                  summary: Callable[[dict[str, Any]], dict[str, Any] | None]
                  ) -> list[tuple[str, dt.date, int, dict[str, Any], dict[str, Any] | None]]:
        """The rows of cases to import, checked; their months' partitions made."""
        rows: list[tuple[str, dt.date, int, dict[str, Any], dict[str, Any] | None]] = []
        for case in cases:
            prefix, day, seq = imported_number(case["number"])
            if prefix != self.prefix:
                raise StoreError(f"case {case['number']} is not of this store (its numbers "
                                 f"start with {self.prefix})", None, code="other-prefix",
                                 hint="import it into the store of its own centre")
            case["number"] = case["number"].strip().upper()
            rows.append((case["number"], day, seq, case, summary(case)))
        for day in sorted({r[1] for r in rows}):
            self._ensure_month(day)
        return rows

    def _write_imported(self, conn: Any, rows: list[tuple[str, dt.date, int, dict[str, Any],
                                                           dict[str, Any] | None]]) -> None:
        """Counters raised first, then the cases (replaced if there) and summaries."""
        tops: dict[dt.date, int] = {}
        for _, day, seq, _, _ in rows:
            tops[day] = max(tops.get(day, 0), seq)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO case_counters AS c (centre, day, last) VALUES (%s, %s, %s) "
                "ON CONFLICT (centre, day) DO UPDATE SET last = greatest(c.last, "
                "EXCLUDED.last)", [(self.prefix, d, top) for d, top in sorted(tops.items())])
            cur.executemany(
                "INSERT INTO cases (centre, number, received_on, seq, version, doc) "
                "VALUES (%s, %s, %s, %s, nextval('case_versions'), %s) "
                "ON CONFLICT (centre, number, received_on) DO UPDATE SET "
                "doc = EXCLUDED.doc, version = EXCLUDED.version",
                [(self.prefix, n, d, s, Json(c)) for n, d, s, c, _ in rows])
            cur.executemany(
                "DELETE FROM open_cases WHERE centre = %s AND number = %s",
                [(self.prefix, n) for n, _, _, _, e in rows if e is None])
            cur.executemany(
                "INSERT INTO open_cases (centre, number, received_on, summary) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT (centre, number) "
                "DO UPDATE SET summary = EXCLUDED.summary, rev = nextval('open_revs')",
                [(self.prefix, n, d, Json(e)) for n, d, _, _, e in rows if e is not None])

    def load(self, cases: Iterable[dict[str, Any]],
             summary: Callable[[dict[str, Any]], dict[str, Any] | None],
             versions: Iterable[dict[str, Any]], audit_lines: Iterable[str]) -> None:
        """Copy a whole store in one transaction (``formkit cases migrate``): the cases,
        the snapshots, and the audit trail's lines as they are, their chain with them
        (the chain's head stays the source's), as lane 0. The centre's audit trail must
        be empty."""
        rows = self._imported(cases, summary)
        with self._tx("nothing was copied") as conn:
            self._write_imported(conn, rows)
            for snapshot in versions:
                self._put_version(conn, snapshot)
            conn.execute("INSERT INTO audit_heads (centre, lane, seq, hash) "
                         "VALUES (%s, 0, 0, '') ON CONFLICT DO NOTHING", (self.prefix,))
            seq, head = conn.execute("SELECT seq, hash FROM audit_heads WHERE centre = %s "
                                     "AND lane = 0 FOR UPDATE", (self.prefix,)).fetchone()
            if seq or conn.execute("SELECT 1 FROM audit WHERE centre = %s LIMIT 1",
                                   (self.prefix,)).fetchone():
                raise StoreError(f"the audit trail of {self.prefix} in the database is not "
                                 "empty: nothing was copied", None, code="target-not-empty",
                                 hint="copy into an empty database (or one without this "
                                      "centre)")
            batch = []
            for line in audit_lines:
                entry = json.loads(line)
                chain = entry.get("chain")
                if isinstance(chain, dict) and isinstance(chain.get("hash"), str):
                    head = chain["hash"]
                seq += 1
                number = entry.get("number")
                batch.append((self.prefix, seq, str(entry.get("at", "")),
                              number if isinstance(number, str) else None, line))
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO audit (centre, seq, at, number, line) "
                                "VALUES (%s, %s, %s, %s, %s)", batch)
            conn.execute("UPDATE audit_heads SET seq = %s, hash = %s WHERE centre = %s "
                         "AND lane = 0", (seq, head, self.prefix))

    def rebuild_index(self, summary: Callable[[dict[str, Any]], dict[str, Any] | None]
                      ) -> dict[str, int]:
        """Write ``open_cases`` afresh from the cases, in one transaction."""
        with self._tx("the open-case summaries are as they were") as conn:
            before = conn.execute("DELETE FROM open_cases WHERE centre = %s",
                                  (self.prefix,)).rowcount
            cases = opened = 0
            entries = []
            for number, day, doc in conn.execute(
                    "SELECT number, received_on, doc FROM cases WHERE centre = %s",
                    (self.prefix,)).fetchall():
                cases += 1
                entry = summary(doc)
                if entry is not None:
                    opened += 1
                    entries.append((self.prefix, number, day, Json(entry)))
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO open_cases (centre, number, received_on, "
                                "summary) VALUES (%s, %s, %s, %s)", entries)
        return {"cases": cases, "open_cases": opened, "index_files": 1 if opened else 0,
                "removed_files": 0, "rows_before": before}

    # ---- audit

    def append_audit(self, entry: dict[str, Any]) -> None:
        with self._tx("the entry was not written") as conn:
            self._append(conn, entry)

    def _append(self, conn: Any, entry: dict[str, Any]) -> None:
        """Append ``entry`` to its lane's chain, in ``conn``'s transaction: the lane's
        tail row is locked until it commits (appends of one lane are serialised). Two
        round trips: the tail, then the entry and the new tail in one statement."""
        if "at" not in entry:
            entry = {**entry, "at": dt.datetime.now().isoformat()}
        number = entry.get("number")
        number = number if isinstance(number, str) else None
        lane = lane_of(number)
        tail = "SELECT seq, hash FROM audit_heads WHERE centre = %s AND lane = %s FOR UPDATE"
        found = conn.execute(tail, (self.prefix, lane)).fetchone()
        if found is None:  # the lane's first entry
            conn.execute("INSERT INTO audit_heads (centre, lane, seq, hash) "
                         "VALUES (%s, %s, 0, '') ON CONFLICT DO NOTHING", (self.prefix, lane))
            found = conn.execute(tail, (self.prefix, lane)).fetchone()
        seq, prev = found
        line, own = seal(entry, prev, [])
        conn.execute("WITH tail AS (UPDATE audit_heads SET seq = %s, hash = %s "
                     "WHERE centre = %s AND lane = %s) "
                     "INSERT INTO audit (centre, lane, seq, at, number, line) "
                     "VALUES (%s, %s, %s, %s, %s, %s)",
                     (seq + 1, own, self.prefix, lane, self.prefix, lane, seq + 1,
                      str(entry.get("at", "")), number, line))

    def audit(self, since: dt.date | None = None) -> Iterator[dict[str, Any]]:
        """The audit trail, oldest first, each entry as it was appended (its chain left
        out: ``verify_audit`` checks that)."""
        low = since.isoformat() if since is not None else ""
        with self._tx() as conn, conn.cursor(name="audit", row_factory=tuple_row) as cur:
            cur.itersize = 5000
            cur.execute("SELECT line FROM audit WHERE centre = %s AND at >= %s "
                        "ORDER BY ord", (self.prefix, low))
            for (line,) in cur:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict):
                    entry.pop("chain", None)
                    yield entry

    def verify_audit(self) -> dict[str, Any]:
        """Check the centre's hash chains, lane by lane; the report of ``formkit cases
        verify`` (a break names the table, the lane after a slash but for lane 0, and
        the entry's place in its chain: ``audit[FK/3]:<n>``). ``head`` is lane 0's, the
        chain a migrated embedded store continues; ``lanes`` counts the chains."""
        with self._tx() as conn:
            heads = dict((lane, (seq, hash_)) for lane, seq, hash_ in conn.execute(
                "SELECT lane, seq, hash FROM audit_heads WHERE centre = %s", (self.prefix,)))
            lanes = sorted(set(heads) | {r[0] for r in conn.execute(
                "SELECT DISTINCT lane FROM audit WHERE centre = %s", (self.prefix,))})
            rows = {lane: conn.execute("SELECT seq, line FROM audit WHERE centre = %s AND "
                                       "lane = %s ORDER BY seq",
                                       (self.prefix, lane)).fetchall() for lane in lanes}
        total = {"entries": 0, "unchained": 0}
        head0: str | None = None
        for lane in lanes:
            where = f"audit[{self.prefix}]" if lane == 0 else f"audit[{self.prefix}/{lane}]"
            found = _verify_lane(rows[lane], heads.get(lane), where)
            total["entries"] += found["entries"]
            total["unchained"] += found["unchained"]
            if lane == 0:
                head0 = found["head"]
            if "break" in found:
                return {"ok": False, "files": 1, **total, "torn": 0, "head": found["head"],
                        "lanes": len(lanes), "break": found["break"]}
        return {"ok": True, "files": 1, **total, "torn": 0, "head": head0,
                "lanes": len(lanes)}

    # ---- versions

    def put_version(self, snapshot: dict[str, Any]) -> bool:
        _check_digest(snapshot["hash"])
        with self._tx("the version was not stored") as conn:
            return self._put_version(conn, snapshot)

    def _put_version(self, conn: Any, snapshot: dict[str, Any]) -> bool:
        added = conn.execute(
            "INSERT INTO versions (centre, hash, code, published_at, snapshot) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1",
            (self.prefix, snapshot["hash"], snapshot.get("code"),
             _text(snapshot.get("published_at")), Json(snapshot))).fetchone()
        return added is not None

    def get_version(self, digest: str) -> dict[str, Any] | None:
        _check_digest(digest)
        with self._tx() as conn:
            row = conn.execute("SELECT snapshot FROM versions WHERE centre = %s AND "
                               "hash = %s", (self.prefix, digest)).fetchone()
        return None if row is None else dict(row[0])

    def versions(self, code: str | None = None) -> list[dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute("SELECT snapshot FROM versions WHERE centre = %s AND "
                                "(%s::text IS NULL OR code = %s)",
                                (self.prefix, code, code)).fetchall()
        found = [dict(r[0]) for r in rows]
        return sorted(found, key=lambda r: str(r.get("published_at", "")))

    # ---- counts (formkit cases migrate)

    def counts(self) -> dict[str, int]:
        """How many cases, open cases, audit entries and versions the centre holds."""
        with self._tx() as conn:
            return {name: int(conn.execute(f"SELECT count(*) FROM {table} "
                                           "WHERE centre = %s", (self.prefix,)).fetchone()[0])
                    for name, table in (("cases", "cases"), ("open_cases", "open_cases"),
                                        ("audit", "audit"), ("versions", "versions"))}

    def close(self) -> None:
        """Close this database's connection pool (shared by every store object on it)."""
        close_pools(self.url)


def lane_of(number: str | None) -> int:
    """The audit lane of an entry: by its case number (CRC-32, stable across processes
    and Python versions), lane 0 for an entry of no case."""
    return zlib.crc32(number.encode()) % LANES if number else 0


def _verify_lane(rows: list[tuple[int, str]], head: tuple[int, str] | None, where: str
                 ) -> dict[str, Any]:
    """One lane's chain walked in order: its counts, its last hash, and its first
    break if any (``{"break": {"file", "line", "what", "message"}}``)."""
    prev = ""
    entries = unchained = 0

    def report(line: int, what: str, message: str) -> dict[str, Any]:
        return {"entries": entries, "unchained": unchained, "head": prev or None,
                "break": {"file": where, "line": line, "what": what, "message": message}}

    for seq, line in rows:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            entry = None
        if not isinstance(entry, dict):
            return report(seq, "garbled", "the row is not an audit entry")
        chain = entry.pop("chain", None)
        if chain is None:  # copied from an embedded store's trail before the chain
            if prev:
                return report(seq, "edited", "the entry carries no hash, but an "
                              "entry before it does: its hash was removed")
            unchained += 1
            continue
        own = chain.get("hash") if isinstance(chain, dict) else None
        body = {k: v for k, v in chain.items() if k != "hash"} \
            if isinstance(chain, dict) else None
        torn = body.get("torn", []) if body is not None else None
        if not isinstance(own, str) or body is None or not isinstance(torn, list) \
                or set(body) - {"prev", "torn"} \
                or seal(entry, str(body.get("prev", "")), torn)[1] != own:
            return report(seq, "edited", "the entry does not match its hash: it was "
                                         "changed")
        if body.get("prev") != prev or seq != entries + unchained + 1:
            return report(seq, "missing", "the entry does not follow the one before "
                          "it: an entry between them was removed, or the one before it "
                          "was rewritten" if prev else "the first entry does not start "
                          "the chain: the entries before it were removed")
        prev = own
        entries += 1
    if head is None and rows:
        return report(entries + unchained, "missing", "the chain's head row was removed")
    if head is not None and (head[0] != entries + unchained or head[1] != prev):
        return report(entries + unchained + 1, "missing",
                      f"the chain's head records {head[0]} entries, the table holds "
                      f"{entries + unchained}: the last entries were removed, or "
                      "rewritten")
    return {"entries": entries, "unchained": unchained, "head": prev or None}


def _partition(day: dt.date) -> str:
    """The name of the partition of ``day``'s month (``cases_y2026m11``)."""
    return f"cases_y{day.year:04d}m{day.month:02d}"


def _archived(day: dt.date, state: str, number: str | None = None) -> StoreError:
    """The error for a month whose partition is not attached to ``cases``."""
    name = _partition(day)
    what = f"case {number}" if number else f"a case received on {day.isoformat()}"
    where = (f"its partition {name} was detached from cases" if state == "detached" else
             f"its partition {name} is not in the database (detached and renamed, moved "
             "or dropped)")
    month = f"{day.year}年{day.month}月"
    return StoreError(f"{month}的案件已归档，无法读写 (the month {day:%Y-%m} is archived: "
                      f"{where}; {what} cannot be read or written here; nothing was "
                      "changed)", None, code="month-archived",
                      hint=f"to use that month again, re-attach it: ALTER TABLE cases ATTACH "
                           f"PARTITION {name} FOR VALUES FROM ('{day.replace(day=1)}') TO "
                           f"('{(day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)}')"
                           " (docs/store.md, \"Partitions\")")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _check_digest(digest: str) -> None:
    try:
        int(digest[:15], 16)
    except ValueError:
        raise InputError(f"'{digest}' is not a version hash", None) from None
