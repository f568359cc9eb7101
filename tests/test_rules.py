"""Each decision rule, each threshold boundary, and the three-valued handling of unknowns."""

import pytest

from core import evaluate_case
from tests.conftest import case


def decide(**changes):
    return evaluate_case(case(**changes))


def test_baseline_is_conservative_care_in_the_interventional_phase():
    result = decide()
    assert (result.disposition, result.deciding_rule, result.phase) == (
        "conservative_care",
        "R8_conservative",
        "interventional_options",
    )
    assert result.urgent is False and result.warnings == [] and result.missing == []


def test_red_flags_take_the_case_outside_the_pathway_before_anything_else():
    result = decide(red_flags=True, mri_finding="cord_compression")
    assert result.disposition == "outside_pathway" and result.urgent
    assert [s.id for s in result.trace] == ["R1_red_flags"]
    assert "safeguard_red_flag_screen" in [s.id for s in result.statements]


def test_cord_compression_bypasses_the_six_week_minimum():
    result = decide(mri_finding="cord_compression", weeks_conservative=0, pt_weeks=0)
    assert result.disposition == "urgent_neurosurgical_referral" and result.urgent
    assert result.deciding_rule == "R2_cord_compression"


def test_cord_compression_decides_even_with_everything_else_unknown_except_red_flags():
    result = evaluate_case({"mri_finding": "cord_compression", "red_flags": False})
    assert result.disposition == "urgent_neurosurgical_referral"


def test_cord_compression_with_unknown_red_flags_needs_the_red_flag_screen_first():
    result = evaluate_case({"mri_finding": "cord_compression"})
    assert result.disposition == "needs_information"
    assert result.missing == ["red_flags"]


@pytest.mark.parametrize(
    "grade,expected", [(4, "neurosurgical_referral"), (5, "conservative_care"), (0, "neurosurgical_referral")]
)
def test_progressive_weakness_refers_at_mrc_four_or_worse(grade, expected):
    assert decide(motor_deficit_progressive=True, motor_grade_mrc=grade).disposition == expected


def test_stable_weakness_does_not_refer():
    assert decide(motor_deficit_progressive=False, motor_grade_mrc=3).disposition == "conservative_care"


def test_mri_not_done_means_obtain_mri_and_is_urgent_only_with_myelopathy_signs():
    routine = decide(mri_finding="not_done")
    urgent = decide(mri_finding="not_done", myelopathy_signs=True)
    assert routine.disposition == urgent.disposition == "obtain_mri"
    assert (routine.urgent, urgent.urgent) == (False, True)
    assert "safeguard_myelopathy_signs" in [s.id for s in urgent.statements]
    assert "safeguard_myelopathy_signs" not in [s.id for s in routine.statements]


def test_mri_not_done_with_unknown_myelopathy_signs_is_not_marked_urgent():
    assert decide(mri_finding="not_done", myelopathy_signs=...).urgent is False


def test_progressive_deformity_earns_a_surgical_consultation():
    result = decide(deformity_progressive=True, weeks_conservative=2, pt_weeks=0)
    assert (result.disposition, result.deciding_rule) == ("surgical_consultation", "R5_progressive_deformity")


@pytest.mark.parametrize("weeks,expected", [(25, "conservative_care"), (26, "decompression_referral")])
def test_six_month_threshold_is_week_26(weeks, expected):
    assert decide(weeks_conservative=weeks).disposition == expected


@pytest.mark.parametrize("pt,expected", [(5, "conservative_care"), (6, "decompression_referral")])
def test_six_weeks_of_formal_pt_are_required_before_referral(pt, expected):
    assert decide(weeks_conservative=26, pt_weeks=pt).disposition == expected


def test_instability_turns_decompression_into_surgical_consultation():
    result = decide(weeks_conservative=26, instability=True)
    assert (result.disposition, result.deciding_rule) == ("surgical_consultation", "R7_failed_six_months")


@pytest.mark.parametrize("change", [{"mri_finding": "degenerative_only"}, {"radicular_symptoms": False}])
def test_without_root_compression_and_radiculopathy_six_failed_months_get_a_surgical_opinion(change):
    assert decide(weeks_conservative=26, **change).disposition == "surgical_consultation"


@pytest.mark.parametrize("change", [{"conservative_failed": False}, {"correlating_pathology": False}])
def test_six_months_without_failure_or_correlation_stay_conservative(change):
    assert decide(weeks_conservative=40, **change).disposition == "conservative_care"


def test_unknown_rule_ahead_of_the_first_holding_rule_needs_information_and_names_fields():
    result = decide(weeks_conservative=26, instability=...)
    assert result.disposition == "needs_information"
    assert result.missing == ["instability"]
    assert result.deciding_rule == "R6_decompression"
    assert result.statements == [] and result.urgent is False


