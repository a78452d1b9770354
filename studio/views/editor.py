"""编辑 Editor: change a matter without touching YAML; every change is saved as a draft.

Each tab edits one part of the matter through a ``formkit.authoring.steps`` step;
every expression is checked live (``check_expression``) and the whole draft
is checked in the catalog (``check_draft``) at the top of the page.

Every text of the definition (labels, paths, ids, the file's path) and every message
quoting one goes through ``plain`` where Streamlit reads Markdown, radio options
included; selectbox and multiselect options take it as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from formkit_studio.common import catalog, current_user
from formkit_studio.editor_widgets import (
    MATTER,
    Work,
    apply_edit,
    ask_remove_field,
    bind,
    code_span,
    confirm_remove_field,
    discard_draft,
    expr_input,
    expression_errors,
    flash,
    guide_link,
    has_problems,
    library_text,
    open_work,
    renamed_text,
    row_of,
    save_text,
    set_value,
    show_check,
    show_flash,
    show_live,
    show_problem,
    show_problems_at,
    show_summary,
    show_uses,
    table_edit,
    text_input,
    tree_of,
    working_text,
)
from formkit_studio.labels import (
    CHANNELS,
    DECISION_WORDINGS,
    DELIVERY,
    DOCUMENT_NAMES,
    FIELD_TYPES,
    FORMS,
    KINDS,
    MATERIAL_SOURCES,
    ONLINE_DEPTHS,
    SCOPES,
    SERVICE_OBJECTS,
)
from formkit_studio.safe_text import plain

from formkit.authoring.drafts import DraftBase, check_expression, load_yaml
from formkit.authoring.problems import explain
from formkit.authoring.renaming import Renamed, rename_field
from formkit.authoring.steps import (
    MATERIAL_FORM_KEYS,
    FieldRow,
    add_fee,
    add_field,
    add_item,
    amount_value,
    cond_mode,
    cond_value,
    default_value,
    fee_rows,
    field_rows,
    get_in,
    material_examples,
    material_form,
    move_field,
    move_item,
    nest_field,
    remove_fee,
    remove_item,
    remove_material,
    save_material,
    set_decision_wording,
    set_document_basis,
    set_fee,
    set_guide,
    set_in,
    set_let,
    set_options,
    unnamed_fields,
)
from formkit.errors import EditError

Loc = tuple[str | int, ...]
Step = Callable[[str, Any], str]  # a steps function with its place bound: (text, typed)
_REFUSED = "_refused"  # widget key -> the Chinese message of the value it was refused
_MODES = {"no": "否 No", "yes": "是 Yes", "when": "条件 When…"}


# ---- basic information


def _number(work: Work, label: str, key: str, loc: Loc, *, minimum: int = 0) -> None:
    value = get_in(work.tree, loc)
    bind(key, int(value) if isinstance(value, int) and not isinstance(value, bool) else None,
         work.rev)
    st.number_input(label, key=key, min_value=minimum, step=1, on_change=_number_changed,
                    args=(work.code, key, loc))


def _number_changed(code: str, key: str, loc: Loc) -> None:
    value = st.session_state.get(key)
    set_value(code, loc, int(value) if value is not None else None)


def _choice(work: Work, label: str, key: str, loc: Loc, options: dict[str, str]) -> None:
    value = get_in(work.tree, loc)
    choices = dict(options)
    if isinstance(value, str) and value not in choices:
        choices[value] = f"{value}（无效 invalid）"
    bind(key, value if value in choices else None, work.rev)
    st.selectbox(label, list(choices), key=key, format_func=lambda v: choices.get(v, v),
                 on_change=_widget_to, args=(work.code, key, loc))


def _multi(work: Work, label: str, key: str, loc: Loc, options: dict[str, str],
           rev: str | None = None) -> None:
    value = get_in(work.tree, loc) or []
    value = [str(v) for v in value] if isinstance(value, list) else []
    choices = dict(options) | {v: f"{v}（无效 invalid）" for v in value if v not in options}
    bind(key, value, rev or work.rev)
    st.multiselect(label, list(choices), key=key, format_func=lambda v: choices.get(v, v),
                   on_change=_widget_to, args=(work.code, key, loc, True))


def _widget_to(code: str, key: str, loc: Loc, keep_empty: bool = False) -> None:
    value = st.session_state.get(key)
    if isinstance(value, list):
        set_value(code, loc, list(value) if value or keep_empty else None)
    else:
        set_value(code, loc, value)


def _basis_changed(code: str) -> None:
    lines = [ln.strip() for ln in str(st.session_state.get("basic_basis") or "").splitlines()]
    set_value(code, ("basis",), [ln for ln in lines if ln] or None)


def _fee_changed(code: str) -> None:
    set_value(code, ("fee",), amount_value(str(st.session_state.get("basic_fee") or "")))


# ---- inputs whose edit is a step that may refuse the value (matter-format v2)


def _stepped(work: Work, widget: Callable[..., Any], label: str, key: str, shown: Any,
             write: Step, *, rev: str | None = None, **options: Any) -> None:
    """``widget`` showing ``shown``; a change is written by the step ``write``. A
    refused value stays in the box, with the step's message (Chinese first) under it."""
    bind(key, shown, rev or work.rev)
    widget(label, key=key, on_change=_stepped_changed, args=(work.code, key, write),
           **options)
    refused = st.session_state.get(_REFUSED, {}).get(key)
    if refused:
        st.error(f"❗ {plain(refused)}", icon=None)


def _stepped_changed(code: str, key: str, write: Step) -> None:
    typed = st.session_state.get(key)
    refused: dict[str, str] = st.session_state.setdefault(_REFUSED, {})
    refused.pop(key, None)

    def change(text: str) -> str:
        try:
            return write(text, typed)
        except EditError as exc:
            refused[key] = exc.message
            return text
    apply_edit(code, change)


def _label_zh(work: Work, loc: Loc) -> str:
    value = get_in(work.tree, loc)
    text = value.get("zh") if isinstance(value, dict) else value
    return "" if text is None else str(text)


def _lines(work: Work, loc: Loc) -> str:
    items = get_in(work.tree, loc) or []
    return "\n".join(str(i.get("zh", "") if isinstance(i, dict) else i)
                     for i in (items if isinstance(items, list) else []))


