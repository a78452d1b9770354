"""Lark callbacks that build ``ast`` nodes while an expression is parsed.

``parser._Builder`` turns a finished Lark tree (built with propagated
positions) into nodes; these callbacks build the same nodes, with the same
spans, as the parser reduces each rule, so no tree is built and nothing is
walked twice: about half the cost of a parse. The parser runs with
``keep_all_tokens``, so brackets and keywords are there to take positions from:
a node spans its first token to its last, and a bracketed operand counts its
brackets (``_Bracketed``), as propagated positions do.

Anything unusual raises ``Unusual``, and the parser takes the reference path
(Lark tree and ``_Builder``), whose errors are the ones reported: a text with
an escape, a list over the length limit. Tests compare both paths.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lark import Token

from formkit.dsl import ast

__all__ = ["NodeBuilder", "Unusual", "height"]


class Unusual(Exception):
    """Not for the fast path: parse the text the reference way."""


class _Bracketed:
    """A bracketed expression: its node, and the span with the brackets."""

    __slots__ = ("end", "node", "start")

    def __init__(self, node: ast.Node, start: int, end: int) -> None:
        self.node, self.start, self.end = node, start, end


class _Op:
    """A comparison operator (``not in`` is two tokens) and where it starts."""

    __slots__ = ("start", "text")

    def __init__(self, text: str, start: int) -> None:
        self.text, self.start = text, start


def _node(part: Any) -> ast.Node:
    return part.node if type(part) is _Bracketed else part


def _start(tok: Token) -> int:
    return int(tok.start_pos) if tok.start_pos is not None else 0


def _end(tok: Token) -> int:
    return int(tok.end_pos) if tok.end_pos is not None else 0


class NodeBuilder:
    """The callbacks, named after the grammar's rules and aliases.

    Each gets the rule's parts: tokens, nodes (or ``_Bracketed`` nodes) and
    ``None`` for a missing optional part.
    """

    def __init__(self, max_list: int) -> None:
        self.max_list = max_list
        setattr(self, "list", self.list_)  # noqa: B010 - the alias is a builtin's name

    def number(self, ch: list[Token]) -> ast.Node:
        return ast.Literal(_start(ch[0]), _end(ch[0]), Decimal(str(ch[0])))

    def string(self, ch: list[Token]) -> ast.Node:
        raw = str(ch[0])[1:-1]
        if "\\" in raw:
            raise Unusual  # escapes (and their errors) are the reference builder's
        return ast.Literal(_start(ch[0]), _end(ch[0]), raw)

    def true(self, ch: list[Token]) -> ast.Node:
        return ast.Literal(_start(ch[0]), _end(ch[0]), True)

    def false(self, ch: list[Token]) -> ast.Node:
        return ast.Literal(_start(ch[0]), _end(ch[0]), False)

    def null(self, ch: list[Token]) -> ast.Node:
        return ast.Literal(_start(ch[0]), _end(ch[0]), None)

    def name(self, ch: list[Token]) -> ast.Node:
        return ast.Name(_start(ch[0]), _end(ch[0]), str(ch[0]))

    def atom(self, ch: list[Any]) -> _Bracketed:  # "(" expr ")"
        return _Bracketed(_node(ch[1]), _start(ch[0]), _end(ch[2]))

    def list_(self, ch: list[Any]) -> ast.Node:
        items = [_node(c) for c in ch[1:-1] if c is not None and not isinstance(c, Token)]
        if len(items) > self.max_list:
            raise Unusual
        return ast.ListLit(_start(ch[0]), _end(ch[-1]), items)

    def member(self, ch: list[Any]) -> ast.Node:
        name = ch[2]
        return ast.Member(ch[0].start, _end(name), _node(ch[0]), str(name), _start(name))

    def index(self, ch: list[Any]) -> ast.Node:
        return ast.Index(ch[0].start, _end(ch[3]), _node(ch[0]), _node(ch[2]))

    def args(self, ch: list[Any]) -> list[ast.Node]:
        return [_node(c) for c in ch if not isinstance(c, Token)]

    def call(self, ch: list[Any]) -> ast.Node:
        name = ch[0]
        return ast.Call(_start(name), _end(ch[3]), str(name), ch[2] or [],
                        _start(name) + len(name))

    def neg(self, ch: list[Any]) -> ast.Node:
        return ast.Unary(_start(ch[0]), ch[1].end, "-", _node(ch[1]))

    def not_op(self, ch: list[Any]) -> ast.Node:
        return ast.Unary(_start(ch[0]), ch[1].end, "not", _node(ch[1]))

    def and_op(self, ch: list[Any]) -> ast.Node:
        left = _node(ch[0])
        return ast.Binary(ch[0].start, ch[2].end, "and", left, _node(ch[2]), left.end)

    def or_op(self, ch: list[Any]) -> ast.Node:
        left = _node(ch[0])
        return ast.Binary(ch[0].start, ch[2].end, "or", left, _node(ch[2]), left.end)

    def binop(self, ch: list[Any]) -> ast.Node:
        op = ch[1]
        return ast.Binary(ch[0].start, ch[2].end, str(op), _node(ch[0]), _node(ch[2]),
                          _start(op))

    def comp_op(self, ch: list[Token]) -> _Op:
        return _Op(" ".join(str(t) for t in ch), _start(ch[0]))

    def compare(self, ch: list[Any]) -> ast.Node:
        ops: list[_Op] = ch[1::2]
        return ast.Compare(ch[0].start, ch[-1].end, [_node(c) for c in ch[0::2]],
                           [o.text for o in ops], [o.start for o in ops])

    def ifexpr(self, ch: list[Any]) -> ast.Node:
        return ast.If(_start(ch[0]), ch[5].end, _node(ch[1]), _node(ch[3]), _node(ch[5]))

    @staticmethod
    def root(result: Any) -> ast.Node:
        """The node a parse gave (a bracketed whole is its node)."""
        return _node(result)


def height(node: ast.Node) -> int:
    """Levels of nesting below and including ``node`` (iterative). A chain of ``and`` (or
    of ``or``) is one level: the left operand of each link, the rest of the chain, is
    not a level deeper (as ``parser._check_depth`` counts)."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        best = max(best, depth)
        if type(current) is ast.Binary and current.op in ("and", "or"):
            left = current.left
            flat = type(left) is ast.Binary and left.op == current.op
            stack.append((left, depth if flat else depth + 1))
            stack.append((current.right, depth + 1))
            continue
        stack.extend((part, depth + 1) for part in ast.children(current))
    return best
