"""Safe and clear at the bedside: no silent gaps, every outcome still possible, contradictions named, time told."""

import pytest

from core import evaluate_case, load_guideline
from core.analyses.timeline import timeline_rows
from core.engine.case import parse_case
from core.engine.conditions import holds
from core.engine.inconsistencies import find_inconsistencies, load_inconsistency_rules
from core.engine.parts import condition_parts
from core.engine.possible import OTHERWISE, either_way, possible_dispositions, residual
from core.engine.standing import milestones_ahead
from core.outputs.evidence_marks import statement_marks
from core.outputs.presentation import trace_rows
from core.outputs.report import build_report, evidence_flag, report_markdown
from core.outputs.summary import evaluation_text
from core.review.evidence import EvidenceCheck, EvidenceLayer, load_evidence
from tests.conftest import case

SCENARIOS = {s.id: s.case for s in load_guideline().scenarios}
INDEX_NO_MOTOR = SCENARIOS["index_case_motor_power_unassessed"]
# The issue's week-8 link: 4 weeks of PT, care failing, no correlating pathology.
ISSUE_WEEK_8 = case(weeks_conservative=8, pt_weeks=4, correlating_pathology=False)
SAFEGUARD = "myelopathy_signs_without_cord_compression"


# --- myelopathy signs without cord compression -------------------------------------------------------------


@pytest.mark.parametrize("finding", ["nerve_root_compression", "degenerative_only", "normal"])
def test_myelopathy_signs_with_an_mri_free_of_cord_compression_raise_the_safeguard(finding):
    result = evaluate_case({**ISSUE_WEEK_8, "myelopathy_signs": True, "mri_finding": finding})
    assert SAFEGUARD in result.warnings
    assert "safeguard_myelopathy_without_cord_compression" in [s.id for s in result.statements]


@pytest.mark.parametrize(
    "change",
    [
        {"myelopathy_signs": None},
        {"myelopathy_signs": False},
        {"mri_finding": None},
        {"mri_finding": "cord_compression"},
        {"mri_finding": "not_done"},
    ],
)
def test_the_myelopathy_safeguard_fires_on_known_inputs_only(change):
    values = {**ISSUE_WEEK_8, "myelopathy_signs": True, **change}
    assert SAFEGUARD not in evaluate_case({k: v for k, v in values.items() if v is not None}).warnings


def test_the_myelopathy_safeguard_is_data_marked_safeguard_in_a_high_tone(guideline):
    warning = next(w for w in guideline.pathway.warnings if w.id == SAFEGUARD)
    assert (warning.origin, warning.tone) == ("safeguard", "high")
    assert all(guideline.statement(s).origin == "safeguard" for s in warning.statements)


# --- dispositions still possible ---------------------------------------------------------------------------


def test_the_articles_patient_with_motor_power_unassessed_reads_referral_if_progressive_otherwise_mri():
    result = evaluate_case(INDEX_NO_MOTOR)
    assert result.disposition == "needs_information"
    referral, mri = result.possible_dispositions
    assert referral.disposition == "neurosurgical_referral"
    assert referral.condition == "progressive motor deficit: yes and weakest MRC grade <= 4"
    assert (mri.disposition, mri.condition, mri.unless) == ("obtain_mri", OTHERWISE, ["neurosurgical_referral"])
    assert mri.assess == ["motor_deficit_progressive", "motor_grade_mrc"]


def test_the_route_taken_otherwise_says_it_is_needed_either_way_unless_referred(guideline):
    referral, mri = evaluate_case(INDEX_NO_MOTOR).possible_dispositions
    assert either_way(referral, guideline) == ""
    assert either_way(mri, guideline) == (
        ", needed either way unless Neurosurgical referral (progressive weakness) applies"
    )
    text = evaluation_text(evaluate_case(INDEX_NO_MOTOR), guideline)
    assert "Obtain cervical and thoracic MRI [obtain_mri]: otherwise, needed either way unless" in text


def test_possible_dispositions_are_in_the_json_with_the_exact_keys():
    data = evaluate_case(INDEX_NO_MOTOR).model_dump(mode="json")
    assert {"disposition", "condition"} <= set(data["possible_dispositions"][0])
    assert "inconsistencies" in data


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_a_decided_case_lists_just_its_own_disposition(scenario):
    result = evaluate_case(SCENARIOS[scenario])
    if result.disposition != "needs_information":
        assert [p.disposition for p in result.possible_dispositions] == [result.disposition]


