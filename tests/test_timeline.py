"""The conservative-care timeline as rows, derived from the milestones, phases and rules in data/."""

import shutil

import pandas as pd
import pytest
import yaml

from core.analyses.timeline import (
    BYPASS_COLUMNS,
    TIMELINE_COLUMNS,
    axis_end,
    bypass_rows,
    time_gated_rules,
    timeline_rows,
)
from core.engine.guideline import DATA_DIR, load_guideline


def rows_of(frame, kind):
    return frame[frame["kind"] == kind].reset_index(drop=True)


def test_milestones_come_from_data_with_their_words(guideline):
    milestones = rows_of(timeline_rows(guideline), "milestone")
    assert list(milestones["week"]) == [0, 6, 12, 26]
    assert list(milestones["what"]) == [m.label for m in guideline.pathway.milestones]
    assert list(timeline_rows(guideline).columns) == TIMELINE_COLUMNS


def test_stretches_run_between_milestones_with_the_phases_that_can_apply(guideline):
    phases = rows_of(timeline_rows(guideline), "phase")
    assert list(phases["week"]) == [0, 6, 12, 26]
    assert list(phases["until"].iloc[:3]) == [6, 12, 26] and pd.isna(phases["until"].iloc[3])
    labels = {p.id: p.label for p in guideline.pathway.phases}
    # Before 6 weeks of PT only the first phase applies; after it, failing or improving decides.
    assert phases.loc[0, "what"] == labels["physical_therapy_and_medication"]
    assert phases.loc[1, "what"] == f"{labels['interventional_options']} or {labels['continued_conservative_care']}"


def test_surgical_routes_open_at_six_months(guideline):
    opens = rows_of(timeline_rows(guideline), "route opens")
    assert set(opens["week"]) == {26}
    assert [r.id for r in time_gated_rules(guideline)] == ["R6_decompression", "R7_failed_six_months"]
    assert any("Surgical consultation" in w for w in opens["what"])


def test_status_is_relative_to_the_patients_week(guideline):
    rows = timeline_rows(guideline, 10, 8)
    status = {(k, w): s for k, w, s in zip(rows["kind"], rows["week"], rows["status"], strict=False)}
    assert status[("milestone", 6)] == "done" and status[("milestone", 12)] == "upcoming"
    assert status[("phase", 0)] == "done" and status[("phase", 6)] == "current" and status[("phase", 12)] == "upcoming"
    at_six = timeline_rows(guideline, 6)
    assert at_six.loc[(at_six["kind"] == "milestone") & (at_six["week"] == 6), "status"].item() == "current"


def test_unknown_week_gives_unknown_status_and_no_patient_rows(guideline):
    rows = timeline_rows(guideline)
    assert set(rows["status"]) == {"unknown"} and "patient" not in set(rows["kind"])


def test_patient_rows_say_the_week_and_pt_and_when_beyond_the_axis(guideline):
    rows = rows_of(timeline_rows(guideline, 40, 12), "patient")
    assert "12 weeks of formal physical therapy" in rows.loc[0, "what"]
    assert "week 40" in rows.loc[1, "what"] and "beyond week 26" in rows.loc[1, "what"]
    assert "beyond" not in timeline_rows(guideline, 20, 6)["what"].str.cat()


def test_open_ended_stretch_is_current_past_six_months(guideline):
    rows = timeline_rows(guideline, 40)
    last = rows[(rows["kind"] == "phase") & (rows["week"] == 26)]
    assert last["status"].item() == "current"


def test_bypass_routes_are_the_rules_that_fire_at_any_week_after_mri(guideline):
    bypass = bypass_rows(guideline)
    assert list(bypass.columns) == BYPASS_COLUMNS
    assert list(bypass["rule"]) == [
        "R1_red_flags",
        "R2_cord_compression",
        "R3_progressive_weakness",
        "R5_progressive_deformity",
    ]
    cord = bypass.set_index("rule").loc["R2_cord_compression"]
    assert cord["disposition"] == "urgent_neurosurgical_referral"
    assert bool(cord["urgent"]) and cord["tone"] == "critical"
    assert "MRC" in bypass.set_index("rule").loc["R3_progressive_weakness", "condition"]


def test_axis_runs_past_the_last_milestone(guideline):
    assert axis_end(guideline) > max(m.week for m in guideline.pathway.milestones)


def test_moving_a_milestone_in_data_moves_the_timeline(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "pathway.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    content["milestones"][2] = {"week": 10, "label": "Ten-week review", "clock": "weeks_conservative"}
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    rows = timeline_rows(load_guideline(data), 11)
    milestones = rows_of(rows, "milestone")
    assert list(milestones["week"]) == [0, 6, 10, 26] and "Ten-week review" in set(milestones["what"])
    assert rows[(rows["kind"] == "phase") & (rows["week"] == 10)]["status"].item() == "current"


@pytest.mark.parametrize("weeks", [0, 5, 6, 25, 26, 27, 520])
def test_exactly_one_stretch_is_current_for_any_week(guideline, weeks):
    rows = timeline_rows(guideline, weeks)
    assert (rows[rows["kind"] == "phase"]["status"] == "current").sum() == 1


def test_stretches_and_routes_carry_the_tone_of_where_they_lead(guideline):
    rows = timeline_rows(guideline)
    assert set(rows.loc[rows["kind"] == "phase", "tone"]) == {"routine"}
    opens = rows[rows["kind"] == "route opens"]
    assert list(opens["leads_to"]) == ["Referral for decompression alone (no fusion)", "Surgical consultation"]
    assert set(opens["tone"]) == {"moderate"}
