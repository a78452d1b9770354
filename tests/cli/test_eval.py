"""``formkit eval``: data files, --today, the JSON documents and exit codes of cli.md."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from formkit.cli import main

KINDS = {"syntax", "name", "type", "evaluation", "limit", "definition", "io"}

DATA = {
    "age": 30,
    "amount": 0.1,
    "name": "张三",
    "born": "1990-03-07",  # a date: YYYY-MM-DD
    "not_a_date": "2026-02-30",  # date-shaped but impossible: stays text
    "ok": True,
    "nothing": None,
    "rows": [{"share": 60, "when": "2026-01-01"}, {"share": 40.5, "when": None}],
    "group": {"a": 1, "b": "x"},
    "empty": [],
    "id": "445321202611260021",  # born 2026-11-26
}


@pytest.fixture
def data(tmp_path: Path) -> str:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(DATA, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    """Run ``formkit ARGS``; returns the exit code and the one JSON document printed."""
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if code == 2:
        assert out == ""  # a wrong command line prints nothing on stdout
        return code, None
    assert out.endswith("\n") and out.count("\n") == 1, out  # exactly one document
    return code, json.loads(out)


def check_error(doc: Any, kind: str) -> dict[str, Any]:
    """``{"error": <error object>}`` with the contract's keys, and the stable code."""
    assert list(doc) == ["error"]
    obj = doc["error"]
    assert set(obj) <= {"kind", "message", "code", "file", "line", "column", "hint"}
    assert obj["kind"] == kind and obj["kind"] in KINDS
    assert re.fullmatch(r"[a-z][a-z0-9-]*", obj["code"])
    assert isinstance(obj["message"], str) and obj["message"]
    for key in ("line", "column"):
        if key in obj:
            assert isinstance(obj[key], int) and obj[key] >= 1
    assert isinstance(obj, dict)
    return obj


# (expression, value printed): types come from the JSON values
VALUES = [
    ("age + 1", 31),
    ("amount + 0.2 == 0.3", True),  # exact decimals, even from a JSON float
    ("amount * 3", 0.3),
    ("7 / 2", 3.5),
    ("born + 1", "1990-03-08"),  # a YYYY-MM-DD text is a date
    ('days_between(born, date("1990-03-17"))', 10),
    ("len(not_a_date)", 10),  # an impossible date stays text
    ('not_a_date + "!"', "2026-02-30!"),
    ("ok and age > 18", True),
    ("nothing", None),
    ("nothing + 1", None),
    ("len(nothing)", 0),
    ("sum(rows.share)", 100.5),
    ("rows[0].when + 1", "2026-01-02"),
    ("count(rows, share > 50)", 1),
    ("group.b", "x"),
    ("group", {"a": 1, "b": "x"}),
    ("rows", DATA["rows"]),
    ("len(empty)", 0),
    ('name + "丰"', "张三丰"),
    ("[1, 2, 3]", [1, 2, 3]),
    ("today()", "2026-11-25"),
    ("valid_id_number(id)", False),  # born tomorrow
    ("12345678901234567 + 1", 12345678901234568),  # whole numbers keep every digit
    ("123456789 * 123456789012", 15241578751672002468),  # 20 digits, exact
    ("10 / 4 * 2", 5),
    ("1 / 3", 0.3333333333333333),  # a fraction: the nearest float
]


@pytest.mark.parametrize(("expr", "value"), VALUES, ids=[v[0] for v in VALUES])
def test_values(capsys: pytest.CaptureFixture[str], data: str, expr: str, value: Any) -> None:
    code, doc = run(capsys, "eval", expr, "--data", data, "--today", "2026-11-25", "--json")
    assert code == 0
    assert doc == {"value": value}
    assert type(doc["value"]) is type(value)


def test_today_fixes_the_date(capsys: pytest.CaptureFixture[str], data: str) -> None:
    code, doc = run(capsys, "eval", "valid_id_number(id) and today() > born",
                    "--data", data, "--today", "2026-11-27", "--json")
    assert (code, doc) == (0, {"value": True})


def test_without_data_or_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", '"申请" + "人"']) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out) == "申请人"


