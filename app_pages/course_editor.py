"""The patient's course on the Patient page: record the case as a visit, change what changed, record again.

The recorded visits live in the session and in the URL (one `visit` parameter each; the current visit is the
case form, in today's case parameters), so a link reproduces the whole course and a single case's link is
unchanged. The timeline shows every recorded visit plus the current one when it differs from the last.
"""

from typing import Any

import streamlit as st

from app_pages.session import PAGE_CHANGED_KEY, case_text, guideline, set_case_text, show_problems
from core import Case, CaseError, Guideline, evaluate_course
from core.analyses.course_params import (
    VISIT_PARAM,
    effective_case,
    read_visit_param,
    recording_problem,
    replace_visit,
    unrecorded_visit,
    visit_from_cases,
    visit_param,
    visit_week,
)
from core.engine.case_params import with_field

COURSE_KEY = "course_visits"  # recorded visits: [{week, changed keys}]
COURSE_URL_KEY = "course_url_written"
COURSE_PROBLEMS_KEY = "course_url_problems"
COURSE_PARAMS = (VISIT_PARAM,)
CORRECT_KEY = "course_correct_visit"
COURSE_TABLE_KEY = "course_table"
NOT_YET_RECORDED = "not yet recorded"


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
                visits.append(read_visit_param(text, n, guideline()))
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
    visits, g = recorded_visits(), guideline()
    visits.append(visit_from_cases(effective_case(visits, g), case, g))
    st.session_state[COURSE_PROBLEMS_KEY] = []
    _forget_proposal()


def _forget_proposal() -> None:
    # A proposal belongs to the visit it was made at (it is never carried): the next visit starts without it.
    text, schema = case_text(), guideline().schema
    for field in schema.per_visit:
        text = with_field(text, field, None, schema)
    set_case_text(text)


def _correct(case: Case) -> None:
    number = st.session_state[CORRECT_KEY]
    try:
        st.session_state[COURSE_KEY] = replace_visit(recorded_visits(), number, case, guideline())
        st.session_state[COURSE_PROBLEMS_KEY] = []
        _forget_proposal()
    except CaseError as exc:
        st.session_state[COURSE_PROBLEMS_KEY] = exc.problems


def _remove_chosen() -> None:
    recorded_visits().pop(st.session_state[CORRECT_KEY] - 1)


def _remove_last() -> None:
    recorded_visits().pop()


def _clear() -> None:
    st.session_state[COURSE_KEY] = []


def record_button(case: Case | None, key: str) -> str | None:
    """The button that records the form as the next visit; returns why it cannot (None when it can)."""
    visits, g = recorded_visits(), guideline()
    week = None if case is None else visit_week(case, g)
    problem = "Correct the field marked in red first." if case is None else recording_problem(visits, case, g)
    st.button(
        f"Record this visit (week {week})" if week is not None else "Record this visit",
        key=key,
        disabled=problem is not None,
        on_click=_record,
        args=(case,),
        help=problem,
    )
    return problem


def course_visits(case: Case | None, g: Guideline) -> list[dict[str, Any]]:
    """Recorded visits, then the current case as a visit when it can be recorded next (placed in time, in week
    order, and different from the last)."""
    visits = list(recorded_visits())
    if case is None or recording_problem(visits, case, g) is not None:
        return visits
    current = unrecorded_visit(visits, case, g)
    return visits + ([current] if current is not None else [])


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
        buttons = st.columns(3)
        with buttons[0]:
            problem = record_button(case, "course_record")
        buttons[1].button("Remove the last visit", key="course_remove", disabled=not visits, on_click=_remove_last)
        buttons[2].button("Clear the course", key="course_clear", disabled=not visits, on_click=_clear)
        if problem is not None and visits:
            st.caption(problem)
        if not visits:
            return
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.selectbox(
                "Correct a recorded visit",
                list(range(1, len(visits) + 1)),
                index=len(visits) - 1,
                format_func=lambda n: f"visit {n} (week {visits[n - 1]['week']})",
                key=CORRECT_KEY,
            )
            st.button(
                "Replace it with the form",
                key="course_replace",
                disabled=case is None,
                on_click=_correct,
                args=(case,),
            )
            st.button("Remove it", key="course_remove_chosen", on_click=_remove_chosen)
        # Figures need plotly and pandas: imported only once a course exists, so a single case starts as fast.
        from app_pages.flow_view import text_table
        from core.outputs.course_figures import course_rows, course_timeline
        from core.outputs.course_text import milestones_words

        shown = course_visits(case, g)
        unrecorded = len(shown) > len(visits)
        try:
            result = evaluate_course({"visits": shown}, g)
        except CaseError as exc:
            show_problems(exc.problems, g, "The course cannot be evaluated:")
            return
        st.plotly_chart(
            course_timeline(result, g, unrecorded),
            config={"displayModeBar": False},
            key="course_timeline",
            alt="Timeline of the patient's course: visits, states, milestones, PT and warnings",
        )
        st.markdown("**Milestones:** " + milestones_words(result, g, live=True))
        if unrecorded:
            st.caption(f"The last visit (week {shown[-1]['week']}) is the form, {NOT_YET_RECORDED}.")
        if result.deviations:
            st.markdown(
                "**Deviations:** "
                + "; ".join(
                    f"{d.label} (first at week {d.first_week}, {d.visits} visit{'s' if d.visits != 1 else ''})"
                    for d in result.deviations
                )
            )
        st.markdown("**Table: the visits**")
        rows = course_rows(result, g)
        if unrecorded:
            rows["visit"] = rows["visit"].astype(str)
            rows.loc[rows.index[-1], "visit"] += f" ({NOT_YET_RECORDED})"
        # A phone is narrower than the table: it scrolls sideways inside its own box, not the whole page.
        st.html(f"<style>.st-key-{COURSE_TABLE_KEY} {{ overflow-x: auto; max-width: 100%; }}</style>")
        with st.container(key=COURSE_TABLE_KEY):
            text_table(rows)
