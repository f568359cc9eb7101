"""Command line for reviewers and records: report, export-fhir, version, conflicts, validate (real processes)."""

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
from fhir.resources.R4B.plandefinition import PlanDefinition

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data" / "packs" / "neck-upper-back-pain-after-lumbar-fusion"
CASE = {"red_flags": False, "mri_finding": "cord_compression", "prior_fusion_levels": "L2-L5"}


def run(*args, stdin=None, text=True):
    return subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=ROOT, input=stdin, capture_output=True, text=text, timeout=60
    )


def test_report_markdown_to_stdout_and_html_to_a_file(tmp_path):
    md = run("report", "-", stdin=json.dumps(CASE))
    assert md.returncode == 0 and "## Disposition: Urgent neurosurgical referral" in md.stdout
    assert "Guideline version 1." in md.stdout
    out = tmp_path / "r.html"
    html = run("report", "-", "--format", "html", "--out", str(out), stdin=json.dumps(CASE))
    assert html.returncode == 0 and html.stdout == "" and f"wrote {out}" in html.stderr
    assert out.read_text().startswith("<!DOCTYPE html>") and "URGENT" in out.read_text()


def test_report_pdf_to_a_file_or_to_redirected_stdout(tmp_path):
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(CASE))
    out = tmp_path / "r.pdf"
    assert run("report", str(case_file), "--format", "pdf", "--out", str(out)).returncode == 0
    piped = run("report", str(case_file), "--format", "pdf", text=False)
    assert piped.returncode == 0 and piped.stdout == out.read_bytes()
    text = pypdf.PdfReader(io.BytesIO(piped.stdout)).pages[0].extract_text()
    assert "Urgent neurosurgical referral" in text


def test_report_errors_are_one_line_each_without_traceback(tmp_path):
    bad = run("report", "-", stdin=json.dumps({"motor_grade_mrc": 9}))
    assert bad.returncode == 2 and bad.stderr.startswith("error: motor_grade_mrc") and "Traceback" not in bad.stderr
    evidence = tmp_path / "mine.yaml"
    evidence.write_text("checks: {no_such: []}\n")
    wrong = run("report", "-", "--evidence", str(evidence), stdin=json.dumps(CASE))
    assert wrong.returncode == 2 and f"{evidence}: checks.no_such: unknown statement" in wrong.stderr


def test_export_fhir_writes_a_valid_plan_definition(tmp_path):
    printed = run("export-fhir")
    assert printed.returncode == 0
    resource = PlanDefinition.model_validate(json.loads(printed.stdout))
    out = tmp_path / "plan.json"
    assert run("export-fhir", "--out", str(out), "--fhir-version", "R5").returncode == 0
    assert json.loads(out.read_text())["meta"]["tag"][0]["code"] == "5.0.0" and resource.version
    assert "R4B" in run("export-fhir", "--help").stdout


def test_version_reports_match_and_refuses_to_record_without_a_bump(tmp_path):
    ok = run("version")
    assert ok.returncode == 0 and "status:          ok" in ok.stdout
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "scenarios.yaml"
    path.write_text(path.read_text().replace("The article's patient, before MRI", "The index patient"))
    changed = run("version", "--data", str(data))
    assert changed.returncode == 1 and "MISMATCH" in changed.stdout
    refused = run("version", "--data", str(data), "--record")
    assert refused.returncode == 2 and "raise the version above" in refused.stderr


def test_validate_covers_evidence_conflicts_and_the_version_lock():
    result = run("validate")
    assert result.returncode == 0 and "25 evidence checks" in result.stdout and "6 conflict entries" in result.stdout
    assert "version lock: ok" in result.stdout


def test_conflicts_lists_each_with_its_resolution():
    result = run("conflicts")
    assert result.returncode == 0 and result.stdout.count("  engine: ") == 6
    assert "R3_progressive_weakness" in result.stdout


def test_audit_strict_fails_on_unresolved_citations_and_plain_audit_does_not():
    assert run("audit").returncode == 0
    strict = run("audit", "--strict")
    assert strict.returncode == 1 and "5, 6" in strict.stderr
