"""The files of the case store: atomic durable writes, TinyDB files read and written
as JSON text, the store lock (``formkit.cases.tinystore`` puts them together; ``docs/store.md``
explains the design)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from formkit.errors import StoreError

__all__ = ["SETTLE_NS", "AtomicJSONStorage", "Stamp", "StoreLock",
           "compose_tables", "damaged", "deep_copy", "fsync_dir", "json_text",
           "load_tables", "parse_case", "raw_tables", "read_text", "scan_documents",
           "stamp_of", "write_atomic"]

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
