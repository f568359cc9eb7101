"""Plain-text account of a course for a person at a terminal: week by week, then the milestone states."""

from functools import cache
from pathlib import Path
from typing import Any

from core.analyses.course import CourseEvaluation, state_order
from core.engine.guideline import DATA_DIR, Guideline, read_yaml
from core.engine.words import value_words

COURSE_STATES = "course_states.yaml"


@cache
def course_states(pack_dir: Path = DATA_DIR) -> dict[str, Any]:
    """The course states' colours (the pack's course_states.yaml) and the labels of the states only courses have
    (the pack's, else the default pack's: they are the same words in every pathway)."""
    default = read_yaml(DATA_DIR / COURSE_STATES)
    own = read_yaml(Path(pack_dir) / COURSE_STATES) if (Path(pack_dir) / COURSE_STATES).is_file() else {}
    return {key: {**default.get(key, {}), **own.get(key, {})} for key in default.keys() | own.keys()}


def state_labels(guideline: Guideline) -> dict[str, str]:
    """State -> words: a phase's or disposition's label, or the course-only states' labels."""
    labels = {d.id: d.label for d in guideline.pathway.dispositions} | guideline.phase_labels
    labels |= course_states(guideline.source_dir)["labels"]
    return {s: labels.get(s, s) for s in state_order(guideline)}


def changed_text(changed: dict[str, object]) -> str:
    return ", ".join(f"{k}={value_words(k, v)}" for k, v in changed.items()) or "nothing new"


def milestones_words(result: CourseEvaluation, guideline: Guideline, live: bool = False) -> str:
    """`week 0: ...; week 6: ...`: the state at each milestone, for one line on a page. In a live course (one
    still being recorded) a milestone after the last visit is not reached yet, rather than censored."""
    labels = state_labels(guideline) | (course_states()["live_labels"] if live else {})
    return "; ".join(f"week {m.week}: {labels[m.state]}" for m in result.milestones)


def course_text(result: CourseEvaluation, guideline: Guideline) -> str:
    r = result
    name = f"Course {r.course_id}" if r.course_id else "Course"
    lines = [
        f"{name}: {len(r.visits)} visit{'s' if len(r.visits) != 1 else ''}. "
        f"Guideline {guideline.info.title}, version {r.guideline_version}. {r.notice}",
        "",
    ]
    rules = {rule.id: rule.label for rule in guideline.decision_rules}
    labels = state_labels(guideline)
    for v in r.visits:
        urgent = "  ** URGENT **" if v.urgent else ""
        lines.append(f"Visit {v.visit}, week {v.week}: {labels[v.state]} [{v.state}]{urgent}")
        lines.append(f"  changed: {changed_text(v.changed)}")
        lines.append(
            f"  why: rule {v.evaluation.deciding_rule} ({rules[v.evaluation.deciding_rule]})"
            + (f"; assess next: {', '.join(v.evaluation.missing)}" if v.evaluation.missing else "")
        )
        lines += [f"  ! {w}: {guideline.warning_labels[w]}" for w in v.warnings]
    lines += ["", "Milestones:"]
    lines += [f"  week {m.week:>3}: {labels[m.state]} [{m.state}]" for m in r.milestones]
    lines += ["", "Deviations from the pathway:"]
    lines += [
        f"  {d.warning}: {d.label} (first at week {d.first_week}, on {d.visits} visit{'s' if d.visits != 1 else ''})"
        for d in r.deviations
    ] or ["  none"]
    return "\n".join(lines) + "\n"
