"""What would change this decision: nearby cases with another disposition, most urgent worsening first."""

import pytest

from core import counterfactuals, evaluate_case, load_guideline, parse_case
from core.analyses.counterfactuals import TONES
from core.engine.case import CASE_FIELDS, DEFAULT_SCHEMA
from tests.conftest import case as base_case
from tests.strategies import MRI_FINDINGS

BOOL_FIELDS = DEFAULT_SCHEMA.bool_fields  # the default pack's yes/no fields

SCENARIOS = {s.id: s.case for s in load_guideline().scenarios}


def sentences(case):
    return [c.sentence for c in counterfactuals(case)]


def test_week_ten_radiculopathy_shows_the_six_month_threshold_and_the_two_finding_worsening():
    items = counterfactuals(SCENARIOS["radiculopathy_week_ten_failing"])
    found = [c.sentence for c in items]
    assert "If weeks of conservative care were 26: Referral for decompression alone (no fusion)." in found
    assert (
        "If progressive motor deficit were yes and weakest MRC grade were 4: "
        "Neurosurgical referral (progressive weakness), urgent."
    ) in found
    assert items[0].direction == "more urgent" and items[0].disposition == "outside_pathway"
    pair = next(c for c in items if len(c.changes) == 2)
    assert {(ch.field, ch.before, ch.after) for ch in pair.changes} == {
        ("motor_grade_mrc", 5, 4),
        ("motor_deficit_progressive", False, True),
    }


def test_unassessed_instability_is_settled_either_way():
    items = {
        (c.changes[0].field, c.changes[0].after): c.disposition
        for c in counterfactuals(SCENARIOS["instability_not_assessed"])
        if len(c.changes) == 1
    }
    assert items[("instability", False)] == "decompression_referral"
    assert items[("instability", True)] == "surgical_consultation"


def test_one_more_week_crosses_the_six_month_threshold():
    items = counterfactuals(SCENARIOS["week_twenty_five_failing"])
    weeks = {c.changes[0].after: c.disposition for c in items if c.changes[0].field == "weeks_conservative"}
    assert weeks == {26: "decompression_referral"}


def test_no_change_undoes_a_fact_or_unassesses_an_item():
    case = parse_case(SCENARIOS["radiculopathy_week_ten_failing"])
    for item in counterfactuals(case):
        for change in item.changes:
            assert change.after is not None or change.field == "proposed"
            if change.field in ("weeks_conservative", "pt_weeks"):
                assert change.after > change.before  # time only passes
            if change.field == "motor_grade_mrc":
                assert change.after < change.before  # power only falls
            if change.field in BOOL_FIELDS:
                assert (change.before, change.after) == (False, True)  # a finding appears
            if change.field == "mri_finding":
                assert change.after != "not_done"


def test_a_case_with_an_mri_is_never_offered_the_mri_undone():
    case = {**SCENARIOS["radiculopathy_week_ten_failing"], "deformity_progressive": None}
    assert not [
        c
        for c in counterfactuals(case)
        if c.changes[0].field == "mri_finding" and c.changes[0].after in ("not_done", None)
    ]


def test_needs_information_is_outside_the_urgency_scale():
    # the link without deformity_progressive: assessing it decides the case, it is not "more urgent"
    case = base_case(weeks_conservative=8, pt_weeks=4, correlating_pathology=False, deformity_progressive=...)
    items = counterfactuals(case)
    assert evaluate_case(case).disposition == "needs_information"
    assert {c.direction for c in items} == {"decides"}
    assert [c.disposition for c in items if c.changes[0].field == "deformity_progressive"] == [
        "surgical_consultation",
        "conservative_care",
    ]


def test_a_change_that_blocks_the_decision_comes_last_and_is_not_called_less_urgent():
    items = counterfactuals(SCENARIOS["radiculopathy_week_ten_failing"])
    blocked = [c for c in items if c.disposition == "needs_information"]
    assert all(c.direction == "needs information" for c in blocked)
    assert items[len(items) - len(blocked) :] == blocked


def test_progressive_weakness_steps_down_only_by_what_can_happen():
    items = counterfactuals(SCENARIOS["progressive_weakness_week_three"])
    assert [c.sentence for c in items] == [
        "If red flags were yes: Urgent evaluation outside this pathway, urgent.",
        "If MRI finding were cord compression: Urgent neurosurgical referral, urgent.",
    ]


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
    rank = {"more urgent": 0, "decides": 0, "as urgent": 1, "less urgent": 1, "needs information": 2}
    urgency = [(rank[c.direction], TONES.index(guideline.disposition(c.disposition).tone), not c.urgent) for c in items]
    assert urgency == sorted(urgency)


@pytest.mark.parametrize(
    "scenario",
    ["index_case_before_mri", "radiculopathy_with_instability", "chiropractor_plan", "instability_not_assessed"],
)
def test_no_single_change_that_can_happen_and_moves_the_decision_is_left_out(scenario):
    case = parse_case(SCENARIOS[scenario])
    now = evaluate_case(case).disposition
    listed = {(c.changes[0].field, c.changes[0].after) for c in counterfactuals(case) if len(c.changes) == 1}
    worse = ("normal", "degenerative_only", "nerve_root_compression", "cord_compression")
    for field in [*BOOL_FIELDS, "mri_finding"]:
        before = getattr(case, field)
        if field == "mri_finding":
            can = (
                [m for m in MRI_FINDINGS if m != before]
                if before in (None, "not_done")
                else list(worse[worse.index(before) + 1 :])
            )
        else:
            can = [True, False] if before is None else ([True] if before is False else [])
        for value in can:
            changed = evaluate_case({**case.model_dump(exclude_none=True), field: value})
            assert ((field, value) in listed) == (changed.disposition != now), (field, value)


def test_pairs_only_reach_worse_dispositions_no_single_change_reaches(guideline):
    for case in SCENARIOS.values():
        items = counterfactuals(case)
        singles = {c.disposition for c in items if len(c.changes) == 1}
        for pair in (c for c in items if len(c.changes) == 2):
            assert pair.direction in ("more urgent", "decides") and pair.disposition not in singles
