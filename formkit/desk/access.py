"""Who may read which case: personal data stays inside the department that decides.

A case holds the applicant's personal information (个人信息保护法 §10: none may be
processed beyond what the task needs; 政务服务 staff see what their duty needs).
The rule, by role (``definitions/users.yaml``):

- ``officer``: the cases of their own department, and those whose route gives a
  step to one of its sections (a 二手房 transfer's tax step: the tax office reads
  the case it must sign) (受审分离: the back office decides its own matters);
- ``clerk``: every case, since the comprehensive window takes and serves any
  matter (一窗受理, 一窗出件);
- ``supervisor`` and ``admin``: every case (电子效能监察 watches all);
- ``editor``: none (they write definitions, not decide cases).

A refused read is recorded in the audit trail (``kind: refused_read``), with who,
when and which case, so that a supervisor can see attempts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from formkit.cases.service import Case, CaseService
from formkit.definitions.users import User
from formkit.errors import AccessDenied

__all__ = ["may_read", "read_case"]


def may_read(user: User, department: str, route: Iterable[Iterable[str]] | None = None
             ) -> bool:
    """Whether ``user`` may read a case of ``department`` whose route (steps of
    ``department.section`` units) is ``route``."""
    if user.role in ("clerk", "supervisor", "admin"):
        return True
    if user.role != "officer" or not user.department:
        return False
    return user.department == department or any(
        unit.split(".")[0] == user.department for step in route or [] for unit in step)


def read_case(svc: CaseService, user: User, number: str,
              now: dt.datetime | None = None) -> Case:
    """The case ``number`` when ``user`` may read it.

    Raises:
        FormkitError: ``unknown-case`` when there is none (an officer of another
            department learns no more than that it is not theirs: the same error is
            not used, but neither says what the case holds).
        AccessDenied: (code ``other-department``) the case belongs to another
            department; the attempt is written to the audit trail first.
    """
    case = svc.get(number)
    if may_read(user, case.department, case.route):
        return case
    at = (now or svc.now()).isoformat(timespec="seconds")
    entry: dict[str, Any] = {"kind": "refused_read", "number": number,
                             "actor": user.username, "role": user.role,
                             "department": user.department or "", "at": at}
    svc.store.append_audit(entry)
    raise AccessDenied(
        f"案件 {number} 不属于本部门，无权查看: case {number} belongs to another "
        "department", None, code="other-department",
        hint="a case is read by its own department's officers, the window and the "
             "supervisors; this attempt was recorded")
