"""What would change this decision: the nearby cases, reachable by what can really happen, with another disposition.

Only changes that can happen to a patient are tried (never one that undoes a fact): an unassessed item is
assessed (any value); a finding appears (yes/no from no to yes); a result arrives (from "not done" to any value)
or worsens along its vocabulary `worsening` order (an MRI: normal, degenerative changes only, nerve root
compression, cord compression); a number moves its vocabulary way (`moves`: weeks pass up, power falls down) to
the next threshold a condition uses; a list item (a treatment) is proposed or withdrawn. Some worsenings need
two findings at once (progressive weakness needs both "worsening" and MRC 4 or less), so for a *more urgent*
disposition that no single change reaches we also list the pairs of changes to known values that reach it.
Changes that would break the case contract (a rule across fields, such as formal PT above the weeks of care)
are skipped.

Order (clinical relevance): changes that make the decision more urgent first (for a case still needing
information: every change that decides it, most urgent first), then those as or less urgent, and last those
that leave the case needing information. "More information needed" is outside the urgency scale: it is never
more or less urgent than a decision. Urgency comes from data: the disposition's `tone` (critical, high,
moderate, routine), then whether that evaluation is urgent, then the disposition's place in pathway.yaml. Ties
keep single changes before pairs, then the case-field order, then the order values are tried.
"""

import itertools
from collections.abc import Mapping
from typing import Any, Literal, get_args

from core.engine.case import AnyCase, Case
from core.engine.conditions import holds, tests_in
from core.engine.evaluate import Decision, decide
from core.engine.guideline import Disposition, Guideline, load_guideline, pathway_fields
from core.engine.words import value_words
from core.errors import CaseError
from core.model import Frozen

TONES: tuple[str, ...] = get_args(Disposition.model_fields["tone"].annotation)
Direction = Literal["more urgent", "less urgent", "as urgent", "decides", "needs information"]


WORSE = ("more urgent", "decides")  # directions for which pairs of changes are also tried
DIRECTION_RANK = {"more urgent": 0, "decides": 0, "as urgent": 1, "less urgent": 1, "needs information": 2}


class FieldChange(Frozen):
    field: str
    before: Any
    after: Any


class Counterfactual(Frozen):
    """A changed case and what the pathway would then decide."""

    changes: list[FieldChange]
    case: AnyCase
    disposition: str
    disposition_label: str
    urgent: bool
    deciding_rule: str
    direction: Direction
    sentence: str


# (guideline, field) -> boundaries. They depend on the data only, and finding them tries every number up to 520,
# which was most of a Patient page's first run: computed once per process (per guideline object) instead.
_BOUNDARIES: dict[tuple[int, str], tuple[Guideline, tuple[int, ...]]] = {}


def _boundaries(guideline: Guideline, field: str) -> tuple[int, ...]:
    """Numbers b where some condition tells b - 1 and b apart (a threshold, from data)."""
    cached = _BOUNDARIES.get((id(guideline), field))
    if cached is None or cached[0] is not guideline:
        cached = _BOUNDARIES[(id(guideline), field)] = (guideline, _find_boundaries(guideline, field))
    return cached[1]


def _find_boundaries(guideline: Guideline, field: str) -> tuple[int, ...]:
    tests = [t for c in guideline.conditions for t in tests_in(c) if t.field == field]
    low, high = guideline.schema.int_fields[field]
    return tuple(
        b for b in range(low + 1, high + 1) if any(holds(t, {field: b - 1}) != holds(t, {field: b}) for t in tests)
    )


def _alternatives(guideline: Guideline, field: str, value: Any) -> list[Any]:
    """The values this field can take next in a real course: assessed, appearing, arriving, worsening, passing."""
    schema = guideline.schema
    kind, d = schema.kinds[field], schema.defs[field]
    if kind == "bool":
        return [True, False] if value is None else ([True] if value is False else [])
    if kind == "choice":
        if value not in d.worsening:  # unknown, or not done yet: any result may arrive
            return [v for v in schema.choices[field] if v != value]
        return [v for v in d.worsening[d.worsening.index(value) + 1 :] if v in schema.choices[field]]
    if kind == "int":
        bounds = _boundaries(guideline, field)
        if value is None:
            return list(dict.fromkeys(v for b in bounds for v in (b - 1, b)))
        if d.moves == "down":  # the highest threshold value below this one
            return [b - 1 for b in bounds if b <= value][-1:]
        return [b for b in bounds if b > value][:1]
    raise AssertionError(field)


