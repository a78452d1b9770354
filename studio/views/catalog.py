"""事项目录 Catalog: search and filter the matters; create one; open one in the editor.

Every figure comes from formkit; creating a matter saves a draft (``new_matter``:
a blank that passes every check, or a copy) that is published like any other change;
its base is "no matter yet" (``DraftBase(None)``). The centre's and departments' names
and the typed code go through ``plain`` where Streamlit reads Markdown.
"""

from __future__ import annotations

import streamlit as st
from formkit_studio.common import catalog, current_user, drafts
from formkit_studio.editor_widgets import MATTER, flash, show_flash, working_text
from formkit_studio.labels import (
    KINDS,
    bundle_material_rows,
    bundle_member_rows,
    bundle_shared_rows,
    catalog_rows,
    refusal_text,
)
from formkit_studio.safe_text import plain

from formkit.authoring.access import concerned_bundles, creation_refusal, edit_refusal
from formkit.authoring.drafts import DraftBase
from formkit.authoring.steps import new_matter

_ALL = "全部 All"
_TEMPLATE = ""


def _open(code: str) -> None:
    st.session_state[MATTER] = code
    st.switch_page("views/editor.py")


def _open_section(codes: dict[str, str]) -> None:
    user = current_user()
    if user is None or user.role not in ("admin", "editor") or not codes:
        return
    c1, c2 = st.columns([3, 1])
    code = c1.selectbox("打开事项 Open a matter", list(codes), key="open_code",
                        format_func=lambda c: codes.get(c, c))
    if c2.button("✏️ 编辑 Edit", key="open_edit") and code is not None:
        matter = catalog().matters.get(code)
        refusal = edit_refusal(user, [matter.department]) if matter is not None else None
        if refusal is not None:
            st.error(plain(refusal_text(refusal, catalog())))
        else:
            _open(code)


def _create_section() -> None:
    user = current_user()
    if user is None or user.role not in ("admin", "editor"):
        return
    opened = catalog()
    departments = {d.id: d.name.zh for d in (opened.catalog.departments if opened.catalog
                                             else [])}
    allowed = [d for d in departments if user.can_edit(d)]
    with st.expander("➕ 新建事项 New matter", expanded=False):
        c1, c2 = st.columns(2)
        code = c1.text_input("实施编码 Code（如 e.g. XX-MS-0009）", key="new_code")
        name = c2.text_input("事项名称（中文）Name (Chinese)", key="new_name")
        department = c1.selectbox("部门 Department", allowed, key="new_dept",
                                  format_func=lambda d: f"{departments.get(d, d)}（{d}）")
        sources = {_TEMPLATE: "空白模板 Blank template"} | {
            c: f"复制 Copy of {c} · {m.name.zh}" for c, m in sorted(opened.matters.items())}
        source = c2.selectbox("从 Start from", list(sources), key="new_from",
                              format_func=lambda c: sources.get(c, c))
        if st.button("创建并编辑 Create and edit", key="new_create"):
            code, name = str(code or "").strip(), str(name or "").strip()
            refusal = creation_refusal(opened, user, code, name, str(department or ""),
                                       drafts().keys(user.username))
            if refusal is not None:
                st.error(plain(refusal_text(refusal, opened)))
                return
            copy_of = None
            if source:
                copy_of, _ = working_text(user, source)
            text = new_matter(opened, code, name, str(department), copy_of=copy_of)
            drafts().save(user.username, code, text, base=DraftBase(None))
            flash(f"已创建草稿 Draft created: {plain(code)}（发布后进入目录 it joins the "
                  "catalog when published）")
            _open(code)


def _bundles_section() -> None:
    """高效办成一件事 (read-only): each bundle the user's department has a part in, with
    its matters, the questions asked once and the materials handed in once."""
    user = current_user()
    opened = catalog()
    codes = concerned_bundles(opened, user) if user is not None else []
    if not codes:
        return
    st.subheader("高效办成一件事 One-thing bundles", anchor=False)
    st.caption("一次申请、多个事项并联办理。本部门有事项参与的“一件事”（只读；修改请联系"
               "中心管理员）· The bundles with a matter of your department (read-only)")
    for code in codes:
        bundle = opened.bundles[code]
        with st.expander(f"🔗 {plain(bundle.name.zh)}（{plain(code)}）",
                         key=f"cat_bundle_box|{code}"):
            for basis in bundle.basis:
                st.caption(f"依据 Basis：{plain(basis)}")
            st.markdown("**包含的事项 Matters**")
            st.dataframe(bundle_member_rows(opened, bundle), hide_index=True,
                         width="stretch", key=f"cat_bundle_matters|{code}")
            shared = bundle_shared_rows(opened, bundle)
            if shared:
                st.markdown("**一次填写的问题 Asked once**")
                st.dataframe(shared, hide_index=True, width="stretch",
                             key=f"cat_bundle_shared|{code}")
            once = bundle_material_rows(opened, bundle)
            if once:
                st.markdown("**一次提交的材料 Handed in once**")
                st.dataframe(once, hide_index=True, width="stretch",
                             key=f"cat_bundle_materials|{code}")


def main() -> None:
    opened = catalog()
    centre = opened.catalog.name.zh if opened.catalog else "formkit"
    st.title(f"{plain(centre)} · 事项目录", anchor=False)  # no link made of its name
    st.caption("Matter catalog — 一窗受理事项清单")
    show_flash()
    if opened.errors:
        st.error(f"目录中有 {len(opened.errors)} 处错误 (errors in the catalog)")
        with st.expander("错误详情 / details", expanded=True):
            st.code("\n\n".join(e.render() for e in opened.errors[:50]), language="text")
    rows = catalog_rows(opened)
    departments = sorted({r["部门 Department"] for r in rows})
    col1, col2, col3 = st.columns([1, 1, 2])
    chosen = col1.selectbox("部门 Department", [_ALL, *departments], key="dept")
    kind = col2.selectbox("类型 Kind", [_ALL, *KINDS.values()], key="kind")
    query = col3.text_input("搜索 Search (名称 name / 编码 code)", key="query")
    shown = [r for r in rows
             if (chosen == _ALL or r["部门 Department"] == chosen)
             and (kind == _ALL or r["类型 Kind"] == kind)
             and (not query or query.lower() in (r["编码 Code"] + r["事项名称 Matter"]
                                                 + r["Name (en)"]).lower())]
    c1, c2, c3 = st.columns(3)
    c1.metric("事项 Matters", len(shown))
    c2.metric("部门 Departments", len({r["部门 Department"] for r in shown}))
    c3.metric("即办件 On-the-spot", sum(1 for r in shown if r["承诺时限 Committed"] == "即办"))
    st.dataframe(shown, width="stretch", hide_index=True, key="catalog_table")
    _open_section({r["编码 Code"]: f"{r['编码 Code']} · {r['事项名称 Matter']}" for r in shown})
    _create_section()
    _bundles_section()


main()
