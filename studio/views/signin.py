"""登录 Sign in."""

from __future__ import annotations

import streamlit as st
from formkit_studio.common import sign_in, users

st.title("formkit · 登录 Sign in")
with st.form("signin"):
    username = st.text_input("用户名 Username", key="signin_user")
    password = st.text_input("密码 Password", type="password", key="signin_password")
    submitted = st.form_submit_button("登录 Sign in")
if submitted:
    user = users().authenticate(username, password)
    if user is None:
        st.error("用户名或密码错误 (wrong username or password)")
    else:
        sign_in(user)
        st.rerun()
st.caption("演示账号见 README (demo users are listed in README.md)")
