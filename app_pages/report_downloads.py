"""The Patient page's report downloads: one report content, rendered as Markdown, HTML and PDF.

The reports use the session's evidence layer (edited on the References page) when there is one, so what a
reviewer marks as disputed is flagged in the report a clinician files.
"""
import functools

import streamlit as st

from core import Evaluation, Guideline
from core.report import ReportContent, build_report, report_markdown
from core.report_html import report_html
from app_pages.session import EVIDENCE_KEY


def _pdf(content: ReportContent) -> bytes:
    # Imported and built only when the button is clicked: fpdf costs about 0.25 s to import and the PDF tens of
    # milliseconds to lay out, which would slow every rerun of the page as the inputs change.
    from core.report_pdf import report_pdf

    return report_pdf(content)


def report_buttons(evaluation: Evaluation, g: Guideline) -> None:
    """Download buttons for the one-page report; place inside a horizontal container."""
    content = build_report(evaluation, g, st.session_state.get(EVIDENCE_KEY))
    common = dict(icon=":material/download:", on_click="ignore")
    st.download_button("Report (Markdown)", report_markdown(content), "report.md", "text/markdown", **common)
    st.download_button("Report (HTML)", report_html(content), "report.html", "text/html", **common)
    st.download_button("Report (PDF)", functools.partial(_pdf, content), "report.pdf", "application/pdf", **common)
