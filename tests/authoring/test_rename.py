"""Renaming and deleting a field with its uses (formkit.authoring.references, .renaming)."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path
from typing import Any

import pytest

from formkit.authoring.drafts import check_draft, load_yaml
from formkit.authoring.references import field_uses
from formkit.authoring.renaming import delete_field, rename_field
from formkit.authoring.steps import field_rows, get_in
from formkit.catalog import open_catalog
from formkit.dsl.library import libraries_from_texts
from formkit.errors import EditError

ROOT = Path(__file__).resolve().parents[2]
DEFS = ROOT / "definitions"
IBR = DEFS / "market_supervision" / "individual_business_registration.yaml"
COMPANY = DEFS / "market_supervision" / "company_establishment.yaml"
DRAFT = DEFS / "market_supervision" / "xx-ms-0900.yaml"

# A small matter that names its fields every way the language allows.
SHOP = """\
# 店铺登记（测试用）
code: "XX-MS-0900"
name: {zh: 店铺登记, en: Shop registration}
department: market_supervision
kind: administrative_licensing
time_limit: {statutory_days: 10, committed_days: 5}
fee: 'if area > 100 then 50 else 0'   # 面积大的收费
let:
  big: area > 100
  who: owner
  note: '"area" + owner.name'          # a text that says area is not the field
  share_total: sum(partners.share)
form:
  - {id: area, type: number, label: {zh: 面积}, constraint: area > 0}
  - {id: area_unit, type: text, label: {zh: 面积单位}}
  - id: owner
    type: group
    label: {zh: 经营者}
    fields:
      - {id: name, type: text, label: {zh: 姓名}}
      - {id: mobile, type: mobile, label: {zh: 手机}, required: 'who.name != ""'}
  - id: partners
    type: repeat
    label: {zh: 合伙人}
    fields:
      - {id: name, type: text, label: {zh: 姓名}}
      - {id: share, type: number, label: {zh: 份额}, constraint: share > 0 and area > 0}
      - {id: note_text, type: text, label: {zh: 说明}, visible: 'name != "" and share > 1'}
materials:
  - {id: floor_plan, name: {zh: 平面图}, required: 'big and count(partners, share > 50) > 0'}
checks:
  - when: partners[0].name == owner.name and area_unit == "mu"
    warn: {zh: 请核实}
route:
  - step: [market_supervision.registration]
    when: any(partners, name == owner.name)
tests:
  - name: a shop
    fields: {area: 20, owner: {name: 张三,
                               mobile: "13800138000"},
             partners: [{name: 李四, share: 60}, {name: 王五, share: 40}]}
    expect: {outcome: accept, field_errors: ["partners[1].share", area]}
"""


def changed(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines removed from ``old`` and lines added in ``new``."""
    diff = list(difflib.ndiff(old.splitlines(), new.splitlines()))
    return [x[2:] for x in diff if x.startswith("- ")], [x[2:] for x in diff if x.startswith("+ ")]


def errors_of(text: str, file: Path = DRAFT) -> list[str]:
    """The draft's errors in its own file (a bundle filling its fields reports a renamed
    one gone in the bundle's file: see the last test)."""
    check, _ = check_draft(DEFS, file, text)
    return [e.render() for e in check.errors if e.span is None or e.span.file == str(file)]


def test_the_test_matter_is_clean() -> None:
    assert errors_of(SHOP) == []


# ---- finding uses


@pytest.mark.parametrize(("path", "where"), [
    # the fee, a let, the field's own constraint, a row's constraint, a check, examples;
    # not `area_unit`, not the text "area" in `note`
    ("area", [("fee",), ("let", "big"), ("form", 0, "constraint"),
              ("form", 3, "fields", 1, "constraint"), ("tests", 0, "fields", "area"),
              ("tests", 0, "expect", "field_errors", 1)]),
    # a row field: bare inside its repeat and in count/any, dotted outside (pluck, index)
    ("partners.share", [("let", "share_total"), ("form", 3, "fields", 1, "constraint"),
                        ("form", 3, "fields", 2, "visible"), ("materials", 0, "required"),
                        ("tests", 0, "fields", "partners", 0, "share"),
                        ("tests", 0, "fields", "partners", 1, "share"),
                        ("tests", 0, "expect", "field_errors", 0)]),
    # through the let `who`, and dotted; the partners' own `name` is another field
    ("owner.name", [("let", "note"), ("form", 2, "fields", 1, "required"),
                    ("checks", 0, "when"), ("route", 0, "when"),
                    ("tests", 0, "fields", "owner", "name")]),
])
def test_field_uses_are_found_by_meaning(path: str, where: list[tuple[Any, ...]]) -> None:
    uses = field_uses(SHOP, path, inside=False)
    assert sorted({u.loc for u in uses.uses}, key=str) == sorted(where, key=str)
    assert uses.unread == () and uses.libraries == ()


