"""A cache of validated matter files, so that a catalog opens fast the second time.

Reading a matter file is composing its YAML into nodes, walking them into data that
keeps every position, and validating that with pydantic: about 2.7 ms for a 10 KB
file, almost all of it per-node Python work. A catalog of 500 matters changes a few
files a day, so the result of a *clean* file (no error of any kind) is kept, like
Python keeps ``.pyc`` files:

- the key is a SHA-256 of the file's text and its display name (positions and
  messages name the file), salted with a fingerprint of formkit's own source and the
  versions of Python, pydantic and PyYAML: any change of the code that reads files
  makes every old entry unreachable;
- the entry is the pickled ``Matter`` with its ``SourceFile``, every ``PosStr``
  keeping its position; the YAML node tree is not kept (``YamlDoc.release``) and is
  composed again only when a later error needs a position;
- a file with any problem is never cached: its errors always come from a fresh read;
- entries are read with an unpickler that knows only formkit's model classes and the
  few standard types they hold (an exact list: no function, no dotted name can be
  reached, so an entry cannot run code), from folders only this user may write.

The folder is ``$FORMKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/formkit``, else
``~/.cache/formkit``; ``FORMKIT_CACHE=off`` turns the cache off. Any problem with the
cache (unwritable or shared folder, damaged entry, odd file name) makes it a miss or
turns it off, never an error: the file is read as if there were no cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import pickle
import re
import shutil
import stat
import sys
import tempfile
import time
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml

from formkit.definitions import model
from formkit.definitions.model import Matter
from formkit.definitions.yamldoc import PosStr, SourceFile, YamlDoc, normal_text

__all__ = ["ParseCache", "default_cache", "fingerprint"]

# Entries kept per fingerprint folder before the least recently written are removed.
MAX_ENTRIES = 20_000
# A folder of another formkit version is removed when not used for this long.
STALE_SECONDS = 7 * 86400
_PICKLE_PROTOCOL = 5
_STAMP = "last-used"
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def _classes() -> dict[tuple[str, str], type]:
    """Every class a cached matter may hold, by (module, name) exactly as pickled."""
    found: list[type] = [PosStr, SourceFile, dt.date, Decimal]
    found += [c for c in vars(model).values()
              if isinstance(c, type) and c.__module__ == model.__name__]
    return {(c.__module__, c.__qualname__): c for c in found}


_CLASSES = _classes()


class _Unpickler(pickle.Unpickler):
    """Knows the classes above and nothing else: no function and no dotted name (which
    pickle would follow through module attributes) can be reached."""

    def find_class(self, module: str, name: str) -> Any:
        found = _CLASSES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")
        return found


def _reduce_posstr(value: PosStr) -> tuple[Any, ...]:
    # PosStr pickles as a plain str elsewhere (copies for the studio); here it keeps
    # its position.
    return (PosStr, (str(value), value.file, value.start, value.end, value.style))


def _fingerprint() -> str | None:
    """A hash of formkit's version and source, and the versions of what reads files;
    taken when this module is imported, so it describes the code this process runs
    (not files an upgrade wrote since). None when the source cannot be read."""
    try:
        digest = hashlib.sha256()
        parts = [sys.version, version("pydantic"), version("PyYAML"), str(_PICKLE_PROTOCOL),
                 str(getattr(yaml, "__with_libyaml__", False))]
        with contextlib.suppress(PackageNotFoundError):
            parts.append(version("formkit"))
        for part in parts:
            digest.update(part.encode() + b"\0")
        package = Path(__file__).resolve().parent
        sources = sorted(p for p in package.rglob("*.py")
                         if p.is_file() and not p.name.startswith((".", "#")))
        if not sources:
            return None
        for path in sources:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    except (OSError, PackageNotFoundError):
        return None
    return digest.hexdigest()[:16]


_PRINT = _fingerprint()


def fingerprint() -> str | None:
    """The fingerprint of the running formkit (see ``_fingerprint``)."""
    return _PRINT


class ParseCache:
    """Validated matters by (name, text), in ``folder/<fingerprint>/``."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.base = Path(folder)
        self.folder = self.base / (_PRINT or "none")
        self.hits = 0
        self.written = 0
        self._usable: bool | None = None  # checked on first use

    @property
    def usable(self) -> bool:
        """False when the folders cannot be made, or others may write them."""
        if self._usable is None:
            self._usable = False
            if _PRINT is not None and self.base.is_absolute():
                with contextlib.suppress(OSError):
                    self._usable = _private_folder(self.base) and _private_folder(self.folder)
                    if self._usable:
                        (self.folder / _STAMP).touch()  # what prune's "not used" reads
        return self._usable

    def entry(self, text: str, name: str) -> Path | None:
        """Where the file ``name`` with ``text`` is kept (for ``get``, then ``put``);
        None for a name or text that cannot be encoded (never cached)."""
        try:
            key = hashlib.sha256(name.encode("utf-8", "surrogateescape") + b"\0"
                                 + text.encode("utf-8", "surrogateescape")).hexdigest()
        except UnicodeError:
            return None
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, path: Path, text: str, name: str) -> tuple[Matter, YamlDoc] | None:
        """The matter and its (released) document kept at ``path`` (``entry``) for
        this text and name, or None on a miss."""
        if not self.usable:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            matter, file = _Unpickler(io.BytesIO(data)).load()
            if not isinstance(matter, Matter) or not isinstance(file, SourceFile):
                raise pickle.UnpicklingError("not a cache entry")
            if file.text != normal_text(text) or file.name != name:  # collision, tampering
                raise pickle.UnpicklingError("entry of another file")
        except Exception:  # any damage: the entry is a miss, never an error
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
            return None
        doc = YamlDoc(file, None, None)
        doc.release()
        self.hits += 1
        return matter, doc

    def put(self, path: Path, matter: Matter, doc: YamlDoc) -> None:
        """Keep a clean file's matter at ``path`` (``entry``; written atomically; a
        failure turns the cache off)."""
        if not self.usable:
            return
        tmp: str | None = None
        try:
            buffer = io.BytesIO()
            pickler = pickle.Pickler(buffer, protocol=_PICKLE_PROTOCOL)
            pickler.dispatch_table = {PosStr: _reduce_posstr}
            pickler.dump((matter, doc.file))
            if not path.parent.is_dir():
                path.parent.mkdir(exist_ok=True)
                path.parent.chmod(0o700)  # whatever the umask
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(tmp, path)
            tmp = None
            self.written += 1
        except Exception:  # the cache is an optimisation: any failure turns it off
            self._usable = False
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def prune(self, keep: int = MAX_ENTRIES) -> None:
        """Remove the oldest entries beyond ``keep``, and the folders of other formkit
        versions not used for a week (another install may still use a newer one).
        Only formkit's own folders are touched, never through a symbolic link."""
        if not self.usable:
            return
        with contextlib.suppress(OSError):
            self._prune_others()
            self._prune_entries(keep)

    def _prune_others(self) -> None:
        stale = time.time() - STALE_SECONDS
        for other in self.base.iterdir():
            if (other == self.folder or not _FINGERPRINT.fullmatch(other.name)
                    or other.is_symlink() or not other.is_dir()):
                continue
            stamp = other / _STAMP
            used = (stamp if stamp.is_file() else other).stat().st_mtime
            if used < stale:
                shutil.rmtree(other, ignore_errors=True)

    def _prune_entries(self, keep: int) -> None:
        subs = [d for d in self.folder.iterdir() if d.is_dir() and not d.is_symlink()]
        names = [(sub, e) for sub in subs for e in os.listdir(sub)]
        if len(names) <= keep:  # the common case: counted without a stat
            return
        entries = sorted(((sub / e).stat().st_mtime_ns, sub / e) for sub, e in names)
        for _, entry in entries[: len(entries) - keep]:
            with contextlib.suppress(OSError):
                entry.unlink()


def _private_folder(folder: Path) -> bool:
    """Create ``folder`` (mode 700, whatever the umask) if missing; True when it is a
    real folder (not a symbolic link) of this user that nobody else may write: entries
    are unpickled, so nobody else may plant one."""
    if not folder.exists() and not folder.is_symlink():
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
    st = folder.lstat()
    return (stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid()
            and not st.st_mode & 0o022)


def default_cache() -> ParseCache | None:
    """The cache named by the environment (see the module text), or None when off."""
    if os.environ.get("FORMKIT_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    folder = os.environ.get("FORMKIT_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
            os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "formkit")
    if not os.path.isabs(folder):  # no home folder: never a cache in the working folder
        return None
    return ParseCache(folder)
