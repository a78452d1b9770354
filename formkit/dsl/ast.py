"""Syntax tree of the rule language; every node keeps its character span.

``start`` and ``end`` are offsets into the expression's own text (or the rule
library's text); a ``Source`` turns them into file lines and columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Binary",
    "Call",
    "Compare",
    "If",
    "Index",
    "LetDef",
    "Library",
    "ListLit",
    "Literal",
    "Member",
    "Name",
    "Node",
    "Unary",
    "UseDef",
    "children",
    "walk",
]


@dataclass(eq=False, slots=True)
class Node:
    """Base of every node: its span in the source text."""

    start: int
    end: int


@dataclass(eq=False, slots=True)
class Literal(Node):
    """A number (``Decimal``), text, boolean or ``null``."""

    value: Any


@dataclass(eq=False, slots=True)
class Name(Node):
    """A reference to a field, a ``let`` value, a parameter or a row field."""

    name: str


@dataclass(eq=False, slots=True)
class ListLit(Node):
    """``[a, b, c]``."""

    items: list[Node]


@dataclass(eq=False, slots=True)
class Member(Node):
    """``obj.name``: a group's member, or that member of every item of a list."""

    obj: Node
    name: str
    name_start: int


@dataclass(eq=False, slots=True)
class Index(Node):
    """``obj[index]`` (0-based)."""

    obj: Node
    index: Node


@dataclass(eq=False, slots=True)
class Call(Node):
    """``name(args...)``: a built-in or a library/let function."""

    name: str
    args: list[Node]
    name_end: int


@dataclass(eq=False, slots=True)
class Unary(Node):
    """``not x`` or ``-x``."""

    op: str
    operand: Node


@dataclass(eq=False, slots=True)
class Binary(Node):
    """``a op b`` for ``+ - * / % and or``."""

    op: str
    left: Node
    right: Node
    op_start: int


@dataclass(eq=False, slots=True)
class Compare(Node):
    """A comparison chain: ``18 <= age < 60`` has two ops and three operands."""

    operands: list[Node]
    ops: list[str]
    op_starts: list[int]


@dataclass(eq=False, slots=True)
class If(Node):
    """``if cond then a else b``."""

    cond: Node
    then: Node
    other: Node


@dataclass(eq=False, slots=True)
class LetDef:
    """``let name = body`` or ``let name(params) = body`` in a rule library."""

    name: str
    params: list[str] | None
    body: Node | None  # None when the definition did not parse (already reported)
    start: int
    name_start: int


@dataclass(eq=False, slots=True)
class UseDef:
    """``use library`` in a rule library."""

    library: str
    start: int


@dataclass(eq=False, slots=True)
class Library:
    """A parsed rule library file."""

    uses: list[UseDef] = field(default_factory=list)
    lets: list[LetDef] = field(default_factory=list)


def children(node: Node) -> Sequence[Node]:
    """The direct sub-expressions of ``node``, in source order."""
    return _CHILDREN[type(node)](node)


def walk(node: Node) -> Iterator[Node]:
    """Every node below and including ``node``, parents first (iterative)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, ListLit):
            stack.extend(reversed(current.items))
        elif isinstance(current, Member):
            stack.append(current.obj)
        elif isinstance(current, Index):
            stack.extend((current.index, current.obj))
        elif isinstance(current, Call):
            stack.extend(reversed(current.args))
        elif isinstance(current, Unary):
            stack.append(current.operand)
        elif isinstance(current, Binary):
            stack.extend((current.right, current.left))
        elif isinstance(current, Compare):
            stack.extend(reversed(current.operands))
        elif isinstance(current, If):
            stack.extend((current.other, current.then, current.cond))


_CHILDREN: dict[type[Node], Callable[[Any], Sequence[Node]]] = {
    Literal: lambda n: (), Name: lambda n: (), ListLit: lambda n: n.items,
    Member: lambda n: (n.obj,), Index: lambda n: (n.obj, n.index), Call: lambda n: n.args,
    Unary: lambda n: (n.operand,), Binary: lambda n: (n.left, n.right),
    Compare: lambda n: n.operands, If: lambda n: (n.cond, n.then, n.other),
}
