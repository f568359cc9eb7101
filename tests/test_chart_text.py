"""Every chart has a title it draws and a description a screen reader reads (its accessible name), and shows its
states in words or symbols as well as colour."""

from core import evaluate_case, parse_case
from core.analyses.flows import cohort_flows, demo_cases
from core.engine.guideline import NEEDS_INFORMATION
from core.outputs.chart_text import flow_chart_text, pathway_chart_text, timeline_chart_text
from core.outputs.figures import pathway_figure, sankey_figure, timeline_figure
from tests.conftest import case


def evaluate(guideline, **changes):
    return evaluate_case(parse_case(case(**changes)), guideline)


def annotation(fig, name):
    return next(a for a in fig.layout.annotations if a.name == name)


def test_the_flowchart_is_named_by_its_title_and_the_patients_route(guideline):
    evaluation = evaluate(guideline, mri_finding="cord_compression")
    text = pathway_chart_text(guideline, evaluation)
    assert pathway_figure(guideline, evaluation).layout.title.text == text.title
    assert text.alt.startswith(text.title + ". ")
    assert "R2_cord_compression decides: " + evaluation.disposition_label in text.description


def test_a_blocked_route_is_described_as_undecidable(guideline):
    evaluation = evaluate(guideline, red_flags=...)
    assert evaluation.disposition == NEEDS_INFORMATION
    assert "cannot be decided" in pathway_chart_text(guideline, evaluation).description


def test_the_flowchart_without_a_patient_says_no_route_is_drawn(guideline):
    assert "No patient's route" in pathway_chart_text(guideline).description


def test_the_sankey_description_counts_the_cases_and_names_where_most_end(guideline):
    flows = cohort_flows(demo_cases(guideline), guideline)
    text = flow_chart_text(flows)
    assert sankey_figure(flows, guideline=guideline).layout.title.text == text.title
    assert f"{len(flows):,} cases" in text.description
    assert flows["disposition_label"].value_counts().index[0] in text.description
    assert flow_chart_text(flows.iloc[:0]).description == "No cases to show."


def test_the_timeline_description_gives_the_milestones_and_the_patients_weeks(guideline):
    text = timeline_chart_text(guideline, 10, 8)
    assert timeline_figure(guideline, 10, 8).layout.title.text == text.title
    assert "weeks 0, 6, 12 and 26" in text.description
    assert "week 10 of conservative care and 8 weeks of formal physical therapy" in text.description


def test_flowchart_states_carry_symbols_not_colour_alone(guideline):
    fig = pathway_figure(guideline, evaluate(guideline, mri_finding="cord_compression"))
    assert annotation(fig, "rule R2_cord_compression").text.startswith("✓ ")
    assert annotation(fig, "disposition R2_cord_compression").text.startswith("✓ ")
    assert not annotation(fig, "rule R1_red_flags").text.startswith("✓")


def test_timeline_milestones_say_passed_and_this_week_in_words(guideline):
    fig = timeline_figure(guideline, weeks=12)
    assert "passed" in annotation(fig, "milestone 6").text
    assert "this week" in annotation(fig, "milestone 12").text
    assert "passed" not in annotation(fig, "milestone 26").text


def test_the_progression_sankey_is_described_by_its_courses_and_where_most_end():
    import pandas as pd

    from core.outputs.chart_text import progression_chart_text

    links = pd.DataFrame(
        {
            "from_week": [0, 0, 6, 6],
            "from_state": ["physical_therapy_and_medication"] * 2 + ["interventional_options", "obtain_mri"],
            "to_week": [6, 6, 12, 12],
            "to_state": ["interventional_options", "obtain_mri", "surgical_consultation", "no_further_visit"],
            "courses": [7, 3, 6, 1],
        }
    )
    text = progression_chart_text(links, "Courses over six months")
    assert text.alt.startswith("Courses over six months. 10 courses move between the milestone weeks 0 to 12")
    assert "most are in surgical consultation (6) and no further visit (1)" in text.description
    assert progression_chart_text(links.iloc[0:0], "t").description == "No courses to show."
