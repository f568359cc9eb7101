"""Comparing two cases: changed fields and the rule where their traces part."""

from core import evaluate_case, parse_case
from core.analyses.compare import compare_evaluations, compare_frame, where_traces_part
from tests.conftest import case


def test_instability_parts_the_traces_at_the_decompression_rule(guideline):
    left = evaluate_case(case(weeks_conservative=26, pt_weeks=12), guideline)
    right = evaluate_case(case(weeks_conservative=26, pt_weeks=12, instability=True), guideline)
    comparison = compare_evaluations(left, right)
    assert comparison.changed_fields == ["instability"]
    assert not comparison.same_disposition
    assert comparison.parting.rule == "R6_decompression"
    assert (comparison.parting.left, comparison.parting.right) == ("true", "false")
    assert comparison.parting.fields == ["instability"]


def test_identical_cases_take_the_same_route(guideline):
    e = evaluate_case(case(), guideline)
    assert where_traces_part(e, e) is None
    assert compare_evaluations(e, e).changed_fields == []


def test_a_rule_only_one_trace_reaches_is_where_they_part(guideline):
    # Cord compression decides at R2; with a normal MRI the trace goes on to R3 and beyond.
    left = evaluate_case(case(mri_finding="cord_compression"), guideline)
    right = evaluate_case(case(mri_finding="normal"), guideline)
    parting = where_traces_part(left, right)
    assert parting.rule == "R2_cord_compression"
    frame = compare_frame(left, right)
    assert frame.set_index("rule").loc["R3_progressive_weakness", "left"] == "not reached"
    assert frame["parts here"].sum() == 1


def test_unknown_versus_known_parts_the_traces(guideline):
    left = evaluate_case(parse_case({"red_flags": False, "mri_finding": "not_done"}), guideline)
    right = evaluate_case(parse_case({"mri_finding": "not_done"}), guideline)
    parting = where_traces_part(left, right)
    assert (parting.rule, parting.left, parting.right) == ("R1_red_flags", "false", "unknown")


def test_warnings_that_differ_are_listed_per_side(guideline):
    left = evaluate_case(case(proposed=["long_term_opioids"]), guideline)
    right = evaluate_case(case(), guideline)
    comparison = compare_evaluations(left, right)
    assert comparison.same_disposition and comparison.parting is None
    assert comparison.warnings_only_left == ["avoid_long_term_opioids"]
    assert comparison.warnings_only_right == []
