"""Every stable error code formkit raises is in docs/errors.md, and every code there is raised.

The codes are read from the source, not from a list kept by hand: an AST walk over
``formkit/`` finds

- every ``code=`` keyword whose value is a string (``code="unknown-case"``, also inside
  ``label or "syntax"`` or a conditional);
- the helpers that pass their ``code`` parameter on to an error (``checker._error``,
  ``crosscheck.err``, ``EvalFault``), the codes given to them positionally, and their
  default;
- the class-level default of every error class (its ``default_code``, else its kind)
  wherever that class is built without a code.

A code that is not a literal where it is given is "dynamic": each such expression is
listed in ``DYNAMIC`` with where its codes come from, and a new one fails the test until
it is listed (and its codes, if new, are documented).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import formkit.errors
from formkit.dsl.parser import SYNTAX_ERRORS
from formkit.errors import FormkitError, FormkitErrors

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "formkit"
DOC = ROOT / "docs" / "errors.md"


def _passed_on() -> set[str]:
    """A code taken from an error (or fault) already made: it was counted where it was
    given."""
    return set()


# the code expression -> the codes it can give
DYNAMIC: dict[str, Callable[[], set[str]]] = {
    # dsl/parser.py: a syntax error's code is the label of the SYNTAX_ERRORS row it
    # matched, else "syntax"
    "label or 'syntax'": lambda: set(SYNTAX_ERRORS) | {"syntax"},
    # errors.py: FormkitErrors stands for its first error (None only when it is empty:
    # then the kind's default, "definition", also given elsewhere)
    "first.code if first is not None else None": _passed_on,
    # cases/tinystore.py: the store's "was saved, but ..." keeps the code of the error
    # it wraps
    "exc.code": _passed_on,
    # dsl/builtins.py: a runtime fault becomes an EvaluationError or a LimitError with the
    # fault's code; dsl/checker.py: the same for a fault met while folding constants
    "fault.code": _passed_on,
    # a cached parse error placed again in the file of the expression
    "hit.code": _passed_on,
}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text("utf-8"))


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _passes_code_on(func: ast.FunctionDef) -> bool:
    """Whether ``func`` hands its ``code`` parameter to an error (``code=code``) or keeps
    it as the code (``self.code = code``)."""
    if "code" not in [a.arg for a in func.args.args + func.args.kwonlyargs]:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.keyword) and node.arg == "code" \
                and isinstance(node.value, ast.Name) and node.value.id == "code":
            return True
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) \
                and node.value.id == "code" \
                and any(isinstance(t, ast.Attribute) and t.attr == "code" for t in node.targets):
            return True
    return False


class _Carrier:
    """A helper whose ``code`` parameter becomes an error's code."""

    def __init__(self, module: str, func: ast.FunctionDef, name: str, method: bool) -> None:
        self.module = module
        self.name = name
        params = [a.arg for a in func.args.posonlyargs + func.args.args][1 if method else 0:]
        self.index = params.index("code") if "code" in params else None
        defaults = dict(zip(reversed([a.arg for a in func.args.posonlyargs + func.args.args]),
                            reversed(func.args.defaults), strict=False))
        defaults.update((a.arg, d) for a, d in zip(func.args.kwonlyargs,
                                                   func.args.kw_defaults, strict=True) if d)
        default = defaults.get("code")
        self.default = default.value if isinstance(default, ast.Constant) else None
        self.is_class = func.name == "__init__"


def _carriers(modules: list[tuple[str, ast.Module]]) -> list[_Carrier]:
    out = []
    for module, tree in modules:
        for node in ast.walk(tree):
            body = node.body if isinstance(node, ast.ClassDef) else []
            for func in body:
                if isinstance(func, ast.FunctionDef) and _passes_code_on(func) \
                        and module != "formkit/errors.py":  # the classes: below
                    name = node.name if func.name == "__init__" else func.name
                    out.append(_Carrier(module, func, name, method=True))
            if isinstance(node, ast.FunctionDef) and _passes_code_on(node) \
                    and not any(node in getattr(c, "body", []) for c in ast.walk(tree)
                                if isinstance(c, ast.ClassDef)):
                out.append(_Carrier(module, node, node.name, method=False))
    return out


