"""Python source for one checked tree: the code generator behind ``compiler.Unit``.

Each node becomes a Python expression over the answers ``d``, the context ``c``
and the current row ``r``. Texts from the user appear only as ``repr()``
literals or numbered constants. The code carries only the brackets Python's
precedence needs, and null tests only where the checker says a value may be
null: ``compile()`` is most of a program's cost, and every bracket and test
adds to it. A built-in's call is written from its ``Builtin`` entry: its
``emit`` hook if it has one, else ``_B_<name>(args)`` (see ``builtins``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from formkit.dsl import ast
from formkit.dsl.builtins import BUILTINS, EvalFault, fault_error
from formkit.dsl.pycode import ADD, AND, ATOM, CMP, COND, MUL, NOT, OR, UNARY, Code, at
from formkit.dsl.scope import Info, Typed

if TYPE_CHECKING:
    from formkit.dsl.compiler import Unit

__all__ = ["Gen"]

_ORDERING = frozenset({"<", "<=", ">", ">="})
_ARITHMETIC = {"+": ADD, "-": ADD, "*": MUL}


class Gen:
    """Generates the code of one checked tree for a ``Unit``."""

    def __init__(self, unit: Unit, typed: Typed) -> None:
        self.unit = unit
        self.typed = typed
        self.infos = typed.info  # what the checker found about each node
        self.uses_ctx = False  # the code reads the context ``c``
        self.uses_lets = False  # the code names a let or calls a library function: ``m``
        self._constant: set[ast.Node] = set()  # reads nothing (whether or not it folded)
        self._reported: set[ast.Node] = set()  # failed to fold, and the fault is reported
        # Arithmetic over values that may be null, as (null tests, plain code): see _checked
        self._guarded: dict[ast.Node, tuple[list[str], Code]] = {}

    # ---- what a built-in's ``emit`` hook uses (with code, truth and unless_null)

    def expr(self, node: ast.Node) -> str:
        """The code of ``node``, to stand alone (after ``return``)."""
        return self.code(node)[0]

    def const(self, value: Any) -> str:
        """The name of a constant of the unit holding ``value``."""
        return self.unit.const(value)

    def temp(self) -> str:
        """A fresh temporary name (for ``:=``)."""
        return self.unit.temp()

    def report(self, fault: EvalFault, node: ast.Node) -> None:
        """A constant that cannot work, found while generating: an error at ``node``,
        unless the checker reported it already."""
        if node not in self.unit.checker.flagged:
            self.unit.errors.append(fault_error(fault, self.typed.source.span(node.start,
                                                                              node.end)))

    def code(self, node: ast.Node) -> Code:
        kind = type(node)
        code = _EMITTERS[kind](self, node)
        if kind is ast.Literal or kind is ast.Name:
            return code
        # Constants are folded bottom-up: a node whose parts are all constant is one too.
        parts = ast.children(node)
        constant = self._constant
        for part in parts:
            if type(part) is not ast.Literal and part not in constant:
                return code
        if not self._pure(node):
            return code
        constant.add(node)
        folded = self._fold(node, code[0], parts)
        if folded is None:
            return code
        self._guarded.pop(node, None)
        return folded, ATOM

    def _pure(self, node: ast.Node) -> bool:
        """Whether ``node`` itself reads nothing: no answers, no row, no context."""
        if isinstance(node, ast.Call):
            builtin = BUILTINS.get(node.name)
            return builtin is not None and builtin.fold \
                and self.infos[node].ref[:1] == ("builtin",)
        return not isinstance(node, ast.Name | ast.Member | ast.Index)

    def _fold(self, node: ast.Node, code: str, parts: Sequence[ast.Node]) -> str | None:
        if isinstance(node, ast.ListLit) and all(isinstance(p, ast.Literal) for p in parts):
            # [1, "a"]: no need to run code; the items are the constants just made
            ns, const = self.unit.ns, self.unit.const
            value: Any = [v if v is None or isinstance(v, bool) else ns[const(v)]
                          for v in (p.value for p in parts if isinstance(p, ast.Literal))]
            return self.unit.const(value)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                value = eval(code, self.unit.ns, {"d": {}, "c": None, "r": None})
        except EvalFault as fault:
            # date("2026-02-30"), round(1, 20), abs(1 / 0): reported at the innermost call,
            # once, unless the checker reported it already
            reported = self._reported
            if any(p in reported for p in parts):
                reported.add(node)
            elif isinstance(node, ast.Call):
                reported.add(node)
                self.report(fault, node)
            return None
        except Exception:  # e.g. a tree with type errors: leave the failure to runtime
            return None
        return self.unit.const(value)

    def _checked(self, operands: list[tuple[ast.Node | None, Code, bool, str | None, int]]
                 ) -> tuple[list[str], list[str], bool]:
        """Null tests for operands evaluated left to right, and the codes to use them by.

        Each operand is (node or None, code, may be null, the temporary it must be bound to
        or None, the precedence level its use needs). Every operand runs once, in
        order, and none after a null one, as with ``(a := x) is not None and
        (b := y) is not None``; but a constant, a temporary or a parameter needs
        no binding, and a constant no test. An operand that is arithmetic over
        values that may be null brings its own tests and is used as plain
        arithmetic: ``a * 2 + b > 100`` is ``(t1 := a) is not None and (t2 := b)
        is not None and t1 * 2 + t2 > 100``, not a null test per operation.

        The third result: every use is a name or such arithmetic, so nothing is
        left to run after the tests (the uses may be reordered after later tests).
        """
        guarded = self._guarded
        fixed = self.unit.fixed
        # per operand: its guarded form, and whether it needs a test (or binds parts)
        parts: list[tuple[tuple[list[str], Code] | None, bool]] = []
        for node, code, nullable, keep, _ in operands:
            g = guarded.get(node) if node is not None and keep is None else None
            parts.append((g, g is not None or (nullable and code[0] not in fixed
                                               and code[0] not in ("True", "False"))))
        tests: list[str] = []
        uses: list[str] = []
        pure = True
        for i, (_, code, _, keep, level) in enumerate(operands):
            g, need = parts[i]
            if g is not None:  # its parts are bound by its own tests
                tests += g[0]
                uses.append(at(g[1], level))
            elif code[0].isidentifier():  # no effects: test and use it as it is
                if need:
                    tests.append(code[0])
                uses.append(code[0])
            elif need or any(p[1] for p in parts[i + 1:]):
                # bound even when it cannot be null, so it runs before the later tests
                t = keep or self.unit.temp()
                tests.append(f"({t} := {code[0]})")
                uses.append(t)
            else:
                uses.append(f"({keep} := {code[0]})" if keep else at(code, level))
                pure = False
        return tests, uses, pure

    def unless_null(self, code: Code, use: Callable[[str], str]) -> Code:
        """``use(value)`` for the value of ``code``, or null if that is null."""
        if code[0].isidentifier():
            return f"None if {code[0]} is None else {use(code[0])}", COND
        t = self.unit.temp()
        return f"None if ({t} := {code[0]}) is None else {use(t)}", COND

    def _literal(self, node: ast.Literal) -> Code:
        v = node.value
        if v is None or isinstance(v, bool):
            return repr(v), ATOM
        return self.unit.const(v), ATOM

    def _list(self, node: ast.ListLit) -> Code:
        code = "[" + ", ".join([self.code(i)[0] for i in node.items]) + "]"
        elem = self.infos[node].type.elem
        if elem is not None and elem.kind in ("list", "any"):  # lists in it: bounded
            return f"_nest({code}, {self.unit.site(self.typed, node)})", ATOM
        return code, ATOM

    def _member(self, node: ast.Member) -> Code:
        obj = self.code(node.obj)
        if self.infos[node].ref[:1] == ("pluck",):
            return f"_pluck({obj[0]}, {node.name!r})", ATOM
        if not self.infos[node.obj].nullable:
            return f"{at(obj, ATOM)}.get({node.name!r})", ATOM
        return self.unless_null(obj, lambda v: f"{v}.get({node.name!r})")

    def _index(self, node: ast.Index) -> Code:
        return f"_index({self.code(node.obj)[0]}, {self.code(node.index)[0]})", ATOM

    def _unary(self, node: ast.Unary) -> Code:
        operand = self.code(node.operand)
        if node.op == "not":
            return f"not {at(operand, NOT)}", NOT
        if not self.infos[node.operand].nullable:
            return f"-{at(operand, UNARY)}", UNARY
        return self.unless_null(operand, lambda v: f"-{v}")

    def _if(self, node: ast.If) -> Code:
        cond = at(self.truth(node.cond), OR)
        then, other = self.code(node.then), self.code(node.other)
        return f"{at(then, OR)} if {cond} else {other[0]}", COND

    def _name(self, node: ast.Name) -> Code:
        ref = self.infos[node].ref
        kind = ref[0] if ref else None
        if kind == "field":
            return f"d.get({node.name!r})", ATOM
        if kind == "row":
            depth = int(str(ref[1]))
            return f"{'r' if depth < self.typed.rows else f'_r{depth}'}.get({node.name!r})", \
                ATOM
        if kind == "param":
            return f"_p{ref[1]}", ATOM
        if kind == "let":
            self.uses_ctx = self.uses_lets = True
            return f"{self.unit.let_function(str(ref[1]))}(d, c, m)", ATOM
        return "None", ATOM  # an unresolved name (already reported) evaluates to null

    def truth(self, node: ast.Node) -> Code:
        """``node`` in a boolean place: null (or a non-boolean) counts as false."""
        code = self.code(node)
        info = self.infos[node]
        if info.nullable or info.type.kind != "bool":
            return f"{at(code, ADD)} is True", CMP
        return code

    def _binary(self, node: ast.Binary) -> Code:
        op = node.op
        if op == "or":
            one_of = self._one_of(node)
            if one_of is not None:
                return one_of
        if op in ("and", "or"):
            return self._chain(node)
        left, right = self.code(node.left), self.code(node.right)
        li, ri = self.infos[node.left], self.infos[node.right]
        kinds = (li.type.kind, ri.type.kind)
        if op in ("/", "%"):
            helper = "_div" if op == "/" else "_mod"
            return f"{helper}({left[0]}, {right[0]}, {self.unit.site(self.typed, node)})", ATOM
        if "date" in kinds:
            if kinds[0] != "date":
                return f"_date_add({right[0]}, {left[0]})", ATOM
            if op == "+":
                return f"_date_add({left[0]}, {right[0]})", ATOM
            minus = self.unless_null(right, lambda v: f"-{v}")[0] if ri.nullable \
                else f"-{at(right, UNARY)}"
            return f"_date_add({left[0]}, {minus})", ATOM
        if op == "+" and "number" not in kinds:  # texts (or unknown): a bounded join
            return f"_cat({left[0]}, {right[0]}, {self.unit.site(self.typed, node)})", ATOM
        level = _ARITHMETIC[op]
        tests, (a, b), pure = self._checked([(node.left, left, li.nullable, None, level),
                                             (node.right, right, ri.nullable, None, level + 1)])
        code = f"{a} {op} {b}"
        if not tests:
            return code, level
        if pure:  # a comparison or sum that uses it can test its parts instead
            self._guarded[node] = (tests, (code, level))
        nulls = " or ".join(f"{t} is None" for t in tests)
        return f"None if {nulls} else {code}", COND

    def _chain(self, node: ast.Binary) -> Code:
        """``a and b and c ...`` (or ``or``) as one flat Python ``and``: a loop along the
        chain, not a recursion per link, so a chain of thousands of terms compiles."""
        op = node.op
        links = [node]
        while type(links[-1].left) is ast.Binary and links[-1].left.op == op:
            links.append(links[-1].left)
        level = AND if op == "and" else OR
        first = links[-1].left
        constant = self._constant
        joined = self._one_of_prefix(links) if op == "or" else 0
        if joined:  # kind == "a" or kind == "b" or ...: the first terms as one set test
            one_of = self._one_of(links[-joined])
            assert one_of is not None
            terms, fixed = [at(one_of, level)], False
            links = links[:-joined]
        else:
            terms = [at(self.truth(first), level)]
            fixed = type(first) is ast.Literal or first in constant
        for link in reversed(links):
            terms.append(at(self.truth(link.right), level))
            # a link of constants is a constant (the whole chain folds in code())
            fixed = fixed and (type(link.right) is ast.Literal or link.right in constant)
            if fixed and link is not node:
                constant.add(link)
        return f" {op} ".join(terms), level

    def _one_of_prefix(self, links: list[ast.Binary]) -> int:
        """How many links of an ``or`` chain (from its first term) ``_one_of`` can join."""
        subject = _choice_test(links[-1].left)
        joined = 0
        for link in reversed(links):
            name = _choice_test(link.right)
            if subject is None or name is None or name.name != subject.name \
                    or self.infos[name].ref != self.infos[subject].ref:
                break
            joined += 1
        return joined

    def _one_of(self, node: ast.Binary) -> Code | None:
        """``kind == "retail" or kind == "catering"`` as ``kind in {...}``: the same
        value (a null is in no set, as it equals no literal), one test, less code."""
        parts: list[ast.Node] = []
        todo: list[ast.Node] = [node]
        while todo:
            part = todo.pop()
            if isinstance(part, ast.Binary) and part.op == "or":
                todo += (part.right, part.left)
            else:
                parts.append(part)
        subject: ast.Name | None = None
        values: list[Any] = []
        for part in parts:
            if not (isinstance(part, ast.Compare) and part.ops == ["=="]):
                return None
            left, right = part.operands
            if not (isinstance(left, ast.Name) and isinstance(right, ast.Literal)
                    and isinstance(right.value, str | Decimal)):
                return None
            subject = subject or left
            if left.name != subject.name or self.infos[left].ref != self.infos[subject].ref:
                return None
            values.append(right.value)
        assert subject is not None
        code = self.code(subject)
        return f"{at(code, ADD)} in {self.unit.const(frozenset(values))}", CMP

    def _compare(self, node: ast.Compare) -> Code:
        operands = node.operands
        if len(operands) == 2:
            return self._pair(node.ops[0], self.code(operands[0]), self.code(operands[1]),
                              self.infos[operands[0]], self.infos[operands[1]], operands)
        # A chain evaluates each middle operand once (like Python): bind it to a temp.
        codes: list[str] = []
        prev = self.code(operands[0])
        prev_info = self.infos[operands[0]]
        for i, op in enumerate(node.ops):
            right_node = operands[i + 1]
            right = self.code(right_node)
            keep = None
            if i + 1 < len(node.ops) and not right[0].isidentifier():
                keep = self.unit.temp()
            # (after the first pair, the left value is a temporary or a name: no node)
            codes.append(at(self._pair(op, prev, right, prev_info, self.infos[right_node],
                                        (operands[0] if i == 0 else None, right_node), keep),
                             AND))
            prev = (keep, ATOM) if keep else right
            prev_info = self.infos[right_node]
            if op in _ORDERING:  # got this far: the ordering found it not null
                prev_info = Info(prev_info.type, False, prev_info.ref)
        return " and ".join(codes), AND

    def _pair(self, op: str, left: Code, right: Code, li: Info, ri: Info,
              nodes: Sequence[ast.Node | None], keep: str | None = None) -> Code:
        """``left op right``; ``nodes``: the left (None when ``left`` is a temporary) and
        right nodes; ``keep``: the temporary the right value must be bound to."""
        left_node, right_node = nodes
        assert right_node is not None
        if op in ("==", "!="):
            return f"{at(left, ADD)} {op} {self._kept(right, keep)}", CMP
        if op in ("in", "not in"):
            code = self._membership(left, right, ri, nodes, keep)
            return (f"not {at(code, NOT)}", NOT) if op == "not in" else code
        tests, (a, b), _ = self._checked([(left_node, left, li.nullable, None, ADD),
                                          (right_node, right, ri.nullable, keep, ADD)])
        return self._and_tested(tests, f"{a} {op} {b}")

    @staticmethod
    def _kept(code: Code, keep: str | None) -> str:
        return f"({keep} := {code[0]})" if keep else at(code, ADD)

    @staticmethod
    def _and_tested(tests: list[str], code: str) -> Code:
        if not tests:
            return code, CMP
        return " is not None and ".join(tests) + f" is not None and {code}", AND

    def _membership(self, left: Code, right: Code, ri: Info,
                    nodes: Sequence[ast.Node | None], keep: str | None) -> Code:
        left_node, right_node = nodes
        if isinstance(right_node, ast.ListLit) and all(
                isinstance(i, ast.Literal) for i in right_node.items):
            values = frozenset(i.value for i in right_node.items
                               if isinstance(i, ast.Literal))
            found = f"{at(left, ADD)} in {self.unit.const(values)}"
            # A list of literals is folded to a constant, so a chain needs no temp for it.
            return (f"({keep} := {right[0]}) is not None and {found}", AND) if keep \
                else (found, CMP)
        if ri.type.kind == "text" or ri.type.kind == "any":
            tests, (a, b), _ = self._checked([(left_node, left, True, None, ADD),
                                              (right_node, right, True, keep, ADD)])
            return self._and_tested(tests, f"{a} in {b}")
        if not ri.nullable:
            return f"{at(left, ADD)} in {self._kept(right, keep)}", CMP
        if right[0].isidentifier() and not keep:
            return f"{right[0]} is not None and {at(left, ADD)} in {right[0]}", AND
        t = keep or self.unit.temp()
        return f"({t} := {right[0]}) is not None and {at(left, ADD)} in {t}", AND

    def _call(self, node: ast.Call) -> Code:
        ref = self.infos[node].ref
        if ref[:1] == ("call",):
            self.uses_ctx = self.uses_lets = True
            inst = self.unit.checker.instances[(str(ref[1]), ref[2])]  # type: ignore[index]
            args = ", ".join(["d", "c", "m", *(self.expr(a) for a in node.args)])
            return f"{self.unit.instance_function(inst)}({args})", ATOM
        if ref[:1] != ("builtin",):
            return "None", ATOM  # unknown function, already reported
        builtin = BUILTINS[node.name]
        if builtin.context:
            self.uses_ctx = True
        if builtin.emit is not None:
            code = builtin.emit(self, node)
            if code is not None:
                return code
        codes = [self.expr(a) for a in node.args]
        if builtin.context:
            codes.insert(0, "c")
        if builtin.faults:  # an EvalFault from it is placed at this call
            codes[:0] = [f"_B_{node.name}", str(self.unit.site(self.typed, node))]
            return f"_called({', '.join(codes)})", ATOM
        return f"_B_{node.name}({', '.join(codes)})", ATOM


def _choice_test(node: ast.Node) -> ast.Name | None:
    """The name of a ``name == literal`` test (what ``_one_of`` joins), else None."""
    if isinstance(node, ast.Compare) and node.ops == ["=="]:
        left, right = node.operands
        if isinstance(left, ast.Name) and isinstance(right, ast.Literal) \
                and isinstance(right.value, str | Decimal):
            return left
    return None


# The emitter of each kind of node (a table: faster than a chain of isinstance tests).
_EMITTERS: dict[type[ast.Node], Callable[[Gen, Any], Code]] = {
    ast.Literal: Gen._literal, ast.Name: Gen._name, ast.ListLit: Gen._list,
    ast.Member: Gen._member, ast.Index: Gen._index, ast.Call: Gen._call,
    ast.Unary: Gen._unary, ast.Binary: Gen._binary, ast.Compare: Gen._compare,
    ast.If: Gen._if,
}
