"""The API load bench's pure parts: its mix, the next step it takes on a case, the
moved-back copies it preloads. The bench itself is run by hand (bench/README.md): it
is not a timed test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "load_bench_api.py"


@pytest.fixture(scope="module")
def lb() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_bench_api", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    path = list(sys.path)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path  # the bench puts bench/ first for its own imports
    return module


def test_mix_is_whole(lb: ModuleType) -> None:
    assert sum(lb.MIX.values()) == pytest.approx(1.0)
    assert set(lb.MIX) == {"precheck", "create", "action", "lookup", "monitor"}


@pytest.mark.parametrize(("case", "step"), [
    ({"state": "received"}, None),
    ({"state": "accepted"}, ("start_review", "")),
    ({"state": "in_review", "step": 0, "route": [["fire_rescue.a", "ecology.b"]],
      "signed": [{"fire_rescue.a": "back-001"}]}, ("sign_off", "ecology.b")),
    ({"state": "in_review", "step": 1, "route": [["ecology.b"]], "signed": [{}],
      "tolerated": [{"id": "lease", "supplied_on": None}]}, ("supply", "lease")),
    ({"state": "in_review", "step": 1, "route": [["ecology.b"]], "signed": [{}],
      "tolerated": [{"id": "lease", "supplied_on": "2026-12-01"}]}, ("approve", "")),
    ({"state": "approved"}, ("issue", "")),
    ({"state": "issued"}, None),
])
def test_next_step(lb: ModuleType, case: dict, step: tuple[str, str] | None) -> None:
    assert lb.next_step(case) == step


def test_moved_back(lb: ModuleType) -> None:
    case = {"number": "FK2026120700042", "received_on": "2026-12-07", "state": "issued"}
    old = lb.moved_back(case, 3)
    assert old == {"number": "FK2023120700042", "received_on": "2023-12-07",
                   "state": "issued"}
    assert case["number"] == "FK2026120700042"  # a copy


def test_schema_url_and_percentile(lb: ModuleType) -> None:
    assert lb.with_schema("postgresql://u:p@h/db", "lb").endswith(
        "/db?options=-csearch_path%3Dlb")
    assert lb.pct([3.0, 1.0, 2.0], 50) == 2.0
    assert lb.pct([], 99) == 0.0
