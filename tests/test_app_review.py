"""Reviewer features in AppTest: evidence checks (view, filter, count, edit, download, upload), the article's
conflicts, verification, the changelog, and the Patient page's reports (Markdown, HTML, PDF)."""

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
import yaml
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from app import page_script
from core import load_guideline
from core.engine.guideline import DATA_DIR
from core.review.conflicts import article_conflicts
from core.review.evidence import evidence_from_yaml, load_evidence, statements_with_verdict, verdict_counts
from tests.app_helpers import dispositions_shown, enter_case, start_app, texts

REFERENCES = "references"
PATIENT = "patient"
CORD_CASE = {"red_flags": False, "mri_finding": "cord_compression", "weeks_conservative": 3}
UNCHECKED = "cord_compression_only_bypass"  # active for CORD_CASE, no check in data/evidence.yaml


@contextmanager
def offered_downloads() -> Iterator[dict[str, tuple[Any, str]]]:
    """Record what the app's runs offer for download, by file name: (bytes or text, or the deferred callable a
    click runs; mime type). AppTest drops its media store after each run, so the offer is caught on its way in."""
    offered: dict[str, tuple[Any, str]] = {}
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        offered[file_name] = (data, mimetype)
        return add(self, data, mimetype, coordinates, file_name, is_for_static_download)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        offered[file_name] = (data_callable, mimetype)
        return add_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    with (
        mock.patch.object(MediaFileManager, "add", record),
        mock.patch.object(MediaFileManager, "add_deferred", record_deferred),
    ):
        yield offered


def content(offered: dict[str, tuple[Any, str]], name: str) -> bytes:
    """The file a click on the download button gives (running a deferred callable as the server would)."""
    data, _ = offered[name]
    data = data() if isinstance(data, Callable) else data
    return data.encode("utf-8") if isinstance(data, str) else data


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def evidence_counts(at: AppTest) -> dict[str, int]:
    words = {"agrees": "agrees", "partly": "partly agrees", "disagrees": "disagrees", "not_found": "not found"}
    shown = metrics(at)
    return {verdict: int(shown[f"Checks: {word}"]) for verdict, word in words.items()}


def statements_listed(at: AppTest) -> list[str]:
    """Statement ids of the evidence list, top to bottom (each entry starts with its id in bold code)."""
    return [m.value.split("`")[1] for m in at.markdown if m.value.startswith("**`")]


def fill_check(at: AppTest, **values: Any) -> AppTest:
    for field, value in values.items():
        key = "evidence_form_" + field
        if field in ("statement", "kind", "verdict"):
            at.selectbox(key=key).set_value(value)
        elif field == "year":
            at.number_input(key=key).set_value(value)
        elif field == "confirmed":
            at.checkbox(key=key).set_value(value)
        else:
            at.text_input(key=key).set_value(value)
    return at.button(key="evidence_save").click().run()


def references_app() -> AppTest:
    at = start_app(page=REFERENCES)
    assert not at.exception
    return at


@pytest.fixture(scope="module")
def shared_references():
    """One References page for the tests that only read it or filter it."""
    return references_app()


def test_the_references_page_carries_the_reviewer_sections(shared_references):
    headers = texts(shared_references.header)
    assert headers[-5:] == [
        "Outside evidence",
        "Review the evidence",
        "The article's own conflicts",
        "Verification of the whole pathway",
        "Changelog",
    ]
    assert not shared_references.error


def test_the_contents_line_links_every_section_in_page_order(shared_references):
    line = next(m for m in texts(shared_references.markdown) if m.startswith("On this page: "))
    assert re.findall(r"\]\(#([a-z-]+)\)", line) == [h.proto.anchor for h in shared_references.header]


def test_each_checked_statement_shows_its_checks_beside_its_citations(shared_references):
    layer, g = load_evidence(), load_guideline()
    assert statements_listed(shared_references) == [s.id for s in g.statements if s.id in layer.checks]
    entry = next(m.value for m in shared_references.markdown if m.value.startswith("**`epidural_steroid_injection`"))
    assert "cites [[1]](#ref-1)" in entry
    for check in layer.checks["epidural_steroid_injection"]:
        assert check.source in entry and check.note in entry
    assert "*unconfirmed: from a summary*" in entry


