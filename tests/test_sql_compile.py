"""The pathway compiled to SQL decides exactly like `evaluate_frame`, on DuckDB, and its text is valid in each
dialect."""

import functools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.analyses.frame import RESULT_COLUMNS, cases_frame, evaluate_frame
from core.analyses.grid import verification_grid
from core.engine.evaluate import evaluate_case, next_milestone
from core.engine.guideline import load_guideline
from core.errors import PathwayError
from core.sql.compile import DIALECTS, LAYERED_DIALECTS, SqlLogic, pathway_select, pathway_sql
from core.sql.engines import duckdb_connection, duckdb_decider, typed_table
from core.sql.export import export_sql_text
from tests.strategies import any_case

ROOT = Path(__file__).resolve().parent.parent
G = load_guideline()
FIELDS = G.decision_fields


@pytest.fixture(scope="module")
def con():
    connection = duckdb_connection("500MB")
    yield connection
    connection.close()


@functools.cache
def query(layered: bool = True) -> str:
    """The layered query (DuckDB, BigQuery, Snowflake) or the flat one (Spark, Postgres), run here on DuckDB."""
    return pathway_select(G, layered=layered).sql(dialect="duckdb")


def sql_results(con, frame: pd.DataFrame, layered: bool = True) -> pd.DataFrame:
    """The query's own output (every SQL result column, before any conversion to evaluate_frame's dtypes)."""
    con.register("cases", typed_table(frame, FIELDS))
    try:
        return con.sql(query(layered)).df()
    finally:
        con.unregister("cases")


def plain(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.astype(object)]


def assert_same_as_frame(con, frame: pd.DataFrame, layered: bool = True) -> None:
    expected = evaluate_frame(frame, G)
    got = sql_results(con, frame, layered)
    for column in RESULT_COLUMNS:
        assert plain(got[column]) == plain(expected[column]), column
    weeks = plain(frame["weeks_conservative"]) if "weeks_conservative" in frame else [None] * len(frame)
    milestone = [
        next_milestone(G, w) if d == "conservative_care" else None
        for d, w in zip(expected["disposition"], weeks, strict=False)
    ]
    assert plain(got["next_milestone_week"]) == milestone


@pytest.fixture(scope="module")
def grid_frame():
    return cases_frame(verification_grid(G), FIELDS)


@pytest.mark.parametrize("layered", [True, False], ids=["layered", "flat"])
def test_duckdb_equals_evaluate_frame_on_the_whole_verification_grid(con, grid_frame, layered):
    # unknowns in every column (`proposed` is never unknown: absent means nothing proposed)
    assert len(grid_frame) > 1000 and grid_frame.drop(columns="proposed").isna().any().all()
    assert_same_as_frame(con, grid_frame, layered)


def test_the_grid_reaches_every_outcome_the_sql_can_give(con, grid_frame):
    got = sql_results(con, grid_frame)
    # The grid splits on what the rules read; the scope gate (region) has its own tests.
    assert set(got["disposition"]) == {d.id for d in G.pathway.dispositions} - {G.scope_disposition.id}
    assert set(got["phase"].dropna()) == {ph.id for ph in G.pathway.phases}
    assert set(got["deciding_rule"]) == {r.id for r in G.pathway.rules}
    assert {w for text in got["warnings"] for w in text.split(";") if w} == {w.id for w in G.pathway.warnings}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(any_case(), min_size=1, max_size=60))
def test_duckdb_equals_evaluate_frame_on_any_cases(con, cases):
    assert_same_as_frame(con, cases_frame(cases, FIELDS))


def test_the_decider_gives_evaluate_frames_shape_and_values(con, grid_frame):
    pd.testing.assert_frame_equal(
        duckdb_decider(con)(grid_frame, G), evaluate_frame(grid_frame, G), check_categorical=False
    )


def test_every_column_of_the_table_comes_first_then_the_results_in_order(con):
    table = typed_table(cases_frame([{"red_flags": True}, {}], FIELDS), FIELDS).append_column(
        "site", [["north", "south"]]
    )
    con.register("cases", table)
    try:
        got = con.sql(query()).df()
    finally:
        con.unregister("cases")
    assert list(got.columns) == [
        *FIELDS,
        "__row",
        "site",
        "disposition",
        "urgent",
        "deciding_rule",
        "missing",
        "phase",
        "warnings",
        "next_milestone_week",
    ]
    assert got["site"].tolist() == ["north", "south"]
    assert got["disposition"].tolist() == ["outside_pathway", "needs_information"]
    assert got["missing"].iat[1] == ";".join(evaluate_case({}).missing)


