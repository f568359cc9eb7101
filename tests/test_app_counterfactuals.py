"""What would change this decision, on the Patient page, and its way into the Scenarios page's compare view."""

import html
import re
from urllib.parse import parse_qs

import pytest

from app_pages.what_would_change import SHOWN
from core import counterfactuals, load_guideline, parse_case
from core.engine.case_params import CHANGE_PARAMS
from core.engine.case_text import case_to_text
from core.outputs.palette import TONE_COLOURS
from tests.app_helpers import dispositions_shown, html_blocks, start_app, texts, url_case

G = load_guideline()
SCENARIOS = {s.id: s.case for s in G.scenarios}
SENTENCE = re.compile(
    r'class="counterfactual" data-disposition="([a-z_]+)" style="([^"]*)".*?'
    r'<div style="color:([^;]+);[^"]*">(.*?)</div>',
    re.S,
)


def shown_changes(at) -> list[tuple[str, str, str]]:
    """(disposition, sentence colour, sentence) of each change the page lists, top to bottom."""
    return [
        (d, colour, html.unescape(text)) for block in html_blocks(at) for d, _, colour, text in SENTENCE.findall(block)
    ]


COMPARE_HREF = re.compile(r'<a class="compare" href="scenarios\?([^"]+)"')


def compare_links(at) -> list[dict[str, list[str]]]:
    return [parse_qs(html.unescape(query)) for block in html_blocks(at) for query in COMPARE_HREF.findall(block)]


@pytest.fixture(scope="module")
def week_ten():
    at = start_app(case_to_text(parse_case(SCENARIOS["radiculopathy_week_ten_failing"])))
    assert not at.exception
    return at


def test_a_teaching_scenario_lists_what_would_change_its_decision_coloured_by_the_new_disposition(week_ten):
    changes = shown_changes(week_ten)
    sentences = [sentence for _, _, sentence in changes]
    assert "What would change this decision" in texts(week_ten.subheader)
    assert "If weeks of conservative care were 26: Referral for decompression alone (no fusion)." in sentences
    assert (
        "If progressive motor deficit were yes and weakest MRC grade were 4: "
        "Neurosurgical referral (progressive weakness), urgent."
    ) in sentences
    for disposition, colour, _ in changes:
        assert colour == TONE_COLOURS[G.disposition(disposition).tone]
    assert changes[0][0] == "outside_pathway"  # a worsening that leaves the pathway comes first


def test_every_change_is_listed_once_in_order_the_first_few_shown_the_rest_in_an_expander(week_ten):
    items = counterfactuals(SCENARIOS["radiculopathy_week_ten_failing"])
    sentences = [sentence for _, _, sentence in shown_changes(week_ten)]
    assert sentences == [c.sentence for c in items]
    expanders = [e for e in week_ten.expander if e.label.startswith("More changes")]
    assert len(expanders) == (len(items) > SHOWN)
    assert not any("not assessed" in sentence for sentence in sentences)  # no change un-assesses a finding


def test_each_change_links_to_compare_with_this_case_and_the_changed_fields(week_ten):
    links = compare_links(week_ten)
    items = counterfactuals(SCENARIOS["radiculopathy_week_ten_failing"])
    assert len(links) == len(items)
    weeks_26 = next(link for link in links if link.get("vs.weeks_conservative") == ["26"])
    assert {k for k in weeks_26 if k.startswith("vs.")} == {"vs.weeks_conservative"}
    assert weeks_26["tab"] == ["Compare"]
    assert {k: v for k, v in weeks_26.items() if not k.startswith("vs.") and k != "tab"} == {
        k: v if isinstance(v, list) else [v] for k, v in url_case(week_ten).items()
    }


def test_following_a_compare_link_shows_the_patient_beside_the_changed_case_and_where_the_traces_part(week_ten):
    link = next(link for link in compare_links(week_ten) if link.get("vs.weeks_conservative") == ["26"])
    at = start_app(link, page="scenarios")
    assert not at.exception and texts(at.title) == ["Scenarios"]
    assert at.selectbox(key="compare_scenario").value == "current patient (from the Patient page)"
    assert at.number_input(key="compare_weeks_conservative").value == 26
    assert dispositions_shown(at)[:2] == ["conservative_care", "decompression_referral"]
    parting = next(m for m in texts(at.markdown) if m.startswith("Changed in the copy"))
    assert "weeks of conservative care" in parting and "part at **R6_decompression**" in parting
    assert "false for the patient, true for the copy" in parting
    assert at.query_params["tab"] in ("Compare", ["Compare"])


def test_editing_the_copy_writes_its_changes_to_the_url_and_the_patient_stays():
    patient = case_to_text(parse_case(SCENARIOS["radiculopathy_six_months_failed"]))
    at = start_app({**patient, "vs.instability": "true", "tab": "Compare"}, page="scenarios")
    assert dispositions_shown(at)[:2] == ["decompression_referral", "surgical_consultation"]
    at.segmented_control(key="compare_instability").set_value("false").run()
    at.segmented_control(key="compare_red_flags").set_value("unknown").run()
    assert at.query_params["vs.red_flags"] in ("unknown", ["unknown"])
    assert "vs.instability" not in at.query_params
    assert url_case(at, (*CHANGE_PARAMS, "tab")) == patient and dispositions_shown(at)[1] == "needs_information"


def test_a_bad_change_in_a_compare_link_is_named_and_the_rest_is_used():
    patient = case_to_text(parse_case(SCENARIOS["radiculopathy_week_ten_failing"]))
    at = start_app({**patient, "vs.motor_grade_mrc": "7", "vs.deformity_progressive": "true"}, page="scenarios")
    assert not at.exception
    message = " ".join(texts(at.error))
    assert "Weakest MRC grade: in the compared case" in message and "(got 7); ignored" in message
    assert dispositions_shown(at)[:2] == ["conservative_care", "surgical_consultation"]
