"""One sign-in attempt: the throttle (per name, per address), disabled users, the log,
rehashing an old-cost password, and a user's own password change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import formkit.definitions.users as users_module
from formkit.authoring.signin import (
    Attempt,
    SecurityLog,
    Throttle,
    attempt_sign_in,
    change_own_password,
)
from formkit.definitions.users import User, load_users, needs_rehash
from formkit.errors import AccessDenied
from tests.authoring.test_sessions import Clock
from tests.definitions.test_users import old_hash

ADDRESS = "10.3.4.5"


@pytest.fixture(autouse=True)
def cheap_scrypt(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hashes at N=2^10 in these tests: the rules, not the cost, are under test
    (tests/definitions/test_users.py checks the cost)."""
    monkeypatch.setattr(users_module, "_N", 2**10)
    users_module._unknown_user_hash.cache_clear()
    yield
    users_module._unknown_user_hash.cache_clear()


@pytest.fixture()
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.yaml"
    path.write_text(
        "# The centre's users\n"
        "users:\n"
        "  - username: admin\n"
        "    name: {zh: 管理员}\n"
        "    role: admin\n"
        f"    password: \"{users_module.hash_password('admin-pass-1')}\"\n"
        "  - username: clerk\n"
        "    name: {zh: 受理员}\n"
        "    role: clerk\n"
        f"    password: \"{old_hash('clerk-pass-1')}\"  # made before the cost was raised\n"
        "  - username: gone\n"
        "    name: {zh: 已离职}\n"
        "    role: clerk\n"
        f"    password: \"{users_module.hash_password('gone-pass-1')}\"\n"
        "    disabled: true\n", encoding="utf-8")
    return path


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def throttle(clock: Clock) -> Throttle:
    return Throttle(clock=clock)


@pytest.fixture()
def log(tmp_path: Path) -> SecurityLog:
    return SecurityLog(tmp_path / "var" / "security.log")


def events(log: SecurityLog) -> list[dict[str, object]]:
    assert log.path is not None
    return [json.loads(line) for line in log.path.read_text("utf-8").splitlines()]


def attempt(users_file: Path, throttle: Throttle, log: SecurityLog, username: str,
            password: str, address: str | None = ADDRESS) -> Attempt:
    return attempt_sign_in(load_users(users_file), username, password, address=address,
                           throttle=throttle, log=log, users_file=users_file)


def test_six_wrong_passwords_the_sixth_waits_even_with_the_right_one(
        users_file: Path, throttle: Throttle, log: SecurityLog, clock: Clock) -> None:
    outcomes = [attempt(users_file, throttle, log, "admin", f"guess-{i}") for i in range(5)]
    assert [a.outcome for a in outcomes] == ["wrong"] * 5
    assert [a.left for a in outcomes[:4]] == [4, 3, 2, 1]
    assert outcomes[4].wait == 60  # the fifth failure starts the wait
    sixth = attempt(users_file, throttle, log, "admin", "guess-5")
    assert sixth == Attempt("throttled", wait=60)
    # The right password waits too: it is not even checked.
    assert attempt(users_file, throttle, log, "admin", "admin-pass-1").outcome == "throttled"
    clock.advance(30)
    assert attempt(users_file, throttle, log, "admin", "admin-pass-1").wait == 30
    clock.advance(31)
    ok = attempt(users_file, throttle, log, "admin", "admin-pass-1")
    assert ok.outcome == "ok" and ok.user is not None and ok.user.username == "admin"
    # A success starts the name afresh.
    assert attempt(users_file, throttle, log, "admin", "again").left == 4
    kinds = [e["event"] for e in events(log)]
    assert kinds == ["signin-failed"] * 4 + ["signin-failed", "signin-locked"] + \
        ["signin-throttled"] * 3 + ["signin-ok", "signin-failed"]
    locked = events(log)[5]
    assert locked["username"] == "admin" and locked["address"] == ADDRESS
    assert locked["wait"] == 60


def test_each_failure_past_the_limit_doubles_the_wait_up_to_fifteen_minutes(
        users_file: Path, throttle: Throttle, log: SecurityLog, clock: Clock) -> None:
    waits = []
    for i in range(10):
        result = attempt(users_file, throttle, log, "clerk", f"guess-{i}")
        waits.append(result.wait)
        clock.advance(result.wait)
    assert waits == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900]


def test_failures_older_than_the_window_are_forgotten(
        users_file: Path, throttle: Throttle, log: SecurityLog, clock: Clock) -> None:
    for i in range(4):
        attempt(users_file, throttle, log, "clerk", f"guess-{i}")
    clock.advance(59 * 60)
    assert attempt(users_file, throttle, log, "clerk", "guess-4").wait == 60  # an hour
    clock.advance(61 * 60)
    assert attempt(users_file, throttle, log, "clerk", "guess-5").left == 4


def test_a_guesser_gets_about_two_hundred_tries_a_day_at_one_name(clock: Clock) -> None:
    throttle = Throttle(clock=clock)
    tries = 0
    for _ in range(24 * 3600):  # one try a second, all day
        if throttle.wait("admin", None) == 0:
            throttle.failed("admin", None)
            tries += 1
        clock.advance(1)
    assert tries <= 200


