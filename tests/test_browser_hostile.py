"""Privacy and injection in a real browser: markdown hidden in a shared link (an image, a phishing link, HTML) is
shown as text: nothing is fetched and no link is drawn. That each page asks no host but ours is checked as it opens
(tests/test_browser.py), with the helpers here."""

from urllib.parse import quote, urlencode

import pytest

from tests.browser_support import SCREENSHOTS, VIEWPORTS, open_page, settled, still

pytestmark = pytest.mark.browser

EVIL = "evil.example"
IMAGE_NAME = f"![x](http://{EVIL}/t.png)"
PHISHING_NAME = f"[Session expired - click to log in](http://{EVIL}/login)"
HOSTILE_LINK = "/patient?" + urlencode(
    {
        IMAGE_NAME: "1",
        PHISHING_NAME: "1",
        "mri_finding": f"<img src=http://{EVIL}/x.png> `code` www.{EVIL}",
        "weeks_conservative": "inf",
        "red_flags": "false",
    },
    quote_via=quote,
)


def record_requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def foreign(urls: list[str], server: str) -> list[str]:
    return [u for u in urls if not u.startswith((server, "data:", "blob:", "about:"))]


def test_markdown_in_a_shared_link_is_shown_as_text_and_fetches_nothing(server, page):
    requests = record_requests(page)
    open_page(page, server + HOSTILE_LINK)
    alert = page.locator("[data-testid='stAlertContentError']").first
    alert.wait_for()
    text = alert.inner_text().replace("\u200b", "")  # the zero-width spaces that break bare links
    assert IMAGE_NAME in text and PHISHING_NAME in text
    assert "Weeks of conservative care: expected a whole number from 0 to 520, got 'inf'" in text
    assert alert.locator("img").count() == 0
    links = page.locator("[data-testid='stAlertContentError'] a")
    assert [links.nth(n).get_attribute("href") for n in range(links.count())] == []
    still(page)  # an image or a link drawn from the text would have been requested by now
    assert foreign(requests, server) == []
    for name, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        settled(page)
        page.screenshot(path=str(SCREENSHOTS / f"hostile-link-{name}.png"))


def test_a_citation_number_int_refuses_is_named_on_the_references_page(server, page):
    open_page(page, f"{server}/references?ref=%C2%B2")
    alert = page.locator("[data-testid='stAlertContentError']").first
    alert.wait_for()
    assert "ref = '²' is not a citation number" in alert.inner_text()
    assert page.locator("[data-testid='stException']").count() == 0
