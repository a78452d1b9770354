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

import datetime as dt
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any, Protocol

from formkit.dsl import ast
from formkit.dsl.builtins import BUILTINS, MAX_SIZE, EvalFault, fault_error, too_large
from formkit.dsl.checker import Checker, Instance, Typed
from formkit.dsl.codegen import Gen
from formkit.errors import EvaluationError, FormkitError, SourceSpan

__all__ = ["EvalContext", "Program", "Unit", "call", "failure"]


class EvalContext:
    """What an evaluation may consult: today's date and the working-day calendar.

    The built-ins that read it (``today``, the working-day and ID functions) say so
    in their ``Builtin`` entry; the calendar is the official one unless given.

    ``lets`` holds the values of ``let:`` values, library values and library function
    calls computed so far, so that each is computed once however often it is named
    (``b2: b1 + b1``). Outside ``remembering()`` it is ``None`` and each program run
    remembers them for that run alone; inside, every program run with this context
    shares them, so the answers must not change meanwhile (or call ``forget()``).
    """

    __slots__ = ("calendar", "lets", "provisional", "today")

    def __init__(self, today: dt.date | None = None, calendar: Any = None) -> None:
        self.today = today or dt.date.today()
        self.calendar = calendar
        self.provisional = False  # set when a working-day count used unofficial data
        self.lets: dict[Any, Any] | None = None

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """One evaluation over one answer set (a form state, a pre-check): the programs
        run inside share the values of lets; the previous memory is back after."""
        saved, self.lets = self.lets, {}
        try:
            yield
        finally:
            self.lets = saved

    def forget(self) -> None:
        """The answers changed inside ``remembering()``: what was computed is stale."""
        if self.lets:
            self.lets.clear()


@dataclass(slots=True)
class _Site:
    typed: Typed
    node: ast.Node


class Program(Protocol):
    """A compiled expression: call it with the answers, a context and (in a repeat) a row.

    It is the generated function itself: no wrapper frame and no ``try`` of its own
    (a ``try`` is most of the ``compile()`` cost of a small expression). A fault
    inside it escapes as the Python exception; run it with ``call()``, which turns
    that into the ``FormkitError`` placed at the offending node (``failure``).
    """

    def __call__(self, env: dict[str, Any], ctx: EvalContext | None = None,
                 row: dict[str, Any] | None = None) -> Any: ...


class _Meta:
    """What a program's failures are mapped with: the checked tree and the fault sites."""

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


def failure(program: Program, exc: Exception) -> FormkitError:
    """The FormkitError that ``exc``, raised by calling ``program``, is reported as.

    ``call`` uses it; an exception no rule or answer can cause (a bug in formkit) is
    raised again as itself.
    """
    meta = getattr(program, "formkit_meta", None)
    error = meta.error(exc) if isinstance(meta, _Meta) else exc
    if isinstance(error, FormkitError):
        return error
    raise exc


def call(program: Program, env: dict[str, Any], ctx: EvalContext | None = None,
         row: dict[str, Any] | None = None) -> Any:
    """``program(env, ctx, row)``, its faults raised as FormkitErrors: the one way
    formkit runs a program (callers catch ``FormkitError``, never ``Exception``)."""
    try:
        return program(env, ctx, row)
    except Exception as exc:
        raise failure(program, exc) from None


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
    # The range on the Decimal, before int(): int() of 1e999999 would take half a minute.
    # (Whole first: a NaN is not, and ordering a NaN raises.)
    if xs is None or i is None or i != i.to_integral_value() or not 0 <= i < len(xs):
        return None
    return xs[int(i)]


def _cat(a: Any, b: Any, site: int) -> Any:
    """``a + b`` where the values may be texts: a text is at most ``MAX_SIZE`` long."""
    if a is None or b is None:
        return None
    if type(a) is str and type(b) is str and len(a) + len(b) > MAX_SIZE:
        raise too_large(True, len(a) + len(b), site)
    return a + b


