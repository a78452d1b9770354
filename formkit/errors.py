"""Errors with source positions.

Every problem formkit reports is a ``FormkitError``: a stable ``kind`` (the
contract's error kinds), a stable ``code`` (``unknown-name``, ``unknown-case``;
``docs/errors.md`` lists them all), a message, an optional source span and a
hint. Errors are collected, not thrown at the first one.

Exception tree (the kind in brackets)::

    FormkitError
     +-- DefinitionError      a YAML file or a definition is wrong       (definition)
     |    +-- EditError       an authoring edit cannot be made           (definition)
     +-- RuleSyntaxError      an expression does not parse               (syntax)
     +-- RuleNameError        an expression names something unknown      (name)
     +-- RuleTypeError        an expression mixes types                  (type)
     +-- EvaluationError      an expression failed while running         (evaluation)
     +-- IllegalTransition    a case action its state does not allow     (evaluation)
     +-- AccessDenied         not this user's to see or change           (evaluation)
     +-- LimitError           a size, depth or cost bound was passed     (limit)
     +-- InputError           a file could not be read                   (io)
     +-- StoreError           the case store cannot read or write        (io)
     +-- NotFoundError        no case or matter by that number or code   (name)
     +-- PdfUnavailable       the PDF printer is missing or failed       (io)
     +-- DocumentUnavailable  a case has no such document (yet)          (evaluation)
     +-- FormkitErrors        many errors at once (``errors`` holds them)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "AccessDenied",
    "DefinitionError",
    "DocumentUnavailable",
    "EditError",
    "EvaluationError",
    "FormkitError",
    "FormkitErrors",
    "IllegalTransition",
    "InputError",
    "LimitError",
    "NotFoundError",
    "PdfUnavailable",
    "RuleNameError",
    "RuleSyntaxError",
    "RuleTypeError",
    "SourceSpan",
    "StoreError",
    "render_errors",
]


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """A place in a source file: 1-based line and column, optional end."""

    file: str | None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    source: str | None = None  # the file's text, when known, for rendering

    def shifted(self, line: int, column: int, end_line: int | None = None,
                end_column: int | None = None) -> SourceSpan:
        """The same file at another line and column."""
        return SourceSpan(self.file, line, column, end_line, end_column, self.source)

    def source_line(self) -> str | None:
        """The text of the line this span starts on, when the source is known."""
        if self.source is None or self.line is None:
            return None
        # Lines end at "\n" only, as formkit counts them: str.splitlines would also break
        # at U+2028 or a form feed and show the wrong line.
        lines = self.source.split("\n")
        if 1 <= self.line <= len(lines) and (self.line < len(lines) or lines[-1]):
            return lines[self.line - 1].removesuffix("\r")
        return None


class FormkitError(Exception):
    """Base of every error formkit reports; carries a kind, a code, a place and a hint."""

    kind: ClassVar[str] = "definition"
    # The code of an error raised without one; None: its kind.
    default_code: ClassVar[str | None] = None

    def __init__(self, message: str, span: SourceSpan | None = None, *,
                 hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.code = code or self.default_code or self.kind

    def __str__(self) -> str:
        return self.render()

    def to_json(self) -> dict[str, Any]:
        """The contract's error object: kind, message, code, file/line/column when
        known, and the hint."""
        out: dict[str, Any] = {"kind": self.kind, "message": self.message, "code": self.code}
        if self.span is not None:
            if self.span.file is not None:
                out["file"] = self.span.file
            if self.span.line is not None:
                out["line"] = self.span.line
            if self.span.column is not None:
                out["column"] = self.span.column
        if self.hint:
            out["hint"] = self.hint
        return out

    def render(self) -> str:
        """``file:line:col: message``, the source line, a caret, and the hint."""
        span = self.span
        where = ""
        if span is not None:
            parts = [span.file or "<input>"]
            if span.line is not None:
                parts.append(str(span.line))
                if span.column is not None:
                    parts.append(str(span.column))
            where = ":".join(parts) + ": "
        lines = [f"{where}{self.kind} error: {self.message}"]
        text = span.source_line() if span is not None else None
        if text is not None and span is not None and span.column is not None:
            lines.append("    " + text.expandtabs(1))
            width = _display_width(text[: span.column - 1].expandtabs(1))
            length = 1
            if span.end_line == span.line and span.end_column is not None:
                length = max(1, _display_width(text[span.column - 1: span.end_column - 1]))
            lines.append("    " + " " * width + "^" * length)
        if self.hint:
            lines.append(f"    hint: {self.hint}")
        return "\n".join(lines)


def _display_width(text: str) -> int:
    """Terminal columns of ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class DefinitionError(FormkitError):
    """Raised for a malformed YAML file or a definition that breaks the contract."""

    kind = "definition"


class EditError(DefinitionError):
    """Raised when an authoring edit cannot be made (an id already taken, a group into itself)."""


class RuleSyntaxError(FormkitError):
    """Raised when an expression or a rule library does not parse."""

    kind = "syntax"


class RuleNameError(FormkitError):
    """Raised when an expression names a field, value or function that does not exist."""

    kind = "name"


class RuleTypeError(FormkitError):
    """Raised when an expression uses a value of the wrong type."""

    kind = "type"


class EvaluationError(FormkitError):
    """Raised when a checked expression fails while running (division by zero, ...)."""

    kind = "evaluation"


class IllegalTransition(FormkitError):
    """Raised when a case action is not allowed in the case's state, or by the law."""

    kind = "evaluation"
    default_code = "illegal-transition"


class AccessDenied(FormkitError):
    """Raised when a user may not see or change what they asked for (HTTP: 403)."""

    kind = "evaluation"
    default_code = "forbidden"


class LimitError(FormkitError):
    """Raised when input passes a size, depth, alias or regular-expression bound."""

    kind = "limit"


class InputError(FormkitError):
    """Raised when a file or folder cannot be read."""

    kind = "io"


class StoreError(FormkitError):
    """Raised when the case store cannot read or write its files, or is set up wrong."""

    kind = "io"


class NotFoundError(FormkitError):
    """Raised when no case or matter has the number or code asked for (HTTP: 404)."""

    kind = "name"


class PdfUnavailable(FormkitError):
    """Raised when no browser engine (chromium) is there to print a PDF, or it failed."""

    kind = "io"
    default_code = "no-pdf-engine"


class DocumentUnavailable(FormkitError):
    """Raised when a case has no document of the kind asked for, or not yet."""

    kind = "evaluation"
    default_code = "no-document"


class FormkitErrors(FormkitError):
    """Raised to carry several errors at once; ``errors`` holds them in order."""

    def __init__(self, errors: Iterable[FormkitError]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else None
        more = len(self.errors) - 1
        message = first.message if first is not None else "no errors"
        if more > 0:
            message += f" ... and {more} more"
        super().__init__(message, first.span if first is not None else None,
                         hint=first.hint if first is not None else None,
                         code=first.code if first is not None else None)
        self.kind = first.kind if first is not None else "definition"  # type: ignore[misc]

    def __iter__(self) -> Iterator[FormkitError]:
        return iter(self.errors)

    def render(self) -> str:
        return render_errors(self.errors)


def render_errors(errors: Iterable[FormkitError]) -> str:
    """Render many errors, one block each, with a closing count."""
    items = list(errors)
    blocks = [e.render() for e in items]
    if len(items) > 1:
        blocks.append(f"{len(items)} errors")
    return "\n\n".join(blocks)