def test_the_statement_list_names_the_strongest_outside_verdict(shared_references):
    rows = [row for m in shared_references.markdown for row in m.value.splitlines()]
    facet = next(row for row in rows if row.startswith("- `facet_injection` · "))  # the Statements section's line
    assert "outside evidence: [disagrees](#evidence)" in facet


def test_verdict_counts_are_those_of_the_layer(shared_references):
    layer, statements = load_evidence(), load_guideline().statements
    assert evidence_counts(shared_references) == verdict_counts(layer)
    assert metrics(shared_references)["Statements checked"] == f"{len(layer.checks)} of {len(statements)}"


def test_filtering_to_outside_evidence_disagrees_shows_only_statements_with_a_disagreeing_check(shared_references):
    at = shared_references.multiselect(key="evidence_verdicts").set_value(["disagrees"]).run()
    layer = load_evidence()
    shown = statements_listed(at)
    assert shown == statements_with_verdict(layer, ["disagrees"])
    assert 0 < len(shown) < len(layer.checks)
    assert all(any(c.verdict == "disagrees" for c in layer.checks[sid]) for sid in shown)
    at.multiselect(key="evidence_verdicts").set_value([]).run()


def test_saving_a_new_check_adds_it_to_the_list_and_the_counts():
    at = references_app()
    before = evidence_counts(at)
    at = fill_check(
        at,
        statement=UNCHECKED,
        source="A later cohort study",
        year=2021,
        kind="other",
        verdict="disagrees",
        note="Progressive weakness also bypasses the minimum in practice.",
    )
    assert not at.error
    assert evidence_counts(at) == {**before, "disagrees": before["disagrees"] + 1}
    assert UNCHECKED in statements_listed(at)
    assert any("Saved the check of `cord_compression_only_bypass`" in s for s in texts(at.success))


def test_a_check_without_source_or_note_shows_a_message_under_each_field_and_changes_nothing():
    at = references_app()
    at = fill_check(at, statement=UNCHECKED, source="  ", note="")
    errors = texts(at.error)
    assert any(e.startswith("Source: ") and "at least 1 character" in e for e in errors)
    assert any(e.startswith("Note: ") for e in errors)
    assert evidence_counts(at) == verdict_counts(load_evidence())
    assert UNCHECKED not in statements_listed(at)


def test_picking_a_check_fills_the_form_so_it_can_be_changed_or_removed():
    at = references_app()
    check = load_evidence().checks["facet_injection"][0]
    at.selectbox(key="evidence_pick").set_value(f"facet_injection\x1f{check.source}").run()
    assert at.text_input(key="evidence_form_source").value == check.source
    assert at.selectbox(key="evidence_form_verdict").value == check.verdict == "disagrees"
    before = evidence_counts(at)
    at = fill_check(at, verdict="partly")
    assert evidence_counts(at) == {**before, "disagrees": before["disagrees"] - 1, "partly": before["partly"] + 1}
    at.button(key="evidence_remove").click().run()
    assert evidence_counts(at) == before | {"disagrees": before["disagrees"] - 1}
    assert any("Removed the check of `facet_injection`" in s for s in texts(at.success))


def test_the_layer_downloads_as_the_data_file_and_uploading_it_back_restores_the_session():
    at = references_app()
    with offered_downloads() as offered:
        at.run()
    # Unedited, the download is data/evidence.yaml byte for byte: data/ accepts it unchanged.
    assert content(offered, "evidence.yaml") == (DATA_DIR / "evidence.yaml").read_bytes()
    with offered_downloads() as offered:
        at = fill_check(
            at, statement=UNCHECKED, source="A reviewer's source", kind="rct", verdict="agrees", note="Our own note."
        )
    edited = content(offered, "evidence.yaml")
    edited_counts = evidence_counts(at)
    assert evidence_from_yaml(edited, load_guideline()).checks[UNCHECKED][0].source == "A reviewer's source"

    at.button(key="evidence_reset").click().run()
    assert evidence_counts(at) == verdict_counts(load_evidence())
    at.file_uploader(key="evidence_upload").upload("my review.yaml", edited, "application/x-yaml").run()
    assert not at.error
    assert evidence_counts(at) == edited_counts
    assert UNCHECKED in statements_listed(at)
    assert any("from my review.yaml" in s for s in texts(at.success))