def test_a_false_conjunct_makes_unknown_ones_irrelevant():
    result = decide(weeks_conservative=10, instability=..., correlating_pathology=...)
    assert result.disposition == "conservative_care" and result.missing == []


def test_empty_case_needs_information_starting_with_the_red_flag_screen():
    result = evaluate_case({})
    assert result.disposition == "needs_information"
    assert result.missing[0] == "red_flags"
    assert result.deciding_rule == "R1_red_flags"


def test_trace_lists_rules_in_order_up_to_the_deciding_one_with_inputs_and_values():
    result = decide(weeks_conservative=26)
    assert [s.id for s in result.trace] == [
        "R1_red_flags",
        "R2_cord_compression",
        "R3_progressive_weakness",
        "R4_mri_not_done",
        "R5_progressive_deformity",
        "R6_decompression",
    ]
    assert [s.value for s in result.trace] == ["false"] * 5 + ["true"]
    assert result.trace[2].inputs == {"motor_deficit_progressive": False, "motor_grade_mrc": 5}
    assert result.trace[5].condition.startswith("weeks of conservative care >= 26 and conservative care failing: yes")


def test_degenerative_or_normal_mri_adds_the_no_surgery_statement():
    for finding in ("degenerative_only", "normal"):
        ids = [s.id for s in decide(mri_finding=finding).statements]
        assert "no_surgery_degenerative_only" in ids
    assert "no_surgery_degenerative_only" not in [s.id for s in decide().statements]


@pytest.mark.parametrize(
    "changes,phase",
    [
        ({"pt_weeks": 5}, "physical_therapy_and_medication"),
        ({"pt_weeks": 6}, "interventional_options"),
        ({"pt_weeks": 6, "conservative_failed": False}, "continued_conservative_care"),
    ],
)
def test_conservative_phase_turns_on_six_weeks_of_pt(changes, phase):
    assert decide(**changes).phase == phase


def test_epidural_injection_is_offered_only_with_root_compression_and_radicular_symptoms():
    assert "epidural_steroid_injection" in [s.id for s in decide().statements]
    assert "epidural_steroid_injection" not in [s.id for s in decide(radicular_symptoms=False).statements]
    facet = [s.id for s in decide(mri_finding="degenerative_only").statements]
    assert "facet_injection" in facet and "epidural_steroid_injection" not in facet


def test_unknown_pt_weeks_leaves_the_phase_undetermined_and_says_why():
    result = decide(pt_weeks=...)
    assert result.disposition == "conservative_care"
    assert result.phase is None and result.phase_missing == ["pt_weeks"]


@pytest.mark.parametrize("weeks,milestone", [(0, 6), (5, 6), (6, 12), (12, 26), (25, 26)])
def test_next_milestone_follows_weeks_of_conservative_care(weeks, milestone):
    result = decide(weeks_conservative=weeks, pt_weeks=0)
    assert result.next_milestone_week == milestone
    assert result.weeks_to_next_milestone == milestone - weeks


def test_no_milestone_after_six_months_or_outside_conservative_care():
    assert decide(weeks_conservative=30, conservative_failed=False).next_milestone_week is None
    assert decide(mri_finding="not_done", weeks_conservative=3, pt_weeks=0).next_milestone_week is None


def test_every_active_statement_carries_its_citations(guideline):
    for statement in decide(mri_finding="cord_compression").statements:
        assert statement.citations == guideline.statement(statement.id).citations


def test_evaluation_json_has_the_contract_keys():
    data = decide().model_dump(mode="json")
    for key in (
        "disposition",
        "urgent",
        "warnings",
        "missing",
        "phase",
        "next_milestone_week",
        "statements",
        "trace",
        "guideline_version",
        "deciding_rule",
    ):
        assert key in data
    assert set(data["statements"][0]) >= {"id", "citations"}
    assert set(data["trace"][0]) >= {"id", "condition", "inputs", "value"}


def test_scoped_statements_keep_the_article_s_scope(guideline):
    texts = {s.id: s.text for s in guideline.statements}
    assert "degenerative change without neural compression" in texts["six_months_before_surgical_consult"]
    assert "myelopathy or cord compression" in texts["cord_compression_only_bypass"]
    assert "deep" not in texts["pt_stabilisation"]


def test_six_months_before_a_surgical_opinion_is_not_in_the_plan_of_a_patient_with_myelopathy_signs():
    case = {
        "red_flags": False,
        "mri_finding": "degenerative_only",
        "myelopathy_signs": True,
        "motor_deficit_progressive": False,
        "deformity_progressive": False,
        "weeks_conservative": 3,
        "pt_weeks": 0,
    }
    ids = [s.id for s in evaluate_case(case).statements]
    assert "six_months_before_surgical_consult" not in ids and "no_surgery_degenerative_only" in ids
    ids = [s.id for s in evaluate_case({**case, "myelopathy_signs": False}).statements]
    assert "six_months_before_surgical_consult" in ids
