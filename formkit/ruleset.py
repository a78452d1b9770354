"""A matter's rules: every expression of a matter parsed, checked and compiled.

``RuleSet.build(matter, libraries)`` parses and checks every expression in its
place (conditions must be conditions, computed values must fit their field,
the fee must be a number), with the library definitions the matter uses.
Compilation to Python is lazy: ``validate`` only needs the check. Each step is
``formkit.dsl.pipeline``'s (``parse``, ``check``, ``compile_programs``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from formkit.definitions.bundlecheck import field_at, question_field
from formkit.definitions.model import Bundle, Expr, FieldType, FormField, Matter, TimeLimit
from formkit.dsl import pipeline
from formkit.dsl.checker import Checker, LetEntry, Scope, Typed
from formkit.dsl.compiler import Program
from formkit.dsl.library import Libraries
from formkit.dsl.source import Source
from formkit.dsl.types import BOOL, NUMBER, T, field_type
from formkit.errors import FormkitError, RuleNameError, SourceSpan

__all__ = ["BundleRules", "Place", "RuleSet"]


def _source(expr: Expr) -> Source:
    """The expression's text, placed in its YAML file when it was read from one."""
    return Source(expr.text, pos=expr.source)


@dataclass(frozen=True, slots=True)
class Place:
    """Where an expression sits in a matter, e.g. ("material", "lease_contract", "required")."""

    kind: str
    key: str
    attr: str
    row: bool = False  # inside a repeat: evaluated once per row

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.attr}".strip()


@dataclass
class RuleSet:
    """The checked (and, on demand, compiled) expressions of one matter."""

    matter: Matter
    scope: Scope
    checker: Checker
    typed: dict[Place, Typed] = field(default_factory=dict)
    errors: list[FormkitError] = field(default_factory=list)
    _programs: dict[Place, Program] | None = None

    @classmethod
    def build(cls, matter: Matter, libraries: Libraries | None) -> RuleSet:
        """Parse and check every expression of ``matter``; errors are collected."""
        scope = Scope(fields={f.id: field_type(f) for f in matter.form},
                      context=f"matter {matter.code}")
        errors: list[FormkitError] = []
        for name, expr in matter.let.items():
            source = _source(expr)
            body = None
            try:
                body = pipeline.parse(expr.text, source, cached=True)
            except FormkitError as exc:
                errors.append(exc)
            scope.lets[name] = LetEntry(name, None, body, source, "let")
            if name in scope.fields:
                errors.append(RuleNameError(
                    f"let '{name}' has the same name as a form field",
                    expr.span() or SourceSpan(matter.file or None),
                    hint="the field would hide it: rename the let", code="duplicate-name"))
        if libraries is not None:
            scope.libs, lib_errors = libraries.entries_for(list(matter.uses))
            errors.extend(lib_errors)
        rules = cls(matter, scope, Checker(scope), errors=errors)
        rules._check_all()
        return rules

    def _check_all(self) -> None:
        checker = self.checker
        for entry in self.scope.lets.values():
            checker.check_let(entry)
        for entry in self.scope.libs.values():
            if entry.params is None:
                checker.check_let(entry)
            else:
                checker.check_function_alone(entry)
        for place, expr, want, row in self._expressions():
            try:
                self.typed[place] = pipeline.check(checker, expr.text, _source(expr), want=want,
                                                   row=row, what=_what(place), cached=True)
            except FormkitError as exc:
                self.errors.append(exc)
        self.errors.extend(checker.errors)

    def _expressions(self) -> Iterator[tuple[Place, Expr, T | None, T | None]]:
        m = self.matter
        yield from _field_expressions(m.form, "", None)
        for mat in m.materials:
            if isinstance(mat.required, Expr):
                yield Place("material", mat.id, "required"), mat.required, BOOL, None
        for i, check in enumerate(m.checks):
            if isinstance(check.when, Expr):
                yield Place("check", str(i), "when"), check.when, BOOL, None
        for i, step in enumerate(m.route):
            if isinstance(step.when, Expr):
                yield Place("route", str(i), "when"), step.when, BOOL, None
        if isinstance(m.fee, Expr):
            yield Place("fee", "", ""), m.fee, NUMBER, None
        for i, item in enumerate(m.fees or ()):
            if isinstance(item.when, Expr):
                yield Place("fee", str(i), "when"), item.when, BOOL, None
            if isinstance(item.amount, Expr):
                yield Place("fee", str(i), "amount"), item.amount, NUMBER, None

    @property
    def ok(self) -> bool:
        """True when every expression checked cleanly."""
        return not self.errors

    def programs(self) -> dict[Place, Program]:
        """Compile every checked expression (once) and return them by place.

        Run a program with ``formkit.dsl.compiler.call``: what a fault raises comes
        out as a ``FormkitError`` placed at the offending call.
        """
        if self._programs is None:
            order = list(self.typed)
            built, errors = pipeline.compile_programs(self.checker, [self.typed[p] for p in order])
            self.errors.extend(errors)
            self._programs = dict(zip(order, built, strict=True))
        return self._programs

    def let_program(self, name: str) -> Program | None:
        """A program that evaluates the ``let`` value ``name`` (for explanations; call
        it as ``programs()`` says)."""
        entry = self.scope.lets.get(name) or self.scope.libs.get(name)
        typed = self.checker.let_typed.get(entry.key) if entry else None
        if typed is None:
            return None
        return pipeline.compile_programs(self.checker, [typed])[0][0]


