"""Signed-in sessions: random tokens, idle expiry and lifetime on a test clock, sign-out."""

from __future__ import annotations

import pytest

from formkit.authoring.sessions import LIFETIME_SECONDS, SessionTable

IDLE = 30 * 60


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def table(clock: Clock) -> SessionTable:
    return SessionTable(idle=IDLE, clock=clock)


def test_a_token_is_random_and_says_nothing_of_the_user(table: SessionTable) -> None:
    tokens = {table.open("clerk") for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token) >= 43  # 32 random bytes, URL-safe base64
        assert "clerk" not in token
        assert table.resume(token) == "clerk"
    # The table keeps a digest of each token, never the token itself.
    assert not any(t in repr(vars(table)) for t in tokens)


def test_an_unknown_token_opens_nothing(table: SessionTable) -> None:
    table.open("admin")
    assert table.resume("made-up") is None
    assert table.resume("") is None


def test_idle_time_ends_a_session_and_use_keeps_it_open(table: SessionTable,
                                                        clock: Clock) -> None:
    token = table.open("clerk")
    for _ in range(5):  # used every 29 minutes: open for 2.5 hours
        clock.advance(IDLE - 60)
        assert table.resume(token) == "clerk"
    clock.advance(IDLE + 1)
    assert table.resume(token) is None
    clock.now -= IDLE  # forgotten: no going back
    assert table.resume(token) is None
    assert len(table) == 0


def test_a_session_ends_after_its_lifetime_however_busy(table: SessionTable,
                                                        clock: Clock) -> None:
    token = table.open("clerk")
    while clock.now + 600 < 1000 + LIFETIME_SECONDS:
        clock.advance(600)
        assert table.resume(token) == "clerk"
    clock.advance(601)
    assert table.resume(token) is None


def test_sign_out_ends_one_session_and_close_user_ends_the_others(
        table: SessionTable) -> None:
    here, there, elsewhere = table.open("clerk"), table.open("clerk"), table.open("admin")
    assert table.close(there) == "clerk"
    assert table.close(there) is None
    assert table.resume(there) is None
    third = table.open("clerk")
    assert table.close_user("clerk", keep=here) == 1
    assert table.resume(here) == "clerk" and table.resume(third) is None
    assert table.close_user("clerk") == 1
    assert table.resume(here) is None
    assert table.resume(elsewhere) == "admin"


def test_expired_sessions_are_dropped_when_new_ones_open(table: SessionTable,
                                                         clock: Clock) -> None:
    for _ in range(20):
        table.open("clerk")
    clock.advance(IDLE + 1)
    table.open("admin")
    assert len(table._sessions) == 1
