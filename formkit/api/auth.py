"""Who calls: signed tokens for the centre's users, API keys for machines.

A token (``POST /api/v1/token``) is ``v1.<payload>.<signature>``: the payload is
base64url JSON ``{"u": user, "exp": epoch seconds, "pw": ...}``, the signature an
HMAC-SHA256 over it with the server's secret. It holds no role and no department:
each call reads ``users.yaml`` again (as the studio does), so a role change, a
disabled user or a reset password (``pw`` is a fingerprint of the stored hash)
apply at the next call. Nothing is kept in memory: any worker process checks a
token any other worker signed.

The secret is ``$FORMKIT_API_SECRET`` (at least 32 characters) or, for a store
folder, the file ``api_secret`` in it, created once with 256 random bits and mode
0600 (``O_EXCL``: the first of several workers writes it, the rest read it).

API keys are declared by the centre in ``api_keys.yaml`` beside ``users.yaml``:
each has a name, the SHA-256 of the key (``sha256$<hex>``: a key is 256 random
bits, so a fast hash is enough, unlike a password), a role and the departments it
speaks for. ``new_api_key`` makes one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from formkit.cases.service import Case
from formkit.definitions.loader import API_KEYS_FILE as LOADER_API_KEYS_FILE
from formkit.definitions.loader import read_text_file, validate_document
from formkit.definitions.users import USERNAME_PATTERN, Role, User, UserList
from formkit.definitions.yamldoc import parse_yaml
from formkit.desk.access import may_read
from formkit.errors import AccessDenied, DefinitionError, LimitError, StoreError

__all__ = [
    "API_KEYS_FILE",
    "ApiKey",
    "ApiKeyList",
    "FileCache",
    "Principal",
    "TokenSigner",
    "api_secret",
    "hash_api_key",
    "load_api_keys",
    "new_api_key",
    "throttled",
    "unauthorized",
]

API_KEYS_FILE = LOADER_API_KEYS_FILE
SECRET_ENV = "FORMKIT_API_SECRET"
SECRET_FILE = "api_secret"
KEY_PREFIX = "fk_"
TOKEN_VERSION = "v1"
T = TypeVar("T")

# the actions of each role (docs/api.md): the window takes applications and decides
# on intake (一窗受理); a department's officers handle their own cases (受审分离) and
# sign their step on another's; supervisors, administrators and editors only read
INTAKE = frozenset({"accept", "request_supplement", "refuse", "resubmit"})
BACK_OFFICE = frozenset({"accept", "request_supplement", "refuse", "start_review",
                         "sign_off", "approve", "deny", "issue", "suspend", "resume",
                         "extend", "supply", "terminate", "withdraw"})


# the codes of a 401 (no or bad credentials): AccessDenied with one of these codes
UNAUTHORIZED = frozenset({"no-credentials", "bad-credentials", "bad-token", "bad-key",
                          "token-expired", "token-revoked"})
THROTTLED = "too-many-attempts"  # a LimitError with this code is a 429


def unauthorized(message: str, code: str, hint: str | None = None) -> AccessDenied:
    """No credentials, or credentials that open nothing (HTTP 401; ``UNAUTHORIZED``)."""
    assert code in UNAUTHORIZED, code
    return AccessDenied(message, None, code=code, hint=hint or (
        "POST /api/v1/token with user and password, then send Authorization: Bearer "
        "<token>; machines use their API key"))


def throttled(wait: int) -> LimitError:
    """Too many failed sign-ins of this name or address (HTTP 429, ``Retry-After``)."""
    error = LimitError(f"登录失败次数过多，请 {wait} 秒后再试 (too many failed sign-ins: "
                       f"try again in {wait} s)", None, code="too-many-attempts",
                       hint="each further failure doubles the wait, up to 15 minutes")
    error.retry_after = wait  # type: ignore[attr-defined]
    return error


# ---------------------------------------------------------------------- the caller


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user of ``users.yaml`` or an API key; a role and its
    departments (an officer has one, a key may have several)."""

    name: str
    role: Role
    departments: tuple[str, ...] = ()
    kind: str = "user"
    _as_users: tuple[User, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def of_user(cls, user: User) -> Principal:
        return cls(user.username, user.role,
                   (user.department,) if user.department else (), "user", (user,))

    @classmethod
    def of_key(cls, key: ApiKey) -> Principal:
        depts = tuple(key.departments)
        users = tuple(User.model_validate(
            {"username": key.name, "name": {"zh": key.name}, "role": key.role,
             "department": d, "password": "-"}) for d in (depts or (None,)))
        return cls(key.name, key.role, depts, "key", users)

    def may_read(self, department: str, route: Any = None) -> bool:
        """``desk.access.may_read`` for any of the caller's departments."""
        return any(may_read(u, department, route) for u in self._as_users)

    def reads_cases(self) -> bool:
        return self.role != "editor"

    def may_create(self) -> bool:
        """接件: the window (and the administrator's own keys, never: they read)."""
        return self.role == "clerk"

    def may_act(self, case: Case, action: str, unit: str | None) -> bool:
        """Whether this caller may take ``action`` on ``case`` (docs/api.md)."""
        if self.role == "clerk":
            return action in INTAKE
        if self.role != "officer":
            return False
        if case.department in self.departments:
            return action in BACK_OFFICE
        # another department's case with a step for one of ours: sign that step only
        return action == "sign_off" and unit is not None \
            and unit.split(".", 1)[0] in self.departments

    def own_units(self, case: Case) -> list[str]:
        """The units of the current step this caller may sign, unsigned yet."""
        if case.state != "in_review" or case.step >= len(case.route):
            return []
        signed = case.signed[case.step] if case.step < len(case.signed) else {}
        return [u for u in case.route[case.step] if u not in signed
                and u.split(".", 1)[0] in self.departments]


# ---------------------------------------------------------------------- users.yaml


class FileCache(Generic[T]):
    """A file read again when it changes (its mtime and size): ``users.yaml``,
    ``api_keys.yaml``. A file that is wrong raises its ``DefinitionError`` each call."""

    def __init__(self, path: Path, load: Callable[[Path], T]) -> None:
        self.path = path
        self.load = load
        self._lock = threading.Lock()
        self._kept: tuple[tuple[int, int], T] | None = None

    def get(self) -> T:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return self.load(self.path)
        stamp = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if self._kept is None or self._kept[0] != stamp:
                self._kept = (stamp, self.load(self.path))
            return self._kept[1]


# ---------------------------------------------------------------------- API keys


class ApiKey(BaseModel):
    """One machine client of the centre."""

    model_config = {"extra": "forbid"}

    name: str = Field(pattern=USERNAME_PATTERN)
    key: str = Field(pattern=r"^sha256\$[0-9a-f]{64}$",
                     description="hash_api_key() of the key, never the key")
    role: Role
    departments: list[str] = Field(default_factory=list)
    disabled: bool = False
    note: str = ""


class ApiKeyList(BaseModel):
    """The ``api_keys.yaml`` file."""

    model_config = {"extra": "forbid"}

    api_keys: list[ApiKey] = Field(default_factory=list)

    def find(self, key: str) -> ApiKey | None:
        digest = hash_api_key(key)
        found = None
        for k in self.api_keys:  # compare every one, in constant time
            if hmac.compare_digest(k.key, digest):
                found = k
        return found


def hash_api_key(key: str) -> str:
    """``sha256$<hex>`` of an API key (what ``api_keys.yaml`` holds)."""
    return "sha256$" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_api_key() -> tuple[str, str]:
    """A new key and its hash: give the key to the client, write the hash."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, hash_api_key(key)


def load_api_keys(path: Path) -> ApiKeyList:
    """Read ``api_keys.yaml`` (none: no keys); raises ``DefinitionError`` with places."""
    if not path.exists():
        return ApiKeyList()
    doc = parse_yaml(read_text_file(path), str(path))
    keys = validate_document(doc, ApiKeyList, "api_keys")
    if keys is None:
        raise doc.errors[0] if doc.errors else DefinitionError(f"{path} is not valid", None)
    for k in keys.api_keys:
        if k.role in ("officer", "editor") and not k.departments:
            raise DefinitionError(f"{path}: API key '{k.name}' is an {k.role} of no "
                                  "department", None, code="key-without-department",
                                  hint="list the departments it speaks for")
    return keys


# ---------------------------------------------------------------------- tokens


def api_secret(store_root: Path | None) -> bytes:
    """The signing secret: ``$FORMKIT_API_SECRET``, else ``api_secret`` in the store
    folder (created 0600 by the first process that needs it).

    Raises:
        StoreError: the variable is too short, or there is no store folder to keep
            the file in (a PostgreSQL store: set the variable) (``api-secret``).
    """
    env = os.environ.get(SECRET_ENV)
    hint = (f"set {SECRET_ENV} to a long random text (python -c 'import secrets; "
            f"print(secrets.token_hex(32))'), the same for every worker")
    if env:
        if len(env) < 32:
            raise StoreError(f"{SECRET_ENV} is shorter than 32 characters", None,
                             code="api-secret", hint=hint)
        return env.encode("utf-8")
    if store_root is None:
        raise StoreError(f"no {SECRET_ENV} and no store folder to keep a secret in",
                         None, code="api-secret", hint=hint)
    path = store_root / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror}", None,
                         code="api-secret", hint=hint) from None
    else:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
    for _ in range(50):  # another worker may be writing it this very moment
        try:
            text = path.read_text(encoding="ascii").strip()
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror}", None,
                             code="api-secret", hint=hint) from None
        if len(text) >= 64:
            return text.encode("ascii")
        time.sleep(0.02)
    raise StoreError(f"{path} holds no secret", None, code="api-secret",
                     hint=f"delete it (every token is then void) or set {SECRET_ENV}")


_TOKEN_SHAPE = re.compile(rf"{re.escape(TOKEN_VERSION)}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+",
                          re.ASCII)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password.encode("utf-8")).hexdigest()[:16]


class TokenSigner:
    """Makes and checks tokens (see the module docstring)."""

    def __init__(self, secret: bytes, lifetime: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.secret = secret
        self.lifetime = lifetime
        self.clock = clock

    def _sign(self, payload: str) -> str:
        mac = hmac.new(self.secret, f"{TOKEN_VERSION}.{payload}".encode("ascii"),
                       hashlib.sha256)
        return _b64(mac.digest())

    def issue(self, user: User) -> tuple[str, float]:
        """A token for ``user`` and when it expires (epoch seconds)."""
        expires = int(self.clock() + self.lifetime)
        payload = _b64(json.dumps({"u": user.username, "exp": expires,
                                   "pw": _fingerprint(user)},
                                  separators=(",", ":")).encode("utf-8"))
        return f"{TOKEN_VERSION}.{payload}.{self._sign(payload)}", expires

    def check(self, token: str, users: UserList) -> User:
        """The user of a valid token.

        Raises:
            AccessDenied: a token not signed here (``bad-token``), expired
                (``token-expired``), of a user gone, disabled or whose password
                changed since (``token-revoked``).
        """
        # only the shape this class issues (ASCII, base64url parts) reaches the MAC:
        # anything else (non-ASCII, spaces, padding) is refused, never encoded
        if len(token) > 1024 or not _TOKEN_SHAPE.fullmatch(token):
            raise unauthorized("令牌无效 (the token is not valid)", "bad-token")
        parts = token.split(".")
        if not hmac.compare_digest(self._sign(parts[1]), parts[2]):
            raise unauthorized("令牌无效 (the token is not valid)", "bad-token")
        try:
            claims = json.loads(_unb64(parts[1]))
            username, expires, print_ = str(claims["u"]), float(claims["exp"]), claims["pw"]
        except (ValueError, KeyError, TypeError):
            raise unauthorized("令牌无效 (the token is not valid)", "bad-token") from None
        if expires <= self.clock():
            raise unauthorized("令牌已过期，请重新获取 (the token has expired)",
                                "token-expired")
        user = users.find(username)
        if user is None or user.disabled or print_ != _fingerprint(user):
            raise unauthorized("令牌已失效：用户已停用或密码已更改 (the token was revoked: the "
                                "user is disabled or their password changed)",
                                "token-revoked")
        return user


def forbidden(message: str, code: str = "forbidden") -> AccessDenied:
    return AccessDenied(message, None, code=code,
                        hint="roles and departments are set in users.yaml and "
                             "api_keys.yaml (docs/security.md, docs/api.md)")
