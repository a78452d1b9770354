"""The case store's interface: what the case service needs from storage, whatever
holds the cases (``formkit.cases.tinystore.TinyCaseStore`` is the embedded one,
``formkit.cases.pgstore.PostgresCaseStore`` the PostgreSQL one), and the case number every
store shares."""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any, TypeVar

from formkit.errors import InputError, NotFoundError, SourceSpan

__all__ = ["AuditOf", "CaseStore", "imported_number", "parse_number", "unknown_case"]

AuditOf = Callable[[dict[str, Any]], dict[str, Any] | None]
T = TypeVar("T")
_NUMBER = re.compile(r"^([A-Z0-9]{1,8})(\d{8})(\d{5})$")


def parse_number(number: str) -> tuple[str, dt.date, int]:
    """``FK2026112500042`` -> (prefix, receipt day, sequence)."""
    m = _NUMBER.match(number.strip().upper())
    if not m:
        raise NotFoundError(f"'{number}' is not a case number", None,
                            hint="a case number is the centre prefix, the date and a "
                                 "5-digit sequence, e.g. FK2026112500042", code="bad-number")
    try:
        day = dt.datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        raise NotFoundError(f"'{number}' has an impossible date", None, code="bad-number",
                            hint="check the number on the receipt") from None
    return m.group(1), day, int(m.group(3))


def imported_number(number: str, span: SourceSpan | None = None
                    ) -> tuple[str, dt.date, int]:
    """``parse_number`` for a case being imported: there a number no case can have is
    bad data (``InputError``, code ``bad-case``, at ``span``), not a lookup's miss."""
    try:
        return parse_number(number)
    except NotFoundError as exc:
        raise InputError(f"the import holds {exc.message}", span, code="bad-case",
                         hint=exc.hint) from None


def unknown_case(number: str) -> NotFoundError:
    """The error for a case number no case has (a store's ``update``, the service's ``get``)."""
    return NotFoundError(f"no case {number}", None, code="unknown-case",
                         hint="check the number on the receipt")


class CaseStore(abc.ABC):
    """What the case service needs from storage (TinyDB files, or PostgreSQL)."""

    @abc.abstractmethod
    def create(self, day: dt.date, make: Callable[[str], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None, *, key: str | None = None) -> dict[str, Any]:
        """Allocate the next number for ``day``, store ``make(number)``; return it.

        ``audit(case)``, when given, is the audit entry committed with the case.
        ``key``, when given, is an idempotency key (the HTTP API's
        ``Idempotency-Key``): if a case was created with it before, in this store, that
        case is returned as it is now and nothing is created; the key is recorded
        atomically with the case (a crash keeps both or neither; two creates with one
        key at once make one case).
        """

    @abc.abstractmethod
    def find_key(self, key: str) -> dict[str, Any] | None:
        """The case created with idempotency key ``key`` (``create``), or None."""

    @abc.abstractmethod
    def get(self, number: str) -> dict[str, Any] | None:
        """The case with this number, or None."""

    @abc.abstractmethod
    def update(self, number: str, change: Callable[[dict[str, Any]], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None) -> dict[str, Any]:
        """Apply ``change`` to the stored case atomically; return the new case.

        ``audit(new)``, when given, is the audit entry committed with the change: a
        crash leaves both or neither (one transaction in PostgreSQL).
        """

    @abc.abstractmethod
    def open_summaries(self) -> list[dict[str, Any]]:
        """Summaries of every open case (for monitoring): fresh dicts, whose nested
        lists (route, pauses) may be shared with the store's cache: read them, do
        not change them in place (a monitor reads thousands; a deep copy would cost
        a tenth of its time)."""

    @abc.abstractmethod
    def cases_since(self, since: dt.date, *, copy: bool = True
                    ) -> Iterator[dict[str, Any]]:
        """Every case received on or after ``since``, in number order (``copy=False``:
        read-only documents, for scans)."""

    @abc.abstractmethod
    def digests_since(self, since: dt.date, key: Hashable,
                      digest: Callable[[list[dict[str, Any]]], T]) -> list[T]:
        """``digest`` of each group of cases received on or after ``since`` (a
        partition, a day: each case in exactly one group), for figures that add up.
        An implementation may keep a group's digest, per ``key``, while the group is
        unchanged: ``key`` names the computation and all it depends on besides the
        cases (PostgreSQL: a materialised per-day summary, or the query itself)."""

    @abc.abstractmethod
    def import_cases(self, cases: Iterable[dict[str, Any]],
                     summary: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
        """Store cases as they are (restore, bulk load); returns how many."""

    @abc.abstractmethod
    def rebuild_index(self, summary: Callable[[dict[str, Any]], dict[str, Any] | None]
                      ) -> dict[str, int]:
        """Rebuild the open-case summaries from the cases (a repair: the summaries are
        derived from the cases, which stay as they are); returns counts."""

    @abc.abstractmethod
    def append_audit(self, entry: dict[str, Any]) -> None:
        """Append one audit entry durably."""

    @abc.abstractmethod
    def audit(self, since: dt.date | None = None) -> Iterator[dict[str, Any]]:
        """The audit trail, oldest first."""

    @abc.abstractmethod
    def verify_audit(self) -> dict[str, Any]:
        """Check the audit trail's hash chain (``formkit cases verify``): ``{"ok",
        "files", "entries", "unchained", "torn", "head"}``, and ``"break": {"file",
        "line", "what", "message"}`` at the first break; reads only."""

    @abc.abstractmethod
    def put_version(self, snapshot: dict[str, Any]) -> bool:
        """Store an immutable matter snapshot by its hash; False if already there."""

    @abc.abstractmethod
    def get_version(self, digest: str) -> dict[str, Any] | None:
        """The snapshot with this hash."""

    @abc.abstractmethod
    def versions(self, code: str | None = None) -> list[dict[str, Any]]:
        """Published snapshots (of one matter), oldest first."""
