"""Cohorts over time (issue 9, section 3): visits files compiled into courses, the progression links, and the
vectorised path agreeing with `evaluate_course` visit by visit."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import evaluate_course
from core.analyses.progression import (
    LINK_COLUMNS,
    LINK_TYPES,
    evaluate_visits,
    merged_small_links,
    milestone_column,
    progression_links,
    read_visits,
)
from tests.course_strategies import any_course, visits_csv

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "case_id,week,red_flags,mri_finding,motor_deficit_progressive,deformity_progressive,pt_weeks,"
    "conservative_failed,proposed\n"
)
START = "false,nerve_root_compression,false,false"


def progress(text: str):
    return evaluate_visits(read_visits((HEADER + text).encode(), "csv", "visits.csv"))


def states(result, case_id: str) -> dict[int, str]:
    row = result.courses.set_index("case_id").loc[case_id]
    return {w: row[milestone_column(w)] for w in result.milestone_weeks}


def test_blank_cell_is_carried_forward_and_unknown_clears_it():
    result = progress(f"a,0,{START},0,,\na,6,,,,,6,false,\na,8,unknown,,,,,,\n")
    assert list(result.visits["state"]) == [
        "physical_therapy_and_medication",
        "continued_conservative_care",
        "needs_information",
    ]


def test_proposed_is_not_carried_to_the_next_visit():
    result = progress(f"a,0,{START},0,,long_term_opioids\na,2,,,,,,,\n")
    assert list(result.visits["warnings"]) == ["avoid_long_term_opioids", ""]


def test_rows_are_ordered_by_week_within_a_course_and_ties_keep_file_order():
    result = progress(f"a,6,true,,,,,,\na,0,{START},0,,\na,6,false,,,,,,\n")
    # sorted: week 0, week 6 (true), week 6 (false): the last of the tie decides the milestone
    assert list(result.visits["state"]) == [
        "outside_pathway",
        "physical_therapy_and_medication",
        "physical_therapy_and_medication",
    ]
    assert states(result, "a")[6] == "physical_therapy_and_medication"


def test_bad_row_is_reported_not_applied_and_its_course_goes_on():
    result = progress(f"a,0,{START},0,,\na,3,maybe,,,,,,\na,6,,,,,6,true,\n")
    assert len(result.visits) == 3 and result.visits["state"].isna().tolist() == [False, True, False]
    bad = result.summary.bad[0]
    assert (bad.row, bad.case_id, bad.field) == (2, "a", "red_flags") and "maybe" in bad.reason
    assert result.visits["state"].iat[2] == "interventional_options"


def test_pt_weeks_that_decreases_is_bad_and_the_next_row_is_compared_with_the_last_good_one():
    result = progress(f"a,0,{START},0,,\na,6,,,,,6,,\na,8,,,,,5,,\na,9,,,,,7,,\na,10,,,,,10,,\n")
    reasons = {b.row: b.reason for b in result.summary.bad}
    assert reasons == {
        3: "cannot decrease from one visit to the next (6 -> 5)",
        5: "grew by 3 weeks but only 1 week passed since week 9 (pt_weeks 7 -> 10)",
    }


@pytest.mark.parametrize(
    "row, field",
    [
        (",4,,,,,,,", "case_id"),
        ("a,,,,,,,,", "week"),
        ("a,x,,,,,,,", "week"),
        ("a,600,,,,,,,", "week"),
        ("a,4,,,,,5,,", "pt_weeks"),
        ("a,4,,,,,,,surgery", "proposed"),
        ("a,4,,sometimes,,,,,", "mri_finding"),
    ],
)
def test_each_bad_cell_names_its_field(row, field):
    result = progress(row + "\n")
    assert [b.field for b in result.summary.bad] == [field] and result.visits["error"].iat[0].startswith(field)


def test_weeks_conservative_must_equal_the_week():
    table = pa.table({"case_id": ["a", "a"], "week": ["0", "4"], "weeks_conservative": ["0", "5"]})
    result = evaluate_visits(table)
    assert [b.reason for b in result.summary.bad] == ["must equal the visit's week (5 != 4)"]


def test_a_course_with_no_good_row_is_reported_and_not_counted():
    result = progress(f"a,0,{START},0,,\nb,x,,,,,,,\n")
    assert result.summary.courses_without_visits == ["b"] and list(result.courses["case_id"]) == ["a"]


def test_a_file_without_case_id_or_week_is_refused():
    with pytest.raises(Exception, match="required column"):
        evaluate_visits(pa.table({"week": ["0"], "red_flags": ["true"]}))


def test_links_count_courses_between_neighbouring_milestones():
    result = progress(f"a,0,{START},0,,\nb,0,{START},0,,\nc,0,true,,,,,,\n")
    links = progression_links(result)
    assert tuple(links.columns) == LINK_COLUMNS
    first = links[links["from_week"] == 0].set_index(["from_state", "to_state"])["courses"].to_dict()
    assert first == {
        ("physical_therapy_and_medication", "no_further_visit"): 2,
        ("outside_pathway", "outside_pathway"): 1,
    }
    assert links.groupby("from_week")["courses"].sum().tolist() == [3, 3, 3]


def test_min_count_merges_small_links_and_totals_stay_true():
    result = progress(f"a,0,{START},0,,\nb,0,{START},0,,\nc,0,true,,,,,,\n")
    links = progression_links(result, min_count=2)
    first = links[links["from_week"] == 0]
    assert first[["from_state", "to_state", "courses"]].values.tolist() == [["fewer than 2", "fewer than 2", 3]]
    assert links.groupby("from_week")["courses"].sum().tolist() == [3, 3, 3]


def test_min_count_leaves_no_published_cell_under_k():
    links = pd.DataFrame(
        {
            "from_week": [0] * 5,
            "from_state": ["a", "a", "b", "b", "c"],
            "to_week": [6] * 5,
            "to_state": ["x", "y", "x", "y", "x"],
            "courses": [20, 3, 9, 30, 1],
        }
    ).astype(LINK_TYPES)
    merged = merged_small_links(links, 5)
    assert merged["courses"].sum() == 63
    hidden = merged[merged["from_state"] == "fewer than 5"]["courses"].tolist()
    assert hidden and hidden[0] >= 5
    for side in ("from_state", "to_state"):  # what a node still shown loses to the merged row is 0 or at least K
        shown = merged[merged["from_state"] != "fewer than 5"].groupby(side)["courses"].sum()
        lost = links.groupby(side)["courses"].sum()[shown.index] - shown
        assert ((lost == 0) | (lost >= 5)).all(), lost.to_dict()


def test_parquet_visits_with_typed_columns_read_like_csv(tmp_path):
    path = tmp_path / "visits.parquet"
    pq.write_table(
        pa.table(
            {
                "case_id": ["a", "a"],
                "week": [0, 6],
                "red_flags": [False, None],
                "mri_finding": ["normal", None],
                "pt_weeks": [0, 6],
                "motor_deficit_progressive": [False, None],
                "deformity_progressive": [False, None],
                "conservative_failed": [None, True],
            }
        ),
        path,
    )
    result = evaluate_visits(read_visits(path))
    assert list(result.visits["state"]) == ["physical_therapy_and_medication", "interventional_options"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(any_course(), min_size=1, max_size=8))
def test_vectorised_progression_agrees_with_evaluate_course(courses):
    result = evaluate_visits(read_visits(visits_csv(courses), "csv", "visits.csv"))
    assert result.summary.bad_rows == 0
    by_id = result.courses.set_index("case_id")
    row = 0
    for n, course in enumerate(courses):
        expected = evaluate_course(course)
        # one state per visit and per milestone, on both paths
        assert len(expected.visits) == len(course["visits"])
        assert all(m.state for m in expected.milestones) and len(expected.milestones) == len(result.milestone_weeks)
        visits = result.visits.iloc[row : row + len(course["visits"])]
        assert list(visits["state"]) == [v.state for v in expected.visits]
        assert list(visits["warnings"]) == [";".join(v.warnings) for v in expected.visits]
        assert [by_id.loc[f"c{n}", milestone_column(m.week)] for m in expected.milestones] == [
            m.state for m in expected.milestones
        ]
        row += len(course["visits"])


def test_progression_command_writes_links_and_per_visit_results(tmp_path):
    source = tmp_path / "visits.csv"
    source.write_text(HEADER + f"a,0,{START},0,,\na,3,maybe,,,,,,\nb,0,true,,,,,,\n")
    links, visits = tmp_path / "links.csv", tmp_path / "results.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "core",
            "progression",
            str(source),
            "--out",
            str(links),
            "--visits-out",
            str(visits),
            "--min-count",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "row 2 (case_id a): red_flags:" in result.stdout
    assert list(pd.read_csv(links).columns) == list(LINK_COLUMNS)
    assert len(pd.read_csv(visits)) == 3


def test_per_visit_csv_neutralises_formulas_from_the_file(tmp_path):
    source = tmp_path / "visits.csv"
    source.write_text(HEADER + f"=HYPERLINK(1),0,{START},0,,\n")
    out = tmp_path / "results.csv"
    result = subprocess.run(
        [sys.executable, "-m", "core", "progression", str(source), "--visits-out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert pd.read_csv(out)["case_id"].tolist() == ["'=HYPERLINK(1)"]


def test_progression_command_exits_2_on_an_unreadable_file(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "core", "progression", str(tmp_path / "none.csv")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr and "file not found" in result.stderr
