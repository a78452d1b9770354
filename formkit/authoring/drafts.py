"""The studio's editing model: round-trip YAML, drafts, live checks and publishing.

A matter is edited as a ruamel.yaml round-trip tree, so comments and key order
written by hand survive every edit. Unsaved work is kept as a draft per user,
apart from the catalog. Publishing checks the whole catalog with the change,
writes the file atomically and stores an immutable snapshot.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from formkit.cases.files import write_atomic
from formkit.cases.store import CaseStore
from formkit.cases.versions import publish_version
from formkit.catalog import OpenCatalog, open_catalog
from formkit.definitions.model import Matter
from formkit.dsl import pipeline
from formkit.dsl.checker import Checker
from formkit.dsl.types import BOOL, NUMBER, T
from formkit.errors import DefinitionError, FormkitError, FormkitErrors
from formkit.ruleset import RuleSet

__all__ = [
    "DraftStore",
    "EditCheck",
    "check_draft",
    "check_expression",
    "dump_yaml",
    "load_yaml",
    "new_matter_text",
    "publish_draft",
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


class DraftStore:
    """Unsaved matter texts per user, apart from the catalog (survive a reload)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, user: str, key: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", key)
        return self.root / re.sub(r"[^a-z0-9_.-]", "_", user) / f"{safe}.yaml"

    def save(self, user: str, key: str, text: str) -> None:
        """Keep ``text`` as the user's draft of ``key`` (a matter code)."""
        write_atomic(self._path(user, key), text)

    def load(self, user: str, key: str) -> str | None:
        """The user's draft of ``key``, if any."""
        path = self._path(user, key)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def discard(self, user: str, key: str) -> None:
        """Forget the draft."""
        path = self._path(user, key)
        if path.is_file():
            path.unlink()

    def keys(self, user: str) -> list[str]:
        """Codes the user has drafts of."""
        folder = self._path(user, "x").parent
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def publish_draft(root: Path, file: Path, text: str, store: CaseStore, *, actor: str,
                  note: str) -> dict[str, Any]:
    """Publish a draft: the whole catalog must check cleanly with it; then write it
    atomically and store the snapshot (with an audit entry). Returns the snapshot."""
    if not note.strip():
        raise DefinitionError("a publication needs a note saying what changed", None,
                              code="no-note", hint="写明本次修改的内容")
    check, opened = check_draft(root, file, text)
    if opened.errors:
        raise FormkitErrors(opened.errors)
    assert check.matter is not None
    write_atomic(file, text)
    reopened = open_catalog(root)
    snapshot, _ = publish_version(store, reopened, check.matter.code, actor=actor, note=note)
    return snapshot
