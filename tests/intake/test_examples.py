"""Tests for formkit.intake.examples: sample examples pass; failures and coverage placed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from formkit.catalog import OpenCatalog, open_catalog
from formkit.intake.examples import run_examples

ROOT = Path(__file__).resolve().parents[2]

CATALOG = """\
name: {zh: 测试中心}
departments:
  - id: market_supervision
    name: {zh: 市场监督管理局}
    sections:
      - {id: registration, name: {zh: 登记注册股}}
      - {id: field_inspection, name: {zh: 现场核查组}}
rules: rules
"""

# Line numbers below matter: the failing example's `- name:` is on line 35.
MATTER = """\
code: "T-EX-0001"
name: {zh: 示例测试, en: Example test}
department: market_supervision
kind: administrative_licensing
time_limit: {statutory_days: 5, committed_days: 1}
form:
  - {id: age, type: integer, label: {zh: 年龄}, required: true}
  - {id: rented, type: boolean, label: {zh: 是否租用}}
materials:
  - {id: application, name: {zh: 申请书}}
  - {id: lease, name: {zh: 租赁合同}, form: copy, required: rented, tolerable: true}
checks:
  - when: age < 18
    refuse: {zh: 未满十八周岁}
  - when: age > 200
    warn: {zh: 年龄异常}
route:
  - step: [market_supervision.registration]
  - step: [market_supervision.field_inspection]
    when: rented
tests:
  - name: adult, owned premises
    today: "2026-11-25"
    fields: {age: 30, rented: false}
    materials: [{id: application}]
    expect:
      outcome: accept
      route: [[market_supervision.registration]]
      committed_deadline: "2026-11-26"
  - name: minor is refused
    today: "2026-11-25"
    fields: {age: 16, rented: false}
    materials: [{id: application}]
    expect: {outcome: refuse, refusals: 1}
  - name: rented without a lease
    today: "2026-11-25"
    fields: {age: 30, rented: true}
    materials: [{id: application}]
    expect:
      outcome: accept
      tolerated: []
      warnings: 1
      committed_deadline: "2026-11-27"
