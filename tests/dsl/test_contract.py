"""The rule-language contract (shared/spec/rule-language.md), one row per sentence.

Each row is ``(expression, expected)`` or ``(expression, expected, today)``.
``expected`` is the value (numbers as ``Decimal``/``int``, dates as ``date``,
null as ``None``) or an ``Err`` with the error kind, line and column (and, for
some, a text the hint must contain). Values are compared strictly: ``True`` is
not ``1`` and ``Decimal("0.3")`` is not a float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any, NamedTuple

import pytest

from formkit.dsl import ast
from formkit.dsl.checker import Scope
from formkit.dsl.compiler import EvalContext
from formkit.dsl.parser import MAX_DEPTH, MAX_LENGTH, MAX_LIST, parse_expression
from formkit.dsl.pipeline import evaluate_text
from formkit.dsl.types import BOOL, DATE, NUMBER, TEXT, T, group_of, list_of
from formkit.errors import FormkitError, FormkitErrors

TODAY = dt.date(2026, 11, 25)


def choice(*options: str) -> T:
    """The type of a choice field with these options."""
    return T("text", options=frozenset(options))


FIELDS: dict[str, T] = {
    "age": NUMBER,
    "floor_area": NUMBER,
    "name": TEXT,
    "申请人类型": TEXT,
    "ok": BOOL,
    "no": BOOL,
    "born": DATE,
    "business_kind": choice("retail", "catering"),
    "categories": list_of(choice("hot_food", "prepackaged", "drinks")),
    "shareholders": list_of(group_of(
        {"name": TEXT, "share": NUMBER, "kind": choice("natural", "legal")})),
    "empty_rows": list_of(group_of({"share": NUMBER})),
    "applicant": group_of({"name": TEXT, "id_number": TEXT, "mobile": TEXT}),
    "nums": list_of(NUMBER),
    "tags": list_of(TEXT),
    "missing": NUMBER,
    "missing_text": TEXT,
    "missing_date": DATE,
    "missing_flag": BOOL,
    "missing_rows": list_of(group_of({"share": NUMBER})),
    # a repeat inside a group, the group answered or not
    "company": group_of({"rows": list_of(group_of({"share": NUMBER}))}),
    "no_company": group_of({"rows": list_of(group_of({"share": NUMBER}))}),
}

ENV: dict[str, Any] = {
    "age": D(30),
    "floor_area": D("120.5"),
    "name": "张三",
    "申请人类型": "个人",
    "ok": True,
    "no": False,
    "born": dt.date(1990, 3, 7),
    "business_kind": "retail",
    "categories": ["hot_food", "drinks"],
    "shareholders": [{"name": "甲", "share": D(60), "kind": "natural"},
                     {"name": "乙", "share": D(40), "kind": "legal"}],
    "empty_rows": [],
    "applicant": {"name": "李四", "id_number": "445321199003071230", "mobile": "13800138000"},
    "nums": [D(3), D(1), D(2)],
    "tags": ["a", "b"],
    "missing": None,
    "missing_text": None,
    "missing_date": None,
    "missing_flag": None,
    "missing_rows": None,
    "company": {"rows": [{"share": D(60)}, {"share": D(40)}, {"share": None}]},
    "no_company": None,
}


class Err(NamedTuple):
    """An expected error: its kind, line and column, and optionally part of its hint."""

    kind: str
    line: int
    column: int
    hint: str | None = None


def date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Identifiers with correct check characters (computed with the GB algorithms).
ID_M = "445321199003071230"  # born 1990-03-07, male
ID_F = "11010519491231002X"  # born 1949-12-31, female, check character X
ID_BAD = "445321199003071231"  # ID_M with a wrong check digit
ID_2025 = "445321202501011235"  # born 2025-01-01
ID_NOV26 = "445321202611260021"  # born 2026-11-26: tomorrow, for TODAY
USCC_OK = "91350100M000100Y43"
USCC_LOCAL = "91445321MA4W00000X"

CASES: list[tuple[Any, ...]] = [
    # ---- values and literals ------------------------------------------------------------
    # numbers are exact decimals
    ("0.1 + 0.2 == 0.3", True),
    ("0.1 + 0.2", D("0.3")),
    ("0.1 * 3", D("0.3")),
    ("42", 42),
    ("3.5", D("3.5")),
    ("-7", -7),
    ("1.10 == 1.1", True),
    ("1 == 1.0", True),
    # texts in either quotes, with escapes
    ('"abc"', "abc"),
    ("'abc'", "abc"),
    (r'"a\"b"', 'a"b'),
    (r'"a\\b"', "a\\b"),
    (r'"a\nb"', "a\nb"),
    (r"'it\'s'", "it's"),
    ("'say \"hi\"'", 'say "hi"'),
    (r'"\q"', Err("syntax", 1, 2, "escapes")),
    ("'not closed", Err("syntax", 1, 1)),
    # length counts characters, not bytes
    ('len("申请人")', 3),
    (r'len("a\nb")', 3),
    ('len("")', 0),
    ('len("😀")', 1),
    # booleans, null, dates, lists
    ("true", True),
    ("false", False),
    ("null", None),
    ('date("2026-11-25")', TODAY),
    ("[1, 2, 3]", [1, 2, 3]),
    ("[]", []),
    ('[1, "a"]', Err("type", 1, 5)),  # elements of one type
    ("[[1], [2, 3]]", [[1], [2, 3]]),
    # Unicode identifiers; English keywords are reserved
    ("申请人类型", "个人"),
    ('申请人类型 == "个人"', True),
    ("applicant.name", "李四"),
    ("if == 1", Err("syntax", 1, 4)),
    ("let", Err("syntax", 1, 1)),
    ("true = 1", Err("syntax", 1, 6, "==")),
    ("age\u3000>\u00a018", True),  # ideographic and no-break spaces are spaces

    # ---- operators and precedence ---------------------------------------------------------
    # 1. if is lowest: the else branch takes the whole rest
    ("if true then 1 else 2 + 3", 1),
    ("if false then 1 else 2 + 3", 5),
    ("(if true then 1 else 2) + 3", 4),
    ('if no or ok then "是" else "否"', "是"),
    ("if ok then if no then 1 else 2 else 3", 2),
    ("1 + if ok then 1 else 2", Err("syntax", 1, 5, "brackets")),
    # 2./3. or is below and
    ("true or false and false", True),
    ("(true or false) and false", False),
    # 4. not is below comparison but above and
    ("not 1 == 2", True),
    ("not age > 18", False),
    ("not false and false", False),
    ("not not ok", True),
    ("1 == not ok", Err("syntax", 1, 6, "brackets")),
    # 6./7. + - below * / %, left to right
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("10 - 4 - 3", 3),
    ("100 / 10 / 5", 2),
    ("7 % 4", 3),
    ("2 * 3 % 4", 2),
    ("7 / 2", D("3.5")),
    ("1 + 1 in [2]", True),  # + binds tighter than in
    # text + text, date +/- days
    ('"申请" + "人"', "申请人"),
    ('date("2026-11-25") + 7', date("2026-12-02")),
    ('7 + date("2026-11-25")', date("2026-12-02")),
    ('date("2026-11-25") - 30', date("2026-10-26")),
    ('date("2024-03-01") - 1', date("2024-02-29")),
    ('date("2026-11-25") - date("2026-11-01")', Err("type", 1, 20, "days_between")),
    ('age + "x"', Err("type", 1, 5)),
    ('date("2026-11-25") + 1.5', Err("evaluation", 1, 1)),
    # 8./9. unary minus is below call, member and index, above * and +
    ("-2 * 3", -6),
    ("- 3 + 5", 2),
    ('-len("ab")', -2),
    ("-shareholders[0].share", -60),
    ("-nums[0] * 2", -6),
    ("--1", 1),
    ("1 - -1", 2),
    ("-applicant.name", Err("type", 1, 1)),
    # index is 0-based; out of range is null
    ("nums[0]", 3),
    ("nums[2]", 2),
    ("nums[3]", None),
    ("tags[1]", "b"),
    ("shareholders[1].name", "乙"),
    ("[10, 20][1]", 20),
    ('nums["a"]', Err("type", 1, 6)),

    # ---- comparisons and chains -----------------------------------------------------------
    ("18 <= age < 60", True),
    ("18 <= 70 < 60", False),
    ("1 < 2 < 3 < 4", True),
    ("1 < 3 > 2", True),
    ("1 < 2 > 3", False),
    ("1 == 1 == 1", True),
    ("age != 30", False),
    ('"a" < "b"', True),
    ('date("2026-01-01") < date("2026-01-02")', True),
    ("[1, 2] == [1, 2]", True),
    ("ok < no", Err("type", 1, 4)),  # true/false are not ordered
    ('age == "30"', Err("type", 1, 1)),
    # in / not in: membership in lists, substring in texts
    ("2 in [1, 2, 3]", True),
    ("5 in [1, 2, 3]", False),
    ("5 not in [1, 2, 3]", True),
    ('"a" in tags', True),
    ('"z" not in tags', True),
    ("3 in nums", True),
    ('"三" in name', True),
    ('"张三" in "张三丰"', True),
    ('"x" not in name', True),
    ('"hot_food" in categories', True),
    ('business_kind in ["retail", "catering"]', True),
    ('"甲" in shareholders.name', True),
    ('1 in "abc"', Err("type", 1, 1)),
    ('"a" in 1', Err("type", 1, 8)),

    # ---- and/or short-circuit -------------------------------------------------------------
    ("false and (1 / 0 > 1)", False),
    ("true or (1 / 0 > 1)", True),
    ("true and (1 / 0 > 1)", Err("evaluation", 1, 11)),
    ("if true then 1 else 1 / 0", 1),
    ("if false then 1 / 0 else 2", 2),
    ("1 / 0", Err("evaluation", 1, 1)),
    ("10 % 0", Err("evaluation", 1, 1)),
    # one value against several literals (compiled as one set test: same answers)
    ('business_kind == "retail" or business_kind == "catering"', True),
    ('name == "李四" or name == "王五"', False),
    ('missing_text == "a" or missing_text == "b"', False),
    ("age == 30 or age == 31.0", True),
    ("age == 29 or age == 30.00 or age == 31", True),
    ("missing == 1 or missing == 2", False),
    ('name == "李四" or name == "王五" or age > 18', True),
    ('name == "张三" or 申请人类型 == "x"', True),
    ('count(shareholders, kind == "legal" or kind == "natural")', 2),
    ('not (business_kind == "retail" or business_kind == "catering")', False),
    ('business_kind == "retial" or business_kind == "catering"',
     Err("name", 1, 18, "did you mean 'retail'?")),

    # ---- null -----------------------------------------------------------------------------
    ("null == null", True),
    ("null == 1", False),
    ("null != 1", True),
    ("missing == null", True),
    ("missing != null", False),
    ("missing == 0", False),
    # ordering with a null side is false
    ("null < 1", False),
    ("null <= 1", False),
    ("null > 1", False),
    ("null >= 1", False),
    ("1 > missing", False),
    ("missing_date < today()", False),
    ("0 <= missing <= 10", False),
    # arithmetic with null is null
    ("missing + 1", None),
    ("missing * 2", None),
    ("-missing", None),
    ("missing / 0", None),
    ('missing_text + "x"', None),
    ("missing_date + 1", None),
    ("today() - missing", None),
    # len, count, sum, any, all treat null as empty
    ("len(null)", 0),
    ("len(missing_text)", 0),
    ("len(missing_rows)", 0),
    ("count(missing_rows, share > 1)", 0),
    ("sum(null)", 0),
    ("sum(missing_rows.share)", 0),
    ("any(missing_rows, share > 1)", False),
    ("all(missing_rows, share > 1)", True),
    # other functions given null give null
    ("abs(missing)", None),
    ("round(missing, 2)", None),
    ("upper(missing_text)", None),
    ("trim(missing_text)", None),
    ('matches(missing_text, "a")', None),
    ('startswith(missing_text, "a")', None),
    ("date(missing_text)", None),
    ("days_between(missing_date, today())", None),
    ("years_between(missing_date, today())", None),
    ("add_workdays(missing_date, 1)", None),
    ("add_workdays(today(), missing)", None),
    ("workdays_between(today(), missing_date)", None),
    ("max(1, missing)", None),
    # valid_* give false; id_birthdate/id_gender give null for a non-ID
    ("valid_id_number(missing_text)", False),
    ("valid_uscc(null)", False),
    ("valid_mobile(null)", False),
    ("id_birthdate(null)", None),
    ('id_birthdate("123")', None),
    (f'id_gender("{ID_BAD}")', None),
    # in a boolean place null is false
    ("null and true", False),
    ("null or true", True),
    ("not null", True),
    ("not missing_flag", True),
    ("if missing_flag then 1 else 2", 2),
    ("if missing > 1 then 1 else 2", 2),
    # any other non-boolean there is a type error
    ("1 and true", Err("type", 1, 1, "comparison")),
    ("if 1 then 2 else 3", Err("type", 1, 4)),
    ('not "x"', Err("type", 1, 5)),
    ("ok or age", Err("type", 1, 7)),
    ("true and name", Err("type", 1, 10)),

    # ---- built-in functions ---------------------------------------------------------------
    # len
    ('len("abc")', 3),
    ("len(tags)", 2),
    ("len([])", 0),
    ("len(shareholders)", 2),
    ("len(1)", Err("type", 1, 5)),
    ('len("a", "b")', Err("type", 1, 1)),
    # count / any / all: the condition sees each row's fields (and the form's)
    ("count(shareholders, share > 50)", 1),
    ("count(shareholders, share > age)", 2),
    ('count(shareholders, kind == "legal" and share < 50)', 1),
    ('any(shareholders, name == "乙")', True),
    ("all(shareholders, share >= 40)", True),
    ("all(shareholders, share > 40)", False),
    ("count(empty_rows, share > 0)", 0),
    ("any(empty_rows, share > 0)", False),
    ("all(empty_rows, share > 0)", True),
    # a repeat inside a group (its rows read through the group, which may be null)
    ("count(company.rows, share > 50)", 1),
    ("any(company.rows, share < 50)", True),
    ("all(company.rows, share > 0)", False),  # a row without a share: null is not true
    ("count(no_company.rows, share > 50)", 0),
    ("any(no_company.rows, share > 50)", False),
    ("all(no_company.rows, share > 50)", True),
    ("count(company.rows, share > 50) + count(no_company.rows, true)", 1),
    ("count(shareholders, shar > 1)", Err("name", 1, 21, "did you mean 'share'?")),
    ("any(shareholders, share)", Err("type", 1, 19)),
    ("count(nums, true)", Err("type", 1, 7)),
    ('count(shareholders, kind == "legl")', Err("name", 1, 29, "did you mean 'legal'?")),
    # sum, and list.field on a list of groups
    ("sum(shareholders.share)", 100),
    ("sum(nums)", 6),
    ("sum([])", 0),
    ("sum([1, null, 2])", 3),
    ("sum(tags)", Err("type", 1, 5)),
    ("shareholders.name", ["甲", "乙"]),
    ("shareholders.share", [60, 40]),
    ("empty_rows.share", []),
    ("shareholders.nam", Err("name", 1, 14, "did you mean 'name'?")),
    # min, max, abs, round
    ("min(3, 1, 2)", 1),
    ("max(3, 1, 2)", 3),
    ("min(nums)", 1),
    ("max(nums)", 3),
    ('max(date("2026-01-01"), date("2026-03-01"))', date("2026-03-01")),
    ("min([])", None),
    ('min(1, "a")', Err("type", 1, 8)),
    ("abs(-3.5)", D("3.5")),
    ("abs(2)", 2),
    ("round(2.345, 2)", D("2.35")),
    ("round(1.005, 2)", D("1.01")),  # exact decimals: no binary 1.00499...
    ("round(2.5)", 3),
    ("round(2.4)", 2),
    ("round(-2.5)", -3),  # half up, away from zero
    ("round(10 / 3, 2)", D("3.33")),
    ("round(1, 20)", Err("evaluation", 1, 1)),
    # text functions
    ('matches("ab12", "[0-9]+")', True),  # a search, not a full match
    ('matches("abc", "^b")', False),
    ('matches(applicant.mobile, "^1[3-9][0-9]{9}$")', True),
    ('startswith("445321", "4453")', True),
    ('endswith("abc", "bc")', True),
    ('upper("abc")', "ABC"),
    ('lower("ABC")', "abc"),
    ('trim("  x  ")', "x"),
    ('trim("　张三　")', "张三"),  # full-width spaces too
    ('upper(1)', Err("type", 1, 7)),
    # today() is fixed by the context
    ("today()", TODAY),
    ("today() + 1", date("2026-11-26")),
    ("today()", date("2027-01-01"), date("2027-01-01")),
    ("today(1)", Err("type", 1, 1)),
    ("today", Err("name", 1, 1, "is a function")),
    # date(text): YYYY-MM-DD; an impossible date is an error
    ('date("2024-02-29")', date("2024-02-29")),
    ('date("2026-02-29")', Err("evaluation", 1, 1, "YYYY-MM-DD")),
    ('date("2026-1-5")', Err("evaluation", 1, 1)),
    ('date("2026-W48-3")', Err("evaluation", 1, 1)),  # ISO week dates are not YYYY-MM-DD
    ('date("20261125")', Err("evaluation", 1, 1)),
    ("date(name)", Err("evaluation", 1, 1)),
    ("date(1)", Err("type", 1, 6)),
    # days_between and years_between
    ('days_between(date("2026-01-01"), date("2026-11-25"))', 328),
    ('days_between(date("2026-11-25"), date("2026-01-01"))', -328),
    ("days_between(today(), today())", 0),
    ('years_between(date("2008-11-25"), date("2026-11-25"))', 18),  # 18th birthday
    ('years_between(date("2008-11-26"), date("2026-11-25"))', 17),  # the day before
    ('years_between(date("2008-02-29"), date("2026-02-28"))', 17),  # leap-day birthday
    ('years_between(date("2008-02-29"), date("2026-03-01"))', 18),
    ("years_between(born, today())", 36),
    # add_workdays over the 2026 National Day holiday (Oct 1-7 off, Sat Oct 10 worked)
    ('add_workdays(date("2026-09-29"), 5)', date("2026-10-12")),
    ('add_workdays(date("2026-09-30"), 1)', date("2026-10-08")),
    ('add_workdays(date("2026-10-09"), 1)', date("2026-10-10")),  # 调休 Saturday
    ('add_workdays(date("2026-11-27"), 1)', date("2026-11-30")),  # Friday -> Monday
    ("add_workdays(today(), 0)", TODAY),
    ("add_workdays(today(), -1)", Err("evaluation", 1, 1)),
    ("add_workdays(today(), 1.5)", Err("evaluation", 1, 1)),
    # workdays_between: after a, up to and including b
    ('workdays_between(date("2026-09-29"), date("2026-10-12"))', 5),
    ('workdays_between(date("2026-09-30"), date("2026-10-07"))', 0),
    ('workdays_between(date("2026-11-20"), date("2026-11-27"))', 5),
    ("workdays_between(today(), today())", 0),
    ('workdays_between(date("2026-10-12"), date("2026-09-29"))', 0),
    # resident ID (GB 11643): check digit, X, birth date not in the future
    (f'valid_id_number("{ID_M}")', True),
    (f'valid_id_number("{ID_BAD}")', False),
    (f'valid_id_number("{ID_F}")', True),
    (f'valid_id_number("{ID_M[:17]}")', False),
    (f'valid_id_number("{ID_NOV26}")', False),  # born tomorrow
    (f'valid_id_number("{ID_NOV26}")', True, date("2026-11-27")),
    (f'id_birthdate("{ID_M}")', date("1990-03-07")),
    (f'id_gender("{ID_M}")', "M"),
    (f'id_gender("{ID_F}")', "F"),
    (f'id_birthdate("{ID_2025}")', date("2025-01-01")),
    (f'id_birthdate("{ID_2025}")', None, date("2020-01-01")),  # not valid on that day
    (f'id_gender("{ID_2025}")', None, date("2020-01-01")),
    ("years_between(id_birthdate(applicant.id_number), today()) >= 18", True),
    ('id_gender(applicant.id_number) == "m"', Err("name", 1, 35, '"M"')),
    # unified social credit code (GB 32100)
    (f'valid_uscc("{USCC_OK}")', True),
    (f'valid_uscc("{USCC_LOCAL}")', True),
    (f'valid_uscc("{USCC_OK[:17]}4")', False),
    (f'valid_uscc("{USCC_OK.lower()}")', False),
    # mainland mobile numbers
    ('valid_mobile("13800138000")', True),
    ('valid_mobile("12800138000")', False),
    # valid_email: formkit's own, for the email field type
    ('valid_email("zhang.san@example.cn")', True),
    ('valid_email("zhang san@example")', False),  # a space, and no dot in the domain
    ("valid_email(null)", False),
    ('valid_mobile("1380013800")', False),
    ('valid_mobile("+8613800138000")', False),
    # unknown functions
    ('lenn("a")', Err("name", 1, 1, "did you mean 'len'?")),
    ('__import__("os")', Err("name", 1, 1)),
    ('open("/etc/passwd")', Err("name", 1, 1)),

    # ---- static checks --------------------------------------------------------------------
    ("floor_are > 1", Err("name", 1, 1, "did you mean 'floor_area'?")),
    ("age > 1 and flor_area > 1", Err("name", 1, 13, "did you mean 'floor_area'?")),
    ('申请人类 == "x"', Err("name", 1, 1, "did you mean '申请人类型'?")),
    ("xyz > 1", Err("name", 1, 1)),
    ("if age then 1 else 2", Err("type", 1, 4)),
    ('if ok then 1 else "a"', Err("type", 1, 1)),
    ('business_kind == "catring"', Err("name", 1, 18, "did you mean 'catering'?")),
    ('"catring" == business_kind', Err("name", 1, 1, "did you mean 'catering'?")),
    ('business_kind != "x"', Err("name", 1, 18, '"catering", "retail"')),
    ('business_kind in ["retail", "catring"]', Err("name", 1, 29, "catering")),
    ('"hot_fod" in categories', Err("name", 1, 1, "did you mean 'hot_food'?")),
    ('categories == ["hot_fod"]', Err("name", 1, 16, "hot_food")),
    ("applicant.nme", Err("name", 1, 11, "did you mean 'name'?")),
    ("age.x", Err("type", 1, 5)),
    ("tags[0] + 1", Err("type", 1, 9)),
    ("floor_are > 1 and agee > 1", Err("name", 1, 1)),  # the first of two errors
    ('born == "1990-03-07"', Err("type", 1, 1, 'date("YYYY-MM-DD")')),
    ("age(1) > 0", Err("type", 1, 1, "without brackets")),  # a field is not a function
    ("age = 18", Err("syntax", 1, 5, "==")),

    # ---- limits, and expressions are data -------------------------------------------------
    ("1+" * 2000 + "1", Err("limit", 1, 1, "let:")),
    ("1" + " " * (MAX_LENGTH - 1), 1),  # exactly at the length limit
    ("-" * 60 + "1", Err("limit", 1, MAX_DEPTH + 1)),
    ("-" * 40 + "1", 1),
    ("not " * 60 + "ok", Err("limit", 1, 4 * MAX_DEPTH + 1)),
    ("abs(" * 60 + "1" + ")" * 60, Err("limit", 1, 4 * MAX_DEPTH + 1)),
    ("[" + ", ".join(["1"] * (MAX_LIST + 1)) + "]", Err("limit", 1, 1)),
    ("len([" + ", ".join(["1"] * MAX_LIST) + "])", MAX_LIST),
    ('matches(name, "(")', Err("evaluation", 1, 15, "RE2")),
    ('matches(name, "(?=张)")', Err("evaluation", 1, 15, "look-around")),
    ('matches(name, "' + "a" * 501 + '")', Err("limit", 1, 15)),
    (r'matches(name, "\\pN{1000}")', Err("limit", 1, 15)),
    ('matches("' + "a" * 3000 + 'b", "(a+)+$")', False),  # linear time, no blow-up
    ("name.__class__", Err("type", 1, 6)),
    ("applicant.__class__", Err("name", 1, 11)),
    ("shareholders.__len__", Err("name", 1, 14)),
    ('eval("1")', Err("name", 1, 1)),
    # evaluation cost is bounded too
    ('workdays_between(date("2000-01-01"), today())', Err("limit", 1, 1, "days_between")),
    ("count(shareholders, any(shareholders, all(shareholders, count(shareholders, "
     "any(shareholders, share > 1)) > 0)))", Err("limit", 1, 77)),
]


def run(expr: str, today: dt.date = TODAY) -> Any:
    """Evaluate ``expr`` against FIELDS/ENV on ``today``."""
    value, _ = evaluate_text(expr, Scope(fields=dict(FIELDS)), dict(ENV),
                             EvalContext(today=today))
    return value


def same(value: Any, expected: Any) -> bool:
    """Strict equality: types must match (bool is not a number, numbers are Decimal)."""
    if isinstance(expected, bool) or expected is None:
        return value is expected
    if isinstance(expected, int | D):
        return isinstance(value, D) and not isinstance(value, bool) and value == expected
    if isinstance(expected, dt.date):
        return type(value) is dt.date and value == expected
    if isinstance(expected, str):
        return isinstance(value, str) and value == expected
    if isinstance(expected, list):
        return isinstance(value, list) and len(value) == len(expected) and all(
            same(v, e) for v, e in zip(value, expected, strict=True))
    raise AssertionError(f"unsupported expectation {expected!r}")  # pragma: no cover


def _id(case: tuple[Any, ...]) -> str:
    text = str(case[0]).replace("\n", "\\n")
    return text if len(text) <= 50 else text[:47] + "..."


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_contract(case: tuple[Any, ...]) -> None:
    expr, expected = case[0], case[1]
    today = case[2] if len(case) > 2 else TODAY
    if isinstance(expected, Err):
        with pytest.raises(FormkitError) as info:
            run(expr, today)
        err = info.value
        assert err.span is not None, err
        got = (err.kind, err.span.line, err.span.column)
        assert got == (expected.kind, expected.line, expected.column), err.render()
        if expected.hint is not None:
            assert expected.hint in (err.hint or ""), err.render()
    else:
        value = run(expr, today)
        assert same(value, expected), f"{expr} -> {value!r}, expected {expected!r}"


@pytest.mark.parametrize("word", ["and", "or", "not", "in", "if", "then", "else", "let",
                                  "use"])
def test_keywords_are_reserved(word: str) -> None:
    # Keywords are English and reserved everywhere: never a name.
    with pytest.raises(FormkitError) as info:
        evaluate_text(f"x == {word} + 1", Scope(fields={word: NUMBER, "x": NUMBER}), {},
                      EvalContext(today=TODAY))
    assert info.value.kind == "syntax"


def test_the_centres_calendar_overrides_the_official_one() -> None:
    from formkit.calendar import WorkCalendar

    # 2026-10-03 is a Saturday inside the National Day holiday; 2026-10-08 a working day.
    calendar = WorkCalendar(closures=[dt.date(2026, 10, 8)], workdays=[dt.date(2026, 10, 3)])
    ctx = EvalContext(today=TODAY, calendar=calendar)
    scope = Scope(fields={})
    value, _ = evaluate_text('add_workdays(date("2026-09-30"), 1)', scope, {}, ctx)
    assert value == dt.date(2026, 10, 3)
    value, _ = evaluate_text('add_workdays(date("2026-10-03"), 1)', scope, {}, ctx)
    assert value == dt.date(2026, 10, 9)
    value, _ = evaluate_text('workdays_between(date("2026-09-29"), date("2026-10-12"))',
                             scope, {}, ctx)
    assert value == 5  # +1 for the 3rd, -1 for the 8th


def test_working_days_beyond_the_official_schedule_are_flagged() -> None:
    # 2027's schedule is not published in the package: the count is provisional.
    ctx = EvalContext(today=TODAY)
    evaluate_text('add_workdays(date("2026-09-29"), 5)', Scope(), {}, ctx)
    assert ctx.provisional is False
    value, _ = evaluate_text('add_workdays(date("2026-12-30"), 5)', Scope(), {}, ctx)
    assert ctx.provisional is True
    # 12-31, then 元旦 2027-01-01 is a rest day by law: 01-04, 01-05, 01-06, 01-07.
    assert value == dt.date(2027, 1, 7)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 150


def test_several_errors_are_all_reported() -> None:
    # Errors are collected, not thrown at the first one.
    with pytest.raises(FormkitErrors) as info:
        run('floor_are > 1 and agee > 1 and age + "x" == 1')
    assert [e.kind for e in info.value.errors] == ["name", "name", "type"]
    assert "and 2 more" in info.value.message


# ---- precedence, seen in the shape of the tree --------------------------------------------

def shape(node: ast.Node) -> str:
    """A fully bracketed rendering of a tree."""
    if isinstance(node, ast.Literal):
        return repr(node.value) if isinstance(node.value, str) else str(node.value).lower()
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.ListLit):
        return "[" + ", ".join(shape(i) for i in node.items) + "]"
    if isinstance(node, ast.Member):
        return f"({shape(node.obj)}.{node.name})"
    if isinstance(node, ast.Index):
        return f"({shape(node.obj)}[{shape(node.index)}])"
    if isinstance(node, ast.Call):
        return f"{node.name}(" + ", ".join(shape(a) for a in node.args) + ")"
    if isinstance(node, ast.Unary):
        return f"({node.op}{' ' if node.op == 'not' else ''}{shape(node.operand)})"
    if isinstance(node, ast.Binary):
        return f"({shape(node.left)} {node.op} {shape(node.right)})"
    if isinstance(node, ast.Compare):
        parts = [shape(node.operands[0])]
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            parts += [op, shape(operand)]
        return "(" + " ".join(parts) + ")"
    if isinstance(node, ast.If):
        return f"(if {shape(node.cond)} then {shape(node.then)} else {shape(node.other)})"
    raise AssertionError(node)  # pragma: no cover


SHAPES = [
    # if is lowest: it takes a whole 'or' in each branch
    ("if a then b else c or d", "(if a then b else (c or d))"),
    ("if a or b then c else d", "(if (a or b) then c else d)"),
    # or < and < not < comparison
    ("a or b and c", "(a or (b and c))"),
    ("not a and b", "((not a) and b)"),
    ("not a == b", "(not (a == b))"),
    ("not a in xs", "(not (a in xs))"),
    # comparison < + - < * / % < unary minus < call, member, index
    ("1 + 2 < 3 * 4", "((1 + 2) < (3 * 4))"),
    ("a + b * c", "(a + (b * c))"),
    ("a - b - c", "((a - b) - c)"),
    ("a * b % c", "((a * b) % c)"),
    ("-a * b", "((-a) * b)"),
    ("-a + b", "((-a) + b)"),
    ("-f(x)", "(-f(x))"),
    ("-a.b", "(-(a.b))"),
    ("-xs[0]", "(-(xs[0]))"),
    ("f(x)[0].y", "((f(x)[0]).y)"),
    ("a.b.c", "((a.b).c)"),
    # comparison chains stay one node; 'not in' is one operator
    ("a < b <= c", "(a < b <= c)"),
    ("x not in xs", "(x not in xs)"),
]


@pytest.mark.parametrize(("text", "expected"), SHAPES, ids=[s[0] for s in SHAPES])
def test_precedence_shape(text: str, expected: str) -> None:
    assert shape(parse_expression(text)) == expected
