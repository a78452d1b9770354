"""Studio and window users: a local list with scrypt-hashed passwords and roles.

Roles: ``admin`` (centre administrator: every matter), ``editor`` (edits the
matters of one department), ``clerk`` (comprehensive window), ``officer``
(back office of one department), ``supervisor`` (monitoring).

Passwords are kept as ``scrypt$N$r$p$salt$hash``. New hashes use the cost
OWASP advises for scrypt (N=2^17, r=8, p=1: 128 MiB and about half a second a
check); a hash of an older, cheaper cost still verifies, and ``needs_rehash``
tells the sign-in to store it again at today's cost. A disabled user is kept in
the list (who did what stays readable) but cannot sign in.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from formkit.definitions.loader import read_text_file, validate_document
from formkit.definitions.model import Label
from formkit.definitions.yamldoc import parse_yaml
from formkit.errors import DefinitionError

__all__ = ["USERNAME_PATTERN", "Role", "User", "UserList", "hash_password", "load_users",
           "needs_rehash", "parse_users", "verify_password"]

Role = Literal["admin", "editor", "clerk", "officer", "supervisor"]
USERNAME_PATTERN = r"^[a-z][a-z0-9_.-]{1,31}$"
_N, _R, _P = 2**17, 8, 1  # OWASP's scrypt advice: 128 MiB, ~0.5 s a check
# scrypt needs 128 * N * r bytes; a stored hash that asks for more than twice
# today's cost (a damaged or hostile users.yaml) is refused, not computed.
_MAXMEM = 2 * 128 * _N * _R + 2**20


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a fresh random salt by default."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P,
                            maxmem=_MAXMEM, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a ``hash_password`` string (of any
    cost up to twice today's)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                             n=int(n), r=int(r), p=int(p), maxmem=_MAXMEM,
                             dklen=len(expected))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(got, expected)


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made at another cost than today's (store it again)."""
    parts = stored.split("$")
    return len(parts) != 6 or parts[:4] != ["scrypt", str(_N), str(_R), str(_P)]


@functools.cache
def _unknown_user_hash() -> str:
    # Checked against when no user has the name, so an unknown name takes as long
    # as a wrong password. Made once, when first needed (it costs one hash).
    return hash_password("not a password", salt=b"0" * 16)


class User(BaseModel):
    """A person who signs in."""

    model_config = {"extra": "forbid"}

    username: str = Field(pattern=USERNAME_PATTERN)
    name: Label
    role: Role
    department: str | None = None  # editors and officers work for one department
    password: str = Field(description="a hash_password() string, never the password")
    disabled: bool = False  # kept in the list, but cannot sign in
    # Set when an administrator resets the password: the user chooses their own
    # before any other page opens.
    must_change_password: bool = False

    def can_edit(self, department: str) -> bool:
        """Whether this user may change a matter of ``department``."""
        return self.role == "admin" or (self.role == "editor" and self.department == department)


class UserList(BaseModel):
    """The ``users.yaml`` file."""

    model_config = {"extra": "forbid"}

    users: list[User]

    def find(self, username: str) -> User | None:
        """The user of that name (typed in any case, with spaces around), or None."""
        wanted = username.strip().lower()
        return next((u for u in self.users if u.username == wanted), None)

    def password_matches(self, username: str, password: str) -> User | None:
        """The user whose password this is, disabled or not; the same time is spent
        whether the name is known or not."""
        user = self.find(username)
        ok = verify_password(password, user.password if user is not None
                             else _unknown_user_hash())
        return user if ok else None

    def authenticate(self, username: str, password: str) -> User | None:
        """The user, if the password is right and the user is not disabled."""
        user = self.password_matches(username, password)
        return user if user is not None and not user.disabled else None


def parse_users(text: str, name: str) -> UserList:
    """A ``users.yaml`` text -> the list; raises ``DefinitionError`` (with places)."""
    doc = parse_yaml(text, name)  # bounded, like every definition
    users = validate_document(doc, UserList, "users")
    if users is None:
        raise doc.errors[0] if doc.errors else DefinitionError(f"{name} is not valid", None)
    return users


def load_users(path: Path) -> UserList:
    """Read ``users.yaml``; raises ``DefinitionError`` (with places) when it is wrong."""
    if not path.exists():  # no list: nobody signs in (a FIFO or a device is an error)
        return UserList(users=[])
    return parse_users(read_text_file(path), str(path))
