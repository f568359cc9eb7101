"""The time model is data: a pack whose clocks and per-visit list carry other ids (and other words) runs through
the timeline, a course and the standing sentences exactly as the default pack does."""

import json
import re
import shutil

import pytest

import core.engine.vocabulary as vocabulary_module
from core.analyses.course import evaluate_course, parse_course
from core.analyses.timeline import timeline_rows
from core.engine.evaluate import evaluate_case
from core.engine.guideline import DATA_DIR, load_guideline
from core.engine.standing import milestones_ahead
from core.engine.vocabulary import VOCABULARY_FILE, Vocabulary, load_vocabulary
from core.errors import CaseError

# The default pack's time fields, and the ids and words they get in the copy.
RENAMED = {"weeks_conservative": "care_weeks", "pt_weeks": "therapy_weeks", "proposed": "plans"}
WORDS = {"formal physical therapy": "supervised exercise"}


def _renamed(text: str) -> str:
    for old, new in RENAMED.items():
        text = re.sub(rf"\b{old}\b", new, text)
    for old, new in WORDS.items():
        text = text.replace(f"counts: {old}", f"counts: {new}")
    return text


@pytest.fixture
def renamed(tmp_path, monkeypatch):
    """The default pack and the vocabulary, copied with the time fields under other ids."""
    vocabulary = tmp_path / "vocabulary.yaml"
    vocabulary.write_text(_renamed(VOCABULARY_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    pack = tmp_path / "pack"
    shutil.copytree(DATA_DIR, pack)
    for path in pack.iterdir():
        path.write_text(_renamed(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setattr(vocabulary_module, "VOCABULARY_FILE", vocabulary)
    return load_guideline(pack)


START = {
    "red_flags": False,
    "mri_finding": "degenerative_only",
    "myelopathy_signs": False,
    "radicular_symptoms": False,
    "motor_grade_mrc": 5,
    "motor_deficit_progressive": False,
    "instability": False,
    "deformity_progressive": False,
    "conservative_failed": False,
    "correlating_pathology": False,
}


def course(ids):
    week, pt, plans = (ids[k] for k in RENAMED)
    return {
        "visits": [
            {"week": 0, pt: 0, **START},
            {"week": 6, pt: 6, "conservative_failed": True, plans: ["fusion"]},
            {"week": 8, "correlating_pathology": True},
            {"week": 26, pt: 12},
        ]
    }


def test_the_copy_reads_the_time_fields_under_their_new_ids(renamed):
    schema = renamed.schema
    assert (schema.visit_clock, schema.inner_clocks, schema.per_visit) == ("care_weeks", ("therapy_weeks",), ("plans",))
    assert renamed.clocks == ["care_weeks", "therapy_weeks"]


def test_the_timeline_of_the_copy_matches_the_default_packs_in_its_own_words(renamed, guideline):
    mine, theirs = timeline_rows(renamed, 10, 8), timeline_rows(guideline, 10, 8)
    same = [c for c in theirs.columns if c != "what"]
    assert mine[same].equals(theirs[same])
    words = theirs["what"].str.replace("formal physical therapy", "supervised exercise")
    assert list(mine["what"]) == list(words)
    assert "This patient: 8 weeks of supervised exercise completed" in set(mine["what"])


def test_a_course_under_the_copy_runs_as_under_the_default_pack(renamed, guideline):
    mine = evaluate_course(course(RENAMED), renamed)
    theirs = evaluate_course(course({k: k for k in RENAMED}), guideline)
    assert [v.state for v in mine.visits] == [v.state for v in theirs.visits]
    assert [v.warnings for v in mine.visits] == [v.warnings for v in theirs.visits]
    assert mine.visits[1].warnings and not mine.visits[2].warnings  # what is planned is read at its visit only
    assert mine.milestones == theirs.milestones
    third = mine.visits[2].evaluation.case.values()
    assert (third["care_weeks"], third["therapy_weeks"], third["plans"]) == (8, 6, ())  # plans are not carried
    assert json.loads(mine.visits[2].evaluation.model_dump_json())["weeks_conservative"] == 8  # the contract key


def test_the_copys_count_within_the_week_keeps_the_course_rules(renamed):
    data = course(RENAMED)
    data["visits"][1]["therapy_weeks"] = 2
    data["visits"][2]["therapy_weeks"] = 5  # three weeks of therapy in two weeks
    with pytest.raises(CaseError) as raised:
        parse_course(data, renamed)
    assert [p.field for p in raised.value.problems] == ["visit 3: therapy_weeks"]
    assert "therapy_weeks 2 -> 5" in raised.value.problems[0].message


def test_the_standing_sentence_counts_in_the_copys_words(renamed):
    evaluation = evaluate_case({"care_weeks": 8, "therapy_weeks": 4, "mri_finding": "normal"}, renamed)
    sentences = [a.sentence for a in milestones_ahead(evaluation, renamed)]
    assert "2 more weeks of supervised exercise to week 6" in sentences[0]


def test_the_vocabulary_has_exactly_one_visit_week():
    data = load_vocabulary().model_dump()
    data["fields"]["pt_weeks"]["course"] = "visit_week"
    with pytest.raises(ValueError, match="exactly one field is the visit's week"):
        Vocabulary.model_validate(data)
