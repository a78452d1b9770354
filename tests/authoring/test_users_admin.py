"""users.yaml changes: an administrator's user management and a user's own password."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import formkit.authoring.accounts as accounts
from formkit.authoring.accounts import (
    change_password,
    create_user,
    password_problem,
    reset_password,
    update_user,
)
from formkit.definitions.users import User, load_users
from formkit.errors import AccessDenied, EditError, FormkitError, NotFoundError, StoreError
from tests.authoring.test_signin_throttle import cheap_scrypt  # noqa: F401 (autouse)

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENTS = ["market_supervision", "public_security", "civil_affairs"]


@pytest.fixture()
def users_file(tmp_path: Path) -> Path:
    """The sample catalog's users.yaml, comments and all."""
    path = tmp_path / "users.yaml"
    path.write_text((ROOT / "definitions" / "users.yaml").read_text("utf-8"), "utf-8")
    return path


@pytest.fixture()
def admin(users_file: Path) -> User:
    found = load_users(users_file).find("admin")
    assert found is not None
    return found


def new_user(path: Path, actor: User, username: str = "zhang.san", role: str = "clerk",
             department: str | None = None, password: str = "spring river 7") -> User:
    return create_user(path, actor, username=username, name_zh="张三", name_en="Zhang San",
                       role=role, department=department, password=password,
                       departments=DEPARTMENTS)


def test_create_a_user_who_then_chooses_their_own_password(users_file: Path,
                                                           admin: User) -> None:
    before = users_file.read_text("utf-8")
    made = new_user(users_file, admin, role="officer", department="civil_affairs")
    assert made.must_change_password and made.department == "civil_affairs"
    text = users_file.read_text("utf-8")
    # Every user already there keeps their text; comments stay; the new one is short.
    assert text.startswith(before)
    assert text[len(before):] == (
        "  - username: zhang.san\n"
        "    name: {zh: 张三, en: Zhang San}\n"
        "    role: officer\n"
        "    department: civil_affairs\n"
        f"    password: \"{made.password}\"\n"
        "    must_change_password: true\n")
    assert load_users(users_file).authenticate("zhang.san", "spring river 7") is not None
    assert oct(users_file.stat().st_mode & 0o777) == "0o600"  # hashes: the owner's only


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"username": "clerk"}, "user-exists"),                     # taken
    ({"username": "Zhang San"}, "bad-username"),                # a space
    ({"username": "张三"}, "bad-username"),                      # not ASCII
    ({"password": "short7"}, "weak-password"),                  # under 8
    ({"password": "zhang.san2026"}, "weak-password"),           # holds the name
    ({"password": "12345678"}, "weak-password"),                # the commonest
    ({"password": "admin123"}, "weak-password"),                # a demo password
    ({"password": "aaaaaaaaaaaa"}, "weak-password"),            # one character
    ({"role": "editor"}, "department-required"),                # editors need one
    ({"role": "officer", "department": "nowhere"}, "unknown-department"),
    ({"role": "root"}, "bad-value"),
])
def test_a_user_is_not_created_as_asked(users_file: Path, admin: User,
                                        kwargs: dict[str, str], code: str) -> None:
    before = users_file.read_text("utf-8")
    with pytest.raises(FormkitError) as caught:
        new_user(users_file, admin, **kwargs)
    assert caught.value.code == code
    assert caught.value.hint  # what to do instead
    assert users_file.read_text("utf-8") == before


def test_only_an_administrator_manages_users(users_file: Path) -> None:
    clerk = load_users(users_file).find("clerk")
    assert clerk is not None
    with pytest.raises(AccessDenied) as caught:
        new_user(users_file, clerk)
    assert caught.value.code == "not-admin"
    with pytest.raises(AccessDenied):
        update_user(users_file, clerk, "clerk", role="admin")
    with pytest.raises(AccessDenied):
        reset_password(users_file, clerk, "admin", "a new passphrase")


def test_a_disabled_user_cannot_sign_in_until_enabled_again(users_file: Path,
                                                            admin: User) -> None:
    gone = update_user(users_file, admin, "clerk", disabled=True, departments=DEPARTMENTS)
    assert gone.disabled
    assert "    disabled: true\n" in users_file.read_text("utf-8")
    assert load_users(users_file).authenticate("clerk", "clerk123") is None
    back = update_user(users_file, admin, "clerk", disabled=False, departments=DEPARTMENTS)
    assert not back.disabled and "disabled" not in users_file.read_text("utf-8")
    assert load_users(users_file).authenticate("clerk", "clerk123") is not None


