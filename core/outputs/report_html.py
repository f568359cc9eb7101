"""The case report as one self-contained, print-friendly HTML page. Every piece of text is escaped here."""

from html import escape

from core.outputs.citations import citation_marks
from core.outputs.report import ReportContent, StatementRow, evidence_flag

STYLE = """
@page { size: A4; margin: 12mm; }
body { font: 10pt/1.35 "Helvetica Neue", Arial, sans-serif; color: #1b1b1b; max-width: 190mm; margin: 0 auto;
       padding: 8px; }
h1 { font-size: 15pt; margin: 0 0 4px; }
h2 { font-size: 11.5pt; margin: 12px 0 4px; border-bottom: 1px solid #bbb; }
.notice { border-left: 4px solid #b26b00; background: #fff6e5; padding: 4px 8px; font-size: 9pt; }
.disposition { font-size: 13pt; font-weight: bold; margin: 8px 0 2px; }
.urgent { color: #fff; background: #b00020; padding: 1px 6px; border-radius: 3px; font-size: 9pt; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 1px solid #ccc; padding: 2px 4px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
tr.deciding td { font-weight: bold; background: #eef4ff; }
ul { margin: 2px 0 2px 18px; padding: 0; }
li { margin: 1px 0; }
.flag { color: #8a1c00; font-size: 8.5pt; }
.unresolved { color: #8a1c00; font-weight: bold; }
.milestones span { display: inline-block; margin-right: 10px; }
.passed { color: #555; } .due { font-weight: bold; } .next { font-weight: bold; } .ahead { color: #888; }
footer { margin-top: 10px; font-size: 8pt; color: #555; }
@media print { body { padding: 0; } h2 { break-after: avoid; } tr, li { break-inside: avoid; } }
"""


def _statement(row: StatementRow) -> str:
    marks = escape(citation_marks(row.citations, row.origin, row.unresolved))
    for n in row.unresolved:
        marks = marks.replace(f"[{n} unresolved]", f'<span class="unresolved">[{n} unresolved]</span>')
    flag = evidence_flag(row)
    flag_html = f'<br><span class="flag">Disputed: {escape(flag)}</span>' if flag else ""
    return f"<li>{escape(row.text)} {marks}{flag_html}</li>"


def report_html(content: ReportContent) -> str:
    c = content
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(c.title)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(c.title)}</h1>",
        f'<p class="notice">{escape(c.notice)} Guideline version {escape(c.guideline_version)}.</p>',
        f'<p class="disposition">{escape(c.disposition_label)} <code>{escape(c.disposition)}</code>'
        + (' <span class="urgent">URGENT</span>' if c.urgent else "")
        + "</p>",
        f"<p>{escape(c.summary)}</p>",
    ]
    if c.missing:
        parts.append(f"<p><strong>Assess next:</strong> {escape(', '.join(c.missing))}</p>")
    for title, items in (
        ("Still possible (most urgent first)", c.possible),
        ("Inputs that contradict each other", c.inconsistencies),
    ):
        if items:
            parts.append(
                f"<p><strong>{title}:</strong></p><ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
            )
    if c.phase:
        parts.append(f"<p><strong>Phase:</strong> {escape(c.phase)}</p>")
    if c.phase_missing:
        parts.append(f"<p><strong>Phase undetermined; assess:</strong> {escape(', '.join(c.phase_missing))}</p>")
    if c.timeline:
        steps = "".join(
            f'<span class="{m.state}">week {m.week}: {escape(m.label)} ({m.state})</span>' for m in c.milestones
        )
        parts.append(f'<p><strong>Timeline:</strong> {escape(c.timeline)}</p><p class="milestones">{steps}</p>')
    if c.course:
        parts.append("<h2>Course of care</h2><ul>" + "".join(f"<li>{escape(v)}</li>" for v in c.course) + "</ul>")
        parts.append(f"<p><strong>Milestones:</strong> {escape(c.course_milestones or '')}</p>")
    parts += ["<h2>Case</h2>", "<table><tr><th>field</th><th>value</th></tr>"]
    parts += [f"<tr><td>{escape(r.label)}</td><td>{escape(r.value)}</td></tr>" for r in c.case]
    parts.append("</table>")
    if c.not_assessed:
        parts.append(f"<p>Not assessed: {escape(', '.join(c.not_assessed))}.</p>")
    parts += ["<h2>Why</h2>", "<table><tr><th>rule</th><th>condition</th><th>inputs</th><th>value</th></tr>"]
    for t in c.trace:
        row_class = ' class="deciding"' if t.deciding else ""
        parts.append(
            f"<tr{row_class}><td>{escape(t.rule)}</td><td>{escape(t.condition)}</td>"
            f"<td>{escape(t.inputs)}</td><td>{escape(t.value)}</td></tr>"
        )
    parts += ["</table>", "<h2>What to do</h2>", "<ul>"]
    parts += [_statement(row) for row in c.actions] or [
        "<li>Assess the missing items above; the pathway cannot decide yet.</li>"
    ]
    parts.append("</ul>")
    if c.warnings:
        parts += ["<h2>Warnings</h2>", "<ul>"]
        for w in c.warnings:
            inner = "".join(_statement(row) for row in w.statements)
            parts.append(
                f"<li><strong>{escape(w.id)}</strong>: {escape(w.label)}"
                + (f"<ul>{inner}</ul>" if inner else "")
                + "</li>"
            )
        parts.append("</ul>")
    if c.citations:
        parts += ["<h2>Citations</h2>", "<ul>"]
        parts += [("<li>" if r.resolved else '<li class="unresolved">') + f"{escape(r.text)}</li>" for r in c.citations]
        parts.append("</ul>")
    parts += [
        f"<footer>Guideline version {escape(c.guideline_version)} ({escape(c.guideline_date)}). "
        f"{escape(c.source)}</footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