def _single_changes(guideline: Guideline, case: Case) -> list[list[FieldChange]]:
    changes: list[list[FieldChange]] = []
    for field in pathway_fields(guideline):
        if guideline.schema.kinds[field] == "list":
            items = getattr(case, field)
            read = dict.fromkeys(t.value for c in guideline.conditions for t in tests_in(c) if t.field == field)
            for item in read:
                after = tuple(p for p in items if p != item) if item in items else (*items, item)
                changes.append([FieldChange(field=field, before=list(items), after=list(after))])
            continue
        before = getattr(case, field)
        changes += [[FieldChange(field=field, before=before, after=v)] for v in _alternatives(guideline, field, before)]
    return changes


def _apply(g: Guideline, case: Case, changes: list[FieldChange]) -> Case | None:
    data = case.model_dump()
    for change in changes:
        data[change.field] = change.after
    try:
        return g.parse_case({k: v for k, v in data.items() if v is not None})
    except CaseError:
        return None  # a rule across fields would break (formal PT above the weeks of care)


def _urgency(guideline: Guideline, decision: Decision) -> tuple[int, int]:
    return TONES.index(guideline.disposition(decision.disposition).tone), 0 if decision.urgent else 1


def _phrase(guideline: Guideline, change: FieldChange) -> str:
    label = guideline.labels.get(change.field, change.field)
    if guideline.schema.kinds.get(change.field) == "list":
        added = [p for p in change.after if p not in change.before]
        removed = [p for p in change.before if p not in change.after]
        names = guideline.value_labels.get(change.field, {})
        if added:
            return f"{names.get(added[0], added[0])} were also proposed"
        return f"{names.get(removed[0], removed[0])} were no longer proposed"
    return f"{label} were {value_words(change.field, change.after, guideline)}"


def _direction(current: Decision, result: Decision, now: tuple[int, int], then: tuple[int, int]) -> Direction:
    if result.blocked:
        return "needs information"
    if current.blocked:
        return "decides"
    return "more urgent" if then < now else ("less urgent" if then > now else "as urgent")


def _item(
    guideline: Guideline, changes: list[FieldChange], case: Case, result: Decision, current: Decision
) -> Counterfactual:
    direction = _direction(current, result, _urgency(guideline, current), _urgency(guideline, result))
    disposition_label = guideline.disposition(result.disposition).label
    label = disposition_label + (", urgent" if result.urgent else "")
    sentence = "If " + " and ".join(_phrase(guideline, c) for c in changes) + f": {label}."
    return Counterfactual(
        changes=changes,
        case=case,
        disposition=result.disposition,
        disposition_label=disposition_label,
        urgent=result.urgent,
        deciding_rule=result.rule.id,
        direction=direction,
        sentence=sentence[0].upper() + sentence[1:],
    )


def counterfactuals(case: Mapping[str, Any] | Case, guideline: Guideline | None = None) -> list[Counterfactual]:
    """Changes of one field (or two, for a worsening no single change reaches) that change the disposition."""
    g = guideline or load_guideline()
    case = g.parse_case(case)
    current = decide(case.values(), g)
    now = _urgency(g, current)
    singles = _single_changes(g, case)

    found: list[tuple[list[FieldChange], Case, Decision]] = []
    for changes in singles:
        changed = _apply(g, case, changes)
        if changed is not None:
            found.append((changes, changed, decide(changed.values(), g)))
    reached = {current.disposition} | {e.disposition for _, _, e in found}
    known = [c for c in singles if c[0].after is not None or g.schema.kinds[c[0].field] == "list"]
    for first, second in itertools.combinations(known, 2):
        if first[0].field == second[0].field:
            continue
        changed = _apply(g, case, first + second)
        if changed is None:
            continue
        result = decide(changed.values(), g)
        if result.disposition not in reached and _direction(current, result, now, _urgency(g, result)) in WORSE:
            found.append((first + second, changed, result))

    positions = {d.id: n for n, d in enumerate(g.pathway.dispositions)}
    field_order = {f: n for n, f in enumerate(g.schema.fields)}
    ranked = []
    for n, (changes, changed, result) in enumerate(found):
        if result.disposition == current.disposition:
            continue
        item = _item(g, changes, changed, result, current)
        key = (
            DIRECTION_RANK[item.direction],
            _urgency(g, result),
            positions[result.disposition],
            len(changes),
            field_order[changes[0].field],
            n,
        )
        ranked.append((key, item))
    return [item for _, item in sorted(ranked, key=lambda pair: pair[0])]
