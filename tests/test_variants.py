"""Variants as data: what a variant may change, how a bad one is reported, and that applying one is the same as
editing data/pathway.yaml by hand."""

import pandas as pd
import pytest

from core import load_guideline
from core.analyses.frame import cases_frame, evaluate_frame
from core.analyses.grid import verification_grid
from core.analyses.verify import load_invariants, verification_report
from core.engine import conditions
from core.engine.guideline import pathway_fields
from core.errors import DataError
from core.review.conflicts import load_conflict_specs
from core.review.evidence import load_evidence
from core.review.variants import (
    Variant,
    apply_variant,
    build_variants,
    default_sweep,
    droppable,
    load_variants,
    thresholds,
    variants_from_yaml,
    variants_to_yaml,
)
from tests.conftest import edit

SHIPPED = {v.id: v for v in load_variants()}
GOOD = {
    "id": "mine",
    "title": "A reviewer's variant",
    "rationale": "Because.",
    "thresholds": {"R7_failed_six_months/weeks_conservative": 12},
}


def problems(guideline, **changes) -> list[str]:
    """The problems of one variant (GOOD with changes; a value of ... removes the key), as `field: message`."""
    raw = {k: v for k, v in {**GOOD, **changes}.items() if v is not ...}
    conflict_ids = [c.id for c in load_conflict_specs()]
    with pytest.raises(DataError) as caught:
        build_variants({"variants": [raw]}, guideline, load_evidence(), conflict_ids)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_variants_answer_the_three_questions_of_the_evidence_layer():
    assert len(SHIPPED) >= 3
    six_weeks = SHIPPED["six_week_surgical_opinion_for_radiculopathy"]
    assert six_weeks.thresholds == {"R6_decompression/weeks_conservative": 6}
    assert six_weeks.evidence.statement == "radiculopathy_six_month_protocol"
    assert SHIPPED["progressive_deficit_without_mrc_grade"].drop == ["R3_progressive_weakness/motor_grade_mrc"]
    assert SHIPPED["progressive_deformity_not_a_surgical_route"].rules_off == ["R5_progressive_deformity"]
    assert all(v.evidence is not None or v.conflict is not None for v in SHIPPED.values())


def test_the_shipped_file_is_in_the_form_the_page_downloads(guideline):
    from core.engine.guideline import DATA_DIR

    text = (DATA_DIR / "variants.yaml").read_text()
    assert variants_to_yaml(list(SHIPPED.values()), default_sweep(guideline)) == text
    assert variants_from_yaml(text, guideline) == list(SHIPPED.values())


def test_every_number_comparison_of_the_pathway_is_addressable(guideline):
    addresses = {t.address: t for t in thresholds(guideline)}
    assert addresses["R7_failed_six_months/weeks_conservative"].value == 26
    assert addresses["R3_progressive_weakness/motor_grade_mrc"].text == "motor_grade_mrc <= 4"
    assert addresses["skipped_physical_therapy/pt_weeks"].kind == "warning"
    assert addresses["physical_therapy_and_medication/pt_weeks"].kind == "phase"
    numeric = [
        (item.id, t.field)
        for item in [*guideline.pathway.rules, *guideline.pathway.phases, *guideline.pathway.warnings]
        for t in conditions.tests_in(item.when)
        if t.op in ("ge", "gt", "le", "lt")
    ]
    assert {f"{item}/{field}" for item, field in numeric} == set(addresses)


