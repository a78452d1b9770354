"""The static checker: a pass over the tree that resolves names and infers types.

It never evaluates anything. For each node it records an ``Info`` (type, whether
the value may be null, and what a name refers to) that the compiler reads.
Errors are collected, not raised, and a node in error gets the type ``any`` so
one mistake does not cascade into many.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from formkit.dsl import ast
from formkit.dsl.builtins import BUILTINS, EvalFault, LiteralCheck, SignatureError
from formkit.dsl.scope import Info, Instance, LetEntry, Scope, Typed
from formkit.dsl.source import Source
from formkit.dsl.types import ANY, BOOL, DATE, NULL, NUMBER, TEXT, T, list_of, unify
from formkit.errors import EvaluationError, FormkitError, LimitError, RuleNameError, RuleTypeError

__all__ = ["Checker", "Info", "Instance", "LetEntry", "Scope", "Typed"]

# How many definitions deep one name may be defined through (let a = b + 1, b = c ...).
MAX_CHAIN = 32
# count/any/all inside each other (and a repeat's row): each level multiplies the work.
MAX_ROWS = 4

# The types a condition may have (null and an unknown type count as false / pass).
_CONDITIONS = frozenset({"bool", "null", "any"})
# Infos without a reference are shared between nodes (an Info is never changed once set).
_LITERAL_INFOS = {type(None): Info(NULL, True), bool: Info(BOOL, False), str: Info(TEXT, False)}
_NUMBER_LITERAL = Info(NUMBER, False)
_BOOL_RESULT = Info(BOOL, False)  # what comparisons, and/or and not give

KEYWORDS = frozenset(
    ["and", "or", "not", "in", "if", "then", "else", "true", "false", "null", "let", "use"])


@dataclass(slots=True)
class _Ctx:
    source: Source
    info: dict[ast.Node, Info]
    rows: list[T]  # innermost last; row scopes from repeats and count/any/all
    params: dict[str, tuple[int, T]] | None = None
    base_rows: int = 0


class Checker:
    """Checks expressions against one scope; keeps let types and function instances."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.errors: list[FormkitError] = []
        self.let_typed: dict[str, Typed | None] = {}
        self.instances: dict[tuple[str, tuple[T, ...]], Instance] = {}
        # Calls and patterns already reported as bad constants (the compiler skips them).
        self.flagged: set[ast.Node] = set()
        self._stack: list[str] = []
        self._seen: set[tuple[object, ...]] = set()

    # ---- entry points

    def check(self, node: ast.Node, source: Source, *, want: T | None = None,
              row: T | None = None, what: str = "") -> Typed:
        """Check one expression; ``want`` is the type its place needs (bool for conditions)."""
        typed = Typed(node, source, rows=1 if row is not None else 0)
        ctx = _Ctx(source, typed.info, [row] if row is not None else [])
        depth = len(self._stack)
        try:
            info = self._visit(node, ctx)
        except RecursionError:
            # MAX_DEPTH and MAX_CHAIN keep real definitions far from this; never a traceback.
            del self._stack[depth:]
            self._error(LimitError, ctx, node, "the definitions are nested too deeply to check",
                        "define the values in fewer steps", "too-deep")
            # The tree is only partly checked: stand a null in for it, so it compiles.
            typed = Typed(ast.Literal(node.start, node.end, None), source, rows=typed.rows)
            ctx = _Ctx(source, typed.info, ctx.rows)
            info = self._set(ctx, typed.root, ANY, True)
        if want is not None and info.type.kind not in ("any", "null") \
                and unify(info.type, want) is None:
            where = f"{what} " if what else ""
            self._error(RuleTypeError, ctx, node,
                        f"{where}must be {_article(want)}, but this is {_article(info.type)}",
                        _want_hint(want), "wrong-type")
        return typed

    def check_let(self, entry: LetEntry) -> Typed | None:
        """Check a named value (not a function) once; reports cycles."""
        if entry.key in self.let_typed:
            return self.let_typed[entry.key]
        if entry.body is None:
            self.let_typed[entry.key] = None
            return None
        if len(self._stack) >= MAX_CHAIN:
            return None  # reported by the reference that went too deep
        self._stack.append(entry.key)
        typed = self.check(entry.body, entry.source)
        self._stack.pop()
        self.let_typed[entry.key] = typed
        return typed

    def check_function_alone(self, entry: LetEntry) -> None:
        """Check a function's body with unknown parameter types (catches unknown names)."""
        if entry.body is not None and entry.params is not None:
            self._instance(entry, tuple(ANY for _ in entry.params), entry.body, None)

    # ---- helpers

    def _error(self, cls: type[FormkitError], ctx: _Ctx, node: ast.Node | None, message: str,
               hint: str | None, code: str, start: int | None = None,
               end: int | None = None) -> None:
        s = start if start is not None else (node.start if node is not None else 0)
        e = end if end is not None else (node.end if node is not None else None)
        if self.scope.context and ctx.source.file is not None:
            message = f"{message} (in {self.scope.context})"
        span = ctx.source.span(s, e)
        # A library function is checked once per argument types: report each error once.
        key = (cls, message, code, span.file, span.line, span.column)
        if key in self._seen:
            return
        self._seen.add(key)
        self.errors.append(cls(message, span, hint=hint, code=code))

    def _set(self, ctx: _Ctx, node: ast.Node, t: T, nullable: bool,
             ref: tuple[object, ...] = ()) -> Info:
        info = Info(t, nullable, ref)
        ctx.info[node] = info
        return info

    # ---- the visitor

    def _visit(self, node: ast.Node, ctx: _Ctx) -> Info:
        visit = _VISITORS.get(type(node))
        if visit is None:  # pragma: no cover
            raise AssertionError(f"unknown node {node!r}")
        return visit(self, node, ctx)

    def _literal(self, node: ast.Literal, ctx: _Ctx) -> Info:
        info = ctx.info[node] = _LITERAL_INFOS.get(type(node.value), _NUMBER_LITERAL)
        return info

    def _name(self, node: ast.Name, ctx: _Ctx) -> Info:
        name = node.name
        if not ctx.rows and ctx.params is None:  # the common case: a form field
            t = self.scope.fields.get(name)
            if t is not None:
                info = ctx.info[node] = Info(t, True, ("field", name))
                return info
        for depth in range(len(ctx.rows) - 1, -1, -1):
            member = ctx.rows[depth].member(name)
            if member is not None:
                return self._set(ctx, node, member, True, ("row", depth, name))
        if ctx.params is not None and name in ctx.params:
            index, t = ctx.params[name]
            return self._set(ctx, node, t, True, ("param", index))
        found = self.scope.lookup(name)
        unknown_rows = [d for d, row in enumerate(ctx.rows) if row.kind == "any"] \
            if found is None else None
        if unknown_rows:
            # count(rows, share > k) in a function checked with unknown parameter types:
            # the rows' fields are not known yet, so any other name may be one of them.
            return self._set(ctx, node, ANY, True, ("row", unknown_rows[-1], name))
        if found is None:
            candidates = [*self.scope.names(), *(ctx.params or {})]
            for row in ctx.rows:
                candidates.extend(row.member_names())
            hint = _did_you_mean(name, candidates)
            if name in BUILTINS:
                hint = f"'{name}' is a function: call it, e.g. {name}(...)"
            self._error(RuleNameError, ctx, node, f"unknown name '{name}'", hint,
                        "unknown-name")
            return self._set(ctx, node, ANY, True)
        kind, target = found
        if kind == "field":
            assert isinstance(target, T)
            return self._set(ctx, node, target, True, ("field", name))
        assert isinstance(target, LetEntry)
        if target.params is not None:
            self._error(RuleTypeError, ctx, node, f"'{name}' is a function with "
                        f"{len(target.params)} parameter(s)",
                        f"call it: {name}({', '.join(target.params)})", "function-as-value")
            return self._set(ctx, node, ANY, True)
        if target.key in self._stack:
            cycle = " -> ".join([*self._stack[self._stack.index(target.key):], target.key])
            self._error(RuleNameError, ctx, node, f"'{name}' is defined in terms of itself "
                        f"({cycle.replace('L:', '').replace('B:', '')})",
                        "break the cycle: one of these definitions must not use the other",
                        "cycle")
            return self._set(ctx, node, ANY, True)
        if len(self._stack) >= MAX_CHAIN and target.key not in self.let_typed:
            self._chain_error(ctx, node, name)
            return self._set(ctx, node, ANY, True)
        typed = self.check_let(target)
        if typed is None:
            return self._set(ctx, node, ANY, True, ("let", target.key))
        root = typed.info[typed.root]
        return self._set(ctx, node, root.type, root.nullable, ("let", target.key))

    def _list(self, node: ast.ListLit, ctx: _Ctx) -> Info:
        elem: T = NULL
        for item in node.items:
            t = self._visit(item, ctx).type
            joined = unify(elem, t)
            if joined is None:
                self._error(RuleTypeError, ctx, item, f"a list holds values of one type; this "
                            f"item is {_article(t)}, the others are {_article(elem)}",
                            None, "mixed-list")
                continue
            elem = joined
        if elem.kind == "null":
            elem = ANY
        return self._set(ctx, node, list_of(elem.plain), False)

    def _member(self, node: ast.Member, ctx: _Ctx) -> Info:
        obj = self._visit(node.obj, ctx)
        t = obj.type
        if t.kind == "any":
            return self._set(ctx, node, ANY, True)
        target, is_list = t, False
        if t.kind == "list" and t.elem is not None and t.elem.kind in ("group", "any"):
            target, is_list = t.elem, True
            if target.kind == "any":
                return self._set(ctx, node, list_of(ANY), obj.nullable, ("pluck",))
        if target.kind != "group":
            self._error(RuleTypeError, ctx, node, f"{_article(t)} has no members, so "
                        f"'.{node.name}' cannot be used", "only groups and repeats have "
                        "members", "no-members", node.name_start, node.end)
            return self._set(ctx, node, ANY, True)
        member = target.member(node.name)
        if member is None:
            self._error(RuleNameError, ctx, node, f"no member '{node.name}' here",
                        _did_you_mean(node.name, target.member_names()) or
                        "members: " + ", ".join(target.member_names()), "unknown-member",
                        node.name_start, node.end)
            return self._set(ctx, node, ANY, True)
        if is_list:
            return self._set(ctx, node, list_of(member), obj.nullable, ("pluck",))
        return self._set(ctx, node, member, True, ("member",))

    def _index(self, node: ast.Index, ctx: _Ctx) -> Info:
        obj = self._visit(node.obj, ctx)
        idx = self._visit(node.index, ctx)
        if idx.type.kind not in ("number", "any", "null"):
            self._error(RuleTypeError, ctx, node.index, f"an index must be a number, not "
                        f"{_article(idx.type)}", None, "wrong-type")
        t = obj.type
        if t.kind == "any":
            return self._set(ctx, node, ANY, True)
        if t.kind != "list" or t.elem is None:
            self._error(RuleTypeError, ctx, node.obj, f"only lists can be indexed, not "
                        f"{_article(t)}", None, "wrong-type")
            return self._set(ctx, node, ANY, True)
        return self._set(ctx, node, t.elem, True)

    def _unary(self, node: ast.Unary, ctx: _Ctx) -> Info:
        operand = self._visit(node.operand, ctx)
        if node.op == "not":
            self._condition(operand, node.operand, ctx, "'not'")
            ctx.info[node] = _BOOL_RESULT
            return _BOOL_RESULT
        if operand.type.kind not in ("number", "any", "null"):
            self._error(RuleTypeError, ctx, node, f"'-' needs a number, not "
                        f"{_article(operand.type)}", None, "wrong-type")
            return self._set(ctx, node, ANY, True)
        return self._set(ctx, node, NUMBER, operand.nullable)

    def _condition(self, info: Info, node: ast.Node, ctx: _Ctx, where: str) -> None:
        if info.type.kind not in _CONDITIONS:
            self._error(RuleTypeError, ctx, node, f"{where} needs a condition (true or "
                        f"false), but this is {_article(info.type)}",
                        _want_hint(BOOL), "not-a-condition")

    def _binary(self, node: ast.Binary, ctx: _Ctx) -> Info:
        op = node.op
        if op in ("and", "or"):
            return self._chain(node, ctx)
        left = _VISITORS[type(node.left)](self, node.left, ctx)
        right = _VISITORS[type(node.right)](self, node.right, ctx)
        a, b = left.type.kind, right.type.kind
        nullable = left.nullable or right.nullable
        result: T | None = None
        if "any" in (a, b) or "null" in (a, b):
            other = b if a in ("any", "null") else a
            result = DATE if op in "+-" and other == "date" else (
                TEXT if op == "+" and other == "text" else
                NUMBER if other in ("number", "null") else ANY)
            if other in ("bool", "list", "group") or (op in "*/%" and other in ("text", "date")):
                result = None
            nullable = True
        elif a == b == "number":
            result = NUMBER
        elif op == "+" and a == b == "text":
            result = TEXT
        elif (op in "+-" and a == "date" and b == "number") or (
                op == "+" and a == "number" and b == "date"):
            result = DATE
        if result is None:
            hint = None
            if op == "-" and a == b == "date":
                hint = "use days_between(a, b) for the days between two dates"
            elif op == "+" and {a, b} == {"text", "number"}:
                hint = "a text and a number cannot be added; compare or convert them"
            self._error(RuleTypeError, ctx, node, f"'{op}' cannot combine "
                        f"{_article(left.type)} and {_article(right.type)}", hint,
                        "wrong-type", node.op_start, node.op_start + 1)
            return self._set(ctx, node, ANY, True)
        return self._set(ctx, node, result, nullable)

    def _chain(self, node: ast.Binary, ctx: _Ctx) -> Info:
        """``a and b and c ...`` (or ``or``): a loop along the chain, not a recursion per
        link, so a chain of thousands of terms is checked like a short one. Errors come
        in the order a recursion would give (each link: its left, its right, then the
        conditions)."""
        op = node.op
        links = [node]
        while type(links[-1].left) is ast.Binary and links[-1].left.op == op:
            links.append(links[-1].left)
        first = links[-1].left
        left = _VISITORS[type(first)](self, first, ctx)
        left_node = first
        for link in reversed(links):
            right = _VISITORS[type(link.right)](self, link.right, ctx)
            if left.type.kind not in _CONDITIONS:
                self._condition(left, left_node, ctx, f"'{op}'")
            if right.type.kind not in _CONDITIONS:
                self._condition(right, link.right, ctx, f"'{op}'")
            ctx.info[link] = _BOOL_RESULT
            left, left_node = _BOOL_RESULT, link
        return _BOOL_RESULT

    def _compare(self, node: ast.Compare, ctx: _Ctx) -> Info:
        operands = node.operands
        infos = [_VISITORS[type(o)](self, o, ctx) for o in operands]
        for i, op in enumerate(node.ops):
            self._compare_pair(op, infos[i], infos[i + 1], operands[i], operands[i + 1], ctx,
                               node.op_starts[i])
        ctx.info[node] = _BOOL_RESULT
        return _BOOL_RESULT

    def _compare_pair(self, op: str, left: Info, right: Info, lnode: ast.Node,
                      rnode: ast.Node, ctx: _Ctx, start: int) -> None:
        a, b = left.type, right.type
        if op in ("in", "not in"):
            if b.kind in ("any", "null"):
                return
            if b.kind == "text":
                if a.kind not in ("text", "any", "null"):
                    self._type_pair(op, a, b, ctx, lnode, rnode)
                return
            if b.kind != "list" or b.elem is None:
                self._error(RuleTypeError, ctx, rnode, f"'{op}' needs a list or a text on its "
                            f"right, not {_article(b)}", None, "wrong-type")
                return
            if unify(a, b.elem) is None:
                self._type_pair(op, a, b, ctx, lnode, rnode)
                return
            self._choice_literals(a, rnode, ctx, list_items=True)
            self._choice_literals(b.elem, lnode, ctx)
            return
        joined = unify(a, b)
        if joined is None:
            self._type_pair(op, a, b, ctx, lnode, rnode)
            return
        if op in ("<", "<=", ">", ">=") and \
                joined.kind not in ("number", "date", "text", "any", "null"):
            self._error(RuleTypeError, ctx, lnode, f"'{op}' cannot order "
                        f"{_article(a)} values", "only numbers, dates and texts are "
                        "ordered", "wrong-type", start, start + len(op))
            return
        if a.options is not None:
            self._choice_literals(a, rnode, ctx)
        if b.options is not None:
            self._choice_literals(b, lnode, ctx)
        if a.kind == "list" and a.elem is not None:  # categories == ["hot_fod"]
            self._choice_literals(a.elem, rnode, ctx, list_items=True)
        if b.kind == "list" and b.elem is not None:
            self._choice_literals(b.elem, lnode, ctx, list_items=True)

    def _type_pair(self, op: str, a: T, b: T, ctx: _Ctx, lnode: ast.Node,
                   rnode: ast.Node) -> None:
        hint = "both sides must have the same type"
        if {a.kind, b.kind} == {"date", "text"}:  # born == "1990-03-07"
            hint = 'write a date as date("YYYY-MM-DD")'
        self._error(RuleTypeError, ctx, lnode, f"'{op}' cannot compare {_article(a)} with "
                    f"{_article(b)}", hint, "wrong-type", lnode.start, rnode.end)

    def _choice_literals(self, t: T, other: ast.Node, ctx: _Ctx, list_items: bool = False) -> None:
        """A literal compared with a choice field must be one of its options."""
        if t.options is None:
            return
        literals: Sequence[ast.Node] = (other.items if list_items and
                                        isinstance(other, ast.ListLit) else [other])
        for lit in literals:
            if isinstance(lit, ast.Literal) and isinstance(lit.value, str) \
                    and lit.value not in t.options:
                options = sorted(t.options)
                hint = _did_you_mean(lit.value, options) or "options: " + ", ".join(
                    f'"{o}"' for o in options)
                self._error(RuleNameError, ctx, lit, f"\"{lit.value}\" is not an option "
                            "of this choice", hint, "unknown-option")

    def _if(self, node: ast.If, ctx: _Ctx) -> Info:
        cond = self._visit(node.cond, ctx)
        self._condition(cond, node.cond, ctx, "'if'")
        then = self._visit(node.then, ctx)
        other = self._visit(node.other, ctx)
        joined = unify(then.type, other.type)
        if joined is None:
            self._error(RuleTypeError, ctx, node, f"'then' gives {_article(then.type)} but "
                        f"'else' gives {_article(other.type)}", "both branches must give the "
                        "same type", "branch-types")
            return self._set(ctx, node, ANY, True)
        return self._set(ctx, node, joined, then.nullable or other.nullable)

    def _call(self, node: ast.Call, ctx: _Ctx) -> Info:
        name = node.name
        builtin = BUILTINS.get(name)
        entry = self._function_entry(name, ctx)
        if entry is not None:
            return self._call_let(node, entry, ctx)
        if builtin is None:
            names = [*BUILTINS, *[n for n, e in {**self.scope.libs, **self.scope.lets}.items()
                                  if e.params is not None]]
            if name in self.scope.fields or (ctx.params and name in ctx.params):
                self._error(RuleTypeError, ctx, node, f"'{name}' is a value, not a function",
                            f"write it without brackets: {name}", "value-as-function",
                            node.start, node.name_end)
            else:
                self._error(RuleNameError, ctx, node, f"unknown function '{name}'",
                            _did_you_mean(name, names) or "see the built-in functions in "
                            "docs/rule-language.md", "unknown-function", node.start,
                            node.name_end)
            for arg in node.args:
                self._visit(arg, ctx)
            return self._set(ctx, node, ANY, True)
        n = len(node.args)
        if n < builtin.min_args or (builtin.max_args is not None and n > builtin.max_args):
            want = (str(builtin.min_args) if builtin.min_args == builtin.max_args else
                    f"{builtin.min_args} or more" if builtin.max_args is None else
                    f"{builtin.min_args} to {builtin.max_args}")
            self._error(RuleTypeError, ctx, node, f"{name}() takes {want} argument(s), "
                        f"not {n}", builtin.summary or None, "arity")
            for arg in node.args:
                self._visit(arg, ctx)
            return self._set(ctx, node, ANY, True)
        infos: list[Info] = []
        for i, arg in enumerate(node.args):
            if builtin.row_condition and i == 1 and len(ctx.rows) >= MAX_ROWS:
                self._error(LimitError, ctx, node, f"{name}() is nested too deeply in other "
                            f"row functions (at most {MAX_ROWS} levels of rows)",
                            "split it into named parts with 'let:'", "too-deep")
            if builtin.row_condition and i == 1:
                rows_t = infos[0].type
                row = rows_t.elem if rows_t.kind == "list" and rows_t.elem is not None \
                    else ANY
                if row.kind not in ("group", "any"):
                    row = T("group", fields=())
                inner = _Ctx(ctx.source, ctx.info, [*ctx.rows, row], ctx.params)
                cond = self._visit(arg, inner)
                self._condition(cond, arg, ctx, f"{name}()'s condition")
                infos.append(cond)
            else:
                infos.append(self._visit(arg, ctx))
        try:
            result = builtin.rule([i.type for i in infos])
        except SignatureError as exc:
            bad = node.args[exc.arg] if 0 <= exc.arg < len(node.args) else node
            self._error(RuleTypeError, ctx, bad, f"{name}(): {exc.message}",
                        builtin.summary or None, "wrong-type")
            return self._set(ctx, node, ANY, True)
        if builtin.literal is not None:
            self._literal_argument(node, builtin.literal, ctx)
        nullable = builtin.nullable([i.nullable for i in infos])
        return self._set(ctx, node, result, nullable, ("builtin", name, len(ctx.rows)))

    def _chain_error(self, ctx: _Ctx, node: ast.Node, name: str) -> None:
        self._error(LimitError, ctx, node, f"'{name}' is defined through too many other "
                    f"definitions (more than {MAX_CHAIN} levels)",
                    "define it in fewer steps", "too-deep")

    def _literal_argument(self, node: ast.Call, check: LiteralCheck, ctx: _Ctx) -> None:
        """A literal that cannot work is an error when the definition loads, not later:
        ``date("2026-02-30")``, ``round(x, 20)``, ``matches(t, "(")``."""
        arg = node.args[check.arg] if check.arg < len(node.args) else None
        if not isinstance(arg, ast.Literal) or arg.value is None:
            return
        try:
            check.check(arg.value)
        except EvalFault as fault:
            bad: ast.Node = arg if check.at_argument else node
            self.flagged.add(bad)
            self._error(LimitError if fault.limit else EvaluationError, ctx, bad,
                        fault.message, fault.hint, fault.code)

    def _function_entry(self, name: str, ctx: _Ctx) -> LetEntry | None:
        # A field cannot be called, so it does not hide a function of the same name:
        # a matter with an 'age' field can still use a library's age(id). Nor does a
        # value named like a built-in ('let: {date: ...}') hide the built-in.
        entry = self.scope.lets.get(name) or self.scope.libs.get(name)
        if entry is not None and entry.params is None and name in BUILTINS:
            return None
        return entry

    def _call_let(self, node: ast.Call, entry: LetEntry, ctx: _Ctx) -> Info:
        infos = [self._visit(a, ctx) for a in node.args]
        if entry.params is None:
            self._error(RuleTypeError, ctx, node, f"'{entry.name}' is a value, not a "
                        "function", f"write it without brackets: {entry.name}",
                        "value-as-function", node.start, node.name_end)
            return self._set(ctx, node, ANY, True)
        if len(infos) != len(entry.params):
            self._error(RuleTypeError, ctx, node, f"{entry.name}() takes "
                        f"{len(entry.params)} argument(s), not {len(infos)}",
                        f"{entry.name}({', '.join(entry.params)})", "arity")
            return self._set(ctx, node, ANY, True)
        if entry.body is None:
            return self._set(ctx, node, ANY, True)
        if entry.key in self._stack:
            self._error(RuleNameError, ctx, node, f"'{entry.name}' calls itself",
                        "recursive definitions are not allowed", "cycle")
            return self._set(ctx, node, ANY, True)
        if len(self._stack) >= MAX_CHAIN and \
                (entry.key, tuple(i.type.plain for i in infos)) not in self.instances:
            self._chain_error(ctx, node, entry.name)
            return self._set(ctx, node, ANY, True)
        inst = self._instance(entry, tuple(i.type.plain for i in infos), entry.body, ctx)
        return self._set(ctx, node, inst.result, inst.nullable, ("call", entry.key,
                                                                 inst.params))

    def _instance(self, entry: LetEntry, params: tuple[T, ...], body: ast.Node,
                  caller: _Ctx | None) -> Instance:
        key = (entry.key, params)
        if key in self.instances:
            return self.instances[key]
        inst = Instance(len(self.instances), entry, params)
        self.instances[key] = inst
        assert entry.params is not None
        typed = Typed(body, entry.source)
        ctx = _Ctx(entry.source, typed.info, [],
                   {p: (i, t) for i, (p, t) in enumerate(zip(entry.params, params, strict=True))})
        self._stack.append(entry.key)
        info = self._visit(body, ctx)
        self._stack.pop()
        inst.typed, inst.result, inst.nullable = typed, info.type, info.nullable
        return inst


# The visitor of each kind of node (a table: faster than a chain of isinstance tests).
_VISITORS: dict[type[ast.Node], Callable[[Checker, Any, _Ctx], Info]] = {
    ast.Literal: Checker._literal, ast.Name: Checker._name, ast.ListLit: Checker._list,
    ast.Member: Checker._member, ast.Index: Checker._index, ast.Call: Checker._call,
    ast.Unary: Checker._unary, ast.Binary: Checker._binary, ast.Compare: Checker._compare,
    ast.If: Checker._if,
}


def _article(t: T) -> str:
    names = {"bool": "a condition (true/false)", "number": "a number", "text": "a text",
             "date": "a date", "null": "null", "group": "a group", "any": "a value"}
    if t.kind == "list":
        return f"a list of {_article(t.elem or ANY).split(' ', 1)[-1]}s"
    return names.get(t.kind, t.kind)


def _want_hint(want: T) -> str | None:
    if want.kind == "bool":
        return "write a comparison, e.g. floor_area > 0, or a yes/no field"
    return None


def _did_you_mean(name: str, candidates: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(name, list(dict.fromkeys(candidates)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
