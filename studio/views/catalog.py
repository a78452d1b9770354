"""事项目录 Catalog: search and filter the matters; every figure comes from formkit."""

from __future__ import annotations

import streamlit as st

from formkit.studio_data import catalog_rows
from studio.common import catalog


def main() -> None:
    opened = catalog()
    centre = opened.catalog.name.zh if opened.catalog else "formkit"
    st.title(f"{centre} · 事项目录")
    st.caption("Matter catalog — 一窗受理事项清单")
    if opened.errors:
        st.error(f"目录中有 {len(opened.errors)} 处错误 (errors in the catalog)")
        with st.expander("错误详情 / details", expanded=True):
            st.code("\n\n".join(e.render() for e in opened.errors[:50]), language="text")
    rows = catalog_rows(opened)
    departments = sorted({r["部门 Department"] for r in rows})
    col1, col2 = st.columns([1, 2])
    chosen = col1.selectbox("部门 Department", ["全部 All", *departments], key="dept")
    query = col2.text_input("搜索 Search (名称 name / 编码 code)", key="query")
    shown = [r for r in rows
             if (chosen == "全部 All" or r["部门 Department"] == chosen)
             and (not query or query.lower() in (r["编码 Code"] + r["事项名称 Matter"]).lower())]
    c1, c2, c3 = st.columns(3)
    c1.metric("事项 Matters", len(shown))
    c2.metric("部门 Departments", len({r["部门 Department"] for r in shown}))
    c3.metric("即办件 On-the-spot", sum(1 for r in shown if r["承诺时限 Committed"] == "即办"))
    st.dataframe(shown, width="stretch", hide_index=True, key="catalog_table")


main()
