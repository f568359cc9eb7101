"""Evaluate one case against the pathway: first rule that holds wins, unknown rules ahead of it block."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.engine.case import Case
from core.engine.conditions import Condition, Truth, fields_read, holds, undecided_fields
from core.engine.evaluation import ActiveStatement, Evaluation, PossibleWarning, Step, truth_text
from core.engine.guideline import ConditionalStatements, Guideline, Phase, Rule, load_guideline
from core.engine.inconsistencies import find_inconsistencies
from core.engine.possible import PossibleDisposition, possible_dispositions, residual
from core.engine.walk import first_that_holds, walk


@dataclass(frozen=True)
class Decision:
    """What the rules decide, without the trace and statements (cheap enough to try hundreds of cases)."""

    rule: Rule  # the rule that decided, or the first unknown rule that blocked
    disposition: str
    urgent: bool
    rules_tried: int  # the rules walked until one held (all of them when none did)
    missing: list[str]
    blocked: bool  # an unknown rule came first: the disposition is needs_information
    phase: Phase | None  # the phase of care, when the disposition has phases and it is decided
    phase_missing: list[str]
    warnings: list[str]


@dataclass
class OneCase:
    """The walk's backend for one case: masks are plain booleans."""

    values: dict[str, Any]
    truths: dict[int, Truth] = field(default_factory=dict)

    def _truth(self, condition: Condition | None) -> Truth:
        key = id(condition)
        if key not in self.truths:
            self.truths[key] = holds(condition, self.values)
        return self.truths[key]

    @staticmethod
    def const(value: bool) -> bool:
        return value

    @staticmethod
    def both(a: bool, b: bool) -> bool:
        return a and b

    @staticmethod
    def either(a: bool, b: bool) -> bool:
        return a or b

    @staticmethod
    def negate(a: bool) -> bool:
        return not a

    def true(self, condition: Condition | None) -> bool:
        return self._truth(condition) is True

    def unknown(self, condition: Condition | None) -> bool:
        return self._truth(condition) is None

    def undecided(self, condition: Condition | None, where: bool) -> list[tuple[str, bool]]:
        return [(name, True) for name in undecided_fields(condition, self.values)] if where else []

    def decided(self, dispositions: list[tuple[str, bool]]) -> None:
        # Warnings read the disposition: drop any truth computed before it was known.
        self.values["disposition"] = next(d for d, here in dispositions if here)
        self.truths.clear()


def _first(items: list[Any], masks: list[bool]) -> Any:
    return next((item for item, here in zip(items, masks, strict=False) if here), None)


def _step(g: Guideline, item_id: str, label: str, condition: Any, values: Mapping[str, Any], outcome: str) -> Step:
    return Step(
        id=item_id,
        label=label,
        condition=g.describe(condition),
        inputs={f: _plain(values.get(f)) for f in fields_read(condition)},
        value=truth_text(holds(condition, values)),
        outcome=outcome,
    )


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _activated(base: list[str], extra: Iterable[ConditionalStatements], values: Mapping[str, Any]) -> list[str]:
    return base + [s for x in extra if holds(x.when, values) is True for s in x.statements]


def next_milestone(g: Guideline, weeks: int | None) -> int | None:
    """The first milestone week after `weeks`; None past the last one or when weeks are unknown."""
    if weeks is None:
        return None
    return min((m.week for m in g.pathway.milestones if m.week > weeks), default=None)


def decide(values: Mapping[str, Any], guideline: Guideline) -> Decision:
    """The walk (core.engine.walk) read off for one case."""
    p = guideline.pathway
    result = walk(p, OneCase(dict(values)), guideline.scope_rule)
    blocked = result.rules.blocked
    disposition = _first([d for d, _ in result.dispositions], [here for _, here in result.dispositions])
    if result.outside and guideline.scope_rule is not None:
        rule, tried = guideline.scope_rule, 0
    else:
        rule = _first(p.rules, result.rules.blocking if blocked else result.rules.deciding)
        tried = p.rules.index(_first(p.rules, result.rules.first)) + 1
    return Decision(
        rule=rule,
        disposition=disposition,
        urgent=result.urgent,
        rules_tried=tried,
        missing=_names(result.rules.missing),
        blocked=blocked,
        phase=_first(p.phases, result.phases.deciding),
        phase_missing=_names(result.phases.missing),
        warnings=[w for w, fires in result.warnings if fires],
    )


def _names(named: list[tuple[str, bool]]) -> list[str]:
    return list(dict.fromkeys(name for name, here in named if here))


