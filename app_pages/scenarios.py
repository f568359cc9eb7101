"""Scenarios page, for teaching: scenario cards, compare two cases, and step through one decision at a time."""
import pandas as pd
import streamlit as st

from core import Evaluation, evaluate_case, parse_case
from core.case_params import case_from_case_text
from core.case_text import case_to_text
from core.compare import compare_evaluations, compare_frame
from core.guideline import Scenario
from core.presentation import inputs_words
from core.tables import case_frame, wrappable
from app_pages.case_form import case_form
from app_pages.result_sections import disposition_badge
from app_pages.session import current_case, guarded, guideline, set_case_text

CARDS_PER_ROW = 3
COMPARE_SCENARIO_KEY = "compare_scenario"
COMPARE_TEXT_KEY = "compare_text"
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
    return case_to_text(parse_case(_scenarios()[scenario_id].case))


def cards_section() -> None:
    g = guideline()
    st.header("Teaching scenarios")
    st.caption("Each scenario is also a test: the app checks that it reaches its expected disposition.")
    scenarios = g.scenarios
    for start in range(0, len(scenarios), CARDS_PER_ROW):
        for column, scenario in zip(st.columns(CARDS_PER_ROW), scenarios[start:start + CARDS_PER_ROW]):
            with column.container(border=True, height="stretch"):
                st.markdown(f"**{scenario.title}**")
                st.write(scenario.teaching_point)
                expected = g.disposition(scenario.expected.disposition)
                st.markdown(f"Expected: {expected.label} (`{expected.id}`)")
                if st.button("Open in the Patient page", key=f"open_{scenario.id}", icon=":material/person:"):
                    set_case_text(_scenario_text(scenario.id))
                    st.switch_page("app_pages/patient.py")


def _reset_copy() -> None:
    st.session_state[COMPARE_TEXT_KEY] = _scenario_text(st.session_state[COMPARE_SCENARIO_KEY])


def _parting_text(left: Evaluation, right: Evaluation) -> str:
    g = guideline()
    comparison = compare_evaluations(left, right)
    if not comparison.changed_fields:
        return "The copy is the same as the scenario: change an input of the copy below."
    changed = ", ".join(g.labels[f] for f in comparison.changed_fields)
    text = f"Changed in the copy: {changed}. "
    parting = comparison.parting
    if parting is None:
        text += "The traces take the same route"
        text += "." if comparison.same_disposition else ", but the outcome differs in its details."
    else:
        text += (f"The traces part at **{parting.rule}** ({parting.label}): {parting.left} for the scenario, "
                 f"{parting.right} for the copy.")
    for side, warnings in (("scenario", comparison.warnings_only_left), ("copy", comparison.warnings_only_right)):
        if warnings:
            text += f" Warnings only for the {side}: {', '.join(f'`{w}`' for w in warnings)}."
    return text


def compare_section() -> None:
    g = guideline()
    st.header("Compare")
    st.caption("A scenario beside a copy you can change: see which rule decides differently.")
    options = list(_scenarios())
    st.selectbox("Scenario", options, key=COMPARE_SCENARIO_KEY, on_change=_reset_copy,
                 format_func=lambda sid: _scenarios()[sid].title)
    if COMPARE_TEXT_KEY not in st.session_state:
        _reset_copy()
    left = evaluate_case(parse_case(_scenarios()[st.session_state[COMPARE_SCENARIO_KEY]].case), g)
    copy_case, problems = case_from_case_text(st.session_state[COMPARE_TEXT_KEY])
    right = None if copy_case is None else evaluate_case(copy_case, g)
    scenario_column, copy_column = st.columns(2, gap="large")
    with scenario_column:
        st.subheader("Scenario")
        disposition_badge(left, g, size="1.2rem")
        with st.expander("The scenario's inputs"):
            st.table(case_frame(left.case, g), hide_index=True)
    with copy_column:
        st.subheader("Your copy")
        if right is None:
            st.warning("No evaluation for the copy while an input is invalid.", icon=":material/block:")
        else:
            disposition_badge(right, g, size="1.2rem")
    if right is not None:
        st.markdown(_parting_text(left, right))
    with st.expander("Change the copy", expanded=True, icon=":material/edit:"):
        case_form(g, COMPARE_TEXT_KEY, "compare_", problems, columns=3)
    if right is not None:
        st.markdown("**Table: both traces, rule by rule**")
        table = compare_frame(left, right)
        st.table(wrappable(pd.DataFrame({
            "rule": table["rule"] + " · " + table["label"],
            "scenario": table["left"],
            "copy": table["right"],
            "parts here": table["parts here"].map({True: "parts here", False: ""}),
        })), hide_index=True)


def _restart_steps() -> None:
    st.session_state[STEP_REVEALED_KEY] = 1


def _reveal_next() -> None:
    st.session_state[STEP_REVEALED_KEY] = st.session_state.get(STEP_REVEALED_KEY, 1) + 1


def _step_case():
    if st.session_state[STEP_SOURCE_KEY] == CURRENT_PATIENT:
        return current_case()[0]
    return parse_case(_scenarios()[st.session_state[STEP_SOURCE_KEY]].case)


def step_section() -> None:
    g = guideline()
    st.header("Step through")
    st.caption("One decision at a time, as the engine takes them.")
    options = [*_scenarios(), CURRENT_PATIENT]
    st.selectbox("Case", options, key=STEP_SOURCE_KEY, on_change=_restart_steps,
                 format_func=lambda o: o if o == CURRENT_PATIENT else _scenarios()[o].title)
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
            st.markdown(f"Checks: {step.condition}  \nInputs: {inputs_words(step, g)}  \n"
                        f"Result: **{step.value}**, {STEP_WORDS[step.value]}")
    finished = revealed >= len(steps)
    with st.container(horizontal=True):
        st.button("Reveal the next decision", on_click=_reveal_next, disabled=finished, type="primary",
                  icon=":material/arrow_downward:")
        st.button("Start again", on_click=_restart_steps, icon=":material/restart_alt:")
    if finished:
        disposition_badge(evaluation, g, size="1.2rem")


def scenarios_page() -> None:
    st.title("Scenarios")
    cards_section()
    compare_section()
    step_section()


guarded(scenarios_page)
