"""The Patient page's result, one function per section, in reading order.

Later work (counterfactuals, more report formats) adds a function `(evaluation, guideline) -> None` to
RESULT_SECTIONS; nothing else changes.
"""
import html
from collections.abc import Callable

import streamlit as st
from pandas.io.formats.style import Styler

from core import Evaluation, Guideline
from core.figures import TONE_COLOURS, tint
from core.guideline import NEEDS_INFORMATION
from core.presentation import (
    assess_next, citation_links, deciding_sentence, phase_sentence, trace_frame, warning_frame, wrappable,
)
from core.report import evaluation_markdown

SAFEGUARD_NOTE = "safeguard added by this tool, not a claim of the article"


def disposition_badge(evaluation: Evaluation, g: Guideline, size: str = "1.5rem") -> None:
    """The disposition as a label coloured by its tone, with its id in code font and URGENT when urgent."""
    colour = TONE_COLOURS[g.disposition(evaluation.disposition).tone]
    urgent = (f' <span style="background:{colour};color:#fff;border-radius:.3rem;padding:.05rem .45rem;'
              f'font-weight:700;font-size:.8rem;letter-spacing:.04em">URGENT</span>') if evaluation.urgent else ""
    st.markdown(
        f'<div class="disposition" style="border-left:.45rem solid {colour};background:{tint(colour, 0.9)};'
        f'padding:.6rem .9rem;border-radius:.4rem;margin-bottom:.4rem">'
        f'<div style="font-size:{size};font-weight:700;color:{colour};line-height:1.25">'
        f'{html.escape(evaluation.disposition_label)}</div>'
        f'<div style="margin-top:.3rem"><code>{html.escape(evaluation.disposition)}</code>{urgent}</div></div>',
        unsafe_allow_html=True,
    )


def _statement_line(text: str, citations: list[int], origin: str) -> str:
    source = citation_links(citations) if citations else f"*({SAFEGUARD_NOTE})*" if origin == "safeguard" else ""
    return f"- {text} {source}"


def disposition_section(evaluation: Evaluation, g: Guideline) -> None:
    disposition_badge(evaluation, g)
    st.write(g.disposition(evaluation.disposition).summary)
    if evaluation.disposition == NEEDS_INFORMATION:
        st.info("**Assess next:** " + ", ".join(assess_next(evaluation, g)), icon=":material/search:")


def actions_section(evaluation: Evaluation, g: Guideline) -> None:
    st.subheader("What to do now")
    actions = [s for s in evaluation.statements if not s.because.startswith("warning")]
    if actions:
        st.markdown("\n".join(_statement_line(s.text, s.citations, s.origin) for s in actions))
    else:
        st.write("Nothing yet: assess the items above; the pathway cannot decide without them.")


def warnings_section(evaluation: Evaluation, g: Guideline) -> None:
    if not evaluation.warnings:
        return
    st.subheader("Warnings")
    labels = {w.id: w for w in g.pathway.warnings}
    for wid in evaluation.warnings:
        lines = [_statement_line(g.statement(s).text, g.statement(s).citations, g.statement(s).origin)
                 for s in labels[wid].statements]
        st.warning(f"**{labels[wid].label}** (`{wid}`)\n\n" + "\n".join(lines), icon=":material/warning:")


def timeline_section(evaluation: Evaluation, g: Guideline) -> None:
    sentence = phase_sentence(evaluation, g)
    if sentence is None:
        return
    st.subheader("Where in conservative care")
    st.write(sentence)
    if evaluation.phase_missing:
        st.info("To place the patient in a phase, assess: "
                + ", ".join(g.labels[f] for f in evaluation.phase_missing), icon=":material/search:")


def _styled_trace(evaluation: Evaluation, g: Guideline) -> Styler:
    """The trace with the deciding row tinted in the disposition's colour and marked in words (not colour alone)."""
    frame = trace_frame(evaluation, g)
    marker = " (unknown: stops here)" if evaluation.disposition == NEEDS_INFORMATION else " (decides)"
    decides = frame.pop("decides")
    frame.loc[decides, "result"] += marker
    frame = wrappable(frame)
    colour = tint(TONE_COLOURS[g.disposition(evaluation.disposition).tone], 0.85)
    return frame.style.apply(
        lambda row: [f"background-color: {colour}; font-weight: 600" if decides[row.name] else ""] * len(row), axis=1)


def why_section(evaluation: Evaluation, g: Guideline) -> None:
    st.subheader("Why")
    st.write(deciding_sentence(evaluation) + " Rules are tried in order; the first that holds decides.")
    st.table(_styled_trace(evaluation, g), hide_index=True,
             alt="The rules tried, in order, with the deciding rule marked")
    with st.expander("Pitfall checks (run on every case)"):
        st.table(wrappable(warning_frame(evaluation, g)), hide_index=True)


def downloads_section(evaluation: Evaluation, g: Guideline) -> None:
    st.subheader("Download")
    with st.container(horizontal=True):
        st.download_button("Evaluation (JSON)", evaluation.model_dump_json(indent=2), "evaluation.json",
                           "application/json", icon=":material/download:", on_click="ignore")
        st.download_button("Summary (Markdown)", evaluation_markdown(evaluation, g), "summary.md",
                           "text/markdown", icon=":material/download:", on_click="ignore")


RESULT_SECTIONS: list[Callable[[Evaluation, Guideline], None]] = [
    disposition_section,
    actions_section,
    warnings_section,
    timeline_section,
    why_section,
    downloads_section,
]
