"""Compile checked trees to Python functions.

The Python source is generated from the *checked tree only*: names and texts
from the user appear in it solely as ``repr()`` literals or as numbered
constants, never as code. One module is compiled per unit (a matter), so a
catalog costs one ``compile()`` per matter. Constants are folded, literal lists
used with ``in`` become frozensets, regular expressions and dates are built
once, and null checks are emitted only where the checker says a value may be
null.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any, Protocol

from formkit.dsl import ast
from formkit.dsl.checker import Checker, Info, Instance, Typed
from formkit.dsl.functions import BUILTINS, EvalFault, compile_regex, date_add
from formkit.errors import EvaluationError, FormkitError, LimitError, SourceSpan

__all__ = ["EvalContext", "Program", "Unit"]

MAX_WORKDAY_SPAN = 7305  # 20 years of calendar days
_CONTEXT_FUNCTIONS = {"today", "add_workdays", "workdays_between", "valid_id_number",
                      "id_birthdate", "id_gender"}
_IMPURE = _CONTEXT_FUNCTIONS | {"count", "any", "all"}


class EvalContext:
    """What an evaluation may consult: today's date and the working-day calendar."""

    __slots__ = ("calendar", "provisional", "today")

    def __init__(self, today: dt.date | None = None, calendar: Any = None) -> None:
        self.today = today or dt.date.today()
        self.calendar = calendar
        self.provisional = False  # set when a working-day count used unofficial data

    def _cal(self) -> Any:
        if self.calendar is None:
            from formkit.calendar import WorkCalendar

            self.calendar = WorkCalendar()
        return self.calendar

    def add_workdays(self, d: Any, n: Any) -> Any:
        """The n-th working day after d (null in, null out)."""
        if d is None or n is None:
            return None
        if n != n.to_integral_value() or not 0 <= n <= 3650:
            raise EvalFault(f"add_workdays needs a whole number of days from 0 to 3650, not {n}")
        try:
            result = self._cal().add_workdays(d, int(n))
        except (ValueError, OverflowError) as exc:
            raise EvalFault(f"add_workdays: {exc}") from None
        self.provisional = self.provisional or result.provisional
        return result.value

    def workdays_between(self, a: Any, b: Any) -> Any:
        """Working days after a, up to and including b."""
        if a is None or b is None:
            return None
        if (b - a).days > MAX_WORKDAY_SPAN:
            # Counted day by day: bound the cost, as add_workdays bounds its n.
            raise EvalFault(f"workdays_between: the dates are more than {MAX_WORKDAY_SPAN} "
                            "days apart", hint="working days are for time limits; use "
                            "days_between for long periods", limit=True, code="too-costly")
        result = self._cal().workdays_between(a, b)
        self.provisional = self.provisional or result.provisional
        return Decimal(result.value)


@dataclass(slots=True)
class _Site:
    typed: Typed
    node: ast.Node


class Program(Protocol):
    """A compiled expression: call it with the answers, a context and (in a repeat) a row.

    It is the generated function itself (no wrapper frame on the hot path); a
    fault inside it is raised as a FormkitError placed at the offending node.
    """

    def __call__(self, env: dict[str, Any], ctx: EvalContext | None = None,
                 row: dict[str, Any] | None = None) -> Any: ...


class _Meta:
    """What a program's error handler needs: the checked tree and the fault sites."""

    __slots__ = ("sites", "text", "typed")

    def __init__(self, typed: Typed, sites: list[_Site]) -> None:
        self.typed = typed
        self.sites = sites
        self.text = typed.source.text

    def error(self, exc: Exception) -> Exception:
        """The FormkitError an exception inside the generated code is reported as."""
        if isinstance(exc, FormkitError):
            return exc
        if isinstance(exc, EvalFault):
            site = self.sites[exc.node] if 0 <= exc.node < len(self.sites) else None
            return fault_error(exc, self._span(site))
        if isinstance(exc, DecimalException | OverflowError | RecursionError | MemoryError):
            return EvaluationError(f"the calculation failed ({type(exc).__name__})",
                                   self._span(None), code="evaluation")
        if isinstance(exc, TypeError | AttributeError | KeyError | IndexError | ValueError):
            # Answers whose runtime type does not match the form (a text where a number
            # was declared): a clear error, never a traceback.
            return EvaluationError(f"a value does not have the type the rule expects "
                                   f"({type(exc).__name__}: {exc})", self._span(None),
                                   hint="check that each answer has its field's type",
                                   code="bad-value")
        return exc  # a bug in formkit: let it surface as itself

    def _span(self, site: _Site | None) -> SourceSpan:
        if site is None:
            return self.typed.source.span(0, len(self.text))
        return site.typed.source.span(site.node.start, site.node.end)


