"""Scenarios page, for teaching: scenario cards, compare two cases, and step through one decision at a time.

Each is a tab, bound to the URL's `tab` parameter. The compare view also opens from the Patient page's "what would
change this decision": the link holds the patient's case and the changed fields as `vs.` parameters
(core.engine.case_params), which become the second case; editing that copy writes its changes back to the URL.
"""

import pandas as pd
import streamlit as st

from app import page_script
from app_pages.case_form import case_form
from app_pages.course_player import course_player_section
from app_pages.other_pathways import ACROSS_PARAM, pathways_side_by_side
from app_pages.result_sections import disposition_badge
from app_pages.session import (
    case_text,
    current_case,
    guarded,
    guideline,
    set_case_text,
    show_problems,
    sync_case_with_url,
    url_problems,
)
from app_pages.what_would_change import COMPARE_TAB, TAB_PARAM
from core import Evaluation, evaluate_case
from core.analyses.compare import compare_evaluations, compare_frame
from core.engine.case_params import CHANGE_PARAMS, apply_change_params, case_from_case_text, change_params
from core.engine.case_text import case_to_text
from core.engine.guideline import Scenario
from core.engine.parts import PART_MARKS, condition_parts, step_condition
from core.engine.standing import milestones_ahead
from core.outputs.presentation import inputs_words
from core.outputs.tables import case_frame, wrappable

CARDS_PER_ROW = 3
COMPARE_SCENARIO_KEY = "compare_scenario"
COMPARE_TEXT_KEY = "compare_text"
COMPARE_APPLIED_KEY = "compare_applied"  # the `compare` and `vs.` parameters last applied or written
COMPARE_PARAM = "compare"  # the scenario compared, by id (absent: the current patient)
ACROSS_KEY = "compare_across"  # which pathways the compared case is shown under (the URL's `across`)
TABS = ("Teaching scenarios", COMPARE_TAB, "Step through", "Courses over time")
STEP_SOURCE_KEY = "step_source"
STEP_REVEALED_KEY = "step_revealed"
CURRENT_PATIENT = "current patient (from the Patient page)"
STEP_WORDS = {
    "true": "holds",
    "false": "does not hold: on to the next rule",
    "unknown": "cannot be decided with what is known",
}


def _scenarios() -> dict[str, Scenario]:
    return {s.id: s for s in guideline().scenarios}


def _scenario_text(scenario_id: str) -> dict:
    return case_to_text(guideline().parse_case(_scenarios()[scenario_id].case))


def cards_section() -> None:
    g = guideline()
    st.caption("Each scenario is also a test: the app checks that it reaches its expected disposition.")
    scenarios = g.scenarios
    for start in range(0, len(scenarios), CARDS_PER_ROW):
        for column, scenario in zip(st.columns(CARDS_PER_ROW), scenarios[start : start + CARDS_PER_ROW], strict=False):
            with column.container(border=True, height="stretch"):
                st.markdown(f"**{scenario.title}**")
                st.write(scenario.teaching_point)
                expected = g.disposition(scenario.expected.disposition)
                st.markdown(f"Expected: {expected.label} (`{expected.id}`)")
                if st.button("Open in the Patient page", key=f"open_{scenario.id}", icon=":material/person:"):
                    set_case_text(_scenario_text(scenario.id))
                    st.switch_page(page_script("patient"))


def _compared_text(choice: str) -> dict:
    return dict(case_text()) if choice == CURRENT_PATIENT else _scenario_text(choice)


def _reset_copy() -> None:
    st.session_state[COMPARE_TEXT_KEY] = _compared_text(st.session_state[COMPARE_SCENARIO_KEY])


def _url_changes() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in CHANGE_PARAMS if key in st.query_params}


def _url_compared() -> str | None:
    """The scenario the link compares (`compare=<scenario id>`); None for the patient."""
    value = st.query_params.get(COMPARE_PARAM)
    return value if value in _scenarios() else None


