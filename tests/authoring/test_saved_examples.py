"""Examples saved from the preview (formkit.authoring.saved_examples)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from formkit.authoring.drafts import check_draft
from formkit.authoring.saved_examples import add_example, example_entry
from formkit.catalog import open_catalog
from formkit.dsl.compiler import EvalContext
from formkit.errors import EditError
from formkit.intake.examples import run_examples
from formkit.intake.forms import form_state
from formkit.intake.precheck import run_precheck

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "definitions" / "market_supervision" / "individual_business_registration.yaml"
        ).read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 25)


def test_example_from_the_preview_passes_when_run(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    root = tmp_path / "definitions"
    file = root / "market_supervision" / "individual_business_registration.yaml"
    check, opened = check_draft(root, file, TEXT)
    assert check.rules is not None
    answers = {"applicant_role": "operator", "premises": "rented", "floor_area": "abc",
               "operator": {"name": "张伟", "id_number": "445321199003071230",
                            "mobile": "13800138000", "is_public_servant": False}}
    materials = [{"id": "application_form"}, {"id": "operator_id", "form": "copy"}]
    calendar = opened.work_calendar()
    state, _ = form_state(check.rules, answers, ctx=EvalContext(TODAY, calendar))
    result = run_precheck(check.rules, {"fields": answers, "materials": materials},
                          today=TODAY, calendar=calendar)
    entry = example_entry("rented shop, area typed wrong", TODAY, state.values, answers,
                          materials, result)
    assert entry["fields"]["floor_area"] == "abc"  # the raw text where the value did not read
    assert "business_name" not in entry["fields"]  # empty answers are left out
    assert entry["expect"]["outcome"] == "incomplete"
    text = add_example(TEXT, entry)
    assert text.startswith(TEXT.rstrip("\n"))  # appended; nothing above it moved
    with pytest.raises(EditError):
        add_example(text, entry)  # the same name twice
    file.write_text(text, encoding="utf-8")
    report = run_examples(open_catalog(root), codes=["XX-MS-0001"])
    assert (report.passed, report.failed) == (8, 0), report.failures
