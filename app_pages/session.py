"""Session plumbing the pages share: the guideline, the current case and its shareable URL.

The case lives in `st.session_state[CASE_KEY]` as canonical text (core.engine.case_params), so it survives page
switches, and in the URL's query parameters (one per case field), so a link reproduces it. Nothing is written
to disk or logged: the session lives in the server's memory only.
"""

from collections.abc import Callable

import streamlit as st

from app_pages.inert import problem_list
from core import Case, Guideline, PathwayError, load_guideline
from core.engine.case import CASE_FIELDS
from core.engine.case_params import CaseText, as_params, case_from_case_text, read_case_params
from core.errors import Problem
from core.outputs.presentation import problem_text
from core.review.evidence import EvidenceLayer, load_evidence

CASE_KEY = "case_text"
URL_WRITTEN_KEY = "case_url_written"  # the case parameters last written to the URL, as lists of strings
URL_PROBLEMS_KEY = "case_url_problems"
PAGE_KEY = "current_page"
PAGE_CHANGED_KEY = "page_changed"
EVIDENCE_KEY = "evidence"  # the reviewer's working evidence layer (core.review.evidence.EvidenceLayer)


def guideline() -> Guideline:
    # load_guideline caches per process; a DataError propagates to the page's guard.
    return load_guideline()


def evidence_layer() -> EvidenceLayer:
    """The evidence layer the reviewer works on: data/evidence.yaml until they edit or upload one.

    Kept in the session (memory only, never on disk), so reports from the Patient page flag what the reviewer's
    layer disputes.
    """
    if EVIDENCE_KEY not in st.session_state:
        st.session_state[EVIDENCE_KEY] = load_evidence()
    return st.session_state[EVIDENCE_KEY]


def set_evidence_layer(layer: EvidenceLayer) -> None:
    st.session_state[EVIDENCE_KEY] = layer


def note_page(url_path: str) -> None:
    """Called by app.py each run: whether this run switched pages (page links drop the query string)."""
    st.session_state[PAGE_CHANGED_KEY] = st.session_state.get(PAGE_KEY) != url_path
    st.session_state[PAGE_KEY] = url_path


def case_text() -> CaseText:
    return st.session_state.setdefault(CASE_KEY, {})


def set_case_text(text: CaseText) -> None:
    """Replace the current case (a scenario loaded); the URL follows on the next sync."""
    st.session_state[CASE_KEY] = dict(text)
    forget_url_problems()


def forget_url_problems() -> None:
    """The link's problems are shown until the person changes the case themselves."""
    st.session_state.pop(URL_PROBLEMS_KEY, None)


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def sync_case_with_url(other_params: tuple[str, ...] = ()) -> None:
    """Make the URL and the session agree on the case.

    The URL wins when it changed from outside (a shared link opened, browser history); the session wins after
    a page switch, which empties the query string, and after an input changed on the page. "Changed" compares
    the raw parameters with those last written, so a value the URL cannot hold validly still round-trips.
    """
    raw = _url_params()
    case_raw = {k: v for k, v in raw.items() if k in CASE_FIELDS}
    written = st.session_state.get(URL_WRITTEN_KEY)
    switched_without_case = st.session_state.get(PAGE_CHANGED_KEY, False) and not case_raw
    opened_with_params = written is None and bool(raw)
    url_changed = written is not None and case_raw != written and not switched_without_case
    if opened_with_params or url_changed:
        url_text, problems = read_case_params(raw, other_params)
        st.session_state[CASE_KEY] = url_text
        st.session_state[URL_PROBLEMS_KEY] = problems
    wanted = as_params(case_text())
    if wanted != case_raw or set(raw) - set(case_raw) - set(other_params):
        kept = {k: v for k, v in raw.items() if k in other_params}
        st.query_params.from_dict({**kept, **wanted})
    st.session_state[URL_WRITTEN_KEY] = wanted


def url_problems() -> list[Problem]:
    return st.session_state.get(URL_PROBLEMS_KEY, [])


def current_case() -> tuple[Case | None, list[Problem]]:
    return case_from_case_text(case_text())


def show_problems(problems: list[Problem], g: Guideline, intro: str = "") -> None:
    """Every problem as a clear message naming the field (no traceback ever reaches the page)."""
    if problems:
        lines = problem_list(problem_text(p, g) for p in problems)
        st.error(f"{intro}\n\n{lines}" if intro else lines, icon=":material/error:")


def guarded(page: Callable[[], None]) -> None:
    """Run a page; a PathwayError (bad data files, bad case) shows its problems instead of a traceback."""
    try:
        page()
    except PathwayError as exc:
        st.error("This page cannot be shown:\n\n" + problem_list(exc.problems), icon=":material/error:")
