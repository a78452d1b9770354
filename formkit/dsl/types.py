"""Static types of the rule language: bool, number, text, date, list[T], group, null."""

from __future__ import annotations

from dataclasses import dataclass

from formkit.definitions.model import NUMBER_TYPES, TEXT_TYPES, FieldType, FormField

__all__ = [
    "ANY",
    "BOOL",
    "DATE",
    "NULL",
    "NUMBER",
    "TEXT",
    "T",
    "field_type",
    "group_of",
    "list_of",
    "unify",
]


@dataclass(frozen=True, slots=True)
class T:
    """A type; ``options`` marks a choice field's text, ``fields`` a group's members."""

    kind: str  # bool | number | text | date | null | list | group | any
    elem: T | None = None
    fields: tuple[tuple[str, T], ...] | None = None
    options: frozenset[str] | None = None

    def __str__(self) -> str:
        if self.kind == "list":
            return f"list[{self.elem}]"
        return self.kind

    def member(self, name: str) -> T | None:
        """The type of member ``name`` of a group type."""
        for key, value in self.fields or ():
            if key == name:
                return value
        return None

    def member_names(self) -> list[str]:
        """The member names of a group type."""
        return [key for key, _ in self.fields or ()]

    @property
    def plain(self) -> T:
        """This type without choice options (for messages and unification)."""
        return T(self.kind, self.elem, self.fields) if self.options is not None else self


BOOL = T("bool")
NUMBER = T("number")
TEXT = T("text")
DATE = T("date")
NULL = T("null")
ANY = T("any")


def list_of(elem: T) -> T:
    """``list[elem]``."""
    return T("list", elem=elem)


def group_of(fields: dict[str, T]) -> T:
    """A group type with these members."""
    return T("group", fields=tuple(fields.items()))


def unify(a: T, b: T) -> T | None:
    """The common type of ``a`` and ``b`` (null and any join anything), or None."""
    if a.kind in ("null", "any"):
        return b if a.kind == "null" or b.kind == "any" else a if b.kind == "null" else b
    if b.kind in ("null", "any"):
        return a
    if a.kind != b.kind:
        return None
    if a.kind == "list":
        assert a.elem is not None and b.elem is not None
        elem = unify(a.elem, b.elem)
        return list_of(elem) if elem is not None else None
    if a.kind == "text" and a.options != b.options:
        return TEXT
    return a


def field_type(f: FormField) -> T:
    """The type a form field has in expressions."""
    if f.type in (FieldType.choice,):
        return T("text", options=frozenset(o.value for o in f.options or []))
    if f.type in TEXT_TYPES:
        return TEXT
    if f.type in NUMBER_TYPES:
        return NUMBER
    if f.type == FieldType.boolean:
        return BOOL
    if f.type == FieldType.date:
        return DATE
    if f.type == FieldType.multichoice:
        return list_of(T("text", options=frozenset(o.value for o in f.options or [])))
    members = group_of({c.id: field_type(c) for c in f.fields or []})
    return list_of(members) if f.type == FieldType.repeat else members
