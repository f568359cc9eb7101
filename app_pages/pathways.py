"""Pathways page: the library. One card per pack (its question, source and date, version, status, scope, how many
rules and citations), each opening the pathway; the shared vocabulary with which packs read each field; where the
active pathways stand on shared decision topics."""

import streamlit as st

from app import page_script
from app_pages.clock_view import clock_section
from app_pages.inert import inert, problem_list
from app_pages.session import PATHWAY_PARAM, chosen_pathway, guarded
from app_pages.stances_view import stances_section
from core.engine.guideline import load_guideline
from core.engine.packs import PACKS_DIR, default_pack_id
from core.engine.vocabulary import load_vocabulary, readers
from core.review.pack_check import PackSummary, library

STANCES_KEY, CLOCK_KEY = "who_says_what", "one_clock"  # the sections' containers, for links and tests
STATUS_WORDS = {"active": "active", "draft": "draft (not for teaching yet)", "retired": "retired"}


@st.cache_resource(show_spinner=False)
def _library():
    # Once per process: the packs are read at start-up and the app is restarted after editing data/.
    return library()


def _card(pack: PackSummary, chosen: bool) -> None:
    with st.container(border=True):
        st.subheader(inert(pack.title) + (" (shown now)" if chosen else ""))
        st.markdown(f"*{inert(pack.question)}*")
        source = pack.source
        st.markdown(
            f"Source: {inert(source['publisher'])}, [{inert(source['url'])}]({source['url']}), "
            f"last updated {source['updated']}. Version {pack.version}, {STATUS_WORDS[pack.status]}."
        )
        st.markdown(
            f"About: {inert(pack.scope)}. {pack.rules} rules, {len(pack.dispositions)} dispositions, "
            f"{pack.statements} statements citing {pack.citations} numbered sources, {pack.scenarios} teaching "
            f"scenarios."
        )
        if source.get("text_note"):
            st.warning(f"Encoded from a partial text: {inert(source['text_note'])}", icon=":material/content_cut:")
        params = {} if pack.id == default_pack_id() else {PATHWAY_PARAM: pack.id}
        st.page_link(
            page_script("patient"), label=f"Open {pack.title}", icon=":material/open_in_new:", query_params=params
        )


def _vocabulary_lines(packs: list[PackSummary]) -> str:
    """One line per field rather than a four-column table, which a phone cannot fit."""
    vocabulary = load_vocabulary()
    read_by = readers({p.id: p.fields for p in packs})
    return "\n".join(
        f"- **{inert(d.label)}** (`{name}`, {d.kind}): read by {', '.join(read_by.get(name, [])) or 'no pathway yet'}"
        for name, d in vocabulary.fields.items()
    )


def pathways_page() -> None:
    st.title("Pathways")
    st.caption(
        "Each pathway is a pack of data encoded from one article, on one shared vocabulary of case fields. Open "
        "one to see the same pages (patient, pathway, scenarios, references, cohort, what if) under it."
    )
    listing = _library()
    if listing.problems:
        st.error("Some packs could not be loaded:\n\n" + problem_list(listing.problems), icon=":material/error:")
    chosen = chosen_pathway()
    for pack in listing.packs:
        _card(pack, pack.id == chosen)
    with st.expander("The shared vocabulary: every case field and the pathways that read it"):
        st.markdown(_vocabulary_lines(listing.packs))
    active = [load_guideline(PACKS_DIR / p.id) for p in listing.packs if p.status == "active"]
    if len(active) > 1:
        with st.container(key=STANCES_KEY):
            stances_section(active)
        with st.container(key=CLOCK_KEY):
            clock_section(active)


guarded(pathways_page)
