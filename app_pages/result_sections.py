"""The Patient page's result, one function per section, in reading order.

Later work (counterfactuals, more report formats) adds a function `(evaluation, guideline) -> None` to
RESULT_SECTIONS; nothing else changes.
"""

import html
from collections.abc import Callable

import streamlit as st

from app_pages.report_downloads import report_buttons
from app_pages.session import evidence_layer
from app_pages.what_would_change import what_would_change_section
from core import Evaluation, Guideline
from core.engine.guideline import NEEDS_INFORMATION
from core.engine.possible import OTHERWISE, PossibleDisposition, either_way
from core.engine.standing import CLOCK_ENDED, clock_applies, milestones_ahead
from core.outputs.evidence_marks import statement_marks
from core.outputs.palette import TONE_COLOURS, tint
from core.outputs.presentation import (
    TRACE_COLUMNS,
    WARNING_COLUMNS,
    assess_next,
    citation_links,
    deciding_sentence,
    html_table,
    phase_sentence,
    provisional_sentence,
    trace_rows,
    warning_rows,
)

SAFEGUARD_NOTE = "safeguard added by this tool, not a claim of the article"
UNCITED_NOTE = "the article gives no citation for this"
LOUD_TONES = ("critical", "high")  # warnings in these tones show as errors, not as cautions
# HTML blocks go through st.html, not markdown with unsafe_allow_html: the markdown path loads and runs an HTML
# parser in the browser (about 190 kB of script) for every new visitor. Ids use the system's monospace font, so
# the first view does not wait for a web font either.
CODE_STYLE = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em"


def disposition_badge(evaluation: Evaluation, g: Guideline, size: str = "1.5rem") -> None:
    """The disposition as a label coloured by its tone, with its id in code font and URGENT when urgent."""
    # A blocked case that is urgent whichever way it goes takes the colour of its most urgent outcome.
    shown = evaluation.possible_dispositions[0].disposition if evaluation.urgent else evaluation.disposition
    colour = TONE_COLOURS[g.disposition(shown).tone]
    urgent = (
        (
            f' <span style="background:{colour};color:#fff;border-radius:.3rem;padding:.05rem .45rem;'
            f'font-weight:700;font-size:.8rem;letter-spacing:.04em">URGENT</span>'
        )
        if evaluation.urgent
        else ""
    )
    st.html(
        f'<div class="disposition" style="border-left:.45rem solid {colour};background:{tint(colour, 0.9)};'
        f'padding:.6rem .9rem;border-radius:.4rem;margin-bottom:.4rem">'
        f'<div style="font-size:{size};font-weight:700;color:{colour};line-height:1.25">'
        f"{html.escape(evaluation.disposition_label)}</div>"
        f'<div style="margin-top:.3rem"><code style="{CODE_STYLE}">{html.escape(evaluation.disposition)}</code>'
        f"{urgent}</div></div>"
    )


def _statement_line(statement_id: str, g: Guideline) -> str:
    """A statement with its citation links, marked inline when a citation does not resolve or outside evidence
    disputes it (the same flags as the report); without citations, why: a safeguard the article does not make,
    or a line the article prints uncited."""
    s = g.statement(statement_id)
    if s.citations:
        source = citation_links(s.citations)
    else:
        source = f"({SAFEGUARD_NOTE if s.origin == 'safeguard' else UNCITED_NOTE})"
    marks = statement_marks(s.id, s.citations, g, evidence_layer())
    # A tinted run of text, not a badge: a badge stays on one line and cuts a long mark short on a phone.
    flagged = "".join(f" :orange-background[:material/report: {mark}]" for mark in marks)
    return f"- {s.text} {source}{flagged}"


def _possible_line(item: PossibleDisposition, g: Guideline, first: bool) -> str:
    colour = TONE_COLOURS[g.disposition(item.disposition).tone]
    label = f'<span style="color:{colour};font-weight:700">{html.escape(item.label)}</span>' + (
        " (urgent)" if item.urgent else ""
    )
    if item.condition == OTHERWISE:
        return f"<li>otherwise: {label}{html.escape(either_way(item, g))}</li>"
    lead = "" if first else "otherwise, "
    return f"<li>{lead}{label} if {html.escape(item.condition)}</li>"


def disposition_section(evaluation: Evaluation, g: Guideline) -> None:
    disposition_badge(evaluation, g)
    st.write(g.disposition(evaluation.disposition).summary)
    if evaluation.disposition == NEEDS_INFORMATION:
        st.info("**Assess next:** " + ", ".join(assess_next(evaluation, g)), icon=":material/search:")
        possible = evaluation.possible_dispositions
        st.markdown(f"**Still possible** (most urgent first; {len(possible)} outcomes):")
        st.html(
            '<ul class="possible" style="margin:0 0 .5rem 0">'
            + "".join(_possible_line(p, g, n == 0) for n, p in enumerate(possible))
            + "</ul>"
        )


