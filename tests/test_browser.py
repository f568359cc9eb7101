"""The app in a real browser: `streamlit run app.py` on a free port, driven by playwright with Debian's chromium.

One server and one browser for the whole session. Screenshots of every page at desktop and phone size go to
artifacts/screenshots/ (git-ignored) for a person to look at; the tests also check that no table is wider than
its column (visible tables; one in a closed expander is checked when open), which is how text gets cut off on
a phone.
"""

import json
from pathlib import Path

import pytest

import app
from tests.browser_support import SCREENSHOTS, VIEWPORTS, WAIT_MS, disposition, new_tab, open_page, scroll_to, settled
from tests.test_browser_hostile import foreign, record_requests

pytestmark = pytest.mark.browser

URL_PATHS = [url_path for *_, url_path in app.PAGES]
REVIEW_ANCHORS = ["evidence", "review-evidence", "conflicts", "verification", "changelog"]
CORD_LINK = "/patient?red_flags=false&mri_finding=cord_compression&weeks_conservative=1&pt_weeks=0"
# Wide enough to exercise every section: a conservative case with a warning, a phase and a long trace.
FULL_CASE = (
    "red_flags=false&mri_finding=nerve_root_compression&radicular_symptoms=true&motor_grade_mrc=5"
    "&motor_deficit_progressive=false&instability=false&deformity_progressive=false&weeks_conservative=10"
    "&pt_weeks=8&conservative_failed=true&correlating_pathology=true&proposed=epidural_steroid_injection"
    "&proposed=long_term_opioids"
)


# This test runs first on a fresh server on purpose: Streamlit resolves pages differently before its first run.
def test_a_shared_link_opened_on_a_fresh_server_shows_its_disposition_at_once(server, page):
    open_page(page, server + CORD_LINK)
    disposition(page, "urgent_neurosurgical_referral").wait_for()
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("Educational decision support, not a medical device").count() == 1
    assert page.url.startswith(server + "/patient?")


def test_changing_an_input_updates_the_url_and_the_result(server, page):
    open_page(page, server + CORD_LINK)
    disposition(page, "urgent_neurosurgical_referral").wait_for()
    page.locator(".st-key-patient_red_flags button", has_text="yes").click()
    page.wait_for_url("**red_flags=true**")
    disposition(page, "outside_pathway").wait_for()
    assert "mri_finding=cord_compression" in page.url


@pytest.mark.parametrize("url_path", URL_PATHS)
def test_every_page_opens_without_an_exception_and_asks_no_host_but_ours(server, page, url_path):
    requests = record_requests(page)
    open_page(page, f"{server}/{url_path}")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("not a medical device").count() == 1
    page.wait_for_function("() => document.querySelector(\"link[rel='shortcut icon']\")?.href.startsWith('data:')")
    assert requests and foreign(requests, server) == []
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href") or ""
    assert icon.startswith(("data:", "/", server)), icon


def test_the_pathway_page_draws_flowchart_sankey_and_timeline(server, page):
    open_page(page, f"{server}/pathway?{FULL_CASE}")
    page.locator(".js-plotly-plot").nth(2).wait_for()
    page.locator(".js-plotly-plot").nth(3).wait_for()  # the progression of courses, below the timeline
    assert page.locator(".js-plotly-plot").count() == 4
    assert page.locator(".js-plotly-plot g.sankey").count() == 2
    timeline = page.locator(".js-plotly-plot").nth(2)
    assert "This patient: week 10" in timeline.inner_text()


def test_the_evaluation_downloads_as_json_with_its_disposition(server, page):
    open_page(page, server + CORD_LINK)
    with page.expect_download() as download:
        page.get_by_role("button", name="Evaluation (JSON)").click()
    evaluation = json.loads(Path(download.value.path()).read_text())
    assert evaluation["disposition"] == "urgent_neurosurgical_referral"
    assert evaluation["case"]["mri_finding"] == "cord_compression"


