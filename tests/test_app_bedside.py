"""The Patient page at the bedside (AppTest): every outcome still possible, contradictions beside the fields,
evidence marks inline, where the patient stands in time, and which part of a rule failed."""

from streamlit.testing.v1 import AppTest

from app_pages.first_view import REST_PENDING_KEY
from core import load_guideline
from core.engine.case import parse_case
from core.engine.case_text import case_to_text
from tests.app_helpers import (
    APP,
    APP_TIMEOUT,
    block_holding,
    dispositions_shown,
    html_blocks,
    html_tables,
    start_app,
    texts,
)

SCENARIOS = {s.id: s.case for s in load_guideline().scenarios}


def open_case(case, page=None):
    at = start_app(case_to_text(parse_case(case)), page)
    assert not at.exception
    return at


def markdown_text(at) -> str:
    return "\n".join(html_blocks(at))


def test_a_blocked_decision_lists_what_is_still_possible_most_urgent_first():
    at = open_case(SCENARIOS["index_case_motor_power_unassessed"])
    shown = markdown_text(at)
    assert "Still possible" in shown
    referral = shown.index(
        "Neurosurgical referral (progressive weakness)</span> (urgent) if progressive motor "
        "deficit: yes and weakest MRC grade &lt;= 4"
    )
    assert shown.index("otherwise: <span", referral) > referral
    assert "MRI</span>, needed either way unless Neurosurgical referral" in shown[referral:]
    assert "Nothing yet" not in shown


def test_the_myelopathy_safeguard_shows_as_an_error_marked_as_a_safeguard():
    at = open_case(SCENARIOS["myelopathy_signs_clear_mri"])
    errors = " ".join(texts(at.error))
    assert "`myelopathy_signs_without_cord_compression`" in errors
    assert "safeguard added by this tool" in errors


def test_contradicting_inputs_are_named_beside_each_field_and_above_the_result():
    case = {**SCENARIOS["improving_after_pt"], "motor_deficit_progressive": True}
    at = open_case(case)
    notes = [w for w in at.warning if "MRC 5" in w.value]
    assert len(notes) == 3  # beside both fields and once above the result
    assert block_holding(at, "patient_motor_grade_mrc") is not None
    assert any("contradict each other" in w.value for w in at.warning)


def test_statements_are_marked_inline_when_a_citation_does_not_resolve_or_evidence_disputes_them():
    at = open_case(SCENARIOS["week_twenty_five_failing"])
    shown = markdown_text(at)
    assert "not in the article's reference list" in shown
    assert "outside evidence" in shown


def test_where_the_patient_stands_in_time_counts_pt_weeks_to_the_minimum():
    case = {**SCENARIOS["improving_after_pt"], "weeks_conservative": 8, "pt_weeks": 4}
    shown = markdown_text(open_case(case))
    assert "2 more weeks of formal physical therapy to week 6" in shown
    assert "18 more weeks of conservative care to week 26" in shown


def test_the_why_table_shows_which_part_of_a_rule_failed():
    at = open_case(SCENARIOS["week_twenty_five_failing"])
    row = next(r for r in html_tables(at)[0] if r["rule"].startswith("R6"))
    assert "✗ weeks of conservative care >= 26 (false)" in row["checks"]


def test_step_through_shows_each_part_of_a_condition_with_its_value():
    at = start_app(page="scenarios")
    at.selectbox(key="step_source").set_value("week_twenty_five_failing").run()
    for _ in range(6):
        next(b for b in at.button if b.label == "Reveal the next decision").click().run()
    shown = " ".join(t.value for t in at.text)
    assert "✗ weeks of conservative care >= 26: false" in shown


def test_the_mri_choices_say_what_a_reader_looks_for():
    at = open_case({})
    box = at.radio(key="patient_mri_finding")
    options = " ".join(box.options)
    assert "foraminal" in options and "nerve root compression" in options


def test_a_scenario_comparison_is_kept_in_the_url_and_reopens_from_it():
    at = start_app(page="scenarios")
    at.selectbox(key="compare_scenario").set_value("radiculopathy_six_months_failed").run()
    at.segmented_control(key="compare_instability").set_value("true").run()
    assert at.query_params["compare"] in ("radiculopathy_six_months_failed", ["radiculopathy_six_months_failed"])
    assert at.query_params["vs.instability"] in ("true", ["true"])
    link = {k: at.query_params[k] for k in ("compare", "vs.instability")}
    again = start_app({**link, "tab": "Compare"}, page="scenarios")
    assert again.selectbox(key="compare_scenario").value == "radiculopathy_six_months_failed"
    assert dispositions_shown(again)[:2] == ["decompression_referral", "surgical_consultation"]


def test_compare_shows_phase_and_time_side_by_side():
    scenario = SCENARIOS["improving_after_pt"]
    at = start_app({"compare": "improving_after_pt", "vs.pt_weeks": "4", "tab": "Compare"}, page="scenarios")
    times = [m for m in texts(at.markdown) if m.startswith("Phase:")]
    assert len(times) == 2
    assert "Continued conservative care" in times[0] and "Formal physical therapy and medication" in times[1]
    assert "2 more weeks of formal physical therapy to week 6" in times[1]
    assert scenario["pt_weeks"] == 8


def test_a_new_visitors_first_run_shows_the_answer_alone_and_the_next_run_the_whole_page():
    """The first burst a browser draws holds the answer as text: no widget (each kind loads a script of its own)."""
    text = case_to_text(parse_case(SCENARIOS["index_case_motor_power_unassessed"]))
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT)
    at.query_params.update(text)
    at.run()
    assert not at.exception
    assert dispositions_shown(at) == ["needs_information"]
    assert "What to do now" in [h.value for h in at.subheader]
    widgets = [
        *at.radio,
        *at.button_group,
        *at.number_input,
        *at.text_input,
        *at.toggle,
        *at.button,
        *at.get("download_button"),
    ]
    assert widgets == []
    assert at.session_state[REST_PENDING_KEY]  # the browser's timer reruns the app once this is on screen
    at.run()
    assert dispositions_shown(at) == ["needs_information"]
    assert at.radio(key="patient_mri_finding").value == text["mri_finding"]
    assert len(at.get("download_button")) == 4
    assert not at.session_state[REST_PENDING_KEY]
