"""The dispositions still possible for a case, each with what would lead there (never a bare "needs information").

While an unassessed finding blocks the decision, the rules that known inputs have not ruled out are each reduced
to their unknown parts (`residual`): "progressive motor deficit: yes and weakest MRC grade <= 4" is what is left of
the progressive-weakness rule for a patient whose motor power is unassessed. The walk stops at the first rule
that already holds: no later rule can be reached. Listed most urgent first (the disposition's tone, then the
order of the rules); a decided case lists just its own disposition.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from core.engine.conditions import (
    AllOf,
    AnyOf,
    Condition,
    NotOf,
    Test,
    Truth,
    describe,
    fields_read,
    fold,
    holds,
    kleene_and,
    kleene_not,
    kleene_or,
)
from core.engine.guideline import Guideline, Rule, Tone
from core.engine.walk import first_that_holds
from core.model import Frozen

TONES: tuple[str, ...] = get_args(Tone)
OTHERWISE = "otherwise"


class PossibleDisposition(Frozen):
    """One disposition the case can still reach, and the condition on its unknown inputs that leads there."""

    disposition: str
    label: str
    condition: str  # in words, over the unknown inputs only; "otherwise" when nothing more is needed
    unless: list[str]  # dispositions listed before it whose conditions are checked first
    assess: list[str]  # unknown fields that must be assessed to confirm this route
    urgent: bool
    rules: list[str]


@dataclass(frozen=True)
class _Residual:
    """The condition fold that puts known inputs in: known parts settle to True or False and drop out."""

    values: Mapping[str, Any]

    def leaf(self, test: Test) -> Condition | bool:
        known = holds(test, self.values)
        return test if known is None else known

    @staticmethod
    def all_of(parts: list[Condition | bool]) -> Condition | bool:
        if False in parts:
            return False
        left = [p for p in parts if p is not True]
        return True if not left else (left[0] if len(left) == 1 else AllOf(all=left))

    @staticmethod
    def any_of(parts: list[Condition | bool]) -> Condition | bool:
        if True in parts:
            return True
        left = [p for p in parts if p is not False]
        return False if not left else (left[0] if len(left) == 1 else AnyOf(any=left))

    @staticmethod
    def negate(value: Condition | bool) -> Condition | bool:
        return (not value) if isinstance(value, bool) else NotOf(negated=value)


def residual(condition: Condition | None, values: Mapping[str, Any]) -> Condition | bool:
    """What is left of a condition once known inputs are put in: True or False when they settle it, otherwise
    the condition over the unknown parts (parts already true dropped from `all`, parts already false from `any`)."""
    return fold(condition, _Residual(values))


@dataclass(frozen=True)
class _Possibly:
    """The walk's backend for what one case may still come to: a mask is True, False or None (the unknown inputs
    could make it either), in Kleene logic. A rule is still reachable where its `first` is not False."""

    values: Mapping[str, Any]

    @staticmethod
    def const(value: bool) -> Truth:
        return value

    @staticmethod
    def both(a: Truth, b: Truth) -> Truth:
        return kleene_and([a, b])

    @staticmethod
    def either(a: Truth, b: Truth) -> Truth:
        return kleene_or([a, b])

    @staticmethod
    def negate(a: Truth) -> Truth:
        return kleene_not(a)

    def true(self, condition: Condition | None) -> Truth:
        return holds(condition, self.values)

    def unknown(self, condition: Condition | None) -> Truth:
        return holds(condition, self.values) is None

    @staticmethod
    def undecided(condition: Condition | None, where: Truth) -> list[tuple[str, Truth]]:
        return []  # the routes name their own unknown inputs (see `residual`)

    @staticmethod
    def decided(dispositions: list[tuple[str, Truth]]) -> None:
        pass


def _urgency(g: Guideline, disposition: str, first_rule: int) -> tuple[int, int]:
    return TONES.index(g.disposition(disposition).tone), first_rule


def _is_urgent(g: Guideline, rule: Rule, values: Mapping[str, Any]) -> bool:
    return g.disposition(rule.disposition).urgent or (
        rule.urgent_when is not None and holds(rule.urgent_when, values) is True
    )


def _assumed(route: Condition | bool, values: Mapping[str, Any]) -> dict[str, Any]:
    """The known inputs plus what a route's condition fixes when it holds (its `is` tests joined by `and`)."""
    parts = route.all if isinstance(route, AllOf) else [route]
    fixed = {p.field: p.value for p in parts if isinstance(p, Test) and p.op == "is"}
    return {**values, **fixed}