def test_uses_inside_a_group_count_for_deleting_it() -> None:
    inside = field_uses(SHOP, "owner")
    assert {u.path for u in inside.uses} == {"owner", "owner.name"}
    alone = field_uses(SHOP, "owner", inside=False)
    assert {u.loc for u in alone.uses} == {("let", "who"), ("let", "note"), ("checks", 0, "when"),
                                           ("route", 0, "when"), ("tests", 0, "fields", "owner")}


def test_an_unused_field_has_no_uses() -> None:
    assert not field_uses(SHOP, "partners.note_text")


# ---- renaming


def test_rename_changes_every_use_and_nothing_else() -> None:
    renamed = rename_field(SHOP, "area", "floor_area")
    assert renamed.path == "floor_area"
    assert len(renamed.uses) == 6
    assert errors_of(renamed.text) == []
    gone, added = changed(SHOP, renamed.text)
    assert added == [  # comments, quotes and the hand wrapping stay
        "fee: 'if floor_area > 100 then 50 else 0'   # 面积大的收费",
        "  big: floor_area > 100",
        "  - {id: floor_area, type: number, label: {zh: 面积}, constraint: floor_area > 0}",
        "      - {id: share, type: number, label: {zh: 份额}, constraint: share > 0 and "
        "floor_area > 0}",
        "    fields: {floor_area: 20, owner: {name: 张三,",
        '    expect: {outcome: accept, field_errors: ["partners[1].share", floor_area]}']
    assert len(gone) == len(added)
    tree = load_yaml(renamed.text)
    assert tree["let"]["note"] == '"area" + owner.name'  # a text literal is not the field
    assert [r.path for r in field_rows(tree)][:2] == ["floor_area", "area_unit"]


def test_rename_keeps_hand_wrapped_examples_as_they_were() -> None:
    renamed = rename_field(SHOP, "owner.mobile", "phone")
    gone, added = changed(SHOP, renamed.text)
    field = "      - {id: %s, type: mobile, label: {zh: 手机}, required: 'who.name != \"\"'}"
    answer = '                               %s: "13800138000"},'
    assert gone == [field % "mobile", answer % "mobile"]
    assert added == [field % "phone", answer % "phone"]


def test_rename_a_row_field_everywhere() -> None:
    renamed = rename_field(SHOP, "partners.share", "percent")
    assert renamed.path == "partners.percent"
    assert errors_of(renamed.text) == []
    tree = load_yaml(renamed.text)
    assert tree["let"]["share_total"] == "sum(partners.percent)"
    assert get_in(tree, ("materials", 0, "required")) == \
        "big and count(partners, percent > 50) > 0"
    assert get_in(tree, ("form", 3, "fields", 2, "visible")) == 'name != "" and percent > 1'
    assert list(get_in(tree, ("tests", 0, "expect", "field_errors"))) == \
        ["partners[1].percent", "area"]
    assert [list(r) for r in get_in(tree, ("tests", 0, "fields", "partners"))] == \
        [["name", "percent"], ["name", "percent"]]


def test_rename_a_group_renames_the_head_of_its_paths() -> None:
    renamed = rename_field(SHOP, "owner", "operator")
    assert errors_of(renamed.text) == []
    tree = load_yaml(renamed.text)
    assert tree["let"]["who"] == "operator"
    assert get_in(tree, ("route", 0, "when")) == "any(partners, name == operator.name)"
    assert "operator" in tree["tests"][0]["fields"]


@pytest.mark.parametrize(("path", "new_id", "code"), [
    ("area", "area_unit", "duplicate-id"),  # a field beside it has the id
    ("owner.name", "mobile", "duplicate-id"),
    ("area", "big", "duplicate-name"),  # a let value has the name
    ("area", "and", "keyword-id"),
    ("area", "floor area", "bad-id"),
    ("area", "2nd", "bad-id"),
    ("nothing", "x", "unknown-field"),
    # `share` inside the partners' rows would mean the row's share, not the field
    ("area", "share", "duplicate-name"),
    # `who` is a let; `name` in the route's any() would mean the partner's name
    ("owner", "name", "duplicate-name"),
])
def test_rename_refusals(path: str, new_id: str, code: str) -> None:
    with pytest.raises(EditError) as caught:
        rename_field(SHOP, path, new_id)
    assert caught.value.code == code