def test_a_blank_case_can_still_end_anywhere_most_urgent_first(guideline):
    possible = evaluate_case({}).possible_dispositions
    # An unknown scope is walked as inside it: the scope's own disposition is not among the possible ones.
    decided = [d.id for d in guideline.pathway.dispositions if d.id not in ("needs_information", "outside_scope")]
    assert sorted(p.disposition for p in possible) == sorted(decided)
    tones = ["critical", "high", "moderate", "routine"]
    ranks = [tones.index(guideline.disposition(p.disposition).tone) for p in possible]
    assert ranks == sorted(ranks) and possible[-1].condition == OTHERWISE


def test_every_possible_disposition_is_reached_by_assessing_the_unknowns(guideline):
    """Each listed outcome really happens for some completion of the case, and no other outcome does."""
    from itertools import product

    case = {k: v for k, v in ISSUE_WEEK_8.items() if k not in ("deformity_progressive", "motor_grade_mrc")}
    listed = {p.disposition for p in evaluate_case(case).possible_dispositions}
    reached = {
        evaluate_case({**case, "deformity_progressive": d, "motor_grade_mrc": m}).disposition
        for d, m in product((True, False), range(6))
    }
    assert listed == reached


def test_residual_keeps_only_the_unknown_parts(guideline):
    rule = next(r for r in guideline.pathway.rules if r.id == "R6_decompression")
    left = residual(
        rule.when,
        {
            **parse_case(ISSUE_WEEK_8).values(),
            "weeks_conservative": 26,
            "pt_weeks": 6,
            "correlating_pathology": True,
            "instability": None,
        },
    )
    assert holds(left, {"instability": False}) is True and holds(left, {"instability": True}) is False
    assert residual(rule.when, parse_case(ISSUE_WEEK_8).values()) is False


def test_possible_dispositions_ignore_rules_that_known_inputs_rule_out(guideline):
    values = parse_case({"red_flags": False, "mri_finding": "normal"}).values()
    assert "obtain_mri" not in [p.disposition for p in possible_dispositions(values, guideline)]


# --- blank case trace ---------------------------------------------------------------------------------------


def test_a_blocked_trace_stops_at_the_rule_that_blocks_it():
    result = evaluate_case({})
    assert [s.id for s in result.trace] == ["R1_red_flags"]
    assert all(s.value != "true" for s in result.trace)


# --- inconsistencies ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case, found",
    [
        ({"correlating_pathology": True, "mri_finding": "normal"}, "correlating_pathology_without_imaging"),
        ({"correlating_pathology": True, "mri_finding": "not_done"}, "correlating_pathology_without_imaging"),
        ({"motor_deficit_progressive": True, "motor_grade_mrc": 5}, "progressive_deficit_with_full_power"),
        ({"conservative_failed": True, "weeks_conservative": 0, "pt_weeks": 0}, "care_failing_before_it_started"),
        (
            {"conservative_failed": True, "weeks_conservative": 8, "pt_weeks": 0},
            "failing_care_without_any_physical_therapy",
        ),
    ],
)
def test_inputs_that_contradict_each_other_are_named_and_the_evaluation_still_runs(case, found):
    result = evaluate_case(case)
    assert found in [i.id for i in result.inconsistencies]
    assert result.disposition  # still decided (or asking for information) as entered


def test_consistent_and_unknown_inputs_raise_no_inconsistency():
    assert evaluate_case(ISSUE_WEEK_8).inconsistencies == []
    assert evaluate_case({"correlating_pathology": True}).inconsistencies == []
    assert find_inconsistencies(parse_case({"motor_deficit_progressive": True, "motor_grade_mrc": 4}).values()) == []


def test_inconsistencies_are_data_read_with_the_fields_they_concern():
    rules = load_inconsistency_rules()
    assert len(rules) >= 3
    found = evaluate_case({"correlating_pathology": True, "mri_finding": "normal"}).inconsistencies[0]
    assert found.fields == ["correlating_pathology", "mri_finding"]


# --- where the patient stands in time -----------------------------------------------------------------------


def test_week_eight_with_four_weeks_of_pt_is_two_pt_weeks_short_and_eighteen_from_six_months():
    ahead = {a.week: a for a in milestones_ahead(evaluate_case(ISSUE_WEEK_8), load_guideline())}
    assert (ahead[6].clock, ahead[6].weeks_left) == ("pt_weeks", 2)
    assert (ahead[26].clock, ahead[26].weeks_left) == ("weeks_conservative", 18)


def test_the_timeline_reads_pt_weeks_for_minimum_pt_and_the_phase(guideline):
    rows = timeline_rows(guideline, 8, 4)
    status = {(r.kind, r.week): r.status for r in rows.itertuples()}
    assert status[("milestone", 6)] == "upcoming"
    assert status[("phase", 0)] == "current" and status[("phase", 6)] == "upcoming"
    assert status[("milestone", 26)] == "upcoming"


