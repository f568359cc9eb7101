"""Cohort flows for the sankey: presentation -> MRI finding -> deciding rule -> disposition."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core import CaseError, evaluate_case, parse_case
from core.analyses.cohort import evaluate_cohort, read_cohort
from core.analyses.flows import (
    COHORT_SOURCE,
    DEMO_COHORT,
    NOT_ASSESSED,
    cases_at_node,
    cohort_flows,
    demo_cases,
    flow_columns,
    flow_links,
    flow_nodes,
    flows_from_results,
    presentation,
    presentations,
)
from core.engine.guideline import DATA_DIR, build_guideline, load_guideline, read_raw
from core.engine.packs import resolve_pack
from core.errors import DataError, PathwayError
from tests.conftest import case

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cases():
    return demo_cases()


@pytest.fixture(scope="module")
def flows(cases):
    return cohort_flows(cases)


@pytest.mark.parametrize(
    "changes,expected",
    [
        ({"red_flags": True, "myelopathy_signs": True}, "red flags"),
        ({"myelopathy_signs": True, "radicular_symptoms": True}, "myelopathic signs"),
        ({"radicular_symptoms": True}, "radicular pain"),
        ({"radicular_symptoms": False}, "axial neck pain"),
        ({"radicular_symptoms": ..., "myelopathy_signs": ...}, NOT_ASSESSED),
    ],
)
def test_presentation_takes_the_most_serious_picture(changes, expected):
    assert presentation(parse_case(case(**changes))) == expected


def test_unknown_red_flags_do_not_count_as_red_flags():
    assert presentation(parse_case({"radicular_symptoms": False})) == "axial neck pain"


def _with_presentations(pictures: list[dict]):
    raw = read_raw(DATA_DIR)
    raw["pathway"]["presentations"] = pictures
    return build_guideline(raw, DATA_DIR)


def test_the_presentations_are_the_packs_data_in_its_order():
    g = _with_presentations(
        [
            {"label": "weak", "when": {"field": "motor_grade_mrc", "op": "le", "value": 4}},
            {"label": "red flags", "when": {"field": "red_flags", "op": "is", "value": True}},
        ]
    )
    weak_and_flagged = parse_case(case(red_flags=True, motor_grade_mrc=3))
    assert presentation(weak_and_flagged, g) == "weak"
    assert presentation(parse_case(case(radicular_symptoms=False)), g) == NOT_ASSESSED
    flows = cohort_flows([("a", "x", weak_and_flagged), ("b", "x", parse_case({"red_flags": True}))], g)
    assert flows["presentation"].tolist() == ["weak", "red flags"]
    assert presentations(g) == ["weak", "red flags", NOT_ASSESSED]


def test_a_pack_without_presentations_presents_every_case_as_not_assessed():
    g = _with_presentations([])
    flows = cohort_flows([("a", "x", parse_case({"red_flags": True}))], g)
    assert flows["presentation"].tolist() == [NOT_ASSESSED] and presentations(g) == [NOT_ASSESSED]


def test_a_presentation_reading_a_field_the_pack_lacks_is_refused():
    with pytest.raises(DataError, match=r"pathway\.yaml: presentations\.0 \(gait\).*unknown field `gait_disturbance`"):
        _with_presentations([{"label": "gait", "when": {"field": "gait_disturbance", "op": "is", "value": True}}])


def test_the_finding_stage_is_named_by_the_field_the_rules_read():
    g = load_guideline(resolve_pack("lumbar-stenosis-claudication"))
    flows = cohort_flows(demo_cases(g), g)
    assert "lumbar_stenosis_on_imaging" in flows.columns and "mri_finding" not in flows.columns
    node = next(n for n in flow_nodes(flows, g) if n.startswith("MRI: "))
    behind = cases_at_node(flows, node, g)
    assert len(behind) and "lumbar_stenosis_on_imaging" in behind.columns


def test_demo_cases_are_the_scenarios_then_the_synthetic_cohort(cases, guideline):
    scenario_ids = [s.id for s in guideline.scenarios]
    assert [c[0] for c in cases[: len(scenario_ids)]] == scenario_ids
    assert {c[1] for c in cases[: len(scenario_ids)]} == {"teaching scenario"}
    rows = pd.read_csv(DEMO_COHORT, dtype=str, keep_default_na=False)
    assert [c[0] for c in cases[len(scenario_ids) :]] == list(rows["case_id"])
    assert {c[1] for c in cases[len(scenario_ids) :]} == {"synthetic"}


def as_text(flows: pd.DataFrame) -> list[dict]:
    """Rows as plain values, whatever the column types (categorical, string, bool)."""
    return [{k: str(v) for k, v in row.items()} for row in flows[flow_columns(load_guideline())].to_dict("records")]


def test_flows_agree_with_evaluating_each_case_alone(flows, cases, guideline):
    mri_labels = guideline.value_labels["mri_finding"]
    expected = []
    for case_id, source, case_ in cases:
        e = evaluate_case(case_, guideline)
        expected.append(
            {
                "case_id": case_id,
                "source": source,
                "presentation": presentation(case_),
                "mri_finding": mri_labels[case_.mri_finding] if case_.mri_finding else NOT_ASSESSED,
                "deciding_rule": e.deciding_rule,
                "deciding_rule_label": next(r.label for r in guideline.decision_rules if r.id == e.deciding_rule),
                "disposition": e.disposition,
                "disposition_label": e.disposition_label,
                "urgent": e.urgent,
                "warnings": ";".join(e.warnings),
            }
        )
    assert as_text(flows) == as_text(pd.DataFrame(expected))


def test_flows_from_a_cohort_files_results_match_the_demo_cohorts_flows(flows, guideline):
    result = evaluate_cohort(read_cohort(DEMO_COHORT), guideline)
    from_file = flows_from_results(result.cases, result.results, guideline, source="synthetic")
    assert as_text(from_file) == as_text(flows[flows["source"] == "synthetic"])


def test_rows_not_evaluated_are_left_out_and_rows_without_an_id_are_numbered(guideline):
    table = read_cohort(b"red_flags,mri_finding,radicular_symptoms\nfalse,normal,false\nmaybe,,\ntrue,,\n", "csv")
    result = evaluate_cohort(table, guideline)
    got = flows_from_results(result.cases, result.results, guideline)
    assert got["case_id"].tolist() == ["1", "3"] and set(got["source"]) == {COHORT_SOURCE}
    assert got["presentation"].tolist() == ["axial neck pain", "red flags"]
    assert got["mri_finding"].tolist() == ["normal", NOT_ASSESSED]
    assert got["disposition"].tolist() == ["needs_information", "outside_pathway"]
    assert got["urgent"].tolist() == [False, True]


def test_a_cohort_without_the_presentation_columns_presents_as_not_assessed(guideline):
    result = evaluate_cohort(read_cohort(b"case_id,weeks_conservative\nx,4\n", "csv"), guideline)
    got = flows_from_results(result.cases, result.results, guideline)
    assert got[["case_id", "presentation", "mri_finding"]].values.tolist() == [["x", NOT_ASSESSED, NOT_ASSESSED]]


def test_flows_of_known_scenarios(flows):
    rows = flows.set_index("case_id")
    cord = rows.loc["cord_compression_week_one"]
    assert (cord.presentation, cord.mri_finding, cord.deciding_rule, cord.disposition) == (
        NOT_ASSESSED,
        "cord compression",
        "R2_cord_compression",
        "urgent_neurosurgical_referral",
    )
    assert bool(cord.urgent) is True
    fusion = rows.loc["degenerative_fusion_requested_week_four"]
    assert fusion.presentation == "axial neck pain" and fusion.mri_finding == "degenerative changes only"
    assert fusion.warnings == "fusion_not_indicated;skipped_physical_therapy;imaging_only_indication"
    blocked = rows.loc["instability_not_assessed"]
    # An unknown rule blocks: the row names the rule that could not be decided.
    assert (blocked.deciding_rule, blocked.disposition) == ("R6_decompression", "needs_information")


def test_flows_have_the_contract_columns_and_one_row_per_case(flows, cases):
    assert {
        "case_id",
        "source",
        "presentation",
        "mri_finding",
        "deciding_rule",
        "disposition",
        "urgent",
        "warnings",
    } <= set(flows.columns)
    assert len(flows) == len(cases) and flows["case_id"].is_unique


def test_demo_cohort_is_mostly_conservative_with_urgent_cases_and_unknowns(flows):
    synthetic = flows[flows["source"] == "synthetic"]
    shares = synthetic["disposition"].value_counts(normalize=True)
    assert 250 <= len(synthetic) <= 350
    assert shares["conservative_care"] > 0.5
    assert shares["needs_information"] > 0.02 and shares["urgent_neurosurgical_referral"] > 0.01
    assert synthetic["urgent"].any() and set(synthetic["presentation"]) == set(presentations(load_guideline()))


def test_links_count_every_case_once_at_each_stage(flows):
    links = flow_links(flows)
    assert list(links.columns) == ["source", "target", "count"]
    stage_of = links["source"].str.split(": ").str[0]
    for stage in ("presentation", "MRI", "rule"):
        assert links.loc[stage_of == stage, "count"].sum() == len(flows)
    into_urgent = links.loc[links["target"] == "disposition: urgent_neurosurgical_referral", "count"].sum()
    assert into_urgent == (flows["disposition"] == "urgent_neurosurgical_referral").sum()


def test_node_names_are_unique_across_stages_and_in_stage_order(flows):
    nodes = flow_nodes(flows)
    assert len(nodes) == len(set(nodes))
    assert "MRI: not done" in nodes and "rule: R4_mri_not_done" in nodes
    stages = [n.split(": ")[0] for n in nodes]
    assert stages == sorted(stages, key=["presentation", "MRI", "rule", "disposition"].index)
    rules = [n for n in nodes if n.startswith("rule: ") and n != "rule: scope"]  # the scope gate comes first
    assert rules == sorted(rules, key=lambda n: int(n.split(": R")[1].split("_")[0]))
    links = flow_links(flows)
    assert set(links["source"]) | set(links["target"]) == set(nodes)


def test_cases_at_a_rule_node_are_those_it_decided_or_blocked(flows):
    at_r6 = cases_at_node(flows, "rule: R6_decompression")
    assert set(at_r6["disposition"]) == {"decompression_referral", "needs_information"}
    assert "instability_not_assessed" in set(at_r6["case_id"])
    assert len(at_r6) == (flows["deciding_rule"] == "R6_decompression").sum()
    assert {"deciding_rule", "disposition", "case_id"} <= set(at_r6.columns)


def test_cases_at_a_presentation_node(flows):
    red = cases_at_node(flows, "presentation: red flags")
    assert len(red) and set(red["presentation"]) == {"red flags"}


def test_unknown_node_is_a_clear_error(flows):
    with pytest.raises(PathwayError, match="not a flow node"):
        cases_at_node(flows, "R4_mri_not_done")


def test_bad_cohort_row_names_the_case_and_field(tmp_path, guideline):
    path = tmp_path / "cohort.csv"
    path.write_text("case_id,red_flags,weeks_conservative,pt_weeks\nok-1,false,10,6\nbad-7,maybe,4,2\nbad-9,,4,9\n")
    with pytest.raises(CaseError) as info:
        demo_cases(guideline, cohort=path)
    fields = [p.field for p in info.value.problems]
    assert fields == ["bad-7: red_flags", "bad-9: pt_weeks"]
    assert "cannot exceed weeks_conservative" in str(info.value)


def test_generator_reproduces_the_shipped_cohort_byte_for_byte(tmp_path):
    out = tmp_path / "cohort.csv"
    result = subprocess.run(
        [sys.executable, "scripts/make_demo_cohort.py", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == DEMO_COHORT.read_bytes()


def test_generated_rows_keep_pt_within_conservative_weeks():
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_demo_cohort import generate

    frame = generate(seed=7, n=400)
    known = frame[(frame["pt_weeks"] != "") & (frame["weeks_conservative"] != "")]
    assert (known["pt_weeks"].astype(int) <= known["weeks_conservative"].astype(int)).all()
    assert generate(seed=7, n=5).equals(generate(seed=7, n=5)) and not generate(8, 5).equals(generate(7, 5))


def test_missing_or_unreadable_cohort_file_is_a_clear_error(tmp_path, guideline):
    with pytest.raises(PathwayError, match="file not found"):
        demo_cases(guideline, cohort=tmp_path / "nowhere.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(PathwayError, match="the file is empty"):
        demo_cases(guideline, cohort=empty)
