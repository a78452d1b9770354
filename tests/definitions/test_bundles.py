"""Bundles (高效办成一件事) load and are checked like matters: every mistake at its place."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from formkit.catalog import OpenCatalog, open_catalog

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
code: "T-B-0001"
name: {zh: 测试一件事}
matters:
  - "XX-MS-0001"
  - {code: "XX-HE-0002", when: also_public_place}
shared:
  - {id: mobile, label: {zh: 手机号码},
     to: {"XX-MS-0001": operator.mobile, "XX-HE-0002": operator.mobile}}
  - {id: also_public_place, label: {zh: 兼营公共场所}, type: boolean}
materials_once:
  - {id: licence, to: {"XX-MS-0001": operator_id, "XX-HE-0002": business_licence}}
"""


def _open(tmp_path: Path, text: str) -> OpenCatalog:
    folder = tmp_path / "definitions"
    shutil.copytree(ROOT / "definitions", folder,
                    ignore=shutil.ignore_patterns("bundles"))
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    (folder / "bundles").mkdir()
    (folder / "bundles" / "t.yaml").write_text(text, encoding="utf-8")
    return open_catalog(folder, cache=False)


def test_a_good_bundle_loads_with_its_members_and_targets(tmp_path: Path) -> None:
    opened = _open(tmp_path, GOOD)
    assert opened.ok, [str(e) for e in opened.errors]
    rules = opened.bundle_rules["T-B-0001"]
    assert list(rules.members) == ["XX-MS-0001", "XX-HE-0002"]
    assert rules.targets["XX-HE-0002"] == {"operator.mobile": "mobile"}
    # the shared form asks each question once; the pre-check runs only what decides
    assert [f.id for f in rules.shared.matter.form] == ["mobile", "also_public_place"]
    assert rules.deciding is not None
    assert [f.id for f in rules.deciding.matter.form] == ["also_public_place"]


@pytest.mark.parametrize(("old", "new", "code", "line", "words"), [
    pytest.param('"XX-MS-0001"\n  - {code', '"XX-MS-0009"\n  - {code', "unknown-matter", 4,
                 "XX-MS-0009", id="unknown-member"),
    pytest.param("operator.mobile, \"XX-HE", "operator.phone, \"XX-HE", "unknown-field", 8,
                 "operator.phone", id="unknown-field"),
    pytest.param("to: {\"XX-MS-0001\": operator.mobile", "to: {\"XX-MS-0001\": floor_area",
                 "bundle-type", 8, "number", id="text-into-number"),
    pytest.param("type: boolean}", "}", "bundle-type", 9, "no type", id="untyped-question"),
    pytest.param("operator_id, \"XX-HE-0002\": business_licence",
                 "operator_id, \"XX-HE-0002\": licence", "unknown-material", 11,
                 "business_licence", id="unknown-material"),
    pytest.param("operator_id, \"XX-HE-0002\": business_licence", "operator_id",
                 "bundle-once", 11, "one matter", id="once-for-one"),
    pytest.param("when: also_public_place}", "when: also_public_plac}", "unknown-name", 5,
                 "also_public_place", id="when-names-no-question"),
    pytest.param("when: also_public_place}", "when: 'mobile'}", "wrong-type", 5, "yes/no",
                 id="when-not-a-condition"),
    pytest.param('"XX-MS-0001"\n  - {code: "XX-HE-0002", when: also_public_place}',
                 '{code: "XX-MS-0001", when: also_public_place}\n  - {code: "XX-HE-0002", '
                 'when: also_public_place}', "bundle-when", 4, "could apply for nothing",
                 id="every-member-conditional"),
    pytest.param('code: "T-B-0001"', 'code: "XX-MS-0001"', "duplicate-code", 1,
                 "already used", id="code-of-a-matter"),
    pytest.param("  - {id: also_public_place, label: {zh: 兼营公共场所}, type: boolean}",
                 "  - {id: also_public_place, label: {zh: 兼营公共场所}, type: boolean}\n"
                 "  - {id: phone, to: {\"XX-MS-0001\": operator.mobile}}",
                 "duplicate-target", 10, "already filled", id="one-field-two-questions"),
    pytest.param("type: boolean}", "type: boolean, value: 3}", "bundle-type", 9,
                 "not a boolean", id="fixed-value-wrong-type"),
    pytest.param("materials_once:", "material_once:", "unknown-key", 10, "materials_once",
                 id="typo-key"),
])
def test_a_wrong_bundle_is_reported_at_its_place(tmp_path: Path, old: str, new: str,
                                                 code: str, line: int, words: str) -> None:
    assert old in GOOD
    opened = _open(tmp_path, GOOD.replace(old, new, 1))
    found = [(e.code, e.span.line if e.span else None, str(e)) for e in opened.errors]
    assert any(c == code and ln == line and words in text for c, ln, text in found), found
    assert all(e.span is not None and e.span.file and e.span.file.endswith("t.yaml")
               for e in opened.errors), found


def test_a_bundle_example_naming_what_does_not_exist_is_refused(tmp_path: Path) -> None:
    text = GOOD + """tests:
  - name: one
    fields: {mobile: "13800138000", XX-MS-0001: {nope: 1}, stray: 2}
    materials: [{id: ghost, matter: XX-MS-0001}]
    expect: {missing: [XX-MS-0001/ghost2], field_errors: [XX-HE-0002.nope], matters: [XX-XX]}
"""
    opened = _open(tmp_path, text)
    codes = sorted((e.code, e.span.line if e.span else 0) for e in opened.errors)
    assert codes == [("unknown-field", 14), ("unknown-field", 14), ("unknown-field", 16),
                     ("unknown-material", 15), ("unknown-material", 16),
                     ("unknown-matter", 16)], [str(e) for e in opened.errors]


def test_the_sample_bundles_load_cleanly() -> None:
    opened = open_catalog(ROOT / "definitions")
    assert opened.ok, [str(e) for e in opened.errors[:3]]
    assert "XX-B-0001" in opened.bundles
    assert opened.bundles["XX-B-0001"].file.endswith("bundles/open_restaurant.yaml")
    # a bundle is not a matter: nothing lists it among them
    assert not set(opened.bundles) & set(opened.matters)


def test_a_member_listed_twice_makes_the_bundle_refuse_applications(tmp_path: Path) -> None:
    opened = _open(tmp_path, GOOD.replace('  - "XX-MS-0001"\n', '  - "XX-MS-0001"\n'
                                          '  - "XX-MS-0001"\n', 1))
    rules = opened.bundle_rules["T-B-0001"]
    assert [e.code for e in rules.errors] == ["duplicate-id"]
