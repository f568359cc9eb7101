"""Cohort files: rows in = rows out, bad rows reported in place with the single case's wording, good rows decided."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core import CaseError, PathwayError, evaluate_case
from core.analyses.cohort import evaluate_cohort, read_cohort, results_csv
from core.analyses.frame import frame_cases
from core.engine.case_text import case_from_text
from tools.synthetic import synthetic_cases

ROOT = Path(__file__).resolve().parent.parent
HEADER = "case_id,red_flags,mri_finding,motor_grade_mrc,weeks_conservative,pt_weeks,proposed\n"


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def cohort(text: str):
    return evaluate_cohort(read_cohort(text.encode(), fmt="csv"))


def message_for(field, value):
    with pytest.raises(CaseError) as info:
        case_from_text({field: value})
    return f"{field}: {info.value.problems[0].message}"


@pytest.mark.parametrize(
    "field,value",
    [
        ("red_flags", "maybe"),
        ("motor_grade_mrc", "six"),
        ("motor_grade_mrc", "4.5"),
        ("motor_grade_mrc", "9"),
        ("mri_finding", "fracture"),
        ("proposed", "fusion;surgery"),
        ("weeks_conservative", "-3"),
    ],
)
def test_a_bad_cell_is_reported_in_place_with_the_single_case_wording(field, value):
    good = "ok,false,cord_compression,,,,\n"
    row = {
        "case_id": "bad",
        "red_flags": "false",
        "mri_finding": "normal",
        "motor_grade_mrc": "",
        "weeks_conservative": "",
        "pt_weeks": "",
        "proposed": "",
        field: value,
    }
    text = HEADER + good + ",".join(row[c] for c in HEADER.strip().split(",")) + "\n" + good
    results = cohort(text).results
    assert len(results) == 3 and results["case_id"].tolist() == ["ok", "bad", "ok"]
    assert results["error"].iat[1] == message_for(field, value)
    assert results["error"].isna().tolist() == [True, False, True]
    assert pd.isna(results["disposition"].iat[1]) and results["disposition"].iat[2] == "urgent_neurosurgical_referral"


def test_a_row_with_several_bad_cells_names_each_field_and_the_pt_rule_uses_the_case_message():
    results = cohort(HEADER + "a,maybe,scan,9,,,\nb,false,normal,,4,6,\n").results
    assert results["error"].iat[0] == "; ".join(
        [message_for("red_flags", "maybe"), message_for("mri_finding", "scan"), message_for("motor_grade_mrc", "9")]
    )
    with pytest.raises(CaseError) as info:
        case_from_text({"weeks_conservative": "4", "pt_weeks": "6"})
    assert results["error"].iat[1] == str(info.value.problems[0])


def test_good_rows_get_the_engines_decision():
    frame = synthetic_cases(400, seed=11, unknown_share=0.2)
    text = frame.to_csv(index=False).replace("True", "true").replace("False", "false")
    results = cohort(text).results
    assert results["error"].isna().all()
    for case, (_, row) in zip(frame_cases(frame), results.iterrows(), strict=False):
        e = evaluate_case(case)
        assert (row["disposition"], bool(row["urgent"]), row["warnings"], row["missing"], row["deciding_rule"]) == (
            e.disposition,
            e.urgent,
            ";".join(e.warnings),
            ";".join(e.missing),
            e.deciding_rule,
        )


def test_mixed_file_through_the_command_line_keeps_every_row_and_prints_counts(tmp_path):
    source = tmp_path / "cases.csv"
    source.write_text(
        HEADER + "p1,true,,,,,\np2,false,cord_compression,,,,fusion\np3,perhaps,normal,,,,\n"
        "p4,false,normal,5,30,3,\n,false,not_done,,,,\n"
    )
    out = tmp_path / "results.csv"
    result = run("cohort", str(source), "--out", str(out))
    assert result.returncode == 0 and result.stderr == ""
    assert "5 rows; 4 evaluated, 1 bad" in result.stdout
    assert "outside_pathway                          1" in result.stdout
    assert "fusion_not_indicated                     0" in result.stdout
    assert "row 3 (case_id p3): red_flags: expected true, false or unknown, got 'perhaps'" in result.stdout
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert written["case_id"].tolist() == ["p1", "p2", "p3", "p4", ""]
    assert written["disposition"].tolist() == [
        "outside_pathway",
        "urgent_neurosurgical_referral",
        "",
        "needs_information",
        "needs_information",
    ]
    assert written["error"].tolist()[2].startswith("red_flags:") and written["urgent"].tolist()[:3] == [
        "true",
        "true",
        "",
    ]


def test_unknown_columns_are_carried_through_and_reported_with_a_suggestion():
    result = cohort("case_id,red_flag,mri_finding,site\na,true,normal,north\n")
    assert result.results["site"].tolist() == ["north"] and result.results["red_flag"].tolist() == ["true"]
    assert result.summary.unknown_columns == ["red_flag", "site"]
    assert any("`red_flag`" in n and "did you mean `red_flags`" in n for n in result.summary.notes)
    assert result.results["disposition"].tolist() == ["needs_information"]


def test_result_columns_in_the_input_are_replaced_not_duplicated():
    result = cohort("red_flags,disposition\ntrue,conservative_care\n")
    assert list(result.results.columns).count("disposition") == 1
    assert result.results["disposition"].tolist() == ["outside_pathway"]
    assert any("replaced" in n for n in result.summary.notes)


def test_a_file_without_any_case_column_exits_2_with_a_clear_message(tmp_path):
    source = tmp_path / "other.csv"
    source.write_text("name,age\nx,3\n")
    result = run("cohort", str(source))
    assert result.returncode == 2 and "no column is a case field" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content,words",
    [
        (b"", "the file is empty"),
        (b"red_flags\n\xff\xfe\n", "not UTF-8"),
    ],
)
def test_an_unreadable_file_exits_2_without_traceback(tmp_path, content, words):
    source = tmp_path / "cases.csv"
    source.write_bytes(content)
    result = run("cohort", str(source))
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_missing_file_and_unsupported_types_exit_2(tmp_path):
    assert "file not found" in run("cohort", str(tmp_path / "none.csv")).stderr
    (tmp_path / "cases.xlsx").write_text("x")
    assert "use .csv or .parquet" in run("cohort", str(tmp_path / "cases.xlsx")).stderr
    (tmp_path / "cases.csv").write_text("red_flags\ntrue\n")
    result = run("cohort", str(tmp_path / "cases.csv"), "--out", str(tmp_path / "out.json"))
    assert result.returncode == 2 and "use .csv or .parquet" in result.stderr


def test_a_header_only_file_gives_zero_rows_and_a_header_only_result(tmp_path):
    source, out = tmp_path / "cases.csv", tmp_path / "out.csv"
    source.write_text(HEADER)
    result = run("cohort", str(source), "--out", str(out), "--format", "json")
    assert result.returncode == 0
    summary = json.loads(result.stdout)
    assert summary["rows"] == 0 and summary["bad_rows"] == 0 and set(summary["dispositions"].values()) == {0}
    written = pd.read_csv(out)
    assert len(written) == 0 and "disposition" in written.columns and "error" in written.columns


def test_ragged_rows_keep_their_place_and_say_why():
    results = cohort("case_id,red_flags\na,true\nb,false,extra\nc\nd,true\n").results
    assert results["case_id"].tolist() == ["a", "b", "c", "d"]
    assert results["error"].tolist()[1:3] == [
        "the row has 3 cells but the header has 2",
        "the row has 1 cell but the header has 2",
    ]
    assert results["disposition"].tolist()[::3] == ["outside_pathway", "outside_pathway"]


def test_parquet_in_and_out_round_trip(tmp_path):
    table = pa.table(
        {
            "case_id": ["a", "b", "c"],
            "red_flags": pa.array([False, None, False]),
            "mri_finding": ["nerve_root_compression", "normal", "cord_compression"],
            "motor_grade_mrc": pa.array([4, None, 7]),
            "motor_deficit_progressive": [True, False, False],
            "proposed": pa.array([["fusion"], [], None], type=pa.list_(pa.string())),
        }
    )
    source, out = tmp_path / "cases.parquet", tmp_path / "results.parquet"
    pq.write_table(table, source)
    assert run("cohort", str(source), "--out", str(out)).returncode == 0
    written = pq.read_table(out).to_pandas()
    assert written["case_id"].tolist() == ["a", "b", "c"]
    assert written["disposition"].tolist()[:2] == ["neurosurgical_referral", "needs_information"]
    assert written["error"].tolist()[2] == message_for("motor_grade_mrc", "7")
    assert written["warnings"].tolist()[0] == ";".join(
        evaluate_case(
            {
                "red_flags": False,
                "mri_finding": "nerve_root_compression",
                "motor_grade_mrc": 4,
                "motor_deficit_progressive": True,
                "proposed": ["fusion"],
            }
        ).warnings
    )


def test_parquet_written_by_pandas_is_read_as_its_columns_are_stored(tmp_path):
    frame = synthetic_cases(60, seed=8, unknown_share=0.2)
    frame.to_parquet(tmp_path / "typed.parquet")
    results = evaluate_cohort(read_cohort(tmp_path / "typed.parquet")).results
    assert results["disposition"].astype(str).tolist() == [evaluate_case(c).disposition for c in frame_cases(frame)]
    table = pq.read_table(tmp_path / "typed.parquet")  # keeps pandas metadata saying red_flags is boolean
    table = table.set_column(table.column_names.index("red_flags"), "red_flags", pa.array(["maybe"] * 60))
    pq.write_table(table, tmp_path / "edited.parquet")
    results = evaluate_cohort(read_cohort(tmp_path / "edited.parquet")).results
    assert results["error"].str.startswith("red_flags: expected true, false or unknown").all()


def test_quoted_cells_may_hold_commas_but_not_line_breaks():
    text = 'case_id,red_flags,proposed\n"a, left\nside",true,"fusion;decompression"\nb,false,\n'
    results = cohort(text).results
    assert results["case_id"].tolist() == ["a, left", 'side"', "b"]
    assert results["error"].tolist()[:2] == [
        "a quote opens in `case_id` on line 2 and is not closed on that line (a cell holds no line break); "
        "line 3, which it ran over, is read as a row of its own",
        "an unpaired quote mark on line 3 (the quote that opened on line 2 ends here)",
    ]
    assert results["disposition"].tolist()[2] == "needs_information"
    assert cohort('case_id,red_flags\n"a, left",true\n').results["case_id"].tolist() == ["a, left"]


def stray_quote_file(rows: int, line: int, last: bool) -> str:
    """Rows with a free-text `note` and on `line` a quote never closed; in the middle column, every fifth note is
    quoted (it holds a comma), so the open quote closes on the next of them, four lines on."""
    notes = ['"seen, booked"' if n % 5 == 2 and not last else "seen" for n in range(rows)]
    notes[line - 2] = '"unbalanced note'
    cells = [[f"c{n}", "true", "normal", note] for n, note in enumerate(notes)]
    order = [0, 1, 2, 3] if last else [0, 1, 3, 2]
    header = ["case_id", "red_flags", "mri_finding", "note"]
    return "\n".join(",".join(row[i] for i in order) for row in [header, *cells]) + "\n"


@pytest.mark.parametrize("last", [False, True], ids=["middle column", "last column"])
def test_a_quote_left_open_costs_its_own_line_only(last):
    results = cohort(stray_quote_file(2000, 500, last)).results
    assert len(results) == 2000 and results["case_id"].tolist() == [f"c{n}" for n in range(2000)]
    assert results["error"].notna().sum() == 1
    ran_over = "lines 501-504" if not last else "lines 501-2001"
    assert results["error"].iat[498] == (
        f"a quote opens in `note` on line 500 and is not closed on that line (a cell holds no line break); "
        f"{ran_over}, which it ran over, are read as rows of their own"
    )
    assert (results["disposition"].drop(index=498) == "outside_pathway").all()
    assert results["note"].tolist()[499:503] == ["seen", "seen", "seen", "seen" if last else "seen, booked"]


def test_a_quote_left_open_is_counted_alike_by_duckdb(tmp_path):
    source = tmp_path / "stray.csv"
    source.write_text(stray_quote_file(200, 50, last=True))
    summary = json.loads(run("cohort", str(source), "--engine", "duckdb", "--format", "json").stdout)
    assert summary["rows"] == 200 and summary["bad_rows"] == 1 and summary["bad"][0]["row"] == 49


def test_progress_is_reported_chunk_by_chunk_up_to_done():
    seen = []
    frame = synthetic_cases(250, seed=2)
    evaluate_cohort(pa.Table.from_pandas(frame.astype(str)), progress=seen.append, chunk_rows=100)
    assert seen == [0.4, 0.8, 1.0]


def test_results_download_is_csv_with_every_row():
    result = cohort(HEADER + "a,true,,,,,\nb,nope,,,,,\n")
    text = results_csv(result.results).decode()
    assert text.count("\n") == 3 and '"outside_pathway"' in text and "expected true, false or unknown" in text


def test_reading_from_memory_refuses_bad_bytes_with_a_named_problem():
    with pytest.raises(PathwayError) as info:
        read_cohort(b"not parquet", fmt="parquet", name="upload.parquet")
    assert info.value.problems[0].field == "upload.parquet" and "Parquet" in info.value.problems[0].message


def test_every_results_file_says_which_guideline_version_made_it(tmp_path):
    from core import load_guideline

    version = load_guideline().info.version
    result = cohort(HEADER + "a,true,,,,,\nb,nope,,,,,\n")
    text = results_csv(result.results).decode()
    assert text.splitlines()[0].endswith('"guideline_version"') and f'"{version}"' in text.splitlines()[2]
    out = tmp_path / "out.parquet"
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "a,true,,,,,\n")
    assert run("cohort", str(source), "--out", str(out)).returncode == 0
    assert pq.read_table(out).column("guideline_version").to_pylist() == [version]


def test_repeated_case_ids_are_noted_and_each_row_still_evaluated():
    result = cohort("case_id,red_flags\na,true\na,false\nb,true\n")
    assert len(result.results) == 3 and result.summary.evaluated == 3
    assert any("`a` on rows 1, 2" in note for note in result.summary.notes)


def test_a_directory_is_named_as_a_directory(tmp_path):
    result = run("cohort", str(tmp_path))
    assert result.returncode != 0 and "is a directory" in result.stderr and "Traceback" not in result.stderr