def fault_error(fault: EvalFault, span: SourceSpan) -> FormkitError:
    """The error a runtime fault is reported as: a limit, or an evaluation error."""
    if fault.limit:
        return LimitError(fault.message, span, hint=fault.hint, code=fault.code)
    return EvaluationError(fault.message, span, hint=fault.hint, code=fault.code)


def _div(a: Any, b: Any, site: int) -> Any:
    if a is None or b is None:
        return None
    if not b:
        raise EvalFault("division by zero", site)
    return a / b


def _mod(a: Any, b: Any, site: int) -> Any:
    if a is None or b is None:
        return None
    if not b:
        raise EvalFault("division by zero", site)
    return a % b


def _index(xs: Any, i: Any) -> Any:
    if xs is None or i is None or i != i.to_integral_value():
        return None
    j = int(i)
    return xs[j] if 0 <= j < len(xs) else None


def _pluck(xs: Any, name: str) -> Any:
    if xs is None:
        return None
    return [r.get(name) if isinstance(r, dict) else None for r in xs]


def _called(fn: Callable[..., Any], site: int, *args: Any) -> Any:
    try:
        return fn(*args)
    except EvalFault as fault:
        fault.node = site
        raise


_HELPERS: dict[str, Any] = {
    "_div": _div, "_mod": _mod, "_index": _index, "_pluck": _pluck, "_date_add": date_add,
    "_called": _called, "_Decimal": Decimal, "_EvalContext": EvalContext,
    **{f"_B_{name}": b.impl for name, b in BUILTINS.items()},
}
_FAULTING = {"round", "matches", "date", "add_workdays", "min", "max"}


