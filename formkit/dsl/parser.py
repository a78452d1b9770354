"""Parse rule texts with the Lark grammar into ``ast`` nodes, with friendly errors.

``SYNTAX_ERRORS`` is the table of friendly messages with known-bad inputs for
each: ``_label`` picks a row from the tokens around the error, and the tests
check that every example gets its row.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from formkit.dsl import ast
from formkit.dsl.source import Source
from formkit.dsl.tree_builder import NodeBuilder, Unusual, height
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

# label -> (message, hint, known-bad examples). ``_label`` picks the label of an
# error from the tokens around it; the tests assert each example gets its label,
# so the table is both the messages and their specification.
SYNTAX_ERRORS: dict[str, tuple[str, str, list[str]]] = {
    "double-operator": (
        "two operators in a row", "an operator needs a value on each side",
        ["x and and y", "x or or y", "1 + * 2", "a == == b", "x and or y", "1 * / 2",
         "a < < b", "a in in b", "not and b", "a != != b", "a % / b"]),
    "missing-right": (
        "the expression ends after an operator", "add the value that goes after it",
        ["x and", "1 +", "a ==", "x or", "not", "a <", "1 -", "a in", "a >", "a >=", "a <=",
         "a !=", "a *", "a /", "a %", "a not in", "x and not", "-", "f(1 +)", "(a and)"]),
    "missing-left": (
        "an operator has no value on its left", "add the value that goes before it",
        ["== 1", "and x", "* 2", "(or a)", "f(x, * 2)", "[/ 2]", "if and x then 1 else 2"]),
    "unclosed": (
        "a bracket is opened but not closed", "add the missing ')' or ']'",
        ["(x", "f(x", "[1, 2", "(a and b", "len(x", "xs[0", "f(", "[", "if a then (b"]),
    "wrong-close": (
        "this closing bracket does not match the opening one",
        "close '(' with ')' and '[' with ']'",
        ["(a]", "[a)", "f(x]", "xs[0)"]),
    "missing-operator": (
        "two values with no operator between them",
        "join them with an operator such as 'and', '==' or '+'",
        ["x y", "1 2", "a \"b\"", "(a) (b)", "f(x) y", "a.b c", "1 + 2 3", "true false",
         "f(a b)", "[1 2]"]),
    "if-else": (
        "'if' needs 'then' and 'else'", "write: if CONDITION then VALUE else OTHER",
        ["if a then b", "if a b else c", "if a then b c", "if a", "if a then", "if",
         "if a then b else", "if a else b", "a then b", "a else b", "f(if a then b, c)"]),
    "bracket-if": (
        "an 'if' inside a larger expression needs brackets",
        "put it in brackets, e.g. 1 + (if a then 2 else 3)",
        ["1 + if a then 2 else 3", "x == if a then 1 else 2", "a and if b then c else d",
         "not if a then b else c"]),
    "bracket-not": (
        "'not' cannot follow this operator directly", "put it in brackets, e.g. a == (not b)",
        ["a == not b", "1 + not x", "a in not b"]),
    "single-equals": (
        "'=' alone is not a comparison", "to compare, write '=='",
        ["age = 18", "a = b and c", "x === y"]),
    "extra-close": (
        "a closing bracket has no opening one", "remove it, or add the opening bracket",
        ["x)", "1 + 2)", "a]", "f(x))", "len(x))", "[1]]"]),
    "empty-argument": (
        "an argument is missing", "remove the extra ',' or add the value",
        ["f(x,)", "f(,x)", "[1,,2]", "[1,]", "f(x, ", "[1, ", "f(,)", "f(x,,y)", "[,]"]),
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
def _grammar() -> str:
    return (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")


@functools.cache
def _lark() -> Lark:
    """The reference parser: a Lark tree with positions (libraries, and every error)."""
    return Lark(_grammar(), parser="lalr", lexer="basic", start=["start", "library"],
                propagate_positions=True, maybe_placeholders=True, cache=False)


@functools.cache
def _fast() -> Lark:
    """The same grammar, building ``ast`` nodes as it parses (``tree_builder.NodeBuilder``)."""
    return Lark(_grammar(), parser="lalr", lexer="basic", start=["start", "library"],
                keep_all_tokens=True, maybe_placeholders=True, cache=False,
                transformer=NodeBuilder(MAX_LIST))


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
    try:
        node = NodeBuilder.root(_fast().parse(text, start="start"))
    except (UnexpectedInput, Unusual):
        node = None
    # A text of at most MAX_DEPTH characters cannot nest deeper than that.
    if node is None or (len(text) > MAX_DEPTH and height(node) > MAX_DEPTH):
        # an error, or something unusual: the reference path says exactly what
        tree = _parse(text, "start", source)
        return _Builder(source).build(tree)
    return node


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


# Trees that hold parts of one node (a call's arguments, a comparison's operator) or
# statements: they are not a level of nesting the author wrote.
_WRAPPERS = frozenset({"args", "comp_op", "params", "library", "let_stmt", "use_stmt"})


# A chain of one of these (``a and b and c``, left-recursive in the grammar) is one level
# however long it is: a flat chain is not nesting.
_CHAINS = frozenset({"and_op", "or_op"})


def _check_depth(tree: Tree[Any], source: Source) -> None:
    # Iterative, so a hostile input cannot exhaust Python's stack while we measure it.
    stack: list[tuple[Tree[Any], int]] = [(tree, 0 if tree.data in _WRAPPERS else 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            start = node.meta.start_pos if not node.meta.empty else 0
            raise LimitError(f"the expression is nested too deeply (more than {MAX_DEPTH} "
                             "levels)", source.span(start),
                             hint="split it into named parts with 'let:'", code="too-deep")
        chain = node.data if node.data in _CHAINS else None
        for i, child in enumerate(node.children):
            if isinstance(child, Tree):
                flat = child.data in _WRAPPERS or (i == 0 and child.data == chain)
                stack.append((child, depth + (0 if flat else 1)))


def _friendly(exc: UnexpectedInput, text: str, start: str, source: Source) -> RuleSyntaxError:
    pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(text)
    if isinstance(exc, UnexpectedCharacters):
        ch = text[pos] if pos < len(text) else ""
        if ch in _BAD_CHARS:
            message, hint = _BAD_CHARS[ch]
            return RuleSyntaxError(message, source.span(pos, pos + 1), hint=hint,
                                   code="bad-character")
        if ch.isspace() or not ch.isprintable():  # invisible: name it by its code point
            return RuleSyntaxError(f"an invisible character (U+{ord(ch):04X}) is not allowed "
                                   "here", source.span(pos, pos + 1),
                                   hint="delete it; type an ordinary space if one is needed",
                                   code="bad-character")
        return RuleSyntaxError(f"the character '{ch}' is not allowed here",
                               source.span(pos, pos + 1),
                               hint="names are letters, digits and '_'; texts go in quotes",
                               code="bad-character")
    token = exc.token if isinstance(exc, UnexpectedToken) else None
    at_end = token is None or token.type == "$END"
    if not at_end and token is not None and token.start_pos is not None:
        pos = int(token.start_pos)
    before = _tokens_before(text, len(text) if at_end else pos)
    if at_end and not before and start == "start":
        return RuleSyntaxError("the expression is empty", source.span(0),
                               hint="write a condition or a value", code="empty")
    label = _label(before, None if at_end else token)
    expected: set[str] = set(getattr(exc, "expected", None) or ())
    prev = before[-1] if before else None
    if prev is not None and prev.end_pos is not None and (
            at_end or (label in _ENDS_EARLY and _kind(token) == "stmt")):
        # "ends too early": point just after the last token, not at a comment or
        # at the next library line.
        pos, end = int(prev.end_pos), int(prev.end_pos) + 1
        ended = True
    else:
        end = pos + (len(str(token)) if token is not None and not at_end else 1)
        ended = at_end
    if label is not None:
        message, hint, _ = SYNTAX_ERRORS[label]
        if not ended and token is not None:
            message = f"unexpected '{token}': {message}"
    elif ended:
        message, hint = "the expression ends too early", _expected_words(expected)
    else:
        message, hint = f"unexpected '{token}'", _expected_words(expected)
    return RuleSyntaxError(message, source.span(pos, end), hint=hint, code=label or "syntax")


# Labels that mean "something is missing at the end": reported after the last token.
_ENDS_EARLY = frozenset({"missing-right", "unclosed", "if-else", "empty-argument"})
_OPERATOR_TEXTS = frozenset(
    ["+", "-", "*", "/", "%", "and", "or", "in", "==", "!=", "<", "<=", ">", ">="])
_VALUE_TYPES = frozenset({"NAME", "NUMBER", "STRING", "TRUE", "FALSE", "NULL"})
_PUNCTUATION = {"(": "open", "[": "open", ")": "close", "]": "close", ",": "comma",
                ".": "dot", "=": "equals", "if": "if", "then": "then", "else": "else",
                "not": "not", "let": "stmt", "use": "stmt"}


def _kind(tok: Token | None) -> str:
    """A token's role for ``_label``: value, op, not, open, close, comma, if, ..."""
    if tok is None or tok.type == "$END":
        return "end"
    if tok.type in _VALUE_TYPES:
        return "value"
    text = str(tok)
    if text in _PUNCTUATION:
        return _PUNCTUATION[text]
    return "op" if text in _OPERATOR_TEXTS else "other"


