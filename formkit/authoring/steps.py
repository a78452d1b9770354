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

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from formkit.authoring.drafts import STAND_IN_LABEL, dump_yaml, load_yaml, new_matter_text
from formkit.catalog import OpenCatalog
from formkit.definitions.model import FeeItem, Guide, Material, Matter
from formkit.errors import EditError

__all__ = [
    "GUIDE_LABELS",
    "GUIDE_LISTS",
    "MATERIAL_COLUMNS",
    "MATERIAL_FORM_KEYS",
    "MATERIAL_V2_KEYS",
    "NEW_FIELD_LABEL",
    "FieldRow",
    "TableEdit",
    "add_fee",
    "add_field",
    "add_item",
    "amount_value",
    "cond_mode",
    "cond_value",
    "default_value",
    "edit",
    "edit_materials",
    "fee_rows",
    "field_rows",
    "get_in",
    "material_examples",
    "material_form",
    "material_rows",
    "matter_file",
    "move_field",
    "move_item",
    "nest_field",
    "new_matter",
    "remove_fee",
    "remove_field",
    "remove_item",
    "remove_material",
    "save_material",
    "set_decision_wording",
    "set_document_basis",
    "set_fee",
    "set_guide",
    "set_in",
    "set_let",
    "set_material",
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


# ---- matter-format v2: the 办事指南, itemised fees, the materials' new keys


# The guide's elements that are one text (a label, edited in Chinese; an English text
# already there is kept) and those that are a list of texts (one a line).
GUIDE_LABELS = ("conditions", "place", "hours", "result_validity", "notes")
GUIDE_LISTS = ("process", "intermediary")
MATERIAL_V2_KEYS = ("commitment", "tolerable_days", "source", "template", "sample", "basis")

# What an editor reads when a value is refused: Chinese first, with the allowed values.
_REFUSED: dict[tuple[str, str], str] = {
    ("guide", "service_objects"): "服务对象只能是 自然人、法人、其他组织",
    ("guide", "delivery"): "送达方式只能是 窗口领取、邮寄送达、电子送达",
    ("guide", "scope"): "通办范围只能是 本县通办、本市通办、全省通办、全国通办",
    ("guide", "online_depth"): "网办深度只能是 1 至 4 级",
    ("guide", "appointment"): "可预约只能是 是 或 否",
    ("guide", "consult_phone"): "咨询电话的格式不对，例如 0766-2888888、12345",
    ("guide", "complaint_phone"): "监督投诉电话的格式不对，例如 0766-12345、12345",
    ("fees", "name"): "收费项目名称不能为空",
    ("fees", "amount"): "收费金额应为不小于 0 的元数，或一个计算表达式",
    ("fees", "basis"): "收费依据不能为空",
    ("fees", "when"): "收费条件应为 true、false 或一个条件表达式",
    ("materials", "commitment"): "可告知承诺只能是 是 或 否",
    ("materials", "tolerable_days"): "容缺补交期限应为 1 至 365 个工作日",
    ("materials", "source"): "材料来源只能是 申请人自备、政府部门核发、中介机构出具、其他",
    ("materials", "template"): "空白表格应为 http(s) 链接，或事项目录文件夹中的文件路径"
                               "（不能是绝对路径，也不能在目录之外）",
    ("materials", "sample"): "示例样表应为 http(s) 链接，或事项目录文件夹中的文件路径"
                             "（不能是绝对路径，也不能在目录之外）",
    ("materials", "basis"): "材料依据不能为空",
    ("matter", "decision_wording"): "决定文书用语只能是 行政许可、登记、批准、办理",
    ("matter", "document_basis"): "文书依据的文书类型不对",
}
_MODELS: dict[str, type[BaseModel]] = {"guide": Guide, "fees": FeeItem,
                                       "materials": Material, "matter": Matter}


def _checked_value(section: str, key: str, value: Any) -> None:
    """Refuse ``value`` for ``key`` of ``section`` when the model would: with the
    Chinese sentence of ``_REFUSED`` first and the model's English after it."""
    model = _MODELS[section]
    try:
        model.__pydantic_validator__.validate_assignment(model.model_construct(), key, value)
    except ValidationError as exc:
        english = "; ".join(str(e.get("msg", "")) for e in exc.errors())
        zh = _REFUSED.get((section, key), f"{key} 的值不对")
        raise EditError(f"{zh}（{english}）", None, code="bad-value") from None


def _label_node(old: Any, zh: str) -> Any:
    """A label with its Chinese text set to ``zh``; an English text already there stays."""
    if isinstance(old, dict):
        old["zh"] = zh
        return old
    return _node({"zh": zh}, "label")


def _texts(value: Any) -> list[str]:
    """Lines typed in a box (or a list of texts) without the empty ones."""
    lines = value.splitlines() if isinstance(value, str) else list(value or [])
    return [str(v).strip() for v in lines if str(v).strip()]


# Where a new top-level key goes: after the first of its anchors the matter has, else
# before the form and what follows it (a file reads as the 办事指南 does: the matter,
# then the questions).
_ANCHORS: dict[str, tuple[str, ...]] = {
    "decision_wording": ("kind", "department", "name"),
    "document_basis": ("basis", "kind"),
    "fees": ("fee", "time_limit"),
    "guide": ("result", "max_visits", "channels", "fees", "fee", "time_limit"),
}
_LATER = ("uses", "let", "form", "materials", "checks", "route", "special_procedures",
          "tests")


def _place(tree: Any, key: str, value: Any) -> None:
    """Set top-level ``key``; a new one goes where ``_ANCHORS`` says."""
    if key in tree:
        tree[key] = value
        return
    keys = list(tree)
    after = next((a for a in _ANCHORS.get(key, ()) if a in tree), None)
    if after is not None:
        tree.insert(keys.index(after) + 1, key, value)
        return
    later = next((i for i, k in enumerate(keys) if k in _LATER), None)
    if later is None:
        tree[key] = value
    else:
        tree.insert(later, key, value)


def _drop_empty(tree: Any, key: str) -> None:
    if isinstance(tree.get(key), dict | list) and not tree[key]:
        del tree[key]


def set_guide(text: str, key: str, value: Any) -> str:
    """``text`` with the 办事指南 element ``key`` set to ``value`` as the editor gives it:
    the Chinese text of a label (``GUIDE_LABELS``), lines of Chinese texts
    (``GUIDE_LISTS``: process steps, intermediary services), a list of choices
    (``service_objects``, ``delivery``), a choice (``scope``), a number (``online_depth``),
    true/false (``appointment``) or a telephone number. ``None``, ``""`` or an empty list
    removes it (and the guide, once empty). A value the model refuses is refused here,
    in Chinese, before anything is written."""
    if key not in Guide.model_fields:
        raise EditError(f"办事指南没有“{key}”这一项 (the guide has no '{key}')", None,
                        code="bad-value")

    def change(tree: Any) -> None:
        guide = get_in(tree, ("guide",))
        if not isinstance(guide, dict):
            guide = CommentedMap()
        old = guide.get(key)
        new: Any
        if key in GUIDE_LABELS:
            typed = str(value or "").strip()
            new = _label_node(old, typed) if typed else None
        elif key in GUIDE_LISTS:
            items = old if isinstance(old, list) else []
            kept = {str(i.get("zh")): i for i in items if isinstance(i, dict)}
            new = [kept.get(t) or _node({"zh": t}, "label") for t in _texts(value)] or None
            if new is not None:
                new = _node_list(new)
        elif isinstance(value, list):
            new = _node(list(value)) if value else None
        else:
            new = None if value is None or value == "" else value
        if new is not None:
            plain = new if not isinstance(new, dict | list) else _plain(new)
            _checked_value("guide", key, plain)
            guide[key] = new
        elif key in guide:
            del guide[key]
        if guide and "guide" not in tree:
            _place(tree, "guide", guide)
        _drop_empty(tree, "guide")
    return edit(text, change)[0]


def _node_list(items: list[Any]) -> CommentedSeq:
    """A block list of (flow-style) items."""
    seq = CommentedSeq(items)
    seq.fa.set_block_style()
    return seq


def _plain(value: Any) -> Any:
    """Round-trip nodes as plain data, for the model to check."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def fee_rows(tree: Any) -> list[dict[str, str]]:
    """The itemised fees as the editor shows them: the Chinese name and basis, the
    amount and the condition as typed (an empty condition: always)."""
    rows = []
    for item in get_in(tree, ("fees",)) or []:
        item = item if isinstance(item, dict) else {}
        name = item.get("name")
        name = name if isinstance(name, dict) else {}
        basis = item.get("basis")
        basis = basis if isinstance(basis, dict) else {}
        amount, when = item.get("amount"), item.get("when", True)
        rows.append({"name": str(name.get("zh", "") or ""),
                     "amount": "" if amount is None else str(amount),
                     "basis": str(basis.get("zh", "") or ""),
                     "when": "" if when is True else "false" if when is False else str(when)})
    return rows


def _fee_value(key: str, value: Any) -> Any:
    """A fee's value as typed, as it is written (``None``: the key goes)."""
    if key == "amount":
        return amount_value(str(value if value is not None else ""))
    typed = "" if value is None else str(value).strip()
    if key == "when":
        return {"": None, "true": None, "false": False}.get(typed, typed)
    return typed or None


def _set_fee_value(item: Any, key: str, value: Any) -> None:
    new = _fee_value(key, value)
    if key in ("name", "amount") and new is None:
        raise EditError(_REFUSED[("fees", key)], None, code="bad-value")
    if key in ("name", "basis"):
        if new is None:
            item.pop(key, None)
            return
        node = _label_node(item.get(key), str(new))
        _checked_value("fees", key, _plain(node))
        item[key] = node
        return
    if new is None:
        item.pop(key, None)
        return
    _checked_value("fees", key, new)
    item[key] = new


def add_fee(text: str, name_zh: str, amount: Any, basis_zh: str = "", when: str = "") -> str:
    """``text`` with a fee item appended to ``fees`` (created when missing): its Chinese
    name, amount (a number of yuan or an expression, as typed), basis and condition."""
    def change(tree: Any) -> None:
        item = CommentedMap()
        for key, value in (("name", name_zh), ("amount", amount), ("basis", basis_zh),
                           ("when", when)):
            _set_fee_value(item, key, value)
        item.fa.set_flow_style()
        if not isinstance(tree.get("fees"), list):
            _place(tree, "fees", _node_list([]))
        _seq(tree, ("fees",)).append(item)
    return edit(text, change)[0]


def set_fee(text: str, index: int, key: str, value: Any) -> str:
    """``text`` with ``key`` (``name``, ``amount``, ``basis`` or ``when``) of fee
    ``index`` set as typed; the name and the amount cannot be emptied."""
    if key not in ("name", "amount", "basis", "when"):
        raise EditError(f"收费项目没有“{key}”这一项 (a fee has no '{key}')", None,
                        code="bad-value")

    def change(tree: Any) -> None:
        item = get_in(tree, ("fees", index))
        if not isinstance(item, dict):
            raise EditError(f"没有第 {index + 1} 个收费项目 (no fee {index + 1})", None,
                            code="bad-value")
        _set_fee_value(item, key, value)
    return edit(text, change)[0]


def remove_fee(text: str, index: int) -> str:
    """``text`` without fee ``index``; without ``fees`` once the last one goes (an empty
    list would still replace ``fee``)."""
    def change(tree: Any) -> None:
        seq = get_in(tree, ("fees",))
        if isinstance(seq, list) and 0 <= index < len(seq):
            del seq[index]
        _drop_empty(tree, "fees")
    return edit(text, change)[0]


def set_material(text: str, index: int, key: str, value: Any) -> str:
    """``text`` with a v2 key of material ``index`` set: ``commitment`` (true/false),
    ``tolerable_days`` (working days), ``source`` (applicant, government, intermediary,
    other), ``template`` and ``sample`` (a path in the catalog or a URL) or ``basis``
    (its Chinese text). ``None`` or ``""`` removes it (the default applies)."""
    if key not in MATERIAL_V2_KEYS:
        raise EditError(f"材料没有“{key}”这一项 (a material has no '{key}')", None,
                        code="bad-value")

    def change(tree: Any) -> None:
        item = get_in(tree, ("materials", index))
        if not isinstance(item, dict):
            raise EditError(f"没有第 {index + 1} 项材料 (no material {index + 1})", None,
                            code="bad-value")
        new = value.strip() if isinstance(value, str) else value
        if new is None or new == "" or (key == "commitment" and new is False) or (
                key == "source" and new == "applicant" and "source" not in item):
            item.pop(key, None)
            return
        if key == "basis":
            new = _label_node(item.get("basis"), str(new))
        _checked_value("materials", key, _plain(new))
        item[key] = new
    return edit(text, change)[0]


def set_decision_wording(text: str, wording: str | None) -> str:
    """``text`` with ``decision_wording`` set (``None``: the kind's default applies)."""
    def change(tree: Any) -> None:
        if wording:
            _checked_value("matter", "decision_wording", wording)
            _place(tree, "decision_wording", wording)
        else:
            tree.pop("decision_wording", None)
    return edit(text, change)[0]


def set_document_basis(text: str, kind: str, lines: Any) -> str:
    """``text`` with the legal basis printed on document ``kind`` set to ``lines`` (one
    a line); no lines removes it (and ``document_basis``, once empty)."""
    def change(tree: Any) -> None:
        basis = get_in(tree, ("document_basis",))
        if not isinstance(basis, dict):
            basis = CommentedMap()
        items = _texts(lines)
        if items:
            _checked_value("matter", "document_basis", {kind: items})
            seq = CommentedSeq(items)
            seq.fa.set_block_style()
            basis[kind] = seq
        elif kind in basis:
            del basis[kind]
        if basis and "document_basis" not in tree:
            _place(tree, "document_basis", basis)
        _drop_empty(tree, "document_basis")
    return edit(text, change)[0]


# ---- a material as one form: add, change, remove (the editor's 材料 tab)


# The form's boxes, in the order a material's keys are written.
MATERIAL_FORM_KEYS = ("id", "name_zh", "name_en", "form", "medium", "copies", "required",
                      "when", "tolerable", "tolerable_days", "commitment", "source", "notes",
                      "template", "sample", "basis")
_FORM_DEFAULTS: dict[str, Any] = {"form": "original", "medium": "paper", "copies": 1,
                                  "required": True, "tolerable": False}
_MATERIAL_REFUSED = {
    "id": "材料标识只能用字母、数字和下划线，且不能以数字开头，例如 lease_contract",
    "name": "材料名称（中文）不能为空",
    "form": "材料类型只能是 原件、复印件、原件及复印件",
    "medium": "材料形式只能是 纸质、电子、纸质或电子均可",
    "copies": "份数应为 0 至 100 的整数",
    "required": "选择“按条件需要”时，请填写条件",
    "tolerable": "可容缺只能是 是 或 否",
    "notes": "填报须知不能为空",
}


def material_form(tree: Any, index: int | None) -> dict[str, Any]:
    """The form's values (``MATERIAL_FORM_KEYS``) of material ``index``; of a new material
    (the defaults) when ``index`` is ``None``. ``required`` is ``"yes"``, ``"no"`` or
    ``"when"`` (with the condition in ``when``)."""
    item = get_in(tree, ("materials", index)) if index is not None else None
    item = item if isinstance(item, dict) else {}

    def zh(key: str, lang: str = "zh") -> str:
        value = item.get(key)
        text = value.get(lang) if isinstance(value, dict) else value if lang == "zh" else None
        return "" if text is None else str(text)
    mode, when = cond_mode(item.get("required", True))
    days = item.get("tolerable_days")
    copies = item.get("copies", 1)
    return {
        "id": str(item.get("id") or ""), "name_zh": zh("name"), "name_en": zh("name", "en"),
        "form": item.get("form", "original"), "medium": item.get("medium", "paper"),
        "copies": copies if isinstance(copies, int) and not isinstance(copies, bool) else 1,
        "required": mode or "yes", "when": when, "tolerable": item.get("tolerable") is True,
        "tolerable_days": days if isinstance(days, int) and not isinstance(days, bool)
        else None,
        "commitment": item.get("commitment") is True,
        "source": item.get("source", "applicant"), "notes": zh("notes"),
        "template": str(item.get("template") or ""), "sample": str(item.get("sample") or ""),
        "basis": zh("basis")}


def _material_check(key: str, value: Any) -> str | None:
    """The Chinese refusal of ``value`` for material key ``key``, or ``None``."""
    if key in MATERIAL_V2_KEYS:
        value = value.strip() if isinstance(value, str) else value
        if value is None or value == "" or value is False:
            return None  # removed: the default applies
        value = {"zh": str(value)} if key == "basis" else value
    try:
        _checked_value("materials", key, value)
    except EditError as exc:
        return _MATERIAL_REFUSED.get(key) or _REFUSED.get(("materials", key)) or exc.message
    return None


def _write(item: Any, key: str, value: Any) -> None:
    """Set ``key`` of a material: ``None`` removes it; a default is written only where
    the file already says it."""
    if value is None:
        item.pop(key, None)
    elif key in item or _FORM_DEFAULTS.get(key, object()) != value:
        item[key] = value


def save_material(text: str, index: int | None, values: Mapping[str, Any]) -> tuple[str, int]:
    """``text`` with material ``index`` changed to the form's ``values`` (``material_form``),
    or a new material appended when ``index`` is ``None``; and its index.

    Every value is checked against the model first, and all refusals come back at once,
    in Chinese, in one ``EditError`` (nothing is written): an empty name, a form or
    medium not of the format, copies out of 0-100, "when" without a condition, an id
    already used by another material. An empty id gets a fresh one (``material_2``).
    The keys the form does not show (``standard``) and the file's layout are kept."""
    def change(tree: Any) -> int:
        seq = _seq(tree, ("materials",))
        if index is not None and not (0 <= index < len(seq) and isinstance(seq[index], dict)):
            raise EditError(f"没有第 {index + 1} 项材料，可能已被删除 (no material {index + 1})",
                            None, code="bad-value")
        item = seq[index] if index is not None else CommentedMap()
        others = {str(m.get("id")) for i, m in enumerate(seq)
                  if isinstance(m, dict) and i != index}
        refused: list[str] = []
        mid = str(values.get("id") or "").strip() or (
            str(item.get("id")) if item.get("id") else _fresh_id(seq, "material"))
        if mid in others:
            refused.append(f"已有标识为 {mid} 的材料，请换一个标识")
        name_zh = str(values.get("name_zh") or "").strip()
        name_en = str(values.get("name_en") or "").strip()
        mode = str(values.get("required") or "yes")
        when = str(values.get("when") or "").strip()
        required: Any = {"yes": True, "no": False}.get(mode, when or None)
        copies = values.get("copies", 1)
        checks = [("id", mid), ("form", values.get("form") or "original"),
                  ("medium", values.get("medium") or "paper"),
                  ("copies", copies if copies is not None else 1),
                  ("tolerable", bool(values.get("tolerable")))]
        refused += [m for key, value in [*checks, *((k, values[k]) for k in MATERIAL_V2_KEYS
                                                    if k in values)]
                    if (m := _material_check(key, value))]
        if not name_zh:
            refused.append(_MATERIAL_REFUSED["name"])
        if required is None:
            refused.append(_MATERIAL_REFUSED["required"])
        if refused:
            raise EditError("；".join(dict.fromkeys(refused)), None, code="bad-value")
        item["id"] = mid
        name = item.get("name") if isinstance(item.get("name"), dict) else None
        name = _label_node(name, name_zh)
        if name_en:
            name["en"] = name_en
        else:
            name.pop("en", None)
        item["name"] = name
        for key, value in checks[1:]:
            _write(item, key, value)
        _write(item, "required", required)
        notes = str(values.get("notes") or "").strip()
        _write(item, "notes", _label_node(item.get("notes"), notes) if notes else None)
        if index is None:
            seq.append(item)
        return index if index is not None else len(seq) - 1
    new, at = edit(text, change)
    for key in MATERIAL_V2_KEYS:  # checked above; written as ``set_material`` writes them
        if key in values:
            new = set_material(new, at, key, values[key])
    return new, at


def material_examples(tree: Any, material_id: str) -> list[str]:
    """The names of the examples that hand in ``material_id`` or expect it (missing,
    tolerated, fetched)."""
    out = []
    for i, example in enumerate(get_in(tree, ("tests",)) or []):
        example = example if isinstance(example, dict) else {}
        handed = [m.get("id") if isinstance(m, dict) else m
                  for m in example.get("materials") or []]
        expect = get_in(example, ("expect",))
        listed: list[Any] = []
        for key in ("missing", "tolerated", "fetched"):
            values = get_in(expect, (key,))
            listed += values if isinstance(values, list) else []
        if material_id in handed or material_id in listed:
            out.append(str(example.get("name") or f"示例 {i + 1}"))
    return out


def remove_material(text: str, index: int) -> str:
    """``text`` without material ``index``, and without its mentions in the examples (the
    copies handed in, and the expected missing, tolerated or fetched lists), which would
    otherwise name a material that is no more."""
    def change(tree: Any) -> None:
        seq = get_in(tree, ("materials",))
        if not (isinstance(seq, list) and 0 <= index < len(seq)):
            raise EditError(f"没有第 {index + 1} 项材料，可能已被删除 (no material {index + 1})",
                            None, code="bad-value")
        gone = seq[index].get("id") if isinstance(seq[index], dict) else None
        del seq[index]
        for example in get_in(tree, ("tests",)) or []:
            if not isinstance(example, dict) or gone is None:
                continue
            handed = example.get("materials")
            if isinstance(handed, list):
                for i in reversed(range(len(handed))):
                    m = handed[i]
                    if (m.get("id") if isinstance(m, dict) else m) == gone:
                        del handed[i]
            expect = example.get("expect")
            for key in ("missing", "tolerated", "fetched"):
                listed = expect.get(key) if isinstance(expect, dict) else None
                while isinstance(listed, list) and gone in listed:
                    listed.remove(gone)
    return edit(text, change)[0]
