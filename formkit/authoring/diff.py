"""A readable, field-level diff between two versions of a matter, and the three-way
difference and merge of a draft that began before another publication.

``diff_matters`` names what an editor would (a field's label, a material's form).
When a draft started from version B and someone has since published T, the draft
M is compared three ways: ``three_way`` lists each change of T and of M against
B, and which side made it (``both``: they changed the same thing differently).
``merge_texts`` replays the draft's changes onto T's YAML tree: a change only one
side made is taken; one both made differently is a ``MergeConflict``, resolved
by the editor's choice (T's value unless they choose theirs ... mine), so a
published change is never dropped without someone deciding it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import yaml
from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from formkit.authoring.drafts import dump_yaml, load_yaml
from formkit.definitions.model import Matter, iter_fields

__all__ = ["Change", "MergeConflict", "Merged", "Side", "ThreeWayChange", "diff_matters",
           "merge_texts", "three_way"]

_FIELD_ATTRS = ("type", "label", "required", "visible", "constraint", "message", "value",
                "default", "help", "placeholder", "options", "min", "max")
_MATERIAL_ATTRS = ("name", "form", "medium", "copies", "required", "tolerable", "source",
                   "notes", "standard")


class Change(BaseModel):
    """One difference: where, what, before and after (as readable text)."""

    section: str  # basic | field | material | check | route | let
    item: str
    what: str  # added | removed | changed
    attr: str = ""
    before: str = ""
    after: str = ""

    def __str__(self) -> str:
        if self.what == "changed":
            return f"{self.section} {self.item}: {self.attr} {self.before} -> {self.after}"
        return f"{self.section} {self.item}: {self.what}"


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):  # as the YAML says it, not Python's True
        return "true" if value else "false"
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, dict) and set(value) <= {"zh", "en"}:
        return str(value.get("zh", ""))
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return str(value)


def _attrs(section: str, item: str, old: Any, new: Any, attrs: tuple[str, ...]
           ) -> list[Change]:
    out = []
    for attr in attrs:
        a, b = _text(getattr(old, attr, None)), _text(getattr(new, attr, None))
        if a != b:
            out.append(Change(section=section, item=item, what="changed", attr=attr,
                              before=a, after=b))
    return out


def _keyed(section: str, old: dict[str, Any], new: dict[str, Any],
           attrs: tuple[str, ...]) -> list[Change]:
    out: list[Change] = []
    for key in old:
        if key not in new:
            out.append(Change(section=section, item=key, what="removed"))
    for key, value in new.items():
        if key not in old:
            out.append(Change(section=section, item=key, what="added"))
        else:
            out.extend(_attrs(section, key, old[key], value, attrs))
    return out


def diff_matters(old: Matter, new: Matter) -> list[Change]:
    """Every difference between ``old`` and ``new`` that an editor would name."""
    out: list[Change] = []
    basic = ("code", "name", "department", "kind", "basis", "fee", "channels", "max_visits",
             "result", "uses")
    out.extend(_attrs("basic", "", old, new, basic))
    out.extend(_attrs("time_limit", "", old.time_limit, new.time_limit,
                      ("unit", "statutory_days", "committed_days")))
    out.extend(_keyed("field", {p: f for f, _, p in iter_fields(old.form)},
                      {p: f for f, _, p in iter_fields(new.form)}, _FIELD_ATTRS))
    out.extend(_keyed("material", {m.id: m for m in old.materials},
                      {m.id: m for m in new.materials}, _MATERIAL_ATTRS))
    out.extend(_keyed("check", {_check_key(c): c for c in old.checks},
                      {_check_key(c): c for c in new.checks}, ("when", "refuse", "warn")))
    out.extend(_keyed("route", {f"{i + 1}": s for i, s in enumerate(old.route)},
                      {f"{i + 1}": s for i, s in enumerate(new.route)},
                      ("step", "when", "name", "days")))
    out.extend(_keyed("let", dict(old.let), dict(new.let), ()))
    for name in set(old.let) & set(new.let):
        if old.let[name].text != new.let[name].text:
            out.append(Change(section="let", item=name, what="changed", attr="expression",
                              before=old.let[name].text, after=new.let[name].text))
    return out


def _check_key(check: Any) -> str:
    label = check.refuse or check.warn
    return f"{'refuse' if check.refuse else 'warn'}: {label.zh if label else ''}"


# ---- three ways: the base a draft began from, the published version (theirs), the draft

Side = Literal["theirs", "mine"]


class ThreeWayChange(BaseModel):
    """One place where the published version (``theirs``) or the draft (``mine``)
    differs from the base both began from; ``None``: that side left it as it was.
    ``overlap``: the other side added or removed the whole item (a field, a material)."""

    section: str
    item: str
    attr: str = ""
    base: str = ""
    theirs: Change | None = None
    mine: Change | None = None
    overlap: bool = False

    @property
    def side(self) -> Literal["theirs", "mine", "same", "both"]:
        """Who changed it: one side, both alike (``same``) or both differently."""
        if self.theirs is not None and self.mine is not None:
            same = (self.theirs.what, self.theirs.after) == (self.mine.what, self.mine.after)
            return "same" if same else "both"
        if self.overlap:
            return "both"
        return "theirs" if self.theirs is not None else "mine"


def three_way(base: Matter, theirs: Matter, mine: Matter) -> list[ThreeWayChange]:
    """Every change of ``theirs`` and of ``mine`` against ``base``, side by side."""
    def key(c: Change) -> tuple[str, str, str]:
        return c.section, c.item, c.attr

    ours = {key(c): c for c in diff_matters(base, mine)}
    others = {key(c): c for c in diff_matters(base, theirs)}
    whole_ours = {(c.section, c.item) for c in ours.values() if c.item and c.what != "changed"}
    whole_others = {(c.section, c.item) for c in others.values()
                    if c.item and c.what != "changed"}
    rows: list[ThreeWayChange] = []
    for k in list(others) + [k for k in ours if k not in others]:
        one = others.get(k) or ours[k]
        overlap = (k[:2] in whole_ours and k not in ours) or \
            (k[:2] in whole_others and k not in others)
        rows.append(ThreeWayChange(section=k[0], item=k[1], attr=k[2], base=one.before,
                                   theirs=others.get(k), mine=ours.get(k), overlap=overlap))
    return rows


class MergeConflict(BaseModel):
    """A place both sides changed differently: its path and the three values as YAML."""

    path: str  # "" is the whole matter
    base: str
    theirs: str
    mine: str


class Merged(BaseModel):
    """The draft's changes replayed onto the published text, and what needed a choice."""

    text: str
    conflicts: list[MergeConflict]


