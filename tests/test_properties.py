"""Property: any valid case gets exactly one known disposition and evaluation never raises."""

from hypothesis import given, settings

from core import evaluate_case, load_guideline
from tests.strategies import any_case

DISPOSITIONS = {d.id for d in load_guideline().pathway.dispositions}


@settings(max_examples=400, deadline=None)
@given(any_case())
def test_any_valid_case_gets_exactly_one_known_disposition(case):
    result = evaluate_case(case)
    assert result.disposition in DISPOSITIONS
    assert (result.disposition == "needs_information") == bool(result.missing)
    assert sum(step.value == "true" for step in result.trace) <= 1
    assert result.trace[-1].id == result.deciding_rule or result.disposition == "needs_information"
    if result.disposition != "needs_information":
        assert result.trace[-1].value == "true"
