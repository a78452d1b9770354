"""The shipped sample catalog is valid and as rich as a real county centre's."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from formkit.catalog import OpenCatalog, open_catalog
from formkit.cli import main
from formkit.definitions.model import Expr, FieldType, Matter

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def opened() -> OpenCatalog:
    return open_catalog(ROOT / "definitions")


def test_validate_json_says_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "definitions"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True, doc["errors"][:3]
    assert doc["errors"] == []
    assert doc["matters"] >= 15


def test_size_and_spread(opened: OpenCatalog) -> None:
    assert opened.catalog is not None
    assert len(opened.catalog.departments) >= 8
    assert all(d.sections for d in opened.catalog.departments)
    assert len(opened.matters) >= 15
    assert len({m.department for m in opened.matters.values()}) >= 6


def test_every_matter_has_three_examples_and_bilingual_names(opened: OpenCatalog) -> None:
    for matter in opened.matters.values():
        assert len(matter.tests) >= 3, matter.code
        assert matter.name.en, matter.code


def _fields(matter: Matter) -> list[FieldType]:
    out: list[FieldType] = []
    stack = list(matter.form)
    while stack:
        f = stack.pop()
        out.append(f.type)
        stack.extend(f.fields or [])
    return out


def test_features_a_real_guide_needs_are_all_exercised(opened: OpenCatalog) -> None:
    matters = list(opened.matters.values())
    materials = [mat for m in matters for mat in m.materials]
    kinds = Counter(t for m in matters for t in _fields(m))
    assert any(mat.tolerable for mat in materials), "容缺 materials"
    assert any(mat.source == "government" for mat in materials), "fetched materials"
    assert {mat.form for mat in materials} >= {"original", "copy"}
    assert any(mat.copies > 1 for mat in materials)
    assert any(not isinstance(mat.required, bool) for mat in materials), "conditional"
    assert kinds[FieldType.repeat] >= 2 and kinds[FieldType.group] >= 1
    assert kinds[FieldType.choice] >= 1 and kinds[FieldType.multichoice] >= 1
    assert any(c.refuse for m in matters for c in m.checks)
    assert any(c.warn for m in matters for c in m.checks)
    assert any(len(step.step) > 1 for m in matters for step in m.route), "parallel units"
    assert any(len(m.route) > 1 for m in matters), "multi-step route"
    assert any(not isinstance(step.when, bool) for m in matters for step in m.route)
    assert any(m.time_limit.unit == "calendar_days" for m in matters)
    assert any(m.time_limit.committed_days == 0 for m in matters), "即办件"
    assert any(m.let for m in matters) and any(m.uses for m in matters)
    assert any(isinstance(m.fee, Expr) for m in matters), "fee as an expression"
