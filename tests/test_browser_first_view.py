"""In a real browser, what a new visitor waits for: a chart whose library is still loading says so in words over the
area it will take (never a blank box), and the Patient page's first view fetches no file before a download click."""

from urllib.parse import urlparse

import pytest

from bench.bench_first_view import FULL_CASE_QUERY
from tests.browser_support import SCREENSHOTS, VIEWPORTS, new_tab, open_page

pytestmark = pytest.mark.browser
CHART_LIBRARY = "**/static/js/PlotlyChart*.js"
PLACEHOLDER = ".stPrintGraphic > [data-testid='stSkeleton']"
PATHWAY_CHARTS = 4  # flowchart, sankey, timeline, progression of courses


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_chart_still_loading_says_so_in_words_until_it_is_drawn(server, browser, viewport):
    width, height = VIEWPORTS[viewport]
    held = []
    with new_tab(browser, width, height) as page:
        page.route(CHART_LIBRARY, lambda route: held.append(route))  # answered only once the placeholders are checked
        page.goto(f"{server}/pathway")
        page.locator(PLACEHOLDER).nth(PATHWAY_CHARTS - 1).wait_for(state="attached")
        placeholders = page.locator(PLACEHOLDER)
        assert placeholders.count() == PATHWAY_CHARTS
        # The words come with the page's style sheet, which may land a moment after the placeholders.
        page.wait_for_function(
            "s => [...document.querySelectorAll(s)].every(e => getComputedStyle(e, '::after').content !== 'none')",
            arg=PLACEHOLDER,
        )
        for n in range(PATHWAY_CHARTS):
            words = placeholders.nth(n).evaluate("e => getComputedStyle(e, '::after').content")
            assert "Loading the chart" in words and "table below" in words
        first = placeholders.first.bounding_box()
        assert first["height"] > 200 and first["y"] < height  # the chart's whole area, on the first screen
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"pathway_charts_loading_{viewport}.png"))
        for route in held:
            route.continue_()
        page.unroute(CHART_LIBRARY)
        page.locator(".js-plotly-plot").nth(PATHWAY_CHARTS - 1).wait_for()
        assert placeholders.count() == 0


def test_the_patient_pages_first_view_fetches_no_download_before_a_click(server, page):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    open_page(page, f"{server}/patient?{FULL_CASE_QUERY}")
    page.locator(".disposition code").first.wait_for()
    assert page.get_by_role("button", name="Evaluation (JSON)").is_visible()
    assert not [url for url in fetched if urlparse(url).path.startswith("/media/")]  # a download's file
