"""The conservative-care timeline as rows: milestones, the stretches between them, and the routes that skip it.

Everything comes from data/: the weeks and words of the milestones, the phase labels (which phases can apply in a
stretch is found by evaluating the phase conditions, assuming every count of weeks within the course's weeks, such
as formal PT, starts at week 0 as milestone 0 says), the time-gated rules (those that read a count of weeks, the
vocabulary's time fields) and the bypass rules (those that can fire at any week once imaging is done: every
`pending` choice at a result). The timeline figure is drawn from these rows, so the table under it says exactly
what it shows.
"""

import itertools
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.engine.conditions import Condition, fields_read, holds
from core.engine.guideline import Guideline, Rule
from core.engine.walk import first_that_holds

TIMELINE_COLUMNS = ["week", "until", "kind", "what", "status", "leads_to", "tone"]
BYPASS_COLUMNS = ["rule", "label", "condition", "disposition", "disposition_label", "tone", "urgent", "when"]


def _could_hold(condition: Any, values: dict[str, Any]) -> bool:
    return holds(condition, values) is not False


@dataclass(frozen=True)
class _Possible:
    """The walk's backend for a case known only in part (the weeks): a mask is the set of values it can take once
    the rest of the case is known, so a condition of unknown truth can go either way and none stays unknown."""

    values: dict[str, Any]

    @staticmethod
    def const(value: bool) -> frozenset[bool]:
        return frozenset({value})

    @staticmethod
    def both(a: frozenset[bool], b: frozenset[bool]) -> frozenset[bool]:
        return frozenset(x and y for x in a for y in b)

    @staticmethod
    def either(a: frozenset[bool], b: frozenset[bool]) -> frozenset[bool]:
        return frozenset(x or y for x in a for y in b)

    @staticmethod
    def negate(a: frozenset[bool]) -> frozenset[bool]:
        return frozenset(not x for x in a)

    def true(self, condition: Condition | None) -> frozenset[bool]:
        truth = holds(condition, self.values)
        return frozenset({True, False}) if truth is None else frozenset({truth})

    def unknown(self, condition: Condition | None) -> frozenset[bool]:
        return frozenset({False})

    @staticmethod
    def undecided(condition: Condition | None, where: frozenset[bool]) -> list[tuple[str, frozenset[bool]]]:
        return []

    def decided(self, dispositions: list[tuple[str, frozenset[bool]]]) -> None:
        pass


def _at_week(guideline: Guideline, week: int) -> dict[str, int]:
    """Every count of weeks at `week` (the counts within the course's weeks taken to run from week 0)."""
    return {f: week for f in guideline.schema.time_fields}


def _phases_from(guideline: Guideline, week: int) -> list[str]:
    """Labels of the phases that can apply at this week: those the walk can find first to hold."""
    phases = guideline.pathway.phases
    found = first_that_holds([p.when for p in phases], _Possible(_at_week(guideline, week)), frozenset({True}))
    return [phase.label for phase, first in zip(phases, found.first, strict=True) if True in first]


def _reads_time(guideline: Guideline, rule: Rule) -> bool:
    return bool(set(fields_read(rule.when)) & set(guideline.schema.time_fields))


def time_gated_rules(guideline: Guideline) -> list[Rule]:
    """Rules that read a count of weeks: they open only once enough time has passed."""
    return [r for r in guideline.pathway.rules if r.when is not None and _reads_time(guideline, r)]


def _routes_opening(guideline: Guideline, start: int, end: int | None) -> list[Rule]:
    """Time-gated rules that cannot hold before `start` but can within [start, end)."""
    before, at = _at_week(guideline, start - 1), _at_week(guideline, start)
    return [
        r
        for r in time_gated_rules(guideline)
        if _could_hold(r.when, at) and (start == 0 or not _could_hold(r.when, before))
    ]


def _imaging_done(guideline: Guideline) -> list[dict[str, str]]:
    """Every way the pack's pending choices (imaging not done yet) can all hold a result."""
    schema = guideline.schema
    pending = {f: schema.defs[f].pending for f in schema.choice_fields if schema.defs[f].pending}
    results = [[(f, v) for v in schema.choices[f] if v != waiting] for f, waiting in pending.items()]
    return [dict(combination) for combination in itertools.product(*results)]


def bypass_rules(guideline: Guideline) -> list[Rule]:
    """Rules that can decide at any week once imaging is done: they leave the timeline without waiting for it."""
    done = _imaging_done(guideline)
    return [
        r
        for r in guideline.pathway.rules
        if r.when is not None and not _reads_time(guideline, r) and any(_could_hold(r.when, values) for values in done)
    ]


