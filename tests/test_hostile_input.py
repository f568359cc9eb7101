"""Hostile and broken input to the core and the CLI: each is a clear message naming the input and the reason
(exit 2 on the CLI), never a traceback; cohorts keep rows in = rows out; nothing a file supplies is run."""

import csv
import io
import json
import pathlib
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core import load_guideline
from core.analyses.cohort import evaluate_cohort, read_cohort, results_csv, results_parquet
from core.cli import main
from core.engine.case_params import apply_change_params, read_case_params
from core.engine.case_text import case_from_text
from core.errors import CaseError, DataError, PathwayError
from core.outputs.markdown_text import inert_markdown
from core.review.evidence import MAX_CHECKS, evidence_from_yaml
from core.safe_parse import MAX_NESTING, load_json
from tests.conftest import case as baseline_case

ROOT = Path(__file__).resolve().parent.parent
HUGE_NUMBERS = ["inf", "-Infinity", "1e400", "9" * 400, "NaN0", "1" * 5000]
BUSY = baseline_case(proposed=["fusion", "cervical_manipulation", "long_term_opioids"])
FORMULAS = ['=HYPERLINK("http://host/x", "open")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tx"]


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core", *args], capture_output=True, text=True, cwd=ROOT, input=stdin, timeout=120
    )


def assert_clean_refusal(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert all(w in result.stderr for w in words), result.stderr


# ---------------------------------------------------------------------------------------- huge numbers


@pytest.mark.parametrize("raw", HUGE_NUMBERS)
@pytest.mark.parametrize("field", ["weeks_conservative", "pt_weeks", "motor_grade_mrc"])
def test_an_infinite_or_huge_number_is_refused_naming_the_field(field, raw):
    with pytest.raises(CaseError) as caught:
        case_from_text({field: raw})
    assert caught.value.problems[0].field == field
    assert "whole number" in caught.value.problems[0].message
    assert len(str(caught.value)) < 200  # a 5,000-digit value is quoted cut short


@pytest.mark.parametrize("raw", HUGE_NUMBERS)
def test_a_link_or_a_compare_link_with_a_huge_number_costs_only_that_parameter(raw):
    text, problems = read_case_params({"weeks_conservative": raw, "red_flags": "false"})
    assert text == {"red_flags": "false"} and [p.field for p in problems] == ["weeks_conservative"]
    changed, problems = apply_change_params(text, {"vs.motor_grade_mrc": raw})
    assert changed == text and [p.field for p in problems] == ["motor_grade_mrc"]


def test_a_cohort_cell_holding_inf_is_one_bad_row_and_the_cli_does_not_crash(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("case_id,weeks_conservative,red_flags\na,inf,false\nb,3,false\nc,1e400,true\nd,-Infinity,\n")
    result = evaluate_cohort(read_cohort(path))
    assert len(result.results) == 4 and result.summary.bad_rows == 3
    assert result.results["error"].iloc[0].startswith("weeks_conservative: expected a whole number")
    run = cli("cohort", str(path), "--out", str(tmp_path / "out.csv"))
    assert run.returncode == 0 and "Traceback" not in run.stderr and "3 bad" in run.stdout


def test_a_parquet_cohort_with_infinite_floats_is_rows_in_rows_out(tmp_path):
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"weeks_conservative": [float("inf"), 4.0, float("-inf")]}), path)
    result = evaluate_cohort(read_cohort(path))
    assert len(result.results) == 3 and result.summary.bad_rows == 2


# ------------------------------------------------------------------------------------ parquet column types


def parquet(tmp_path: Path, **columns: pa.Array) -> Path:
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"case_id": ["a", "b"], "red_flags": ["false", "true"], **columns}), path)
    return path


OTHER_COLUMNS = {
    "struct": pa.array([{"x": 1}, {"x": 2}]),
    "binary": pa.array([b"\xff\x00", b"zz"]),
    "list": pa.array([[1, 2], [3]], pa.list_(pa.int64())),
    "map": pa.array([[("k", 1)], []], pa.map_(pa.string(), pa.int64())),
}


