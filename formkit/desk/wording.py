"""Rule conditions in plain words: what a clerk reads out, never the rule text.

A matter's conditions (``required:``, ``when:``, ``visible:``) are written in the rule
language over field ids: ``premises == "owned" or premises == "rented"``. The people
at the window read them as sentences built from the form's labels and option labels:
``经营场所使用情况为自有产权或租用``. This module phrases the parsed tree
(``formkit.dsl.ast``) node by node:

- a field by its label (a group's member as ``经营者的手机号码``, a row as
  ``从业人员第1行``), a choice value by its option label, a number with the unit its
  label names (``经营面积（平方米）`` > 1000 -> ``经营面积超过1000平方米``);
- ``and``/``or``/``not`` as 并且/或者 (``not`` pushed inwards, so a comparison is
  turned round rather than prefixed), ``x == "a" or x == "b"`` as ``x为a或b``;
- a ``let`` value and a library function by their bodies, the function's parameters
  bound to the arguments of the call;
- built-ins by a sentence each (``any(rows, cond)``: ``rows中有一行cond``).

What it cannot phrase still comes out in labels: ``根据经营面积判断的条件成立``, never
an id. Pure functions, no Streamlit: the window, the back office and the documents
call them, and the tests check them against the sample catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from formkit.definitions.model import FormField, Matter
from formkit.dsl import ast
from formkit.dsl.parser import parse_expression
from formkit.errors import FormkitError
from formkit.intake.forms import field_words
from formkit.ruleset import RuleSet

__all__ = ["Wording", "answer_text", "because_text", "condition_text", "field_words"]

# Units a number field's label may end with, in full-width brackets: 经营面积（平方米）.
_UNITS = frozenset({"平方米", "立方米", "米", "千米", "公里", "元", "万元", "%", "月", "年",
                    "日", "天", "周岁", "岁", "千克", "吨", "张", "份", "个", "台", "人",
                    "辆", "间", "千瓦", "床"})
_NUMERIC = frozenset({"number", "integer", "money"})
# comparison -> (words, words when negated)
_COMPARE = {">": ("超过", "不超过"), ">=": ("不少于", "少于"), "<": ("少于", "不少于"),
            "<=": ("不超过", "超过")}
_DATE_COMPARE = {">": ("晚于", "不晚于"), ">=": ("不早于", "早于"), "<": ("早于", "不早于"),
                 "<=": ("不晚于", "晚于")}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}
_ARITH = {"+": "加", "-": "减", "*": "乘以", "/": "除以"}
_VALID = {"valid_mobile": "有效的手机号码", "valid_id_number": "有效的公民身份号码",
          "valid_uscc": "有效的统一社会信用代码", "valid_email": "有效的电子邮箱"}
_GENDER = {"M": "男", "F": "女"}
_MAX_DEPTH = 12  # lets and functions inlined into one another


@dataclass(frozen=True)
class _Noun:
    """A phrased value: its words, and what is known of it for the literal beside it."""

    text: str
    form_field: FormField | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    unit: str = ""
    bare: str = ""  # the words without the unit a label ends with
    rows: Sequence[FormField] | None = None  # a repeat's row fields, for any/all/count
    date: bool = False

    @property
    def short(self) -> str:
        return self.bare or self.text


@dataclass(frozen=True)
class _Env:
    """What a name means where it is read: row fields, bound parameters, depth."""

    rows: Mapping[str, _Noun] = field(default_factory=dict)
    params: Mapping[str, tuple[ast.Node, _Env]] = field(default_factory=dict)
    depth: int = 0


def _split_unit(label: str) -> tuple[str, str]:
    if label.endswith("）") and "（" in label:
        head, _, unit = label[:-1].rpartition("（")
        if unit in _UNITS and head:
            return head, unit
    return label, ""


def _field_noun(f: FormField, text: str | None = None) -> _Noun:
    label = f.title("zh")
    bare, unit = _split_unit(label) if f.type in _NUMERIC else (label, "")
    if f.type == "money" and not unit:
        unit = "元"
    prefix = "" if text is None else text
    return _Noun(text=prefix + label, form_field=f,
                 options={o.value: o.label.zh for o in f.options or []},
                 unit=unit, bare=prefix + bare,
                 rows=f.fields if f.type == "repeat" else None)


# how a 是否 question is answered no: 是否已婚 -> 未婚, 是否为X -> 不是X, 是否涉及X -> 不涉及X
_NO = (("已经", "尚未"), ("已", "未"), ("曾", "未曾"), ("持有", "未持有"), ("经", "未经"),
       ("为", "不是"), ("有", "没有"), ("是", "不是"))


def _yes_no(noun: _Noun, yes: bool) -> str:
    """A yes/no field answered: ``是否为公职人员`` -> ``为公职人员`` / ``不是公职人员``."""
    label = noun.form_field.title("zh") if noun.form_field is not None else ""
    head, sep, question = label.partition("是否")
    if not sep or not question or not noun.text.endswith(label):
        return f"{noun.text}为{'是' if yes else '否'}"
    owner = noun.text[:-len(label)].removesuffix("的") + head
    if yes:  # 是否为低保对象 -> 是低保对象 (为 alone cannot start a sentence)
        return owner + question if owner or not question.startswith("为") \
            else "是" + question[1:]
    for start, no in _NO:
        if question.startswith(start):
            return owner + no + question[len(start):]
    return f"{owner}不{question}"


def _holds(node: ast.Node, values: Mapping[str, Any]) -> bool | None:
    """Whether a simple condition holds for ``values`` (the top-level names an
    explained pre-check reports); None when it is not that simple."""
    if isinstance(node, ast.Unary) and node.op == "not":
        inner = _holds(node.operand, values)
        return None if inner is None else not inner
    if isinstance(node, ast.Name) and isinstance(values.get(node.name), bool):
        return bool(values[node.name])
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        a, b = node.operands
        if isinstance(a, ast.Literal):
            a, b = b, a
        if isinstance(a, ast.Name) and isinstance(b, ast.Literal) and a.name in values \
                and node.ops[0] in ("==", "!="):
            same = values[a.name] == b.value
            return same if node.ops[0] == "==" else not same
    return None


def _find_field(fields: Sequence[FormField], name: str) -> FormField | None:
    """A field of that id anywhere in the form (a row's sibling, read by a row's rule)."""
    for f in fields:
        if f.id == name:
            return f
        inner = _find_field(f.fields or [], name)
        if inner is not None:
            return inner
    return None


def _number(value: Decimal | int | float) -> str:
    d = Decimal(str(value))
    text = format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class Wording:
    """Phrases the conditions of one matter; ``rules`` adds its rule libraries."""

    def __init__(self, matter: Matter, rules: RuleSet | None = None) -> None:
        self.matter = matter
        self.fields = {f.id: f for f in matter.form}
        self.lets: dict[str, tuple[list[str] | None, ast.Node]] = {}
        if rules is not None:
            for entry in (*rules.scope.libs.values(), *rules.scope.lets.values()):
                if entry.body is not None:
                    self.lets[entry.name] = (entry.params, entry.body)
        else:
            for name, expr in matter.let.items():
                try:
                    self.lets[name] = (None, parse_expression(expr.text))
                except FormkitError:
                    continue

    # ---- public

    def condition(self, text: str) -> str:
        """A condition's sentence: ``经营场所使用情况为自有产权或租用``."""
        if text in ("true", "false"):
            return "所有申请均适用" if text == "true" else "不适用任何申请"
        try:
            node = parse_expression(text)
        except FormkitError:
            return "按本事项规定的条件"
        return self.clause(node, _Env())

    def answer(self, name: str, value: Any) -> str | None:
        """One decisive answer as a sentence (``经营场所使用情况为自有产权``); None when
        ``name`` is not a field or a yes/no ``let`` value, or its value is a list or a
        group (rows, several options: the condition then says what mattered)."""
        f = self.fields.get(name)
        if f is not None:
            if isinstance(value, (list, dict)):
                return None  # rows, a group, or every option chosen: the condition says it
            return self._is(_field_noun(f), value)
        if name in self.lets and self.lets[name][0] is None and isinstance(value, bool):
            return self.clause(ast.Name(0, 0, name), _Env(), negate=not value)
        return None

    def because(self, condition: str, values: Mapping[str, Any]) -> str:
        """Why a condition holds for these answers: the answers that decided it when
        each can be said alone, else the condition itself. Of an ``or``, only the parts
        that hold (when the values tell) are said."""
        try:
            node = parse_expression(condition)
        except FormkitError:
            return self.condition(condition)
        parts = self._flatten(node, "or")
        if len(parts) > 1:
            held = [p for p in parts if _holds(p, values) is True]
            if held and all(_holds(p, values) is not None for p in parts):
                return "，".join(dict.fromkeys(self.clause(p, _Env()) for p in held))
        said = [self.answer(name, value) for name, value in values.items()]
        if said and all(s is not None for s in said):
            return "，".join(dict.fromkeys(s for s in said if s))
        return self.condition(condition)

    # ---- clauses (yes/no)

    def clause(self, node: ast.Node, env: _Env, negate: bool = False) -> str:
        """``node`` as a sentence that holds (``negate``: that does not hold)."""
        if env.depth > _MAX_DEPTH:
            return self._fallback(node, env, negate)
        if isinstance(node, ast.Unary) and node.op == "not":
            return self.clause(node.operand, env, not negate)
        if isinstance(node, ast.Binary) and node.op in ("and", "or"):
            return self._junction(node, env, negate)
        if isinstance(node, ast.Compare):
            parts = [self._compare(a, op, b, env, negate)
                     for a, op, b in zip(node.operands, node.ops, node.operands[1:],
                                         strict=False)]
            if len(parts) > 1:  # 16 <= age < 18: the age said once
                middle = self.noun(node.operands[1], env).short
                parts = [parts[0]] + [p.removeprefix(middle) for p in parts[1:]]
            return ("或" if negate else "且").join(parts)
        if isinstance(node, ast.Literal) and isinstance(node.value, bool):
            return "条件成立" if node.value != negate else "条件不成立"
        if isinstance(node, ast.Name):
            bound = self._bound(node.name, env)
            if bound is not None:
                return self.clause(bound[0], bound[1], negate)
            if node.name in self.lets and self.lets[node.name][0] is None \
                    and node.name not in env.rows:
                return self.clause(self.lets[node.name][1], self._deeper(env), negate)
        if isinstance(node, ast.Call):
            said = self._call_clause(node, env, negate)
            if said is not None:
                return said
        if isinstance(node, ast.If):
            return (f"{self.clause(node.cond, env)}时{self.clause(node.then, env, negate)}，"
                    f"否则{self.clause(node.other, env, negate)}")
        noun = self.noun(node, env)
        if noun.form_field is not None and noun.form_field.type == "boolean":
            return self._is(noun, not negate)
        return self._fallback(node, env, negate)

    def _junction(self, node: ast.Binary, env: _Env, negate: bool) -> str:
        op = node.op
        # De Morgan: not (a and b) is (not a) or (not b)
        said_op = {"and": "or", "or": "and"}[op] if negate else op
        operands = self._flatten(node, op)
        parts: list[str] = []
        merged = self._merge_choices(operands, env, negate) if said_op == "or" else None
        for item in merged if merged is not None else operands:
            if isinstance(item, str):
                parts.append(item)
                continue
            text = self.clause(item, env, negate)
            shape = self._shape(item, env, negate)
            parts.append(f"（{text}）" if shape is not None and shape != said_op else text)
        return ("，或者" if said_op == "or" else "，并且").join(parts)

    def _shape(self, node: ast.Node, env: _Env, negate: bool, depth: int = 0) -> str | None:
        """The junction (``and``/``or``) ``node`` is phrased as, if any."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Unary) and node.op == "not":
            return self._shape(node.operand, env, not negate, depth + 1)
        if isinstance(node, ast.Binary) and node.op in ("and", "or"):
            return {"and": "or", "or": "and"}[node.op] if negate else node.op
        if isinstance(node, ast.Compare) and len(node.ops) > 1:
            return "or" if negate else "and"
        if isinstance(node, ast.Name):
            bound = self._bound(node.name, env)
            if bound is not None:
                return self._shape(bound[0], bound[1], negate, depth + 1)
            if node.name in self.lets and self.lets[node.name][0] is None:
                return self._shape(self.lets[node.name][1], _Env(), negate, depth + 1)
        if isinstance(node, ast.Call) and node.name not in ("any", "all"):
            inlined = self._inline(node, env)
            if inlined is not None:
                return self._shape(inlined[0], inlined[1], negate, depth + 1)
        return None

    def _flatten(self, node: ast.Node, op: str) -> list[ast.Node]:
        if isinstance(node, ast.Binary) and node.op == op:
            return self._flatten(node.left, op) + self._flatten(node.right, op)
        return [node]

    def _merge_choices(self, operands: list[ast.Node], env: _Env, negate: bool
                       ) -> list[ast.Node | str] | None:
        """``x == "a" or x == "b"`` -> ``x为a或b`` (and, negated, ``x不是a或b``)."""
        groups: dict[str, list[str]] = {}
        order: list[ast.Node | str] = []
        for item in operands:
            if isinstance(item, ast.Compare) and item.ops == ["=="] \
                    and isinstance(item.operands[1], ast.Literal) \
                    and item.operands[1].value is not None \
                    and not isinstance(item.operands[1].value, bool):
                noun = self.noun(item.operands[0], env)
                if noun.form_field is not None:
                    key = noun.text
                    if key not in groups:
                        groups[key] = []
                        order.append(f"\0{key}")
                    groups[key].append(self._literal(item.operands[1].value, noun))
                    continue
            order.append(item)
        if not any(len(v) > 1 for v in groups.values()):
            return None
        verb = "不是" if negate else "为"
        return [f"{x[1:]}{verb}{'或'.join(groups[x[1:]])}" if isinstance(x, str) else x
                for x in order]

    def _compare(self, a: ast.Node, op: str, b: ast.Node, env: _Env, negate: bool) -> str:
        if isinstance(a, ast.Literal) and not isinstance(b, ast.Literal) and op in _FLIP:
            a, b, op = b, a, _FLIP[op]
        if op in ("in", "not in"):
            return self._member(a, b, env, negate != (op == "not in"))
        counted = self._counted(a, op, b, env, negate)
        if counted is not None:
            return counted
        left = self.noun(a, env)
        if op in ("==", "!="):
            equal = (op == "==") != negate
            if isinstance(b, ast.Literal):
                return self._is(left, b.value) if equal else self._is_not(left, b.value)
            other = self.noun(b, env)
            return f"{left.text}{'与' if equal else '不同于'}{other.text}" \
                + ("相同" if equal else "")
        right = None if isinstance(b, ast.Literal) else self.noun(b, env)
        dated = left.date or (left.form_field is not None and left.form_field.type == "date") \
            or (right is not None and right.date)
        words = (_DATE_COMPARE if dated else _COMPARE)[op][1 if negate else 0]
        if isinstance(b, ast.Literal) and isinstance(b.value, (Decimal, int, float)) \
                and not isinstance(b.value, bool):
            return f"{left.short}{words}{_number(b.value)}{left.unit}"
        if isinstance(b, ast.Literal) and isinstance(b.value, str):
            return f"{left.short}{words}{self._literal(b.value, left)}"
        return f"{left.text}{words}{self.noun(b, env).text}"

    def _counted(self, a: ast.Node, op: str, b: ast.Node, env: _Env, negate: bool
                 ) -> str | None:
        """``count(rows, cond) > 0`` -> ``rows中有一行cond``; ``len(rows) == 0`` ->
        ``rows未填写``."""
        if isinstance(a, ast.Name) and a.name not in env.rows and a.name not in env.params \
                and a.name in self.lets and self.lets[a.name][0] is None:
            a = self.lets[a.name][1]  # physicians == 0, physicians = count(...)
        if not (isinstance(a, ast.Call) and a.name in ("len", "count") and a.args
                and isinstance(b, ast.Literal) and isinstance(b.value, Decimal)):
            return None
        some = {(">", 0), (">=", 1), ("!=", 0)}
        none = {("==", 0), ("<", 1), ("<=", 0)}
        key = (op, int(b.value)) if b.value == b.value.to_integral_value() else None
        if key not in some | none:
            return None
        rows = self.noun(a.args[0], env)
        if rows.rows is None:
            return None
        has = (key in some) != negate
        if a.name == "len" or len(a.args) < 2:
            return f"{rows.text}{'已填写' if has else '未填写'}"
        cond = self.clause(a.args[1], self._row_env(rows, env))
        return f"{rows.text}中{'有' if has else '没有'}一行{cond}"

    def _member(self, a: ast.Node, b: ast.Node, env: _Env, negate: bool) -> str:
        if isinstance(b, ast.ListLit):
            noun = self.noun(a, env)
            items = [self._literal(i.value, noun) if isinstance(i, ast.Literal)
                     else self.noun(i, env).text for i in b.items]
            return f"{noun.text}{'不是' if negate else '为'}{'或'.join(items)}"
        whole = self.noun(b, env)
        part = self._literal(a.value, whole) if isinstance(a, ast.Literal) \
            else self.noun(a, env).text
        return f"{whole.text}{'不包括' if negate else '包括'}{part}"

    def _is(self, noun: _Noun, value: Any) -> str:
        if value is None:
            return f"{noun.text}未填写"
        if isinstance(value, bool):
            return _yes_no(noun, value)
        if isinstance(value, list):
            shown = "、".join(self._literal(v, noun) for v in value)
            return f"{noun.text}为{shown}" if shown else f"{noun.text}未选择"
        if isinstance(value, (Decimal, int, float)):
            return f"{noun.short}为{_number(value)}{noun.unit}"
        return f"{noun.text}为{self._literal(value, noun)}"

    def _is_not(self, noun: _Noun, value: Any) -> str:
        if value is None:
            return f"{noun.text}已填写"
        if isinstance(value, bool):
            return _yes_no(noun, not value)
        if isinstance(value, (Decimal, int, float)):
            return f"{noun.short}不是{_number(value)}{noun.unit}"
        return f"{noun.text}不是{self._literal(value, noun)}"

    def _literal(self, value: Any, beside: _Noun) -> str:
        if value is None:
            return "空"
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, (Decimal, int, float)):
            return f"{_number(value)}{beside.unit}"
        if isinstance(value, dt.date):
            return _day(value)
        text = str(value)
        if text in beside.options:
            return beside.options[text]
        return f"“{text}”"

    def _call_clause(self, node: ast.Call, env: _Env, negate: bool) -> str | None:
        name, args = node.name, node.args
        if name in ("any", "all") and len(args) == 2:
            rows = self.noun(args[0], env)
            inner = self._row_env(rows, env)
            if name == "any":
                cond = self.clause(args[1], inner)
                return f"{rows.text}中{'没有' if negate else '有'}一行{cond}"
            if negate:
                return f"{rows.text}中有一行{self.clause(args[1], inner, True)}"
            return f"{rows.text}每一行都{self.clause(args[1], inner)}"
        if name in _VALID and len(args) == 1:
            return f"{self.noun(args[0], env).text}{'不是' if negate else '是'}{_VALID[name]}"
        if name in ("matches",) and args:
            return f"{self.noun(args[0], env).text}{'不' if negate else ''}符合规定格式"
        if name in ("startswith", "endswith") and len(args) == 2:
            where = "开头" if name == "startswith" else "结尾"
            lit = args[1].value if isinstance(args[1], ast.Literal) else None
            said = f"“{lit}”" if lit is not None else self.noun(args[1], env).text
            return f"{self.noun(args[0], env).text}{'不' if negate else ''}以{said}{where}"
        inlined = self._inline(node, env)
        if inlined is not None:
            return self.clause(inlined[0], inlined[1], negate)
        return None

    # ---- nouns (values)

    def noun(self, node: ast.Node, env: _Env) -> _Noun:
        """``node`` as words for a value: a field's label, a computed quantity."""
        if isinstance(node, ast.Name):
            return self._name_noun(node.name, env)
        if isinstance(node, ast.Member):
            return self._member_noun(node, env)
        if isinstance(node, ast.Index):
            obj = self.noun(node.obj, env)
            row = node.index.value if isinstance(node.index, ast.Literal) else None
            which = f"第{_number(row + 1)}行" if isinstance(row, Decimal) else "某一行"
            return _Noun(text=f"{obj.text}{which}", form_field=obj.form_field, rows=obj.rows)
        if isinstance(node, ast.Literal):
            return _Noun(text=self._literal(node.value, _Noun("")))
        if isinstance(node, ast.ListLit):
            return _Noun(text="、".join(self.noun(i, env).text for i in node.items))
        if isinstance(node, ast.Call):
            return self._call_noun(node, env)
        if isinstance(node, ast.Binary) and node.op in _ARITH:
            left, right = self.noun(node.left, env), self.noun(node.right, env)
            unit = left.unit if node.op in "+-" else ""
            return _Noun(text=f"{left.text}{_ARITH[node.op]}{right.text}", unit=unit)
        if isinstance(node, ast.Binary) and node.op == "%":
            left, right = self.noun(node.left, env), self.noun(node.right, env)
            return _Noun(text=f"{left.text}除以{right.text}的余数")
        if isinstance(node, ast.Unary) and node.op == "-":
            return _Noun(text=f"负{self.noun(node.operand, env).text}")
        if isinstance(node, ast.If):
            return _Noun(text=f"{self.clause(node.cond, env)}时的{self.noun(node.then, env).text}"
                              f"（否则为{self.noun(node.other, env).text}）")
        return _Noun(text=f"（{self.clause(node, env)}）")

    def _name_noun(self, name: str, env: _Env) -> _Noun:
        if name in env.rows:
            return env.rows[name]
        bound = self._bound(name, env)
        if bound is not None:
            return self.noun(bound[0], bound[1])
        if name in self.fields:
            return _field_noun(self.fields[name])
        if name in self.lets and self.lets[name][0] is None and env.depth <= _MAX_DEPTH:
            return self.noun(self.lets[name][1], self._deeper(env))
        found = _find_field(self.matter.form, name)
        return _field_noun(found) if found is not None else _Noun(text="相关填写内容")

    def _member_noun(self, node: ast.Member, env: _Env) -> _Noun:
        obj = self.noun(node.obj, env)
        subs = obj.form_field.fields if obj.form_field is not None and obj.form_field.fields else []
        sub = next((f for f in subs if f.id == node.name), None)
        if sub is None:
            return _Noun(text=f"{obj.text}的相关内容")
        if obj.form_field is not None and obj.form_field.type == "repeat" and obj.rows is not None \
                and not obj.text.endswith("行"):
            return _field_noun(sub, f"{obj.text}各行的")
        return _field_noun(sub, f"{obj.text}的")

    def _call_noun(self, node: ast.Call, env: _Env) -> _Noun:
        name, args = node.name, node.args
        said = [self.noun(a, env) for a in args] if name not in ("count",) else []
        if name == "today":
            return _Noun(text="今天", date=True)
        if name == "date" and args and isinstance(args[0], ast.Literal):
            try:
                return _Noun(text=_day(dt.date.fromisoformat(str(args[0].value))), date=True)
            except ValueError:
                return _Noun(text=f"“{args[0].value}”")
        if name == "years_between" and len(args) == 2:
            first = args[0]
            if isinstance(first, ast.Call) and first.name == "id_birthdate" \
                    and isinstance(args[1], ast.Call) and args[1].name == "today":
                return _Noun(text=f"按{self.noun(first.args[0], env).text}计算的年龄",
                             unit="周岁")
            if isinstance(args[1], ast.Call) and args[1].name == "today":
                return _Noun(text=f"{said[0].text}距今的整年数", unit="年")
            return _Noun(text=f"{said[0].text}至{said[1].text}的整年数", unit="年")
        if name in ("days_between", "workdays_between") and len(args) == 2:
            unit = "日" if name == "days_between" else "个工作日"
            what = "天数" if name == "days_between" else "工作日数"
            return _Noun(text=f"{said[0].text}至{said[1].text}的{what}", unit=unit)
        if name == "add_workdays" and len(args) == 2:
            return _Noun(text=f"{said[0].text}后第{said[1].text}个工作日", date=True)
        if name == "id_birthdate" and args:
            return _Noun(text=f"{said[0].text}中的出生日期", date=True)
        if name == "id_gender" and args:
            return _Noun(text=f"{said[0].text}对应的性别", options=_GENDER)
        if name == "len" and args and said[0].form_field is not None \
                and said[0].form_field.type == "multichoice":
            return _Noun(text=f"{said[0].text}所选项数", unit="项")
        if name == "len" and args:
            whole = said[0]
            return _Noun(text=f"{whole.text}的{'行数' if whole.rows is not None else '字数'}",
                         unit="行" if whole.rows is not None else "个字")
        if name == "count" and len(args) == 2:
            rows = self.noun(args[0], env)
            cond = self.clause(args[1], self._row_env(rows, env))
            return _Noun(text=f"{rows.text}中{cond}的行数", unit="行")
        if name == "count" and args:
            return _Noun(text=f"{self.noun(args[0], env).text}的行数", unit="行")
        if name == "sum" and args:
            return _Noun(text=f"{said[0].text}之和", unit=said[0].unit)
        if name in ("min", "max") and said:
            pick = "最小值" if name == "min" else "最大值"
            return _Noun(text=f"{'、'.join(s.text for s in said)}中的{pick}", unit=said[0].unit)
        if name in ("abs", "round", "trim", "upper", "lower") and said:
            return said[0]
        inlined = self._inline(node, env)
        if inlined is not None:
            return self.noun(inlined[0], inlined[1])
        return _Noun(text=f"根据{self._names(node, env)}计算的结果")

    # ---- scopes and fallbacks

    def _bound(self, name: str, env: _Env) -> tuple[ast.Node, _Env] | None:
        return env.params.get(name)

    def _deeper(self, env: _Env) -> _Env:
        # a matter's let reads the form's own names: no rows, no parameters
        return _Env(depth=env.depth + 1)

    def _row_env(self, rows: _Noun, env: _Env) -> _Env:
        fields = {f.id: _field_noun(f) for f in rows.rows or []}
        return _Env(rows={**env.rows, **fields}, params=env.params, depth=env.depth + 1)

    def _inline(self, node: ast.Call, env: _Env) -> tuple[ast.Node, _Env] | None:
        """A library (or let) function's body, its parameters bound to the arguments."""
        found = self.lets.get(node.name)
        if found is None or found[0] is None or len(found[0]) != len(node.args) \
                or env.depth > _MAX_DEPTH:
            return None
        params = dict(zip(found[0], ((a, env) for a in node.args), strict=True))
        return found[1], _Env(params=params, depth=env.depth + 1)

    def _names(self, node: ast.Node, env: _Env) -> str:
        """The labels of the fields ``node`` reads, for a sentence we cannot phrase."""
        seen: list[str] = []
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, (ast.Member, ast.Index)):
                noun = self.noun(n, env)
                if noun.form_field is not None:
                    seen.append(noun.text)
                    continue
            if isinstance(n, ast.Name):
                if n.name in env.rows:
                    seen.append(env.rows[n.name].text)
                elif n.name in env.params:
                    arg, outer = env.params[n.name]
                    seen.append(self._names(arg, outer))
                elif (found := self.fields.get(n.name) or _find_field(self.matter.form, n.name)):
                    seen.append(found.title("zh"))
            stack.extend(reversed(ast.children(n)))
        said = [s for s in dict.fromkeys(seen) if s and s != "所填内容"]
        return "、".join(said) if said else "所填内容"

    def _fallback(self, node: ast.Node, env: _Env, negate: bool) -> str:
        return f"根据{self._names(node, env)}判断的条件{'不成立' if negate else '成立'}"


def condition_text(matter: Matter, condition: str, rules: RuleSet | None = None) -> str:
    """A rule condition as a sentence of labels: ``premises == "owned"`` ->
    ``经营场所使用情况为自有产权``."""
    return Wording(matter, rules).condition(condition)


def because_text(matter: Matter, condition: str, values: Mapping[str, Any] | None,
                 rules: RuleSet | None = None) -> str:
    """Why a condition holds now, from the values that decided it (``values`` of an
    explained pre-check): ``经营场所使用情况为自有产权``."""
    return Wording(matter, rules).because(condition, values or {})


def answer_text(matter: Matter, name: str, value: Any) -> str:
    """One answer as a sentence (``经营场所使用情况为自有产权``), for a field id or a
    yes/no ``let`` value; the field's label alone when it cannot be said."""
    said = Wording(matter).answer(name, value)
    if said is not None:
        return said
    f = next((x for x in matter.form if x.id == name), None)
    return f.title("zh") if f is not None else "所填内容"
