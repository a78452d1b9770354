"""Where a rule text comes from, to turn character offsets into file positions."""

from __future__ import annotations

from formkit.definitions.yamldoc import PosStr, SourceFile
from formkit.errors import SourceSpan

__all__ = ["Source"]


class Source:
    """A rule text and how to place its characters: in a YAML scalar, a file, or nowhere."""

    __slots__ = ("file", "pos", "text")

    def __init__(self, text: str, *, pos: PosStr | None = None,
                 file: SourceFile | None = None) -> None:
        self.text = str(text)
        self.pos = pos if pos is not None else (text if isinstance(text, PosStr) else None)
        self.file = file

    def span(self, start: int, end: int | None = None) -> SourceSpan:
        """The span of characters ``start``..``end`` of the text, in its file."""
        if self.pos is not None:
            n = len(self.text)
            if 0 < n <= start and self.text[-1] != "\n":
                # Just after the last character ("the expression ends too early"):
                # one column right of it, as for a bare expression.
                last = self.pos.span_of(n - 1)
                line, col = last.line or 1, (last.column or 1) + 1
                return last.shifted(line, col, line, col + 1)
            return self.pos.span_of(start, end)
        if self.file is not None:
            first = self.file.span_at_index(start)
            if end is not None and end > start:
                last = self.file.span_at_index(end)
                if last.line == first.line:
                    return first.shifted(first.line or 1, first.column or 1, last.line,
                                         last.column)
            return first
        # A bare expression (command line, studio playground): line/column inside it.
        start = max(0, min(start, len(self.text)))
        line = self.text.count("\n", 0, start) + 1
        col = start - (self.text.rfind("\n", 0, start) + 1) + 1
        end_col = None
        if end is not None and end > start and "\n" not in self.text[start:end]:
            end_col = col + (end - start)
        return SourceSpan(None, line, col, line if end_col else None, end_col, self.text)
