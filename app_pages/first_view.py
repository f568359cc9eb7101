"""A new visitor's first view: the page's answer first, everything else in a second pass.

The browser draws a script run's output as one burst, and what that burst holds decides how soon anything shows:
each kind of widget loads a script of its own before it is drawn. So the session's first run of a page that
defers draws only what must show at once (the answer, from the link's case) and plain text, then asks the
browser to rerun once that is on screen; the rerun draws the whole page (the form, buttons, heavier sections).
A fragment that reruns itself after DELAY_S does the asking: the browser starts its timer when the first burst
arrives, so the rest follows it rather than competing with it. Every later run draws the whole page at once.
"""

import streamlit as st

SESSION_KEY = "first_view_done"  # set once this session has drawn a page
REST_PENDING_KEY = "first_view_rest_pending"  # the first pass is on screen, the whole page not yet
PENDING_MARK_KEY = "first_view_pending"  # the element key that marks a first pass (the browser tests wait for it to go)
DELAY_S = 0.05


def first_view() -> bool:
    """True on the session's first drawn page (a new visitor opening a link); from then on False, and a first
    pass's request for the rest counts as answered."""
    if st.session_state.get(SESSION_KEY, False):
        st.session_state[REST_PENDING_KEY] = False
        return False
    return True


def end_of_run() -> None:
    """Called after every page run: from now on the session draws whole pages."""
    st.session_state[SESSION_KEY] = True


def pending_mark(words: str) -> None:
    """Where the rest of the page will come: a line in words, keyed so a test can wait for it to go."""
    with st.container(key=PENDING_MARK_KEY):
        st.caption(words)


def _rerun_once_drawn() -> None:
    # Runs at once when registered (the first pass: nothing to do) and again when the browser's timer fires.
    if st.session_state.get(REST_PENDING_KEY):
        st.session_state[REST_PENDING_KEY] = False
        st.rerun()
    st.session_state[REST_PENDING_KEY] = True


def ask_for_the_rest() -> None:
    """End a first pass: the browser reruns the app once it has the first burst."""
    st.session_state[REST_PENDING_KEY] = False
    st.fragment(_rerun_once_drawn, run_every=DELAY_S)()
