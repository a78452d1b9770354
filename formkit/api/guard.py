"""The store as one API call sees it: ``Idempotency-Key`` and ``If-Match`` kept
inside the store's own atomic steps, so that worker processes sharing nothing but
the store cannot both pass.

- ``key``: ``create`` passes it to the store (``CaseStore.create(..., key=)``), which
  returns the case first created with that key instead of making another; the
  guard then raises ``Replayed`` with it, so the service stops (no second decision)
  and the API answers the first case.
- ``if_match``: the first ``update`` compares the case's ETag with it inside the
  store's change function, under the store's lock: a stale one raises
  ``IllegalTransition`` (``stale-case``) before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any

from formkit.cases.store import AuditOf, CaseStore, T
from formkit.errors import IllegalTransition

__all__ = ["GuardedStore", "Replayed", "etag_of", "matches"]


def etag_of(doc: dict[str, Any]) -> str:
    """The ETag of a stored case: a digest of its stored document, quoted."""
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str)
    return '"' + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32] + '"'


def matches(if_match: str, etag: str) -> bool:
    """Whether an ``If-Match`` header value names ``etag`` (or is ``*``)."""
    tags = [t.strip() for t in if_match.split(",")]
    return any(t == "*" or t.removeprefix("W/") == etag for t in tags)


class Replayed(Exception):
    """The store already held the case of this idempotency key."""

    def __init__(self, doc: dict[str, Any]) -> None:
        super().__init__(doc.get("number"))
        self.doc = doc


class GuardedStore(CaseStore):
    """``inner`` with an idempotency key for ``create`` and an ETag for the first
    ``update`` (see the module docstring); everything else is passed through."""

    def __init__(self, inner: CaseStore, *, key: str | None = None,
                 if_match: str | None = None) -> None:
        self.inner = inner
        self.key = key
        self.if_match = if_match
        self.last: dict[str, Any] | None = None  # the case as this call last wrote it

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def create(self, day: dt.date, make: Callable[[str], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None, *, key: str | None = None) -> dict[str, Any]:
        key = key or self.key
        if key is None:
            self.last = self.inner.create(day, make, summary, audit)
            return self.last
        made = False

        def making(number: str) -> dict[str, Any]:
            nonlocal made
            made = True
            return make(number)

        doc = self.inner.create(day, making, summary, audit, key=key)
        if not made:
            raise Replayed(doc)
        self.last = doc
        return doc

    def update(self, number: str, change: Callable[[dict[str, Any]], dict[str, Any]],
               summary: Callable[[dict[str, Any]], dict[str, Any] | None],
               audit: AuditOf | None = None) -> dict[str, Any]:
        wanted, self.if_match = self.if_match, None  # the first update only

        def checked(doc: dict[str, Any]) -> dict[str, Any]:
            if wanted is not None and not matches(wanted, etag_of(doc)):
                raise IllegalTransition(
                    f"案件 {number} 已被他人更改，请重新读取后再办理 (case {number} changed "
                    "since it was read: If-Match is stale; nothing was done)", None,
                    code="stale-case",
                    hint="GET the case again, check what changed, and send the action "
                         "with its new ETag")
            return change(doc)

        self.last = self.inner.update(number, checked, summary, audit)
        return self.last

    def get(self, number: str) -> dict[str, Any] | None:
        return self.inner.get(number)

    def find_key(self, key: str) -> dict[str, Any] | None:
        return self.inner.find_key(key)

    def verify_audit(self) -> dict[str, Any]:
        return self.inner.verify_audit()

    def open_summaries(self) -> list[dict[str, Any]]:
        return self.inner.open_summaries()

    def cases_since(self, since: dt.date, *, copy: bool = True
                    ) -> Iterator[dict[str, Any]]:
        return self.inner.cases_since(since, copy=copy)

    def digests_since(self, since: dt.date, key: Hashable,
                      digest: Callable[[list[dict[str, Any]]], T]) -> list[T]:
        return self.inner.digests_since(since, key, digest)

    def import_cases(self, cases: Iterable[dict[str, Any]],
                     summary: Callable[[dict[str, Any]], dict[str, Any] | None]) -> int:
        return self.inner.import_cases(cases, summary)

    def rebuild_index(self, summary: Callable[[dict[str, Any]], dict[str, Any] | None]
                      ) -> dict[str, int]:
        return self.inner.rebuild_index(summary)

    def append_audit(self, entry: dict[str, Any]) -> None:
        self.inner.append_audit(entry)

    def audit(self, since: dt.date | None = None) -> Iterator[dict[str, Any]]:
        return self.inner.audit(since)

    def put_version(self, snapshot: dict[str, Any]) -> bool:
        return self.inner.put_version(snapshot)

    def get_version(self, digest: str) -> dict[str, Any] | None:
        return self.inner.get_version(digest)

    def versions(self, code: str | None = None) -> list[dict[str, Any]]:
        return self.inner.versions(code)