def _tokens_before(text: str, pos: int) -> list[Token]:
    try:
        return list(_lark().lex(text[:pos]))
    except UnexpectedInput:  # pragma: no cover - the prefix lexed once already
        return []


def _open_stack(tokens: list[Token]) -> list[str]:
    """Brackets and unfinished ``if``s open after ``tokens``, innermost last."""
    stack: list[str] = []
    for tok in tokens:
        kind = _kind(tok)
        if kind == "open":
            stack.append(str(tok))
        elif kind in ("close", "comma", "stmt"):
            while stack and stack[-1] not in ("(", "["):
                stack.pop()  # an argument or a bracket ends every 'if' inside it
            if kind == "close" and stack:
                stack.pop()
            if kind == "stmt":
                stack.clear()
        elif kind == "if":
            stack.append("if")
        elif kind == "then" and stack and stack[-1] == "if":
            stack[-1] = "then"
        elif kind == "else" and stack and stack[-1] == "then":
            stack.pop()
    return stack


def _in_header(tokens: list[Token]) -> bool:
    """Whether the error is in a library line's head: before the '=' of a 'let'."""
    for i in range(len(tokens) - 1, -1, -1):
        kind = _kind(tokens[i])
        if kind == "equals" and any(_kind(t) == "stmt" for t in tokens[:i]):
            return False
        if kind == "stmt":
            return str(tokens[i]) == "let" or len(tokens) - i <= 2
    return False


