"""HTML -> PDF by the browser engine: a real A4 PDF, its fonts embedded, its text the
HTML's (issue #15: "the PDF's text, extracted, matches the HTML's").

The PDF is read back with pypdf (a dev dependency). Without chromium the tests that
print skip with the reason, except in CI (``CI=true``), which installs it: there they
fail, as the browser tests do (tests/e2e/conftest.py). The error tests need no browser.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from formkit.documents.pdf import BROWSER_ENV, find_browser, html_to_pdf
from formkit.errors import PdfUnavailable

pypdf = pytest.importorskip("pypdf", reason="pypdf reads the PDFs back: pip install "
                            "-e '.[dev]'")

MISSING_BROWSER = ("no browser engine to print PDFs: apt-get install chromium "
                   f"fonts-arphic-uming, or set {BROWSER_ENV}; CI installs it")

# A4 in PostScript points (210 x 297 mm); chromium writes 594.96 x 841.92.
A4 = (595.0, 842.0)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>不打印的标题</title>
<style>@page { size: A4; margin: 20mm }
body { font-family: "AR PL UMing CN", serif; font-size: 12pt }
h1, th { font-weight: normal }</style></head>
<body><h1>受理通知书</h1>
<p>申请人：张三（身份证号 440000199001011234）</p>
<p>您于2026年11月25日申请的“个体工商户登记”事项，经审查，申请材料齐全、符合法定形式，
   决定予以受理。人工、文书、户籍：本行用到与部首同形的字。</p>
<table><tr><th>材料</th><th>份数</th></tr><tr><td>营业执照申请书</td><td>1</td></tr></table>
<p>Tel 0766-1234567 &amp; fi</p></body></html>
"""


def require_browser() -> str:
    """The browser, else skip (outside CI) or fail (in CI: it must be there)."""
    browser = find_browser()
    if browser is not None:
        return browser
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must print PDFs: {MISSING_BROWSER}", pytrace=False)
    pytest.skip(MISSING_BROWSER)


class _Visible(HTMLParser):
    """The text a reader sees: the body's, without styles and scripts; and the text of
    each table head (printed again on every page the table runs onto)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.heads: list[list[str]] = []
        self._skip = 0
        self._body = False
        self._thead = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._body = True
        if tag in ("style", "script", "title", "head"):
            self._skip += 1
        if tag == "thead":
            self._thead = True
            self.heads.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title", "head"):
            self._skip -= 1
        if tag == "thead":
            self._thead = False

    def handle_data(self, data: str) -> None:
        if self._body and not self._skip:
            self.parts.append(data)
            if self._thead:
                self.heads[-1].append(data)


# The radical blocks: CJK Radicals Supplement and Kangxi Radicals.
RADICALS = range(0x2E80, 0x2FE0)


def _squeezed(text: str) -> str:
    """``text`` without white space, ligatures spelt out (the PDF's ﬁ is the HTML's fi:
    chromium's text layer names a ligature's glyph by its ligature character)."""
    return "".join("".join(unicodedata.normalize("NFKC", ch) if 0xFB00 <= ord(ch) <= 0xFB06
                           else ch for ch in text).split())


def html_text(html: str) -> str:
    """The visible text of a page, squeezed."""
    return _visible(html)[0]


def table_heads(html: str) -> list[str]:
    """The text of each table head of a page, squeezed."""
    return _visible(html)[1]


def _visible(html: str) -> tuple[str, list[str]]:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return _squeezed("".join(parser.parts)), [_squeezed("".join(h)) for h in parser.heads]


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, extracted with pypdf, squeezed."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return _squeezed("".join(page.extract_text() for page in reader.pages))


def _ideograph(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def _same(p: str, h: str) -> bool:
    return p == h or (ord(p) in RADICALS and _ideograph(h))


def same_text(pdf: str, html: str, heads: Sequence[str] = ()) -> list[tuple[str, str]]:
    """Assert the PDF's text is the HTML's, character for character; returns the
    (radical, ideograph) pairs where it is not.

    Chromium (Skia) names each glyph in the PDF's text layer (ToUnicode) by the lowest
    code point the font maps to it. A font that draws an ideograph and its radical with
    one glyph (Noto CJK) makes the text layer say ⼈ (U+2F08) for 人, ⽇ for 日: a copy
    from the PDF, or a search in it, meets the radical. The documents' font (AR PL
    UMing, a TrueType Ming face) has no radicals, so callers expect none. A table
    running onto another page prints its head (one of ``heads``) again there.
    """
    swapped: list[tuple[str, str]] = []
    i = j = 0
    while i < len(pdf) or j < len(html):
        if i < len(pdf) and j < len(html) and _same(pdf[i], html[j]):
            if pdf[i] != html[j]:
                swapped.append((pdf[i], html[j]))
            i, j = i + 1, j + 1
            continue
        again = next((h for h in heads if h and len(pdf) - i >= len(h)
                      and all(_same(a, b) for a, b in zip(pdf[i:i + len(h)], h, strict=True))),
                     None)
        assert again is not None, ("the PDF's text is not the HTML's here",
                                   pdf[max(0, i - 20):i + 20], html[max(0, j - 20):j + 20])
        i += len(again)
    return swapped


def _fonts(resources: Any) -> list[Any]:
    """Every font a page's resources use, those of its form XObjects too."""
    found: list[Any] = []
    resources = resources.get_object() if resources is not None else {}
    found.extend(f.get_object() for f in (resources.get("/Font") or {}).values())
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            found.extend(_fonts(xobject.get("/Resources")))
    return found


