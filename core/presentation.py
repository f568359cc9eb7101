"""Evaluations and guideline data in the words and tables the pages show; no Streamlit here.

Every table here is also the text equivalent a screen reader gets, so cells say things in words
(`MRI finding = cord compression`, `not assessed`), never raw ids alone.
"""
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from core.case import CASE_FIELDS, Case
from core.errors import Problem
from core.evaluation import Evaluation, Step
from core.guideline import NEEDS_INFORMATION, Guideline

# The order a clinician works through a case; `group` in data/fields.yaml says which heading a field goes under.
GROUP_TITLES = {
    "safety": "Safety screen",
    "imaging": "Imaging",
    "neuro": "Neurological examination",
    "course": "Course of care",
    "surgical": "Surgical context",
    "proposed": "What is proposed",
    "context": "Context (optional)",
}
TRUTH_WORDS = {"true": "true", "false": "false", "unknown": "unknown"}
WARNING_WORDS = {"true": "applies", "false": "does not apply", "unknown": "cannot tell yet"}
TRACE_COLUMNS = ["rule", "checks", "inputs read", "result", "decides"]
WARNING_COLUMNS = ["check", "when", "result"]  # three columns: it sits in an expander, narrower still
STATEMENT_COLUMNS = ["statement", "section", "kind", "origin", "region", "citations", "text"]
REFERENCES_PAGE = "references"


def field_groups(guideline: Guideline) -> list[tuple[str, list[str]]]:
    """(heading, case fields) in a clinician's order; a group new to the data gets its own heading at the end."""
    groups: dict[str, list[str]] = {}
    for name, info in guideline.fields.items():
        if name in CASE_FIELDS:
            groups.setdefault(info.group, []).append(name)
    known = [g for g in GROUP_TITLES if g in groups]
    extra = [g for g in groups if g not in GROUP_TITLES]
    return [(GROUP_TITLES.get(g, g.replace("_", " ").capitalize()), groups[g]) for g in known + extra]


def value_words(field: str, value: Any, guideline: Guideline) -> str:
    """A case value as a clinician reads it: yes / no, not assessed, value labels, lists joined."""
    labels = guideline.value_labels.get(field, {})
    if value is None:
        return "not assessed"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(labels.get(str(v), str(v)) for v in value) or "none"
    return labels.get(str(value), str(value))


def inputs_words(step: Step, guideline: Guideline) -> str:
    """`label = value` for every input a rule read, in the order it read them."""
    parts = [f"{guideline.labels.get(f, f)} = {value_words(f, v, guideline)}" for f, v in step.inputs.items()]
    return "; ".join(parts) or "none"


def trace_frame(evaluation: Evaluation, guideline: Guideline) -> pd.DataFrame:
    """The rules the engine tried, in order: rule (id and label), what it checks, the inputs it read and its
    value; `decides` marks the rule that decided (or, for needs_information, the unknown rule that blocked)."""
    rows = [{
        "rule": f"{step.id} · {step.label}",
        "checks": step.condition,
        "inputs read": inputs_words(step, guideline),
        "result": TRUTH_WORDS[step.value],
        "decides": step.id == evaluation.deciding_rule,
    } for step in evaluation.trace]
    return pd.DataFrame(rows, columns=TRACE_COLUMNS)


def warning_frame(evaluation: Evaluation, guideline: Guideline) -> pd.DataFrame:
    """Every pitfall check, when it applies (with the inputs it read) and whether it applies now."""
    rows = [{
        "check": f"{step.id} · {step.label}",
        "when": f"{step.condition} (read: {inputs_words(step, guideline)})",
        "result": WARNING_WORDS[step.value],
    } for step in evaluation.warning_trace]
    return pd.DataFrame(rows, columns=WARNING_COLUMNS)


def deciding_sentence(evaluation: Evaluation) -> str:
    """One sentence on how the decision was reached, for the top of the `why` section."""
    e = evaluation
    step = next(s for s in e.trace if s.id == e.deciding_rule)
    if e.disposition == NEEDS_INFORMATION:
        return (f"Rule {step.id} ({step.label}) cannot be decided with what is known, and no earlier rule "
                "settles the case, so the pathway stops here.")
    tried = len(e.trace) - 1
    before = f"the {tried} rule{'s' if tried != 1 else ''} before it did not apply" if tried else "it is the first rule"
    return f"Rule {step.id} ({step.label}) decides: {before}."


def assess_next(evaluation: Evaluation, guideline: Guideline) -> list[str]:
    """Labels of the unknown fields that could change the decision (then those that would fix the phase)."""
    fields = list(dict.fromkeys(evaluation.missing + evaluation.phase_missing))
    return [guideline.labels.get(f, f) for f in fields]


