"""Session plumbing the pages share: the chosen pathway, the current case and its shareable URL.

The pathway is a pack of the library, chosen by `?pathway=ID` (absent: the default pack, so every link written
before the library opened still works) and kept in the session across page switches. The case lives in
`st.session_state[CASE_KEY]` as canonical text (core.engine.case_params), so it survives page
switches, and in the URL's query parameters (one per case field), so a link reproduces it. Nothing is written
to disk or logged: the session lives in the server's memory only.
"""

from collections.abc import Callable

import streamlit as st

from app_pages.inert import problem_list
from core import Case, Guideline, PathwayError, load_guideline
from core.engine.case_params import CaseText, as_params, case_from_case_text, read_case_params
from core.engine.packs import PACKS_DIR, default_pack_id, pack_ids
from core.errors import Problem
from core.outputs.presentation import problem_text
from core.review.evidence import EvidenceLayer, load_evidence

CASE_KEY = "case_text"
URL_WRITTEN_KEY = "case_url_written"  # the case parameters last written to the URL, as lists of strings
URL_PROBLEMS_KEY = "case_url_problems"
PAGE_KEY = "current_page"
PAGE_CHANGED_KEY = "page_changed"
EVIDENCE_KEY = "evidence"  # the reviewer's working evidence layer per pathway: {pack id: EvidenceLayer}
PATHWAY_PARAM = "pathway"
PATHWAY_KEY = "pathway_id"
PATHWAY_PROBLEMS_KEY = "pathway_problems"


def choose_pathway_from_url() -> None:
    """Called by app.py each run, after note_page: a `?pathway=` naming a shipped pack chooses it; any other value
    is named, the pathway stays as it was, and the message stays while the person stays on the page (the value
    itself leaves the URL at the end of the run: see drop_unused_pathway_param). Only ids of the library's packs
    are taken from a link, never a folder."""
    wanted = st.query_params.get(PATHWAY_PARAM)
    if wanted is None:
        if st.session_state.get(PAGE_CHANGED_KEY, True):
            st.session_state.pop(PATHWAY_PROBLEMS_KEY, None)
        return
    st.session_state.pop(PATHWAY_PROBLEMS_KEY, None)
    if wanted in pack_ids():
        st.session_state[PATHWAY_KEY] = wanted
    else:
        known = ", ".join(pack_ids())
        message = f"{wanted!r} is not a pathway of the library ({known}); ignored"
        st.session_state[PATHWAY_PROBLEMS_KEY] = [Problem(field=PATHWAY_PARAM, message=message)]


def drop_unused_pathway_param() -> None:
    """Called by app.py after the page ran: a `?pathway=` that chose nothing leaves the URL, the rest of the link
    stays as it was, so the address bar names only what the page shows. Not done before the page runs: the root
    URL forwards to the Patient page with the link's parameters, and that page must see the value to name it."""
    wanted = st.query_params.get(PATHWAY_PARAM)
    if wanted is not None and wanted not in pack_ids():
        del st.query_params[PATHWAY_PARAM]


def pathway_problems() -> list[Problem]:
    return st.session_state.get(PATHWAY_PROBLEMS_KEY, [])


def chosen_pathway() -> str:
    """The id of the pack the pages show (the default pack until one is chosen)."""
    return st.session_state.get(PATHWAY_KEY, default_pack_id())


def pathway_params() -> dict[str, str]:
    """The `pathway` parameter a link needs to keep the chosen pack (none for the default, so old links hold)."""
    chosen = chosen_pathway()
    return {} if chosen == default_pack_id() else {PATHWAY_PARAM: chosen}


def guideline() -> Guideline:
    # load_guideline caches per process and pack; a DataError propagates to the page's guard.
    return load_guideline(PACKS_DIR / chosen_pathway())


def evidence_layer() -> EvidenceLayer:
    """The evidence layer the reviewer works on: the pack's evidence.yaml until they edit or upload one.

    Kept in the session (memory only, never on disk), so reports from the Patient page flag what the reviewer's
    layer disputes.
    """
    layers = st.session_state.setdefault(EVIDENCE_KEY, {})
    pathway = chosen_pathway()
    if pathway not in layers:
        layers[pathway] = load_evidence(PACKS_DIR / pathway)
    return layers[pathway]


def session_evidence_layer() -> EvidenceLayer | None:
    """The session's layer for the chosen pathway if one was loaded or edited (None: nothing read yet)."""
    return st.session_state.get(EVIDENCE_KEY, {}).get(chosen_pathway())


def set_evidence_layer(layer: EvidenceLayer) -> None:
    st.session_state.setdefault(EVIDENCE_KEY, {})[chosen_pathway()] = layer


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
    schema = guideline().schema
    other_params = (*other_params, PATHWAY_PARAM)
    raw = _url_params()
    case_raw = {k: v for k, v in raw.items() if k in schema.kinds}
    written = st.session_state.get(URL_WRITTEN_KEY)
    switched_without_case = st.session_state.get(PAGE_CHANGED_KEY, False) and not case_raw
    opened_with_params = written is None and bool(raw)
    url_changed = written is not None and case_raw != written and not switched_without_case
    if opened_with_params or url_changed:
        url_text, problems = read_case_params(raw, other_params, schema)
        st.session_state[CASE_KEY] = url_text
        st.session_state[URL_PROBLEMS_KEY] = problems
    wanted = as_params({k: v for k, v in case_text().items() if k in schema.kinds})
    kept = {k: v for k, v in raw.items() if k in other_params and k != PATHWAY_PARAM}
    kept |= {k: [v] for k, v in pathway_params().items()}
    if wanted != case_raw or {k: v for k, v in raw.items() if k not in case_raw} != kept:
        st.query_params.from_dict({**kept, **wanted})
    st.session_state[URL_WRITTEN_KEY] = wanted


def url_problems() -> list[Problem]:
    return st.session_state.get(URL_PROBLEMS_KEY, [])


def current_case() -> tuple[Case | None, list[Problem]]:
    """The case under the chosen pathway: fields it does not read are left aside (kept for another pathway)."""
    schema = guideline().schema
    return case_from_case_text({k: v for k, v in case_text().items() if k in schema.kinds}, schema)


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
