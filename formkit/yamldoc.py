"""Safe YAML reading that keeps the line and column of every node.

PyYAML's constructors drop positions and silently keep the last of two equal
keys. Here a file is *composed* into nodes (libyaml when present) and turned
into plain data by our own walk, which:

- rejects duplicate keys, custom tags, merge keys and anything but the core
  schema's scalars (``timestamp`` stays text: dates are parsed by the models);
- bounds the number of values an alias may expand into (an alias bomb is a
  ``LimitError``, not a hang) and the nesting depth;
- returns strings as ``PosStr``, which knows where each character came from,
  so an expression's error can point inside a plain, quoted or block scalar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from formkit.errors import DefinitionError, FormkitError, LimitError, SourceSpan

__all__ = ["MAX_FILE_BYTES", "PosStr", "SourceFile", "YamlDoc", "parse_yaml"]

MAX_FILE_BYTES = 1_000_000
MAX_VALUES = 200_000
MAX_DEPTH = 64

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_constructor = yaml.constructor.SafeConstructor()


@dataclass(slots=True)
class SourceFile:
    """A file's display name and text."""

    name: str
    text: str

    def span(self, line: int, column: int, end_line: int | None = None,
             end_column: int | None = None) -> SourceSpan:
        """A span in this file (1-based line and column)."""
        return SourceSpan(self.name, line, column, end_line, end_column, self.text)

    def span_at_index(self, index: int) -> SourceSpan:
        """The span of the character at ``index`` (0-based offset into the text)."""
        index = max(0, min(index, len(self.text)))
        line = self.text.count("\n", 0, index) + 1
        start = self.text.rfind("\n", 0, index) + 1
        return self.span(line, index - start + 1)


class PosStr(str):
    """A string read from YAML that maps each of its characters back to the file."""

    __slots__ = ("_offsets", "end", "file", "start", "style")

    file: SourceFile
    start: int
    end: int
    style: str | None
    _offsets: list[int] | None

    def __new__(cls, value: str, file: SourceFile, start: int, end: int,
                style: str | None) -> PosStr:
        self = super().__new__(cls, value)
        self.file = file
        self.start = start
        self.end = end
        self.style = style
        self._offsets = None
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))

    def span(self) -> SourceSpan:
        """The span of the whole scalar (its first character)."""
        if not self:
            return self.file.span_at_index(self.start)
        return self.span_of(0)

    def span_of(self, offset: int, end_offset: int | None = None) -> SourceSpan:
        """The file span of the characters ``offset`` to ``end_offset`` of the value."""
        offsets = self._alignment()
        if not offsets:
            return self.file.span_at_index(self.start)
        first = self.file.span_at_index(offsets[min(max(offset, 0), len(offsets) - 1)])
        if end_offset is None or end_offset <= offset:
            return first
        last = self.file.span_at_index(offsets[min(end_offset, len(offsets)) - 1] + 1)
        if last.line != first.line:
            return first
        return first.shifted(first.line or 1, first.column or 1, last.line, last.column)

    def _alignment(self) -> list[int]:
        """Map each character of the value to its index in the file text (greedy)."""
        if self._offsets is not None:
            return self._offsets
        raw = self.file.text
        j = self.start
        if self.style in ('"', "'"):
            j += 1
        elif self.style in ("|", ">"):
            nl = raw.find("\n", j)
            j = nl + 1 if nl >= 0 else j
        limit = max(self.end, j)
        skippable = " \t\r\n\\\"'"
        out: list[int] = []
        for ch in str(self):
            k = j
            while k < limit and raw[k] != ch and raw[k] in skippable:
                k += 1
            if k < limit and raw[k] == ch:
                out.append(k)
                j = k + 1
            else:
                # An escape or a folded line break: point at the nearest raw character.
                pos = min(k, limit - 1) if limit > 0 else 0
                out.append(pos)
                j = min(k + 1, limit)
        self._offsets = out
        return out


@dataclass(slots=True)
class YamlDoc:
    """A parsed YAML file: its plain data and its node tree, for error positions."""

    file: SourceFile
    root: yaml.Node | None
    data: Any
    errors: list[FormkitError] = field(default_factory=list)

    def node_at(self, loc: Sequence[int | str], *, key: bool = False) -> yaml.Node | None:
        """The node a pydantic-style location points at (the key node when ``key``).

        Union tags and other locations that are not in the file are skipped; the
        deepest node reached is returned.
        """
        node = self.root
        key_node: yaml.Node | None = None
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = False
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == part:
                        key_node, node, found = k, v, True
                        break
                if not found:
                    continue
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node, key_node = node.value[part], None
                else:
                    break
            else:
                continue
        if key and key_node is not None:
            return key_node
        return node

    def span_at(self, loc: Sequence[int | str], *, key: bool = False) -> SourceSpan:
        """The span of the node at ``loc`` (see ``node_at``)."""
        node = self.node_at(loc, key=key)
        if node is None:
            return self.file.span(1, 1)
        mark = node.start_mark
        return self.file.span(mark.line + 1, mark.column + 1)

    def has(self, loc: Sequence[int | str]) -> bool:
        """Whether the exact location exists in the file."""
        node = self.root
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if 0 <= part < len(node.value) else None
            else:
                return False
            if node is None:
                return False
        return True