class Unit:
    """Everything compiled for one scope (a matter): lets, functions and expressions."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.ns: dict[str, Any] = {"__builtins__": {"any": any, "all": all, "sum": sum,
                                                    "Exception": Exception,
                                                    "len": len}, **_HELPERS}
        self.lines: list[str] = []
        self.sites: list[_Site] = []
        self.errors: list[FormkitError] = []
        self._consts: dict[tuple[type, Any], str] = {}
        self._temps = 0
        self._lets_done: set[str] = set()
        self._let_names: dict[str, str] = {}
        self._insts_done: set[int] = set()
        # Functions still to generate: queued, not generated on the spot, so a long chain
        # of lets does not become a deep Python recursion here.
        self._pending: list[tuple[str, Typed, str]] = []
        self._programs: list[tuple[str, Typed, list[_Site]]] = []

    def add(self, typed: Typed) -> int:
        """Queue an expression; returns its index in ``build()``'s result."""
        index = len(self._programs)
        name = f"_e{index}"
        self._programs.append((name, typed, []))
        self.ns[f"_M{index}"] = _Meta(typed, self.sites)
        body = _Gen(self, typed).expr(typed.root)
        self.lines.append(
            f"def {name}(d, c=None, r=None):\n"
            f"    if c is None:\n        c = _EvalContext()\n"
            f"    try:\n        return {body}\n"
            f"    except Exception as _x:\n        raise _M{index}.error(_x) from None")
        while self._pending:
            self._function(*self._pending.pop())
        return len(self._programs) - 1

    def build(self) -> list[Program]:
        """Compile the queued expressions (with the lets and functions they use)."""
        source = "\n".join(self.lines) + "\n"
        with warnings.catch_warnings():
            # Python's hints about the generated code (a type-checked-away "1 is True" in
            # a tree with errors) mean nothing to a rule author: keep them off stderr.
            warnings.simplefilter("ignore", SyntaxWarning)
            code = compile(source, "<formkit rules>", "exec")
        exec(code, self.ns)  # the source holds no user text: see the module docstring
        return [self.ns[name] for name, _, _ in self._programs]

    # ---- code generation

    def _function(self, name: str, typed: Typed, params: str) -> None:
        body = _Gen(self, typed).expr(typed.root)
        self.lines.append(f"def {name}({params}):\n    return {body}")

    def const(self, value: Any) -> str:
        key = (type(value), value if not isinstance(value, list | dict) else id(value))
        try:
            if key in self._consts:
                return self._consts[key]
        except TypeError:
            pass
        name = f"_k{len(self.ns)}"
        self.ns[name] = value
        with contextlib.suppress(TypeError):
            self._consts[key] = name
        return name

    def temp(self) -> str:
        self._temps += 1
        return f"_t{self._temps}"

    def site(self, typed: Typed, node: ast.Node) -> int:
        self.sites.append(_Site(typed, node))
        return len(self.sites) - 1

    def let_function(self, key: str) -> str:
        name = self._let_names.setdefault(key, f"_L{len(self._let_names)}")
        if key not in self._lets_done:
            self._lets_done.add(key)
            typed = self.checker.let_typed.get(key)
            if typed is None:
                self.lines.append(f"def {name}(d, c):\n    return None")
            else:
                self._pending.append((name, typed, "d, c, r=None"))
        return name

    def instance_function(self, inst: Instance) -> str:
        name = f"_F{inst.index}"
        if inst.index not in self._insts_done:
            self._insts_done.add(inst.index)
            params = ", ".join(f"_p{i}" for i in range(len(inst.params)))
            if inst.typed is None:  # pragma: no cover - instances are always checked
                self.lines.append(f"def {name}(d, c, {params}):\n    return None")
            else:
                self._pending.append((name, inst.typed, f"d, c, {params}" if params else "d, c"))
        return name


