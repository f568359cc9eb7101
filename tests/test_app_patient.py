"""The Patient page in AppTest: form, live result, shareable URL, invalid input, trace and downloads."""

import pytest
from streamlit.testing.v1.element_tree import Error, NumberInput

from core import load_guideline, parse_case
from core.engine.case_text import case_to_text
from tests.app_helpers import (
    PATIENT_PREFIX,
    block_holding,
    dispositions_shown,
    enter_case,
    html_tables,
    start_app,
    texts,
    url_case,
)

SCENARIOS = load_guideline().scenarios


@pytest.fixture(scope="module")
def patient_app():
    """One app shared by the form tests: each test sets every field, so none depends on another's inputs."""
    at = start_app()
    assert not at.exception
    return at


def test_the_root_url_opens_the_patient_page_with_the_notice_and_version(patient_app):
    g = load_guideline()
    assert texts(patient_app.title) == ["Patient"]
    notice = " ".join(texts(patient_app.caption))
    assert "not a medical device" in notice and f"Guideline version {g.info.version}" in notice


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_each_teaching_scenario_entered_in_the_form_gives_its_expected_disposition(patient_app, scenario):
    at = enter_case(patient_app, scenario.case)
    assert not at.exception
    assert dispositions_shown(at) == [scenario.expected.disposition]
    shown_warnings = " ".join(texts(at.warning) + texts(at.error))  # high-tone warnings show as errors
    for warning in scenario.expected.warnings:
        assert f"`{warning}`" in shown_warnings
    # The form writes the case to the URL as it changes, so the address bar can be shared.
    assert url_case(at) == case_to_text(parse_case(scenario.case))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_a_link_with_a_scenario_in_its_query_reproduces_the_evaluation_at_once(scenario):
    at = start_app(case_to_text(parse_case(scenario.case)))
    assert not at.exception
    assert dispositions_shown(at) == [scenario.expected.disposition]
    assert at.pills(key=PATIENT_PREFIX + "proposed").value == list(scenario.case.get("proposed", []))


def test_a_link_opened_on_the_patient_path_fills_the_form():
    at = start_app(
        {
            "red_flags": "false",
            "mri_finding": "nerve_root_compression",
            "weeks_conservative": "10",
            "pt_weeks": "8",
            "proposed": ["fusion", "long_term_opioids"],
        },
        page="patient",
    )
    assert at.segmented_control(key=PATIENT_PREFIX + "red_flags").value == "false"
    assert at.radio(key=PATIENT_PREFIX + "mri_finding").value == "nerve_root_compression"
    assert at.number_input(key=PATIENT_PREFIX + "pt_weeks").value == 8
    assert at.pills(key=PATIENT_PREFIX + "proposed").value == ["fusion", "long_term_opioids"]
    assert at.segmented_control(key=PATIENT_PREFIX + "instability").value == "unknown"


def test_a_bad_value_in_the_link_is_named_and_only_that_parameter_is_ignored():
    at = start_app(
        {"red_flags": "false", "mri_finding": "cord_compression", "motor_grade_mrc": "9", "redflags": "true"}
    )
    message = " ".join(texts(at.error))
    assert "Weakest MRC grade" in message and "(got 9); ignored" in message
    assert "Redflags: not a case field; ignored" in message
    assert dispositions_shown(at) == ["urgent_neurosurgical_referral"]
    assert url_case(at) == {"red_flags": "false", "mri_finding": "cord_compression"}


def test_pt_weeks_above_conservative_weeks_shows_a_message_under_the_pt_field_and_no_evaluation(patient_app):
    at = enter_case(
        patient_app,
        {
            "red_flags": False,
            "mri_finding": "normal",
            "motor_deficit_progressive": False,
            "deformity_progressive": False,
            "weeks_conservative": 4,
        },
    )
    at.number_input(key=PATIENT_PREFIX + "pt_weeks").set_value(8).run()
    assert not at.exception
    # The slip is set aside, not the whole evaluation: weeks of PT count as not assessed until corrected.
    assert dispositions_shown(at) != []
    course = list(block_holding(at, PATIENT_PREFIX + "pt_weeks").children.values())
    kinds = [type(c) for c in course]
    pt_index = next(n for n, c in enumerate(course) if getattr(c, "key", None) == PATIENT_PREFIX + "pt_weeks")
    assert isinstance(course[pt_index], NumberInput) and kinds[pt_index + 1] is Error
    assert "cannot exceed weeks of conservative care (8 > 4)" in course[pt_index + 1].value
    set_aside = "Evaluated with weeks of formal physical therapy treated as not assessed"
    assert any(set_aside in w for w in texts(at.warning))
    # Correcting either field brings the evaluation back.
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(8).run()
    assert dispositions_shown(at) == ["conservative_care"] and not at.error


