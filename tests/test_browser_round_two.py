"""In a real browser, second bedside round: on a phone only the page's two columns swap (nested columns keep
their order), a visit is recorded from the end of the form, the course table stays in the page's width; and
screenshots at both sizes of an urgent blocked case, a slip in one field, the course editor and the sankey."""

import pytest

from tests.browser_support import SCREENSHOTS, VIEWPORTS, WAIT_MS, open_page, settled

pytestmark = pytest.mark.browser
RAD = (
    "red_flags=false&mri_finding=nerve_root_compression&myelopathy_signs=false&radicular_symptoms=true"
    "&motor_grade_mrc=5&motor_deficit_progressive=false"
)
COURSE = (
    f"{RAD}&instability=false&deformity_progressive=false&weeks_conservative=14&pt_weeks=10"
    "&conservative_failed=true&correlating_pathology=false"
    "&visit=week%3D0%3Bpt_weeks%3D0&visit=week%3D4%3Bpt_weeks%3D4&visit=week%3D8%3Bpt_weeks%3D7"
    "&visit=week%3D12%3Bpt_weeks%3D9%3Bconservative_failed%3Dtrue"
)
SHOTS = {
    "urgent_blocked": "mri_finding=cord_compression&myelopathy_signs=true&weeks_conservative=2&pt_weeks=1",
    "slip": "red_flags=false&mri_finding=cord_compression&myelopathy_signs=true&weeks_conservative=2&pt_weeks=5",
}


def tab(browser, viewport):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    return context, page


def shoot(page, name: str, full: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)


def test_on_a_phone_only_the_two_columns_swap_and_a_visit_is_recorded_at_the_end_of_the_form(server, browser):
    context, page = tab(browser, "phone")
    try:
        open_page(page, f"{server}/patient?{COURSE}")
        record = page.locator(".st-key-course_record button").bounding_box()
        remove = page.locator(".st-key-course_remove button").bounding_box()
        assert record["y"] < remove["y"]  # nested columns keep their order
        badge = page.locator(".disposition").first.bounding_box()
        form = page.get_by_text("Safety screen").first.bounding_box()
        assert badge["y"] < form["y"]  # the page's result column still comes first
        at_form_end = page.locator(".st-key-course_record_form button").bounding_box()
        assert at_form_end["y"] > form["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"][0]
        page.locator(".st-key-course_record button").scroll_into_view_if_needed()
        shoot(page, "round2_course_phone")
        # One tap from the top of the result to the form, whose end records the visit.
        page.evaluate("window.scrollTo(0, 0)")
        page.locator("a.to-form").click()
        page.wait_for_timeout(500)
        top = page.get_by_text("Safety screen").first.bounding_box()
        assert 0 <= top["y"] < VIEWPORTS["phone"][1]
        shoot(page, "round2_to_form_phone")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_screenshots_of_the_urgent_blocked_case_the_slip_the_course_and_the_sankey(server, browser, viewport):
    context, page = tab(browser, viewport)
    try:
        for name, query in SHOTS.items():
            open_page(page, f"{server}/patient?{query}")
            page.locator(".disposition").first.scroll_into_view_if_needed()
            shoot(page, f"round2_{name}_{viewport}")
        page.get_by_text("What to do now").first.scroll_into_view_if_needed()
        shoot(page, f"round2_slip_plan_{viewport}")
        open_page(page, f"{server}/patient?{SHOTS['urgent_blocked']}")
        page.get_by_text("What to do now").first.scroll_into_view_if_needed()
        shoot(page, f"round2_urgent_blocked_plan_{viewport}")
        open_page(page, f"{server}/patient?{COURSE}")
        page.locator(".st-key-course_table").scroll_into_view_if_needed()
        shoot(page, f"round2_course_table_{viewport}")
        page.get_by_text("Correct a recorded visit").first.scroll_into_view_if_needed()
        shoot(page, f"round2_course_editor_{viewport}")
        open_page(page, f"{server}/pathway")
        picker = page.locator(".st-key-pathway_progression_node input")
        picker.scroll_into_view_if_needed()
        picker.click()
        page.keyboard.type("week 6: Interventional")
        page.keyboard.press("Enter")
        settled(page)
        page.get_by_text("courses at this node").first.wait_for()
        page.locator(".st-key-pathway_progression_sankey:not([data-stale='true'])").scroll_into_view_if_needed()
        shoot(page, f"round2_sankey_{viewport}")
    finally:
        context.close()
