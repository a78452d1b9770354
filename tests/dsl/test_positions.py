"""Errors in expressions point at the file, line and column of the offending token.

In YAML matter files (plain, quoted, block scalars, with CJK text before the
error) and in rule libraries (``rules/*.rules``).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Matter
from formkit.dsl.compiler import EvalContext
from formkit.dsl.library import Libraries, load_libraries
from formkit.errors import FormkitError
from formkit.ruleset import Place, RuleSet

HEAD = """\
code: "T-1"
name: {zh: 测试事项}
department: market_supervision
kind: administrative_licensing
time_limit: {statutory_days: 5, committed_days: 1}
form:
  - {id: floor_area, type: number, label: {zh: 经营面积}}
  - {id: 申请人类型, type: text}
  - id: business_kind
    type: choice
    options:
      - {value: retail, label: {zh: 零售}}
      - {value: catering, label: {zh: 餐饮}}
  - id: applicant
    type: group
    fields:
      - {id: name, type: text}
      - {id: id_number, type: id_number}
  - id: shareholders
    type: repeat
    fields:
      - {id: name, type: text}
      - {id: share, type: number}
"""
FIRST = HEAD.count("\n") + 1  # the line the tail starts on


def matter_of(text: str) -> Matter:
    matter, doc = load_matter_text(text, "m.yaml")
    assert matter is not None, [e.render() for e in doc.errors]
    return matter


def errors_of(tail: str, libraries: Libraries | None = None,
              crlf: bool = False) -> list[FormkitError]:
    text = HEAD + tail
    if crlf:
        text = text.replace("\n", "\r\n")
    return RuleSet.build(matter_of(text), libraries).errors


def where(err: FormkitError) -> tuple[str, str | None, int | None, int | None]:
    assert err.span is not None, err
    return err.code, err.span.file, err.span.line, err.span.column


# (id, YAML tail, [(code, line offset from the tail's first line, column)])
YAML_CASES = [
    ("plain", "checks:\n  - when: floor_are > 1\n    warn: {zh: 大}\n",
     [("unknown-name", 1, 11)]),
    ("plain, CJK before",
     'checks:\n  - when: 申请人类型 == "个人" and floor_are > 1\n    warn: {zh: 大}\n',
     [("unknown-name", 1, 29)]),
    ("single-quoted, '' escapes",
     "checks:\n  - when: '申请人类型 == ''个人'' and floor_are > 1'\n    warn: {zh: 大}\n",
     [("unknown-name", 1, 32)]),
    ("double-quoted, \\\" escapes",
     'checks:\n  - when: "申请人类型 == \\"个人\\" and floor_are > 1"\n    warn: {zh: 大}\n',
     [("unknown-name", 1, 32)]),
    ("double-quoted, rule escapes",
     'checks:\n  - when: "申请人类型 == \\"a\\\\\\\\b\\" and floor_are > 1"\n    warn: {zh: 大}\n',
     [("unknown-name", 1, 36)]),
    ("double-quoted, one \\u escape",
     'checks:\n  - when: "\\u7533 == 1 and floor_are > 1"\n    warn: {zh: 大}\n',
     [("unknown-name", 1, 12), ("unknown-name", 1, 28)]),
    ("literal block",
     'checks:\n  - when: |\n      申请人类型 == "个人"\n        and floor_are > 1\n'
     "    warn: {zh: 大}\n",
     [("unknown-name", 3, 13)]),
    ("literal block, strip",
     'checks:\n  - when: |-\n      # 面积\n      申请人类型 == "个人" and floor_are > 1\n'
     "    warn: {zh: 大}\n",
     [("unknown-name", 3, 25)]),
    ("folded block",
     'checks:\n  - when: >\n      申请人类型 == "个人"\n      and floor_are > 1\n'
     "    warn: {zh: 大}\n",
     [("unknown-name", 3, 11)]),
    ("folded block, blank line and more indent",
     'checks:\n  - when: >-\n      申请人类型 == "个人"\n\n        and floor_are > 1\n'
     "    warn: {zh: 大}\n",
     [("unknown-name", 4, 13)]),
    ("plain, two lines",
     'checks:\n  - when: 申请人类型 == "个人"\n      and floor_are > 1\n    warn: {zh: 大}\n',
     [("unknown-name", 2, 11)]),
    ("double-quoted, two lines",
     "checks:\n  - when: \"申请人类型 == '个人'\n      and floor_are > 1\"\n    warn: {zh: 大}\n",
     [("unknown-name", 2, 11)]),
    ("flow mapping",
     "checks:\n  - {when: 申请人类型 == '个人' and floor_are > 1, warn: {zh: 大}}\n",
     [("unknown-name", 1, 30)]),
    ("trailing YAML comment", "checks:\n  - when: floor_are > 1  # 面积\n    warn: {zh: 大}\n",
     [("unknown-name", 1, 11)]),
    ("let: map", "let:\n  大面积: floor_are > 1000\n", [("unknown-name", 1, 8)]),
    ("fee: type error at the operator", "fee: 'floor_area * \"元\"'\n",
     [("wrong-type", 0, 18)]),
    ("choice literal", 'checks:\n  - when: business_kind == "catring"\n    warn: {zh: 大}\n',
     [("unknown-option", 1, 28)]),
    ("not a condition", "checks:\n  - when: floor_area\n    warn: {zh: 大}\n",
     [("wrong-type", 1, 11)]),
    ("syntax error at the end of a plain scalar",
     "checks:\n  - when: 申请人类型 ==\n    warn: {zh: 大}\n", [("missing-right", 1, 19)]),
    ("syntax error at the end of a literal block",
     "checks:\n  - when: |\n      floor_area > 1\n        and\n    warn: {zh: 大}\n",
     [("missing-right", 3, 12)]),
    ("syntax error inside a double-quoted scalar",
     'checks:\n  - when: "申请人类型 == \\"个人\\" and and floor_area > 1"\n'
     "    warn: {zh: 大}\n", [("double-operator", 1, 32)]),
    ("material required", "materials:\n  - id: lease\n    name: {zh: 租赁合同}\n"
     "    required: premises_rented\n", [("unknown-name", 3, 15)]),
    ("route when", "route:\n  - step: [market_supervision.registration]\n"
     "    when: floor_area > '大'\n", [("wrong-type", 2, 11)]),
    ("group member", "checks:\n  - when: applicant.nme == '张三'\n    warn: {zh: 大}\n",
     [("unknown-member", 1, 21)]),
    ("field visible", "  - {id: note, type: text, visible: floor_are > 1}\n",
     [("unknown-name", 0, 37)]),
    ("field required, not a condition", "  - {id: note, type: text, required: 申请人类型}\n",
     [("wrong-type", 0, 38)]),
    ("computed value of the wrong type",
     "  - {id: total, type: number, value: 申请人类型 + '元'}\n",
     [("wrong-type", 0, 38)]),
    ("computed value written as a boolean (no text of its own)",
     "  - {id: total, type: number, value: true}\n", [("wrong-type", 0, 38)]),
    ("computed value in a group, written as a number",
     "  - id: g\n    type: group\n    fields:\n      - {id: t, type: text, value: 12}\n",
     [("wrong-type", 3, 36)]),
    # literals that cannot work are reported when the definition loads, not when run
    ("impossible date literal",
     'checks:\n  - when: today() > date("2026-02-30")\n    warn: {zh: 大}\n',
     [("evaluation", 1, 21)]),
    ("bad pattern literal",
     "checks:\n  - when: matches(申请人类型, '[')\n    warn: {zh: 大}\n",
     [("evaluation", 1, 26)]),
]


@pytest.mark.parametrize(("tail", "expected"), [c[1:] for c in YAML_CASES],
                         ids=[c[0] for c in YAML_CASES])
def test_yaml_positions(tail: str, expected: list[tuple[str, int, int]]) -> None:
    errors = errors_of(tail)
    assert [where(e) for e in errors] == [
        (code, "m.yaml", FIRST + offset, col) for code, offset, col in expected], \
        "\n".join(e.render() for e in errors)


def test_null_in_a_when_counts_as_false() -> None:
    rules = RuleSet.build(matter_of(HEAD + (
        "  - {id: rented, type: boolean}\n"
        "checks:\n  - when: rented\n    warn: {zh: 租用}\n"
        "  - when: not rented\n    warn: {zh: 自有}\n")), None)
    assert rules.errors == []
    programs = rules.programs()
    first, second = programs[Place("check", "0", "when")], programs[Place("check", "1", "when")]
    ctx = EvalContext()
    assert first({"rented": None}, ctx) is not True  # null: the check does not hold
    assert second({"rented": None}, ctx) is True
    assert first({"rented": True}, ctx) is True


def test_crlf_line_endings() -> None:
    tail = 'checks:\n  - when: |\n      申请人类型 == "个人"\n        and floor_are > 1\n' \
        "    warn: {zh: 大}\n"
    errors = errors_of(tail, crlf=True)
    assert [where(e) for e in errors] == [("unknown-name", "m.yaml", FIRST + 3, 13)]


def test_run_of_unicode_escapes() -> None:
    # yaml.dump without allow_unicode writes Chinese this way.
    tail = ('checks:\n  - when: "\\u7533\\u8bf7\\u4eba\\u7c7b\\u578b == \\"x\\" and '
            'floor_are > 1"\n    warn: {zh: 大}\n')
    errors = errors_of(tail)
    assert [where(e) for e in errors] == [("unknown-name", "m.yaml", FIRST + 1, 56)]


def test_span_end_covers_the_token() -> None:
    [err] = errors_of('checks:\n  - when: 申请人类型 == "个人" and floor_are > 1\n'
                      "    warn: {zh: 大}\n")
    assert err.span is not None
    assert (err.span.end_line, err.span.end_column) == (FIRST + 1, 38)
    # The caret sits under the name, however wide the Chinese text before it.
    lines = err.render().splitlines()
    assert lines[1].strip().startswith("- when: 申请人类型")
    caret = lines[2]
    assert caret.strip() == "^" * len("floor_are")
    assert caret.index("^") == lines[1].index("floor_are") + len("申请人类型") + len("个人")


def test_row_fields_in_a_repeat() -> None:
    text = HEAD.replace("      - {id: share, type: number}\n",
                        "      - {id: share, type: number, constraint: shar > 0}\n")
    errors = RuleSet.build(matter_of(text), None).errors
    line = text.splitlines().index("      - {id: share, type: number, constraint: shar > 0}") + 1
    assert [where(e) for e in errors] == [("unknown-name", "m.yaml", line, 47)]
    assert errors[0].hint == "did you mean 'share'?"


def test_every_error_is_reported_not_only_the_first() -> None:
    tail = ("let:\n  a: floor_are > 1\n  b: 申请人类型 + 1\n"
            "checks:\n  - when: business_kind == 'x' or\n    warn: {zh: 大}\n")
    errors = errors_of(tail)
    assert sorted(where(e) for e in errors) == [
        ("missing-right", "m.yaml", FIRST + 4, 34),
        ("unknown-name", "m.yaml", FIRST + 1, 6),
        ("wrong-type", "m.yaml", FIRST + 2, 12)]


# ---- rule libraries --------------------------------------------------------------------------

def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / f"{name}.rules").write_text(text, encoding="utf-8")
    return folder


def lib_where(err: FormkitError) -> tuple[str, str, str, int | None, int | None]:
    assert err.span is not None and err.span.file is not None, err
    return err.kind, err.code, Path(err.span.file).name, err.span.line, err.span.column


def test_library_syntax_error_points_after_the_unfinished_line(tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {
        "common": "# 通用\nuse other\nlet x = 1 +\nlet y = 2\n",
        "other": "let z = 1\n"}))
    assert [lib_where(e) for e in libs.errors] == [
        ("syntax", "missing-right", "common.rules", 3, 12)]


@pytest.mark.parametrize(("text", "code", "line", "column"), [
    ("let x = a & b\n", "bad-character", 1, 11),
    ("let 成年(id) = 年龄(id) >= = 18\n", "single-equals", 1, 24),
    ("let x = (1 + 2\nlet y = 1\n", "unclosed", 1, 15),
    ("let f(a b) = a\n", "syntax", 1, 9),
    ("let = 1\n", "syntax", 1, 5),
    ("\n\nuse\n", "syntax", 3, 4),  # just after 'use'
    ("use a b\n", "syntax", 1, 7),
    ('let t = "不闭合\n', "bad-character", 1, 9),
])
def test_library_syntax_positions(tmp_path: Path, text: str, code: str, line: int,
                                  column: int) -> None:
    libs = load_libraries(write(tmp_path, {"lib": text}))
    assert [lib_where(e) for e in libs.errors] == [("syntax", code, "lib.rules", line, column)]


def test_duplicate_definition_in_one_library(tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {"common": "let z = 1\n# again\nlet z = 2\n"}))
    assert [lib_where(e) for e in libs.errors] == [
        ("name", "duplicate-name", "common.rules", 3, 5)]
    assert libs.by_name["common"].entries["z"].body is not None


def test_parameter_named_twice(tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {"common": "\nlet f(p, p) = p\n"}))
    assert [lib_where(e) for e in libs.errors] == [
        ("name", "duplicate-name", "common.rules", 2, 1)]


def test_same_name_in_two_libraries_a_matter_uses(tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {
        "common": "let big = 1\n", "other": "# 其他\n\nlet big = 2\n"}))
    assert libs.errors == []
    errors = errors_of("uses: [common, other]\n", libs)
    assert [lib_where(e) for e in errors] == [
        ("name", "duplicate-name", "other.rules", 3, 5)]


def test_use_of_an_unknown_library(tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {
        "common": "let a = 1\n", "enterprise": "# 经营主体\nuse commn\nuse nothing_like_it\n"}))
    assert [lib_where(e) for e in libs.errors] == [
        ("definition", "unknown-library", "enterprise.rules", 2, 5),
        ("definition", "unknown-library", "enterprise.rules", 3, 5)]
    assert libs.errors[0].hint == "did you mean 'common'?"
    assert libs.errors[1].hint is None


def test_use_cycles(tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {
        "a": "use b\nlet x = 1\n", "b": "let y = 1\nuse c\n", "c": "# c\nuse a\n",
        "self": "let q = 1\nuse self\n", "fine": "use a\n"}))
    assert [lib_where(e) for e in libs.errors] == [
        ("definition", "library-cycle", "a.rules", 1, 5),
        ("definition", "library-cycle", "self.rules", 2, 5)]
    assert "a -> b -> c -> a" in libs.errors[0].message


def test_library_definitions_are_checked_against_the_matter(tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {"common": (
        "# 通用规则\n"
        "let big = floor_are > 100\n"
        'let kind_ok = business_kind == "catring"\n'
        "let plus_one(x) = x + 1\n"
        "let adult(id) = years_between(id_birthdate(id), today()) >= 18\n")}))
    assert libs.errors == []
    errors = errors_of("uses: [common]\nlet:\n  t: plus_one(申请人类型) == 1\n", libs)
    got = sorted(lib_where(e) for e in errors)
    assert got == [("name", "unknown-name", "common.rules", 2, 11),
                   ("name", "unknown-option", "common.rules", 3, 32),
                   ("type", "wrong-type", "common.rules", 4, 21)]
    assert all("(in matter T-1)" in e.message for e in errors)
    assert "did you mean 'floor_area'?" in [e.hint for e in errors]


def test_library_function_over_rows_is_not_a_false_error(tmp_path: Path) -> None:
    # count(rows, share > k) is checked before the rows' type is known.
    libs = load_libraries(write(tmp_path, {"common": (
        "let n_big(rows, k) = count(rows, share > k)\n"
        "let total(rows) = sum(rows.share)\n")}))
    rules = RuleSet.build(matter_of(HEAD + (
        "uses: [common]\nlet:\n  many: n_big(shareholders, 10) >= 2\n"
        "  all_in: total(shareholders) == 100\n")), libs)
    assert rules.errors == []
    env = {"shareholders": [{"name": "甲", "share": Decimal(60)},
                            {"name": "乙", "share": Decimal(40)}]}
    for name in ("many", "all_in"):
        program = rules.let_program(name)
        assert program is not None and program(env, EvalContext()) is True


def test_library_error_reported_once_per_matter(tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {"common": "let f(x) = f(x)\n"}))
    errors = errors_of("uses: [common]\nlet:\n  a: f(1)\n  b: f(2)\n  c: f('x')\n", libs)
    assert [lib_where(e) for e in errors] == [("name", "cycle", "common.rules", 1, 12)]


def test_libraries_are_visible_transitively_and_the_matter_comes_first(
        tmp_path: Path) -> None:
    libs = load_libraries(write(tmp_path, {
        "common": "let floor_area = -1\nlet limit = 1000\nlet lim2 = 5\n",
        "enterprise": "use common\nlet over(x) = x > limit\n"}))
    rules = RuleSet.build(matter_of(HEAD + (
        "uses: [enterprise]\nlet:\n  lim2: 50\n  big: over(floor_area)\n"
        "  small: floor_area < lim2\n")), libs)
    assert rules.errors == []
    ctx = EvalContext()
    env = {"floor_area": Decimal(2000)}
    big, small = rules.let_program("big"), rules.let_program("small")
    assert big is not None and small is not None
    assert big(env, ctx) is True  # the field floor_area, not the library's -1
    assert small(env, ctx) is False  # the matter's lim2 (50), not the library's 5


def test_a_field_does_not_hide_a_library_function(tmp_path: Path) -> None:
    # rules/common.rules defines age(id); a matter may still have a field called age.
    libs = load_libraries(write(tmp_path, {"common": (
        "let age(idn) = years_between(id_birthdate(idn), today())\n"
        "let adult(idn) = age(idn) >= 18\n")}))
    text = HEAD.replace("  - {id: 申请人类型, type: text}\n",
                        "  - {id: 申请人类型, type: text}\n  - {id: age, type: number}\n")
    rules = RuleSet.build(matter_of(text + (
        "uses: [common]\nlet:\n  ok: adult(applicant.id_number) and age > 0\n"
        "  bad: floor_area(1)\n")), libs)
    assert [where(e) for e in rules.errors] == [
        ("value-as-function", "m.yaml", text.count("\n") + 4, 8)]
    program = rules.let_program("ok")
    assert program is not None
    env = {"age": Decimal(36), "applicant": {"id_number": "445321199003071230"}}
    assert program(env, EvalContext()) is True


def test_built_in_names(tmp_path: Path) -> None:
    # A library function may not redefine a built-in; a value named like one does not
    # hide it.
    libs = load_libraries(write(tmp_path, {"common": "let x = 1\nlet  len(t) = 0\n"}))
    assert [lib_where(e) for e in libs.errors] == [
        ("name", "builtin-name", "common.rules", 2, 6)]
    rules = RuleSet.build(matter_of(HEAD + (
        'let:\n  date: 1\n  ok: date("2026-11-25") > date("2026-01-01")\n')), None)
    assert rules.errors == []
    program = rules.let_program("ok")
    assert program is not None and program({}, EvalContext()) is True


def test_matter_let_with_a_field_name_is_an_error() -> None:
    errors = errors_of("let:\n  floor_area: floor_area + 1\n")
    assert [where(e) for e in errors] == [("duplicate-name", "m.yaml", FIRST + 1, 15)]


@pytest.mark.parametrize("value", ["1", "1.50", "true", "0x1F"])
def test_a_number_or_boolean_let_keeps_its_position(value: str) -> None:
    errors = errors_of(f"let:\n  floor_area: {value}\n")
    assert [where(e) for e in errors] == [("duplicate-name", "m.yaml", FIRST + 1, 15)]


def test_let_cycle_in_a_matter() -> None:
    errors = errors_of("let:\n  a: b + 1\n  b: a + 1\n")
    assert [e.code for e in errors] == ["cycle"]
    assert "a -> b -> a" in errors[0].message or "b -> a -> b" in errors[0].message


def test_places_are_checked_with_their_types() -> None:
    rules = RuleSet.build(matter_of(HEAD + (
        "checks:\n  - when: floor_area > 1\n    refuse: {zh: 大}\n")), None)
    assert rules.errors == []
    assert Place("check", "0", "when") in rules.typed