"""
FAILING_LINE = 35


def write_catalog(tmp_path: Path, matter: str = MATTER) -> OpenCatalog:
    (tmp_path / "rules").mkdir()
    (tmp_path / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    folder = tmp_path / "market_supervision"
    folder.mkdir()
    (folder / "example_test.yaml").write_text(matter, encoding="utf-8")
    return open_catalog(tmp_path)


# --- the sample catalog ---------------------------------------------------------------------


def test_every_sample_example_passes() -> None:
    opened = open_catalog(ROOT / "definitions")
    assert opened.ok, [e.message for e in opened.errors[:3]]
    report = run_examples(opened)
    assert [(f.matter, f.test, f.message) for f in report.failures] == []
    assert report.failed == 0
    assert report.passed == sum(len(m.tests) for m in opened.matters.values()) \
        + sum(len(b.tests) for b in opened.bundles.values()) >= 45
    assert sum(len(b.tests) for b in opened.bundles.values()) >= 4


def test_codes_selects_matters() -> None:
    opened = open_catalog(ROOT / "definitions")
    report = run_examples(opened, codes=["XX-MS-0001"])
    assert report.passed == len(opened.matters["XX-MS-0001"].tests)
    assert run_examples(opened, codes=[]).passed == 0


# --- failures --------------------------------------------------------------------------------


def test_a_broken_expectation_is_a_failure_at_its_example(tmp_path: Path) -> None:
    opened = write_catalog(tmp_path)
    assert opened.ok, [e.message for e in opened.errors]
    report = run_examples(opened)
    assert (report.passed, report.failed) == (2, 1)
    [failure] = report.failures
    assert failure.matter == "T-EX-0001"
    assert failure.test == "rented without a lease"
    assert failure.file is not None
    assert Path(failure.file).name == "example_test.yaml"
    assert failure.line == FAILING_LINE
    lines = MATTER.splitlines()
    assert lines[FAILING_LINE - 1].strip() == "- name: rented without a lease"
    # Every difference is told, not only the first.
    assert "outcome: expected accept, got accept_with_tolerance" in failure.message
    assert "tolerated: expected [], got ['lease']" in failure.message
    assert "warnings: expected 1, got []" in failure.message
    assert "committed_deadline: expected 2026-11-27, got 2026-11-26" in failure.message
    dumped = report.model_dump(mode="json")
    assert set(dumped["failures"][0]) >= {"matter", "test", "message", "file", "line"}


def test_a_matter_whose_rules_do_not_check_fails_its_examples(tmp_path: Path) -> None:
    # Skipping them silently would report a green run for a matter that cannot work.
    opened = write_catalog(tmp_path, MATTER.replace("when: age < 18", "when: agee < 18"))
    assert not opened.ok
    report = run_examples(opened)
    assert (report.passed, report.failed) == (0, 3)
    assert all("definition errors" in f.message and "agee" in f.message
               for f in report.failures)
    assert [f.line for f in report.failures] == [22, 30, 35]


def test_denials_are_counted_apart_from_refusals(tmp_path: Path) -> None:
    # A deny check (不予许可) leaves the outcome alone: an example expecting a refusal
    # for it, or no denial, fails and says what was found.
    head = MATTER.split("tests:\n")[0].replace(
        "checks:\n", "checks:\n  - when: age >= 70\n    deny: {zh: 不予许可}\n")
    denying = head + textwrap.dedent("""\
        tests:
          - name: old applicant, accepted and marked for denial
            today: "2026-11-25"
            fields: {age: 75, rented: false}
            materials: [{id: application}]
            expect: {outcome: accept, refusals: 0, denials: 1}
          - name: old applicant expected to be refused
            today: "2026-11-25"
            fields: {age: 75, rented: false}
            materials: [{id: application}]
            expect: {outcome: refuse, refusals: 1, denials: 0}
        """)
    opened = write_catalog(tmp_path, denying)
    assert opened.ok, [e.message for e in opened.errors]
    report = run_examples(opened)
    assert (report.passed, report.failed) == (1, 1)
    [failure] = report.failures
    assert failure.test == "old applicant expected to be refused"
    assert "outcome: expected refuse, got accept" in failure.message
    assert "refusals: expected 1, got []" in failure.message
    assert "denials: expected 0, got ['不予许可']" in failure.message


def test_the_sample_catalog_has_examples_of_denials() -> None:
    # The substantive grounds of XX-MS-0001, XX-HC-0001 and XX-NR-0001 are deny checks,
    # and each has an example expecting its denial.
    opened = open_catalog(ROOT / "definitions")
    for code in ("XX-MS-0001", "XX-HC-0001", "XX-NR-0001"):
        matter = opened.matters[code]
        assert any(c.deny is not None for c in matter.checks), code
        assert any(t.expect.denials for t in matter.tests), code


# --- coverage ---------------------------------------------------------------------------------


def test_coverage_lists_conditions_never_true_or_never_false(tmp_path: Path) -> None:
    fixed = MATTER.replace("      tolerated: []\n      warnings: 1\n      committed_deadline: "
                           '"2026-11-27"\n', "      tolerated: [lease]\n").replace(
        "      outcome: accept\n      tolerated", "      outcome: accept_with_tolerance\n"
        "      tolerated")
    opened = write_catalog(tmp_path, fixed)
    report = run_examples(opened, coverage=True)
    assert report.failed == 0, report.failures
    assert report.uncovered is not None
    got = {(u.place, u.condition, tuple(u.never), u.line) for u in report.uncovered}
    assert got == {
        ("check 1 when", "age > 200", (True,), 15),  # no example is over 200
    }
    without = run_examples(opened)
    assert without.uncovered is None


# One example, of an applicant who owns the premises: every "rented" condition is never true.
ONLY_OWNED = textwrap.dedent("""\
  - name: owned only
    today: "2026-11-25"
    fields: {age: 30, rented: false}
    materials: [{id: application}]
    expect: {outcome: accept}
""")


def test_coverage_of_a_condition_never_true(tmp_path: Path) -> None:
    matter = MATTER.split("tests:\n")[0] + "tests:\n" + ONLY_OWNED
    opened = write_catalog(tmp_path, matter)
    report = run_examples(opened, coverage=True)
    assert report.failed == 0
    assert report.uncovered is not None
    got = {(u.place, tuple(u.never)) for u in report.uncovered}
    assert got == {("material lease required", (True,)), ("check 0 when", (True,)),
                   ("check 1 when", (True,)), ("route 1 when", (True,))}
    lease = next(u for u in report.uncovered if u.place == "material lease required")
    assert (lease.condition, lease.line) == ("rented", 11)
    assert lease.file is not None and lease.file.endswith("example_test.yaml")


@pytest.mark.parametrize("coverage", [False, True])
def test_the_sample_catalog_reports_coverage_without_failing(coverage: bool) -> None:
    report = run_examples(open_catalog(ROOT / "definitions"), coverage=coverage)
    assert report.failed == 0
    if coverage:
        assert report.uncovered is not None
        assert all(u.never and u.file and u.line for u in report.uncovered)


def test_coverage_counts_fee_conditions(tmp_path: Path) -> None:
    # a fee that applies only to rented premises: the one example owns its premises
    head = MATTER.split("tests:\n")[0]
    fees = "fees:\n  - {name: {zh: 租赁登记费}, amount: 20, when: rented}\n"
    opened = write_catalog(tmp_path, head + fees + "tests:\n" + ONLY_OWNED)
    assert opened.ok, [e.message for e in opened.errors]
    report = run_examples(opened, coverage=True)
    assert report.uncovered is not None
    fee = next(u for u in report.uncovered if u.place.startswith("fee"))
    assert (fee.condition, tuple(fee.never)) == ("rented", (True,))
