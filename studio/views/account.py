"""账号 Account: who I am, and my own password.

The change is ``formkit.authoring.signin.change_own_password`` (throttled like a
sign-in: a wrong current password counts as a failure); afterwards every other
session of the user ends, this one stays. After an administrator's reset this
page is the only one open until the user has chosen their own password.
"""

from __future__ import annotations

import streamlit as st
from formkit_studio.common import (
    attempt_text,
    catalog,
    client_address,
    current_user,
    security_log,
    session_token,
    sessions,
    throttle,
    users_file,
    with_hint,
)
from formkit_studio.safe_text import plain

from formkit.authoring.accounts import MIN_PASSWORD
from formkit.authoring.signin import change_own_password
from formkit.errors import FormkitError

ROLE_NAMES = {"admin": "管理员 Admin", "editor": "编辑 Editor", "clerk": "窗口受理 Clerk",
              "officer": "审批 Officer", "supervisor": "监察 Supervisor"}
_DONE = "_account_done"

user = current_user()
st.title("账号 Account")
if user is None:
    st.stop()
if st.session_state.pop(_DONE, False):
    st.success("密码已修改；其他地方的登录已退出。"
               "Password changed; your sign-ins elsewhere have been ended.")
if user.must_change_password:
    st.warning("管理员为您设置了临时密码：请先设置您自己的密码，再继续使用。"
               "An administrator set a temporary password: choose your own before you go on.")

opened = catalog()
departments = {d.id: d.name.zh for d in opened.catalog.departments} if opened.catalog else {}
c1, c2, c3 = st.columns(3)
c1.markdown(f"**姓名 Name**  \n{plain(user.name.zh)}"
            + (f"（{plain(user.name.en)}）" if user.name.en else ""))
c2.markdown(f"**用户名 Username**  \n{plain(user.username)}")
c3.markdown(f"**角色 Role**  \n{ROLE_NAMES.get(user.role, user.role)}"
            + (f" · {plain(departments.get(user.department, user.department))}"
               if user.department else ""))

st.subheader("修改密码 Change password")
with st.form("password", clear_on_submit=True):
    current = st.text_input("当前密码 Current password", type="password", key="pw_current")
    new = st.text_input(f"新密码 New password（至少 {MIN_PASSWORD} 个字符 "
                        f"at least {MIN_PASSWORD} characters）", type="password", key="pw_new")
    again = st.text_input("再次输入新密码 New password again", type="password", key="pw_again")
    submitted = st.form_submit_button("修改密码 Change password", key="pw_submit")
st.caption("长一些的词组比复杂的短密码更安全。A passphrase of a few words is safer than a "
           "short, complicated password.")
if submitted:
    if new != again:
        st.error("两次输入的新密码不一致。The two new passwords differ.")
    else:
        try:
            with st.spinner("正在保存 Saving…"):
                attempt = change_own_password(users_file(), user, current, new,
                                              address=client_address(), throttle=throttle(),
                                              log=security_log())
        except FormkitError as exc:
            st.error(plain(with_hint(exc)))
        else:
            if attempt.outcome == "ok":
                sessions().close_user(user.username, keep=session_token())
                st.session_state[_DONE] = True
                st.rerun()
            st.error(attempt_text(attempt))