def open_compare_from_url() -> None:
    """`compare` / `vs.` parameters new to this session: compare the link's scenario (or, without `compare`, the
    link's patient) with a copy that has the changes."""
    changes, scenario = _url_changes(), _url_compared()
    applied = {**changes, COMPARE_PARAM: [scenario or ""]}
    if (not changes and scenario is None) or applied == st.session_state.get(COMPARE_APPLIED_KEY):
        return
    base = _scenario_text(scenario) if scenario else case_text()
    text, problems = apply_change_params(base, changes, guideline().schema)
    st.session_state[COMPARE_SCENARIO_KEY] = scenario or CURRENT_PATIENT
    st.session_state[COMPARE_TEXT_KEY] = text
    st.session_state[COMPARE_APPLIED_KEY] = applied
    show_problems(problems, guideline(), "Some changes in the link could not be used:")


def _write_changes_to_url() -> None:
    """The URL holds what is compared (`compare=<scenario id>` for a scenario) and the copy's changes (`vs.`), so
    the address bar shares the comparison, for a scenario as for the patient."""
    choice = st.session_state[COMPARE_SCENARIO_KEY]
    scenario = None if choice == CURRENT_PATIENT else choice
    base = _scenario_text(scenario) if scenario else case_text()
    wanted = change_params(base, st.session_state[COMPARE_TEXT_KEY], guideline().schema)
    shown = _url_changes()
    if wanted != shown:
        for key in shown:
            del st.query_params[key]
        st.query_params.update(wanted)
    if _url_compared() != scenario:
        if scenario:
            st.query_params[COMPARE_PARAM] = scenario
        else:
            st.query_params.pop(COMPARE_PARAM, None)
    st.session_state[COMPARE_APPLIED_KEY] = {**wanted, COMPARE_PARAM: [scenario or ""]}


def _time_words(evaluation: Evaluation) -> str:
    """The phase and where the case stands in time, for the side-by-side view."""
    g = guideline()
    phase = g.phase_labels[evaluation.phase] if evaluation.phase else "no conservative-care phase"
    ahead = milestones_ahead(evaluation, g)
    values = evaluation.case.values()
    counts = [f"{g.labels[clock]}: {values[clock]}" for clock in g.clocks if values.get(clock) is not None]
    known = ", ".join(counts) or "weeks not assessed"
    lines = [f"Phase: {phase}.", f"Time: {known}."] + [a.sentence for a in ahead[:2]]
    return "  \n".join(lines)


def _parting_text(left: Evaluation, right: Evaluation, left_name: str) -> str:
    g = guideline()
    comparison = compare_evaluations(left, right)
    if not comparison.changed_fields:
        return f"The copy is the same as the {left_name}: change an input of the copy below."
    changed = ", ".join(g.labels[f] for f in comparison.changed_fields)
    text = f"Changed in the copy: {changed}. "
    parting = comparison.parting
    if parting is None:
        text += "The traces take the same route"
        text += "." if comparison.same_disposition else ", but the outcome differs in its details."
    else:
        text += (
            f"The traces part at **{parting.rule}** ({parting.label}): {parting.left} for the {left_name}, "
            f"{parting.right} for the copy."
        )
    for side, warnings in ((left_name, comparison.warnings_only_left), ("copy", comparison.warnings_only_right)):
        if warnings:
            text += f" Warnings only for the {side}: {', '.join(f'`{w}`' for w in warnings)}."
    return text


