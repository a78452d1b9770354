"""Load a catalog folder: YAML files -> models, every error placed in its file.

``load_catalog(DIR)`` never raises for bad input: it reads everything it can
and returns a ``LoadedCatalog`` whose ``errors`` hold every problem found
(YAML, model, cross-checks, and expressions once the rule checker runs).
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import os
import stat
import types
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from formkit.definitions.model import Bundle, CalendarFile, Catalog, Matter, iter_fields
from formkit.definitions.parsecache import ParseCache, default_cache
from formkit.definitions.yamldoc import MAX_FILE_BYTES, YamlDoc, parse_yaml
from formkit.errors import DefinitionError, FormkitError, InputError, LimitError, SourceSpan

__all__ = [
    "LoadedCatalog",
    "decode_utf8",
    "load_catalog",
    "load_matter_text",
    "read_bounded",
    "read_text_file",
    "validate_document",
]

M = TypeVar("M", bound=BaseModel)

CATALOG_FILE = "catalog.yaml"
USERS_FILE = "users.yaml"
# the HTTP API's keys (formkit.api.auth.API_KEYS_FILE), beside users.yaml: not a matter
API_KEYS_FILE = "api_keys.yaml"
# 高效办成一件事 bundles (docs/bundles.md): every YAML file under this folder is a bundle
BUNDLES_DIR = "bundles"


@dataclass
class LoadedCatalog:
    """A catalog folder as read: the catalog, its matters, and every error found."""

    root: Path
    catalog: Catalog | None
    matters: dict[str, Matter] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
    docs: dict[str, YamlDoc] = field(default_factory=dict)  # by display file name
    calendar: CalendarFile | None = None
    catalog_doc: YamlDoc | None = None
    errors: list[FormkitError] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not self.errors

    def matter(self, code: str) -> Matter | None:
        """The matter with this code, if any."""
        return self.matters.get(code)

    def doc_of(self, matter: Matter | Bundle) -> YamlDoc | None:
        """The YAML document a matter (or a bundle) was read from."""
        return self.docs.get(matter.file)


def _display(path: Path) -> str:
    # As the user named it (``definitions/ms/x.yaml``), so messages match their shell.
    return str(path)


_FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
               (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
               (stat.S_ISSOCK, "a socket"))


def _not_regular(name: str, mode: int) -> InputError:
    what = next((kind for test, kind in _FILE_KINDS if test(mode)), "not a regular file")
    return InputError(f"{name} is {what}, not a regular file", SourceSpan(name),
                      hint="give the path of a regular file", code="not-a-file")


def read_bounded(path: str | os.PathLike[str], limit: int, *, name: str | None = None,
                 code: str = "file-too-large",
                 hint: str = "split the definition, or remove pasted data") -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    A FIFO, a device (``/dev/zero``), a socket or a folder is refused before it is
    opened, so nothing blocks and nothing endless is read; the file is then opened
    without blocking and checked again (it may have been swapped in between), and at
    most ``limit + 1`` bytes are read whatever its size claims (``/proc`` files claim
    0). Raises ``InputError`` (codes ``io``, ``not-a-file``) or ``LimitError`` (``code``).
    """
    shown = name if name is not None else str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(shown, info.st_mode)
        if info.st_size > limit:
            raise LimitError(f"file is too large ({info.st_size} bytes; at most {limit})",
                             SourceSpan(shown, 1, 1), hint=hint, code=code)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise _not_regular(shown, mode)
            data = file.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {shown}: {exc.strerror or exc}", SourceSpan(shown),
                         code="io") from None
    if len(data) > limit:
        raise LimitError(f"file is too large (more than {limit} bytes)",
                         SourceSpan(shown, 1, 1), hint=hint, code=code)
    return data


def _read(path: Path, errors: list[FormkitError]) -> str | None:
    try:
        return read_text_file(path, _display(path))
    except FormkitError as exc:
        errors.append(exc)
        return None


