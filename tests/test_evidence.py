"""The review layer (data/evidence.yaml): seeded findings, validation, and the download/upload round trip."""

import shutil

import pytest
import yaml

from core import PathwayError
from core.engine.guideline import DATA_DIR, load_guideline
from core.review.evidence import (
    EvidenceLayer,
    checks_for,
    evidence_from_yaml,
    evidence_to_yaml,
    load_evidence,
    parse_check,
    remove_check,
    statements_with_verdict,
    strongest_verdict,
    upsert_check,
    verdict_counts,
)

# The seeded checks: (statement, a word of the source, verdict), each verdict as its note reads. A finding may
# span statements and sources.
SEEDED = [
    ("mri_first", "ACR", "partly"),
    ("mri_first", "NICE", "partly"),
    ("conservative_minimum_6_weeks", "NICE", "agrees"),
    ("conservative_minimum_6_weeks", "Aetna", "agrees"),
    ("pt_stabilisation", "NICE", "agrees"),
    ("avoid_cervical_manipulation", "Cochrane", "partly"),
    ("neuropathic_medication", "NG59", "partly"),
    ("nsaid_muscle_relaxant", "NICE", "agrees"),
    ("nsaid_muscle_relaxant", "American Family Physician", "agrees"),
    ("no_long_term_opioids", "CDC", "agrees"),
    ("epidural_steroid_injection", "Neurology", "partly"),
    ("epidural_steroid_injection", "Cohen", "disagrees"),
    ("epidural_steroid_injection", "FDA", "not_found"),
    ("facet_injection", "Falco", "disagrees"),
    ("facet_injection", "Manchikanti", "disagrees"),
    ("cord_compression_urgent_referral", "AO Spine", "partly"),
    ("refer_cord_compression", "AO Spine", "partly"),
    ("radiculopathy_six_month_protocol", "Aetna", "disagrees"),
    ("refer_progressive_motor_deficit", "NICE", "partly"),
    ("decompression_without_fusion", "AANS", "partly"),
    ("decompression_without_fusion", "foraminotomy", "partly"),
    ("no_surgery_degenerative_only", "Aetna", "agrees"),
    ("no_surgery_degenerative_only", "Kuijper", "agrees"),
    ("pitfall_fusion_on_imaging", "Aetna", "agrees"),
    ("pitfall_fusion_on_imaging", "Kuijper", "agrees"),
]


@pytest.fixture(scope="module")
def layer():
    return load_evidence()


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def problems(call):
    with pytest.raises(PathwayError) as info:
        call()
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("statement, source_word, verdict", SEEDED)
def test_seeded_finding_is_recorded_with_its_verdict(layer, statement, source_word, verdict):
    matching = [c for c in checks_for(layer, statement) if source_word in c.source]
    assert len(matching) == 1 and matching[0].verdict == verdict


def test_seed_holds_exactly_the_table_and_nothing_is_confirmed_yet(layer):
    assert sum(len(c) for c in layer.checks.values()) == len(SEEDED)
    assert not any(c.confirmed for checks in layer.checks.values() for c in checks)


def test_shipped_file_is_what_the_page_would_download(layer):
    # A download without edits is byte-identical to data/evidence.yaml, so a reviewer's diff shows only edits.
    assert evidence_to_yaml(layer) == (DATA_DIR / "evidence.yaml").read_text(encoding="utf-8")
    assert evidence_from_yaml(evidence_to_yaml(layer), load_guideline()) == layer


def test_edited_download_replaces_data_file_and_loads_with_the_real_loader(layer, data_copy, guideline):
    check = parse_check(
        {
            "source": "A new trial",
            "year": 2025,
            "kind": "rct",
            "verdict": "not_found",
            "note": "Looked for the two-week figure and did not find it.",
        }
    )
    edited = upsert_check(layer, "epidural_steroid_injection", check, guideline)
    (data_copy / "evidence.yaml").write_bytes(evidence_to_yaml(edited).encode("utf-8"))
    assert load_evidence(data_copy) == edited
    assert checks_for(load_evidence(data_copy), "epidural_steroid_injection")[-1].source == "A new trial"


def test_unknown_statement_is_rejected_with_file_path_and_reason(guideline):
    text = "checks:\n  mri_firs:\n  - {source: X, kind: other, verdict: agrees, note: n}\n"
    assert problems(lambda: evidence_from_yaml(text, guideline)) == [
        "evidence.yaml: checks.mri_firs: unknown statement `mri_firs` (not in statements.yaml)"
    ]


def test_bad_verdict_and_multi_line_note_are_named_by_path(guideline):
    text = yaml.safe_dump(
        {"checks": {"mri_first": [{"source": "X", "kind": "other", "verdict": "maybe", "note": "two\nlines"}]}}
    )
    found = problems(lambda: evidence_from_yaml(text, guideline))
    assert any(m.startswith("evidence.yaml: checks.mri_first.0.verdict") for m in found)
    assert any(m.startswith("evidence.yaml: checks.mri_first.0.note") for m in found)


def test_the_same_source_twice_on_one_statement_is_rejected(guideline):
    check = {"source": "X", "kind": "other", "verdict": "agrees", "note": "n"}
    text = yaml.safe_dump({"checks": {"mri_first": [check, {**check, "source": "x "}]}})
    assert "merge the two checks" in problems(lambda: evidence_from_yaml(text, guideline))[0]


