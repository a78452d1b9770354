"""A mistake in one library definition costs only that definition."""

from __future__ import annotations

from pathlib import Path

from formkit.definitions.loader import load_matter_text
from formkit.dsl.library import libraries_from_texts, load_libraries
from formkit.ruleset import RuleSet

MATTER = """\
code: "T-1"
name: {zh: 测试}
department: d
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
uses: [common]
form:
  - {id: applicant_id, type: id_number}
  - {id: area, type: number}
checks:
  - when: not adult(applicant_id)
    refuse: {zh: 未成年}
  - when: big(area)
    warn: {zh: 面积大}
"""


def test_one_broken_definition_is_reported_once_and_the_others_still_work(
        tmp_path: Path) -> None:
    (tmp_path / "common.rules").write_text(
        "# shared\n"
        "let adult(id) = years_between(id_birthdate(id), today()) >= and 18\n"
        "let big(a) = a > 1000\n", encoding="utf-8")
    libs = load_libraries(tmp_path)
    assert [(e.kind, e.span.line, e.span.column) for e in libs.errors if e.span] == [
        ("syntax", 2, 61)]
    matter, _ = load_matter_text(MATTER, "t.yaml")
    assert matter is not None
    rules = RuleSet.build(matter, libs)
    # No "unknown function 'adult'" cascade, and big() is checked and usable.
    assert rules.errors == []
    assert "big" in rules.scope.libs and rules.scope.libs["big"].body is not None


def test_libraries_from_texts_match_a_folder(tmp_path: Path) -> None:
    text = "let big(a) = a > 1000\nuse other\n"
    (tmp_path / "common.rules").write_text(text, encoding="utf-8")
    (tmp_path / "other.rules").write_text("let small(a) = a < 10\n", encoding="utf-8")
    from_folder = load_libraries(tmp_path)
    from_texts = libraries_from_texts({
        "common": (str(tmp_path / "common.rules"), text),
        "other": (str(tmp_path / "other.rules"), "let small(a) = a < 10\n")})
    assert sorted(from_folder.by_name) == sorted(from_texts.by_name) == ["common", "other"]
    assert [lib.name for lib in from_texts.closure(["common"])] == ["common", "other"]
    assert from_folder.errors == from_texts.errors == []
