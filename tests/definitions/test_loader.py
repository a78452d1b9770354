"""The loader and cross-checks: every broken definition is reported where it is wrong.

Each case is a matter file that breaks one rule of matter-format.md, and the
exact errors ``open_catalog`` must report for it: kind, code, file, line,
column, and for several the hint. ``BASE`` is the smallest valid matter; its
five lines come first, so a case's own lines start at line 6.
"""

# ruff: noqa: E501  (the contract's examples are copied verbatim, long comments and all)
from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from formkit.catalog import open_catalog
from formkit.definitions.loader import load_catalog, load_matter_text
from formkit.definitions.model import Expr, FieldType
from formkit.definitions.yamldoc import MAX_FILE_BYTES
from formkit.errors import FormkitError
from tests.conftest import MakeCatalog

SPEC = Path("/work/shared/spec/matter-format.md")
M1 = "market_supervision/matter1.yaml"
M2 = "market_supervision/matter2.yaml"

BASE = """\
code: "XX-T-0001"
name: {zh: 测试事项}
department: market_supervision
kind: public_service
time_limit: {statutory_days: 5, committed_days: 1}
"""


class E(NamedTuple):
    """An expected error; ``hint`` and ``message`` are checked as substrings when given."""

    kind: str
    code: str
    line: int | None
    column: int | None
    hint: str | None = None
    message: str | None = None
    file: str = M1


def _where(folder: Path, err: FormkitError) -> tuple[str, str, str | None, int | None,
                                                     int | None]:
    span = err.span
    file = None
    if span is not None and span.file is not None:
        file = Path(span.file).relative_to(folder).as_posix()
    return (err.kind, err.code, file, span.line if span else None,
            span.column if span else None)


def _assert_errors(folder: Path, errors: list[FormkitError], expected: list[E]) -> None:
    got = [_where(folder, e) for e in errors]
    want = [(e.kind, e.code, e.file, e.line, e.column) for e in expected]
    assert got == want, "\n".join(e.render() for e in errors)
    for err, exp in zip(errors, expected, strict=True):
        if exp.hint is not None:
            assert err.hint is not None and exp.hint in err.hint, (err.hint, exp.hint)
        if exp.message is not None:
            assert exp.message in err.message, (err.message, exp.message)


def _bomb() -> str:
    # Billion laughs: nine levels of nine aliases each, 9**9 strings once expanded.
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return BASE + "basis: [条例]\n" + "\n".join(lines) + "\n"


