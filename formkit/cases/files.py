"""The files of the case store: atomic durable writes, TinyDB files read and written
as JSON text, the store lock, the audit trail's hash chain (``formkit.cases.tinystore``
puts them together; ``docs/store.md`` explains the design)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import pickle
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from formkit.errors import StoreError

__all__ = ["CHAIN", "SETTLE_NS", "AtomicJSONStorage", "Stamp", "StoreLock",
           "audit_files", "chain_tail", "compose_tables", "damaged", "deep_copy",
           "fsync_dir", "json_text", "load_tables", "parse_case", "raw_tables", "read_text",
           "scan_documents", "seal", "stamp_of", "verify_chain", "write_all", "write_atomic",
           "write_failure"]

SETTLE_NS = 2_000_000_000  # a file changed more recently than this is not cached
Stamp = tuple[int, int, int, int, int]


def fsync_dir(path: Path) -> None:
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
        loaded = load_tables(self.path)
        if loaded is None or not loaded[2]:
            return None
        return loaded[2]

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomic(self.path, json_text(data), fsync=self.fsync)

    def close(self) -> None:
        pass


def read_text(path: Path) -> tuple[os.stat_result, bool, str] | None:
    """A file's text, the stat of the very file it was read from, and whether that
    file had been still for SETTLE_NS when read (None: there is no such file).

    One open file is both stat-ed and read, so the stat describes these bytes (our
    writers replace files, never change them in place).
    """
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            settled = time.time_ns() - max(st.st_ctime_ns, st.st_mtime_ns) > SETTLE_NS
            raw = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:  # permissions, too many open files: the file may be fine
        raise StoreError(f"cannot read store file {path}: {exc.strerror or exc}", None,
                         code="io", hint="check the store folder's owner and permissions "
                         "and the process's open files; nothing was changed") from None
    try:
        return st, settled, raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise damaged(path, exc) from None


def load_tables(path: Path) -> tuple[Stamp, bool, dict[str, dict[str, Any]]] | None:
    """A TinyDB file's tables parsed, with ``read_text``'s stamp and settledness
    (None: no such file; ``{}``: an empty file).

    Raises:
        StoreError: the file is not a TinyDB JSON file (damaged, or not ours).
    """
    read = read_text(path)
    if read is None:
        return None
    st, settled, text = read
    if not text:
        return stamp_of(st), settled, {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, huge numbers, depth
        raise damaged(path, exc) from None
    # TinyDB's layout: {table: {doc_id: document}}
    if not isinstance(data, dict) or not all(
            isinstance(t, dict) and all(isinstance(d, dict) for d in t.values())
            for t in data.values()):
        raise damaged(path, "not a TinyDB file of tables of documents")
    return stamp_of(st), settled, data


_DECODE = json.JSONDecoder().raw_decode
_JSON_SPACE = frozenset(" \t\n\r")


def scan_documents(path: Path, text: str) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Each document of a TinyDB file's text: (table, doc id, its JSON text, parsed).

    What a write of one document needs: the others stay text, each parsed only to
    find its end and check it, and dropped at once, so a partition read to change one
    case leaves no thousand objects behind for the cyclic collector (``json.loads``
    of the whole file would).

    Raises:
        StoreError: the text is not a TinyDB file of tables of documents.
    """
    def space(i: int) -> int:
        while text[i:i + 1] in _JSON_SPACE:
            i += 1
        return i

    def expect(char: str, i: int) -> int:
        i = space(i)
        if text[i:i + 1] != char:
            raise damaged(path, f"'{char}' expected at character {i}")
        return space(i + 1)

    def key_at(i: int) -> tuple[str, int]:
        key, i = _DECODE(text, i)
        if not isinstance(key, str):
            raise damaged(path, f"a name expected at character {i}")
        return key, expect(":", i)

    def next_member(i: int) -> int:
        """Past the ',' before the next member, or at the '}' that ends them."""
        if text[i:i + 1] == "}":
            return i
        i = expect(",", i)
        if text[i:i + 1] != '"':
            raise damaged(path, f"a name expected at character {i}")
        return i

    try:
        i = expect("{", 0)
        while text[i:i + 1] != "}":
            table, i = key_at(i)
            i = expect("{", i)
            while text[i:i + 1] != "}":
                key, start = key_at(i)
                doc, end = _DECODE(text, start)
                if not isinstance(doc, dict):
                    raise damaged(path, "not a TinyDB file of tables of documents")
                yield table, key, text[start:end], doc
                i = next_member(space(end))
            i = next_member(expect("}", i))
        if expect("}", i) != len(text):
            raise damaged(path, "extra data after the tables")
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, huge numbers, depth
        raise damaged(path, exc) from None


