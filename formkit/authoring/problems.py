"""A matter's errors as an editor reads them: in Chinese first, at a place they know.

``explain(error, tree)`` turns a ``FormkitError`` into a ``Problem``: the place in
the words of the editor's own tabs (``流程 › 第 1 步 › 办理单位 · route › step 1 ›
units``, found from the error's line and column in the round-trip tree), a Chinese
sentence for the error's code, the English message without the YAML path that the
place already says, and never pydantic's own wording ("List should have at least 1
item after validation, not 0" reads "needs at least 1 item"). The sentences are those of
``formkit.authoring.messages`` (one per code of docs/errors.md).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from formkit.authoring.messages import KINDS, MESSAGES
from formkit.errors import FormkitError

__all__ = ["Problem", "describe", "explain", "locate"]

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One error, ready to show: where, what (Chinese, then English), what to do."""

    where: str  # "" when the place is not in a matter
    line: int | None
    zh: str
    en: str
    hint: str  # Chinese first where known, else the English hint; "" when none
    excerpt: str | None  # the line of the file with a caret under the place, cut to fit
    hint_zh: str = ""  # the hint in Chinese, when formkit knows its words; else ""
    hint_en: str = ""  # the hint as formkit gave it (English); "" when none

    @property
    def where_zh(self) -> str:
        """The place in Chinese only (``流程 › 第 1 步 › 办理单位``)."""
        return self.where.split(" · ", 1)[0]

    @property
    def where_en(self) -> str:
        """The place in English only (``route › step 1 › units``)."""
        return self.where.split(" · ", 1)[1] if " · " in self.where else ""

    def headline(self) -> str:
        """``where（第 N 行 line N）：zh  en`` on one line."""
        at = f"（第 {self.line} 行 line {self.line}）" if self.line else ""
        return f"{self.where}{at}：{self.zh}　{self.en}" if self.where or at else \
            f"{self.zh}　{self.en}"


# ---- places


# What each key is called on the editor's pages.
_KEYS: dict[str, tuple[str, str]] = {
    "code": ("实施编码", "code"), "name": ("名称", "name"), "department": ("部门", "department"),
    "kind": ("事项类型", "kind"), "basis": ("设定依据", "legal basis"),
    "time_limit": ("办结时限", "time limit"), "unit": ("时限单位", "unit"),
    "statutory_days": ("法定办结时限", "statutory days"),
    "committed_days": ("承诺办结时限", "committed days"), "extension": ("延期", "extension"),
    "approver": ("批准人", "approver"), "fee": ("收费", "fee"), "fees": ("收费项目", "fees"),
    "channels": ("办理渠道", "channels"), "max_visits": ("到现场次数", "max visits"),
    "result": ("审批结果", "result"), "uses": ("规则库", "libraries used"),
    "let": ("计算值", "let"), "form": ("表单", "form"), "materials": ("材料", "materials"),
    "checks": ("检查", "checks"), "route": ("流程", "route"), "guide": ("办事指南", "guide"),
    "special_procedures": ("特别程序", "special procedures"), "tests": ("示例", "examples"),
    "id": ("标识", "id"), "type": ("类型", "type"), "label": ("标签", "label"),
    "required": ("必填", "required"), "visible": ("显示", "visible"),
    "constraint": ("校验条件", "constraint"), "message": ("校验提示", "message"),
    "value": ("计算值", "value"), "default": ("默认值", "default"), "help": ("说明", "help"),
    "placeholder": ("提示文字", "placeholder"), "options": ("选项", "options"),
    "fields": ("子字段", "fields"), "min": ("最小值", "min"), "max": ("最大值", "max"),
    "medium": ("材料形式", "medium"), "copies": ("份数", "copies"),
    "tolerable": ("容缺", "tolerable"), "tolerable_days": ("补交期限", "tolerable days"),
    "source": ("来源", "source"), "notes": ("填报须知", "notes"),
    "standard": ("要求", "standard"), "commitment": ("告知承诺", "commitment"),
    "template": ("空白表格", "template"), "sample": ("示例样表", "sample"),
    "when": ("适用条件", "when"), "refuse": ("不予受理提示", "refuse"),
    "deny": ("不予许可提示", "deny"), "warn": ("提醒", "warn"), "step": ("办理单位", "units"),
    "days": ("时限", "days"), "max_days": ("最长天数", "max days"),
    "today": ("办理日", "today"), "expect": ("预期结果", "expect"),
    "outcome": ("结论", "outcome"), "missing": ("缺少的材料", "missing"),
    "tolerated": ("容缺的材料", "tolerated"), "fetched": ("调取的材料", "fetched"),
    "field_errors": ("字段错误", "field errors"), "refusals": ("不予受理条数", "refusals"),
    "denials": ("不予许可条数", "denials"), "warnings": ("提醒条数", "warnings"),
    "committed_deadline": ("承诺期限", "committed deadline"),
    "statutory_deadline": ("法定期限", "statutory deadline"),
    "zh": ("中文", "Chinese"), "en": ("英文", "English"), "amount": ("金额", "amount"),
}