def phase_sentence(evaluation: Evaluation, guideline: Guideline) -> str | None:
    """Where the patient is in conservative care and what comes next; None outside conservative care."""
    e = evaluation
    if e.disposition != "conservative_care":
        return None
    phases = {p.id: p.label for p in guideline.pathway.phases}
    text = f"Phase: {phases[e.phase]}." if e.phase else "Phase: cannot tell yet."
    if e.weeks_conservative is not None:
        text += f" Week {e.weeks_conservative} of conservative care"
        if e.next_milestone_week is not None:
            milestones = {m.week: m.label for m in guideline.pathway.milestones}
            text += (f"; next milestone at week {e.next_milestone_week} "
                     f"({milestones[e.next_milestone_week]}), in {e.weeks_to_next_milestone} "
                     f"week{'s' if e.weeks_to_next_milestone != 1 else ''}.")
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
    # Only snake_case keys are replaced: plain words such as "proposed" are also ordinary English.
    message = re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: guideline.labels.get(m[0], m[0]), problem.message)
    label = guideline.labels.get(problem.field, problem.field)
    return f"{label[:1].upper()}{label[1:]}: {message}"


def problems_by_field(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for p in problems:
        grouped.setdefault(p.field, []).append(p)
    return grouped


def statement_frame(guideline: Guideline) -> pd.DataFrame:
    """Every statement with its citation numbers, origin (article or safeguard) and section."""
    rows = [{
        "statement": s.id,
        "section": s.section,
        "kind": s.kind,
        "origin": s.origin,
        "region": s.region,
        "citations": ", ".join(map(str, s.citations)) or "none",
        "text": s.text,
    } for s in guideline.statements]
    return pd.DataFrame(rows, columns=STATEMENT_COLUMNS)


def case_frame(case: Case, guideline: Guideline) -> pd.DataFrame:
    """The known fields of a case as `field` / `value` rows in words (unknown ones are left out)."""
    rows = [{"field": guideline.labels.get(f, f), "value": value_words(f, v, guideline)}
            for f, v in case.model_dump().items() if v not in (None, (), [])]
    return pd.DataFrame(rows, columns=["field", "value"])


def rows_flagged(audit: pd.DataFrame, flags: Iterable[str]) -> pd.DataFrame:
    """Audit rows carrying any of `flags` (the `flags` column is `; `-joined); every row when none is chosen."""
    wanted = set(flags)
    if not wanted:
        return audit
    keep = audit["flags"].map(lambda cell: bool(wanted & {f.strip() for f in cell.split(";") if f.strip()}))
    return audit[keep].reset_index(drop=True)


def soft_breaks(column: pd.Series) -> pd.Series:
    """Ids with a zero-width space after each underscore, so `R3_progressive_weakness` can wrap at 390 px."""
    return column.str.replace("_", "_\u200b", regex=False)


def wrappable(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text column of a table with soft breaks in its ids (numbers and flags are left alone)."""
    return frame.assign(**{c: soft_breaks(frame[c]) for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})


# The charts' text equivalents, narrowed so they read on a phone (390 px) without sideways scrolling.
def pathway_table(rows: pd.DataFrame) -> pd.DataFrame:
    """From `pathway_rows`: the rule with where it leads, what it checks, and its value for this patient."""
    return pd.DataFrame({
        "rule": rows["rule"] + " · " + rows["label"] + "; if it holds: " + rows["outcome"],
        "checks": rows["condition"],
        "value": rows["value"] + rows["result"].map(lambda r: f" ({r})" if r else ""),
    })


def timeline_table(rows: pd.DataFrame) -> pd.DataFrame:
    """From `timeline_rows`: the weeks (a stretch as `6-12`, an open end as `26+`), kind, what and status."""
    def weeks(row: pd.Series) -> str:
        if row["kind"] in ("milestone", "patient"):
            return str(row["week"])
        return f"{row['week']}+" if pd.isna(row["until"]) else f"{row['week']}-{row['until']}"

    return pd.DataFrame({
        "weeks": rows.apply(weeks, axis=1) if len(rows) else pd.Series(dtype=str),
        "kind": rows["kind"],
        "what": rows["what"],
        "status": rows["status"],
    })


def bypass_table(rows: pd.DataFrame) -> pd.DataFrame:
    """From `bypass_rows`: the rule, what it checks and where it leads (marked urgent when it is)."""
    return pd.DataFrame({
        "rule": rows["rule"] + " · " + rows["label"],
        "checks": rows["condition"],
        "leads to": rows["disposition_label"] + rows["urgent"].map(lambda u: " (urgent)" if u else ""),
        "when": rows["when"],
    })
