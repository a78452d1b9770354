"""formkit's ``synonyms`` key: the words citizens ask for a matter by."""

from __future__ import annotations

import pytest

from formkit.catalog import open_catalog
from formkit.definitions.loader import load_matter_text
from tests.conftest import MakeCatalog
from tests.definitions.test_v2_keys import BASE, E, _assert_errors


def test_synonyms_parse_and_default_to_none() -> None:
    matter, doc = load_matter_text(BASE + "synonyms: [营业执照, 开店]\n", "m.yaml")
    assert matter is not None and not doc.errors
    assert matter.synonyms == ["营业执照", "开店"]
    bare, _ = load_matter_text(BASE, "m.yaml")
    assert bare is not None and bare.synonyms == []


@pytest.mark.parametrize(("text", "expected"), [
    # a number where a word goes
    pytest.param("synonyms: [开店, 12]\n", [E("definition", "bad-value", 6, 16,
                                             hint="as text")], id="not-text"),
    # an empty word would find every matter
    pytest.param("synonyms: [开店, '  ']\n", [E("definition", "bad-value", 6, 16,
                                               hint="remove the empty entry")], id="empty"),
    # the same word twice: a copy-paste slip
    pytest.param("synonyms: [开店, 开店]\n", [E("definition", "bad-value", 6, 11,
                                             message="listed twice")], id="twice"),
    pytest.param("synonyms: 开店\n", [E("definition", "bad-type", 6, 11, message="a list")],
                 id="not-a-list"),
    pytest.param("synonym: [开店]\n", [E("definition", "unknown-key", 6, 1,
                                        hint="did you mean 'synonyms'?")], id="typo"),
    pytest.param("synonyms: [" + "长" * 41 + "]\n", [E("definition", "bad-value", 6, 12)],
                 id="too-long"),
])
def test_a_wrong_synonym_is_reported_at_its_place(make_catalog: MakeCatalog, text: str,
                                                  expected: list[E]) -> None:
    folder = make_catalog(BASE + text)
    _assert_errors(folder, open_catalog(folder, cache=False).errors, expected)
