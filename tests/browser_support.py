"""Shared pieces of the real-browser tests: one `streamlit run app.py` server per test worker on a free port,
one Debian chromium driven by playwright, and helpers that wait for states the app reaches (never for a time).

The fixtures are registered in tests/conftest.py, so any `tests/test_browser_*.py` file can use them.

Cold starts: on a fresh machine every module is compiled on its first import, and the first script run that
draws a chart imports plotly and pandas, which took 10-25 s on two loaded cores. The server fixture pays that
once, before any test, by running the pages that import them; each wait below is then bounded by WAIT_MS, which
only a stuck page reaches.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app_pages.first_view import PENDING_MARK_KEY
from tools.streamlit_client import run_page
from tools.streamlit_server import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
WAIT_MS = 60_000
# Pages whose first run imports what the others do not (plotly, pandas, the course figures), with a query.
WARM_UP_RUNS = [("pathway", ""), ("patient", "weeks_conservative=0&visit=week%3D0")]

# Streamlit marks its root with the script's state ("initial" before the first run, "running", "notRunning") and
# the connection's. The status widget and stale marks are not enough: both show only 0.5 s into a run, so a page
# checked in its first half second looks finished while its script is still running.
# A first view's first pass (app_pages.first_view) is marked until the rerun it asks for has drawn the page.
SETTLED = f"""() => {{
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null && app.dataset.testScriptState === 'notRunning'
    && app.dataset.testConnectionState === 'CONNECTED'
    && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"], .st-key-{PENDING_MARK_KEY}');
}}"""
# True once the main area's height, the scroll position and every expander's box are unchanged for three frames:
# after a scroll or an expander's opening animation, before a screenshot.
STILL = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const boxes = [...document.querySelectorAll('[data-testid="stExpanderDetails"]')]
    .map(e => { const r = e.getBoundingClientRect(); return `${r.top},${r.height}`; });
  const now = [main ? main.scrollHeight : 0, window.scrollY, main ? main.scrollTop : 0, ...boxes].join('|');
  const w = window;
  w.__stillFrames = w.__stillLast === now ? (w.__stillFrames || 0) + 1 : 0;
  w.__stillLast = now;
  return w.__stillFrames >= 3;
}"""


def _warm_up(url: str) -> None:
    async def runs() -> None:
        for page, query in WARM_UP_RUNS:
            run = await run_page(url, page, query)
            await run.connection.close()

    asyncio.run(runs())


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium; scripts/test.sh does when run as root)")
    process, url = start_streamlit(ROOT / "app.py")
    try:
        _warm_up(url)
        yield url
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def new_tab(browser, width: int = 1280, height: int = 800, **options):
    """A tab in a new browser context (a new visitor) of the given size, closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with new_tab(browser, accept_downloads=True) as tab:
        yield tab


def settled(page) -> None:
    """Wait until the page's script has finished its run, connected, with no placeholder or stale element left.

    After an action that reruns the script, first wait for what the rerun shows: until the rerun has started,
    the page still reports the previous run as finished."""
    page.wait_for_function(SETTLED, polling="raf", timeout=WAIT_MS)


def still(page) -> None:
    """Wait until nothing moves (a scroll, an expander opening) before looking or taking a screenshot."""
    page.wait_for_function(STILL, polling="raf", timeout=WAIT_MS)


def scroll_to(page, locator) -> None:
    """Put an element at the top of the view and wait until nothing moves."""
    locator.evaluate("e => e.scrollIntoView({block: 'start', behavior: 'instant'})")
    still(page)


def open_page(page, url: str) -> None:
    """Go to a URL and wait until the page's script has finished its first run."""
    page.goto(url)
    settled(page)


def disposition(page, disposition_id: str):
    return page.locator(".disposition code", has_text=disposition_id)
