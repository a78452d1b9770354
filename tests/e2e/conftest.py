"""Browser end-to-end harness: a real `streamlit run` of the studio, driven by Playwright.

The browser is Debian's chromium (``/usr/bin/chromium``); Playwright never downloads
one here. Outside CI a missing chromium skips these tests with a clear reason; in CI
(``CI=true``) it fails them, because `.ci/run` installs it and the tests must run.

Each test gets its own copy of the sample catalog, its own studio server on a free
port, and a fresh browser context. Screenshots (``studio.shot("name")``), the server's
log and a screenshot of the page at a failure are written to
``tests/e2e/output/<test name>/`` (gitignored).

Streamlit reruns the whole script on every interaction; the ``Studio`` helper waits
for those reruns through the ``data-test-script-state`` attribute Streamlit keeps on
``[data-testid="stApp"]`` (``running`` / ``notRunning``) and for stale elements to go.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "studio" / "app.py"
OUTPUT = Path(__file__).resolve().parent / "output"
CHROMIUM = Path("/usr/bin/chromium")
TODAY = "2026-11-25"

PASSWORDS = {"admin": "admin123", "ms_editor": "editor123", "ps_editor": "editor123",
             "clerk": "clerk123", "ms_officer": "officer123", "supervisor": "super123"}

# The flags known to work on these machines (closed network: no background traffic).
# Playwright adds its own fresh temporary --user-data-dir for every launch.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

MISSING_BROWSER = "Debian chromium is not installed (apt-get install chromium); CI installs it"

# Generous: the first run of a page imports formkit and loads the catalog.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


# --- browser presence ----------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def _require_chromium() -> None:
    """Skip (outside CI) or fail (in CI) before anything is started.

    Session-scoped, so it runs before the session-scoped ``browser``.
    """
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: {MISSING_BROWSER}", pytrace=False)
    pytest.skip(MISSING_BROWSER)


# --- the e2e marker: `pytest -m "not e2e"` leaves the browser tests out ------------------

HERE = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: browser end-to-end test (tests/e2e)")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


# --- per-test output folder ----------------------------------------------------------------

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
        item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture()
def output_dir(request: pytest.FixtureRequest) -> Path:
    """``tests/e2e/output/<test name>/``, emptied at the start of the test."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    folder = OUTPUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


# --- workspace and server ------------------------------------------------------------------

@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """A copy of the sample catalog and rules, with its own store and drafts folders."""
    shutil.copytree(ROOT / "definitions", tmp_path / "definitions")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    return tmp_path


def workspace_env(workspace: Path) -> dict[str, str]:
    """The FORMKIT_* variables that point the studio at ``workspace``."""
    return {"FORMKIT_CATALOG": str(workspace / "definitions"),
            "FORMKIT_STORE": str(workspace / "var" / "store"),
            "FORMKIT_DRAFTS": str(workspace / "var" / "drafts"),
            "FORMKIT_TODAY": TODAY}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"the studio exited with {proc.returncode} before it was healthy:\n"
                        + log.read_text(encoding="utf-8", errors="replace")[-3000:])
        if time.monotonic() > deadline:
            pytest.fail(f"the studio was not healthy after {timeout:.0f} s:\n"
                        + log.read_text(encoding="utf-8", errors="replace")[-3000:])
        time.sleep(0.25)


@pytest.fixture()
def studio_today() -> str:
    """The studio's today (FORMKIT_TODAY); a test module overrides this fixture to run
    the studio on another day."""
    return TODAY


@pytest.fixture()
def studio_server(workspace: Path, output_dir: Path, studio_today: str) -> Iterator[str]:
    """`streamlit run studio/app.py` on a free port of 127.0.0.1; yields its URL."""
    port = free_port()
    env = {**os.environ, **workspace_env(workspace), "FORMKIT_TODAY": studio_today,
           "PYTHONUNBUFFERED": "1", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = output_dir / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--global.developmentMode", "false",
             # as `formkit studio` runs it: no Deploy button for a clerk to wonder at
             "--client.toolbarMode", "viewer"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log, timeout=60)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# --- browser -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_require_chromium: None, playwright_instance: Playwright) -> Iterator[Browser]:
    launched = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