def _guide_text(work: Work, label: str, key: str, *, area: bool = False,
                help: str | None = None) -> None:
    loc = ("guide", key)
    shown = _label_zh(work, loc) if key not in ("consult_phone", "complaint_phone") \
        else str(get_in(work.tree, loc) or "")
    _stepped(work, st.text_area if area else st.text_input, label, f"guide_{key}", shown,
             lambda t, v, k=key: set_guide(t, k, str(v or "")), help=help)


def _guide_choice(work: Work, label: str, key: str, options: dict[Any, str],
                  unset: str) -> None:
    value = get_in(work.tree, ("guide", key))
    choices: dict[Any, str] = {None: unset, **options}
    if value not in choices:
        choices[value] = f"{value}（无效 invalid）"
    _stepped(work, st.selectbox, label, f"guide_{key}", value,
             lambda t, v, k=key: set_guide(t, k, v), options=list(choices),
             format_func=lambda v: choices.get(v, str(v)))


def _guide_multi(work: Work, label: str, key: str, options: dict[str, str]) -> None:
    value = get_in(work.tree, ("guide", key)) or []
    value = [str(v) for v in value] if isinstance(value, list) else []
    choices = dict(options) | {v: f"{v}（无效 invalid）" for v in value if v not in options}
    _stepped(work, st.multiselect, label, f"guide_{key}", value,
             lambda t, v, k=key: set_guide(t, k, list(v or [])), options=list(choices),
             format_func=lambda v: choices.get(v, v))


def guide_tab(work: Work) -> None:
    st.caption("办事指南向申请人公开，并打印在《办事指南》上 · The service guide is shown to "
               "applicants and printed")
    c1, c2 = st.columns(2)
    with c1:
        _guide_text(work, "办理地点 Place", "place")
        _guide_text(work, "办理时间 Hours", "hours",
                    help="例如 e.g. 周一至周五 8:30-12:00, 14:30-17:30（法定节假日除外）")
        _guide_text(work, "咨询电话 Enquiries telephone", "consult_phone",
                    help="例如 e.g. 0766-2888888")
        _guide_text(work, "监督投诉电话 Complaints telephone", "complaint_phone",
                    help="例如 e.g. 12345")
        _guide_text(work, "审批结果有效期 Validity of the result", "result_validity",
                    help="例如 e.g. 五年、长期")
    with c2:
        _guide_multi(work, "服务对象 Who may apply", "service_objects", SERVICE_OBJECTS)
        _guide_multi(work, "结果送达方式 Delivery of the result", "delivery", DELIVERY)
        _guide_choice(work, "通办范围 Where it can be handled", "scope", SCOPES,
                      "（未填写 not given）")
        _guide_choice(work, "网办深度 Online depth", "online_depth", ONLINE_DEPTHS,
                      "（未填写 not given）")
        _guide_choice(work, "可预约 Appointments", "appointment",
                      {True: "可预约 Yes", False: "不可预约 No"}, "（未填写 not given）")
    _guide_text(work, "受理条件 Conditions of acceptance", "conditions", area=True)
    _stepped(work, st.text_area, "办理流程 Process（每行一步 one step per line）",
             "guide_process", _lines(work, ("guide", "process")),
             lambda t, v: set_guide(t, "process", str(v or "")),
             help="例如 e.g. 申请、受理、审查、决定、送达，各占一行 one per line")
    _stepped(work, st.text_area, "中介服务 Intermediary services（每行一项 one per line）",
             "guide_intermediary", _lines(work, ("guide", "intermediary")),
             lambda t, v: set_guide(t, "intermediary", str(v or "")))
    _guide_text(work, "其他说明 Notes（打印在指南末尾 printed at the end）", "notes",
                area=True)
    with st.container(border=True):
        st.markdown("**文书 Documents**")
        kind = get_in(work.tree, ("kind",))
        wordings: dict[Any, str] = {None: "（按事项类型 by the matter's kind）",
                                    **DECISION_WORDINGS}
        _stepped(work, st.selectbox, "决定书用语 Wording of decisions", "doc_wording",
                 get_in(work.tree, ("decision_wording",)),
                 lambda t, v: set_decision_wording(t, v), options=list(wordings),
                 format_func=lambda v: wordings.get(v, str(v)),
                 help=f"事项类型 kind：{KINDS.get(str(kind), str(kind))}")
        d1, d2 = st.columns([1, 2])
        doc = d1.selectbox("文书 Document", list(DOCUMENT_NAMES), key="doc_basis_kind",
                           format_func=DOCUMENT_NAMES.get)
        with d2:
            _stepped(work, st.text_area, "文书依据 Legal basis printed on it（每行一条 one per "
                     "line）", "doc_basis", "\n".join(
                         str(b) for b in get_in(work.tree, ("document_basis", doc)) or []),
                     lambda t, v, d=doc: set_document_basis(t, d, str(v or "")),
                     rev=f"{work.rev}:{doc}")
    for key in ("guide", "decision_wording", "document_basis"):
        show_problems_at(work, (key,))