def test_broken_data_file_is_reported_by_load_evidence(data_copy):
    (data_copy / "evidence.yaml").write_text("checks: {facet_injection: [{source: X}]}")
    found = problems(lambda: load_evidence(data_copy))
    assert any(m.startswith("evidence.yaml: checks.facet_injection.0.kind") for m in found)


def test_uploads_that_are_not_text_or_yaml_or_too_big_are_refused(guideline):
    assert problems(lambda: evidence_from_yaml(b"\xff\xfe", guideline)) == ["evidence.yaml: not UTF-8 text"]
    assert problems(lambda: evidence_from_yaml("checks: [unclosed", guideline))[0].startswith(
        "evidence.yaml: not valid YAML"
    )
    assert "larger than" in problems(lambda: evidence_from_yaml(b"#" * 1_000_001, guideline))[0]


def test_empty_upload_is_an_empty_layer(guideline):
    assert evidence_from_yaml(b"", guideline) == EvidenceLayer()


def test_upsert_replaces_the_check_of_the_same_source_and_keeps_statement_order(layer, guideline):
    falco = checks_for(layer, "facet_injection")[0]
    changed = upsert_check(
        layer,
        "facet_injection",
        falco.model_copy(update={"verdict": "partly", "source": falco.source.upper()}),
        guideline,
    )
    assert [c.verdict for c in checks_for(changed, "facet_injection")] == ["partly", "disagrees"]
    added = upsert_check(layer, "imaging_poor_correlation", falco, guideline)
    assert list(added.checks)[:2] == ["mri_first", "imaging_poor_correlation"]  # statements.yaml order
    assert layer == load_evidence()  # the original is untouched


def test_upsert_on_an_unknown_statement_is_refused(layer, guideline):
    check = checks_for(layer, "facet_injection")[0]
    assert problems(lambda: upsert_check(layer, "nope", check, guideline)) == ["statement: unknown statement `nope`"]


def test_remove_check_drops_empty_statements_and_refuses_unknown_sources(layer):
    only = checks_for(layer, "neuropathic_medication")[0]
    removed = remove_check(layer, "neuropathic_medication", only.source)
    assert "neuropathic_medication" not in removed.checks
    assert sum(verdict_counts(removed).values()) == sum(verdict_counts(layer).values()) - 1
    assert "has no check from" in problems(lambda: remove_check(layer, "neuropathic_medication", "Someone"))[0]


def test_verdict_counts_cover_every_verdict_and_can_be_restricted(layer):
    counts = verdict_counts(layer)
    assert list(counts) == ["agrees", "partly", "disagrees", "not_found"]
    assert counts == {v: sum(1 for _, _, verdict in SEEDED if verdict == v) for v in counts}
    assert verdict_counts(layer, ["facet_injection"]) == {"agrees": 0, "partly": 0, "disagrees": 2, "not_found": 0}


def test_filter_outside_evidence_disagrees(layer):
    assert statements_with_verdict(layer) == [
        "epidural_steroid_injection",
        "facet_injection",
        "radiculopathy_six_month_protocol",
    ]
    assert "mri_first" in statements_with_verdict(layer, ["partly"])


def test_strongest_verdict_puts_disagreement_first(layer, guideline):
    assert strongest_verdict(layer, "facet_injection") == "disagrees"
    assert strongest_verdict(layer, "no_long_term_opioids") == "agrees"
    assert strongest_verdict(layer, "pt_postural_retraining") is None
    mixed = upsert_check(
        layer,
        "no_long_term_opioids",
        parse_check({"source": "Other", "kind": "other", "verdict": "partly", "note": "n"}),
        guideline,
    )
    assert strongest_verdict(mixed, "no_long_term_opioids") == "partly"


def test_form_input_errors_name_the_field():
    found = problems(
        lambda: parse_check({"source": "", "year": 1700, "kind": "blog", "verdict": "agrees", "note": "ok"})
    )
    assert {m.split(":")[0] for m in found} == {"source", "year", "kind"}


def test_every_verdict_fits_its_note_and_every_check_names_its_source_or_says_it_has_no_identifier():
    layer = load_evidence()
    every = [(sid, c) for sid, checks in layer.checks.items() for c in checks]
    fda = next(c for _, c in every if c.source.startswith("FDA"))
    assert fda.verdict == "not_found"  # its note: it supports caution, not the claim's duration of relief
    trials = [c for _, c in every if c.kind == "rct"]
    assert trials and all(c.link and c.link.startswith("doi:") for c in trials)
    assert all(" et al." in c.source for c in trials)  # a trial is named by its authors and journal
    assert sum(1 for _, c in every if c.link) >= len(every) - 4


def test_a_lumbar_source_checking_a_neck_claim_is_flagged_in_the_audit():
    from core.review.audit import audit_guideline

    g = load_guideline()
    found = audit_guideline(g, load_evidence()).evidence_region_mismatches
    ng59 = next(m for m in found if m.statement == "neuropathic_medication")
    assert ng59.source.startswith("NICE guideline NG59") and ng59.only_check
