"""Safe YAML reading that keeps the line and column of every node.

PyYAML's constructors drop positions and silently keep the last of two equal
keys. Here a file is *composed* into nodes (libyaml when present) and turned
into plain data by our own walk, which:

- rejects duplicate keys, custom tags, merge keys and anything but the core
  schema's scalars (``timestamp`` stays text: dates are parsed by the models);
- reads scalars as YAML 1.2 does: ``yes``/``no``/``on``/``off``, ``010`` and
  ``1:30`` are text, not YAML 1.1's booleans and numbers;
- bounds the number of values an alias may expand into (an alias bomb is a
  ``LimitError``, not a hang), the nesting depth, and catches an alias that
  contains itself;
- returns strings as ``PosStr``, which knows where each character came from,
  so an expression's error can point inside a plain, quoted or block scalar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from formkit.errors import DefinitionError, FormkitError, LimitError, SourceSpan
from formkit.values import MAX_DIGITS, MAX_EXPONENT, number_out_of_range

__all__ = ["MAX_FILE_BYTES", "PosStr", "SourceFile", "YamlDoc", "normal_text", "parse_yaml"]

MAX_FILE_BYTES = 1_000_000
MAX_VALUES = 200_000
MAX_DEPTH = 64

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# First characters that some implicit resolver (int, float, bool, null, ...) may claim.
_RESOLVABLE = frozenset(c for c in yaml.SafeLoader.yaml_implicit_resolvers if c)


class _Loader(_Base):  # type: ignore[misc]
    """libyaml's composer with a fast path for the common plain text scalar.

    PyYAML resolves every plain scalar's tag in Python (a dict lookup and regexes);
    most of a matter's scalars are Chinese or lowercase words that no resolver can
    claim, so they are known to be text from their first character.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            if implicit[0] and (not value or value[0] in _RESOLVABLE):
                return super().resolve(kind, value, implicit)
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


_STR_TAG = "tag:yaml.org,2002:str"
_ScalarNode = yaml.ScalarNode
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
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
_HIDDEN_BREAK = re.compile("[\x85\u2028\u2029]")
# Plain scalars the YAML 1.2 core schema reads as values. A leading zero keeps a
# number as text: `01` is a code (an option value, a 区划代码), never the number one.
_CORE = {
    "tag:yaml.org,2002:bool": re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    "tag:yaml.org,2002:int": re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    "tag:yaml.org,2002:float": re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
}


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
        """Map each character of the value to its index in the file text."""
        if self._offsets is not None:
            return self._offsets
        raw, value = self.file.text, str(self)
        if self.style in ("|", ">"):
            out = _align_block(raw, self.start, self.end, value)
        else:
            quote = self.style if self.style in ('"', "'") else None
            out = _align_flow(raw, self.start + (1 if quote else 0), self.end, value, quote)
        # Whatever could not be placed points at the last placed character.
        fill = out[-1] if out else min(self.start, max(len(raw) - 1, 0))
        out.extend([fill] * (len(value) - len(out)))
        self._offsets = out[: len(value)]
        return self._offsets


_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 8}


def _align_flow(raw: str, i: int, end: int, value: str, quote: str | None) -> list[int]:
    """Offsets of a plain, single- or double-quoted scalar's characters.

    Follows the scanner: escapes (``\\t``, ``\\u4e2d``) and ``''`` make one
    character from several, and a line break with the spaces around it folds
    into one space (or, after blank lines, into one line break per blank line).
    """
    out: list[int] = []
    end = min(end, len(raw))
    while len(out) < len(value) and i < end:
        c = raw[i]
        if quote == '"' and c == "\\":
            nxt = raw[i + 1] if i + 1 < end else ""
            if nxt == "\n":  # an escaped line break joins the lines without a space
                i += 2
                while i < end and raw[i] in " \t":
                    i += 1
                continue
            out.append(i)
            i += 2 + _ESCAPE_WIDTH.get(nxt, 0)
            continue
        if c == quote:
            if quote == "'" and raw[i + 1: i + 2] == "'":
                out.append(i)
                i += 2
                continue
            break
        if c in " \t\n":
            k = i
            while k < end and raw[k] in " \t\n":
                k += 1
            breaks = [n for n in range(i, k) if raw[n] == "\n"]
            if not breaks:
                out.extend(range(i, k))
            elif len(breaks) == 1:
                out.append(breaks[0])
            else:
                out.extend(breaks[1:])
            i = k
            continue
        out.append(i)
        i += 1
    return out