def _embedded(font: Any) -> bool:
    """Whether a font's glyphs are in the file: a font program (FontFile, FontFile2,
    FontFile3) in its descriptor, or, for a Type 3 font, its glyph procedures (chromium
    writes CFF-outlined fonts such as Noto CJK this way: each glyph drawn in the file)."""
    if font.get("/Subtype") == "/Type3":
        procs = font.get("/CharProcs")
        return procs is not None and len(procs.get_object()) > 0
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _name(font: Any) -> str:
    descriptor = font.get("/FontDescriptor")
    if font.get("/Subtype") == "/Type0":
        descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
    name = descriptor.get_object().get("/FontName") if descriptor is not None else None
    return str(name or font.get("/BaseFont") or "")


def check_pdf(data: bytes, html: str) -> None:
    """A real PDF: A4 pages, every font embedded as a font program (the documents'
    TrueType Ming face among them), and exactly the HTML's visible text as its text."""
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    fonts: list[Any] = []
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=1.0)
        fonts.extend(_fonts(page.get("/Resources")))
    assert fonts, "the PDF uses no font: its text would not be text"
    assert [_name(f) for f in fonts if not _embedded(f)] == []
    assert [_name(f) for f in fonts if f.get("/Subtype") == "/Type3"] == []
    assert any("UMing" in _name(f) for f in fonts), [_name(f) for f in fonts]
    assert not any(ord(ch) in RADICALS for ch in html_text(html))
    assert same_text(pdf_text(data), html_text(html), table_heads(html)) == []


def test_a_chinese_page_prints_to_an_a4_pdf_with_its_fonts_and_its_text() -> None:
    require_browser()
    started = time.perf_counter()
    data = html_to_pdf(PAGE)
    took = time.perf_counter() - started
    check_pdf(data, PAGE)
    assert "不打印的标题" not in pdf_text(data)
    assert took < 30, took  # about a second here


def test_a_page_without_a_page_size_is_a4_too() -> None:
    require_browser()
    page = PAGE.replace("@page { size: A4; margin: 20mm }", "")
    check_pdf(html_to_pdf(page), page)


def test_a_page_without_a_charset_is_read_as_utf8() -> None:
    require_browser()
    page = PAGE.replace('<meta charset="utf-8">', "")
    assert "受理通知书" in pdf_text(html_to_pdf(page))


def test_the_visible_text_leaves_out_styles_and_the_title() -> None:
    assert html_text(PAGE).startswith("受理通知书申请人：张三")
    assert "font-family" not in html_text(PAGE) and "不打印" not in html_text(PAGE)
    assert html_text("<body>a&amp;b <b>c</b>\n d</body>") == "a&bcd"