def _provisional_sources(
    g: Guideline, values: Mapping[str, Any], possible: list[PossibleDisposition], urgent: bool
) -> list[tuple[str, str]]:
    """For a blocked case, the plan that holds in every outcome still possible (empty when none does).

    Every outcome urgent: each one's statements, to act on while the deciding item is assessed. Otherwise, when
    structured conservative care is possible and every other outcome ends the course (a referral or consultation
    that has still to be confirmed), conservative care goes on meanwhile: its statements and its phase's.
    """
    rules = {rule.id: rule for rule in g.pathway.rules}
    phased = g.pathway.phased_disposition
    if urgent:
        chosen = [rules[r] for p in possible for r in p.rules]
    elif any(p.disposition == phased for p in possible) and all(
        p.disposition == phased or g.disposition(p.disposition).ends_course for p in possible
    ):
        chosen = [rule for rule in g.pathway.rules if rule.disposition == phased]
    else:
        return []
    sources = [
        (s, f"rule {rule.id} (provisional)")
        for rule in chosen
        for s in _activated(rule.statements, rule.extra_statements, values)
    ]
    if not urgent:
        deciding = first_that_holds([ph.when for ph in g.pathway.phases], OneCase(dict(values)), True).deciding
        phase = _first(g.pathway.phases, deciding)
        if phase is not None:
            activated = _activated(phase.statements, phase.extra_statements, values)
            sources += [(s, f"phase {phase.id} (provisional)") for s in activated]
    return sources


def _possible_warnings(g: Guideline, values: Mapping[str, Any]) -> list[PossibleWarning]:
    """Warnings that fire unless an unassessed input rules them out, once a known input points at them (a case
    with nothing known would otherwise list every pitfall)."""
    found = []
    for w in g.pathway.warnings:
        left = residual(w.when, values)
        case_fields = [f for f in fields_read(w.when) if f != "disposition"]
        if isinstance(left, bool) or fields_read(left) == case_fields:
            continue
        found.append(PossibleWarning(id=w.id, label=w.label, condition=g.describe(left), assess=fields_read(left)))
    return found


def evaluate_case(case: Mapping[str, Any] | Case, guideline: Guideline | None = None) -> Evaluation:
    """Decide one case. Raises CaseError (naming each bad field) for input that breaks the contract."""
    g = guideline or load_guideline()
    case = g.parse_case(case)
    values = case.values()
    weeks = values.get(g.clocks[0]) if g.clocks else None  # the main clock: the evaluation's `weeks`
    decision = decide(values, g)
    deciding, disposition_id, urgent, missing = decision.rule, decision.disposition, decision.urgent, decision.missing
    # A blocked walk stops at the unknown rule that blocks it; later rules are in possible_dispositions.
    walked = g.pathway.rules.index(deciding) + 1 if decision.blocked else decision.rules_tried
    trace = [_step(g, rule.id, rule.label, rule.when, values, rule.disposition) for rule in g.pathway.rules[:walked]]
    in_scope = None if g.info.scope is None else holds(g.info.scope, values)
    if g.scope_rule is not None and in_scope is False:
        scope = g.scope_rule
        trace.insert(0, _step(g, scope.id, scope.label, scope.when, values, scope.disposition))

    sources: list[tuple[str, str]] = []  # (statement id, why it is active)
    milestone = None
    possible = possible_dispositions(values, g)
    if decision.blocked:
        sources += _provisional_sources(g, values, possible, urgent)
    else:
        sources += [
            (s, f"rule {deciding.id}") for s in _activated(deciding.statements, deciding.extra_statements, values)
        ]
        if disposition_id == g.pathway.phased_disposition:
            milestone = next_milestone(g, weeks)
    if decision.phase is not None:
        activated = _activated(decision.phase.statements, decision.phase.extra_statements, values)
        sources += [(s, f"phase {decision.phase.id}") for s in activated]

    warning_values = {**values, "disposition": disposition_id}
    warning_trace = [_step(g, w.id, w.label, w.when, warning_values, w.id) for w in g.pathway.warnings]
    warnings = decision.warnings
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
        pathway=g.info.id,
        in_scope=True if g.info.scope is None else in_scope,
        case=case,
        disposition=disposition_id,
        disposition_class=g.disposition(disposition_id).class_,
        disposition_label=g.disposition(disposition_id).label,
        urgent=urgent,
        deciding_rule=deciding.id,
        missing=missing,
        warnings=warnings,
        phase=None if decision.phase is None else decision.phase.id,
        phase_missing=decision.phase_missing,
        weeks=weeks,
        next_milestone_week=milestone,
        weeks_to_next_milestone=None if milestone is None or weeks is None else milestone - weeks,
        statements=list(statements.values()),
        trace=trace,
        warning_trace=warning_trace,
        possible_dispositions=possible,
        inconsistencies=find_inconsistencies(values, g.source_dir),
        provisional=decision.blocked and bool(sources),
        possible_warnings=_possible_warnings(g, warning_values),
    )
