"""AppTests for care over time: the course editor and its URL round trip on the Patient page, the progression
sankeys on the Pathway and Cohort pages, and the course player on the Scenarios page."""

from core.analyses.course_params import VISIT_PARAM
from core.analyses.progression import DEMO_VISITS, evaluate_visits, read_visits
from tests.app_helpers import PATIENT_PREFIX, enter_case, start_app, texts

FIRST = {
    "red_flags": False,
    "mri_finding": "nerve_root_compression",
    "radicular_symptoms": True,
    "motor_deficit_progressive": False,
    "deformity_progressive": False,
    "weeks_conservative": 0,
    "pt_weeks": 0,
}


def visits_in_url(at) -> list[str]:
    value = at.query_params.get(VISIT_PARAM, [])
    return [value] if isinstance(value, str) else list(value)


def table_with(at, column: str) -> list[dict]:
    """The rows of the first table on the page with this column, as text."""
    frame = next(t.value for t in at.table if column in t.value.columns)
    return [{k: str(v) for k, v in row.items()} for row in frame.to_dict("records")]


def milestones_line(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Milestones:**"))


def build_course():
    """Week 0 recorded, then week 6 with six weeks of PT and care failing recorded too."""
    at = enter_case(start_app(), FIRST)
    at.button(key="course_record").click().run()
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(6).run()
    at.number_input(key=PATIENT_PREFIX + "pt_weeks").set_value(6).run()
    at.segmented_control(key=PATIENT_PREFIX + "conservative_failed").set_value("true").run()
    at.button(key="course_record").click().run()
    return at


def test_a_single_case_has_no_course_in_its_url_and_no_timeline():
    at = enter_case(start_app(), FIRST)
    assert not at.exception and VISIT_PARAM not in at.query_params
    assert not [m for m in at.markdown if m.value.startswith("**Milestones:**")]


def test_recording_visits_builds_the_course_and_puts_it_in_the_url():
    at = build_course()
    assert not at.exception
    assert visits_in_url(at) == [
        "week=0;red_flags=false;mri_finding=nerve_root_compression;radicular_symptoms=true;"
        "motor_deficit_progressive=false;deformity_progressive=false;pt_weeks=0",
        "week=6;pt_weeks=6;conservative_failed=true",
    ]
    assert milestones_line(at).startswith(
        "**Milestones:** week 0: Formal physical therapy and medication; week 6: Interventional options"
    )
    visits_table = table_with(at, "what changed")
    assert [row["week"] for row in visits_table] == ["0", "6"]


def test_the_current_visit_joins_the_timeline_before_it_is_recorded():
    at = build_course()
    at.number_input(key=PATIENT_PREFIX + "weeks_conservative").set_value(12).run()
    at.number_input(key=PATIENT_PREFIX + "pt_weeks").set_value(12).run()
    assert len(visits_in_url(at)) == 2
    assert "week 12: Interventional options" in milestones_line(at)


def test_a_course_link_reproduces_the_course():
    built = build_course()
    query = {k: (v if isinstance(v, str) else list(v)) for k, v in built.query_params.items()}
    opened = start_app(query)
    assert not opened.exception
    assert visits_in_url(opened) == visits_in_url(built)
    assert milestones_line(opened) == milestones_line(built)


def test_removing_and_clearing_visits_follow_into_the_url():
    at = build_course()
    at.button(key="course_remove").click().run()
    assert len(visits_in_url(at)) == 1
    at.button(key="course_clear").click().run()
    assert VISIT_PARAM not in at.query_params


def test_a_bad_visit_in_a_link_is_named_and_the_rest_is_used():
    at = start_app({"weeks_conservative": "6", VISIT_PARAM: ["week=0;red_flags=maybe", "week=2;pt_weeks=1"]})
    assert not at.exception
    assert any("Visit 1: red_flags" in e for e in texts(at.error))
    assert visits_in_url(at) == ["week=2;pt_weeks=1"]


def test_a_course_breaking_the_pt_rules_is_explained_not_drawn():
    at = start_app({"weeks_conservative": "8", "pt_weeks": "2", VISIT_PARAM: ["week=6;pt_weeks=6"]})
    assert not at.exception
    assert any("pt_weeks: cannot decrease" in e for e in texts(at.error))


def test_pathway_page_shows_the_illustrative_demo_progression_with_its_table():
    at = start_app(page="pathway")
    assert not at.exception
    assert any("Illustrative" in c for c in texts(at.caption))
    table = table_with(at, "to state")
    courses = evaluate_visits(read_visits(DEMO_VISITS)).summary.courses
    assert sum(int(row["courses"]) for row in table if row["from week"] == "0") == courses
    picker = at.selectbox(key="pathway_progression_node")
    picker.set_value((6, "no_further_visit")).run()
    assert any("courses at this node" in m.value for m in at.markdown)


def test_cohort_page_progression_merges_small_cells_and_keeps_totals():
    at = start_app(page="cohort")
    at.toggle(key="visits_open").set_value(True).run()
    at.radio(key="visits_source").set_value("Illustrative demo visits").run()
    at.number_input(key="visits_min_count").set_value(10).run()
    assert not at.exception
    table = table_with(at, "to state")
    assert any(row["from state"] == "fewer than 10" for row in table)
    assert all(int(row["courses"]) >= 10 for row in table)
    assert not [s for s in at.selectbox if s.key == "cohort_progression_node"]
    assert any("not listed one by one" in c.value for c in at.caption)
    courses = evaluate_visits(read_visits(DEMO_VISITS)).summary.courses
    assert sum(int(row["courses"]) for row in table if row["from week"] == "12") == courses


def test_scenarios_page_plays_a_course_visit_by_visit():
    at = start_app({"tab": "Courses over time"}, page="scenarios")
    assert not at.exception
    at.selectbox(key="course_player_source").set_value("six_failed_months_to_decompression").run()
    assert any(m.value.startswith("**Visit 1 of 4, week 0") for m in at.markdown)
    for _ in range(3):
        at.button(key="course_player_next").click().run()
    assert any(m.value.startswith("**Visit 4 of 4, week 26: Referral for decompression") for m in at.markdown)
    assert "End of the course" in " ".join(texts(at.success))