def read_text_file(path: Path, name: str | None = None) -> str:
    """A definition file's text (``*.yaml``, ``*.rules``): a regular file of at most
    ``MAX_FILE_BYTES``, UTF-8, newlines as ``\\n``. Raises ``FormkitError``, placed."""
    name = name if name is not None else str(path)
    # Not read past the bound: the same error parse_yaml gives for a too-large text.
    data = read_bounded(path, MAX_FILE_BYTES, name=name)
    # Universal newlines, as read_text would: CRLF files get the same positions.
    return decode_utf8(data, name).replace("\r\n", "\n").replace("\r", "\n")


def decode_utf8(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text; a byte that is not is an ``InputError`` (``encoding``)
    placed at its line and column in the file ``name``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[line_start: exc.start].decode("utf-8", errors="replace")) + 1
        raise InputError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line})",
            SourceSpan(name, line, column),
            hint="save the file as UTF-8 (GBK/GB18030 files must be converted)",
            code="encoding") from None


# YAML problems after which the data is still what the editor wrote (the second of two
# equal keys is dropped, a tagged value kept as text): the model is checked as well, so
# every error of the file is reported at once, but the file is not loaded.
_RECOVERABLE = frozenset({"duplicate-key", "yaml-tag", "big-number"})


def validate_document(doc: YamlDoc, model: type[M], what: str) -> M | None:
    """Validate ``doc.data`` as ``model``; errors go to ``doc.errors`` with positions."""
    if any(e.code not in _RECOVERABLE for e in doc.errors):
        return None
    if not isinstance(doc.data, dict):
        if doc.errors:
            return None
        empty = doc.data is None
        doc.errors.append(DefinitionError(
            f"the {what} file is empty" if empty else
            f"a {what} file must be a mapping of keys (like 'code: ...'), "
            f"not {_kind_of(doc.data)}", doc.span_at(()),
            hint="start the file with the keys of the contract", code="not-a-mapping"))
        return None
    try:
        found = model.model_validate(doc.data)
    except ValidationError as exc:
        # A number too large to read was left out: the model's "missing" or "expected a
        # number" at the same place says nothing more.
        left_out = {(e.span.line, e.span.column) for e in doc.errors
                    if e.code == "big-number" and e.span is not None}
        for err in exc.errors(include_url=False):
            mapped = _map_pydantic_error(err, doc, model)
            span = mapped.span
            if span is None or (span.line, span.column) not in left_out:
                doc.errors.append(mapped)
        return None
    return None if doc.errors else found


def load_matter_text(text: str, name: str) -> tuple[Matter | None, YamlDoc]:
    """Parse one matter's YAML text (used by the studio and tests)."""
    doc = parse_yaml(text, name)
    matter = validate_document(doc, Matter, "matter")
    if matter is not None:
        matter._file = name
        _place_constants(matter, doc)
    return matter, doc


def _place_constants(matter: Matter, doc: YamlDoc) -> None:
    """A number or boolean written where an expression goes (``let: {fee: 10}``,
    ``value: 0``) reaches the model as a value, not as positioned text: give its
    expression the scalar's place, so a later error points at it."""
    for name, expr in matter.let.items():
        if expr.source is None:
            expr.source = doc.text_at(("let", name))
    for f, loc, _ in iter_fields(matter.form):
        if f.value is not None and f.value.source is None:
            f.value.source = doc.text_at((*loc, "value"))


