"""Find a matter fast at the window: by Chinese name, code, or pinyin (initials or full)."""

from __future__ import annotations

import functools

from pypinyin import Style, lazy_pinyin

from formkit.definitions.model import Matter

__all__ = ["matter_keys", "search_matters"]


@functools.lru_cache(maxsize=4096)
def _pinyin(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese text, lower case, letters only."""
    initials = "".join(p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER)
                       if p[:1].isalpha())
    full = "".join(p for p in lazy_pinyin(text) if p.isalpha())
    return initials.lower(), full.lower()


def matter_keys(matter: Matter) -> tuple[str, ...]:
    """Everything a clerk may type to find ``matter``."""
    initials, full = _pinyin(matter.name.zh)
    return (matter.name.zh, matter.code.lower(), (matter.name.en or "").lower(), initials,
            full)


def search_matters(matters: list[Matter], query: str, limit: int = 20) -> list[Matter]:
    """Matters matching ``query``, best first: exact code, name, initials, pinyin."""
    q = query.strip().lower().replace(" ", "")
    if not q:
        return matters[:limit]
    scored: list[tuple[int, str, Matter]] = []
    for m in matters:
        name, code, en, initials, full = matter_keys(m)
        if q == code:
            score = 0
        elif q in name:
            score = 1 if name.startswith(q) else 2
        elif initials.startswith(q):
            score = 3
        elif q in initials:
            score = 4
        elif q in full:
            score = 5
        elif q in code or q in en.replace(" ", ""):
            score = 6
        else:
            continue
        scored.append((score, m.code, m))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [m for _, _, m in scored[:limit]]
