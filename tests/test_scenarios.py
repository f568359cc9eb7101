"""The teaching scenarios in data/scenarios.yaml are an executable specification."""

import pytest

from core import evaluate_case, load_guideline

SCENARIOS = load_guideline().scenarios


def test_there_are_at_least_ten_scenarios_covering_every_decided_disposition(guideline):
    assert len(SCENARIOS) >= 10
    covered = {s.expected.disposition for s in SCENARIOS}
    assert covered == {d.id for d in guideline.pathway.dispositions}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario_gets_its_expected_evaluation(scenario):
    result = evaluate_case(scenario.case)
    expected = scenario.expected
    assert result.disposition == expected.disposition
    assert result.warnings == expected.warnings
    if expected.urgent is not None:
        assert result.urgent is expected.urgent
    if expected.phase is not None:
        assert result.phase == expected.phase
    if expected.missing is not None:
        assert result.missing == expected.missing
    if expected.possible is not None:
        assert [p.disposition for p in result.possible_dispositions] == expected.possible


def test_a_decided_scenario_lists_only_its_own_disposition_as_possible():
    for scenario in SCENARIOS:
        result = evaluate_case(scenario.case)
        if result.disposition != "needs_information":
            assert [p.disposition for p in result.possible_dispositions] == [result.disposition]