def test_an_unknown_rule_ahead_blocks_and_names_its_fields_even_when_a_later_rule_holds(con):
    frame = cases_frame([{"mri_finding": "cord_compression"}], FIELDS)
    got = sql_results(con, frame)
    assert got["disposition"].iat[0] == "needs_information" and got["deciding_rule"].iat[0] == "R1_red_flags"
    # Both outcomes still possible (red flags, cord compression) are urgent, so the blocked case is urgent.
    assert got["missing"].iat[0] == "red_flags" and got["urgent"].iat[0]


def test_proposed_items_match_exactly_with_spaces_ignored(con):
    frame = cases_frame(
        [
            {
                "red_flags": False,
                "mri_finding": "normal",
                "motor_deficit_progressive": False,
                "deformity_progressive": False,
                "weeks_conservative": 2,
                "pt_weeks": 1,
            }
        ]
        * 3,
        FIELDS,
    )
    frame["proposed"] = pd.array(["fusion ; cervical_manipulation", "fusionx", None], dtype="str")
    got = sql_results(con, frame)
    assert got["warnings"].tolist() == ["skipped_physical_therapy;imaging_only_indication;avoid_manipulation", "", ""]


def test_each_rule_truth_is_an_explicit_case_and_no_optimiser_touched_it():
    cases = list(pathway_select(G).find_all(sqlglot.exp.Case))
    for rule in (r for r in G.pathway.rules if r.when is not None):
        written = SqlLogic(sqlglot.exp.column).truth(rule.when)
        assert written.sql().startswith("CASE WHEN ") and " ELSE NULL END" in written.sql()
        assert any(node == written for node in cases), rule.id


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialects_text_parses_back_to_the_same_select(dialect):
    text = pathway_sql(dialect, G)
    tree = sqlglot.parse_one(text, read=dialect)
    assert isinstance(tree, sqlglot.exp.Select) and isinstance(tree.selects[0], sqlglot.exp.Star)
    helpers = tree.selects[0].args.get("except_") or []
    assert ("layered" if helpers else "flat") == ("layered" if dialect in LAYERED_DIALECTS else "flat")
    assert [s.alias_or_name for s in tree.selects][1:] == [
        "disposition",
        "urgent",
        "deciding_rule",
        "missing",
        "phase",
        "warnings",
        "next_milestone_week",
    ]


def test_export_sql_prints_the_notice_the_table_and_a_query_duckdb_runs(con, tmp_path):
    text = export_sql_text("duckdb", "visits", G)
    assert text.startswith("-- Educational decision support, not a medical device")
    assert "-- CREATE TABLE visits (" in text and "--   weeks_conservative INT" in text
    con.register("visits", typed_table(cases_frame([{"red_flags": True}], FIELDS), FIELDS))
    try:
        assert con.sql(text.rstrip().rstrip(";")).df()["disposition"].tolist() == ["outside_pathway"]
    finally:
        con.unregister("visits")


def test_export_sql_command_and_its_errors():
    done = subprocess.run(
        [sys.executable, "-m", "core", "export-sql", "--dialect", "spark", "--table", "db.cases"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "FROM db.cases" in done.stdout and "STRING" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "core", "export-sql", "--table", "a b c ("],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: --table:") and "Traceback" not in bad.stderr


def test_an_unknown_dialect_is_a_named_problem():
    with pytest.raises(PathwayError, match="unknown dialect 'oracle'"):
        pathway_sql("oracle", G)


def test_sql_libraries_are_not_loaded_by_the_command_line_or_the_cohort_module():
    code = (
        "import sys, core.cli, core.analyses.cohort; "
        "print(sorted(m for m in ('sqlglot', 'duckdb', 'pyspark') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr


def test_typed_table_fills_absent_fields_with_typed_nulls():
    table = typed_table(pd.DataFrame({"red_flags": pd.array([True], dtype="boolean")}), FIELDS)
    assert table.column("pt_weeks").null_count == 1 and str(table.column("pt_weeks").type) == "int32"
    assert np.array_equal(table.column("__row").to_numpy(), [0])
