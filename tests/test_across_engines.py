"""`compare-cohort` on every engine: the same cross-tab and cases file from pandas, DuckDB and Spark, counts that
add up to the good rows, bad rows reported as `cohort` reports them, CSV and Parquet."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from core.analyses.across_pathways import result_under
from core.analyses.cohort_across import CASES_COLUMNS, CROSSTAB_COLUMNS
from core.engine.guideline import load_guideline
from core.engine.packs import resolve_pack
from core.sql import across_engines
from core.sql.across_engines import run_compare_cohort_file
from core.sql.cohort_engines import EngineOptions

ROOT = Path(__file__).resolve().parent.parent
PAIR = ("neck-upper-back-pain-after-lumbar-fusion", "cervical-myelopathy")
A, B = (load_guideline(resolve_pack(p)) for p in PAIR)
# Bad under both (b), under A only (c: motor grade; i: PT longer than care), under B only (d: mJOA); a row with
# nothing known (f), one outside both scopes (g), an id a spreadsheet would run (=h), a column neither reads (site).
MIXED = (
    "case_id,region,red_flags,mri_finding,motor_grade_mrc,weeks_conservative,pt_weeks,mjoa_score,gait_disturbance,"
    "myelopathy_signs,proposed,site\n"
    "a,cervical,false,cord_compression,,,,11,true,true,,north\n"
    "b,cervical,maybe,,,,,,,,,south\n"
    "c,cervical,false,normal,9,4,,,,,,\n"
    "d,cervical,false,,,,,40,,,,\n"
    'e,cervical,false,nerve_root_compression,4,30,10,,,false,"fusion; decompression",west\n'
    "f,,,,,,,,,,,\n"
    "g,lumbar,false,degenerative_only,3,12,12,15,false,false,,east\n"
    "=h,cervical,false,normal,5,8,6,16,false,false,,\n"
    "i,cervical,false,normal,5,4,6,,,,,\n"
    "j,cervical,false,cord_compression,5,8,6,17,false,true,,\n"
)
BAD = {"b", "c", "d", "i"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    source = tmp_path / "mixed.csv"
    source.write_text(MIXED)
    return source


def outputs(source: Path, engine: str, chunk_rows: int = 3) -> tuple:
    """(cross-tab rows, cases file, rows, good, discordant, bad rows listed) of one engine; DuckDB reads the file
    in batches of `chunk_rows` rows."""
    cases = source.parent / f"cases_{engine}.csv"
    counts = run_compare_cohort_file(str(source), A, B, EngineOptions(engine=engine, chunk_rows=chunk_rows), str(cases))
    listed = [b.model_dump() for b in counts.bad]
    return counts.crosstab.to_dict("records"), cases.read_bytes(), counts.rows, counts.good, counts.discordant, listed


def test_duckdb_gives_the_same_crosstab_cases_file_and_counts_as_pandas_over_batches(mixed: Path):
    pandas_out, duck_out = outputs(mixed, "pandas"), outputs(mixed, "duckdb")
    assert duck_out == pandas_out
    cases = pd.read_csv(mixed.parent / "cases_duckdb.csv", dtype=str, keep_default_na=False)
    assert list(cases.columns) == CASES_COLUMNS and len(cases) == 10  # rows in = rows out
    assert "'=h" in cases["case_id"].tolist()  # a formula neutralised on every engine


def test_the_command_on_duckdb_counts_the_good_rows_as_a_row_by_row_walk_does(mixed: Path):
    out, cases_out = mixed.parent / "crosstab.csv", mixed.parent / "cases.csv"
    result = run(
        "compare-cohort", str(mixed), "--pathways", ",".join(PAIR), "--out", str(out), "--cases-out", str(cases_out),
        "--engine", "duckdb", "--memory-limit", "256MB",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    crosstab = pd.read_csv(out, dtype={"cases": int})
    assert list(crosstab.columns) == CROSSTAB_COLUMNS
    assert set(crosstab["pathway_a"]) == {PAIR[0]} and set(crosstab["pathway_b"]) == {PAIR[1]}
    frame = pd.read_csv(mixed, dtype=str, keep_default_na=False)
    expected: dict[tuple[str, str], int] = {}
    for row in frame.to_dict("records"):
        if row["case_id"] in BAD:
            continue
        # `compare`'s one case under each pathway: its own fields and list items, the rest set aside.
        pair = tuple(result_under({k: v for k, v in row.items() if v}, g).disposition_class for g in (A, B))
        expected[pair] = expected.get(pair, 0) + 1  # type: ignore[index]
    got = {(r.class_a, r.class_b): r.cases for r in crosstab.itertuples()}
    assert got == expected and sum(got.values()) == len(frame) - len(BAD)
    cases = pd.read_csv(cases_out, dtype=str)
    assert cases.loc[cases["error"].notna(), "case_id"].tolist() == ["b", "c", "d", "i"]
    assert cases.loc[cases["error"].notna(), "class_a"].isna().all()


def test_bad_rows_are_listed_with_their_row_id_and_each_pathways_reason(mixed: Path):
    result = run(
        "compare-cohort", str(mixed), "--pathways", ",".join(PAIR), "--out", str(mixed.parent / "x.csv"),
        "--engine", "duckdb",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "10 rows; 6 evaluated under both pathways, 4 bad" in result.stdout
    assert f"row 3 (case_id c): {PAIR[0]}: motor_grade_mrc" in result.stdout
    assert f"row 4 (case_id d): {PAIR[1]}: mjoa_score" in result.stdout
    assert f"row 9 (case_id i): {PAIR[0]}: pt_weeks" in result.stdout
    assert "Traceback" not in result.stderr


def test_parquet_input_gives_both_engines_the_csv_files_answers(mixed: Path):
    source = mixed.parent / "mixed.parquet"
    pq.write_table(pa_csv.read_csv(mixed), source)  # typed columns: numbers, true/false, text
    from_pandas, from_duckdb = outputs(source, "pandas"), outputs(source, "duckdb")
    assert from_duckdb == from_pandas
    got = pd.read_csv(mixed.parent / "cases_duckdb.csv", dtype=str)
    outputs(mixed, "pandas")
    want = pd.read_csv(mixed.parent / "cases_pandas.csv", dtype=str)
    assert got.drop(columns="error").equals(want.drop(columns="error"))
    assert got["error"].notna().tolist() == want["error"].notna().tolist()


def test_auto_runs_on_duckdb_for_a_file_over_cohorts_threshold(mixed: Path, monkeypatch):
    monkeypatch.setattr("core.sql.cohort_engines.AUTO_DUCKDB_BYTES", 0)
    seen = []
    on_duckdb = across_engines._on_duckdb
    monkeypatch.setattr(across_engines, "_on_duckdb", lambda *args: seen.append(1) or on_duckdb(*args))
    counts = run_compare_cohort_file(str(mixed), A, B, EngineOptions(engine="auto"))
    assert seen and counts.good == 6