def inconsistencies_section(evaluation: Evaluation, g: Guideline) -> None:
    if not evaluation.inconsistencies:
        return
    lines = "\n".join(f"- {i.text} ({', '.join(g.labels[f] for f in i.fields)})" for i in evaluation.inconsistencies)
    st.warning(
        "**Inputs that contradict each other** (the result below still uses them as entered):\n\n" + lines,
        icon=":material/rule:",
    )


def actions_section(evaluation: Evaluation, g: Guideline) -> None:
    st.subheader("What to do now")
    actions = [s for s in evaluation.statements if not s.because.startswith("warning")]
    if evaluation.provisional:
        sentence = provisional_sentence(evaluation, g)
        if evaluation.urgent:
            st.error(f"**{sentence}**", icon=":material/emergency:")
        else:
            st.info(sentence, icon=":material/pending_actions:")
    if actions:
        st.markdown("\n".join(_statement_line(s.id, g) for s in actions))
    elif evaluation.in_scope is False:
        st.write(
            "This pathway has nothing to say about this patient: open the library (Switch pathway) for one whose "
            "scope fits, or see the case under other pathways below."
        )
    else:
        st.write("First assess the items named above; each outcome still possible is listed with what leads there.")


def _warning_box(wid: str, g: Guideline) -> None:
    warning = next(w for w in g.pathway.warnings if w.id == wid)
    lines = [_statement_line(s, g) for s in warning.statements]
    origin = f" ({SAFEGUARD_NOTE})" if warning.origin == "safeguard" else ""
    body = f"**{warning.label}** (`{wid}`){origin}\n\n" + "\n".join(lines)
    if warning.tone in LOUD_TONES:
        st.error(body, icon=":material/priority_high:")
    else:
        st.warning(body, icon=":material/warning:")


def _loud(wid: str, g: Guideline) -> bool:
    return next(w for w in g.pathway.warnings if w.id == wid).tone in LOUD_TONES


def loud_warnings_section(evaluation: Evaluation, g: Guideline) -> None:
    """High-tone warnings (say, myelopathy signs the MRI does not explain) right under the decision they qualify."""
    for wid in evaluation.warnings:
        if _loud(wid, g):
            _warning_box(wid, g)


def warnings_section(evaluation: Evaluation, g: Guideline) -> None:
    quiet = [wid for wid in evaluation.warnings if not _loud(wid, g)]
    if not quiet and not evaluation.possible_warnings:
        return
    st.subheader("Warnings")
    for wid in quiet:
        _warning_box(wid, g)
    for w in evaluation.possible_warnings:
        assess = ", ".join(g.labels[f] for f in w.assess)
        st.warning(
            f"**Possible pitfall: {w.label}** (`{w.id}`): it applies if {w.condition}. Assess {assess} to decide.",
            icon=":material/help:",
        )


def timeline_section(evaluation: Evaluation, g: Guideline) -> None:
    if not clock_applies(evaluation, g):
        st.subheader("Where the patient stands in time")
        st.write(CLOCK_ENDED + ".")
        return
    sentence = phase_sentence(evaluation, g)
    ahead = milestones_ahead(evaluation, g)
    if sentence is None and not ahead:
        return
    st.subheader("Where the patient stands in time")
    if sentence is not None:
        st.write(sentence)
    if ahead:
        st.markdown("\n".join(f"- {a.sentence}" for a in ahead))
    if evaluation.phase_missing:
        st.info(
            "To place the patient in a phase, assess: " + ", ".join(g.labels[f] for f in evaluation.phase_missing),
            icon=":material/search:",
        )


def why_section(evaluation: Evaluation, g: Guideline) -> None:
    st.subheader("Why")
    st.write(deciding_sentence(evaluation) + " Rules are tried in order; the first that holds decides.")
    rows = trace_rows(evaluation, g)
    marker = " (unknown: stops here)" if evaluation.disposition == NEEDS_INFORMATION else " (decides)"
    deciding = [n for n, row in enumerate(rows) if row["decides"]]
    for n in deciding:
        rows[n]["result"] += marker  # in words too, not by colour alone
    colour = tint(TONE_COLOURS[g.disposition(evaluation.disposition).tone], 0.85)
    st.html(html_table(rows, TRACE_COLUMNS[:-1], deciding, f"background-color:{colour};font-weight:600"))
    with st.expander("Pitfall checks (run on every case)"):
        st.html(html_table(warning_rows(evaluation, g), WARNING_COLUMNS))


def downloads_section(evaluation: Evaluation, g: Guideline) -> None:
    st.subheader("Download")
    with st.container(horizontal=True):
        # Built on click, like the reports: no JSON made and kept per run, and the browser fetches nothing to check it.
        st.download_button(
            "Evaluation (JSON)",
            lambda: evaluation.model_dump_json(indent=2),
            "evaluation.json",
            "application/json",
            icon=":material/download:",
            on_click="ignore",
        )
        report_buttons(evaluation, g)


RESULT_SECTIONS: list[Callable[[Evaluation, Guideline], None]] = [
    disposition_section,
    loud_warnings_section,
    inconsistencies_section,
    actions_section,
    warnings_section,
    timeline_section,
    why_section,
    what_would_change_section,
    downloads_section,
]