def _nest(xs: list[Any], site: int) -> list[Any]:
    """A list built of lists: at most ``MAX_SIZE`` items, counting the items of the lists
    in it (lists of lists of a let chain double at every step, and printing or comparing
    them walks every item). The walk stops as soon as the bound is passed."""
    left = MAX_SIZE - len(xs)
    todo = [x for x in xs if type(x) is list]
    while todo:
        x = todo.pop()
        left -= len(x)
        if left < 0:
            raise too_large(False, MAX_SIZE - left, site)
        todo += [y for y in x if type(y) is list]
    return xs


def _pluck(xs: Any, name: str) -> Any:
    if xs is None:
        return None
    return [r.get(name) if isinstance(r, dict) else None for r in xs]


def _whole(n: Decimal, what: str) -> int:
    if n != n.to_integral_value():
        raise EvalFault(f"{what} must be a whole number of days, not {n}")
    if abs(n) > 36500:
        raise EvalFault(f"{what} is too large ({n} days)")
    return int(n)


def _date_add(d: Any, n: Any) -> Any:
    """``date + number`` (and ``date - number``) of calendar days."""
    if d is None or n is None:
        return None
    try:
        return d + dt.timedelta(days=_whole(n, "the number added to a date"))
    except OverflowError:
        raise EvalFault("the date is out of range") from None


def _called(fn: Callable[..., Any], site: int, *args: Any) -> Any:
    try:
        return fn(*args)
    except EvalFault as fault:
        fault.node = site
        raise


# Argument types whose values are hashable (a library function's call can be kept by
# its arguments); lists and groups are not, and "any" may be either.
_HASHABLE = frozenset({"number", "text", "date", "bool", "null"})


# What generated code can name besides its unit's own constants and functions: the
# builtins of every unit's namespace, shared (a unit's own namespace stays small). The
# operators' helpers, and each built-in function's implementation as _B_<name>.
_HELPERS: dict[str, Any] = {
    "_div": _div, "_mod": _mod, "_index": _index, "_pluck": _pluck, "_date_add": _date_add,
    "_cat": _cat, "_nest": _nest,
    "_called": _called, "_EvalContext": EvalContext,
    **{f"_B_{name}": b.impl for name, b in BUILTINS.items() if b.impl is not None},
}


