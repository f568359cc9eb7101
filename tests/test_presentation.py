"""What the Patient page shows, in words: trace and warning rows, field groups, citation links, problems."""

import re

from core import evaluate_case
from core.engine.case import CASE_FIELDS
from core.errors import Problem
from core.outputs.presentation import (
    GROUP_TITLES,
    assess_next,
    citation_links,
    deciding_sentence,
    field_groups,
    html_table,
    phase_sentence,
    problem_text,
    trace_rows,
    value_words,
    warning_rows,
)
from tests.conftest import case


def test_every_case_field_appears_once_under_a_clinical_heading(guideline):
    groups = field_groups(guideline)
    fields = [f for _, names in groups for f in names]
    assert sorted(fields) == sorted(CASE_FIELDS)
    assert [title for title, _ in groups][:3] == [GROUP_TITLES[g] for g in ("presentation", "safety", "imaging")]


def test_trace_table_marks_the_deciding_rule_and_reads_inputs_in_words(guideline):
    e = evaluate_case(case(mri_finding="cord_compression"), guideline)
    rows = trace_rows(e, guideline)
    assert [r["rule"] for r in rows] == [
        "R1_red_flags · Red-flag screen",
        "R2_cord_compression · Cord compression on MRI",
    ]
    assert [r["decides"] for r in rows] == [False, True]
    assert [r["result"] for r in rows] == ["false", "true"]
    assert rows[1]["checks"] == "MRI finding is cord compression"
    assert rows[1]["inputs read"] == "MRI finding = cord compression"


def test_unknown_inputs_read_as_not_assessed_and_block_with_needs_information(guideline):
    e = evaluate_case(case(instability=..., weeks_conservative=28, pt_weeks=10), guideline)
    blocking = next(r for r in trace_rows(e, guideline) if r["decides"])
    assert blocking["result"] == "unknown"
    assert "instability on flexion-extension imaging = not assessed" in blocking["inputs read"]
    assert "cannot be decided" in deciding_sentence(e)
    assert assess_next(e, guideline) == ["instability on flexion-extension imaging"]


def test_warning_table_lists_every_check_with_whether_it_applies(guideline):
    e = evaluate_case(case(proposed=["cervical_manipulation"]), guideline)
    rows = warning_rows(e, guideline)
    assert len(rows) == len(guideline.pathway.warnings)
    results = {r["check"].split(" · ")[0]: r["result"] for r in rows}
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


def test_html_tables_escape_cells_mark_the_highlighted_row_and_let_ids_wrap():
    table = html_table(
        [{"rule": "R1_red_flags", "note": "a < b & c"}, {"rule": "R2", "note": "ok"}],
        ["rule", "note"],
        highlight=[1],
        highlight_style="font-weight:600",
    )
    assert re.search(r"<th[^>]*>rule</th><th[^>]*>note</th>", table)
    assert ">R1_<wbr>red_<wbr>flags</td>" in table and "a &lt; b &amp; c" in table
    assert table.count('class="highlight"') == 1
    assert re.search(r'<tr class="highlight" style="font-weight:600"><td[^>]*>R2</td>', table)
