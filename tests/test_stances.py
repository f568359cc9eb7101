"""Who says what: every shipped pack's statements name shared decision topics, and the stances set side by side
show the disagreements the articles hold."""

import pandas as pd
import pytest

from core.engine.guideline import load_guideline
from core.engine.packs import pack_dirs
from core.errors import DataError
from core.review.stances import STANCE_COLUMNS, disagreements, load_topics, stance_rows
from tests.conftest import edit

PACKS = pack_dirs()


@pytest.fixture(scope="module")
def guidelines():
    return [load_guideline(p) for p in PACKS]


@pytest.fixture(scope="module")
def rows(guidelines):
    return stance_rows(guidelines)


@pytest.mark.parametrize("folder", PACKS, ids=[p.name for p in PACKS])
def test_every_statement_of_every_shipped_pack_names_a_known_topic(folder):
    g = load_guideline(folder)
    untagged = [s.id for s in g.statements if not s.topics]
    assert untagged == []
    assert {t.topic for s in g.statements for t in s.topics} <= set(load_topics())


def test_stance_rows_have_exactly_the_contract_columns(rows):
    assert list(rows.columns) == STANCE_COLUMNS == ["topic", "pathway", "stance", "value", "statement", "citations"]


def test_the_shipped_packs_show_the_disagreements_their_articles_hold(rows):
    split = disagreements(rows)
    assert {"gabapentinoids", "imaging_before_conservative_care"} <= set(split)


def _stance(rows, topic, pathway):
    picked = rows[(rows["topic"] == topic) & (rows["pathway"] == pathway)]
    return {(r.stance, None if r.value is pd.NA else int(r.value)) for r in picked.itertuples()}


def test_each_side_of_a_disagreement_is_the_articles_own(rows):
    ours = "neck-upper-back-pain-after-lumbar-fusion"
    assert _stance(rows, "gabapentinoids", ours) == {("recommend", None)}
    assert _stance(rows, "gabapentinoids", "lumbar-stenosis-claudication") == {("avoid", None)}
    assert _stance(rows, "imaging_before_conservative_care", ours) == {("recommend", None)}
    assert ("avoid", None) in _stance(rows, "imaging_before_conservative_care", "cervical-radiculopathy")


def test_numbers_follow_each_packs_reading(rows):
    weeks = "conservative_weeks_before_surgery"
    assert _stance(rows, weeks, "lumbar-stenosis-claudication") == {("recommend", 12)}
    assert _stance(rows, weeks, "neck-upper-back-pain-after-lumbar-fusion") == {("recommend", 6), ("recommend", 26)}
    assert _stance(rows, "severity_score_cutoff", "cervical-myelopathy") == {("recommend", 12)}


def test_a_topic_not_in_the_list_is_a_data_error_naming_the_file_and_statement(data_copy):
    def rename(content):
        content["statements"][0]["topics"] = [{"topic": "acupuncture_for_everything", "stance": "allow"}]

    edit(data_copy / "statements.yaml", rename)
    g = load_guideline(data_copy)
    with pytest.raises(DataError) as raised:
        stance_rows([g])
    [problem] = raised.value.problems
    assert problem.field == f"statements.yaml: statements.0 ({g.statements[0].id})"
    assert "acupuncture_for_everything" in problem.message and "topics.yaml" in problem.message
