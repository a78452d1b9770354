"""Text from a definition or an application, shown by Streamlit as itself.

Streamlit reads every string it shows in ``st.markdown``, ``st.caption``, ``st.write``,
the alerts (``st.error`` ...), headings, expander and tab titles, buttons, and widget
labels and help (``st.text_input``, ``st.checkbox``, ``st.radio`` options ...) as
GitHub Markdown (raw HTML too, with ``unsafe_allow_html``), with extras of its own:
``:red[...]`` and other directives, ``$...$`` LaTeX, ``:smile:`` emoji,
``:material/...:`` icons, ``:streamlit:``, and ``->`` arrows. A matter's name, a
material's notes, a check's message or an answer is none of that: it is text, and
``plain(text)`` makes it Markdown that shows as that text.

The rule, for a text put anywhere in a line:

* line breaks, tabs and runs of spaces become one space and the ends are trimmed,
  so the text stays in its line (no heading, list, table, code block or quote can
  start inside it);
* a backslash goes before every ASCII character that can start markup where it
  stands: ``\\ ` * ~ [ ] < $ & |`` anywhere; ``_`` unless letters or digits stand on
  both sides (``agent_applies`` stays); ``:`` before a letter (directives such as
  ``:red[``, ``:help``); ``# > - +`` and the ``.`` or ``)`` of ``1. `` at the start.
  Escaped, none of them is markup, with or without ``unsafe_allow_html`` (an escaped
  ``<`` is text, never a tag). The other punctuation (``( ) - . , : = / ! ' "`` ...)
  starts nothing once these are escaped, and stays as it is;
* a word joiner (U+2060, invisible) goes inside what is rewritten after Markdown has
  read the text, escapes or not: GFM's bare links (``https:⁠//``, ``www⁠.``,
  ``name@⁠host``), Streamlit's shortcodes (``:⁠smile:``, ``:⁠material/home:``) and
  its arrows between spaces (``-⁠>``, ``>⁠=``, ``<⁠-``, ``-⁠-`` ...).

Where Streamlit shows a string as it is (``placeholder``, ``st.selectbox`` and
``st.multiselect`` options, ``st.code``, ``st.text``, ``st.json``, table cells),
pass the text unchanged: a backslash would show there.
"""

from __future__ import annotations

import re

__all__ = ["WORD_JOINER", "plain"]

WORD_JOINER = "\u2060"

_SPACES = re.compile(r"[ \t\r\n\v\f\u2028\u2029]+")
# Rewritten after Markdown has read the text: GFM's bare links ("http://x",
# "https://x", "www.x", e-mail addresses) ...
_BARE_LINK = re.compile(r"(?<=:)(?=//)|(?i:(?<=www)(?=\.))|(?<=@)(?=[\w-])")
# ... Streamlit's shortcodes (":smile:", ":+1:", ":material/home:", ":streamlit:") ...
_SHORTCODE = re.compile(r":(?=[\w+/-]+:)")
# ... and its arrows: "->", "<-", "<->", "--", ">=", "<=", "~=" between spaces.
_ARROW = re.compile(r"(?<!\S)(<->|->|<-|--|>=|<=|~=)(?!\S)")
# What can start markup anywhere in a line.
_ANYWHERE = re.compile(r"[\\`*~\[\]<$&|_]|:(?=[A-Za-z])")
# What can start a block at the start of a line: a heading, a quote, a list item.
_AT_START = re.compile(r"^(?:[#>+-]|\d{1,9}(?=[.)](?:\s|$)))")


def _escape(match: re.Match[str]) -> str:
    text, at, char = match.string, match.start(), match.group(0)
    if char == "_" and 0 < at < len(text) - 1 and text[at - 1].isalnum() \
            and text[at + 1].isalnum():
        return char  # inside a word: never emphasis
    return "\\" + char


def plain(text: object) -> str:
    """``text`` as Markdown that Streamlit shows literally, on one line, trimmed.

    ``plain("**粗体** <b>x</b>")`` is ``\\*\\*粗体\\*\\* \\<b>x\\</b>``; ``None`` is "".
    """
    if text is None:
        return ""
    value = _SPACES.sub(" ", str(text)).strip()
    value = _BARE_LINK.sub(WORD_JOINER, value)
    value = _SHORTCODE.sub(":" + WORD_JOINER, value)
    value = _ARROW.sub(lambda m: m.group(1)[0] + WORD_JOINER + m.group(1)[1:], value)
    value = _ANYWHERE.sub(_escape, value)
    start = _AT_START.match(value)
    if start is not None:
        end = start.end()
        # "1." -> "1\.": the backslash goes before the dot; "-", "#" ... -> "\-", "\#"
        value = (value[:end] + "\\" + value[end:] if value[:end].isdigit()
                 else "\\" + value)
    return value
