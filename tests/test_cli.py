"""The command line as a user runs it: real processes, exit codes, no tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data" / "packs" / "neck-upper-back-pain-after-lumbar-fusion"


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_evaluate_prints_a_readable_account(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"red_flags": False, "mri_finding": "cord_compression"}))
    result = run("evaluate", str(path))
    assert result.returncode == 0
    assert "urgent_neurosurgical_referral" in result.stdout and "URGENT" in result.stdout
    assert "[6] unresolved" in result.stdout and "[4] Medical Necessity Determination" in result.stdout


def test_evaluate_json_from_stdin_follows_the_contract():
    result = run("evaluate", "-", "--format", "json", stdin=json.dumps({"red_flags": True}))
    data = json.loads(result.stdout)
    assert data["disposition"] == "outside_pathway" and data["trace"][0]["value"] == "true"


def test_invalid_case_exits_2_with_one_line_per_field_and_no_traceback():
    result = run("evaluate", "-", stdin=json.dumps({"motor_grade_mrc": 8, "red_flags": "no", "weeks": 3}))
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and "Traceback" not in result.stderr
    assert {line.split(":")[1].strip() for line in lines} == {"motor_grade_mrc", "red_flags", "weeks"}


def test_unreadable_input_is_a_clear_error():
    assert "not valid JSON" in run("evaluate", "-", stdin="{oops").stderr
    missing = run("evaluate", "nowhere.json")
    assert missing.returncode == 2 and "nowhere.json: file not found" in missing.stderr


def test_validate_reports_the_data_is_valid():
    result = run("validate")
    assert result.returncode == 0 and "valid" in result.stdout and "18 scenarios" in result.stdout


def test_validate_names_file_and_path_of_broken_data(tmp_path):
    import shutil

    shutil.copytree(DATA_DIR, tmp_path / "data")
    (tmp_path / "data" / "manifest.yaml").write_text("id: x\ntitle: y\nversion: one\n")
    result = run("validate", "--data", str(tmp_path / "data"))
    assert result.returncode == 2
    assert "manifest.yaml: version" in result.stderr and "manifest.yaml: date" in result.stderr


def test_markdown_summary_has_decision_trace_actions_and_resolved_citations():
    from core import evaluate_case, load_guideline
    from core.outputs.report import build_report, report_markdown

    case = {"red_flags": False, "mri_finding": "cord_compression", "prior_fusion_levels": "L2-L5"}
    text = report_markdown(build_report(evaluate_case(case), load_guideline()))
    assert "`urgent_neurosurgical_referral`" in text and "**URGENT**" in text
    assert "| **R2_cord_compression** |" in text and "| prior fusion levels | L2-L5 |" in text
    assert "[6] unresolved" in text and "[4] Medical Necessity Determination for Spinal Fusion" in text
    assert "not a medical device" in text


def test_a_reader_that_stops_early_ends_the_command_quietly():
    # `python -m core stances | head -30`: the reader has gone before the command writes.
    process = subprocess.Popen(
        [sys.executable, "-m", "core", "stances"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert stderr == ""
