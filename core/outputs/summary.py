"""Plain-text account of an evaluation for a person at a terminal: decision, why, what to do, evidence."""

from core.engine.evaluation import Evaluation
from core.engine.guideline import NEEDS_INFORMATION, Guideline
from core.engine.possible import OTHERWISE, either_way
from core.engine.words import value_words
from core.outputs.citations import citation_marks
from core.outputs.presentation import provisional_sentence


def citation_line(guideline: Guideline, number: int) -> str:
    """One citation resolved to its reference, or marked unresolved (the article cites numbers it never lists)."""
    ref = guideline.references_by_number.get(number)
    if ref is None:
        return f"[{number}] unresolved: the article cites it but its reference list has no entry {number}"
    return f"[{number}] {ref.title.rstrip('.')}. {ref.source}, {ref.year} ({ref.type})"


def evaluation_text(evaluation: Evaluation, guideline: Guideline) -> str:
    e = evaluation
    lines = [
        f"Disposition: {e.disposition_label} [{e.disposition}]{'  ** URGENT **' if e.urgent else ''}",
        f"Guideline {guideline.info.title}, version {e.guideline_version}. {guideline.info.notice}",
        "",
        "Why (rules in order; the first that holds decides):",
    ]
    for step in e.trace:
        marker = ">" if step.id == e.deciding_rule else " "
        inputs = ", ".join(f"{k}={value_words(k, v)}" for k, v in step.inputs.items()) or "no inputs"
        lines.append(f" {marker} {step.id:<26} {step.value:<8} {step.condition}  [{inputs}]")
    if e.missing:
        lines += ["", "Assess next (unknown and able to change the decision): " + ", ".join(e.missing)]
    if e.disposition == NEEDS_INFORMATION:
        lines += ["", "Still possible (most urgent first):"] + [
            f" - {p.label} [{p.disposition}]: {'if ' if p.condition != OTHERWISE else ''}{p.condition}"
            + either_way(p, guideline)
            for p in e.possible_dispositions
        ]
    if e.inconsistencies:
        lines += ["", "Inputs that contradict each other:"] + [f" ? {i.id}: {i.text}" for i in e.inconsistencies]
    if e.phase:
        lines += ["", f"Conservative-care phase: {e.phase}"]
    if e.next_milestone_week is not None:
        lines.append(f"Next milestone: week {e.next_milestone_week} (in {e.weeks_to_next_milestone} weeks)")
    if e.phase_missing:
        lines.append("Phase undetermined; assess: " + ", ".join(e.phase_missing))
    lines += ["", "What to do:"]
    if e.provisional:
        lines.append(" " + provisional_sentence(e, guideline))
    lines += [
        f" - {s.text} {citation_marks(s.citations, s.origin)}"
        for s in e.statements
        if not s.because.startswith("warning")
    ] or [" - first assess what is missing; each outcome still possible is listed above"]
    if e.warnings:
        labels = guideline.warning_labels
        lines += ["", "Warnings (pitfalls):"] + [f" ! {w}: {labels[w]}" for w in e.warnings]
    if e.possible_warnings:
        lines += ["", "Pitfalls that may apply (not yet decided):"] + [
            f" ? {w.id}: {w.label}; applies if {w.condition}" for w in e.possible_warnings
        ]
    cited = sorted({n for s in e.statements for n in s.citations})
    if cited:
        lines += ["", "Citations:"] + [f" {citation_line(guideline, n)}" for n in cited]
    return "\n".join(lines) + "\n"