def fees_tab(work: Work) -> None:
    rows = fee_rows(work.tree)
    st.caption("逐项列出收费；有收费项目时，基本信息中的“收费”不再使用 · Itemised fees; when "
               "there are any, they replace the basic tab's fee. 金额可填数字（元）或计算表达式 "
               "An amount is a number of yuan or an expression")
    for i, row in enumerate(rows):
        with st.container(border=True, key=f"fee_box_{i}"):
            c1, c2, c3 = st.columns([2, 2, 3])
            with c1:
                _stepped(work, st.text_input, f"第 {i + 1} 项收费名称 Fee name", f"fee_name_{i}",
                         row["name"], lambda t, v, i=i: set_fee(t, i, "name", v))
            with c2:
                _stepped(work, st.text_input, f"第 {i + 1} 项金额（元）Amount", f"fee_amount_{i}",
                         row["amount"], lambda t, v, i=i: set_fee(t, i, "amount", v))
                typed = str(st.session_state.get(f"fee_amount_{i}") or "")
                show_live(work, [] if isinstance(amount_value(typed), int | float) else
                          expression_errors(work, typed, "number"), ("fees", i, "amount"))
            with c3:
                _stepped(work, st.text_input, f"第 {i + 1} 项收费依据 Basis", f"fee_basis_{i}",
                         row["basis"],
                         lambda t, v, i=i: set_fee(t, i, "basis", v))
            _stepped(work, st.text_input, f"第 {i + 1} 项收费条件 When（空 = 总是收取 empty = "
                     "always）",
                     f"fee_when_{i}", row["when"], lambda t, v, i=i: set_fee(t, i, "when", v))
            typed = str(st.session_state.get(f"fee_when_{i}") or "")
            show_live(work, [] if typed in ("true", "false") else
                      expression_errors(work, typed), ("fees", i, "when"))
            show_problems_at(work, ("fees", i))
            st.button("🗑️ 删除此收费 Remove fee", key=f"fee_remove_{i}", on_click=apply_edit,
                      args=(work.code, lambda t, i=i: remove_fee(t, i)))
    if not rows:
        st.info("还没有收费项目 No itemised fees yet")
    show_problems_at(work, ("fees",))
    with st.container(border=True):
        st.markdown("**新增收费项目 Add a fee**")
        c1, c2, c3 = st.columns([2, 2, 3])
        c1.text_input("新收费名称 New fee name", key="fee_new_name",
                      placeholder="例如 e.g. 证书工本费")
        with c2:
            st.text_input("新收费金额（元）New fee amount", key="fee_new_amount",
                          placeholder="80 或 or 10 * copies")
            typed = str(st.session_state.get("fee_new_amount") or "")
            if not isinstance(amount_value(typed), int | float):
                show_live(work, expression_errors(work, typed, "number"))
        c3.text_input("新收费依据 New fee basis", key="fee_new_basis")
        st.button("➕ 添加收费 Add fee", key="fee_add", on_click=_fee_added, args=(work.code,))
        refused = st.session_state.get(_REFUSED, {}).get("fee_add")
        if refused:
            st.error(f"❗ {plain(refused)}", icon=None)


def _fee_added(code: str) -> None:
    refused: dict[str, str] = st.session_state.setdefault(_REFUSED, {})
    refused.pop("fee_add", None)
    name, amount, basis = (str(st.session_state.get(f"fee_new_{k}") or "")
                           for k in ("name", "amount", "basis"))

    def change(text: str) -> str:
        try:
            return add_fee(text, name, amount, basis)
        except EditError as exc:
            refused["fee_add"] = exc.message
            return text
    if apply_edit(code, change):
        for k in ("name", "amount", "basis"):
            st.session_state[f"fee_new_{k}"] = ""


def basic_tab(work: Work) -> None:
    c1, c2 = st.columns(2)
    with c1:
        text_input(work, "实施编码 Code", "basic_code", ("code",))
        text_input(work, "事项名称（中文）Name (Chinese)", "basic_name_zh", ("name", "zh"))
        text_input(work, "事项名称（英文）Name (English)", "basic_name_en", ("name", "en"))
        _choice(work, "事项类型 Kind", "basic_kind", ("kind",), KINDS)
        basis = get_in(work.tree, ("basis",)) or []
        bind("basic_basis", "\n".join(str(b) for b in basis) if isinstance(basis, list)
             else str(basis), work.rev)
        st.text_area("设定依据 Legal basis（每行一条 one per line）", key="basic_basis",
                     on_change=_basis_changed, args=(work.code,))
        text_input(work, "审批结果 Result (Chinese)", "basic_result_zh", ("result", "zh"))
        text_input(work, "审批结果（英文）Result (English)", "basic_result_en", ("result", "en"))
    with c2:
        _choice(work, "时限单位 Time-limit unit", "basic_unit", ("time_limit", "unit"),
                {"working_days": "工作日 Working days", "calendar_days": "自然日 Calendar days"})
        _number(work, "法定办结时限 Statutory days", "basic_statutory",
                ("time_limit", "statutory_days"))
        _number(work, "承诺办结时限 Committed days（0 = 即办 on the spot）", "basic_committed",
                ("time_limit", "committed_days"))
        fee = get_in(work.tree, ("fee",))
        bind("basic_fee", "" if fee is None else str(fee), work.rev)
        itemised = bool(get_in(work.tree, ("fees",)))
        st.text_input("收费（元）Fee (yuan, or an expression)", key="basic_fee",
                      on_change=_fee_changed, args=(work.code,), disabled=itemised,
                      help="已在“收费”中逐项列出，此处不再使用 The itemised fees replace it"
                      if itemised else None)
        typed = str(st.session_state.get("basic_fee") or "")
        show_live(work, [] if isinstance(amount_value(typed), int | float) else
                  expression_errors(work, typed, "number"), ("fee",))
        _multi(work, "办理渠道 Channels", "basic_channels", ("channels",), CHANNELS)
        _number(work, "到办事现场次数 Max visits", "basic_max_visits", ("max_visits",))
    for key in ("code", "name", "kind", "basis", "result", "time_limit", "fee", "channels",
                "max_visits"):
        show_problems_at(work, (key,))


# ---- form fields


def _select_field(path: str | None) -> None:
    st.session_state["field_sel"] = path


def _field_picked() -> None:
    st.session_state["field_sel"] = st.session_state.get("field_pick")
    st.session_state.pop("field_remove_pending", None)


def _add(code: str, near: str | None, inside: bool) -> None:
    def change(text: str) -> str:
        new, path = add_field(text, near, inside=inside)
        _select_field(path)
        return new
    apply_edit(code, change)


def _nest(code: str, path: str) -> None:
    target = st.session_state.get("field_nest_target")

    def change(text: str) -> str:
        new, moved = nest_field(text, path, None if target == "" else target)
        _select_field(moved)
        return new
    apply_edit(code, change)