def test_one_address_trying_many_names_is_throttled_after_twenty(
        users_file: Path, throttle: Throttle, log: SecurityLog, clock: Clock) -> None:
    for i in range(20):
        assert attempt(users_file, throttle, log, f"name{i}", "x").outcome == "wrong"
    assert attempt(users_file, throttle, log, "admin", "admin-pass-1").outcome == "throttled"
    # Another address is not held up by it.
    assert attempt(users_file, throttle, log, "admin", "admin-pass-1",
                   address="10.9.9.9").outcome == "ok"
    clock.advance(16 * 60)  # an address's failures are remembered for 15 minutes
    assert attempt(users_file, throttle, log, "admin", "admin-pass-1").outcome == "ok"


def test_without_an_address_names_are_throttled_alone(
        users_file: Path, throttle: Throttle, log: SecurityLog) -> None:
    for i in range(30):
        attempt(users_file, throttle, log, f"name{i}", "x", address=None)
    assert attempt(users_file, throttle, log, "admin", "admin-pass-1",
                   address=None).outcome == "ok"
    assert events(log)[0]["address"] is None


def test_a_disabled_user_cannot_sign_in(users_file: Path, throttle: Throttle,
                                        log: SecurityLog) -> None:
    right = attempt(users_file, throttle, log, "gone", "gone-pass-1")
    assert right.outcome == "disabled"
    assert attempt(users_file, throttle, log, "gone", "wrong").outcome == "wrong"
    assert [e["event"] for e in events(log)] == ["signin-disabled", "signin-failed"]


def test_the_log_says_whether_the_name_exists_and_never_holds_a_password(
        users_file: Path, throttle: Throttle, log: SecurityLog) -> None:
    attempt(users_file, throttle, log, "root", "hunter2-secret")
    attempt(users_file, throttle, log, "admin", "admin-pass-1")
    attempt(users_file, throttle, log, "x" * 500, "another-secret")
    found = events(log)
    assert [(e["event"], e.get("known")) for e in found] == [
        ("signin-failed", False), ("signin-ok", None), ("signin-failed", False)]
    assert found[2]["username"] == "x" * 64
    assert log.path is not None
    text = log.path.read_text("utf-8")
    for secret in ("hunter2-secret", "admin-pass-1", "another-secret", "scrypt$"):
        assert secret not in text


def test_a_password_of_the_old_cost_is_stored_again_at_sign_in(
        users_file: Path, throttle: Throttle, log: SecurityLog) -> None:
    before = load_users(users_file).find("clerk")
    assert before is not None and needs_rehash(before.password)
    assert attempt(users_file, throttle, log, "clerk", "clerk-pass-1").outcome == "ok"
    after = load_users(users_file).find("clerk")
    assert after is not None and not needs_rehash(after.password)
    assert load_users(users_file).authenticate("clerk", "clerk-pass-1") is not None
    text = users_file.read_text("utf-8")
    assert "# The centre's users" in text and "# made before the cost was raised" in text
    assert [e["event"] for e in events(log)] == ["signin-ok", "password-rehashed"]
    # Stored once: the next sign-in leaves the file alone.
    mtime = users_file.stat().st_mtime_ns
    attempt(users_file, throttle, log, "clerk", "clerk-pass-1")
    assert users_file.stat().st_mtime_ns == mtime


def test_the_own_password_change_is_throttled_like_a_sign_in(
        users_file: Path, throttle: Throttle, log: SecurityLog) -> None:
    admin = load_users(users_file).find("admin")
    assert admin is not None
    for i in range(5):
        with pytest.raises(AccessDenied) as caught:
            change_own_password(users_file, admin, f"guess-{i}", "a new passphrase",
                                address=ADDRESS, throttle=throttle, log=log)
        assert caught.value.code == "wrong-password"
    refused = change_own_password(users_file, admin, "admin-pass-1", "a new passphrase",
                                  address=ADDRESS, throttle=throttle, log=log)
    assert refused.outcome == "throttled"
    assert load_users(users_file).authenticate("admin", "admin-pass-1") is not None


def test_the_own_password_change_takes_the_new_password(
        users_file: Path, throttle: Throttle, log: SecurityLog) -> None:
    admin: User | None = load_users(users_file).find("admin")
    assert admin is not None
    done = change_own_password(users_file, admin, "admin-pass-1", "a new passphrase",
                               address=None, throttle=throttle, log=log)
    assert done.outcome == "ok"
    listed = load_users(users_file)
    assert listed.authenticate("admin", "a new passphrase") is not None
    assert listed.authenticate("admin", "admin-pass-1") is None
    assert [e["event"] for e in events(log)] == ["password-changed"]


def test_a_log_that_cannot_be_written_does_not_stop_the_sign_in(
        users_file: Path, throttle: Throttle, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    log = SecurityLog(blocked / "security.log")  # its folder is a file
    assert attempt(users_file, throttle, log, "admin", "admin-pass-1").outcome == "ok"
