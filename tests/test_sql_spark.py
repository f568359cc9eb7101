"""Spark SQL (local mode) runs the compiled pathway with `evaluate_frame`'s results, row for row, and the compiled
courses with the pandas path's.

One SparkSession for the module (starting the JVM costs most of the time), small data.
"""

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.analyses.frame import RESULT_COLUMNS, cases_frame, evaluate_frame
from core.analyses.grid import verification_grid
from core.analyses.progression import read_visits
from core.engine.evaluate import next_milestone
from core.engine.guideline import load_guideline
from core.sql.cohort_engines import EngineOptions, run_cohort_file
from core.sql.compile import pathway_sql
from core.sql.engines import ROW_COLUMN, spark_session, typed_table
from tests.strategies import any_case
from tests.test_across_engines import MIXED as MIXED_ACROSS
from tests.test_across_engines import outputs
from tests.test_sql_cohort import MIXED
from tests.test_sql_courses import EDGES, HEADER, assert_same_on

pytest.importorskip("pyspark", reason="pyspark is installed by scripts/test.sh (requirements-test.txt)")
# One worker runs every Spark test, so the JVM starts once (scripts/test.sh distributes by xdist_group).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]
G = load_guideline()
FIELDS = G.decision_fields  # the scope field too: the compiled SQL reads it


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[1]")
    yield session
    session.stop()


def plain(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series.astype(object)]


def assert_spark_same_as_frame(spark, frame: pd.DataFrame) -> None:
    spark.createDataFrame(typed_table(frame, FIELDS)).createOrReplaceTempView("cases")
    got = spark.sql(pathway_sql("spark", G, pretty=False)).orderBy(ROW_COLUMN).toArrow().to_pandas()
    expected = evaluate_frame(frame, G)
    for column in RESULT_COLUMNS:
        assert plain(got[column]) == plain(expected[column]), column
    weeks = plain(frame["weeks_conservative"])
    assert plain(got["next_milestone_week"]) == [
        next_milestone(G, w) if d == "conservative_care" else None
        for d, w in zip(expected["disposition"], weeks, strict=False)
    ]


# Planning the compiled pathway is most of a Spark job's time, so one job takes a sample of the grid (DuckDB runs the
# whole grid on the same compiled text, test_sql_compile.py: Spark is checked for its dialect) and the drawn cases.
@settings(max_examples=1, deadline=None)
@given(st.lists(any_case(), min_size=200, max_size=300))
def test_spark_equals_evaluate_frame_on_a_grid_sample_and_any_cases(spark, cases):
    assert_spark_same_as_frame(spark, cases_frame(verification_grid(G)[::20] + cases, FIELDS))


def test_cohort_with_the_spark_engine_writes_the_same_file_and_summary_as_pandas(spark, tmp_path: Path):
    source = tmp_path / "mixed.csv"
    source.write_text(MIXED)
    outputs = []
    for engine in ("pandas", "spark"):
        summary = run_cohort_file(str(source), str(tmp_path / f"{engine}.csv"), EngineOptions(engine=engine))
        outputs.append((summary, (tmp_path / f"{engine}.csv").read_bytes()))
    assert outputs[0] == outputs[1]


def test_courses_on_spark_equal_the_pandas_path_visit_for_visit(spark):
    # every kind of visit row (carried, unknown, ties, bad cells, pt_weeks rules, a course with no good row)
    assert_same_on("spark", read_visits((HEADER + EDGES).encode(), "csv", "visits.csv"))


def test_compare_cohort_on_spark_gives_the_same_crosstab_cases_file_and_counts_as_pandas(spark, tmp_path: Path):
    source = tmp_path / "mixed.csv"
    source.write_text(MIXED_ACROSS)
    assert outputs(source, "spark") == outputs(source, "pandas")
