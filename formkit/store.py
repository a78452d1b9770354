"""The case store: TinyDB partitions with atomic, durable, serialised writes.

Design (``docs/store.md`` explains the measurements behind it):

- Every file is a TinyDB JSON file written through ``AtomicJSONStorage``: a
  temporary file in the same folder, ``fsync``, ``os.replace``, then ``fsync``
  of the folder. A crash leaves the old file or the new one, never half of one.
- Cases are partitioned by receipt day and a shard of the sequence number
  (``cases/2026/11/25-2.json``), so a write rewrites ~100 cases, whatever the
  year's size. A case number names its partition, so a lookup opens one file.
- A small index of *open* cases per receipt day (``open/2026-11-25.json``)
  answers the monitoring lists without reading closed cases.
- One store lock (``fcntl.flock`` on ``store.lock`` plus a thread lock) makes
  every read-modify-write exclusive across processes and threads. Each write
  reads its partition afresh under the lock, so no update is lost.
- The case partition is the truth. Before a case is written, the new case, its
  index entry and its audit entry are recorded in ``journal.json``; after a
  crash the entry is replayed if (and only if) the partition holds that very
  case, so the index and the audit trail always end up agreeing with the cases.
- The audit trail is an append-only JSON-lines file per month, ``fsync``-ed;
  the API offers no way to edit or delete it. A line torn by a crash (never
  acknowledged) is skipped when reading.
- Reads hand out copies, never the cached documents themselves.
"""

from __future__ import annotations

import abc
import collections
import contextlib
import datetime as dt
import fcntl
import json
import os
import pickle
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from formkit.errors import FormkitError, InputError

__all__ = ["SHARDS", "AtomicJSONStorage", "CaseStore", "StoreError", "TinyCaseStore",
           "parse_number"]

SHARDS = 4
CACHED_PARTITIONS = 1024  # about a year of partitions: reports scan a year
AuditOf = Callable[[dict[str, Any]], dict[str, Any] | None]
_NUMBER = re.compile(r"^([A-Z0-9]{1,8})(\d{8})(\d{5})$")
_PREFIX = re.compile(r"[A-Z0-9]{1,8}")


class StoreError(FormkitError):
    """Raised when the store cannot do what was asked (unknown case, bad number, I/O)."""

    kind = "io"


def parse_number(number: str) -> tuple[str, dt.date, int]:
    """``FK2026112500042`` -> (prefix, receipt day, sequence)."""
    m = _NUMBER.match(number.strip().upper())
    if not m:
        raise StoreError(f"'{number}' is not a case number", None,
                         hint="a case number is the centre prefix, the date and a "
                              "5-digit sequence, e.g. FK2026112500042", code="bad-number")
    try:
        day = dt.datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        raise StoreError(f"'{number}' has an impossible date", None,
                         code="bad-number") from None
    return m.group(1), day, int(m.group(3))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicJSONStorage(Storage):
    """TinyDB storage that replaces the file atomically and durably on every write."""

    def __init__(self, path: str | os.PathLike[str], fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The file's tables; None when it is missing or empty.

        Raises:
            StoreError: the file is not a TinyDB JSON file (damaged, or not ours).
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise _damaged(self.path, exc) from None
        if not text:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _damaged(self.path, exc) from None
        # TinyDB's layout: {table: {doc_id: document}}
        if not isinstance(data, dict) or not all(
                isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
                for t in data.values()):
            raise _damaged(self.path, "not a TinyDB file of tables of documents")
        return data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                     fsync=self.fsync)

    def close(self) -> None:
        pass


def _damaged(path: Path, why: object) -> StoreError:
    return StoreError(f"store file {path} is damaged: {why}", None, code="damaged",
                      hint="restore it from the last export; other files are unaffected")


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (pickle is several times faster than copy.deepcopy)."""
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def write_atomic(path: Path, text: str, *, fsync: bool = True) -> None:
    """Replace ``path`` with ``text``: temp file, fsync, rename, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if fsync:
        _fsync_dir(path.parent)


