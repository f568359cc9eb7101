"""The case as the pages hold it: canonical text, read from URL parameters one at a time."""

import pytest

from core import parse_case
from core.engine.case import CASE_FIELDS
from core.engine.case_params import (
    CHANGE_PARAMS,
    UNKNOWN,
    apply_change_params,
    as_params,
    case_from_case_text,
    change_params,
    choice_options,
    field_text,
    form_value,
    read_case_params,
    text_from_form,
    with_field,
)
from core.engine.case_text import case_to_text
from core.errors import CaseError
from tests.conftest import case


def case_to_text_of(mapping):
    return case_to_text(parse_case(mapping))


def test_url_parameters_give_the_canonical_text_of_each_field():
    params = {
        "red_flags": ["TRUE"],
        "mri_finding": ["cord_compression"],
        "motor_grade_mrc": ["4"],
        "proposed": ["fusion", "long_term_opioids"],
        "instability": [""],
    }
    text, problems = read_case_params(params)
    assert problems == []
    assert text == {
        "red_flags": "true",
        "mri_finding": "cord_compression",
        "motor_grade_mrc": "4",
        "proposed": ["fusion", "long_term_opioids"],
    }


def test_a_bad_value_costs_only_its_own_parameter_and_is_named():
    params = {"red_flags": ["false"], "motor_grade_mrc": ["9"], "mri_finding": ["cord"], "weeks_conservative": ["4"]}
    text, problems = read_case_params(params)
    assert text == {"red_flags": "false", "weeks_conservative": "4"}
    assert {p.field for p in problems} == {"motor_grade_mrc", "mri_finding"}
    assert all(p.message.endswith("ignored") for p in problems)


def test_unknown_parameter_names_are_reported_unless_the_page_uses_them():
    _, problems = read_case_params({"red_flag": ["true"], "ref": ["3"], "embed": ["true"]}, other_params=("ref",))
    assert [(p.field, p.message) for p in problems] == [("red_flag", "not a case field; ignored")]


def test_pt_weeks_above_conservative_weeks_is_reported_on_pt_weeks():
    case_value, problems = case_from_case_text({"weeks_conservative": "4", "pt_weeks": "8"})
    assert case_value is None
    assert [p.field for p in problems] == ["pt_weeks"]
    assert "cannot exceed" in problems[0].message


def test_valid_text_gives_the_case():
    case_value, problems = case_from_case_text(case_to_text_of(case()))
    assert problems == []
    assert case_value.weeks_conservative == 10 and case_value.mri_finding == "nerve_root_compression"


@pytest.mark.parametrize("field", CASE_FIELDS)
def test_form_values_round_trip_to_the_same_text(field):
    text = case_to_text_of({**case(), "proposed": ["fusion"], "prior_fusion_levels": "L2-L5"})
    assert text_from_form(field, form_value(field, text)) == text.get(field)


@pytest.mark.parametrize("field", CASE_FIELDS)
def test_unknown_fields_show_as_not_assessed_in_the_form(field):
    value = form_value(field, {})
    assert value in (UNKNOWN, None, "", [])
    assert text_from_form(field, value) is None


def test_field_text_rejects_a_malformed_level_range():
    with pytest.raises(CaseError) as exc:
        field_text("prior_fusion_levels", "L2 to L5")
    assert exc.value.problems[0].field == "prior_fusion_levels"


def test_with_field_keeps_case_order_and_drops_unknowns():
    text = with_field({"weeks_conservative": "4", "red_flags": "true"}, "mri_finding", "normal")
    assert list(text) == ["red_flags", "mri_finding", "weeks_conservative"]
    assert with_field(text, "red_flags", None) == {"mri_finding": "normal", "weeks_conservative": "4"}


def test_choice_options_end_with_not_assessed_and_list_mrc_strongest_first():
    assert choice_options("red_flags") == ["true", "false", UNKNOWN]
    assert choice_options("motor_grade_mrc") == ["5", "4", "3", "2", "1", "0", UNKNOWN]
    assert choice_options("mri_finding")[-1] == UNKNOWN
    with pytest.raises(ValueError):
        choice_options("weeks_conservative")


def test_case_text_as_query_parameters_repeats_proposed_once_per_item():
    assert as_params({"red_flags": "true", "proposed": ["fusion", "long_term_opioids"]}) == {
        "red_flags": ["true"],
        "proposed": ["fusion", "long_term_opioids"],
    }


def test_a_second_case_travels_as_the_vs_parameters_of_the_fields_it_changes():
    before = case_to_text_of(case(proposed=["fusion"]))
    after = case_to_text_of(case(motor_grade_mrc=4, motor_deficit_progressive=True, weeks_conservative=...))
    params = change_params(before, after)
    assert params == {
        "vs.motor_grade_mrc": ["4"],
        "vs.motor_deficit_progressive": ["true"],
        "vs.weeks_conservative": [UNKNOWN],
        "vs.proposed": [UNKNOWN],
    }
    assert set(params) <= set(CHANGE_PARAMS)
    assert apply_change_params(before, params) == (after, [])


def test_applying_changes_ignores_other_parameters_and_names_each_bad_change():
    before = case_to_text_of(case())
    params = {"red_flags": ["true"], "vs.motor_grade_mrc": ["9"], "vs.mri": ["normal"], "vs.instability": ["true"]}
    text, problems = apply_change_params(before, params)
    assert text == {**before, "instability": "true"}
    assert [(p.field, p.message) for p in problems] == [
        ("motor_grade_mrc", "in the compared case, input should be less than or equal to 5 (got 9); ignored"),
        ("vs.mri", "not a case field; ignored"),
    ]
