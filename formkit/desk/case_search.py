"""Find a case by the person at the window: by the applicant's name, 身份证号 (whole or
its last digits), mobile number (whole or 尾号), or the case number.

A citizen comes back without the receipt ("我上个月办的营业执照"): the clerk finds the
case by who they are, opens it, and reprints what it was given. What one may find is
what one may read (``formkit.desk.access.may_read``): a clerk every case, an officer
their department's.

**Where the person is.** A case stores the applicant's name (``applicant``) and the
form's answers (``fields``). The index reads, from the answers at any depth: every text
that is a 18-digit (or old 15-digit) ID number, every mobile number (1 and ten
digits), and the answers of name fields (``name``, ``*_name``, ``legal_rep`` ...), so a
seller, a legal representative or a bride is found as well as the applicant. Shapes,
not the matter's field types: the index needs no catalog, a case of a matter since
changed is found alike, and its key depends on nothing but this module.

**Fast at 10,000 cases and more.** The index is built with the store's
``digests_since`` (each store keeps a partition's digest while the partition is
unchanged: the embedded store per file, PostgreSQL per receipt day), so a search
reads only the partitions written since the last one; the rest is a scan of small
tuples. No store method is needed beyond the interface.

**What is shown.** ID numbers and mobiles come back masked only (4453**********1230,
138****8000, 个人信息保护法 §51): a result list is seen over the counter.
A query must say enough: two characters of a name, four digits of a number; at most
``limit`` hits come back, newest first, with the count of all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from formkit.cases.store import CaseStore
from formkit.definitions.users import User
from formkit.desk.access import may_read

__all__ = ["CaseHit", "CaseSearch", "mask_id", "mask_mobile", "query_kind", "search_cases"]

# The digest's key: it names this computation (bump it when ``_entry`` changes).
INDEX_KEY = ("formkit.desk.case_search.entries", 2)
MIN_NAME, MIN_DIGITS = 2, 4

_ID = re.compile(r"^(?:\d{17}[\dX]|\d{15})$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_NUMBER = re.compile(r"^[A-Z][A-Z0-9]{0,7}\d{6,13}$")  # FK2026112500042, or its start (a month on)
_NAME_KEYS = frozenset({"name", "legal_rep", "principal", "contact", "site_manager",
                        "fire_manager", "holder", "agent"})
Kind = Literal["number", "id_number", "mobile", "digits", "name"]


class _Entry(NamedTuple):
    """One case in the index: what a search reads and a hit shows."""

    number: str
    matter: str
    department: str
    route: tuple[tuple[str, ...], ...]
    applicant: str
    names: tuple[str, ...]
    ids: tuple[str, ...]
    mobiles: tuple[str, ...]
    state: str
    received_on: str
    notice_on: str
    decided_on: str
    issued_on: str
    ended_on: str
    bundle: str = ""  # the number of the 一件事 it belongs to (formkit.cases.bundles)


@dataclass(frozen=True)
class CaseHit:
    """A case found: what the result list shows, personal numbers masked."""

    number: str
    matter: str  # the matter's code
    department: str
    applicant: str
    state: str
    received_on: dt.date | None
    notice_on: dt.date | None
    decided_on: dt.date | None
    issued_on: dt.date | None
    ended_on: dt.date | None
    id_number: str  # masked: the number matched, else the case's first
    mobile: str  # masked, likewise
    matched_name: str  # the person matched when not the applicant (a seller, a bride)
    bundle: str = ""  # the number of the 一件事 it belongs to, if any


@dataclass(frozen=True)
class CaseSearch:
    """The outcome of a search: the hits shown, how many matched, what was searched."""

    kind: Kind | None  # None: the query says too little to search
    hits: tuple[CaseHit, ...] = ()
    total: int = 0

    @property
    def truncated(self) -> bool:
        """Whether more cases matched than are shown."""
        return self.total > len(self.hits)


def mask_id(number: str) -> str:
    """``445321199003071230`` -> ``4453**********1230``: the region and the last four."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else number


def mask_mobile(number: str) -> str:
    """``13800138000`` -> ``138****8000``."""
    return number[:3] + "****" + number[-4:] if len(number) == 11 else number


def _squash(query: str) -> str:
    return re.sub(r"\s+", "", query).upper()


def query_kind(query: str) -> Kind | None:
    """What ``query`` is taken for; None when it says too little (a name of one
    character, fewer than four digits)."""
    q = _squash(query)
    if _ID.match(q) and not _MOBILE.match(q):
        return "id_number"
    if _MOBILE.match(q):
        return "mobile"
    if _NUMBER.match(q):
        return "number"
    if re.fullmatch(r"\d+X?", q):
        return "digits" if len(q) >= MIN_DIGITS else None
    return "name" if len(q) >= MIN_NAME else None


