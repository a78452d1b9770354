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
- entries are read with an unpickler that resolves only formkit's model classes and
  the few standard types they hold, from a folder only this user may write.

The folder is ``$FORMKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/formkit``, else
``~/.cache/formkit``; ``FORMKIT_CACHE=off`` turns the cache off. Any problem with the
cache (unwritable folder, damaged entry) makes it a miss, never an error: the file is
read as if there were no cache.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
import time
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from formkit.model import Matter
from formkit.yamldoc import PosStr, SourceFile, YamlDoc, normal_text

__all__ = ["ParseCache", "default_cache"]

# Entries kept per fingerprint folder before the least recently written are removed.
MAX_ENTRIES = 20_000
_PICKLE_PROTOCOL = 5
# What a cached matter may contain: the classes of formkit's models and these types.
_MODULES = ("formkit.model", "formkit.yamldoc")
_ALLOWED = {("datetime", "date"), ("decimal", "Decimal"), ("builtins", "set"),
            ("builtins", "frozenset")}


class _Unpickler(pickle.Unpickler):
    """Resolves the classes of formkit's models and a few standard types, nothing else
    (no function can be reached: an entry cannot run code)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module in _MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")


def _reduce_posstr(value: PosStr) -> tuple[Any, ...]:
    # PosStr pickles as a plain str elsewhere (copies for the studio); here it keeps
    # its position.
    return (PosStr, (str(value), value.file, value.start, value.end, value.style))


@cache
def fingerprint() -> str:
    """A hash of formkit's source and the versions of what reads files."""
    digest = hashlib.sha256()
    for part in (sys.version, version("pydantic"), version("PyYAML"), str(_PICKLE_PROTOCOL)):
        digest.update(part.encode() + b"\0")
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ParseCache:
    """Validated matters by (name, text), in ``folder/<fingerprint>/``."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder) / fingerprint()
        self.hits = 0
        self.written = 0
        self._usable: bool | None = None  # checked on first use

    @property
    def usable(self) -> bool:
        """False when the folder cannot be made, or others may write it."""
        if self._usable is None:
            try:
                self._usable = _private_folder(self.folder.parent)
            except OSError:
                self._usable = False
        return self._usable

    def _entry(self, text: str, name: str) -> Path:
        key = hashlib.sha256(name.encode("utf-8") + b"\0" + text.encode("utf-8")).hexdigest()
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, text: str, name: str) -> tuple[Matter, YamlDoc] | None:
        """The matter and its (released) document, or None on a miss."""
        if not self.usable:
            return None
        path = self._entry(text, name)
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
            path.unlink(missing_ok=True)
            return None
        doc = YamlDoc(file, None, None)
        doc.release()
        self.hits += 1
        return matter, doc

    def put(self, text: str, name: str, matter: Matter, doc: YamlDoc) -> None:
        """Keep a clean file's matter (written atomically; a failure disables the cache)."""
        if not self.usable:
            return
        path = self._entry(text, name)
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=_PICKLE_PROTOCOL)
        pickler.dispatch_table = {PosStr: _reduce_posstr}
        try:
            pickler.dump((matter, doc.file))
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(tmp, path)
            self.written += 1
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            self._usable = False

    def prune(self, keep: int = MAX_ENTRIES) -> None:
        """Remove the oldest entries beyond ``keep``, and folders of other formkit
        versions not written for a week (another install may still use a newer one)."""
        week_ago = time.time() - 7 * 86400
        try:
            for other in self.folder.parent.iterdir():
                if (other.is_dir() and other != self.folder and len(other.name) == 16
                        and other.stat().st_mtime < week_ago):
                    _remove_tree(other)
            entries = [(e.stat().st_mtime_ns, e) for sub in self.folder.iterdir()
                       for e in sub.iterdir()]
        except OSError:
            return
        if len(entries) <= keep:
            return
        entries.sort()
        for _, entry in entries[: len(entries) - keep]:
            entry.unlink(missing_ok=True)


def _private_folder(folder: Path) -> bool:
    """Create ``folder`` (mode 700) if missing; True when only this user can write it
    (entries are unpickled: nobody else may plant one)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = folder.stat()
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _remove_tree(folder: Path) -> None:
    for sub in folder.iterdir():
        if sub.is_dir():
            _remove_tree(sub)
        else:
            sub.unlink(missing_ok=True)
    folder.rmdir()


def default_cache() -> ParseCache | None:
    """The cache named by the environment (see the module text), or None when off."""
    if os.environ.get("FORMKIT_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    folder = os.environ.get("FORMKIT_CACHE_DIR")
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
            os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "formkit")
    return ParseCache(folder)
