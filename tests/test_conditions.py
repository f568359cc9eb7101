"""The structured condition language: Kleene logic and readable text."""

import pytest
from pydantic import TypeAdapter, ValidationError

from core.engine.conditions import Condition, describe, fields_read, holds, undecided_fields

parse = TypeAdapter(Condition).validate_python
A = {"field": "red_flags", "op": "is", "value": True}
B = {"field": "weeks_conservative", "op": "ge", "value": 26}


@pytest.mark.parametrize(
    "a,b,all_,any_",
    [
        (True, True, True, True),
        (True, False, False, True),
        (False, None, False, None),
        (True, None, None, True),
        (None, None, None, None),
        (False, False, False, False),
    ],
)
def test_kleene_truth_tables(a, b, all_, any_):
    values = {"red_flags": a, "weeks_conservative": {True: 30, False: 3, None: None}[b]}
    assert holds(parse({"all": [A, B]}), values) is all_
    assert holds(parse({"any": [A, B]}), values) is any_


def test_not_keeps_unknown_unknown():
    assert holds(parse({"not": A}), {"red_flags": None}) is None
    assert holds(parse({"not": A}), {"red_flags": False}) is True


def test_includes_treats_an_absent_list_as_empty():
    cond = parse({"field": "proposed", "op": "includes", "value": "fusion"})
    assert holds(cond, {"proposed": ()}) is False and holds(cond, {"proposed": ("fusion",)}) is True


def test_undecided_fields_name_only_what_could_still_decide():
    cond = parse({"all": [A, B]})
    assert undecided_fields(cond, {"red_flags": None, "weeks_conservative": 30}) == ["red_flags"]
    assert undecided_fields(cond, {"red_flags": None, "weeks_conservative": 3}) == []


def test_conditions_read_as_text(guideline):
    cond = parse({"all": [{"field": "mri_finding", "op": "is", "value": "nerve_root_compression"}, B]})
    text = describe(cond, guideline.labels, guideline.value_labels)
    assert text == "MRI finding is nerve root compression and weeks of conservative care >= 26"
    nested = parse({"any": [A, {"all": [A, B]}]})
    assert describe(nested, guideline.labels, guideline.value_labels) == (
        "red flags: yes or (red flags: yes and weeks of conservative care >= 26)"
    )
    assert describe(None, guideline.labels, guideline.value_labels).startswith("otherwise")


def test_fields_read_in_order_without_repeats():
    assert fields_read(parse({"any": [A, {"all": [A, B]}]})) == ["red_flags", "weeks_conservative"]


def test_malformed_condition_is_rejected():
    with pytest.raises(ValidationError):
        parse({"field": "red_flags", "op": "matches", "value": True})
    with pytest.raises(ValidationError):
        parse({"either": [A]})
