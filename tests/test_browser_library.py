"""In a real browser: the library page and each pack's Patient and Pathway pages, at desktop and phone sizes, with
no table wider than its column and the pathway named on every page."""

import pytest

from core.engine.guideline import load_guideline
from core.engine.packs import PACKS_DIR, pack_ids
from tests.browser_support import SCREENSHOTS, VIEWPORTS, new_tab, open_page, settled

pytestmark = pytest.mark.browser
# A case every pack takes (fields of the vocabulary that each reads or sets aside), so each page shows an answer.
CASE = "region=cervical&red_flags=false&myelopathy_signs=true&mri_finding=cord_compression&mjoa_score=11"


def _no_sideways_scroll(tab, width: int, name: str) -> None:
    page_width = tab.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
    assert page_width <= width, f"{name} at {width}px scrolls sideways"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_library_page_lists_every_pack_and_opens_one(server, browser, viewport):
    width, height = VIEWPORTS[viewport]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with new_tab(browser, width, height) as tab:
        open_page(tab, f"{server}/pathways")
        for pack in pack_ids():
            tab.get_by_text(load_guideline(PACKS_DIR / pack).info.title, exact=False).first.wait_for()
        tab.get_by_text("Encoded from a partial text", exact=False).first.wait_for()
        _no_sideways_scroll(tab, width, "pathways")
        tab.screenshot(path=str(SCREENSHOTS / f"library_pathways_{viewport}.png"), full_page=True)
        tab.get_by_text("Open Cervical myelopathy", exact=False).first.click()
        tab.wait_for_url("**/patient?pathway=cervical-myelopathy*")
        settled(tab)
        tab.get_by_text("Pathway: Cervical myelopathy", exact=False).first.wait_for()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("pack", pack_ids())
def test_each_pack_shows_its_patient_and_pathway_pages(server, browser, viewport, pack):
    width, height = VIEWPORTS[viewport]
    title = load_guideline(PACKS_DIR / pack).info.title
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with new_tab(browser, width, height) as tab:
        for page in ("patient", "pathway"):
            open_page(tab, f"{server}/{page}?pathway={pack}&{CASE}")
            tab.get_by_text(f"Pathway: {title}", exact=False).first.wait_for()
            settled(tab)
            _no_sideways_scroll(tab, width, f"{pack} {page}")
            tab.screenshot(path=str(SCREENSHOTS / f"library_{pack}_{page}_{viewport}.png"))
