"""formkit studio: one Streamlit app for editors, window clerks, back offices, supervisors.

Run with ``make run`` or ``formkit studio definitions``. Pages are chosen by
the signed-in user's role; every page is thin over formkit.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from formkit_studio.common import catalog, current_user, sign_out

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="formkit", page_icon="📋", layout="wide")

PAGES: dict[str, list[tuple[str, str, str]]] = {
    # role -> (file in views/, title, icon)
    "admin": [("catalog.py", "事项目录 Catalog", "📋"), ("editor.py", "编辑 Editor", "✏️"),
              ("preview.py", "预览 Preview", "👁️"), ("playground.py", "试算 Playground", "🧮"),
              ("examples.py", "示例 Examples", "✅"), ("publish.py", "发布 Publish", "🚀")],
    "editor": [("catalog.py", "事项目录 Catalog", "📋"), ("editor.py", "编辑 Editor", "✏️"),
               ("preview.py", "预览 Preview", "👁️"), ("playground.py", "试算 Playground", "🧮"),
               ("examples.py", "示例 Examples", "✅"), ("publish.py", "发布 Publish", "🚀")],
    "clerk": [("window.py", "综合窗口 Window", "🪟"), ("catalog.py", "事项目录 Catalog", "📋")],
    "officer": [("backoffice.py", "后台审批 Back office", "🗂️")],
    "supervisor": [("monitor.py", "效能监察 Monitor", "📊"),
                   ("catalog.py", "事项目录 Catalog", "📋")],
}
ROLES = {"admin": "管理员 Admin", "editor": "编辑 Editor", "clerk": "窗口受理 Clerk",
         "officer": "审批 Officer", "supervisor": "监察 Supervisor"}

user = current_user()
if user is None:
    page = st.navigation([st.Page(str(VIEWS / "signin.py"), title="登录 Sign in", icon="🔑")])
else:
    entries = [e for e in PAGES.get(user.role, []) if (VIEWS / e[0]).is_file()]
    page = st.navigation([st.Page(str(VIEWS / f), title=t, icon=i) for f, t, i in entries]
                         or [st.Page(str(VIEWS / "catalog.py"), title="事项目录 Catalog")])
    opened = catalog()
    departments = {d.id: d.name.zh for d in opened.catalog.departments} \
        if opened.catalog else {}
    with st.sidebar:  # people, roles and departments by name, never by id
        st.markdown(f"**{user.name.zh}**（{user.username}）· {ROLES.get(user.role, '')}"
                    + (f" · {departments.get(user.department, '')}" if user.department
                       else ""))
        if st.button("退出 Sign out", key="signout"):
            sign_out()
            st.rerun()
page.run()
