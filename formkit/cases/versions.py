"""Matter versions: immutable snapshots by content hash, publishing, and change impact.

A snapshot holds the matter's YAML text and the texts of the rule libraries it
uses, so a case is always evaluated against exactly what it was taken under.

A snapshot is content; a publication is an event. Publishing appends a
``publish`` entry to the audit trail, and a matter's publications (v1, v2 ...)
are those entries in order (``publications``): the same content can be
published more than once (a rollback republishes an earlier version as a new
one, its entry naming ``rollback_of``), while the snapshot is stored once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from formkit.cases.service import Case, CaseService
from formkit.cases.store import CaseStore
from formkit.catalog import OpenCatalog
from formkit.definitions.loader import load_matter_text
from formkit.dsl.library import libraries_from_texts
from formkit.errors import DefinitionError, FormkitError, FormkitErrors
from formkit.ruleset import RuleSet

__all__ = ["Impact", "Publication", "case_rules", "impact_of", "matter_snapshot",
           "publications", "publish_version", "rules_from_snapshot", "snapshot_for_case"]


class Impact(BaseModel):
    """An open case that a new version would treat differently."""

    number: str
    state: str
    before: str
    after: str
    changes: list[str]


class Publication(BaseModel):
    """One publication of a matter, read from its ``publish`` audit entry.

    ``number`` counts the matter's publications from 1 (v1, v2 ...); ``previous`` is
    the version it replaced (None: the first, or not recorded); ``rollback_of`` the
    earlier version it republished; ``override`` the written reason (and the count)
    when it was published with failing examples.
    """

    number: int
    code: str
    hash: str
    actor: str = ""
    at: str = ""
    note: str = ""
    previous: str | None = None
    rollback_of: str | None = None
    override: dict[str, Any] | None = None


def publications(store: CaseStore, code: str) -> list[Publication]:
    """Every publication of ``code``, oldest first (the audit trail's order)."""
    out: list[Publication] = []
    for entry in store.audit():
        if entry.get("kind") != "publish" or entry.get("code") != code \
                or not isinstance(entry.get("hash"), str):
            continue
        fields = {k: entry[k] for k in Publication.model_fields if k in entry}
        out.append(Publication.model_validate({**fields, "number": len(out) + 1}))
    return out


def matter_snapshot(opened: OpenCatalog, code: str) -> dict[str, Any]:
    """The content of matter ``code`` as it stands, with its libraries, and its hash."""
    matter = opened.matters.get(code)
    if matter is None:
        raise opened.unknown_matter(code)
    doc = opened.doc_of(matter)
    assert doc is not None
    libraries = {lib.name: lib.source.text for lib in opened.libraries.closure(matter.uses)}
    content = {"code": code, "file": matter.file, "matter_yaml": doc.file.text,
               "libraries": libraries}
    # the digest is of the content, not of where the catalog sits: the file is hashed
    # relative to the catalog folder, so the API and the CLI, or two copies of the
    # catalog, give one version (the stored snapshot keeps the file as it was opened,
    # which a rollback of a removed matter writes back to)
    hashed = {**content, "file": _catalog_relative(opened, matter.file)}
    digest = hashlib.sha256(json.dumps(hashed, sort_keys=True, ensure_ascii=False)
                            .encode("utf-8")).hexdigest()
    return {"hash": digest, **content}


def _catalog_relative(opened: OpenCatalog, file: str | None) -> str | None:
    """``file`` relative to the catalog folder (POSIX), or as it is when outside it."""
    if not file:
        return file
    try:
        return Path(file).resolve().relative_to(Path(opened.root).resolve()).as_posix()
    except (ValueError, OSError):
        return file


def publish_version(store: CaseStore, opened: OpenCatalog, code: str, *, actor: str,
                    note: str, now: dt.datetime | None = None,
                    record: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], bool]:
    """Publish the matter as it stands: never a broken one. Returns (snapshot, new?).

    A new publication (an audit entry) is recorded unless the content is that of the
    last publication. ``record`` adds to the entry (``previous``, ``rollback_of``,
    ``override``); by default ``previous`` is the last publication.
    """
    rules = opened.rules_of(code)
    if rules is None:
        raise DefinitionError(f"matter '{code}' does not load; fix it before publishing",
                              None, code="unpublishable")
    if rules.errors:
        raise FormkitErrors(rules.errors)
    at = (now or dt.datetime.now()).isoformat(timespec="seconds")
    snapshot = {**matter_snapshot(opened, code), "published": True, "published_by": actor,
                "published_at": at, "note": note}
    store.put_version(snapshot)  # content published once before keeps its first record
    published = publications(store, code)
    last = published[-1].hash if published else None
    if last == snapshot["hash"]:
        return snapshot, False
    store.append_audit({"kind": "publish", "code": code, "hash": snapshot["hash"],
                        "actor": actor, "at": at, "note": note, "previous": last,
                        **(record or {})})
    return snapshot, True


