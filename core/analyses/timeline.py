"""The conservative-care timeline as rows: milestones, the stretches between them, and the routes that skip it.

Everything comes from data/: the weeks and words of the milestones, the phase labels (which phases can apply in a
stretch is found by evaluating the phase conditions, assuming formal PT starts at week 0 as milestone 0 says),
the time-gated rules (those that read the weeks) and the bypass rules (those that can fire at any week once MRI
is done). The timeline figure is drawn from these rows, so the table under it says exactly what it shows.
"""
from typing import Any

import pandas as pd

from core.engine.case import MRI_FINDINGS
from core.engine.conditions import fields_read, holds
from core.engine.guideline import Guideline, Rule

TIME_FIELDS = ("weeks_conservative", "pt_weeks")
TIMELINE_COLUMNS = ["week", "until", "kind", "what", "status", "leads_to", "tone"]
BYPASS_COLUMNS = ["rule", "label", "condition", "disposition", "disposition_label", "tone", "urgent", "when"]


def _could_hold(condition: Any, values: dict[str, Any]) -> bool:
    return holds(condition, values) is not False


def _phases_from(guideline: Guideline, week: int) -> list[str]:
    """Labels of the phases that can apply at this week, tried in order like the engine (first that holds)."""
    values = {"weeks_conservative": week, "pt_weeks": week}
    labels = []
    for phase in guideline.pathway.phases:
        value = holds(phase.when, values)
        if value is not False:
            labels.append(phase.label)
        if value is True:
            break
    return labels


def time_gated_rules(guideline: Guideline) -> list[Rule]:
    """Rules that read the weeks of care: they open only once enough time has passed."""
    return [r for r in guideline.pathway.rules if r.when is not None and set(fields_read(r.when)) & set(TIME_FIELDS)]


def _routes_opening(guideline: Guideline, start: int, end: int | None) -> list[Rule]:
    """Time-gated rules that cannot hold before `start` but can within [start, end)."""
    before = {"weeks_conservative": start - 1, "pt_weeks": start - 1}
    at = {"weeks_conservative": start, "pt_weeks": start}
    return [r for r in time_gated_rules(guideline)
            if _could_hold(r.when, at) and (start == 0 or not _could_hold(r.when, before))]


def bypass_rules(guideline: Guideline) -> list[Rule]:
    """Rules that can decide at any week once MRI is done: they leave the timeline without waiting for it."""
    done = [m for m in MRI_FINDINGS if m != "not_done"]
    return [
        r for r in guideline.pathway.rules
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


def timeline_rows(guideline: Guideline, weeks_conservative: int | None = None,
                  pt_weeks: int | None = None) -> pd.DataFrame:
    """The timeline as text: week, until (end of a stretch), kind (milestone, phase, route opens, patient), what
    happens, status for this patient (done, current, upcoming; unknown without a week), and for stretches and
    routes the disposition they belong to and its tone."""
    milestones = sorted(guideline.pathway.milestones, key=lambda m: m.week)
    # The phases belong to the pathway's fallback disposition (the last rule: conservative care).
    care = guideline.disposition(guideline.pathway.rules[-1].disposition)
    rows: list[dict[str, Any]] = []
    for n, m in enumerate(milestones):
        until = milestones[n + 1].week if n + 1 < len(milestones) else None
        rows.append({"week": m.week, "until": None, "kind": "milestone", "what": m.label,
                     "status": _milestone_status(m.week, weeks_conservative)})
        rows.append({"week": m.week, "until": until, "kind": "phase",
                     "what": " or ".join(_phases_from(guideline, m.week)),
                     "status": _status(m.week, until, weeks_conservative), "leads_to": care.label, "tone": care.tone})
        for rule in _routes_opening(guideline, m.week, until):
            d = guideline.disposition(rule.disposition)
            rows.append({"week": m.week, "until": until, "kind": "route opens", "what": f"{rule.label} -> {d.label}",
                         "status": _status(m.week, until, weeks_conservative), "leads_to": d.label, "tone": d.tone})
    last = milestones[-1].week
    if pt_weeks is not None:
        rows.append({"week": pt_weeks, "until": None, "kind": "patient",
                     "what": f"This patient: {pt_weeks} weeks of formal physical therapy completed",
                     "status": "current"})
    if weeks_conservative is not None:
        beyond = f" (beyond week {last}: drawn at the end of the axis)" if weeks_conservative > last else ""
        rows.append({"week": weeks_conservative, "until": None, "kind": "patient",
                     "what": f"This patient: week {weeks_conservative} of conservative care{beyond}",
                     "status": "current"})
    frame = pd.DataFrame(rows, columns=TIMELINE_COLUMNS).fillna({"leads_to": "", "tone": ""})
    frame["until"] = frame["until"].astype("Int64")
    return frame.sort_values("week", kind="stable").reset_index(drop=True)


def bypass_rows(guideline: Guideline) -> pd.DataFrame:
    """The routes that leave the timeline at any week, with what they lead to."""
    rows = []
    for r in bypass_rules(guideline):
        d = guideline.disposition(r.disposition)
        rows.append({
            "rule": r.id,
            "label": r.label,
            "condition": guideline.describe(r.when),
            "disposition": d.id,
            "disposition_label": d.label,
            "tone": d.tone,
            "urgent": d.urgent,
            "when": "at any week",
        })
    return pd.DataFrame(rows, columns=BYPASS_COLUMNS)
