"""Find a matter fast at the window: by Chinese name, code, pinyin (initials or full), and
as citizens ask for it: by the result it gives (营业执照, 结婚证) and by the ``synonyms``
its department declares (开店, 办执照, 低保).

A citizen names the paper they want, not the matter: "营业执照" is both 个体工商户设立
登记 and 有限责任公司设立登记, and the clerk picks with them. The result's words are its
``result`` name with any bracketed note dropped (营业执照（正本、副本）is asked for as
营业执照). A word the clerk types inside a sentence ("我要办营业执照") finds it too.

A bundle (高效办成一件事: several matters at one intake) is found the same way, by its
name, code, pinyin and synonyms; ``search_offers`` ranks bundles and matters together
and ``bundle_title`` names a bundle so a clerk tells it from a matter.
"""

from __future__ import annotations

import functools
import re

from pypinyin import Style, lazy_pinyin

from formkit.definitions.model import Bundle, Matter

__all__ = ["asked_words", "bundle_title", "matched_word", "matter_keys", "search_bundles",
           "search_matters", "search_offers"]

# a result's note in brackets: 营业执照（正本、副本）, 食品经营许可证（有效期5年）
_NOTE = re.compile(r"[（(][^）)]*[）)]")


@functools.lru_cache(maxsize=1 << 16)
def _pinyin(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese text, lower case, letters only."""
    initials = "".join(p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER)
                       if p[:1].isalpha())
    full = "".join(p for p in lazy_pinyin(text) if p.isalpha())
    return initials.lower(), full.lower()


def _squash(text: str) -> str:
    return text.strip().lower().replace(" ", "")


def matter_keys(matter: Matter | Bundle) -> tuple[str, ...]:
    """Everything a clerk may type to find ``matter`` (or a bundle) by its name and
    code."""
    initials, full = _pinyin(matter.name.zh)
    return (matter.name.zh, matter.code.lower(), (matter.name.en or "").lower(), initials,
            full)


def asked_words(matter: Matter | Bundle) -> tuple[str, ...]:
    """The words citizens ask for ``matter`` by: its result (whole, and without a
    bracketed note) and its declared synonyms, each once, in that order (a bundle has
    its synonyms only)."""
    words: list[str] = []
    if isinstance(matter, Matter) and matter.result is not None:
        words += [matter.result.zh, _NOTE.sub("", matter.result.zh)]
    words += matter.synonyms
    out: dict[str, None] = {}
    for w in words:
        if (w := _squash(w)) and w not in out:
            out[w] = None
    return tuple(out)


def _score(matter: Matter | Bundle, q: str) -> tuple[int, str] | None:
    """How well ``q`` (squashed) finds ``matter``, lower is better, and the asked-for
    word it matched ("" for the name or code); None when it does not."""
    name, code, en, initials, full = matter_keys(matter)
    if q == code:
        return 0, ""
    if q in name:
        return (1 if name.startswith(q) else 2), ""
    words = asked_words(matter)
    for rank, hit in ((3, lambda w: q == w), (4, lambda w: q in w),
                      (5, lambda w: len(w) >= 2 and w in q)):
        word = next((w for w in words if hit(w)), None)
        if word is not None:
            return rank, word
    if initials.startswith(q):
        return 6, ""
    if q in initials:
        return 7, ""
    if q in full:
        return 8, ""
    for w in words:  # yyzz, yingyezhizhao: a synonym's pinyin
        w_initials, w_full = _pinyin(w)
        if w_initials.startswith(q) or q in w_full:
            return 9, w
    if q in code or q in en.replace(" ", ""):
        return 10, ""
    return None


def matched_word(matter: Matter | Bundle, query: str) -> str:
    """The result name or synonym by which ``query`` found ``matter`` (to show the
    clerk why it is listed); ``""`` when found by its name or code, or not at all."""
    q = _squash(query)
    got = _score(matter, q) if q else None
    return got[1] if got else ""


def search_matters(matters: list[Matter], query: str, limit: int = 20) -> list[Matter]:
    """Matters matching ``query``, best first: exact code, name, result and synonyms,
    name initials, pinyin, synonyms' pinyin, part of the code or English name."""
    q = _squash(query)
    if not q:
        return matters[:limit]
    scored: list[tuple[int, str, Matter]] = []
    for m in matters:
        got = _score(m, q)
        if got is not None:
            scored.append((got[0], m.code, m))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [m for _, _, m in scored[:limit]]


def bundle_title(bundle: Bundle) -> str:
    """How the window lists a bundle, apart from the matters:
    ``开办餐饮店“一件事” · 高效办成一件事（3 个事项）``."""
    return f"{bundle.name.zh} · 高效办成一件事（{len(bundle.matters)} 个事项）"


def search_bundles(bundles: list[Bundle], query: str, limit: int = 20) -> list[Bundle]:
    """Bundles matching ``query``, best first, found as matters are."""
    return [b for b in search_offers([], bundles, query, limit) if isinstance(b, Bundle)]


def search_offers(matters: list[Matter], bundles: list[Bundle], query: str,
                  limit: int = 20) -> list[Matter | Bundle]:
    """Matters and bundles matching ``query``, best first; at the same rank a bundle
    comes before a matter (高效办成一件事: the citizen's whole errand at one intake).
    An empty query gives the bundles, then the matters, as listed."""
    q = _squash(query)
    if not q:
        listed: list[Matter | Bundle] = [*bundles, *matters]
        return listed[:limit]
    scored: list[tuple[int, int, str, Matter | Bundle]] = []
    for kind, items in ((0, bundles), (1, matters)):
        for item in items:
            got = _score(item, q)
            if got is not None:
                scored.append((got[0], kind, item.code, item))
    scored.sort(key=lambda t: (t[0], t[1], t[2]))
    return [item for *_, item in scored[:limit]]