def _align_block(raw: str, start: int, end: int, value: str) -> list[int]:
    """Offsets of a literal (``|``) or folded (``>``) block scalar's characters."""
    header_end = raw.find("\n", start)
    if header_end < 0:
        return []
    end = min(max(end, header_end + 1), len(raw))
    lines: list[tuple[int, int]] = []  # (start, end) of each line, end at its "\n"
    pos = header_end + 1
    while pos < end:
        nl = raw.find("\n", pos, end)
        stop = nl if nl >= 0 else end
        lines.append((pos, stop))
        pos = stop + 1
    indent = next((len(raw[a:b]) - len(raw[a:b].lstrip(" ")) for a, b in lines
                   if raw[a:b].strip()), 0)
    stream: list[int] = []  # the content characters, indentation removed
    for a, b in lines:
        a += min(indent, len(raw[a:b]) - len(raw[a:b].lstrip(" ")))
        stream.extend(range(a, b))
        if b < len(raw):
            stream.append(b)
    out: list[int] = []
    k = 0
    for ch in value:
        # Folding turns a line break into a space, or drops it after a blank line.
        while k < len(stream) and raw[stream[k]] != ch and not (
                ch == " " and raw[stream[k]] == "\n"):
            k += 1
        if k >= len(stream):
            break
        out.append(stream[k])
        k += 1
    return out