def _walk(value: Any) -> Iterator[tuple[str, str]]:
    """(key, text) of every text answer at any depth (groups, repeats), in the order
    of the answers, without recursion: an index reads every answer of every case."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        key, v = stack.pop()
        if isinstance(v, str):
            yield key, v
        elif isinstance(v, dict):
            stack.extend(reversed([(str(k), x) for k, x in v.items()]))
        elif isinstance(v, list):
            stack.extend(reversed([(key, x) for x in v]))


def _is_name_key(key: str) -> bool:
    return key in _NAME_KEYS or key.endswith("_name")


def _entry(case: dict[str, Any]) -> _Entry:
    names: dict[str, None] = {}
    ids: dict[str, None] = {}
    mobiles: dict[str, None] = {}
    for key, raw in _walk(case.get("fields") or {}):
        text = raw.strip()
        size = len(text)
        # lengths first: a regular expression only for what could be a number
        if size in (15, 18) and _ID.match(text.upper()):
            ids[text.upper()] = None
        elif size == 11 and _MOBILE.match(text):
            mobiles[text] = None
        elif 0 < size <= 100 and _is_name_key(key):
            names[text] = None

    def day(k: str) -> str:
        v = case.get(k)
        return v if isinstance(v, str) else ""

    route = tuple(tuple(str(u) for u in step) for step in case.get("route") or [])
    return _Entry(str(case.get("number", "")), str(case.get("matter", "")),
                  str(case.get("department", "")), route, str(case.get("applicant") or ""),
                  tuple(names), tuple(ids), tuple(mobiles), str(case.get("state", "")),
                  day("received_on"), day("notice_on"), day("decided_on"), day("issued_on"),
                  day("ended_on"), str((case.get("bundle") or {}).get("number") or ""))


def _entries(cases: list[dict[str, Any]]) -> tuple[_Entry, ...]:
    return tuple(_entry(c) for c in cases)


def _index(store: CaseStore, since: dt.date) -> Iterator[_Entry]:
    for part in store.digests_since(since, INDEX_KEY, _entries):
        yield from part


def _match(e: _Entry, kind: Kind, q: str) -> tuple[str, str, str] | None:
    """(the ID number, the mobile, the other person's name) ``e`` matches ``q`` by;
    None when it does not match."""
    id0 = e.ids[0] if e.ids else ""
    mob0 = e.mobiles[0] if e.mobiles else ""
    if kind == "number":  # a bundle's number finds every case of the bundle
        return (id0, mob0, "") if e.number.startswith(q) or (
            e.bundle and e.bundle.startswith(q)) else None
    if kind == "id_number":
        return (q, mob0, "") if q in e.ids else None
    if kind == "mobile":
        return (id0, q, "") if q in e.mobiles else None
    if kind == "digits":  # the last digits of an ID number or a mobile; a number's tail
        got = next((i for i in e.ids if i.endswith(q)), None)
        if got is not None:
            return got, mob0, ""
        mob = next((m for m in e.mobiles if m.endswith(q)), None)
        if mob is not None:
            return id0, mob, ""
        return (id0, mob0, "") if len(q) >= 8 and e.number.endswith(q) else None
    if q in e.applicant.upper():
        return id0, mob0, ""
    other = next((n for n in e.names if q in n.upper()), None)
    return (id0, mob0, other) if other is not None else None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _hit(e: _Entry, id_number: str, mobile: str, other: str) -> CaseHit:
    return CaseHit(e.number, e.matter, e.department, e.applicant, e.state,
                   _date(e.received_on), _date(e.notice_on), _date(e.decided_on),
                   _date(e.issued_on), _date(e.ended_on), mask_id(id_number),
                   mask_mobile(mobile), other if other != e.applicant else "", e.bundle)


def search_cases(store: CaseStore, user: User, query: str, *, since: dt.date,
                 limit: int = 50, matters: Iterable[str] | None = None) -> CaseSearch:
    """The cases received on or after ``since`` that ``query`` finds and ``user`` may
    read, newest first, at most ``limit`` (``total`` counts them all).

    ``query`` is taken as a case number (FK2026112500042, or its start), a 身份证号
    (18 or 15 characters), a mobile (11 digits), the last digits of either (4 or more),
    or else part of a person's name (2 characters or more). ``matters``, when given,
    keeps only cases of those matter codes.
    """
    kind = query_kind(query)
    if kind is None:
        return CaseSearch(None)
    q = _squash(query)
    only = frozenset(matters) if matters is not None else None
    found: list[tuple[_Entry, tuple[str, str, str]]] = []
    for e in _index(store, since):
        if only is not None and e.matter not in only:
            continue
        got = _match(e, kind, q)
        if got is not None and may_read(user, e.department, e.route):
            found.append((e, got))
    found.sort(key=lambda t: (t[0].received_on, t[0].number), reverse=True)
    return CaseSearch(kind, tuple(_hit(e, *got) for e, got in found[:limit]), len(found))
