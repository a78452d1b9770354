"""The field-level diff of two matter versions, as the publish page shows it."""

from __future__ import annotations

from pathlib import Path

from formkit.authoring.diff import change_rows, diff_matters
from formkit.authoring.steps import set_in
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Matter

TEXT = (Path(__file__).resolve().parents[2] / "definitions" / "market_supervision"
        / "individual_business_registration.yaml").read_text(encoding="utf-8")


def _matter(text: str) -> Matter:
    matter, doc = load_matter_text(text, "m.yaml")
    assert matter is not None, doc.errors
    return matter


def _row(section: str, item: str, what: str, attr: str, before: str, after: str
         ) -> dict[str, str]:
    return {"部分 Section": section, "项目 Item": item, "变化 Change": what,
            "属性 Attribute": attr, "原来 Before": before, "现在 After": after}


def test_a_label_change_is_one_row() -> None:
    new = set_in(TEXT, ("form", 0, "label", "zh"), "申请人身份")
    assert change_rows(diff_matters(_matter(TEXT), _matter(new))) == [
        _row("字段 Field", "applicant_role", "修改 changed", "label", "申请方式", "申请人身份")]


def test_booleans_read_as_yaml_and_the_time_limit_has_a_heading() -> None:
    new = set_in(TEXT, ("materials", 0, "tolerable"), True)
    new = set_in(new, ("time_limit", "committed_days"), 2)
    rows = change_rows(diff_matters(_matter(TEXT), _matter(new)))
    assert _row("时限 Time limit", "", "修改 changed", "committed_days", "1", "2") in rows
    assert _row("材料 Material", "application_form", "修改 changed", "tolerable", "false",
                "true") in rows
