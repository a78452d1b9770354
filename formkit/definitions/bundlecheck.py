"""Checks of a bundle (高效办成一件事) against the matters it combines.

Every member must be a matter of the catalog; every field a shared question fills
and every material a ``materials_once`` entry stands for must exist in its member;
a shared answer must fit each field it fills (its type, its options); each target
is filled by one question only; and the examples name only what exists. Each error
points at the YAML node it concerns (docs/bundles.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from formkit.definitions.model import Bundle, FieldType, FormField, Matter, SharedQuestion
from formkit.definitions.yamldoc import YamlDoc
from formkit.errors import DefinitionError, FormkitError

__all__ = ["check_bundle", "field_at", "fits", "question_field"]

Loc = tuple[int | str, ...]
Err = Callable[..., None]
_INDEX = re.compile(r"\[\d+\]")

# A shared answer of the key's type may fill a field of each of these types: an ID
# number or a mobile is text too, a whole number is a number, an amount is a number.
_FILLS: dict[FieldType, frozenset[FieldType]] = {
    FieldType.text: frozenset({FieldType.text, FieldType.textarea}),
    FieldType.id_number: frozenset({FieldType.id_number, FieldType.text}),
    FieldType.mobile: frozenset({FieldType.mobile, FieldType.text}),
    FieldType.email: frozenset({FieldType.email, FieldType.text}),
    FieldType.uscc: frozenset({FieldType.uscc, FieldType.text}),
    FieldType.integer: frozenset({FieldType.integer, FieldType.number}),
    FieldType.money: frozenset({FieldType.money, FieldType.number}),
}


def field_at(matter: Matter, path: str) -> FormField | None:
    """The field at the dotted ``path`` (groups only: a repeat's row fields are not
    single answers), or None."""
    fields = matter.form
    found: FormField | None = None
    for part in path.split("."):
        found = next((f for f in fields if f.id == part), None)
        if found is None:
            return None
        fields = found.fields or [] if found.type == FieldType.group else []
    return found


def fits(answer: FormField, target: FormField) -> str | None:
    """Why an answer to ``answer`` cannot fill ``target``, or None when it can."""
    if target.type not in _FILLS.get(answer.type, frozenset({answer.type})):
        return f"a {answer.type.value} answer cannot fill a {target.type.value} field"
    if answer.type in (FieldType.choice, FieldType.multichoice):
        have = {o.value for o in target.options or []}
        extra = [o.value for o in answer.options or [] if o.value not in have]
        if extra:
            return f"the field has no option {', '.join(repr(v) for v in extra)}"
    if answer.type == FieldType.group:
        inner = {f.id: f for f in target.fields or []}
        for sub in answer.fields or []:
            other = inner.get(sub.id)
            if other is None:
                return f"the group has no field '{sub.id}'"
            why = fits(sub, other)
            if why is not None:
                return f"{sub.id}: {why}"
    return None


def question_field(question: SharedQuestion, targets: list[FormField]) -> FormField | None:
    """The field a shared question is asked as: its own ``type`` and ``options``, else
    the first target's shape, with the question's label, help and ``required``; the
    target's conditions (written over its own matter's fields) are dropped."""
    base = targets[0] if targets else None
    if question.type is None and base is None:
        return None
    field_type = question.type or (base.type if base else FieldType.text)
    options = question.options if question.options is not None else (
        base.options if base is not None and base.type == field_type else None)
    label = question.label or (base.label if base else None)
    fields = [_plain(f) for f in base.fields or []] \
        if base is not None and field_type == FieldType.group else None
    return FormField(id=question.id, type=field_type, label=label,
                     required=question.required, help=question.help or (
                         base.help if base else None), options=options, fields=fields,
                     min=base.min if base else None, max=base.max if base else None)


def _plain(f: FormField) -> FormField:
    """A group's field as a shared question asks it: literal conditions kept, written
    ones dropped (they name fields of the member's form)."""
    return f.model_copy(update={
        "required": f.required if isinstance(f.required, bool) else False,
        "visible": f.visible if isinstance(f.visible, bool) else True,
        "constraint": None, "message": None, "value": None,
        "fields": [_plain(c) for c in f.fields] if f.fields else None})


def check_bundle(bundle: Bundle, doc: YamlDoc, matters: dict[str, Matter]
                 ) -> list[FormkitError]:
    """Every cross-check of one bundle against the catalog's matters."""
    errors: list[FormkitError] = []

    def err(message: str, loc: Loc, hint: str | None = None, code: str = "definition",
            key: bool = False) -> None:
        errors.append(DefinitionError(message, doc.span_at(loc, key=key), hint=hint,
                                      code=code))

    members: dict[str, Matter] = {}
    for i, member in enumerate(bundle.matters):
        matter = matters.get(member.code)
        if member.code in members:
            err(f"matter '{member.code}' is listed twice", ("matters", i),
                "list each matter once", "duplicate-id")
        elif matter is None:
            err(f"unknown matter '{member.code}'", ("matters", i),
                _hint(member.code, matters, "matters"), "unknown-matter")
        else:
            members[member.code] = matter
    if all(m.when is not True for m in bundle.matters):
        err("every matter of the bundle has a 'when': the bundle could apply for nothing",
            ("matters",), "leave the matter the bundle is about without 'when'",
            "bundle-when")
    _check_shared(bundle, members, err)
    _check_once(bundle, members, err)
    _check_examples(bundle, members, err)
    return errors


def _hint(name: str, candidates: Iterable[str], what: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else \
        f"known {what}: {', '.join(sorted(candidates)[:12])}"


def _check_shared(bundle: Bundle, members: dict[str, Matter], err: Err) -> None:
    ids: set[str] = set()
    filled: dict[tuple[str, str], str] = {}
    for i, question in enumerate(bundle.shared):
        here: Loc = ("shared", i)
        if question.id in ids or question.id in members:
            err(f"shared question id '{question.id}' is used twice", (*here, "id"),
                code="duplicate-id")
        ids.add(question.id)
        targets: list[tuple[str, FormField]] = []
        for code, path in question.to.items():
            matter = members.get(code)
            if matter is None:
                if code not in bundle.codes:
                    err(f"'{code}' is not a matter of this bundle", (*here, "to", code),
                        _hint(code, bundle.codes, "members"), "unknown-matter", key=True)
                continue
            target = field_at(matter, path)
            if target is None:
                err(f"no field '{path}' in matter {code}", (*here, "to", code),
                    _hint(path, _paths(matter), "fields"), "unknown-field")
                continue
            for (other_code, other_path), qid in filled.items():
                if other_code == code and (path == other_path
                                           or path.startswith(other_path + ".")
                                           or other_path.startswith(path + ".")):
                    err(f"field '{path}' of matter {code} is already filled by shared "
                        f"question '{qid}'", (*here, "to", code),
                        "one answer per field: drop one of the two", "duplicate-target")
            filled[(code, path)] = question.id
            targets.append((code, target))
        asked = question_field(question, [t for _, t in targets])
        if asked is None:
            err(f"shared question '{question.id}' fills no field and has no type",
                (*here,), "give it a 'type' (and 'options' for a choice), or map it with "
                "'to'", "bundle-type")
            continue
        if asked.type in (FieldType.choice, FieldType.multichoice) and not asked.options:
            err(f"shared question '{question.id}' is a choice without options", (*here,),
                "give it 'options'", "bundle-type")
        if asked.type == FieldType.repeat:
            err(f"shared question '{question.id}' fills a repeat", (*here,),
                "a shared question fills one answer: map the rows' fields per matter",
                "bundle-type")
        for code, target in targets:
            why = fits(asked, target)
            if why is not None:
                err(f"the answer to '{question.id}' does not fit {code}'s field "
                    f"'{question.to[code]}': {why}", (*here, "to", code),
                    "map it to a field of the same type, or give the question that "
                    "field's type and options", "bundle-type")
        if question.value is not None and not _value_fits(asked, question.value):
            err(f"the fixed value of '{question.id}' is not a {asked.type.value}",
                (*here, "value"), "give a value the field accepts", "bundle-type")


def _value_fits(asked: FormField, value: Any) -> bool:
    if asked.type == FieldType.boolean:
        return isinstance(value, bool)
    if asked.type == FieldType.choice:
        return value in {o.value for o in asked.options or []}
    if asked.type in (FieldType.group, FieldType.multichoice, FieldType.repeat):
        return isinstance(value, dict | list)
    if asked.type in (FieldType.number, FieldType.integer, FieldType.money):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str | int) and not isinstance(value, bool)


def _paths(matter: Matter) -> list[str]:
    from formkit.definitions.model import iter_fields

    return [path for _, _, path in iter_fields(matter.form)]


def _check_once(bundle: Bundle, members: dict[str, Matter], err: Err) -> None:
    ids: set[str] = set()
    taken: dict[tuple[str, str], str] = {}
    for i, once in enumerate(bundle.materials_once):
        here: Loc = ("materials_once", i)
        if once.id in ids:
            err(f"materials_once id '{once.id}' is used twice", (*here, "id"),
                code="duplicate-id")
        ids.add(once.id)
        if len(once.to) < 2:
            err(f"'{once.id}' stands for one matter's material only", (*here, "to"),
                "materials_once is for a material several matters need", "bundle-once")
        for code, mid in once.to.items():
            matter = members.get(code)
            if matter is None:
                if code not in bundle.codes:
                    err(f"'{code}' is not a matter of this bundle", (*here, "to", code),
                        _hint(code, bundle.codes, "members"), "unknown-matter", key=True)
                continue
            known = [m.id for m in matter.materials]
            if mid not in known:
                err(f"no material '{mid}' in matter {code}", (*here, "to", code),
                    _hint(mid, known, "materials"), "unknown-material")
                continue
            if (code, mid) in taken:
                err(f"material '{mid}' of matter {code} is already handed in as "
                    f"'{taken[(code, mid)]}'", (*here, "to", code),
                    "one entry per material", "duplicate-target")
            taken[(code, mid)] = once.id


def _check_examples(bundle: Bundle, members: dict[str, Matter], err: Err) -> None:
    shared = {q.id for q in bundle.shared}
    once = {o.id for o in bundle.materials_once}
    keys = set(once) | {f"{code}/{m.id}" for code, matter in members.items()
                        for m in matter.materials}
    names: set[str] = set()
    for i, example in enumerate(bundle.tests):
        here: Loc = ("tests", i)
        if example.name in names:
            err(f"two examples are named '{example.name}'", (*here, "name"),
                code="duplicate-example")
        names.add(example.name)
        for key, value in example.fields.items():
            matter = members.get(key)
            if key in shared:
                continue
            if matter is None:
                err(f"example gives '{key}', neither a shared question nor a member",
                    (*here, "fields", key), _hint(key, shared | set(members), "keys"),
                    "unknown-field", key=True)
            elif not isinstance(value, dict):
                err(f"the answers of {key} must be a mapping of its fields",
                    (*here, "fields", key), code="unknown-field")
            else:
                top = {f.id for f in matter.form}
                for fid in value:
                    if fid not in top:
                        err(f"no field '{fid}' in matter {key}", (*here, "fields", key, fid),
                            _hint(fid, top, "fields"), "unknown-field", key=True)
        for j, handed in enumerate(example.materials):
            key = f"{handed.matter}/{handed.id}" if handed.matter else handed.id
            if key not in keys:
                err(f"example hands in unknown material '{key}'",
                    (*here, "materials", j, "id"), _hint(key, keys, "materials"),
                    "unknown-material")
        expect = example.expect
        for what in ("missing", "tolerated", "fetched"):
            for j, key in enumerate(getattr(expect, what) or []):
                if key not in keys:
                    err(f"expect.{what} names unknown material '{key}'",
                        (*here, "expect", what, j),
                        "name a materials_once id or CODE/material",
                        "unknown-material")
        for j, path in enumerate(expect.field_errors or []):
            if not _known_path(path, shared, members):
                err(f"expect.field_errors names unknown field '{path}'",
                    (*here, "expect", "field_errors", j),
                    "name a shared question (operator.name) or CODE.field",
                    "unknown-field")
        for j, code in enumerate(expect.matters or []):
            if code not in members:
                err(f"expect.matters names '{code}', not a matter of this bundle",
                    (*here, "expect", "matters", j), _hint(code, members, "members"),
                    "unknown-matter")


def _known_path(path: str, shared: set[str], members: dict[str, Matter]) -> bool:
    bare = _INDEX.sub("", path)
    head = bare.partition(".")[0]
    if head in shared or head == "materials":
        return True
    for code, matter in members.items():
        if bare.startswith(code + "."):
            inner = bare[len(code) + 1:]
            return inner in _paths(matter)
    return False
