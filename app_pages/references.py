"""References page, for reviewers: each reference and what cites it, each statement and its sources, the audit.

The page is a list of sections (REFERENCE_SECTIONS), each a function of the guideline: these three, then outside
evidence and its editor (app_pages/evidence_review.py), the article's conflicts, verification and the changelog
(app_pages/review_sections.py). Citation links elsewhere land here as `references?ref=N#ref-N`.
"""

from collections.abc import Callable

import streamlit as st

from app_pages.evidence_review import evidence_editing_section, evidence_section, verdict_label
from app_pages.inert import inert, problem_list
from app_pages.review_sections import changelog_section, conflicts_section, verification_section
from app_pages.session import evidence_layer, guarded, guideline
from core import Guideline, PathwayError
from core.errors import quoted
from core.outputs.presentation import reference_anchor
from core.outputs.tables import rows_flagged, statement_frame
from core.review.audit import FLAGS, audit_guideline, audit_table, statements_citing

REF_PARAM = "ref"
MAX_REF_DIGITS = 4
# The page is long: a line of links to its sections' anchors, in the order of REFERENCE_SECTIONS.
CONTENTS = [
    ("references", "References"),
    ("statements", "Statements"),
    ("audit", "Citation audit"),
    ("evidence", "Outside evidence"),
    ("review-evidence", "Review the evidence"),
    ("conflicts", "The article's conflicts"),
    ("verification", "Verification"),
    ("changelog", "Changelog"),
]
# Flags first: a reviewer scans for what is wrong, then reads where it sits.
AUDIT_COLUMN_ORDER = [
    "statement",
    "flags",
    "citations",
    "unresolved",
    "resolved",
    "region",
    "origin",
    "section",
    "kind",
]


def _statement_list(g: Guideline, number: int) -> str:
    citing = statements_citing(g, number)
    if not citing:
        return "*No statement cites it.*"
    return "\n".join(f"- `{s.id}` ({s.section}; {s.origin}): {s.text}" for s in citing)


def _anchor_links(numbers: list[int]) -> str:
    """Citation numbers as links to their entries further up this page."""
    return " ".join(f"[[{n}]](#{reference_anchor(n)})" for n in numbers)


def _followed_citation(g: Guideline) -> None:
    """A citation link opened this page: show that reference first, so it is found without scrolling."""
    raw = st.query_params.get(REF_PARAM)
    if raw is None:
        return
    refs = g.references_by_number
    # isdigit() alone accepts `²` (which int() refuses); a citation number has a few ASCII digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_REF_DIGITS):
        st.error(
            f"Link parameter ref = {inert(quoted(raw))} is not a citation number; ignored.", icon=":material/error:"
        )
        return
    number = int(raw)
    if number in refs:
        r = refs[number]
        st.info(
            f"**You followed citation [{number}]:** {r.title.rstrip('.')}. {r.source}, {r.year} ({r.type}).",
            icon=":material/link:",
        )
    elif statements_citing(g, number):
        st.warning(
            f"**You followed citation [{number}]:** the article cites it but its reference list has no "
            f"entry {number}, so the claims resting on it cannot be checked.",
            icon=":material/link_off:",
        )
    else:
        st.warning(
            f"**Citation [{number}]:** the article neither cites it nor lists a reference {number}; "
            f"its references run from {min(refs)} to {max(refs)}.",
            icon=":material/link_off:",
        )


def references_section(g: Guideline) -> None:
    st.header("References", anchor="references")
    st.caption("The article's reference list as printed, each with every statement that cites it.")
    for r in g.references:
        st.subheader(f"[{r.number}] {r.title.rstrip('.')}", anchor=reference_anchor(r.number))
        st.markdown(f"{r.source} · {r.year} · {r.type} · about the {r.region} spine")
        st.markdown(_statement_list(g, r.number))
    for number in audit_guideline(g).unresolved_citations:
        st.subheader(f"[{number}] not in the article's reference list", anchor=reference_anchor(number))
        st.markdown("The article prints this number but lists no such reference. Statements citing it:")
        st.markdown(_statement_list(g, number))