# (expression, the whole error object): failures exit 1 with {"error": ...}
FAILURES = [
    ("agee > 1", {"kind": "name", "message": "unknown name 'agee'", "code": "unknown-name",
                  "line": 1, "column": 1, "hint": "did you mean 'age'?"}),
    ("age +", {"kind": "syntax", "message": "the expression ends after an operator",
               "code": "missing-right", "line": 1, "column": 6,
               "hint": "add the value that goes after it"}),
    ('age + "x"', {"kind": "type", "message": "'+' cannot combine a number and a text",
                   "code": "wrong-type", "line": 1, "column": 5,
                   "hint": "a text and a number cannot be added; compare or convert them"}),
    ("age / 0", {"kind": "evaluation", "message": "division by zero", "code": "evaluation",
                 "line": 1, "column": 1}),
    ("if age then 1 else 2", {"kind": "type", "message": "'if' needs a condition (true or "
                              "false), but this is a number", "code": "not-a-condition",
                              "line": 1, "column": 4,
                              "hint": "write a comparison, e.g. floor_area > 0, or a yes/no "
                              "field"}),
]


@pytest.mark.parametrize(("expr", "error"), FAILURES, ids=[f[0] for f in FAILURES])
def test_failures(capsys: pytest.CaptureFixture[str], data: str, expr: str,
                  error: dict[str, Any]) -> None:
    code, doc = run(capsys, "eval", expr, "--data", data, "--json")
    assert code == 1
    assert check_error(doc, error["kind"]) == error


def test_first_of_several_errors(capsys: pytest.CaptureFixture[str], data: str) -> None:
    code, doc = run(capsys, "eval", 'agee > 1 and nam == "x"', "--data", data, "--json")
    assert code == 1
    obj = check_error(doc, "name")
    assert (obj["line"], obj["column"]) == (1, 1)
    assert obj["message"].endswith("... and 1 more")


def test_limit_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run(capsys, "eval", "1+" * 2500 + "1", "--json")
    assert code == 1
    assert check_error(doc, "limit")["line"] == 1


def test_result_too_large_for_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = run(capsys, "eval", "9" * 400, "--json")
    assert code == 1
    check_error(doc, "limit")


def test_human_output_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "floor_are > 1"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == ["<input>:1:1: name error: unknown name 'floor_are'",
                                "    floor_are > 1", "    ^^^^^^^^^"]


# ---- data files that are wrong: exit 1, kind io ----------------------------------------------

@pytest.mark.parametrize(("text", "where"), [
    ('{"a": 1,}', True),  # not JSON: placed at the line and column
    ("[1, 2]", False),  # not an object
    ('{"a": NaN}', False),  # NaN is not a number
    ('{"a": Infinity}', False),
])
def test_bad_data_files(capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str,
                        where: bool) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    code, doc = run(capsys, "eval", "1", "--data", str(path), "--json")
    assert code == 1
    obj = check_error(doc, "io")
    assert ("line" in obj) is where
    if where:
        assert obj["file"] == str(path) and obj["line"] == 1


def test_missing_data_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, doc = run(capsys, "eval", "1", "--data", str(tmp_path / "none.json"), "--json")
    assert code == 1
    check_error(doc, "io")


# ---- the command line itself is wrong: exit 2, nothing on stdout ---------------------------