def load_catalog(root: str | os.PathLike[str],
                 overrides: Mapping[Path, str | None] | None = None, *,
                 cache: ParseCache | bool = True) -> LoadedCatalog:
    """Read the catalog folder ``root`` (see ``_load_catalog``), with the cyclic garbage
    collector paused: reading builds hundreds of thousands of small objects and none
    of them form cycles worth collecting mid-load (it halves a 500-matter load).

    ``cache``: clean matter files are kept in a parse cache (``formkit.definitions.parsecache``);
    True uses the one the environment names, False none.
    """
    used = default_cache() if cache is True else cache or None
    with paused_gc():
        result = _load_catalog(root, overrides, used)
    if used is not None and used.written:
        used.prune()
    return result


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk build of long-lived objects.

    On the way out the survivors are frozen (``gc.freeze``): a catalog lives as long
    as the process uses it, and scanning its hundreds of thousands of objects again
    and again would cost as much as building them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _load_catalog(root: str | os.PathLike[str],
                  overrides: Mapping[Path, str | None] | None,
                  cache: ParseCache | None) -> LoadedCatalog:
    """Read the catalog folder ``root``: catalog.yaml, calendar, every matter file.

    ``overrides`` maps matter file paths to the text to use instead of the file's
    (a studio draft; a new file need not exist yet); ``None`` leaves a file out.
    """
    from formkit.definitions.crosscheck import check_catalog  # late: crosscheck imports this module

    root_path = Path(root)
    result = LoadedCatalog(root_path, None)
    catalog_path = root_path / CATALOG_FILE
    try:
        if not root_path.is_dir():
            what = "is a file, not a folder" if root_path.exists() else "does not exist"
            result.errors.append(InputError(f"{_display(root_path)} {what}", None,
                                            hint="give the folder that holds catalog.yaml"))
            return result
        has_catalog = catalog_path.is_file()
    except OSError as exc:  # a folder we may not look into
        result.errors.append(InputError(f"cannot read {_display(root_path)}: "
                                        f"{exc.strerror or exc}", None, code="io"))
        return result
    if not has_catalog:
        result.errors.append(InputError(
            f"no {CATALOG_FILE} in {_display(root_path)}", None,
            hint="a catalog folder starts with catalog.yaml (see docs/matter-format)"))
        return result
    text = _read(catalog_path, result.errors)
    if text is not None:
        doc = parse_yaml(text, _display(catalog_path))
        result.docs[doc.file.name] = doc
        result.catalog_doc = doc
        result.catalog = validate_document(doc, Catalog, "catalog")
        result.errors.extend(doc.errors)
    # users.yaml holds the studio's sign-ins (formkit.definitions.users) and
    # api_keys.yaml the HTTP API's keys (formkit.api.auth): neither is a matter.
    skip = {catalog_path.resolve(), (root_path / USERS_FILE).resolve(),
            (root_path / API_KEYS_FILE).resolve()}
    if result.catalog is not None and result.catalog.calendar:
        calendar_path = (root_path / result.catalog.calendar)
        skip.add(calendar_path.resolve())
        _load_calendar(result, calendar_path)
    replaced = {p.resolve(): text for p, text in (overrides or {}).items()}
    bundle_paths = _matter_files(root_path / BUNDLES_DIR, set(), result.errors) \
        if (root_path / BUNDLES_DIR).is_dir() else []
    skip.update(p.resolve() for p in bundle_paths)
    paths = _matter_files(root_path, skip, result.errors)
    known = {p.resolve() for p in paths}
    paths += [p for p in (overrides or {}) if p.resolve() not in known]
    for path in paths:
        disk = path.resolve() not in replaced
        if not disk:
            text = replaced[path.resolve()]
            if text is None:
                continue
        else:
            text = _read(path, result.errors)
        result.files += 1
        if text is None:
            continue
        matter, doc = _matter_file(text, _display(path), cache if disk else None)
        result.docs[doc.file.name] = doc
        result.errors.extend(doc.errors)
        if matter is None:
            continue
        if matter.code in result.matters:
            first = result.matters[matter.code]
            result.errors.append(DefinitionError(
                f"matter code '{matter.code}' is already used by {first.file}",
                doc.span_at(("code",)), hint="每个事项的实施编码必须唯一: give this matter "
                "its own code", code="duplicate-code"))
            continue
        result.matters[matter.code] = matter
    for path in bundle_paths:
        _load_bundle(result, path)
    check_catalog(result)
    return result


