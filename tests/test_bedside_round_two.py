"""Safe at the bedside, second round: urgency under unknowns, the still-possible list in rule order, pitfalls that
may apply, plans that hold in every remaining branch, and the conservative clock only where it applies."""

import itertools

import pytest

from core import evaluate_case
from core.engine.case import CHOICES
from tests.conftest import case

RAD = {
    "red_flags": False,
    "mri_finding": "nerve_root_compression",
    "myelopathy_signs": False,
    "radicular_symptoms": True,
    "motor_grade_mrc": 5,
    "motor_deficit_progressive": False,
}
# A small domain per field that crosses every threshold of the rules.
DOMAINS = {
    "red_flags": [True, False],
    "mri_finding": list(CHOICES["mri_finding"]),
    "myelopathy_signs": [True, False],
    "radicular_symptoms": [True, False],
    "motor_grade_mrc": [3, 5],
    "motor_deficit_progressive": [True, False],
    "instability": [True, False],
    "deformity_progressive": [True, False],
    "weeks_conservative": [10, 30],
    "pt_weeks": [3, 8],
    "conservative_failed": [True, False],
    "correlating_pathology": [True, False],
}
ISSUE_2 = {**RAD, "instability": False, "weeks_conservative": 30, "pt_weeks": 12, "correlating_pathology": True}


def completions(values):
    unknown = [f for f in DOMAINS if f not in values]
    for combo in itertools.product(*(DOMAINS[f] for f in unknown)):
        yield {**values, **dict(zip(unknown, combo, strict=True))}


# --- 1. urgent while a deciding item is assessed -------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"mri_finding": "cord_compression", "myelopathy_signs": True, "weeks_conservative": 2, "pt_weeks": 1},
        {"red_flags": False, "mri_finding": "not_done", "myelopathy_signs": True},
    ],
)
def test_a_blocked_case_is_urgent_when_every_disposition_still_possible_is(values):
    result = evaluate_case(values)
    assert result.disposition == "needs_information"
    assert all(p.urgent for p in result.possible_dispositions)
    assert result.urgent is True


def test_a_blocked_case_with_a_routine_outcome_still_possible_is_not_urgent():
    result = evaluate_case({"red_flags": False, "mri_finding": "not_done"})
    assert result.disposition == "needs_information" and result.urgent is False


def test_the_frame_backend_agrees_on_urgency_under_unknowns():
    import pandas as pd

    from core.analyses.frame import evaluate_frame

    rows = [
        {"mri_finding": "cord_compression", "myelopathy_signs": True},
        {"red_flags": False, "mri_finding": "not_done", "myelopathy_signs": True},
        {"red_flags": False, "mri_finding": "not_done"},
    ]
    frame = evaluate_frame(pd.DataFrame(rows))
    assert list(frame["urgent"]) == [evaluate_case(r).urgent for r in rows] == [True, True, False]


# --- 2. the still-possible list is true when read in order ---------------------------------------------------


def test_failing_care_leads_to_decompression_not_to_a_surgical_opinion():
    possible = {p.disposition: p for p in evaluate_case(ISSUE_2).possible_dispositions}
    consult = possible["surgical_consultation"]
    assert consult.rules == ["R5_progressive_deformity"]
    assert "failing" not in consult.condition
    assert possible["decompression_referral"].condition == "conservative care failing: yes"


@pytest.mark.parametrize(
    "values",
    [
        ISSUE_2,
        {**RAD, "weeks_conservative": 30, "pt_weeks": 12, "correlating_pathology": True},
        {"red_flags": False, "mri_finding": "nerve_root_compression", "weeks_conservative": 30, "pt_weeks": 8},
    ],
)
def test_every_listed_rule_decides_some_completion_and_every_completion_is_listed(values):
    possible = evaluate_case(values).possible_dispositions
    listed = {(p.disposition, rule) for p in possible for rule in p.rules}
    reached = set()
    for full in completions(values):
        result = evaluate_case(full)
        reached.add((result.disposition, result.deciding_rule))
    assert reached == listed


# --- 3. the fusion pitfall stays quiet where surgery is what the article calls for ---------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"mri_finding": "cord_compression"},
        {"motor_deficit_progressive": True, "motor_grade_mrc": 3},
    ],
)
def test_fusion_pitfall_does_not_fire_under_an_urgent_surgical_referral(changes):
    result = evaluate_case(case(proposed=["fusion"], **changes))
    assert result.urgent and "fusion_not_indicated" not in result.warnings


def test_fusion_pitfall_still_fires_in_conservative_care():
    assert "fusion_not_indicated" in evaluate_case(case(proposed=["fusion"])).warnings


# --- 8. degenerative-only findings keep their caveat ---------------------------------------------------------


def test_a_consultation_on_degenerative_imaging_keeps_the_no_surgery_statement_and_names_the_contradiction():
    result = evaluate_case(case(mri_finding="degenerative_only", weeks_conservative=30))
    assert result.disposition == "surgical_consultation"
    assert "no_surgery_degenerative_only" in [s.id for s in result.statements]
    assert "correlating_pathology_on_degenerative_imaging" in [i.id for i in result.inconsistencies]


# --- 9. the PT block stays in the plan to week 12 ------------------------------------------------------------


def test_failing_care_after_six_weeks_of_pt_keeps_pt_in_the_plan_until_week_12(guideline):
    at_8 = [s.id for s in evaluate_case(case(pt_weeks=8)).statements]
    at_12 = [s.id for s in evaluate_case(case(pt_weeks=12, weeks_conservative=14)).statements]
    assert "facet_injection" in at_8 and "pt_stabilisation" in at_8
    assert "pt_stabilisation" not in at_12
    week_12 = next(m for m in guideline.pathway.milestones if m.week == 12)
    # The interventional phase opens at 6 weeks of PT; the week-12 words must not place it at week 12.
    assert "week 6" in week_12.label


# --- 12. the report carries the course -----------------------------------------------------------------------


def test_the_report_includes_the_visits_and_milestone_states(guideline):
    from core import evaluate_course
    from core.outputs.report import build_report, report_markdown

    visits = [{"week": 0, **case(weeks_conservative=..., pt_weeks=0)}, {"week": 6, "pt_weeks": 6}]
    course = evaluate_course({"visits": visits}, guideline)
    content = build_report(evaluate_case(case(weeks_conservative=6, pt_weeks=6)), guideline, course=course)
    markdown = report_markdown(content)
    assert "## Course of care" in markdown
    assert "- Visit 2, week 6: Interventional options" in markdown
    assert "**Milestones:** week 0: Formal physical therapy and medication; week 6: Interventional options" in markdown
    assert "Not reached yet" in markdown
