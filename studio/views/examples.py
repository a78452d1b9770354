"""示例 Examples: run the matter's ``tests:``, save the preview as a new one, see coverage.

Results are ``run_examples(..., coverage=True)`` on the catalog with the draft;
a new example's ``expect`` is what the pre-check says of the preview now.
An example's name and what a failure says of it go through ``plain``: shown as typed.
"""

from __future__ import annotations

import streamlit as st
from formkit_studio.common import current_user, today
from formkit_studio.editor_widgets import (
    ANSWERS,
    HANDED,
    Work,
    apply_edit,
    flash,
    open_loaded_work,
    preview_scope,
)
from formkit_studio.form_widgets import clear_scope, load_answers, load_materials
from formkit_studio.labels import OUTCOMES
from formkit_studio.safe_text import plain

from formkit.authoring.access import concerned_bundles
from formkit.authoring.saved_examples import add_example, example_entry
from formkit.cases.service import HandedIn
from formkit.definitions.model import Example
from formkit.dsl.compiler import EvalContext
from formkit.intake.examples import run_examples
from formkit.intake.forms import form_state
from formkit.intake.precheck import run_precheck


def _open_in_preview(work: Work, example: Example) -> None:
    assert work.check.matter is not None
    scope = preview_scope(work.code)
    clear_scope(scope)
    handed = [m.model_dump(exclude_none=True) for m in example.materials]
    load_answers(work.check.matter, example.fields, scope)
    load_materials([HandedIn(**h) for h in handed], scope)
    st.session_state.setdefault(ANSWERS, {})[work.code] = dict(example.fields)
    st.session_state.setdefault(HANDED, {})[work.code] = handed
    st.switch_page("views/preview.py")


def _results(work: Work) -> None:
    matter = work.check.matter
    assert matter is not None
    report = run_examples(work.opened, coverage=True, codes=[matter.code])
    failures = {f.test: f for f in report.failures}
    c1, c2, c3 = st.columns(3)
    c1.metric("示例 Examples", len(matter.tests))
    c2.metric("通过 Passed", report.passed)
    c3.metric("未通过 Failed", report.failed)
    if not matter.tests:
        st.info("还没有示例。在预览中填好后，可在下方保存为示例 No examples yet: fill in the "
                "preview, then save it below")
    for i, example in enumerate(matter.tests):
        failure = failures.get(example.name)
        with st.container(border=True, key=f"ex_item_{i}"):
            head, button = st.columns([5, 1])
            head.markdown(f"{'❌' if failure else '✅'} **{plain(example.name)}**"
                          + (f"　:small[办理日 day {example.today}]" if example.today else ""))
            if button.button("在预览中打开 Open in preview", key=f"ex_open_{i}"):
                _open_in_preview(work, example)
            if failure is not None:
                st.error("与预期不同 Differs from what it expects")
                for problem in failure.message.split("; "):
                    st.markdown(f"- {plain(problem)}")
    st.subheader("条件覆盖 Condition coverage")
    uncovered = report.uncovered or []
    if not uncovered:
        st.success("每个条件都有示例使其为真、也有示例使其为假 Every condition was made both "
                   "true and false by some example")
    else:
        st.warning(f"{len(uncovered)} 个条件未被完全覆盖 conditions are not fully covered")
        st.dataframe([{"位置 Place": u.place, "条件 Condition": u.condition,
                       "从未为 Never": "、".join("真 true" if v else "假 false" for v in u.never)}
                      for u in uncovered], hide_index=True, width="stretch",
                     key="ex_coverage")


def _bundles(work: Work) -> None:
    """The examples of each 高效办成一件事 the editor's department has a part in, run on
    the catalog with the draft in it: a change to a member matter shows here at once."""
    user = current_user()
    codes = concerned_bundles(work.opened, user) if user is not None else []
    if not codes:
        return
    st.subheader("高效办成一件事的示例 Bundle examples")
    st.caption("本部门有事项参与的“一件事”：以含本草稿的目录运行其示例 The examples of the "
               "bundles with a matter of your department, run with this draft")
    for code in codes:
        bundle = work.opened.bundles[code]
        report = run_examples(work.opened, codes=[code])
        failures: dict[str, list[str]] = {}
        for f in report.failures:
            failures.setdefault(f.test, []).append(f.message)
        with st.container(border=True, key=f"ex_bundle_{code}"):
            st.markdown(f"🔗 **{plain(bundle.name.zh)}**　:small[{plain(code)}]　"
                        f"通过 passed {report.passed} / {len(bundle.tests)}"
                        + (f"　未通过 failed {report.failed}" if report.failed else ""))
            if not bundle.tests:
                st.caption("这件事还没有示例 No examples yet")
            for example in bundle.tests:
                problems = failures.get(example.name)
                st.markdown(f"{'❌' if problems else '✅'} {plain(example.name)}"
                            + (f"　:small[办理日 day {example.today}]" if example.today
                               else ""))
                for message in problems or []:
                    for problem in message.split("; "):
                        st.markdown(f"　- {plain(problem)}")


def _save(work: Work) -> None:
    rules = work.check.rules
    assert rules is not None
    st.subheader("把预览保存为示例 Save the preview as an example")
    answers = st.session_state.get(ANSWERS, {}).get(work.code) or {}
    handed = st.session_state.get(HANDED, {}).get(work.code) or []
    day, calendar = today(), work.opened.work_calendar()
    state, _ = form_state(rules, answers, ctx=EvalContext(day, calendar))
    result = run_precheck(rules, {"fields": answers, "materials": handed}, today=day,
                          calendar=calendar)
    zh, en = OUTCOMES[result.outcome]
    st.caption(f"预览的预检结果 The preview's pre-check now：{zh} {en}；已收材料 handed in："
               f"{len(handed)}。保存后，示例会要求同样的结果 The example will expect the same.")
    name = st.text_input("示例名称 Example name", key="ex_name")
    if st.button("💾 保存为示例 Save as example", key="ex_save"):
        if not name.strip():
            st.error("请填写示例名称 Give the example a name")
            return
        entry = example_entry(name, day, state.values, answers, handed, result)
        if apply_edit(work.code, lambda text: add_example(text, entry)):
            flash(f"已保存示例 Example saved: {plain(name)}")
        st.rerun()


def main() -> None:
    opened = open_loaded_work("✅ 示例 Examples")
    if opened is None:
        return
    work = opened[0]
    if work.check.errors:
        st.warning(f"草稿有 {len(work.check.errors)} 处错误，示例无法通过 The draft has errors; "
                   "its examples cannot pass")
    _results(work)
    _bundles(work)
    _save(work)


main()
