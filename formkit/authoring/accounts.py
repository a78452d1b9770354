"""Changes to ``users.yaml``: an administrator's user management, and a user's own password.

An administrator creates users, disables and enables them, sets their role and
department, and resets a password (the user must then choose their own before
any other page opens). A user changes their own password by giving the
current one. Every change is one edit of the file:

- under a lock file beside it (``.users.yaml.lock``), so two administrators
  saving at once both count;
- read afresh, edited as a round-trip YAML tree, so comments, key order and
  the users not touched keep their text;
- checked by loading the new text as the sign-in will, and written atomically
  (temporary file, fsync, rename, fsync of the folder): a crash leaves the
  old list or the new one, never half of one.

Errors are ``EditError`` (the change is not allowed as asked), ``AccessDenied``
(not this actor's to make) or ``NotFoundError`` (no such user), each with a
code listed in ``docs/errors.md``; nothing is written when one is raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, get_args

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from formkit.authoring.drafts import dump_yaml, load_yaml
from formkit.cases.files import StoreLock, write_atomic
from formkit.definitions.users import (
    USERNAME_PATTERN,
    Role,
    User,
    UserList,
    hash_password,
    needs_rehash,
    parse_users,
    verify_password,
)
from formkit.errors import AccessDenied, EditError, NotFoundError, StoreError

__all__ = ["MIN_PASSWORD", "ROLES", "change_password", "create_user", "password_problem",
           "rehash_password", "reset_password", "update_user"]

ROLES: tuple[str, ...] = get_args(Role)
MIN_PASSWORD = 8
_MAX_PASSWORD = 256
_NEEDS_DEPARTMENT = ("editor", "officer")
# Refused whatever their length: the commonest passwords, and the demo users' own.
_COMMON = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "11111111", "88888888",
    "00000000", "66666666", "password", "password1", "passw0rd", "qwerty123", "abc12345",
    "a12345678", "1qaz2wsx", "qwertyuiop", "iloveyou", "woaini1314", "admin123",
    "editor123", "clerk123", "officer123", "super123", "admin888", "abcd1234"})
_KEEP: Any = object()  # "leave the department as it is"


def password_problem(password: str, username: str) -> str | None:
    """Why ``password`` may not be chosen by ``username`` (None: it may)."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 个字符: a password needs {MIN_PASSWORD} characters"
    if len(password) > _MAX_PASSWORD:
        return f"密码最多 {_MAX_PASSWORD} 个字符: at most {_MAX_PASSWORD} characters"
    if username and username.lower() in password.lower():
        return "密码不能包含用户名: the password may not contain the username"
    if password.lower() in _COMMON or len(set(password)) < 3:
        return "密码太常见，容易被猜中: the password is too common to be safe"
    return None


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise EditError(problem, None, code="weak-password",
                        hint="用一句话或几个词组成的长密码: a passphrase of a few words")


def _require_admin(actor: User) -> None:
    if actor.role != "admin":
        raise AccessDenied("只有管理员可以管理用户: only an administrator manages users",
                           None, code="not-admin",
                           hint="请中心管理员办理: ask the centre administrator")


def _check_department(role: str, department: str | None,
                      departments: Collection[str]) -> None:
    if role in _NEEDS_DEPARTMENT and not department:
        raise EditError("编辑和审批人员需要所属部门: editors and officers work for one "
                        "department", None, code="department-required",
                        hint="选择部门: pick the department")
    if department and department not in departments:
        raise EditError(f"部门 {department!r} 不在事项目录中: no such department", None,
                        code="unknown-department",
                        hint="部门列在 catalog.yaml: departments are listed in catalog.yaml")


def _items(data: Any) -> CommentedSeq:
    if not isinstance(data, CommentedMap):
        raise EditError("users.yaml 不是用户列表: the file is not a users list", None)
    users = data.get("users")
    if users is None:  # "users:" with nobody yet
        users = data["users"] = CommentedSeq()
    if not isinstance(users, CommentedSeq):
        raise EditError("users.yaml 没有用户列表: the file has no users list", None)
    if not users:
        users.fa.set_block_style()  # "users: []" gets its first user as a block
    return users


def _item(data: Any, username: str) -> CommentedMap:
    for item in _items(data):
        if isinstance(item, CommentedMap) and item.get("username") == username:
            return item
    raise NotFoundError(f"没有用户 {username!r}: no such user", None, code="unknown-user",
                        hint="用户列在 users.yaml: see the users page")


def _set_flag(item: CommentedMap, key: str, on: bool) -> None:
    # Written only when true, so an ordinary user's entry stays short.
    if on:
        item[key] = True
    elif key in item:
        del item[key]


def _admins(data: Any) -> int:
    return sum(1 for i in _items(data) if isinstance(i, CommentedMap)
               and i.get("role") == "admin" and not i.get("disabled"))


def _edit(path: Path, change: Callable[[Any], bool]) -> UserList:
    """Apply ``change`` to the round-trip tree of ``path``; when it says it changed
    something, check the result and write it."""
    with StoreLock(path.parent / f".{path.name}.lock"):
        original = path.read_text(encoding="utf-8") if path.exists() else "users: []\n"
        data = load_yaml(original)
        admins = _admins(data)
        if not change(data):
            return parse_users(original, str(path))
        if admins and not _admins(data):
            raise EditError("至少要保留一个启用的管理员: at least one enabled administrator "
                            "must remain", None, code="last-admin",
                            hint="先为另一位用户设管理员角色: make someone else admin first")
        text = dump_yaml(data, original)
        users = parse_users(text, str(path))  # what is written is what the sign-in reads
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise StoreError(f"无法写入 {path}: cannot write it ({exc.strerror or exc})",
                             None, code="io", hint="用户列表未改变; 检查文件夹权限和磁盘: "
                             "nothing was changed; check the folder's permissions and disk"
                             ) from None
        return users


