"""JSON Schema (draft 2020-12) of a matter's intake form.

Types, option lists with their labels, patterns and formats for resident IDs,
USCCs and mobile numbers, and ``required`` where a field is unconditionally
required and visible. Conditions a schema cannot say (expressions) are kept,
as written, in an ``x-formkit`` extension on each field.
"""

from __future__ import annotations

from typing import Any

from formkit.definitions.model import Expr, FieldType, FormField, Matter
from formkit.values import to_json

__all__ = ["DRAFT", "matter_schema"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_ID = r"^\d{17}[\dXx]$"
_USCC = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
_MOBILE = r"^1[3-9]\d{9}$"


def _options(f: FormField) -> list[dict[str, Any]]:
    return [{"const": o.value, "title": o.label.zh} for o in f.options or []]


def field_schema(f: FormField) -> dict[str, Any]:
    """The schema of one field (recursively for groups and repeats)."""
    t = f.type
    out: dict[str, Any] = {"title": f.title()}
    if f.label is not None and f.label.en:
        out["x-title-en"] = f.label.en
    if f.help is not None:
        out["description"] = f.help.zh
    if t in (FieldType.text, FieldType.textarea):
        out["type"] = "string"
        if f.min is not None:
            out["minLength"] = int(f.min)
        if f.max is not None:
            out["maxLength"] = int(f.max)
    elif t in (FieldType.number, FieldType.integer, FieldType.money):
        out["type"] = "integer" if t == FieldType.integer else "number"
        # Money has at most two decimals, but not as `multipleOf: 0.01`: validators
        # divide in binary floating point and reject 19.99 (1998.9999...). The rule goes
        # in the extension instead, for front ends to apply.
        if f.min is not None:
            out["minimum"] = to_json(f.min)
        if f.max is not None:
            out["maximum"] = to_json(f.max)
    elif t == FieldType.boolean:
        out["type"] = "boolean"
    elif t == FieldType.date:
        out.update(type="string", format="date")
    elif t == FieldType.choice:
        out.update(type="string", oneOf=_options(f))
    elif t == FieldType.multichoice:
        out.update(type="array", uniqueItems=True, items={"type": "string",
                                                          "oneOf": _options(f)})
    elif t == FieldType.id_number:
        out.update(type="string", pattern=_ID, format="x-cn-resident-id")
    elif t == FieldType.uscc:
        out.update(type="string", pattern=_USCC, format="x-cn-uscc")
    elif t == FieldType.mobile:
        out.update(type="string", pattern=_MOBILE, format="x-cn-mobile")
    elif t == FieldType.email:
        out.update(type="string", format="email")
    elif t == FieldType.group:
        out.update(_object(f.fields or []))
    elif t == FieldType.repeat:
        out.update(type="array", items=_object(f.fields or []))
        if f.min is not None:
            out["minItems"] = int(f.min)
        if f.max is not None:
            out["maxItems"] = int(f.max)
    if f.default is not None:
        out["default"] = f.default
    extension: dict[str, Any] = {
        attr: value.text for attr in ("required", "visible", "constraint", "value")
        if isinstance(value := getattr(f, attr), Expr)}
    if t == FieldType.money:
        extension["decimals"] = 2
    if f.value is not None:
        out["readOnly"] = True
    if f.message is not None and "constraint" in extension:
        extension["message"] = f.message.zh
    if extension:
        out["x-formkit"] = extension
    return out


def _object(fields: list[FormField]) -> dict[str, Any]:
    required = [f.id for f in fields if f.required is True and f.visible is True
                and f.value is None]
    out: dict[str, Any] = {"type": "object",
                           "properties": {f.id: field_schema(f) for f in fields},
                           "additionalProperties": False}
    if required:
        out["required"] = required
    return out


def matter_schema(matter: Matter) -> dict[str, Any]:
    """The JSON Schema of ``matter``'s intake form (the ``fields`` of a submission)."""
    schema: dict[str, Any] = {"$schema": DRAFT, "$id": f"urn:formkit:matter:{matter.code}",
                              "title": matter.name.zh}
    if matter.name.en:
        schema["x-title-en"] = matter.name.en
    guide = matter.guide
    if guide is not None and guide.conditions is not None:  # 受理条件, for the form's head
        schema["description"] = guide.conditions.zh
    schema.update(_object(matter.form))
    schema["x-formkit"] = {"matter": matter.code, "department": matter.department,
                           "let": {k: v.text for k, v in matter.let.items()}}
    return schema