def test_a_malformed_fusion_level_range_is_shown_beside_its_field(patient_app):
    enter_case(patient_app, {"red_flags": True})
    at = patient_app.text_input(key=PATIENT_PREFIX + "prior_fusion_levels").set_value("L2 to L5").run()
    holder = block_holding(at, PATIENT_PREFIX + "prior_fusion_levels")
    assert any(isinstance(c, Error) and "not a level range like L2-L5" in c.value for c in holder.children.values())
    # The slip costs only its own field: the red flag still decides.
    assert dispositions_shown(at) == ["outside_pathway"]
    assert any("prior fusion levels treated as not assessed" in w.lower() for w in texts(at.warning))


def test_the_trace_table_lists_the_rules_tried_with_the_deciding_rule_marked(patient_app):
    at = enter_case(patient_app, {"red_flags": False, "mri_finding": "cord_compression"})
    trace = html_tables(at)[0]
    assert list(trace[0]) == ["rule", "checks", "inputs read", "result", "highlighted"]
    assert [row["rule"].split(" · ")[0] for row in trace] == ["R1_red_flags", "R2_cord_compression"]
    assert [row["result"] for row in trace] == ["false", "true (decides)"]
    assert [row["highlighted"] for row in trace] == [False, True]
    assert any("Rule R2_cord_compression (Cord compression on MRI) decides" in m for m in texts(at.markdown))


def test_needs_information_names_what_to_assess_next(patient_app):
    scenario = next(s for s in SCENARIOS if s.id == "instability_not_assessed")
    at = enter_case(patient_app, scenario.case)
    assert dispositions_shown(at) == ["needs_information"]
    assert any("Assess next:** instability on flexion-extension imaging" in i for i in texts(at.info))
    stops = [row for row in html_tables(at)[0] if "unknown: stops here" in row["result"]]
    assert len(stops) == 1 and stops[0]["highlighted"] and stops[0]["rule"].startswith("R6_decompression")


def test_what_to_do_cites_its_sources_as_links_to_the_references_page(patient_app):
    at = enter_case(
        patient_app,
        {
            "red_flags": False,
            "mri_finding": "not_done",
            "motor_deficit_progressive": False,
            "deformity_progressive": False,
        },
    )
    actions = next(m for m in texts(at.markdown) if m.startswith("- ") and "MRI of the cervical and thoracic" in m)
    assert "[[3]](references?ref=3#ref-3)" in actions


def test_the_phase_and_weeks_to_the_next_milestone_are_shown(patient_app):
    scenario = next(s for s in SCENARIOS if s.id == "radiculopathy_week_ten_failing")
    at = enter_case(patient_app, scenario.case)
    phase = next(m for m in texts(at.markdown) if m.startswith("Phase:"))
    assert "Interventional options" in phase and "next milestone at week 12" in phase and "in 2 weeks" in phase


def test_the_evaluation_downloads_as_json_and_the_report_as_markdown_html_and_pdf(patient_app):
    # One Markdown path: the report's (contents checked in tests/test_app_review.py).
    at = enter_case(patient_app, {"red_flags": True})
    assert [b.label for b in at.get("download_button")] == [
        "Evaluation (JSON)",
        "Report (Markdown)",
        "Report (HTML)",
        "Report (PDF)",
    ]


def test_result_sections_are_functions_later_work_can_extend():
    from app_pages.result_sections import RESULT_SECTIONS, disposition_section, why_section

    assert RESULT_SECTIONS[0] is disposition_section and why_section in RESULT_SECTIONS
