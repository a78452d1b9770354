"""The playground page by AppTest: any expression, against the preview's answers."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from tests.studio.authoring import SCOPE, codes, go, on_matter


def value_and_type(app: AppTest) -> tuple[str, str]:
    return app.code[0].value, str(app.metric[0].value)


def test_value_and_type_of_an_expression_on_the_preview_answers(
        signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "preview.py")
    app.selectbox(key=f"{SCOPE}|premises").set_value("rented").run()
    app.text_input(key=f"{SCOPE}|floor_area").input("45").run()
    app.text_input(key=f"{SCOPE}|operator.id_number").input("445321199003071230").run()
    go(app, "playground.py")
    app.text_input(key="pg_expr").input('premises == "rented" and floor_area > 40').run()
    assert not app.exception
    assert value_and_type(app) == ("true", "bool")
    app.text_input(key="pg_expr").input("floor_area * 2").run()
    assert value_and_type(app) == ("90", "number")
    app.text_input(key="pg_expr").input("operator_age").run()  # a let value
    assert value_and_type(app) == ("36", "number")
    app.text_input(key="pg_expr").input("adult(operator.id_number)").run()  # a library
    assert value_and_type(app) == ("true", "bool")
    app.text_input(key="pg_expr").input("business_name").run()  # not answered
    assert value_and_type(app) == ("null", "text")


def test_an_error_is_shown_with_its_caret_and_hint(signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "playground.py")
    app.text_input(key="pg_expr").input('premises == "rentd"').run()
    assert not app.exception
    assert "表达式有错误" in app.error[0].value
    assert codes(app) == ['<input>:1:13: name error: "rentd" is not an option of this choice\n'
                          '    premises == "rentd"\n'
                          '                ^^^^^^^\n'
                          "    hint: did you mean 'rented'?"]
    app.text_input(key="pg_expr").input("floor_area +").run()
    assert "syntax error" in codes(app)[0]


def test_the_expression_is_kept_across_pages(signed_in: Callable[..., AppTest]) -> None:
    app = on_matter(signed_in, "ms_editor", "playground.py")
    app.text_input(key="pg_expr").input("today()").run()
    assert value_and_type(app) == ('"2026-11-25"', "date")
    go(app, "editor.py")
    go(app, "playground.py")
    assert app.text_input(key="pg_expr").value == "today()"
