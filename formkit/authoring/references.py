"""Where a matter names its fields: every use, placed, for renaming and deleting one.

A field is named in the matter's expressions (``let:`` values, a field's
``required``/``visible``/``constraint``/``value``, materials' ``required``, checks'
and route steps' ``when``, the fee) and in its examples (the keys of ``fields:``,
nested for groups and repeats, and the paths of ``expect.field_errors``).

Expressions are read with the rule language's own parser, and their names are
resolved as the checker resolves them: a repeat's row fields first (in the
repeat's own fields, and in the condition of ``count``/``any``/``all``), then the
form's fields, then ``let`` values, whose own value is followed
(``let: {who: operator}`` makes ``who.mobile`` a use of ``operator.mobile``). So a
text literal, a longer name, or a row field that shares the name is never taken
for the field. The round-trip tree is read, not the model: a draft with errors
elsewhere can still be searched.

Rule libraries are searched, never edited: their definitions take parameters, and
where one names a field anyway it is reported (``LibraryUse``) for a person to read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from formkit.authoring.drafts import load_yaml
from formkit.authoring.steps import field_rows, get_in
from formkit.dsl import ast, pipeline
from formkit.dsl.builtins import BUILTINS
from formkit.dsl.library import Libraries
from formkit.errors import EditError, FormkitError

__all__ = ["FieldName", "LibraryUse", "Use", "Uses", "answer_uses", "bare",
           "expression_names", "field_uses", "library_uses", "matter_tree"]

Loc = tuple[str | int, ...]

# Where a condition may be written instead of true/false (YAML 1.1 words, read as bools).
_COND_ATTRS = ("required", "visible", "constraint")
_YES_NO = frozenset(w for word in ("yes", "no", "on", "off", "true", "false")
                    for w in (word, word.title(), word.upper()))


@dataclass(frozen=True)
class Use:
    """One place a field is named.

    ``kind`` is ``expression`` (``text`` is the expression, ``start``..``end`` the
    name in it), ``answer`` (a key of an example's ``fields``; ``loc`` ends with it)
    or ``expected-error`` (an entry of an example's ``expect.field_errors``).
    """

    loc: Loc
    kind: str
    text: str
    start: int = 0
    end: int = 0
    path: str = ""  # the field named (the field itself, or one inside it)


@dataclass(frozen=True)
class LibraryUse:
    """A name in a rule library the matter uses that may be the field."""

    library: str
    definition: str
    line: int | None
    text: str  # the library's line


@dataclass(frozen=True)
class Uses:
    """Every use of a field in a matter, and what could not be searched."""

    uses: tuple[Use, ...] = ()
    libraries: tuple[LibraryUse, ...] = ()
    unread: tuple[Loc, ...] = ()  # expressions that do not parse (their error is shown)

    def __bool__(self) -> bool:
        return bool(self.uses or self.libraries)


# ---- the form as a tree of names


@dataclass(eq=False)
class _Field:
    path: str
    type: str
    children: dict[str, _Field] = field(default_factory=dict)


_NO_ROW = _Field("", "group")  # the row of a list that is not a list of groups


def _form(tree: Any) -> tuple[dict[str, _Field], dict[Loc, _Field]]:
    """The top-level fields by id, and every field by its place in the tree."""
    by_path: dict[str, _Field] = {}
    by_loc: dict[Loc, _Field] = {}
    top: dict[str, _Field] = {}
    for row in field_rows(tree):
        node = _Field(row.path, row.type)
        by_loc[row.loc] = node
        by_path.setdefault(row.path, node)
        holder = by_path.get(row.parent) if row.parent else None
        siblings = holder.children if holder is not None else top
        if row.id and not row.path.rsplit(".", 1)[-1].startswith("#"):
            siblings.setdefault(row.id, node)
    return top, by_loc


# ---- what an expression's names refer to

# A value a name can stand for: one field's value ("one"), one row of a repeat
# ("row"), or a field's values across the rows of a repeat ("many").
_Value = tuple[str, _Field] | None


@dataclass(frozen=True)
class FieldName:
    """A name in an expression that means field ``path``: characters ``start``..``end``."""

    path: str
    start: int
    end: int


class _Resolver:
    """Finds the fields an expression names, as the checker would resolve them."""

    def __init__(self, top: dict[str, _Field], lets: dict[str, str]) -> None:
        self.top = top
        self.lets = lets
        self._let_values: dict[str, _Value] = {}
        self._busy: set[str] = set()

    def hits(self, node: ast.Node, row: _Field | None) -> list[FieldName]:
        out: list[FieldName] = []
        self._scan(node, [row] if row is not None else [], out)
        return out

    def _scan(self, root: ast.Node, rows: list[_Field], out: list[FieldName] | None) -> None:
        stack = [root]  # iterative: an and/or chain may be a thousand terms long
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Name | ast.Member | ast.Index | ast.Call):
                self._value(node, rows, out)
            else:
                stack.extend(ast.children(node))

    def _value(self, node: ast.Node, rows: list[_Field], out: list[FieldName] | None) -> _Value:
        if isinstance(node, ast.Name):
            return self._name(node, rows, out)
        if isinstance(node, ast.Member):
            return self._member(node, self._value(node.obj, rows, out), out)
        if isinstance(node, ast.Index):
            obj = self._value(node.obj, rows, out)
            self._scan(node.index, rows, out)
            if obj is not None and obj[0] == "one" and obj[1].type == "repeat":
                return "row", obj[1]
            if obj is not None and obj[0] == "many":
                return "one", obj[1]
            return None
        if isinstance(node, ast.Call):
            builtin = BUILTINS.get(node.name)
            if builtin is not None and builtin.row_condition and node.args:
                first = self._value(node.args[0], rows, out)
                for i, arg in enumerate(node.args[1:], start=1):
                    self._scan(arg, [*rows, _row_of(first)] if i == 1 else rows, out)
                return None
            for arg in node.args:
                self._scan(arg, rows, out)
            return None
        self._scan(node, rows, out)
        return None

    def _name(self, node: ast.Name, rows: list[_Field], out: list[FieldName] | None) -> _Value:
        name = node.name
        for row in reversed(rows):  # the innermost row first
            child = row.children.get(name)
            if child is not None:
                _record(out, child, node.start, node.end)
                return "one", child
        found = self.top.get(name)
        if found is not None:
            _record(out, found, node.start, node.end)
            return "one", found
        if name in self.lets:
            return self._let(name)
        return None  # a library value, or unknown (the checker says so)

    def _member(self, node: ast.Member, obj: _Value, out: list[FieldName] | None) -> _Value:
        if obj is None:
            return None
        how, holder = obj
        child = holder.children.get(node.name)
        if child is None or (how == "many" and holder.type != "group"):
            return None
        _record(out, child, node.name_start, node.name_start + len(node.name))
        plucked = how == "many" or (how == "one" and holder.type == "repeat")
        return ("many" if plucked else "one"), child

    def _let(self, name: str) -> _Value:
        if name in self._let_values:
            return self._let_values[name]
        if name in self._busy:  # a cycle: the checker reports it
            return None
        self._busy.add(name)
        value: _Value = None
        with contextlib.suppress(FormkitError):  # a syntax error: shown in its place
            value = self._value(pipeline.parse(self.lets[name], cached=True), [], None)
        self._busy.discard(name)
        self._let_values[name] = value
        return value


def _row_of(value: _Value) -> _Field:
    """The row a ``count``/``any``/``all`` condition runs over."""
    if value is not None:
        how, f = value
        if (how == "one" and f.type == "repeat") or (how == "many" and f.type == "group"):
            return f
    return _NO_ROW


def _record(out: list[FieldName] | None, f: _Field, start: int, end: int) -> None:
    if out is not None:
        out.append(FieldName(f.path, start, end))


# ---- the places expressions are written


def _expressions(tree: Any, by_loc: dict[Loc, _Field]) -> Iterator[tuple[Loc, str,
                                                                          _Field | None]]:
    """Every expression text of a matter: its place, its text, the row it runs in."""
    lets = get_in(tree, ("let",))
    if isinstance(lets, dict):
        for name, value in lets.items():
            if isinstance(value, str):
                yield ("let", str(name)), value, None
    yield from _field_expressions(get_in(tree, ("form",)), ("form",), None, by_loc)
    for section, attr in (("materials", "required"), ("checks", "when"), ("route", "when"),
                          ("fees", "amount"), ("fees", "when")):
        items = get_in(tree, (section,))
        for i, item in enumerate(items if isinstance(items, list) else []):
            value = item.get(attr) if isinstance(item, dict) else None
            if isinstance(value, str) and (attr == "amount" or value not in _YES_NO):
                yield (section, i, attr), value, None
    fee = get_in(tree, ("fee",))
    if isinstance(fee, str):
        yield ("fee",), fee, None


def _field_expressions(items: Any, loc: Loc, row: _Field | None,
                       by_loc: dict[Loc, _Field]) -> Iterator[tuple[Loc, str, _Field | None]]:
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        here = (*loc, i)
        for attr in (*_COND_ATTRS, "value"):
            value = item.get(attr)
            if isinstance(value, str) and (attr == "value" or value not in _YES_NO):
                yield (*here, attr), value, row
        node = by_loc.get(here)
        inner = node if node is not None and node.type == "repeat" else row
        yield from _field_expressions(item.get("fields"), (*here, "fields"), inner, by_loc)


def expression_names(tree: Any) -> tuple[dict[Loc, tuple[str, list[FieldName]]], list[Loc]]:
    """The names of fields in every expression, by place; and the places that do not parse."""
    top, by_loc = _form(tree)
    lets = get_in(tree, ("let",))
    resolver = _Resolver(top, {str(k): str(v) for k, v in lets.items()}
                         if isinstance(lets, dict) else {})
    found: dict[Loc, tuple[str, list[FieldName]]] = {}
    unread: list[Loc] = []
    for loc, text, row in _expressions(tree, by_loc):
        try:
            node = pipeline.parse(str(text), cached=True)
        except FormkitError:
            unread.append(loc)
            continue
        found[loc] = (str(text), resolver.hits(node, row))
    return found, unread


# ---- examples


def answer_uses(tree: Any, path: str) -> list[Use]:
    """Keys of the examples' answers that are the field, and expected field errors of
    the field or of a field inside it."""
    parts = path.split(".")
    out: list[Use] = []
    tests = get_in(tree, ("tests",))
    for i, example in enumerate(tests if isinstance(tests, list) else []):
        answers = example.get("fields") if isinstance(example, dict) else None
        _answer_keys(answers, ("tests", i, "fields"), parts, "", out)
        errors = get_in(example, ("expect", "field_errors"))
        for j, entry in enumerate(errors if isinstance(errors, list) else []):
            named = [bare(p) for p in str(entry).split(".")]
            if named[:len(parts)] == parts:
                out.append(Use(("tests", i, "expect", "field_errors", j), "expected-error",
                               str(entry), path=".".join(named)))
    return out


def _answer_keys(value: Any, loc: Loc, parts: list[str], prefix: str, out: list[Use]) -> None:
    if isinstance(value, list):
        for j, item in enumerate(value):
            _answer_keys(item, (*loc, j), parts, prefix, out)
        return
    if not isinstance(value, dict) or parts[0] not in value:
        return
    key = parts[0]
    if len(parts) == 1:
        out.append(Use((*loc, key), "answer", key, path=prefix + key))
    else:
        _answer_keys(value[key], (*loc, key), parts[1:], f"{prefix}{key}.", out)


def bare(part: str) -> str:
    """``staff[1]`` -> ``staff``."""
    return part.split("[", 1)[0]


# ---- rule libraries


def library_uses(tree: Any, libraries: Libraries | None, path: str) -> list[LibraryUse]:
    """Names in the libraries the matter uses that may be the field: a free name for a
    top-level field; any name or member of its id for a field inside another."""
    if libraries is None:
        return []
    uses = get_in(tree, ("uses",))
    names = [str(u) for u in uses] if isinstance(uses, list) else []
    fid, nested = path.rsplit(".", 1)[-1], "." in path
    out: list[LibraryUse] = []
    for lib in libraries.closure(names):
        for entry in lib.entries.values():
            if entry.body is None:
                continue
            params = set(entry.params or ())
            for node in ast.walk(entry.body):
                named = (isinstance(node, ast.Name) and node.name == fid
                         and node.name not in params) or (
                    nested and isinstance(node, ast.Member) and node.name == fid)
                if named:
                    span = entry.source.span(node.start)
                    out.append(LibraryUse(lib.name, entry.name, span.line,
                                          (span.source_line() or "").strip()))
                    break
    return out




def matter_tree(text: str) -> Any:
    """The round-trip tree of a matter's text; ``EditError`` when it is not a matter."""
    tree = load_yaml(text)
    if not isinstance(tree, dict):
        raise EditError("the YAML text is not a matter (fix it in the source view)", None,
                        code="not-a-matter")
    return tree


def field_uses(matter: Any, path: str, libraries: Libraries | None = None, *,
               inside: bool = True) -> Uses:
    """Every use of field ``path`` in ``matter`` (its text, or its round-trip tree, which
    is only read); with ``inside``, of the fields inside it too (what deleting it would
    leave dangling)."""
    tree = matter_tree(matter) if isinstance(matter, str) else matter
    found, unread = expression_names(tree)
    uses = [Use(loc, "expression", expr, n.start, n.end, n.path)
            for loc, (expr, names) in found.items() for n in names
            if n.path == path or (inside and n.path.startswith(path + "."))]
    uses += answer_uses(tree, path)
    return Uses(tuple(uses), tuple(library_uses(tree, libraries, path)), tuple(unread))