def statements_section(g: Guideline) -> None:
    st.header("Statements", anchor="statements")
    st.caption(
        "Every statement of the encoded guideline, in our words, by section, with its citations and origin. "
        "Safeguards are ours, added for safety, and never presented as the article's."
    )
    left, right = st.columns(2)
    sections = left.multiselect(
        "Section",
        list(dict.fromkeys(s.section for s in g.statements)),
        key="statements_sections",
        placeholder="all sections",
    )
    origins = right.multiselect(
        "Origin", ["article", "safeguard"], key="statements_origins", placeholder="article and safeguard"
    )
    chosen = [
        s for s in g.statements if (not sections or s.section in sections) and (not origins or s.origin in origins)
    ]
    layer = evidence_layer()
    if not chosen:
        st.write("No statement matches the filters.")
    for section in dict.fromkeys(s.section for s in chosen):
        st.markdown(f"**{section}**")
        st.markdown(
            "\n".join(
                f"- `{s.id}` · {s.kind.replace('_', ' ')} · {s.origin} · {s.region} · "
                f"{'cites ' + _anchor_links(s.citations) if s.citations else 'no citation'}"
                f"{verdict_label(layer, s.id)}: {s.text}"
                for s in chosen
                if s.section == section
            )
        )
    st.download_button(
        "All statements (CSV)",
        statement_frame(g).to_csv(index=False),
        "statements.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
    )


def audit_section(g: Guideline) -> None:
    st.header("Citation audit", anchor="audit")
    st.caption("Computed from the data on every load (also `python -m core audit`), never typed in by hand.")
    report = audit_guideline(g)
    columns = st.columns(4)
    columns[0].metric("Unresolved citation numbers", ", ".join(map(str, report.unresolved_citations)) or "none")
    columns[1].metric("Unused references", len(report.unused_references))
    columns[2].metric("Uncited article statements", len(report.uncited_statements))
    columns[3].metric("Region mismatches", len(report.region_mismatches))
    for number, ids in report.unresolved_cited_by.items():
        st.markdown(f"- Citation **[{number}]** resolves to no reference; cited by {', '.join(f'`{i}`' for i in ids)}.")
    if report.unused_references:
        st.markdown(f"- References no statement cites: {', '.join(map(str, report.unused_references))}.")
    if report.uncited_safeguards:
        st.markdown(
            f"- Safeguards (ours, uncited by design): {', '.join(f'`{s}`' for s in report.uncited_safeguards)}."
        )
    if report.region_mismatches:
        st.markdown("**Neck or thoracic statements resting only on lumbar references**")
        st.markdown(
            "\n".join(
                f"- `{m.statement}` ({m.region}; cites {_anchor_links(m.citations)}): {m.note}"
                for m in report.region_mismatches
            )
        )
    st.markdown("**Table: every statement with its audit flags**")
    flags = st.multiselect("Show statements flagged", list(FLAGS), key="audit_flags", placeholder="all statements")
    table = rows_flagged(audit_table(g), flags)
    st.dataframe(table, hide_index=True, column_order=AUDIT_COLUMN_ORDER)
    st.download_button(
        "Audit (CSV)",
        table.to_csv(index=False),
        "citation_audit.csv",
        "text/csv",
        icon=":material/download:",
        on_click="ignore",
    )


REFERENCE_SECTIONS: list[Callable[[Guideline], None]] = [
    references_section,
    statements_section,
    audit_section,
    evidence_section,
    evidence_editing_section,
    conflicts_section,
    verification_section,
    changelog_section,
]


def references_page() -> None:
    g = guideline()
    st.title("References and audit")
    st.markdown("On this page: " + " · ".join(f"[{title}](#{anchor})" for anchor, title in CONTENTS))
    _followed_citation(g)
    for section in REFERENCE_SECTIONS:
        try:
            section(g)
        except PathwayError as exc:  # a bad data file (conflicts, invariants) costs its own section only
            st.error("This section cannot be shown:\n\n" + problem_list(exc.problems), icon=":material/error:")


guarded(references_page)