def _label(item: Any, *keys: str) -> str:
    for key in keys:
        value = item.get(key) if isinstance(item, dict) else None
        text = value.get("zh") if isinstance(value, dict) else value
        if isinstance(text, str) and text.strip():
            return text.strip()
    return ""


def describe(tree: Any, loc: Loc) -> str:
    """``loc`` as the editor names it: Chinese, then English (``流程 › 第 1 步 · route ›
    step 1``)."""
    zh: list[str] = []
    en: list[str] = []
    node, i, path = tree, 0, ""
    titles: list[str] = []
    while i < len(loc):
        part = loc[i]
        child = node[part] if isinstance(node, dict) and part in node else (
            node[part] if isinstance(node, list) and isinstance(part, int)
            and 0 <= part < len(node) else None)
        parent_key = loc[i - 1] if i else None
        if isinstance(part, int) and parent_key in ("form", "fields") and (
                i < 2 or loc[i - 2] != "tests"):
            fid = _label(child, "id") or f"#{part + 1}"
            path = f"{path}.{fid}" if path else fid
            titles.append(_label(child, "label") or fid)
            if path != fid:  # one segment for a field and the groups it is in
                zh.pop()
                en.pop()
            zh.append(f"字段「{' › '.join(titles)}」")
            en.append(f"field {path}")
        elif isinstance(part, int):
            zh_seg, en_seg = _item(parent_key, child, part)
            zh.append(zh_seg)
            en.append(en_seg)
        elif parent_key == "let" and i == 1:
            zh.append(str(part))
            en.append(str(part))
        elif i >= 3 and loc[0] == "tests" and "fields" in loc[2:i]:
            zh.append(str(part))  # an answer's key is a field id
            en.append(str(part))
        else:
            k_zh, k_en = _KEYS.get(str(part), (str(part), str(part)))
            if part == "form" and i > 0:
                k_zh, k_en = "材料类型", "form"
            if part == "required" and loc[0] == "materials":
                k_zh = "是否必需"  # as the materials table says
            if part == "fields" and i >= 2 and loc[0] == "tests":
                k_zh, k_en = "填写值", "answers"
            if not (part == "fields" and loc[0] == "form"):
                zh.append(k_zh)
                en.append(k_en)
        node = child
        i += 1
    return " › ".join(zh) + " · " + " › ".join(en) if zh else ""


def _item(section: Any, item: Any, index: int) -> tuple[str, str]:
    n = index + 1
    if section == "materials":
        return f"「{_label(item, 'name') or n}」", f"material {_label(item, 'id') or n}"
    if section == "checks":
        return f"第 {n} 条", f"check {n}"
    if section == "route":
        return f"第 {n} 步", f"step {n}"
    if section == "tests":
        return f"「{_label(item, 'name') or n}」", f"example {n}"
    if section == "options":
        value = _label(item, "value")
        return f"选项 {value or n}", f"option {value or n}"
    if section == "special_procedures":
        return f"「{_label(item, 'name') or n}」", f"procedure {_label(item, 'id') or n}"
    return f"第 {n} 项", f"item {n}"


def locate(tree: Any, line: int, column: int) -> Loc:
    """The deepest place of ``tree`` written at or before ``line``:``column`` (1-based)."""
    at = (line - 1, column - 1)
    loc: list[str | int] = []
    node = tree
    while isinstance(node, dict | list):
        lc: Any = getattr(node, "lc", None)
        if lc is None:
            break
        best: str | int | None = None
        keys = list(node) if isinstance(node, dict) else range(len(node))
        for key in keys:
            try:
                where = tuple(lc.key(key) if isinstance(node, dict) else lc.item(key))
            except (KeyError, IndexError, TypeError, AttributeError):
                continue
            if where <= at:
                best = key
        if best is None:
            break
        loc.append(best)
        node = node[best] if isinstance(node, dict) else node[int(best)]
    return tuple(loc)


# ---- what went wrong

_CODES = MESSAGES  # a sentence per code; {0} is the first name the message quotes

