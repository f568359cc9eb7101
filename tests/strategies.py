"""Hypothesis strategies shared by the property tests."""
from hypothesis import strategies as st

from core.case import BOOL_FIELDS, MRI_FINDINGS, PROPOSALS


def maybe(strategy):
    """None stands for an absent field (unknown)."""
    return st.one_of(st.none(), strategy)


@st.composite
def any_case(draw):
    """Any valid case: each field known or unknown, pt_weeks never above weeks_conservative."""
    case = {f: draw(maybe(st.booleans())) for f in BOOL_FIELDS}
    case["mri_finding"] = draw(maybe(st.sampled_from(MRI_FINDINGS)))
    case["motor_grade_mrc"] = draw(maybe(st.integers(0, 5)))
    total = draw(maybe(st.integers(0, 520)))
    case["weeks_conservative"] = total
    case["pt_weeks"] = draw(maybe(st.integers(0, 520 if total is None else total)))
    case["proposed"] = draw(st.lists(st.sampled_from(PROPOSALS), unique=True))
    return {k: v for k, v in case.items() if v is not None}
