"""One-page case report: the content is assembled once (`build_report`) and rendered as Markdown here, as HTML
in core/outputs/report_html.py and as PDF in core/outputs/report_pdf.py."""

from collections.abc import Mapping
from typing import Any, Literal

from core.analyses.course import CourseEvaluation
from core.engine.conditions import holds
from core.engine.evaluation import ActiveStatement, Evaluation
from core.engine.guideline import NEEDS_INFORMATION, Guideline, Milestone
from core.engine.possible import OTHERWISE, either_way
from core.engine.standing import CLOCK_ENDED, clock_applies, milestones_ahead
from core.engine.words import value_words
from core.model import Frozen
from core.outputs.citations import citation_marks
from core.outputs.course_text import changed_text, milestones_words, state_labels
from core.outputs.markdown_text import inert_markdown
from core.outputs.summary import citation_line
from core.review.evidence import DISPUTING, EvidenceCheck, EvidenceLayer, load_evidence, strongest_verdict


class CaseRow(Frozen):
    label: str
    value: str


class TraceRow(Frozen):
    rule: str
    label: str
    condition: str
    inputs: str
    value: str
    deciding: bool


class MilestoneRow(Frozen):
    week: int
    label: str
    state: Literal["passed", "due", "next", "ahead"]  # due: reached, but the action it names is still needed


class StatementRow(Frozen):
    id: str
    text: str
    origin: str
    citations: list[int]
    unresolved: list[int]
    verdict: str | None  # the most critical outside-evidence verdict, None when unchecked
    checks: list[EvidenceCheck]

    @property
    def disputed(self) -> bool:
        return self.verdict in DISPUTING


class WarningRow(Frozen):
    id: str
    label: str
    statements: list[StatementRow]


class CitationRow(Frozen):
    number: int
    text: str
    resolved: bool


class ReportContent(Frozen):
    """Everything a report shows, already resolved to text; renderers only lay it out and escape it."""

    title: str
    notice: str
    guideline_version: str
    guideline_date: str
    source: str
    disposition: str
    disposition_label: str
    urgent: bool
    summary: str
    deciding_rule: str
    missing: list[str]
    possible: list[str] = []  # while blocked: each disposition still possible and what leads there
    inconsistencies: list[str] = []  # inputs that contradict each other
    provisional: bool = False  # the actions hold in every outcome still possible, while the decision waits
    course: list[str] = []  # the recorded visits, one line each (week, state, what changed), when there is a course
    course_milestones: str | None = None  # the course's state at each milestone
    possible_warnings: list[str] = []  # pitfalls that may apply, each with what would decide it
    phase: str | None
    phase_missing: list[str]
    timeline: str | None
    milestones: list[MilestoneRow]
    case: list[CaseRow]
    not_assessed: list[str]
    trace: list[TraceRow]
    actions: list[StatementRow]
    warnings: list[WarningRow]
    citations: list[CitationRow]


def _statement_row(s: ActiveStatement, listed: set[int], evidence: EvidenceLayer) -> StatementRow:
    return StatementRow(
        id=s.id,
        text=s.text,
        origin=s.origin,
        citations=s.citations,
        unresolved=[n for n in s.citations if n not in listed],
        verdict=strongest_verdict(evidence, s.id),
        checks=evidence.checks.get(s.id, []),
    )


PROVISIONAL_NOTE = (
    "**Provisional:** the decision waits on the items to assess; what follows holds in every outcome still possible."
)


def possible_sentences(evaluation: Evaluation, g: Guideline) -> list[str]:
    """`Neurosurgical referral ... if progressive motor deficit: yes and ...`, then `otherwise: Obtain ... MRI`."""
    return [
        f"otherwise: {p.label}{either_way(p, g)}"
        if p.condition == OTHERWISE
        else f"{'' if n == 0 else 'otherwise, '}{p.label} if {p.condition}"
        for n, p in enumerate(evaluation.possible_dispositions)
    ]