def _new_page(browser: Browser) -> tuple[Page, list[str]]:
    """A page in a fresh context (no cookies, no session); and its console lines."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(_RUN_COUNTER_JS)
    pg = context.new_page()
    console: list[str] = []
    pg.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    return pg, console


def _close_page(pg: Page, console: list[str], failed: bool, output_dir: Path,
                suffix: str = "") -> None:
    """Close the page's context; at a failure, keep a screenshot of it first."""
    if failed:
        try:
            pg.screenshot(path=str(output_dir / f"failure{suffix}.png"), full_page=True)
        except Exception as exc:  # the page may be gone; the report matters more
            console.append(f"(no failure screenshot: {exc})")
    if console:
        (output_dir / f"console{suffix}.log").write_text("\n".join(console) + "\n",
                                                         encoding="utf-8")
    pg.context.close()


def _failed(request: pytest.FixtureRequest) -> bool:
    rep = getattr(request.node, "rep_call", None)
    return rep is not None and rep.failed


@pytest.fixture()
def page(browser: Browser, request: pytest.FixtureRequest,
         output_dir: Path) -> Iterator[Page]:
    """A fresh context (no cookies, no session) and page; a screenshot if the test fails."""
    pg, console = _new_page(browser)
    yield pg
    _close_page(pg, console, _failed(request), output_dir)


# Counts the reruns the page has seen: each time stApp's script state leaves "notRunning"
# (for "rerunRequested" or "running"). The old value is read from the mutation record:
# a fast run can go to "running" and back within one batch of records, and the
# attribute read when the records are handled would already say "notRunning" again.
_RUN_COUNTER_JS = """
window.__fkRuns = 0;
new MutationObserver((records) => {
  for (const r of records) {
    if (r.oldValue === 'notRunning' || r.oldValue === 'initial') window.__fkRuns += 1;
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
"""


# Scroll an element to the top of Streamlit's scrolling main area, clear of its header.
_SCROLL_TO_TOP_JS = """
(e) => {
  e.scrollIntoView({block: 'start'});
  let p = e.parentElement;
  while (p && !(p.scrollHeight > p.clientHeight
                && /(auto|scroll)/.test(getComputedStyle(p).overflowY))) p = p.parentElement;
  if (p) p.scrollTop = Math.max(0, p.scrollTop - 90);
}
"""


