"""用户管理 Users: the administrator creates users, sets role and department, disables,
resets a password.

Each change is one ``formkit.authoring.accounts`` call (an atomic write of
``users.yaml``, comments kept); what it refuses comes back as an error with
its hint. A disabled user's sessions end at once, and so do a user's whose
password was reset; every change goes to the security log, with who made it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from formkit_studio.common import (
    catalog,
    client_address,
    current_user,
    security_log,
    sessions,
    users,
    users_file,
    with_hint,
)
from formkit_studio.safe_text import plain

from formkit.authoring.accounts import (
    MIN_PASSWORD,
    ROLES,
    create_user,
    reset_password,
    update_user,
)
from formkit.definitions.users import User
from formkit.errors import FormkitError

ROLE_NAMES = {"admin": "管理员 Admin", "editor": "编辑 Editor", "clerk": "窗口受理 Clerk",
              "officer": "审批 Officer", "supervisor": "监察 Supervisor"}
_NONE = ""
_FLASH = "_users_flash"


def _status(user: User) -> str:
    if user.disabled:
        return "停用 Disabled"
    if user.must_change_password:
        return "待设密码 Password due"
    return "启用 Active"


def _done(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


admin = current_user()
st.title("用户管理 Users")
if admin is None or admin.role != "admin":
    st.error("只有管理员可以管理用户。Only an administrator manages users.")
    st.stop()
if flash := st.session_state.pop(_FLASH, None):
    st.success(flash)

opened = catalog()
departments = {d.id: d.name.zh for d in opened.catalog.departments} if opened.catalog else {}
listed = users().users
st.dataframe(pd.DataFrame([{
    "用户名 Username": u.username, "姓名 Name": u.name.zh,
    "角色 Role": ROLE_NAMES.get(u.role, u.role),
    "部门 Department": departments.get(u.department, u.department) if u.department else "",
    "状态 Status": _status(u)} for u in listed]), hide_index=True, width="stretch")
st.caption("编辑和审批人员需要所属部门。Editors and officers work for one department.")


def _department_name(d: str) -> str:
    return departments.get(d, d) if d else "无 None"


def _log(event: str, username: str, **detail: object) -> None:
    security_log().record(event, username, client_address(), by=admin.username, **detail)


with st.expander("➕ 新建用户 New user", expanded=False), st.form("new_user",
                                                                 clear_on_submit=False):
    c1, c2, c3 = st.columns(3)
    username = c1.text_input("用户名 Username（如 e.g. zhang.san）", key="nu_username")
    name_zh = c2.text_input("姓名 Name（中文）", key="nu_name_zh")
    name_en = c3.text_input("英文名 Name in English（可不填 optional）", key="nu_name_en")
    role = c1.selectbox("角色 Role", ROLES, index=ROLES.index("clerk"), key="nu_role",
                        format_func=lambda r: ROLE_NAMES.get(r, r))
    department = c2.selectbox("部门 Department", [_NONE, *departments], key="nu_department",
                              format_func=_department_name)
    password = c3.text_input(f"临时密码 Temporary password（至少 {MIN_PASSWORD} 个字符）",
                             type="password", key="nu_password")
    st.caption("用户首次登录后须设置自己的密码。The user chooses their own password at "
               "their first sign-in.")
    if st.form_submit_button("创建用户 Create user", key="nu_submit"):
        try:
            made = create_user(users_file(), admin, username=username, name_zh=name_zh,
                               name_en=name_en, role=role, department=department or None,
                               password=password, departments=departments)
        except FormkitError as exc:
            st.error(plain(with_hint(exc)))
        else:
            _log("user-created", made.username, role=made.role, department=made.department)
            _done(f"已创建用户 {made.username}。User {made.username} created.")

st.subheader("修改用户 Change a user")
names = {u.username: f"{u.name.zh}（{u.username}）" for u in listed}
chosen = st.selectbox("用户 User", list(names), key="eu_user",
                      format_func=lambda n: names.get(n, n))
target = next((u for u in listed if u.username == chosen), None)
if target is not None:
    with st.form(f"edit_{target.username}"):
        c1, c2, c3 = st.columns(3)
        new_role = c1.selectbox("角色 Role", ROLES, index=ROLES.index(target.role),
                                format_func=lambda r: ROLE_NAMES.get(r, r),
                                key=f"eu_role_{target.username}")
        options = [_NONE, *departments]
        new_department = c2.selectbox(
            "部门 Department", options, key=f"eu_department_{target.username}",
            index=options.index(target.department) if target.department in options else 0,
            format_func=_department_name)
        disabled = c3.checkbox("停用此账号 Disable this account", value=target.disabled,
                               key=f"eu_disabled_{target.username}")
        if st.form_submit_button("保存 Save", key=f"eu_save_{target.username}"):
            try:
                updated = update_user(users_file(), admin, target.username, role=new_role,
                                      department=new_department or None, disabled=disabled,
                                      departments=departments)
            except FormkitError as exc:
                st.error(plain(with_hint(exc)))
            else:
                ended = sessions().close_user(updated.username) if updated.disabled else 0
                _log("user-updated", updated.username, role=updated.role,
                     department=updated.department, disabled=updated.disabled,
                     sessions_ended=ended)
                _done(f"已保存 {updated.username}，该用户已被退出登录。"
                      f"Saved; {updated.username} was signed out." if ended else
                      f"已保存 {updated.username}。{updated.username} saved.")
    with st.form(f"reset_{target.username}", clear_on_submit=True):
        temporary = st.text_input(f"新的临时密码 New temporary password（至少 {MIN_PASSWORD} "
                                  "个字符）", type="password", key=f"eu_pw_{target.username}")
        st.caption("重置后该用户的登录全部退出，下次登录须设置自己的密码。Resetting signs "
                   "the user out everywhere; they choose their own password at the next "
                   "sign-in.")
        if st.form_submit_button("重置密码 Reset password",
                                 key=f"eu_reset_{target.username}"):
            try:
                reset_password(users_file(), admin, target.username, temporary)
            except FormkitError as exc:
                st.error(plain(with_hint(exc)))
            else:
                ended = sessions().close_user(target.username)
                _log("password-reset", target.username, sessions_ended=ended)
                _done(f"已重置 {target.username} 的密码。Password reset.")
