"""The Patient page's report downloads: one report, as Markdown, HTML and PDF, built when a button is clicked.

The reports use the session's evidence layer (edited on the References page) when there is one, so what a
reviewer marks as disputed is flagged in the report a clinician files.
"""

from collections.abc import Callable

import streamlit as st

from app_pages.course_editor import COURSE_KEY
from app_pages.session import session_evidence_layer
from core import CaseError, Evaluation, Guideline
from core.analyses.course import CourseEvaluation
from core.outputs.report import ReportContent, build_report, report_markdown
from core.review.evidence import EvidenceLayer


def _html(content: ReportContent) -> str:
    from core.outputs.report_html import report_html

    return report_html(content)


def _pdf(content: ReportContent) -> bytes:
    # fpdf costs about 0.25 s to import and a PDF tens of milliseconds to lay out: only on a click.
    from core.outputs.report_pdf import report_pdf

    return report_pdf(content)


def _on_click(
    render: Callable[[ReportContent], str | bytes], evaluation: Evaluation, g: Guideline, evidence: EvidenceLayer | None
) -> Callable[[], str | bytes]:
    """The file, built when the person clicks: reruns stay quick as inputs change, and a cold start does not read
    the evidence file before the first click."""
    return lambda: render(build_report(evaluation, g, evidence, _course(g)))


def _course(g: Guideline) -> CourseEvaluation | None:
    """The recorded course, when there is one that can be evaluated (the page shows why when it cannot)."""
    visits = st.session_state.get(COURSE_KEY, [])
    if not visits:
        return None
    from core import evaluate_course

    try:
        return evaluate_course({"visits": visits}, g)
    except CaseError:
        return None


def report_buttons(evaluation: Evaluation, g: Guideline) -> None:
    """Download buttons for the one-page report; place inside a horizontal container."""
    evidence = session_evidence_layer()
    for label, render, name, mime in (
        ("Report (Markdown)", report_markdown, "report.md", "text/markdown"),
        ("Report (HTML)", _html, "report.html", "text/html"),
        ("Report (PDF)", _pdf, "report.pdf", "application/pdf"),
    ):
        st.download_button(
            label, _on_click(render, evaluation, g, evidence), name, mime, icon=":material/download:", on_click="ignore"
        )
