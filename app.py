"""Spine Pathway Explorer: the entry point sets the page, the shared notice and the navigation."""

from pathlib import Path

import streamlit as st

from app_pages.chart_warmup import warm_up_charts
from app_pages.first_view import end_of_run
from app_pages.inert import inert, problem_list
from app_pages.session import (
    choose_pathway_from_url,
    drop_unused_pathway_param,
    guideline,
    note_page,
    pathway_params,
    pathway_problems,
    show_problems,
)
from core import PathwayError

# (script, title, icon, url path), in menu order. Add a page by adding a line.
PAGES = [
    ("app_pages/patient.py", "Patient", ":material/person:", "patient"),
    ("app_pages/pathway.py", "Pathway", ":material/account_tree:", "pathway"),
    ("app_pages/scenarios.py", "Scenarios", ":material/school:", "scenarios"),
    ("app_pages/references.py", "References", ":material/menu_book:", "references"),
    ("app_pages/cohort.py", "Cohort", ":material/groups:", "cohort"),
    ("app_pages/what_if.py", "What if", ":material/alt_route:", "what-if"),
    ("app_pages/pathways.py", "Pathways", ":material/library_books:", "pathways"),
]


def page_script(url_path: str) -> str:
    """The script of the page served at `url_path`: how pages and tests name a page (never by its file)."""
    return next(script for script, *_, path in PAGES if path == url_path)


PATIENT_PAGE = page_script("patient")
LIBRARY_PAGE = "pathways"
# Contrast, focus and state cues the theme cannot set (WCAG 2.2 AA); sent as a style element that takes no space.
ACCESSIBILITY_CSS = Path(__file__).parent / "app_pages" / "accessibility.css"


def open_patient_page() -> None:
    """The root URL opens the Patient page, keeping any case in the link.

    Streamlit serves its default page at `/` only, so `/patient` would be "page not found" if the Patient page
    were the default; a hidden default that forwards here keeps every page at its own path.
    """
    st.switch_page(PATIENT_PAGE, query_params={k: st.query_params.get_all(k) for k in st.query_params})


def navigation_pages() -> list[st.Page]:
    forward = st.Page(
        open_patient_page, title="Spine Pathway Explorer", url_path="home", default=True, visibility="hidden"
    )
    return [forward] + [
        st.Page(script, title=title, icon=icon, url_path=url_path) for script, title, icon, url_path in PAGES
    ]


def notice(url_path: str) -> None:
    """Every page says what this is (and is not), which pathway it shows with the version encoded, and where to
    switch pathway. A pack that cannot be loaded stops every page but the library, which lists what is wrong."""
    try:
        g = guideline()
    except PathwayError as exc:
        st.error("The pathway's data could not be loaded:\n\n" + problem_list(exc.problems))
        if url_path != LIBRARY_PAGE:
            st.stop()
        return
    info = g.info
    st.caption(f":material/info: **{info.notice}** Pathway: {inert(info.title)}. Guideline version {info.version}.")
    if url_path != LIBRARY_PAGE:
        st.page_link(
            page_script(LIBRARY_PAGE),
            label="Switch pathway",
            icon=":material/swap_horiz:",
            query_params=pathway_params(),
        )
    show_problems(pathway_problems(), g, "The link's pathway could not be used:")


def run() -> None:
    # An emoji favicon is drawn in the page itself; a material icon would be fetched from a font CDN on every load.
    st.set_page_config(page_title="Spine Pathway Explorer", page_icon="🩺", layout="wide")
    st.html(ACCESSIBILITY_CSS)
    page = st.navigation(navigation_pages(), position="top")
    note_page(page.url_path)
    choose_pathway_from_url()
    notice(page.url_path)
    page.run()
    drop_unused_pathway_param()
    end_of_run()
    warm_up_charts()


if __name__ == "__main__":
    run()
