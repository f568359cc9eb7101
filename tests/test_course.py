"""A course of care (issue 9, sections 1-2): what each visit means, how it is decided, and the milestone states."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import CaseError, evaluate_course, parse_course
from core.analyses.course import NO_FURTHER_VISIT, NOT_YET_SEEN

ROOT = Path(__file__).resolve().parent.parent
START = {
    "red_flags": False,
    "mri_finding": "nerve_root_compression",
    "radicular_symptoms": True,
    "motor_deficit_progressive": False,
    "deformity_progressive": False,
    "pt_weeks": 0,
}


def course(*visits: dict, course_id: str | None = None) -> dict:
    return {"course_id": course_id, "visits": list(visits)}


def problems(data: dict) -> list[str]:
    with pytest.raises(CaseError) as caught:
        parse_course(data)
    return [str(p) for p in caught.value.problems]


def milestones(result) -> dict[int, str]:
    return {m.week: m.state for m in result.milestones}


# ------------------------------------------------------------------------------------------ section 1


def test_absent_key_is_carried_forward_from_the_previous_visit():
    parsed = parse_course(course({"week": 0, **START}, {"week": 4}))
    assert parsed.cases[1].mri_finding == "nerve_root_compression" and parsed.cases[1].red_flags is False


def test_key_before_its_first_visit_is_unknown():
    parsed = parse_course(course({"week": 0}, {"week": 2, "red_flags": False}))
    assert parsed.cases[0].red_flags is None and parsed.cases[1].red_flags is False


def test_null_makes_a_field_unknown_from_that_visit_on():
    parsed = parse_course(course({"week": 0, **START}, {"week": 2, "red_flags": None}, {"week": 4}))
    assert [c.red_flags for c in parsed.cases] == [False, None, None]


def test_weeks_conservative_is_the_visit_week():
    parsed = parse_course(course({"week": 0}, {"week": 7, "weeks_conservative": 7}, {"week": 9}))
    assert [c.weeks_conservative for c in parsed.cases] == [0, 7, 9]


def test_weeks_conservative_that_differs_from_the_week_is_rejected():
    assert problems(course({"week": 3, "weeks_conservative": 4})) == [
        "visit 1: weeks_conservative: must equal the visit's week (4 != 3)"
    ]


def test_proposed_belongs_to_its_visit_only():
    parsed = parse_course(course({"week": 0, "proposed": ["fusion"]}, {"week": 2}))
    assert parsed.cases[0].proposed == ("fusion",) and parsed.cases[1].proposed == ()


def test_ties_in_week_are_kept_in_the_order_given():
    parsed = parse_course(course({"week": 6, "red_flags": False}, {"week": 6, "red_flags": True}))
    assert [c.red_flags for c in parsed.cases] == [False, True]
    assert evaluate_course(parsed).visits[-1].state == "outside_pathway"


@pytest.mark.parametrize(
    "visits, expected",
    [
        ([{"week": 5}, {"week": 4}], "visit 2: week: visits must be in week order (week 4 after week 5)"),
        ([{"week": 0, "colour": "red"}], "visit 1: colour: unknown field (not part of the case format)"),
        ([{"week": 0, "red_flags": "yes"}], "visit 1: red_flags: input should be a valid boolean (got 'yes')"),
        ([{"red_flags": False}], "visit 1: week: required (weeks of conservative care at this visit)"),
        ([{"week": 521}], "visit 1: week: must be between 0 and 520 (got 521)"),
        ([{"week": "3"}], "visit 1: week: expected a whole number, got '3'"),
        ([{"week": 0}, "visit"], "visit 2: visit: expected an object, got str"),
        ([{"week": 2, "pt_weeks": 3}], "visit 1: pt_weeks: cannot exceed the visit's week (3 > 2)"),
        (
            [{"week": 8, "pt_weeks": 6}, {"week": 10, "pt_weeks": 5}],
            "visit 2: pt_weeks: cannot decrease from one visit to the next (6 -> 5)",
        ),
        (
            [{"week": 4, "pt_weeks": 2}, {"week": 10, "pt_weeks": 9}],
            "visit 2: pt_weeks: grew by 7 weeks but only 6 weeks passed since week 4 (pt_weeks 2 -> 9)",
        ),
        (
            [{"week": 0, "motor_grade_mrc": 7}],
            "visit 1: motor_grade_mrc: input should be less than or equal to 5 (got 7)",
        ),
    ],
)
def test_a_bad_visit_is_named_by_number_and_field(visits, expected):
    assert expected in problems(course(*visits))


def test_pt_weeks_after_an_unknown_gap_is_compared_with_the_last_known_value():
    assert (
        "visit 3: pt_weeks: cannot decrease"
        in problems(course({"week": 6, "pt_weeks": 6}, {"week": 8, "pt_weeks": None}, {"week": 9, "pt_weeks": 4}))[0]
    )
    assert (
        parse_course(course({"week": 6, "pt_weeks": 6}, {"week": 8, "pt_weeks": None}, {"week": 9, "pt_weeks": 9}))
        .cases[2]
        .pt_weeks
        == 9
    )


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"visits": []}, "visits: a course needs a list of one visit or more"),
        ({}, "visits: a course needs a list of one visit or more"),
        ({"visits": [{"week": 0}], "patient": "x"}, "patient: unknown key (a course has course_id and visits)"),
        ({"visits": [{"week": 0}], "course_id": 5}, "course_id: expected text, got 5"),
    ],
)
def test_an_empty_or_malformed_course_is_rejected(data, expected):
    assert expected in problems(data)


def test_every_bad_visit_is_reported_at_once():
    assert len(problems(course({"week": 3}, {"week": 1}, {"week": 4, "red_flags": 2}, {"week": 5, "foo": 1}))) == 3


# ------------------------------------------------------------------------------------------ section 2


def test_each_visit_is_evaluated_on_its_effective_case():
    result = evaluate_course(course({"week": 0, **START}, {"week": 6, "pt_weeks": 6, "conservative_failed": True}))
    assert [v.state for v in result.visits] == ["physical_therapy_and_medication", "interventional_options"]
    assert result.visits[1].evaluation.case.mri_finding == "nerve_root_compression"


def test_state_is_the_disposition_outside_conservative_care():
    result = evaluate_course(course({"week": 0, **START, "mri_finding": "cord_compression"}))
    assert result.visits[0].state == result.visits[0].disposition == "urgent_neurosurgical_referral"


def test_state_is_conservative_care_when_the_phase_cannot_be_decided():
    result = evaluate_course(course({"week": 0, **{k: v for k, v in START.items() if k != "pt_weeks"}}))
    assert result.visits[0].disposition == "conservative_care" and result.visits[0].phase is None
    assert result.visits[0].state == "conservative_care"


def test_milestone_before_the_first_visit_is_not_yet_seen():
    assert milestones(evaluate_course(course({"week": 8, **START})))[0] == NOT_YET_SEEN


def test_milestone_takes_the_last_visit_at_or_before_it():
    result = evaluate_course(
        course(
            {"week": 0, **START},
            {"week": 5, "pt_weeks": 5},
            {"week": 7, "pt_weeks": 7, "conservative_failed": False},
            {"week": 30},
        )
    )
    assert milestones(result) == {
        0: "physical_therapy_and_medication",
        6: "physical_therapy_and_medication",
        12: "continued_conservative_care",
        26: "continued_conservative_care",
    }


def test_milestone_after_the_last_visit_is_censored_when_care_goes_on():
    result = evaluate_course(course({"week": 0, **START}, {"week": 8, "pt_weeks": 8, "conservative_failed": True}))
    assert milestones(result) == {
        0: "physical_therapy_and_medication",
        6: "physical_therapy_and_medication",
        12: NO_FURTHER_VISIT,
        26: NO_FURTHER_VISIT,
    }


def test_milestone_after_a_visit_that_ends_the_course_keeps_that_state():
    result = evaluate_course(course({"week": 0, **START}, {"week": 3, "red_flags": True}))
    assert milestones(result) == {
        0: "physical_therapy_and_medication",
        6: "outside_pathway",
        12: "outside_pathway",
        26: "outside_pathway",
    }


def test_a_visit_exactly_at_the_milestone_is_not_censored():
    result = evaluate_course(course({"week": 0, **START}, {"week": 12, "pt_weeks": 12, "conservative_failed": True}))
    assert milestones(result)[12] == "interventional_options" and milestones(result)[26] == NO_FURTHER_VISIT


def test_obtain_mri_does_not_end_a_course():
    result = evaluate_course(course({"week": 0, **START, "mri_finding": "not_done"}))
    assert milestones(result) == {0: "obtain_mri", 6: NO_FURTHER_VISIT, 12: NO_FURTHER_VISIT, 26: NO_FURTHER_VISIT}


def test_ending_dispositions_are_marked_in_the_data(guideline):
    ending = {d.id for d in guideline.pathway.dispositions if d.ends_course}
    assert ending == {
        "outside_pathway",
        "urgent_neurosurgical_referral",
        "neurosurgical_referral",
        "surgical_consultation",
        "decompression_referral",
        "outside_scope",
    }


def test_deviations_give_the_first_week_and_the_number_of_visits():
    result = evaluate_course(
        course(
            {"week": 0, **START},
            {"week": 2, "proposed": ["long_term_opioids"]},
            {"week": 4},
            {"week": 5, "proposed": ["long_term_opioids", "fusion"]},
        )
    )
    deviations = {d.warning: (d.first_week, d.visits) for d in result.deviations}
    assert deviations == {"avoid_long_term_opioids": (2, 2), "skipped_physical_therapy": (5, 1)}


def test_course_json_has_the_contract_keys(guideline):
    data = json.loads(evaluate_course(course({"week": 0, **START}, course_id="p1")).model_dump_json())
    assert {"visits", "milestones", "deviations", "guideline_version", "course_id"} <= set(data)
    assert {"week", "state", "disposition", "phase", "warnings", "urgent", "evaluation"} <= set(data["visits"][0])
    assert data["milestones"][0] == {"week": 0, "state": "physical_therapy_and_medication"}
    assert data["guideline_version"] == guideline.info.version and data["course_id"] == "p1"


# --------------------------------------------------------------------------------------------- command


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_course_command_prints_a_week_by_week_account():
    result = run("course", "-", stdin=json.dumps(course({"week": 0, **START}, {"week": 3, "red_flags": True})))
    assert result.returncode == 0
    assert "Visit 2, week 3: Urgent evaluation outside this pathway [outside_pathway]" in result.stdout
    assert "changed: red_flags=yes" in result.stdout and "week  26: Urgent evaluation" in result.stdout
    assert "not a medical device" in result.stdout


def test_course_command_json_follows_the_contract():
    result = run("course", "-", "--format", "json", stdin=json.dumps(course({"week": 0, **START})))
    assert json.loads(result.stdout)["milestones"][1] == {"week": 6, "state": NO_FURTHER_VISIT}


def test_course_command_exits_2_with_one_line_per_problem():
    result = run("course", "-", stdin=json.dumps(course({"week": 4}, {"week": 2, "red_flags": "x"})))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == ["error: visit 2: week: visits must be in week order (week 2 after week 4)"]