@pytest.mark.parametrize("args", [
    ["eval", "--json"],  # no expression
    ["eval", "1", "--bogus", "--json"],
    ["eval", "today()", "--today", "2026-13-01", "--json"],
    ["eval", "today()", "--today", "25/11/2026", "--json"],
    ["eval"],
])
def test_command_line_errors(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, _ = run(capsys, *args)
    assert code == 2


def test_catalog_without_matter_is_a_command_line_error(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _ = run(capsys, "eval", "1", "--catalog", str(tmp_path), "--json")
    assert code == 2


# ---- --catalog DIR --matter CODE: names and types from the matter's form --------------------

CATALOG = """\
name: {zh: 测试行政服务中心}
departments:
  - id: market_supervision
    name: {zh: 市场监督管理局}
    sections:
      - id: registration
        name: {zh: 登记注册股}
calendar: calendar.yaml
"""
CALENDAR = """\
closures:
  - {date: "2026-11-26", name: {zh: 系统升级停办}}
holidays:
  - {date: "2026-12-01", name: {zh: 地方节日}}
workdays:
  - {date: "2026-12-05", name: {zh: 周末延时服务日}}
"""
MATTER = """\
code: "XX-MS-0001"
name: {zh: 个体工商户设立登记}
department: market_supervision
kind: administrative_licensing
time_limit: {statutory_days: 15, committed_days: 3}
uses: [common]
let:
  big: floor_area > 100
form:
  - id: applicant
    type: group
    fields:
      - {id: name, type: text}
      - {id: id_number, type: id_number}
  - id: business_kind
    type: choice
    options:
      - {value: retail, label: {zh: 零售}}
      - {value: catering, label: {zh: 餐饮}}
  - {id: floor_area, type: number}
  - {id: opened, type: date}
  - {id: note, type: text}
  - id: shareholders
    type: repeat
    fields:
      - {id: share, type: number}
"""
RULES = """\
# 通用规则
let adult(id) = years_between(id_birthdate(id), today()) >= 18
"""


@pytest.fixture
def catalog(tmp_path: Path) -> str:
    folder = tmp_path / "definitions"
    (folder / "market_supervision").mkdir(parents=True)
    (folder / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    (folder / "calendar.yaml").write_text(CALENDAR, encoding="utf-8")
    (folder / "market_supervision" / "m1.yaml").write_text(MATTER, encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "common.rules").write_text(RULES, encoding="utf-8")
    return str(folder)


def matter_data(tmp_path: Path, values: dict[str, Any]) -> str:
    path = tmp_path / "fields.json"
    path.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    return str(path)


FIELDS = {"applicant": {"name": "张三", "id_number": "445321199003071230"},
          "business_kind": "retail", "floor_area": 120, "opened": "2026-01-05",
          "note": "2026-01-05", "shareholders": [{"share": 60}, {"share": 40}]}

MATTER_VALUES = [
    ("adult(applicant.id_number)", True),  # a library function
    ("big", True),  # the matter's let
    ('business_kind == "retail"', True),
    ("opened + 1", "2026-01-06"),  # a date field
    ('note + "!"', "2026-01-05!"),  # a text field stays text, whatever it looks like
    ("sum(shareholders.share)", 100),
    ("add_workdays(today(), 1)", "2026-11-27"),  # the centre's calendar: 26th closed
    # as every command reads the calendar: a local holiday is not counted (Tue 12-01),
    ('add_workdays(date("2026-11-30"), 1)', "2026-12-02"),
    # and a Saturday the window opens (12-05) is no legal working day
    ('add_workdays(date("2026-12-04"), 1)', "2026-12-07"),
]


@pytest.mark.parametrize(("expr", "value"), MATTER_VALUES, ids=[v[0] for v in MATTER_VALUES])
def test_matter_scope(capsys: pytest.CaptureFixture[str], tmp_path: Path, catalog: str,
                      expr: str, value: Any) -> None:
    code, doc = run(capsys, "eval", expr, "--catalog", catalog, "--matter", "XX-MS-0001",
                    "--data", matter_data(tmp_path, FIELDS), "--today", "2026-11-25",
                    "--json")
    assert (code, doc) == (0, {"value": value})


def test_matter_without_data_has_unanswered_fields(
        capsys: pytest.CaptureFixture[str], catalog: str) -> None:
    code, doc = run(capsys, "eval", "floor_area > 1 or len(shareholders) > 0",
                    "--catalog", catalog, "--matter", "XX-MS-0001", "--json")
    assert (code, doc) == (0, {"value": False})


def test_matter_choice_options_are_checked(capsys: pytest.CaptureFixture[str],
                                           catalog: str) -> None:
    code, doc = run(capsys, "eval", 'business_kind == "catring"', "--catalog", catalog,
                    "--matter", "XX-MS-0001", "--json")
    assert code == 1
    assert check_error(doc, "name") == {
        "kind": "name", "message": '"catring" is not an option of this choice',
        "code": "unknown-option", "line": 1, "column": 18, "hint": "did you mean 'catering'?"}


def test_matter_data_of_the_wrong_type(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       catalog: str) -> None:
    code, doc = run(capsys, "eval", "floor_area", "--catalog", catalog, "--matter",
                    "XX-MS-0001", "--data", matter_data(tmp_path, {"floor_area": "大"}),
                    "--json")
    assert code == 1
    assert "floor_area" in check_error(doc, "io")["message"]


def test_unknown_matter(capsys: pytest.CaptureFixture[str], catalog: str) -> None:
    code, doc = run(capsys, "eval", "1", "--catalog", catalog, "--matter", "XX-NOPE",
                    "--json")
    assert code == 1
    error = check_error(doc, "name")
    assert "XX-NOPE" in error["message"] and error["code"] == "unknown-matter"


# ---- hardening: numbers, encodings and dashes in data and arguments --------------------------

BIG = "1" * 5000  # past Python's 4,300-digit bound on int()


@pytest.mark.parametrize(("raw", "code", "line", "column"), [
    # an integer of 5,000 digits: refused with its place, not "Exceeds the limit"
    (b'{"a": ' + BIG.encode() + b"}", "big-number", 1, 7),
    # an exponent past any decimal: not "internal error: Overflow"
    (b'{"a": 1e999999999999}', "big-number", 1, 7),
    # past a double: it could not be printed back as a JSON number
    (b'{"a": 1e400}', "big-number", 1, 7),
    # 101 digits: one past the bound; a text with the same digits earlier is skipped
    (b'{"t": "' + b"9" * 101 + b'",\n "a": -' + b"9" * 101 + b"}", "big-number", 2, 7),
    # a lone surrogate escape: no UTF-8 output can hold it
    (b'{"materials": ["ok", "\\ud800"]}', "bad-text", 1, 22),
    # a lone low half in a key
    (b'{"x": {"\\udc00": 1}}', "bad-text", 1, 8),
    # a byte that is not UTF-8, placed
    (b'{"a": 1,\n "b": "\xff"}', "encoding", 2, 8),
])
def test_data_that_cannot_be_read(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                  raw: bytes, code: str, line: int, column: int) -> None:
    path = tmp_path / "data.json"
    path.write_bytes(raw)
    status, doc = run(capsys, "eval", "1", "--data", str(path), "--json")
    assert status == 1
    obj = check_error(doc, "limit" if code == "big-number" else "io")
    assert (obj["code"], obj["file"], obj["line"], obj["column"]) == (code, str(path), line,
                                                                      column)


@pytest.mark.parametrize(("raw", "value"), [
    # a byte-order mark (Notepad's UTF-8) is accepted, as the YAML loader does
    (b'\xef\xbb\xbf{"a": 43}', 42),
    # 100 digits and 1e307 are within the bounds
    (b'{"a": ' + b"9" * 100 + b"}", int("9" * 100)),
    (b'{"a": 1e307}', 1e307),
    # a surrogate pair is one character, not a lone half
    (b'{"a": "\\ud83d\\ude00"}', "\U0001f600"),
])
def test_data_that_is_read(capsys: pytest.CaptureFixture[str], tmp_path: Path, raw: bytes,
                           value: Any) -> None:
    path = tmp_path / "data.json"
    path.write_bytes(raw)
    expr = "a - 1" if value == 42 else "a"
    status, doc = run(capsys, "eval", expr, "--data", str(path), "--json")
    assert (status, doc) == (0, {"value": value})


@pytest.mark.parametrize(("args", "value"), [
    # an expression that starts with '-' is the expression, not an unknown option
    (["eval", "-age", "--data", "DATA", "--json"], -30),
    (["eval", "--data", "DATA", "-age", "--json"], -30),
    (["eval", "-age+1", "--data", "DATA", "--json"], -29),
    # one that would read as '-h' and more ("-hours" is not help)
    (["eval", "-len(name)", "--data", "DATA", "--json"], -2),
    # after '--', as usual on the command line
    (["eval", "--data", "DATA", "--json", "--", "-age"], -30),
    # a negative number, as before
    (["eval", "-5", "--json"], -5),
])
def test_an_expression_that_starts_with_a_dash(capsys: pytest.CaptureFixture[str], data: str,
                                               args: list[str], value: Any) -> None:
    status, doc = run(capsys, *[data if a == "DATA" else a for a in args])
    assert (status, doc) == (0, {"value": value})


@pytest.mark.parametrize("args", [
    # an unknown long option is still a command-line error
    ["eval", "--ag", "--json"],
    # and an option that needs a value still needs it
    ["eval", "age", "--data"],
])
def test_dash_words_that_stay_command_line_errors(capsys: pytest.CaptureFixture[str],
                                                  args: list[str]) -> None:
    status, _ = run(capsys, *args)
    assert status == 2


def test_an_expression_that_is_not_utf8(capsys: pytest.CaptureFixture[str]) -> None:
    # What Python makes of the byte 0xFF in an argument (surrogateescape)
    status, doc = run(capsys, "eval", "1 + \udcff", "--json")
    obj = check_error(doc, "io")
    assert status == 1 and obj["code"] == "bad-text" and obj["column"] == 5
    assert "byte 0xff" in obj["message"]


@pytest.mark.parametrize(("depth", "ok"), [
    (64, True),  # the bound itself
    (65, False),  # one more level
    (500, False),  # deeper than a naive recursive walk survives
])
def test_data_nesting_is_bounded(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                 depth: int, ok: bool) -> None:
    value: Any = 1
    for _ in range(depth - 1):  # the outer object is one level
        value = [value]
    path = tmp_path / "deep.json"
    path.write_text(json.dumps({"x": value}), encoding="utf-8")
    code, doc = run(capsys, "eval", "x != null", "--data", str(path), "--json")
    if ok:
        assert (code, doc) == (0, {"value": True})
    else:
        assert code == 1 and check_error(doc, "limit")["code"] == "too-deep"