def snapshot_for_case(store: CaseStore, opened: OpenCatalog, code: str) -> str:
    """The version hash a new case is taken under (stored, so it can be replayed)."""
    snapshot = matter_snapshot(opened, code)
    if store.get_version(snapshot["hash"]) is None:
        store.put_version({**snapshot, "published": False,
                           "published_at": dt.datetime.now().isoformat(timespec="seconds")})
    digest: str = snapshot["hash"]
    return digest


@functools.lru_cache(maxsize=256)
def _rules(digest: str, text: str, file: str, libraries: str) -> RuleSet:
    libs = libraries_from_texts({name: (f"rules/{name}.rules", body)
                                 for name, body in json.loads(libraries).items()})
    matter, doc = load_matter_text(text, file)
    if matter is None:
        raise FormkitErrors(doc.errors) if doc.errors else DefinitionError(
            f"snapshot {digest[:12]} does not load", None)
    return RuleSet.build(matter, libs)


def rules_from_snapshot(snapshot: dict[str, Any]) -> RuleSet:
    """The checked rules of a snapshot (cached by hash)."""
    return _rules(snapshot["hash"], snapshot["matter_yaml"], snapshot.get("file", "matter.yaml"),
                  json.dumps(snapshot.get("libraries", {}), sort_keys=True))


def case_rules(store: CaseStore, case: Case) -> RuleSet:
    """The rules a case was taken under."""
    snapshot = store.get_version(case.version)
    if snapshot is None:
        raise DefinitionError(f"case {case.number}: its matter version {case.version[:12]} "
                              "is not in the store", None, code="unknown-version")
    return rules_from_snapshot(snapshot)


def impact_of(service: CaseService, code: str, new_rules: RuleSet) -> list[Impact]:
    """Open cases of ``code`` that ``new_rules`` would pre-check differently."""
    out: list[Impact] = []
    for summary in service.store.open_summaries():
        if summary.get("matter") != code:
            continue
        case = service.get(summary["number"])
        try:
            before = service.precheck(case, case_rules(service.store, case))
        except FormkitError:
            continue
        after = service.precheck(case, new_rules)
        changes: list[str] = []
        if before.outcome != after.outcome:
            changes.append(f"outcome {before.outcome} -> {after.outcome}")
        for key in ("missing_materials", "tolerated_materials", "fetched_materials"):
            old = {m.id for m in getattr(before, key)}
            new = {m.id for m in getattr(after, key)}
            if old != new:
                added, removed = sorted(new - old), sorted(old - new)
                changes.append(f"{key}: +{added} -{removed}")
        if before.route != after.route:
            changes.append(f"route {before.route} -> {after.route}")
        if len(before.refusals) != len(after.refusals):
            changes.append(f"refusals {len(before.refusals)} -> {len(after.refusals)}")
        if changes:
            out.append(Impact(number=case.number, state=case.state, before=before.outcome,
                              after=after.outcome, changes=changes))
    return out