def _rename(code: str, path: str) -> None:
    """The field id changed: rename the field and every use of it in the matter."""
    old_id = path.rsplit(".", 1)[-1]
    new_id = str(st.session_state.get("field_id") or "").strip()
    if not new_id or new_id == old_id:
        st.session_state["field_id"] = old_id
        return
    done: list[Renamed] = []

    def change(text: str) -> str:
        try:
            renamed = rename_field(text, path, new_id, catalog().libraries)
        except EditError as exc:  # said the editor's way, Chinese first
            problem = explain(exc)
            raise EditError(f"无法改名 {problem.zh}　{problem.en}", None, code=exc.code,
                            hint=exc.hint) from exc
        done.append(renamed)
        return renamed.text
    if not apply_edit(code, change) or not done:
        st.session_state["field_id"] = old_id  # the id as it still is
        return
    renamed = done[0]
    _select_field(renamed.path)
    flash(plain(renamed_text(old_id, new_id, renamed.uses)))
    if renamed.libraries:
        flash(plain(library_text(renamed.libraries, old_id)), "warning")
    if renamed.unread:
        flash(f"{len(renamed.unread)} 处表达式有语法错误，其中的名称未能检查，请修正后核对 · "
              f"{len(renamed.unread)} expression(s) do not parse, so were not searched for "
              f"'{plain(old_id)}': fix them and check", "warning")


def _typed_input(work: Work, label: str, key: str, loc: Loc, rev: str,
                 read: Callable[[str], Any]) -> None:
    value = get_in(work.tree, loc)
    bind(key, "" if value is None else str(value).lower() if isinstance(value, bool)
         else str(value), rev)
    st.text_input(label, key=key, on_change=_typed_changed, args=(work.code, key, loc, read))


def _typed_changed(code: str, key: str, loc: Loc, read: Callable[[str], Any]) -> None:
    set_value(code, loc, read(str(st.session_state.get(key) or "")))


def _cond(work: Work, label: str, key: str, loc: Loc, default: bool, rev: str,
          row: list[str] | None) -> None:
    mode, _ = cond_mode(get_in(work.tree, loc))
    bind(f"{key}_mode", mode or ("yes" if default else "no"), rev)
    st.radio(label, list(_MODES), format_func=_MODES.get, key=f"{key}_mode", horizontal=True,
             on_change=_mode_changed, args=(work.code, key, loc, default))
    if st.session_state.get(f"{key}_mode") == "when":
        expr_input(work, f"{label}：条件表达式 condition", key, loc, row=row, rev=rev,
                   help="例如 e.g. premises == \"rented\"")


def _mode_changed(code: str, key: str, loc: Loc, default: bool) -> None:
    mode = str(st.session_state.get(f"{key}_mode"))
    if mode != "when":
        set_value(code, loc, cond_value(mode, "", default))


def _options(work: Work, row: FieldRow) -> None:
    options = get_in(work.tree, (*row.loc, "options")) or []
    rows = [{"value": str(o.get("value", "")), "zh": str((o.get("label") or {}).get("zh", "")),
             "en": str((o.get("label") or {}).get("en", "") or "")}
            for o in options if isinstance(o, dict)]
    st.markdown("**选项 Options**")
    st.data_editor(pd.DataFrame(rows, columns=["value", "zh", "en"]), key="field_options",
                   num_rows="dynamic", hide_index=True, width="stretch",
                   column_config={"value": st.column_config.TextColumn("取值 Value"),
                                  "zh": st.column_config.TextColumn("中文 Label (zh)"),
                                  "en": st.column_config.TextColumn("英文 Label (en)")})
    edited = table_edit(st.session_state.get("field_options")).apply(rows)
    if edited != rows and apply_edit(work.code, lambda t: set_options(t, row.path, edited)):
        st.rerun()


def fields_tab(work: Work) -> None:
    rows = field_rows(work.tree)
    by_path = {r.path: r for r in rows}
    if st.session_state.get("field_sel") not in by_path:
        st.session_state["field_sel"] = rows[0].path if rows else None
    selected = st.session_state.get("field_sel")
    unnamed = {r.path for r in unnamed_fields(work.tree)}
    wrong = {r.path for r in rows if has_problems(work, r.loc, skip=(*r.loc, "fields"))}
    if selected is not None and st.session_state.get("field_remove_pending") == selected:
        confirm_remove_field(work, by_path[selected])
    left, right = st.columns([2, 3])
    with left:
        if rows:
            st.session_state["field_pick"] = selected
            # Radio options are Markdown: the label, path and type go through plain.
            st.radio("字段 Fields", [r.path for r in rows], key="field_pick",
                     on_change=_field_picked,
                     format_func=lambda p: "　" * by_path[p].depth + (
                         "▸ " if by_path[p].container else "") +
                     f"{plain(by_path[p].label)}（{plain(p)}）· {plain(by_path[p].type)}" + (
                         " · ⚠️ 待填标签 needs a label" if p in unnamed else "") + (
                         " · ❗ 有错误 has errors" if p in wrong else ""))
        else:
            st.info("表单还没有字段 The form has no fields yet")
        b1, b2 = st.columns(2)
        b1.button("➕ 新增字段 Add field", key="field_add", on_click=_add,
                  args=(work.code, selected, False))
        b2.button("➕ 添加子字段 Add inside", key="field_add_inside", on_click=_add,
                  args=(work.code, selected, True),
                  disabled=selected is None or not by_path[selected].container)
        if selected is None:
            return
        b3, b4, b5 = st.columns(3)
        b3.button("⬆️ 上移 Up", key="field_up", on_click=apply_edit,
                  args=(work.code, lambda t: move_field(t, selected, -1)))
        b4.button("⬇️ 下移 Down", key="field_down", on_click=apply_edit,
                  args=(work.code, lambda t: move_field(t, selected, 1)))
        b5.button("🗑️ 删除 Remove", key="field_remove", on_click=ask_remove_field,
                  args=(work.code, selected))
        targets = [""] + [r.path for r in rows if r.container and r.path != selected
                          and not r.path.startswith(selected + ".")]
        st.selectbox("移到 Move into", targets, key="field_nest_target",
                     format_func=lambda p: "（顶层 top level）" if p == "" else
                     f"{by_path[p].label}（{p}）")
        st.button("↪️ 移动 Move", key="field_nest", on_click=_nest, args=(work.code, selected))
    with right:
        _field_editor(work, by_path[selected])


