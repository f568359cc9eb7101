"""In a real browser: an unassessed input reads *not assessed* in the form and in the reasons, and a page links
to another by the path app.PAGES gives it."""

import pytest

from tests.browser_support import SCREENSHOTS, VIEWPORTS, disposition, open_page, settled

pytestmark = pytest.mark.browser

PARTIAL = "/patient?red_flags=false&mri_finding=normal&weeks_conservative=3&pt_weeks=2"


def test_unassessed_inputs_read_not_assessed_in_the_form_and_in_why(server, page):
    open_page(page, server + PARTIAL)
    disposition(page, "needs_information").wait_for()
    why = page.locator("table", has_text="inputs read").first
    why.wait_for()
    assert "= not assessed" in why.inner_text() and "= unknown" not in why.inner_text()
    assert page.locator(".st-key-patient_instability button", has_text="not assessed").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        settled(page)
        page.screenshot(path=str(SCREENSHOTS / f"one_vocabulary_patient_{name}.png"), full_page=False)


def test_a_compare_link_opens_the_scenarios_page_by_its_path(server, page):
    open_page(page, server + PARTIAL)
    link = page.locator('a[href*="scenarios?"]').first
    link.wait_for()
    path, query = link.get_attribute("href").split("?", 1)
    assert path.rstrip("/").endswith("scenarios") and "tab=Compare" in query
