"""Case reports: one content model rendered as Markdown, HTML and PDF; flags, escaping, one page."""

import io
import shutil

import pypdf
import pytest
import yaml

from core import evaluate_case, load_guideline
from core.engine.guideline import DATA_DIR
from core.outputs.report import build_report, report_markdown
from core.outputs.report_html import report_html
from core.outputs.report_pdf import latin1_text, report_pdf
from core.review.evidence import EvidenceLayer, load_evidence, parse_check, upsert_check
from tests.conftest import case

# Conservative care, interventional phase, with three pitfalls: the longest typical report.
BUSY = case(prior_fusion_levels="L2-L5", proposed=["fusion", "cervical_manipulation", "long_term_opioids"])
HOSTILE = '<script>alert("x")</script> & <b onmouseover=1>'


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def busy():
    return build_report(evaluate_case(BUSY), load_guideline())


@pytest.fixture
def hostile_guideline(tmp_path):
    shutil.copytree(DATA_DIR, tmp_path / "data")
    path = tmp_path / "data" / "statements.yaml"
    content = yaml.safe_load(path.read_text())
    for s in content["statements"]:
        if s["id"] == "conservative_minimum_6_weeks":
            s["text"] = HOSTILE + " \u2013 \u2018quoted\u2019 \u2265 6 weeks \u6f22 \u0141odz"
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    return load_guideline(tmp_path / "data")


def test_content_resolves_citations_flags_and_timeline(busy):
    assert busy.guideline_version == load_guideline().info.version and "not a medical device" in busy.notice
    assert [(m.week, m.state) for m in busy.milestones] == [(0, "passed"), (6, "passed"), (12, "next"), (26, "ahead")]
    facet = next(r for r in busy.actions if r.id == "facet_injection")
    assert facet.disputed and facet.verdict == "disagrees"
    nsaid = next(r for r in busy.actions if r.id == "nsaid_muscle_relaxant")
    assert nsaid.unresolved == [6] and not nsaid.disputed
    assert [w.id for w in busy.warnings] == ["fusion_not_indicated", "avoid_manipulation", "avoid_long_term_opioids"]
    assert {c.number: c.resolved for c in busy.citations} == {1: True, 2: True, 5: False, 6: False}
    assert ("MRI finding", "nerve root compression") in [(r.label, r.value) for r in busy.case]


def test_markdown_flags_disputed_statements_and_unresolved_citations(busy):
    text = report_markdown(busy)
    facet_line = next(line for line in text.splitlines() if "9-42%" in line)
    flag_line = text.splitlines()[text.splitlines().index(facet_line) + 1]
    assert "**Disputed:**" in flag_line and "Falco" in flag_line and "unconfirmed" in flag_line
    assert "[6 unresolved]" in text and "[5] unresolved" in text
    assert "Milestones: week 0 (passed), week 6 (passed), week 12 (next), week 26 (ahead)" in text


def test_markdown_without_evidence_checks_has_no_dispute_flags():
    text = report_markdown(build_report(evaluate_case(BUSY), load_guideline(), EvidenceLayer()))
    assert "Disputed" not in text and "[6 unresolved]" in text


def test_a_reviewers_edited_evidence_changes_the_flags(guideline):
    check = parse_check({"source": "Trial X", "kind": "rct", "verdict": "disagrees", "note": "n"})
    layer = upsert_check(load_evidence(), "conservative_minimum_6_weeks", check, guideline)
    text = report_markdown(build_report(evaluate_case(BUSY), guideline, layer))
    assert "outside sources disagree: Trial X" in text


def test_html_report_is_self_contained_and_print_friendly(busy):
    page = report_html(busy)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "@media print" in page
    assert "<script" not in page and "<link" not in page and "src=" not in page
    for heading in ("Case", "Why", "What to do", "Warnings", "Citations"):
        assert f"<h2>{heading}</h2>" in page
    assert '<tr class="deciding"><td>R8_conservative</td>' in page and "Guideline version 1." in page
    assert '<li class="unresolved">[5] unresolved' in page


