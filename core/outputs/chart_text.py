"""Each chart in words: its title and a short description of what it shows for this patient or these cases.

A canvas says nothing to a screen reader. The pages give each figure `ChartText.alt` as its accessible name (read
when a screen reader reaches the chart) and keep the full table under it; the figure draws the same title.
"""

from typing import NamedTuple

import pandas as pd

from core.engine.evaluation import Evaluation
from core.engine.guideline import NEEDS_INFORMATION, Guideline

PATHWAY_TITLE = "The decision rules as a flowchart"
FLOW_TITLE = "How cases flow through the pathway"
TIMELINE_TITLE = "Conservative-care timeline"


class ChartText(NamedTuple):
    title: str
    description: str

    @property
    def alt(self) -> str:
        """Title and description as one accessible name; the table under the chart has the detail."""
        return f"{self.title}. {self.description}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def pathway_chart_text(guideline: Guideline, evaluation: Evaluation | None = None) -> ChartText:
    rules = guideline.pathway.rules
    about = f"{len(rules)} rules in a column, tried top to bottom; each that holds branches right to its outcome."
    if evaluation is None:
        return ChartText(PATHWAY_TITLE, about + " No patient's route is drawn.")
    passed = len(evaluation.trace) - 1
    before = f"{passed} rule{'s' if passed != 1 else ''} do not decide" if passed else "the first rule applies"
    if evaluation.disposition == NEEDS_INFORMATION:
        route = (
            f"This patient's route stops at {evaluation.deciding_rule}, which cannot be decided with what is "
            f"known: {evaluation.disposition_label}."
        )
    else:
        route = (
            f"This patient's route: {before}, then {evaluation.deciding_rule} decides: {evaluation.disposition_label}."
        )
    return ChartText(PATHWAY_TITLE, f"{about} {route}")


def flow_chart_text(flows: pd.DataFrame, title: str = FLOW_TITLE) -> ChartText:
    """The sankey of `flows` (core.analyses.flows rows): how many cases, and where most of them end."""
    if flows.empty:
        return ChartText(title, "No cases to show.")
    counts = flows["disposition_label"].value_counts()
    top = [f"{label} ({n:,})" for label, n in counts.head(3).items()]
    return ChartText(
        title,
        f"{len(flows):,} cases flow from presentation to MRI finding, deciding rule and "
        f"disposition; most end in {_and(top)}.",
    )


def timeline_chart_text(guideline: Guideline, weeks: int | None = None, inner_weeks: int | None = None) -> ChartText:
    """The timeline's words: `weeks` on the course's clock, `inner_weeks` on the first count within it."""
    schema = guideline.schema
    at = _and([str(m.week) for m in sorted(guideline.pathway.milestones, key=lambda m: m.week)])
    clock = schema.defs[schema.visit_clock] if schema.visit_clock else None
    axis = f"{clock.label[:1].upper()}{clock.label[1:]}" if clock else "Weeks"
    text = f"{axis} down an axis with milestones at weeks {at}, and the routes that leave the timeline at any week."
    patient = []
    if clock is not None and weeks is not None:
        patient.append(f"week {weeks} of {clock.counted}")
    if schema.inner_clocks and inner_weeks is not None:
        counted = schema.defs[schema.inner_clocks[0]].counted
        patient.append(f"{inner_weeks} week{'s' if inner_weeks != 1 else ''} of {counted} completed")
    if patient:
        text += f" This patient: {_and(patient)}."
    return ChartText(TIMELINE_TITLE, text)


def progression_chart_text(links: pd.DataFrame, title: str) -> ChartText:
    """The progression sankey (`core.analyses.progression.progression_links` rows): how many courses, and the
    most common state at the last milestone."""
    if links.empty:
        return ChartText(title, "No courses to show.")
    first, last = int(links["from_week"].min()), int(links["to_week"].max())
    courses = int(links.loc[links["from_week"] == first, "courses"].sum())
    ending = links[links["to_week"] == last].groupby("to_state")["courses"].sum().sort_values(ascending=False)
    top = [f"{state.replace('_', ' ')} ({int(n):,})" for state, n in ending.head(3).items()]
    return ChartText(
        title,
        f"{courses:,} courses move between the milestone weeks {first} to {last}, one column per milestone; "
        f"at week {last} most are in {_and(top)}.",
    )