def test_the_report_downloads_as_a_pdf_built_when_clicked(server, page):
    open_page(page, server + CORD_LINK)
    with page.expect_download() as download:
        page.get_by_role("button", name="Report (PDF)").click()
    assert download.value.suggested_filename == "report.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_a_citation_link_opens_the_references_page_at_that_reference(server, page):
    open_page(page, server + CORD_LINK)
    with page.context.expect_page() as opened:
        page.locator("a", has_text="[4]").first.click()
    references = opened.value
    references.set_default_timeout(WAIT_MS)
    references.locator("h1").first.wait_for()
    assert "/references?ref=4" in references.url
    references.get_by_text("You followed citation [4]").wait_for()


def test_a_change_under_the_result_opens_compare_with_the_patient_and_the_changed_case(server, page):
    open_page(page, f"{server}/patient?{FULL_CASE}")
    row = page.locator(".counterfactual", has_text="weeks of conservative care were 26")
    row.wait_for()
    row.get_by_role("link", name="Compare").click()
    page.wait_for_url("**/scenarios?**vs.weeks_conservative=26**")
    page.get_by_role("tab", name="Compare", selected=True).wait_for()
    disposition(page, "decompression_referral").wait_for()
    assert disposition(page, "conservative_care").is_visible()
    assert page.get_by_text("The traces part at").is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0


def show_demo_cohort(tab) -> None:
    tab.get_by_text("Synthetic demo cohort").click()
    tab.locator(".js-plotly-plot").first.wait_for()
    settled(tab)


def scrolled_to(text: str):
    def scroll(tab) -> None:
        scroll_to(tab, tab.get_by_text(text, exact=True).first)

    return scroll


# Views beyond each page's first screen: (screenshot name, URL path and query, what to do before the picture).
EXTRA_SCREENSHOTS = [
    ("patient_changes", f"patient?{FULL_CASE}", scrolled_to("What would change this decision")),
    ("scenarios_compare", f"scenarios?{FULL_CASE}&vs.weeks_conservative=26&tab=Compare", None),
    ("cohort_demo", "cohort", show_demo_cohort),
    ("cohort_flow", "cohort", lambda tab: (show_demo_cohort(tab), scrolled_to("How the cases flow")(tab))),
]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_screenshots_of_every_page_with_no_table_wider_than_its_column(server, browser, viewport):
    width, height = VIEWPORTS[viewport]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tables_checked = 0
    with new_tab(browser, width, height) as tab:
        views = [
            (url_path, url_path + (f"?{FULL_CASE}" if url_path in ("patient", "pathway") else ""), None)
            for url_path in URL_PATHS
        ] + EXTRA_SCREENSHOTS
        for name, address, prepare in views:
            open_page(tab, f"{server}/{address}")
            if prepare is not None:
                prepare(tab)
            if name == "pathway":
                tab.locator(".js-plotly-plot").nth(2).wait_for()
            if name == "references":  # the reviewer's sections lie below the fold: one screenshot each
                tab.get_by_role("button", name="Run verification").click()
                tab.get_by_text("Verification passed").wait_for()
                settled(tab)
                for anchor in REVIEW_ANCHORS:
                    scroll_to(tab, tab.locator(f"#{anchor}"))
                    tab.screenshot(path=SCREENSHOTS / f"{name}_{anchor}_{width}x{height}.png")
                tab.evaluate("() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollIntoView()")
            tab.screenshot(path=SCREENSHOTS / f"{name}_{width}x{height}.png")
            widths = tab.evaluate(
                '() => [...document.querySelectorAll(\'[data-testid="stTable"], [data-testid="stMarkdownContainer"]\')]'
                ".filter(box => box.querySelector('table') && box.offsetParent)"
                ".map(box => [box.querySelector('table').scrollWidth, box.clientWidth])"
            )
            tables_checked += len(widths)
            cut = [w for w in widths if w[0] > w[1] + 1]
            assert not cut, f"{name} at {width}x{height}: table(s) wider than their column (px): {cut}"
            page_width = tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
            assert page_width <= width, f"{name} at {width}x{height} scrolls sideways"
        assert tables_checked > 0
