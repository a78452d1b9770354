"""Finding a matter at the window by name, code or pinyin."""

from __future__ import annotations

from pathlib import Path

import pytest

from formkit.catalog import open_catalog
from formkit.definitions.model import Matter
from formkit.desk.search import search_matters

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def matters() -> list[Matter]:
    return list(open_catalog(ROOT / "definitions").matters.values())


@pytest.mark.parametrize(("query", "first"), [
    ("gtgsh", "XX-MS-0001"),  # pinyin initials of 个体工商户
    ("个体工商户", "XX-MS-0001"),  # Chinese name
    ("xx-ps-0001", "XX-PS-0001"),  # code, any case
    ("XX-PS-0001", "XX-PS-0001"),
    ("shipin", "XX-MS-0002"),  # full pinyin of 食品
    ("sfz", "XX-PS-0001"),  # 身份证
    ("食品经营", "XX-MS-0002"),
    (" gt gsh ", "XX-MS-0001"),  # spaces typed by a hurried clerk
])
def test_first_hit(matters: list[Matter], query: str, first: str) -> None:
    assert search_matters(matters, query)[0].code == first


def test_no_hit_and_empty_query(matters: list[Matter]) -> None:
    assert search_matters(matters, "qqqqqq") == []
    assert len(search_matters(matters, "", limit=5)) == 5


def test_heteronyms_follow_the_dictionary(matters: list[Matter]) -> None:
    # 行 in 行政/银行 and 重 in 重新: pypinyin's phrase dictionary, not a char table.
    from formkit.desk.search import _pinyin

    assert _pinyin("行政许可") == ("xzxk", "xingzhengxuke")
    assert _pinyin("银行")[1] == "yinhang"