def test_role_and_department_change_together(users_file: Path, admin: User) -> None:
    moved = update_user(users_file, admin, "clerk", role="officer",
                        department="public_security", departments=DEPARTMENTS)
    assert (moved.role, moved.department) == ("officer", "public_security")
    text = users_file.read_text("utf-8")
    assert "    role: officer\n    department: public_security\n" in text
    back = update_user(users_file, admin, "clerk", role="clerk", department=None,
                       departments=DEPARTMENTS)
    assert (back.role, back.department) == ("clerk", None)
    with pytest.raises(EditError) as caught:
        update_user(users_file, admin, "ms_officer", department=None, departments=DEPARTMENTS)
    assert caught.value.code == "department-required"
    with pytest.raises(NotFoundError) as missing:
        update_user(users_file, admin, "nobody", disabled=True, departments=DEPARTMENTS)
    assert missing.value.code == "unknown-user"


def test_an_administrator_cannot_lock_themselves_or_everyone_out(users_file: Path,
                                                                 admin: User) -> None:
    for change in ({"disabled": True}, {"role": "clerk"}):
        with pytest.raises(AccessDenied) as caught:
            update_user(users_file, admin, "admin", departments=DEPARTMENTS,
                        **change)
        assert caught.value.code == "own-account"
    # An administrator not (or no longer) in the list cannot demote the last one.
    stranger = admin.model_copy(update={"username": "ghost"})
    with pytest.raises(EditError) as last:
        update_user(users_file, stranger, "admin", role="clerk", departments=DEPARTMENTS)
    assert last.value.code == "last-admin"
    # With a second administrator, one may disable the other.
    new_user(users_file, admin, username="deputy", role="admin")
    assert update_user(users_file, admin, "deputy", disabled=True,
                       departments=DEPARTMENTS).disabled


def test_a_reset_password_must_be_replaced_at_the_next_sign_in(users_file: Path,
                                                               admin: User) -> None:
    reset_password(users_file, admin, "clerk", "temporary words 1")
    listed = load_users(users_file)
    clerk = listed.authenticate("clerk", "temporary words 1")
    assert clerk is not None and clerk.must_change_password
    assert listed.authenticate("clerk", "clerk123") is None
    change_password(users_file, "clerk", "temporary words 1", "my own passphrase")
    mine = load_users(users_file).authenticate("clerk", "my own passphrase")
    assert mine is not None and not mine.must_change_password
    with pytest.raises(AccessDenied) as caught:
        reset_password(users_file, admin, "admin", "temporary words 1")
    assert caught.value.code == "own-account"


@pytest.mark.parametrize(("current", "new", "code"), [
    ("wrong password", "my own passphrase", "wrong-password"),
    ("clerk123", "clerk123", "weak-password"),     # the same again
    ("clerk123", "short", "weak-password"),
])
def test_an_own_password_change_is_refused(users_file: Path, current: str, new: str,
                                           code: str) -> None:
    before = users_file.read_text("utf-8")
    with pytest.raises(FormkitError) as caught:
        change_password(users_file, "clerk", current, new)
    assert caught.value.code == code
    assert users_file.read_text("utf-8") == before


def test_a_write_that_fails_changes_nothing(users_file: Path, admin: User,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    before = users_file.read_text("utf-8")

    def full_disk(path: Path, text: str) -> None:
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(accounts, "write_atomic", full_disk)
    with pytest.raises(StoreError) as caught:
        new_user(users_file, admin)
    assert caught.value.code == "io" and "nothing was changed" in (caught.value.hint or "")
    assert users_file.read_text("utf-8") == before
    assert [p.name for p in users_file.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_two_administrators_saving_at_once_both_count(users_file: Path,
                                                      admin: User) -> None:
    errors: list[BaseException] = []

    def create(name: str) -> None:
        try:
            new_user(users_file, admin, username=name)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(f"user{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = {u.username for u in load_users(users_file).users}
    assert {f"user{i}" for i in range(6)} <= names
    assert len(names) == 12


@pytest.mark.parametrize("start", [None, "users: []\n", "# none yet\nusers:\n"])
def test_the_first_user_of_an_empty_list(tmp_path: Path, admin: User,
                                         start: str | None) -> None:
    path = tmp_path / "new" / "users.yaml"
    path.parent.mkdir()
    if start is not None:
        path.write_text(start, "utf-8")
    new_user(path, admin, username="first", role="admin")
    text = path.read_text("utf-8")
    assert "  - username: first\n" in text and "[" not in text
    assert load_users(path).authenticate("first", "spring river 7") is not None


def test_password_problem_is_none_for_a_good_passphrase() -> None:
    assert password_problem("correct horse battery", "clerk") is None
    assert password_problem("x" * 300, "clerk") is not None
