"""A readable, field-level diff between two versions of a matter."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from formkit.definitions.model import Matter, iter_fields

__all__ = ["Change", "diff_matters"]

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
