"""evaluate_frame decides every row exactly as evaluate_case does: on the whole verification grid and on random
frames."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import CaseError, evaluate_case, evaluate_frame, load_guideline
from core.analyses.frame import cases_frame, frame_cases, joined_labels
from core.analyses.grid import verification_grid
from core.analyses.verify import load_invariants
from core.engine.case import BOOL_FIELDS
from core.engine.guideline import pathway_fields
from tests.strategies import any_case


def engine_rows(cases):
    rows = []
    for case in cases:
        e = evaluate_case(case)
        rows.append((e.disposition, e.urgent, ";".join(e.warnings), ";".join(e.missing), e.deciding_rule, e.phase))
    return rows


def frame_rows(results):
    return list(
        zip(
            results["disposition"].astype(str),
            results["urgent"].astype(bool),
            results["warnings"].astype(str),
            results["missing"].astype(str),
            results["deciding_rule"].astype(str),
            [None if pd.isna(p) else p for p in results["phase"]],
            strict=False,
        )
    )


def test_frame_agrees_with_the_engine_on_every_case_of_the_verification_grid(guideline):
    invariants = load_invariants(guideline)
    cases = verification_grid(guideline, [(i.when, i.then) for i in invariants])
    results = evaluate_frame(cases_frame(cases, pathway_fields(guideline)))
    assert len(results) == len(cases) > 10_000
    mismatches = [
        (c, got, want)
        for c, got, want in zip(cases, frame_rows(results), engine_rows(cases), strict=False)
        if got != want
    ]
    assert mismatches == []


@settings(max_examples=150, deadline=None)
@given(st.lists(any_case(max_weeks=60, max_proposed=3), min_size=1, max_size=12), st.sampled_from(["typed", "object"]))
def test_random_frames_agree_with_the_engine_row_by_row(cases, dtypes):
    frame = cases_frame(cases, pathway_fields(load_guideline()))
    if dtypes == "object":  # plain Python objects with None holes, as a hand-built frame would have
        frame = frame.astype(object).where(frame.notna(), None)
    assert frame_rows(evaluate_frame(frame)) == engine_rows(cases)


def test_absent_columns_are_unknown_and_a_deciding_rule_before_them_still_decides():
    frame = pd.DataFrame({"red_flags": [False, False], "mri_finding": ["cord_compression", "normal"]})
    results = evaluate_frame(frame)
    assert results["disposition"].tolist() == ["urgent_neurosurgical_referral", "needs_information"]
    assert results["missing"].iat[1].split(";")[:2] == ["motor_deficit_progressive", "motor_grade_mrc"]
    assert results["deciding_rule"].iat[1] == "R3_progressive_weakness"


def test_a_frame_without_case_columns_needs_information_on_every_row():
    results = evaluate_frame(pd.DataFrame({"case_id": ["a", "b", "c"]}))
    assert results["disposition"].tolist() == ["needs_information"] * 3
    assert results["missing"].iat[0] == ";".join(evaluate_case({}).missing)
    assert results["missing"].iat[0].startswith("red_flags;") and results["deciding_rule"].iat[0] == "R1_red_flags"


def test_every_kind_of_missing_value_means_unknown():
    frame = pd.DataFrame(
        {
            "red_flags": [False, False, False, False],
            "mri_finding": [None, np.nan, pd.NA, " "],
            "proposed": [None, np.nan, "", " ; "],
        },
        dtype=object,
    )
    results = evaluate_frame(frame)
    assert frame_rows(results) == engine_rows([{"red_flags": False}] * 4)
    assert set(results["missing"].str.split(";").str[0]) == {"mri_finding"}


def test_output_keeps_the_input_index_and_an_empty_frame_gives_an_empty_result():
    frame = pd.DataFrame({"red_flags": [True, False]}, index=["p7", "p9"])
    assert evaluate_frame(frame).index.tolist() == ["p7", "p9"]
    empty = evaluate_frame(pd.DataFrame({"red_flags": pd.Series([], dtype="boolean")}))
    assert len(empty) == 0 and list(empty.columns) == [
        "disposition",
        "urgent",
        "warnings",
        "missing",
        "deciding_rule",
        "phase",
    ]


def test_urgency_and_phase_follow_the_engine():
    frame = cases_frame(
        [
            {
                "red_flags": False,
                "mri_finding": "not_done",
                "motor_deficit_progressive": False,
                "myelopathy_signs": True,
            },
            {
                **{f: False for f in BOOL_FIELDS},
                "mri_finding": "normal",
                "motor_grade_mrc": 5,
                "weeks_conservative": 8,
                "pt_weeks": 8,
            },
        ],
        pathway_fields(load_guideline()),
    )
    results = evaluate_frame(frame)
    assert results["urgent"].tolist() == [True, False]
    assert results["phase"].tolist()[1] == "continued_conservative_care" and pd.isna(results["phase"].iat[0])


@pytest.mark.parametrize(
    "column,values,field,words",
    [
        ("red_flags", ["true", None], "red_flags", "valid boolean"),
        ("motor_grade_mrc", [3, 9], "motor_grade_mrc", "less than or equal to 5"),
        ("weeks_conservative", [2.5, 3], "weeks_conservative", "whole number"),
        ("mri_finding", ["normal", "fracture"], "mri_finding", "unknown value 'fracture'"),
        ("proposed", ["fusion;surgery", ""], "proposed", "unknown value 'surgery'"),
    ],
)
def test_values_outside_the_case_contract_are_refused_naming_field_and_row(column, values, field, words):
    with pytest.raises(CaseError) as info:
        evaluate_frame(pd.DataFrame({column: values}, index=["first", "second"]))
    problem = info.value.problems[0]
    assert problem.field == field and words in problem.message and "row" in problem.message


def test_physical_therapy_longer_than_conservative_care_is_refused():
    with pytest.raises(CaseError) as info:
        evaluate_frame(pd.DataFrame({"weeks_conservative": [10, 4], "pt_weeks": [6, 6]}))
    assert info.value.problems[0].field == "pt_weeks" and "row 1" in info.value.problems[0].message


def test_frame_cases_and_cases_frame_round_trip(guideline):
    cases = [s.case for s in guideline.scenarios]
    cases = [{k: v for k, v in c.items() if k != "prior_fusion_levels"} for c in cases]
    assert frame_cases(cases_frame(cases, guideline.decision_fields)) == cases


def test_joined_labels_keep_order_and_handle_more_than_one_machine_word_of_names():
    rows = 5
    parts = [(f"n{k:02d}", np.arange(rows) == k % rows) for k in range(70)]
    labels = joined_labels(parts, rows)
    assert labels[0].split(";") == [f"n{k:02d}" for k in range(0, 70, 5)]
    assert labels[4].split(";")[-1] == "n69"
    repeated = joined_labels(
        [("a", np.array([True, False])), ("b", np.array([True, True])), ("a", np.array([True, True]))], 2
    )
    assert list(repeated) == ["a;b", "b;a"]
