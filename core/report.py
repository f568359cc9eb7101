"""One-page Markdown summary of an evaluation, for download and for filing."""
from core.evaluation import Evaluation
from core.guideline import Guideline
from core.summary import citation_line, display_value


def _cell(text: object) -> str:
    # Pipes and newlines would break the table; field values are validated but labels are data.
    return str(text).replace("|", "\\|").replace("\n", " ")


def evaluation_markdown(evaluation: Evaluation, guideline: Guideline) -> str:
    e = evaluation
    labels = guideline.labels
    case = e.case.model_dump()
    known = {k: v for k, v in case.items() if v not in (None, ())}
    unknown = [labels[k] for k, v in case.items() if v is None and k != "prior_fusion_levels"]
    lines = [
        f"# {guideline.info.title}: case summary",
        "",
        f"> {guideline.info.notice} Guideline version {e.guideline_version}.",
        "",
        f"## Disposition: {e.disposition_label} (`{e.disposition}`){' **URGENT**' if e.urgent else ''}",
        "",
        guideline.disposition(e.disposition).summary,
        "",
    ]
    if e.missing:
        lines += ["**Assess next:** " + ", ".join(labels[f] for f in e.missing), ""]
    if e.phase:
        phase = {p.id: p.label for p in guideline.pathway.phases}[e.phase]
        lines += [f"**Phase:** {phase} (`{e.phase}`)", ""]
    if e.weeks_conservative is not None:
        position = f"**Timeline:** week {e.weeks_conservative} of conservative care"
        if e.next_milestone_week is not None:
            position += f"; next milestone week {e.next_milestone_week} (in {e.weeks_to_next_milestone} weeks)"
        lines += [position, ""]
    lines += ["## Case", "", "| field | value |", "|---|---|"]
    lines += [f"| {_cell(labels[k])} | {_cell(display_value(v))} |" for k, v in known.items()]
    if unknown:
        lines += ["", "Not assessed: " + ", ".join(unknown) + "."]
    lines += ["", "## Why", "", "| rule | condition | inputs | value |", "|---|---|---|---|"]
    for step in e.trace:
        rule = f"**{step.id}**" if step.id == e.deciding_rule else step.id
        inputs = ", ".join(f"{k}={display_value(v)}" for k, v in step.inputs.items()) or "-"
        lines.append(f"| {rule} | {_cell(step.condition)} | {_cell(inputs)} | {step.value} |")
    lines += ["", "## What to do", ""]
    actions = [s for s in e.statements if not s.because.startswith("warning")]
    for s in actions:
        cites = "".join(f"[{n}]" for n in s.citations) or "(safeguard, not from the article)"
        lines.append(f"- {_cell(s.text)} {cites}")
    if not actions:
        lines.append("- Assess the missing items above; the pathway cannot decide yet.")
    if e.warnings:
        warning_labels = {w.id: w.label for w in guideline.pathway.warnings}
        lines += ["", "## Warnings", ""] + [f"- **{w}**: {warning_labels[w]}" for w in e.warnings]
    cited = sorted({n for s in e.statements for n in s.citations})
    if cited:
        lines += ["", "## Citations", ""] + [f"- {citation_line(guideline, n)}" for n in cited]
    return "\n".join(lines) + "\n"
