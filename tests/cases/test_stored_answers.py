"""A case keeps its answers as the pre-check saw them: typed, hidden ones left out, so
that a stored case fits its own matter's JSON Schema (issue #16, item 7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]

from formkit.intake.schema import matter_schema
from tests.cases.support import Clock, example, materials_of, rules, service, version

MS = "XX-MS-0001"


def test_answers_are_stored_typed_and_hidden_ones_dropped(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2026, 11, 25, 9))
    svc = service(tmp_path, clock)
    ex = example(MS, "operator in person, owned shop")
    # what a browser form sends: a number as text, the hidden agent group and an empty
    # row of the hidden family members
    fields = {**ex.fields, "floor_area": "35", "agent": {}, "family_members": [{}]}
    case = svc.receive(rules(MS), version(MS), fields, materials_of(ex), actor="clerk")
    assert case.state == "accepted"
    stored = svc.store.get(case.number)
    assert stored is not None
    answers = stored["fields"]
    assert answers["floor_area"] == 35
    assert "agent" not in answers and "family_members" not in answers
    validator = jsonschema.Draft202012Validator(matter_schema(rules(MS).matter))
    assert [e.message for e in validator.iter_errors(answers)] == []
    # and the raw answers would not have fitted
    assert list(validator.iter_errors(fields))
    # the stored answers pre-check as the received ones did
    assert svc.precheck(case, rules(MS)).outcome == "accept"
