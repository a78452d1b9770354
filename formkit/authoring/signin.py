"""One sign-in attempt: the throttle before the password, the log after it.

``attempt_sign_in`` is the whole decision the sign-in page shows:

1. A name or address that failed too often lately is refused with the seconds to
   wait (HTTP would say 429), before its password is even checked: guessing gets
   nowhere, and a flood of attempts costs no scrypt.
2. The password is checked (an unknown name takes as long as a wrong password).
3. A right password of a disabled user is refused as disabled; a wrong one is
   a failure, whoever the user, and counts against the name and the address.
4. A right password stored at an older scrypt cost is stored again at today's.

The throttle (``Throttle``) counts failures in a sliding window: a name may
fail 5 times in an hour, an address 20 times in 15 minutes (a whole office can
sit behind one address); each further failure doubles the wait, from one
minute up to 15. A guesser gets about 200 tries a day at one name. A success
clears the name's count, not the address's. When the address is not known
(the studio on ``localhost`` gives none), a name is throttled alone. Counts
live in the server's memory.

Every attempt and account event is written to the security log: one JSON
object a line (``SecurityLog``), with the time, the event, the name and the
address; never a password, and a name typed is cut to 64 characters.
Throttle events also go to the ``formkit.security`` logger, so they show in
the server's own log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from formkit.authoring.accounts import change_password, rehash_password
from formkit.definitions.users import User, UserList, needs_rehash
from formkit.errors import AccessDenied, FormkitError

__all__ = ["Attempt", "SecurityLog", "Throttle", "attempt_sign_in", "change_own_password"]

_LOGGER = logging.getLogger("formkit.security")
_NAME_CAP = 64


def _clean(name: str) -> str:
    return name.strip().lower()[:_NAME_CAP]


class SecurityLog:
    """Append-only JSON lines of sign-in and account events (None: no file, logger only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, event: str, username: str | None = None, address: str | None = None,
               **detail: Any) -> dict[str, Any]:
        """Write one event; returns it. A log that cannot be written does not stop the
        sign-in: the failure goes to the logger."""
        entry = {"time": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                 "event": event, "username": _clean(username) if username else None,
                 "address": address, **detail}
        if self.path is None:
            return entry
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line)
                    f.flush()
                    os.fsync(f.fileno())
        except OSError as exc:
            _LOGGER.error("security log %s not written (%s): %s", self.path, exc, line.strip())
        return entry


