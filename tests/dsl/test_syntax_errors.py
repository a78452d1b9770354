"""Syntax errors: every known-bad example gets its friendly message, and renders stay put.

``SYNTAX_ERRORS`` in ``formkit.dsl.parser`` is shared by the parser (its messages
and hints) and these tests (its examples). The golden files under
``tests/golden/dsl/`` pin the rendered text of a few errors; run with
``FORMKIT_UPDATE_GOLDEN=1`` to rewrite them after a deliberate change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from formkit.definitions.loader import load_matter_text
from formkit.dsl.checker import Scope
from formkit.dsl.compiler import EvalContext
from formkit.dsl.library import load_libraries
from formkit.dsl.parser import SYNTAX_ERRORS, parse_expression
from formkit.dsl.pipeline import evaluate_text
from formkit.dsl.types import NUMBER, TEXT, T
from formkit.errors import FormkitError, RuleSyntaxError, render_errors
from formkit.ruleset import RuleSet

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "dsl"

EXAMPLES = [(label, example) for label, (_, _, examples) in SYNTAX_ERRORS.items()
            for example in examples]


@pytest.mark.parametrize(("label", "example"), EXAMPLES,
                         ids=[f"{label}:{example}" for label, example in EXAMPLES])
def test_every_example_gets_its_label(label: str, example: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_expression(example)
    err = info.value
    message, hint, _ = SYNTAX_ERRORS[label]
    assert err.code == label, err.render()
    assert err.kind == "syntax"
    assert message in err.message
    assert err.hint == hint
    assert err.span is not None and err.span.line == 1 and err.span.column is not None
    assert 1 <= err.span.column <= len(example) + 1


def test_every_label_has_examples() -> None:
    for label, (message, hint, examples) in SYNTAX_ERRORS.items():
        assert message and hint and examples, label


# Where the error points: at the offending token, or just after the last one when
# the expression ends too early. Comments and trailing blanks are not "the end".
POSITIONS = [
    ("x and and y", "double-operator", 1, 7, 10),
    ("1 +", "missing-right", 1, 4, 5),
    ("x and # why\n", "missing-right", 1, 6, 7),
    ("a ==   ", "missing-right", 1, 5, 6),
    ("(a and b", "unclosed", 1, 9, 10),
    ("f(x))", "extra-close", 1, 5, 6),
    ("age = 18", "single-equals", 1, 5, 6),
    ("a b", "missing-operator", 1, 3, 4),
    ("申请人类型 == == 1", "double-operator", 1, 10, 12),
    ("x >\n  and y", "double-operator", 2, 3, 6),
    ("if a then\n  b", "if-else", 2, 4, 5),
]


@pytest.mark.parametrize(("text", "code", "line", "column", "end"), POSITIONS,
                         ids=[p[0] for p in POSITIONS])
def test_error_positions(text: str, code: str, line: int, column: int, end: int) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_expression(text)
    span = info.value.span
    assert span is not None
    assert (info.value.code, span.line, span.column, span.end_column) == (
        code, line, column, end)


# Inputs the table does not cover get a plain, truthful message: never a label that
# describes something else (a stray comma is not "a closing bracket").
PLAIN = ["a, b", "()", "a[]", "a.1", "a.and", "1.5.3", ".5", "a not b"]


@pytest.mark.parametrize("text", PLAIN)
def test_other_errors_are_plain(text: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_expression(text)
    assert info.value.code == "syntax"
    assert info.value.message.startswith(("unexpected", "the expression ends"))
    assert info.value.hint


BAD_CHARACTERS = [
    ("a & b", "write 'and'"),
    ("a | b", "write 'or'"),
    ("a ! b", "'!='"),
    ("f（x）", "'('"),
    ("f(x，y)", "','"),
    ("“张三”", "ASCII quotes"),
    ("'abc", "matching '"),
    ("a $ b", "names are letters"),
    ("age >\u200b 18", "delete it"),  # a zero-width space, named by its code point
]


@pytest.mark.parametrize(("text", "hint"), BAD_CHARACTERS, ids=[b[0] for b in BAD_CHARACTERS])
def test_bad_characters(text: str, hint: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_expression(text)
    assert info.value.code == "bad-character"
    assert hint in (info.value.hint or "")


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "# only a comment"])
def test_empty_expressions(text: str) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse_expression(text)
    assert info.value.code == "empty"


# ---- golden renders ------------------------------------------------------------------------

def check_golden(name: str, title: str, rendered: str) -> None:
    """Compare ``rendered`` with ``tests/golden/dsl/NAME.txt`` (rewritten on request)."""
    path = GOLDEN / f"{name}.txt"
    text = f"# title: {title}\n{rendered}\n"
    if os.environ.get("FORMKIT_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"missing golden file {path}; run with FORMKIT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs from:\n{text}"


def _error_of(expr: str, fields: dict[str, T] | None = None) -> FormkitError:
    with pytest.raises(FormkitError) as info:
        evaluate_text(expr, Scope(fields=fields or {}), {}, EvalContext())
    return info.value


def test_golden_double_operator() -> None:
    err = _error_of("floor_area > 0 and and premises_rented")
    check_golden("double_operator", "two operators in a row, bare expression", err.render())


def test_golden_unclosed_bracket() -> None:
    err = _error_of('len(trim(name) > 2 and matches(name, "^[张王李]")')
    check_golden("unclosed", "an unclosed bracket is reported after the last token",
                 err.render())


def test_golden_unknown_name_with_cjk() -> None:
    err = _error_of('申请人类型 == "个人" and 经营面织 > 0',
                    {"申请人类型": TEXT, "经营面积": NUMBER})
    check_golden("unknown_name_cjk", "carets line up under CJK text", err.render())


def test_golden_chinese_punctuation() -> None:
    err = _error_of("len（name） > 0", {"name": TEXT})
    check_golden("chinese_bracket", "a full-width bracket typed with a Chinese IME",
                 err.render())


MATTER = """\
code: "XX-MS-0009"
name: {zh: 个体工商户设立登记}
department: market_supervision
kind: administrative_licensing
time_limit: {statutory_days: 15, committed_days: 3}
form:
  - {id: floor_area, type: number, label: {zh: 经营面积}}
  - id: business_kind
    type: choice
    options:
      - {value: retail, label: {zh: 零售}}
      - {value: catering, label: {zh: 餐饮}}
checks:
  - when: business_kind == "catring" and floor_are > 500
    warn: {zh: 经营面积较大，请核实}
  - when: |
      # 餐饮面积
      floor_area >
    warn: {zh: 面积}
"""


def test_golden_matter_errors() -> None:
    matter, doc = load_matter_text(MATTER, "definitions/market_supervision/m.yaml")
    assert matter is not None, doc.errors
    rules = RuleSet.build(matter, None)
    check_golden("matter_errors", "every error of a matter, placed in its YAML file",
                 render_errors(rules.errors))


def test_golden_library_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "common.rules").write_text(
        "# 通用规则\nlet adult(id) = years_between(id_birthdate(id), today()) >= 18 and\n"
        "let minor(id) = not adult(id)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    libs = load_libraries(Path("rules"))
    check_golden("library_error", "a definition ending in 'and' before the next 'let'",
                 render_errors(libs.errors))