CASES = [
    # An unknown top-level key is an error with a did-you-mean (a typo drops no rule).
    pytest.param(BASE + "fo: 1\n", [E("definition", "unknown-key", 6, 1,
                                      hint="did you mean 'form'?")], id="unknown-key"),
    # Unknown key two levels down, inside a group's fields: the key itself is pointed at.
    pytest.param(BASE + """\
form:
  - id: applicant
    type: group
    fields:
      - id: name
        type: text
        lable: {zh: 姓名}
""", [E("definition", "unknown-key", 12, 9, hint="did you mean 'label'?",
       message="in form[0].fields[0]")], id="unknown-key-nested"),
    # An unknown key with nothing close: the hint lists the allowed keys.
    pytest.param(BASE + "materials:\n  - {id: licence, name: {zh: 执照}, zzz: 1}\n",
                 [E("definition", "unknown-key", 7, 35, hint="allowed keys: id, name, form")],
                 id="unknown-key-no-suggestion"),
    # Two equal keys at the top: YAML would keep the last silently.
    pytest.param(BASE + "kind: other_administrative\n",
                 [E("definition", "duplicate-key", 6, 1, message="first at line 4")],
                 id="duplicate-key"),
    # Two equal keys inside a nested mapping.
    pytest.param(BASE + "result:\n  zh: 营业执照\n  en: Licence\n  zh: 执照\n",
                 [E("definition", "duplicate-key", 9, 3, message="first at line 7")],
                 id="duplicate-key-nested"),
    # A duplicate key does not hide the file's other errors: both are reported.
    pytest.param(BASE + "kind: public_service\nfoo: 1\n",
                 [E("definition", "duplicate-key", 6, 1), E("definition", "unknown-key", 7, 1)],
                 id="duplicate-key-and-unknown-key"),
    # Wrong enum value for kind (事项类型), with a suggestion.
    pytest.param(BASE.replace("public_service", "public_servise"),
                 [E("definition", "bad-value", 4, 7, hint="did you mean 'public_service'?",
                    message="administrative_licensing")], id="enum-kind"),
    # Wrong enum value for a material's form (材料类型).
    pytest.param(BASE + "materials:\n  - id: application_form\n    name: {zh: 申请书}\n"
                 "    form: orignal\n",
                 [E("definition", "bad-value", 9, 11, hint="did you mean 'original'?")],
                 id="enum-material-form"),
    # Wrong enum value for a material's medium (材料形式): the allowed values are listed.
    pytest.param(BASE + "materials:\n  - id: application_form\n    name: {zh: 申请书}\n"
                 "    medium: cd\n",
                 [E("definition", "bad-value", 9, 13, message="paper, electronic, either")],
                 id="enum-material-medium"),
    # Wrong field type.
    pytest.param(BASE + "form:\n  - {id: a, type: txt, label: {zh: 甲}}\n",
                 [E("definition", "bad-value", 7, 19, hint="did you mean 'text'?")],
                 id="enum-field-type"),
    # A label without zh: the mapping that lacks it is pointed at.
    pytest.param(BASE + "result: {en: Licence}\n",
                 [E("definition", "missing-key", 6, 9, message="'zh' in result")],
                 id="label-missing-zh"),
    # An empty zh.
    pytest.param(BASE + "result: {zh: ''}\n",
                 [E("definition", "empty-label", 6, 14)], id="label-empty-zh"),
    # A zh of only spaces is empty too.
    pytest.param(BASE + "result: {zh: '   '}\n",
                 [E("definition", "empty-label", 6, 14)], id="label-blank-zh"),
    # A label written as bare text instead of {zh: ...}.
    pytest.param(BASE + "result: 营业执照\n",
                 [E("definition", "bad-type", 6, 9, message="expected a mapping")],
                 id="label-not-a-mapping"),
    # A required top-level key is missing: the file's first line.
    pytest.param(BASE.replace("kind: public_service\n", ""),
                 [E("definition", "missing-key", 1, 1, hint="add 'kind: ...'")],
                 id="missing-kind"),
    # A required nested key is missing: the mapping that lacks it.
    pytest.param(BASE.replace("statutory_days: 5, ", ""),
                 [E("definition", "missing-key", 5, 13, message="'statutory_days' in time_limit")],
                 id="missing-statutory-days"),
    # 承诺时限 longer than 法定时限.
    pytest.param(BASE.replace("committed_days: 1", "committed_days: 9"),
                 [E("definition", "committed-over-statutory", 5, 49, hint="承诺时限")],
                 id="committed-over-statutory"),
    # `true` is no number of copies (pydantic alone would read it as 1).
    pytest.param(BASE + "materials:\n  - {id: licence, name: {zh: 执照}, copies: true}\n",
                 [E("definition", "bad-type", 7, 43, message="expected a whole number")],
                 id="copies-bool"),
    # A list key given one bare name.
    pytest.param(BASE + "uses: common\n",
                 [E("definition", "bad-type", 6, 7, message="expected a list")],
                 id="uses-not-a-list"),
    # A department the catalog does not have.
    pytest.param(BASE.replace("department: market_supervision", "department: market_supervison"),
                 [E("definition", "unknown-department", 3, 13,
                    hint="did you mean 'market_supervision'?")], id="unknown-department"),
    # A route unit whose section does not exist.
    pytest.param(BASE + "route:\n  - step: [market_supervision.registration, ecology.reveiw]\n",
                 [E("definition", "unknown-section", 7, 45, hint="did you mean 'ecology.review'?")],
                 id="unknown-route-section"),
    # A rule library that is not in rules/.
    pytest.param(BASE + "uses: [common, comon]\n",
                 [E("definition", "unknown-library", 6, 16, hint="did you mean 'common'?")],
                 id="unknown-library"),
    # A let name that no expression could ever use.
    pytest.param(BASE + "let: {'my name': 'true'}\n",
                 [E("definition", "bad-id", 6, 7, message="'my name' is not a valid name")],
                 id="let-bad-name"),
    # A field id that is not a name.
    pytest.param(BASE + "form:\n  - {id: 1abc, type: text}\n",
                 [E("definition", "bad-id", 7, 10)], id="field-bad-id"),
    # Billion laughs: a LimitError at once, pointing at the first block that blows up.
    pytest.param(_bomb(), [E("limit", "yaml-too-large", 12, 4)], id="alias-bomb"),
    # A block that contains itself through an alias.
    pytest.param(BASE + "basis: &b [*b]\n",
                 [E("definition", "yaml-recursive-alias", 6, 8)], id="recursive-alias"),
    # The root is a list.
    pytest.param("- code: XX-T-0001\n- name: {zh: 测试}\n",
                 [E("definition", "not-a-mapping", 1, 1, message="not a list")], id="root-list"),
    # The root is one text.
    pytest.param("个体工商户设立登记\n",
                 [E("definition", "not-a-mapping", 1, 1, message="not the text")],
                 id="root-scalar"),
    # An empty file.
    pytest.param("", [E("definition", "not-a-mapping", 1, 1, message="empty")],
                 id="empty-file"),
    # A file of comments only is empty too.
    pytest.param("# 待填写\n", [E("definition", "not-a-mapping", 1, 1, message="empty")],
                 id="comment-only-file"),
    # Tab indentation.
    pytest.param(BASE + "basis:\n\t- 条例\n",
                 [E("definition", "yaml-syntax", 7, 1, hint="spaces, never tabs",
                    message="tab")], id="tab-indentation"),
    # A Python object tag must never be constructed: it is an error, nothing runs.
    pytest.param(BASE + "result: !!python/object:os.system {zh: 执照}\n",
                 [E("definition", "yaml-tag", 6, 9, message="python/object")],
                 id="python-object-tag"),
    # A custom tag on a scalar.
    pytest.param(BASE + "basis: [!foo 条例]\n",
                 [E("definition", "yaml-tag", 6, 9, message="'!foo'", hint="remove")],
                 id="custom-tag"),
    # Merge keys are not supported.
    pytest.param(BASE + "result:\n  <<: {zh: 执照}\n  en: Licence\n",
                 [E("definition", "yaml-merge", 7, 3, hint="write the keys out")],
                 id="merge-key"),
    # A file that is not UTF-8 (GBK bytes for 啊 after two Chinese characters).
    pytest.param(BASE.encode() + "basis: ['中文".encode() + b"\xb0\xa1']\n",
                 [E("io", "encoding", 6, 12, hint="UTF-8")], id="invalid-utf8"),
    # A file over the size bound is not even parsed.
    pytest.param(BASE + "basis: ['" + "x" * MAX_FILE_BYTES + "']\n",
                 [E("limit", "file-too-large", 1, 1)], id="file-too-large"),
    # Two fields of one group share an id.
    pytest.param(BASE + """\
form:
  - id: applicant
    type: group
    fields:
      - {id: name, type: text}
      - {id: name, type: mobile}
""", [E("definition", "duplicate-id", 11, 14, message="'name'")], id="duplicate-field-id"),
    # Two materials share an id.
    pytest.param(BASE + "materials:\n  - {id: licence, name: {zh: 甲}}\n"
                 "  - {id: licence, name: {zh: 乙}}\n",
                 [E("definition", "duplicate-id", 8, 10, hint="materials[0]")],
                 id="duplicate-material-id"),
    # Two options of a choice share a value.
    pytest.param(BASE + """\
form:
  - id: business_kind
    type: choice
    label: {zh: 经营类别}
    options:
      - {value: retail, label: {zh: 零售}}
      - {value: retail, label: {zh: 餐饮}}
""", [E("definition", "duplicate-option", 12, 17)], id="duplicate-option-value"),
    # Options on a text field would be silently ignored.
    pytest.param(BASE + """\
form:
  - id: name
    type: text
    options:
      - {value: a, label: {zh: 甲}}
""", [E("definition", "misplaced-key", 9, 5, message="only choice")], id="options-on-text"),
    # A field named like a keyword of the rule language could never be referred to.
    pytest.param(BASE + "form:\n  - {id: if, type: text}\n",
                 [E("definition", "keyword-id", 7, 10, hint="if_")], id="keyword-field-id"),
    # The same for a let name.
    pytest.param(BASE + "let:\n  in: '1'\n",
                 [E("definition", "keyword-id", 7, 3)], id="keyword-let-name"),
    # A choice without options.
    pytest.param(BASE + "form:\n  - {id: kind, type: choice}\n",
                 [E("definition", "missing-options", 7, 5)], id="choice-without-options"),
    # A group without fields.
    pytest.param(BASE + "form:\n  - id: applicant\n    type: group\n    label: {zh: 申请人}\n",
                 [E("definition", "missing-fields", 7, 5)], id="group-without-fields"),
    # A check that both refuses and warns: the second action is pointed at.
    pytest.param(BASE + "checks:\n  - when: 'true'\n    refuse: {zh: 不予受理}\n"
                 "    warn: {zh: 请核实}\n",
                 [E("definition", "check-action", 9, 5, message="refuse and warn")],
                 id="check-refuse-and-warn"),
    # A check that both refuses and denies: 不予受理 and 不予许可 cannot both follow.
    pytest.param(BASE + "checks:\n  - when: 'true'\n    refuse: {zh: 不予受理}\n"
                 "    deny: {zh: 不予许可}\n",
                 [E("definition", "check-action", 9, 5, message="refuse and deny")],
                 id="check-refuse-and-deny"),
    # Two special procedures with one id: suspending by it would be ambiguous.
    pytest.param(BASE + "special_procedures:\n  - {id: survey, name: {zh: 现场核查}}\n"
                 "  - {id: survey, name: {zh: 公示}, max_days: 7}\n",
                 [E("definition", "duplicate-id", 8, 10)],
                 id="special-procedure-twice"),
    # An extension of no days (延期 of zero would be a clerk's mistake, not a rule): its value.
    pytest.param(BASE.replace("committed_days: 1}", "committed_days: 1, extension: {days: 0}}"),
                 [E("definition", "bad-value", 5, 70, message="extension.days")],
                 id="extension-zero-days"),
    # An extension without its days: the mapping that lacks them.
    pytest.param(BASE.replace("committed_days: 1}",
                              "committed_days: 1, extension: {approver: {zh: 局长}}}"),
                 [E("definition", "missing-key", 5, 63, hint="add 'days: ...'")],
                 id="extension-without-days"),
    # A special procedure of at most zero days could never run.
    pytest.param(BASE + "special_procedures:\n  - {id: public_notice, name: {zh: 公示}, max_days: 0}\n",
                 [E("definition", "bad-value", 7, 51, message="special_procedures[0].max_days")],
                 id="special-procedure-zero-days"),
    # A special procedure's unit is one of the time limit's two.
    pytest.param(BASE + "special_procedures:\n  - {id: public_notice, name: {zh: 公示}, unit: days}\n",
                 [E("definition", "bad-value", 7, 47, hint="did you mean 'working_days'?")],
                 id="special-procedure-bad-unit"),
    # Zero days to supply a tolerated material is no 容缺 at all.
    pytest.param(BASE + "materials:\n  - {id: lease, name: {zh: 租赁合同}, tolerable: true, tolerable_days: 0}\n",
                 [E("definition", "bad-value", 7, 68, message="tolerable_days")],
                 id="tolerable-zero-days"),
    # A check that both denies and warns: the second action is pointed at.
    pytest.param(BASE + "checks:\n  - when: 'true'\n    deny: {zh: 不予许可}\n"
                 "    warn: {zh: 请核实}\n",
                 [E("definition", "check-action", 9, 5, message="deny and warn")],
                 id="check-deny-and-warn"),
    # A check that does neither.
    pytest.param(BASE + "checks:\n  - when: 'true'\n",
                 [E("definition", "check-action", 7, 5, hint="refuse: {zh: ...}")],
                 id="check-without-action"),
    # An example hands in a material the matter does not list.
    pytest.param(BASE + """\
form:
  - {id: name, type: text, label: {zh: 姓名}}
materials:
  - {id: application_form, name: {zh: 申请书}}
tests:
  - name: 示例
    fields: {name: 张三}
    materials: [{id: aplication_form}]
    expect: {outcome: accept}
""", [E("definition", "unknown-material", 13, 22, hint="did you mean 'application_form'?")],
        id="example-unknown-material"),
    # An example fills in a field the form does not have.
    pytest.param(BASE + """\
form:
  - {id: name, type: text, label: {zh: 姓名}}
tests:
  - name: 示例
    fields: {name: 张三, nmae: 李四}
    expect: {outcome: accept}
""", [E("definition", "unknown-field", 10, 24, hint="did you mean 'name'?")],
        id="example-unknown-field"),
    # An example expects materials and field errors that do not exist; nothing close:
    # the hint lists what there is.
    pytest.param(BASE + """\
form:
  - {id: name, type: text, label: {zh: 姓名}}
materials:
  - {id: application_form, name: {zh: 申请书}}
tests:
  - name: 示例
    expect: {outcome: accept, missing: [lease], field_errors: [name, shareholders]}
""", [E("definition", "unknown-material", 12, 41, hint="the materials are: application_form"),
      E("definition", "unknown-field", 12, 70, hint="the fields are: name")],
        id="example-expect-unknown-names"),
    # An unclosed quote: the quote that opens it is pointed at, not the end of the file.
    pytest.param(BASE + "basis: ['促进个体工商户发展条例]\nfee: 0\n",
                 [E("definition", "yaml-syntax", 6, 9, hint="close the quote")],
                 id="unclosed-quote"),
    # A key indented less than its siblings.
    pytest.param(BASE + "result:\n  zh: 营业执照\n en: Licence\n",
                 [E("definition", "yaml-syntax", 8, 2, message="indented")],
                 id="bad-indentation"),
    # A ': ' inside unquoted text.
    pytest.param(BASE + "basis: 条例: 第一条\n",
                 [E("definition", "yaml-syntax", 6, 10, hint="quote text")],
                 id="colon-in-plain-text"),
    # An invisible line separator pasted from a web page inside a label.
    pytest.param(BASE + "result: {zh: 营业\u2028执照}\n",
                 [E("definition", "yaml-hidden-break", 6, 16, hint="delete it")],
                 id="hidden-line-separator"),
    # Two documents in one file.
    pytest.param(BASE + "---\ncode: XX-T-0002\n",
                 [E("definition", "yaml-syntax", 6, 1, hint="'---'")], id="two-documents"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_broken_definition(make_catalog: MakeCatalog, text: str | bytes,
                           expected: list[E]) -> None:
    folder = make_catalog(text)
    _assert_errors(folder, open_catalog(folder).errors, expected)


def test_there_are_at_least_25_broken_definitions() -> None:
    assert len(CASES) >= 25


def test_no_rules_folder_says_none_found(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(BASE + "uses: [common]\n", rules=None)
    _assert_errors(folder, open_catalog(folder).errors,
                   [E("definition", "unknown-library", 6, 8, hint="none found")])


def test_duplicate_matter_code_across_two_files(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(BASE, BASE.replace("测试事项", "另一事项"))
    cat = open_catalog(folder)
    _assert_errors(folder, cat.errors, [E("definition", "duplicate-code", 1, 7, file=M2,
                                          hint="唯一", message="matter1.yaml")])
    assert list(cat.matters) == ["XX-T-0001"]
    assert cat.matters["XX-T-0001"].name.zh == "测试事项"


def test_errors_in_several_files_are_all_reported_at_once(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(
        BASE + "fo: 1\n",
        BASE.replace("XX-T-0001", "XX-T-0002") + "basis:\n\t- 条例\n",
        BASE.encode() + b"basis: ['\xff']\n",
        files={
            "ecology/eia.yaml": BASE.replace("XX-T-0001", "XX-T-0004").replace(
                "market_supervision", "ecologie"),
            "ecology/ok.yaml": BASE.replace("XX-T-0001", "XX-T-0005"),
            "ecology/route.yaml": BASE.replace("XX-T-0001", "XX-T-0006")
            + "route:\n  - step: [ecology.reveiw]\n",
        })
    cat = open_catalog(folder)
    # Reading errors come file by file; cross-checks run once every file is read.
    _assert_errors(folder, cat.errors, [
        E("definition", "unknown-key", 6, 1),
        E("definition", "yaml-syntax", 7, 1, file=M2),
        E("io", "encoding", 6, 10, file="market_supervision/matter3.yaml"),
        E("definition", "unknown-department", 3, 13, file="ecology/eia.yaml",
          hint="did you mean 'ecology'?"),
        E("definition", "unknown-section", 7, 12, file="ecology/route.yaml"),
    ])
    assert cat.files == 6
    assert sorted(cat.matters) == ["XX-T-0004", "XX-T-0005", "XX-T-0006"]


def test_a_broken_catalog_and_a_broken_matter_are_reported_together(
        make_catalog: MakeCatalog) -> None:
    catalog = """\
name: {zh: 测试中心}
departments:
  - id: market_supervision
    name: {zh: 市场监督管理局}
    sections:
      - {id: registration, name: {zh: 登记注册股}}
      - {id: registration, name: {zh: 登记股}}
  - id: market_supervision
    name: {zh: 重复}
calendar: holidays.yaml
"""
    folder = make_catalog(BASE + "fo: 1\n", catalog=catalog)
    _assert_errors(folder, open_catalog(folder).errors, [
        E("io", "io", 10, 11, file="catalog.yaml", hint="remove the 'calendar:' key"),
        E("definition", "unknown-key", 6, 1),
        E("definition", "duplicate-id", 7, 14, file="catalog.yaml", message="section"),
        E("definition", "duplicate-id", 8, 9, file="catalog.yaml", message="department"),
    ])


def test_a_catalog_that_does_not_parse_still_checks_the_matters(
        make_catalog: MakeCatalog) -> None:
    folder = make_catalog(BASE + "fo: 1\n", catalog="name: {zh: 中心\ndepartments: []\n")
    _assert_errors(folder, open_catalog(folder).errors, [
        E("definition", "yaml-syntax", 2, 12, file="catalog.yaml"),
        E("definition", "unknown-key", 6, 1),
    ])


# --- what must load -------------------------------------------------------------------------

EXAMPLE_CATALOG = """\
name: {zh: 新兴县行政服务中心, en: Xinxing County Administrative Service Center}
departments:
  - id: market_supervision
    name: {zh: 市场监督管理局, en: Market Supervision Bureau}
    sections:
      - id: registration
        name: {zh: 登记注册股}
  - id: fire_safety
    name: {zh: 消防救援大队}
    sections:
      - id: review
        name: {zh: 消防审验股}
  - id: ecology
    name: {zh: 生态环境分局}
    sections:
      - id: review
        name: {zh: 环评审批股}
"""


CONTRACT_CATALOG = """\
# definitions/catalog.yaml
name: {zh: 新兴县行政服务中心, en: Xinxing County Administrative Service Center}
departments:
  - id: market_supervision
    name: {zh: 市场监督管理局, en: Market Supervision Bureau}
    sections:                     # back-office units a case can be routed to
      - id: registration
        name: {zh: 登记注册股}
calendar: calendar.yaml           # optional: the centre's own holiday overrides
rules: ../rules                   # folder of rule libraries, relative to this file (this is the default)
"""

# matter-format.md's example matter and rule library, verbatim (checked against the
# contract below when the shared spec is at hand).
CONTRACT_MATTER = """\
code: "XX-MS-0001"                # 实施编码, unique in the catalog
name: {zh: 个体工商户设立登记, en: Individual business registration}
department: market_supervision
kind: administrative_licensing    # 事项类型: administrative_licensing (01 行政许可) |
                                  # administrative_payment (05) | administrative_confirmation (07) |
                                  # administrative_reward (08) | administrative_ruling (09) |
                                  # other_administrative (10) | public_service (20)
basis: ["《促进个体工商户发展条例》"]   # 设定依据, optional
time_limit:
  unit: working_days              # working_days (default) | calendar_days
  statutory_days: 15              # 法定办结时限
  committed_days: 3               # 承诺办结时限, at most statutory_days; 0 = 即办件 (done on the spot)
fee: 0                            # yuan; a number or an expression
channels: [window, online, self_service]
max_visits: 1                     # 到办事现场次数
result: {zh: 营业执照}             # 审批结果
uses: [common]                    # rule libraries from rules/
let:                              # named computed values, usable in every expression
  adult: years_between(id_birthdate(applicant.id_number), today()) >= 18

form:
  - id: applicant
    type: group
    label: {zh: 申请人, en: Applicant}
    fields:
      - {id: name, type: text, label: {zh: 姓名}, required: true}
      - {id: id_number, type: id_number, label: {zh: 公民身份号码}, required: true}
      - {id: mobile, type: mobile, label: {zh: 手机号码}, required: true}
  - id: business_kind
    type: choice
    label: {zh: 经营类别}
    options:
      - {value: retail, label: {zh: 零售}}
      - {value: catering, label: {zh: 餐饮}}
    required: true
  - id: floor_area
    type: number
    label: {zh: 经营面积（平方米）}
    constraint: floor_area > 0 and floor_area < 100000
    message: {zh: 经营面积应大于0}
  - id: premises_rented
    type: boolean
    label: {zh: 经营场所是否租用}
  - id: shareholders
    type: repeat                  # a table of rows, each row a group
    min: 1
    max: 50
    fields:
      - {id: name, type: text, required: true}
      - {id: share, type: number, required: true}

materials:
  - id: application_form
    name: {zh: 个体工商户登记（备案）申请书}
    form: original                # original | copy | original_and_copy  (材料类型)
    medium: paper                 # paper | electronic | either           (材料形式)
    copies: 1                     # 份数
    required: true                # true, false, or an expression
    tolerable: false              # 容缺: may be handed in after acceptance
    source: applicant             # 来源渠道: applicant (default) | government (issued by a department)
    notes: {zh: 须加盖公章}         # 填报须知, optional
  - id: lease_contract
    name: {zh: 经营场所租赁合同}
    form: copy
    required: premises_rented
    tolerable: true

checks:                           # reasons to refuse, or to warn the clerk
  - when: not adult
    refuse: {zh: 申请人未满十八周岁}
  - when: floor_area > 1000
    warn: {zh: 经营面积较大，请核实}

route:                            # back-office steps, in order; one step's units work in parallel
  - step: [market_supervision.registration]
  - step: [fire_safety.review, ecology.review]
    when: business_kind == "catering" and floor_area > 500

tests:                            # examples that `formkit test` runs
  - name: rented shop without a lease is accepted with tolerance
    today: "2026-11-25"
    fields: {applicant: {name: 张三, id_number: "445321199003071230", mobile: "13800138000"},
             business_kind: retail, floor_area: 20, premises_rented: true,
             shareholders: [{name: 张三, share: 100}]}
    materials: [{id: application_form, form: original, copies: 1}]
    expect: {outcome: accept_with_tolerance, tolerated: [lease_contract]}
"""

CONTRACT_LIBRARY = """\
# shared by every matter that says `uses: [common]`
let adult(id) = years_between(id_birthdate(id), today()) >= 18
let agent_applies = applicant_role == "agent"
"""


def _spec_blocks(lang: str) -> list[str]:
    """The fenced blocks of the contract whose info string is ``lang``."""
    fences = re.findall(r"^```(\w*)\n(.*?)^```$", SPEC.read_text(encoding="utf-8"),
                        re.S | re.M)
    return [body for info, body in fences if info == lang]


@pytest.mark.skipif(not SPEC.is_file(), reason="the shared contract is not at hand")
def test_the_copies_of_the_contract_examples_are_verbatim() -> None:
    assert CONTRACT_MATTER in _spec_blocks("yaml")
    assert CONTRACT_CATALOG in _spec_blocks("yaml")
    assert CONTRACT_LIBRARY in _spec_blocks("")


def test_the_contract_example_matter_loads(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(files={"market_supervision/individual_business.yaml": CONTRACT_MATTER},
                          catalog=EXAMPLE_CATALOG, rules=CONTRACT_LIBRARY)
    cat = open_catalog(folder)
    # The contract's library names `applicant_role`, which this matter has no field for:
    # only the rule checker may object, never the loader.
    assert [e for e in cat.errors if e.kind not in ("syntax", "name", "type")] == []
    matter = cat.matters["XX-MS-0001"]
    assert matter.kind == "administrative_licensing"
    assert matter.time_limit.committed_days == 3 and matter.time_limit.unit == "working_days"
    assert [f.id for f in matter.form] == ["applicant", "business_kind", "floor_area",
                                           "premises_rented", "shareholders"]
    assert matter.form[0].fields is not None and matter.form[0].fields[1].type == "id_number"
    assert [m.id for m in matter.materials] == ["application_form", "lease_contract"]
    assert matter.materials[1].required == Expr("premises_rented")
    assert matter.route[1].step == ["fire_safety.review", "ecology.review"]
    example = matter.tests[0]
    # Quoted dates and numbers stay text; the id number is never read as a number.
    assert example.fields["applicant"]["id_number"] == "445321199003071230"
    assert str(example.today) == "2026-11-25"


def test_the_contract_example_is_clean_with_a_library_it_can_use(
        make_catalog: MakeCatalog) -> None:
    folder = make_catalog(files={"market_supervision/individual_business.yaml": CONTRACT_MATTER},
                          catalog=EXAMPLE_CATALOG)
    assert [e.render() for e in open_catalog(folder).errors] == []


def test_the_contract_catalog_example_loads(make_catalog: MakeCatalog) -> None:
    # matter-format.md's catalog, with the calendar file it names.
    folder = make_catalog(catalog=CONTRACT_CATALOG, files={"calendar.yaml": "closures: []\n"})
    cat = open_catalog(folder)
    assert cat.errors == []
    assert cat.catalog is not None and cat.catalog.rules == "../rules"
    assert cat.catalog.calendar == "calendar.yaml" and cat.files == 0


def test_yaml_1_1_words_stay_text_where_text_is_meant(make_catalog: MakeCatalog) -> None:
    # An option `no` is the text "no" (not false), `01` keeps its zero, a field may be
    # called `on`; where only a condition makes sense `yes` still means true.
    folder = make_catalog(BASE + """\
form:
  - {id: on, type: text, required: yes}
  - id: answer
    type: choice
    visible: no
    options:
      - {value: yes, label: {zh: 是}}
      - {value: no, label: {zh: 否}}
      - {value: 01, label: {zh: 一类}}
      - {value: 1.50, label: {zh: 一点五}}
      - {value: true, label: {zh: 真}}
let: {max_area: 1000, strict: true}
""")
    cat = load_catalog(folder)
    assert cat.errors == []
    matter = cat.matters["XX-T-0001"]
    first, answer = matter.form
    assert first.id == "on" and first.required is True
    assert answer.visible is False
    assert [o.value for o in answer.options or []] == ["yes", "no", "01", "1.5", "true"]
    assert matter.let == {"max_area": Expr("1000"), "strict": Expr("true")}


def test_numbers_and_booleans_in_the_core_schema(make_catalog: MakeCatalog) -> None:
    folder = make_catalog(BASE + """\
fee: 12.5
max_visits: 0
materials:
  - {id: licence, name: {zh: 执照}, copies: 2, tolerable: true, required: false}
form:
  - {id: area, type: number, min: 0, max: 1e5}
""")
    cat = load_catalog(folder)
    assert cat.errors == []
    matter = cat.matters["XX-T-0001"]
    assert str(matter.fee) == "12.5" and matter.max_visits == 0
    assert matter.materials[0].copies == 2 and matter.materials[0].tolerable is True
    assert matter.materials[0].required is False
    assert matter.form[0].type == FieldType.number and matter.form[0].max == 100000


def test_extension_special_procedures_deny_and_tolerable_days_load(
        make_catalog: MakeCatalog) -> None:
    # matter-format.md v2: 延期, 特别程序, a deny check and a 容缺 material's own days.
    folder = make_catalog(BASE.replace("time_limit: {statutory_days: 5, committed_days: 1}\n", """\
time_limit:
  statutory_days: 20
  committed_days: 5
  extension: {days: 10, approver: {zh: 本行政机关负责人}}
""") + """\
special_procedures:
  - {id: public_notice, name: {zh: 公示}, max_days: 7, unit: calendar_days}
  - {id: site_check, name: {zh: 现场核查}}
form:
  - {id: servant, type: boolean}
materials:
  - {id: lease, name: {zh: 租赁合同}, tolerable: true, tolerable_days: 5}
checks:
  - when: servant
    deny: {zh: 公职人员不得从事营利性活动，不予许可}
""")
    cat = open_catalog(folder)
    assert [e.render() for e in cat.errors] == []
    matter = cat.matters["XX-T-0001"]
    extension = matter.time_limit.extension
    assert extension is not None and extension.days == 10
    assert extension.approver is not None and extension.approver.zh == "本行政机关负责人"
    assert [(p.id, p.name.zh, p.max_days, p.unit) for p in matter.special_procedures] == [
        ("public_notice", "公示", 7, "calendar_days"), ("site_check", "现场核查", None,
                                                       "working_days")]
    assert matter.materials[0].tolerable_days == 5
    [check] = matter.checks
    assert check.deny is not None and check.refuse is None and check.warn is None


def test_without_v2_keys_a_matter_has_no_extension_and_no_procedures() -> None:
    matter, doc = load_matter_text(BASE + "materials:\n  - {id: lease, name: {zh: 租赁合同}}\n",
                                   "m.yaml")
    assert matter is not None, doc.errors
    assert matter.time_limit.extension is None and matter.special_procedures == []
    assert matter.materials[0].tolerable_days is None


def test_load_matter_text_returns_the_matter_or_the_errors() -> None:
    matter, doc = load_matter_text(BASE, "studio/draft.yaml")
    assert matter is not None and doc.errors == [] and matter.file == "studio/draft.yaml"
    matter, doc = load_matter_text(BASE + "fo: 1\n", "studio/draft.yaml")
    assert matter is None
    assert [(e.code, e.span.file, e.span.line) for e in doc.errors if e.span] == [
        ("unknown-key", "studio/draft.yaml", 6)]


def test_a_recoverable_yaml_error_still_keeps_the_matter_out(make_catalog: MakeCatalog) -> None:
    # With a duplicate key the model is still checked, but the file is not loaded.
    folder = make_catalog(BASE + "kind: public_service\n")
    cat = load_catalog(folder)
    assert [e.code for e in cat.errors] == ["duplicate-key"]
    assert cat.matters == {}


def test_a_bom_and_crlf_file_loads_with_the_right_positions(make_catalog: MakeCatalog) -> None:
    text = "\ufeff" + (BASE + "fo: 1\n").replace("\n", "\r\n")
    folder = make_catalog(text.encode("utf-8"))
    _assert_errors(folder, load_catalog(folder).errors,
                   [E("definition", "unknown-key", 6, 1)])


def test_a_file_too_large_for_parsing_text_is_bounded_too() -> None:
    # The studio hands text, not files: the same bound applies.
    matter, doc = load_matter_text("a: '" + "中" * MAX_FILE_BYTES + "'\n", "draft.yaml")
    assert matter is None
    assert [(e.kind, e.code) for e in doc.errors] == [("limit", "file-too-large")]