def axis_end(guideline: Guideline) -> int:
    """Where the drawn week axis stops: past the last milestone (room for what opens there), marked `<last>+`."""
    last = max(m.week for m in guideline.pathway.milestones)
    return last + max(8, last // 3)


def _status(start: int, until: int | None, weeks: int | None) -> str:
    if weeks is None:
        return "unknown"
    if start > weeks:
        return "upcoming"
    return "done" if until is not None and until <= weeks else "current"


def _milestone_status(week: int, weeks: int | None) -> str:
    if weeks is None:
        return "unknown"
    return "done" if week < weeks else ("current" if week == weeks else "upcoming")


def phase_clock(guideline: Guideline) -> str | None:
    """The count the phases move on: the first count within the course's weeks that a phase reads (the weeks of
    formal PT: PT < 6 weeks), else the course's weeks."""
    read = {f for ph in guideline.pathway.phases for f in fields_read(ph.when)}
    schema = guideline.schema
    return next((c for c in schema.inner_clocks if c in read), schema.visit_clock)


def timeline_rows(guideline: Guideline, weeks: int | None = None, inner_weeks: int | None = None) -> pd.DataFrame:
    """The timeline as text: week, until (end of a stretch), kind (milestone, phase, route opens, patient), what
    happens, status for this patient (done, current, upcoming; unknown without a week), and for stretches and
    routes the disposition they belong to and its tone.

    `weeks` is the course's weeks (the vocabulary's visit clock), `inner_weeks` the pack's first count within them
    (the weeks of formal PT). Each row is placed on its own clock: a milestone on its `clock` (minimum PT on the
    weeks of PT completed), the phase stretches on the count the phases read, the routes on the course's weeks;
    with a count within the weeks unknown, it is taken to have run since week 0."""
    schema = guideline.schema
    milestones = sorted(guideline.pathway.milestones, key=lambda m: m.week)
    # Without a count within the weeks, it is taken to run from week 0 (as milestone 0 says): the course's weeks.
    clocks: dict[str, int | None] = {c: weeks for c in schema.time_fields}
    if schema.inner_clocks and inner_weeks is not None:
        clocks[schema.inner_clocks[0]] = inner_weeks
    phase = phase_clock(guideline)
    phase_weeks = clocks.get(phase, weeks) if phase else weeks
    care = guideline.disposition(guideline.pathway.phased_disposition)
    rows: list[dict[str, Any]] = []
    for n, m in enumerate(milestones):
        until = milestones[n + 1].week if n + 1 < len(milestones) else None
        rows.append(
            {
                "week": m.week,
                "until": None,
                "kind": "milestone",
                "what": m.label,
                "status": _milestone_status(m.week, clocks.get(m.clock)),
            }
        )
        rows.append(
            {
                "week": m.week,
                "until": until,
                "kind": "phase",
                "what": " or ".join(_phases_from(guideline, m.week)),
                "status": _status(m.week, until, phase_weeks),
                "leads_to": care.label,
                "tone": care.tone,
            }
        )
        for rule in _routes_opening(guideline, m.week, until):
            d = guideline.disposition(rule.disposition)
            rows.append(
                {
                    "week": m.week,
                    "until": until,
                    "kind": "route opens",
                    "what": f"{rule.label} -> {d.label}",
                    "status": _status(m.week, until, weeks),
                    "leads_to": d.label,
                    "tone": d.tone,
                }
            )
    last = milestones[-1].week
    if schema.inner_clocks and inner_weeks is not None:
        counted = schema.defs[schema.inner_clocks[0]].counted
        rows.append(
            {
                "week": inner_weeks,
                "until": None,
                "kind": "patient",
                "what": f"This patient: {inner_weeks} weeks of {counted} completed",
                "status": "current",
            }
        )
    if schema.visit_clock and weeks is not None:
        beyond = f" (beyond week {last}: drawn at the end of the axis)" if weeks > last else ""
        rows.append(
            {
                "week": weeks,
                "until": None,
                "kind": "patient",
                "what": f"This patient: week {weeks} of {schema.defs[schema.visit_clock].counted}{beyond}",
                "status": "current",
            }
        )
    frame = pd.DataFrame(rows, columns=TIMELINE_COLUMNS).fillna({"leads_to": "", "tone": ""})
    frame["until"] = frame["until"].astype("Int64")
    return frame.sort_values("week", kind="stable").reset_index(drop=True)


def bypass_rows(guideline: Guideline) -> pd.DataFrame:
    """The routes that leave the timeline at any week, with what they lead to."""
    rows = []
    for r in bypass_rules(guideline):
        d = guideline.disposition(r.disposition)
        rows.append(
            {
                "rule": r.id,
                "label": r.label,
                "condition": guideline.describe(r.when),
                "disposition": d.id,
                "disposition_label": d.label,
                "tone": d.tone,
                "urgent": d.urgent,
                "when": "at any week",
            }
        )
    return pd.DataFrame(rows, columns=BYPASS_COLUMNS)
