"""The article's own conflicts: computed from the data where possible, listed otherwise."""

import pytest

from core import DataError, evaluate_case
from core.engine.guideline import load_guideline
from core.review.conflicts import (
    article_conflicts,
    load_conflict_specs,
    resolve_conflicts,
)
from tests.conftest import edit


@pytest.fixture(scope="module")
def conflicts():
    return {c.id: c for c in article_conflicts()}


def test_the_five_conflicts_of_the_issue_are_reported(conflicts):
    assert {cid: c.basis for cid, c in conflicts.items()} == {
        "six_weeks_or_six_months_before_surgery": "listed",
        "second_bypass_of_six_week_minimum": "computed",
        "deformity_outside_referral_list": "computed",
        "six_month_consult_vs_referral_criteria": "listed",
        "unresolved_citations": "computed",
        "lumbar_sources_for_neck_claims": "computed",
    }
    assert all(c.statements and c.what and c.resolution for c in conflicts.values())


def test_six_weeks_against_six_months_comes_first_with_how_the_engine_waits_26_weeks(conflicts):
    first = article_conflicts()[0]
    assert first.id == "six_weeks_or_six_months_before_surgery" and "26 weeks" in first.resolution
    assert [(x.case["weeks_conservative"], x.disposition) for x in first.examples] == [
        (12, "conservative_care"),
        (26, "decompression_referral"),
    ]


def test_progressive_weakness_at_week_three_bypasses_the_six_week_minimum():
    probe = next(s.probe for s in load_conflict_specs() if s.probe is not None)
    result = evaluate_case({**probe.case, "motor_deficit_progressive": True, "motor_grade_mrc": 4})
    assert (result.disposition, result.deciding_rule) == ("neurosurgical_referral", "R3_progressive_weakness")
    assert result.case.pt_weeks < 6 and "cord_compression_only_bypass" not in [s.id for s in result.statements]


def test_second_bypass_is_found_by_evaluating_early_cases(conflicts, guideline):
    bypass = conflicts["second_bypass_of_six_week_minimum"]
    assert [x.deciding_rule for x in bypass.examples] == ["R3_progressive_weakness", "R5_progressive_deformity"]
    for example in bypass.examples:  # each example is a real evaluation, reproducible from its case
        again = evaluate_case(example.case, guideline)
        assert again.disposition == example.disposition and again.case.weeks_conservative == 3
    assert bypass.examples[0].case["motor_grade_mrc"] == 4
    assert {
        "cord_compression_only_bypass",
        "refer_progressive_motor_deficit",
        "deformity_not_surgical_unless_progressive",
    } <= set(bypass.statements)


def test_bypass_conflict_disappears_when_only_cord_compression_can_bypass(data_copy):
    edit(
        data_copy / "pathway.yaml",
        lambda d: d.update(
            rules=[r for r in d["rules"] if r["id"] not in ("R3_progressive_weakness", "R5_progressive_deformity")]
        ),
    )
    ids = [c.id for c in resolve_conflicts(load_conflict_specs(data_copy), load_guideline(data_copy))]
    assert "second_bypass_of_six_week_minimum" not in ids and "deformity_outside_referral_list" not in ids


def test_progressive_deformity_is_the_surgical_route_missing_from_the_referral_list(conflicts):
    deformity = conflicts["deformity_outside_referral_list"]
    assert len(deformity.findings) == 1 and deformity.findings[0].startswith("R5_progressive_deformity")
    assert {"refer_cord_compression", "refer_progressive_motor_deficit", "refer_failed_six_months_correlating"} <= set(
        deformity.statements
    )


def test_six_month_consultation_conflict_shows_how_the_engine_resolves_it(conflicts):
    listed = conflicts["six_month_consult_vs_referral_criteria"]
    assert [(x.disposition, x.deciding_rule) for x in listed.examples] == [
        ("surgical_consultation", "R7_failed_six_months"),
        ("conservative_care", "R8_conservative"),
    ]
    assert "six_months_before_surgical_consult" in listed.examples[1].statements


def test_unresolved_citations_are_the_cited_numbers_minus_the_listed_ones(conflicts, guideline):
    unresolved = conflicts["unresolved_citations"]
    listed = {r.number for r in guideline.references}
    expected = [s.id for n in (5, 6) for s in guideline.statements if n in s.citations]
    assert [f[:3] for f in unresolved.findings] == ["[5]", "[6]"] and listed == {1, 2, 3, 4}
    assert unresolved.statements == list(dict.fromkeys(expected))


def test_unresolved_citation_conflict_disappears_once_references_are_listed(data_copy):
    def add_refs(d):
        d["references"] += [{**d["references"][0], "number": n} for n in (5, 6)]

    edit(data_copy / "references.yaml", add_refs)
    ids = [c.id for c in resolve_conflicts(load_conflict_specs(data_copy), load_guideline(data_copy))]
    assert "unresolved_citations" not in ids


def test_lumbar_sources_cited_for_neck_and_thoracic_claims(conflicts, guideline):
    lumbar = {r.number for r in guideline.references if r.region == "lumbar"}
    expected = {
        s.id
        for s in guideline.statements
        if s.region in ("cervical", "thoracic", "cervicothoracic") and lumbar & set(s.citations)
    }
    assert set(conflicts["lumbar_sources_for_neck_claims"].statements) == expected
    assert "decompression_without_fusion" in expected and "mri_first" not in expected


def test_conflicts_file_problems_are_named_with_path(data_copy):
    def break_it(d):
        d["conflicts"][1]["computed_by"] = "guess"
        d["conflicts"][3]["statements"].append("nope")
        d["conflicts"][3]["examples"][0]["case"]["motor_grade_mrc"] = 9

    edit(data_copy / "conflicts.yaml", break_it)
    with pytest.raises(DataError) as info:
        load_conflict_specs(data_copy)
    found = [str(p) for p in info.value.problems]
    assert any("conflicts.1 (second_bypass_of_six_week_minimum)" in m and "unknown check `guess`" in m for m in found)
    assert any("unknown statement `nope`" in m for m in found)
    assert any("examples.0.case.motor_grade_mrc" in m for m in found)
