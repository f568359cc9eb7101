"""A course in a URL: each recorded visit as one `visit` query parameter, the current visit as today's case
parameters (so a single case's link is unchanged).

A visit parameter is `week=6;` then `;`-separated `key=value` items for what changed at the visit, `unknown`
making a field unknown from that visit on, the items of a list field joined by `,`. Values read as text exactly as
the case parameters do (core.engine.case_text). Which count the week sets and what belongs to a visit only come
from the vocabulary (CaseSchema: visit_clock, per_visit).
"""

from collections.abc import Mapping
from typing import Any

from core.analyses.course import WEEK, carried_case, parse_course
from core.engine.case import Case
from core.engine.case_text import case_from_text
from core.engine.guideline import Guideline, load_guideline
from core.errors import CaseError, Problem

VISIT_PARAM = "visit"
UNKNOWN = "unknown"


def _text(value: Any) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(value)
    return str(value)


def visit_param(visit: Mapping[str, Any]) -> str:
    """One visit ({week, changed keys}) as its URL parameter."""
    items = [f"{WEEK}={visit[WEEK]}"] + [f"{k}={_text(v)}" for k, v in visit.items() if k != WEEK]
    return ";".join(items)


def read_visit_param(text: str, number: int, g: Guideline | None = None) -> dict[str, Any]:
    """A visit from its URL parameter under a pack (the default pack when none is given); CaseError names
    `visit N` and the field when it cannot be read."""
    schema = (g or load_guideline()).schema
    visit: dict[str, Any] = {}
    problems: list[Problem] = []
    for item in filter(None, text.split(";")):
        key, _, raw = item.partition("=")
        key = key.strip()
        if key == WEEK:
            if not raw.strip().isdigit():
                problems.append(Problem(field=f"visit {number}: week", message=f"expected a whole number, got {raw!r}"))
            else:
                visit[WEEK] = int(raw)
        elif key not in schema.kinds:
            problems.append(Problem(field=f"visit {number}: {key}", message="not a case field"))
        elif raw.strip().lower() == UNKNOWN:
            visit[key] = None
        else:
            try:
                value = raw.split(",") if schema.kinds[key] == "list" else raw
                visit[key] = case_from_text({key: value}, schema).model_dump()[key]
            except CaseError as exc:
                problems += [Problem(field=f"visit {number}: {p.field}", message=p.message) for p in exc.problems]
    if WEEK not in visit and not problems:
        problems.append(Problem(field=f"visit {number}: week", message="required"))
    if problems:
        raise CaseError(problems)
    for field in schema.list_fields:
        if field in visit:
            visit[field] = list(visit[field] or [])
    return visit


def visit_week(current: Case, g: Guideline | None = None) -> int | None:
    """The week the form is at: its visit's week (None when not given)."""
    clock = (g or load_guideline()).schema.visit_clock
    return current.values().get(clock) if clock else None


def visit_from_cases(previous: Mapping[str, Any], current: Case, g: Guideline | None = None) -> dict[str, Any]:
    """The visit that turns the previous effective case into `current`: its week and what changed (None = a field
    that became unknown); a field of its visit only is stated whenever it holds something (it is never carried)."""
    g = g or load_guideline()
    schema = g.schema
    now = {k: v for k, v in current.model_dump(exclude_none=True).items() if k != schema.visit_clock}
    week = visit_week(current, g)
    own = {f: list(now.pop(f, ()) or ()) for f in schema.per_visit}
    before = {k: v for k, v in previous.items() if k not in schema.not_carried}
    changed: dict[str, Any] = {k: v for k, v in now.items() if before.get(k) != v}
    changed |= {k: None for k in before if k not in now}
    changed |= {f: items for f, items in own.items() if items}
    return {WEEK: week, **changed}


def effective_case(visits: list[Mapping[str, Any]], g: Guideline | None = None) -> dict[str, Any]:
    """The case after the given visits (carry-forward, as evaluate_course reads them)."""
    schema = (g or load_guideline()).schema
    case: dict[str, Any] = {}
    for visit in visits:
        case = carried_case(case, visit, visit[WEEK], schema)
    return case


def unrecorded_visit(
    visits: list[Mapping[str, Any]], current: Case, g: Guideline | None = None
) -> dict[str, Any] | None:
    """The form as a visit when it is placed in time and differs from the last recorded visit (its week, a
    finding, or a field of its visit only); None when recording it would add nothing."""
    g = g or load_guideline()
    if visit_week(current, g) is None:
        return None
    visit = visit_from_cases(effective_case(visits, g), current, g)
    if not visits:
        return visit
    last = visits[-1]
    own = g.schema.per_visit
    same_findings = set(visit) - {WEEK, *own} == set()
    # A recorded proposal is cleared from the form, so a form proposing nothing adds nothing.
    same_proposal = all(not visit.get(f) or list(visit[f]) == list(last.get(f, [])) for f in own)
    if visit[WEEK] == last[WEEK] and same_findings and same_proposal:
        return None
    return visit


def recording_problem(visits: list[Mapping[str, Any]], current: Case, g: Guideline | None = None) -> str | None:
    """Why the form cannot be recorded as the next visit (None when it can): visits are kept in week order, and
    one visit is not recorded twice."""
    g = g or load_guideline()
    week = visit_week(current, g)
    if week is None:
        clock = g.schema.visit_clock
        return f"Set the {g.labels[clock] if clock else 'week'} first: that is the visit's week."
    if visits and week < visits[-1][WEEK]:
        return (
            f"Week {week} comes before the last recorded visit (week {visits[-1][WEEK]}): "
            "correct that visit instead, or set a later week."
        )
    if visits and unrecorded_visit(visits, current, g) is None:
        return f"This visit is already recorded (week {visits[-1][WEEK]}); change what changed first."
    return None


def replace_visit(
    visits: list[Mapping[str, Any]], number: int, current: Case, g: Guideline | None = None
) -> list[dict[str, Any]]:
    """The course with visit `number` (1-based) corrected to `current`; later visits keep what they state, so a
    corrected finding carries forward until a later visit changes it. CaseError when the week would leave its
    place among the visits."""
    g = g or load_guideline()
    index = number - 1
    week = visit_week(current, g)
    low = visits[index - 1][WEEK] if index > 0 else 0
    high = visits[index + 1][WEEK] if index + 1 < len(visits) else None
    if week is None or week < low or (high is not None and week > high):
        bounds = f"between week {low} and week {high}" if high is not None else f"week {low} or later"
        raise CaseError(
            [Problem(field=f"visit {number}: week", message=f"must be {bounds} to keep the visits in order")]
        )
    corrected = visit_from_cases(effective_case(visits[:index], g), current, g)
    rebuilt = [dict(v) for v in visits[:index]] + [corrected] + [dict(v) for v in visits[index + 1 :]]
    parse_course({"visits": rebuilt}, g)  # a correction that breaks the course (PT growing too fast) is refused
    return rebuilt