# --- errors: no browser, a browser that fails, one that hangs ------------------------------

def _tmp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folders of html_to_pdf go here, to see they are removed."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-chromium"
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_no_browser_on_the_path_is_a_clear_error(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BROWSER_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_browser() is None
    with pytest.raises(PdfUnavailable) as caught:
        html_to_pdf(PAGE)
    error = caught.value
    assert (error.kind, error.code) == ("io", "no-pdf-engine")
    assert error.message.startswith("无法生成 PDF：未找到浏览器引擎")
    assert error.hint is not None and "apt-get install chromium" in error.hint \
        and BROWSER_ENV in error.hint


def test_a_browser_setting_that_is_not_a_program_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BROWSER_ENV, str(tmp_path / "nowhere"))
    assert find_browser() is None  # not the one on PATH: the setting is wrong
    with pytest.raises(PdfUnavailable) as caught:
        html_to_pdf(PAGE)
    assert caught.value.code == "no-pdf-engine"
    assert f"{BROWSER_ENV}={tmp_path / 'nowhere'}" in caught.value.message


def test_a_browser_that_fails_is_an_error_with_what_it_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _tmp_folder(tmp_path, monkeypatch)
    monkeypatch.setenv(BROWSER_ENV, _script(tmp_path, "echo 'cannot open display' >&2\n"
                                                      "exit 3"))
    with pytest.raises(PdfUnavailable) as caught:
        html_to_pdf(PAGE)
    error = caught.value
    assert (error.kind, error.code) == ("io", "pdf-failed")
    assert "exit status 3" in error.message
    assert error.hint is not None and "cannot open display" in error.hint
    assert list(folder.iterdir()) == []


def test_a_browser_that_writes_no_pdf_is_an_error(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # exits 0 but writes something else where the PDF should be
    folder = _tmp_folder(tmp_path, monkeypatch)
    monkeypatch.setenv(BROWSER_ENV, _script(
        tmp_path, 'for a; do case "$a" in --print-to-pdf=*) echo not a pdf > "${a#*=}";; '
                  "esac; done"))
    with pytest.raises(PdfUnavailable) as caught:
        html_to_pdf(PAGE)
    assert caught.value.code == "pdf-failed"
    assert list(folder.iterdir()) == []


def test_a_browser_that_hangs_is_stopped_at_the_timeout(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _tmp_folder(tmp_path, monkeypatch)
    marker = tmp_path / "helper-alive"
    # the browser and a helper it started: both are stopped
    monkeypatch.setenv(BROWSER_ENV, _script(
        tmp_path, f"(sleep 3; touch {marker}) &\nsleep 30"))
    started = time.perf_counter()
    with pytest.raises(PdfUnavailable) as caught:
        html_to_pdf(PAGE, timeout=1)
    assert time.perf_counter() - started < 10
    assert caught.value.code == "pdf-failed"
    assert "1 秒内未完成" in caught.value.message
    assert list(folder.iterdir()) == []
    time.sleep(3)
    assert not marker.exists(), "a helper of the browser outlived the timeout"


# --- the real documents: every document of a sample licence, and a long guide -------------

_REAL: dict[str, dict[str, Any]] = {}


def _documents(code: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from tests.documents.cases import documents_of

    if code not in _REAL:
        _REAL[code] = documents_of(code, tmp_path_factory.mktemp(f"pdf-{code}"))
    return _REAL[code]


REAL = [("XX-MS-0002", kind) for kind in (
    "acceptance", "supplement", "refusal", "tolerance", "commitment", "decision",
    "decision_deny", "extension", "special_procedure", "guide")] + [("XX-MS-0001", "guide")]


@pytest.mark.parametrize(("code", "kind"), REAL)
def test_a_real_document_prints_to_a_pdf_with_its_text(
        tmp_path_factory: pytest.TempPathFactory, code: str, kind: str) -> None:
    require_browser()
    doc = _documents(code, tmp_path_factory).get(kind)
    if doc is None:
        pytest.skip(f"{code} has no sample case for {kind}")
    check_pdf(html_to_pdf(doc.html), doc.html)
