"""What an expression can refer to, and what the checker records about it.

``Scope`` holds the names a matter offers (fields, ``let:`` values, library
definitions); ``Typed`` is a checked tree with an ``Info`` per node, which the
compiler reads; ``Instance`` is a library function checked for one tuple of
argument types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from formkit.dsl import ast
from formkit.dsl.source import Source
from formkit.dsl.types import ANY, T

__all__ = ["Info", "Instance", "LetEntry", "Scope", "Typed"]


@dataclass(slots=True)
class LetEntry:
    """A named value or function: from a matter's ``let:`` or from a rule library."""

    name: str
    params: list[str] | None
    body: ast.Node | None  # None when its text did not parse (already reported)
    source: Source
    origin: str  # "let" or "library NAME"
    name_start: int | None = None  # offset of the name in a library's text

    @property
    def key(self) -> str:
        """A unique key: matter lets and library lets may share a name."""
        return f"{'L' if self.origin == 'let' else 'B'}:{self.name}"


@dataclass(slots=True)
class Scope:
    """The names an expression can use: fields, then ``let:`` values, then libraries."""

    fields: dict[str, T] = field(default_factory=dict)
    lets: dict[str, LetEntry] = field(default_factory=dict)
    libs: dict[str, LetEntry] = field(default_factory=dict)
    context: str = ""  # e.g. "matter XX-MS-0001", added to errors in libraries

    def lookup(self, name: str) -> tuple[str, T | LetEntry] | None:
        """What ``name`` means at the top level, by precedence."""
        if name in self.fields:
            return "field", self.fields[name]
        if name in self.lets:
            return "let", self.lets[name]
        if name in self.libs:
            return "let", self.libs[name]
        return None

    def names(self) -> list[str]:
        """Every visible name (for suggestions)."""
        return [*self.fields, *self.lets, *self.libs]


@dataclass(slots=True)
class Info:
    """What the checker learned about one node.

    Never changed once set: the checker shares one Info between nodes where it can
    (literals, comparisons). Not frozen, as a frozen dataclass costs three times as
    much to make, and the checker makes one per name.
    """

    type: T
    nullable: bool
    ref: tuple[object, ...] = ()  # ("field", name) ("row", depth, name) ("let", key) ...


@dataclass(slots=True)
class Typed:
    """The checked form of one tree: an ``Info`` for every node."""

    root: ast.Node
    source: Source
    info: dict[ast.Node, Info] = field(default_factory=dict)
    rows: int = 0  # row scopes open at the root (1 for a repeat's own fields)

    @property
    def type(self) -> T:
        """The type of the whole expression."""
        return self.info[self.root].type


@dataclass(slots=True)
class Instance:
    """A library/let function checked for one tuple of argument types."""

    index: int
    entry: LetEntry
    params: tuple[T, ...]
    typed: Typed | None = None
    result: T = ANY
    nullable: bool = True