def milestone_rows(g: Guideline, weeks: int, case: Mapping[str, Any] | None = None) -> list[MilestoneRow]:
    """Each milestone passed, due, next or ahead on its own clock (minimum PT on the weeks of PT actually
    completed; with those unknown, on `weeks`, the main clock's). A reached milestone is due, not passed, while
    its `open_while` holds on the case or cannot be told."""
    values = case or {}

    def count(m: Milestone) -> int:
        done = values.get(m.clock)
        return done if done is not None else weeks

    def reached(m: Milestone) -> str:
        return "due" if m.open_while is not None and holds(m.open_while, case or {}) is not False else "passed"

    upcoming = min((m.week for m in g.pathway.milestones if m.week > count(m)), default=None)
    return [
        MilestoneRow(
            week=m.week,
            label=m.label,
            state=reached(m) if m.week <= count(m) else ("next" if m.week == upcoming else "ahead"),
        )
        for m in g.pathway.milestones
    ]


def course_lines(course: CourseEvaluation, g: Guideline) -> list[str]:
    """`Visit 2, week 6: Interventional options; changed: ...`, one per visit."""
    labels = state_labels(g)
    return [
        f"Visit {v.visit}, week {v.week}: {labels.get(v.state, v.state)}; changed: {changed_text(v.changed)}"
        for v in course.visits
    ]


def build_report(
    evaluation: Evaluation,
    guideline: Guideline,
    evidence: EvidenceLayer | None = None,
    course: CourseEvaluation | None = None,
) -> ReportContent:
    """Resolve an evaluation (and the course it closes, when there is one) into report content: labels,
    citations, evidence flags, timeline position, visits and milestone states."""
    e, g = evaluation, guideline
    evidence = evidence if evidence is not None else load_evidence(g.source_dir)
    labels = g.labels
    listed = {r.number for r in g.references}
    case = e.case.model_dump()
    rows = {s.id: _statement_row(s, listed, evidence) for s in e.statements}
    warning_labels = {w.id: w for w in g.pathway.warnings}

    timeline, milestones = None, []
    if not clock_applies(e, g):
        timeline = CLOCK_ENDED + "."
    elif e.weeks is not None and g.clocks:
        main, *others = g.clocks
        timeline = f"Week {e.weeks} of {g.fields[main].counted}"
        for clock in others:
            if case.get(clock) is not None:
                timeline += f", {case[clock]} of {g.fields[clock].counted_short}"
        ahead = milestones_ahead(e, g)
        timeline += ". " + (" ".join(a.sentence for a in ahead) if ahead else "Every milestone is passed.")
        milestones = milestone_rows(g, e.weeks, case)
    return ReportContent(
        title=f"{g.info.title}: case summary",
        notice=g.info.notice,
        guideline_version=e.guideline_version,
        guideline_date=g.info.date.isoformat(),
        source=g.info.source.line,
        disposition=e.disposition,
        disposition_label=e.disposition_label,
        urgent=e.urgent,
        summary=g.disposition(e.disposition).summary,
        deciding_rule=e.deciding_rule,
        missing=[labels[f] for f in e.missing],
        possible=possible_sentences(e, g) if e.disposition == NEEDS_INFORMATION else [],
        inconsistencies=[i.text for i in e.inconsistencies],
        provisional=e.provisional,
        course=course_lines(course, g) if course is not None else [],
        course_milestones=milestones_words(course, g, live=True) if course is not None else None,
        possible_warnings=[f"{w.label} ({w.id}): applies if {w.condition}" for w in e.possible_warnings],
        phase=g.phase_labels[e.phase] if e.phase else None,
        phase_missing=[labels[f] for f in e.phase_missing],
        timeline=timeline,
        milestones=milestones,
        case=[CaseRow(label=labels[k], value=value_words(k, v, g)) for k, v in case.items() if v not in (None, ())],
        not_assessed=[labels[k] for k, v in case.items() if v is None and k in g.decision_fields],
        trace=[
            TraceRow(
                rule=s.id,
                label=s.label,
                condition=s.condition,
                value=s.value,
                deciding=s.id == e.deciding_rule,
                inputs=", ".join(f"{k}={value_words(k, v)}" for k, v in s.inputs.items()) or "-",
            )
            for s in e.trace
        ],
        actions=[rows[s.id] for s in e.statements if not s.because.startswith("warning")],
        warnings=[
            WarningRow(
                id=w,
                label=warning_labels[w].label,
                statements=[rows[sid] for sid in warning_labels[w].statements if sid in rows],
            )
            for w in e.warnings
        ],
        citations=[
            CitationRow(number=n, text=citation_line(g, n), resolved=n in listed)
            for n in sorted({n for s in e.statements for n in s.citations})
        ],
    )


