"""Tables the Pathway, Scenarios and References pages show: narrow enough for a phone, facts intact."""

import pandas as pd

from core import evaluate_case, parse_case
from core.outputs.tables import (
    bypass_table,
    case_frame,
    pathway_table,
    rows_flagged,
    soft_breaks,
    statement_frame,
    timeline_table,
    wrappable,
)
from tests.conftest import case


def test_statement_table_has_every_statement_with_origin_and_citations(guideline):
    frame = statement_frame(guideline)
    assert len(frame) == len(guideline.statements)
    safeguards = frame[frame["origin"] == "safeguard"]
    assert not safeguards.empty and set(safeguards["citations"]) == {"none"}


def test_case_table_lists_known_fields_only(guideline):
    frame = case_frame(parse_case({"red_flags": False, "mri_finding": "normal"}), guideline)
    assert frame.to_dict("records") == [
        {"field": "red flags", "value": "no"},
        {"field": "MRI finding", "value": "normal"},
    ]


def test_audit_rows_filter_by_any_chosen_flag(guideline):
    from core.review.audit import audit_table

    audit = audit_table(guideline)
    unresolved = rows_flagged(audit, ["unresolved citation"])
    assert len(unresolved) > 0 and all("unresolved citation" in f for f in unresolved["flags"])
    both = rows_flagged(audit, ["unresolved citation", "region mismatch"])
    assert len(both) >= len(unresolved)
    assert len(rows_flagged(audit, [])) == len(audit)


def test_chart_tables_fit_a_phone_in_four_columns_and_keep_the_facts(guideline):
    from core.analyses.timeline import bypass_rows, timeline_rows
    from core.outputs.figures import pathway_rows

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
    broken = soft_breaks(pd.Series(["R3_progressive_weakness"]))[0]
    assert broken.replace("\u200b", "") == "R3_progressive_weakness" and broken.count("\u200b") == 2


def test_wrappable_breaks_text_columns_only():
    frame = wrappable(pd.DataFrame({"rule": ["R1_red_flags"], "count": [3]}))
    assert frame.loc[0, "rule"] == "R1_\u200bred_\u200bflags" and frame.loc[0, "count"] == 3
