"""Figure builders: what each chart draws, read back from the plotly figure's shapes, traces and annotations."""

import subprocess
import sys
from pathlib import Path

import pytest

from core import evaluate_case
from core.analyses.flows import cohort_flows, demo_cases, flow_nodes
from core.analyses.timeline import axis_end, bypass_rows, timeline_rows
from core.engine.guideline import NEEDS_INFORMATION
from core.outputs.figures import (
    INK,
    MUTED,
    ROUTE,
    SANKEY_COLUMNS,
    TONE_COLOURS,
    pathway_figure,
    pathway_rows,
    sankey_figure,
    timeline_figure,
)

ROOT = Path(__file__).resolve().parent.parent


def scenario_evaluation(guideline, scenario_id):
    return evaluate_case({s.id: s for s in guideline.scenarios}[scenario_id].case, guideline)


def shape(fig, name):
    [found] = [s for s in fig.layout.shapes if s.name == name]
    return found


def trace(fig, name):
    [found] = [t for t in fig.data if t.name == name]
    return found


def annotation(fig, name):
    [found] = [a for a in fig.layout.annotations if a.name == name]
    return found


def contrast_with_white(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.fixture(scope="module")
def flows():
    return cohort_flows(demo_cases())


def test_every_disposition_tone_has_one_colour_that_carries_white_text(guideline):
    assert {d.tone for d in guideline.pathway.dispositions} <= set(TONE_COLOURS)
    assert set(TONE_COLOURS) == {"critical", "high", "moderate", "routine", "unknown"}
    assert len(set(TONE_COLOURS.values())) == len(TONE_COLOURS)
    assert all(contrast_with_white(c) >= 4.5 for c in TONE_COLOURS.values())


def test_pathway_draws_each_rule_with_a_branch_to_its_disposition(guideline):
    fig = pathway_figure(guideline)
    for rule in guideline.pathway.rules:
        tone = TONE_COLOURS[guideline.disposition(rule.disposition).tone]
        assert shape(fig, f"disposition {rule.id}").line.color == tone
        branch = trace(fig, f"yes {rule.id}")
        assert branch.x == (shape(fig, f"rule {rule.id}").x1, shape(fig, f"disposition {rule.id}").x0)
    # The 'no' path runs down the chain: one edge less than there are rules.
    assert len([t for t in fig.data if t.name.startswith("no ")]) == len(guideline.pathway.rules) - 1
    widths = {shape(fig, f"rule {r.id}").line.width for r in guideline.pathway.rules}
    assert len(widths) == 1  # without a patient, no rule stands out


def test_patients_route_is_bold_and_unvisited_rules_fade(guideline):
    fig = pathway_figure(guideline, scenario_evaluation(guideline, "cord_compression_week_one"))
    r1, r2, r3 = (shape(fig, f"rule {r}") for r in ("R1_red_flags", "R2_cord_compression", "R3_progressive_weakness"))
    assert r1.line.color == ROUTE and r1.line.width > r3.line.width
    assert r2.line.color == TONE_COLOURS["critical"] and r2.line.width > r3.line.width
    assert r3.line.color == MUTED
    on_route, off_route = trace(fig, "no R1_red_flags"), trace(fig, "no R2_cord_compression")
    assert on_route.line.width > off_route.line.width and on_route.line.color == ROUTE
    deciding = trace(fig, "yes R2_cord_compression")
    assert deciding.line.color == TONE_COLOURS["critical"]
    assert deciding.line.width > trace(fig, "yes R1_red_flags").line.width


def test_chosen_disposition_is_filled_in_its_tone(guideline):
    fig = pathway_figure(guideline, scenario_evaluation(guideline, "radiculopathy_week_ten_failing"))
    assert shape(fig, "disposition R8_conservative").fillcolor == TONE_COLOURS["routine"]
    assert annotation(fig, "disposition R8_conservative").font.color == "white"
    assert shape(fig, "disposition R6_decompression").fillcolor != TONE_COLOURS["moderate"]
    for visited in ("R1_red_flags", "R6_decompression", "R7_failed_six_months"):
        assert shape(fig, f"rule {visited}").line.color == ROUTE
    assert shape(fig, f"disposition {NEEDS_INFORMATION}").line.dash == "dash"


def test_unknown_rule_is_dashed_in_the_unknown_tone_with_a_question_mark_and_leads_to_needs_information(guideline):
    evaluation = scenario_evaluation(guideline, "instability_not_assessed")
    fig = pathway_figure(guideline, evaluation)
    r6 = shape(fig, "rule R6_decompression")
    assert r6.line.dash == "dash" and r6.line.color == TONE_COLOURS["unknown"]
    assert annotation(fig, "rule R6_decompression").text.startswith("? ")
    assert not annotation(fig, "rule R5_progressive_deformity").text.startswith("?")
    needs = shape(fig, f"disposition {NEEDS_INFORMATION}")
    assert needs.fillcolor == TONE_COLOURS["unknown"] and needs.line.dash == "solid"
    assert "instability" in annotation(fig, f"disposition {NEEDS_INFORMATION}").text
    rail = trace(fig, "unknown route")
    assert rail.line.color == TONE_COLOURS["unknown"] and rail.y[0] == -5  # leaves from R6, the sixth row
    # R7 holds for this patient, but the unknown R6 ahead of it blocks: its disposition is not the outcome.
    assert shape(fig, "disposition R7_failed_six_months").fillcolor != TONE_COLOURS["moderate"]


def test_pathway_rows_are_the_flowcharts_text_equivalent(guideline):
    evaluation = scenario_evaluation(guideline, "instability_not_assessed")
    rows = pathway_rows(guideline, evaluation).set_index("rule")
    assert list(rows.index) == [r.id for r in guideline.pathway.rules]
    assert rows.loc["R6_decompression", "value"] == "unknown"
    assert rows.loc["R5_progressive_deformity", "value"] == "false"
    assert rows.loc["R8_conservative", "value"] == "not reached"
    assert "More information needed" in rows.loc["R6_decompression", "result"]
    assert rows.loc["R2_cord_compression", "outcome"] == "Urgent neurosurgical referral"
    plain = pathway_rows(guideline)
    assert set(plain["value"]) == {""} and "MRI finding is cord compression" in set(plain["condition"])


def test_sankey_links_carry_every_case_through_every_stage(guideline, flows):
    fig = sankey_figure(flows, "Cohort")
    sankey = fig.data[0]
    nodes = flow_nodes(flows)
    assert sankey.type == "sankey" and list(sankey.node.customdata)[0] == nodes[0]
    assert fig.layout.title.text == "Cohort"
    stage = [n.split(": ")[0] for n in nodes]
    for name in ("presentation", "MRI", "rule"):
        into_next = sum(v for s, v in zip(sankey.link.source, sankey.link.value, strict=False) if stage[s] == name)
        assert into_next == len(flows)
    colour = dict(zip(nodes, sankey.node.color, strict=False))
    assert colour["disposition: urgent_neurosurgical_referral"] == TONE_COLOURS["critical"]
    assert colour[f"disposition: {NEEDS_INFORMATION}"] == TONE_COLOURS["unknown"]
    assert sorted(set(sankey.node.x)) == sorted({min(max(x, 0.001), 0.999) for x in SANKEY_COLUMNS})


def test_sankey_labels_are_short_and_the_hover_names_the_node(guideline, flows):
    sankey = sankey_figure(flows).data[0]
    labels = dict(zip(sankey.node.customdata, sankey.node.label, strict=False))
    [r6] = [name for name in labels if name.startswith("rule: R6_decompression (")]
    assert labels[r6] == "R6" and "Failed six months" in r6
    assert labels["MRI: not done"] == "not done"


def test_timeline_marks_the_milestones_and_the_patients_week(guideline):
    fig = timeline_figure(guideline, weeks=10, therapy_weeks=8)
    assert list(trace(fig, "milestones").y) == [m.week for m in guideline.pathway.milestones]
    patient = trace(fig, "This patient: week 10")
    assert patient.y == (10,)
    assert trace(fig, "PT completed: 8 weeks").y == (0, 8)
    current = annotation(fig, "milestone 6")
    assert "Minimum PT complete" in current.text


def test_timeline_clamps_a_week_beyond_the_axis_and_says_so(guideline):
    fig = timeline_figure(guideline, weeks=40, therapy_weeks=12)
    [patient] = [t for t in fig.data if t.name.startswith("This patient")]
    assert patient.y == (axis_end(guideline),) and "beyond week 26" in patient.name


def test_timeline_draws_each_stretch_and_each_bypass_route_from_the_rows(guideline):
    fig = timeline_figure(guideline)
    rows = timeline_rows(guideline)
    bands = [s for s in fig.layout.shapes if (s.name or "").startswith("band ")]
    assert len(bands) == (rows["kind"] == "phase").sum()
    assert "Surgical consultation" in annotation(fig, "band 26").text
    for _, route in bypass_rows(guideline).iterrows():
        assert shape(fig, f"bypass {route['rule']}").line.color == TONE_COLOURS[route["tone"]]
        assert trace(fig, f"bypass {route['rule']}").x[0] == shape(fig, "any week").x0
    assert not [t for t in fig.data if t.showlegend]  # no patient, no patient markers


def test_current_stretch_is_drawn_darker_than_the_others(guideline):
    fig = timeline_figure(guideline, weeks=8, therapy_weeks=8)
    fills = {s.name: s.fillcolor for s in fig.layout.shapes if (s.name or "").startswith("band ")}
    assert fills["band 6"] != fills["band 12"] and fills["band 12"] == fills["band 0"]


def test_figures_serialise_for_the_browser(guideline, flows):
    evaluation = evaluate_case({"red_flags": False, "mri_finding": "normal"}, guideline)
    for fig in (pathway_figure(guideline, evaluation), sankey_figure(flows), timeline_figure(guideline, 3, 2)):
        assert fig.to_json().startswith("{")
        assert fig.layout.font.color == INK


def test_core_figure_modules_never_import_streamlit():
    code = (
        "import sys, core.outputs.figures, core.analyses.flows, core.analyses.timeline, core.review.audit; "
        "print('streamlit' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_empty_cohort_gives_an_empty_sankey_that_says_so(guideline):
    fig = sankey_figure(cohort_flows([]))
    assert len(fig.data[0].node.label) == 0
    assert any(a.text == "No cases to show" for a in fig.layout.annotations)
