"""Two evaluations side by side: what differs in the cases, and the rule where their traces part.

Both traces walk the same ordered rules, so they agree step by step until the first rule whose value differs
(or that one trace reaches and the other never does); that rule is where the decisions part.
"""

import pandas as pd

from core.engine.case import Case
from core.engine.evaluation import Evaluation
from core.model import Frozen

COMPARE_COLUMNS = ["rule", "label", "left", "right", "parts here"]
NOT_REACHED = "not reached"


class Parting(Frozen):
    """The first rule the two traces see differently."""

    rule: str
    label: str
    condition: str
    left: str
    right: str
    fields: list[str]


class Comparison(Frozen):
    changed_fields: list[str]
    same_disposition: bool
    parting: Parting | None
    warnings_only_left: list[str]
    warnings_only_right: list[str]


def changed_fields(left: Case, right: Case) -> list[str]:
    """Case fields whose values differ, in case-format order."""
    return [f for f in type(left).model_fields if getattr(left, f) != getattr(right, f, None)]


def where_traces_part(left: Evaluation, right: Evaluation) -> Parting | None:
    """The first rule whose value differs between the traces, or None when they take the same route."""
    for n in range(max(len(left.trace), len(right.trace))):
        a = left.trace[n] if n < len(left.trace) else None
        b = right.trace[n] if n < len(right.trace) else None
        a_value = a.value if a else NOT_REACHED
        b_value = b.value if b else NOT_REACHED
        if a_value != b_value:
            step = a or b
            assert step is not None, "n is below the longer trace's length, so one of them exists"
            a_inputs, b_inputs = (a.inputs if a else {}), (b.inputs if b else {})
            inputs = list(dict.fromkeys([*a_inputs, *b_inputs]))
            differing = [f for f in inputs if a_inputs.get(f) != b_inputs.get(f)]
            return Parting(
                rule=step.id, label=step.label, condition=step.condition, left=a_value, right=b_value, fields=differing
            )
    return None


def compare_evaluations(left: Evaluation, right: Evaluation) -> Comparison:
    return Comparison(
        changed_fields=changed_fields(left.case, right.case),
        same_disposition=left.disposition == right.disposition,
        parting=where_traces_part(left, right),
        warnings_only_left=[w for w in left.warnings if w not in right.warnings],
        warnings_only_right=[w for w in right.warnings if w not in left.warnings],
    )


def compare_frame(left: Evaluation, right: Evaluation) -> pd.DataFrame:
    """Both traces rule by rule (true / false / unknown / not reached), with the parting rule marked."""
    parting = where_traces_part(left, right)
    left_steps = {s.id: s for s in left.trace}
    right_steps = {s.id: s for s in right.trace}
    order = list(dict.fromkeys([*left_steps, *right_steps]))
    rows = [
        {
            "rule": rule,
            "label": (left_steps.get(rule) or right_steps[rule]).label,
            "left": left_steps[rule].value if rule in left_steps else NOT_REACHED,
            "right": right_steps[rule].value if rule in right_steps else NOT_REACHED,
            "parts here": parting is not None and rule == parting.rule,
        }
        for rule in order
    ]
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)
