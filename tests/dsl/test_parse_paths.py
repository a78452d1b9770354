"""The fast parse (nodes built while parsing) gives the reference path's nodes and errors."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formkit.dsl import ast, parser
from formkit.dsl.source import Source
from formkit.errors import FormkitError
from tests.dsl.test_fuzz import SETTINGS, grammatical, soup


def dump(node: Any) -> Any:
    """A node as nested tuples, spans included."""
    if isinstance(node, list):
        return [dump(x) for x in node]
    if isinstance(node, ast.Node):
        return (type(node).__name__, *[(f.name, dump(getattr(node, f.name)))
                                       for f in fields(node)])
    return type(node).__name__, node


def reference(text: str) -> Any:
    source = Source(text)
    try:
        if len(text) > parser.MAX_LENGTH or not text.strip():
            return dump(parser.parse_expression(text, source))  # refused before parsing
        return dump(parser._Builder(source).build(parser._parse(text, "start", source)))
    except FormkitError as err:
        return "error", err.render()


def fast(text: str) -> Any:
    try:
        return dump(parser.parse_expression(text, Source(text)))
    except FormkitError as err:
        return "error", err.render()


@pytest.mark.parametrize("text", [
    "(a)", "((a))", "(a).b", "-(x)", "not (a)", "(a) and (b)", "((a) + (b)) * (c)",
    "f((a), (b))", "[(1), (2)]", "xs[(0)]", "if (a) then (b) else (c)", "(1 < (2)) < 3",
    "a not in (b)", "x.y.z[0].w", "f()", "[]", "  x  ", "x # note", "a\n+ b", "--1",
    "申请人类型 == '个人'", '"a\\"b"', '"\\q"', "[" + ",".join(["1"] * 1001) + "]",
    "(" * 60 + "1" + ")" * 60, " and ".join(["a"] * 60), "not " * 50 + "x",
    "1 +", "(a", "a b", "x.", "f(a,)", "\x1f", "",
])
def test_the_paths_agree(text: str) -> None:
    assert fast(text) == reference(text)


@SETTINGS
@given(st.one_of(grammatical, soup))
def test_the_paths_agree_on_any_text(text: str) -> None:
    assert fast(text) == reference(text)
