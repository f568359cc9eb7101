"""Care over time in a real browser: the course editor and its link, both progression sankeys and the course
player, with screenshots at desktop and phone size for a person to look at (artifacts/screenshots/)."""

import pytest

from tests.browser_support import SCREENSHOTS, VIEWPORTS, disposition, new_tab, open_page, scroll_to, settled, still

pytestmark = pytest.mark.browser

FIRST = (
    "red_flags=false&mri_finding=nerve_root_compression&radicular_symptoms=true&motor_grade_mrc=5"
    "&motor_deficit_progressive=false&instability=false&deformity_progressive=false&correlating_pathology=true"
)
# A recorded course of three visits; the current visit (the case parameters) is six months in.
COURSE_LINK = (
    f"/patient?{FIRST}&weeks_conservative=26&pt_weeks=16&conservative_failed=true"
    "&visit=week%3D0%3Bpt_weeks%3D0%3Bred_flags%3Dfalse%3Bmri_finding%3Dnerve_root_compression"
    "%3Bradicular_symptoms%3Dtrue%3Bmotor_deficit_progressive%3Dfalse%3Bdeformity_progressive%3Dfalse"
    "%3Binstability%3Dfalse%3Bcorrelating_pathology%3Dtrue%3Bmotor_grade_mrc%3D5"
    "&visit=week%3D6%3Bpt_weeks%3D6%3Bconservative_failed%3Dtrue"
    "&visit=week%3D12%3Bpt_weeks%3D12%3Bproposed%3Dlong_term_opioids"
)


def test_recording_a_visit_puts_the_course_in_the_url_and_draws_its_timeline(server, page):
    open_page(page, f"{server}/patient?{FIRST}&weeks_conservative=0&pt_weeks=0")
    disposition(page, "conservative_care").wait_for()
    page.get_by_text("Course of care: 0 recorded visits").click()
    # The course of care's own button (the form has a second one at its end).
    page.locator(".st-key-course_record").get_by_role("button", name="Record this visit (week 0)").click()
    page.wait_for_url("**visit=week**")
    page.get_by_text("Course of care: 1 recorded visit").wait_for()
    page.locator(".st-key-course_timeline .js-plotly-plot").wait_for()
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_course_link_reproduces_the_course_and_the_current_result(server, page):
    open_page(page, server + COURSE_LINK)
    disposition(page, "decompression_referral").wait_for()
    timeline = page.locator(".st-key-course_timeline .js-plotly-plot")
    timeline.wait_for()
    assert page.get_by_text("Course of care: 3 recorded visits").count() == 1
    assert page.get_by_text("week 26: Referral for decompression alone").count() == 1
    assert page.get_by_text("Long-term opioids proposed (first at week 12").count() == 1
    assert page.url.count("visit=") == 3


def test_both_progression_sankeys_draw_with_their_tables(server, page):
    open_page(page, f"{server}/pathway")
    sankey = page.locator(".st-key-pathway_progression_sankey g.sankey")
    sankey.wait_for()
    assert page.get_by_text("Illustrative", exact=False).count() >= 1
    open_page(page, f"{server}/cohort")
    page.get_by_text("Follow courses over time from a visits file").click()
    page.get_by_text("Illustrative demo visits").click()
    page.locator(".st-key-cohort_progression_sankey g.sankey").wait_for()
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def _pathway_progression(tab) -> None:
    tab.locator(".st-key-pathway_progression_sankey g.sankey").wait_for()
    settled(tab)
    scroll_to(tab, tab.get_by_text("How courses progress over six months"))


def _cohort_progression(tab) -> None:
    tab.get_by_text("Follow courses over time from a visits file").click()
    settled(tab)
    tab.get_by_text("Illustrative demo visits").click()
    tab.locator(".st-key-cohort_progression_sankey g.sankey").wait_for()
    settled(tab)
    tab.locator(".st-key-visits_min_count input").fill("10")
    tab.keyboard.press("Enter")
    tab.get_by_text("fewer than 10").first.wait_for()
    settled(tab)
    scroll_to(tab, tab.get_by_text("Courses over time (visits file)"))


def _patient_course(tab) -> None:
    tab.locator(".st-key-course_timeline .js-plotly-plot").wait_for()
    settled(tab)
    scroll_to(tab, tab.get_by_text("Course of care: 3 recorded visits"))


def _course_player(tab) -> None:
    tab.locator(".st-key-course_player_timeline .js-plotly-plot").wait_for()
    for visit in (2, 3):
        tab.get_by_role("button", name="Play the next visit").click()
        tab.get_by_text(f"Visit {visit} of").wait_for()  # the rerun has started: settled now means it finished
        settled(tab)
    still(tab)


VIEWS = [
    ("course_patient", COURSE_LINK, _patient_course),
    ("course_pathway_progression", "/pathway", _pathway_progression),
    ("course_cohort_progression", "/cohort", _cohort_progression),
    ("course_player", "/scenarios?tab=Courses+over+time", _course_player),
]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_screenshots_of_the_course_views(server, browser, viewport):
    width, height = VIEWPORTS[viewport]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with new_tab(browser, width, height) as tab:
        for name, address, prepare in VIEWS:
            open_page(tab, server + address)
            prepare(tab)
            assert tab.locator('[data-testid="stException"]').count() == 0, name
            tab.screenshot(path=SCREENSHOTS / f"{name}_{width}x{height}.png")