class _Missing:
    def __repr__(self) -> str:
        return "—"


_MISSING: Any = _Missing()


def _plain(value: Any) -> Any:
    """A round-trip value as plain Python, for comparing and showing."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None or value is _MISSING:
        return value
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return str(value)


def _show(value: Any) -> str:
    if value is _MISSING:
        return "—"
    text = yaml.safe_dump(_plain(value), allow_unicode=True, default_flow_style=True,
                          width=10**6, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def _item_key(*lists: Any) -> str | None:
    """The key that names every item of these lists (``id``, else ``name``), if any."""
    for key in ("id", "name"):
        ok = True
        for items in lists:
            if items is _MISSING:
                continue
            names = [i.get(key) if isinstance(i, dict) else None for i in items]
            if not isinstance(items, list) or not all(isinstance(n, str) for n in names) \
                    or len(set(names)) != len(names):
                ok = False
                break
        if ok:
            return key
    return None


class _Merger:
    def __init__(self, choices: Mapping[str, Side]) -> None:
        self.choices = choices
        self.conflicts: list[MergeConflict] = []

    def value(self, b: Any, t: Any, m: Any, path: str) -> Any:
        pb, pt, pm = _plain(b), _plain(t), _plain(m)
        if pt == pm or pb == pm:
            return t
        if pb == pt:
            return m
        if all(isinstance(v, dict) for v in (b, t, m)):
            return self.mapping(b, t, m, path)
        if isinstance(t, list) and isinstance(m, list):
            key = _item_key(b, t, m)
            if key is not None:
                return self.sequence(b if b is not _MISSING else [], t, m, path, key)
        self.conflicts.append(MergeConflict(path=path, base=_show(b), theirs=_show(t),
                                            mine=_show(m)))
        return m if self.choices.get(path) == "mine" else t

    def mapping(self, b: Any, t: Any, m: Any, path: str) -> Any:
        keys = list(t) + [k for k in m if k not in t] + [k for k in b if k not in t
                                                          and k not in m]
        for k in keys:
            mine = m.get(k, _MISSING)
            theirs = t.get(k, _MISSING)
            v = self.value(b.get(k, _MISSING), theirs, mine, f"{path}.{k}" if path else str(k))
            if v is _MISSING:
                if k in t:
                    del t[k]
            elif k not in t:
                before = [x for x in list(m)[: list(m).index(k)] if x in t] if k in m else []
                at = list(t).index(before[-1]) + 1 if before else len(t)
                t.insert(at, k, v) if isinstance(t, CommentedMap) else t.__setitem__(k, v)
            elif v is not theirs:
                t[k] = v
        return t

    def sequence(self, b: Any, t: Any, m: Any, path: str, key: str) -> Any:
        by_b, by_t, by_m = ({i[key]: i for i in items} for items in (b, t, m))
        order = [i[key] for i in t]
        for n, i in enumerate(m):  # a new item of the draft goes after its predecessor
            name = i[key]
            if name not in order:
                before = [x[key] for x in m[:n] if x[key] in order]
                order.insert(order.index(before[-1]) + 1 if before else 0, name)
        order += [name for name in by_b if name not in order]
        out = CommentedSeq()
        for name in order:
            v = self.value(by_b.get(name, _MISSING), by_t.get(name, _MISSING),
                           by_m.get(name, _MISSING), f"{path}[{name}]")
            if v is not _MISSING:
                out.append(v)
        if isinstance(t, CommentedSeq) and t.fa.flow_style():
            out.fa.set_flow_style()
        return out


def merge_texts(base: str | None, theirs: str, mine: str,
                choices: Mapping[str, Side] | None = None) -> Merged:
    """The draft ``mine`` (begun from ``base``) replayed onto the published ``theirs``.

    A change one side made is kept; where both changed the same value differently,
    ``choices[path]`` decides (``theirs`` unless it says ``mine``) and the place is
    listed in ``conflicts``. Parts nobody changed keep ``theirs``'s layout. With no
    base (both created the matter) or a text that does not load, the whole matter
    (path ``""``) is one choice.
    """
    choices = choices or {}
    trees = []
    for text in (base, theirs, mine):
        try:
            tree = load_yaml(text) if text is not None else None
        except Exception:  # a YAML error: the whole text is one choice
            tree = None
        trees.append(tree)
    merger = _Merger(choices)
    if not all(isinstance(tree, CommentedMap) for tree in trees):
        if theirs == mine:
            return Merged(text=theirs, conflicts=[])
        merger.conflicts.append(MergeConflict(path="", base=base or "—", theirs=theirs,
                                              mine=mine))
        return Merged(text=mine if choices.get("") == "mine" else theirs,
                      conflicts=merger.conflicts)
    b, t, m = trees
    result = merger.value(b, t, m, "")
    text = mine if result is m else dump_yaml(result, original=theirs)
    return Merged(text=text, conflicts=merger.conflicts)
