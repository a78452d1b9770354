"""Signed-in sessions: a random token for each sign-in, ended by idle time or sign-out.

The studio hands the browser a token (``secrets.token_urlsafe``, 256 random
bits) and keeps, on the server, only its SHA-256 with the user's name and two
times: when it was opened and when it was last used. A token says nothing by
itself: it holds no name, no role and no password, and a token the table does
not know (made up, expired, signed out, or from before a restart) opens
nothing.

A session ends when it has been idle for ``idle`` seconds (the studio reads
FORMKIT_SESSION_IDLE_MINUTES, 30 by default), when it is ``lifetime`` old
(12 hours: a working day, however busy), at sign-out, and when an
administrator disables the user or resets their password. The table lives in
the server's memory: a restart signs everyone out, which is the safe way round.
The clock is a parameter, so tests move time instead of waiting for it.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DEFAULT_IDLE_MINUTES", "LIFETIME_SECONDS", "Session", "SessionTable"]

DEFAULT_IDLE_MINUTES = 30
LIFETIME_SECONDS = 12 * 3600
_MOST = 10_000  # sessions kept at once; past this the least recently used go first


@dataclass
class Session:
    """One sign-in: whose it is, when it was opened and when it was last used."""

    username: str
    opened: float
    seen: float


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SessionTable:
    """The open sessions of one server process; safe to share between threads."""

    def __init__(self, idle: float = DEFAULT_IDLE_MINUTES * 60,
                 lifetime: float = LIFETIME_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle = idle
        self.lifetime = lifetime
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, username: str) -> str:
        """A new session for ``username``; returns its token (give it to the browser only)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._prune(now)
            self._sessions[_key(token)] = Session(username, now, now)
        return token

    def resume(self, token: str) -> str | None:
        """The user of a live session, which counts as used now; None for a token that
        is unknown, idle too long or too old (it is forgotten)."""
        now = self.clock()
        key = _key(token)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                return None
            if self._expired(session, now):
                del self._sessions[key]
                return None
            session.seen = now
            return session.username

    def close(self, token: str) -> str | None:
        """End the session (sign-out); returns whose it was, None if it was not open."""
        with self._lock:
            session = self._sessions.pop(_key(token), None)
        return session.username if session is not None else None

    def close_user(self, username: str, keep: str | None = None) -> int:
        """End every session of ``username`` but the one of token ``keep``; returns how
        many ended (a disabled user, a password changed or reset)."""
        kept = _key(keep) if keep is not None else None
        with self._lock:
            gone = [k for k, s in self._sessions.items()
                    if s.username == username and k != kept]
            for k in gone:
                del self._sessions[k]
        return len(gone)

    def __len__(self) -> int:
        with self._lock:
            self._prune(self.clock())
            return len(self._sessions)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.seen > self.idle or now - session.opened > self.lifetime

    def _prune(self, now: float) -> None:
        # Under the lock. Expired sessions go; then, over the bound, the least used.
        for k in [k for k, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[k]
        if len(self._sessions) >= _MOST:
            by_use = sorted(self._sessions, key=lambda k: self._sessions[k].seen)
            for k in by_use[: len(self._sessions) - _MOST + 1]:
                del self._sessions[k]
