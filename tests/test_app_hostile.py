"""Hostile links and uploads in the app (AppTest): a clear message naming the input, never an exception, and
everything the user supplied shown as inert text (escaped, so markdown cannot draw a link or fetch an image)."""

import re

import pytest

from tests.app_helpers import start_app, texts

HUGE = ["inf", "-Infinity", "1e400", "9" * 400]
IMAGE = "![x](http://evil.example/t.png)"
ACTIVE_MARKDOWN = re.compile(r"(?<!\\)!?(?<!\\)\[[^\]]*(?<!\\)\]\(|<img|http://|www\.", re.I)


def assert_inert(markdown: str) -> None:
    assert not ACTIVE_MARKDOWN.search(markdown), markdown


@pytest.mark.parametrize("raw", HUGE)
@pytest.mark.parametrize(
    "page, params",
    [
        (None, {"weeks_conservative": "{raw}"}),
        (None, {"motor_grade_mrc": "{raw}"}),
        ("pathway", {"pt_weeks": "{raw}"}),
        ("scenarios", {"mri_finding": "normal", "vs.weeks_conservative": "{raw}", "tab": "Compare"}),
    ],
)
def test_a_huge_number_in_a_link_is_named_and_ignored_on_every_page(page, params, raw):
    at = start_app({k: v.format(raw=raw) for k, v in params.items()}, page=page)
    assert not at.exception
    assert any("expected a whole number" in e for e in texts(at.error)), texts(at.error)


@pytest.mark.parametrize("ref", ["²", "1" * 5000, "`x`![i](http://evil.example/i.png)"])
def test_a_ref_that_is_not_a_citation_number_is_named(ref):
    at = start_app({"ref": ref}, page="references")
    assert not at.exception
    message = texts(at.error)[0]
    assert "is not a citation number" in message and len(message) < 200
    assert_inert(message)


def test_markdown_in_a_parameter_name_is_shown_as_text():
    at = start_app({IMAGE: "1", "[Log in](http://evil.example)": "1"})
    assert not at.exception
    message = texts(at.error)[0]
    assert "not a case field" in message
    assert_inert(message)


def test_cohort_column_names_are_shown_as_text():
    at = start_app(page="cohort")
    data = f"red_flags,{IMAGE.replace(',', '')}\nfalse,1\n".encode()
    at.file_uploader(key="cohort_upload").upload("c.csv", data, "text/csv").run()
    assert not at.exception
    notes = texts(at.warning)
    assert any("not part of the case format" in n for n in notes)
    for note in notes:
        assert_inert(note)


def test_evidence_notes_and_sources_are_shown_as_text():
    at = start_app(page="references")
    evidence = (
        "checks:\n  mri_first:\n    - source: '[Log in](http://evil.example)'\n      kind: rct\n"
        f"      verdict: agrees\n      note: '{IMAGE} <img src=x onerror=alert(1)>'\n"
    )
    at.file_uploader(key="evidence_upload").upload("e.yaml", evidence.encode(), "application/x-yaml").run()
    assert not at.exception
    shown = [m for m in texts(at.markdown) if "evil.example" in m]
    assert shown
    for markdown in shown:
        assert_inert(markdown)


def test_a_deeply_nested_evidence_upload_is_refused_with_a_message():
    at = start_app(page="references")
    at.file_uploader(key="evidence_upload").upload(
        "deep.yaml", b"checks: " + b"[" * 5000 + b"]" * 5000, "application/x-yaml"
    ).run()
    assert not at.exception
    assert any("deep.yaml" in e and "nested more than" in e for e in texts(at.error))