def _load_bundle(result: LoadedCatalog, path: Path) -> None:
    """One bundle file; a code used by a matter or another bundle is an error."""
    text = _read(path, result.errors)
    result.files += 1
    if text is None:
        return
    doc = parse_yaml(text, _display(path))
    result.docs[doc.file.name] = doc
    bundle = validate_document(doc, Bundle, "bundle")
    result.errors.extend(doc.errors)
    if bundle is None:
        return
    bundle._file = doc.file.name
    first = result.matters.get(bundle.code) or result.bundles.get(bundle.code)
    if first is not None:
        result.errors.append(DefinitionError(
            f"bundle code '{bundle.code}' is already used by {first.file}",
            doc.span_at(("code",)), hint="a bundle's code must differ from every matter's "
            "and bundle's: give it its own", code="duplicate-code"))
        return
    result.bundles[bundle.code] = bundle


def _matter_file(text: str, name: str, cache: ParseCache | None
                 ) -> tuple[Matter | None, YamlDoc]:
    """A matter file from the cache, or read and (when clean) kept there. A clean
    file's data and node tree are released: positions are composed again on demand."""
    entry = cache.entry(text, name) if cache is not None else None
    if cache is not None and entry is not None:
        found = cache.get(entry, text, name)
        if found is not None:
            return found
    matter, doc = load_matter_text(text, name)
    if matter is not None and not doc.errors:
        if cache is not None and entry is not None:
            cache.put(entry, matter, doc)
        doc.release()
    return matter, doc


def _load_calendar(result: LoadedCatalog, path: Path) -> None:
    if not path.is_file():
        assert result.catalog is not None and result.catalog_doc is not None
        result.errors.append(InputError(
            f"calendar file '{result.catalog.calendar}' does not exist",
            result.catalog_doc.span_at(("calendar",)),
            hint="create it, or remove the 'calendar:' key"))
        return
    text = _read(path, result.errors)
    if text is None:
        return
    doc = parse_yaml(text, _display(path))
    result.docs[doc.file.name] = doc
    result.calendar = validate_document(doc, CalendarFile, "calendar")
    result.errors.extend(doc.errors)


