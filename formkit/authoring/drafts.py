"""The studio's editing model: round-trip YAML, drafts, live checks and publishing.

A matter is edited as a ruamel.yaml round-trip tree, so comments and key order
written by hand survive every edit. Unsaved work is kept as a draft per user,
apart from the catalog. Publishing checks the whole catalog with the change,
writes the file atomically and stores an immutable snapshot.

A published change is never undone silently. A draft records the version it
started from (``DraftBase``: the matter's text as it stood); publishing a draft
whose matter has changed since is refused (``stale-draft``) until the editor
merges it onto the current version (``diff.merge_texts``) or starts again. A
draft saved without its base (``DraftStore.save`` without ``base``) records when
it began, and its base is the version that stood then, read from the
publications (``find_conflict``).

Publishing runs the matter's examples (``run_examples``): a failing example
blocks it (``examples-failing``) unless the centre administrator (role
``admin``) overrides it with a written reason, which goes into the publication's
audit entry. Only the admin: the editors of the matter's department are the ones
the gate checks, and an override by the author of the change would make the
gate advisory; the admin answers for every matter (``users.py``) and stays
accountable for the reason on record.

A rollback (``roll_back``) publishes an earlier version's text again as a new
version, through the same checks, its audit entry naming ``rollback_of``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from formkit.cases.files import StoreLock, write_atomic
from formkit.cases.store import CaseStore
from formkit.cases.versions import Publication, matter_snapshot, publications, publish_version
from formkit.catalog import OpenCatalog, open_catalog
from formkit.definitions.model import Matter, iter_fields
from formkit.definitions.users import User
from formkit.dsl import pipeline
from formkit.dsl.checker import Checker
from formkit.dsl.types import BOOL, NUMBER, T
from formkit.errors import AccessDenied, DefinitionError, FormkitError, FormkitErrors
from formkit.intake.examples import ExamplesReport, run_examples
from formkit.ruleset import RuleSet

# The label a new field gets until the editor writes its own (never published).
STAND_IN_LABEL = "新字段"

__all__ = [
    "Conflict",
    "DraftBase",
    "DraftStore",
    "EditCheck",
    "check_draft",
    "check_expression",
    "current_base",
    "dump_yaml",
    "find_conflict",
    "load_yaml",
    "may_override_examples",
    "new_matter_text",
    "publish_draft",
    "roll_back",
]


def _yaml() -> YAML:
    y = YAML()  # round-trip
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never re-wrap lines written by hand
    y.allow_unicode = True
    y.preserve_quotes = True
    return y


def load_yaml(text: str) -> Any:
    """A round-trip tree (CommentedMap) of a matter's YAML text."""
    return _yaml().load(text)


def dump_yaml(data: Any, original: str | None = None) -> str:
    """The YAML text of a round-trip tree, comments and key order kept.

    With ``original``, every top-level section and list item whose content did
    not change keeps its original text exactly (a round-trip dump would re-flow
    flow mappings that were wrapped by hand).
    """
    out = io.StringIO()
    _yaml().dump(data, out)
    text = out.getvalue()
    return keep_layout(original, text) if original is not None else text


_TOP = re.compile(r"^[^\s#-][^:]*:", re.M)


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _plain(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return _Unparsable()


class _Unparsable:
    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]


