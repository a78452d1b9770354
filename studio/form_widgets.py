"""The generated form and the materials checklist, drawn from formkit's state.

Every decision shown (visible, required, computed values, errors, required
materials and why) comes from ``formkit.intake.forms.form_state`` and
``formkit.intake.precheck.run_precheck``; this module only maps fields to widgets and
reads the answers back from the session.

Widget keys are ``{scope}|{path}`` (``new:XX-MS-0002|operator.uscc``,
``…|shareholders[1].holder_name``), repeat row counts ``{scope}|rows|{path}``,
materials ``{scope}|mat|{id}|in`` / ``|form`` / ``|copies`` / ``|sighted``. The
scope (``new:<matter code>`` or ``case:<number>``) keeps answers of different
matters and cases apart; a bundle's (``bundle:<code>``) shared questions are drawn
in it, each member's own in ``bundle:<code>|<member code>``.

Every text from the definition (labels, help, option names, material names, notes,
standards) and from the answers (computed values, the values in field errors) goes
through ``plain`` wherever Streamlit reads Markdown: it is shown as typed, never as
markup. Placeholders and select options are shown as they are, so they go as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import streamlit as st
from formkit_studio.labels import FORMS, why_text
from formkit_studio.safe_text import plain

from formkit.cases.service import HandedIn
from formkit.definitions.model import FieldType, FormField, Matter
from formkit.desk.checklist import ChecklistItem
from formkit.dsl.compiler import EvalContext
from formkit.intake.forms import FieldState, FormState, form_state
from formkit.intake.messages import message
from formkit.ruleset import RuleSet

__all__ = ["checklist_widgets", "clear_scope", "draw_state", "form_answers", "handed_in",
           "load_answers", "load_materials", "render_form"]

_MIN_DATE, _MAX_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
_REQUIRED = {message("required", "zh"), message("required", "en")}
_TEXTS = (FieldType.text, FieldType.id_number, FieldType.uscc, FieldType.mobile,
          FieldType.email, FieldType.number, FieldType.integer, FieldType.money)
_HINTS = {FieldType.id_number: "18位公民身份号码 18-character ID number",
          FieldType.uscc: "18位统一社会信用代码 18-character USCC",
          FieldType.mobile: "11位手机号码 11-digit mobile",
          FieldType.number: "数字 number", FieldType.integer: "整数 whole number",
          FieldType.money: "金额（元）amount in yuan", FieldType.email: "name@example.com"}


def _key(scope: str, path: str) -> str:
    return f"{scope}|{path}"


def _rows_key(scope: str, path: str) -> str:
    return f"{scope}|rows|{path}"


def _rows(scope: str, f: FormField, path: str) -> int:
    """How many rows a repeat has on screen (its ``min``, at least, to start with)."""
    start = int(f.min) if f.min is not None and f.min > 0 else 0
    count: int = st.session_state.setdefault(_rows_key(scope, path), start)
    return count


def _label(f: FormField, required: bool, suffix: str) -> str:
    """The field's label as Markdown (its text escaped), with the row and a star."""
    text = f.label.zh + (f" {f.label.en}" if f.label.en else "") if f.label else f.id
    return plain(text) + suffix + (" *" if required else "")


# ---------------------------------------------------------------- answers


