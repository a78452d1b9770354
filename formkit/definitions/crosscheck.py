"""Checks across a whole catalog that no single model can make.

Unique codes and ids, departments and route sections that exist, time limits
that make sense, libraries that exist, and examples that name real fields and
materials. Each error points at the YAML node it concerns.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from formkit.definitions.loader import LoadedCatalog
from formkit.definitions.model import (
    NUMBER_TYPES,
    TEXT_TYPES,
    FieldType,
    FormField,
    Matter,
    iter_fields,
)
from formkit.definitions.yamldoc import YamlDoc
from formkit.errors import DefinitionError, FormkitError

__all__ = ["check_catalog", "check_matter", "field_paths"]

Loc = tuple[int | str, ...]
# The rule language's reserved words (dsl/grammar.lark): a field or let so named
# could never be referred to.
RULE_KEYWORDS = frozenset(
    ["and", "or", "not", "in", "if", "then", "else", "true", "false", "null", "let", "use"])
_PATH_PART = re.compile(r"^([^\W\d]\w*)(\[\d+\])?$")


def _suggest(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _suggest_or_list(name: str, candidates: Iterable[str], what: str) -> str:
    """'did you mean ...?', or else the names there are (a few of them)."""
    names = sorted(candidates)
    close = _suggest(name, names)
    if close:
        return close
    if not names:
        return f"this matter has no {what}"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"the {what} are: {shown}"


def field_paths(matter: Matter) -> set[str]:
    """Dotted paths of every field (repeat rows without their index)."""
    return {path for _, _, path in iter_fields(matter.form)}


def check_catalog(result: LoadedCatalog) -> None:
    """Run every cross-check; errors are appended to ``result.errors``."""
    catalog = result.catalog
    units: set[str] = set()
    departments: set[str] = set()
    catalog_doc = result.catalog_doc
    if catalog is not None and catalog_doc is not None:
        doc = catalog_doc
        seen: set[str] = set()
        for i, dept in enumerate(catalog.departments):
            if dept.id in seen:
                result.errors.append(DefinitionError(
                    f"department id '{dept.id}' is used twice",
                    doc.span_at(("departments", i, "id")), code="duplicate-id"))
            seen.add(dept.id)
            sections: set[str] = set()
            for j, section in enumerate(dept.sections):
                if section.id in sections:
                    result.errors.append(DefinitionError(
                        f"section id '{section.id}' is used twice in '{dept.id}'",
                        doc.span_at(("departments", i, "sections", j, "id")),
                        code="duplicate-id"))
                sections.add(section.id)
                units.add(f"{dept.id}.{section.id}")
        departments = seen
    libraries = _library_names(result)
    for matter in result.matters.values():
        matter_doc = result.doc_of(matter)
        if matter_doc is None:  # pragma: no cover - every loaded matter has its document
            continue
        result.errors.extend(check_matter(matter, matter_doc, departments if catalog else None,
                                          units if catalog else None, libraries,
                                          root=result.root))
    from formkit.definitions.bundlecheck import check_bundle  # late: it imports crosscheck's peers

    for bundle in result.bundles.values():
        bundle_doc = result.doc_of(bundle)
        if bundle_doc is not None:
            result.errors.extend(check_bundle(bundle, bundle_doc, result.matters))


def _library_names(result: LoadedCatalog) -> set[str] | None:
    if result.catalog is None:
        return None
    folder = (result.root / result.catalog.rules)
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.glob("*.rules")}


def check_matter(matter: Matter, doc: YamlDoc, departments: set[str] | None,
                 units: set[str] | None, libraries: set[str] | None, *,
                 root: Path | None = None) -> list[FormkitError]:
    """Cross-checks of one matter against the catalog's departments, units, libraries,
    and (given the catalog folder ``root``) the template and sample files it names."""
    errors: list[FormkitError] = []

    def err(message: str, loc: Loc, hint: str | None = None, code: str = "definition",
            key: bool = False) -> None:
        errors.append(DefinitionError(message, doc.span_at(loc, key=key), hint=hint,
                                      code=code))

    if departments is not None and matter.department not in departments:
        err(f"unknown department '{matter.department}'", ("department",),
            _suggest(matter.department, departments) or "departments are listed in "
            "catalog.yaml", "unknown-department")
    limit = matter.time_limit
    if limit.committed_days > limit.statutory_days:
        err(f"committed_days ({limit.committed_days}) is more than statutory_days "
            f"({limit.statutory_days})", ("time_limit", "committed_days"),
            "承诺时限不得超过法定时限: lower committed_days", "committed-over-statutory")
    if libraries is not None:
        for i, name in enumerate(matter.uses):
            if name not in libraries:
                err(f"unknown rule library '{name}'", ("uses", i),
                    _suggest(name, libraries) or f"libraries are the *.rules files in the "
                    f"rules folder ({', '.join(sorted(libraries)) or 'none found'})",
                    "unknown-library")
    _check_fields(matter.form, ("form",), err)
    for name in matter.let:
        if name in RULE_KEYWORDS:
            err(f"'{name}' is a keyword of the rule language and cannot name a value",
                ("let", name), f"rename it, e.g. '{name}_'", "keyword-id", key=True)
    ids: dict[str, int] = {}
    for i, material in enumerate(matter.materials):
        if material.id in ids:
            err(f"material id '{material.id}' is used twice", ("materials", i, "id"),
                f"the first is materials[{ids[material.id]}]", "duplicate-id")
        ids.setdefault(material.id, i)
        if root is not None:
            for key in ("template", "sample"):
                _check_resource(getattr(material, key), root, ("materials", i, key), err)
    if matter.fees is not None and (not isinstance(matter.fee, Decimal) or matter.fee != 0):
        err("give either fee or fees, not both", ("fees",),
            "fees lists every item (收费项目) and replaces fee: move the fee into fees",
            "fee-and-fees", key=True)
    for i, check in enumerate(matter.checks):
        actions = [a for a in ("refuse", "deny", "warn") if getattr(check, a) is not None]
        if len(actions) > 1:
            err(f"a check does one thing; this one has {' and '.join(actions)}",
                ("checks", i, actions[1]),
                "split it into checks with the same 'when'", "check-action", key=True)
        elif not actions:
            err("a check needs 'refuse', 'deny' or 'warn'", ("checks", i),
                "write 'refuse: {zh: ...}' for 不予受理, 'deny: {zh: ...}' for a substantive "
                "ground (不予许可), or 'warn: {zh: ...}' to warn the clerk", "check-action")
    procedures: dict[str, int] = {}
    for i, proc in enumerate(matter.special_procedures):
        if proc.id in procedures:
            err(f"special procedure id '{proc.id}' is used twice",
                ("special_procedures", i, "id"),
                f"the first is special_procedures[{procedures[proc.id]}]", "duplicate-id")
        procedures.setdefault(proc.id, i)
    for i, step in enumerate(matter.route):
        for j, unit in enumerate(step.step):
            if units is not None and unit not in units:
                err(f"unknown route unit '{unit}'", ("route", i, "step", j),
                    _suggest(unit, units) or "a unit is 'department.section' from "
                    "catalog.yaml", "unknown-section")
    _check_examples(matter, err)
    return errors


def _check_resource(value: str | None, root: Path, loc: Loc, err: Any) -> None:
    """A template or sample path (the model has refused absolute and escaping ones)
    must name a file inside the catalog folder; a link is not fetched."""
    if value is None or value.lower().startswith(("http://", "https://")):
        return
    path = root / value
    try:
        inside = path.resolve().is_relative_to(root.resolve())
        found, there = path.is_file(), path.exists()
    except OSError:
        inside, found, there = True, False, False
    if not inside:
        err(f"'{value}' leads outside the catalog folder", loc,
            "put the file itself inside the catalog folder (not a link to elsewhere)",
            "bad-value")
    elif not found:
        err(f"'{value}' is not a file" if there else
            f"file '{value}' does not exist in the catalog folder", loc,
            f"put the file at {path.as_posix()}, or correct the path (it is relative to "
            "the folder of catalog.yaml)", "missing-file")


def _check_fields(fields: Sequence[FormField], loc: Loc, err: Any) -> None:
    seen: set[str] = set()
    for i, f in enumerate(fields):
        here = (*loc, i)
        if f.id in seen:
            err(f"field id '{f.id}' is used twice here", (*here, "id"),
                "ids must be unique among the fields of one form, group or repeat",
                "duplicate-id")
        seen.add(f.id)
        if f.id in RULE_KEYWORDS:
            err(f"'{f.id}' is a keyword of the rule language and cannot name a field",
                (*here, "id"), f"rename it, e.g. '{f.id}_'",
                "keyword-id")
        nested = f.type in (FieldType.group, FieldType.repeat)
        choice = f.type in (FieldType.choice, FieldType.multichoice)
        if nested and not f.fields:
            err(f"{f.type.value} field '{f.id}' needs 'fields'", here,
                "list the fields of each row/group under 'fields:'", "missing-fields")
        if not nested and f.fields is not None:
            err(f"only group and repeat fields have 'fields' ('{f.id}' is {f.type.value})",
                (*here, "fields"), code="misplaced-key", key=True)
        if choice and not f.options:
            err(f"{f.type.value} field '{f.id}' needs 'options'", here,
                "add 'options: [{value: ..., label: {zh: ...}}]'", "missing-options")
        if not choice and f.options is not None:
            err(f"only choice and multichoice fields have 'options' ('{f.id}' is "
                f"{f.type.value})", (*here, "options"), code="misplaced-key", key=True)
        values: set[str] = set()
        for j, option in enumerate(f.options or []):
            if option.value in values:
                err(f"option value '{option.value}' is used twice in '{f.id}'",
                    (*here, "options", j, "value"), code="duplicate-option")
            values.add(option.value)
        bounded = f.type in NUMBER_TYPES or f.type in TEXT_TYPES or f.type == FieldType.repeat
        for key in ("min", "max"):
            if getattr(f, key) is not None and not bounded:
                err(f"'{key}' does not apply to a {f.type.value} field", (*here, key),
                    "min/max bound numbers (value), texts (length) and repeats (rows)",
                    "misplaced-key", key=True)
        if f.min is not None and f.max is not None and f.min > f.max:
            err(f"min ({f.min}) is more than max ({f.max}) in '{f.id}'", (*here, "min"),
                code="bad-range")
        if f.fields:
            _check_fields(f.fields, (*here, "fields"), err)


def _check_examples(matter: Matter, err: Any) -> None:
    paths = field_paths(matter)
    top = {f.id: f for f in matter.form}
    material_ids = {m.id for m in matter.materials}
    names: set[str] = set()
    for i, example in enumerate(matter.tests):
        here: Loc = ("tests", i)
        if example.name in names:
            err(f"two examples are named '{example.name}'", (*here, "name"),
                code="duplicate-example")
        names.add(example.name)
        _check_answer_keys(example.fields, top, (*here, "fields"), err)
        for j, handed in enumerate(example.materials):
            if handed.id not in material_ids:
                err(f"example names unknown material '{handed.id}'",
                    (*here, "materials", j, "id"),
                    _suggest_or_list(handed.id, material_ids, "materials"), "unknown-material")
        expect = example.expect
        for key in ("missing", "tolerated", "fetched"):
            for j, mid in enumerate(getattr(expect, key) or []):
                if mid not in material_ids:
                    err(f"expect.{key} names unknown material '{mid}'",
                        (*here, "expect", key, j),
                        _suggest_or_list(mid, material_ids, "materials"), "unknown-material")
        for j, path in enumerate(expect.field_errors or []):
            bare = ".".join(_strip_index(p) for p in path.split("."))
            if bare not in paths:
                err(f"expect.field_errors names unknown field '{path}'",
                    (*here, "expect", "field_errors", j),
                    _suggest_or_list(bare, paths, "fields"), "unknown-field")


def _strip_index(part: str) -> str:
    m = _PATH_PART.match(part)
    return m.group(1) if m else part


def _check_answer_keys(answers: dict[str, Any], fields: dict[str, FormField], loc: Loc,
                       err: Any) -> None:
    for key, value in answers.items():
        f = fields.get(key)
        if f is None:
            err(f"example gives unknown field '{key}'", (*loc, key),
                _suggest_or_list(key, fields, "fields"), "unknown-field", key=True)
            continue
        sub = {c.id: c for c in f.fields or []}
        if f.type == FieldType.group and isinstance(value, dict):
            _check_answer_keys(value, sub, (*loc, key), err)
        elif f.type == FieldType.repeat and isinstance(value, list):
            for j, row in enumerate(value):
                if isinstance(row, dict):
                    _check_answer_keys(row, sub, (*loc, key, j), err)