def _field_editor(work: Work, row: FieldRow) -> None:
    rev = f"{work.rev}:{row.path}"  # a newly selected field refills every input
    loc = row.loc
    inner = row_of(work, row.path)
    st.subheader(f"{plain(row.label)}（{plain(row.path)}）", anchor=False)  # no link of a label
    bind("field_id", row.id, rev)
    st.text_input("字段标识 Field id（表达式中使用 used in expressions）", key="field_id",
                  on_change=_rename, args=(work.code, row.path))
    show_uses(work, row)
    types = dict(FIELD_TYPES)
    if row.type not in types:
        types[row.type] = f"{row.type}（无效 invalid）"
    bind("field_type", row.type, rev)
    st.selectbox("类型 Type", list(types), key="field_type", format_func=types.get,
                 on_change=_widget_to, args=(work.code, "field_type", (*loc, "type")))
    c1, c2 = st.columns(2)
    with c1:
        text_input(work, "标签（中文）Label (Chinese)", "field_label_zh", (*loc, "label", "zh"),
                   rev=rev)
        text_input(work, "说明（中文）Help (Chinese)", "field_help_zh", (*loc, "help", "zh"),
                   rev=rev)
        text_input(work, "提示文字 Placeholder (Chinese)", "field_placeholder_zh",
                   (*loc, "placeholder", "zh"), rev=rev)
    with c2:
        text_input(work, "标签（英文）Label (English)", "field_label_en", (*loc, "label", "en"),
                   rev=rev)
        text_input(work, "说明（英文）Help (English)", "field_help_en", (*loc, "help", "en"),
                   rev=rev)
        _typed_input(work, "默认值 Default", "field_default", (*loc, "default"), rev,
                     lambda t: default_value(row.type, t))
    _cond(work, "必填 Required", "field_required", (*loc, "required"), False, rev, inner)
    _cond(work, "显示 Visible", "field_visible", (*loc, "visible"), True, rev, inner)
    expr_input(work, "校验条件 Constraint（须为真 must hold）", "field_constraint",
               (*loc, "constraint"), row=inner, rev=rev)
    text_input(work, "校验提示 Constraint message (Chinese)", "field_message_zh",
               (*loc, "message", "zh"), rev=rev)
    expr_input(work, "计算值 Computed value（只读 read-only）", "field_value", (*loc, "value"),
               want="value", row=inner, rev=rev)
    c3, c4 = st.columns(2)
    with c3:
        _typed_input(work, "最小值 Min（数字或长度 number or length）", "field_min",
                     (*loc, "min"), rev, amount_value)
    with c4:
        _typed_input(work, "最大值 Max", "field_max", (*loc, "max"), rev, amount_value)
    if row.type in ("choice", "multichoice"):
        _options(work, row)
    show_problems_at(work, row.loc, skip=(*row.loc, "fields"))


# ---- materials, checks, route, let and uses


# The material's choices as the editor offers them: Chinese first, the format's value
# never shown (labels.py has FORMS and MATERIAL_SOURCES; the media are named here).
_FORMS = {value: f"{zh} {en}" for value, (zh, en) in FORMS.items()}
_MEDIA = {"paper": "纸质 Paper", "electronic": "电子 Electronic",
          "either": "纸质或电子均可 Either"}
_REQUIRED = {"yes": "必需 Required", "no": "非必需 Optional",
             "when": "按条件需要 When a condition holds"}
_MF = "mf_"  # the material form's widget keys: mf_<MATERIAL_FORM_KEYS>
_EDITING = "material_editing"  # the id of the material the form edits (absent: a new one)
_MF_REFUSED = "material_form_refused"  # the Chinese refusal of the last save
_MF_ERRORS = "material_form_errors"  # the live check of the condition at the last save


def _zh(options: dict[str, str], value: Any) -> str:
    """The Chinese of a choice (``原件``), or the value marked invalid (Markdown: a value
    written by hand goes through ``plain``)."""
    shown = options.get(str(value))
    return shown.split(" ", 1)[0] if shown else f"{plain(str(value))}（无效 invalid）"


def _material_line(work: Work, index: int, item: dict[str, Any]) -> str:
    """What a material asks for, in one line of Chinese: 原件 · 纸质 · 1 份 · 必需 ..."""
    values = material_form(work.tree, index)
    parts = [_zh(_FORMS, values["form"]), _zh(_MEDIA, values["medium"]),
             f"{values['copies']} 份"]
    if values["required"] == "when":
        parts.append(f"按条件需要：{code_span(values['when'])}")
    else:
        parts.append("必需" if values["required"] == "yes" else "非必需")
    if values["tolerable"]:
        days = values["tolerable_days"]
        parts.append(f"可容缺（{days} 个工作日内补交）" if days else "可容缺")
    if values["commitment"]:
        parts.append("可告知承诺")
    if values["source"] != "applicant":  # the default: saying it on every line is noise
        parts.append(_zh(MATERIAL_SOURCES, values["source"]))
    return " · ".join(parts)


def materials_tab(work: Work) -> None:
    materials = get_in(work.tree, ("materials",)) or []
    materials = materials if isinstance(materials, list) else []
    st.caption("申请人需要提交的材料，按窗口收取的顺序排列；点“编辑”在下方表单中修改 · The "
               "materials an applicant hands in, in the order the window takes them; "
               "编辑 Edit opens one in the form below")
    ids = [str(m.get("id", "")) if isinstance(m, dict) else "" for m in materials]
    editing = st.session_state.get(_EDITING)
    for i, item in enumerate(materials):
        item = item if isinstance(item, dict) else {}
        name = _label_zh(work, ("materials", i, "name")) or ids[i] or f"第 {i + 1} 项"
        with st.container(border=True, key=f"material_row_{i}"):
            c1, c2 = st.columns([3, 2], vertical_alignment="center")
            marker = "　✏️ 编辑中 editing" if editing is not None and editing == ids[i] else ""
            c1.markdown(f"**{i + 1}\\. {plain(name)}**{marker}  \n"
                        f"{_material_line(work, i, item)}")
            b1, b2, b3, b4 = c2.columns(4)
            b1.button("✏️ 编辑", key=f"material_edit_{i}", help="在下方表单中修改 Edit below",
                      on_click=_material_edit, args=(work.code, i))
            b2.button("⬆️ 上移", key=f"material_up_{i}", help="上移 Up", disabled=i == 0,
                      on_click=apply_edit,
                      args=(work.code, lambda t, i=i: move_item(t, ("materials",), i, -1)))
            b3.button("⬇️ 下移", key=f"material_down_{i}", help="下移 Down",
                      disabled=i == len(materials) - 1, on_click=apply_edit,
                      args=(work.code, lambda t, i=i: move_item(t, ("materials",), i, 1)))
            b4.button("🗑️ 删除", key=f"material_remove_{i}", help="删除 Remove",
                      on_click=_material_ask_remove, args=(i, ids[i]))
            show_problems_at(work, ("materials", i))
    if not materials:
        st.info("还没有材料 No materials yet")
    show_problems_at(work, ("materials",))
    pending = st.session_state.get("material_remove_pending")
    if isinstance(pending, tuple) and 0 <= pending[0] < len(ids) and ids[pending[0]] == \
            pending[1]:
        _confirm_remove_material(work, pending[0])
    _material_form(work, ids)