class Unit:
    """Everything compiled for one scope (a matter): lets, functions and expressions."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.ns: dict[str, Any] = {"__builtins__": _HELPERS}
        self.lines: list[str] = []
        self.sites: list[_Site] = []
        self.errors: list[FormkitError] = []
        self._consts: dict[tuple[type, Any], str] = {}
        self.fixed: set[str] = set()  # names of constants that are not null
        self._temps = 0
        self._lets_done: set[str] = set()
        self._let_names: dict[str, str] = {}
        self._insts_done: set[int] = set()
        # Functions still to generate: queued, not generated on the spot, so a long chain
        # of lets does not become a deep Python recursion here.
        self._pending: list[tuple[str, Typed, str, str | None]] = []
        self._programs: list[tuple[str, _Meta]] = []

    def add(self, typed: Typed) -> int:
        """Queue an expression; returns its index in ``build()``'s result."""
        index = len(self._programs)
        name = f"_e{index}"
        self._programs.append((name, _Meta(typed, self.sites)))
        gen = Gen(self, typed)
        body = gen.expr(typed.root)
        # Python's compile() is most of a program's cost: keep the function small (the
        # default context only when the body reads it, no try (see Program), the
        # defaults None set by build(), one line per statement).
        prologue = " if c is None: c = _EvalContext()\n" if gen.uses_ctx else ""
        if gen.uses_lets:  # the lets' memory: this run's own, or the evaluation's
            prologue += " m = {} if c.lets is None else c.lets\n"
        self.lines.append(f"def {name}(d, c, r):\n{prologue} return {body}")
        while self._pending:
            self._function(*self._pending.pop())
        return len(self._programs) - 1

    def build(self) -> list[Program]:
        """Compile the queued expressions (with the lets and functions they use)."""
        source = "\n".join(self.lines) + "\n"
        if self.checker.errors:
            with warnings.catch_warnings():
                # Python's hints about the generated code (a type-checked-away "1 is True"
                # in a tree with errors) mean nothing to a rule author: keep them off
                # stderr. A checked tree has no such code, and is spared the cost.
                warnings.simplefilter("ignore", SyntaxWarning)
                code = compile(source, "<formkit rules>", "exec")
        else:
            code = compile(source, "<formkit rules>", "exec")
        exec(code, self.ns)  # the source holds no user text: see the module docstring
        programs = []
        for name, meta in self._programs:
            program = self.ns[name]
            program.__defaults__ = (None, None)  # program(env), program(env, ctx)
            program.formkit_meta = meta  # for failure()
            programs.append(program)
        return programs

    # ---- code generation

    def _function(self, name: str, typed: Typed, params: str, key: str | None) -> None:
        body = Gen(self, typed).expr(typed.root)
        if key is None:
            self.lines.append(f"def {name}({params}):\n    return {body}")
            return
        # Computed once per evaluation: ``m`` itself marks "not yet" (no value is ``m``).
        self.lines.append(f"def {name}({params}):\n    k = {key}\n    v = m.get(k, m)\n"
                          f"    if v is m: v = m[k] = {body}\n    return v")

    def const(self, value: Any) -> str:
        """The name of a constant holding ``value`` (one name per equal hashable value)."""
        key = (type(value), id(value) if isinstance(value, list | dict) else value)
        try:
            name = self._consts.get(key)
            hashable = True
        except TypeError:  # unhashable: a name of its own
            name, hashable = None, False
        if name is not None:
            return name
        name = f"_k{len(self.ns)}"
        self.ns[name] = value
        if value is not None:
            self.fixed.add(name)
        if hashable:
            self._consts[key] = name
        return name

    def temp(self) -> str:
        self._temps += 1
        return f"_t{self._temps}"

    def site(self, typed: Typed, node: ast.Node) -> int:
        self.sites.append(_Site(typed, node))
        return len(self.sites) - 1

    def let_function(self, key: str) -> str:
        """The function of a let or library value, called as ``name(d, c, m)``: its value
        is computed once and kept in ``m`` (see ``EvalContext.lets``), under its key
        (``L:name`` or ``B:name``), which every unit of the same checker shares."""
        name = self._let_names.setdefault(key, f"_L{len(self._let_names)}")
        if key not in self._lets_done:
            self._lets_done.add(key)
            typed = self.checker.let_typed.get(key)
            if typed is None:
                self.lines.append(f"def {name}(d, c, m):\n    return None")
            else:
                self._pending.append((name, typed, "d, c, m", repr(key)))
        return name

    def instance_function(self, inst: Instance) -> str:
        """The function of a library function for one tuple of argument types, called as
        ``name(d, c, m, args...)``. A call is kept in ``m`` by its arguments, when their
        types are hashable values: a function that calls another twice with the same
        arguments costs one call, not twice the calls below it."""
        name = f"_F{inst.index}"
        if inst.index not in self._insts_done:
            self._insts_done.add(inst.index)
            params = ", ".join(f"_p{i}" for i in range(len(inst.params)))
            if inst.typed is None:  # pragma: no cover - instances are always checked
                self.lines.append(f"def {name}(d, c, m, {params}):\n    return None")
            else:
                key = None
                if all(p.kind in _HASHABLE for p in inst.params):
                    key = f"({inst.index!r}, {params},)" if params else repr(inst.index)
                self._pending.append((name, inst.typed, f"d, c, m, {params}" if params
                                      else "d, c, m", key))
        return name

