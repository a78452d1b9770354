"""Safe YAML reading: positions of every node and of every character of a string."""

from __future__ import annotations

import pickle
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formkit.definitions.yamldoc import MAX_DEPTH, PosStr, YamlDoc, parse_yaml
from formkit.errors import FormkitError


def _parse(text: str) -> YamlDoc:
    doc = parse_yaml(text, "m.yaml")
    assert doc.errors == [], [e.render() for e in doc.errors]
    return doc


def _at(doc: YamlDoc, *loc: int | str, key: bool = False) -> tuple[int | None, int | None]:
    span = doc.span_at(loc, key=key)
    return span.line, span.column


def _marker(text: str, marker: str, nth: int = 0) -> tuple[int, int]:
    """1-based line and column of the ``nth`` occurrence of ``marker`` in ``text``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(marker, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# --- node positions -------------------------------------------------------------------------

NODES = """\
code: "XX-MS-0001"
name: {zh: 个体工商户设立登记, en: Individual}
basis: ['《条例》', 第二条]
form:
  - id: applicant
    type: group
    fields:
      - {id: name, type: text}
  - id: 经营面积
    label:
      zh: 经营面积（平方米）
tests:
  -
    name: 示例
"""


@pytest.mark.parametrize(("loc", "key", "expected"), [
    # A double-quoted scalar starts at its quote.
    (("code",), False, (1, 7)),
    # A key.
    (("code",), True, (1, 1)),
    # A flow mapping, and a plain scalar inside it after CJK text (columns are characters).
    (("name",), False, (2, 7)),
    (("name", "en"), False, (2, 27)),
    (("name", "en"), True, (2, 23)),
    # A flow sequence, a single-quoted item and a plain CJK item.
    (("basis",), False, (3, 8)),
    (("basis", 0), False, (3, 9)),
    (("basis", 1), False, (3, 17)),
    # A block sequence and a block mapping inside it.
    (("form",), False, (5, 3)),
    (("form", 0), False, (5, 5)),
    (("form", 0, "type"), False, (6, 11)),
    # A flow mapping in a block sequence, three levels down.
    (("form", 0, "fields", 0), False, (8, 9)),
    (("form", 0, "fields", 0, "type"), False, (8, 26)),
    (("form", 0, "fields", 0, "type"), True, (8, 20)),
    # A CJK key and a nested block mapping under a key.
    (("form", 1, "id"), False, (9, 9)),
    (("form", 1, "label"), False, (11, 7)),
    (("form", 1, "label", "zh"), False, (11, 11)),
    # An item whose mapping starts on the line after its dash.
    (("tests", 0), False, (14, 5)),
    (("tests", 0, "name"), False, (14, 11)),
    # The root.
    ((), False, (1, 1)),
    # A key that is not there: the deepest node reached (the missing key's parent).
    (("form", 0, "label"), False, (5, 5)),
    # An index past the end stops at the list.
    (("form", 7, "id"), False, (5, 3)),
])
def test_node_positions(loc: tuple[int | str, ...], key: bool,
                        expected: tuple[int, int]) -> None:
    assert _at(_parse(NODES), *loc, key=key) == expected


def test_has_is_exact() -> None:
    doc = _parse(NODES)
    assert doc.has(("form", 0, "fields", 0, "type"))
    assert not doc.has(("form", 0, "label"))
    assert not doc.has(("form", 2))
    assert not doc.has(("code", "x"))


def test_scalar_spans_match_node_positions() -> None:
    doc = _parse(NODES)
    for loc in [("code",), ("name", "en"), ("basis", 1), ("form", 1, "id"),
                ("form", 1, "label", "zh")]:
        value = doc.data
        for part in loc:
            value = value[part]
        assert isinstance(value, PosStr)
        span = value.span()
        # A quoted scalar's node starts at its quote, its first character one further.
        line, column = _at(doc, *loc)
        quoted = value.style in ("'", '"')
        assert (span.line, span.column) == (line, (column or 0) + quoted)
        assert span.file == "m.yaml" and span.source == NODES


def test_keys_are_plain_text_placed_through_their_nodes() -> None:
    doc = _parse("名称: x\nb: {名称: y}\n")
    assert list(doc.data) == ["名称", "b"] and type(next(iter(doc.data))) is str
    assert _at(doc, "b", "名称", key=True) == (2, 5)


# --- characters inside a string -------------------------------------------------------------

SCALARS = """\
plain: 中文文本 X > 1 and Y
single: '单引号''内 X 和 Y'
double: "双\\t引号\\u4e2d X \\"Y\\""
literal: |
  第一行
    缩进 X
  第二行 Y
folded: >
  折叠一
  折叠二 X

  段落 Y
multi: 多行 a
  续行 X

  再续 Y
escaped_break: "跨行
  X \\
  Y"
strip: |-
  末 X
  Y