def _material_form(work: Work, ids: list[str]) -> None:
    """Add a material, or change the one chosen with ✏️: one form, saved as a whole by
    ``save_material``. Nothing reruns while it is filled in; a refused save keeps every
    box as typed, with the reasons in Chinese above the buttons."""
    editing = st.session_state.get(_EDITING)
    if editing is not None and editing not in ids:  # removed meanwhile
        _material_reset()
        editing = None
    if f"{_MF}name_zh" not in st.session_state:
        _material_fill(material_form(work.tree, None))
    title = "新增材料 Add a material" if editing is None else \
        f"编辑材料 Edit material：{plain(st.session_state.get(f'{_MF}name_zh') or editing)}"
    with st.form("material_form", border=True, enter_to_submit=False):
        st.markdown(f"**{title}**")
        c1, c2 = st.columns(2)
        c1.text_input("材料名称（中文）Name", key=f"{_MF}name_zh",
                      placeholder="例如 e.g. 经营场所租赁合同")
        c2.text_input("英文名称 Name in English（可不填 optional）", key=f"{_MF}name_en")
        forms, media, sources = (_with_current(o, f"{_MF}{k}") for o, k in (
            (_FORMS, "form"), (_MEDIA, "medium"), (MATERIAL_SOURCES, "source")))
        c1.selectbox("材料类型 Form", list(forms), key=f"{_MF}form", format_func=forms.get)
        c2.selectbox("材料形式 Medium", list(media), key=f"{_MF}medium", format_func=media.get)
        c1.number_input("份数 Copies", key=f"{_MF}copies", min_value=0, max_value=100, step=1)
        c2.selectbox("材料来源 Source", list(sources), key=f"{_MF}source",
                     format_func=sources.get)
        st.radio("是否必需 Required", list(_REQUIRED), key=f"{_MF}required",
                 format_func=_REQUIRED.get, horizontal=True)
        st.text_input("需要此材料的条件 Condition（仅“按条件需要”时填写 only for “when”）",
                      key=f"{_MF}when", placeholder='例如 e.g. premises == "rented"')
        for error in st.session_state.get(_MF_ERRORS, []):
            show_problem(explain(error))
        c3, c4 = st.columns(2)
        c3.checkbox("可容缺受理 Tolerable（受理后补交 may follow later）", key=f"{_MF}tolerable")
        c4.number_input("容缺补交期限（工作日）Days to supply it", key=f"{_MF}tolerable_days",
                        min_value=1, max_value=365, step=1,
                        placeholder="（目录默认 catalog default）")
        st.checkbox("可告知承诺 Commitment（签署承诺书可代替此材料 a signed commitment may "
                    "replace it）", key=f"{_MF}commitment")
        c5, c6 = st.columns(2)
        c5.text_input("空白表格 Blank form（目录中的路径或链接 path or URL）",
                      key=f"{_MF}template", placeholder="forms/lease.docx")
        c6.text_input("示例样表 Filled-in sample（路径或链接 path or URL）", key=f"{_MF}sample",
                      placeholder="forms/lease-sample.pdf")
        c5.text_input("材料依据 Basis", key=f"{_MF}basis", placeholder="例如 e.g. 《条例》第十条")
        c6.text_input("填报须知 Notes for the applicant", key=f"{_MF}notes",
                      placeholder="例如 e.g. 须加盖公章")
        st.text_input("材料标识 Id（示例和表达式中使用；新增时可留空，自动生成 used by examples; "
                      "left empty, one is made）", key=f"{_MF}id")
        refused = st.session_state.get(_MF_REFUSED)
        if refused:
            st.error("❗ 未保存 Not saved：" + "；".join(
                f"{plain(r)}" for r in str(refused).split("；")), icon=None)
        b1, b2, _ = st.columns([1, 1, 2])
        b1.form_submit_button("💾 保存修改 Save" if editing is not None else
                              "➕ 添加材料 Add material", type="primary",
                              on_click=_material_saved, args=(work.code, work.check.rules))
        b2.form_submit_button("取消 Cancel" if editing is not None else "清空 Clear",
                              on_click=_material_reset)


def _with_current(options: dict[str, str], key: str) -> dict[str, str]:
    """``options`` and the value the form holds, marked invalid when it is not one (a
    file written by hand): shown as it is, so saving does not change it unasked."""
    value = st.session_state.get(key)
    return options if value in options or value is None else \
        {**options, str(value): f"{value}（无效 invalid）"}


def _material_fill(values: dict[str, Any]) -> None:
    for key in MATERIAL_FORM_KEYS:
        st.session_state[f"{_MF}{key}"] = values[key]


def _material_reset() -> None:
    """Back to a blank form for a new material (a widget callback)."""
    st.session_state.pop(_EDITING, None)
    st.session_state.pop(_MF_REFUSED, None)
    st.session_state.pop(_MF_ERRORS, None)
    user = current_user()
    code = st.session_state.get(MATTER)
    text = working_text(user, str(code))[0] if user is not None and code else None
    _material_fill(material_form(tree_of(text) if text else None, None))


