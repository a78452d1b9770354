"""Checks for the identifiers applicants type at intake: resident ID, USCC, mobile, e-mail.

Pure functions with no I/O, used by the rule language built-ins (``valid_id_number``,
``id_birthdate``, ``id_gender``, ``valid_uscc``, ``valid_mobile``) and by the ``email``
field type. Every check is on the exact text: callers that want to forgive stray
whitespace must ``trim`` first, so that what is validated is what gets stored.

References (the algorithms are checked against real codes in tests/test_identifiers.py):

* GB 11643-1999 公民身份号码 -- ISO 7064 MOD 11-2 check character.
* GB 32100-2015 统一社会信用代码 -- MOD 31 check character over a 31-symbol alphabet.
"""

from __future__ import annotations

import datetime
import re
from typing import Final

__all__ = [
    "ID_WEIGHTS",
    "USCC_ALPHABET",
    "USCC_WEIGHTS",
    "id_birthdate",
    "id_check_char",
    "id_gender",
    "uscc_check_char",
    "valid_email",
    "valid_id_number",
    "valid_mobile",
    "valid_uscc",
]

# --- Resident identity number (GB 11643-1999) -------------------------------------------

#: W_i = 2^(18-i) mod 11 for positions i = 1..17.
ID_WEIGHTS: Final[tuple[int, ...]] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Index = weighted sum mod 11; the value is the check character that makes the total ≡ 1.
_ID_CHECK_CHARS: Final[str] = "10X98765432"

# Mainland province-level codes of GB/T 2260.
_MAINLAND_PROVINCES: Final[frozenset[str]] = frozenset(
    str(n)
    for n in (
        *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47),
        *range(50, 55), *range(61, 66),
    )
)  # fmt: skip
# Province-level prefixes of a resident ID: the mainland's, plus 71/81/82/83 (Taiwan, Hong
# Kong, Macao and the residence permits that reuse them). Only the province pair is checked:
# IDs keep abolished county codes for life, and a full historical list of county codes is
# data the centre does not maintain.
_PROVINCE_CODES: Final[frozenset[str]] = _MAINLAND_PROVINCES | {"71", "81", "82", "83"}
# The 2023 foreigners' permanent residence ID (外国人永久居留身份证, issued from
# 2023-12-01, 国家移民管理局): "9" (a foreigner), the 2-digit province code of the place
# that accepted the application, a 3-digit numeric nationality code, then like GB 11643 the
# birth date (positions 7-14), a sequence (15-17) and the MOD 11-2 check character.
_FOREIGNER_MARK: Final[str] = "9"

# [0-9] rather than \d: \d also matches non-ASCII digits such as "١" or full-width "１".
_ID_SHAPE: Final[re.Pattern[str]] = re.compile(r"[0-9]{17}[0-9Xx]")
_BODY17_SHAPE: Final[re.Pattern[str]] = re.compile(r"[0-9]{17}")

# The standard's own lower bound is looser, but nobody alive was born before 1900 and an
# 18xx year is almost always a typo for 19xx.
_EARLIEST_BIRTH: Final[datetime.date] = datetime.date(1900, 1, 1)


