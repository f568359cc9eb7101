"""Courses of care compiled to SQL (issue 13, item 2): on DuckDB, every visit's results and state, every course's
milestone states and the progression links equal the pandas path's, row for row, and bad rows are reported the
same way; the exported course queries parse in every dialect and run as printed."""

import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.analyses.course import parse_course
from core.analyses.progression import LINK_COLUMNS, check_visits, read_visits
from core.cli import main
from core.engine.case import CHOICES, INT_FIELDS
from core.engine.guideline import load_guideline
from core.errors import PathwayError
from core.sql import cohort_engines, course_engines
from core.sql.cohort_engines import EngineOptions
from core.sql.compile import DIALECTS
from core.sql.course_engines import progression_on, run_progression_file, stated_visits
from core.sql.courses import CLEARED, COURSE_QUERIES, PACK, carried_fields, course_select, course_sql
from core.sql.export import export_course_sql_text
from tests.course_strategies import any_course, visits_csv
from tools.synthetic_visits import synthetic_visits

ROOT = Path(__file__).resolve().parent.parent
G = load_guideline()
OPTIONS = EngineOptions(memory_limit="500MB")
HEADER = (
    "case_id,week,red_flags,mri_finding,motor_deficit_progressive,deformity_progressive,pt_weeks,conservative_failed,"
)
HEADER += "proposed\n"
START = "false,nerve_root_compression,false,false"
# Every kind of row the course rules treat apart, in one small file.
EDGES = (
    f"a,0,{START},0,,\n"
    "a,6,,,,,6,false,long_term_opioids\n"  # carried forward; proposed at this visit only
    "a,8,unknown,,,,,,\n"  # red flags unknown from here: needs information
    "a,9,false,,,,,,\n"  # restated
    f"b,6,true,,,,,,\nb,0,{START},0,,\nb,6,false,,,,,,\n"  # ties keep file order, rows out of week order
    "c,0,true,,,,,,\n"  # outside the pathway ends the course: no censoring at later milestones
    f"d,0,{START},0,,\nd,8,,,,,5,,\nd,9,,,,,7,,\nd,10,,,,,10,,\n"  # pt_weeks: grows too fast after a good row
    "e,x,,,,,,,\n"  # every row bad: reported, not counted
    ",4,,,,,,,\n"  # no case id
    f"f,0,{START},0,,surgery\n"  # a proposal that does not exist
    f"g,2,{START},3,true,unknown\n"  # unknown proposal: nothing proposed
    "g,30,,cord_compression,,,,,\n"
)


def as_table(text: str) -> pa.Table:
    return read_visits(text.encode(), "csv", "visits.csv")


def plain(frame: pd.DataFrame) -> dict[str, list]:
    """Column values with every missing value as None (category lists aside, which no output file shows)."""
    return {name: [None if pd.isna(v) else v for v in frame[name].astype(object)] for name in frame.columns}


def assert_same_on(engine: str, table: pa.Table, options: EngineOptions = OPTIONS):
    """The engine's progression and links equal the pandas path's; returns the pandas ones."""
    expected, expected_links = progression_on(table, "pandas", options, G)
    got, got_links = progression_on(table, engine, options, G)
    assert plain(got.visits) == plain(expected.visits)
    assert list(got.visits.columns) == list(expected.visits.columns)
    pd.testing.assert_frame_equal(got.courses, expected.courses)
    pd.testing.assert_frame_equal(got_links, expected_links)
    assert got.summary == expected.summary and got.milestone_weeks == expected.milestone_weeks
    return expected, expected_links


def test_duckdb_equals_pandas_on_every_kind_of_visit_row():
    expected, links = assert_same_on("duckdb", as_table(HEADER + EDGES))
    assert {b.field for b in expected.summary.bad} == {"week", "case_id", "pt_weeks", "proposed"}
    assert expected.summary.courses_without_visits == ["e", "f"]
    # the cases the file was written for, so the equality above covers them
    states = expected.visits["state"].tolist()
    assert states[2] == "needs_information" and states[4:7] == [
        "outside_pathway",
        "physical_therapy_and_medication",
        "physical_therapy_and_medication",
    ]
    assert expected.courses.set_index("case_id").loc["c", "week_26"] == "outside_pathway"
    assert links.groupby("from_week")["courses"].sum().tolist() == [expected.summary.courses] * 3


