"""The editing steps behind the studio's authoring pages, without Streamlit.

Every step takes a matter's YAML text and returns the new text: it loads a
round-trip tree, changes one thing, and dumps it with ``dump_yaml(tree,
original)`` so every part the edit did not touch keeps its hand layout.
Fields are named by their dotted path of ids (``operator.mobile``), which
survives reordering. Nothing here decides what is valid: the pages show what
``check_draft`` and ``check_expression`` say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from formkit.authoring.drafts import STAND_IN_LABEL, dump_yaml, load_yaml, new_matter_text
from formkit.catalog import OpenCatalog
from formkit.errors import EditError

__all__ = [
    "MATERIAL_COLUMNS",
    "NEW_FIELD_LABEL",
    "FieldRow",
    "TableEdit",
    "add_field",
    "add_item",
    "amount_value",
    "cond_mode",
    "cond_value",
    "default_value",
    "edit",
    "edit_materials",
    "field_rows",
    "get_in",
    "material_rows",
    "matter_file",
    "move_field",
    "move_item",
    "nest_field",
    "new_matter",
    "remove_field",
    "remove_item",
    "set_in",
    "set_let",
    "set_options",
    "unnamed_fields",
]

Loc = tuple[str | int, ...]
R = TypeVar("R")

MATERIAL_COLUMNS = ("id", "name_zh", "name_en", "form", "medium", "copies", "required",
                    "tolerable", "source")
_CONTAINERS = ("group", "repeat")
_LABEL_KEYS = frozenset({"label", "name", "help", "placeholder", "message", "notes",
                         "standard", "result", "refuse", "warn"})
# The label a new field gets: Chinese only, so the window never shows a stand-in English
# text; ``unnamed_fields`` finds the fields that still have it.
NEW_FIELD_LABEL = STAND_IN_LABEL
_OLD_NEW_FIELD_EN = "New field"  # what drafts made before this label was Chinese only


def matter_file(opened: OpenCatalog, code: str, text: str) -> Path:
    """The file a matter is (or will be) saved to: its own, or ``<department>/<code>.yaml``."""
    matter = opened.matters.get(code)
    if matter is not None and matter.file:
        return Path(matter.file)
    try:
        tree = load_yaml(text)
    except Exception:  # any YAML error: check_draft tells it, with its place
        tree = None
    department = tree.get("department") if isinstance(tree, dict) else None
    folder = department if isinstance(department, str) and department.isidentifier() \
        else "drafts"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", code).lower()
    return opened.root / folder / f"{safe}.yaml"


def new_matter(opened: OpenCatalog, code: str, name_zh: str, department: str, *,
               copy_of: str | None = None) -> str:
    """A new matter's text: the blank template (``new_matter_text``) made to pass its
    checks, or a copy of another matter's text.

    The blank's one route step goes to the department's first section (none when the
    department has none: a matter may have no route), and its name is written by the
    YAML dumper, so a name with a comma or a colon stays one text.
    """
    if copy_of is not None:
        return new_matter_text(code, name_zh, department, copy_of=copy_of)
    department_of = next((d for d in (opened.catalog.departments if opened.catalog else [])
                          if d.id == department), None)
    units = [f"{department}.{s.id}" for s in department_of.sections] if department_of else []

    def change(tree: Any) -> None:
        tree["name"]["zh"] = name_zh
        if units:
            tree["route"] = _node([{"step": units[:1]}])
        elif "route" in tree:
            del tree["route"]
    return edit(new_matter_text(code, "x", department), change)[0]


# ---- the round-trip tree


def edit(text: str, change: Callable[[Any], R]) -> tuple[str, R]:
    """Apply ``change`` to a fresh tree of ``text``; the new text and what it returned."""
    tree = load_yaml(text)
    if not isinstance(tree, CommentedMap):
        raise EditError("the YAML text is not a matter (fix it in the source view)", None,
                        code="not-a-matter")
    out = change(tree)
    return dump_yaml(tree, text), out


def get_in(tree: Any, loc: Loc, default: Any = None) -> Any:
    """The value at ``loc`` (keys and list indexes), or ``default``."""
    node = tree
    for part in loc:
        found = ((isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node))
                 or (isinstance(part, str) and isinstance(node, dict) and part in node))
        if not found:
            return default
        node = node[part]
    return node


def _put(tree: Any, loc: Loc, value: Any) -> None:
    node = tree
    for part in loc[:-1]:
        nxt = get_in(node, (part,))
        if not isinstance(nxt, dict | list):
            if not isinstance(node, dict):
                raise EditError(f"cannot set {'.'.join(map(str, loc))}", None)
            nxt = node[part] = _node({}, part)  # a label in flow style
        node = nxt
    last = loc[-1]
    if value is None or value == "":
        if isinstance(node, dict) and last in node:
            del node[last]
            if not node and len(loc) > 1:  # an emptied label goes as a whole
                parent = get_in(tree, loc[:-2]) if len(loc) > 2 else tree
                if isinstance(parent, dict) and loc[-2] in parent:
                    del parent[loc[-2]]
        return
    if isinstance(node, dict) or (isinstance(node, list) and isinstance(last, int)):
        node[last] = value  # type: ignore[index]
    else:
        raise EditError(f"cannot set {'.'.join(map(str, loc))}", None)


def set_in(text: str, loc: Loc, value: Any) -> str:
    """``text`` with the value at ``loc`` set (``None`` or ``""`` removes the key)."""
    return edit(text, lambda tree: _put(tree, loc, value))[0]


def _seq(tree: Any, loc: Loc) -> CommentedSeq:
    """The list at ``loc``, created (block style) when missing."""
    parent = get_in(tree, loc[:-1]) if len(loc) > 1 else tree
    key = loc[-1]
    seq = get_in(parent, (key,))
    if not isinstance(seq, list):
        seq = parent[key] = CommentedSeq()
    if not seq and isinstance(seq, CommentedSeq):
        seq.fa.set_block_style()  # `tests: []` grows into a block list
    out: CommentedSeq = seq
    return out


def add_item(text: str, section: Loc, item: dict[str, Any]) -> str:
    """``text`` with ``item`` appended to the list at ``section``."""
    def change(tree: Any) -> None:
        _seq(tree, section).append(_node(item))
    return edit(text, change)[0]


def remove_item(text: str, section: Loc, index: int) -> str:
    """``text`` without item ``index`` of the list at ``section``."""
    def change(tree: Any) -> None:
        seq = get_in(tree, section)
        if isinstance(seq, list) and 0 <= index < len(seq):
            del seq[index]
    return edit(text, change)[0]


def move_item(text: str, section: Loc, index: int, delta: int) -> str:
    """``text`` with item ``index`` of the list at ``section`` moved by ``delta``."""
    def change(tree: Any) -> None:
        seq = get_in(tree, section)
        if isinstance(seq, list) and 0 <= index < len(seq):
            target = max(0, min(len(seq) - 1, index + delta))
            seq.insert(target, seq.pop(index))
    return edit(text, change)[0]


def _node(value: Any, key: str | int = "") -> Any:
    """Plain data as round-trip nodes; labels and small flat maps in flow style."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _node(v, k)
        if key in _LABEL_KEYS or (value and len(value) <= 4 and all(
                not isinstance(v, dict | list) or (k in _LABEL_KEYS and isinstance(v, dict))
                for k, v in value.items())):
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_node(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


# ---- conditions and amounts as typed


def cond_mode(value: Any) -> tuple[str, str]:
    """How a condition reads in the editor: ``("yes"|"no"|"when", expression)``."""
    if value is True or value in ("yes", "on", "Yes", "YES", "On", "ON"):
        return "yes", ""
    if value is False or value in ("no", "off", "No", "NO", "Off", "OFF"):
        return "no", ""
    if value is None:
        return "", ""
    return "when", str(value)


def cond_value(mode: str, expression: str, default: bool) -> bool | str | None:
    """What to write for a condition; ``None`` removes the key (the default applies)."""
    if mode == "when":
        return expression.strip() or None
    value = mode == "yes"
    return None if value == default else value


def amount_value(text: str) -> int | float | str | None:
    """A fee as typed: a number of yuan, or an expression."""
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def default_value(field_type: str, text: str) -> Any:
    """A field's ``default:`` as typed: a number for number fields, true/false for a
    boolean, else the text (``None`` when empty)."""
    text = text.strip()
    if not text:
        return None
    if field_type == "boolean":
        return {"true": True, "是": True, "false": False, "否": False}.get(text.lower(), text)
    if field_type in ("number", "integer", "money"):
        return amount_value(text)
    return text


# ---- form fields


@dataclass(frozen=True)
class FieldRow:
    """One field of the form as the field list shows it."""

    path: str  # ids joined by "." (``operator.mobile``); "#3" where an id is missing
    loc: Loc  # where it is in the tree: ("form", 1, "fields", 2)
    depth: int
    id: str
    type: str
    label: str

    @property
    def container(self) -> bool:
        """True for a group or a repeat (fields can be put inside)."""
        return self.type in _CONTAINERS

    @property
    def parent(self) -> str | None:
        """The path of the group or repeat this field is in."""
        return self.path.rsplit(".", 1)[0] if "." in self.path else None


def field_rows(tree: Any) -> list[FieldRow]:
    """Every field of the form, depth first, with its path and place."""
    out: list[FieldRow] = []

    def walk(items: Any, loc: Loc, prefix: str, depth: int) -> None:
        if not isinstance(items, list):
            return
        seen: set[str] = set()
        for i, item in enumerate(items):
            item = item if isinstance(item, dict) else {}
            fid = item.get("id")
            name = str(fid) if isinstance(fid, str) and fid and fid not in seen else f"#{i}"
            seen.add(name)
            label = item.get("label")
            text = label.get("zh") if isinstance(label, dict) else None
            row = FieldRow(path=prefix + name, loc=(*loc, i), depth=depth, id=str(fid or ""),
                           type=str(item.get("type", "")), label=str(text or fid or ""))
            out.append(row)
            if "fields" in item:
                walk(item["fields"], (*loc, i, "fields"), row.path + ".", depth + 1)

    walk(tree.get("form") if isinstance(tree, dict) else None, ("form",), "", 0)
    return out


def _row(tree: Any, path: str) -> FieldRow:
    row = next((r for r in field_rows(tree) if r.path == path), None)
    if row is None:
        raise EditError(f"no field '{path}' in the form", None, code="unknown-field")
    return row


def _fresh_id(siblings: Any, base: str = "new_field") -> str:
    taken = {f.get("id") for f in siblings if isinstance(f, dict)} if isinstance(
        siblings, list) else set()
    n, name = 1, base
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def add_field(text: str, near: str | None, *, inside: bool = False,
              field_type: str = "text") -> tuple[str, str]:
    """Add a new field after ``near`` (or inside it, for a group or repeat); returns
    the text and the new field's path."""
    def change(tree: Any) -> str:
        if near is None:
            seq, prefix, at = _seq(tree, ("form",)), "", None
        else:
            row = _row(tree, near)
            if inside:
                if not row.container:
                    raise EditError("fields can be put only inside a group or a repeat", None)
                seq, prefix, at = _seq(tree, (*row.loc, "fields")), row.path + ".", None
            else:
                seq = get_in(tree, row.loc[:-1])
                prefix = row.parent + "." if row.parent else ""
                at = int(row.loc[-1]) + 1
        fid = _fresh_id(seq)
        item = _node({"id": fid, "type": field_type, "label": {"zh": NEW_FIELD_LABEL}})
        if at is None:
            seq.append(item)
        else:
            seq.insert(at, item)
        return prefix + fid
    return edit(text, change)


def unnamed_fields(tree: Any) -> list[FieldRow]:
    """The fields whose label is still the one a new field gets: a published form would
    show "新字段" to applicants."""
    out = []
    for row in field_rows(tree):
        label = get_in(tree, (*row.loc, "label"))
        zh = label.get("zh") if isinstance(label, dict) else None
        en = label.get("en") if isinstance(label, dict) else None
        if zh == NEW_FIELD_LABEL or en == _OLD_NEW_FIELD_EN:
            out.append(row)
    return out


def remove_field(text: str, path: str) -> str:
    """``text`` without the field ``path`` (and what it holds)."""
    def change(tree: Any) -> None:
        row = _row(tree, path)
        del get_in(tree, row.loc[:-1])[row.loc[-1]]
    return edit(text, change)[0]


def move_field(text: str, path: str, delta: int) -> str:
    """Move a field up (``-1``) or down (``+1``) among its siblings."""
    def change(tree: Any) -> None:
        row = _row(tree, path)
        seq = get_in(tree, row.loc[:-1])
        index = int(row.loc[-1])
        target = max(0, min(len(seq) - 1, index + delta))
        seq.insert(target, seq.pop(index))
    return edit(text, change)[0]


def nest_field(text: str, path: str, into: str | None) -> tuple[str, str]:
    """Move a field to the end of group/repeat ``into`` (``None``: the top level);
    returns the text and the field's new path."""
    if into is not None and (into == path or into.startswith(path + ".")):
        raise EditError("a field cannot be put inside itself", None, code="nest-into-self")

    def change(tree: Any) -> str:
        row = _row(tree, path)
        if into is None:
            target, prefix = _seq(tree, ("form",)), ""
        else:
            holder = _row(tree, into)
            if not holder.container:
                raise EditError("fields can be put only inside a group or a repeat", None)
            target, prefix = _seq(tree, (*holder.loc, "fields")), into + "."
        item = get_in(tree, row.loc)
        if any(isinstance(f, dict) and f.get("id") == row.id and f is not item
               for f in target):
            raise EditError(f"there is already a field '{row.id}' there", None,
                            code="duplicate-id", hint="rename one of them first")
        del get_in(tree, row.loc[:-1])[row.loc[-1]]
        target.append(item)
        return prefix + row.id
    return edit(text, change)


def set_options(text: str, path: str, rows: list[dict[str, Any]]) -> str:
    """Replace a choice field's options by ``rows`` of value / zh / en."""
    def change(tree: Any) -> None:
        item = get_in(tree, _row(tree, path).loc)
        options = CommentedSeq()
        for row in rows:
            value = str(row.get("value") or "").strip()
            if not value:
                continue
            label = {"zh": str(row.get("zh") or value)}
            if row.get("en"):
                label["en"] = str(row["en"])
            options.append(_node({"value": value, "label": label}))
        if options:
            item["options"] = options
        elif "options" in item:
            del item["options"]
    return edit(text, change)[0]


# ---- tables (materials, options) edited a cell at a time


@dataclass(frozen=True)
class TableEdit:
    """What a table editor changed: cells of existing rows (by row index), the rows
    deleted (indexes into the rows before the edit) and the rows added at the end."""

    edited: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    deleted: frozenset[int] = frozenset()
    added: tuple[Mapping[str, Any], ...] = ()

    def apply(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``rows`` after this edit."""
        out = [dict(r) for r in rows]
        for i, cells in self.edited.items():
            if 0 <= i < len(out):
                out[i].update(cells)
        out = [r for i, r in enumerate(out) if i not in self.deleted]
        out.extend(dict(r) for r in self.added)
        return out


def material_rows(tree: Any) -> list[dict[str, Any]]:
    """The materials as table rows (defaults filled in, conditions as text)."""
    rows = []
    for item in get_in(tree, ("materials",)) or []:
        item = item if isinstance(item, dict) else {}
        name = item["name"] if isinstance(item.get("name"), dict) else {}
        required = item.get("required", True)
        rows.append({
            "id": str(item.get("id", "")), "name_zh": str(name.get("zh", "")),
            "name_en": str(name.get("en", "") or ""), "form": item.get("form", "original"),
            "medium": item.get("medium", "paper"), "copies": item.get("copies", 1),
            "required": "true" if required is True else "false" if required is False
            else str(required),
            "tolerable": bool(item.get("tolerable", False)),
            "source": item.get("source", "applicant")})
    return rows


_MATERIAL_DEFAULTS = {"form": "original", "medium": "paper", "copies": 1, "required": True,
                      "tolerable": False, "source": "applicant"}


def _material_value(column: str, value: Any) -> Any:
    if column == "required":
        text = "" if value is None else str(value).strip()
        return {"true": True, "false": False, "": True}.get(text.lower(), text)
    if column == "copies":
        try:
            return int(value) if value is not None and value == value else 1
        except (TypeError, ValueError):
            return value
    if column == "tolerable":
        return bool(value)
    return "" if value is None else str(value).strip()


def edit_materials(text: str, change_set: TableEdit) -> str:
    """``text`` with an edit of the materials table (``material_rows``) applied; only
    the cells that changed are written (defaults are left out of new rows)."""
    def set_cell(item: Any, column: str, value: Any) -> None:
        value = _material_value(column, value)
        if column in ("name_zh", "name_en"):
            lang = column[-2:]
            name = item.get("name")
            if not isinstance(name, dict):
                name = item["name"] = _node({}, "name")
            if value:
                name[lang] = value
            elif lang in name:
                del name[lang]
        elif column in _MATERIAL_DEFAULTS and value == _MATERIAL_DEFAULTS[column] \
                and column not in item:
            return
        elif value == "" and column in item:
            del item[column]
        elif value != "":
            item[column] = value

    def change(tree: Any) -> None:
        seq = _seq(tree, ("materials",))
        for i, cells in change_set.edited.items():
            if 0 <= i < len(seq) and isinstance(seq[i], dict):
                for column, value in cells.items():
                    if column in MATERIAL_COLUMNS:
                        set_cell(seq[i], column, value)
        for i in sorted(change_set.deleted, reverse=True):
            if 0 <= i < len(seq):
                del seq[i]
        for added in change_set.added:
            item = CommentedMap()
            item["id"] = str(added.get("id") or "").strip() or _fresh_id(seq, "material")
            item["name"] = _node({"zh": str(added.get("name_zh") or "新材料")}, "name")
            for column in MATERIAL_COLUMNS[2:]:
                if added.get(column) is not None:
                    set_cell(item, column, added[column])
            seq.append(item)
    return edit(text, change)[0]


# ---- let values and examples


def set_let(text: str, old: str | None, name: str, expression: str) -> str:
    """Add, rename or change the ``let`` value ``old`` (None: a new one) in place;
    an empty name or expression removes it."""
    def change(tree: Any) -> None:
        lets = get_in(tree, ("let",))
        if not isinstance(lets, dict):
            lets = tree["let"] = CommentedMap()
        position = list(lets).index(old) if old in lets else len(lets)
        if old in lets:
            del lets[old]
        if name.strip() and expression.strip():
            if name in lets:
                raise EditError(f"there is already a let '{name}'", None, code="duplicate-name")
            lets.insert(position, name.strip(), expression.strip())
        if not lets:
            del tree["let"]
    return edit(text, change)[0]
