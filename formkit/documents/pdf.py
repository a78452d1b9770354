"""HTML -> A4 PDF by the browser engine (chromium), fonts embedded.

The printed documents (受理通知书, 办事指南 ...) are HTML; their PDF is the same page
printed by a headless chromium (``--print-to-pdf``), the engine the browser tests
already use: its layout, its CJK line breaking, and its fonts, embedded in the file
(a subset of each: the PDF opens the same on a machine without them). No PDF is
written by hand here.

The browser is ``$FORMKIT_CHROMIUM``, else the first of ``chromium``,
``chromium-browser``, ``google-chrome`` on ``PATH`` (Debian: ``apt-get install chromium
fonts-arphic-uming``). The engine itself does not need it: only a PDF does, and without a
browser asking for one is a ``PdfUnavailable`` error (code ``no-pdf-engine``), with a
hint; a browser that fails or runs past the timeout is the same class with code
``pdf-failed``.

Each call runs one browser process in a fresh temporary folder (the page, the
browser's profile, the PDF), removed afterwards whatever happened. One call takes
about a second.

Noto CJK, the Debian CJK fonts, are OpenType fonts with CFF outlines; chromium
(Skia) embeds those as Type 3 fonts: every glyph's outline is drawn in the file,
with a ToUnicode map for copying and searching. That map gives an ideograph that
shares its glyph with a Kangxi radical the radical's code point (人 as U+2F08 ⼈);
NFKC normalization folds it back.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from formkit.errors import PdfUnavailable

__all__ = ["BROWSER_ENV", "find_browser", "html_to_pdf"]

BROWSER_ENV = "FORMKIT_CHROMIUM"
_NAMES = ("chromium", "chromium-browser", "google-chrome")

# Headless, no sandbox (containers run as root), and no network traffic of its own
# (a closed network: no updates, sync or QUIC). (Turning scripts off,
# --blink-settings=scriptEnabled=false, makes this chromium print nothing: the
# documents carry no script.)
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
          "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--disable-quic", "--no-pdf-header-footer")

# A4 whatever the page says (chromium's default is US Letter); the page's own @page
# rules come later and keep their margins.
_A4 = "<style>@page { size: A4 }</style>"
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)

_HINT = (f"install chromium (apt-get install chromium fonts-arphic-uming) or set {BROWSER_ENV} "
         "to the browser's path; the HTML needs no browser")


def find_browser() -> str | None:
    """The browser that prints PDFs: ``$FORMKIT_CHROMIUM`` when set (None when that is
    not an executable file), else the first of chromium, chromium-browser,
    google-chrome on ``PATH``; None when there is none."""
    configured = os.environ.get(BROWSER_ENV)
    if configured:
        return configured if os.path.isfile(configured) and os.access(configured, os.X_OK) \
            else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html: str, *, timeout: float = 60) -> bytes:
    """Print ``html`` to an A4 PDF with the browser engine; the PDF's bytes.

    Raises:
        PdfUnavailable: no browser (code ``no-pdf-engine``); the browser could not be
            started, failed, wrote no PDF or ran past ``timeout`` seconds
            (``pdf-failed``).
    """
    browser = find_browser()
    if browser is None:
        configured = os.environ.get(BROWSER_ENV)
        raise PdfUnavailable(
            f"无法生成 PDF：{BROWSER_ENV}={configured} 不是可执行文件 "
            f"(cannot print a PDF: {BROWSER_ENV} is not an executable file)"
            if configured else
            "无法生成 PDF：未找到浏览器引擎 chromium "
            "(cannot print a PDF: no browser engine, chromium, was found)",
            None, hint=_HINT)
    folder = Path(tempfile.mkdtemp(prefix="formkit-pdf-"))
    try:
        page, out = folder / "doc.html", folder / "out.pdf"
        # The byte order mark makes the page UTF-8 whatever its <meta charset> says.
        page.write_text(_with_a4(html), encoding="utf-8-sig")
        command = [browser, *_FLAGS, f"--user-data-dir={folder / 'profile'}",
                   f"--print-to-pdf={out}", page.as_uri()]
        status, said = _run(command, timeout, folder)
        data = out.read_bytes() if out.is_file() else b""
        if not data.startswith(b"%PDF-"):
            raise _failed(f"浏览器未生成 PDF (the browser wrote no PDF; exit status "
                          f"{status})", said)
        return data
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _with_a4(html: str) -> str:
    head = _HEAD.search(html)
    if head is None:
        return _A4 + html
    return html[: head.end()] + _A4 + html[head.end():]


def _run(command: list[str], timeout: float, folder: Path) -> tuple[int, str]:
    """Run the browser in its own process group (it starts helpers: a timeout stops
    them all); its exit status and the last line it printed."""
    try:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, cwd=folder, start_new_session=True)
    except OSError as exc:
        raise _failed(f"浏览器无法启动 (the browser could not be started: "
                      f"{exc.strerror or exc})", "") from None
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        raise _failed(f"浏览器在 {timeout:g} 秒内未完成打印 (the browser did not finish "
                      f"printing within {timeout:g} s)", "") from None
    lines = [line.strip() for line in err.decode("utf-8", "replace").splitlines()
             if line.strip()]
    return proc.returncode, lines[-1][:300] if lines else ""


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the browser that is still running, with its helpers: its own process group
    (``start_new_session``; not yet reaped, so the id is still the browser's)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):  # a process SIGKILL cannot stop
        proc.wait(timeout=10)


def _failed(message: str, said: str) -> PdfUnavailable:
    return PdfUnavailable(f"无法生成 PDF：{message}", None, code="pdf-failed",
                          hint=(f"the browser said: {said}; " if said else "")
                          + "try again, or check that the browser runs "
                            "(chromium --headless --version)")