def id_check_char(body17: str) -> str:
    """Return the GB 11643 check character ('0'-'9' or 'X') for a 17-digit body.

    Raises ValueError if ``body17`` is not exactly 17 ASCII digits; test-data generators
    rely on this helper, so bad input must fail loudly rather than yield a wrong code.
    """
    if not _BODY17_SHAPE.fullmatch(body17):
        raise ValueError(f"expected 17 ASCII digits, got {body17!r}")
    total = sum(int(ch) * w for ch, w in zip(body17, ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _id_birth(text: str) -> datetime.date | None:
    """Birth date encoded in positions 7-14, or None if it is not a real calendar date."""
    try:
        return datetime.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


def valid_id_number(text: str, today: datetime.date | None = None) -> bool:
    """Whether ``text`` is a well-formed 18-character resident identity number.

    Checks, in order: shape (17 ASCII digits + digit or X/x), province code, a real birth
    date between 1900-01-01 and ``today`` (default: ``date.today()``), and the MOD 11-2
    check character. Surrounding whitespace makes the text invalid. 15-digit first-generation
    numbers are not accepted: they expired in 2013. A 2023 foreigners' permanent residence
    number (first digit 9) is accepted with the province code of its issuing place in
    positions 2-3 and the same birth date and check character.
    """
    if not _ID_SHAPE.fullmatch(text):
        return False
    if text[0] == _FOREIGNER_MARK:
        if text[1:3] not in _MAINLAND_PROVINCES:
            return False
    elif text[:2] not in _PROVINCE_CODES:
        return False
    birth = _id_birth(text)
    if birth is None:
        return False
    limit = today if today is not None else datetime.date.today()
    if not _EARLIEST_BIRTH <= birth <= limit:
        return False
    return id_check_char(text[:17]) == text[17].upper()


def id_birthdate(text: str) -> datetime.date | None:
    """Birth date of a valid resident ID (validated against today's date), else None."""
    if not valid_id_number(text):
        return None
    return _id_birth(text)


def id_gender(text: str) -> str | None:
    """'M' if the 17th digit of a valid resident ID is odd, 'F' if even; None if invalid."""
    if not valid_id_number(text):
        return None
    return "M" if int(text[16]) % 2 == 1 else "F"


# --- Unified social credit code (GB 32100-2015) -----------------------------------------

#: The 31 code symbols; a symbol's value is its index. I, O, S, V, Z are left out because
#: they are easily confused with 1, 0, 5, U and 2.
USCC_ALPHABET: Final[str] = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: W_i = 3^(i-1) mod 31 for positions i = 1..17.
USCC_WEIGHTS: Final[tuple[int, ...]] = (
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
)  # fmt: skip
_USCC_VALUE: Final[dict[str, int]] = {ch: i for i, ch in enumerate(USCC_ALPHABET)}

# Positions 1-2 (registering authority, entity kind) are deliberately any code symbol: the
# authority list has grown since 2015 (A, N were added) and may grow again, and rejecting a
# genuine code at the counter is worse than accepting an odd prefix that the check
# character still guards. Positions 3-8 are the GB/T 2260 region code, so digits only.
_USCC_CLASS: Final[str] = f"[{USCC_ALPHABET}]"
_USCC_SHAPE: Final[re.Pattern[str]] = re.compile(f"{_USCC_CLASS}{{2}}[0-9]{{6}}{_USCC_CLASS}{{10}}")
_USCC_BODY17: Final[re.Pattern[str]] = re.compile(f"{_USCC_CLASS}{{17}}")


def uscc_check_char(body17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a USCC.

    Raises ValueError unless ``body17`` is 17 symbols of :data:`USCC_ALPHABET` (uppercase).
    """
    if not _USCC_BODY17.fullmatch(body17):
        raise ValueError(f"expected 17 USCC symbols, got {body17!r}")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def valid_uscc(text: str) -> bool:
    """Whether ``text`` is an 18-character unified social credit code with a correct check.

    Uppercase only (the code is printed in capitals on every licence; lower case means the
    applicant typed it by hand and should be asked to fix it). Does not apply the optional
    GB 11714 inner check on positions 9-17: codes issued to 个体工商户 and many newer
    entities (``MA...``) do not carry a meaningful organisation code there.
    """
    if not _USCC_SHAPE.fullmatch(text):
        return False
    return uscc_check_char(text[:17]) == text[17]


# --- Contact details ----------------------------------------------------------------------

_MOBILE: Final[re.Pattern[str]] = re.compile(r"1[3-9][0-9]{9}")


def valid_mobile(text: str) -> bool:
    """Whether ``text`` is a bare 11-digit mainland mobile number (``1[3-9]`` + 9 digits).

    A ``+86``/``0086``/``86`` prefix, spaces or hyphens are rejected on purpose: the form
    stores the bare number (SMS gateways and 12345 hotline lookups key on it), so accepting
    a prefix here would let two spellings of one number into the data. The second digit is
    only range-checked, because per-carrier segment lists go stale (190-197 were added in
    2019).
    """
    return _MOBILE.fullmatch(text) is not None


# Local part: printable ASCII except whitespace, '@' and characters that are never seen in
# practice in addresses typed at a counter. Domain: dot-separated labels of letters, digits
# and hyphens (IDNs are entered in their xn-- form), at least two labels.
_EMAIL: Final[re.Pattern[str]] = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+"
    r"@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
)
_EMAIL_MAX_LEN: Final[int] = 254  # RFC 5321 path limit minus the angle brackets


def valid_email(text: str) -> bool:
    """Pragmatic e-mail check for the ``email`` field type.

    Exactly one '@', a non-empty local part without leading, trailing or doubled dots, a
    domain with at least one dot, no whitespace, at most 254 characters. This catches typing
    mistakes; it does not try to implement RFC 5322 (quoted local parts, comments, IP
    literals), which applicants never use and which only widens what must be stored.
    """
    if len(text) > _EMAIL_MAX_LEN or _EMAIL.fullmatch(text) is None:
        return False
    local = text.split("@", 1)[0]
    return not (local.startswith(".") or local.endswith(".") or ".." in local)
