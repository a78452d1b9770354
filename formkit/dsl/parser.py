"""Parse rule texts with the Lark grammar into ``ast`` nodes, with friendly errors.

``SYNTAX_ERRORS`` is the table of known-bad inputs: Lark's ``match_examples``
uses it to pick the message for an error, and the tests check every row.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from formkit.dsl import ast
from formkit.dsl.source import Source
from formkit.errors import LimitError, RuleSyntaxError

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_LIST",
    "SYNTAX_ERRORS",
    "parse_expression",
    "parse_library",
]

MAX_LENGTH = 4000
MAX_DEPTH = 48
MAX_LIST = 1000
MAX_LIBRARY = 200_000

# label -> (message, hint, known-bad examples). The examples teach match_examples
# which parser states mean what; the tests assert each one gets its message.
SYNTAX_ERRORS: dict[str, tuple[str, str, list[str]]] = {
    "double-operator": (
        "two operators in a row", "an operator needs a value on each side",
        ["x and and y", "x or or y", "1 + * 2", "a == == b", "x and or y", "1 * / 2"]),
    "missing-right": (
        "the expression ends after an operator", "add the value that goes after it",
        ["x and", "1 +", "a ==", "x or", "not", "a <", "1 -", "a in"]),
    "unclosed": (
        "a bracket is opened but not closed", "add the missing ')' or ']'",
        ["(x", "f(x", "[1, 2", "(a and b", "len(x", "xs[0"]),
    "missing-operator": (
        "two values with no operator between them",
        "join them with an operator such as 'and', '==' or '+'",
        ["x y", "1 2", "a \"b\"", "(a) (b)", "f(x) y"]),
    "if-else": (
        "'if' needs 'then' and 'else'", "write: if CONDITION then VALUE else OTHER",
        ["if a then b", "if a b else c", "if a then b c"]),
    "extra-close": (
        "a closing bracket has no opening one", "remove it, or add the opening bracket",
        ["x)", "1 + 2)", "a]", "f(x))"]),
    "empty-argument": (
        "an argument is missing", "remove the extra ',' or add the value",
        ["f(x,)", "f(,x)", "[1,,2]", "[1,]"]),
}

_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "STRING": "a text in quotes",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "COMMA": "','",
    "DOT": "'.'", "TRUE": "true", "FALSE": "false", "NULL": "null", "NOT": "not",
    "MINUS": "'-'", "PLUS": "'+'", "AND": "and", "OR": "or", "IF": "if",
    "THEN": "then", "ELSE": "else", "IN": "in", "EQUAL": "'='", "LET": "let", "USE": "use",
    "$END": "the end",
}
_VALUE_STARTS = {"NAME", "NUMBER", "STRING", "LPAR", "LSQB", "TRUE", "FALSE", "NULL",
                 "MINUS", "NOT", "IF"}
_BAD_CHARS = {
    "=": ("'=' alone is not a comparison", "to compare, write '=='"),
    "&": ("'&' is not an operator", "write 'and'"),
    "|": ("'|' is not an operator", "write 'or'"),
    "!": ("'!' is not an operator", "write 'not', or '!=' for 'not equal'"),
    "（": ("a Chinese bracket '（' is not allowed", "use the ASCII bracket '('"),
    "）": ("a Chinese bracket '）' is not allowed", "use the ASCII bracket ')'"),
    "，": ("a Chinese comma '，' is not allowed", "use the ASCII comma ','"),
    "“": ("Chinese quotes are not allowed", "use ASCII quotes \"...\""),
    "”": ("Chinese quotes are not allowed", "use ASCII quotes \"...\""),
    "‘": ("Chinese quotes are not allowed", "use ASCII quotes '...'"),
    "’": ("Chinese quotes are not allowed", "use ASCII quotes '...'"),
    '"': ("a text is not closed", "end the text with a matching \" on the same line"),
    "'": ("a text is not closed", "end the text with a matching ' on the same line"),
}


@functools.cache
def _lark() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="basic", start=["start", "library"],
                propagate_positions=True, maybe_placeholders=True, cache=False)


def parse_expression(text: str, source: Source | None = None) -> ast.Node:
    """Parse one expression. Raises ``RuleSyntaxError`` or ``LimitError``."""
    source = source or Source(text)
    if len(text) > MAX_LENGTH:
        raise LimitError(f"the expression is too long ({len(text)} characters; at most "
                         f"{MAX_LENGTH})", source.span(0),
                         hint="split it into named parts with 'let:'", code="too-long")
    if not text.strip():
        raise RuleSyntaxError("the expression is empty", source.span(0),
                              hint="write a condition or a value", code="empty")
    tree = _parse(text, "start", source)
    return _Builder(source).build(tree)


def parse_library(text: str, source: Source) -> ast.Library:
    """Parse a rule library (``let`` and ``use`` lines)."""
    if len(text) > MAX_LIBRARY:
        raise LimitError(f"the rule library is too long ({len(text)} characters)",
                         source.span(0), code="too-long")
    tree = _parse(text, "library", source)
    builder = _Builder(source)
    lib = ast.Library()
    for stmt in tree.children:
        assert isinstance(stmt, Tree)
        if stmt.data == "use_stmt":
            tok = stmt.children[0]
            assert isinstance(tok, Token)
            lib.uses.append(ast.UseDef(str(tok), _start(tok)))
        else:
            name_tok = stmt.children[0]
            assert isinstance(name_tok, Token)
            params: list[str] | None = None
            body = stmt.children[-1]
            if len(stmt.children) == 3:
                ptree = stmt.children[1]
                assert isinstance(ptree, Tree)
                params = [str(t) for t in ptree.children if t is not None]
            lib.lets.append(ast.LetDef(str(name_tok), params, builder.build(body),
                                       stmt.meta.start_pos, _start(name_tok)))
    return lib


def _parse(text: str, start: str, source: Source) -> Tree[Any]:
    parser = _lark()
    try:
        tree = parser.parse(text, start=start)
    except UnexpectedInput as exc:
        raise _friendly(exc, text, start, source) from None
    _check_depth(tree, source)
    return tree


def _check_depth(tree: Tree[Any], source: Source) -> None:
    # Iterative, so a hostile input cannot exhaust Python's stack while we measure it.
    stack: list[tuple[Tree[Any], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            start = node.meta.start_pos if not node.meta.empty else 0
            raise LimitError(f"the expression is nested too deeply (more than {MAX_DEPTH} "
                             "levels)", source.span(start),
                             hint="split it into named parts with 'let:'", code="too-deep")
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))


def _friendly(exc: UnexpectedInput, text: str, start: str, source: Source) -> RuleSyntaxError:
    pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
    if isinstance(exc, UnexpectedCharacters):
        ch = text[pos] if pos < len(text) else ""
        if ch in _BAD_CHARS:
            message, hint = _BAD_CHARS[ch]
            if ch == "=" and text[pos + 1: pos + 2] == "=":
                message, hint = "'==' cannot stand here", "put a value before it"
            return RuleSyntaxError(message, source.span(pos, pos + 1), hint=hint,
                                   code="bad-character")
        return RuleSyntaxError(f"the character '{ch}' is not allowed here",
                               source.span(pos, pos + 1),
                               hint="names are letters, digits and '_'; texts go in quotes",
                               code="bad-character")
    label = None
    if start == "start":
        try:
            label = exc.match_examples(
                lambda s: _lark().parse(s, start="start"),
                {k: v[2] for k, v in SYNTAX_ERRORS.items()}, use_accepts=True)
        except Exception:  # pragma: no cover - matching is best effort
            label = None
    token = exc.token if isinstance(exc, UnexpectedToken) else None
    expected: set[str] = set(getattr(exc, "expected", None) or ())
    if isinstance(exc, UnexpectedEOF) or (token is not None and token.type == "$END"):
        pos = len(text.rstrip())
    end = pos + (len(str(token)) if token is not None and token.type != "$END" else 1)
    if label is not None:
        message, hint, _ = SYNTAX_ERRORS[label]
    else:
        message, hint = "unexpected input", _expected_words(expected)
    if token is not None and token.type != "$END":
        message = f"unexpected '{token}': {message}" if label else f"unexpected '{token}'"
    elif label is None:
        message = "the expression ends too early"
    if hint is None or label is None:
        hint = _expected_words(expected) or hint
    return RuleSyntaxError(message, source.span(pos, end), hint=hint, code=label or "syntax")


def _expected_words(expected: set[str]) -> str:
    if not expected:
        return "check the expression"
    if expected >= _VALUE_STARTS - {"IF", "NOT", "MINUS"}:
        return "expected a value here: a name, a number, a text in quotes, or '('"
    words = sorted({_WORDS.get(e, e.lower()) for e in expected if not e.startswith("__")})
    operators = [e for e in expected if e.startswith("__")]
    if operators and not words:
        return "expected an operator"
    return "expected " + ", ".join(words[:8]) + (" or an operator" if operators else "")


def _start(tok: Token) -> int:
    return int(tok.start_pos) if tok.start_pos is not None else 0


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "'": "'", "\\": "\\"}


class _Builder:
    """Lark tree -> ast nodes (iterative enough: depth is bounded before this runs)."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def build(self, tree: Tree[Any] | Token) -> ast.Node:
        if isinstance(tree, Token):  # pragma: no cover - every atom is a tree
            raise AssertionError(tree)
        kind = tree.data
        s, e = tree.meta.start_pos, tree.meta.end_pos
        ch = tree.children
        if kind == "number":
            return ast.Literal(s, e, Decimal(str(ch[0])))
        if kind == "string":
            tok = ch[0]
            assert isinstance(tok, Token)
            return ast.Literal(s, e, self._string(tok))
        if kind == "true":
            return ast.Literal(s, e, True)
        if kind == "false":
            return ast.Literal(s, e, False)
        if kind == "null":
            return ast.Literal(s, e, None)
        if kind == "name":
            return ast.Name(s, e, str(ch[0]))
        if kind == "list":
            items = [self.build(c) for c in ch if c is not None]
            if len(items) > MAX_LIST:
                raise LimitError(f"the list is too long ({len(items)} items; at most "
                                 f"{MAX_LIST})", self.source.span(s), code="too-long")
            return ast.ListLit(s, e, items)
        if kind == "member":
            name = ch[1]
            assert isinstance(name, Token)
            return ast.Member(s, e, self.build(ch[0]), str(name), _start(name))
        if kind == "index":
            return ast.Index(s, e, self.build(ch[0]), self.build(ch[1]))
        if kind == "call":
            name = ch[0]
            assert isinstance(name, Token)
            args_tree = ch[1]
            args = [self.build(a) for a in args_tree.children] if args_tree is not None else []
            return ast.Call(s, e, str(name), args, _start(name) + len(name))
        if kind == "neg":
            return ast.Unary(s, e, "-", self.build(ch[1]))
        if kind == "not_op":
            return ast.Unary(s, e, "not", self.build(ch[0]))
        if kind in ("and_op", "or_op"):
            left, right = self.build(ch[0]), self.build(ch[1])
            word = "and" if kind == "and_op" else "or"
            return ast.Binary(s, e, word, left, right, left.end)
        if kind == "binop":
            op = ch[1]
            assert isinstance(op, Token)
            return ast.Binary(s, e, str(op), self.build(ch[0]), self.build(ch[2]), _start(op))
        if kind == "compare":
            operands = [self.build(c) for c in ch[0::2]]
            ops, starts = [], []
            for op_tree in ch[1::2]:
                toks = [t for t in op_tree.children if isinstance(t, Token)]
                ops.append(" ".join(str(t) for t in toks))
                starts.append(_start(toks[0]))
            return ast.Compare(s, e, operands, ops, starts)
        if kind == "ifexpr":
            return ast.If(s, e, self.build(ch[0]), self.build(ch[1]), self.build(ch[2]))
        raise AssertionError(f"unknown tree {kind}")  # pragma: no cover

    def _string(self, tok: Token) -> str:
        raw = str(tok)[1:-1]
        if "\\" not in raw:
            return raw
        out: list[str] = []
        i = 0
        while i < len(raw):
            c = raw[i]
            if c == "\\" and i + 1 < len(raw):
                nxt = raw[i + 1]
                if nxt not in _ESCAPES:
                    start = _start(tok) + 1 + i
                    raise RuleSyntaxError(f"unknown escape '\\{nxt}' in a text",
                                          self.source.span(start, start + 2),
                                          hint="the escapes are \\\" \\' \\\\ \\n and \\t",
                                          code="bad-escape")
                out.append(_ESCAPES[nxt])
                i += 2
            else:
                out.append(c)
                i += 1
        return "".join(out)
