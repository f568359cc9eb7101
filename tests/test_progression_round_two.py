"""The progression sankey for educators: columns spaced by weeks, every drawn state named, a picked node's links
highlighted and its courses listed in words (figures as data, and the Pathway page by AppTest)."""

import pytest

from core.analyses.progression import DEMO_VISITS, courses_at, evaluate_visits, progression_links, read_visits
from core.outputs.course_figures import courses_in_words, progression_legend, progression_nodes, progression_sankey
from core.outputs.course_text import state_labels
from tests.app_helpers import start_app


@pytest.fixture(scope="module")
def demo():
    progression = evaluate_visits(read_visits(DEMO_VISITS))
    return progression, progression_links(progression)


def test_columns_are_spaced_by_weeks_not_evenly(guideline, demo):
    _, links = demo
    figure = progression_sankey(links, guideline, "t")
    x = dict(zip(progression_nodes(links, guideline), figure.data[0].node.x, strict=True))
    column = {w: x[next(n for n in x if n[0] == w)] for w in {w for w, _ in x}}
    # Weeks 0, 6, 12, 26: the last step (14 weeks) is wider than the first (6 weeks).
    assert column[26] - column[12] > 2 * (column[6] - column[0])


def test_the_legend_names_every_state_drawn_including_unlabelled_referrals(guideline, demo):
    _, links = demo
    figure = progression_sankey(links, guideline, "t")
    labels = state_labels(guideline)
    drawn = {s for _, s in progression_nodes(links, guideline)}
    unlabelled = {
        s
        for (_, s), text in zip(progression_nodes(links, guideline), figure.data[0].node.label, strict=True)
        if not text
    }
    assert unlabelled  # small nodes stay unlabelled on the drawing itself
    assert {label for _, label in progression_legend(links, guideline)} == {labels[s] for s in drawn}


def test_a_picked_node_keeps_its_links_strong_and_fades_the_rest(guideline, demo):
    _, links = demo
    picked = (6, "interventional_options")
    figure = progression_sankey(links, guideline, "t", picked)
    alphas = [float(c.rsplit(",", 1)[1].rstrip(")")) for c in figure.data[0].link.color]
    touching = [picked in ((int(r.from_week), r.from_state), (int(r.to_week), r.to_state)) for r in links.itertuples()]
    assert {a for a, t in zip(alphas, touching, strict=True) if t} == {0.8}
    assert {a for a, t in zip(alphas, touching, strict=True) if not t} == {0.08}


def test_the_courses_behind_a_node_read_in_words(guideline, demo):
    progression, _ = demo
    words = courses_in_words(courses_at(progression, 6, "interventional_options"), guideline)
    ids = set(state_labels(guideline))
    assert not any(v in ids for column in words.columns[1:] for v in words[column])


def test_the_pathway_page_lists_a_picked_nodes_courses_in_words():
    at = start_app(page="pathway")
    picker = at.selectbox(key="pathway_progression_node")
    assert picker.value is None
    picker.set_value((6, "interventional_options")).run()
    table = next(d.value for d in at.dataframe if "week_6" in d.value.columns)
    assert set(table["week_6"]) == {"Interventional options (conservative care failing after 6 weeks of PT)"}
