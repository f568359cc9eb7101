"""A course of care: one patient's visits over the weeks, each decided by the one-case engine (issue 9).

A course is `{"course_id": ..., "visits": [{"week": 0, ...case keys...}, ...]}`. A visit says what is known or
changed at that visit: an absent key is carried forward, `null` makes it unknown from that visit on; the
vocabulary marks the count the visit's week sets, the fields that belong to their visit only, and the counts of
weeks held within the week (CaseSchema: visit_clock, per_visit, inner_clocks). Pure Python (no pandas), so the
Patient page can use it without the cost of the vectorised modules.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from core.engine.case import MAX_WEEKS, AnyCase, Case
from core.engine.evaluate import evaluate_case
from core.engine.evaluation import Evaluation
from core.engine.guideline import Guideline, load_guideline
from core.engine.vocabulary import CaseSchema
from core.errors import CaseError, Problem
from core.model import Frozen

WEEK = "week"
NOT_YET_SEEN = "not_yet_seen"
NO_FURTHER_VISIT = "no_further_visit"


class Visit(Frozen):
    """One visit as given: its week and the case keys it states (None = made unknown at this visit)."""

    week: int
    given: dict[str, Any]


class Course(Frozen):
    """A validated course: the visits as given and, per visit, the effective case after carry-forward."""

    course_id: str | None = None
    visits: list[Visit] = Field(min_length=1)
    cases: list[AnyCase]


class VisitResult(Frozen):
    visit: int  # 1-based, in the course's order
    week: int
    state: str
    disposition: str
    phase: str | None
    warnings: list[str]
    urgent: bool
    changed: dict[str, Any]  # what this visit stated (the keys given, None = made unknown)
    evaluation: Evaluation


class MilestoneState(Frozen):
    week: int
    state: str


class Deviation(Frozen):
    """A warning (a departure from the pathway) that fired somewhere in the course."""

    warning: str
    label: str
    first_week: int
    visits: int


class CourseEvaluation(Frozen):
    guideline_version: str
    notice: str
    course_id: str | None
    visits: list[VisitResult]
    milestones: list[MilestoneState]
    deviations: list[Deviation]


# ------------------------------------------------------------------------------------------------- parsing


def _visit_problem(n: int, field: str, message: str) -> Problem:
    return Problem(field=f"visit {n}: {field}", message=message)


def week_required(schema: CaseSchema) -> str:
    """The message of a visit without its week: what the week is, in the vocabulary's words."""
    clock = schema.visit_clock
    return f"required ({schema.defs[clock].label} at this visit)" if clock else "required (the visit's week)"


def _week(n: int, raw: Mapping[str, Any], schema: CaseSchema) -> tuple[int | None, list[Problem]]:
    if WEEK not in raw or raw[WEEK] is None:
        return None, [_visit_problem(n, WEEK, week_required(schema))]
    week = raw[WEEK]
    if isinstance(week, bool) or not isinstance(week, int):
        return None, [_visit_problem(n, WEEK, f"expected a whole number, got {week!r}")]
    if not 0 <= week <= MAX_WEEKS:
        return None, [_visit_problem(n, WEEK, f"must be between 0 and {MAX_WEEKS} (got {week})")]
    return week, []


def carried_case(
    previous: Mapping[str, Any], given: Mapping[str, Any], week: int, schema: CaseSchema
) -> dict[str, Any]:
    """The effective case at a visit: the previous effective case, updated by what this visit states."""
    clock = schema.visit_clock
    case = {k: v for k, v in previous.items() if k not in schema.not_carried}
    for key, value in given.items():
        if key == WEEK:
            continue
        if value is None:
            case.pop(key, None)
        elif key != clock:
            case[key] = value
    if clock:
        case[clock] = week
    return case


def inner_problem(
    field: str, count: int | None, week: int, last_count: int | None, last_week: int | None
) -> str | None:
    """Why a count held within the visit's week (`field`) breaks the course rules at a visit (None when it does
    not); last_* are from the most recent earlier visit where it was known."""
    if count is None:
        return None
    if count > week:
        return f"cannot exceed the visit's week ({count} > {week})"
    if last_count is None or last_week is None:
        return None
    if count < last_count:
        return f"cannot decrease from one visit to the next ({last_count} -> {count})"
    if count - last_count > week - last_week:
        elapsed = week - last_week
        return (
            f"grew by {count - last_count} weeks but only {elapsed} week{'' if elapsed == 1 else 's'} passed since "
            f"week {last_week} ({field} {last_count} -> {count})"
        )
    return None


def _inner_broken(
    schema: CaseSchema, candidate: Mapping[str, Any], week: int, last: Mapping[str, tuple[int, int]]
) -> tuple[str, str] | None:
    """The first count within the week that breaks the course rules at a visit, and why (None: none does)."""
    for field in schema.inner_clocks:
        count = candidate.get(field)
        reason = inner_problem(field, count, week, *last.get(field, (None, None))) if isinstance(count, int) else None
        if reason:
            return field, reason
    return None