def test_an_invalid_upload_lists_each_problem_and_keeps_the_session_layer():
    at = references_app()
    bad = yaml.safe_dump(
        {
            "checks": {
                "no_such_statement": [{"source": "X", "kind": "rct", "verdict": "agrees", "note": "n"}],
                "facet_injection": [{"source": "Y", "kind": "rct", "verdict": "maybe", "note": "n"}],
            }
        }
    ).encode()
    at.file_uploader(key="evidence_upload").upload("bad.yaml", bad, "application/x-yaml").run()
    message = " ".join(texts(at.error))
    assert "The file was not loaded" in message
    assert "bad.yaml: checks.facet_injection.0.verdict" in message
    assert evidence_counts(at) == verdict_counts(load_evidence())
    broken = b"checks: [unclosed"
    at.file_uploader(key="evidence_upload").clear().upload("broken.yaml", broken, "application/x-yaml").run()
    assert "broken.yaml: not valid YAML" in " ".join(texts(at.error))


def test_each_conflict_names_its_basis_statements_and_resolution_with_evaluated_examples(shared_references):
    subheaders = texts(shared_references.subheader)
    shown = " ".join(texts(shared_references.markdown))
    for conflict in article_conflicts():
        assert conflict.title in subheaders
        assert f"`{conflict.statements[0]}`" in shown and conflict.resolution in shown
        for example in conflict.examples:
            assert example.deciding_rule.replace("_", "_<wbr>") in shown
    assert "computed from the data" in shown and "listed by hand" in shown


def test_a_bad_conflicts_file_costs_only_its_own_section(monkeypatch):
    import app_pages.review_sections
    from core.errors import DataError, Problem

    def broken() -> list:
        raise DataError([Problem(field="conflicts.yaml: conflicts.0.title", message="Field required")])

    monkeypatch.setattr(app_pages.review_sections, "article_conflicts", broken)
    at = references_app()
    assert any(
        "This section cannot be shown" in e and "conflicts.yaml: conflicts.0.title" in e for e in texts(at.error)
    )
    assert texts(at.header)[-1] == "Changelog"


def test_verification_runs_on_request_and_reports_passed_with_the_number_of_cases():
    at = references_app()
    assert not at.success  # not computed until asked: the page stays quick
    at.button(key="verification_run").click().run()
    from app_pages.review_sections import cached_verification

    report = cached_verification(load_guideline().info.version)  # the app's cached report, not a second run
    assert report.passed
    summary = " ".join(texts(at.success))
    assert "Verification passed" in summary and f"over {report.cases:,} cases" in summary
    tables = " ".join(m.value for m in at.markdown if m.value.startswith("<table"))
    for check in report.checks:
        assert check.id.replace("_", "_<wbr>") in tables
    assert any(b.label == "Verification report (text)" for b in at.get("download_button"))


def test_the_changelog_lists_the_current_version_first_with_its_date_and_changes(shared_references):
    info = load_guideline().info
    entries = [m.value for m in shared_references.markdown if m.value.startswith("**") and " · 20" in m.value]
    assert entries[0].startswith(f"**{info.version}** · {info.date.isoformat()} (this version)")
    assert info.changelog[0].changes[0] in entries[0]
    assert len(entries) == len(info.changelog)


def test_the_patient_page_offers_the_report_as_markdown_html_and_pdf():
    with offered_downloads() as offered:
        at = start_app(CORD_CASE, page=PATIENT)
    assert dispositions_shown(at) == ["urgent_neurosurgical_referral"]
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Evaluation (JSON)", "Report (Markdown)", "Report (HTML)", "Report (PDF)"]
    assert {name: mime for name, (_, mime) in offered.items()} == {
        "evaluation.json": "application/json",
        "report.md": "text/markdown",
        "report.html": "text/html",
        "report.pdf": "application/pdf",
    }
    assert "`urgent_neurosurgical_referral`" in content(offered, "report.md").decode()
    assert "urgent_neurosurgical_referral" in content(offered, "report.html").decode()
    pdf = content(offered, "report.pdf")
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "urgent_neurosurgical_referral" in text and "not a medical device" in text


def test_reports_flag_what_the_reviewers_layer_disputes():
    at = references_app()
    at = fill_check(
        at,
        statement=UNCHECKED,
        source="A disputing trial",
        year=2020,
        kind="rct",
        verdict="disagrees",
        note="Our note.",
    )
    at.switch_page(page_script(PATIENT)).run()
    with offered_downloads() as offered:
        at = enter_case(at, CORD_CASE)
    report = content(offered, "report.md").decode()
    assert "**Disputed:** outside sources disagree: A disputing trial (2020)" in report
