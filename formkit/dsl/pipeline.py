"""Text -> program, written once: parse, check, compile (and, for one text, run).

Every caller that turns rule text into something runnable comes through here:
a matter's rules (``formkit.ruleset``), the editor's live check of one box
(``formkit.authoring.drafts.check_expression``), ``formkit eval`` and the
studio's playground (``evaluate_text``).

- ``parse(text, source)``: the tree, or the ``RuleSyntaxError``/``LimitError``
  raised, placed by ``source``; ``cached=True`` reuses the tree of an identical
  text (a catalog repeats many texts).
- ``check(checker, text, source, want=..., row=...)``: parse, then check in the
  checker's scope; what the check finds is collected in ``checker.errors``.
- ``compile_programs(checker, typed)``: checked trees -> ``Program``\\ s, one
  ``compile()`` for all of them, with the faults of constants found on the way.
- ``program_of(text, scope)``: the three steps for one text, the first error(s)
  raised; ``evaluate_text`` also runs it, through ``compiler.call``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from formkit.dsl import ast
from formkit.dsl.checker import Checker, Scope, Typed
from formkit.dsl.compiler import EvalContext, Program, Unit, call
from formkit.dsl.parser import parse_expression
from formkit.dsl.source import Source
from formkit.dsl.types import T
from formkit.errors import FormkitError, FormkitErrors

__all__ = ["check", "compile_programs", "evaluate_text", "parse", "program_of"]

_PARSE_CACHE: dict[str, ast.Node | FormkitError] = {}
_CACHE_LIMIT = 50_000


def parse(text: str, source: Source | None = None, *, cached: bool = False) -> ast.Node:
    """The tree of ``text``; raises its syntax or limit error, placed by ``source``.

    ``cached``: reuse the tree of an identical text (its offsets are relative to the
    text, so one tree fits every place the text is written).
    """
    source = source or Source(text)
    if not cached:
        return parse_expression(text, source)
    hit = _PARSE_CACHE.get(text)
    if hit is None:
        try:
            hit = parse_expression(text, Source(text))
        except FormkitError as exc:
            hit = exc
        if len(_PARSE_CACHE) < _CACHE_LIMIT:
            _PARSE_CACHE[text] = hit
    if isinstance(hit, FormkitError):
        # The cached error was found in the bare text: place it by this source.
        span = hit.span
        raise type(hit)(hit.message, hint=hit.hint, code=hit.code, span=source.span(
            _offset(text, span.line, span.column) if span else 0,
            _offset(text, span.end_line, span.end_column)
            if span and span.end_column else None))
    return hit


def _offset(text: str, line: int | None, column: int | None) -> int:
    if line is None or column is None:
        return 0
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def check(checker: Checker, text: str, source: Source | None = None, *,
          want: T | None = None, row: T | None = None, what: str = "",
          cached: bool = False) -> Typed:
    """Parse ``text`` and check it against ``checker``'s scope.

    ``want`` is the type its place needs (bool for a condition), ``row`` the row of
    the repeat it sits in, ``what`` names the place in a type error. A syntax error
    is raised; what the check finds is added to ``checker.errors``.
    """
    source = source or Source(text)
    node = parse(text, source, cached=cached)
    return checker.check(node, source, want=want, row=row, what=what)


def compile_programs(checker: Checker, typed: Sequence[Typed]
                     ) -> tuple[list[Program], list[FormkitError]]:
    """Compile trees checked by ``checker`` (one ``compile()``): their programs, in
    order, and the errors found while compiling (a constant that cannot work)."""
    unit = Unit(checker)
    for tree in typed:
        unit.add(tree)
    return unit.build(), unit.errors


def program_of(text: str, scope: Scope, *, want: T | None = None) -> tuple[Program, T]:
    """One text, parsed, checked and compiled alone: its program and its type.

    Raises the first error (or all the checker found, as ``FormkitErrors``).
    """
    checker = Checker(scope)
    typed = check(checker, text, want=want)
    if checker.errors:
        raise checker.errors[0] if len(checker.errors) == 1 else FormkitErrors(checker.errors)
    programs, errors = compile_programs(checker, [typed])
    if errors:
        raise errors[0]
    return programs[0], typed.type


def evaluate_text(expr: str, scope: Scope, env: dict[str, Any],
                  ctx: EvalContext) -> tuple[Any, T]:
    """Parse, check, compile and run ``expr``; raises the first error(s) found."""
    program, t = program_of(expr, scope)
    return call(program, env, ctx), t