"""


@pytest.mark.parametrize(("key", "value"), [
    ("plain", "中文文本 X > 1 and Y"),
    ("single", "单引号'内 X 和 Y"),
    ("double", '双\t引号中 X "Y"'),
    ("literal", "第一行\n  缩进 X\n第二行 Y\n"),
    ("folded", "折叠一 折叠二 X\n段落 Y\n"),
    ("multi", "多行 a 续行 X\n再续 Y"),
    ("escaped_break", "跨行 X Y"),
    ("strip", "末 X\nY"),
])
def test_span_of_points_at_the_character_in_the_file(key: str, value: str) -> None:
    doc = _parse(SCALARS)
    scalar = doc.data[key]
    assert scalar == value
    first = list(doc.data).index(key)
    # Every X and Y of the file belongs to one scalar, in order: the nth X is key's.
    for marker in "XY":
        span = scalar.span_of(value.index(marker))
        assert (span.line, span.column) == _marker(SCALARS, marker, first), (key, marker)


def test_span_of_an_escape_points_at_its_backslash() -> None:
    doc = _parse(SCALARS)
    double = doc.data["double"]
    line = SCALARS.splitlines().index('double: "双\\t引号\\u4e2d X \\"Y\\""') + 1
    tab = double.span_of(double.index("\t"))
    zhong = double.span_of(double.index("中"))
    quote = double.span_of(double.index('"'))
    assert (tab.line, tab.column) == (line, 11)
    assert (zhong.line, zhong.column) == (line, 15)
    assert (quote.line, quote.column) == (line, 24)


def test_span_of_a_range_has_an_end_column_on_the_same_line() -> None:
    doc = _parse("when: 申请人 == \"张三\" and age >= 18\n")
    text = doc.data["when"]
    start = text.index("age")
    span = text.span_of(start, start + 3)
    assert (span.line, span.column, span.end_line, span.end_column) == (1, 23, 1, 26)
    # A range over a line break keeps only its start.
    doc = _parse("when: |\n  a and\n  b\n")
    span = doc.data["when"].span_of(0, 7)
    assert (span.line, span.column, span.end_line, span.end_column) == (2, 3, None, None)


def test_span_of_clamps_offsets_past_the_end() -> None:
    doc = _parse("a: 'xy'\nb: ''\n")
    span = doc.data["a"].span_of(99)
    assert (span.line, span.column) == (1, 6)
    empty = doc.data["b"].span_of(0)
    assert (empty.line, empty.column) == (2, 4)


def test_posstr_pickles_and_compares_as_plain_text() -> None:
    value = _parse("a: 文本\n").data["a"]
    assert value == "文本" and hash(value) == hash("文本")
    restored = pickle.loads(pickle.dumps(value))
    assert restored == "文本" and type(restored) is str


# --- scalar values --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    # Dates stay text: the models parse them, so a bad date is a clear error.
    ("2026-11-25", "2026-11-25"),
    ("2026-11-25T10:00:00", "2026-11-25T10:00:00"),
    ("2026-13-45", "2026-13-45"),
    # Numbers.
    ("15", 15), ("-3", -3), ("+4", 4), ("0", 0), ("0x1F", 31),
    ("1.5", 1.5), ("-0.25", -0.25), (".5", 0.5),
    # A leading zero is a code, not a number (YAML 1.1 would read 010 as eight).
    ("01", "01"), ("010", "010"), ("0012.5", "0012.5"),
    # YAML 1.1 sexagesimal and underscores are text.
    ("1:30", "1:30"), ("1_000", "1_000"),
    # Booleans are true and false only; yes/no/on/off are words.
    ("true", True), ("False", False), ("TRUE", True),
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("Off", "Off"),
    # Null.
    ("~", None), ("null", None), ("", None),
    # Quoted, everything is text.
    ('"15"', "15"), ("'true'", "true"), ("'~'", "~"), ('"2026-11-25"', "2026-11-25"),
    # An 18-digit id number quoted stays exact; unquoted it is a number.
    ('"445321199003071230"', "445321199003071230"),
    ("445321199003071230", 445321199003071230),
])
def test_scalar_values(text: str, expected: object) -> None:
    value = _parse(f"v: {text}\n").data["v"]
    assert value == expected
    if isinstance(expected, str):
        assert isinstance(value, PosStr)
    else:
        assert type(value) is type(expected)


def test_special_floats() -> None:
    data = _parse("v: [.inf, -.inf, .nan]\n").data["v"]
    assert data[0] == float("inf") and data[1] == float("-inf") and data[2] != data[2]


def test_keys_that_look_like_values_stay_text() -> None:
    data = _parse("on: 1\nno: 2\n2026-01-01: 3\n").data
    assert list(data) == ["on", "no", "2026-01-01"]


# --- errors ---------------------------------------------------------------------------------

def _errors(text: str) -> list[tuple[str, str, int | None, int | None]]:
    doc = parse_yaml(text, "m.yaml")
    return [(e.kind, e.code, e.span.line if e.span else None, e.span.column if e.span else None)
            for e in doc.errors]


@pytest.mark.parametrize(("text", "expected"), [
    # Top level.
    ("a: 1\nb: 2\na: 3\n", [("definition", "duplicate-key", 3, 1)]),
    # In a block mapping under a key.
    ("x:\n  a: 1\n  a: 2\n", [("definition", "duplicate-key", 3, 3)]),
    # In a list item.
    ("x:\n  - id: a\n    type: text\n    id: b\n", [("definition", "duplicate-key", 4, 5)]),
    # In a flow mapping three levels down.
    ("x:\n  - y: {zh: 甲, zh: 乙}\n", [("definition", "duplicate-key", 2, 16)]),
    # Twice in two places: both reported.
    ("a: 1\na: 2\nb: {c: 1, c: 2}\n",
     [("definition", "duplicate-key", 2, 1), ("definition", "duplicate-key", 3, 11)]),
    # A key that is 1 and one that is "1" are the same key to an editor.
    ("1: a\n'1': b\n", [("definition", "duplicate-key", 2, 1)]),
])
def test_duplicate_keys_at_every_level(text: str,
                                       expected: list[tuple[str, str, int, int]]) -> None:
    assert _errors(text) == expected


def test_duplicate_key_message_names_the_first() -> None:
    (err,) = parse_yaml("x:\n  a: 1\n  a: 2\n", "m.yaml").errors
    assert err.message == "duplicate key 'a' (first at line 2)"
    assert err.hint is not None


@pytest.mark.parametrize(("text", "expected"), [
    # Tags on every node kind.
    ("a: !!binary aGVsbG8=\n", [("definition", "yaml-tag", 1, 4)]),
    ("a: !!set {x, y}\n", [("definition", "yaml-tag", 1, 4)]),
    ("a: !!omap [x: 1]\n", [("definition", "yaml-tag", 1, 4)]),
    ("a: !!python/name:os.system ''\n", [("definition", "yaml-tag", 1, 4)]),
    ("a: !!python/object/apply:os.system [ls]\n", [("definition", "yaml-tag", 1, 4)]),
    ("a: !local [1]\n", [("definition", "yaml-tag", 1, 4)]),
    # Standard tags are plain YAML.
    ("a: !!str 12\nb: !!int 3\n", []),
    # Keys must be scalars.
    ("[a, b]: 1\n", [("definition", "yaml-key", 1, 1)]),
    ("? {a: 1}\n: x\n", [("definition", "yaml-key", 1, 3)]),
    # Merge keys.
    ("base: &b {x: 1}\nc:\n  <<: *b\n", [("definition", "yaml-merge", 3, 3)]),
    # Recursion and bombs are bounded.
    ("a: &r [*r]\n", [("definition", "yaml-recursive-alias", 1, 4)]),
    ("a: &r {b: *r}\n", [("definition", "yaml-recursive-alias", 1, 4)]),
    ("a: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n",
     [("limit", "yaml-too-large", 1, MAX_DEPTH + 4)]),
    ("a: " + "[" * 2000 + "]" * 2000 + "\n", [("limit", "yaml-too-large", 1, 1003)]),
    # Syntax.
    ("a: 'x\n", [("definition", "yaml-syntax", 1, 4)]),
    ("a: [1, 2\n", [("definition", "yaml-syntax", 2, 1)]),
    ("a:\n\tb: 1\n", [("definition", "yaml-syntax", 2, 1)]),
    ("a: *nothing\n", [("definition", "yaml-syntax", 1, 4)]),
    ("a: @x\n", [("definition", "yaml-syntax", 1, 4)]),
    # An alias used plainly is fine.
    ("a: &a [1]\nb: *a\n", []),
    # Line separators YAML breaks at but editors do not show; lines counted at "\n" only.
    ("a: 1\nb: {zh: 甲\u2028乙}\n\x85c: 1\n",
     [("definition", "yaml-hidden-break", 2, 10), ("definition", "yaml-hidden-break", 3, 1)]),
    # Windows and old Mac line ends count as one line end.
    ("a: x\r\nb: [1\r\n", [("definition", "yaml-syntax", 3, 1)]),
    ("a: x\rb: [1\r", [("definition", "yaml-syntax", 3, 1)]),
])
def test_yaml_errors(text: str, expected: list[tuple[str, str, int, int]]) -> None:
    assert _errors(text) == expected


def test_an_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    errors = _errors("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 5
    # f is the first key whose value expands past the bound.
    assert errors == [("limit", "yaml-too-large", 6, 4)]


def test_a_tagged_value_is_kept_as_text_for_later_checks() -> None:
    doc = parse_yaml("a: !foo 12\nb: 2\n", "m.yaml")
    assert doc.data == {"a": "12", "b": 2}


def test_the_byte_order_mark_is_dropped() -> None:
    doc = _parse("\ufeffa: 中 x\n")
    value = doc.data["a"]
    assert doc.file.text == "a: 中 x\n"
    span = value.span_of(2)
    assert (span.line, span.column) == (1, 6) == (1, _at(doc, "a")[1] + 2)  # type: ignore[operator]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:- \n\t'\"[]{}#&*!|>%@`,?中\\")), max_size=60))
def test_parse_yaml_never_raises(text: str) -> None:
    doc = parse_yaml(text, "fuzz.yaml")
    for err in doc.errors:
        assert isinstance(err, FormkitError)
        assert err.span is not None and err.span.file == "fuzz.yaml"
        assert err.span.line is not None and err.span.line >= 1
        err.render()