def _label(before: list[Token], token: Token | None) -> str | None:
    """The ``SYNTAX_ERRORS`` label for an unexpected ``token`` after ``before``, if any.

    Only labels that are true of the input are given; anything else gets the
    plain "unexpected X, expected ..." message.
    """
    prev = _kind(before[-1]) if before else None
    tok = _kind(token)
    if _in_header(before):
        return None  # 'let name(params) =' or 'use name': not an expression
    stack = _open_stack(before)
    top = stack[-1] if stack else None
    after_operator = prev in ("op", "not")
    after_value = prev in ("value", "close")
    if tok == "equals":
        return "single-equals"
    if tok in ("end", "stmt"):
        if after_operator:
            return "missing-right"
        if prev == "comma":
            return "empty-argument"
        if prev in ("if", "then", "else") or top in ("if", "then"):
            return "if-else"
        if top in ("(", "["):
            return "unclosed"
        return None
    if tok == "if" and after_operator:
        return "bracket-if"
    if tok == "not" and prev == "op":
        return "bracket-not"
    if tok in ("op", "not"):
        if after_operator:
            return "double-operator"
        if prev in (None, "open", "comma", "if", "then", "else"):
            return "missing-left"
        return None
    if tok in ("value", "open", "if", "not") and after_value:
        return "if-else" if top in ("if", "then") else "missing-operator"
    if tok == "close":
        if prev == "comma":
            return "empty-argument"
        if after_operator:
            return "missing-right"
        if top in ("if", "then"):
            return "if-else"
        brackets = [b for b in stack if b in ("(", "[")]
        if not brackets:
            return "extra-close"
        return "wrong-close" if (brackets[-1] == "(") != (str(token) == ")") else None
    if tok == "comma":
        if prev in ("comma", "open"):
            return "empty-argument"
        if after_operator:
            return "missing-right"
        return "if-else" if top in ("if", "then") else None
    if tok in ("then", "else"):
        return "missing-right" if after_operator else "if-else"
    return None


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
        if kind in _CHAINS:
            # a chain of and/or (the left operand of each the rest of the chain): built
            # from its first operand up, so a long chain costs no deep recursion
            spine = [tree]
            while isinstance(spine[-1].children[0], Tree) and spine[-1].children[0].data == kind:
                spine.append(spine[-1].children[0])
            word = "and" if kind == "and_op" else "or"
            node = self.build(spine[-1].children[0])
            for link in reversed(spine):
                node = ast.Binary(link.meta.start_pos, link.meta.end_pos, word, node,
                                  self.build(link.children[1]), node.end)
            return node
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
