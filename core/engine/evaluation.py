"""The output contract: an evaluation carries its own trace, so every decision can be audited."""

from typing import Any, Literal

from pydantic import ConfigDict, Field

from core.engine.case import AnyCase
from core.engine.inconsistencies import Inconsistency
from core.engine.possible import PossibleDisposition
from core.engine.vocabulary import load_vocabulary
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


class PossibleWarning(Frozen):
    """A pitfall that may apply: it holds unless an unassessed input rules it out."""

    id: str
    label: str
    condition: str  # in words, what is left of the warning's condition once known inputs are put in
    assess: list[str]  # the unknown fields that would decide it


class Evaluation(Frozen):
    # `weeks` is read and written under the id of the vocabulary's visit clock: the key callers of the JSON know.
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)

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
    weeks: int | None = Field(alias=load_vocabulary().visit_clock)  # on the pack's main clock
    next_milestone_week: int | None
    weeks_to_next_milestone: int | None
    statements: list[ActiveStatement]
    trace: list[Step]
    warning_trace: list[Step]
    possible_dispositions: list[PossibleDisposition] = []  # most urgent first; a decided case: just its own
    inconsistencies: list[Inconsistency] = []  # inputs that contradict each other (the evaluation still runs)
    # While blocked: `statements` are a provisional plan, what holds in every outcome still possible (urgent
    # action when every one is urgent; the conservative plan when the others are referrals yet to be confirmed).
    provisional: bool = False
    possible_warnings: list[PossibleWarning] = []  # pitfalls that may apply, with what would decide them
