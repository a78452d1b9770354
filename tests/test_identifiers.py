"""Tests for formkit.identifiers: resident ID, USCC, mobile and e-mail checks.

The literal codes below were computed with an independent implementation (the recursive
form of ISO 7064 MOD 11-2 and MOD 31 via pow(3, i, 31)), not with the code under test.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from formkit.identifiers import (
    ID_WEIGHTS,
    USCC_ALPHABET,
    USCC_WEIGHTS,
    id_birthdate,
    id_check_char,
    id_gender,
    uscc_check_char,
    valid_email,
    valid_id_number,
    valid_mobile,
    valid_uscc,
)

# A fixed "today" so that the tests do not change meaning as the calendar advances.
TODAY = date(2026, 11, 25)

PROVINCES = [
    *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47),
    *range(50, 55), *range(61, 66), 71, 81, 82, 83,
]  # fmt: skip
# Where a 2023 foreigners' permanent residence ID may be issued: the mainland provinces.
MAINLAND = [p for p in PROVINCES if p < 71]


def test_weights_follow_their_formulas() -> None:
    # The tables in the module are the closed forms from the standards, not typos.
    assert [pow(2, 17 - i, 11) for i in range(17)] == list(ID_WEIGHTS)
    assert [pow(3, i, 31) for i in range(17)] == list(USCC_WEIGHTS)
    assert len(USCC_ALPHABET) == 31 and not set("IOSVZ") & set(USCC_ALPHABET)


# --- resident ID ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # GB 11643-1999's own example: female, born 1949-12-31, check character X.
        ("11010519491231002X", True),
        # The same with a lowercase x, as often typed.
        ("11010519491231002x", True),
        # Fujian (35), male, born 1990-03-07.
        ("350203199003074517", True),
        # Sichuan (51), female, born 1985-06-12.
        ("511602198506123829", True),
        # Leap day 2000-02-29 is a real date.
        ("11010120000229123X", True),
        # Born 1900-01-01: the earliest accepted date.
        ("11010519000101001X", True),
        # Hong Kong residence permit prefix 81.
        ("810000199001010019", True),
        # 2023 foreigners' permanent residence IDs (外国人永久居留身份证): "9", the issuing
        # province, a 3-digit nationality code, the birth date and the MOD 11-2 check.
        # Issued in Guangdong (44), nationality 840, born 1990-03-07, sequence 002:
        # weighted sum 342, 342 % 11 = 1 -> check "0".
        ("944840199003070020", True),
        # Issued in Shanghai (31), nationality 840, born 1985-06-12: sum 322, % 11 = 3 -> "9".
        ("931840198506120019", True),
        # Issued in Beijing (11), the only place the old "91" rule let through: sum 304,
        # % 11 = 7 -> "5".
        ("911840198506120015", True),
        # Issued in Yunnan (53), nationality 104, born 2000-02-29.
        ("95310420000229" + "123" + id_check_char("95310420000229123"), True),
        # The same numbers with a wrong check character are still refused.
        ("944840199003070021", False),
        ("931840198506120018", False),
        # Issuing place "00" (sum 285, % 11 = 10 -> "2", a right check) or "91" is not a
        # province: refused.
        ("900840198506120012", False),
        ("99184019850612001" + id_check_char("99184019850612001"), False),
        # Issuing place Hong Kong (81): foreigners' IDs are issued on the mainland only.
        ("98184019850612001" + id_check_char("98184019850612001"), False),
        # The old test's "910000...": issuing place "10" is no province.
        ("910000200001010018", False),
        # A foreigner's number born in the future (after TODAY 2026-11-25) is refused.
        ("94484020270101001" + id_check_char("94484020270101001"), False),
        # Born 2026-01-01, before TODAY.
        ("650102202601010015", True),
        # Check character wrong (X expected).
        ("110105194912310020", False),
        # The standard's other example, born 1880: correct check but before 1900.
        ("440524188001010014", False),
        # Province 10 does not exist (check character recomputed to be right).
        ("10010519491231002" + id_check_char("10010519491231002"), False),
        # Province 99 does not exist.
        ("99010519491231002" + id_check_char("99010519491231002"), False),
        # 2001-02-29 is not a real date.
        ("11010120010229123" + id_check_char("11010120010229123"), False),
        # Month 13.
        ("11010119901301123" + id_check_char("11010119901301123"), False),
        # Born after TODAY.
        ("11010120261126123" + id_check_char("11010120261126123"), False),
        # Surrounding whitespace is not trimmed.
        (" 11010519491231002X", False),
        ("11010519491231002X\n", False),
        # Too short (17) / too long (19).
        ("11010519491231002", False),
        ("11010519491231002X0", False),
        # 15-digit first-generation number.
        ("110105491231002", False),
        # Full-width digits look like digits to str.isdigit() but are not accepted.
        ("１１010519491231002X", False),
        # Letter X anywhere but the last position.
        ("1101051949123100X2", False),
        # Empty text.
        ("", False),
    ],
)
def test_valid_id_number(text: str, expected: bool) -> None:
    assert valid_id_number(text, today=TODAY) is expected


def test_valid_id_number_defaults_to_real_today() -> None:
    # A birth date far in the future is rejected without passing `today`.
    body = "11010120991231123"
    assert not valid_id_number(body + id_check_char(body))
    assert valid_id_number("11010519491231002X")


@pytest.mark.parametrize(
    ("text", "birth", "gender"),
    [
        # 17th digit 2 -> female.
        ("11010519491231002X", date(1949, 12, 31), "F"),
        # 17th digit 1 -> male.
        ("350203199003074517", date(1990, 3, 7), "M"),
        # 17th digit 2 -> female.
        ("511602198506123829", date(1985, 6, 12), "F"),
        # 17th digit 3 -> male, leap-day birth.
        ("11010120000229123X", date(2000, 2, 29), "M"),
        # Invalid check character -> nothing derived.
        ("110105194912310020", None, None),
        # Not an ID at all.
        ("hello", None, None),
    ],
)
def test_id_birthdate_and_gender(text: str, birth: date | None, gender: str | None) -> None:
    assert id_birthdate(text) == birth
    assert id_gender(text) == gender


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("11010519491231002", "X"),  # weighted sum 167, 167 % 11 = 2 -> X
        ("44052418800101001", "4"),  # the standard's second example
        ("35020319900307451", "7"),
    ],
)
def test_id_check_char(body: str, check: str) -> None:
    assert id_check_char(body) == check


@pytest.mark.parametrize(
    "body", ["1101051949123100", "110105194912310021", "1101051949123100X", ""]
)
def test_id_check_char_rejects_bad_body(body: str) -> None:
    with pytest.raises(ValueError):
        id_check_char(body)


@st.composite
def id_bodies(draw: st.DrawFn) -> str:
    """A 17-digit body with a real province and a birth date in [1900-01-01, TODAY]."""
    if draw(st.booleans()):
        province = draw(st.sampled_from(PROVINCES))
        area = draw(st.integers(0, 9999))
        head = f"{province:02d}{area:04d}"
    else:  # a 2023 foreigners' permanent residence ID: 9, issuing province, nationality
        head = f"9{draw(st.sampled_from(MAINLAND)):02d}{draw(st.integers(0, 999)):03d}"
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    seq = draw(st.integers(0, 999))
    return f"{head}{born:%Y%m%d}{seq:03d}"


@given(id_bodies())
def test_body_with_its_check_char_is_valid(body: str) -> None:
    text = body + id_check_char(body)
    assert valid_id_number(text, today=TODAY)
    assert id_gender(text) == ("M" if int(body[16]) % 2 else "F")


@given(id_bodies(), st.sampled_from("0123456789X"))
def test_any_other_check_char_is_invalid(body: str, check: str) -> None:
    if check != id_check_char(body):
        assert not valid_id_number(body + check, today=TODAY)


@given(id_bodies(), st.integers(0, 16), st.integers(1, 9))
def test_single_digit_change_is_detected(body: str, pos: int, delta: int) -> None:
    # MOD 11-2 detects every single-digit substitution; the changed text may also fail
    # for another reason (province, date), which is fine: it must never pass.
    text = body + id_check_char(body)
    changed = text[:pos] + str((int(text[pos]) + delta) % 10) + text[pos + 1 :]
    assert not valid_id_number(changed, today=TODAY)


@given(st.text(max_size=30))
def test_id_functions_never_raise(text: str) -> None:
    valid_id_number(text, today=TODAY)
    id_birthdate(text)
    id_gender(text)


# --- USCC ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The example from the brief: 工商 (9) enterprise (1), Fuzhou 350100; check 3.
        ("91350100M000100Y43", True),
        # 个体工商户 (92) in Xiamen Siming, generated; check 2.
        ("92350102MA31ABCD02", True),
        # 个体工商户 (92) in Sichuan Guang'an, generated; check 0.
        ("92511602MA6C7XY1P0", True),
        # 农民专业合作社 (93), generated; check 7.
        ("93510100MA6CUQ8U07", True),
        # Registering authority Y (其他): python-stdnum wrongly rejects these.
        ("Y1110000MA0KD1Y64M", True),
        # Authority A, a later addition to the list.
        ("A13200000000000012", True),
        # Authority N with a letter check character.
        ("N2440000123456789Q", True),
        # Authority 1 (机构编制), public institution; check D.
        ("12100000400000624D", True),
        # Wrong check character (3 expected).
        ("91350100M000100Y44", False),
        # Lowercase is not accepted.
        ("91350100m000100y43", False),
        # Excluded letter I in the body.
        ("91350100I000100Y43", False),
        # Excluded letter O as check character.
        ("91350100M000100Y4O", False),
        # Letter in the region code (positions 3-8), check recomputed.
        ("9135A100M000100Y4" + uscc_check_char("9135A100M000100Y4"), False),
        # Too short / too long.
        ("91350100M000100Y4", False),
        ("91350100M000100Y433", False),
        # Surrounding whitespace.
        ("91350100M000100Y43 ", False),
        # Empty.
        ("", False),
    ],
)
def test_valid_uscc(text: str, expected: bool) -> None:
    assert valid_uscc(text) is expected


def test_uscc_check_char_rejects_bad_body() -> None:
    with pytest.raises(ValueError):
        uscc_check_char("91350100M000100Y")
    with pytest.raises(ValueError):
        uscc_check_char("91350100M000100YI")


_symbols = st.sampled_from(USCC_ALPHABET)
uscc_bodies = st.tuples(
    st.text(_symbols, min_size=2, max_size=2),
    st.text(st.sampled_from("0123456789"), min_size=6, max_size=6),
    st.text(_symbols, min_size=9, max_size=9),
).map("".join)


@given(uscc_bodies)
def test_uscc_body_with_check_is_valid(body: str) -> None:
    assert valid_uscc(body + uscc_check_char(body))


@given(uscc_bodies, _symbols)
def test_uscc_other_check_is_invalid(body: str, check: str) -> None:
    if check != uscc_check_char(body):
        assert not valid_uscc(body + check)


@given(st.text(max_size=30))
def test_valid_uscc_never_raises(text: str) -> None:
    valid_uscc(text)


# --- mobile and e-mail ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", True),  # classic China Mobile test number
        ("19012345678", True),  # 190 segment, added 2019
        ("16612345678", True),  # 166 segment
        ("12345678901", False),  # second digit 2
        ("10086000000", False),  # second digit 0
        ("1380013800", False),  # 10 digits
        ("138001380000", False),  # 12 digits
        ("+8613800138000", False),  # prefix: only the bare number is stored
        ("8613800138000", False),  # prefix without +
        ("008613800138000", False),  # 00 prefix
        ("138 0013 8000", False),  # spaces
        ("138-0013-8000", False),  # hyphens
        ("13800138000\n", False),  # trailing newline ($ would let this through)
        ("１３800138000", False),  # full-width digits
        ("", False),  # empty
    ],
)
def test_valid_mobile(text: str, expected: bool) -> None:
    assert valid_mobile(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zhang.san@example.gov.cn", True),  # ordinary address
        ("li_si+forms@163.com", True),  # plus tag, digits in domain
        ("a@b.cn", True),  # shortest sensible
        ("wang@xn--fiqs8s.cn", True),  # IDN in punycode
        ("no-at-sign.example.com", False),  # no @
        ("two@@example.com", False),  # two @
        ("a@b@example.com", False),  # two @ apart
        ("user@localhost", False),  # no dot in domain
        ("user@.example.com", False),  # empty first label
        ("user@example..com", False),  # empty middle label
        ("user@example.com.", False),  # trailing dot
        ("user@-example.com", False),  # label starts with hyphen
        (".user@example.com", False),  # local part starts with dot
        ("user.@example.com", False),  # local part ends with dot
        ("us..er@example.com", False),  # doubled dot in local part
        ("zhang san@example.com", False),  # space
        (" user@example.com", False),  # leading space
        ("@example.com", False),  # empty local part
        ("张三@example.com", False),  # non-ASCII local part
        # 254 characters (64 + 1 + 189): the limit.
        ("a" * 64 + "@" + "b" * 61 + "." + "c" * 61 + "." + "d" * 61 + ".com", True),
        # 255 characters.
        ("a" * 64 + "@" + "b" * 62 + "." + "c" * 61 + "." + "d" * 61 + ".com", False),
        ("", False),  # empty
    ],
)
def test_valid_email(text: str, expected: bool) -> None:
    assert valid_email(text) is expected
