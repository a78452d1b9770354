"""用户管理 Users, through AppTest: the administrator creates, disables and resets users;
the page shows what formkit refuses; nobody else opens it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from formkit.definitions.users import load_users


def users_file(workspace: Path) -> Path:
    return workspace / "definitions" / "users.yaml"


def rows(at: AppTest) -> dict[str, dict[str, str]]:
    frame = at.dataframe[0].value
    return {r["用户名 Username"]: r for r in frame.to_dict("records")}


def test_the_admin_sees_every_user_by_name_role_department_and_status(
        signed_in: Callable[..., AppTest]) -> None:
    at = signed_in("admin", page="users.py")
    assert [t.value for t in at.title] == ["用户管理 Users"]
    listed = rows(at)
    assert set(listed) == {"admin", "ms_editor", "ps_editor", "clerk", "ms_officer",
                           "supervisor"}
    assert listed["ms_officer"] == {
        "用户名 Username": "ms_officer", "姓名 Name": "市场监管局审批员",
        "角色 Role": "审批 Officer", "部门 Department": "市场监督管理局",
        "状态 Status": "启用 Active"}


def test_the_admin_creates_a_user_and_a_refusal_is_explained(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    at = signed_in("admin", page="users.py")
    at.text_input(key="nu_username").input("li.si")
    at.text_input(key="nu_name_zh").input("李四")
    at.selectbox(key="nu_role").set_value("officer")
    at.text_input(key="nu_password").input("short")
    at.button(key="nu_submit").click().run()
    assert not at.exception, at.exception
    # An officer needs a department: said in Chinese first, with what to do.
    assert [e.value for e in at.error] == [
        "编辑和审批人员需要所属部门: editors and officers work for one department（选择部门: "
        "pick the department）"]
    at.selectbox(key="nu_department").set_value("civil_affairs")
    at.button(key="nu_submit").click().run()
    assert at.error[0].value.startswith("密码至少 8 个字符")
    at.text_input(key="nu_password").input("first day words")
    at.button(key="nu_submit").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已创建用户 li.si。User li.si created."
    assert rows(at)["li.si"]["状态 Status"] == "待设密码 Password due"
    made = load_users(users_file(workspace)).authenticate("li.si", "first day words")
    assert made is not None and made.department == "civil_affairs"
    log = (workspace / "var" / "security.log").read_text("utf-8").splitlines()
    entry = json.loads(log[-1])
    assert (entry["event"], entry["username"], entry["by"]) == ("user-created", "li.si",
                                                                "admin")


def test_the_admin_disables_a_user_whose_session_ends(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    clerk = signed_in("clerk")
    at = signed_in("admin", page="users.py")
    at.selectbox(key="eu_user").set_value("clerk").run()
    at.checkbox(key="eu_disabled_clerk").check()
    at.button(key="eu_save_clerk").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已保存 clerk，该用户已被退出登录。Saved; clerk was signed out."
    assert rows(at)["clerk"]["状态 Status"] == "停用 Disabled"
    assert load_users(users_file(workspace)).authenticate("clerk", "clerk123") is None
    clerk.run()
    assert [t.value for t in clerk.title] == ["formkit · 登录 Sign in"]


def test_the_admin_cannot_demote_themselves(signed_in: Callable[..., AppTest]) -> None:
    at = signed_in("admin", page="users.py")
    at.selectbox(key="eu_user").set_value("admin").run()
    at.selectbox(key="eu_role_admin").set_value("clerk")
    at.button(key="eu_save_admin").click().run()
    assert at.error[0].value.startswith("不能停用或降级自己的账号")
    assert rows(at)["admin"]["角色 Role"] == "管理员 Admin"


def test_the_admin_resets_a_password(signed_in: Callable[..., AppTest],
                                     workspace: Path) -> None:
    at = signed_in("admin", page="users.py")
    at.selectbox(key="eu_user").set_value("ms_officer").run()
    at.text_input(key="eu_pw_ms_officer").input("temporary words 2")
    at.button(key="eu_reset_ms_officer").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已重置 ms_officer 的密码。Password reset."
    user = load_users(users_file(workspace)).authenticate("ms_officer", "temporary words 2")
    assert user is not None and user.must_change_password


@pytest.mark.parametrize("username", ["ms_editor", "clerk", "ms_officer", "supervisor"])
def test_nobody_else_has_the_users_page(signed_in: Callable[..., AppTest],
                                        username: str) -> None:
    at = signed_in(username)
    with pytest.raises(ValueError):  # not a page of theirs
        at.switch_page("views/users.py")
    at.switch_page("views/account.py").run()  # everyone has their account page
    assert [t.value for t in at.title] == ["账号 Account"]