def json_text(value: Any) -> str:
    """JSON as every store file holds it (compact, UTF-8 kept)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def compose_tables(tables: Mapping[str, Mapping[str, str]]) -> str:
    """A TinyDB file from its documents' JSON texts (the text ``json_text`` of the parsed
    tables would give, when the documents were written by ``json_text``)."""
    return "{" + ",".join(
        json_text(table) + ":{" + ",".join(json_text(k) + ":" + doc for k, doc in docs.items())
        + "}" for table, docs in tables.items()) + "}"


def raw_tables(path: Path) -> dict[str, dict[str, str]]:
    """A TinyDB file's tables as {table: {doc id: document JSON text}} ({}: no file)."""
    read = read_text(path)
    tables: dict[str, dict[str, str]] = {}
    if read is not None and read[2]:  # an empty file is an empty database
        for table, key, doc, _ in scan_documents(path, read[2]):
            tables.setdefault(table, {})[key] = doc
    return tables


def damaged(path: Path, why: object) -> StoreError:
    if path.parent.name == "open":  # an open-case index file: derived from the cases
        return StoreError(f"the open-case index file {path} is damaged: {why}", None,
                          code="damaged", hint="rebuild the index from the cases: formkit "
                          f"cases reindex --store {path.parent.parent} (the cases are "
                          "unaffected; a pending change in journal.json is completed by "
                          "the rebuild, and holds back further writes until then)")
    return StoreError(f"store file {path} is damaged: {why}", None, code="damaged",
                      hint="restore it from the last export; other files are unaffected")


def deep_copy(value: Any) -> Any:
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
        fsync_dir(path.parent)


