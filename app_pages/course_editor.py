"""The patient's course on the Patient page: record the case as a visit, change what changed, record again.

The recorded visits live in the session and in the URL (one `visit` parameter each; the current visit is the
case form, in today's case parameters), so a link reproduces the whole course and a single case's link is
unchanged. The timeline shows every recorded visit plus the current one when it differs from the last.
"""

from typing import Any

import streamlit as st

from app_pages.session import PAGE_CHANGED_KEY, show_problems
from core import Case, CaseError, Guideline, evaluate_course
from core.analyses.course_params import (
    VISIT_PARAM,
    effective_case,
    read_visit_param,
    visit_from_cases,
    visit_param,
)

COURSE_KEY = "course_visits"  # recorded visits: [{week, changed keys}]
COURSE_URL_KEY = "course_url_written"
COURSE_PROBLEMS_KEY = "course_url_problems"
COURSE_PARAMS = (VISIT_PARAM,)


def recorded_visits() -> list[dict[str, Any]]:
    return st.session_state.setdefault(COURSE_KEY, [])


def sync_course_with_url() -> None:
    """The URL wins when it changed from outside (a link opened); the session wins after a page switch."""
    raw = st.query_params.get_all(VISIT_PARAM)
    written = st.session_state.get(COURSE_URL_KEY)
    switched_without_course = st.session_state.get(PAGE_CHANGED_KEY, False) and not raw
    if (written is None and raw) or (written is not None and raw != written and not switched_without_course):
        visits, problems = [], []
        for n, text in enumerate(raw, start=1):
            try:
                visits.append(read_visit_param(text, n))
            except CaseError as exc:
                problems += exc.problems
        st.session_state[COURSE_KEY] = visits
        st.session_state[COURSE_PROBLEMS_KEY] = problems
    wanted = [visit_param(v) for v in recorded_visits()]
    if raw != wanted:
        if wanted:
            st.query_params[VISIT_PARAM] = wanted
        else:
            del st.query_params[VISIT_PARAM]
    st.session_state[COURSE_URL_KEY] = wanted


def _record(case: Case) -> None:
    visits = recorded_visits()
    visits.append(visit_from_cases(effective_case(visits), case))
    st.session_state[COURSE_PROBLEMS_KEY] = []


def _remove_last() -> None:
    recorded_visits().pop()


def _clear() -> None:
    st.session_state[COURSE_KEY] = []


def course_visits(case: Case | None) -> list[dict[str, Any]]:
    """Recorded visits, then the current case as a visit when it is placed in time and differs from the last."""
    visits = list(recorded_visits())
    if case is None or case.weeks_conservative is None:
        return visits
    current = visit_from_cases(effective_case(visits), case)
    if not visits or current["week"] != visits[-1]["week"] or len(current) > 1:
        visits.append(current)
    return visits


def course_section(case: Case | None, g: Guideline) -> None:
    """Above the current visit's result: the course so far, its timeline and milestones (when visits exist)."""
    visits = recorded_visits()
    show_problems(st.session_state.get(COURSE_PROBLEMS_KEY, []), g, "Some visits of the link could not be used:")
    with st.expander(
        f"Course of care: {len(visits)} recorded visit{'s' if len(visits) != 1 else ''}", expanded=bool(visits)
    ):
        st.caption(
            "Record the case as a visit, then change what changed (the week and the findings) and record "
            "again. The address bar keeps the whole course."
        )
        week = None if case is None else case.weeks_conservative
        buttons = st.columns(3)
        buttons[0].button(
            f"Record this visit (week {week})" if week is not None else "Record this visit",
            key="course_record",
            disabled=week is None,
            on_click=_record,
            args=(case,),
            help=None if week is not None else "Set the weeks of conservative care first: that is the visit's week.",
        )
        buttons[1].button("Remove the last visit", key="course_remove", disabled=not visits, on_click=_remove_last)
        buttons[2].button("Clear the course", key="course_clear", disabled=not visits, on_click=_clear)
        if not visits:
            return
        # Figures need plotly and pandas: imported only once a course exists, so a single case starts as fast.
        from app_pages.flow_view import text_table
        from core.outputs.course_figures import course_rows, course_timeline
        from core.outputs.course_text import milestones_words

        try:
            result = evaluate_course({"visits": course_visits(case)}, g)
        except CaseError as exc:
            show_problems(exc.problems, g, "The course cannot be evaluated:")
            return
        st.plotly_chart(
            course_timeline(result, g),
            config={"displayModeBar": False},
            key="course_timeline",
            alt="Timeline of the patient's course: visits, states, milestones, PT and warnings",
        )
        st.markdown("**Milestones:** " + milestones_words(result, g))
        if result.deviations:
            st.markdown(
                "**Deviations:** "
                + "; ".join(
                    f"{d.label} (first at week {d.first_week}, {d.visits} visit{'s' if d.visits != 1 else ''})"
                    for d in result.deviations
                )
            )
        st.markdown("**Table: the visits**")
        text_table(course_rows(result, g))