def create_user(path: Path, actor: User, *, username: str, name_zh: str, name_en: str,
                role: str, department: str | None, password: str,
                departments: Collection[str]) -> User:
    """Add a user; they choose their own password at their first sign-in."""
    _require_admin(actor)
    username = username.strip().lower()
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise EditError(f"用户名 {username!r} 不合规则: 2-32 lowercase letters, digits, "
                        "'_', '.', '-', starting with a letter", None, code="bad-username",
                        hint="例如 for example zhang.san")
    if not name_zh.strip():
        raise EditError("请填写中文姓名: the Chinese name is empty", None, code="empty-label")
    if role not in ROLES:
        raise EditError(f"没有角色 {role!r}: no such role", None, code="bad-value",
                        hint=", ".join(ROLES))
    _check_department(role, department, departments)
    _check_password(password, username)

    def add(data: Any) -> bool:
        items = _items(data)
        if any(isinstance(i, CommentedMap) and i.get("username") == username for i in items):
            raise EditError(f"用户名 {username} 已被使用: the username is taken", None,
                            code="user-exists", hint="换一个用户名: choose another one")
        name = CommentedMap(zh=name_zh.strip())
        if name_en.strip():
            name["en"] = name_en.strip()
        name.fa.set_flow_style()
        item = CommentedMap(username=username, name=name, role=role)
        if department:
            item["department"] = department
        item["password"] = DoubleQuotedScalarString(hash_password(password))
        item["must_change_password"] = True
        items.append(item)
        return True

    users = _edit(path, add)
    made = users.find(username)
    assert made is not None
    return made


def update_user(path: Path, actor: User, username: str, *, role: str | None = None,
                department: str | None = _KEEP, disabled: bool | None = None,
                departments: Collection[str] = ()) -> User:
    """Change a user's role, department or whether they are disabled (None: as it is).

    An administrator cannot disable or demote their own account (another one
    must), and the last enabled administrator stays one.
    """
    _require_admin(actor)
    if username == actor.username and (disabled or (role is not None and role != "admin")):
        raise AccessDenied("不能停用或降级自己的账号: you cannot disable or demote your own "
                           "account", None, code="own-account",
                           hint="请另一位管理员办理: another administrator can")
    if role is not None and role not in ROLES:
        raise EditError(f"没有角色 {role!r}: no such role", None, code="bad-value",
                        hint=", ".join(ROLES))

    def change(data: Any) -> bool:
        item = _item(data, username)
        new_role = role if role is not None else str(item.get("role"))
        new_department = item.get("department") if department is _KEEP else department
        _check_department(new_role, new_department, departments)
        item["role"] = new_role
        if new_department:
            if "department" in item:
                item["department"] = new_department
            else:
                item.insert(list(item).index("role") + 1, "department", new_department)
        elif "department" in item:
            del item["department"]
        if disabled is not None:
            _set_flag(item, "disabled", disabled)
        return True

    found = _edit(path, change).find(username)
    assert found is not None
    return found


def reset_password(path: Path, actor: User, username: str, password: str) -> None:
    """Set a user's password to one the administrator gives them; the user must choose
    their own at their next sign-in."""
    _require_admin(actor)
    if username == actor.username:
        raise AccessDenied("请在“账号”页修改自己的密码: change your own password on the "
                           "account page", None, code="own-account")
    _check_password(password, username)

    def change(data: Any) -> bool:
        item = _item(data, username)
        item["password"] = DoubleQuotedScalarString(hash_password(password))
        _set_flag(item, "must_change_password", True)
        return True

    _edit(path, change)


def change_password(path: Path, username: str, current: str, new: str) -> None:
    """A user's own change: ``current`` must be their password now."""
    if new == current:
        raise EditError("新密码不能与当前密码相同: the new password is the current one",
                        None, code="weak-password", hint="换一个新密码: choose another")
    _check_password(new, username)

    def change(data: Any) -> bool:
        item = _item(data, username)
        if not verify_password(current, str(item.get("password"))):
            raise AccessDenied("当前密码不正确: the current password is wrong", None,
                               code="wrong-password", hint="输入现在使用的密码: type the "
                               "password you signed in with")
        item["password"] = DoubleQuotedScalarString(hash_password(new))
        _set_flag(item, "must_change_password", False)
        return True

    _edit(path, change)


def rehash_password(path: Path, username: str, password: str, verified: str) -> bool:
    """Store ``password`` (just checked against the hash ``verified``) again at today's
    cost, if that hash was made at another and is still the user's; returns whether
    it was stored."""
    if not needs_rehash(verified):
        return False
    stored: list[bool] = []

    def change(data: Any) -> bool:
        item = _item(data, username)
        if str(item.get("password")) != verified:  # changed meanwhile: leave it
            return False
        item["password"] = DoubleQuotedScalarString(hash_password(password))
        stored.append(True)
        return True

    _edit(path, change)
    return bool(stored)