def _blocks(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Leading text, then (key, block text) per top-level key; comments go with the
    key that follows them."""
    starts = [m.start() for m in _TOP.finditer(text)]
    if not starts:
        return text, []
    head_end = starts[0]
    # Comment lines right above a key belong to that key.
    bounds: list[int] = []
    for start in starts:
        begin = start
        while True:
            prev = text.rfind("\n", 0, max(begin - 1, 0))
            line = text[prev + 1: begin - 1] if begin > 0 else ""
            if begin > 0 and line.lstrip().startswith("#") and not line.startswith(" "):
                begin = prev + 1
            else:
                break
        bounds.append(begin)
    head_end = bounds[0]
    out = []
    for i, begin in enumerate(bounds):
        end = bounds[i + 1] if i + 1 < len(bounds) else len(text)
        block = text[begin:end]
        key = text[starts[i]: text.index(":", starts[i])].strip()
        out.append((key, block))
    return text[:head_end], out


def _items(block: str) -> tuple[str, list[str]] | None:
    """A sequence block split into its key line(s) and item texts."""
    lines = block.splitlines(keepends=True)
    first = next((i for i, ln in enumerate(lines) if re.match(r"^\s+- ", ln)), None)
    if first is None:
        return None
    indent = len(lines[first]) - len(lines[first].lstrip())
    items: list[str] = []
    for ln in lines[first:]:
        stripped = ln.lstrip()
        if stripped.startswith("- ") and len(ln) - len(stripped) == indent:
            items.append(ln)
        elif items:
            items[-1] += ln
    return "".join(lines[:first]), items


def keep_layout(original: str, new: str) -> str:
    """``new`` with each unchanged section or list item written as in ``original``."""
    head, old_blocks = _blocks(original)
    _, new_blocks = _blocks(new)
    old_by_key = dict(old_blocks)
    out = [head]
    for key, block in new_blocks:
        old = old_by_key.get(key)
        if old is not None and _plain(old) == _plain(block):
            out.append(old if old.endswith("\n") else old + "\n")
            continue
        split_new, split_old = _items(block), _items(old) if old is not None else None
        if split_new is not None and split_old is not None:
            lead, items = split_new
            pool = list(split_old[1])
            kept = []
            for item in items:
                value = _plain(_dedent(item))
                match = next((o for o in pool if _plain(_dedent(o)) == value), None)
                if match is not None:
                    pool.remove(match)
                    kept.append(match if match.endswith("\n") else match + "\n")
                else:
                    kept.append(item)
            old_lead = split_old[0]
            out.append((old_lead if _plain(old_lead + "[]") == _plain(lead + "[]")
                        else lead) + "".join(kept))
            continue
        out.append(block)
    return "".join(out)


def _dedent(item: str) -> str:
    lines = item.splitlines(keepends=True)
    indent = len(lines[0]) - len(lines[0].lstrip())
    return "".join(ln[indent:] if ln[:indent].strip() == "" else ln for ln in lines)


def new_matter_text(code: str, name_zh: str, department: str, *,
                    copy_of: str | None = None) -> str:
    """A new matter: from a minimal template, or a copy of another matter's text."""
    if copy_of is not None:
        data = load_yaml(copy_of)
        data["code"] = code
        data["name"] = CommentedMap({"zh": name_zh, "en": ""})
        data["department"] = department
        data["tests"] = data.get("tests", CommentedSeq())
        return dump_yaml(data)
    return f"""\
code: "{code}"
name: {{zh: {name_zh}, en: ""}}
department: {department}
kind: administrative_licensing
time_limit:
  unit: working_days
  statutory_days: 20
  committed_days: 5
fee: 0
channels: [window]
form:
  - {{id: applicant_name, type: text, label: {{zh: 申请人姓名, en: Applicant}}, required: true}}
  - {{id: id_number, type: id_number, label: {{zh: 公民身份号码, en: ID number}}, required: true}}
  - {{id: mobile, type: mobile, label: {{zh: 手机号码, en: Mobile}}, required: true}}
materials:
  - {{id: application_form, name: {{zh: 申请表, en: Application form}}, form: original,
     copies: 1}}
route:
  - step: []
tests: []
"""


@dataclass
class EditCheck:
    """What the live check of a draft found."""

    matter: Matter | None
    rules: RuleSet | None
    errors: list[FormkitError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the draft has no error."""
        return self.matter is not None and not self.errors


def check_draft(root: Path, file: Path, text: str) -> tuple[EditCheck, OpenCatalog]:
    """Check a draft in the whole catalog (as if saved): its errors, and the catalog's."""
    opened = open_catalog(root, {file: text})
    name = str(file)
    errors = [e for e in opened.errors if e.span is not None and e.span.file == name]
    matter = next((m for m in opened.matters.values() if m.file == name), None)
    rules = opened.rules_of(matter.code) if matter is not None else None
    if matter is None and not errors:
        errors = [e for e in opened.errors if e.span is None or e.span.file == name] or [
            DefinitionError("the draft does not load", None)]
    if matter is not None:
        # a bundle (高效办成一件事) that fills this matter's fields breaks when one is
        # renamed or removed: its errors are the draft's too, so it is never published
        # silently broken
        files = {b.file for b in opened.bundles.values() if matter.code in b.codes}
        errors += [e for e in opened.errors if e.span is not None and e.span.file in files]
    return EditCheck(matter, rules, errors), opened


_WANTS: dict[str, T | None] = {"condition": BOOL, "number": NUMBER, "value": None}


def check_expression(rules: RuleSet, text: str, want: str = "condition",
                     row: Sequence[str] | None = None) -> list[FormkitError]:
    """Check one expression as typed in an editor box; errors point inside ``text``."""
    checker = Checker(rules.scope)
    row_type = None
    if row:
        from formkit.dsl.types import field_type

        fields = rules.matter.form
        for part in row:
            f = next((x for x in fields if x.id == part), None)
            if f is None:
                break
            if f.type.value == "repeat":  # a group inside a repeat keeps the row's names
                row_type = field_type(f).elem
            fields = f.fields or []
    try:
        pipeline.check(checker, text, want=_WANTS.get(want), row=row_type)
    except FormkitError as exc:  # a syntax error: nothing to check
        return [exc]
    return checker.errors


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


@dataclass(frozen=True)
class DraftBase:
    """The version a draft started from.

    ``text`` is the matter's text as it stood (None: the matter did not exist) and
    ``hash`` its version hash, when known; ``started`` is when the draft began.
    ``known`` is False for a draft saved without its base: only ``started`` is
    known, and ``find_conflict`` reads the base from the publications.
    """

    text: str | None
    hash: str | None = None
    started: str = field(default_factory=_now)
    known: bool = True


def current_base(opened: OpenCatalog, code: str) -> DraftBase:
    """The base of a draft begun now: matter ``code`` as it stands in ``opened``."""
    matter = opened.matters.get(code)
    doc = opened.doc_of(matter) if matter is not None else None
    if matter is None or doc is None:
        return DraftBase(None)
    return DraftBase(doc.file.text, matter_snapshot(opened, code)["hash"])


class DraftStore:
    """Unsaved matter texts per user, apart from the catalog (survive a reload), each
    with the version it started from."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, user: str, key: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
        return self.root / re.sub(r"[^a-z0-9_.-]", "_", user) / f"{safe}.yaml"

    def _base_path(self, user: str, key: str) -> Path:
        return self._path(user, key).with_suffix(".base.json")

    def save(self, user: str, key: str, text: str, *, base: DraftBase | None = None) -> None:
        """Keep ``text`` as the user's draft of ``key`` (a matter code).

        ``base``: the version the draft (now) starts from; without it a new draft
        records when it began, and a draft keeps the base it has.
        """
        meta = self._base_path(user, key)
        if base is not None or not meta.is_file():
            # A draft from before bases were kept keeps the start ``base()`` gives it.
            record = base or self.base(user, key) or DraftBase(None, known=False)
            write_atomic(meta, json.dumps({"text": record.text, "hash": record.hash,
                                           "started": record.started, "known": record.known},
                                          ensure_ascii=False))
        write_atomic(self._path(user, key), text)

    def load(self, user: str, key: str) -> str | None:
        """The user's draft of ``key``, if any."""
        path = self._path(user, key)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def base(self, user: str, key: str) -> DraftBase | None:
        """The version the user's draft of ``key`` started from (None: no draft)."""
        path = self._path(user, key)
        if not path.is_file():
            return None
        try:
            meta = json.loads(self._base_path(user, key).read_text(encoding="utf-8"))
            return DraftBase(meta["text"], meta["hash"], str(meta["started"]),
                             bool(meta["known"]))
        except (OSError, ValueError, KeyError, TypeError):
            # A draft from before bases were kept: it began by its last save at the latest.
            when = dt.datetime.fromtimestamp(path.stat().st_mtime)
            return DraftBase(None, started=when.isoformat(timespec="seconds"), known=False)

    def discard(self, user: str, key: str) -> None:
        """Forget the draft."""
        for path in (self._path(user, key), self._base_path(user, key)):
            if path.is_file():
                path.unlink()

    def keys(self, user: str) -> list[str]:
        """Codes the user has drafts of."""
        folder = self._path(user, "x").parent
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


# ---- publishing


@dataclass(frozen=True)
class Conflict:
    """The matter changed after a draft of it began: the text it began from (None:
    the matter did not exist), the text now (None: it is gone), and the publications
    since (empty: the file was changed outside the studio)."""

    base: str | None
    current: str | None
    newer: list[Publication]


def _after(publication: Publication, started: str, user: str) -> bool:
    """Whether ``publication`` came after a draft of ``user`` began at ``started``.

    Both are timed to the second; in the same second, another's publication counts
    as after (a conflict shown, never a change lost) and the user's own as before
    (publishing ends their draft, so a draft of theirs that second is a new one).
    """
    at, began = publication.at[:19], started[:19]
    return at > began or (at == began and publication.actor != user)


def find_conflict(store: CaseStore, file: Path, code: str, base: DraftBase,
                  user: str) -> Conflict | None:
    """How matter ``code`` (in ``file``) changed since a draft of ``user`` began from
    ``base``; None when it stands as the draft found it."""
    current = file.read_text(encoding="utf-8") if file.is_file() else None
    published = publications(store, code)
    if base.known:
        if current == base.text:
            return None
        seen = [p.number for p in published if p.hash == base.hash]
        newer = published[seen[-1]:] if seen else [
            p for p in published if _after(p, base.started, user)]
        return Conflict(base.text, current, newer)
    newer = [p for p in published if _after(p, base.started, user)]
    if not newer:
        return None
    first = newer[0]
    began = first.previous or (published[first.number - 2].hash if first.number > 1 else None)
    snapshot = store.get_version(began) if began is not None else None
    text = snapshot.get("matter_yaml") if snapshot is not None else None
    return None if text == current else Conflict(text, current, newer)


def may_override_examples(user: User) -> bool:
    """Whether ``user`` may publish over failing examples (with a reason): the admin."""
    return user.role == "admin"


@contextmanager
def _publishing(root: Path) -> Iterator[None]:
    """One publication of a catalog at a time, across the studio's sessions and any
    process on this machine: checking for a conflict and writing are one step."""
    key = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()[:16]
    with StoreLock(Path(tempfile.gettempdir()) / f"formkit-publish-{key}.lock"):
        yield


def _stale(code: str, conflict: Conflict) -> DefinitionError:
    if conflict.newer:
        last = conflict.newer[-1]
        when = last.at.replace("T", " ")
        message = (f"此草稿开始编辑后，{last.actor} 于 {when} 发布了 {code} 第 {last.number} 版，"
                   f"发布此草稿会撤销其修改: {code} was published as v{last.number} by "
                   f"{last.actor} at {when} after this draft began; publishing it would undo "
                   "that change")
    else:
        message = (f"此草稿开始编辑后，{code} 的文件已被修改，发布此草稿会撤销该修改: the file "
                   f"of {code} was changed after this draft began; publishing it would undo "
                   "that change")
    return DefinitionError(message, None, code="stale-draft",
                           hint="先把草稿合并到当前版本，或放弃草稿 merge the draft onto the "
                                "current version first, or discard it")


def _examples_gate(report: ExamplesReport, code: str, user: User,
                   override: str | None) -> dict[str, Any] | None:
    """The override recorded with a publication whose examples fail (None: they pass)."""
    if not report.failed:
        return None
    total = report.passed + report.failed
    if override is None:
        raise DefinitionError(f"{code} 的 {total} 个示例中有 {report.failed} 个未通过: "
                              f"{report.failed} of {total} examples of {code} fail", None,
                              code="examples-failing",
                              hint="修正草稿或示例；确需发布时由中心管理员填写理由 fix the "
                                   "draft or the examples, or ask the centre administrator "
                                   "to override with a reason")
    if not may_override_examples(user):
        raise AccessDenied("只有中心管理员可以在示例未通过时发布: only the centre "
                           f"administrator may publish over failing examples, not "
                           f"{user.username}", None, code="override-refused",
                           hint="修正草稿或示例，或请中心管理员发布 fix the draft or the "
                                "examples, or ask the centre administrator")
    if not override.strip():
        raise DefinitionError("示例未通过仍要发布，须写明理由: publishing over failing "
                              "examples needs a written reason", None,
                              code="no-override-reason",
                              hint="理由记入审计记录 the reason goes into the audit trail")
    return {"reason": override.strip(), "failed": report.failed, "total": total,
            "examples": [f.test for f in report.failures]}


def _as_it_stands(root: Path, code: str) -> dict[str, Any] | None:
    """The snapshot of ``code`` in the catalog as it is (None: absent or broken)."""
    try:
        return matter_snapshot(open_catalog(root), code)
    except FormkitError:
        return None


def publish_draft(root: Path, file: Path, text: str, store: CaseStore, *, user: User,
                  note: str, base: DraftBase, override: str | None = None,
                  rollback_of: str | None = None) -> Publication:
    """Publish a draft that began from ``base``, as a new version; returns it.

    Refused (``DefinitionError``, by code) without a note (``no-note``); when the
    catalog has errors with it (``FormkitErrors``); when the matter changed since
    the draft began (``stale-draft``); when it is the current version already
    (``no-change``); when its examples fail, unless ``override`` is the admin's
    written reason (``examples-failing``, ``no-override-reason``; ``AccessDenied``
    ``override-refused`` for anyone else).
    Then the file is written atomically and the snapshot stored, with an audit
    entry holding ``previous``, ``rollback_of`` and the override.
    """
    if not note.strip():
        raise DefinitionError("a publication needs a note saying what changed", None,
                              code="no-note", hint="写明本次修改的内容")
    check, opened = check_draft(root, file, text)
    if opened.errors:
        raise FormkitErrors(opened.errors)
    assert check.matter is not None
    code = check.matter.code
    unnamed = [path for f, _, path in iter_fields(check.matter.form)
               if f.label is not None and (f.label.zh == STAND_IN_LABEL
                                           or f.label.en == "New field")]
    if unnamed:
        # a stand-in label would reach the window's form and the applicant
        raise DefinitionError(
            f"字段 {'、'.join(unnamed)} 仍是占位标签“{STAND_IN_LABEL}”，请先填写标签: "
            f"field {', '.join(unnamed)} still has the stand-in label", None,
            code="stand-in-label", hint="give each field the label applicants will read")
    with _publishing(root):
        conflict = find_conflict(store, file, code, base, user.username)
        if conflict is not None:
            raise _stale(code, conflict)
        before = _as_it_stands(root, code)
        digest = matter_snapshot(opened, code)["hash"]
        published = publications(store, code)
        if before is not None and before["hash"] == digest and published \
                and published[-1].hash == digest:
            number = published[-1].number
            raise DefinitionError(f"{code} 第 {number} 版就是此内容: {code} is already "
                                  f"published as it is (v{number})", None, code="no-change",
                                  hint="没有需要发布的修改 there is nothing new to publish")
        record: dict[str, Any] = {"previous": before["hash"] if before else None}
        gate = _examples_gate(run_examples(opened, codes=[code]), code, user, override)
        if gate is not None:
            record["override"] = gate
        if rollback_of is not None:
            record["rollback_of"] = rollback_of
        if before is not None and before["hash"] != digest:
            # What this replaces stays readable (the base of a draft begun before it).
            store.put_version({**before, "published": False, "published_at": _now()})
        write_atomic(file, text)
        publish_version(store, open_catalog(root), code, actor=user.username, note=note,
                        record=record)
        return publications(store, code)[-1]


def roll_back(root: Path, store: CaseStore, code: str, version: str, *, user: User,
              note: str, base: DraftBase, override: str | None = None) -> Publication:
    """Publish ``version`` (an earlier publication's hash) of ``code`` again, as a new
    version named a rollback of it; ``base`` is the version the user saw as current.
    Refused as ``publish_draft`` is, and (``unknown-version``) for a hash that is not
    a publication of the matter."""
    snapshot = store.get_version(version) if any(
        p.hash == version for p in publications(store, code)) else None
    if snapshot is None:
        raise DefinitionError(f"{version[:12]} 不是 {code} 发布过的版本: '{version[:12]}' is "
                              f"not a published version of {code}", None,
                              code="unknown-version",
                              hint="从版本历史中选择 choose a version from the history")
    matter = open_catalog(root).matters.get(code)
    file = Path(matter.file) if matter is not None and matter.file else Path(snapshot["file"])
    return publish_draft(root, file, snapshot["matter_yaml"], store, user=user, note=note,
                         base=base, override=override, rollback_of=version)