def _material_edit(code: str, index: int) -> None:
    """Open material ``index`` in the form (a widget callback)."""
    user = current_user()
    text = working_text(user, code)[0] if user is not None else None
    tree = tree_of(text) if text else None
    item = get_in(tree, ("materials", index))
    if not isinstance(item, dict):
        return
    st.session_state[_EDITING] = str(item.get("id", ""))
    st.session_state.pop(_MF_REFUSED, None)
    st.session_state.pop(_MF_ERRORS, None)
    _material_fill(material_form(tree, index))


def _material_saved(code: str, rules: Any) -> None:
    """Save the form as the material it edits, or as a new one (a widget callback)."""
    values = {key: st.session_state.get(f"{_MF}{key}") for key in MATERIAL_FORM_KEYS}
    editing = st.session_state.get(_EDITING)
    st.session_state.pop(_MF_REFUSED, None)
    errors = check_expression(rules, str(values["when"]), "condition", None) if (
        values["required"] == "when" and str(values["when"] or "").strip()
        and rules is not None) else []
    st.session_state[_MF_ERRORS] = errors
    if errors:
        st.session_state[_MF_REFUSED] = "条件有误，请按下面的提示修改"
        return
    done: list[int] = []

    def change(text: str) -> str:
        tree = tree_of(text)
        ids = [m.get("id") if isinstance(m, dict) else None
               for m in get_in(tree, ("materials",)) or []]
        if editing is not None and editing not in ids:
            st.session_state[_MF_REFUSED] = "这项材料已被删除 (the material is gone)"
            return text
        try:
            new, at = save_material(text, ids.index(editing) if editing is not None
                                    else None, values)
        except EditError as exc:
            st.session_state[_MF_REFUSED] = exc.message
            return text
        done.append(at)
        return new
    apply_edit(code, change)
    if done:
        name = str(values["name_zh"] or "").strip()
        flash(f"已保存材料「{plain(name)}」 · Material saved" if editing is not None else
              f"已添加材料「{plain(name)}」 · Material added")
        _material_reset()


def _material_ask_remove(index: int, material_id: str) -> None:
    st.session_state["material_remove_pending"] = (index, material_id)


def _material_cancel_remove() -> None:
    st.session_state.pop("material_remove_pending", None)


def _confirm_remove_material(work: Work, index: int) -> None:
    """A dialog: delete material ``index``? With the examples that mention it."""
    name = _label_zh(work, ("materials", index, "name")) or f"第 {index + 1} 项"
    material_id = str(get_in(work.tree, ("materials", index, "id")) or "")
    examples = material_examples(work.tree, material_id) if material_id else []

    @st.dialog("删除材料 Delete a material", on_dismiss=_material_cancel_remove)
    def ask() -> None:
        with st.container(key="material_remove_confirm_box"):
            st.warning(f"确定删除材料「{plain(name)}」吗？· Delete this material?", icon="⚠️")
            if examples:
                st.markdown(f"以下 {len(examples)} 个示例提交或预期了此材料，记录将一并删除 · "
                            f"It is named in {len(examples)} example(s); those mentions go "
                            "with it:\n" + "\n".join(f"- {plain(e)}" for e in examples))
            c1, c2, _ = st.columns([1, 1, 2])
            if c1.button("🗑️ 删除 Delete", key="material_remove_confirm", type="primary"):
                _material_cancel_remove()
                if apply_edit(work.code, lambda t: remove_material(t, index)):
                    flash(f"已删除材料「{plain(name)}」 · Material removed")
                if st.session_state.get(_EDITING) == material_id:
                    _material_reset()
                st.rerun()
            if c2.button("取消 Cancel", key="material_remove_cancel"):
                _material_cancel_remove()
                st.rerun()
    ask()


def checks_tab(work: Work) -> None:
    checks = get_in(work.tree, ("checks",)) or []
    for i, check in enumerate(checks if isinstance(checks, list) else []):
        check = check if isinstance(check, dict) else {}
        kind = "refuse" if "refuse" in check else "warn"
        with st.container(border=True):
            expr_input(work, f"条件 {i + 1} When", f"check_when_{i}", ("checks", i, "when"))
            c1, c2, c3 = st.columns([1, 2, 2])
            bind(f"check_kind_{i}", kind, work.rev)
            c1.radio("结果 Effect", ["refuse", "warn"], key=f"check_kind_{i}",
                     format_func={"refuse": "不予受理 Refuse", "warn": "提醒 Warn"}.get,
                     on_change=_check_kind, args=(work.code, i))
            with c2:
                text_input(work, "提示（中文）Message (Chinese)", f"check_msg_zh_{i}",
                           ("checks", i, kind, "zh"))
            with c3:
                text_input(work, "提示（英文）Message (English)", f"check_msg_en_{i}",
                           ("checks", i, kind, "en"))
            show_problems_at(work, ("checks", i))
            st.button("🗑️ 删除此检查 Remove check", key=f"check_remove_{i}", on_click=apply_edit,
                      args=(work.code, lambda t, i=i: remove_item(t, ("checks",), i)))
    st.button("➕ 新增检查 Add check", key="check_add", on_click=apply_edit,
              args=(work.code, lambda t: add_item(t, ("checks",), {
                  "when": False, "warn": {"zh": "请核实", "en": "Please check"}})))


def _check_kind(code: str, i: int) -> None:
    kind = st.session_state.get(f"check_kind_{i}")

    def change(text: str) -> str:
        check = get_in(load_yaml(text), ("checks", i)) or {}
        other = "warn" if kind == "refuse" else "refuse"
        label = check.get(other) or {"zh": "请核实"}
        text = set_in(text, ("checks", i, other), None)
        return set_in(text, ("checks", i, str(kind)), dict(label))
    apply_edit(code, change)


