"""Evaluations and guideline data in the words the pages show; no Streamlit and no pandas here.

The Patient page renders from this module alone, so a cold start does not pay for pandas. Tables are rows
(dicts) rendered as plain HTML tables, which screen readers read; cells say things in words
(`MRI finding = cord compression`, `not assessed`), never raw ids alone.
"""

import html
import re
from collections.abc import Iterable
from typing import Any

from core.engine.evaluation import Evaluation, Step
from core.engine.guideline import NEEDS_INFORMATION, Guideline
from core.engine.parts import condition_parts, parts_words, step_condition
from core.engine.vocabulary import load_vocabulary
from core.engine.words import value_words
from core.errors import Problem

# The order a clinician works through a case; `group` in data/vocabulary.yaml says which heading a field goes under.
GROUP_TITLES = load_vocabulary().groups
TRUTH_WORDS = {"true": "true", "false": "false", "unknown": "unknown"}
WARNING_WORDS = {"true": "applies", "false": "does not apply", "unknown": "cannot tell yet"}
TRACE_COLUMNS = ["rule", "checks", "inputs read", "result", "decides"]
WARNING_COLUMNS = ["check", "when", "result"]  # three columns: it sits in an expander, narrower still
REFERENCES_PAGE = "references"
# Compact like Streamlit's own tables (smaller type, tighter cells) so four columns fit a 390 px phone.
TABLE_STYLE = "width:100%;font-size:0.875rem;line-height:1.4"
CELL_STYLE = ' style="padding:0.25rem 0.4rem;vertical-align:top"'


def field_groups(guideline: Guideline) -> list[tuple[str, list[str]]]:
    """(heading, case fields) in a clinician's order (the vocabulary's groups)."""
    groups: dict[str, list[str]] = {}
    for name in guideline.schema.fields:
        groups.setdefault(guideline.fields[name].group, []).append(name)
    return [(title, groups[g]) for g, title in GROUP_TITLES.items() if g in groups]


def inputs_words(step: Step, guideline: Guideline) -> str:
    """`label = value` for every input a rule read, in the order it read them."""
    parts = [f"{guideline.labels.get(f, f)} = {value_words(f, v, guideline)}" for f, v in step.inputs.items()]
    return "; ".join(parts) or "none"


def checks_words(step: Step, values: dict[str, Any], guideline: Guideline) -> str:
    """What a step checks; for a condition of several parts, each part with its own value (which one failed)."""
    parts = condition_parts(step_condition(guideline, step.id), values, guideline)
    return parts_words(parts) if len(parts) > 1 else step.condition


def trace_rows(evaluation: Evaluation, guideline: Guideline) -> list[dict[str, Any]]:
    """The rules the engine tried, in order: rule (id and label), what it checks (each part's value when it has
    several), the inputs it read and its value; `decides` marks the rule that decided (or, for
    needs_information, the unknown rule that blocked)."""
    values = evaluation.case.values()
    return [
        {
            "rule": f"{step.id} · {step.label}",
            "checks": checks_words(step, values, guideline),
            "inputs read": inputs_words(step, guideline),
            "result": TRUTH_WORDS[step.value],
            "decides": step.id == evaluation.deciding_rule,
        }
        for step in evaluation.trace
    ]


def warning_rows(evaluation: Evaluation, guideline: Guideline) -> list[dict[str, str]]:
    """Every pitfall check, when it applies (with the inputs it read) and whether it applies now."""
    return [
        {
            "check": f"{step.id} · {step.label}",
            "when": f"{step.condition} (read: {inputs_words(step, guideline)})",
            "result": WARNING_WORDS[step.value],
        }
        for step in evaluation.warning_trace
    ]


def deciding_sentence(evaluation: Evaluation) -> str:
    """One sentence on how the decision was reached, for the top of the `why` section."""
    e = evaluation
    step = next(s for s in e.trace if s.id == e.deciding_rule)
    if e.disposition == NEEDS_INFORMATION:
        return (
            f"Rule {step.id} ({step.label}) cannot be decided with what is known, and no earlier rule "
            "settles the case, so the pathway stops here."
        )
    tried = len(e.trace) - 1
    before = f"the {tried} rule{'s' if tried != 1 else ''} before it did not apply" if tried else "it is the first rule"
    return f"Rule {step.id} ({step.label}) decides: {before}."