# pydantic's own wording (the loader passes it on where it has none of its own).
_PYDANTIC: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"List should have at least (\d+) item"), "至少需要 {0} 项",
     "needs at least {0} item(s)"),
    (re.compile(r"List should have at most (\d+) item"), "最多 {0} 项", "at most {0} item(s)"),
    (re.compile(r"String should have at least (\d+) character"), "至少 {0} 个字",
     "needs at least {0} character(s)"),
    (re.compile(r"String should have at most (\d+) character"), "最多 {0} 个字",
     "at most {0} characters"),
    (re.compile(r"Input should be greater than or equal to (\S+)"), "应不小于 {0}",
     "must be {0} or more"),
    (re.compile(r"Input should be less than or equal to (\S+)"), "应不大于 {0}",
     "must be {0} or less"),
    (re.compile(r"Input should be greater than (\S+)"), "应大于 {0}", "must be more than {0}"),
    (re.compile(r"Input should be less than (\S+)"), "应小于 {0}", "must be less than {0}"),
    (re.compile(r"String should match pattern"), "格式不对", "is not in the expected form"),
    (re.compile(r"Value error, (.+)"), "取值不符合要求", "{0}"),
    (re.compile(r"'(.*)' is not allowed; expected one of: (.*)"), "{0} 不是允许的值，可选：{1}",
     "'{0}' is not allowed; choose one of: {1}"),
    (re.compile(r"an expression may not be empty"), "表达式不能为空",
     "an expression may not be empty"),
    (re.compile(r"expected true, false or an expression"), "应为 true、false 或条件表达式",
     "expected true, false or an expression"),
    (re.compile(r"a fee is a number of yuan"), "收费应为不小于 0 的元数",
     "a fee is a number of yuan, 0 or more"),
    (re.compile(r"expected a whole number, not true/false"), "应为整数，不是 true/false",
     "expected a whole number, not true/false"),
]

# The loader's "expected ..." of a wrong type.
_EXPECTED = [("a list", "列表（以“- ”开头的行，或 [a, b]）"), ("a mapping", "“键: 值”映射"),
             ("text", "文字"), ("a whole number", "整数"), ("true or false", "true 或 false"),
             ("a number", "数字"), ("a date", "日期，如 2026-11-25")]

_WHERE = re.compile(r"^[A-Za-z_][\w.\[\]-]*: ")
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def explain(error: FormkitError, tree: Any | None = None) -> Problem:
    """``error`` as the editor shows it; ``tree`` is the round-trip tree of the file the
    error is in (when it is a matter), for the place."""
    span = error.span
    where = ""
    if tree is not None and span is not None and span.line and span.column:
        loc = locate(tree, span.line, span.column)
        if error.code == "missing-key" and loc and isinstance(loc[-1], str):
            loc = loc[:-1]  # placed at the mapping that lacks it: name the mapping
        where = describe(tree, loc)
    elif span is not None and span.file:
        where = f"文件 {span.file.rsplit('/', 1)[-1]} · file"
    zh, en = _sentence(error)
    return Problem(where, span.line if span is not None else None, zh, en, _hint(error.hint),
                   _excerpt(error), _hint_zh(error.hint), error.hint or "")


def _sentence(error: FormkitError) -> tuple[str, str]:
    message = _WHERE.sub("", error.message, count=1)
    message = re.sub(r" in [A-Za-z_][\w.\[\]]*$", "", message)  # the place says it
    for pattern, zh, en in _PYDANTIC:
        found = pattern.search(message)
        if found:
            return zh.format(*found.groups()), en.format(*found.groups())
    if error.code == "bad-type":
        message = re.sub(r" \([A-Z][^()]*\)$", "", message)  # pydantic's reason, in its words
        expected = message.removeprefix("expected ")
        zh = next((f"类型不对，应为{z}" for e, z in _EXPECTED if expected.startswith(e)),
                  _CODES["bad-type"])
        return zh, message
    if message[:1].isupper() and message[:1].isascii():  # pydantic's, never ours
        return _CODES.get(error.code, "取值不符合要求"), "this value is not allowed here"
    quoted = [a or b for a, b in _QUOTED.findall(message)]
    sentence = _CODES.get(error.code) or KINDS.get(error.kind, "有错误")
    if "{0}" in sentence:
        name = quoted[0] if quoted else ""
        k_zh = _KEYS.get(name, ("", ""))[0] if error.code in (
            "unknown-key", "missing-key", "misplaced-key") else ""
        sentence = sentence.format(f"“{name}”" + (f"（{k_zh}）" if k_zh else ""))
    return sentence, message


def _hint_zh(hint: str | None) -> str:
    meant = re.fullmatch(r"did you mean '([^']*)'\?", hint or "")
    return f"是否应为 {meant.group(1)}？" if meant else ""


def _hint(hint: str | None) -> str:
    if not hint:
        return ""
    meant = re.fullmatch(r"did you mean '([^']*)'\?", hint)
    if meant:
        return f"是否应为 {meant.group(1)}？did you mean '{meant.group(1)}'?"
    return hint


def _excerpt(error: FormkitError, width: int = 72) -> str | None:
    """The line of the place with a caret under it, cut around the place to ``width``."""
    span = error.span
    text = span.source_line() if span is not None else None
    if span is None or text is None or not span.column:
        return None
    start = max(0, span.column - 1 - width // 2)
    end = start + width
    shown = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    offset = span.column - 1 - start + (1 if start else 0)
    length = 1
    if span.end_line == span.line and span.end_column:
        length = max(1, min(span.end_column - span.column, width - offset))
    return f"{shown}\n{_pad(shown[:offset])}{'^' * _display(text[span.column - 1:][:length])}"


def _display(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str) -> str:
    return " " * _display(text)