def _matter_files(root: Path, skip: set[Path], errors: list[FormkitError]) -> list[Path]:
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        # A department folder we cannot list would silently drop its matters.
        name = str(exc.filename) if exc.filename else _display(root)
        errors.append(InputError(f"cannot read folder {name}: {exc.strerror or exc}",
                                 SourceSpan(name), code="io"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")) and not name.startswith("."):
                path = Path(dirpath) / name
                if path.resolve() not in skip:
                    found.append(path)
    return found


def _kind_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text '{value}'" if len(value) <= 40 else "a text"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"a {type(value).__name__}"


def loc_path(loc: Sequence[int | str]) -> str:
    """``('form', 2, 'label')`` -> ``form[2].label``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


# pydantic's wording for a value of the wrong type, said the way an editor reads it.
_EXPECTED = {
    "list_type": "a list (lines starting with '- ', or [a, b])",
    "dict_type": "a mapping of keys (key: value)",
    "model_type": "a mapping of keys (key: value)",
    "model_attributes_type": "a mapping of keys (key: value)",
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "date_type": "a date like 2026-11-25",
    "date_parsing": "a date like 2026-11-25",
    "date_from_datetime_parsing": "a date like 2026-11-25",
    "date_from_datetime_inexact": "a date like 2026-11-25",
}


# formkit's own value errors, with what to write instead.
_HINTS = {
    "phone": "write a number like 0766-2888888, 2888888, 12345 or 400-123-4567",
    "phone_type": "write the number as text, e.g. \"0766-2888888\"",
    "synonym_type": "write each word as text, e.g. synonyms: [营业执照, 开店]",
    "synonym_empty": "remove the empty entry",
    "synonym_twice": "list each word once",
    "resource": "give a path inside the catalog folder (forms/lease.docx) or an "
                "http(s) link",
    "resource_url": "give a path inside the catalog folder, or an http:// or https:// link",
    "resource_absolute": "give the path relative to the catalog folder (the folder of "
                         "catalog.yaml), e.g. forms/lease.docx",
    "resource_outside": "put the file inside the catalog folder and give its path from "
                        "there, e.g. forms/lease.docx",
}


def _map_pydantic_error(err: Any, doc: YamlDoc, model: type[BaseModel]) -> DefinitionError:
    loc = tuple(err["loc"])
    kind = err["type"]
    if loc and loc[-1] == "[key]" and kind in ("enum", "literal_error"):
        # a key of a mapping whose keys are a closed list (document_basis)
        name = str(loc[-2]) if len(loc) > 1 else ""
        expected = _expected_values(err)
        close = difflib.get_close_matches(name, expected, n=1, cutoff=0.6)
        return DefinitionError(
            f"{loc_path(loc[:-2])}: '{name}' is not allowed; the keys are: "
            + ", ".join(expected), doc.span_at(loc[:-1], key=True),
            hint=f"did you mean '{close[0]}'?" if close else "use one of: "
            + ", ".join(expected), code="unknown-key")
    if loc and loc[-1] == "[key]":  # a dict key (a let name) was rejected
        name = str(loc[-2]) if len(loc) > 1 else ""
        return DefinitionError(
            f"{loc_path(loc[:-2])}: '{name}' is not a valid name", doc.span_at(loc[:-1], key=True),
            hint="a name is letters, digits and '_', starting with a letter; no spaces",
            code="bad-id")
    where = loc_path(loc)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'?" if close
                else "allowed keys: " + ", ".join(allowed)) if allowed else None
        return DefinitionError(f"unknown key '{key}'" + (f" in {loc_path(loc[:-1])}"
                               if len(loc) > 1 else ""),
                               doc.span_at(loc, key=True), hint=hint, code="unknown-key")
    if kind == "missing":
        key = str(loc[-1])
        parent = loc[:-1]
        return DefinitionError(f"missing required key '{key}'" +
                               (f" in {loc_path(parent)}" if parent else ""),
                               doc.span_at(parent), hint=f"add '{key}: ...'",
                               code="missing-key")
    span = doc.span_at(loc)
    value = err.get("input")
    if kind in ("enum", "literal_error"):
        expected = _expected_values(err)
        close = difflib.get_close_matches(str(value), expected, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else None
        return DefinitionError(
            f"{where}: '{value}' is not allowed; expected one of: " + ", ".join(expected),
            span, hint=hint, code="bad-value")
    if kind == "label_empty" or (kind == "string_too_short" and loc and loc[-1] == "zh"):
        return DefinitionError(f"{where}: the Chinese text may not be empty", span,
                               hint="write the text in Chinese after 'zh:'", code="empty-label")
    if kind in _EXPECTED:
        detail = err["msg"] if kind.endswith(("_parsing", "_inexact")) else None
        shown = _kind_of(value)
        return DefinitionError(
            f"{where}: expected {_EXPECTED[kind]}, not {shown}" if detail is None
            else f"{where}: expected {_EXPECTED[kind]} ({detail})", span,
            hint=f"put it in quotes: '{value}'" if kind == "string_type" and isinstance(
                value, int | float) else None, code="bad-type")
    if kind in _HINTS:
        return DefinitionError(f"{where}: {err['msg']}", span, hint=_HINTS[kind],
                               code="bad-value")
    if kind == "string_pattern_mismatch" and loc and loc[-1] in ("id", "code"):
        return DefinitionError(
            f"{where}: '{value}' is not a valid {loc[-1]}", span,
            hint="use letters, digits and '_' (ids start with a letter); no spaces",
            code="bad-id")
    return DefinitionError(f"{where}: {err['msg']}" if where else err["msg"], span,
                           code="bad-value")


def _expected_values(err: Any) -> list[str]:
    ctx = err.get("ctx") or {}
    expected = str(ctx.get("expected", ""))
    # pydantic renders "'a', 'b' or 'c'"
    parts = expected.replace(" or ", ", ").split(", ")
    return [p.strip().strip("'") for p in parts if p.strip()]


def _allowed_keys(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        target = _model_in(current)
        if target is None or part not in target.model_fields:
            return []
        current = target.model_fields[part].annotation
    target = _model_in(current)
    return list(target.model_fields) if target is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The first pydantic model inside an annotation like ``list[X] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return None
    args: Iterable[Any] = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType):
        args = annotation.__args__
    for arg in args:
        found = _model_in(arg)
        if found is not None:
            return found
    return None