class _Lock:
    """Exclusive across processes (flock) and threads (RLock); re-entrant per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> _Lock:
        self._thread.acquire()
        if self._depth == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._fd = fd
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        self._thread.release()


class CaseStore(abc.ABC):
    """What the case service needs from storage (TinyDB here; PostgreSQL later)."""

    @abc.abstractmethod
    def create(self, day: dt.date, make: Callable[[str], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None) -> dict[str, Any]:
        """Allocate the next number for ``day``, store ``make(number)``; return it.

        ``audit(case)``, when given, is the audit entry committed with the case.
        """

    @abc.abstractmethod
    def get(self, number: str) -> dict[str, Any] | None:
        """The case with this number, or None."""

    @abc.abstractmethod
    def update(self, number: str, change: Callable[[dict[str, Any]], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None) -> dict[str, Any]:
        """Apply ``change`` to the stored case atomically; return the new case.

        ``audit(new)``, when given, is the audit entry committed with the change: a
        crash leaves both or neither (one transaction in PostgreSQL).
        """

    @abc.abstractmethod
    def open_summaries(self) -> list[dict[str, Any]]:
        """Summaries of every open case (for monitoring)."""

    @abc.abstractmethod
    def cases_since(self, since: dt.date, *, copy: bool = True
                    ) -> Iterator[dict[str, Any]]:
        """Every case received on or after ``since``, in number order (``copy=False``:
        read-only documents, for scans)."""

    @abc.abstractmethod
    def import_cases(self, cases: Iterable[dict[str, Any]],
                     summary: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
        """Store cases as they are (restore, bulk load); returns how many."""

    @abc.abstractmethod
    def append_audit(self, entry: dict[str, Any]) -> None:
        """Append one audit entry durably."""

    @abc.abstractmethod
    def audit(self, since: dt.date | None = None) -> Iterator[dict[str, Any]]:
        """The audit trail, oldest first."""

    @abc.abstractmethod
    def put_version(self, snapshot: dict[str, Any]) -> bool:
        """Store an immutable matter snapshot by its hash; False if already there."""

    @abc.abstractmethod
    def get_version(self, digest: str) -> dict[str, Any] | None:
        """The snapshot with this hash."""

    @abc.abstractmethod
    def versions(self, code: str | None = None) -> list[dict[str, Any]]:
        """Published snapshots (of one matter), oldest first."""


class TinyCaseStore(CaseStore):
    """The embedded store: a folder of TinyDB files (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str], *, prefix: str = "FK",
                 fsync: bool = True) -> None:
        if not _PREFIX.fullmatch(prefix):
            raise StoreError(f"'{prefix}' cannot start a case number", None,
                             code="bad-prefix", hint="1 to 8 capital letters or digits")
        self.root = Path(root)
        self.prefix = prefix
        self.fsync = fsync
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = _Lock(self.root / "store.lock")
        self._cache: dict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = {}
        self._recent: collections.OrderedDict[Path, None] = collections.OrderedDict()
        with self._lock:
            self._replay_journal()

    # ---- files

    def _db(self, path: Path) -> TinyDB:
        return TinyDB(path, storage=AtomicJSONStorage, fsync=self.fsync)

    def _rmw(self, path: Path, table: str,
             change: Callable[[dict[str, Any]], Any]) -> Any:
        """Read-modify-write one TinyDB table under the store lock: one read, one write.

        TinyDB's Table re-reads the file for every call (an upsert reads it twice);
        under our lock one read and one atomic write are enough, in the same format.
        """
        data = AtomicJSONStorage(path).read() or {}
        out = change(data.setdefault(table, {}))
        self._write(path, data)
        return out

    def _write(self, path: Path, data: dict[str, Any]) -> None:
        if path.parent.name == "open" and not any(data.values()):
            # An index file with no open case left is removed, not kept empty: the
            # monitor lists the folder, and a year leaves ~1,000 such files behind.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                if self.fsync:
                    _fsync_dir(path.parent)
            self._cache.pop(path, None)
            return
        AtomicJSONStorage(path, fsync=self.fsync).write(data)
        with contextlib.suppress(OSError):
            self._remember(path, (_stamp(path.stat()), data))

    def _remember(self, path: Path, entry: tuple[tuple[int, int, int], dict[str, Any]]
                  ) -> None:
        """Cache a parsed file; case partitions beyond CACHED_PARTITIONS (about a year)
        are dropped, least recently used first, so a server running for years does
        not hold every case ever read."""
        self._cache[path] = entry
        if path.parent.name != "open":
            self._recent[path] = None
            self._recent.move_to_end(path)
            while len(self._recent) > CACHED_PARTITIONS:
                old, _ = self._recent.popitem(last=False)
                self._cache.pop(old, None)

    def _partition(self, day: dt.date, seq: int) -> Path:
        return self.root / "cases" / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}-{seq % SHARDS}.json"

    def _index(self, day: dt.date, seq: int) -> Path:
        return self.root / "open" / f"{day:%Y-%m-%d}-{seq % SHARDS}.json"

    def _read(self, path: Path, table: str) -> dict[str, Any]:
        """A TinyDB table read straight from its file, cached by inode, mtime and size.

        The cached rows are shared: callers copy what they hand out.
        """
        try:
            stamp = _stamp(path.stat())
        except FileNotFoundError:
            return {}
        hit = self._cache.get(path)
        if hit is not None and hit[0] == stamp:
            if path in self._recent:
                self._recent.move_to_end(path)
            cached: dict[str, Any] = hit[1].get(table, {})
            return cached
        data = AtomicJSONStorage(path).read() or {}
        self._remember(path, (stamp, data))
        return data.get(table, {})

    # ---- journal: the case write and the index and audit writes that follow it

    def _journal_path(self) -> Path:
        return self.root / "journal.json"

    def _write_case(self, day: dt.date, seq: int, data: dict[str, Any],
                    case: dict[str, Any], summary: dict[str, Any] | None,
                    audit: dict[str, Any] | None) -> None:
        """Journal; write the partition ``data`` holding ``case``; the index; the audit."""
        entry = {"day": day.isoformat(), "seq": seq, "summary": summary, "case": case,
                 "audit": audit}
        write_atomic(self._journal_path(), json.dumps(entry, ensure_ascii=False),
                     fsync=self.fsync)
        self._write(self._partition(day, seq), data)
        self._finish(entry, replay=False)
        os.unlink(self._journal_path())

    def _finish(self, entry: dict[str, Any], *, replay: bool) -> None:
        """The writes that follow a case write: its index entry and its audit entry."""
        self._apply_index(entry)
        audit = entry.get("audit")
        # On replay the crash may have come after the audit line: never write it twice.
        if audit is not None and not (replay and self._audit_ends_with(audit)):
            self._append_line(audit)

    def _apply_index(self, entry: dict[str, Any]) -> None:
        day = dt.date.fromisoformat(entry["day"])
        key, summary = str(entry["seq"]), entry["summary"]

        def change(rows: dict[str, Any]) -> None:
            if summary is None:
                rows.pop(key, None)
            else:
                rows[key] = summary
        self._rmw(self._index(day, int(entry["seq"])), "open", change)

    def _replay_journal(self) -> None:
        path = self._journal_path()
        if path.exists():
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
            except (json.JSONDecodeError, OSError):
                entry = None  # torn before its rename: the index write never started
            if entry is not None and self._holds(entry):
                self._finish(entry, replay=True)
            os.unlink(path)

    def _holds(self, entry: dict[str, Any]) -> bool:
        """Whether the journalled case reached its partition (else the crash came first)."""
        day, seq = dt.date.fromisoformat(entry["day"]), int(entry["seq"])
        data = AtomicJSONStorage(self._partition(day, seq)).read() or {}
        found: bool = data.get("cases", {}).get(str(seq)) == entry.get("case")
        return found

    # ---- cases

    def _seq_path(self, day: dt.date) -> Path:
        return self.root / "seq" / f"{day:%Y-%m}.json"

    def _next_seq(self, day: dt.date) -> int:
        key = f"{day:%Y%m%d}"

        def bump(rows: dict[str, Any]) -> int:
            last = int(rows.get(key, {}).get("last", 0)) + 1
            rows[key] = {"day": day.isoformat(), "last": last}
            return last
        result: int = self._rmw(self._seq_path(day), "seq", bump)
        return result

    def number(self, day: dt.date, seq: int) -> str:
        """The case number of sequence ``seq`` received on ``day``."""
        return f"{self.prefix}{day:%Y%m%d}{seq:05d}"

    def create(self, day: dt.date, make: Callable[[str], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None) -> dict[str, Any]:
        with self._lock:
            self._replay_journal()
            seq = self._next_seq(day)
            if seq > 99_999:
                raise StoreError(f"more than 99,999 cases on {day}", None)
            case = make(self.number(day, seq))
            data = AtomicJSONStorage(self._partition(day, seq)).read() or {}
            data.setdefault("cases", {})[str(seq)] = case
            self._write_case(day, seq, data, case, summary(case),
                             audit(case) if audit else None)
            return _copy(case)  # type: ignore[no-any-return]

    def get(self, number: str) -> dict[str, Any] | None:
        _, day, seq = parse_number(number)
        doc = self._read(self._partition(day, seq), "cases").get(str(seq))
        # the number's prefix must match too: FK...00042 is not XX...00042
        if doc is None or doc.get("number") != _normal(number):
            return None
        return _copy(doc)  # type: ignore[no-any-return]

    def update(self, number: str, change: Callable[[dict[str, Any]], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None) -> dict[str, Any]:
        _, day, seq = parse_number(number)
        with self._lock:
            self._replay_journal()
            data = AtomicJSONStorage(self._partition(day, seq)).read() or {}
            rows = data.setdefault("cases", {})
            current = rows.get(str(seq))
            if current is None or current.get("number") != _normal(number):
                raise StoreError(f"no case {number}", None, code="unknown-case",
                                 hint="check the number on the receipt")
            new = change(_copy(current))
            rows[str(seq)] = new
            self._write_case(day, seq, data, new, summary(new), audit(new) if audit else None)
            return _copy(new)  # type: ignore[no-any-return]

    def open_summaries(self) -> list[dict[str, Any]]:
        folder = self.root / "open"
        if not folder.is_dir():
            return []
        out: list[dict[str, Any]] = []
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".json"))
        for path in (folder / name for name in names):
            # fresh dicts, cheaply: the monitor reads thousands and changes none
            out.extend(dict(s) for s in self._read(path, "open").values())
        return out

    def cases_since(self, since: dt.date, *, copy: bool = True
                    ) -> Iterator[dict[str, Any]]:
        """Every case received on or after ``since``, in number order.

        ``copy=False`` yields the cached documents themselves, for read-only scans
        (reports over a year of cases); the caller must not change them.
        """
        base = self.root / "cases"
        if not base.is_dir():
            return
        days: dict[dt.date, list[Path]] = {}
        for path in base.glob("*/*/*.json"):
            year, month = path.parent.parent.name, path.parent.name
            day = dt.date(int(year), int(month), int(path.stem.split("-")[0]))
            if day >= since:
                days.setdefault(day, []).append(path)
        for day in sorted(days):
            # a day's cases are spread over its shards: merge them back into number order
            rows: dict[int, Any] = {}
            for path in days[day]:
                rows.update((int(k), v) for k, v in self._read(path, "cases").items())
            for seq in sorted(rows):
                yield _copy(rows[seq]) if copy else rows[seq]

    def import_cases(self, cases: Iterable[dict[str, Any]],
                     summary: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
        parts: dict[Path, dict[str, dict[str, Any]]] = {}
        index: dict[Path, dict[str, dict[str, Any] | None]] = {}
        last: dict[dt.date, int] = {}
        count = 0
        for case in cases:
            _, day, seq = parse_number(case["number"])
            parts.setdefault(self._partition(day, seq), {})[str(seq)] = case
            index.setdefault(self._index(day, seq), {})[str(seq)] = summary(case)
            last[day] = max(last.get(day, 0), seq)
            count += 1
        with self._lock:
            self._replay_journal()
            for path, docs in parts.items():
                self._merge(path, "cases", docs)
            for path, summaries in index.items():
                self._merge(path, "open", summaries)
            by_month: dict[Path, dict[str, int]] = {}
            for day, top in last.items():
                by_month.setdefault(self._seq_path(day), {})[f"{day:%Y%m%d}"] = top

            for path, tops in by_month.items():
                def raise_to(rows: dict[str, Any], tops: dict[str, int] = tops) -> None:
                    for key, top in tops.items():
                        if int(rows.get(key, {}).get("last", 0)) < top:
                            rows[key] = {"day": f"{key[:4]}-{key[4:6]}-{key[6:]}",
                                         "last": top}
                self._rmw(path, "seq", raise_to)
        return count

    def _merge(self, path: Path, table: str,
               docs: Mapping[str, dict[str, Any] | None]) -> None:
        data = AtomicJSONStorage(path).read() or {}
        rows = data.setdefault(table, {})
        for key, doc in docs.items():
            if doc is None:
                rows.pop(key, None)
            else:
                rows[key] = doc
        self._write(path, data)

    # ---- audit

    def append_audit(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._replay_journal()  # a journalled entry goes first, as it was first
            self._append_line(entry)

    def _audit_path(self, entry: Mapping[str, Any]) -> Path:
        return self.root / "audit" / f"{str(entry.get('at', ''))[:7] or 'undated'}.jsonl"

    def _audit_ends_with(self, entry: dict[str, Any]) -> bool:
        """Whether ``entry`` is the last line of its audit file (replay: not twice)."""
        path = self._audit_path(entry)
        try:
            with path.open("rb") as f:
                f.seek(max(0, path.stat().st_size - 65536))
                tail = f.read().decode("utf-8", "replace").splitlines()
        except FileNotFoundError:
            return False
        for line in reversed(tail):
            if line.strip():
                with contextlib.suppress(json.JSONDecodeError):
                    return bool(json.loads(line) == entry)
                return False
        return False

    def _append_line(self, entry: dict[str, Any]) -> None:
        if "at" not in entry:
            entry = {**entry, "at": dt.datetime.now().isoformat()}
        path = self._audit_path(entry)
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = "\n" + line  # end a line torn by a crash, keep ours whole
                os.write(fd, line.encode("utf-8"))
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)

    def audit(self, since: dt.date | None = None) -> Iterator[dict[str, Any]]:
        folder = self.root / "audit"
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.jsonl")):
            if since is not None and path.stem < f"{since:%Y-%m}":
                continue
            with path.open(encoding="utf-8") as f:
                for line in f:
                    try:
                        entry = json.loads(line) if line.endswith("\n") else None
                    except json.JSONDecodeError:
                        entry = None
                    if not isinstance(entry, dict):
                        continue  # a line torn by a crash: it was never acknowledged
                    if since is None or str(entry.get("at", ""))[:10] >= since.isoformat():
                        yield entry

    # ---- versions

    def put_version(self, snapshot: dict[str, Any]) -> bool:
        with self._lock:
            table = self._db(self.root / "versions.json").table("versions")
            if table.contains(doc_id=_doc_id(snapshot["hash"])):
                return False
            table.insert(Document(snapshot, doc_id=_doc_id(snapshot["hash"])))
            return True

    def get_version(self, digest: str) -> dict[str, Any] | None:
        rows = self._read(self.root / "versions.json", "versions")
        found = rows.get(str(_doc_id(digest)))
        return _copy(found) if found and found.get("hash") == digest else None

    def versions(self, code: str | None = None) -> list[dict[str, Any]]:
        rows = self._read(self.root / "versions.json", "versions").values()
        chosen = [_copy(r) for r in rows if code is None or r.get("code") == code]
        return sorted(chosen, key=lambda r: str(r.get("published_at", "")))


def _normal(number: str) -> str:
    return number.strip().upper()


def _stamp(st: os.stat_result) -> tuple[int, int, int]:
    # The inode changes with every atomic replace; mtime and size alone can repeat
    # within one clock tick when another process rewrites a file.
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _doc_id(digest: str) -> int:
    try:
        return int(digest[:15], 16)
    except ValueError:
        raise InputError(f"'{digest}' is not a version hash", None) from None
