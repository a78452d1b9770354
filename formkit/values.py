"""Runtime values of the rule language and their JSON form.

number -> ``Decimal`` (exact), text -> ``str``, bool -> ``bool``, date ->
``datetime.date``, list -> ``list``, group -> ``dict``, null -> ``None``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["from_json", "to_json"]


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