def _field_expressions(fields: list[FormField], prefix: str, row: T | None
                       ) -> Iterator[tuple[Place, Expr, T | None, T | None]]:
    row_type = row
    for f in fields:
        path = prefix + f.id
        in_row = row_type is not None
        for attr in ("required", "visible", "constraint"):
            value = getattr(f, attr)
            if isinstance(value, Expr):
                yield Place("field", path, attr, in_row), value, BOOL, row_type
        if f.value is not None:
            want = field_type(f).plain if f.type not in (FieldType.group, FieldType.repeat) \
                else None
            yield Place("field", path, "value", in_row), f.value, want, row_type
        if f.fields:
            if f.type == FieldType.repeat:
                inner = field_type(f).elem
                yield from _field_expressions(f.fields, path + ".", inner)
            else:
                yield from _field_expressions(f.fields, path + ".", row_type)


def _what(place: Place) -> str:
    if place.kind == "field":
        return f"'{place.attr}' of field {place.key}"
    if place.kind == "fee":
        if not place.key:
            return "the fee"
        if place.attr == "when":
            return f"the 'when' of fees[{place.key}]"
        return f"the amount of fees[{place.key}]"
    if place.kind == "member":
        return f"the 'when' of member {place.key}"
    return f"the 'when' of {place.kind} {place.key}"


@dataclass
class BundleRules:
    """A bundle's rules: its shared questions as a form of their own (``shared``, whose
    matter is made from the bundle), each member's ``when`` checked over those answers
    (places ``Place("member", code, "when")``), and the members' rules."""

    bundle: Bundle
    shared: RuleSet
    members: dict[str, RuleSet]
    errors: list[FormkitError] = field(default_factory=list)
    # member code -> {field path -> shared question id}: the fields answered once
    targets: dict[str, dict[str, str]] = field(default_factory=dict)
    # The part of the shared form the pre-check runs: the questions that fill no field
    # (no member checks them) and those a member's ``when`` reads. A question that
    # fills fields is checked by each member it fills, its errors told once.
    deciding: RuleSet | None = None

    @classmethod
    def build(cls, bundle: Bundle, rules: Mapping[str, RuleSet],
              libraries: Libraries | None) -> BundleRules:
        """The shared form and the members' conditions, checked; errors collected.
        ``rules`` holds the catalog's matters' rules (a missing member is an error the
        cross-check reports)."""
        members = {code: rules[code] for code in bundle.codes if code in rules}
        asked: list[FormField] = []
        targets: dict[str, dict[str, str]] = {code: {} for code in members}
        for question in bundle.shared:
            found = []
            for code, path in question.to.items():
                member = members.get(code)
                target = field_at(member.matter, path) if member is not None else None
                if target is not None:
                    found.append(target)
                    targets[code][path] = question.id
            shape = question_field(question, found)
            if shape is not None and question.value is None:
                asked.append(shape)
        shared = _bundle_ruleset(bundle, members, asked, libraries)
        read = " ".join(m.when.text for m in bundle.matters if isinstance(m.when, Expr))
        filling = {q.id for q in bundle.shared if q.to}
        needed = [f for f in asked if f.id not in filling
                  or re.search(rf"\b{re.escape(f.id)}\b", read)]
        deciding = shared if len(needed) == len(asked) else _bundle_ruleset(
            bundle, members, needed, libraries)
        return cls(bundle, shared, members, list(shared.errors), targets, deciding)

    @property
    def ok(self) -> bool:
        """True when the bundle's own expressions checked cleanly."""
        return not self.errors

    @property
    def problems(self) -> list[FormkitError]:
        """Every error that keeps the bundle from taking applications: its own (its
        file's checks, once the catalog attaches them, a member missing from the catalog
        among them, and its expressions) and each member's."""
        return self.errors + [e for r in self.members.values() for e in r.errors]


def _bundle_ruleset(bundle: Bundle, members: Mapping[str, RuleSet], form: list[FormField],
                    libraries: Libraries | None) -> RuleSet:
    """A form of shared questions, as a matter made from the bundle, with each member's
    ``when`` checked over it."""
    first = next(iter(members.values()), None)
    made: dict[str, Any] = {"code": bundle.code}  # (not an error's code=)
    matter = Matter.model_construct(
        **made, name=bundle.name,
        department=first.matter.department if first else "",
        kind=first.matter.kind if first else "public_service",
        time_limit=first.matter.time_limit if first else TimeLimit(
            statutory_days=0, committed_days=0),
        fee=Decimal(0), form=form, let={}, uses=[], materials=[], checks=[], route=[],
        tests=[], synonyms=[], special_procedures=[], basis=[], channels=[],
        document_basis={}, fees=None, guide=None, decision_wording=None, result=None,
        max_visits=1)
    matter._file = bundle.file
    rules = RuleSet.build(matter, libraries)
    before = len(rules.checker.errors)
    for listed in bundle.matters:
        if isinstance(listed.when, Expr):
            place = Place("member", listed.code, "when")
            try:
                typed = pipeline.check(rules.checker, listed.when.text, _source(listed.when),
                                       want=BOOL, what=_what(place), cached=True)
            except FormkitError as exc:
                rules.errors.append(exc)
                continue
            if len(rules.checker.errors) == before:
                rules.typed[place] = typed
            before = len(rules.checker.errors)
    rules.errors.extend(e for e in rules.checker.errors if e not in rules.errors)
    return rules
