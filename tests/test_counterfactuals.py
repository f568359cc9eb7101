"""What would change this decision: nearby cases with another disposition, most urgent worsening first."""
import pytest

from core import counterfactuals, evaluate_case, load_guideline, parse_case
from core.engine.case import BOOL_FIELDS, CASE_FIELDS, MRI_FINDINGS
from core.analyses.counterfactuals import TONES

SCENARIOS = {s.id: s.case for s in load_guideline().scenarios}


def sentences(case):
    return [c.sentence for c in counterfactuals(case)]


def test_week_ten_radiculopathy_shows_the_six_month_threshold_and_the_two_finding_worsening():
    items = counterfactuals(SCENARIOS["radiculopathy_week_ten_failing"])
    found = [c.sentence for c in items]
    assert "If weeks of conservative care were 26: Referral for decompression alone (no fusion)." in found
    assert ("If progressive motor deficit were yes and weakest MRC grade were 4: "
            "Neurosurgical referral (progressive weakness), urgent.") in found
    assert items[0].direction == "more urgent" and items[0].disposition == "outside_pathway"
    pair = next(c for c in items if len(c.changes) == 2)
    assert {(ch.field, ch.before, ch.after) for ch in pair.changes} == {
        ("motor_grade_mrc", 5, 4), ("motor_deficit_progressive", False, True)}


def test_unassessed_instability_is_settled_either_way():
    items = {(c.changes[0].field, c.changes[0].after): c.disposition
             for c in counterfactuals(SCENARIOS["instability_not_assessed"]) if len(c.changes) == 1}
    assert items[("instability", False)] == "decompression_referral"
    assert items[("instability", True)] == "surgical_consultation"


def test_one_more_week_crosses_the_six_month_threshold():
    items = counterfactuals(SCENARIOS["week_twenty_five_failing"])
    weeks = {c.changes[0].after: c.disposition for c in items if c.changes[0].field == "weeks_conservative"}
    assert weeks == {26: "decompression_referral", None: "needs_information"}


def test_progressive_weakness_would_need_the_deformity_assessed_to_step_down():
    items = counterfactuals(SCENARIOS["progressive_weakness_week_three"])
    assert "If weakest MRC grade were 5: More information needed." in [c.sentence for c in items]
    assert all(c.direction == "more urgent" for c in items[:2]) and items[-1].disposition == "needs_information"


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_listed_change_really_changes_the_disposition_and_only_the_listed_fields(scenario):
    case = parse_case(SCENARIOS[scenario])
    now = evaluate_case(case).disposition
    for item in counterfactuals(case):
        assert evaluate_case(item.case).disposition == item.disposition != now
        changed = {f for f in CASE_FIELDS if getattr(case, f) != getattr(item.case, f)}
        assert changed == {c.field for c in item.changes}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_worsenings_come_first_most_urgent_first(scenario, guideline):
    items = counterfactuals(SCENARIOS[scenario])
    directions = [c.direction == "more urgent" for c in items]
    assert directions == sorted(directions, reverse=True)
    urgency = [(c.direction != "more urgent", TONES.index(guideline.disposition(c.disposition).tone), not c.urgent)
               for c in items]
    assert urgency == sorted(urgency)


@pytest.mark.parametrize("scenario", ["index_case_before_mri", "radiculopathy_with_instability", "chiropractor_plan"])
def test_no_single_yes_no_or_mri_change_that_moves_the_decision_is_left_out(scenario):
    case = parse_case(SCENARIOS[scenario])
    now = evaluate_case(case).disposition
    listed = {(c.changes[0].field, c.changes[0].after) for c in counterfactuals(case) if len(c.changes) == 1}
    for field, values in [*((f, (True, False, None)) for f in BOOL_FIELDS), ("mri_finding", (*MRI_FINDINGS, None))]:
        for value in values:
            if value == getattr(case, field):
                continue
            changed = evaluate_case({**case.model_dump(exclude_none=True), field: value} if value is not None
                                    else case.model_dump(exclude_none=True, exclude={field}))
            assert ((field, value) in listed) == (changed.disposition != now), (field, value)


def test_pairs_only_reach_worse_dispositions_no_single_change_reaches(guideline):
    for case in SCENARIOS.values():
        items = counterfactuals(case)
        singles = {c.disposition for c in items if len(c.changes) == 1}
        for pair in (c for c in items if len(c.changes) == 2):
            assert pair.direction == "more urgent" and pair.disposition not in singles
