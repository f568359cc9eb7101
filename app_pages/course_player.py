"""The Scenarios page's course player: a teaching course played visit by visit, as of that week."""

import streamlit as st

from core import Guideline, evaluate_course
from core.analyses.course_scenarios import COURSE_SCENARIOS, load_course_scenarios
from core.outputs.course_figures import course_rows, course_timeline
from core.outputs.course_text import milestones_words, state_labels

PLAYER_SOURCE_KEY = "course_player_source"
PLAYER_VISIT_KEY = "course_player_visit"


def _restart() -> None:
    st.session_state[PLAYER_VISIT_KEY] = 1


def _next() -> None:
    st.session_state[PLAYER_VISIT_KEY] = st.session_state.get(PLAYER_VISIT_KEY, 1) + 1


def course_player_section(g: Guideline) -> None:
    path = g.source_dir / COURSE_SCENARIOS.name
    if not path.is_file():
        st.info("This pathway has no teaching courses of care.", icon=":material/info:")
        return
    scenarios = {s.id: s for s in load_course_scenarios(path)}
    st.caption(
        "A teaching course, one visit at a time: what changed at the visit, where it leaves the patient, "
        "and the milestones as known so far (a milestone after the last visit shown is *no further visit* "
        "until the next one is played)."
    )
    choice = st.selectbox(
        "Course", list(scenarios), key=PLAYER_SOURCE_KEY, on_change=_restart, format_func=lambda s: scenarios[s].title
    )
    scenario = scenarios[choice]
    st.markdown(f"*{scenario.teaching_point}*")
    visits = scenario.course["visits"]
    shown = min(st.session_state.setdefault(PLAYER_VISIT_KEY, 1), len(visits))
    result = evaluate_course({"visits": visits[:shown]}, g)
    current = result.visits[-1]
    labels = state_labels(g)
    st.markdown(
        f"**Visit {current.visit} of {len(visits)}, week {current.week}: {labels[current.state]}**"
        + (" (urgent)" if current.urgent else "")
    )
    st.plotly_chart(
        course_timeline(result, g),
        config={"displayModeBar": False},
        key="course_player_timeline",
        alt="Timeline of the teaching course up to this visit",
    )
    st.markdown("**Milestones so far:** " + milestones_words(result, g))
    st.dataframe(course_rows(result, g), hide_index=True, key="course_player_visits")
    finished = shown >= len(visits)
    with st.container(horizontal=True):
        st.button(
            "Play the next visit",
            on_click=_next,
            disabled=finished,
            type="primary",
            icon=":material/arrow_forward:",
            key="course_player_next",
        )
        st.button("Start again", on_click=_restart, icon=":material/restart_alt:", key="course_player_restart")
    if finished:
        deviations = ", ".join(d.label for d in result.deviations) or "none"
        st.success(f"End of the course. Deviations from the pathway: {deviations}.", icon=":material/flag:")