def parse_course(data: Mapping[str, Any] | Course, guideline: Guideline | None = None) -> Course:
    """Validate a course under a pack (the default pack when none is given), or raise CaseError with one problem
    per bad field, named `visit N: field` (1-based)."""
    if isinstance(data, Course):
        return data
    g = guideline or load_guideline()
    schema = g.schema
    fields, clock = schema.kinds, schema.visit_clock
    if not isinstance(data, Mapping):
        raise CaseError([Problem(field="course", message=f"expected an object with visits, got {type(data).__name__}")])
    problems = [
        Problem(field=str(k), message="unknown key (a course has course_id and visits)")
        for k in data
        if k not in ("course_id", "visits")
    ]
    course_id = data.get("course_id")
    if course_id is not None and not isinstance(course_id, str):
        problems.append(Problem(field="course_id", message=f"expected text, got {course_id!r}"))
    raw_visits = data.get("visits")
    if not isinstance(raw_visits, list) or not raw_visits:
        problems.append(Problem(field="visits", message="a course needs a list of one visit or more"))
        raise CaseError(problems)

    visits: list[Visit] = []
    cases: list[Case] = []
    effective: dict[str, Any] = {}
    last_week: int | None = None
    last_inner: dict[str, tuple[int, int]] = {}  # per count within the week: (count, week) where last known
    for n, raw in enumerate(raw_visits, start=1):
        if not isinstance(raw, Mapping):
            problems.append(_visit_problem(n, "visit", f"expected an object, got {type(raw).__name__}"))
            continue
        week, week_problems = _week(n, raw, schema)
        problems += week_problems
        given = {k: v for k, v in raw.items() if k != WEEK}
        problems += [
            _visit_problem(n, str(k), "unknown field (not part of the case format)") for k in given if k not in fields
        ]
        if week is None or any(k not in fields for k in given):
            continue
        if last_week is not None and week < last_week:
            problems.append(
                _visit_problem(n, WEEK, f"visits must be in week order (week {week} after week {last_week})")
            )
            continue
        if clock is not None and clock in given and given[clock] != week:
            problems.append(_visit_problem(n, clock, f"must equal the visit's week ({given[clock]!r} != {week})"))
            continue
        candidate = carried_case(effective, given, week, schema)
        broken = _inner_broken(schema, candidate, week, last_inner)
        if broken:
            problems.append(_visit_problem(n, *broken))
            continue
        try:
            case = g.parse_case(candidate)
        except CaseError as exc:
            problems += [_visit_problem(n, p.field, p.message) for p in exc.problems]
            continue
        effective, last_week = candidate, week
        values = case.values()
        last_inner |= {f: (values[f], week) for f in schema.inner_clocks if values.get(f) is not None}
        visits.append(Visit(week=week, given=dict(given)))
        cases.append(case)
    if problems:
        raise CaseError(problems)
    return Course(course_id=course_id, visits=visits, cases=cases)


# ---------------------------------------------------------------------------------------------- evaluation


def visit_state(guideline: Guideline, disposition: str, phase: str | None) -> str:
    """A visit's state: its phase under the disposition that has phases (that disposition while the phase is
    undecided), else the disposition."""
    if disposition == guideline.pathway.phased_disposition:
        return phase or disposition
    return disposition


def state_order(guideline: Guideline) -> list[str]:
    """Every state a visit or milestone can take, in the order the data gives (phases first, then dispositions)."""
    phases = [p.id for p in guideline.pathway.phases]
    phased = guideline.pathway.phased_disposition
    dispositions = [d.id for d in guideline.pathway.dispositions if d.id != phased]
    return [*phases, phased, *dispositions, NOT_YET_SEEN, NO_FURTHER_VISIT]


def ending_states(guideline: Guideline) -> set[str]:
    return {d.id for d in guideline.pathway.dispositions if d.ends_course}


def milestone_state(weeks: list[int], states: list[str], milestone: int, ending: set[str]) -> str:
    """The state at a milestone week from a course's visit weeks (sorted) and states."""
    before = [n for n, w in enumerate(weeks) if w <= milestone]
    if not before:
        return NOT_YET_SEEN
    last = states[before[-1]]
    if weeks[-1] < milestone and last not in ending:
        return NO_FURTHER_VISIT  # censored: the course stops before this milestone without having ended
    return last


def evaluate_course(course: Mapping[str, Any] | Course, guideline: Guideline | None = None) -> CourseEvaluation:
    """Evaluate each visit's effective case; milestone states and deviations over the whole course."""
    g = guideline or load_guideline()
    course = parse_course(course, g)
    results: list[VisitResult] = []
    for n, (visit, case) in enumerate(zip(course.visits, course.cases, strict=False), start=1):
        evaluation = evaluate_case(case, g)
        results.append(
            VisitResult(
                visit=n,
                week=visit.week,
                state=visit_state(g, evaluation.disposition, evaluation.phase),
                disposition=evaluation.disposition,
                phase=evaluation.phase,
                warnings=evaluation.warnings,
                urgent=evaluation.urgent,
                changed=visit.given,
                evaluation=evaluation,
            )
        )
    weeks = [r.week for r in results]
    states = [r.state for r in results]
    ending = ending_states(g)
    milestones = [
        MilestoneState(week=m.week, state=milestone_state(weeks, states, m.week, ending)) for m in g.pathway.milestones
    ]
    deviations = []
    for warning in g.pathway.warnings:
        fired = [r for r in results if warning.id in r.warnings]
        if fired:
            deviations.append(
                Deviation(warning=warning.id, label=warning.label, first_week=fired[0].week, visits=len(fired))
            )
    return CourseEvaluation(
        guideline_version=g.info.version,
        notice=g.info.notice,
        course_id=course.course_id,
        visits=results,
        milestones=milestones,
        deviations=deviations,
    )
