"""Property: any valid case gets exactly one known disposition and evaluation never raises."""
from hypothesis import given, settings
from hypothesis import strategies as st

from core import evaluate_case, load_guideline
from core.case import BOOL_FIELDS, MRI_FINDINGS, PROPOSALS

maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731  None = field absent (unknown)


@st.composite
def cases(draw):
    data = {f: draw(maybe(st.booleans())) for f in BOOL_FIELDS}
    data["mri_finding"] = draw(maybe(st.sampled_from(MRI_FINDINGS)))
    data["motor_grade_mrc"] = draw(maybe(st.integers(0, 5)))
    total = draw(maybe(st.integers(0, 520)))
    data["weeks_conservative"] = total
    data["pt_weeks"] = draw(maybe(st.integers(0, 520 if total is None else total)))
    data["proposed"] = draw(st.lists(st.sampled_from(PROPOSALS), unique=True))
    return {k: v for k, v in data.items() if v is not None}


DISPOSITIONS = {d.id for d in load_guideline().pathway.dispositions}


@settings(max_examples=400, deadline=None)
@given(cases())
def test_any_valid_case_gets_exactly_one_known_disposition(case):
    result = evaluate_case(case)
    assert result.disposition in DISPOSITIONS
    assert (result.disposition == "needs_information") == bool(result.missing)
    assert sum(step.value == "true" for step in result.trace) <= 1
    assert result.trace[-1].id == result.deciding_rule or result.disposition == "needs_information"
    if result.disposition != "needs_information":
        assert result.trace[-1].value == "true"