def test_the_report_places_minimum_pt_on_pt_weeks(guideline):
    report = build_report(evaluate_case(ISSUE_WEEK_8), guideline)
    states = {m.week: m.state for m in report.milestones}
    assert states[6] == "next" and states[12] == "ahead"
    assert "2 more weeks of formal physical therapy to week 6" in report_markdown(report)


# --- which part of a condition fails -------------------------------------------------------------------------


def test_a_week_25_case_shows_weeks_26_as_the_failing_part(guideline):
    case = SCENARIOS["week_twenty_five_failing"]
    rule = next(r for r in guideline.pathway.rules if r.id == "R6_decompression")
    parts = condition_parts(rule.when, parse_case(case).values(), guideline)
    assert [p.text for p in parts if p.value == "false"] == ["weeks of conservative care >= 26"]
    row = next(r for r in trace_rows(evaluate_case(case), guideline) if r["rule"].startswith("R6"))
    assert "✗ weeks of conservative care >= 26 (false)" in row["checks"]


# --- evidence marks and report wording ------------------------------------------------------------------------


def test_statements_with_unresolved_citations_or_disputed_evidence_are_marked(guideline):
    layer = load_evidence()
    unresolved = next(s for s in guideline.statements if 5 in s.citations or 6 in s.citations)
    assert any(
        "not in the article's reference list" in m
        for m in statement_marks(unresolved.id, unresolved.citations, guideline, layer)
    )
    disputed = next(sid for sid, checks in layer.checks.items() if any(c.verdict == "disagrees" for c in checks))
    s = guideline.statement(disputed)
    assert "outside evidence disagrees" in " ".join(statement_marks(s.id, s.citations, guideline, layer))


def test_a_confirmed_check_is_not_reported_as_unconfirmed(guideline):
    sid = "no_long_term_opioids"
    checks = [
        EvidenceCheck(source="A", kind="guideline", verdict="disagrees", note="n", confirmed=True),
        EvidenceCheck(source="B", kind="guideline", verdict="partly", note="n", confirmed=False),
    ]
    result = evaluate_case({**ISSUE_WEEK_8, "proposed": ["long_term_opioids"]})
    report = build_report(result, guideline, EvidenceLayer(checks={sid: checks}))
    row = next(r for w in report.warnings for r in w.statements if r.id == sid)
    flag = evidence_flag(row)
    assert "from summaries, unconfirmed" not in flag and "B (unconfirmed)" in flag and "A" in flag


def test_the_changelog_counts_the_review_checks_the_page_shows(guideline):
    layer = load_evidence()
    total = sum(len(c) for c in layer.checks.values())
    text = " ".join(c for entry in guideline.info.changelog for c in entry.changes)
    assert "eleven findings" not in " ".join(guideline.info.changelog[-2].changes)
    assert f"{total} checks of {len(layer.checks)} statements" in text


def test_the_report_of_a_blocked_case_says_what_is_still_possible_and_what_contradicts(guideline):
    from core.outputs.report_html import report_html
    from core.outputs.report_pdf import report_pdf

    case = {**INDEX_NO_MOTOR, "correlating_pathology": True}
    content = build_report(evaluate_case(case), guideline)
    assert content.possible == [
        "Neurosurgical referral (progressive weakness) if progressive motor deficit: yes and weakest MRC grade <= 4",
        "otherwise: Obtain cervical and thoracic MRI, needed either way unless Neurosurgical referral "
        "(progressive weakness) applies",
    ]
    assert len(content.inconsistencies) == 1
    markdown = report_markdown(content)
    assert "**Still possible**" in markdown and "- otherwise: Obtain cervical and thoracic MRI" in markdown
    assert "weakest MRC grade &lt;= 4" in report_html(content)
    assert report_pdf(content).startswith(b"%PDF")
    assert build_report(evaluate_case(SCENARIOS["index_case_before_mri"]), guideline).possible == []


def test_a_broken_inconsistency_file_is_named_by_validate(data_copy):
    import subprocess
    import sys

    path = data_copy / "inconsistencies.yaml"
    path.write_text(
        path.read_text().replace("field: motor_grade_mrc, op: ge, value: 5", "field: motor_grade, op: ge, value: 5")
    )
    result = subprocess.run(
        [sys.executable, "-m", "core", "validate", "--data", str(data_copy)], capture_output=True, text=True
    )
    assert result.returncode == 2 and "inconsistencies.yaml" in result.stderr and "motor_grade" in result.stderr
