"""Each part of a condition with its own truth value, so a reader sees which part failed or is unknown.

A case one week short of a rule's time threshold fails that rule on its weeks part alone; listing every part
of an `all` / `any` with true, false or unknown shows that at a glance. Nested combinations stay one part.
"""

from collections.abc import Mapping
from typing import Any

from core.engine.conditions import AllOf, AnyOf, Condition, describe, holds
from core.engine.evaluation import TruthText, truth_text
from core.engine.guideline import Guideline
from core.model import Frozen

PART_MARKS = {"true": "✓", "false": "✗", "unknown": "?"}


class ConditionPart(Frozen):
    text: str
    value: TruthText


def condition_parts(condition: Condition | None, values: Mapping[str, Any], g: Guideline) -> list[ConditionPart]:
    """The top-level parts of an `all` / `any` with their values; a single test is its own one part."""
    if condition is None:
        return []
    parts = (
        condition.all
        if isinstance(condition, AllOf)
        else condition.any
        if isinstance(condition, AnyOf)
        else [condition]
    )
    return [
        ConditionPart(text=describe(p, g.labels, g.value_labels), value=truth_text(holds(p, values))) for p in parts
    ]


def parts_words(parts: list[ConditionPart]) -> str:
    """`✗ weeks of conservative care >= 26 (false); ✓ ... (true)`: a mark and the value in words."""
    return "; ".join(f"{PART_MARKS[p.value]} {p.text} ({p.value})" for p in parts)


def step_condition(g: Guideline, step_id: str) -> Condition | None:
    """The condition behind a trace step: a rule's, a warning's or a phase's, by id."""
    p = g.pathway
    conditions: dict[str, Condition | None] = {item.id: item.when for item in g.decision_rules}
    conditions |= {item.id: item.when for item in p.warnings}
    conditions |= {item.id: item.when for item in p.phases}
    return conditions[step_id]
