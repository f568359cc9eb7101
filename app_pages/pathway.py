"""Pathway page: the rules as a flowchart with the current patient's route, how a cohort flows, and the timeline.

Each chart has a table beneath it: a canvas says nothing to a screen reader.
"""

import pandas as pd
import streamlit as st

from app_pages.flow_view import sankey_with_nodes, text_table
from app_pages.inert import inert
from app_pages.progression_view import demo_progression_section
from app_pages.session import (
    chosen_pathway,
    current_case,
    guarded,
    guideline,
    show_problems,
    sync_case_with_url,
    url_problems,
)
from core import Evaluation, evaluate_case
from core.analyses.flows import SYNTHETIC_SOURCE, cohort_flows, demo_cases
from core.analyses.timeline import bypass_rows, timeline_rows
from core.engine.guideline import NEEDS_INFORMATION
from core.outputs.chart_text import pathway_chart_text, timeline_chart_text
from core.outputs.figures import pathway_figure, pathway_rows, sankey_figure, timeline_figure
from core.outputs.tables import bypass_table, pathway_table, timeline_table

NODE_KEY = "pathway_node"


# Each cache is keyed by the pathway's id: the figures of one pack are never shown under another.
@st.cache_resource(show_spinner=False)
def _demo_flows(pathway: str) -> pd.DataFrame:
    g = guideline()
    return cohort_flows(demo_cases(g), g)


def demo_flows() -> pd.DataFrame:
    """The teaching scenarios and the pack's synthetic demo cohort (if it has one) through the engine (once per
    process and pathway; read-only)."""
    return _demo_flows(chosen_pathway())


@st.cache_resource(show_spinner=False, max_entries=64)
def _pathway_chart(pathway: str, case_json: str | None):
    # Keyed by the case as JSON: the figure depends on nothing else, and a flipped input flips back often.
    g = guideline()
    evaluation = None if case_json is None else evaluate_case(g.schema.model.model_validate_json(case_json), g)
    return pathway_figure(g, evaluation)


@st.cache_resource(show_spinner=False)
def _sankey_chart(pathway: str):
    return sankey_figure(demo_flows(), guideline=guideline())


@st.cache_resource(show_spinner=False, max_entries=64)
def _timeline_chart(pathway: str, weeks: int | None, inner_weeks: int | None):
    return timeline_figure(guideline(), weeks, inner_weeks)


def _patient_evaluation() -> Evaluation | None:
    """The current case's evaluation; None when no case is entered (or it is invalid, which is shown)."""
    g = guideline()
    case, problems = current_case()
    if problems:
        show_problems(problems, g, "The case from the Patient page has an invalid input, so no route is drawn:")
        return None
    if case is None or not case.model_dump(exclude_none=True, exclude_defaults=True):
        st.info(
            "No case entered: the flowchart shows the rules only. Enter one on the Patient page "
            "(or open a link with the case in it) to see its route.",
            icon=":material/info:",
        )
        return None
    return evaluate_case(case, g)


def flowchart_section(evaluation: Evaluation | None) -> None:
    g = guideline()
    st.header("The decision rules")
    st.caption(
        "Rules are tried top to bottom; the first that holds decides. The patient's route is drawn bold; "
        "rules that cannot be decided yet are dashed."
    )
    if evaluation is not None:
        how = "stops (unknown) at" if evaluation.disposition == NEEDS_INFORMATION else "decided at"
        st.markdown(
            f"Current patient: **{evaluation.disposition_label}** (`{evaluation.disposition}`), "
            f"{how} `{evaluation.deciding_rule}`."
        )
    figure = _pathway_chart(chosen_pathway(), None if evaluation is None else evaluation.case.model_dump_json())
    st.plotly_chart(figure, config={"displayModeBar": False}, alt=pathway_chart_text(g, evaluation).alt)
    st.markdown("**Table: the rules for this patient**")
    text_table(pathway_table(pathway_rows(g, evaluation)))


def sankey_section() -> None:
    g = guideline()
    flows = demo_flows()
    synthetic = int((flows["source"] == SYNTHETIC_SOURCE).sum())
    scenarios = len(flows) - synthetic
    drawn_from = f"the pack's {scenarios} teaching scenario{'s' if scenarios != 1 else ''}"
    if synthetic:
        drawn_from += (
            f" and a **synthetic** demo cohort of {synthetic} made-up cases "
            "(generated with a fixed seed; not real patients)"
        )
    else:
        drawn_from += " (this pathway ships no synthetic demo cohort)"
    st.header("How cases flow")
    st.caption(f"Presentation → MRI finding → deciding rule → disposition for {drawn_from}.")
    sankey_with_nodes(flows, _sankey_chart(chosen_pathway()), g, NODE_KEY)


def timeline_section(evaluation: Evaluation | None) -> None:
    g = guideline()
    if not g.pathway.milestones:
        return
    values = evaluation.case.values() if evaluation else {}
    # The course's weeks, and the first count within them (formal PT), as the timeline places them.
    weeks, inner_weeks = (values.get(clock) for clock in [*g.schema.time_fields, "", ""][:2])
    st.header("Conservative-care timeline")
    milestones = "; ".join(f"week {m.week}: {m.label}" for m in g.pathway.milestones)
    st.caption(f"The pathway's milestones ({inert(milestones)}); urgent routes leave the timeline at any week.")
    st.plotly_chart(
        _timeline_chart(chosen_pathway(), weeks, inner_weeks),
        config={"displayModeBar": False},
        alt=timeline_chart_text(g, weeks, inner_weeks).alt,
    )
    st.markdown("**Table: the timeline**")
    text_table(timeline_table(timeline_rows(g, weeks, inner_weeks)))
    st.markdown("**Table: routes that bypass the timeline**")
    text_table(bypass_table(bypass_rows(g)))


def pathway_page() -> None:
    g = guideline()
    sync_case_with_url()
    st.title("Pathway")
    show_problems(url_problems(), g, "Some parameters of the link could not be used:")
    evaluation = _patient_evaluation()
    flowchart_section(evaluation)
    sankey_section()
    timeline_section(evaluation)
    demo_progression_section(g)


guarded(pathway_page)
