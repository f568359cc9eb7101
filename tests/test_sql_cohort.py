"""`cohort --engine duckdb` gives the same results file and summary as today's pandas command, rows in = rows out."""

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.errors import PathwayError
from core.sql import cohort_engines
from core.sql.cohort_engines import EngineOptions, chosen_engine, run_cohort_file
from tools.synthetic import synthetic_cases

ROOT = Path(__file__).resolve().parent.parent
MIXED = (
    "case_id,red_flags,mri_finding,motor_grade_mrc,weeks_conservative,pt_weeks,proposed,site,disposition\n"
    "a,false,cord_compression,,,,,north,x\n"
    "b,maybe,scan,9,,,,south,\n"
    "c,false,normal,5,4,6,fusion;surgery,,\n"
    'd,,,,,,," quoted, with comma",\n'
    'e,no,nerve_root_compression,4,30,10,"fusion; decompression",west,\n'
    "f,false,not_done,,2,1,cervical_manipulation,,\n"
    "g,unknown,degenerative_only,3.0,12,12,,east,\n"
)


def both_engines(tmp_path: Path, source: Path, suffix: str = ".csv", chunk_rows: int = 2):
    """(summary, output path) from the pandas engine and from DuckDB in chunks of `chunk_rows` rows."""
    results = []
    for engine in ("pandas", "duckdb"):
        out = tmp_path / f"out_{engine}{suffix}"
        summary = run_cohort_file(str(source), str(out), EngineOptions(engine=engine, chunk_rows=chunk_rows))
        results.append((summary, out))
    return results


def test_duckdb_writes_the_same_file_and_summary_as_pandas_for_a_mixed_file_in_chunks(tmp_path):
    source = tmp_path / "mixed.csv"
    source.write_text(MIXED)
    (pandas_summary, pandas_out), (duck_summary, duck_out) = both_engines(tmp_path, source)
    assert duck_out.read_bytes() == pandas_out.read_bytes()
    assert duck_summary == pandas_summary
    assert duck_summary.rows == 7 and duck_summary.bad_rows == 2 and [b.row for b in duck_summary.bad] == [2, 3]


def test_a_ragged_file_is_read_again_by_the_usual_reader_and_reported_the_same(tmp_path):
    source = tmp_path / "ragged.csv"
    source.write_text("case_id,red_flags\na,true\nb\nc,false,extra\nd,false\n")
    (pandas_summary, pandas_out), (duck_summary, duck_out) = both_engines(tmp_path, source)
    assert duck_out.read_bytes() == pandas_out.read_bytes() and duck_summary == pandas_summary
    assert [b.error for b in duck_summary.bad] == [
        "the row has 1 cell but the header has 2",
        "the row has 3 cells but the header has 2",
    ]


def test_a_header_only_file_gives_a_header_only_result(tmp_path):
    source = tmp_path / "empty.csv"
    source.write_text("case_id,red_flags\n")
    (pandas_summary, pandas_out), (duck_summary, duck_out) = both_engines(tmp_path, source)
    assert duck_out.read_bytes() == pandas_out.read_bytes() and duck_summary.rows == 0 == pandas_summary.rows


def test_parquet_in_and_out_holds_the_same_rows_and_values(tmp_path):
    source = tmp_path / "cases.parquet"
    frame = synthetic_cases(500, seed=3)
    frame.loc[7, "motor_grade_mrc"] = 9  # one bad row
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), source)
    (pandas_summary, pandas_out), (duck_summary, duck_out) = both_engines(tmp_path, source, ".parquet", 64)
    assert duck_summary == pandas_summary and duck_summary.bad_rows == 1
    assert pq.read_table(duck_out).to_pylist() == pq.read_table(pandas_out).to_pylist()


def test_the_command_line_prints_the_same_summary_with_either_engine(tmp_path):
    source = tmp_path / "mixed.csv"
    source.write_text(MIXED)
    outputs = []
    for engine in ("pandas", "duckdb"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "core",
                "cohort",
                str(source),
                "--engine",
                engine,
                "--out",
                str(tmp_path / f"{engine}.csv"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout.replace(f"{engine}.csv", "OUT"))
    assert outputs[0] == outputs[1] and "2 bad" in outputs[0]
    assert (tmp_path / "pandas.csv").read_bytes() == (tmp_path / "duckdb.csv").read_bytes()


def test_auto_streams_large_files_through_duckdb_and_keeps_small_ones_in_pandas(tmp_path, monkeypatch):
    source = tmp_path / "small.csv"
    source.write_text(MIXED)
    assert chosen_engine("auto", source) == "pandas" and chosen_engine("spark", source) == "spark"
    monkeypatch.setattr(cohort_engines, "AUTO_DUCKDB_BYTES", 10)
    assert chosen_engine("auto", source) == "duckdb"


def test_errors_name_the_problem_as_the_pandas_engine_does(tmp_path):
    for engine in ("pandas", "duckdb"):
        with pytest.raises(PathwayError, match="file not found"):
            run_cohort_file(str(tmp_path / "absent.csv"), None, EngineOptions(engine=engine))
    source = tmp_path / "nofields.csv"
    source.write_text("a,b\n1,2\n")
    with pytest.raises(PathwayError, match="no column is a case field"):
        run_cohort_file(str(source), None, EngineOptions(engine="duckdb"))
    source.write_text(MIXED)
    with pytest.raises(PathwayError) as info:
        run_cohort_file(str(source), None, EngineOptions(engine="duckdb", memory_limit="lots"))
    assert info.value.problems[0].field == "--memory-limit"


def test_spark_without_pyspark_says_how_to_install_it(tmp_path, monkeypatch):
    source = tmp_path / "mixed.csv"
    source.write_text(MIXED)
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(PathwayError) as info:
        run_cohort_file(str(source), None, EngineOptions(engine="spark"))
    assert "pip install pyspark==" in info.value.problems[0].message