def _negated(condition: Condition) -> Condition:
    if isinstance(condition, Test) and condition.op == "is" and isinstance(condition.value, bool):
        return Test(field=condition.field, op="is", value=not condition.value)
    return NotOf(negated=condition)


_Route = tuple[int, Rule, Condition | bool]


_Pending = tuple[int, Rule, Condition]


def _open_routes(reachable: list[_Route], values: Mapping[str, Any]) -> list[tuple[_Route, list[_Pending]]]:
    """Each route that can still decide, with the earlier routes (to other dispositions) that could still take its
    cases first, each reduced to what it needs beyond this route. A route whose cases an earlier one always takes
    (a later rule that needs nothing an earlier one does not, once that is all that is left) is dropped:
    listing it would misstate the order."""
    result = []
    for n, (_, rule, left) in enumerate(reachable):
        assumed = _assumed(left, values)
        before: list[_Pending] = []
        for earlier_n, earlier, earlier_left in reachable[:n]:
            if earlier.disposition == rule.disposition:
                continue
            beyond = residual(earlier_left, assumed) if not isinstance(earlier_left, bool) else earlier_left
            if beyond is True:
                break
            if not isinstance(beyond, bool):
                before.append((earlier_n, earlier, beyond))
        else:
            result.append((reachable[n], before))
    return result


def possible_dispositions(values: Mapping[str, Any], g: Guideline) -> list[PossibleDisposition]:
    """Every disposition the rule walk can still end in, given the known inputs, most urgent first. Read in order
    ("A if ...; otherwise B if ..."), each condition is true of the cases that end there."""
    rules = g.pathway.rules
    scope = g.scope_rule
    if scope is not None and holds(scope.when, values) is True:  # outside the scope: no rule is tried
        rules = [scope]
    could_decide = first_that_holds([rule.when for rule in rules], _Possibly(values), True).first
    reachable = [(n, rule, residual(rule.when, values)) for n, rule in enumerate(rules) if could_decide[n] is not False]
    if len(reachable) == 1:  # decided: its own disposition, with the rule's whole condition
        n, rule, _ = reachable[0]
        return [
            PossibleDisposition(
                disposition=rule.disposition,
                label=g.disposition(rule.disposition).label,
                condition=describe(rule.when, g.labels, g.value_labels) if rule.when is not None else OTHERWISE,
                unless=[],
                assess=[],
                urgent=_is_urgent(g, rule, values),
                rules=[rule.id],
            )
        ]

    by_disposition: dict[str, list[tuple[_Route, list[_Pending]]]] = {}
    for item in _open_routes(reachable, values):
        by_disposition.setdefault(item[0][1].disposition, []).append(item)
    ordered = sorted(by_disposition.items(), key=lambda kv: _urgency(g, kv[0], kv[1][0][0][0]))
    listed_before: set[str] = set()
    result = []
    for disposition, routes in ordered:
        first = routes[0][0][0]
        earlier = [d for d, other in by_disposition.items() if other[0][0][0] < first]
        conditions: list[Condition | bool] = []
        for (_, _, left), before in routes:
            # Routes to dispositions listed above are ruled out by reading in order; the others are named.
            unless = [_negated(c) for _, r, c in before if r.disposition not in listed_before]
            own_parts = [] if left is True else left.all if isinstance(left, AllOf) else [left]
            conditions.append(left if not unless else AllOf(all=own_parts + unless))
        if any(c is True for c in conditions):
            condition = OTHERWISE
            own: list[str] = []
        else:
            parts = [c for c in conditions if not isinstance(c, bool)]  # a False route is not reachable
            joined = parts[0] if len(parts) == 1 else AnyOf(any=parts)
            condition = g.describe(joined)
            own = fields_read(joined)
        before_fields = [left for n, _, left in reachable if n < first and not isinstance(left, bool)]
        assess = list(dict.fromkeys(own + [f for c in before_fields for f in fields_read(c)]))
        listed_before.add(disposition)
        result.append(
            PossibleDisposition(
                disposition=disposition,
                label=g.disposition(disposition).label,
                condition=condition,
                unless=earlier,
                assess=assess,
                urgent=any(_is_urgent(g, rule, values) for (_, rule, _), _ in routes),
                rules=[rule.id for (_, rule, _), _ in routes],
            )
        )
    return result


def either_way(item: PossibleDisposition, g: Guideline) -> str:
    """For the route taken when nothing listed before it applies: that it is needed whatever the assessment
    shows, unless one of those routes applies (`, needed either way unless ... applies`); empty otherwise."""
    if item.condition != OTHERWISE or not item.unless:
        return ""
    return f", needed either way unless {' or '.join(g.disposition(d).label for d in item.unless)} applies"