def assess_next(evaluation: Evaluation, guideline: Guideline) -> list[str]:
    """Labels of the unknown fields that could change the decision (then those that would fix the phase)."""
    fields = list(dict.fromkeys(evaluation.missing + evaluation.phase_missing))
    return [guideline.labels.get(f, f) for f in fields]


def provisional_sentence(evaluation: Evaluation, guideline: Guideline) -> str:
    """What a provisional plan is, for a blocked case: urgent action, or the plan that goes on meanwhile."""
    e, g = evaluation, guideline
    assess = ", ".join(assess_next(e, g)) or "the missing items"
    outcomes = " or ".join(p.label for p in e.possible_dispositions)
    if e.urgent:
        return f"Act urgently while {assess} is assessed: every outcome still possible is urgent ({outcomes})."
    return (
        f"Provisional, while {assess} is assessed: this holds in every outcome still possible "
        "(conservative care goes on until a referral is confirmed)."
    )


def phase_sentence(evaluation: Evaluation, guideline: Guideline) -> str | None:
    """Where the patient is in conservative care and what comes next; None outside conservative care."""
    e = evaluation
    if e.disposition != guideline.pathway.phased_disposition:
        return None
    phases = guideline.phase_labels
    text = f"Phase: {phases[e.phase]}." if e.phase else "Phase: cannot tell yet."
    main = guideline.clocks[0] if guideline.clocks else None
    if main is not None and e.weeks is not None:
        text += f" Week {e.weeks} of {guideline.fields[main].counted}"
        if e.next_milestone_week is not None:
            milestones = {m.week: m.label for m in guideline.pathway.milestones}
            text += (
                f"; next milestone at week {e.next_milestone_week} "
                f"({milestones[e.next_milestone_week]}), in {e.weeks_to_next_milestone} "
                f"week{'s' if e.weeks_to_next_milestone != 1 else ''}."
            )
        else:
            text += "; past the last milestone."
    return text


def reference_anchor(number: int) -> str:
    """The anchor of a citation number on the References page (resolved or not)."""
    return f"ref-{number}"


def citation_href(number: int, page: str = REFERENCES_PAGE) -> str:
    return f"{page}?ref={number}#{reference_anchor(number)}"


def citation_links(numbers: Iterable[int], page: str = REFERENCES_PAGE) -> str:
    """Markdown links `[3]` that land on the reference (or on the note that it does not resolve)."""
    return " ".join(f"[[{n}]]({citation_href(n, page)})" for n in numbers)


def problem_text(problem: Problem, guideline: Guideline) -> str:
    """A problem in a clinician's words: field keys become their labels."""
    # Only snake_case keys are replaced: a one-word field id is also an ordinary English word.
    message = re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: guideline.labels.get(m[0], m[0]), problem.message)
    label = guideline.labels.get(problem.field, problem.field)
    return f"{label[:1].upper()}{label[1:]}: {message}"


def problems_by_field(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for p in problems:
        grouped.setdefault(p.field, []).append(p)
    return grouped


def html_table(
    rows: list[dict[str, Any]], columns: list[str], highlight: Iterable[int] = (), highlight_style: str = ""
) -> str:
    """A plain HTML table of `rows` (escaped); rows numbered in `highlight` get `highlight_style` and a class.

    Ids may wrap after each underscore (`<wbr>`), so a table fits a 390 px phone without sideways scrolling.
    """
    marked = set(highlight)

    def cell(value: Any) -> str:
        return html.escape(str(value)).replace("_", "_<wbr>")

    head = "".join(f"<th{CELL_STYLE}>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        (f'<tr class="highlight" style="{html.escape(highlight_style)}">' if n in marked else "<tr>")
        + "".join(f"<td{CELL_STYLE}>{cell(row[c])}</td>" for c in columns)
        + "</tr>"
        for n, row in enumerate(rows)
    )
    return f'<table style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
