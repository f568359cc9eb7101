"""Shared pieces of the real-browser tests: one `streamlit run app.py` server per test worker on a free port,
one Debian chromium driven by playwright, and helpers that wait for a page's script to finish.

The fixtures are registered in tests/conftest.py, so any `tests/test_browser_*.py` file can use them.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.streamlit_server import CHROMIUM, CHROMIUM_ARGS, start_streamlit, stop

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
WAIT_MS = 20_000


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium; scripts/test.sh does when run as root)")
    process, url = start_streamlit(ROOT / "app.py")
    try:
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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    yield tab
    context.close()


def settled(page) -> None:
    """Wait until the page's script has finished its run (no status widget, placeholder or stale element)."""
    page.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"],'
        ' [data-stale="true"]\')',
        timeout=WAIT_MS,
    )


def open_page(page, url: str) -> None:
    """Go to a URL and wait until the page's script has finished its run."""
    page.goto(url)
    page.locator("h1").first.wait_for()
    settled(page)


def disposition(page, disposition_id: str):
    return page.locator(".disposition code", has_text=disposition_id)
