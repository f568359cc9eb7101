"""Cases from text (URL query parameters, CSV cells) round-trip and report bad cells by field."""

import pytest

from core import CaseError, load_guideline
from core.engine.case_text import case_from_text, case_to_text


def test_query_parameter_style_case_parses():
    case = case_from_text(
        {
            "red_flags": "false",
            "mri_finding": "cord_compression",
            "motor_grade_mrc": "4",
            "proposed": ["fusion", "decompression"],
            "instability": "unknown",
        }
    )
    assert case.red_flags is False and case.motor_grade_mrc == 4 and case.instability is None
    assert case.proposed == ("fusion", "decompression")


def test_csv_style_cells_parse_with_semicolon_lists_and_blank_unknowns():
    case = case_from_text({"proposed": "fusion; long_term_opioids", "pt_weeks": "6.0", "red_flags": ""})
    assert case.proposed == ("fusion", "long_term_opioids") and case.pt_weeks == 6 and case.red_flags is None


@pytest.mark.parametrize(
    "field,value,words",
    [
        ("red_flags", "maybe", "true, false or unknown"),
        ("pt_weeks", "six", "whole number"),
        ("pt_weeks", "6.5", "whole number"),
        ("colour", "red", "unknown field"),
        ("mri_finding", "fracture", "unknown value"),
        ("motor_grade_mrc", "9", "less than or equal to 5"),
    ],
)
def test_bad_cells_name_the_field_and_reason(field, value, words):
    with pytest.raises(CaseError) as info:
        case_from_text({field: value})
    assert info.value.problems[0].field == field and words in info.value.problems[0].message


@pytest.mark.parametrize("scenario", load_guideline().scenarios, ids=lambda s: s.id)
def test_every_scenario_round_trips_through_text(scenario):
    from core import parse_case

    case = parse_case(scenario.case)
    assert case_from_text(case_to_text(case)) == case