@pytest.mark.parametrize(
    ("changes", "path", "reason"),
    [
        (
            {"thresholds": {"R9_nothing/weeks_conservative": 6}},
            "thresholds.R9_nothing/weeks_conservative",
            "unknown rule, phase or warning `R9_nothing`",
        ),
        (
            {"thresholds": {"R7_failed_six_months/motor_grade_mrc": 3}},
            "thresholds.R7_failed_six_months/motor_grade_mrc",
            "does not compare `motor_grade_mrc` with a number",
        ),
        (
            {"thresholds": {"R7_failed_six_months/conservative_failed": 3}},
            "thresholds.R7_failed_six_months/conservative_failed",
            "does not compare `conservative_failed`",
        ),
        (
            {"thresholds": {"weeks_conservative": 6}},
            "thresholds.weeks_conservative",
            "RULE_OR_PHASE_OR_WARNING_ID/FIELD",
        ),
        (
            {"thresholds": {"R7_failed_six_months/weeks_conservative": 600}},
            "thresholds.R7_failed_six_months/weeks_conservative",
            "600 is out of range",
        ),
        (
            {"thresholds": {"R3_progressive_weakness/motor_grade_mrc": -1}},
            "thresholds.R3_progressive_weakness/motor_grade_mrc",
            "runs from 0 to 5",
        ),
        (
            {"thresholds": {"R7_failed_six_months/weeks_conservative": "six"}},
            "thresholds.R7_failed_six_months/weeks_conservative",
            "valid integer",
        ),
        (
            {"thresholds": {"R7_failed_six_months/weeks_conservative": True}},
            "thresholds.R7_failed_six_months/weeks_conservative",
            "valid integer",
        ),
        (
            {"thresholds": {"R7_failed_six_months/weeks_conservative": 6.5}},
            "thresholds.R7_failed_six_months/weeks_conservative",
            "valid integer",
        ),
        ({"rules_off": ["R9_nothing"]}, "rules_off.0", "unknown rule `R9_nothing`"),
        ({"rules_off": ["R8_conservative"]}, "rules_off.0", "last rule (otherwise) and always stays"),
        (
            {"rules_off": ["R7_failed_six_months"]},
            "thresholds.R7_failed_six_months/weeks_conservative",
            "switched off by this variant",
        ),
        (
            {"dispositions": {"R5_progressive_deformity": "operate_now"}},
            "dispositions.R5_progressive_deformity",
            "unknown disposition `operate_now`",
        ),
        (
            {"dispositions": {"R5_progressive_deformity": "needs_information"}},
            "dispositions.R5_progressive_deformity",
            "unknown disposition `needs_information`",
        ),
        ({"dispositions": {"R0_first": "obtain_mri"}}, "dispositions.R0_first", "unknown rule `R0_first`"),
        ({"drop": ["R2_cord_compression/mri_finding"]}, "drop.0", "not a criterion that can be left out"),
        (
            {"evidence": {"statement": "mri_first", "source": "A journal we made up"}},
            "evidence.source",
            "no check of `mri_first` has this source",
        ),
        (
            {"evidence": {"statement": "pt_postural_retraining", "source": "x"}},
            "evidence.statement",
            "no evidence check for statement `pt_postural_retraining`",
        ),
        ({"conflict": "no_such_conflict"}, "conflict", "unknown conflict `no_such_conflict`"),
        ({"threshold": {"R7_failed_six_months/weeks_conservative": 6}}, "threshold", "Extra inputs are not permitted"),
        ({"thresholds": ...}, "(the variant)", "needs at least one change"),
        ({"title": ...}, "title", "Field required"),
    ],
)
def test_a_bad_variant_is_named_with_the_path_and_the_reason(guideline, changes, path, reason):
    found = problems(guideline, **changes)
    assert any(p.startswith(f"variants.yaml: variant mine: {path}:") and reason in p for p in found), found


def test_two_variants_with_one_id_are_refused(guideline):
    with pytest.raises(DataError, match="variant mine: the id is used twice"):
        build_variants({"variants": [GOOD, GOOD]}, guideline)


def test_an_upload_that_is_not_yaml_or_not_variants_is_a_clear_error(guideline):
    with pytest.raises(DataError, match="upload.yaml: not valid YAML"):
        variants_from_yaml(b"variants: [", guideline, filename="upload.yaml")
    with pytest.raises(DataError, match="upload.yaml: variants: Field required"):
        variants_from_yaml(b"checks: {}", guideline, filename="upload.yaml")
    with pytest.raises(DataError, match="not UTF-8"):
        variants_from_yaml(b"\xff\xfe", guideline, filename="upload.yaml")


def test_yaml_tags_are_never_constructed(guideline):
    with pytest.raises(DataError, match="not valid YAML"):
        variants_from_yaml(b"variants: !!python/object/apply:os.system ['true']", guideline)


def test_a_variant_leaves_the_loaded_guideline_untouched(guideline):
    before = guideline.model_dump()
    apply_variant(SHIPPED["progressive_deformity_not_a_surgical_route"], guideline)
    assert guideline.model_dump() == before and load_guideline() is guideline


