"""The course editor, second bedside round (AppTest): no phantom visit, a proposal belongs to its visit, visits
stay in week order and are not recorded twice, a past visit can be corrected, and a live course's milestones
ahead are not reached yet."""

from tests.app_helpers import PATIENT_PREFIX, enter_case, start_app, texts
from tests.test_app_course import FIRST, milestones_line, table_with, visits_in_url


def test_a_proposal_adds_no_phantom_visit_and_is_not_recorded_again():
    at = enter_case(start_app(), {**FIRST, "proposed": ["fusion"]})
    at.button(key="course_record").click().run()
    assert len(visits_in_url(at)) == 1
    # Recorded with its visit; the form's pill is cleared, so the course shows one visit, not a copy of it.
    assert at.pills(key=PATIENT_PREFIX + "proposed").value == []
    assert [row["week"] for row in table_with(at, "what changed")] == ["0"]
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(4).run()
    at.button(key="course_record").click().run()
    assert visits_in_url(at)[1] == "week=4"


def test_the_same_visit_is_shown_once_while_a_proposal_is_still_selected():
    at = enter_case(start_app(), FIRST)
    at.button(key="course_record").click().run()
    at.pills(key=PATIENT_PREFIX + "proposed").set_value(["fusion"]).run()
    at.button(key="course_record").click().run()
    at.pills(key=PATIENT_PREFIX + "proposed").set_value(["fusion"]).run()
    weeks = [row["week"] for row in table_with(at, "what changed")]
    assert len(visits_in_url(at)) == 2 and len(weeks) == 2


def test_a_visit_out_of_order_or_twice_cannot_be_recorded_and_says_why():
    at = enter_case(start_app(), {**FIRST, "weeks_conservative": 8})
    at.button(key="course_record").click().run()
    assert at.button(key="course_record").disabled
    assert any("already recorded" in c for c in texts(at.caption))
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(3).run()
    assert at.button(key="course_record").disabled
    assert any("comes before the last recorded visit (week 8)" in c for c in texts(at.caption))
    assert len(visits_in_url(at)) == 1


def test_a_past_visit_can_be_corrected_and_the_form_is_marked_not_yet_recorded():
    at = enter_case(start_app(), FIRST)
    at.button(key="course_record").click().run()
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(6).run()
    at.number_input(key=PATIENT_PREFIX + "pt_weeks").set_value(6).run()
    at.button(key="course_record").click().run()
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(2).run()
    at.number_input(key=PATIENT_PREFIX + "pt_weeks").set_value(2).run()
    at.selectbox(key="course_correct_visit").set_value(1).run()
    at.button(key="course_replace").click().run()
    assert not at.exception
    assert visits_in_url(at)[0].startswith("week=2;") and visits_in_url(at)[1].startswith("week=6")
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(8).run()
    at.number_input(key=PATIENT_PREFIX + "pt_weeks").set_value(7).run()
    visit_column = [row["visit"] for row in table_with(at, "what changed")]
    assert visit_column[-1].endswith("(not yet recorded)")
    assert "censored" not in milestones_line(at) and "Not reached yet" in milestones_line(at)


def test_the_timeline_names_the_form_as_not_yet_recorded():
    at = enter_case(start_app(), FIRST)
    at.button(key="course_record").click().run()
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(4).run()
    figure = at.get("plotly_chart")[0].proto.spec
    assert "V2 (not yet recorded)" in figure
