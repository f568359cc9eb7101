"""The pathway's walk, written once: which rule decides, what blocks it, whether it is urgent, which phase applies
and which warnings fire.

The semantics (see data/pathway.yaml):
- rules are tried in order; the first rule that holds decides, unless a rule whose truth is unknown comes before
  it: then the case needs information, the first unknown rule is the one reported, and the fields that could
  decide every unknown rule before the first that holds are missing;
- the deciding rule is urgent when its disposition is, or when its `urgent_when` holds; a blocked case is urgent
  when every rule it could still reach is urgent (the decision waits on an item, the urgency does not);
- phases apply only under the disposition that has phases, tried like the rules: the first phase that holds is
  the patient's, unless an unknown phase comes before it (then the phase is undecided, with its missing fields);
- warnings read the case and the disposition, and fire where they hold;
- before any rule, the pack's scope: a case certainly outside it gets the scope rule's disposition (class
  outside_scope) and no rule is tried; a case whose scope is unknown is walked as if inside (its result says the
  scope was not confirmed), so an unknown scope never blocks.

The walk never looks at a case: it is written over *masks* (which cases a statement is true of) that a backend
provides. One case (plain booleans), a DataFrame (numpy boolean arrays), a SQL table (boolean expressions): each
backend is a `Logic` and gets the same answer from this one function.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from core.engine.conditions import Condition
from core.engine.guideline import NEEDS_INFORMATION, Pathway, Rule

M = TypeVar("M")


class Logic(Protocol[M]):
    """A backend of the walk. Masks are definite (never unknown): they say of each case whether something is so."""

    def const(self, value: bool) -> M: ...

    def both(self, a: M, b: M) -> M: ...

    def either(self, a: M, b: M) -> M: ...

    def negate(self, a: M) -> M: ...

    def true(self, condition: Condition | None) -> M:
        """Where the condition holds (a missing condition always holds)."""
        ...

    def unknown(self, condition: Condition | None) -> M:
        """Where the condition's truth is unknown."""
        ...

    def undecided(self, condition: Condition | None, where: M) -> list[tuple[str, M]]:
        """The fields that could decide the (unknown) condition, each with the cases it is missing for, in order."""
        ...

    def decided(self, dispositions: list[tuple[str, M]]) -> None:
        """Learn each case's disposition (the masks partition the cases), for the warnings that read it."""
        ...


@dataclass(frozen=True)
class FirstThatHolds(Generic[M]):
    """An ordered list of conditions tried like the rules: per item, where it is the first that holds (`first`),
    where it is the first unknown one before any holds (`blocking`), and where it decides (first to hold, with no
    unknown one before it); `possible` is where no earlier item holds and this one is not false (the walk may
    still end there); `missing` names the fields of the unknown items before the first that holds."""

    first: list[M]
    possible: list[M]
    blocking: list[M]
    deciding: list[M]
    blocked: M
    missing: list[tuple[str, M]]


def first_that_holds(conditions: Sequence[Condition | None], logic: Logic[M], where: M) -> FirstThatHolds[M]:
    reached, clear = where, where  # no earlier item held / no earlier item was unknown
    first, possible, blocking, deciding, missing = [], [], [], [], []
    for condition in conditions:
        true, unknown = logic.true(condition), logic.unknown(condition)
        first.append(logic.both(reached, true))
        possible.append(logic.both(reached, logic.either(true, unknown)))
        deciding.append(logic.both(clear, logic.both(reached, true)))
        blocking.append(logic.both(clear, logic.both(reached, unknown)))
        missing += logic.undecided(condition, logic.both(reached, unknown))
        reached = logic.both(reached, logic.negate(true))
        clear = logic.both(clear, logic.negate(unknown))
    blocked = logic.const(False)
    for mask in blocking:
        blocked = logic.either(blocked, mask)
    return FirstThatHolds(first, possible, blocking, deciding, blocked, missing)


@dataclass(frozen=True)
class Walk(Generic[M]):
    """The walk's answer as masks; a backend reads them off per case (see `core.engine.evaluate.decide`)."""

    rules: FirstThatHolds[M]
    urgent: M
    dispositions: list[tuple[str, M]]  # (disposition id, where it is the case's disposition); a partition
    phases: FirstThatHolds[M]  # evaluated only where the disposition has phases
    warnings: list[tuple[str, M]]  # (warning id, where it fires)
    outside: M  # where the case is certainly outside the pack's scope (the scope rule decides)


def walk(pathway: Pathway, logic: Logic[M], scope: Rule | None = None, blocked_urgency: bool = True) -> Walk[M]:
    """`scope`: the pack's scope rule (`Guideline.scope_rule`), whose `when` holds outside the scope.
    `blocked_urgency=False` leaves out the urgency of a blocked case whose every possible outcome is urgent: the
    verification grid's backends, where that question multiplies the work tenfold and more, ask it so."""
    outside = logic.true(scope.when) if scope is not None else logic.const(False)
    # Without a scope the walk starts from the constant: backends short-circuit on it (the grid's worlds do).
    start = logic.negate(outside) if scope is not None else logic.const(True)
    rules = first_that_holds([rule.when for rule in pathway.rules], logic, start)
    by_id = {d.id: d for d in pathway.dispositions}
    urgent, phased = logic.const(False), logic.const(False)
    every_possible_urgent = rules.blocked
    dispositions = [(NEEDS_INFORMATION, rules.blocked)]
    if scope is not None:
        dispositions.append((scope.disposition, outside))
    for rule, deciding, possible in zip(pathway.rules, rules.deciding, rules.possible, strict=True):
        dispositions.append((rule.disposition, deciding))
        if by_id[rule.disposition].urgent:
            rule_urgent = logic.const(True)
        elif rule.urgent_when is not None:
            rule_urgent = logic.true(rule.urgent_when)
        else:
            rule_urgent = logic.const(False)
        urgent = logic.either(urgent, logic.both(deciding, rule_urgent))
        if blocked_urgency:
            every_possible_urgent = logic.both(every_possible_urgent, logic.either(logic.negate(possible), rule_urgent))
        if rule.disposition == pathway.phased_disposition:
            phased = logic.either(phased, deciding)
    if blocked_urgency:
        urgent = logic.either(urgent, every_possible_urgent)
    phases = first_that_holds([phase.when for phase in pathway.phases], logic, phased)
    logic.decided(dispositions)
    warnings = [(warning.id, logic.true(warning.when)) for warning in pathway.warnings]
    return Walk(rules, urgent, dispositions, phases, warnings, outside)
