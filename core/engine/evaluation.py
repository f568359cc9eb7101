"""The output contract: an evaluation carries its own trace, so every decision can be audited."""

from typing import Any, Literal

from core.engine.case import AnyCase
from core.engine.inconsistencies import Inconsistency
from core.engine.possible import PossibleDisposition
from core.model import Frozen

TruthText = Literal["true", "false", "unknown"]


def truth_text(value: bool | None) -> TruthText:
    return "unknown" if value is None else ("true" if value else "false")


class Step(Frozen):
    """One rule (or warning, or phase) as the engine saw it."""

    id: str
    label: str
    condition: str
    inputs: dict[str, Any]
    value: TruthText
    outcome: str


class ActiveStatement(Frozen):
    """A statement the evaluation brings forward, with its citations and what activated it."""

    id: str
    kind: str
    origin: str
    text: str
    citations: list[int]
    because: str


class Evaluation(Frozen):
    guideline_version: str
    pathway: str  # the pack's id
    in_scope: bool | None  # None: the case lacks what the pack's scope reads (evaluated as if in scope)
    case: AnyCase
    disposition: str
    disposition_class: str
    disposition_label: str
    urgent: bool
    deciding_rule: str
    missing: list[str]
    warnings: list[str]
    phase: str | None
    phase_missing: list[str]
    weeks_conservative: int | None
    next_milestone_week: int | None
    weeks_to_next_milestone: int | None
    statements: list[ActiveStatement]
    trace: list[Step]
    warning_trace: list[Step]
    possible_dispositions: list[PossibleDisposition] = []  # most urgent first; a decided case: just its own
    inconsistencies: list[Inconsistency] = []  # inputs that contradict each other (the evaluation still runs)
