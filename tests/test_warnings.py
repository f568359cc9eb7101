"""Pitfall warnings fire only when they hold on known inputs, whatever the disposition."""

import pytest

from core import evaluate_case
from tests.conftest import case


def warnings(**changes):
    return evaluate_case(case(**changes)).warnings


def test_fusion_without_instability_or_progressive_deformity_is_flagged():
    assert "fusion_not_indicated" in warnings(proposed=["fusion"])
    assert "fusion_not_indicated" not in warnings(proposed=["fusion"], instability=True)
    assert "fusion_not_indicated" not in warnings(proposed=["fusion"], deformity_progressive=True)


def test_fusion_warning_waits_for_instability_to_be_known():
    assert "fusion_not_indicated" not in warnings(proposed=["fusion"], instability=...)


@pytest.mark.parametrize("proposal", ["fusion", "decompression"])
def test_surgery_before_six_weeks_of_pt_is_flagged(proposal):
    assert "skipped_physical_therapy" in warnings(proposed=[proposal], pt_weeks=5)
    assert "skipped_physical_therapy" not in warnings(proposed=[proposal], pt_weeks=6)


@pytest.mark.parametrize(
    "changes",
    [
        {"mri_finding": "cord_compression"},
        {"motor_deficit_progressive": True, "motor_grade_mrc": 4},
        {"red_flags": True},
    ],
)
def test_skipped_pt_is_not_a_pitfall_on_the_urgent_routes(changes):
    assert "skipped_physical_therapy" not in warnings(proposed=["decompression"], pt_weeks=0, **changes)


@pytest.mark.parametrize(
    "finding,fires",
    [("degenerative_only", True), ("normal", True), ("nerve_root_compression", False), ("not_done", False)],
)
def test_surgery_on_imaging_alone_is_flagged(finding, fires):
    assert ("imaging_only_indication" in warnings(proposed=["decompression"], mri_finding=finding)) is fires


def test_manipulation_and_long_term_opioids_are_flagged():
    result = warnings(proposed=["cervical_manipulation", "long_term_opioids"])
    assert result == ["avoid_manipulation", "avoid_long_term_opioids"]


@pytest.mark.parametrize(
    "finding,fires", [("degenerative_only", True), ("not_done", True), ("nerve_root_compression", False)]
)
def test_epidural_injection_without_root_compression_is_flagged(finding, fires):
    result = warnings(proposed=["epidural_steroid_injection"], mri_finding=finding)
    assert ("esi_without_root_compression" in result) is fires


def test_epidural_warning_is_silent_when_the_mri_is_unknown():
    assert warnings(proposed=["epidural_steroid_injection"], mri_finding=...) == []


def test_warning_statements_join_the_evaluation_and_the_warning_trace_explains_them():
    result = evaluate_case(case(proposed=["cervical_manipulation"]))
    assert "avoid_cervical_manipulation" in [s.id for s in result.statements]
    step = {s.id: s for s in result.warning_trace}["avoid_manipulation"]
    assert step.value == "true" and step.inputs == {"proposed": ["cervical_manipulation"]}


def test_nothing_proposed_means_no_warnings():
    assert warnings(proposed=...) == []
