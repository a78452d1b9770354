"""登录 Sign in.

What an attempt comes to is ``formkit.authoring.signin.attempt_sign_in``'s to
decide (the throttle, disabled users, the log); this page words it. The page
runs at the start address and at the address of any page asked for while
signed out: after the sign-in, that page opens.
"""

from __future__ import annotations

import streamlit as st
from formkit_studio.common import (
    SIGNED_OUT,
    attempt_text,
    client_address,
    security_log,
    session_notice,
    sign_in,
    throttle,
    users,
    users_file,
)

from formkit.authoring.signin import attempt_sign_in

st.title("formkit · 登录 Sign in")
notice = session_notice()
if notice in SIGNED_OUT:
    st.info(SIGNED_OUT[notice])
with st.form("signin"):
    username = st.text_input("用户名 Username", key="signin_user")
    password = st.text_input("密码 Password", type="password", key="signin_password")
    submitted = st.form_submit_button("登录 Sign in")
if submitted:
    with st.spinner("正在核对 Checking…"):
        attempt = attempt_sign_in(users(), username, password, address=client_address(),
                                  throttle=throttle(), log=security_log(),
                                  users_file=users_file())
    if attempt.outcome == "ok" and attempt.user is not None:
        sign_in(attempt.user)
        st.rerun()
    st.error(attempt_text(attempt))
st.caption("演示账号见 README (demo users are listed in README.md)")
