"""预览 Preview: the draft's intake form as the window clerk will see it, live.

The form and the materials checklist are the window's own widgets
(``studio.form_widgets``) drawn from ``form_state``; the side panel is
``run_precheck(..., explain=True)``: what is required now, and why. The
answers are kept per matter in the session for the playground and examples.
Every text of the definition or the answers goes through ``plain``: shown as typed.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from formkit_studio.common import today
from formkit_studio.editor_widgets import (
    ANSWERS,
    HANDED,
    open_loaded_work,
    preview_scope,
    show_errors,
)
from formkit_studio.form_widgets import (
    checklist_widgets,
    clear_scope,
    handed_in,
    load_answers,
    load_materials,
    render_form,
)
from formkit_studio.labels import FORMS, OUTCOMES, rule_text, why, why_text
from formkit_studio.safe_text import plain

from formkit.cases.service import HandedIn
from formkit.definitions.model import Matter
from formkit.desk.checklist import material_checklist, unit_names
from formkit.intake.forms import field_title
from formkit.intake.precheck import PrecheckResult, run_precheck

_ICONS = {"accept": "✅", "accept_with_tolerance": "🕒", "incomplete": "📝", "refuse": "⛔"}


def _restore(matter: Matter, scope: str, code: str) -> None:
    """Coming back from another page: put the kept answers back into the widgets
    (Streamlit forgets the state of widgets a page did not draw)."""
    drawn = any(str(k).startswith(f"{scope}|") and not str(k).startswith(f"{scope}|rows|")
                for k in st.session_state)
    if drawn:
        return
    answers = st.session_state.get(ANSWERS, {}).get(code)
    handed = st.session_state.get(HANDED, {}).get(code)
    if answers:
        load_answers(matter, answers, scope)
    if handed:
        load_materials([HandedIn(**h) for h in handed], scope)


def _clear(scope: str, code: str) -> None:
    clear_scope(scope)
    st.session_state.get(ANSWERS, {}).pop(code, None)
    st.session_state.get(HANDED, {}).pop(code, None)


def submission(answers: dict[str, Any], handed: list[dict[str, Any]]) -> dict[str, Any]:
    """The pre-check input for the preview's answers and materials."""
    return {"fields": answers, "materials": handed}


def _panel(matter: Matter, result: PrecheckResult, units: dict[str, str]) -> None:
    zh, en = OUTCOMES[result.outcome]
    st.subheader("现在需要什么，为什么 What is required now, and why")
    box = {"accept": st.success, "accept_with_tolerance": st.info, "incomplete": st.warning,
           "refuse": st.error}[result.outcome]
    box(f"{_ICONS[result.outcome]} 预检结果 Outcome：{zh} {en}")
    items = material_checklist(matter, result)
    required = [i for i in items if i.required]
    st.markdown(f"**需要的材料 Required materials（{len(required)}）**")
    for item in required:
        # the clerk's words, then the rule as written: the editor checks both
        rule = rule_text(item) if item.condition not in ("true", "false") else ""
        st.markdown(f"- **{plain(item.name)}**（{' '.join(FORMS[item.form])} ×{item.copies}）："
                    f"{plain(why_text(item))}" + (f"　:small[规则 rule：{plain(rule)}]"
                                                  if rule else ""))
    if result.missing_materials:
        st.markdown("**缺少的材料 Missing**")
        for m in result.missing_materials:
            name = next((i.name for i in items if i.id == m.id), m.id)
            st.markdown(f"- {plain(name)}：{plain(m.reason)}")
    if result.tolerated_materials:
        st.markdown("**容缺（受理后补交）Tolerated, to follow**")
        for m in result.tolerated_materials:
            st.markdown(f"- {plain(next((i.name for i in items if i.id == m.id), m.id))}")
    for title, findings in (("不予受理的原因 Reasons to refuse", result.refusals),
                            ("提醒窗口 Warnings for the clerk", result.warnings)):
        if findings:
            st.markdown(f"**{title}**")
            for f in findings:
                st.markdown(f"- {plain(f.message)}　:small[{plain(why(f.condition, f.values))}]")
    if result.field_errors:
        st.markdown(f"**表单问题 Form problems（{len(result.field_errors)}）**")
        for e in result.field_errors:
            st.markdown(f"- {plain(field_title(matter, e.field))}：{plain(e.message)}")
    if result.route_explained:
        st.markdown("**办理流程 Route**")
        for n, step in enumerate(result.route_explained, 1):
            shown = "、".join(plain(units.get(u, u)) for u in step.units)
            st.markdown(f"{n}. {shown}　:small[{plain(why(step.condition, step.values))}]")
    if result.committed_deadline is not None:
        st.markdown(f"**办结时限 Deadlines**：承诺 committed {result.committed_deadline}，"
                    f"法定 statutory {result.statutory_deadline}")
    if result.fee is not None:
        st.markdown(f"**收费 Fee**：{result.fee} 元 yuan")


def main() -> None:
    opened = open_loaded_work("👁️ 预览 Preview", "窗口看到的申请表，随草稿实时变化 The intake "
                              "form the window will see, live from the draft")
    if opened is None:
        return
    work, rules = opened
    if work.check.errors:
        with st.expander(f"⚠️ 草稿有 {len(work.check.errors)} 处错误，预览可能不完整 The draft "
                         "has errors; the preview may be incomplete"):
            show_errors(work.check.errors)
    matter, code = rules.matter, work.code
    scope = preview_scope(code)
    _restore(matter, scope, code)
    day, calendar = today(), work.opened.work_calendar()
    handed = [h.model_dump(include={"id", "form", "copies"}) for h in handed_in(matter, scope)]
    c1, c2 = st.columns([3, 1])
    show_required = c1.toggle("显示所有必填提示 Show every required-field message",
                              key="pv_show_required")
    c2.button("🧹 清空 Clear answers", key="pv_clear", on_click=_clear, args=(scope, code))
    left, right = st.columns([3, 2])
    with left:
        st.subheader("申请表 Intake form")
        answers, _ = render_form(rules, scope, today=day, calendar=calendar,
                                 show_required=show_required)
    result = run_precheck(rules, submission(answers, handed), today=day, calendar=calendar,
                          explain=True)
    st.session_state.setdefault(ANSWERS, {})[code] = answers
    st.session_state.setdefault(HANDED, {})[code] = handed
    with left:
        st.subheader("材料清单 Materials checklist")
        checklist_widgets(material_checklist(matter, result), scope)
    with right, st.container(border=True, key="pv_panel"):
        catalog = work.opened.catalog
        _panel(matter, result, unit_names(catalog) if catalog else {})


main()
