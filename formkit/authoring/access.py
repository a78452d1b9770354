"""Who may author what: the refusals the catalog and editor pages show.

A refusal is a reason (Chinese, then English) or ``None`` when the step is
allowed. Roles and departments come from ``definitions/users.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from formkit.catalog import OpenCatalog
from formkit.definitions.users import User

__all__ = ["creation_refusal", "edit_refusal"]


def creation_refusal(opened: OpenCatalog, user: User, code: str, name_zh: str,
                     department: str, drafts: Iterable[str]) -> str | None:
    """Why a new matter cannot be created (None: it can)."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,35}", code):
        return "编码只能由字母、数字和 - _ . 组成 (code: letters, digits, - _ . only)"
    if code in opened.matters or code in set(drafts):
        return f"编码 {code} 已被使用 (the code is taken)"
    if not name_zh.strip():
        return "请填写中文名称 (the Chinese name is required)"
    if not user.can_edit(department):
        return edit_refusal(user, [department])
    return None


def edit_refusal(user: User, departments: Iterable[str]) -> str | None:
    """Why ``user`` may not edit a matter of these departments (None: they may)."""
    for department in departments:
        if not user.can_edit(department):
            own = user.department or "—"
            return (f"您只能编辑本部门（{own}）的事项，此事项属于 {department} "
                    f"(you can edit only your own department's matters)")
    return None
