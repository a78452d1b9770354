"""Mutated sample definitions through ``formkit.open_catalog`` and ``formkit validate``.

A copy of ``definitions/`` and ``rules/`` is made once; each case rewrites one file with
lines deleted, duplicated or replaced, types flipped, huge numbers, deep nesting or odd
Unicode (``tests/fuzz/harness.py``), loads the copy, and puts the file back.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import formkit
from tests.fuzz.harness import (
    DEFINITIONS,
    RULES,
    YAML_TEXTS,
    call_problem,
    cli_problem,
    timed,
    yaml_mutations,
)

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("fuzz-site")
    shutil.copytree(DEFINITIONS, base / "definitions")
    shutil.copytree(RULES, base / "rules")
    yield base / "definitions"


@SETTINGS
@given(yaml_mutations())
def test_a_mutated_definition_loads_or_is_reported(site: Path, mutation: tuple[str, str]) -> None:
    rel, text = mutation
    path = site / rel
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        problem, _ = timed(lambda: call_problem(lambda: _loaded(site)))
        assert problem is None, f"open_catalog, {rel} mutated: {problem}"
        problem, _ = timed(lambda: cli_problem(["validate", str(site), "--json"]))
        assert problem is None, f"formkit validate, {rel} mutated: {problem}"
    finally:
        path.write_text(YAML_TEXTS[rel], encoding="utf-8")


def _loaded(site: Path) -> None:
    opened = formkit.open_catalog(site)
    for err in opened.errors:
        assert err.span is None or err.span.line is None or err.span.line >= 1, err.render()
