"""Runtime values of the rule language and their JSON form.

number -> ``Decimal`` (exact), text -> ``str``, bool -> ``bool``, date ->
``datetime.date``, list -> ``list``, group -> ``dict``, null -> ``None``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["MAX_DIGITS", "from_json", "number_out_of_range", "to_json"]

# The most digits a number read from data or a definition may have, and the largest
# power of ten: past them a number cannot be printed back as a JSON number, and Python
# refuses to convert an integer of over 4,300 digits at all.
MAX_DIGITS = 100
MAX_EXPONENT = 308


def to_json(value: Any) -> Any:
    """A runtime value as JSON data: numbers as int or float, dates as ``YYYY-MM-DD``.

    A whole number is written with all its digits (``12345678901234567 + 1`` is
    ``12345678901234568``, not ``1.2345678901234568e+16``), up to 100 digits; a
    fraction, or a larger number, as the nearest float (JSON has no decimals).
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value() and value.adjusted() < 100:
            return int(value)
        return float(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    raise TypeError(f"not a rule-language value: {type(value).__name__}")


def from_json(value: Any) -> Any:
    """JSON data as runtime values: numbers become ``Decimal``; texts stay texts."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [from_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): from_json(v) for k, v in value.items()}
    raise TypeError(f"not JSON data: {type(value).__name__}")


def number_out_of_range(literal: str) -> bool:
    """Whether a number written as ``literal`` (``-12``, ``1.5e3``; JSON or YAML, decimal)
    has more than ``MAX_DIGITS`` digits or is ``1e308`` or more in size (a JSON number
    past a double).

    Checked on the text, before any conversion: ``int()`` of 5,000 digits raises, and
    ``Decimal("1e999999999999")`` overflows the first calculation that touches it.
    """
    mantissa, _, exponent = literal.lower().lstrip("+-").partition("e")
    if sum(ch.isdigit() for ch in mantissa) > MAX_DIGITS:
        return True
    if len(exponent.lstrip("+-")) > 6:  # 1e1000000 or 1e-1000000: past any use
        return True
    try:
        value = Decimal(literal)
    except ArithmeticError:  # not a number at all: the caller's parser decides
        return False
    return value.is_finite() and value != 0 and value.adjusted() >= MAX_EXPONENT