def test_every_criterion_of_an_all_can_be_dropped_but_not_a_lone_condition(guideline):
    assert "R3_progressive_weakness/motor_grade_mrc" in droppable(guideline)
    assert not any(a.startswith(("R1_", "R2_", "R4_", "R5_")) for a in droppable(guideline))


# Each shipped variant written out by hand as an edit of pathway.yaml, independently of core.review.variants.
def _rule(pathway, rule_id):
    return next(r for r in pathway["rules"] if r["id"] == rule_id)


HAND_EDITS = {
    "six_week_surgical_opinion_for_radiculopathy": lambda p: [
        t.update(value=6) for t in _rule(p, "R6_decompression")["when"]["all"] if t.get("field") == "weeks_conservative"
    ],
    "progressive_deficit_without_mrc_grade": lambda p: _rule(p, "R3_progressive_weakness")["when"].update(
        all=[t for t in _rule(p, "R3_progressive_weakness")["when"]["all"] if t.get("field") != "motor_grade_mrc"]
    ),
    "progressive_deformity_not_a_surgical_route": lambda p: p.update(
        rules=[r for r in p["rules"] if r["id"] != "R5_progressive_deformity"]
    ),
    "decompression_or_fusion_for_radiculopathy": lambda p: _rule(p, "R6_decompression").update(
        disposition="surgical_consultation"
    ),
}


def test_every_shipped_variant_has_a_hand_edit_here():
    assert set(HAND_EDITS) == set(SHIPPED)


@pytest.mark.parametrize("variant_id", sorted(HAND_EDITS))
def test_applying_a_variant_equals_editing_the_yaml_by_hand(guideline, data_copy, variant_id):
    edit(data_copy / "pathway.yaml", HAND_EDITS[variant_id])
    by_hand = load_guideline(data_copy)
    applied = apply_variant(SHIPPED[variant_id], guideline)
    assert applied.pathway == by_hand.pathway and applied != guideline
    invariants = [(i.when, i.then) for i in load_invariants(guideline)]
    # Equal pathways decide alike; every 5th case of both grids checks that nothing outside `pathway` differs.
    grid = (verification_grid(by_hand, invariants) + verification_grid(guideline, invariants))[::5]
    frame = cases_frame(grid, pathway_fields(guideline))
    pd.testing.assert_frame_equal(evaluate_frame(frame, applied), evaluate_frame(frame, by_hand))


def test_a_variant_that_drops_the_mrc_grade_is_still_verified_on_the_grade():
    # The variant's pathway no longer reads the grade, but two invariants do: the grid must still vary it.
    g = load_guideline()
    report = verification_report(apply_variant(SHIPPED["progressive_deficit_without_mrc_grade"], g), load_invariants(g))
    assert "motor_grade_mrc" in report.values_tried
    assert report.passed


def test_a_variant_built_in_python_validates_like_one_from_a_file(guideline):
    variant = Variant(**GOOD)
    assert build_variants({"variants": [variant.model_dump()]}, guideline) == [variant]


def test_a_variants_file_under_the_uploaders_stated_limit_is_accepted():
    from core.review.variants import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB

    text = (
        "# " + "x" * 300_000 + "\n"
        "variants:\n- id: later\n  title: Later consultation\n  rationale: A test.\n"
        "  thresholds:\n    R7_failed_six_months/weeks_conservative: 52\n"
    )
    assert MAX_UPLOAD_BYTES == MAX_UPLOAD_MB * 1_000_000 and len(text) < MAX_UPLOAD_BYTES
    assert [v.id for v in variants_from_yaml(text, load_guideline())] == ["later"]


def test_the_sweep_the_file_names_is_the_page_default_and_must_be_a_threshold(guideline):
    from core.engine.guideline import DATA_DIR

    assert default_sweep(guideline) == "R7_failed_six_months/weeks_conservative"
    text = (
        (DATA_DIR / "variants.yaml")
        .read_text()
        .replace("R7_failed_six_months/weeks_conservative", "R7_failed_six_months/pt_weeks")
    )
    assert variants_from_yaml(text, guideline) == list(SHIPPED.values())
    with pytest.raises(DataError, match=r"variants\.yaml: sweep.*not a threshold"):
        variants_from_yaml(text.replace("R7_failed_six_months/pt_weeks", "R7_failed_six_months/mjoa_score"), guideline)