def evidence_flag(row: StatementRow) -> str | None:
    """One line naming the outside sources that dispute a statement, or None when none does."""
    if not row.disputed:
        return None
    disputing = [c for c in row.checks if c.verdict in DISPUTING]
    # One note for the whole line only when no check in it is confirmed; once a reviewer confirms one, each
    # unconfirmed source is marked on its own so the confirmed one is not called unconfirmed.
    mixed = any(c.confirmed for c in disputing)

    def name(c: EvidenceCheck) -> str:
        details = ([str(c.year)] if c.year else []) + (["unconfirmed"] if mixed and not c.confirmed else [])
        return c.source + (f" ({', '.join(details)})" if details else "")

    parts = []
    for verdict, phrase in (("disagrees", "disagree"), ("partly", "partly agree")):
        names = [name(c) for c in disputing if c.verdict == verdict]
        if names:
            parts.append(f"{phrase}: {'; '.join(names)}")
    unconfirmed = "" if mixed else " (from summaries, unconfirmed)"
    return "outside sources " + " / ".join(parts) + unconfirmed


def _cell(text: object) -> str:
    # Pipes and newlines would break the table; field values are validated but labels are data.
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_statement(row: StatementRow) -> list[str]:
    lines = [f"- {_cell(row.text)} {citation_marks(row.citations, row.origin, row.unresolved)}"]
    flag = evidence_flag(row)
    if flag:
        lines.append(f"  - **Disputed:** {inert_markdown(flag)}")  # names outside sources a reviewer typed
    return lines


def report_markdown(content: ReportContent) -> str:
    c = content
    lines = [
        f"# {c.title}",
        "",
        f"> {c.notice} Guideline version {c.guideline_version}.",
        "",
        f"## Disposition: {c.disposition_label} (`{c.disposition}`){' **URGENT**' if c.urgent else ''}",
        "",
        c.summary,
        "",
    ]
    if c.missing:
        lines += ["**Assess next:** " + ", ".join(c.missing), ""]
    if c.possible:
        lines += ["**Still possible** (most urgent first):", ""] + [f"- {_cell(p)}" for p in c.possible] + [""]
    if c.inconsistencies:
        lines += ["**Inputs that contradict each other:**", ""] + [f"- {_cell(i)}" for i in c.inconsistencies] + [""]
    if c.phase:
        lines += [f"**Phase:** {c.phase}", ""]
    if c.phase_missing:
        lines += ["**Phase undetermined; assess:** " + ", ".join(c.phase_missing), ""]
    if c.timeline:
        steps = ", ".join(f"week {m.week} ({m.state})" for m in c.milestones)
        lines += [f"**Timeline:** {c.timeline}" + (f" Milestones: {steps}." if steps else ""), ""]
    if c.course:
        lines += ["## Course of care", ""] + [f"- {_cell(v)}" for v in c.course]
        lines += ["", f"**Milestones:** {_cell(c.course_milestones)}", ""]
    lines += ["## Case", "", "| field | value |", "|---|---|"]
    lines += [f"| {_cell(r.label)} | {_cell(r.value)} |" for r in c.case]
    if c.not_assessed:
        lines += ["", "Not assessed: " + ", ".join(c.not_assessed) + "."]
    lines += ["", "## Why", "", "| rule | condition | inputs | value |", "|---|---|---|---|"]
    for t in c.trace:
        rule = f"**{t.rule}**" if t.deciding else t.rule
        lines.append(f"| {rule} | {_cell(t.condition)} | {_cell(t.inputs)} | {t.value} |")
    lines += ["", "## What to do", ""]
    if c.provisional:
        lines += [PROVISIONAL_NOTE, ""]
    for row in c.actions:
        lines += _md_statement(row)
    if not c.actions:
        lines.append("- Assess the missing items above; the pathway cannot decide yet.")
    if c.warnings:
        lines += ["", "## Warnings", ""]
        for w in c.warnings:
            lines.append(f"- **{w.id}**: {_cell(w.label)}")
            lines += ["  " + line for row in w.statements for line in _md_statement(row)]
    if c.possible_warnings:
        lines += ["", "## Possible pitfalls", ""] + [f"- {_cell(w)}" for w in c.possible_warnings]
    if c.citations:
        lines += ["", "## Citations", ""] + [f"- {_cell(r.text)}" for r in c.citations]
    lines += ["", "---", "", f"Guideline version {c.guideline_version} ({c.guideline_date}). {_cell(c.source)}"]
    return "\n".join(lines) + "\n"
