"""Figures of care over time and the course in a URL: fixed state colours and order, the same counts in the
sankey and its table, the course timeline's parts, and visit parameters that round-trip."""

import pytest
from hypothesis import given, settings

from core import CaseError, evaluate_course, parse_case
from core.analyses.course import state_order
from core.analyses.course_params import effective_case, read_visit_param, visit_from_cases, visit_param
from core.analyses.course_scenarios import load_course_scenarios
from core.analyses.progression import DEMO_VISITS, evaluate_visits, progression_links, read_visits
from core.outputs.course_figures import (
    course_rows,
    course_timeline,
    progression_nodes,
    progression_sankey,
    progression_table,
    state_colours,
)
from tests.course_strategies import any_course


@pytest.fixture(scope="module")
def demo_links():
    return progression_links(evaluate_visits(read_visits(DEMO_VISITS)))


def test_every_state_has_one_colour_and_states_follow_the_data_order(guideline):
    colours = state_colours(guideline)
    assert list(colours) == state_order(guideline)
    assert state_order(guideline)[:3] == [p.id for p in guideline.pathway.phases]
    assert state_order(guideline)[-2:] == ["not_yet_seen", "no_further_visit"]


def test_sankey_colours_a_state_the_same_in_every_column(guideline, demo_links):
    figure = progression_sankey(demo_links, guideline, "t")
    nodes = progression_nodes(demo_links, guideline)
    colours = dict(zip(nodes, figure.data[0].node.color, strict=False))
    by_state: dict[str, set[str]] = {}
    for (_, state), colour in colours.items():
        by_state.setdefault(state, set()).add(colour)
    assert all(len(c) == 1 for c in by_state.values())
    assert [w for w, _ in nodes] == sorted(w for w, _ in nodes)  # columns left to right


def test_sankey_and_table_carry_the_same_counts(guideline, demo_links):
    figure = progression_sankey(demo_links, guideline, "t")
    table = progression_table(demo_links, guideline)
    assert list(figure.data[0].link.value) == table["courses"].tolist()


def test_course_timeline_draws_visits_milestones_pt_and_warnings(guideline):
    scenario = next(s for s in load_course_scenarios() if s.id == "fusion_proposed_on_degenerative_imaging")
    result = evaluate_course(scenario.course)
    figure = course_timeline(result, guideline)
    names = [t.name for t in figure.data]
    assert {"visits", "state at each milestone", "formal PT accumulated (weeks)", "warning fired"} <= set(names)
    warnings = next(t for t in figure.data if t.name == "warning fired")
    assert set(warnings.x) == {3}  # every warning fired at the week-3 visit
    bands = [s for s in figure.layout.shapes if s.type == "rect"]
    assert [b.x0 for b in bands] == [0, 3, 8]
    assert course_rows(result, guideline)["week"].tolist() == [0, 3, 8]


@settings(max_examples=40, deadline=None)
@given(any_course())
def test_visits_written_to_the_url_and_read_back_give_the_same_course(course):
    params = [visit_param(v) for v in course["visits"]]
    read = [read_visit_param(p, n) for n, p in enumerate(params, start=1)]
    assert evaluate_course({"visits": read}).milestones == evaluate_course(course).milestones


def test_a_visit_from_two_cases_states_only_what_changed():
    before = effective_case([{"week": 0, "red_flags": False, "pt_weeks": 0, "mri_finding": "normal"}])
    visit = visit_from_cases(
        before, parse_case({"weeks_conservative": 6, "pt_weeks": 6, "mri_finding": "normal", "proposed": ["fusion"]})
    )
    assert visit == {"week": 6, "pt_weeks": 6, "red_flags": None, "proposed": ["fusion"]}


@pytest.mark.parametrize(
    "text, field",
    [
        ("week=x", "visit 1: week"),
        ("red_flags=true", "visit 1: week"),
        ("week=0;colour=red", "visit 1: colour"),
        ("week=0;motor_grade_mrc=9", "visit 1: motor_grade_mrc"),
    ],
)
def test_a_bad_visit_parameter_names_the_visit_and_field(text, field):
    with pytest.raises(CaseError) as caught:
        read_visit_param(text, 1)
    assert caught.value.problems[0].field == field
