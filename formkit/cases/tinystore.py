"""The case store: TinyDB partitions with atomic, durable, serialised writes.

Design (``docs/store.md`` explains the measurements behind it):

- Every file is a TinyDB JSON file written atomically (``formkit.cases.files``): a
  temporary file in the same folder, ``fsync``, ``os.replace``, then ``fsync``
  of the folder. A crash leaves the old file or the new one, never half of one.
- Cases are partitioned by receipt day and a shard of the sequence number
  (``cases/2026/11/25-2.json``, 16 shards a day, ~33 cases each at 130,000 a
  year), so a write rewrites a few dozen cases, whatever the year's size. A case
  number names its partition, so a lookup opens one small file. ``layout.json``
  records the shard counts; a store made before it existed has 4 and keeps them.
- A small index of *open* cases per receipt day and shard of 4
  (``open/2026-11-25-2.json``) answers the monitoring lists without reading closed
  cases.
- One store lock (``fcntl.flock`` on ``store.lock`` plus a thread lock) makes
  every read-modify-write exclusive across processes and threads. Each write
  reads its partition afresh under the lock, so no update is lost.
- The case partition is the truth. Before a case is written, the new case, its
  index entry and its audit entry are recorded in ``journal.json``; after a
  crash the entry is replayed if (and only if) the partition holds that very
  case, so the index and the audit trail always end up agreeing with the cases.
- The audit trail is an append-only JSON-lines file per month, ``fsync``-ed;
  the API offers no way to edit or delete it. A line torn by a crash (never
  acknowledged) is skipped when reading. Each entry carries the hash of the one
  before it (a hash chain): ``verify_audit`` finds an entry edited, removed or
  garbled since.
- ``TinyCaseStore(root)`` creates the store when it is missing; ``open_existing``
  opens one for reading and writes nothing until asked to write: it works on a
  read-only file system or a full disk, reading past a pending crash journal in
  memory. Writes the system refuses (a full disk, a read-only file system) are a
  ``StoreError`` that says what became of the change.
- A write of one case (or one index entry) keeps the other documents of its file as
  JSON text: each is parsed only to check it and find its end, then dropped, and the
  file is written back from the texts.
- Reads hand out copies, never the cached documents themselves. The read cache
  holds case documents as their JSON bytes (nothing for Python's cyclic collector to
  walk, however many are kept), within a byte budget, least recently used out; it
  trusts a file only while its inode, timestamps and size are unchanged, and only
  once the file has been still for 2 s (a change within one timestamp tick cannot
  hide behind an unchanged stamp).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from formkit.cases.files import (
    CHAIN,
    AtomicJSONStorage,
    Stamp,
    StoreLock,
    audit_files,
    chain_tail,
    compose_tables,
    damaged,
    deep_copy,
    fsync_dir,
    json_text,
    load_tables,
    parse_case,
    raw_tables,
    read_text,
    scan_documents,
    seal,
    stamp_of,
    verify_chain,
    write_all,
    write_atomic,
    write_failure,
)
from formkit.cases.store import (
    AuditOf,
    CaseStore,
    T,
    imported_number,
    parse_number,
    unknown_case,
)
from formkit.errors import InputError, StoreError

__all__ = ["CACHE_BYTES", "INDEX_SHARDS", "LEGACY_SHARDS", "SHARDS", "AtomicJSONStorage",
           "CaseStore", "TinyCaseStore", "parse_number"]

SHARDS = 16  # case partitions per receipt day in a new store (~33 cases each at 520 a day)
INDEX_SHARDS = 4  # open-index files per receipt day in a new store
LEGACY_SHARDS = 4  # both counts of a store made before layout.json existed
CACHE_BYTES = 64 * 2 ** 20  # case JSON kept for lookups (some 20,000 cases)
_PREFIX = re.compile(r"[A-Z0-9]{1,8}")
# What a folder holds once it is a store (a store made before layout.json: its data)
_STORE_FILES = ("layout.json", "cases", "open", "seq", "audit", "versions.json",
                "journal.json")
_UNCHANGED = "nothing was changed"


class TinyCaseStore(CaseStore):
    """The embedded store: a folder of TinyDB files (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str], *, prefix: str = "FK",
                 fsync: bool = True, cache_bytes: int = CACHE_BYTES,
                 create: bool = True) -> None:
        """Open the store in ``root``; ``create``: make it when it is missing (a write
        will follow), else refuse a folder that holds no store (``open_existing``).

        Raises:
            StoreError: ``root`` is not a folder or cannot be made one (``store-path``),
                holds no store and ``create`` is off (``no-store``), cannot be created
                (``read-only``, ``disk-full``), or its layout is lost or damaged.
        """
        if not _PREFIX.fullmatch(prefix):
            raise StoreError(f"'{prefix}' cannot start a case number", None,
                             code="bad-prefix", hint="1 to 8 capital letters or digits")
        self.root = Path(root)
        self.prefix = prefix
        self.fsync = fsync
        self.cache_bytes = cache_bytes
        self._folder(create)
        self._lock = StoreLock(self.root / "store.lock")
        # the audit file, its inode and size after this object's last append, and the
        # hash of that entry: what the next entry chains to, if no one appended since
        self._audit_head: tuple[tuple[Path, int, int], str] | None = None
        # The read cache. Case partitions: {seq: the case's JSON, UTF-8}, least
        # recently used first, with their size in bytes (bytes: nothing in them for
        # the cyclic collector to walk). Index files and versions: parsed tables (a
        # few thousand short summaries). Only settled files (see ``read_text``).
        self._cache_lock = threading.Lock()
        self._cases: collections.OrderedDict[Path, tuple[Stamp, dict[str, bytes], int]] = \
            collections.OrderedDict()
        self._cases_size = 0
        self._tables: dict[Path, tuple[Stamp, dict[str, Any]]] = {}
        # digests_since: per key, per partition, the digest and the file's stamp
        self._digests: dict[Hashable, dict[Path, tuple[Stamp, Any]]] = {}
        self.shards, self.index_shards = self._layout(create)
        if create:
            # A journal that cannot be completed (its index file damaged, a full disk,
            # a read-only file system) stays for the writers, which report it with its
            # hint; opening the store must still work, for reads (which read past the
            # journal) and for the repair (rebuild_index).
            with contextlib.suppress(StoreError), self._writing():
                self._replay_journal()

    @classmethod
    def open_existing(cls, root: str | os.PathLike[str], *, prefix: str = "FK",
                      fsync: bool = True, cache_bytes: int = CACHE_BYTES) -> TinyCaseStore:
        """The store in ``root``, opened without writing anything: for reads (a read
        never creates a store, and works on a read-only file system or a full disk) and
        repairs. A write through it takes the lock and completes a pending journal
        first, as every write does.

        Raises:
            StoreError: ``root`` holds no store (``no-store``) or is not a folder
                (``store-path``).
        """
        return cls(root, prefix=prefix, fsync=fsync, cache_bytes=cache_bytes, create=False)

    def _folder(self, create: bool) -> None:
        """Check that ``root`` is a store's folder (``create``: make it if missing)."""
        hint = ("--store (or FORMKIT_STORE) must name the case store's folder; a store is "
                "created by receiving a case or by formkit cases import")
        try:
            mode: int | None = os.stat(self.root).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:  # ENOTDIR (a file on the way), EACCES, ELOOP ...
            raise StoreError(f"no case store at {self.root}: {exc.strerror}", None,
                             code="store-path", hint=hint) from None
        if mode is not None and not stat.S_ISDIR(mode):
            raise StoreError(f"no case store at {self.root}: it is not a folder", None,
                             code="store-path", hint=hint)
        if not create:
            if mode is None or not any((self.root / n).exists() for n in _STORE_FILES):
                raise StoreError(f"no case store at {self.root}", None, code="no-store",
                                 hint=hint)
            return
        if mode is None:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                                 errno.EPERM):
                    raise write_failure(exc, self.root, "no store was created") from None
                raise StoreError(f"cannot create the case store folder {self.root}: "
                                 f"{exc.strerror}", None, code="store-path",
                                 hint=hint) from None

    def _layout(self, create: bool) -> tuple[int, int]:
        """The shard counts of ``layout.json``, written when missing (``create``):
        today's counts in a new store, LEGACY_SHARDS in a store of cases made before the
        file existed (checked against its partition names, once: a store whose file was
        lost is refused, never read with the wrong counts). Without ``create``, or
        when the file cannot be written, a store made before the file is read with
        LEGACY_SHARDS and the file is left to a later open."""
        path = self.root / "layout.json"
        try:
            layout = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            layout = {"shards": SHARDS, "index_shards": INDEX_SHARDS}
            legacy = any((self.root / name).exists() for name in ("cases", "open", "seq"))
            if legacy:
                used = self._shards_in_use()
                if used > LEGACY_SHARDS:
                    raise StoreError(
                        f"{path} is missing, and the case files use {used} shards a day",
                        None, code="layout-missing",
                        hint=f'restore it from a backup of the store folder, or write '
                             f'{{"shards": {SHARDS}, "index_shards": {INDEX_SHARDS}}} '
                             f'into it (this formkit\'s layout)') from None
                layout = {"shards": LEGACY_SHARDS, "index_shards": LEGACY_SHARDS}
            if create:
                try:
                    with self._lock:
                        try:
                            write_atomic(path, json.dumps(layout), fsync=self.fsync)
                        except OSError as exc:
                            raise write_failure(exc, self.root, "no store was created") \
                                from None
                except StoreError as exc:
                    # an old store on a read-only or full disk can still be read
                    if not legacy or exc.code not in ("read-only", "disk-full"):
                        raise
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise damaged(path, exc) from None
        counts = []
        for key in ("shards", "index_shards"):
            n = layout.get(key) if isinstance(layout, dict) else None
            if type(n) is not int or not 1 <= n <= 1000:
                raise damaged(path, f"'{key}' must be a whole number from 1 to 1000")
            counts.append(n)
        return counts[0], counts[1]

    def _shards_in_use(self) -> int:
        """One more than the highest shard number among the case partitions
        (``DD-N.json``)."""
        top = -1
        for file in (self.root / "cases").glob("*/*/*.json"):
            shard = file.stem.rpartition("-")[2]
            if shard.isdigit():
                top = max(top, int(shard))
        return top + 1

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
        self._replace(path, json_text(data), empty=not any(data.values()))

    def _write_raw(self, path: Path, tables: Mapping[str, Mapping[str, str]]) -> None:
        """``_write`` of tables of document texts (see ``raw_tables``)."""
        self._replace(path, compose_tables(tables), empty=not any(tables.values()))

    def _replace(self, path: Path, text: str, *, empty: bool) -> None:
        # A file just written is not settled: the next read takes it from the disk.
        self._forget(path)
        if empty and path.parent.name == "open":
            # An index file with no open case left is removed, not kept empty: the
            # monitor lists the folder, and a year leaves ~1,000 such files behind.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                if self.fsync:
                    fsync_dir(path.parent)
            return
        write_atomic(path, text, fsync=self.fsync)

    def _forget(self, path: Path) -> None:
        with self._cache_lock:
            self._tables.pop(path, None)
            entry = self._cases.pop(path, None)
            if entry is not None:
                self._cases_size -= entry[2]

    def _partition(self, day: dt.date, seq: int) -> Path:
        return (self.root / "cases" / f"{day:%Y}" / f"{day:%m}"
                / f"{day:%d}-{seq % self.shards}.json")

    def _index(self, day: dt.date, seq: int) -> Path:
        return self.root / "open" / f"{day:%Y-%m-%d}-{seq % self.index_shards}.json"

    def _cached_cases(self, path: Path) -> dict[str, bytes] | None:
        """The cases (JSON bytes) of a partition, if cached and the file is unchanged."""
        with self._cache_lock:
            entry = self._cases.get(path)
        if entry is None:
            return None
        try:
            same = stamp_of(os.stat(path)) == entry[0]
        except FileNotFoundError:
            same = False
        with self._cache_lock:
            if not same:
                if self._cases.get(path) is entry:
                    del self._cases[path]
                    self._cases_size -= entry[2]
                return None
            if path in self._cases:
                self._cases.move_to_end(path)
        return entry[1]

    def _case(self, path: Path, key: str) -> dict[str, Any] | None:
        """One case of a partition, the caller's own copy (from the cache if it can)."""
        cached = self._cached_cases(path)
        if cached is not None:
            blob = cached.get(key)
            return None if blob is None else parse_case(blob)
        read = read_text(path)
        if read is None:
            return None
        st, settled, text = read
        found: dict[str, Any] | None = None
        kept: dict[str, bytes] = {}
        for table, k, doc_text, doc in scan_documents(path, text) if text else ():
            if table == "cases":
                if k == key:
                    found = doc  # freshly parsed: the caller's own
                if settled:
                    kept[k] = doc_text.encode("utf-8")
        if settled:
            self._keep_cases(path, stamp_of(st), kept)
        return found

    def _keep_cases(self, path: Path, stamp: Stamp, blobs: dict[str, bytes]) -> None:
        size = sum(len(b) for b in blobs.values()) + 100 * len(blobs) + 200
        with self._cache_lock:
            old = self._cases.pop(path, None)
            if old is not None:
                self._cases_size -= old[2]
            self._cases[path] = (stamp, blobs, size)
            self._cases_size += size
            while self._cases_size > self.cache_bytes and self._cases:
                _, (_, _, dropped) = self._cases.popitem(last=False)
                self._cases_size -= dropped

    def _read(self, path: Path, table: str) -> dict[str, Any]:
        """A TinyDB table of a small file (index, versions), cached parsed while the
        file is unchanged. The rows are shared: callers copy what they hand out."""
        with self._cache_lock:
            hit = self._tables.get(path)
        if hit is not None:
            try:
                if stamp_of(os.stat(path)) == hit[0]:
                    cached: dict[str, Any] = hit[1].get(table, {})
                    return cached
            except FileNotFoundError:
                pass
        loaded = load_tables(path)
        with self._cache_lock:
            if loaded is not None and loaded[1]:
                self._tables[path] = (loaded[0], loaded[2])
            else:
                self._tables.pop(path, None)
        return loaded[2].get(table, {}) if loaded is not None else {}

    def cache_info(self) -> dict[str, int]:
        """What the read cache holds: case partitions, their cases and bytes, and the
        small files (index, versions) kept parsed."""
        with self._cache_lock:
            return {"partitions": len(self._cases),
                    "cases": sum(len(e[1]) for e in self._cases.values()),
                    "bytes": self._cases_size, "tables": len(self._tables)}

    # ---- writes

    @contextlib.contextmanager
    def _writing(self, outcome: str = _UNCHANGED) -> Iterator[None]:
        """The store lock, with what the system refuses (a full disk, a read-only file
        system) as a StoreError; ``outcome`` says what became of the change."""
        try:
            with self._lock:
                yield
        except OSError as exc:
            raise write_failure(exc, self.root, outcome) from None

    # ---- journal: the case write and the index and audit writes that follow it

    def _journal_path(self) -> Path:
        return self.root / "journal.json"

    def _write_case(self, day: dt.date, seq: int, tables: Mapping[str, Mapping[str, str]],
                    case: dict[str, Any], summary: dict[str, Any] | None,
                    audit: dict[str, Any] | None, key: str | None = None) -> None:
        """Journal; write the partition ``tables`` holding ``case``; the index; the
        idempotency key (a create's); the audit."""
        entry: dict[str, Any] = {"day": day.isoformat(), "seq": seq, "summary": summary,
                                 "case": case, "audit": audit}
        if key is not None:
            entry["key"] = key
        unchanged = f"case {case.get('number')} is as it was: {_UNCHANGED}"
        try:
            write_atomic(self._journal_path(), json.dumps(entry, ensure_ascii=False),
                         fsync=self.fsync)
        except OSError as exc:
            raise write_failure(exc, self.root, unchanged) from None
        try:
            self._write_raw(self._partition(day, seq), tables)
        except OSError as exc:
            if not self._holds(entry):  # refused before its rename: nothing happened
                with contextlib.suppress(OSError):
                    os.unlink(self._journal_path())
                raise write_failure(exc, self.root, unchanged) from None
            # renamed, then the folder's fsync failed: the case is written, go on
        try:
            try:
                self._finish(entry, replay=False)
            except OSError as exc:
                raise write_failure(exc, self.root, "the reads show the change already, "
                                    "and the next write completes its index entry and "
                                    "audit line") from None
        except StoreError as exc:  # the journal stays: the next writer completes it
            raise StoreError(f"case {case.get('number')} was saved, but {exc.message}",
                             exc.span, hint=exc.hint, code=exc.code) from None
        os.unlink(self._journal_path())

    def _finish(self, entry: dict[str, Any], *, replay: bool, index: bool = True) -> None:
        """The writes that follow a case write: its index entry and its audit entry."""
        if index:
            self._apply_index(entry)
        if isinstance(entry.get("key"), str):
            self._apply_key(entry["key"], str((entry.get("case") or {}).get("number")))
        audit = entry.get("audit")
        # On replay the crash may have come after the audit line: never write it twice.
        if audit is not None and not (replay and self._audit_has_recent(audit)):
            self._append_line(audit)

    def _apply_index(self, entry: dict[str, Any]) -> None:
        """Set (or remove) the case's index entry; a file that already says so is
        left as it is (a replay, or a change no summary shows)."""
        path = self._index(dt.date.fromisoformat(entry["day"]), int(entry["seq"]))
        key, summary = str(entry["seq"]), entry["summary"]
        tables = raw_tables(path)
        rows = tables.setdefault("open", {})
        if summary is None:
            if rows.pop(key, None) is None:
                return
        else:
            text = json_text(summary)
            if rows.get(key) == text:
                return
            rows[key] = text
        self._write_raw(path, tables)

    def _key_path(self, key: str) -> Path:
        """The file of an idempotency key: ``keys/<2 hex digits of its SHA-256>.json``."""
        return self.root / "keys" / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:2]}.json"

    def _apply_key(self, key: str, number: str) -> None:
        """Record that ``key`` created case ``number`` (a replay finds it there)."""
        path = self._key_path(key)
        tables = raw_tables(path)
        rows = tables.setdefault("keys", {})
        text = json_text({"number": number})
        if rows.get(key) != text:
            rows[key] = text
            self._write_raw(path, tables)

    def find_key(self, key: str) -> dict[str, Any] | None:
        """The case created with idempotency key ``key``, or None."""
        number = (self._read(self._key_path(key), "keys").get(key) or {}).get("number")
        if number is None:
            done = self._done_journal()  # committed with its case, key not yet written
            if done is not None and done.get("key") == key:
                number = (done.get("case") or {}).get("number")
        return self.get(number) if isinstance(number, str) else None

    def _replay_journal(self) -> None:
        entry = self._pending()
        if entry is not None:
            if entry and self._holds(entry):
                self._finish(entry, replay=True)
            os.unlink(self._journal_path())

    def _pending(self) -> dict[str, Any] | None:
        """The journal's entry; {} for a torn one; None when there is no journal."""
        path = self._journal_path()
        if not path.exists():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, OSError):
            return {}  # torn before its rename: the index write never started
        return entry if isinstance(entry, dict) else {}

    def _holds(self, entry: dict[str, Any]) -> bool:
        """Whether the journalled case reached its partition (else the crash came first)."""
        try:
            day, seq = dt.date.fromisoformat(entry["day"]), int(entry["seq"])
        except (KeyError, TypeError, ValueError):
            return False  # not a journal this store wrote
        data = AtomicJSONStorage(self._partition(day, seq)).read() or {}
        found: bool = data.get("cases", {}).get(str(seq)) == entry.get("case")
        return found

    def _done_journal(self) -> dict[str, Any] | None:
        """A pending journal whose case reached its partition: its index entry and
        audit line may still be missing, and reads add them in memory (a store that
        cannot be written, or a writer that crashed since this object opened)."""
        if not self._journal_path().exists():  # the common case: one stat
            return None
        entry = self._pending()
        return entry if entry and self._holds(entry) else None

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
               audit: AuditOf | None = None, *, key: str | None = None) -> dict[str, Any]:
        with self._writing("no case was created"):
            self._replay_journal()
            if key is not None:
                # under the lock, after the journal: a case created with the key is in
                # the keys file (the journal writes it with the case's index entry)
                rows = (AtomicJSONStorage(self._key_path(key)).read() or {}).get("keys", {})
                known = (rows.get(key) or {}).get("number")
                if isinstance(known, str):
                    found = self.get(known)
                    if found is not None:
                        return found
            seq = self._next_seq(day)
            tables = raw_tables(self._partition(day, seq))
            while str(seq) in tables.get("cases", {}):
                # The day's counter is behind its cases (an import cut short, a
                # restored seq file): never overwrite a case, take the next number.
                seq = self._next_seq(day)
                tables = raw_tables(self._partition(day, seq))
            if seq > 99_999:
                raise StoreError(f"more than 99,999 cases on {day}", None)
            case = make(self.number(day, seq))
            tables.setdefault("cases", {})[str(seq)] = json_text(case)
            self._write_case(day, seq, tables, case, summary(case),
                             audit(case) if audit else None, key)
            return deep_copy(case)  # type: ignore[no-any-return]

    def get(self, number: str) -> dict[str, Any] | None:
        _, day, seq = parse_number(number)
        doc = self._case(self._partition(day, seq), str(seq))
        # the number's prefix must match too: FK...00042 is not XX...00042
        if doc is None or doc.get("number") != _normal(number):
            return None
        return doc

    def update(self, number: str, change: Callable[[dict[str, Any]], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None) -> dict[str, Any]:
        _, day, seq = parse_number(number)
        with self._writing(f"case {_normal(number)} is as it was: {_UNCHANGED}"):
            self._replay_journal()
            tables = raw_tables(self._partition(day, seq))
            rows = tables.setdefault("cases", {})
            text = rows.get(str(seq))
            current = None if text is None else parse_case(text)  # the change's own
            if current is None or current.get("number") != _normal(number):
                raise unknown_case(number)
            new = change(current)
            rows[str(seq)] = json_text(new)
            self._write_case(day, seq, tables, new, summary(new), audit(new) if audit else None)
            return deep_copy(new)  # type: ignore[no-any-return]

    def open_summaries(self) -> list[dict[str, Any]]:
        folder = self.root / "open"
        out: list[dict[str, Any]] = []
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".json")) \
            if folder.is_dir() else []
        with self._cache_lock:  # index files removed since (by any process) leave it
            listed = set(names)
            for gone in [p for p in self._tables if p.parent == folder
                         and p.name not in listed]:
                del self._tables[gone]
        for path in (folder / name for name in names):
            # fresh dicts, cheaply: the monitor reads thousands and changes none
            out.extend(dict(s) for s in self._read(path, "open").values())
        done = self._done_journal()
        if done is not None:  # its index entry, as the next writer will write it
            number = (done.get("case") or {}).get("number")
            out = [s for s in out if s.get("number") != number]
            if isinstance(done.get("summary"), dict):
                out.append(dict(done["summary"]))
        return out

    def cases_since(self, since: dt.date, *, copy: bool = True
                    ) -> Iterator[dict[str, Any]]:
        """Every case received on or after ``since``, in number order.

        Every document yielded is the caller's own (``copy`` is kept for callers that
        pass it). Partitions in the read cache are parsed from it; the others from
        their files, and not cached: a scan over a year would otherwise
        push out the partitions that lookups use.
        """
        days = self._partitions_since(since)
        for day in sorted(days):
            # a day's cases are spread over its shards: merge them back into number order
            rows: dict[int, bytes | dict[str, Any]] = {}
            for path in days[day]:
                cached = self._cached_cases(path)
                if cached is not None:
                    rows.update((int(k), v) for k, v in cached.items())
                    continue
                read = read_text(path)
                if read is not None:
                    rows.update(_cases_of(path, read[2]))
            for seq in sorted(rows):
                doc = rows[seq]
                yield parse_case(doc) if isinstance(doc, bytes) else doc

    def _partitions_since(self, since: dt.date) -> dict[dt.date, list[Path]]:
        """The case partitions of each receipt day on or after ``since``."""
        days: dict[dt.date, list[Path]] = {}
        base = self.root / "cases"
        if not base.is_dir():
            return days
        for path in base.glob("*/*/*.json"):
            day = _day_of(path)
            if day >= since:
                days.setdefault(day, []).append(path)
        return days

    def digests_since(self, since: dt.date, key: Hashable,
                      digest: Callable[[list[dict[str, Any]]], T]) -> list[T]:
        """``digest`` of the cases (in number order) of each partition received on or
        after ``since``, partitions in day order.

        For figures that add up over a long period: each digest is kept, per ``key``,
        while its partition file is unchanged (its stat, and settled, as for the read
        cache), so a second call reads only the partitions written since. ``key`` must
        name the computation and everything it depends on besides the cases. The
        digests of the two most recent keys are kept (a catalog reload brings a new
        calendar, so a new key for the monitor's figures).
        """
        with self._cache_lock:
            kept = self._digests.pop(key, {})
            self._digests[key] = kept  # the most recent key last
            while len(self._digests) > 2:
                del self._digests[next(iter(self._digests))]
        out: list[T] = []
        seen: set[Path] = set()
        days = self._partitions_since(since)
        for day in sorted(days):
            for path in sorted(days[day]):
                seen.add(path)
                try:
                    stamp = stamp_of(os.stat(path))
                except FileNotFoundError:
                    continue
                hit = kept.get(path)
                if hit is not None and hit[0] == stamp:
                    out.append(hit[1])
                    continue
                read = read_text(path)
                if read is None:
                    continue
                st, settled, text = read
                rows = _cases_of(path, text)
                value = digest([rows[seq] for seq in sorted(rows)])
                if settled:
                    kept[path] = (stamp_of(st), value)
                else:
                    kept.pop(path, None)
                out.append(value)
        # partitions removed since (kept ones before ``since`` serve a longer period);
        # list(): a copy in one step, as another session's call may be adding to it
        for gone in [p for p in list(kept) if p not in seen and _day_of(p) >= since]:
            kept.pop(gone, None)
        return out

    def import_cases(self, cases: Iterable[dict[str, Any]],
                     summary: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
        parts: dict[Path, dict[str, dict[str, Any]]] = {}
        index: dict[Path, dict[str, dict[str, Any] | None]] = {}
        last: dict[dt.date, int] = {}
        count = 0
        for case in cases:
            prefix, day, seq = imported_number(case["number"])
            if prefix != self.prefix:
                raise StoreError(f"case {case['number']} is not of this store (its numbers "
                                 f"start with {self.prefix})", None, code="other-prefix",
                                 hint="import it into the store of its own centre")
            case["number"] = _normal(case["number"])
            parts.setdefault(self._partition(day, seq), {})[str(seq)] = case
            index.setdefault(self._index(day, seq), {})[str(seq)] = summary(case)
            last[day] = max(last.get(day, 0), seq)
            count += 1
        with self._writing("the import may have been cut short: run the same import "
                           "again (it replaces cases, never duplicates them)"):
            self._replay_journal()
            # The counters first: an import cut short leaves no number to be given again.
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
            for path, docs in parts.items():
                self._merge(path, "cases", docs)
            for path, summaries in index.items():
                self._merge(path, "open", summaries)
        return count

    def rebuild_index(self, summary: Callable[[dict[str, Any]], dict[str, Any] | None]
                      ) -> dict[str, int]:
        """Write the open-case index afresh from the case partitions.

        The repair for a damaged, lost or hand-edited index file: the index is
        derived from the cases, which are read, never written. A pending crash
        journal is completed last (its audit line; its index entry comes from the
        cases) and then removed. Nothing is written until every partition has been
        read, so a damaged case partition stops the rebuild with the index and the
        journal as they were.
        """
        with self._writing("the index may be half rebuilt: run the rebuild again"):
            pending = self._pending()
            done = pending if pending and self._holds(pending) else None
            index: dict[Path, dict[str, dict[str, Any]]] = {}
            cases = 0
            for case in self.cases_since(dt.date.min):
                cases += 1
                entry = summary(case)
                if entry is not None:
                    _, day, seq = parse_number(case["number"])
                    index.setdefault(self._index(day, seq), {})[str(seq)] = entry
            folder = self.root / "open"
            stale = [folder / e.name for e in os.scandir(folder)
                     if _INDEX_NAME.match(e.name) and folder / e.name not in index] \
                if folder.is_dir() else []
            for path, rows in index.items():
                self._write(path, {"open": rows})
            for path in stale:
                self._replace(path, "", empty=True)
            if done is not None:
                self._finish(done, replay=True, index=False)
            if pending is not None:
                os.unlink(self._journal_path())
        return {"cases": cases, "open_cases": sum(len(r) for r in index.values()),
                "index_files": len(index), "removed_files": len(stale)}

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
        with self._writing("the entry was not written"):
            self._replay_journal()  # a journalled entry goes first, as it was first
            self._append_line(entry)

    def _audit_target(self, entry: Mapping[str, Any], files: list[Path]) -> Path:
        """The file an entry is appended to: its month's, or the newest file if that
        is later (a clock set back): the files hold the entries in the order written,
        which is the chain's."""
        month = str(entry.get("at", ""))[:7]
        if not _MONTH.fullmatch(month):
            month = f"{dt.date.today():%Y-%m}"
        folder = self.root / "audit"
        newest = max((f.stem for f in files if _MONTH.fullmatch(f.stem)), default="")
        return folder / f"{max(month, newest)}.jsonl"

    def _audit_has_recent(self, entry: dict[str, Any]) -> bool:
        """Whether ``entry`` is among the last 64 KB of its audit file (replay: not twice).

        Usually it is the last line. It is not when the journal's removal was lost
        in a power cut (the removal is not fsync-ed; the next journal write syncs the
        folder) after a plain ``append_audit`` made it to the disk. Its file is its
        month's or a later one (``_audit_target``): both, and the two newest, are read.
        """
        files = audit_files(self.root / "audit")
        month = self.root / "audit" / f"{str(entry.get('at', ''))[:7]}.jsonl"
        for path in dict.fromkeys([month, *files[-2:]]):
            try:
                with path.open("rb") as f:
                    f.seek(max(0, path.stat().st_size - 65536))
                    tail = f.read().decode("utf-8", "replace").splitlines()
            except FileNotFoundError:
                continue
            for line in reversed(tail):
                with contextlib.suppress(json.JSONDecodeError):
                    found = json.loads(line) if line.strip() else None
                    if isinstance(found, dict):
                        found.pop(CHAIN, None)
                        if found == entry:
                            return True
        return False

    def _append_line(self, entry: dict[str, Any]) -> None:
        """Append ``entry`` to the audit trail, chained to the entry before it."""
        if "at" not in entry:
            entry = {**entry, "at": dt.datetime.now().isoformat()}
        folder = self.root / "audit"
        with self._lock:
            folder.mkdir(parents=True, exist_ok=True)
            files = audit_files(folder)
            path = self._audit_target(entry, files)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                st = os.fstat(fd)
                size = st.st_size
                head, self._audit_head = self._audit_head, None
                torn: list[str] = []
                if head is not None and head[0] == (path, st.st_ino, size):
                    prev = head[1]  # no one appended since this object did
                else:
                    prev, torn = chain_tail([f for f in files if f != path] + [path])
                line, own = seal(entry, prev, torn)
                data = line.encode("utf-8")
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data  # end a line torn by a crash, keep ours whole
                try:
                    write_all(fd, data)
                    if self.fsync:
                        os.fsync(fd)
                        if not size:  # a new file: its name must last too
                            fsync_dir(folder)
                except OSError:
                    with contextlib.suppress(OSError):  # a full disk: as it was
                        os.ftruncate(fd, size)
                    raise
                self._audit_head = ((path, st.st_ino, size + len(data)), own)
            finally:
                os.close(fd)

    def audit(self, since: dt.date | None = None) -> Iterator[dict[str, Any]]:
        """The audit trail, oldest first, each entry as it was appended (its place in
        the hash chain left out: ``verify_audit`` checks that)."""
        for path in audit_files(self.root / "audit"):
            if since is not None and path.stem < f"{since:%Y-%m}":
                continue
            with path.open(encoding="utf-8", errors="replace") as f:
                for line in f:
                    try:
                        entry = json.loads(line) if line.endswith("\n") else None
                    except json.JSONDecodeError:
                        entry = None
                    if not isinstance(entry, dict):
                        continue  # a line torn by a crash: it was never acknowledged
                    entry.pop(CHAIN, None)
                    if since is None or str(entry.get("at", ""))[:10] >= since.isoformat():
                        yield entry
        done = self._done_journal()
        pending = done.get("audit") if done is not None else None
        if isinstance(pending, dict) and not self._audit_has_recent(pending) and (
                since is None or str(pending.get("at", ""))[:10] >= since.isoformat()):
            yield pending  # committed with its case; the next writer appends it

    def verify_audit(self) -> dict[str, Any]:
        """Check the audit trail's hash chain (``formkit cases verify``): the report of
        ``formkit.cases.files.verify_chain``; reads only."""
        return verify_chain(audit_files(self.root / "audit"))

    # ---- versions

    def put_version(self, snapshot: dict[str, Any]) -> bool:
        with self._writing("the version was not stored"):
            table = self._db(self.root / "versions.json").table("versions")
            if table.contains(doc_id=_doc_id(snapshot["hash"])):
                return False
            table.insert(Document(snapshot, doc_id=_doc_id(snapshot["hash"])))
            return True

    def get_version(self, digest: str) -> dict[str, Any] | None:
        rows = self._read(self.root / "versions.json", "versions")
        found = rows.get(str(_doc_id(digest)))
        return deep_copy(found) if found and found.get("hash") == digest else None

    def versions(self, code: str | None = None) -> list[dict[str, Any]]:
        rows = self._read(self.root / "versions.json", "versions").values()
        chosen = [deep_copy(r) for r in rows if code is None or r.get("code") == code]
        return sorted(chosen, key=lambda r: str(r.get("published_at", "")))


def _cases_of(partition: Path, text: str) -> dict[int, dict[str, Any]]:
    """The cases of a partition's text, parsed, by sequence number."""
    return {int(k): doc for table, k, _, doc in
            (scan_documents(partition, text) if text else ()) if table == "cases"}


def _day_of(partition: Path) -> dt.date:
    """The receipt day of a case partition, ``cases/2026/11/25-2.json``."""
    return dt.date(int(partition.parent.parent.name), int(partition.parent.name),
                   int(partition.stem.split("-")[0]))


_INDEX_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-\d+\.json$")  # open/2026-11-25-2.json
_MONTH = re.compile(r"\d{4}-\d{2}")  # an audit file's name, audit/2026-11.jsonl


def _normal(number: str) -> str:
    return number.strip().upper()


def _doc_id(digest: str) -> int:
    try:
        return int(digest[:15], 16)
    except ValueError:
        raise InputError(f"'{digest}' is not a version hash", None) from None