def _error_classes() -> dict[str, type[FormkitError]]:
    return {name: cls for name in formkit.errors.__all__
            if isinstance(cls := getattr(formkit.errors, name), type)
            and issubclass(cls, FormkitError) and cls is not FormkitErrors}


def _literals(expr: ast.expr) -> tuple[set[str], bool]:
    """The string codes ``expr`` can give, and whether it can give anything else."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}, False
    if isinstance(expr, ast.BoolOp):
        parts = [_literals(v) for v in expr.values]
        return set().union(*(p[0] for p in parts)), any(p[1] for p in parts)
    if isinstance(expr, ast.IfExp):
        (a, da), (b, db) = _literals(expr.body), _literals(expr.orelse)
        return a | b, da or db
    return set(), True


def codes_in_source() -> tuple[set[str], set[str]]:
    """Every code formkit can raise, and the dynamic code expressions met."""
    modules = list(_modules())
    carriers = _carriers(modules)
    classes = _error_classes()
    codes: set[str] = set()
    dynamic: set[str] = set()
    forwarding = {(c.module, c.name) for c in carriers}

    def given(module: str, expr: ast.expr, inside: str | None) -> None:
        found, other = _literals(expr)
        codes.update(found)
        if other and not (isinstance(expr, ast.Name) and expr.id == "code"
                          and (module, inside) in forwarding):
            dynamic.add(ast.unparse(expr))

    for module, tree in modules:
        enclosing: dict[ast.AST, str] = {}
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef):
                for node in ast.walk(func):
                    enclosing[node] = func.name
            if isinstance(func, ast.ClassDef):
                for f in func.body:
                    if isinstance(f, ast.FunctionDef) and f.name == "__init__":
                        for node in ast.walk(f):
                            enclosing[node] = func.name
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            name = _name(call.func)
            keyword = next((k for k in call.keywords if k.arg == "code"), None)
            carrier = next((c for c in carriers if c.name == name
                            and (c.is_class or c.module == module)), None)
            if keyword is not None:
                if isinstance(keyword.value, ast.Constant) and keyword.value.value is None:
                    keyword = None  # code=None: the default
                else:
                    given(module, keyword.value, enclosing.get(call))
                    continue
            if carrier is not None:
                if carrier.index is not None and len(call.args) > carrier.index:
                    given(module, call.args[carrier.index], enclosing.get(call))
                elif carrier.default is not None:
                    codes.add(carrier.default)
            elif name in classes and not any(k.arg is None for k in call.keywords):
                cls = classes[name]
                codes.add(cls.default_code or cls.kind)  # built without a code
    return codes, dynamic


def codes_in_doc() -> set[str]:
    """The first column of the table of codes in docs/errors.md."""
    rows = re.findall(r"^\| `([a-z][a-z0-9-]*)` \|", DOC.read_text("utf-8"), re.MULTILINE)
    assert len(rows) == len(set(rows)), "a code is listed twice"
    return set(rows)


def test_every_dynamic_code_place_is_known() -> None:
    _, dynamic = codes_in_source()
    assert dynamic == set(DYNAMIC), "list the new place in DYNAMIC with its codes"


def test_every_code_raised_is_documented_and_every_documented_code_is_raised() -> None:
    codes, _ = codes_in_source()
    for resolve in DYNAMIC.values():
        codes |= resolve()
    documented = codes_in_doc()
    assert sorted(codes - documented) == [], "add these codes to docs/errors.md"
    assert sorted(documented - codes) == [], "docs/errors.md lists codes formkit never raises"


def test_the_walk_finds_each_way_a_code_is_given() -> None:
    # keep the collector honest: one code of each kind of place it must see
    codes, _ = codes_in_source()
    assert "unknown-case" in codes  # code= on an error class (cases/store.py)
    assert "unknown-department" in codes  # positionally to crosscheck's err helper
    assert "too-costly" in codes  # code= on EvalFault
    assert "illegal-transition" in codes  # the class default of IllegalTransition
    assert "empty" in codes  # code= on a RuleSyntaxError in the parser
