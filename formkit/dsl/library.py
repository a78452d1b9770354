"""Rule libraries: ``rules/*.rules`` files of ``let`` definitions and ``use`` lines."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from formkit.definitions.loader import read_text_file
from formkit.definitions.yamldoc import SourceFile
from formkit.dsl import ast
from formkit.dsl.builtins import BUILTINS
from formkit.dsl.checker import LetEntry
from formkit.dsl.parser import parse_library
from formkit.dsl.source import Source
from formkit.errors import DefinitionError, FormkitError, RuleNameError

__all__ = ["Libraries", "RuleLibrary", "load_libraries"]


@dataclass(slots=True)
class RuleLibrary:
    """One parsed library: its definitions and the libraries it uses."""

    name: str
    source: Source
    parsed: ast.Library | None
    entries: dict[str, LetEntry] = field(default_factory=dict)


@dataclass(slots=True)
class Libraries:
    """Every library of a rules folder, with the errors found reading them."""

    by_name: dict[str, RuleLibrary] = field(default_factory=dict)
    errors: list[FormkitError] = field(default_factory=list)

    def closure(self, names: list[str]) -> list[RuleLibrary]:
        """The named libraries and every library they use, each once, in use order."""
        out: list[RuleLibrary] = []
        seen: set[str] = set()
        stack = list(reversed(names))
        while stack:
            name = stack.pop()
            lib = self.by_name.get(name)
            if lib is None or name in seen:
                continue
            seen.add(name)
            out.append(lib)
            if lib.parsed is not None:
                stack.extend(reversed([u.library for u in lib.parsed.uses]))
        return out

    def entries_for(self, names: list[str]) -> tuple[dict[str, LetEntry], list[FormkitError]]:
        """The definitions visible to a matter that says ``uses: names``.

        A name defined by two different libraries in the closure is ambiguous: an error.
        """
        visible: dict[str, LetEntry] = {}
        errors: list[FormkitError] = []
        for lib in self.closure(names):
            for name, entry in lib.entries.items():
                if name in visible and visible[name] is not entry:
                    start = entry.name_start or 0
                    errors.append(RuleNameError(
                        f"'{name}' is defined both in {visible[name].origin} and in "
                        f"{entry.origin}", entry.source.span(start, start + len(name)),
                        code="duplicate-name",
                        hint="rename one of them; a matter cannot tell which to use"))
                    continue
                visible[name] = entry
        return visible, errors


def load_libraries(folder: Path) -> Libraries:
    """Parse every ``*.rules`` file of ``folder``; report syntax errors, dups, use cycles."""
    texts: dict[str, tuple[str, str]] = {}
    errors: list[FormkitError] = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.rules")):
            try:  # bounded: a FIFO or /dev/zero behind the name is refused, not read
                texts[path.stem] = (str(path), read_text_file(path))
            except FormkitError as exc:
                errors.append(exc)
    libs = libraries_from_texts(texts)
    libs.errors[:0] = errors
    return libs


_STATEMENT = re.compile(r"(?m)^[ \t]*(?:let|use)\b")
_LET_NAME = re.compile(r"let\s+([^\W\d]\w*)(?:\s*\(([^()]*)\))?")


def _parse_statements(text: str, source: Source, errors: list[FormkitError]) -> ast.Library:
    """Parse a library; if it has a syntax error, parse statement by statement.

    A mistake in one ``let`` then costs only that definition (kept, without a
    body, so matters do not also report its name as unknown).
    """
    try:
        return parse_library(text, source)
    except FormkitError as exc:
        errors.append(exc)
    lib = ast.Library()
    starts = [m.start() for m in _STATEMENT.finditer(text)] + [len(text)]
    for start, end in itertools.pairwise(starts):
        # Blank out the rest of the file so offsets (and so positions) stay the file's.
        masked = "".join(c if c == "\n" else " " for c in text[:start]) + text[start:end]
        try:
            part = parse_library(masked, source)
        except FormkitError:
            m = _LET_NAME.match(text, start + len(text[start:end]) - len(
                text[start:end].lstrip()))
            if m:
                params = None if m.group(2) is None else [
                    p.strip() for p in m.group(2).split(",") if p.strip()]
                lib.lets.append(ast.LetDef(m.group(1), params, None, start, m.start(1)))
            continue
        lib.uses.extend(part.uses)
        lib.lets.extend(part.lets)
    return lib


def libraries_from_texts(texts: Mapping[str, tuple[str, str]]) -> Libraries:
    """Libraries from ``{name: (file name, text)}`` (a folder, or a published snapshot)."""
    libs = Libraries()
    for name, (file_name, text) in sorted(texts.items()):
        file = SourceFile(file_name, text)
        source = Source(text, file=file)
        lib = RuleLibrary(name, source, None)
        libs.by_name[lib.name] = lib
        lib.parsed = _parse_statements(text, source, libs.errors)
        for let in lib.parsed.lets:
            if let.name in lib.entries:
                libs.errors.append(RuleNameError(
                    f"'{let.name}' is defined twice in {lib.name}.rules",
                    source.span(let.name_start, let.name_start + len(let.name)),
                    hint="remove or rename one definition", code="duplicate-name"))
                continue
            if let.params is not None and let.name in BUILTINS:
                libs.errors.append(RuleNameError(
                    f"'{let.name}' is a built-in function; a library cannot redefine it",
                    source.span(let.name_start, let.name_start + len(let.name)),
                    hint="give the function another name", code="builtin-name"))
                continue
            if let.params is not None and len(set(let.params)) != len(let.params):
                libs.errors.append(RuleNameError(
                    f"'{let.name}' names a parameter twice", source.span(let.start),
                    code="duplicate-name"))
            lib.entries[let.name] = LetEntry(let.name, let.params, let.body, source,
                                             f"library {lib.name}", let.name_start)
    for lib in libs.by_name.values():
        for use in lib.parsed.uses if lib.parsed else []:
            if use.library not in libs.by_name:
                close = difflib.get_close_matches(use.library, list(libs.by_name), n=1)
                libs.errors.append(DefinitionError(
                    f"{lib.name}.rules uses unknown library '{use.library}'",
                    lib.source.span(use.start), code="unknown-library",
                    hint=f"did you mean '{close[0]}'?" if close else None))
    libs.errors.extend(_cycles(libs))
    return libs


def _cycles(libs: Libraries) -> list[FormkitError]:
    errors: list[FormkitError] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(name: str, path: list[str]) -> None:
        lib = libs.by_name.get(name)
        if lib is None or state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = [*path[path.index(name):], name]
            first = libs.by_name[cycle[0]]
            use = next(u for u in first.parsed.uses if u.library == cycle[1]) \
                if first.parsed else None
            errors.append(DefinitionError(
                "rule libraries use each other in a cycle: " + " -> ".join(cycle),
                first.source.span(use.start if use else 0), code="library-cycle",
                hint="move the shared definitions into a library both can use"))
            return
        state[name] = 1
        for use in lib.parsed.uses if lib.parsed else []:
            visit(use.library, [*path, name])
        state[name] = 2

    for name in sorted(libs.by_name):
        visit(name, [])
    return errors
