"""The package's layout: imports run down the pipeline, never up (docs/architecture.md).

Every ``import`` in ``formkit/`` (module level or inside a function) is read from
the source; a module may import its own unit and the units of lower layers only.
The engine never imports the studio, and the studio's libraries stay where the
``studio`` extra is assumed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ARCHITECTURE = ROOT / "docs" / "architecture.md"


def documented_layers() -> list[set[str]]:
    """The numbered list under "Which way imports go", lowest first: units a line."""
    text = ARCHITECTURE.read_text(encoding="utf-8").split("## Which way imports go", 1)[1]
    return [set(re.findall(r"`([\w.]+)`", line.split(":")[0]))
            for line in re.findall(r"^\d+\. (.+)$", text, re.M)]


def documented_tree() -> set[str]:
    """The files the tree drawing in docs/architecture.md names, as repo paths."""
    block = ARCHITECTURE.read_text(encoding="utf-8").split("```", 2)[1]
    folders: list[tuple[int, str]] = []
    found = set()
    for line in block.splitlines():
        words = line.split()
        if not words:
            continue
        depth = len(line) - len(line.lstrip(" "))
        name = words[0]
        if name.endswith("/"):
            folders = [(d, f) for d, f in folders if d < depth] + [(depth, name)]
        elif re.fullmatch(r"[\w.]+\.(py|lark)", name):
            parents = [f for d, f in folders if d < depth]
            found.add("".join(parents) + name)
    return found


# Lowest first. Units in one layer may not import each other.
LAYERS = documented_layers()
RANK = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}
# Third-party packages that only the studio extra installs, and who may use them.
EXTRAS = {"streamlit": set(), "ruamel": {"authoring"}, "pypinyin": {"desk"}}


def unit_of(module: str) -> str:
    """``formkit.intake.forms`` -> ``intake``; ``formkit.calendar`` -> ``calendar``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def is_upward(module: str, target: str) -> bool:
    """True when ``module`` may not import ``target``: a higher or sibling unit."""
    source_unit, target_unit = unit_of(module), unit_of(target)
    return source_unit != target_unit and RANK[target_unit] >= RANK[source_unit]


def imports() -> Iterator[tuple[str, int, str]]:
    """(importing module, line, imported module) for every import in formkit/."""
    for path in sorted((ROOT / "formkit").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield module, node.lineno, alias.name
            elif isinstance(node, ast.ImportFrom) and node.level > 0:
                yield module, node.lineno, "." * node.level + (node.module or "")
            elif isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "formkit":  # from formkit import identifiers
                    for alias in node.names:
                        yield module, node.lineno, f"formkit.{alias.name}"
                else:
                    yield module, node.lineno, node.module


def test_the_documented_layers_are_read() -> None:
    assert LAYERS[0] == {"errors"} and LAYERS[-2] == {"cli"} and LAYERS[-3] == {"api"}
    assert {"authoring", "desk", "documents"} in LAYERS


def test_the_tree_drawing_names_every_module() -> None:
    files = {str(p.relative_to(ROOT)) for top in ("formkit", "studio")
             for p in (ROOT / top).rglob("*") if p.suffix in (".py", ".lark")}
    # A subpackage's __init__ is its folder's line; the package's own is listed.
    files = {f for f in files if not f.endswith("/__init__.py") or f == "formkit/__init__.py"}
    assert documented_tree() == files


def test_imports_are_absolute() -> None:
    relative = [f"{m}:{line}" for m, line, target in imports() if target.startswith(".")]
    assert relative == []


def test_every_unit_has_a_layer() -> None:
    units = {unit_of(m) for m, _, _ in imports()}
    assert units - set(RANK) == set()


def test_imports_run_down_the_pipeline() -> None:
    upward = []
    for module, line, target in imports():
        if target.startswith("formkit.") and is_upward(module, target):
            upward.append(f"{module}:{line} imports {target}")
    assert upward == []


def test_the_engine_never_imports_the_studio() -> None:
    found = [f"{m}:{line} imports {t}" for m, line, t in imports()
             if t.split(".")[0] in ("formkit_studio", "studio")]
    assert found == []


@pytest.mark.parametrize("package", sorted(EXTRAS))
def test_studio_libraries_stay_in_their_units(package: str) -> None:
    found = [f"{m}:{line} imports {t}" for m, line, t in imports()
             if t.split(".")[0] == package and unit_of(m) not in EXTRAS[package]]
    assert found == []


@pytest.mark.parametrize(("module", "target", "wrong"), [
    # The check above is only as good as this rule: an upward import is caught ...
    ("formkit.definitions.loader", "formkit.intake.forms", True),
    ("formkit.authoring.steps", "formkit.desk.search", True),  # siblings
    ("formkit.errors", "formkit.calendar", True),
    # ... and a downward or same-unit one is not.
    ("formkit.intake.forms", "formkit.definitions.model", False),
    ("formkit.cli.main", "formkit.cases.tinystore", False),
    ("formkit.dsl.checker", "formkit.dsl.builtins", False),
])
def test_the_rule_itself(module: str, target: str, wrong: bool) -> None:
    assert is_upward(module, target) is wrong