class StoreLock:
    """Exclusive across processes (flock) and threads (RLock); re-entrant per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> StoreLock:
        self._thread.acquire()
        if self._depth == 0:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:  # a read-only file system, a full disk, permissions
                self._thread.release()
                raise write_failure(exc, self.path.parent, "nothing was changed") from None
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


def parse_case(text: str | bytes) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(text)
    return found


def stamp_of(st: os.stat_result) -> Stamp:
    # The inode changes with every atomic replace (a freed inode number can come back,
    # though); mtime and size alone can repeat within one clock tick, and mtime can be
    # set back (os.utime), ctime cannot. A file changed within one tick of being read
    # could still keep all five: ``load_tables`` says such a file is not settled, and it is
    # not cached.
    return (st.st_dev, st.st_ino, st.st_ctime_ns, st.st_mtime_ns, st.st_size)


def write_failure(exc: OSError, root: Path, outcome: str) -> StoreError:
    """The error for a write of the store at ``root`` that the system refused;
    ``outcome`` says what became of the change (\"nothing was changed\")."""
    where = exc.filename or root
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError(f"the disk of the case store {root} is full (writing {where})",
                          None, code="disk-full",
                          hint=f"{outcome}; free space on that disk (or raise the quota) and "
                               "do it again; reads still work")
    if exc.errno == errno.EROFS:
        return StoreError(f"the case store {root} is on a read-only file system", None,
                          code="read-only",
                          hint=f"{outcome}; remount it read-write, or point --store "
                               "(FORMKIT_STORE) at a writable store; reads still work")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StoreError(f"no permission to write {where}", None, code="io",
                          hint=f"{outcome}; check the owner and permissions of the store "
                               f"folder {root}")
    return StoreError(f"cannot write {where}: {exc.strerror or exc}", None, code="io",
                      hint=f"{outcome}; check the store folder {root} and its disk")


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` (``os.write`` may write fewer, e.g. on a full disk)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# ---- the audit trail's hash chain (docs/store.md, "The audit trail")

CHAIN = "chain"  # an audit line's chain: {"prev": hash, "torn": [hash, ...], "hash": hash}
_MONTH_FILE = re.compile(r"\d{4}-\d{2}\.jsonl")


def audit_files(folder: Path) -> list[Path]:
    """The audit files in the order they were written: month by month (a file of
    entries without a date, from before the chain, first)."""
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".jsonl")]
    except FileNotFoundError:
        return []
    return [folder / n for n in sorted(names, key=lambda n: (bool(_MONTH_FILE.fullmatch(n)), n))]


def _canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry_hash(entry: Mapping[str, Any], chain: Mapping[str, Any]) -> str:
    """An audit entry's hash: sha256 of the canonical JSON (sorted keys, no spaces) of
    the entry with its chain minus the hash itself."""
    return _digest(_canonical({**entry, CHAIN: chain}))


def seal(entry: Mapping[str, Any], prev: str, torn: list[str]) -> tuple[str, str]:
    """The audit line of ``entry`` chained after the entry whose hash is ``prev`` (""
    for the first), and its hash: sha256 of the canonical JSON (sorted keys, no spaces)
    of the entry with its chain minus the hash. ``torn``: the digests of the lines cut
    short by a crash since that entry (recorded, so that verify tells them from a line
    garbled later)."""
    chain: dict[str, Any] = {"prev": prev}
    if torn:
        chain["torn"] = torn
    own = _entry_hash(entry, chain)
    line = json.dumps({**entry, CHAIN: {**chain, "hash": own}}, ensure_ascii=False,
                      sort_keys=True) + "\n"
    return line, own


def _entry(raw: bytes) -> dict[str, Any] | None:
    """The entry of an audit line; None: not one (torn by a crash, or garbled)."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return entry if isinstance(entry, dict) else None


def _lines_backwards(path: Path) -> Iterator[bytes]:
    """The lines of a file, last first, without their newline (a last line cut short
    by a crash included)."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, across the yields
    except FileNotFoundError:
        return
    with f:
        pos = f.seek(0, os.SEEK_END)
        rest = b""
        first = True
        while pos > 0:
            step = min(8192 if first else 65536, pos)
            pos -= step
            f.seek(pos)
            parts = (f.read(step) + rest).split(b"\n")
            if first and parts[-1] == b"":
                parts.pop()  # the file ends with a newline
            first = False
            rest = parts[0]
            yield from reversed(parts[1:])
        if rest or not first:
            yield rest


def chain_tail(files: list[Path]) -> tuple[str, list[str]]:
    """What a new entry appended after ``files`` chains to: the hash of the last entry
    ("" when it has none: the first, or one from before the chain), and the digests
    of the lines after it that are no entries (cut short by a crash), oldest first."""
    torn: list[str] = []
    for path in reversed(files):
        for raw in _lines_backwards(path):
            entry = _entry(raw)
            if entry is None:
                torn.append(_digest(raw))
                continue
            chain = entry.get(CHAIN)
            prev = chain.get("hash") if isinstance(chain, dict) else None
            return (prev if isinstance(prev, str) else ""), torn[::-1]
    return "", torn[::-1]


def verify_chain(files: list[Path]) -> dict[str, Any]:
    """Check the audit trail's hash chain; the report of ``formkit cases verify``.

    ``{"ok", "files", "entries", "unchained", "torn", "head"}``, and ``"break":
    {"file", "line", "what", "message"}`` at the first break (``what``: ``edited``,
    ``missing``, ``garbled``). ``entries``: chained entries checked (before the
    break); ``unchained``: entries from before the chain, which carry no hash (not
    protected); ``torn``: lines at the very end cut short by a crash (never
    acknowledged; the next entry records them); ``head``: the last entry's hash.
    """
    prev: str | None = None  # None: no chained entry yet
    pending: list[tuple[Path, int, str]] = []  # lines since the last entry that are none
    entries = unchained = 0

    def report(path: Path, line: int, what: str, message: str) -> dict[str, Any]:
        return {"ok": False, "files": len(files), "entries": entries, "unchained": unchained,
                "torn": 0, "head": prev,
                "break": {"file": str(path), "line": line, "what": what, "message": message}}

    for path in files:
        lines = path.read_bytes().split(b"\n")
        if lines[-1] == b"":
            lines.pop()  # after the final newline (a last line cut short stays)
        for number, raw in enumerate(lines, 1):
            entry = _entry(raw)
            if entry is None:
                pending.append((path, number, _digest(raw)))
                continue
            chain = entry.pop(CHAIN, None)
            if chain is None:
                if prev is not None:
                    return report(path, number, "edited", "the entry carries no hash, but "
                                  "an entry before it does: its hash was removed")
                unchained += 1
                pending = []
                continue
            own = chain.get("hash") if isinstance(chain, dict) else None
            body = {k: v for k, v in chain.items() if k != "hash"} \
                if isinstance(chain, dict) else None
            if (not isinstance(own, str) or body is None
                    or _entry_hash(entry, body) != own):
                return report(path, number, "edited",
                              "the entry does not match its hash: it was changed")
            torn = body.get("torn", [])
            if torn != [digest for _, _, digest in pending]:
                for where in pending:
                    if not isinstance(torn, list) or where[2] not in torn:
                        return report(where[0], where[1], "garbled",
                                      "the line is not an audit entry, and no later entry "
                                      "records it as a line cut short by a crash")
                return report(path, number, "missing", "a line cut short by a crash that "
                              "this entry records is no longer before it")
            if body.get("prev") != (prev or ""):
                return report(path, number, "missing", (
                    "the entry does not follow the one before it: an entry between them "
                    "was removed, or the one before it was rewritten") if prev is not None
                    else "the first chained entry does not start the chain: the entries "
                         "before it were removed")
            prev = own
            entries += 1
            pending = []
    return {"ok": True, "files": len(files), "entries": entries, "unchained": unchained,
            "torn": len(pending), "head": prev}