@dataclass(slots=True)
class YamlDoc:
    """A parsed YAML file: its plain data and its node tree, for error positions.

    Once a file is validated, its data and node tree are no longer needed for the
    model (``release`` drops them: they are most of a loaded catalog's memory); an
    error found later (a cross-check, an example report) composes the tree again
    from the text on first use.
    """

    file: SourceFile
    root: yaml.Node | None
    data: Any
    errors: list[FormkitError] = field(default_factory=list)
    released: bool = False
    # Each mapping node's keys, indexed on first lookup: placing an error is then one
    # dict lookup per step, not a scan of the mapping (10,000 unknown keys in one
    # mapping would otherwise take 10,000 scans of 10,000 keys).
    _keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(
        default_factory=dict, repr=False)

    def release(self) -> None:
        """Drop the data and the node tree; positions stay available (see ``tree``)."""
        self.root = None
        self.data = None
        self.released = True
        self._keys.clear()

    def _entry(self, node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        """The first ``(key node, value node)`` of ``node`` whose key is ``key``."""
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    index.setdefault(k.value, (k, v))
            self._keys[id(node)] = index
        return index.get(key)

    def tree(self) -> yaml.Node | None:
        """The node tree, composed again from the text if it was released."""
        if self.released:
            self.root = yaml.compose(self.file.text, Loader=_Loader)
            self.released = False
        return self.root

    def node_at(self, loc: Sequence[int | str], *, key: bool = False) -> yaml.Node | None:
        """The node a pydantic-style location points at (the key node when ``key``).

        Union tags and other locations that are not in the file are skipped; the
        deepest node reached is returned.
        """
        node = self.tree()
        key_node: yaml.Node | None = None
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                entry = self._entry(node, part)
                if entry is None:
                    continue
                key_node, node = entry
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

    def text_at(self, loc: Sequence[int | str]) -> PosStr | None:
        """The scalar exactly at ``loc`` as written, with its position (a number or a
        boolean too: ``1.50`` stays ``1.50``); None when ``loc`` is not a scalar."""
        if not self.has(loc):
            return None
        node = self.node_at(loc)
        if not isinstance(node, yaml.ScalarNode):
            return None
        return PosStr(node.value, self.file, node.start_mark.index, node.end_mark.index,
                      node.style)

    def span_at(self, loc: Sequence[int | str], *, key: bool = False) -> SourceSpan:
        """The span of the node at ``loc`` (see ``node_at``)."""
        node = self.node_at(loc, key=key)
        if node is None:
            return self.file.span(1, 1)
        mark = node.start_mark
        return self.file.span(mark.line + 1, mark.column + 1)

    def has(self, loc: Sequence[int | str]) -> bool:
        """Whether the exact location exists in the file."""
        node = self.tree()
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                entry = self._entry(node, part)
                node = entry[1] if entry is not None else None
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if 0 <= part < len(node.value) else None
            else:
                return False
            if node is None:
                return False
        return True


def normal_text(text: str) -> str:
    """The text as positions count it: no byte-order mark (Windows Notepad starts UTF-8
    files with one; libyaml's columns do not count it), LF line ends."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_yaml(text: str, name: str) -> YamlDoc:
    """Parse ``text`` safely; problems are returned in ``YamlDoc.errors``, never raised."""
    text = normal_text(text)
    file = SourceFile(name, text)
    doc = YamlDoc(file, None, None)
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        doc.errors.append(LimitError(
            f"file is too large ({size} bytes; at most {MAX_FILE_BYTES})",
            file.span(1, 1), hint="split the definition, or remove pasted data",
            code="file-too-large"))
        return doc
    for match in _HIDDEN_BREAK.finditer(text):
        # YAML breaks the line here but editors do not show it: the text would be folded
        # silently and every later line number would be off by one.
        doc.errors.append(DefinitionError(
            f"an invisible line separator (U+{ord(match.group()):04X}) is in the text",
            file.span_at_index(match.start()),
            hint="delete it (it comes with text copied from web pages or Word)",
            code="yaml-hidden-break"))
    if doc.errors:
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
        self.open: set[int] = set()  # the collections being walked, to catch recursion
        self.seen: set[int] = set()  # every collection walked: meeting one again is an alias
        self.path: list[tuple[yaml.Node, bool]] = []  # (collection, reached by an alias)

    def span(self, node: yaml.Node) -> SourceSpan:
        m = node.start_mark
        return self.file.span(m.line + 1, m.column + 1)

    def value(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if node.__class__ is _ScalarNode and node.tag == _STR and self.count <= MAX_VALUES:
            # The common case first: a text (most of a matter's scalars).
            return PosStr(node.value, self.file, node.start_mark.index, node.end_mark.index,
                          node.style)
        if self.count > MAX_VALUES or depth > MAX_DEPTH:
            what = "values" if self.count > MAX_VALUES else "levels of nesting"
            # Point at the block that holds the first alias on the way down: the nodes
            # below it sit where their anchors are, not where the expansion happens.
            place = node
            for i, (step, by_alias) in enumerate(self.path):
                if by_alias:
                    place = self.path[i - 1][0] if i else step
                    break
            self.errors.append(LimitError(
                f"the file expands to too many {what} (aliases or nesting)",
                self.span(place), hint="aliases (*name) may not repeat large blocks; "
                "write the definition out plainly", code="yaml-too-large"))
            raise _Abort
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.open:
            self.errors.append(DefinitionError(
                "an alias (*name) refers to the block that contains it", self.span(node),
                hint="a block cannot contain itself: write the repeated part out",
                code="yaml-recursive-alias"))
            raise _Abort
        self.open.add(id(node))
        self.path.append((node, id(node) in self.seen))
        self.seen.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                self.standard_tag(node, "tag:yaml.org,2002:seq")
                return [self.value(item, depth + 1) for item in node.value]
            if isinstance(node, yaml.MappingNode):
                self.standard_tag(node, "tag:yaml.org,2002:map")
                return self.mapping(node, depth)
        finally:
            self.open.discard(id(node))
            self.path.pop()
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
            if key_node.__class__ is _ScalarNode and key_node.tag == _STR:
                key = key_node.value  # keys are names: no per-character positions needed
            elif not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(DefinitionError(
                    "a key must be a plain name, not a list or a mapping",
                    self.span(key_node), code="yaml-key"))
                continue
            else:
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
        if not node.style and tag != "tag:yaml.org,2002:null" and not _CORE[tag].match(
                node.value):
            # YAML 1.1 reads `no`, `on`, `010`, `1_000` and `1:30` as booleans or numbers;
            # the 1.2 core schema (and every editor) reads them as text.
            return self.text(node)
        if tag == "tag:yaml.org,2002:int":
            value = node.value.lstrip("+-")
            sign = -1 if node.value.startswith("-") else 1
            if value.startswith(("0o", "0x")):
                number = int(value[2:], 8 if value[1] == "o" else 16)
                return self.too_large(node) if number.bit_length() > _MAX_BITS \
                    else sign * number
            return self.too_large(node) if number_out_of_range(value) else sign * int(value)
        if tag == "tag:yaml.org,2002:float":
            if node.value[-3:].lower() not in ("inf", "nan") and number_out_of_range(
                    node.value):
                return self.too_large(node)
            return _constructor.construct_yaml_float(node)
        if tag == "tag:yaml.org,2002:bool":
            return node.value.lower() == "true"
        return None

    def too_large(self, node: yaml.ScalarNode) -> None:
        """Record a number past the bounds of ``number_out_of_range``; its value is
        left out (None), and the model's own complaint about that place dropped."""
        self.errors.append(LimitError(
            f"the number {_shorten(node.value)} is too large (at most {MAX_DIGITS} "
            f"digits, and less than 1e{MAX_EXPONENT})", self.span(node),
            hint="a count or an amount has a few digits; quote a code that is all "
            "digits to keep it as text", code="big-number"))

    def text(self, node: yaml.ScalarNode) -> PosStr:
        return PosStr(node.value, self.file, node.start_mark.index, node.end_mark.index,
                      node.style)


# 0x and 0o numbers: the bits of the largest number of MAX_DIGITS decimal digits.
_MAX_BITS = (10 ** MAX_DIGITS).bit_length()


def _shorten(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:10]}...{text[-10:]}"


