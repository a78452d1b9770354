"""What `pip install formkit` puts on a machine: the package list, the wheel, the engine's imports.

The engine installs without the studio's dependencies (streamlit, ruamel.yaml, pypinyin); they
come only with the ``[studio]`` extra, and importing the engine must not reach for them.
"""

from __future__ import annotations

import email.parser
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STUDIO_ONLY = ("streamlit", "ruamel.yaml", "pypinyin")
# Folder in the repo -> import name in the wheel (pyproject's package-dir).
PACKAGE_ROOTS = {"formkit": "formkit", "studio": "formkit_studio"}


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def _packages_on_disk(root: Path) -> set[str]:
    """Every folder with an ``__init__.py`` under formkit/ and studio/, by its import name."""
    found = set()
    for folder, name in PACKAGE_ROOTS.items():
        for init in (root / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(root / folder)
            found.add(".".join((name, *rel.parts)))
    return found


def test_package_list_names_every_subpackage() -> None:
    setuptools_cfg = _pyproject()["tool"]["setuptools"]  # type: ignore[index]
    assert setuptools_cfg["package-dir"] == {"formkit_studio": "studio"}
    listed = setuptools_cfg["packages"]
    assert len(listed) == len(set(listed)), "a package is listed twice"
    # A subpackage missing from the list would be left out of the wheel, silently.
    assert set(listed) == _packages_on_disk(ROOT)


# ---------------------------------------------------------------------------- the wheel


def _setuptools_builds_wheels() -> bool:
    """Whether this venv's setuptools can build a wheel by itself (no isolated build env)."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major, minor = (int(part) for part in re.findall(r"\d+", version)[:2])
    # bdist_wheel is part of setuptools from 70.1; before, it comes with the wheel package.
    if (major, minor) >= (70, 1):
        return True
    try:
        importlib.metadata.version("wheel")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def _copy_source(dest: Path) -> Path:
    """The files a build reads, plus tests/ (which must stay out), copied to ``dest``.

    Building in the repo itself would leave build/ and formkit.egg-info there, and a stale
    build/lib puts modules deleted since into the next wheel.
    """
    src = dest / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "setup.py", "setup.cfg", "MANIFEST.in"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "output")
    for name in (*PACKAGE_ROOTS, "tests"):
        shutil.copytree(ROOT / name, src / name, ignore=skip)
    return src


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the built wheel, the source copy it was built from)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = _copy_source(tmp)
    out = tmp / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out)]
    offline = _setuptools_builds_wheels()
    if offline:
        cmd.append("--no-build-isolation")
    had_build = (ROOT / "build").exists()
    done = subprocess.run([*cmd, str(src)], capture_output=True, text=True, timeout=180,
                          cwd=tmp)
    assert (ROOT / "build").exists() == had_build, "the wheel build wrote build/ in the repo"
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if not offline and re.search(r"Could not find a version|No matching distribution|"
                                     r"Failed to establish a new connection", output):
            pytest.skip("no setuptools>=70.1 in this venv and no package index to fetch one "
                        "for an isolated build: " + output.strip().splitlines()[-1])
        pytest.fail(f"building the wheel failed:\n{output}")
    wheels = list(out.glob("formkit-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0], src


def test_wheel_holds_the_engine_the_studio_and_their_data(wheel: tuple[Path, Path]) -> None:
    path, src = wheel
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
    for must in ("formkit/dsl/grammar.lark", "formkit/py.typed", "formkit/__init__.py",
                 "formkit/cases/migrations/0001_initial.sql",
                 "formkit/cases/migrations/0002_audit_lanes.sql",
                 "formkit_studio/__init__.py", "formkit_studio/app.py",
                 "formkit_studio/views/__init__.py",
                 "formkit_studio/docs/authoring.md"):  # the editor's authoring guide
        assert must in names, must
    views = sorted((src / "studio" / "views").glob("*.py"))
    assert len(views) > 1
    for view in views:
        assert f"formkit_studio/views/{view.name}" in names, view.name
    # Every module of the two folders, no more (no tests, no leftovers of an earlier build).
    expected = {
        "/".join((PACKAGE_ROOTS[py.relative_to(src).parts[0]],
                  *py.relative_to(src).parts[1:]))
        for folder in PACKAGE_ROOTS
        for py in (src / folder).rglob("*.py")
    }
    assert {n for n in names if n.endswith(".py")} == expected
    assert not [n for n in names if n.startswith("tests/") or "/tests/" in n]
    tops = {n.split("/", 1)[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"formkit", "formkit_studio"}


def test_wheel_metadata_keeps_the_studio_dependencies_in_the_extra(
    wheel: tuple[Path, Path],
) -> None:
    path, _ = wheel
    with zipfile.ZipFile(path) as zf:
        [meta_name] = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    assert "studio" in meta.get_all("Provides-Extra", [])
    requires = meta.get_all("Requires-Dist", [])

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    for dep in STUDIO_ONLY:
        lines = [r for r in requires if norm(re.match(r"[A-Za-z0-9._-]+", r)[0]) == norm(dep)]
        assert lines, f"{dep} is not in the studio extra"
        for line in lines:
            marker = line.partition(";")[2].strip()
            # the API's sign-in and search are the studio's helpers: the same two libraries
            allowed = {'extra == "studio"'} | ({'extra == "api"'} if dep != "streamlit"
                                               else set())
            assert marker in allowed, line
    # the HTTP API's server comes with the [api] extra only
    assert "api" in meta.get_all("Provides-Extra", [])
    for dep in ("fastapi", "uvicorn"):
        lines = [r for r in requires if norm(re.match(r"[A-Za-z0-9._-]+", r)[0]) == dep]
        assert lines and all(r.partition(";")[2].strip() == 'extra == "api"'
                             for r in lines), lines
    # the PostgreSQL store's driver comes with the [postgres] extra only
    assert "postgres" in meta.get_all("Provides-Extra", [])
    pg = [r for r in requires if norm(re.match(r"[A-Za-z0-9._-]+", r)[0]) == "psycopg"]
    assert pg and all(r.partition(";")[2].strip() == 'extra == "postgres"' for r in pg), pg


# ---------------------------------------------------------------------------- imports

_IMPORT_PROBE = """
import contextlib, io, json, sys
import formkit, formkit.cli, formkit.intake.precheck, formkit.cases.tinystore
import formkit.cases.stores
from formkit.cli import main
codes = {}
for argv in (["validate", ROOT + "/definitions"],
             ["precheck", "XX-CA-0001", "--data", DATA, "--catalog", ROOT + "/definitions"]):
    with contextlib.redirect_stdout(io.StringIO()):
        codes[argv[0]] = main(argv)
bad = ("streamlit", "ruamel", "pypinyin", "psycopg", "psycopg_pool", "fastapi", "uvicorn",
       "starlette")
print(json.dumps({"codes": codes,
                  "leaked": sorted(m for m in sys.modules if m.split(".")[0] in bad)}))
"""


def test_engine_and_cli_do_not_import_the_studio_dependencies(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text('{"fields": {}, "materials": []}', encoding="utf-8")
    code = f"ROOT = {str(ROOT)!r}\nDATA = {str(data)!r}\n" + _IMPORT_PROBE
    # A fresh interpreter: this test process may have imported anything already.
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == {"validate": 0, "precheck": 0}
    assert result["leaked"] == []
