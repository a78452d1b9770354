"""试算 Playground: evaluate any expression against the preview's answers.

The scope is the draft's own (fields, ``let:`` values, libraries); the data is
the environment ``form_state`` makes of the preview's answers; the value and
its type come from ``evaluate_text``. Names are identifiers (shown as code); a type
names fields of the definition, so it goes through ``plain``.
"""

from __future__ import annotations

import json

import streamlit as st
from formkit_studio.common import today
from formkit_studio.editor_widgets import ANSWERS, bind, open_loaded_work, show_errors
from formkit_studio.safe_text import plain

from formkit.dsl.compiler import EvalContext
from formkit.dsl.pipeline import evaluate_text
from formkit.errors import FormkitError
from formkit.intake.forms import form_state
from formkit.values import to_json

_SAVED = "pg_expr_saved"  # the expression, kept across pages (widget state is not)


def _typed() -> None:
    st.session_state[_SAVED] = st.session_state.get("pg_expr", "")


def main() -> None:
    opened = open_loaded_work("🧮 试算 Playground", "用预览中填写的内容计算任意表达式 Evaluate "
                              "any expression against the preview's answers")
    if opened is None:
        return
    work, rules = opened
    answers = st.session_state.get(ANSWERS, {}).get(work.code) or {}
    ctx = EvalContext(today(), work.opened.work_calendar())
    _, env = form_state(rules, answers, ctx=ctx)
    if "pg_expr" not in st.session_state:
        bind("pg_expr", st.session_state.get(_SAVED, ""), "saved")
    expression = st.text_input("表达式 Expression", key="pg_expr", on_change=_typed,
                               placeholder='例如 e.g. premises == "rented" and floor_area > 50')
    st.session_state[_SAVED] = expression
    if expression.strip():
        try:
            value, typ = evaluate_text(expression, rules.scope, env, ctx)
        except FormkitError as exc:
            st.error("表达式有错误 The expression has an error")
            show_errors(list(exc.errors) if hasattr(exc, "errors") else [exc])
        else:
            c1, c2 = st.columns([3, 1])
            with c1:
                st.markdown("**值 Value**")
                st.code(json.dumps(to_json(value), ensure_ascii=False), language="json")
            c2.metric("类型 Type", str(typ))
    if not answers:
        st.info("预览中还没有填写内容，字段的值都为空 No answers in the preview yet: every "
                "field is empty")
    with st.expander("可用的名称 Names you can use"):
        scope = rules.scope
        st.markdown("**字段 Fields**：" + "，".join(f"`{n}`: {plain(t)}"
                                            for n, t in scope.fields.items()))
        if scope.lets:
            st.markdown("**计算值 Let values**：" + "，".join(f"`{n}`" for n in scope.lets))
        if scope.libs:
            st.markdown("**规则库 Libraries**：" + "，".join(f"`{n}`" for n in scope.libs))
    with st.expander("预览中的答案 The preview's answers"):
        st.json(answers)


main()