def _answers(fields: Iterable[FormField], scope: str, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        path = prefix + f.id
        if f.value is not None:
            continue  # computed: formkit works it out
        if f.type == FieldType.group:
            out[f.id] = _answers(f.fields or [], scope, path + ".")
        elif f.type == FieldType.repeat:
            out[f.id] = [_answers(f.fields or [], scope, f"{path}[{i}].")
                         for i in range(_rows(scope, f, path))]
        else:
            value = st.session_state.get(_key(scope, path))
            if isinstance(value, dt.date):
                value = value.isoformat()  # answers stay JSON, as the store keeps them
            if value is not None and value != "" and value != []:
                out[f.id] = value
    return out


def form_answers(matter: Matter, scope: str) -> dict[str, Any]:
    """The answers of ``matter``'s form in the session under ``scope`` (blank left out)."""
    return _answers(matter.form, scope, "")


def render_form(rules: RuleSet, scope: str, *, today: dt.date, calendar: Any,
                show_required: bool) -> tuple[dict[str, Any], FormState]:
    """Draw the form for the answers in the session; return (answers, form state).

    ``show_required``: also show "required" errors of blank fields (after a pre-check);
    format errors (ID, USCC, mobile, numbers, constraints) show as soon as typed.
    """
    matter = rules.matter
    answers = _answers(matter.form, scope, "")
    state, _ = form_state(rules, answers, ctx=EvalContext(today, calendar))
    draw_state(matter.form, state, scope, show_required=show_required)
    return answers, state


def draw_state(fields: Iterable[FormField], state: FormState, scope: str, *,
               show_required: bool, skip: Collection[str] = ()) -> None:
    """Draw ``fields`` as ``state`` (from ``form_state``) has them, widgets keyed under
    ``scope``; the paths in ``skip`` (and what is inside them) are not drawn: a bundle
    member's fields that the shared questions answer. A group left with nothing to
    show is not drawn either."""
    by_path = {fs.path: fs for fs in state.fields}
    _draw(fields, by_path, scope, "", "", show_required, frozenset(skip))


def _shows(f: FormField, by_path: dict[str, FieldState], path: str,
           skip: frozenset[str]) -> bool:
    """Whether a visible group has a field to show once ``skip`` is left out."""
    if f.type != FieldType.group or not skip:
        return True
    for inner in f.fields or []:
        here = f"{path}.{inner.id}"
        fs = by_path.get(here)
        if here not in skip and fs is not None and fs.visible \
                and _shows(inner, by_path, here, skip):
            return True
    return False


def _draw(fields: Iterable[FormField], by_path: dict[str, FieldState], scope: str,
          prefix: str, suffix: str, show_required: bool,
          skip: frozenset[str] = frozenset()) -> None:
    for f in fields:
        path = prefix + f.id
        fs = by_path.get(path)
        if fs is None or not fs.visible or path in skip or not _shows(f, by_path, path, skip):
            continue
        label = _label(f, fs.required, suffix)
        if f.type == FieldType.group:
            with st.container(border=True):
                st.markdown(f"**{label}**")
                _draw(f.fields or [], by_path, scope, path + ".", suffix, show_required, skip)
        elif f.type == FieldType.repeat:
            _repeat(f, fs, label, by_path, scope, path, show_required)
        elif fs.computed:
            shown = plain("" if fs.value is None else fs.value) or "—"
            st.markdown(f"{label}：**{shown}** :small[（自动计算 computed）]")
        else:
            _widget(f, fs, label, _key(scope, path))
        _errors(fs, show_required)


def _errors(fs: FieldState, show_required: bool) -> None:
    blank = fs.value is None or fs.value == "" or fs.value == []
    for text in fs.errors:
        if show_required or not (blank and text in _REQUIRED) or (
                fs.type == "repeat" and fs.rows):
            st.error(f"{plain(fs.label)}：{plain(text)}", icon="⚠️")


def _widget(f: FormField, fs: FieldState, label: str, key: str) -> None:
    t = f.type
    help_text = plain(fs.help) if fs.help else None
    if t in _TEXTS:
        st.text_input(label, key=key, help=help_text,
                      placeholder=fs.placeholder or _HINTS.get(t, ""))
    elif t == FieldType.textarea:
        st.text_area(label, key=key, help=help_text, placeholder=fs.placeholder or "",
                     height=80)
    elif t == FieldType.boolean:
        st.radio(label, [True, False], format_func=lambda v: "是 Yes" if v else "否 No",
                 index=None, horizontal=True, key=key, help=help_text)
    elif t == FieldType.date:
        st.date_input(label, value=None, min_value=_MIN_DATE, max_value=_MAX_DATE, key=key,
                      help=help_text, format="YYYY-MM-DD")
    elif t in (FieldType.choice, FieldType.multichoice):
        labels = {o.value: o.label.zh + (f" {o.label.en}" if o.label.en else "")
                  for o in f.options or []}
        if t == FieldType.choice:
            st.selectbox(label, list(labels), format_func=lambda v: labels.get(v, v),
                         index=None, placeholder="请选择 Choose", key=key, help=help_text)
        else:
            st.multiselect(label, list(labels), format_func=lambda v: labels.get(v, v),
                           placeholder="可多选 Choose one or more", key=key, help=help_text)


def _repeat(f: FormField, fs: FieldState, label: str, by_path: dict[str, FieldState],
            scope: str, path: str, show_required: bool) -> None:
    count = _rows(scope, f, path)
    with st.container(border=True):
        st.markdown(f"**{label}**")
        for i in range(count):
            row = f"{path}[{i}]"
            with st.container(border=True):
                head, remove = st.columns([5, 1])
                head.markdown(f"第{i + 1}行 Row {i + 1}")
                remove.button("删除此行 Remove row", key=f"{scope}|del|{row}",
                              on_click=_remove_row, args=(scope, path, i, count))
                _draw(f.fields or [], by_path, scope, row + ".",
                      f" · 第{i + 1}行 row {i + 1}", show_required)
        full = f.max is not None and count >= f.max
        st.button(f"＋ 添加一行 Add row（{plain(f.title())}）", key=f"{scope}|add|{path}",
                  on_click=_add_row, args=(scope, path, count), disabled=full)


def _add_row(scope: str, path: str, count: int) -> None:
    st.session_state[_rows_key(scope, path)] = count + 1


def _remove_row(scope: str, path: str, index: int, count: int) -> None:
    """Drop row ``index``: the rows below move up, keeping their answers."""
    state = st.session_state
    heads = (f"{scope}|{path}[", f"{scope}|rows|{path}[")

    def row_of(key: str) -> tuple[str, int, str] | None:
        for head in heads:
            if key.startswith(head):
                number, _, rest = key[len(head):].partition("]")
                if number.isdigit():
                    return head, int(number), rest
        return None

    moved: dict[str, Any] = {}
    for key in list(state.keys()):
        found = row_of(str(key))
        if found is None:
            continue
        head, number, rest = found
        value = state[key]
        del state[key]
        if number > index:
            moved[f"{head}{number - 1}]{rest}"] = value
        elif number < index:
            moved[str(key)] = value
    for key, value in moved.items():
        state[key] = value
    state[_rows_key(scope, path)] = max(count - 1, 0)


# ---------------------------------------------------------------- returning applicants


def load_answers(matter: Matter, fields: dict[str, Any], scope: str) -> None:
    """Put a case's stored answers into the form's widgets (before they are drawn)."""
    _load(matter.form, fields, scope, "")


def _load(fields: Iterable[FormField], values: Any, scope: str, prefix: str) -> None:
    values = values if isinstance(values, dict) else {}
    for f in fields:
        path, value = prefix + f.id, values.get(f.id)
        if f.value is not None:
            continue
        if f.type == FieldType.group:
            _load(f.fields or [], value, scope, path + ".")
        elif f.type == FieldType.repeat:
            rows = value if isinstance(value, list) else []
            st.session_state[_rows_key(scope, path)] = len(rows)
            for i, row in enumerate(rows):
                _load(f.fields or [], row, scope, f"{path}[{i}].")
        elif value is not None:
            shown = _widget_value(f, value)
            if shown is not None:
                st.session_state[_key(scope, path)] = shown


def _widget_value(f: FormField, value: Any) -> Any:
    """A stored answer as its widget holds it; None when the widget cannot show it."""
    options = {o.value for o in f.options or []}
    if f.type == FieldType.date:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return None
    if f.type == FieldType.boolean:
        return value if isinstance(value, bool) else None
    if f.type == FieldType.choice:
        return str(value) if str(value) in options else None
    if f.type == FieldType.multichoice:
        items = value if isinstance(value, list) else [value]
        return [str(v) for v in items if str(v) in options]
    return str(value)


def load_materials(materials: Iterable[HandedIn], scope: str) -> None:
    """Tick what the applicant already handed in (a returning applicant)."""
    for m in materials:
        base = f"{scope}|mat|{m.id}"
        st.session_state[f"{base}|in"] = True
        if m.form in FORMS:
            st.session_state[f"{base}|form"] = m.form
        if m.copies is not None:
            st.session_state[f"{base}|copies"] = m.copies
        st.session_state[f"{base}|sighted"] = m.original_sighted


def clear_scope(scope: str) -> None:
    """Forget every answer and tick of ``scope`` (the next applicant)."""
    for key in list(st.session_state.keys()):
        if str(key).startswith(f"{scope}|"):
            del st.session_state[key]


# ---------------------------------------------------------------- materials


_STATUS = {"handed_in": "✅ 已收 handed in", "missing": "❌ 缺 missing",
           "tolerated": "🕒 容缺 to follow", "fetched": "🔗 窗口调取 fetched",
           "not_required": "— 无需 not required"}


def checklist_widgets(items: list[ChecklistItem], scope: str, *, start: int = 1,
                      serves: Mapping[str, str] | None = None) -> int:
    """The clerk's checklist: required materials to tick, with why; the others listed.

    ``start``: the first item's number (a bundle numbers on across its sections);
    ``serves``: by material id, the matters a material handed in once is for.
    Returns the number the next list starts at.
    """
    required = [i for i in items if i.required]
    others = [i for i in items if not i.required]
    if not required and start == 1:
        st.info("按目前填写的内容，无需提交材料 No material is required for these answers")
    for n, item in enumerate(required, start):
        base = f"{scope}|mat|{item.id}"
        with st.container(border=True):
            st.markdown(f"**{n}. {plain(item.name)}** · {_STATUS[item.status]}"
                        + (f"　:small[{plain(item.name_en)}]" if item.name_en else ""))
            if serves and serves.get(item.id):
                st.markdown(f":blue[一次提交，同时用于：{plain(serves[item.id])}]")
            st.caption(plain(why_text(item)) + (f"；要求 standard：{plain(item.standard)}"
                                                if item.standard else "")
                       + (f"；{plain(item.notes)}" if item.notes else ""))
            if item.fetched:
                continue
            st.session_state.setdefault(f"{base}|form", item.form)
            st.session_state.setdefault(f"{base}|copies", item.copies)
            st.checkbox(f"已收取 Handed in：{plain(item.name)}", key=f"{base}|in")
            # numbered short names keep every label unique and readable
            short = f"{n}. " + (f"{plain(item.name[:10])}…" if len(item.name) > 12
                                  else plain(item.name))
            cols = st.columns([3, 2, 3])
            cols[0].selectbox(f"原件/复印件 Form（{short}）", list(FORMS),
                              format_func=lambda v: " ".join(FORMS[v]), key=f"{base}|form")
            cols[1].number_input(f"份数 Copies（{short}）", min_value=0, max_value=100,
                                 step=1, key=f"{base}|copies")
            cols[2].checkbox(f"原件已核验 Original sighted（{short}）", key=f"{base}|sighted")
            if item.reason and st.session_state.get(f"{base}|in"):
                # handed in, but not as the matter asks (a copy for an original...)
                st.error(f"{plain(item.name)}：{plain(item.reason)}", icon="📄")
    if others:
        with st.expander(f"本次无需提交的材料 Not required now（{len(others)}）"):
            for item in others:
                st.markdown(f"- {plain(item.name)}：{plain(why_text(item))}")
    return start + len(required)


def handed_in(matter: Matter, scope: str) -> list[HandedIn]:
    """What the clerk ticked as handed in, as the case records it.

    Read from the session before the checklist is drawn, so the pre-check of this run
    already counts the ticks the clerk just made.
    """
    out: list[HandedIn] = []
    for m in matter.materials:
        base = f"{scope}|mat|{m.id}"
        if m.source == "government" or not st.session_state.get(f"{base}|in"):
            continue
        form = st.session_state.get(f"{base}|form", m.form)
        copies = st.session_state.get(f"{base}|copies", m.copies)
        out.append(HandedIn(id=m.id, form=form if form in FORMS else m.form,
                            copies=int(copies) if copies is not None else m.copies,
                            original_sighted=bool(st.session_state.get(f"{base}|sighted"))))
    return out
