"""The sign-in list: scrypt at OWASP's cost, old costs still verify, disabled users."""

from __future__ import annotations

import base64
import hashlib
import time
from pathlib import Path

import pytest

import formkit.definitions.users as users_module
from formkit.definitions.model import Label
from formkit.definitions.users import (
    User,
    UserList,
    hash_password,
    load_users,
    needs_rehash,
    parse_users,
    verify_password,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = {"admin": "admin123", "ms_editor": "editor123", "ps_editor": "editor123",
        "clerk": "clerk123", "ms_officer": "officer123", "supervisor": "super123"}


def old_hash(password: str, n: int = 2**14) -> str:
    """A hash as the studio made them before the cost was raised (N=2^14)."""
    salt = b"s" * 16
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}$8$1${b64(salt).decode()}${b64(digest).decode()}"


def test_new_hashes_use_owasp_scrypt_cost() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$131072$8$1$")  # N=2^17, r=8, p=1
    assert verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored)
    assert not needs_rehash(stored)
    assert hash_password("correct horse") != stored  # a fresh salt each time


def test_a_hash_of_the_old_cost_still_verifies_and_asks_for_a_rehash() -> None:
    stored = old_hash("admin123")
    assert verify_password("admin123", stored)
    assert not verify_password("admin124", stored)
    assert needs_rehash(stored)


@pytest.mark.parametrize("stored", [
    "scrypt$1073741824$8$1$c3M=$c3M=",  # asks for 1 TiB: refused, not attempted
    "scrypt$16384$8$1$c3M=",            # a field missing
    "bcrypt$12$abc",                     # another scheme
    "scrypt$abc$8$1$c3M=$c3M=",          # not a number
    "",
])
def test_a_damaged_or_hostile_hash_verifies_nothing_quickly(stored: str) -> None:
    start = time.perf_counter()
    assert verify_password("anything", stored) is False
    assert time.perf_counter() - start < 0.5
    assert needs_rehash(stored)


def test_every_demo_password_of_the_readme_signs_in_at_todays_cost() -> None:
    listed = load_users(ROOT / "definitions" / "users.yaml")
    assert {u.username for u in listed.users} == set(DEMO)
    for user in listed.users:
        assert not needs_rehash(user.password), user.username  # no rewrite at sign-in
    # One check is enough to show the file's hashes are of the passwords in README.md.
    assert listed.authenticate("admin", DEMO["admin"]) is not None


def _list(disabled: bool = False) -> UserList:
    return UserList(users=[User(username="clerk", name=Label(zh="受理员"), role="clerk",
                                password=old_hash("clerk-pass-1"), disabled=disabled)])


def test_a_disabled_user_does_not_authenticate_but_the_password_matches() -> None:
    listed = _list(disabled=True)
    assert listed.authenticate("clerk", "clerk-pass-1") is None
    matched = listed.password_matches("clerk", "clerk-pass-1")
    assert matched is not None and matched.disabled
    assert _list().authenticate("  Clerk ", "clerk-pass-1") is not None  # name as typed


def test_an_unknown_name_is_checked_against_a_hash_all_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = users_module.verify_password

    def counted(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(users_module, "verify_password", counted)
    assert _list().authenticate("nobody", "clerk-pass-1") is None
    assert len(checked) == 1 and checked[0].startswith("scrypt$131072$")


def test_the_new_flags_are_read_from_the_file() -> None:
    text = ("users:\n  - username: clerk\n    name: {zh: 受理员}\n    role: clerk\n"
            f"    password: \"{old_hash('x')}\"\n    disabled: true\n"
            "    must_change_password: true\n")
    user = parse_users(text, "users.yaml").users[0]
    assert user.disabled and user.must_change_password
    assert not parse_users(text.replace("    disabled: true\n", ""), "u.yaml").users[0].disabled
