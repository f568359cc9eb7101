"""In a real browser, at desktop and phone size: the sections that put the pathways side by side (who says what and
one clock on the Pathways page, "Under other pathways" on the Patient page and in the Scenarios page's compare
view, the demo cohort across two pathways). Axe finds no WCAG A/AA violation in them, the page never scrolls
sideways, and each section is pictured for a person to look at."""

import pytest

from tests.browser_support import SCREENSHOTS, VIEWPORTS, new_tab, open_page, scroll_to, settled, still
from tests.test_browser_a11y import axe_violations, describe

pytestmark = pytest.mark.browser

FUSION = "neck-upper-back-pain-after-lumbar-fusion"
CASE = "red_flags=false&mri_finding=cord_compression&myelopathy_signs=true&weeks_conservative=1&pt_weeks=0"
# page, query, the sections' containers (the first is pictured), what shows once the section is drawn
SECTIONS = {
    "pathways": ("pathways", "", [".st-key-who_says_what", ".st-key-one_clock"], ".st-key-one_clock .js-plotly-plot"),
    "patient": (
        "patient",
        f"{CASE}&compare=cervical-myelopathy,{FUSION}",
        [".st-key-patient_compared_pathways_section"],
        ".st-key-patient_compared_pathways_section >> text=deciding rule:",
    ),
    "scenarios": (
        "scenarios",
        "tab=Compare&compare=cord_compression_week_one",
        [".st-key-compare_across_section"],
        ".st-key-compare_across_section >> text=deciding rule:",
    ),
    "cohort": ("cohort", "", [".st-key-cohort_across_section"], ".st-key-cohort_across_section .js-plotly-plot"),
}


@pytest.mark.parametrize("name", list(SECTIONS))
def test_the_across_pathways_sections_pass_axe_fit_the_width_and_are_pictured(server, browser, name):
    page, query, sections, drawn = SECTIONS[name]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with new_tab(browser, *VIEWPORTS["desktop"]) as tab:
        open_page(tab, f"{server}/{page}?{query}")
        if name == "cohort":
            tab.get_by_text("Synthetic demo cohort").click()
        tab.locator(drawn).first.wait_for()
        settled(tab)
        # One load, both sizes: Streamlit lays a page out again on a resize without running its script.
        for viewport, (width, height) in VIEWPORTS.items():
            tab.set_viewport_size({"width": width, "height": height})
            still(tab)
            found = axe_violations(tab, ", ".join(sections))
            assert not found, f"{name} at {width}px: axe found\n{describe(found)}"
            scrolled = tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
            assert scrolled <= width, f"{name} at {width}px scrolls sideways ({scrolled}px)"
            for n, selector in enumerate(sections):
                # Streamlit scrolls its main area, not the window: a section below the fold is pictured blank
                # unless the window is tall enough to hold it (the width, and so the layout, stays).
                section = tab.locator(selector)
                tall = section.evaluate("e => e.getBoundingClientRect().height")
                tab.set_viewport_size({"width": width, "height": max(height, int(tall) + 120)})
                scroll_to(tab, section)
                section.screenshot(path=str(SCREENSHOTS / f"across_{name}{n or ''}_{viewport}.png"))