def parse_yaml(text: str, name: str) -> YamlDoc:
    """Parse ``text`` safely; problems are returned in ``YamlDoc.errors``, never raised."""
    file = SourceFile(name, text)
    doc = YamlDoc(file, None, None)
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        doc.errors.append(LimitError(
            f"file is too large ({size} bytes; at most {MAX_FILE_BYTES})",
            file.span(1, 1), hint="split the definition, or remove pasted data",
            code="file-too-large"))
        return doc
    try:
        doc.root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        doc.errors.append(_yaml_error(exc, file))
        return doc
    except yaml.YAMLError as exc:  # pragma: no cover - libyaml always marks its errors
        doc.errors.append(DefinitionError(f"not valid YAML: {exc}", file.span(1, 1)))
        return doc
    if doc.root is None:
        return doc
    walker = _Walker(file, doc.errors)
    try:
        doc.data = walker.value(doc.root, 0)
    except _Abort:
        doc.data = None
    return doc


class _Abort(Exception):
    """Stops a walk that passed a bound (the error is already recorded)."""


class _Walker:
    def __init__(self, file: SourceFile, errors: list[FormkitError]) -> None:
        self.file = file
        self.errors = errors
        self.count = 0

    def span(self, node: yaml.Node) -> SourceSpan:
        m = node.start_mark
        return self.file.span(m.line + 1, m.column + 1)

    def value(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_VALUES or depth > MAX_DEPTH:
            what = "values" if self.count > MAX_VALUES else "levels of nesting"
            self.errors.append(LimitError(
                f"the file expands to too many {what} (aliases or nesting)",
                self.span(node), hint="aliases (*name) may not repeat large blocks; "
                "write the definition out plainly", code="yaml-too-large"))
            raise _Abort
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            self.standard_tag(node, "tag:yaml.org,2002:seq")
            return [self.value(item, depth + 1) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            self.standard_tag(node, "tag:yaml.org,2002:map")
            return self.mapping(node, depth)
        raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def standard_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            self.errors.append(DefinitionError(
                f"YAML tag '{node.tag}' is not allowed", self.span(node),
                hint="definitions use plain YAML: remove the '!' tag", code="yaml-tag"))

    def mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.errors.append(DefinitionError(
                    "merge keys ('<<') are not supported", self.span(key_node),
                    hint="write the keys out in full", code="yaml-merge"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(DefinitionError(
                    "a key must be a plain name, not a list or a mapping",
                    self.span(key_node), code="yaml-key"))
                continue
            key = str(self.scalar(key_node))
            if key in first:
                prev = first[key].start_mark
                self.errors.append(DefinitionError(
                    f"duplicate key '{key}' (first at line {prev.line + 1})",
                    self.span(key_node),
                    hint="YAML keeps only one of them: merge the two entries",
                    code="duplicate-key"))
                continue
            first[key] = key_node
            out[key] = self.value(value_node, depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self.standard_tag(node, _STR)
            return self.text(node)
        if tag in (_STR, "tag:yaml.org,2002:timestamp"):
            return self.text(node)
        if tag == "tag:yaml.org,2002:int":
            return _constructor.construct_yaml_int(node)
        if tag == "tag:yaml.org,2002:float":
            return _constructor.construct_yaml_float(node)
        if tag == "tag:yaml.org,2002:bool":
            return _constructor.construct_yaml_bool(node)
        return None

    def text(self, node: yaml.ScalarNode) -> PosStr:
        return PosStr(node.value, self.file, node.start_mark.index, node.end_mark.index,
                      node.style)


_FRIENDLY = [
    ("found character '\\t' that cannot start any token",
     "a tab character is not allowed here", "indent YAML with spaces, never tabs"),
    ("found duplicate anchor", "an anchor name is used twice", "give each &anchor its own name"),
    ("found undefined alias", "an alias (*name) refers to no anchor",
     "define the anchor (&name) before using it"),
    ("mapping values are not allowed here", "a ':' is not allowed here",
     "quote text that contains ': ' (for example an expression), or fix the indentation"),
    ("could not find expected ':'", "a key is missing its ':'",
     "write 'key: value', or check the indentation of the line before"),
    ("found unexpected end of stream", "the file ends inside a quoted text",
     "close the quote"),
]


def _yaml_error(exc: yaml.MarkedYAMLError, file: SourceFile) -> DefinitionError:
    mark = exc.problem_mark or exc.context_mark
    span = file.span(mark.line + 1, mark.column + 1) if mark else file.span(1, 1)
    problem = exc.problem or "not valid YAML"
    message, hint = f"not valid YAML: {problem}", "check the indentation and quoting"
    for needle, friendly, friendly_hint in _FRIENDLY:
        if needle in problem or (exc.context and needle in exc.context):
            message, hint = f"not valid YAML: {friendly}", friendly_hint
            break
    return DefinitionError(message, span, hint=hint, code="yaml-syntax")