def compare_section() -> None:
    g = guideline()
    st.caption(
        "A scenario (or the current patient) beside a copy you can change: see which rule decides "
        "differently. *Compare* under a patient's result opens here with the change already made. At the end, "
        "the same case under every pathway of the library."
    )
    options = [*_scenarios(), CURRENT_PATIENT]
    st.selectbox(
        "Compare this case",
        options,
        key=COMPARE_SCENARIO_KEY,
        on_change=_reset_copy,
        format_func=lambda o: o if o == CURRENT_PATIENT else _scenarios()[o].title,
    )
    if COMPARE_TEXT_KEY not in st.session_state:
        _reset_copy()
    choice = st.session_state[COMPARE_SCENARIO_KEY]
    left_name = "patient" if choice == CURRENT_PATIENT else "scenario"
    _write_changes_to_url()
    left_case = current_case()[0] if choice == CURRENT_PATIENT else guideline().parse_case(_scenarios()[choice].case)
    if left_case is None:
        st.warning("The Patient page's case has an invalid input; correct it there first.", icon=":material/block:")
        return
    left = evaluate_case(left_case, g)
    copy_case, problems = case_from_case_text(st.session_state[COMPARE_TEXT_KEY], guideline().schema)
    right = None if copy_case is None else evaluate_case(copy_case, g)
    left_column, copy_column = st.columns(2, gap="large")
    with left_column:
        st.subheader(left_name.capitalize())
        disposition_badge(left, g, size="1.2rem")
        st.markdown(_time_words(left))
        with st.expander(f"The {left_name}'s inputs"):
            st.table(case_frame(left.case, g), hide_index=True)
    with copy_column:
        st.subheader("Your copy")
        if right is None:
            st.warning("No evaluation for the copy while an input is invalid.", icon=":material/block:")
        else:
            disposition_badge(right, g, size="1.2rem")
            st.markdown(_time_words(right))
    if right is not None:
        st.markdown(_parting_text(left, right, left_name))
    with st.expander("Change the copy", expanded=True, icon=":material/edit:"):
        case_form(g, COMPARE_TEXT_KEY, "compare_", problems, columns=3)
    if right is not None:
        st.markdown("**Table: both traces, rule by rule**")
        table = compare_frame(left, right)
        st.table(
            wrappable(
                pd.DataFrame(
                    {
                        "rule": table["rule"] + " · " + table["label"],
                        left_name: table["left"],
                        "copy": table["right"],
                        "parts here": table["parts here"].map({True: "parts here", False: ""}),
                    }
                )
            ),
            hide_index=True,
        )
    pathways_side_by_side(_compared_text(choice), ACROSS_PARAM, ACROSS_KEY)


def _restart_steps() -> None:
    st.session_state[STEP_REVEALED_KEY] = 1


def _reveal_next() -> None:
    st.session_state[STEP_REVEALED_KEY] = st.session_state.get(STEP_REVEALED_KEY, 1) + 1


def _step_case():
    if st.session_state[STEP_SOURCE_KEY] == CURRENT_PATIENT:
        return current_case()[0]
    return guideline().parse_case(_scenarios()[st.session_state[STEP_SOURCE_KEY]].case)


def step_section() -> None:
    g = guideline()
    st.caption("One decision at a time, as the engine takes them.")
    options = [*_scenarios(), CURRENT_PATIENT]
    st.selectbox(
        "Case",
        options,
        key=STEP_SOURCE_KEY,
        on_change=_restart_steps,
        format_func=lambda o: o if o == CURRENT_PATIENT else _scenarios()[o].title,
    )
    case = _step_case()
    if case is None:
        st.warning("The Patient page's case has an invalid input; correct it there first.", icon=":material/block:")
        return
    evaluation = evaluate_case(case, g)
    steps = evaluation.trace
    revealed = min(st.session_state.setdefault(STEP_REVEALED_KEY, 1), len(steps))
    for n, step in enumerate(steps[:revealed], start=1):
        with st.container(border=True):
            st.markdown(f"**Step {n} of {len(steps)}: {step.id}** ({step.label})")
            st.markdown(
                f"Checks: {step.condition}  \nInputs: {inputs_words(step, g)}  \n"
                f"Result: **{step.value}**, {STEP_WORDS[step.value]}"
            )
            parts = condition_parts(step_condition(g, step.id), case.values(), g)
            if len(parts) > 1:  # which part failed or is unknown, each in words beside its mark
                st.text("\n".join(f"{PART_MARKS[p.value]} {p.text}: {p.value}" for p in parts))
    finished = revealed >= len(steps)
    with st.container(horizontal=True):
        st.button(
            "Reveal the next decision",
            on_click=_reveal_next,
            disabled=finished,
            type="primary",
            icon=":material/arrow_downward:",
        )
        st.button("Start again", on_click=_restart_steps, icon=":material/restart_alt:")
    if finished:
        disposition_badge(evaluation, g, size="1.2rem")


def scenarios_page() -> None:
    g = guideline()
    sync_case_with_url(other_params=(*CHANGE_PARAMS, TAB_PARAM, COMPARE_PARAM, ACROSS_PARAM))
    st.title("Scenarios")
    show_problems(url_problems(), g, "Some parameters of the link could not be used:")
    open_compare_from_url()
    cards, compare, steps, courses = st.tabs(TABS, key=TAB_PARAM, bind="query-params")
    with cards:
        cards_section()
    with compare:
        compare_section()
    with steps:
        step_section()
    with courses:
        course_player_section(g)


guarded(scenarios_page)
