"""The case report as a one-page A4 PDF (fpdf2, pure Python, core Helvetica font).

Core fonts cover Latin-1 only, so text passes through `latin1_text` first: typographic dashes and quotes become
their ASCII forms, accented letters outside Latin-1 lose the accent, anything else becomes `?`. No font file is
needed, so the report renders the same on any machine.
"""

import datetime
import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from core.outputs.citations import citation_marks
from core.outputs.report import ReportContent, StatementRow, evidence_flag

REPLACEMENTS = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2026": "...",
        "\u2022": "-",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u2192": "->",
        "\u2190": "<-",
        "\u2260": "!=",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",
        "\u0141": "L",
        "\u0142": "l",
        "\u0152": "OE",
        "\u0153": "oe",
    }
)
# Fixed so the same case gives the same bytes (no clock in the file).
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LINE = 3.5  # mm per line of body text
RED = (176, 0, 32)
DARK_RED = (138, 28, 0)


def latin1_text(text: str) -> str:
    """Text a core PDF font can draw: ASCII stand-ins for typography, `?` for what Latin-1 cannot hold."""
    out = []
    for ch in str(text).translate(REPLACEMENTS):
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 256 and not unicodedata.combining(c))
        out.append(base or "?")
    return "".join(out)


class _ReportPDF(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", size=6.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, latin1_text(f"{self.footer_text}  Page {self.page_no()}/{{nb}}"), align="C")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(1.2)
    pdf.set_font("Helvetica", "B", 9.5)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(0, 5, latin1_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(170, 170, 170)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(0.8)


def _para(
    pdf: FPDF, text: str, size: float = 8, style: str = "", color: tuple[int, int, int] = (0, 0, 0), indent: float = 0
) -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.set_text_color(*color)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, LINE, latin1_text(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _statement(pdf: FPDF, row: StatementRow, indent: float = 0) -> None:
    _para(pdf, f"- {row.text} {citation_marks(row.citations, row.origin, row.unresolved)}", indent=indent)
    flag = evidence_flag(row)
    if flag:
        _para(pdf, f"Disputed: {flag}", size=7, color=DARK_RED, indent=indent + 2.5)


def report_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes; one A4 page for typical cases (longer ones flow onto a second)."""
    c = content
    first_sentence = c.notice.split(". ")[0].rstrip(".")
    pdf = _ReportPDF(f"Guideline version {c.guideline_version} ({c.guideline_date}). {first_sentence}.")
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(True, margin=13)
    pdf.set_title(latin1_text(c.title))
    pdf.set_creator("Spine Pathway Explorer")
    pdf.set_creation_date(EPOCH)
    pdf.add_page()

    _para(pdf, c.title, size=12.5, style="B")
    pdf.ln(0.5)
    _para(pdf, f"{c.notice} Guideline version {c.guideline_version}.", size=7.5, style="I", color=(120, 70, 0))
    pdf.ln(1)
    _para(
        pdf,
        f"{c.disposition_label} ({c.disposition})" + ("  URGENT" if c.urgent else ""),
        size=11,
        style="B",
        color=RED if c.urgent else (0, 0, 0),
    )
    _para(pdf, c.summary)
    if c.missing:
        _para(pdf, "Assess next: " + ", ".join(c.missing), style="B")
    for title, items in (
        ("Still possible (most urgent first)", c.possible),
        ("Inputs that contradict each other", c.inconsistencies),
    ):
        if items:
            _para(pdf, title + ":", style="B")
            for item in items:
                _para(pdf, "- " + item)
    if c.phase:
        _para(pdf, f"Phase: {c.phase}")
    if c.phase_missing:
        _para(pdf, "Phase undetermined; assess: " + ", ".join(c.phase_missing))
    if c.timeline:
        steps = ", ".join(f"week {m.week} ({m.state})" for m in c.milestones)
        _para(pdf, f"Timeline: {c.timeline}" + (f" Milestones: {steps}." if steps else ""))
    if c.course:
        _heading(pdf, "Course of care")
        for line in c.course:
            _para(pdf, line)
        _para(pdf, f"Milestones: {c.course_milestones}")

    _heading(pdf, "Case")
    pdf.set_font("Helvetica", size=7.5)
    pdf.set_text_color(0, 0, 0)
    half = (len(c.case) + 1) // 2
    pairs = [(c.case[i], c.case[i + half] if i + half < len(c.case) else None) for i in range(half)]
    with pdf.table(
        col_widths=(50, 43, 50, 43), text_align="LEFT", line_height=3.3, padding=0.6, first_row_as_headings=False
    ) as table:
        for left, right in pairs:
            table.row(
                [
                    latin1_text(x)
                    for x in (left.label, left.value, right.label if right else "", right.value if right else "")
                ]
            )
    if c.not_assessed:
        _para(pdf, "Not assessed: " + ", ".join(c.not_assessed) + ".", size=7.5)

    _heading(pdf, "Why (rules in order; the first that holds decides)")
    pdf.set_font("Helvetica", size=7.5)
    with pdf.table(
        col_widths=(36, 136, 14),
        text_align="LEFT",
        line_height=3.3,
        padding=0.6,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
    ) as table:
        table.row(["rule", "condition", "result"])
        for t in c.trace:
            style = FontFace(emphasis="BOLD", fill_color=(230, 238, 255)) if t.deciding else None
            table.row([latin1_text(t.rule), latin1_text(t.condition), t.value], style=style)

    _heading(pdf, "What to do")
    for row in c.actions:
        _statement(pdf, row)
    if not c.actions:
        _para(pdf, "- Assess the missing items above; the pathway cannot decide yet.")
    if c.warnings:
        _heading(pdf, "Warnings")
        for w in c.warnings:
            _para(pdf, f"! {w.id}: {w.label}", style="B", color=DARK_RED)
            for row in w.statements:
                _statement(pdf, row, indent=3)
    if c.citations:
        _heading(pdf, "Citations")
        for r in c.citations:
            _para(pdf, r.text, size=7.5, color=(0, 0, 0) if r.resolved else DARK_RED)
    return bytes(pdf.output())