def test_duckdb_equals_pandas_on_synthetic_visits_with_bad_rows_and_unknowns():
    frame = synthetic_visits(400, 5, seed=11)
    frame.loc[3, "red_flags"] = "maybe"
    frame.loc[8, "week"] = "-1"
    frame.loc[13, "pt_weeks"] = "600"
    frame.loc[21, "case_id"] = " "
    frame.loc[[30, 31], "mri_finding"] = "unknown"
    frame["weeks_conservative"] = ""
    frame.loc[40, "weeks_conservative"] = "99"
    table = pa.Table.from_pandas(frame, preserve_index=False)
    expected, _ = assert_same_on("duckdb", table)
    assert expected.summary.bad_rows >= 5 and expected.summary.rows == 2000
    assert (stated_visits(check_visits(table), G).column("unknown_fields").null_count) < 2000  # unknowns sent


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(any_course(), min_size=1, max_size=12))
def test_duckdb_equals_pandas_on_any_courses(courses):
    assert_same_on("duckdb", read_visits(visits_csv(courses), "csv", "visits.csv"))


def test_a_header_only_file_gives_no_courses_on_either_engine():
    expected, links = assert_same_on("duckdb", as_table(HEADER))
    assert expected.summary.rows == 0 and links.empty


def test_progression_command_writes_the_same_files_and_text_with_either_engine(tmp_path, capsys):
    source = tmp_path / "visits.csv"
    source.write_text(HEADER + EDGES)
    outputs = []
    for engine in ("pandas", "duckdb"):
        links, visits = tmp_path / f"links_{engine}.csv", tmp_path / f"visits_{engine}.csv"
        arguments = ["progression", str(source), "--engine", engine, "--min-count", "2"]
        assert main([*arguments, "--out", str(links), "--visits-out", str(visits)]) == 0
        outputs.append((capsys.readouterr().out, links.read_bytes(), visits.read_bytes()))
    assert outputs[0] == outputs[1]
    assert "row 14: case_id: required" in outputs[0][0] and b"fewer than 2" in outputs[0][1]


def test_auto_sends_large_visits_files_to_duckdb(tmp_path, monkeypatch):
    source = tmp_path / "visits.csv"
    source.write_text(HEADER + EDGES)
    ran = []
    original = course_engines._on_duckdb
    monkeypatch.setattr(course_engines, "_on_duckdb", lambda *a: ran.append(1) or original(*a))
    run_progression_file(str(source), EngineOptions(engine="auto"))
    assert ran == []
    monkeypatch.setattr(cohort_engines, "AUTO_DUCKDB_BYTES", 10)
    run_progression_file(str(source), EngineOptions(engine="auto"))
    assert ran == [1]


def test_a_bad_memory_limit_is_named(tmp_path):
    with pytest.raises(PathwayError) as info:
        progression_on(as_table(HEADER + EDGES), "duckdb", EngineOptions(memory_limit="lots"), G)
    assert info.value.problems[0].field == "--memory-limit"


def test_the_course_queries_parse_back_in_every_dialect_postgres_included():
    # the links query holds every step (visits numbered, carried, decided; milestones; links)
    tree = course_select("links", G, table="warehouse.spine_visits")
    assert {"pathway_carried", "pathway_decided", "pathway_milestones"} <= {c.alias for c in tree.ctes}
    for dialect in DIALECTS:
        text = tree.sql(dialect=dialect)
        assert sqlglot.parse_one(text, read=dialect) is not None
        assert "IGNORE NULLS" not in text  # PostgreSQL has none: the carry-forward does without


