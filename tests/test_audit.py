"""The citation audit is computed from data: it reports what the article's citations fail to support."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from core.engine.guideline import DATA_DIR, load_guideline
from core.review.audit import AUDIT_COLUMNS, audit_guideline, audit_table, statements_citing

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def report(guideline):
    return audit_guideline(guideline)


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit_yaml(path: Path, change) -> None:
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


def test_article_cites_5_and_6_but_lists_only_four_references(report):
    assert report.unresolved_citations == [5, 6]


def test_unresolved_numbers_name_the_statements_that_cite_them(report, guideline):
    assert "avoid_cervical_manipulation" in report.unresolved_cited_by[5]
    assert "cord_compression_only_bypass" in report.unresolved_cited_by[6]
    for number, ids in report.unresolved_cited_by.items():
        assert ids == [s.id for s in guideline.statements if number in s.citations]


def test_every_listed_reference_is_cited_somewhere(report, guideline):
    cited = {n for s in guideline.statements for n in s.citations}
    assert report.unused_references == sorted({r.number for r in guideline.references} - cited) == []


def test_safeguards_are_uncited_by_design_and_reported_apart_from_the_article(report, guideline):
    safeguards = [s.id for s in guideline.statements if s.origin == "safeguard"]
    assert report.uncited_safeguards == safeguards and len(safeguards) == 4
    assert report.uncited_statements == []


def test_neck_statement_resting_only_on_lumbar_reference_is_a_region_mismatch(report):
    mismatches = {m.statement: m for m in report.region_mismatches}
    # pt_stabilisation is about the neck and cites only [2], a lumbar guideline.
    assert mismatches["pt_stabilisation"].cited_regions == {2: "lumbar"}
    assert mismatches["neuropathic_medication"].citations == [1]
    assert mismatches["adjacent_segment_context"].region == "thoracic"


def test_mismatch_with_an_unresolved_citation_says_its_support_cannot_be_checked(report):
    mismatch = {m.statement: m for m in report.region_mismatches}["six_months_before_surgical_consult"]
    assert mismatch.unresolved == [6] and "6" in mismatch.note and "no reference" in mismatch.note
    clean = {m.statement: m for m in report.region_mismatches}["pt_stabilisation"]
    assert clean.unresolved == [] and "no reference" not in clean.note


def test_statements_citing_a_general_source_are_not_mismatches(report):
    flagged = {m.statement for m in report.region_mismatches}
    assert "mri_first" not in flagged  # cites [3], a general MRI review
    assert "refer_progressive_motor_deficit" not in flagged  # cites only the unresolved [6]


def test_adding_reference_5_resolves_it(tmp_path):
    data = copy_data(tmp_path)
    edit_yaml(
        data / "references.yaml",
        lambda c: c["references"].append(
            {
                "number": 5,
                "title": "Manual therapy of the neck",
                "source": "A journal",
                "year": 2024,
                "type": "research",
                "region": "cervical",
            }
        ),
    )
    report = audit_guideline(load_guideline(data))
    assert report.unresolved_citations == [6] and 5 not in report.unresolved_cited_by


def test_a_cervical_reference_clears_the_mismatch_it_supports(tmp_path):
    data = copy_data(tmp_path)
    edit_yaml(data / "references.yaml", lambda c: c["references"][1].update(region="cervical"))
    flagged = {m.statement for m in audit_guideline(load_guideline(data)).region_mismatches}
    assert "pt_stabilisation" not in flagged and "neuropathic_medication" in flagged


def test_uncited_article_statement_and_unused_reference_are_reported(tmp_path):
    data = copy_data(tmp_path)

    def drop_citations_of_3(content):
        for s in content["statements"]:
            if s["id"] == "mri_first":
                s["citations"] = []

    edit_yaml(data / "statements.yaml", drop_citations_of_3)
    report = audit_guideline(load_guideline(data))
    assert report.uncited_statements == ["mri_first"] and report.unused_references == [3]


def test_statements_citing_lists_every_citer_in_data_order(guideline):
    ids = [s.id for s in statements_citing(guideline, 3)]
    assert ids == ["mri_first"]
    assert statements_citing(guideline, 7) == []


def test_audit_table_has_one_row_per_statement_with_flags(guideline):
    table = audit_table(guideline)
    assert list(table.columns) == AUDIT_COLUMNS and len(table) == len(guideline.statements)
    rows = table.set_index("statement")
    assert rows.loc["six_months_before_surgical_consult", "flags"] == "unresolved citation; region mismatch"
    assert rows.loc["six_months_before_surgical_consult", "unresolved"] == "6"
    assert "(lumbar)" in rows.loc["six_months_before_surgical_consult", "resolved"]
    assert rows.loc["safeguard_red_flag_screen", "flags"] == "uncited safeguard"
    assert rows.loc["mri_first", "flags"] == ""


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "core", "audit", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_cli_audit_json_has_the_contract_keys():
    result = run_cli("--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert {"unresolved_citations", "unused_references", "uncited_statements", "region_mismatches"} <= set(data)
    assert data["unresolved_citations"] == [5, 6]
    assert any(m["statement"] == "pt_stabilisation" for m in data["region_mismatches"])


def test_cli_audit_text_reads_for_a_person_and_follows_the_data(tmp_path):
    assert "Citation numbers with no reference: 5, 6" in run_cli().stdout
    data = copy_data(tmp_path)
    edit_yaml(
        data / "references.yaml",
        lambda c: c["references"].append(
            {
                "number": 6,
                "title": "Neck surgery outcomes",
                "source": "A journal",
                "year": 2023,
                "type": "research",
                "region": "cervical",
            }
        ),
    )
    assert "Citation numbers with no reference: 5\n" in run_cli("--data", str(data)).stdout


def test_the_audit_and_statement_tables_carry_the_guideline_version():
    from core.outputs.tables import statement_frame
    from core.review.audit import audit_table

    g = load_guideline()
    assert set(audit_table(g)["guideline_version"]) == {g.info.version}
    assert set(statement_frame(g)["guideline_version"]) == {g.info.version}
