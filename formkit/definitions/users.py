"""Studio and window users: a local list with scrypt-hashed passwords and roles.

Roles: ``admin`` (centre administrator: every matter), ``editor`` (edits the
matters of one department), ``clerk`` (comprehensive window), ``officer``
(back office of one department), ``supervisor`` (monitoring).
"""

from __future__ import annotations

import base64
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

__all__ = ["Role", "User", "UserList", "hash_password", "load_users", "verify_password"]

Role = Literal["admin", "editor", "clerk", "officer", "supervisor"]
_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms per check, ~16 MiB


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), with a fresh random salt by default."""
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a ``hash_password`` string."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                             n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


class User(BaseModel):
    """A person who signs in."""

    model_config = {"extra": "forbid"}

    username: str = Field(pattern=r"^[a-z][a-z0-9_.-]{1,31}$")
    name: Label
    role: Role
    department: str | None = None  # editors and officers work for one department
    password: str = Field(description="a hash_password() string, never the password")

    def can_edit(self, department: str) -> bool:
        """Whether this user may change a matter of ``department``."""
        return self.role == "admin" or (self.role == "editor" and self.department == department)


class UserList(BaseModel):
    """The ``users.yaml`` file."""

    model_config = {"extra": "forbid"}

    users: list[User]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user, if the password is right (the same time is spent either way)."""
        user = next((u for u in self.users if u.username == username.strip().lower()), None)
        stored = user.password if user is not None else _DUMMY
        ok = verify_password(password, stored)
        return user if ok and user is not None else None


_DUMMY = hash_password("not a password", salt=b"0" * 16)


def load_users(path: Path) -> UserList:
    """Read ``users.yaml``; raises ``DefinitionError`` (with places) when it is wrong."""
    if not path.exists():  # no list: nobody signs in (a FIFO or a device is an error)
        return UserList(users=[])
    doc = parse_yaml(read_text_file(path), str(path))  # bounded, like every definition
    users = validate_document(doc, UserList, "users")
    if users is None:
        raise doc.errors[0] if doc.errors else DefinitionError(f"{path} is not valid", None)
    return users
