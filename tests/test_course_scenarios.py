"""The teaching courses (data/course_scenarios.yaml) and the illustrative demo visits (data/demo_visits.csv)."""

import subprocess
import sys

import pytest

from core import evaluate_course
from core.analyses.course_scenarios import load_course_scenarios
from core.analyses.progression import DEMO_VISITS, evaluate_visits, progression_links, read_visits
from core.engine.guideline import DATA_DIR, read_yaml

SCENARIOS = load_course_scenarios()


def test_there_are_at_least_five_teaching_courses_with_unique_ids():
    assert len(SCENARIOS) >= 5 and len({s.id for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_teaching_course_reaches_its_expected_milestone_states_and_deviations(scenario):
    result = evaluate_course(scenario.course)
    assert {m.week: m.state for m in result.milestones} == scenario.expected.milestones
    assert [d.warning for d in result.deviations] == scenario.expected.deviations


def test_teaching_courses_cover_every_censoring_case():
    states = {state for s in SCENARIOS for state in s.expected.milestones.values()}
    assert {"not_yet_seen", "no_further_visit", "urgent_neurosurgical_referral"} <= states


def test_demo_visits_regenerate_byte_for_byte(tmp_path):
    out = tmp_path / "demo_visits.csv"
    subprocess.run(
        [sys.executable, "scripts/make_demo_visits.py", "--out", str(out)],
        cwd=DATA_DIR.parents[2],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == DEMO_VISITS.read_bytes()


def test_demo_visits_are_all_good_and_show_censoring_and_referrals():
    result = evaluate_visits(read_visits(DEMO_VISITS))
    assert (
        result.summary.bad_rows == 0
        and result.summary.courses == read_yaml(DATA_DIR / "progression_model.yaml")["courses"]
    )
    to_states = set(progression_links(result)["to_state"])
    assert {"no_further_visit", "decompression_referral", "interventional_options"} <= to_states


def test_progression_model_is_marked_illustrative_and_its_chances_sum_to_one():
    model = read_yaml(DATA_DIR / "progression_model.yaml")
    assert model["illustrative"] is True
    for chances in [*model["steps"].values(), model["new_findings"], model["start"]["mri_finding"]]:
        assert sum(chances.values()) == pytest.approx(1.0)
    assert set(model["sources_steps"]) == {"improving", "still_failing", "new_finding", "missed_follow_up"}