class Studio:
    """The studio in a browser tab: navigation, Streamlit widgets by label, screenshots."""

    def __init__(self, page: Page, url: str, output_dir: Path) -> None:
        self.page = page
        self.url = url
        self.output_dir = output_dir
        self._shots = 0

    # -- waiting --------------------------------------------------------------------------

    def _runs(self) -> int:
        return int(self.page.evaluate("window.__fkRuns || 0"))

    def wait_idle(self, runs_before: int | None = None, timeout_ms: int = TIMEOUT_MS) -> None:
        """Wait until Streamlit has finished rerunning and no element is stale.

        With ``runs_before`` (from ``_runs()`` before an action), first wait up to a few
        seconds for a rerun to start, so a rerun that has not begun yet is not missed.
        """
        if runs_before is not None:
            # No rerun seen in 5 s (an action that does not rerun): the checks below hold.
            with contextlib.suppress(PlaywrightTimeoutError):
                self.page.wait_for_function(f"(window.__fkRuns || 0) > {runs_before}",
                                            timeout=5_000)
        app = self.page.locator('[data-testid="stApp"]')
        expect(app).to_have_attribute("data-test-connection-state", "CONNECTED",
                                      timeout=timeout_ms)
        expect(app).to_have_attribute("data-test-script-state", "notRunning",
                                      timeout=timeout_ms)
        expect(self.page.locator('[data-testid="stStatusWidgetRunningIcon"]')).to_have_count(
            0, timeout=timeout_ms)
        expect(self.page.locator('[data-stale="true"]')).to_have_count(0, timeout=timeout_ms)

    def _rerun(self, action: Callable[[], object]) -> None:
        before = self._runs()
        action()
        self.wait_idle(runs_before=before)

    # -- navigation -----------------------------------------------------------------------

    def open(self, path: str = "/") -> None:
        self.page.goto(self.url + path)
        expect(self.page.locator('[data-testid="stApp"]')).to_be_visible()
        self.wait_idle()

    def sign_in(self, username: str, password: str | None = None) -> None:
        """Sign in on the sign-in page; wait for the role's first page or the error.

        Without ``password``, the demo user's own password is used.
        """
        self.fill("用户名 Username", username, commit=False)
        self.fill("密码 Password", PASSWORDS[username] if password is None else password,
                  commit=False)
        self.click("登录 Sign in")
        # A good sign-in reruns twice (st.rerun after remembering the user).
        signed_in = self.page.get_by_role("button", name="退出 Sign out", exact=True)
        refused = self.page.get_by_test_id("stAlertContentError")
        expect(signed_in.or_(refused).first).to_be_visible()
        self.wait_idle()

    def go(self, title: str) -> None:
        """Open a page by its title in the sidebar navigation."""
        nav = self.page.locator('[data-testid="stSidebarNav"]')
        self._rerun(lambda: nav.get_by_text(title, exact=True).click())

    # -- widgets --------------------------------------------------------------------------

    def text_input(self, label: str) -> Locator:
        return self.page.get_by_label(label, exact=True)

    def fill(self, label: str, value: str, commit: bool = True) -> None:
        """Type into a text input (or area) by its label.

        ``commit`` presses Tab so Streamlit takes the value and reruns; inside a
        ``st.form`` pass ``commit=False`` and click the submit button instead.
        """
        box = self.text_input(label)
        box.fill(value)
        if commit:
            self._rerun(lambda: box.press("Tab"))

    def click(self, label: str) -> None:
        """Click a button (or form submit button) by its label and wait for the rerun."""
        self._rerun(lambda: self.page.get_by_role("button", name=label, exact=True).click())

    def select(self, label: str, option: str) -> None:
        """Pick ``option`` in the selectbox labelled ``label``."""
        self._open_list(self.selectbox(label))
        choice = self.page.get_by_role("option", name=option, exact=True)
        self._rerun(lambda: choice.click())

    def _open_list(self, box: Locator) -> None:
        """Open the option list of a selectbox or multiselect.

        A click on a combobox out of view scrolls it in, and the scroll closes the list
        it has just opened: scroll first, then click, and click again if the list is
        still shut.
        """
        combo = box.get_by_role("combobox")
        listbox = self.page.get_by_role("listbox")
        for _ in range(3):
            combo.scroll_into_view_if_needed()
            combo.click()
            try:
                expect(listbox).to_be_visible(timeout=2_000)
                return
            except AssertionError:
                continue
        expect(listbox).to_be_visible()

    def selectbox(self, label: str) -> Locator:
        """The selectbox labelled ``label``; its choice is the value of its combobox:
        ``expect(studio.selectbox(label).get_by_role("combobox")).to_have_value(choice)``."""
        return self.page.get_by_test_id("stSelectbox").filter(
            has=self.page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))

    def multiselect(self, label: str, options: list[str]) -> None:
        """Add ``options`` (by their shown text) to the multiselect labelled ``label``.

        Each pick opens the list, reruns the script and closes it again.
        """
        box = self.page.get_by_test_id("stMultiSelect").filter(
            has=self.page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))
        for option in options:
            # One pick per opening of the list: a second click while the first pick's
            # rerun redraws the list can land on nothing on a loaded machine (seen in CI).
            chip = box.get_by_text(option, exact=True)
            for _ in range(3):
                self._open_list(box)
                choice = self.page.get_by_role("option", name=option, exact=True)
                self._rerun(choice.click)
                self.page.keyboard.press("Escape")  # close the list: it would cover the page
                expect(self.page.get_by_role("listbox")).to_have_count(0)
                self.wait_idle()
                if chip.count():
                    break
            expect(chip).to_be_visible()

    def radio(self, label: str, option: str) -> None:
        """Choose ``option`` (its shown text) in the radio group labelled ``label``."""
        group = self.page.get_by_role("radiogroup", name=label, exact=True)
        choice = group.get_by_test_id("stRadioOption").filter(
            has=self.page.get_by_text(option, exact=True))
        self._rerun(lambda: choice.click())
        expect(choice).to_have_attribute("data-selected", "true")

    def radio_value(self, label: str) -> Locator:
        """The chosen option of a radio group (``expect(...).to_have_text(option)``)."""
        group = self.page.get_by_role("radiogroup", name=label, exact=True)
        return group.locator('[data-testid="stRadioOption"][data-selected="true"]')

    def checkbox(self, label: str) -> Locator:
        """The checkbox (``st.checkbox``) labelled ``label``."""
        return self.page.get_by_test_id("stCheckbox").filter(
            has=self.page.get_by_text(label, exact=True))

    def tick(self, label: str, value: bool = True) -> None:
        """Tick (or untick) the checkbox labelled ``label`` and wait for the rerun."""
        box = self.checkbox(label)
        field = box.get_by_role("checkbox")
        if field.is_checked() != value:
            self._rerun(lambda: box.locator("label").click())
        expect(field).to_be_checked(checked=value)

    def tab(self, name: str) -> None:
        """Show the tab ``name`` of ``st.tabs`` (no rerun: tabs switch in the browser)."""
        tab = self.page.get_by_role("tab", name=name, exact=True)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")

    def expander(self, title: str, inside: str) -> Locator:
        """Open the expander ``title`` (no rerun: it opens in the browser) and wait
        until ``inside`` (a text in it) shows; click again if a redraw shut it."""
        box = self.page.get_by_test_id("stExpander").filter(has_text=title)
        content = box.get_by_text(inside).first
        for _ in range(3):
            if not content.is_visible():
                box.locator("summary").click()
            try:
                expect(content).to_be_visible(timeout=2_000)
                return box
            except AssertionError:
                continue
        expect(content).to_be_visible()
        return box

    def alert(self, kind: str, text: str | re.Pattern[str]) -> Locator:
        """The ``st.<kind>`` box (success, error, warning, info) holding ``text``."""
        test_id = {"success": "stAlertContentSuccess", "error": "stAlertContentError",
                   "warning": "stAlertContentWarning", "info": "stAlertContentInfo"}[kind]
        return self.page.get_by_test_id(test_id).filter(has_text=text)

    def code_blocks(self) -> Locator:
        """Every ``st.code`` block of the main area (rendered errors and notices)."""
        return self.page.get_by_test_id("stMain").get_by_test_id("stCode")

    def selectbox_options(self, label: str) -> list[str]:
        """The options of a selectbox (opens and closes its list)."""
        self._open_list(self.selectbox(label))
        options = self.page.get_by_role("option")
        expect(options.first).to_be_visible()
        texts = [t.strip() for t in options.all_inner_texts()]
        self.page.keyboard.press("Escape")
        return texts

    def metric_value(self, label: str) -> Locator:
        """The value of ``st.metric(label, ...)``: ``expect(...).to_have_text("18")``."""
        card = self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        return card.get_by_test_id("stMetricValue")

    def metric(self, label: str) -> str:
        """The value shown by ``st.metric(label, ...)`` now."""
        return self.metric_value(label).inner_text().strip()

    def table(self, index: int = 0) -> Locator:
        """The accessible grid of the ``index``-th ``st.dataframe`` (glide data grid)."""
        return self.page.get_by_test_id("stDataFrame").nth(index).locator("table[role=grid]")

    def expect_table_row_count(self, count: int, index: int = 0) -> None:
        """Wait until the dataframe holds ``count`` data rows.

        The grid redraws a moment after the script run ends: wait on it, do not read it
        right after an action. Streamlit draws an empty frame as one blank cell
        under one blank header.
        """
        grid = self.table(index)
        if count == 0:
            expect(grid).to_have_attribute("aria-colcount", "1")
            expect(grid.locator("thead th")).to_have_text([""])
            expect(grid.locator("tbody td")).to_have_text([""])
        else:
            expect(grid).to_have_attribute("aria-rowcount", str(count + 1))

    def table_row_count(self, index: int = 0) -> int:
        """All data rows of a dataframe, drawn or not (``aria-rowcount`` minus the header)."""
        grid = self.table(index)
        expect(grid).to_be_attached()  # the grid's accessible table is not itself visible
        return int(grid.get_attribute("aria-rowcount") or "1") - 1

    def frame(self, column: str) -> Locator:
        """The accessible grid of the (first) ``st.dataframe`` with a column ``column``.

        A dataframe's ``key`` is not in the page (no ``st-key-`` class): its columns are.
        """
        header = self.page.locator("thead th").filter(
            has_text=re.compile(rf"^\s*{re.escape(column)}\s*$"))
        return self.page.get_by_test_id("stDataFrame").filter(has=header).first.locator(
            "table[role=grid]")

    def expect_frame_row_count(self, column: str, count: int) -> None:
        """Wait until the dataframe with a column ``column`` holds ``count`` data rows."""
        expect(self.frame(column)).to_have_attribute("aria-rowcount", str(count + 1))

    def frame_rows(self, column: str) -> list[dict[str, str]]:
        """The rows the dataframe with a column ``column`` has drawn, as {header: text}."""
        return self._grid_rows(self.frame(column))

    def table_rows(self, index: int = 0) -> list[dict[str, str]]:
        """The rows the grid has drawn (those in view), as {column header: text}."""
        return self._grid_rows(self.table(index))

    def _grid_rows(self, grid: Locator) -> list[dict[str, str]]:
        expect(grid).to_be_attached()
        headers = [h.strip() for h in grid.locator("thead th").all_inner_texts()]
        rows = []
        for row in grid.locator("tbody tr").all():
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]
            rows.append(dict(zip(headers, cells, strict=False)))
        return rows

    def expect_no_exception(self) -> None:
        """No traceback box (``st.exception`` / an uncaught error) on the page."""
        expect(self.page.get_by_test_id("stException")).to_have_count(0)

    def expect_text(self, text: str | re.Pattern[str]) -> None:
        """Wait until ``text`` is visible in the main area."""
        expect(self.page.get_by_test_id("stMain").get_by_text(text).first).to_be_visible()

    # -- screenshots ----------------------------------------------------------------------

    def shot(self, name: str, full_page: bool = True, focus: Locator | None = None,
             page: Page | None = None) -> Path:
        """Save ``NN-name.png`` in the test's output folder and return its path.

        Streamlit scrolls its main area itself, so a "full page" is the viewport:
        ``focus`` scrolls that element to the top of the view first. ``page``: shoot
        another page (a print view opened beside the studio) in the same numbering.
        """
        if focus is not None:
            focus.evaluate(_SCROLL_TO_TOP_JS)
        # Numbered on from the shots already in the folder: several browsers of one
        # test (``open_studio``) share the numbering.
        self._shots = len(list(self.output_dir.glob("[0-9][0-9]-*.png"))) + 1
        safe = re.sub(r"[^\w.-]+", "-", name)
        path = self.output_dir / f"{self._shots:02d}-{safe}.png"
        (page or self.page).screenshot(path=str(path), full_page=full_page,
                                       animations="disabled")
        return path


