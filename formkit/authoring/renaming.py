"""Rename a field with every use of it, or delete one, through the round-trip tree.

``rename_field`` changes the field's id, each name in an expression that means the
field (``references.expression_names``), and its answers and expected errors in the
examples, on the round-trip tree; then it reads the tree again and refuses the
rename if any name there has come to mean something else (the new id is a row
field's or a ``let`` value's in one of the places).

The text written is the original with only those names replaced, when ruamel's
record of where each one stands allows it and the result reads as the same data as
the changed tree: a hand-wrapped flow map in an example keeps its wrapping, which a
dump of the changed example would re-flow. Otherwise it is the tree's dump
(``drafts.dump_yaml``), comments and untouched sections kept as ever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from formkit.authoring.drafts import dump_yaml
from formkit.authoring.references import (
    LibraryUse,
    Use,
    answer_uses,
    bare,
    expression_names,
    library_uses,
    matter_tree,
)
from formkit.authoring.steps import FieldRow, field_rows, get_in
from formkit.dsl.checker import KEYWORDS
from formkit.dsl.library import Libraries
from formkit.errors import EditError

__all__ = ["Renamed", "delete_field", "rename_field"]

Loc = tuple[str | int, ...]
_ID = re.compile(r"[^\W\d]\w*")
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Renamed:
    """What a rename did: the new text and path, and every use renamed with it."""

    text: str
    path: str
    uses: tuple[Use, ...] = ()
    libraries: tuple[LibraryUse, ...] = ()  # names in rule libraries, left alone
    unread: tuple[Loc, ...] = ()  # expressions that do not parse, so were not searched


@dataclass(frozen=True)
class _Splice:
    """Replace ``old`` by ``new`` at ``line``:``column`` (0-based) of the original text."""

    line: int
    column: int
    old: str
    new: str


def rename_field(text: str, path: str, new_id: str,
                 libraries: Libraries | None = None) -> Renamed:
    """Rename field ``path`` to ``new_id``, and every use of it in the matter.

    Raises ``EditError`` when ``new_id`` is not a name or is a keyword, when a field
    beside it or a ``let`` value has it, or when a use would come to mean something
    else under it.
    """
    new_id = new_id.strip()
    if new_id == path.rsplit(".", 1)[-1]:
        return Renamed(text, path)
    tree = matter_tree(text)
    row = _field_row(tree, path)
    new_path = f"{row.parent}.{new_id}" if row.parent else new_id
    _check_new_id(tree, row.loc, new_id)
    splices: list[_Splice | None] = []
    found, unread = expression_names(tree)
    renamed: list[Use] = []
    expected: dict[Loc, list[int]] = {}
    for loc, (expr, names) in found.items():
        mine = sorted((n for n in names if n.path == path), key=lambda n: n.start)
        if not mine:
            continue
        new_expr, shift = expr, 0
        expected[loc] = []
        for n in mine:
            expected[loc].append(n.start + shift)
            shift += len(new_id) - (n.end - n.start)
            renamed.append(Use(loc, "expression", expr, n.start, n.end, path))
        for n in reversed(mine):
            new_expr = new_expr[:n.start] + new_id + new_expr[n.end:]
        splices.append(_scalar_splice(text, tree, loc, expr, new_expr))
        _set_scalar(tree, loc, new_expr)
    depth = path.count(".")
    for use in answer_uses(tree, path):
        splices.append(_rename_answer(text, tree, use, depth, new_id))
        renamed.append(use)
    splices.append(_scalar_splice(text, tree, (*row.loc, "id"), row.id, new_id))
    get_in(tree, row.loc)["id"] = new_id
    _verify(tree, new_path, expected)
    return Renamed(_written(text, tree, splices), new_path, tuple(renamed),
                   tuple(library_uses(tree, libraries, path)), tuple(unread))


def delete_field(text: str, path: str) -> str:
    """``text`` without field ``path`` and without its answers and expected errors in
    the examples; expressions that name it are left for a person to change."""
    tree = matter_tree(text)
    row = _field_row(tree, path)
    for use in sorted(answer_uses(tree, path), key=lambda u: u.loc, reverse=True):
        holder = get_in(tree, use.loc[:-1])
        if use.kind == "expected-error" and isinstance(holder, list):
            del holder[int(use.loc[-1])]
        elif use.kind == "answer" and isinstance(holder, dict):
            del holder[use.loc[-1]]
    del get_in(tree, row.loc[:-1])[row.loc[-1]]
    return dump_yaml(tree, text)


# ---- checks


def _field_row(tree: Any, path: str) -> FieldRow:
    row = next((r for r in field_rows(tree) if r.path == path), None)
    if row is None:
        raise EditError(f"no field '{path}' in the form", None, code="unknown-field")
    return row


def _check_new_id(tree: Any, loc: Loc, new_id: str) -> None:
    if not _ID.fullmatch(new_id) or len(new_id) > 64:
        raise EditError(f"'{new_id}' is not a valid field id", None, code="bad-id",
                        hint="letters, digits and '_', starting with a letter; no spaces")
    if new_id in KEYWORDS:
        raise EditError(f"'{new_id}' is a keyword of the rule language", None,
                        code="keyword-id", hint="choose another id")
    siblings = get_in(tree, loc[:-1])
    if any(isinstance(f, dict) and f.get("id") == new_id for f in siblings):
        raise EditError(f"there is already a field '{new_id}' there", None,
                        code="duplicate-id", hint="choose another id")
    lets = get_in(tree, ("let",))
    if len(loc) == 2 and isinstance(lets, dict) and new_id in lets:
        raise EditError(f"there is already a let value '{new_id}'", None,
                        code="duplicate-name", hint="choose another id")


def _verify(tree: Any, new_path: str, expected: dict[Loc, list[int]]) -> None:
    """Each renamed name means the field again, and no other name has come to."""
    found, _ = expression_names(tree)
    for loc, (_, names) in found.items():
        starts = sorted(n.start for n in names if n.path == new_path)
        if starts != expected.get(loc, []):
            raise EditError(f"'{new_path.rsplit('.', 1)[-1]}' would mean something else in "
                            f"{'.'.join(map(str, loc))}", None, code="duplicate-name",
                            hint="that name is already used there: choose another id")


# ---- the tree and the text


def _set_scalar(tree: Any, loc: Loc, value: str) -> None:
    """Set a text at ``loc``, in the quoting style it was written in."""
    holder = get_in(tree, loc[:-1])
    key = loc[-1]
    old = holder[key]
    holder[key] = value if type(old) is str else type(old)(value)


def _rename_answer(text: str, tree: Any, use: Use, depth: int, new_id: str) -> _Splice | None:
    holder = get_in(tree, use.loc[:-1])
    if use.kind == "expected-error":
        parts = use.text.split(".")
        parts[depth] = new_id + parts[depth][len(bare(parts[depth])):]
        splice = _scalar_splice(text, tree, use.loc, use.text, ".".join(parts))
        _set_scalar(tree, use.loc, ".".join(parts))
        return splice
    old = str(use.loc[-1])
    if new_id in holder:
        raise EditError(f"an example gives both '{old}' and '{new_id}'", None,
                        code="duplicate-key", hint="remove one of them in the example first")
    splice = _key_splice(text, holder, old, new_id)
    position = list(holder).index(old)
    holder.insert(position, new_id, holder.pop(old))
    return splice


def _scalar_splice(text: str, tree: Any, loc: Loc, old: str, new: str) -> _Splice | None:
    """Where the scalar at ``loc`` is written on one line, as it reads: how to change it."""
    holder = get_in(tree, loc[:-1])
    lc: Any = getattr(holder, "lc", None)
    try:
        line, column = lc.item(loc[-1]) if isinstance(holder, list) else lc.value(loc[-1])
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    return _written_as(text, line, column, old, new)


def _key_splice(text: str, holder: Any, old: str, new: str) -> _Splice | None:
    try:
        line, column = holder.lc.key(old)
    except (AttributeError, KeyError, TypeError):
        return None
    return _written_as(text, line, column, old, new)


def _written_as(text: str, line: int, column: int, old: str, new: str) -> _Splice | None:
    lines = text.split("\n")
    rest = lines[line][column:] if 0 <= line < len(lines) else ""
    quote = rest[:1] if rest[:1] in ("'", '"') else ""
    if quote == "'":
        old_raw, new_raw = f"'{old.replace(chr(39), chr(39) * 2)}'", \
            f"'{new.replace(chr(39), chr(39) * 2)}'"
    elif quote == '"' and not any(c in old + new for c in '\\"'):
        old_raw, new_raw = f'"{old}"', f'"{new}"'
    elif quote:
        return None
    else:
        old_raw, new_raw = old, new
    return _Splice(line, column, old_raw, new_raw) if rest.startswith(old_raw) else None


def _written(original: str, tree: Any, splices: list[_Splice | None]) -> str:
    """The original text with the splices made, if it reads as the tree; else the dump."""
    if all(s is not None for s in splices):
        lines = original.split("\n")
        for s in sorted((s for s in splices if s is not None),
                        key=lambda s: (s.line, s.column), reverse=True):
            line = lines[s.line]
            lines[s.line] = line[:s.column] + s.new + line[s.column + len(s.old):]
        spliced = "\n".join(lines)
        try:  # ruamel's scalars and maps compare equal to the plain values they hold
            if yaml.load(spliced, Loader=_LOADER) == tree:
                return spliced
        except yaml.YAMLError:
            pass
    return dump_yaml(tree, original)
