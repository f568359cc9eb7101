"""data/ validates, and broken data is reported with file, path and reason."""

import pytest

from core import DataError
from core.engine.guideline import load_guideline
from tests.conftest import edit


def test_data_loads_once_per_process():
    assert load_guideline() is load_guideline()


def test_references_are_the_four_the_article_lists(guideline):
    assert [r.number for r in guideline.references] == [1, 2, 3, 4]
    cited = {n for s in guideline.statements for n in s.citations}
    assert cited == {1, 2, 3, 4, 5, 6}


def test_safeguards_are_labelled_and_carry_no_article_citation(guideline):
    safeguards = [s for s in guideline.statements if s.origin == "safeguard"]
    assert {"safeguard_red_flag_screen", "safeguard_myelopathy_signs"} <= {s.id for s in safeguards}
    assert all(s.citations == [] for s in safeguards)


def test_milestones_are_weeks_0_6_12_26(guideline):
    assert [m.week for m in guideline.pathway.milestones] == [0, 6, 12, 26]


def messages(data_dir):
    with pytest.raises(DataError) as info:
        load_guideline(data_dir)
    return [str(p) for p in info.value.problems]


def test_unknown_statement_in_a_rule_is_named_with_file_and_rule(data_copy):
    edit(data_copy / "pathway.yaml", lambda d: d["rules"][1]["statements"].append("no_such_statement"))
    assert any(
        "pathway.yaml: rules.1 (R2_cord_compression)" in m and "no_such_statement" in m for m in messages(data_copy)
    )


def test_condition_on_an_unknown_field_is_rejected(data_copy):
    edit(data_copy / "pathway.yaml", lambda d: d["rules"][0]["when"].update(field="temperature"))
    assert any("unknown field `temperature`" in m for m in messages(data_copy))


def test_wrong_value_type_in_a_condition_is_rejected(data_copy):
    edit(data_copy / "pathway.yaml", lambda d: d["rules"][0]["when"].update(value="yes"))
    assert any("red_flags" in m and "true/false" in m for m in messages(data_copy))


def test_schema_error_names_the_path_inside_the_file(data_copy):
    edit(data_copy / "statements.yaml", lambda d: d["statements"][3].update(kind="suggest"))
    assert any(m.startswith("statements.yaml: statements.3.kind") for m in messages(data_copy))


def test_scenario_with_an_invalid_case_is_rejected(data_copy):
    edit(data_copy / "scenarios.yaml", lambda d: d["scenarios"][0]["case"].update(pt_weeks=9))
    assert any("case.pt_weeks" in m for m in messages(data_copy))


def test_invalid_yaml_and_missing_files_are_reported(data_copy):
    (data_copy / "references.yaml").write_text("references: [unclosed")
    assert any(m.startswith("references.yaml: not valid YAML") for m in messages(data_copy))
    (data_copy / "references.yaml").unlink()
    assert messages(data_copy) == ["references.yaml: file is missing"]


def test_editing_a_threshold_in_data_changes_the_decision_without_code(data_copy):
    from core import evaluate_case
    from tests.conftest import case

    edit(data_copy / "pathway.yaml", lambda d: d["rules"][5]["when"]["all"][0].update(value=20))
    edited = load_guideline(data_copy)
    assert evaluate_case(case(weeks_conservative=20), edited).disposition == "decompression_referral"
    assert evaluate_case(case(weeks_conservative=20)).disposition == "conservative_care"