@pytest.mark.parametrize("kind", OTHER_COLUMNS)
def test_a_parquet_column_of_any_type_is_carried_through_and_written_as_csv(tmp_path, kind):
    path = parquet(tmp_path, extra=OTHER_COLUMNS[kind])
    result = evaluate_cohort(read_cohort(path))
    assert result.summary.rows == 2 and result.summary.evaluated == 2
    rows = list(csv.DictReader(io.StringIO(results_csv(result.results).decode())))
    assert len(rows) == 2 and rows[1]["disposition"] == "outside_pathway" and rows[0]["extra"]
    out = tmp_path / "out.csv"
    run = cli("cohort", str(path), "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert len(list(csv.DictReader(out.open()))) == 2


def test_a_list_of_numbers_in_proposed_is_a_bad_row_not_a_crash(tmp_path):
    path = parquet(tmp_path, proposed=pa.array([[1], []], pa.list_(pa.int64())))
    result = evaluate_cohort(read_cohort(path))
    assert result.summary.rows == 2 and result.summary.bad_rows == 1
    assert "proposed: unknown value '1'" in result.results["error"].iloc[0]


def test_a_case_field_holding_structs_is_refused_naming_the_column(tmp_path):
    path = tmp_path / "c.parquet"
    pq.write_table(pa.table({"red_flags": pa.array([{"x": 1}])}), path)
    assert_clean_refusal(cli("cohort", str(path)), "red_flags", "struct")


# ------------------------------------------------------------------------------------------- deep nesting


def test_a_deeply_nested_yaml_evidence_file_is_refused_naming_it(tmp_path):
    deep = tmp_path / "deep.yaml"
    deep.write_text("checks: " + "[" * 5000 + "]" * 5000)  # 10 KB
    with pytest.raises(DataError, match="nested more than"):
        evidence_from_yaml(deep.read_bytes(), load_guideline(), filename="deep.yaml")
    case = tmp_path / "case.json"
    case.write_text("{}")
    assert_clean_refusal(cli("report", str(case), "--evidence", str(deep)), "deep.yaml", "nested more than")


def test_a_deeply_nested_json_case_is_refused_naming_it(tmp_path):
    case = tmp_path / "deep.json"
    case.write_text('{"red_flags": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert_clean_refusal(cli("evaluate", str(case)), "deep.json", "nested too deeply")


def test_honest_nesting_is_well_within_the_limit():
    assert MAX_NESTING >= 20
    assert load_json(json.dumps({"a": [[[[{"b": 1}]]]]}), "x") == {"a": [[[[{"b": 1}]]]]}


# ------------------------------------------------------------------------------------------- CLI paths


def test_a_directory_named_like_a_csv_is_reported_as_a_directory(tmp_path):
    (tmp_path / "d.csv").mkdir()
    assert_clean_refusal(cli("cohort", str(tmp_path / "d.csv")), "d.csv", "is a directory")


def test_a_cohort_file_without_read_permission_is_named(tmp_path, monkeypatch, capsys):
    path = tmp_path / "locked.csv"
    path.write_text("red_flags\ntrue\n")
    path.chmod(0)
    opened = pathlib.Path.open

    def refuse(self, *args, **kwargs):  # root reads anything: refuse as the kernel would for anyone else
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", refuse)
    assert main(["cohort", str(path)]) == 2
    assert "locked.csv: cannot read: no permission to read it" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["validate", "audit", "verify", "version"])
def test_data_pointing_at_a_file_is_refused(tmp_path, command):
    file = tmp_path / "manifest.yaml"
    file.write_text("x: 1\n")
    assert_clean_refusal(cli(command, "--data", str(file)), "--data", "is a file")


# ------------------------------------------------------------------------------------ duplicate JSON keys


def test_a_repeated_json_key_is_refused_naming_the_key():
    run = cli("evaluate", "-", stdin='{"red_flags": true, "red_flags": false}')
    assert_clean_refusal(run, "red_flags", "more than once")
    with pytest.raises(PathwayError, match="mri_finding"):
        load_json('{"a": {"mri_finding": "normal", "mri_finding": "not_done"}}', "upload")


# ----------------------------------------------------------------------------- formulas and markup in output


def test_formula_cells_are_neutralised_in_the_download_and_in_cli_out(tmp_path):
    path = tmp_path / "c.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["case_id", "red_flags", "site"])
        writer.writerows([[f, "false", f] for f in FORMULAS])
    result = evaluate_cohort(read_cohort(path))
    for text in (results_csv(result.results).decode(),):
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["case_id"] for r in rows] == ["'" + f for f in FORMULAS]
        assert [r["site"] for r in rows] == ["'" + f for f in FORMULAS]
    out = tmp_path / "out.csv"
    assert cli("cohort", str(path), "--out", str(out)).returncode == 0
    rows = list(csv.DictReader(out.open(newline="")))
    assert all(r["case_id"][0] == "'" for r in rows) and all(r["urgent"] == "false" for r in rows)


def test_plain_numbers_and_lone_signs_are_written_as_they_are(tmp_path):
    path = tmp_path / "c.csv"
    numbers = ["-1.5", "+3", "-", "1e-3", ".5"]
    path.write_text("case_id,red_flags,score\n" + "".join(f"c{n},false,{v}\n" for n, v in enumerate(numbers)))
    result = evaluate_cohort(read_cohort(path))
    written = pd.read_csv(io.BytesIO(results_csv(result.results)), na_values=["-"])
    assert written["score"].dtype == float and written["score"].tolist()[:2] == [-1.5, 3.0]
    assert [r["score"] for r in csv.DictReader(io.StringIO(results_csv(result.results).decode()))] == numbers
    assert pq.read_table(io.BytesIO(results_parquet(result.results))).column("score").to_pylist() == numbers


