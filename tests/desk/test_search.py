"""Finding a matter at the window by name, code, pinyin, result and synonyms."""

from __future__ import annotations

from pathlib import Path

import pytest

from formkit.catalog import open_catalog
from formkit.definitions.model import Bundle, Matter
from formkit.desk.search import (
    asked_words,
    bundle_title,
    matched_word,
    search_bundles,
    search_matters,
    search_offers,
)

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


INDIVIDUAL, FOOD, COMPANY = "XX-MS-0001", "XX-MS-0002", "XX-MS-0003"


@pytest.mark.parametrize(("query", "found"), [
    # the result both registrations give: the clerk picks with the citizen
    ("营业执照", [INDIVIDUAL, COMPANY]),
    ("我要办营业执照", [INDIVIDUAL, COMPANY]),  # the word inside a citizen's sentence
    ("yyzz", [INDIVIDUAL, COMPANY]),  # the result's pinyin initials
    ("办执照", [INDIVIDUAL, COMPANY]),  # a synonym both declare
    ("开店", [INDIVIDUAL]),  # the individual business's synonym only
    ("注册公司", [COMPANY]),
    ("开饭店", [FOOD]),
    ("食品经营许可证", [FOOD]),  # the result without its note （有效期5年）
    ("低保", ["XX-CA-0002"]),
    ("社保卡", ["XX-HR-0001"]),
    ("结婚证", ["XX-CA-0001"]),
    ("过户", ["XX-NR-0001"]),
])
def test_found_as_citizens_ask(matters: list[Matter], query: str, found: list[str]) -> None:
    assert [m.code for m in search_matters(matters, query)] == found


def test_the_name_comes_before_a_synonym(matters: list[Matter]) -> None:
    # 身份证 is in the ID card's name and a synonym of it: found once, by the name
    assert [m.code for m in search_matters(matters, "身份证")][:1] == ["XX-PS-0001"]
    assert matched_word(next(m for m in matters if m.code == "XX-PS-0001"), "身份证") == ""


def test_matched_word_says_why(matters: list[Matter]) -> None:
    company = next(m for m in matters if m.code == COMPANY)
    assert matched_word(company, "营业执照") == "营业执照"
    assert matched_word(company, "kgs") == "开公司"  # a synonym's pinyin initials
    assert matched_word(company, "qqq") == ""  # not found at all
    assert matched_word(company, "开公司") == "开公司"
    assert asked_words(company)[:2] == ("营业执照（正本、副本）", "营业执照")


def test_synonyms_of_a_matter_without_result() -> None:
    matter = Matter.model_validate({
        "code": "T-1", "name": {"zh": "测试事项"}, "department": "d",
        "kind": "public_service", "synonyms": ["开店"],
        "time_limit": {"statutory_days": 1, "committed_days": 1}})
    assert asked_words(matter) == ("开店",)
    assert search_matters([matter], "开店") == [matter]


# ---------------------------------------------------------------- bundles (高效办成一件事)

RESTAURANT_BUNDLE = "XX-B-0001"  # 开办餐饮店“一件事”


@pytest.fixture(scope="module")
def bundles() -> list[Bundle]:
    return list(open_catalog(ROOT / "definitions").bundles.values())


@pytest.mark.parametrize("query", [
    "开办餐饮店",  # the name
    "餐饮店“一件事”",  # part of it, with its quotes
    "XX-B-0001", "xx-b-0001",  # the code, any case
    "kbcyd",  # pinyin initials of 开办餐饮店
    "kaibancanyin",  # full pinyin
    "开餐馆",  # a synonym
    "我要开小吃店",  # a synonym inside the citizen's sentence
    "kcg",  # a synonym's pinyin initials (开餐馆)
])
def test_a_bundle_is_found_as_a_matter_is(bundles: list[Bundle], query: str) -> None:
    assert [b.code for b in search_bundles(bundles, query)] == [RESTAURANT_BUNDLE]


def test_a_bundle_is_listed_apart_from_the_matters(matters: list[Matter],
                                                   bundles: list[Bundle]) -> None:
    bundle = next(b for b in bundles if b.code == RESTAURANT_BUNDLE)
    assert bundle_title(bundle) == "开办餐饮店“一件事” · 高效办成一件事（3 个事项）"
    # 开饭店: the bundle's synonym and the food licence's: the bundle first
    found = search_offers(matters, bundles, "开饭店")
    assert [x.code for x in found] == [RESTAURANT_BUNDLE, FOOD]
    assert isinstance(found[0], Bundle) and isinstance(found[1], Matter)
    assert matched_word(bundle, "开饭店") == "开饭店"
    assert matched_word(bundle, "kbcyd") == ""  # by its name
    # a matter's own words do not find the bundle
    assert [x.code for x in search_offers(matters, bundles, "gtgsh")] == [INDIVIDUAL]
    # listed first, before the matters
    assert {x.code for x in search_offers(matters, bundles, "")[:len(bundles)]} == {
        b.code for b in bundles}
    assert search_bundles(bundles, "qqqqqq") == []
