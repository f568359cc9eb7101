"""Whole-pathway verification: the shipped pathway passes; broken data or a false invariant fails with a
counterexample."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings

from core import DataError, evaluate_case, evaluate_frame, load_guideline
from core.analyses.frame import cases_frame
from core.analyses.grid import verification_grid
from core.analyses.verify import Invariant, load_invariants, verification_report
from core.engine.guideline import DATA_DIR, build_guideline, pathway_fields, read_raw
from tests.strategies import any_case

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report():
    return verification_report()


def broken_guideline(edit):
    raw = read_raw()
    edit(raw["pathway"])
    return build_guideline(raw)


def failed(report, check_id):
    check = next(c for c in report.checks if c.id == check_id)
    assert not check.passed, f"{check_id} should fail"
    return check


def test_the_shipped_pathway_passes_every_check(report):
    assert report.passed, [c for c in report.checks if not c.passed]
    assert report.cases > 10_000
    ids = {c.id for c in report.checks}
    assert {"one_disposition", "every_rule_decides", "every_disposition_reachable", "every_warning_fires"} <= ids
    assert {i.id for i in load_invariants()} <= ids


def test_every_invariant_named_in_the_issue_is_in_the_data():
    ids = {i.id for i in load_invariants()}
    assert {
        "cord_compression_is_urgent_referral",
        "decompression_never_with_instability",
        "no_early_surgical_disposition",
        "needs_information_only_when_something_is_unknown",
        "fully_known_case_is_always_decided",
    } <= ids


def test_coverage_counts_show_each_rule_disposition_and_warning(report, guideline):
    assert set(report.rules) == {r.id for r in guideline.pathway.rules} and min(report.rules.values()) > 0
    reached = [n for d, n in report.dispositions.items() if d != "outside_scope"]  # the scope gate, not the grid
    assert min(reached) > 0 and min(report.warnings.values()) > 0
    assert report.values_tried["weeks_conservative"] == [0, 25, 26, 27, 520, None]
    assert report.values_tried["pt_weeks"] == [0, 5, 6, 7, 520, None]


def test_verify_command_prints_json_and_exits_0():
    result = subprocess.run(
        [sys.executable, "-m", "core", "verify", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["passed"] is True and data["cases"] > 10_000 and all(c["passed"] for c in data["checks"])


def test_decompression_with_instability_in_a_broken_data_copy_exits_1_with_a_counterexample(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    pathway = yaml.safe_load((data / "pathway.yaml").read_text())
    rule = next(r for r in pathway["rules"] if r["id"] == "R6_decompression")
    rule["when"]["all"] = [t for t in rule["when"]["all"] if t.get("field") != "instability"]
    (data / "pathway.yaml").write_text(yaml.safe_dump(pathway))
    result = subprocess.run(
        [sys.executable, "-m", "core", "verify", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "FAIL  invariant  decompression_never_with_instability" in result.stdout
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith("counterexample:"))
    case = json.loads(line.split("counterexample:", 1)[1])
    assert case.get("instability") is not False
    assert evaluate_case(case, load_guideline(data)).disposition == "decompression_referral"


def test_a_false_invariant_fails_with_a_case_that_really_breaks_it(guideline):
    too_strong = Invariant(
        id="cord_always_urgent",
        text="(deliberately wrong)",
        when={"field": "mri_finding", "op": "is", "value": "cord_compression"},
        then={"field": "disposition", "op": "is", "value": "urgent_neurosurgical_referral"},
    )
    check = failed(verification_report(guideline, [too_strong]), "cord_always_urgent")
    case = check.counterexample
    assert case["mri_finding"] == "cord_compression" and case.get("red_flags") is not False
    assert evaluate_case(case).disposition == check.outcome["disposition"] != "urgent_neurosurgical_referral"


def test_an_invariant_about_fully_known_cases_is_checked_on_fully_known_cases(guideline):
    wrong = Invariant(
        id="known_cases_stay_in_pathway",
        text="(deliberately wrong)",
        when={"field": "all_known", "op": "is", "value": True},
        then={"field": "disposition", "op": "is_not", "value": "outside_pathway"},
    )
    case = failed(verification_report(guideline, [wrong]), "known_cases_stay_in_pathway").counterexample
    assert case["red_flags"] is True
    read = {"mri_finding", "motor_grade_mrc", "weeks_conservative", "pt_weeks"}
    assert set(guideline.schema.bool_fields) | read <= set(case)


def test_a_dead_rule_is_named():
    def shadow(pathway):
        next(r for r in pathway["rules"] if r["id"] == "R5_progressive_deformity")["when"] = {
            "field": "mri_finding",
            "op": "is",
            "value": "cord_compression",
        }

    check = failed(verification_report(broken_guideline(shadow), []), "every_rule_decides")
    assert check.detail == "never: R5_progressive_deformity"


def test_a_warning_that_can_never_fire_is_named():
    def impossible(pathway):
        warning = next(w for w in pathway["warnings"] if w["id"] == "avoid_manipulation")
        warning["when"] = {
            "all": [
                warning["when"],
                {"field": "mri_finding", "op": "is", "value": "normal"},
                {"field": "mri_finding", "op": "is", "value": "not_done"},
            ]
        }

    check = failed(verification_report(broken_guideline(impossible), []), "every_warning_fires")
    assert check.detail == "never: avoid_manipulation"


def test_an_unreachable_disposition_is_named():
    def drop_deformity(pathway):
        pathway["rules"] = [
            r for r in pathway["rules"] if r["id"] not in ("R5_progressive_deformity", "R7_failed_six_months")
        ]

    check = failed(verification_report(broken_guideline(drop_deformity), []), "every_disposition_reachable")
    assert check.detail == "never: surgical_consultation"


def test_invariants_file_problems_name_file_path_and_reason(tmp_path, guideline):
    (tmp_path / "invariants.yaml").write_text(
        yaml.safe_dump(
            {
                "invariants": [
                    {
                        "id": "x",
                        "text": "t",
                        "when": {"field": "disposition", "op": "is", "value": "surgery"},
                        "then": {"field": "colour", "op": "is", "value": "red"},
                    },
                    {
                        "id": "y",
                        "text": "t",
                        "basis": ["no_such_statement"],
                        "when": {"field": "urgent", "op": "is", "value": 1},
                        "then": {"field": "warnings", "op": "includes", "value": "fusion_not_indicated"},
                    },
                ]
            }
        )
    )
    with pytest.raises(DataError) as info:
        load_invariants(guideline, tmp_path)
    messages = [str(p) for p in info.value.problems]
    assert any("invariants.0 (x)" in m and "`disposition` values must be among" in m for m in messages)
    assert any("invariants.0 (x)" in m and "colour" in m for m in messages)
    assert any("invariants.1 (y)" in m and "no_such_statement" in m for m in messages)
    assert any("invariants.1 (y)" in m and "`urgent` is yes/no" in m for m in messages)


def test_unreadable_invariants_exit_2_naming_the_file(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "invariants.yaml").write_text("invariants: [")
    result = subprocess.run(
        [sys.executable, "-m", "core", "verify", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (
        result.returncode == 2
        and "invariants.yaml: not valid YAML" in result.stderr
        and "Traceback" not in result.stderr
    )


# The grid claims to show every outcome any valid case can get; random cases must never find a new one.


def decision(e):
    # The grid does not split on the urgency of a blocked case (every outcome still possible urgent): it leaves
    # that question out of its walks, which it made ten times slower; decided cases carry their urgency.
    urgent = None if e.disposition == "needs_information" else e.urgent
    return e.disposition, e.deciding_rule, urgent, tuple(e.missing), e.phase


@pytest.fixture(scope="module")
def grid_outcomes():
    # evaluate_frame equals evaluate_case on every grid case (test_frame), so the fast path stands in here.
    g = load_guideline()
    cases = verification_grid(g, [(i.when, i.then) for i in load_invariants(g)])
    r = evaluate_frame(cases_frame(cases, pathway_fields(g)))
    missing = [tuple(m.split(";")) if m else () for m in r["missing"].astype(str)]
    phases = [None if pd.isna(p) else p for p in r["phase"]]
    dispositions = r["disposition"].astype(str)
    urgent = [None if d == "needs_information" else u for d, u in zip(dispositions, r["urgent"], strict=True)]
    decisions = set(zip(dispositions, r["deciding_rule"].astype(str), urgent, missing, phases, strict=False))
    return decisions, {w for ws in r["warnings"].astype(str) for w in ws.split(";") if w}


@settings(max_examples=300, deadline=None)
@given(any_case())
def test_no_random_case_gets_a_decision_the_grid_does_not_show(grid_outcomes, case):
    decisions, warnings = grid_outcomes
    e = evaluate_case(case)
    assert decision(e) in decisions
    assert set(e.warnings) <= warnings