class Throttle:
    """Failed sign-ins by name and by address; how long each must wait now."""

    def __init__(self, per_user: int = 5, per_address: int = 20, user_window: float = 3600,
                 address_window: float = 900, first_wait: float = 60,
                 longest_wait: float = 900,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = {"user": per_user, "address": per_address}
        self.windows = {"user": user_window, "address": address_window}
        self.first_wait = first_wait
        self.longest_wait = longest_wait
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str | None) -> list[tuple[str, str]]:
        keys = [("user", _clean(username))]
        if address:
            keys.append(("address", address))
        return keys

    def _wait_of(self, key: tuple[str, str], now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and now - times[0] > self.windows[key[0]]:
            times.popleft()
        over = len(times) - self.limits[key[0]]
        if over < 0:
            return 0.0
        wait = min(self.first_wait * 2.0**over, self.longest_wait)
        return max(0.0, times[-1] + wait - now)

    def wait(self, username: str, address: str | None) -> float:
        """Seconds before this name (and address) may try again; 0: now."""
        now = self.clock()
        with self._lock:
            return max(self._wait_of(k, now) for k in self._keys(username, address))

    def left(self, username: str) -> int:
        """Failures this name may still make before it must wait."""
        now = self.clock()
        with self._lock:
            key = ("user", _clean(username))
            self._wait_of(key, now)  # drops failures older than the window
            return max(0, self.limits["user"] - len(self._failures.get(key, ())))

    def failed(self, username: str, address: str | None) -> float:
        """Count a failure; returns the wait it starts (0: none yet)."""
        now = self.clock()
        with self._lock:
            if len(self._failures) > 50_000:  # a flood of made-up names: forget the old
                for k in [k for k, t in self._failures.items()
                          if not t or now - t[-1] > self.windows[k[0]]]:
                    del self._failures[k]
            for key in self._keys(username, address):
                times = self._failures.setdefault(key, deque(maxlen=64))
                times.append(now)
            return max(self._wait_of(k, now) for k in self._keys(username, address))

    def succeeded(self, username: str) -> None:
        """A right password: the name starts again from no failures."""
        with self._lock:
            self._failures.pop(("user", _clean(username)), None)


@dataclass(frozen=True)
class Attempt:
    """What became of a sign-in.

    ``ok``: ``user`` signed in. ``wrong``: no user has that name and password;
    ``left`` more failures before a wait, or ``wait`` seconds now. ``throttled``:
    refused unchecked, ``wait`` seconds to go. ``disabled``: the right password
    of a disabled user.
    """

    outcome: Literal["ok", "wrong", "throttled", "disabled"]
    user: User | None = None
    wait: int = 0
    left: int = 0


def _seconds(wait: float) -> int:
    return max(1, int(wait + 0.999))


def attempt_sign_in(users: UserList, username: str, password: str, *, address: str | None,
                    throttle: Throttle, log: SecurityLog,
                    users_file: Path | None = None) -> Attempt:
    """Decide one sign-in (see the module's docstring); ``users_file``: where a password
    stored at an older cost is stored again."""
    who = {"username": username, "address": address}
    wait = throttle.wait(username, address)
    if wait > 0:
        log.record("signin-throttled", **who, wait=_seconds(wait))
        _LOGGER.warning("sign-in refused for %d s: name %r, address %s", _seconds(wait),
                        _clean(username), address or "unknown (per-name only)")
        return Attempt("throttled", wait=_seconds(wait))
    user = users.password_matches(username, password)
    if user is None:
        started = throttle.failed(username, address)
        log.record("signin-failed", **who, known=users.find(username) is not None)
        if started > 0:
            log.record("signin-locked", **who, wait=_seconds(started))
            _LOGGER.warning("too many failed sign-ins: name %r, address %s must wait %d s",
                            _clean(username), address or "unknown (per-name only)",
                            _seconds(started))
            return Attempt("wrong", wait=_seconds(started))
        return Attempt("wrong", left=throttle.left(username))
    throttle.succeeded(username)
    if user.disabled:
        log.record("signin-disabled", **who)
        return Attempt("disabled", user=user)
    log.record("signin-ok", **who)
    if users_file is not None and needs_rehash(user.password):
        try:
            if rehash_password(users_file, user.username, password, user.password):
                log.record("password-rehashed", **who)
        except FormkitError as exc:  # the sign-in stands; the old hash still verifies
            log.record("password-rehash-failed", **who, error=str(exc)[:200])
    return Attempt("ok", user=user)


def change_own_password(users_file: Path, user: User, current: str, new: str, *,
                        address: str | None, throttle: Throttle, log: SecurityLog) -> Attempt:
    """A signed-in user's own change, throttled like a sign-in (a wrong current password
    is a failure of the name). Raises the ``accounts.change_password`` errors, and
    returns ``throttled`` when the name must wait."""
    wait = throttle.wait(user.username, address)
    if wait > 0:
        log.record("password-change-throttled", user.username, address, wait=_seconds(wait))
        return Attempt("throttled", wait=_seconds(wait))
    try:
        change_password(users_file, user.username, current, new)
    except AccessDenied as exc:
        if exc.code == "wrong-password":
            throttle.failed(user.username, address)
            log.record("password-change-failed", user.username, address)
        raise
    throttle.succeeded(user.username)
    log.record("password-changed", user.username, address)
    return Attempt("ok", user=user)