def route_tab(work: Work) -> None:
    opened = work.opened
    units = {f"{d.id}.{s.id}": f"{d.name.zh} · {s.name.zh}"
             for d in (opened.catalog.departments if opened.catalog else []) for s in d.sections}
    steps = get_in(work.tree, ("route",)) or []
    for i, _step in enumerate(steps if isinstance(steps, list) else []):
        with st.container(border=True):
            st.markdown(f"**第 {i + 1} 步 Step {i + 1}**")
            _multi(work, "办理单位 Units（并行 in parallel）", f"route_units_{i}",
                   ("route", i, "step"), units)
            c1, c2 = st.columns([3, 1])
            with c1:
                text_input(work, "步骤名称 Step name (Chinese)", f"route_name_{i}",
                           ("route", i, "name", "zh"))
            with c2:
                _number(work, "时限 Days", f"route_days_{i}", ("route", i, "days"))
            expr_input(work, "适用条件 When（空 = 总是 empty = always）", f"route_when_{i}",
                       ("route", i, "when"))
            show_problems_at(work, ("route", i))
            b1, b2, b3 = st.columns(3)
            b1.button("⬆️ 上移 Up", key=f"route_up_{i}", on_click=apply_edit,
                      args=(work.code, lambda t, i=i: move_item(t, ("route",), i, -1)))
            b2.button("⬇️ 下移 Down", key=f"route_down_{i}", on_click=apply_edit,
                      args=(work.code, lambda t, i=i: move_item(t, ("route",), i, 1)))
            b3.button("🗑️ 删除 Remove", key=f"route_remove_{i}", on_click=apply_edit,
                      args=(work.code, lambda t, i=i: remove_item(t, ("route",), i)))
    first = next(iter(units), "")
    department = get_in(work.tree, ("department",))
    first = next((u for u in units if u.startswith(f"{department}.")), first)
    st.button("➕ 新增步骤 Add step", key="route_add", on_click=apply_edit,
              args=(work.code, lambda t: add_item(t, ("route",), {"step": [first]})))


def lets_tab(work: Work) -> None:
    libraries = sorted(work.opened.libraries.by_name)
    _multi(work, "使用的规则库 Rule libraries used", "let_uses", ("uses",),
           {name: name for name in libraries})
    show_problems_at(work, ("uses",))
    st.markdown("**计算值 Let values**（在所有表达式中可用 usable in every expression）")
    lets = get_in(work.tree, ("let",)) or {}
    for i, (name, expression) in enumerate(lets.items() if isinstance(lets, dict) else []):
        c1, c2, c3 = st.columns([1, 3, 1])
        bind(f"let_name_{i}", str(name), work.rev)
        c1.text_input("名称 Name", key=f"let_name_{i}", on_change=_let_changed,
                      args=(work.code, i, str(name)))
        bind(f"let_expr_{i}", str(expression), work.rev)
        with c2:
            st.text_input("表达式 Expression", key=f"let_expr_{i}", on_change=_let_changed,
                          args=(work.code, i, str(name)))
            show_live(work, expression_errors(
                work, str(st.session_state.get(f"let_expr_{i}")), "value"), ("let", str(name)))
        c3.button("🗑️ 删除 Remove", key=f"let_remove_{i}", on_click=apply_edit,
                  args=(work.code, lambda t, n=str(name): set_let(t, n, "", "")))
    c1, c2, c3 = st.columns([1, 3, 1])
    c1.text_input("新名称 New name", key="let_new_name")
    with c2:
        st.text_input("新表达式 New expression", key="let_new_expr")
        show_live(work, expression_errors(
            work, str(st.session_state.get("let_new_expr") or ""), "value"))
    c3.button("➕ 添加 Add", key="let_add", on_click=_let_added, args=(work.code,))


def _let_changed(code: str, i: int, old: str) -> None:
    name = str(st.session_state.get(f"let_name_{i}") or "").strip()
    expression = str(st.session_state.get(f"let_expr_{i}") or "").strip()
    if name and expression:
        apply_edit(code, lambda t: set_let(t, old, name, expression))


def _let_added(code: str) -> None:
    name = str(st.session_state.get("let_new_name") or "").strip()
    expression = str(st.session_state.get("let_new_expr") or "").strip()
    if not (name and expression):
        flash("请填写名称和表达式 Give a name and an expression", "warning")
        return
    apply_edit(code, lambda t: set_let(t, None, name, expression))
    st.session_state["let_new_name"] = st.session_state["let_new_expr"] = ""


# ---- raw YAML


def _source_changed(code: str, shown: DraftBase | None) -> None:
    save_text(code, str(st.session_state.get("source_text") or ""), shown)


def source_tab(work: Work) -> None:
    st.caption("高级用户可直接编辑 YAML，检查方式相同 For power users: the same checks apply")
    bind("source_text", work.text, work.rev)
    # The whole text is saved as typed: a new draft began from the file as shown here,
    # even if it has been published over since.
    shown = None if work.from_draft else DraftBase(work.text)
    st.text_area("YAML 源码 YAML source", key="source_text", height=480,
                 on_change=_source_changed, args=(work.code, shown))
    if not work.check.ok:
        st.caption("错误列在页面顶部的“错误一览”中，并显示在各自所在的位置 · The errors are "
                   "listed at the top of the page, and shown where each is edited")


def main() -> None:
    st.title("✏️ 编辑事项 Edit matter")
    show_flash()
    work = open_work()
    if work is None:
        return
    summary = show_check(work)
    c1, c2 = st.columns([3, 1])
    c1.caption(f"文件 File: {plain(work.relative_file)} · 每次修改都自动保存为草稿 every change is "
               "saved as a draft; 发布后才生效 it takes effect when published")
    with c1:
        guide_link("guide_link_editor")
    c2.button("🗑️ 放弃草稿 Discard draft", key="discard_draft", disabled=not work.from_draft,
              on_click=discard_draft, args=(work.user.username, work.code))
    names = ["基本信息 Basic", "办事指南 Guide", "收费 Fees", "表单 Fields", "材料 Materials",
             "检查 Checks", "流程 Route", "计算值 Let & uses", "源码 YAML"]
    tabs = st.tabs(names, key="editor_tabs")  # keep the open tab when the status changes
    parts: list[Any] = [basic_tab, guide_tab, fees_tab, fields_tab, materials_tab, checks_tab,
                        route_tab, lets_tab, source_tab]
    if work.tree is None or not isinstance(work.tree, dict):
        st.warning("YAML 无法解析，请在“源码”中修改 The YAML does not parse: fix it in the "
                   "YAML tab")
        with tabs[-1]:
            source_tab(work)
        show_summary(work, summary)
        return
    for tab, part in zip(tabs, parts, strict=True):
        with tab:
            part(work)
    show_summary(work, summary)  # last: it knows which errors a tab has shown in place


main()
