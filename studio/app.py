"""formkit studio: one Streamlit app for editors, window clerks, back offices, supervisors.

Run with ``make run`` or ``formkit studio definitions``. Pages are chosen by
the signed-in user's role; every page is thin over formkit.

Every address the studio has answers in Chinese, whoever asks: signed out, a
page's address (a bookmark, a reload after the session ended) shows the
sign-in there, and the page itself once signed in; a page the role does not
open says so; an address that is no page says 页面不存在, with a link to the
start page. (Streamlit itself would run the first page under an English
"Page not found".)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
from formkit_studio.common import (
    catalog,
    current_user,
    idle_minutes,
    resume_session,
    sign_out,
    sync_cookie,
)
from formkit_studio.safe_text import plain

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="formkit", page_icon="📋", layout="wide")

ACCOUNT = ("account.py", "账号 Account", "👤")
PAGES: dict[str, list[tuple[str, str, str]]] = {
    # role -> (file in views/, title, icon)
    "admin": [("catalog.py", "事项目录 Catalog", "📋"), ("editor.py", "编辑 Editor", "✏️"),
              ("preview.py", "预览 Preview", "👁️"), ("playground.py", "试算 Playground", "🧮"),
              ("examples.py", "示例 Examples", "✅"), ("publish.py", "发布 Publish", "🚀"),
              ("users.py", "用户管理 Users", "👥"), ACCOUNT],
    "editor": [("catalog.py", "事项目录 Catalog", "📋"), ("editor.py", "编辑 Editor", "✏️"),
               ("preview.py", "预览 Preview", "👁️"), ("playground.py", "试算 Playground", "🧮"),
               ("examples.py", "示例 Examples", "✅"), ("publish.py", "发布 Publish", "🚀"),
               ACCOUNT],
    "clerk": [("window.py", "综合窗口 Window", "🪟"), ("catalog.py", "事项目录 Catalog", "📋"),
              ACCOUNT],
    "officer": [("backoffice.py", "后台审批 Back office", "🗂️"), ACCOUNT],
    "supervisor": [("monitor.py", "效能监察 Monitor", "📊"),
                   ("catalog.py", "事项目录 Catalog", "📋"), ACCOUNT],
}
ROLES = {"admin": "管理员 Admin", "editor": "编辑 Editor", "clerk": "窗口受理 Clerk",
         "officer": "审批 Officer", "supervisor": "监察 Supervisor"}
# Every page address the studio has, whoever may open it.
KNOWN = {Path(f).stem for entries in PAGES.values() for f, _, _ in entries} | {"signin"}
_ADDRESS = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _requested() -> str | None:
    """The page name in the address the browser asked for (None: the start page)."""
    url = getattr(st.context, "url", None)
    if not isinstance(url, str) or not url:
        return None
    name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return name if _ADDRESS.fullmatch(name) else None


def _not_found(start: st.Page) -> Callable[[], None]:
    def page() -> None:
        st.title("页面不存在 Page not found")
        st.warning("您打开的地址不是本系统的页面，可能是书签或链接有误。"
                   "The address you opened is not a page of the studio; the bookmark or "
                   "link may be wrong.")
        st.page_link(start, label="返回首页 Go to the start page", icon="🏠")
    return page


def _no_access(start: st.Page) -> Callable[[], None]:
    def page() -> None:
        st.title("无权访问 Not open to your role")
        st.warning("您的角色不能打开这个页面；请从左侧菜单选择。"
                   "Your role does not open this page; choose one in the menu on the left.")
        st.page_link(start, label="返回首页 Go to the start page", icon="🏠")
    return page


def _to_start(start: st.Page) -> Callable[[], None]:
    def page() -> None:  # the sign-in's own address, once signed in
        st.switch_page(start)
    return page


def _hidden(page: str | Callable[[], None], title: str, names: set[str]) -> list[st.Page]:
    """``page`` again under each address in ``names``, out of the menu."""
    target = str(VIEWS / page) if isinstance(page, str) else page
    return [st.Page(target, title=title, url_path=name, visibility="hidden")
            for name in sorted(names)]


resume_session()
user = current_user()
if user is None:
    # Any page's address signs in there; after the sign-in the same address opens
    # the page itself (a page's identity is its address).
    start = st.Page(str(VIEWS / "signin.py"), title="登录 Sign in", icon="🔑", default=True)
    pages = [start, *_hidden("signin.py", "登录 Sign in", KNOWN - {"signin"})]
elif user.must_change_password:
    # A password an administrator set: the user's own comes first, on whatever address.
    start = st.Page(str(VIEWS / ACCOUNT[0]), title=ACCOUNT[1], icon=ACCOUNT[2], default=True)
    pages = [start, *_hidden(ACCOUNT[0], ACCOUNT[1], KNOWN - {"account"})]
else:
    entries = [e for e in PAGES.get(user.role, []) if (VIEWS / e[0]).is_file()] \
        or [("catalog.py", "事项目录 Catalog", "📋")]
    pages = [st.Page(str(VIEWS / f), title=t, icon=i) for f, t, i in entries]
    start = pages[0]
    allowed = {Path(f).stem for f, _, _ in entries}
    pages += _hidden(_no_access(start), "无权访问 Not open to your role",
                     KNOWN - allowed - {"signin"})
    pages += _hidden(_to_start(start), "登录 Sign in", {"signin"} - allowed)
wanted = _requested()
if wanted is not None and wanted not in KNOWN:
    pages += _hidden(_not_found(start), "页面不存在 Page not found", {wanted})
page = st.navigation(pages)

if user is not None:
    opened = catalog()
    departments = {d.id: d.name.zh for d in opened.catalog.departments} \
        if opened.catalog else {}
    with st.sidebar:  # people, roles and departments by name, never by id
        # a name is text from users.yaml and catalog.yaml: shown as text, never markup
        st.markdown(f"**{plain(user.name.zh)}**（{plain(user.username)}）· "
                    f"{ROLES.get(user.role, '')}"
                    + (f" · {plain(departments.get(user.department, ''))}"
                       if user.department else ""))
        if st.button("退出 Sign out", key="signout"):
            sign_out()
            st.rerun()
        st.caption(f"闲置 {idle_minutes():g} 分钟后自动退出 "
                   f"Signs out after {idle_minutes():g} minutes idle")
        sync_cookie()
page.run()
if user is None:
    sync_cookie()
