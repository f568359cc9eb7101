"""In a real browser: on a phone the result comes before the form, and a new visitor's first view of the Patient
page with a full case in the URL stays near a one-line Streamlit app (bench/bench_first_view.py)."""

import re
import subprocess
import sys
from urllib.parse import urlencode

import pytest

from bench.bench_first_view import FULL_CASE_QUERY
from core.engine.case_params import as_params
from core.engine.case_text import case_to_text
from core.engine.guideline import load_guideline
from core.engine.packs import PACKS_DIR
from tests.browser_support import CHROMIUM, ROOT, SCREENSHOTS, VIEWPORTS, new_tab, open_page, scroll_to

pytestmark = pytest.mark.browser
BLOCKED_CASE = (
    "red_flags=false&mri_finding=not_done&myelopathy_signs=false&radicular_symptoms=true"
    "&instability=false&deformity_progressive=false&weeks_conservative=0&pt_weeks=0"
)
MYELOPATHY_CASE = (
    "red_flags=false&mri_finding=degenerative_only&myelopathy_signs=true&radicular_symptoms=false"
    "&motor_grade_mrc=5&motor_deficit_progressive=false&instability=false&deformity_progressive=false"
    "&weeks_conservative=2&pt_weeks=1&conservative_failed=false&correlating_pathology=false"
)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_result_comes_first_on_a_phone_and_beside_the_form_on_a_desktop(server, browser, viewport):
    width, height = VIEWPORTS[viewport]
    with new_tab(browser, width, height) as page:
        open_page(page, f"{server}/patient?{FULL_CASE_QUERY}")
        badge = page.locator(".disposition").first.bounding_box()
        form = page.get_by_text("Safety screen").first.bounding_box()
        shoot(page, f"bedside_patient_{viewport}")
        if viewport == "phone":
            assert badge["y"] < form["y"]  # the result first, the form follows
            assert badge["y"] < height  # in view without scrolling
        else:
            assert badge["x"] > form["x"] and abs(badge["y"] - form["y"]) < 200  # side by side
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling


@pytest.mark.parametrize("name, query", [("blocked", BLOCKED_CASE), ("myelopathy", MYELOPATHY_CASE)])
def test_a_blocked_decision_and_the_myelopathy_safeguard_read_clearly_on_a_phone(server, browser, name, query):
    width, height = VIEWPORTS["phone"]
    with new_tab(browser, width, height) as page:
        open_page(page, f"{server}/patient?{query}")
        if name == "blocked":
            page.get_by_text("Still possible", exact=True).wait_for()
            assert page.locator("ul.possible li").count() == 2
        else:
            page.get_by_test_id("stAlertContentError").get_by_text("Signs of myelopathy").wait_for()
        shoot(page, f"bedside_{name}_phone")


def first_view_ratio(visits: int) -> float:
    """The benchmark's ratio at the worse of its two sizes, run in its own process (it drives its own browser and
    two servers)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_first_view.py"), "--visits", str(visits), "--no-pathway"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=True,
    )
    print(result.stdout)
    return max(float(r) for r in re.findall(r"ratio at \S+: ([0-9.]+)x", result.stdout))


# The target is 1.5: three runs after the first view drew the answer alone measured 1.06-1.19 at both
# sizes on this shared machine under load. Shared machines are noisy, so the test prints the figure and fails on a
# clear regression only.
TARGET, GUARD = 1.5, 2.0


def test_first_view_of_the_patient_page_stays_near_a_one_line_app(capsys):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    # Shared machines are noisy: the median of three visits each, and one more try before calling it a regression.
    measured = [first_view_ratio(3)]
    if measured[0] > GUARD:
        measured.append(first_view_ratio(3))
    with capsys.disabled():
        print(f"\nfirst-view ratio to a one-line app: {min(measured):.2f}x (target {TARGET}x)")
    assert min(measured) <= GUARD, measured


def test_an_evidence_mark_is_read_whole_on_a_phone(server, browser):
    g = load_guideline(PACKS_DIR / "cervical-radiculopathy")
    case = g.parse_case(next(s.case for s in g.scenarios if s.id == "first_visit_no_red_flags"))
    query = urlencode({"pathway": g.info.id} | as_params(case_to_text(case)), doseq=True)
    width, height = VIEWPORTS["phone"]
    with new_tab(browser, width, height) as page:
        open_page(page, f"{server}/patient?{query}")
        mark = page.get_by_text("outside evidence only partly agrees (from summaries, unconfirmed)").first
        scroll_to(page, mark)
        box = mark.bounding_box()
        shoot(page, "evidence_mark_phone")
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        # Whole, not cut with an ellipsis: the text needs no more room than it is given.
        assert mark.evaluate(
            "e => e.scrollWidth <= e.clientWidth + 1 && getComputedStyle(e).textOverflow !== 'ellipsis'"
        )