@pytest.fixture()
def studio(studio_server: str, page: Page, output_dir: Path) -> Studio:
    """The studio opened on its first page (sign-in) in a fresh browser context.

    The server is set up before the page, so it is still up when the page fixture
    takes the failure screenshot.
    """
    s = Studio(page, studio_server, output_dir)
    s.open()
    return s


@pytest.fixture()
def shot(studio: Studio) -> Callable[..., Path]:
    """``shot("name")``: a full-page screenshot into the test's output folder."""
    return studio.shot


@pytest.fixture()
def open_studio(browser: Browser, studio_server: str, request: pytest.FixtureRequest,
                output_dir: Path) -> Iterator[Callable[[str], Studio]]:
    """``open_studio("officer")``: the same server in another fresh browser context.

    For a test where several people (each signed in in their own browser) work on one
    store. ``name`` tells their failure screenshots (``failure-officer.png``) and console
    logs apart; screenshots of every ``Studio`` of a test share one numbering.
    """
    opened: list[tuple[str, Page, list[str]]] = []

    def make(name: str) -> Studio:
        pg, console = _new_page(browser)
        opened.append((name, pg, console))
        s = Studio(pg, studio_server, output_dir)
        s.open()
        return s

    yield make
    failed = _failed(request)
    for name, pg, console in opened:
        _close_page(pg, console, failed, output_dir, suffix=f"-{name}")