_FRIENDLY = [
    # (text in the scanner's problem or context, friendly message, hint); PyYAML and
    # libyaml word some problems differently, so the needles are the common part.
    ("that violates indentation", "a tab character is not allowed here",
     "indent YAML with spaces, never tabs"),
    ("found duplicate anchor", "an anchor name is used twice", "give each &anchor its own name"),
    ("found undefined alias", "an alias (*name) refers to no anchor",
     "define the anchor (&name) before using it"),
    ("mapping values are not allowed", "a ':' is not allowed here",
     "quote text that contains ': ' (for example an expression), or fix the indentation"),
    ("could not find expected ':'", "a key is missing its ':'",
     "write 'key: value', or check the indentation of the line before"),
    ("did not find expected key", "this line is not indented like the keys around it",
     "line the key up with the keys of its block, or quote the value before it"),
    ("did not find expected '-' indicator", "this line is not indented like the list items",
     "start each list item with '- ' at the same indentation"),
    ("did not find expected ',' or ']'", "a '[' list is not closed",
     "close the list with ']' (or separate the items with ',')"),
    ("did not find expected ',' or '}'", "a '{' mapping is not closed",
     "close the mapping with '}' (or separate the entries with ',')"),
    ("found unknown escape character", "unknown escape in double-quoted text",
     "in double quotes a backslash starts an escape: write \\\\ for a backslash, "
     "or use single quotes"),
    ("but found another document", "a definition file holds one YAML document",
     "remove the '---' line (one matter per file)"),
]


def _yaml_error(exc: yaml.MarkedYAMLError, file: SourceFile) -> FormkitError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "not valid YAML"
    context = exc.context or ""
    if "nesting depth" in problem:  # libyaml's own bound, met before our walk
        span = file.span(mark.line + 1, mark.column + 1) if mark else file.span(1, 1)
        return LimitError("the file nests blocks too deeply", span,
                          hint="a definition needs only a few levels: remove the extra "
                          "brackets or indentation", code="yaml-too-large")
    message, hint = f"not valid YAML: {problem}", "check the indentation and quoting"
    char = file.text[mark.index] if mark is not None and mark.index < len(file.text) else ""
    if "quoted scalar" in context and "end of stream" in problem and exc.context_mark:
        # The scanner stops at the end of the file; the quote that was never closed is
        # what the editor has to find.
        mark = exc.context_mark
        message, hint = "not valid YAML: this quote is never closed", "close the quote"
    elif "cannot start any token" in problem and char == "\t":
        message, hint = ("not valid YAML: a tab character is not allowed here",
                         "indent YAML with spaces, never tabs")
    elif "cannot start any token" in problem and char:
        message = f"not valid YAML: a value cannot start with '{char}'"
        hint = f"put text that starts with '{char}' in quotes"
    else:
        for needle, friendly, friendly_hint in _FRIENDLY:
            if needle in problem or needle in context:
                message, hint = f"not valid YAML: {friendly}", friendly_hint
                break
    span = file.span(mark.line + 1, mark.column + 1) if mark else file.span(1, 1)
    return DefinitionError(message, span, hint=hint, code="yaml-syntax")
