"""Plain-text account of a course for a person at a terminal: week by week, then the milestone states."""

from core.analyses.course import CourseEvaluation
from core.engine.guideline import Guideline
from core.engine.words import value_words


def state_label(guideline: Guideline, state: str) -> str:
    """A state's words: a phase's or a disposition's label, or the two course states of the progression."""
    labels = {
        **{d.id: d.label for d in guideline.pathway.dispositions},
        **guideline.phase_labels,
        "not_yet_seen": "Not yet seen",
        "no_further_visit": "No further visit (censored)",
    }
    return labels.get(state, state)


def changed_text(changed: dict[str, object]) -> str:
    return ", ".join(f"{k}={value_words(k, v)}" for k, v in changed.items()) or "nothing new"


def course_text(result: CourseEvaluation, guideline: Guideline) -> str:
    r = result
    name = f"Course {r.course_id}" if r.course_id else "Course"
    lines = [
        f"{name}: {len(r.visits)} visit{'s' if len(r.visits) != 1 else ''}. "
        f"Guideline {guideline.info.title}, version {r.guideline_version}. {r.notice}",
        "",
    ]
    rules = {rule.id: rule.label for rule in guideline.pathway.rules}
    for v in r.visits:
        urgent = "  ** URGENT **" if v.urgent else ""
        lines.append(f"Visit {v.visit}, week {v.week}: {state_label(guideline, v.state)} [{v.state}]{urgent}")
        lines.append(f"  changed: {changed_text(v.changed)}")
        lines.append(
            f"  why: rule {v.evaluation.deciding_rule} ({rules[v.evaluation.deciding_rule]})"
            + (f"; assess next: {', '.join(v.evaluation.missing)}" if v.evaluation.missing else "")
        )
        lines += [f"  ! {w}: {guideline.warning_labels[w]}" for w in v.warnings]
    lines += ["", "Milestones:"]
    lines += [f"  week {m.week:>3}: {state_label(guideline, m.state)} [{m.state}]" for m in r.milestones]
    lines += ["", "Deviations from the pathway:"]
    lines += [
        f"  {d.warning}: {d.label} (first at week {d.first_week}, on {d.visits} visit{'s' if d.visits != 1 else ''})"
        for d in r.deviations
    ] or ["  none"]
    return "\n".join(lines) + "\n"