def test_the_exported_links_query_runs_on_duckdb_as_printed_and_counts_like_pandas():
    table = as_table(HEADER + EDGES)
    _, expected = progression_on(table, "pandas", OPTIONS, G)
    con = duckdb.connect()
    con.register("clinic_visits", stated_visits(check_visits(table), G))
    text = export_course_sql_text("links", "duckdb", "clinic_visits", G)
    assert text.startswith("-- Educational decision support") and "CREATE TABLE clinic_visits" in text
    got = con.sql(text.rstrip().rstrip(";")).df().astype({"from_week": "int64", "to_week": "int64"})
    pd.testing.assert_frame_equal(got[list(LINK_COLUMNS)], expected)


def test_export_sql_prints_each_course_query_from_the_command_line(capsys):
    for query in COURSE_QUERIES:
        assert main(["export-sql", "--query", query, "--dialect", "spark"]) == 0
        text = capsys.readouterr().out
        assert "FROM visits" in text and "ROWS BETWEEN UNBOUNDED PRECEDING" in text
        assert ("week_26" in text) == (query != "visits") and ("from_state" in text) == (query == "links")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(any_course(), min_size=1, max_size=8))
def test_the_visits_query_carries_each_field_forward_as_a_course_does(courses):
    """The carried case at every visit is `parse_course`'s effective case (blank carried, null unknown from then on,
    proposed its visit's own, weeks_conservative the week)."""
    table = read_visits(visits_csv(courses), "csv", "visits.csv")
    con = duckdb.connect()
    con.register("visits", stated_visits(check_visits(table), G))
    got = con.sql(course_select("visits", G).sql(dialect="duckdb")).df()
    for n, course in enumerate(courses):
        rows = got[got["case_id"] == f"c{n}"]
        expected = parse_course(course).cases
        assert rows["visit"].tolist() == list(range(1, len(expected) + 1))
        for field in G.decision_fields:
            values = [None if pd.isna(v) else v for v in rows[field].astype(object)]
            wanted = [getattr(case, field) for case in expected]
            if field == "proposed":  # nothing proposed: an empty list in a case, empty text or NULL in SQL
                values, wanted = [v or None for v in values], [";".join(p) or None for p in wanted]
            assert values == wanted, (field, n)


def test_progression_on_spark_without_pyspark_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(PathwayError) as info:
        progression_on(as_table(HEADER + EDGES), "spark", OPTIONS, G)
    assert "pip install pyspark==" in info.value.problems[0].message


def test_exporting_for_bigquery_logs_no_warning_about_null_order(caplog):
    # the windows order by columns that are never NULL, so BigQuery's missing NULLS LAST changes nothing
    text = course_sql("links", "bigquery", G)
    assert "ROWS BETWEEN UNBOUNDED PRECEDING" in text and not caplog.records


def test_every_value_a_visit_can_carry_packs_below_the_cleared_code():
    # visit * PACK + code must keep the visit number apart from the value, and CLEARED apart from every value
    highest = [high for field, (_, high) in INT_FIELDS.items() if field in carried_fields(G)]
    highest += [len(CHOICES[f]) - 1 for f in carried_fields(G) if f in CHOICES]
    assert highest and max(highest) < CLEARED < PACK


def test_a_parquet_visits_file_with_typed_columns_gives_the_same_results(tmp_path):
    path = tmp_path / "visits.parquet"
    pq.write_table(
        pa.table(
            {
                "case_id": ["a", "a", "b", "a"],
                "week": [0, 6, 0, 30],
                "red_flags": [False, None, True, None],
                "mri_finding": ["normal", None, None, "cord_compression"],
                "pt_weeks": [0, 6, None, 7],
                "conservative_failed": [None, True, None, None],
                "site": ["north", "north", "south", None],  # carried through to the results
            }
        ),
        path,
    )
    expected, _ = assert_same_on("duckdb", read_visits(path))
    assert expected.visits["state"].tolist()[2:] == ["outside_pathway", "urgent_neurosurgical_referral"]
    assert plain(expected.visits)["site"] == ["north", "north", "south", None]