def test_rename_to_the_same_id_changes_nothing() -> None:
    assert rename_field(SHOP, "area", " area ").text == SHOP


def test_an_expression_that_does_not_parse_is_reported_not_searched() -> None:
    broken = SHOP.replace("  big: area > 100", "  big: area >")
    renamed = rename_field(broken, "area_unit", "unit")
    assert renamed.unread == (("let", "big"),)


def test_rule_libraries_are_reported_not_edited() -> None:
    libraries = libraries_from_texts({"shop": ("rules/shop.rules", (
        "# 店铺规则\n"
        "let large = area > 100\n"  # a library value naming a field: reported
        "let areas(rows) = count(rows, area > 0)\n"
        "let phone(p) = p.mobile\n"))})
    text = SHOP.replace("let:\n", "uses: [shop]\nlet:\n")
    renamed = rename_field(text, "area", "floor_area", libraries)
    assert [(u.library, u.definition, u.line) for u in renamed.libraries] == [
        ("shop", "large", 2), ("shop", "areas", 3)]
    assert renamed.libraries[0].text == "let large = area > 100"
    member = field_uses(text, "owner.mobile", libraries)
    assert [(u.library, u.definition) for u in member.libraries] == [("shop", "phone")]
    assert field_uses(text, "partners", libraries).libraries == ()


# ---- the sample catalog


@pytest.mark.parametrize("file", sorted(p for p in DEFS.glob("*/*.yaml")
                                         if p.parent.name != "bundles"), ids=lambda p: p.stem)
def test_every_field_of_every_sample_matter_can_be_renamed(file: Path) -> None:
    # Each field in turn, the renames adding up, then one check of the result: the
    # fields inside a group first, so every path still holds when its turn comes.
    text = file.read_text(encoding="utf-8")
    for row in reversed(field_rows(load_yaml(text))):
        text = rename_field(text, row.path, f"{row.id}_x").text
    assert errors_of(text, file) == []


def test_renaming_premises_leaves_no_dangling_reference() -> None:
    text = IBR.read_text(encoding="utf-8")
    before = field_uses(text, "premises")
    assert len(before.uses) == 11  # four names in three materials, seven examples
    renamed = rename_field(text, "premises", "premises_use", open_catalog(DEFS).libraries)
    assert len(renamed.uses) == 11
    assert errors_of(renamed.text, IBR) == []
    assert "premises_certificate" in renamed.text  # a longer id is not the field
    assert len(field_uses(renamed.text, "premises_use").uses) == 11


# ---- deleting


def test_delete_a_used_field_removes_its_answers_and_leaves_expressions() -> None:
    text = delete_field(SHOP, "area")
    assert next(r.path for r in field_rows(load_yaml(text))) == "area_unit"
    tree = load_yaml(text)
    assert "area" not in tree["tests"][0]["fields"]
    assert list(tree["tests"][0]["expect"]["field_errors"]) == ["partners[1].share"]
    errors = errors_of(text)
    assert errors and all("unknown name 'area'" in e for e in errors)
    assert len(errors) == 3  # the fee, big, the partners' share constraint


def test_delete_a_row_field_removes_it_from_every_row() -> None:
    text = delete_field(SHOP, "partners.share")
    rows = load_yaml(text)["tests"][0]["fields"]["partners"]
    assert [list(r) for r in rows] == [["name"], ["name"]]
    assert "partners[1].share" not in text


def test_renaming_a_field_a_bundle_fills_is_an_error_of_the_draft(tmp_path: Path) -> None:
    # 开办餐饮店“一件事” fills the food licence's premises_address: renaming it alone
    # would leave the bundle unable to take applications, so the draft says so
    shutil.copytree(DEFS, tmp_path / "definitions")
    shutil.copytree(DEFS.parent / "rules", tmp_path / "rules")
    file = tmp_path / "definitions" / "market_supervision" / "food_business_licence.yaml"
    text = rename_field(file.read_text(encoding="utf-8"), "premises_address", "shop_address")
    check, _ = check_draft(tmp_path / "definitions", file, text.text)
    assert [(e.code, Path(e.span.file).name) for e in check.errors if e.span] == [
        ("unknown-field", "open_restaurant.yaml")]
