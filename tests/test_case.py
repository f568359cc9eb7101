"""The input contract: every kind of bad input is rejected with a message naming the field."""

import pytest

from core import CaseError, parse_case


def problems(data):
    with pytest.raises(CaseError) as info:
        parse_case(data)
    return {p.field: p.message for p in info.value.problems}


def test_absent_keys_are_unknown_and_proposed_defaults_to_none():
    parsed = parse_case({})
    assert parsed.red_flags is None and parsed.mri_finding is None and parsed.proposed == ()


def test_unknown_key_is_rejected_by_name():
    assert "unknown field" in problems({"colour": "red"})["colour"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("red_flags", "yes"),
        ("red_flags", 1),
        ("motor_grade_mrc", "4"),
        ("weeks_conservative", 6.5),
        ("motor_grade_mrc", True),
    ],
)
def test_wrong_types_are_rejected(field, value):
    assert field in problems({field: value})


@pytest.mark.parametrize(
    "field,value", [("motor_grade_mrc", 6), ("motor_grade_mrc", -1), ("weeks_conservative", 521), ("pt_weeks", -2)]
)
def test_out_of_range_values_are_rejected(field, value):
    assert field in problems({field: value})


def test_unknown_enum_values_are_rejected():
    assert "unknown value" in problems({"mri_finding": "fracture"})["mri_finding"]
    assert "proposed" in problems({"proposed": ["laminectomy"]})


def test_pt_weeks_cannot_exceed_weeks_of_conservative_care():
    message = problems({"weeks_conservative": 4, "pt_weeks": 6})["pt_weeks"]
    assert "cannot exceed weeks_conservative" in message


def test_pt_weeks_may_equal_weeks_of_conservative_care():
    assert parse_case({"weeks_conservative": 6, "pt_weeks": 6}).pt_weeks == 6


def test_every_bad_field_is_reported_at_once():
    assert set(problems({"red_flags": "no", "motor_grade_mrc": 9, "x": 1})) == {"red_flags", "motor_grade_mrc", "x"}


def test_prior_fusion_levels_must_look_like_a_level_range():
    assert parse_case({"prior_fusion_levels": "L2-L5"}).prior_fusion_levels == "L2-L5"
    assert "prior_fusion_levels" in problems({"prior_fusion_levels": "<script>"})


def test_repeated_proposals_are_kept_once_and_explicit_null_means_unknown():
    parsed = parse_case({"proposed": ["fusion", "fusion"], "instability": None})
    assert parsed.proposed == ("fusion",) and parsed.instability is None


def test_a_non_object_case_is_rejected():
    assert "case" in problems(["red_flags"])
