"""Who may author what: the refusals the catalog and editor pages act on.

A refusal is a ``Refusal`` (a stable code and the data a message needs) or
``None`` when the step is allowed; the studio words it (``labels.refusal_text``).
Roles and departments come from ``definitions/users.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from formkit.catalog import OpenCatalog
from formkit.definitions.users import User

__all__ = ["Refusal", "concerned_bundles", "creation_refusal", "edit_refusal"]

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,35}")


@dataclass(frozen=True)
class Refusal:
    """Why an authoring step is not allowed.

    ``bad-code``: the matter code has other characters than letters, digits and
    ``- _ .``; ``code-taken``: a matter or a draft has the code (``subject``);
    ``name-required``: no Chinese name; ``other-department``: the matter belongs to
    ``subject``, and the user may edit only ``own``'s matters.
    """

    code: Literal["bad-code", "code-taken", "name-required", "other-department"]
    subject: str = ""
    own: str = ""


def creation_refusal(opened: OpenCatalog, user: User, code: str, name_zh: str,
                     department: str, drafts: Iterable[str]) -> Refusal | None:
    """Why a new matter cannot be created (None: it can)."""
    if not _CODE.fullmatch(code):
        return Refusal("bad-code", code)
    if code in opened.matters or code in set(drafts):
        return Refusal("code-taken", code)
    if not name_zh.strip():
        return Refusal("name-required")
    return edit_refusal(user, [department])


def edit_refusal(user: User, departments: Iterable[str]) -> Refusal | None:
    """Why ``user`` may not edit a matter of these departments (None: they may)."""
    for department in departments:
        if not user.can_edit(department):
            return Refusal("other-department", department, user.department or "")
    return None


def concerned_bundles(opened: OpenCatalog, user: User) -> list[str]:
    """The codes of the bundles (高效办成一件事) ``user`` sees among the definitions: those
    with a member matter of their department (an editor or officer works on its part);
    every bundle for the centre's roles without a department (admin, the window,
    supervisors)."""
    if not user.department:
        return list(opened.bundles) if user.role in ("admin", "clerk", "supervisor") else []
    return [code for code, bundle in opened.bundles.items()
            if any((m := opened.matters.get(c)) is not None and m.department == user.department
                   for c in bundle.codes)]