class _Gen:
    def __init__(self, unit: Unit, typed: Typed) -> None:
        self.unit = unit
        self.typed = typed

    def info(self, node: ast.Node) -> Info:
        return self.typed.info[node]

    def expr(self, node: ast.Node) -> str:
        if not isinstance(node, ast.Literal | ast.Name) and self._constant(node):
            folded = self._fold(node)
            if folded is not None:
                return folded
        return self._emit(node)

    def _constant(self, node: ast.Node) -> bool:
        for n in ast.walk(node):
            if isinstance(n, ast.Name | ast.Member | ast.Index):
                return False
            if isinstance(n, ast.Call) and (n.name in _IMPURE or n.name not in BUILTINS
                                            or self.info(n).ref[:1] != ("builtin",)):
                return False
        return True

    def _fold(self, node: ast.Node) -> str | None:
        code = self._emit(node)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                value = eval(code, self.unit.ns, {"d": {}, "c": None, "r": None})
        except EvalFault as fault:
            # date("2026-02-30"), round(1, 20): unless the checker reported it already
            if isinstance(node, ast.Call) and node not in self.unit.checker.flagged:
                self.unit.errors.append(fault_error(
                    fault, self.typed.source.span(node.start, node.end)))
            return None
        except Exception:  # e.g. a tree with type errors: leave the failure to runtime
            return None
        return self.unit.const(value)

    def _emit(self, node: ast.Node) -> str:
        if isinstance(node, ast.Literal):
            v = node.value
            if v is None or isinstance(v, bool):
                return repr(v)
            return self.unit.const(v)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.ListLit):
            return "[" + ", ".join(self.expr(i) for i in node.items) + "]"
        if isinstance(node, ast.Member):
            obj = self.expr(node.obj)
            ref = self.info(node).ref
            if ref[:1] == ("pluck",):
                return f"_pluck({obj}, {node.name!r})"
            if not self.info(node.obj).nullable:
                return f"{obj}.get({node.name!r})"
            t = self.unit.temp()
            return f"(None if ({t} := {obj}) is None else {t}.get({node.name!r}))"
        if isinstance(node, ast.Index):
            return f"_index({self.expr(node.obj)}, {self.expr(node.index)})"
        if isinstance(node, ast.Unary):
            operand = self.expr(node.operand)
            if node.op == "not":
                return f"(not {operand})"
            if not self.info(node.operand).nullable:
                return f"(-{operand})"
            t = self.unit.temp()
            return f"(None if ({t} := {operand}) is None else -{t})"
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.If):
            cond = self._truth(node.cond)
            return f"({self.expr(node.then)} if {cond} else {self.expr(node.other)})"
        if isinstance(node, ast.Call):
            return self._call(node)
        raise AssertionError(node)  # pragma: no cover

    def _name(self, node: ast.Name) -> str:
        ref = self.info(node).ref
        kind = ref[0] if ref else None
        if kind == "field":
            return f"d.get({node.name!r})"
        if kind == "row":
            depth = int(str(ref[1]))
            return f"{'r' if depth < self.typed.rows else f'_r{depth}'}.get({node.name!r})"
        if kind == "param":
            return f"_p{ref[1]}"
        if kind == "let":
            return f"{self.unit.let_function(str(ref[1]))}(d, c)"
        return "None"  # an unresolved name (already reported) evaluates to null

    def _truth(self, node: ast.Node) -> str:
        code = self.expr(node)
        info = self.info(node)
        if info.nullable or info.type.kind != "bool":
            return f"({code} is True)"
        return code

    def _binary(self, node: ast.Binary) -> str:
        if node.op in ("and", "or"):
            return f"({self._truth(node.left)} {node.op} {self._truth(node.right)})"
        left, right = self.expr(node.left), self.expr(node.right)
        li, ri = self.info(node.left), self.info(node.right)
        kinds = (li.type.kind, ri.type.kind)
        if node.op in ("/", "%"):
            helper = "_div" if node.op == "/" else "_mod"
            return f"{helper}({left}, {right}, {self.unit.site(self.typed, node)})"
        if "date" in kinds:
            if kinds[0] == "date":
                sign = "" if node.op == "+" else "-"
                return f"_date_add({left}, {sign}{right})" if sign == "" else \
                    f"_date_add({left}, (None if ({(t := self.unit.temp())} := {right}) " \
                    f"is None else -{t}))"
            return f"_date_add({right}, {left})"
        if not li.nullable and not ri.nullable:
            return f"({left} {node.op} {right})"
        a, b = self.unit.temp(), self.unit.temp()
        return (f"(None if ({a} := {left}) is None or ({b} := {right}) is None "
                f"else {a} {node.op} {b})")

    def _compare(self, node: ast.Compare) -> str:
        operands = node.operands
        if len(operands) == 2:
            return self._pair(node.ops[0], self.expr(operands[0]), self.expr(operands[1]),
                              self.info(operands[0]), self.info(operands[1]), operands[1])
        # A chain evaluates each middle operand once (like Python): bind it to a temp.
        codes: list[str] = []
        prev = self.expr(operands[0])
        for i, op in enumerate(node.ops):
            right_node = operands[i + 1]
            right = self.expr(right_node)
            if i + 1 < len(node.ops):
                t = self.unit.temp()
                codes.append(self._pair(op, prev, f"({t} := {right})", self.info(operands[i]),
                                        self.info(right_node), right_node))
                prev = t
            else:
                codes.append(self._pair(op, prev, right, self.info(operands[i]),
                                        self.info(right_node), right_node))
        return "(" + " and ".join(codes) + ")"

    def _pair(self, op: str, left: str, right: str, li: Info, ri: Info,
              right_node: ast.Node) -> str:
        if op in ("==", "!="):
            return f"({left} {op} {right})"
        if op in ("in", "not in"):
            code = self._membership(left, right, li, ri, right_node)
            return f"(not {code})" if op == "not in" else code
        if not li.nullable and not ri.nullable:
            return f"({left} {op} {right})"
        a, b = self.unit.temp(), self.unit.temp()
        return (f"(({a} := {left}) is not None and ({b} := {right}) is not None "
                f"and {a} {op} {b})")

    def _membership(self, left: str, right: str, li: Info, ri: Info,
                    right_node: ast.Node) -> str:
        if isinstance(right_node, ast.ListLit) and all(
                isinstance(i, ast.Literal) for i in right_node.items):
            values = frozenset(i.value for i in right_node.items
                               if isinstance(i, ast.Literal))
            return f"({left} in {self.unit.const(values)})"
        if ri.type.kind == "text" or ri.type.kind == "any":
            a, b = self.unit.temp(), self.unit.temp()
            return (f"(({a} := {left}) is not None and ({b} := {right}) is not None "
                    f"and {a} in {b})")
        if not ri.nullable:
            return f"({left} in {right})"
        t = self.unit.temp()
        return f"(({t} := {right}) is not None and {left} in {t})"

    def _call(self, node: ast.Call) -> str:
        ref = self.info(node).ref
        if ref[:1] == ("call",):
            inst = self.unit.checker.instances[(str(ref[1]), ref[2])]  # type: ignore[index]
            args = ", ".join(["d", "c", *(self.expr(a) for a in node.args)])
            return f"{self.unit.instance_function(inst)}({args})"
        if ref[:1] != ("builtin",):
            return "None"  # unknown function, already reported
        name = node.name
        if name == "today":
            return "c.today"
        if name in ("count", "any", "all"):
            return self._rows(node)
        if name == "matches" and isinstance(node.args[1], ast.Literal) \
                and isinstance(node.args[1].value, str):
            try:
                regex = self.unit.const(compile_regex(node.args[1].value))
            except EvalFault as fault:
                if node.args[1] not in self.unit.checker.flagged:
                    self.unit.errors.append(fault_error(fault, self.typed.source.span(
                        node.args[1].start, node.args[1].end)))
                return "None"
            t = self.unit.temp()
            subject = self.expr(node.args[0])
            return f"(None if ({t} := {subject}) is None else {regex}.search({t}) is not None)"
        codes = [self.expr(a) for a in node.args]
        args = ", ".join(codes)
        if name in ("add_workdays", "workdays_between"):
            site = self.unit.site(self.typed, node)
            return f"_called(c.{name}, {site}, {args})"
        if name == "valid_id_number":
            t = self.unit.temp()
            return (f"(({t} := {codes[0]}) is not None and "
                    f"_B_valid_id_number_at({t}, c.today))")
        if name in ("id_birthdate", "id_gender"):
            # Valid means valid on the evaluation's today, as for valid_id_number.
            t = self.unit.temp()
            return f"(None if ({t} := {codes[0]}) is None else _B_{name}_at({t}, c.today))"
        if name in _FAULTING:
            site = self.unit.site(self.typed, node)
            return f"_called(_B_{name}, {site}, {args})"
        return f"_B_{name}({args})"

    def _rows(self, node: ast.Call) -> str:
        depth = int(str(self.info(node).ref[2]))
        var = f"_r{depth}"
        rows = self.expr(node.args[0])
        cond = self._truth(node.args[1])
        if node.name == "count":
            return f"_Decimal(sum(1 for {var} in ({rows} or ()) if {cond}))"
        return f"{node.name}({cond} for {var} in ({rows} or ()))"


def _valid_id_at(text: Any, today: dt.date) -> bool:
    from formkit.identifiers import valid_id_number

    return bool(valid_id_number(text, today))


def _id_birthdate_at(text: Any, today: dt.date) -> dt.date | None:
    if not _valid_id_at(text, today):
        return None
    return dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))


def _id_gender_at(text: Any, today: dt.date) -> str | None:
    if not _valid_id_at(text, today):
        return None
    return "M" if int(text[16]) % 2 == 1 else "F"


_HELPERS["_B_valid_id_number_at"] = _valid_id_at
_HELPERS["_B_id_birthdate_at"] = _id_birthdate_at
_HELPERS["_B_id_gender_at"] = _id_gender_at
