"""The conservative-care timeline as rows: milestones, the stretches between them, and the routes that skip it.

Everything comes from data/: the weeks and words of the milestones, the phase labels (which phases can apply in a
stretch is found by evaluating the phase conditions, assuming formal PT starts at week 0 as milestone 0 says),
the time-gated rules (those that read the weeks) and the bypass rules (those that can fire at any week once MRI
is done). The timeline figure is drawn from these rows, so the table under it says exactly what it shows.
"""

from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.engine.case import MRI_FINDINGS
from core.engine.conditions import Condition, fields_read, holds
from core.engine.guideline import Guideline, Rule
from core.engine.walk import first_that_holds

TIME_FIELDS = ("weeks_conservative", "pt_weeks")
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


def _phases_from(guideline: Guideline, week: int) -> list[str]:
    """Labels of the phases that can apply at this week: those the walk can find first to hold."""
    phases = guideline.pathway.phases
    found = first_that_holds(
        [p.when for p in phases], _Possible({"weeks_conservative": week, "pt_weeks": week}), frozenset({True})
    )
    return [phase.label for phase, first in zip(phases, found.first, strict=True) if True in first]


def time_gated_rules(guideline: Guideline) -> list[Rule]:
    """Rules that read the weeks of care: they open only once enough time has passed."""
    return [r for r in guideline.pathway.rules if r.when is not None and set(fields_read(r.when)) & set(TIME_FIELDS)]


def _routes_opening(guideline: Guideline, start: int, end: int | None) -> list[Rule]:
    """Time-gated rules that cannot hold before `start` but can within [start, end)."""
    before = {"weeks_conservative": start - 1, "pt_weeks": start - 1}
    at = {"weeks_conservative": start, "pt_weeks": start}
    return [
        r
        for r in time_gated_rules(guideline)
        if _could_hold(r.when, at) and (start == 0 or not _could_hold(r.when, before))
    ]


def bypass_rules(guideline: Guideline) -> list[Rule]:
    """Rules that can decide at any week once MRI is done: they leave the timeline without waiting for it."""
    done = [m for m in MRI_FINDINGS if m != "not_done"]
    return [
        r
        for r in guideline.pathway.rules
        if r.when is not None
        and not set(fields_read(r.when)) & set(TIME_FIELDS)
        and any(_could_hold(r.when, {"mri_finding": m}) for m in done)
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


def phase_clock(guideline: Guideline) -> str:
    """The count the phases move on: weeks of formal PT when a phase reads them (it does: PT < 6 weeks)."""
    read = {f for ph in guideline.pathway.phases for f in fields_read(ph.when)}
    return "pt_weeks" if "pt_weeks" in read else "weeks_conservative"


def timeline_rows(
    guideline: Guideline, weeks_conservative: int | None = None, pt_weeks: int | None = None
) -> pd.DataFrame:
    """The timeline as text: week, until (end of a stretch), kind (milestone, phase, route opens, patient), what
    happens, status for this patient (done, current, upcoming; unknown without a week), and for stretches and
    routes the disposition they belong to and its tone.

    Each row is placed on its own clock: a milestone on its `clock` (minimum PT on the weeks of PT completed), the
    phase stretches on the weeks of PT (the phases read them), the routes on the weeks of conservative care; with
    the weeks of PT unknown, PT is taken to have run since week 0."""
    milestones = sorted(guideline.pathway.milestones, key=lambda m: m.week)
    # Without the weeks of PT, formal PT is taken to run from week 0 (as milestone 0 says): the weeks of care.
    clocks = {
        "weeks_conservative": weeks_conservative,
        "pt_weeks": pt_weeks if pt_weeks is not None else weeks_conservative,
    }
    phase_weeks = clocks[phase_clock(guideline)]
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
                "status": _milestone_status(m.week, clocks[m.clock]),
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
                    "status": _status(m.week, until, weeks_conservative),
                    "leads_to": d.label,
                    "tone": d.tone,
                }
            )
    last = milestones[-1].week
    if pt_weeks is not None:
        rows.append(
            {
                "week": pt_weeks,
                "until": None,
                "kind": "patient",
                "what": f"This patient: {pt_weeks} weeks of formal physical therapy completed",
                "status": "current",
            }
        )
    if weeks_conservative is not None:
        beyond = f" (beyond week {last}: drawn at the end of the axis)" if weeks_conservative > last else ""
        rows.append(
            {
                "week": weeks_conservative,
                "until": None,
                "kind": "patient",
                "what": f"This patient: week {weeks_conservative} of conservative care{beyond}",
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
