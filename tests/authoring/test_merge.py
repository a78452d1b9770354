"""The three-way difference and merge of a draft begun before another publication
(formkit.authoring.diff.three_way, merge_texts)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from formkit.authoring.diff import merge_texts, three_way
from formkit.authoring.steps import add_item, remove_item, set_in
from formkit.definitions.loader import load_matter_text
from formkit.definitions.model import Matter

ROOT = Path(__file__).resolve().parents[2]
BASE = (ROOT / "definitions" / "market_supervision" /
        "individual_business_registration.yaml").read_text(encoding="utf-8")
LABEL = ("form", 0, "label", "zh")  # applicant_role's label


def matter(text: str) -> Matter:
    loaded, doc = load_matter_text(text, "m.yaml")
    assert loaded is not None, doc.errors
    return loaded


def changed(old: str, new: str) -> list[str]:
    """The lines of ``new`` that differ from ``old``."""
    return [ln[2:] for ln in difflib.ndiff(old.splitlines(), new.splitlines())
            if ln.startswith("+ ")]


def test_changes_of_both_sides_to_different_places_are_both_kept() -> None:
    theirs = set_in(BASE, ("max_visits",), 0)
    mine = set_in(BASE, LABEL, "申请人身份")
    merged = merge_texts(BASE, theirs, mine)
    assert merged.conflicts == []
    # Only the two changed lines differ from the base: every other line keeps its layout.
    assert changed(BASE, merged.text) == ["max_visits: 0",
                                          "    label: {zh: 申请人身份, en: Who applies}"]


@pytest.mark.parametrize(("choice", "expected"), [
    (None, "max_visits: 0"),  # by default the published value stands
    ("theirs", "max_visits: 0"),
    ("mine", "max_visits: 2"),
])
def test_a_value_both_changed_is_the_editors_choice(choice: str | None,
                                                    expected: str) -> None:
    theirs, mine = set_in(BASE, ("max_visits",), 0), set_in(BASE, ("max_visits",), 2)
    merged = merge_texts(BASE, theirs, mine, {"max_visits": choice} if choice else None)
    assert [(c.path, c.base, c.theirs, c.mine) for c in merged.conflicts] == [
        ("max_visits", "1", "0", "2")]
    assert expected in merged.text.splitlines()


def test_items_are_matched_by_id_wherever_they_moved() -> None:
    # Theirs removes a material; mine adds one and edits a field inside a group.
    ids = [m["id"] for m in yaml.safe_load(BASE)["materials"]]
    theirs = remove_item(BASE, ("materials",), ids.index("lease_contract"))
    mine = add_item(BASE, ("materials",), {"id": "seal", "name": {"zh": "印章", "en": "Seal"},
                                        "form": "original", "copies": 1})
    mine = set_in(mine, ("form", 1, "fields", 0, "label", "zh"), "经营者")
    merged = merge_texts(BASE, theirs, mine)
    assert merged.conflicts == []
    result = matter(merged.text)
    assert [m.id for m in result.materials] == [i for i in ids if i != "lease_contract"] + [
        "seal"]
    assert result.form[1].fields is not None and result.form[1].fields[0].label.zh == "经营者"


def test_an_item_one_side_removed_and_the_other_changed_is_a_conflict() -> None:
    ids = [m["id"] for m in yaml.safe_load(BASE)["materials"]]
    at = ids.index("lease_contract")
    theirs = remove_item(BASE, ("materials",), at)
    mine = set_in(BASE, ("materials", at, "copies"), 2)
    merged = merge_texts(BASE, theirs, mine)
    assert [c.path for c in merged.conflicts] == ["materials[lease_contract]"]
    assert merged.conflicts[0].theirs == "—"
    assert "lease_contract" not in [m.id for m in matter(merged.text).materials]
    kept = merge_texts(BASE, theirs, mine, {"materials[lease_contract]": "mine"})
    assert [m.copies for m in matter(kept.text).materials if m.id == "lease_contract"] == [2]


def test_a_matter_both_created_is_one_choice() -> None:
    other = BASE.replace("fee: 0", "fee: 5")
    merged = merge_texts(None, BASE, other)
    assert [c.path for c in merged.conflicts] == [""]
    assert merged.text == BASE
    assert merge_texts(None, BASE, other, {"": "mine"}).text == other
    assert merge_texts(None, BASE, BASE).conflicts == []


def test_the_three_way_difference_says_who_changed_what() -> None:
    theirs = set_in(set_in(BASE, ("max_visits",), 0), ("fee",), 5)
    mine = set_in(set_in(BASE, ("max_visits",), 2), LABEL, "申请人身份")
    mine = set_in(mine, ("fee",), 5)
    rows = {(r.section, r.item, r.attr): r for r in three_way(matter(BASE), matter(theirs),
                                                               matter(mine))}
    assert {k: r.side for k, r in rows.items()} == {
        ("basic", "", "max_visits"): "both",
        ("basic", "", "fee"): "same",
        ("field", "applicant_role", "label"): "mine"}
    visits = rows[("basic", "", "max_visits")]
    assert (visits.base, visits.theirs and visits.theirs.after,
            visits.mine and visits.mine.after) == ("1", "0", "2")


def test_a_change_to_an_item_the_other_side_removed_counts_as_both() -> None:
    ids = [m["id"] for m in yaml.safe_load(BASE)["materials"]]
    at = ids.index("lease_contract")
    theirs = remove_item(BASE, ("materials",), at)
    mine = set_in(BASE, ("materials", at, "copies"), 2)
    sides = {(r.item, r.attr): r.side for r in three_way(matter(BASE), matter(theirs),
                                                          matter(mine))}
    assert sides == {("lease_contract", ""): "theirs", ("lease_contract", "copies"): "both"}
