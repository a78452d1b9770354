"""The sign-in page and sessions, through AppTest: throttling, disabled users, idle expiry
on a test clock, a reset password that must be replaced, one's own password change."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from formkit_studio import common
from streamlit.testing.v1 import AppTest

from formkit.authoring.accounts import reset_password, update_user
from formkit.definitions.users import User, load_users
from tests.studio.conftest import APP, PASSWORDS

SIGNIN = "formkit · 登录 Sign in"


def fresh() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, username: str, password: str | None = None) -> AppTest:
    at.text_input(key="signin_user").input(username)
    at.text_input(key="signin_password").input(PASSWORDS.get(username, "")
                                               if password is None else password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def log_events(workspace: Path) -> list[dict[str, object]]:
    text = (workspace / "var" / "security.log").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines()]


def admin_of(workspace: Path) -> User:
    admin = load_users(workspace / "definitions" / "users.yaml").find("admin")
    assert admin is not None
    return admin


def test_six_wrong_passwords_are_throttled(workspace: Path) -> None:
    at = fresh()
    said = []
    for i in range(5):
        sign_in(at, "admin", f"wrong-{i}")
        said.append(errors(at)[0])
    assert all(s.startswith("用户名或密码错误") for s in said)
    assert "再错" not in said[1] and "再错 2 次须等待后再试" in said[2]
    assert "请 1 分钟后再试" in said[4]  # the fifth starts the wait
    sign_in(at, "admin", "wrong-5")
    assert errors(at) == ["登录失败次数过多，请 1 分钟后再试。"
                          "Too many failed sign-ins: try again in 1 min."]
    sign_in(at, "admin")  # the right password waits as well
    assert titles(at) == [SIGNIN] and errors(at)[0].startswith("登录失败次数过多")
    events = [e["event"] for e in log_events(workspace)]
    assert events == ["signin-failed"] * 5 + ["signin-locked", "signin-throttled",
                                              "signin-throttled"]
    # Another name is not held up (the address is unknown on localhost: per name only).
    sign_in(at, "clerk")
    assert "综合窗口受理员" in at.sidebar.markdown[0].value


def test_a_disabled_user_cannot_sign_in_and_is_signed_out_at_once(workspace: Path) -> None:
    users_file = workspace / "definitions" / "users.yaml"
    signed_in = sign_in(fresh(), "clerk")
    assert titles(signed_in) != [SIGNIN]
    update_user(users_file, admin_of(workspace), "clerk", disabled=True)
    signed_in.run()  # the next click of the signed-in clerk
    assert titles(signed_in) == [SIGNIN]
    assert [i.value for i in signed_in.info] == [common.SIGNED_OUT["disabled"]]
    at = sign_in(fresh(), "clerk")
    assert titles(at) == [SIGNIN]
    assert errors(at) == ["此账号已停用，请联系管理员。This account is disabled; ask the "
                          "administrator."]
    assert [e["event"] for e in log_events(workspace)][-2:] == ["session-disabled",
                                                                "signin-disabled"]


def test_an_idle_session_ends_and_the_same_user_signs_in_again(workspace: Path) -> None:
    at = sign_in(fresh(), "supervisor")
    at.switch_page("views/catalog.py").run()
    table = common.sessions()
    assert table.idle == 30 * 60  # FORMKIT_SESSION_IDLE_MINUTES unset: 30
    now = [1_000_000.0]
    table.clock = lambda: now[0]
    token = common.sessions().open("supervisor")  # opened on the test clock
    at.session_state["_fk_token"] = token
    now[0] += 29 * 60
    at.run()
    assert titles(at) != [SIGNIN]  # 29 minutes idle: still signed in
    now[0] += 29 * 60
    at.run()
    assert titles(at) != [SIGNIN]  # used 29 minutes ago: still signed in
    now[0] += 31 * 60
    at.run()
    assert titles(at) == [SIGNIN]
    assert [i.value for i in at.info] == [common.SIGNED_OUT["expired"]]
    assert table.resume(token) is None
    assert log_events(workspace)[-1]["event"] == "session-expired"
    sign_in(at, "supervisor")
    assert titles(at) != [SIGNIN]


def test_the_idle_time_is_configurable(workspace: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMKIT_SESSION_IDLE_MINUTES", "5")
    at = sign_in(fresh(), "clerk")
    assert common.sessions().idle == 300
    assert "闲置 5 分钟后自动退出" in at.sidebar.caption[0].value
    for bad in ("0", "-3", "soon", "1e9"):
        monkeypatch.setenv("FORMKIT_SESSION_IDLE_MINUTES", bad)
        assert common.idle_minutes() == 30


def test_after_a_reset_the_user_must_choose_their_own_password(workspace: Path) -> None:
    users_file = workspace / "definitions" / "users.yaml"
    reset_password(users_file, admin_of(workspace), "clerk", "temporary words 1")
    at = sign_in(fresh(), "clerk", "temporary words 1")
    assert titles(at) == ["账号 Account"]
    assert at.warning[0].value.startswith("管理员为您设置了临时密码")
    assert [b.label for b in at.sidebar.button] == ["退出 Sign out"]  # signed in
    with pytest.raises(ValueError):  # every address runs the account page, nothing else
        at.switch_page("views/window.py")
    at.text_input(key="pw_current").input("temporary words 1")
    at.text_input(key="pw_new").input("my own passphrase")
    at.text_input(key="pw_again").input("my own passphrase")
    at.button(key="pw_submit").click().run()
    assert not at.exception, at.exception
    assert titles(at) != ["账号 Account"]  # the clerk's own start page now
    user = load_users(users_file).authenticate("clerk", "my own passphrase")
    assert user is not None and not user.must_change_password


def test_an_own_password_change_ends_the_other_sessions(
        signed_in: Callable[..., AppTest], workspace: Path) -> None:
    users_file = workspace / "definitions" / "users.yaml"
    elsewhere = signed_in("ms_officer")
    at = signed_in("ms_officer", page="account.py")
    assert titles(at) == ["账号 Account"]
    at.text_input(key="pw_current").input("officer123")
    at.text_input(key="pw_new").input("new words here")
    at.text_input(key="pw_again").input("new words hare")  # mistyped
    at.button(key="pw_submit").click().run()
    assert errors(at) == ["两次输入的新密码不一致。The two new passwords differ."]
    at.text_input(key="pw_current").input("officer124")
    at.text_input(key="pw_new").input("new words here")
    at.text_input(key="pw_again").input("new words here")
    at.button(key="pw_submit").click().run()
    assert errors(at)[0].startswith("当前密码不正确")
    at.text_input(key="pw_current").input("officer123")
    at.text_input(key="pw_new").input("new words here")
    at.text_input(key="pw_again").input("new words here")
    at.button(key="pw_submit").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("密码已修改")
    listed = load_users(users_file)
    assert listed.authenticate("ms_officer", "new words here") is not None
    assert listed.authenticate("ms_officer", "officer123") is None
    elsewhere.run()
    assert titles(elsewhere) == [SIGNIN]  # the other session ended
    at.run()
    assert titles(at) == ["账号 Account"]  # this one stays
