"""A matter's rules: every expression of a matter parsed, checked and compiled.

``RuleSet.build(matter, libraries)`` parses and checks every expression in its
place (conditions must be conditions, computed values must fit their field,
the fee must be a number), with the library definitions the matter uses.
Compilation to Python is lazy: ``validate`` only needs the check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from formkit.definitions.model import Expr, FieldType, FormField, Matter
from formkit.dsl import ast
from formkit.dsl.checker import Checker, LetEntry, Scope, Typed
from formkit.dsl.compiler import Program, Unit, call
from formkit.dsl.library import Libraries
from formkit.dsl.parser import parse_expression
from formkit.dsl.source import Source
from formkit.dsl.types import BOOL, NUMBER, T, field_type
from formkit.errors import FormkitError, RuleNameError, SourceSpan

__all__ = ["Place", "RuleSet", "parse_cached"]

_PARSE_CACHE: dict[str, ast.Node | FormkitError] = {}
_CACHE_LIMIT = 50_000


def parse_cached(expr: Expr) -> tuple[ast.Node | None, Source, FormkitError | None]:
    """Parse an expression, reusing the tree of an identical text (offsets are relative)."""
    source = Source(expr.text, pos=expr.source)
    hit = _PARSE_CACHE.get(expr.text)
    if hit is None:
        try:
            hit = parse_expression(expr.text, Source(expr.text))
        except FormkitError as exc:
            hit = exc
        if len(_PARSE_CACHE) < _CACHE_LIMIT:
            _PARSE_CACHE[expr.text] = hit
    if isinstance(hit, FormkitError):
        # Re-place the cached error (found in a bare text) in this expression's file.
        span = hit.span
        placed = type(hit)(hit.message, hint=hit.hint, code=hit.code, span=source.span(
            _offset(expr.text, span.line, span.column) if span else 0,
            _offset(expr.text, span.end_line, span.end_column)
            if span and span.end_column else None))
        return None, source, placed
    return hit, source, None


def _offset(text: str, line: int | None, column: int | None) -> int:
    if line is None or column is None:
        return 0
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


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
            body, source, err = parse_cached(expr)
            if err is not None:
                errors.append(err)
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
            body, source, err = parse_cached(expr)
            if err is not None:
                self.errors.append(err)
                continue
            assert body is not None
            self.typed[place] = checker.check(body, source, want=want, row=row,
                                              what=_what(place))
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

    @property
    def ok(self) -> bool:
        """True when every expression checked cleanly."""
        return not self.errors

    def programs(self) -> dict[Place, Program]:
        """Compile every checked expression (once) and return them by place.

        A program is the generated function itself: what a fault raises escapes as
        the Python exception. Call it with ``formkit.dsl.compiler.call`` to get a
        placed ``FormkitError`` instead, or map the exception with ``failure``.
        """
        if self._programs is None:
            unit = Unit(self.checker)
            order = list(self.typed)
            for place in order:
                unit.add(self.typed[place])
            built = unit.build()
            self.errors.extend(unit.errors)
            self._programs = dict(zip(order, built, strict=True))
        return self._programs

    def let_program(self, name: str) -> Program | None:
        """A program that evaluates the ``let`` value ``name`` (for explanations; call
        it as ``programs()`` says)."""
        entry = self.scope.lets.get(name) or self.scope.libs.get(name)
        typed = self.checker.let_typed.get(entry.key) if entry else None
        if typed is None:
            return None
        unit = Unit(self.checker)
        unit.add(typed)
        return unit.build()[0]


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
        return "the fee"
    return f"the 'when' of {place.kind} {place.key}"


def evaluate_let(rules: RuleSet, name: str, env: dict[str, Any]) -> Any:  # pragma: no cover
    """Evaluate a ``let`` value by name (used by explanations)."""
    program = rules.let_program(name)
    return call(program, env) if program is not None else None
