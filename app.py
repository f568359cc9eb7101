"""Spine Pathway Explorer: the entry point sets the page, the shared notice and the navigation."""
import streamlit as st

from core import PathwayError
from pages.session import guideline, note_page

# (script, title, icon, url path). The first page is the default. Add a page by adding a line.
PAGES = [
    ("pages/patient.py", "Patient", ":material/person:", "patient"),
    ("pages/pathway.py", "Pathway", ":material/account_tree:", "pathway"),
    ("pages/scenarios.py", "Scenarios", ":material/school:", "scenarios"),
    ("pages/references.py", "References", ":material/menu_book:", "references"),
]


def navigation_pages() -> list[st.Page]:
    return [st.Page(script, title=title, icon=icon, url_path=url_path, default=n == 0)
            for n, (script, title, icon, url_path) in enumerate(PAGES)]


def notice() -> None:
    """Every page says what this is (and is not), with the guideline version it encodes."""
    try:
        info = guideline().info
    except PathwayError as exc:
        st.error("The guideline data could not be loaded:\n\n" + "\n".join(f"- {p}" for p in exc.problems))
        st.stop()
    st.caption(f":material/info: **{info.notice}** Guideline version {info.version}.")


def run() -> None:
    st.set_page_config(page_title="Spine Pathway Explorer", page_icon=":material/healing:", layout="wide")
    page = st.navigation(navigation_pages(), position="top")
    note_page(page.url_path)
    notice()
    page.run()


if __name__ == "__main__":
    run()
