"""The effect of a variant on a cohort, its verification, and threshold sweeps."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

from core.analyses.cohort import DEMO_COHORT, evaluate_cohort, read_cohort
from core.analyses.frame import evaluate_frame
from core.analyses.variant_effect import (
    CHANGE_COLUMNS,
    SWEEP_COLUMNS,
    changes_table,
    evaluated_cases,
    sweep,
    sweep_values,
    threshold_at,
    transitions,
    variant_effect,
    variant_verification,
)
from core.analyses.verify import load_invariants
from core.errors import PathwayError
from core.review.variants import apply_variant, load_variants, patched_pathway, thresholds
from tools.synthetic import synthetic_cases

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = {v.id: v for v in load_variants()}
BAD_ROW = '"bad-1",maybe,,,,,,,,"normal",9,,,""\n'


def run(*args):
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def demo(guideline):
    return evaluate_cohort(read_cohort(DEMO_COHORT), guideline)


@pytest.fixture(scope="module")
def with_bad_rows(tmp_path_factory):
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(pa.Table.from_pandas(synthetic_cases(200, seed=7), preserve_index=False), sink)
    path = tmp_path_factory.mktemp("cohort") / "cases.csv"
    path.write_bytes(sink.getvalue().to_pybytes() + BAD_ROW.encode())
    return path


@pytest.mark.parametrize("variant_id", sorted(SHIPPED))
def test_every_row_comes_out_once_and_the_transitions_add_up(guideline, with_bad_rows, variant_id):
    result = evaluate_cohort(read_cohort(with_bad_rows), guideline)
    changes = changes_table(result, apply_variant(SHIPPED[variant_id], guideline), variant_id)
    assert list(changes.columns) == [*CHANGE_COLUMNS, "guideline_version", "variant_id"]
    assert set(changes["variant_id"]) == {variant_id} and set(changes["guideline_version"]) == {guideline.info.version}
    assert len(changes) == 201 and changes["row"].tolist() == list(range(1, 202))
    assert changes["error"].iloc[-1].startswith("red_flags:") and changes["baseline"].isna().iloc[-1]
    assert changes["changed"].isna().sum() == 1
    pairs = transitions(changes)
    assert sum(p.cases for p in pairs) == result.summary.evaluated == 200
    assert sum(p.cases for p in pairs if p.from_ != p.to) == int(changes["changed"].sum())


@pytest.mark.parametrize("variant_id", sorted(SHIPPED))
def test_both_columns_are_what_each_pathway_decides(guideline, demo, variant_id):
    patched = apply_variant(SHIPPED[variant_id], guideline)
    changes = changes_table(demo, patched)
    on_variant = evaluate_cohort(read_cohort(DEMO_COHORT), patched).results
    assert changes["baseline"].astype(str).tolist() == demo.results["disposition"].astype(str).tolist()
    assert changes["variant"].astype(str).tolist() == on_variant["disposition"].astype(str).tolist()
    assert changes["variant_rule"].astype(str).tolist() == on_variant["deciding_rule"].astype(str).tolist()


def test_six_weeks_for_radiculopathy_moves_conservative_cases_to_decompression(guideline, demo):
    changes = changes_table(demo, apply_variant(SHIPPED["six_week_surgical_opinion_for_radiculopathy"], guideline))
    moved = changes[changes["changed"].fillna(False).to_numpy(dtype=bool)]
    assert len(moved) > 0
    assert set(moved["baseline"].astype(str)) <= {"conservative_care"}
    assert "decompression_referral" in set(moved["variant"].astype(str))


def test_switching_the_deformity_rule_off_sends_none_of_its_cases_to_r5(guideline, demo):
    changes = changes_table(demo, apply_variant(SHIPPED["progressive_deformity_not_a_surgical_route"], guideline))
    assert "R5_progressive_deformity" in set(changes["baseline_rule"].astype(str))
    assert "R5_progressive_deformity" not in set(changes["variant_rule"].astype(str))


def test_the_variant_that_opens_decompression_at_six_weeks_breaks_the_six_month_invariant(guideline):
    patched = apply_variant(SHIPPED["six_week_surgical_opinion_for_radiculopathy"], guideline)
    report = variant_verification(patched, load_invariants(guideline))
    broken = {c.id: c for c in report.broken_invariants}
    assert not report.passed and set(broken) == {"no_early_surgical_disposition"}
    example = broken["no_early_surgical_disposition"]
    assert example.counterexample["weeks_conservative"] < 26
    assert example.outcome["disposition"] == "decompression_referral"
    from core import evaluate_case

    assert evaluate_case(example.counterexample, patched).disposition == "decompression_referral"
    assert evaluate_case(example.counterexample, guideline).disposition == "conservative_care"


def test_effect_summary_names_the_variant_and_counts_changed_cases(guideline, demo):
    effect, changes = variant_effect(demo, SHIPPED["progressive_deficit_without_mrc_grade"], guideline)
    assert effect.variant == "progressive_deficit_without_mrc_grade" and effect.cases == 300
    assert effect.changed == int(changes["changed"].sum())
    assert effect.verification.passed and effect.verification.failed == []


# ------------------------------------------------------------------------------------------------- sweeps


@pytest.mark.parametrize("address", [t.address for t in thresholds(__import__("core").load_guideline())])
def test_the_sweep_at_the_articles_value_equals_the_baseline(guideline, demo, address):
    article = threshold_at(guideline, address).value
    counts = sweep(evaluated_cases(demo), guideline, address, [article])
    assert list(counts.columns) == list(SWEEP_COLUMNS)
    assert dict(zip(counts["disposition"], counts["cases"], strict=False)) == demo.summary.dispositions


@pytest.mark.parametrize(
    "address",
    [
        "R7_failed_six_months/weeks_conservative",
        "R6_decompression/pt_weeks",
        "R3_progressive_weakness/motor_grade_mrc",
        "interventional_options/pt_weeks",
    ],
)
def test_each_value_of_a_sweep_decides_as_the_patched_pathway_does(guideline, address):
    frame = synthetic_cases(3000, seed=11)
    threshold = threshold_at(guideline, address)
    values = sorted(
        {threshold.low, threshold.value - 1, min(threshold.value + 2, threshold.high), min(threshold.high, 40)}
    )
    counts = sweep(frame, guideline, address, values)
    assert len(counts) == len(values) * len(guideline.pathway.dispositions)
    for value in values:
        expected = evaluate_frame(frame, patched_pathway(guideline, {address: value}))["disposition"].value_counts()
        got = counts[counts["value"] == value].set_index("disposition")["cases"]
        assert {d: int(n) for d, n in got.items() if n} == {d: int(n) for d, n in expected.items() if n}, value
        assert got.sum() == len(frame)


def test_sweep_values_are_checked_against_the_fields_range(guideline):
    weeks = threshold_at(guideline, "R7_failed_six_months/weeks_conservative")
    assert sweep_values(weeks, 20, 30, 5) == [20, 25, 30]
    for args, field in [((30, 20, 1), "--from"), ((0, 600, 1), "--to"), ((0, 10, 0), "--step"), ((-1, 4, 1), "--from")]:
        with pytest.raises(PathwayError) as caught:
            sweep_values(weeks, *args)
        assert caught.value.problems[0].field == field
    with pytest.raises(PathwayError, match="not an addressable threshold"):
        threshold_at(guideline, "R7_failed_six_months/red_flags")


# ---------------------------------------------------------------------------------------------------- CLI


def test_variant_command_json_follows_the_contract(tmp_path, with_bad_rows):
    out = tmp_path / "changes.csv"
    result = run(
        "variant", "progressive_deficit_without_mrc_grade", str(with_bad_rows), "--out", str(out), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"variant", "cases", "changed", "transitions", "verification"} <= set(data)
    assert data["variant"] == "progressive_deficit_without_mrc_grade" and data["cases"] == 200
    assert all(set(t) == {"from", "to", "cases"} for t in data["transitions"])
    assert sum(t["cases"] for t in data["transitions"]) == data["cases"]
    assert data["changed"] == sum(t["cases"] for t in data["transitions"] if t["from"] != t["to"])
    written = pa_csv.read_csv(out).to_pandas()
    assert len(written) == 201 and list(written.columns) == [*CHANGE_COLUMNS, "guideline_version", "variant_id"]
    assert set(written["variant_id"]) == {"progressive_deficit_without_mrc_grade"}
    assert data["rerouted"] + data["to_needs_information"] == data["changed"]


def test_variant_command_reads_a_variant_file_and_prints_text(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "variants:\n- id: later_consult\n  title: Later consultation\n  rationale: A test.\n"
        "  thresholds:\n    R7_failed_six_months/weeks_conservative: 52\n    R6_decompression/weeks_conservative: 52\n"
    )
    result = run("variant", str(path), str(DEMO_COHORT))
    assert result.returncode == 0, result.stderr
    assert "Variant later_consult" in result.stdout and "not the article's pathway" in result.stdout
    assert "Changed disposition:" in result.stdout and "checks" in result.stdout


def test_variant_command_names_a_bad_variant_without_a_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("variants:\n- id: bad\n  title: Bad\n  rationale: A test.\n  rules_off: [R8_conservative]\n")
    result = run("variant", str(path), str(DEMO_COHORT))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "bad.yaml: variant bad: rules_off.0: `R8_conservative` is the last rule" in result.stderr
    unknown = run("variant", "no_such_variant", str(DEMO_COHORT))
    assert unknown.returncode == 2 and "six_week_surgical_opinion_for_radiculopathy" in unknown.stderr


def test_sweep_command_writes_value_disposition_cases(tmp_path):
    out = tmp_path / "sweep.csv"
    result = run(
        "sweep",
        "R7_failed_six_months/weeks_conservative",
        "--from",
        "20",
        "--to",
        "30",
        "--step",
        "2",
        str(DEMO_COHORT),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    written = pa_csv.read_csv(out).to_pandas()
    assert list(written.columns) == ["value", "disposition", "cases", "guideline_version"]
    assert sorted(set(written["value"])) == [20, 22, 24, 26, 28, 30]
    assert (written.groupby("value")["cases"].sum() == 300).all()
    assert "<- the article" in result.stdout
    bad = run("sweep", "R7_failed_six_months/weeks_conservative", "--from", "20", "--to", "900", str(DEMO_COHORT))
    assert bad.returncode == 2 and "--to: 900 is out of range" in bad.stderr


def test_cohort_and_evaluate_read_a_hand_edited_data_directory(tmp_path, data_copy):
    from tests.conftest import edit

    def later(pathway):
        for rule in pathway["rules"]:
            if rule["id"] == "R2_cord_compression":
                rule["disposition"] = "obtain_mri"

    edit(data_copy / "pathway.yaml", later)
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"red_flags": False, "mri_finding": "cord_compression"}))
    assert (
        json.loads(run("evaluate", str(case), "--format", "json", "--data", str(data_copy)).stdout)["disposition"]
        == "obtain_mri"
    )
    summary = json.loads(run("cohort", str(DEMO_COHORT), "--format", "json", "--data", str(data_copy)).stdout)
    baseline = json.loads(run("cohort", str(DEMO_COHORT), "--format", "json").stdout)
    assert summary["dispositions"]["urgent_neurosurgical_referral"] == 0
    assert baseline["dispositions"]["urgent_neurosurgical_referral"] > 0
    assert np.sum(list(summary["dispositions"].values())) == 300
