"""What the pages show, in words: trace and warning tables, field groups, citation links, problems."""
from core import evaluate_case
from core.case import CASE_FIELDS
from core.errors import Problem
from core.presentation import (
    GROUP_TITLES, assess_next, case_frame, citation_links, deciding_sentence, field_groups, phase_sentence,
    bypass_table, pathway_table, problem_text, rows_flagged, soft_breaks, statement_frame, timeline_table,
    trace_frame, value_words, warning_frame, wrappable,
)
from tests.conftest import case


def test_every_case_field_appears_once_under_a_clinical_heading(guideline):
    groups = field_groups(guideline)
    fields = [f for _, names in groups for f in names]
    assert sorted(fields) == sorted(CASE_FIELDS)
    assert [title for title, _ in groups][:2] == [GROUP_TITLES["safety"], GROUP_TITLES["imaging"]]


def test_trace_table_marks_the_deciding_rule_and_reads_inputs_in_words(guideline):
    e = evaluate_case(case(mri_finding="cord_compression"), guideline)
    frame = trace_frame(e, guideline)
    assert list(frame["rule"]) == ["R1_red_flags · Red-flag screen", "R2_cord_compression · Cord compression on MRI"]
    assert list(frame["decides"]) == [False, True]
    assert list(frame["result"]) == ["false", "true"]
    assert frame.loc[1, "checks"] == "MRI finding is cord compression"
    assert frame.loc[1, "inputs read"] == "MRI finding = cord compression"


def test_unknown_inputs_read_as_not_assessed_and_block_with_needs_information(guideline):
    e = evaluate_case(case(instability=..., weeks_conservative=28, pt_weeks=10), guideline)
    frame = trace_frame(e, guideline)
    blocking = frame[frame["decides"]].iloc[0]
    assert blocking["result"] == "unknown"
    assert "instability on flexion-extension imaging = not assessed" in blocking["inputs read"]
    assert "cannot be decided" in deciding_sentence(e)
    assert assess_next(e, guideline) == ["instability on flexion-extension imaging"]


def test_warning_table_lists_every_check_with_whether_it_applies(guideline):
    e = evaluate_case(case(proposed=["cervical_manipulation"]), guideline)
    frame = warning_frame(e, guideline)
    assert len(frame) == len(guideline.pathway.warnings)
    results = dict(zip(frame["check"].str.split(" · ").str[0], frame["result"]))
    assert results["avoid_manipulation"] == "applies"
    assert results["avoid_long_term_opioids"] == "does not apply"


def test_phase_sentence_names_the_phase_and_weeks_to_the_next_milestone(guideline):
    e = evaluate_case(case(), guideline)  # week 10, PT 8, failing: interventional options, next milestone 12
    text = phase_sentence(e, guideline)
    assert "Interventional options" in text
    assert "week 12" in text and "in 2 weeks" in text
    assert phase_sentence(evaluate_case(case(red_flags=True), guideline), guideline) is None


def test_deciding_sentence_counts_the_rules_that_did_not_apply(guideline):
    e = evaluate_case(case(), guideline)
    assert deciding_sentence(e).startswith(f"Rule {e.deciding_rule}")
    assert f"the {len(e.trace) - 1} rules before it did not apply" in deciding_sentence(e)


def test_citation_links_land_on_the_reference_anchor():
    assert citation_links([3, 5]) == "[[3]](references?ref=3#ref-3) [[5]](references?ref=5#ref-5)"


def test_problems_name_the_field_by_its_label(guideline):
    text = problem_text(Problem(field="pt_weeks", message="cannot exceed weeks_conservative (8 > 4)"), guideline)
    assert text == "Weeks of formal physical therapy: cannot exceed weeks of conservative care (8 > 4)"


def test_value_words(guideline):
    assert value_words("mri_finding", "nerve_root_compression", guideline) == "nerve root compression"
    assert value_words("red_flags", False, guideline) == "no"
    assert value_words("instability", None, guideline) == "not assessed"
    assert value_words("proposed", ("fusion",), guideline) == "fusion"
    assert value_words("proposed", (), guideline) == "none"


def test_statement_table_has_every_statement_with_origin_and_citations(guideline):
    frame = statement_frame(guideline)
    assert len(frame) == len(guideline.statements)
    safeguards = frame[frame["origin"] == "safeguard"]
    assert not safeguards.empty and set(safeguards["citations"]) == {"none"}


def test_case_table_lists_known_fields_only(guideline):
    from core import parse_case

    frame = case_frame(parse_case({"red_flags": False, "mri_finding": "normal"}), guideline)
    assert frame.to_dict("records") == [
        {"field": "red flags", "value": "no"}, {"field": "MRI finding", "value": "normal"}]


def test_audit_rows_filter_by_any_chosen_flag(guideline):
    from core.audit import audit_table

    audit = audit_table(guideline)
    unresolved = rows_flagged(audit, ["unresolved citation"])
    assert len(unresolved) > 0 and all("unresolved citation" in f for f in unresolved["flags"])
    both = rows_flagged(audit, ["unresolved citation", "region mismatch"])
    assert len(both) >= len(unresolved)
    assert len(rows_flagged(audit, [])) == len(audit)


def test_chart_tables_fit_a_phone_in_four_columns_and_keep_the_facts(guideline):
    from core.figures import pathway_rows
    from core.timeline import bypass_rows, timeline_rows

    e = evaluate_case(case(mri_finding="cord_compression"), guideline)
    pathway = pathway_table(pathway_rows(guideline, e))
    timeline = timeline_table(timeline_rows(guideline, 10, 8))
    bypass = bypass_table(bypass_rows(guideline))
    assert all(len(t.columns) <= 4 for t in (pathway, timeline, bypass))
    assert pathway.loc[1, "value"].startswith("true (decides")
    assert pathway.loc[1, "rule"].endswith("if it holds: Urgent neurosurgical referral")
    assert set(timeline["weeks"]) >= {"0", "0-6", "26+", "10"}
    assert "Urgent neurosurgical referral (urgent)" in set(bypass["leads to"])


def test_soft_breaks_let_long_ids_wrap_without_changing_what_is_read():
    import pandas as pd

    broken = soft_breaks(pd.Series(["R3_progressive_weakness"]))[0]
    assert broken.replace("\u200b", "") == "R3_progressive_weakness" and broken.count("\u200b") == 2


def test_wrappable_breaks_text_columns_only():
    import pandas as pd

    frame = wrappable(pd.DataFrame({"rule": ["R1_red_flags"], "count": [3]}))
    assert frame.loc[0, "rule"] == "R1_\u200bred_\u200bflags" and frame.loc[0, "count"] == 3
