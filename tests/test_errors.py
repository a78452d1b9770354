"""Errors: one tree, the contract's error object, and the rendered file:line:col, line,
caret, hint."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re

import pytest

import formkit
import formkit.errors
from formkit.errors import (
    DefinitionError,
    EditError,
    EvaluationError,
    FormkitError,
    FormkitErrors,
    IllegalTransition,
    InputError,
    LimitError,
    NotFoundError,
    RuleNameError,
    RuleSyntaxError,
    RuleTypeError,
    SourceSpan,
    StoreError,
    render_errors,
)

SOURCE = "code: XX-1\nconstraint: 经营面积 > 0 and 面积 < 100\n\tkind: x\n"


def _span(line: int, column: int, end_column: int | None = None) -> SourceSpan:
    return SourceSpan("definitions/ms/a.yaml", line, column,
                      line if end_column else None, end_column, SOURCE)


def test_rendered_text_is_pinned() -> None:
    err = RuleNameError("unknown name '面积'; did you mean '经营面积'?", _span(2, 26, 28),
                        hint="did you mean '经营面积'?", code="unknown-name")
    assert err.render() == (
        "definitions/ms/a.yaml:2:26: name error: unknown name '面积'; did you mean '经营面积'?\n"
        "    constraint: 经营面积 > 0 and 面积 < 100\n"
        "                                 ^^^^\n"
        "    hint: did you mean '经营面积'?")
    assert str(err) == err.render()


def test_the_caret_is_under_the_character_whatever_its_width() -> None:
    # 经营面积 is four characters but eight terminal columns; column 18 is the '>'.
    err = DefinitionError("x", _span(2, 18))
    line, caret = err.render().splitlines()[1:3]
    assert line[4:].startswith("constraint: 经营面积 >")
    assert caret == " " * (4 + len("constraint: ") + 8 + 1) + "^"


def test_a_caret_spans_the_display_width_of_its_range() -> None:
    err = DefinitionError("x", _span(2, 13, 17))  # 经营面积
    assert err.render().splitlines()[2] == " " * (4 + 12) + "^" * 8


def test_a_tab_before_the_column_counts_as_one_column() -> None:
    err = DefinitionError("tab", _span(3, 1))
    lines = err.render().splitlines()
    assert lines[1] == "     kind: x" and lines[2] == "    ^"
    err = DefinitionError("x", _span(3, 8))
    lines = err.render().splitlines()
    assert lines[2] == "    " + " " * 7 + "^"
    assert lines[1][4 + 7] == "x"


@pytest.mark.parametrize(("span", "first_line"), [
    # No span: just the kind and the message.
    (None, "definition error: broken"),
    # A file but no line (an unreadable file).
    (SourceSpan("a.yaml"), "a.yaml: definition error: broken"),
    # A line but no column.
    (SourceSpan("a.yaml", 3), "a.yaml:3: definition error: broken"),
    # No file name (an expression typed in the studio).
    (SourceSpan(None, 1, 4), "<input>:1:4: definition error: broken"),
])
def test_partial_positions_render_what_is_known(span: SourceSpan | None,
                                                first_line: str) -> None:
    rendered = DefinitionError("broken", span).render()
    assert rendered == first_line


def test_a_line_past_the_source_shows_no_source_line() -> None:
    err = DefinitionError("end", SourceSpan("a.yaml", 9, 1, source="a: 1\n"), hint="close it")
    assert err.render() == "a.yaml:9:1: definition error: end\n    hint: close it"


def test_to_json_is_the_contract_error_object() -> None:
    err = RuleTypeError("'>' cannot compare a number with a text", _span(2, 18),
                        hint="both sides must have the same type", code="wrong-type")
    doc = err.to_json()
    # the contract's keys, and the stable code (cli.md's example has no code; http-api.md
    # lists it)
    assert doc == {"kind": "type", "message": "'>' cannot compare a number with a text",
                   "code": "wrong-type", "file": "definitions/ms/a.yaml", "line": 2,
                   "column": 18, "hint": "both sides must have the same type"}
    # The source text never leaks into the object, and it is plain JSON.
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc


def test_to_json_leaves_out_what_is_not_known() -> None:
    assert InputError("no such folder: x").to_json() == {
        "kind": "io", "message": "no such folder: x", "code": "io"}
    assert InputError("cannot read", SourceSpan("a.yaml")).to_json() == {
        "kind": "io", "message": "cannot read", "code": "io", "file": "a.yaml"}


@pytest.mark.parametrize(("cls", "kind"), [
    (DefinitionError, "definition"), (RuleSyntaxError, "syntax"), (RuleNameError, "name"),
    (RuleTypeError, "type"), (EvaluationError, "evaluation"), (LimitError, "limit"),
    (InputError, "io"),
])
def test_every_kind_of_the_contract_has_its_class(cls: type[FormkitError], kind: str) -> None:
    err = cls("m")
    assert isinstance(err, FormkitError) and err.kind == kind
    assert err.code == kind  # the code defaults to the kind
    assert cls.__doc__ and cls.__doc__.startswith("Raised")


@pytest.mark.parametrize(("cls", "kind", "code"), [
    # an edit the authoring pages cannot make is a definition error
    (EditError, "definition", "definition"),
    # the contract: an action the state does not allow is evaluation/illegal-transition
    (IllegalTransition, "evaluation", "illegal-transition"),
    # the store's files, and malformed case numbers
    (StoreError, "io", "io"),
    # a number no case has: something named does not exist, never an io error
    (NotFoundError, "name", "name"),
])
def test_the_errors_from_elsewhere_have_their_kind_and_default_code(
        cls: type[FormkitError], kind: str, code: str) -> None:
    err = cls("m")
    assert (err.kind, err.code) == (kind, code)
    assert cls("m", code="more-precise").code == "more-precise"


def _formkit_error_classes() -> set[type[FormkitError]]:
    """Every FormkitError subclass defined in the formkit package (all modules imported)."""
    for info in pkgutil.walk_packages(formkit.__path__, "formkit."):
        if not info.name.endswith(".__main__"):  # running it is the command line
            importlib.import_module(info.name)
    found: set[type[FormkitError]] = set()
    todo = [FormkitError]
    while todo:
        cls = todo.pop()
        if cls.__module__.split(".")[0] == "formkit" and cls not in found:
            found.add(cls)
            todo.extend(cls.__subclasses__())
    return found


def test_every_error_class_is_in_one_tree() -> None:
    classes = _formkit_error_classes()
    elsewhere = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes
                       if c.__module__ != "formkit.errors")
    assert elsewhere == [], "error classes belong in formkit/errors.py"
    tree = (formkit.errors.__doc__ or "").split("Exception tree", 1)[1]
    for cls in classes:
        doc = cls.__doc__ or ""
        # one line saying when it is raised (the base says what it is)
        assert "\n" not in doc.strip(), cls
        assert cls is FormkitError or doc.startswith("Raised"), cls
        assert re.search(rf"\b{cls.__name__}\b", tree), f"{cls.__name__} is missing from the tree"
        assert cls.__name__ in formkit.errors.__all__


def test_formkit_errors_says_how_many_more() -> None:
    errors = [DefinitionError("first", _span(1, 1), hint="h1", code="unknown-key"),
              LimitError("second"), RuleNameError("third")]
    many = FormkitErrors(errors)
    assert many.message == "first ... and 2 more"
    assert list(many) == errors and many.errors == errors
    # It stands for its first error where one error is expected.
    assert (many.kind, many.code, many.span, many.hint) == ("definition", "unknown-key",
                                                            errors[0].span, "h1")
    assert many.to_json()["message"] == "first ... and 2 more"
    with pytest.raises(FormkitError):
        raise many


def test_formkit_errors_of_one_and_of_none() -> None:
    assert FormkitErrors([LimitError("only")]).message == "only"
    assert FormkitErrors([LimitError("only")]).kind == "limit"
    assert FormkitErrors([]).message == "no errors"


def test_render_errors_renders_every_error_and_counts_them() -> None:
    errors = [DefinitionError("first", _span(1, 1)), LimitError("second")]
    text = render_errors(errors)
    assert text == (errors[0].render() + "\n\n" + errors[1].render() + "\n\n2 errors")
    assert FormkitErrors(errors).render() == text
    assert render_errors([errors[1]]) == errors[1].render()
    assert render_errors([]) == ""


def test_shifted_keeps_the_file_and_source() -> None:
    span = _span(1, 1).shifted(2, 13, 2, 17)
    assert (span.file, span.line, span.column, span.end_line, span.end_column) == (
        "definitions/ms/a.yaml", 2, 13, 2, 17)
    assert span.source_line() == "constraint: 经营面积 > 0 and 面积 < 100"


def test_source_lines_end_at_newlines_only() -> None:
    # U+2028 and form feeds are not line ends to formkit (nor to an editor's line count).
    span = SourceSpan("a.yaml", 2, 1, source="a: 甲\u2028乙\fx\r\nb: 2\r\n")
    assert span.source_line() == "b: 2"
    assert SourceSpan("a.yaml", 1, 1, source="a: 甲\u2028乙\n").source_line() == "a: 甲\u2028乙"
    assert SourceSpan("a.yaml", 2, 1, source="a: 1\n").source_line() is None
    assert SourceSpan("a.yaml", 2, 1, source="a: 1\nb").source_line() == "b"
