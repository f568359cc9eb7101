"""Hypothesis strategies shared by the property tests: any valid case, unknown fields left out."""

from hypothesis import strategies as st

from core.engine.case import DEFAULT_SCHEMA, MAX_WEEKS

BOOL_FIELDS = DEFAULT_SCHEMA.bool_fields  # the default pack's yes/no fields
MRI_FINDINGS = DEFAULT_SCHEMA.choices["mri_finding"]
PROPOSALS = DEFAULT_SCHEMA.choices["proposed"]


def maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)  # None = field absent (unknown)


@st.composite
def any_case(draw, max_weeks: int = MAX_WEEKS, max_proposed: int | None = None) -> dict:
    """A valid case in the JSON format; pt_weeks never exceeds weeks_conservative."""
    data = {f: draw(maybe(st.booleans())) for f in BOOL_FIELDS}
    data["mri_finding"] = draw(maybe(st.sampled_from(MRI_FINDINGS)))
    data["motor_grade_mrc"] = draw(maybe(st.integers(0, 5)))
    total = draw(maybe(st.integers(0, max_weeks)))
    data["weeks_conservative"] = total
    data["pt_weeks"] = draw(maybe(st.integers(0, max_weeks if total is None else total)))
    data["proposed"] = draw(st.lists(st.sampled_from(PROPOSALS), unique=True, max_size=max_proposed))
    return {k: v for k, v in data.items() if v is not None}


@st.composite
def schema_case(draw, schema) -> dict:
    """A valid case of any pack's schema (from its vocabulary kinds, ranges, choices and constraints)."""
    data: dict = {}
    for name, kind in schema.kinds.items():
        if kind == "bool":
            data[name] = draw(maybe(st.booleans()))
        elif kind == "int":
            low, high = schema.int_fields[name]
            data[name] = draw(maybe(st.integers(low, high)))
        elif kind == "choice":
            data[name] = draw(maybe(st.sampled_from(schema.choices[name])))
        elif kind == "list":
            data[name] = draw(st.lists(st.sampled_from(schema.choices[name]), unique=True, max_size=3))
    for c in schema.constraints:  # a value above its limit is clipped to it, so the case stays valid
        if data.get(c.field) is not None and data.get(c.at_most) is not None:
            data[c.field] = min(data[c.field], data[c.at_most])
    return {k: v for k, v in data.items() if v is not None}