def test_html_escapes_statement_text_and_reviewer_notes(hostile_guideline):
    note = parse_check(
        {
            "source": "<img src=x onerror=alert(1)>",
            "kind": "other",
            "verdict": "disagrees",
            "note": "</li><script>bad()</script>",
        }
    )
    layer = upsert_check(EvidenceLayer(), "conservative_minimum_6_weeks", note, hostile_guideline)
    page = report_html(build_report(evaluate_case(BUSY, hostile_guideline), hostile_guideline, layer))
    assert "<script" not in page and "<img" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b onmouseover=1&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_pdf_reads_back_with_decision_flags_version_and_notice(busy):
    pages, text = pdf_text(report_pdf(busy))
    flat = " ".join(text.split())
    assert pages == 1
    assert "Structured conservative care (conservative_care)" in flat
    assert f"Guideline version {busy.guideline_version}" in flat and "not a medical device" in flat
    assert "R8_conservative" in flat and "[6 unresolved]" in flat and "Disputed: outside sources disagree" in flat
    assert "[5] unresolved: the article cites it" in flat and "Week 10 of conservative care" in flat


@pytest.mark.parametrize("scenario", load_guideline().scenarios, ids=lambda s: s.id)
def test_every_teaching_scenario_fits_one_pdf_page(scenario):
    content = build_report(evaluate_case(scenario.case), load_guideline())
    pages, text = pdf_text(report_pdf(content))
    assert pages == 1 and content.disposition in text


def test_pdf_survives_characters_outside_latin1(hostile_guideline):
    content = build_report(evaluate_case(BUSY, hostile_guideline), hostile_guideline, EvidenceLayer())
    _, text = pdf_text(report_pdf(content))
    flat = " ".join(text.split())
    assert "- 'quoted' >= 6 weeks ? Lodz" in flat and '<script>alert("x")</script>' in flat


def test_latin1_text_replaces_typography_and_keeps_latin1():
    assert latin1_text("a \u2013 b \u2014 \u201cc\u201d \u2026 \u00e9\u00fc") == 'a - b - "c" ... \u00e9\u00fc'
    assert latin1_text("\u0141\u0151 \u6f22") == "Lo ?"


def test_pdf_is_deterministic(busy):
    assert report_pdf(busy) == report_pdf(busy)


def _report_of(case):
    from core import evaluate_case, load_guideline
    from core.outputs.report import build_report, report_markdown

    g = load_guideline()
    content = build_report(evaluate_case(case, g), g)
    return content, report_markdown(content)


def test_the_timeline_ends_with_one_full_stop_and_names_states_in_one_word_per_state():
    content, text = _report_of({"mri_finding": "degenerative_only", "weeks_conservative": 8, "pt_weeks": 8})
    line = next(row for row in text.splitlines() if row.startswith("**Timeline:**"))
    assert ".." not in line and "(passed)" in line and "(done)" not in line
    from core.outputs.report_html import report_html

    assert ".." not in report_html(content) and "(passed)" in report_html(content)


def test_the_week_0_milestone_is_due_while_mri_or_pt_is_still_asked_for():
    content, _ = _report_of({"mri_finding": "not_done", "weeks_conservative": 8, "pt_weeks": 0})
    assert content.milestones[0].state == "due"
    content, _ = _report_of({"mri_finding": "degenerative_only", "weeks_conservative": 8, "pt_weeks": 0})
    assert content.milestones[0].state == "due"
    content, _ = _report_of({"mri_finding": "degenerative_only", "weeks_conservative": 8, "pt_weeks": 3})
    assert content.milestones[0].state == "passed"


def test_a_statement_without_citations_says_why_in_the_report_as_in_evaluate():
    from core.engine.packs import PACKS_DIR

    g = load_guideline(PACKS_DIR / "cervical-radiculopathy")
    text = report_markdown(build_report(evaluate_case({"region": "cervical", "red_flags": True}, g), g))
    assert "trial of treatment. [the article gives no citation]" in text
    assert "however far the trial has gone. [safeguard, no citation]" in text
    assert "(safeguard, not from the article)" not in text