def test_the_markdown_report_shows_evidence_sources_as_text(tmp_path):
    g = load_guideline()
    statement = "conservative_minimum_6_weeks"
    assert statement in g.statements_by_id
    evidence = tmp_path / "evidence.yaml"
    evidence.write_text(
        f"checks:\n  {statement}:\n    - source: '<script>alert(1)</script> <img src=x onerror=alert(2)> "
        "![t](http://host/t.png)'\n      kind: rct\n      verdict: disagrees\n      note: n\n"
    )
    case = tmp_path / "case.json"
    case.write_text(json.dumps(BUSY))
    run = cli("report", str(case), "--evidence", str(evidence))
    assert run.returncode == 0, run.stderr
    assert "Disputed" in run.stdout
    assert "<script" not in run.stdout and "<img" not in run.stdout
    assert not re.search(r"(?<!\\)\]\(http", run.stdout)
    assert "&lt;script>alert(1)&lt;/script>" in run.stdout


@pytest.mark.parametrize(
    "text",
    [
        "![x](http://host/t.png)",
        "[Session expired - click to log in](http://host)",
        "<img src=x onerror=alert(1)>",
        "http://host/a",
        "www.host.example",
        "a@host.example",
        "# big",
        "1. list",
        "**bold** _em_ ~~gone~~ $x$",
    ],
)
def test_inert_markdown_leaves_nothing_a_renderer_would_act_on(text):
    out = inert_markdown(text)
    assert not re.search(r"(?<!\\)\]\(|://|\w@|www\.", out, re.I) and "<" not in out
    assert not out.startswith(("#", "1.", "*", "_")) and "**" not in out and "~~" not in out


def test_inert_markdown_keeps_ordinary_messages_readable():
    message = "Weakest MRC grade: input should be less than or equal to 5 (got 9); ignored, motor_grade_mrc (8 > 4)"
    assert inert_markdown(message) == message


# ------------------------------------------------------------------------------------ evidence upload bound


def test_an_evidence_file_with_too_many_checks_is_refused_quickly_by_count():
    g = load_guideline()
    statement = g.statements[0].id
    check = (
        "    - source: source {n}\n      year: 2020\n      kind: rct\n      verdict: agrees\n"
        "      note: a note in words\n"
    )
    text = f"checks:\n  {statement}:\n" + "".join(check.format(n=n) for n in range(9_000))
    assert 900_000 < len(text) < 1_000_000
    started = time.perf_counter()
    with pytest.raises(DataError, match=f"more than {MAX_CHECKS:,} checks"):
        evidence_from_yaml(text, g, filename="big.yaml")
    assert time.perf_counter() - started < 8  # 27 s before the bound (on a loaded 2-core machine)


# ----------------------------------------------------------------------------------------- ragged rows


def test_ragged_rows_in_a_large_file_keep_their_place_without_the_slow_path(tmp_path, monkeypatch):
    import core.analyses.cohort as cohort

    rows = 120_000  # several of pyarrow's read blocks
    lines = ["case_id,red_flags,site"] + [f"c{n},false,s" for n in range(rows)]
    lines[10] = 'c9,false,"two, parts"'  # a quoted comma before a ragged row must not shift it
    ragged = {5: "c4,false", 70_001: "c70000,true,s,extra", rows: f"c{rows - 1}"}
    for line, text in ragged.items():
        lines[line] = text
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(csv, "reader", _counting(csv.reader, limit=len(ragged) + 1))  # header + ragged
    result = evaluate_cohort(read_cohort(path))
    assert len(result.results) == rows
    bad = result.results.index[result.results["error"].notna()].tolist()
    assert bad == [line - 1 for line in ragged]
    assert result.results["case_id"].iloc[70_000] == "c70000"
    assert result.results["error"].iloc[4] == "the row has 2 cells but the header has 3"
    assert result.results["site"].iloc[9] == "two, parts" and result.summary.evaluated == rows - 3
    assert cohort.PROBLEM_COLUMN not in result.results.columns


def _counting(reader, limit: int):
    """csv.reader, failing once more than `limit` rows in all went through Python's csv module."""
    seen = []

    def counted(*args, **kwargs):
        for row in reader(*args, **kwargs):
            seen.append(row)
            assert len(seen) <= limit, "the csv module read more than the header and the ragged rows"
            yield row

    return counted
