"""Evaluate one case against the pathway: first rule that holds wins, unknown rules ahead of it block."""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from core.engine.case import Case, parse_case
from core.engine.conditions import describe, fields_read, holds, undecided_fields
from core.engine.evaluation import ActiveStatement, Evaluation, Step, truth_text
from core.engine.guideline import NEEDS_INFORMATION, ConditionalStatements, Guideline, Rule, load_guideline
from core.engine.inconsistencies import find_inconsistencies
from core.engine.possible import possible_dispositions


@dataclass(frozen=True)
class Decision:
    """What the rules decide, without the trace and statements (cheap enough to try hundreds of cases)."""

    rule: Rule  # the rule that decided, or the first unknown rule that blocked
    disposition: str
    urgent: bool
    rules_tried: int  # the rules walked until one held (all of them when none did)
    missing: list[str]
    blocked: bool  # an unknown rule came first: the disposition is needs_information


def _step(g: Guideline, item_id: str, label: str, condition: Any, values: Mapping[str, Any], outcome: str) -> Step:
    return Step(
        id=item_id,
        label=label,
        condition=describe(condition, g.labels, g.value_labels),
        inputs={f: _plain(values.get(f)) for f in fields_read(condition)},
        value=truth_text(holds(condition, values)),
        outcome=outcome,
    )


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _activated(
    base: list[str], extra: Iterable[ConditionalStatements], values: Mapping[str, Any]
) -> list[str]:
    return base + [s for x in extra if holds(x.when, values) is True for s in x.statements]


def next_milestone(g: Guideline, weeks: int | None) -> int | None:
    """The first milestone week after `weeks`; None past the last one or when weeks are unknown."""
    if weeks is None:
        return None
    return min((m.week for m in g.pathway.milestones if m.week > weeks), default=None)


def decide(values: Mapping[str, Any], guideline: Guideline) -> Decision:
    """The first rule that holds decides, unless an unknown rule comes before it (then needs_information)."""
    missing: list[str] = []
    blocking_rule = deciding = None
    tried = 0
    for tried, rule in enumerate(guideline.pathway.rules, start=1):
        value = holds(rule.when, values)
        if value is None:
            blocking_rule = blocking_rule or rule
            missing += undecided_fields(rule.when, values)
        elif value:
            deciding = rule
            break
    missing = list(dict.fromkeys(missing))
    if blocking_rule is not None:
        return Decision(blocking_rule, NEEDS_INFORMATION, False, tried, missing, blocked=True)
    assert deciding is not None, "the data's last rule always holds (checked on load)"
    urgent = guideline.disposition(deciding.disposition).urgent or (
        deciding.urgent_when is not None and holds(deciding.urgent_when, values) is True
    )
    return Decision(deciding, deciding.disposition, urgent, tried, missing, blocked=False)


def evaluate_case(case: Mapping[str, Any] | Case, guideline: Guideline | None = None) -> Evaluation:
    """Decide one case. Raises CaseError (naming each bad field) for input that breaks the contract."""
    case = parse_case(case)
    g = guideline or load_guideline()
    values = case.values()
    decision = decide(values, g)
    deciding, disposition_id, urgent, missing = decision.rule, decision.disposition, decision.urgent, decision.missing
    # A blocked walk stops at the unknown rule that blocks it; later rules are in possible_dispositions.
    walked = g.pathway.rules.index(deciding) + 1 if decision.blocked else decision.rules_tried
    trace = [_step(g, rule.id, rule.label, rule.when, values, rule.disposition) for rule in g.pathway.rules[:walked]]

    sources: list[tuple[str, str]] = []  # (statement id, why it is active)
    phase_id, phase_missing, milestone = None, [], None
    if not decision.blocked:
        sources += [(s, f"rule {deciding.id}") for s in _activated(deciding.statements, deciding.extra_statements, values)]
        if disposition_id == "conservative_care":
            milestone = next_milestone(g, case.weeks_conservative)
            for phase in g.pathway.phases:
                value = holds(phase.when, values)
                if value is None:
                    phase_missing += undecided_fields(phase.when, values)
                elif value:
                    if not phase_missing:
                        phase_id = phase.id
                        activated = _activated(phase.statements, phase.extra_statements, values)
                        sources += [(s, f"phase {phase.id}") for s in activated]
                    break
            phase_missing = list(dict.fromkeys(phase_missing))

    warning_values = {**values, "disposition": disposition_id}
    warning_trace = [_step(g, w.id, w.label, w.when, warning_values, w.id) for w in g.pathway.warnings]
    warnings = [w.id for w, step in zip(g.pathway.warnings, warning_trace) if step.value == "true"]
    for w in g.pathway.warnings:
        if w.id in warnings:
            sources += [(s, f"warning {w.id}") for s in w.statements]

    statements: dict[str, ActiveStatement] = {}
    for sid, because in sources:
        if sid not in statements:
            s = g.statement(sid)
            statements[sid] = ActiveStatement(
                id=sid, kind=s.kind, origin=s.origin, text=s.text, citations=s.citations, because=because
            )

    return Evaluation(
        guideline_version=g.info.version,
        case=case,
        disposition=disposition_id,
        disposition_label=g.disposition(disposition_id).label,
        urgent=urgent,
        deciding_rule=deciding.id,
        missing=missing,
        warnings=warnings,
        phase=phase_id,
        phase_missing=phase_missing,
        weeks_conservative=case.weeks_conservative,
        next_milestone_week=milestone,
        weeks_to_next_milestone=None if milestone is None else milestone - case.weeks_conservative,
        statements=list(statements.values()),
        trace=trace,
        warning_trace=warning_trace,
        possible_dispositions=possible_dispositions(values, g),
        inconsistencies=find_inconsistencies(values),
    )
