"""The shell and the Pathway, Scenarios and References pages in AppTest."""

import subprocess
import sys
from pathlib import Path

import pytest

import app
from core.errors import DataError, Problem
from core.review.audit import audit_guideline
from tests.app_helpers import dispositions_shown, enter_case, start_app, texts, url_case

ROOT = Path(__file__).resolve().parent.parent
PAGE_SCRIPTS = [script for script, *_ in app.PAGES]
PAGE_PATHS = [url_path for *_, url_path in app.PAGES]
CORD_COMPRESSION = {"red_flags": "false", "mri_finding": "cord_compression", "weeks_conservative": "3"}


def test_no_pages_directory_beside_app_py_so_streamlit_never_falls_back_to_its_old_page_discovery():
    # With a `pages/` folder next to the entry point, the first session after start-up runs a deep link such as
    # /patient straight from that folder, skipping app.py (no notice, helper modules listed as pages).
    assert not (ROOT / "pages").exists()
    assert all(script.startswith("app_pages/") for script in PAGE_SCRIPTS)


def test_the_patient_page_imports_no_pandas_so_a_cold_start_stays_quick():
    # pandas is the largest import of a cold start; the Patient page (the default) renders without it.
    code = (
        "import sys, app, app_pages.session, app_pages.case_form, app_pages.result_sections, "
        "app_pages.variant_view; "
        "print('pandas' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "False"


def test_the_pages_have_the_url_paths_of_the_issue():
    assert [url_path for *_, url_path in app.PAGES] == [
        "patient",
        "pathway",
        "scenarios",
        "references",
        "cohort",
        "what-if",
        "pathways",
    ]


@pytest.mark.parametrize("page", PAGE_PATHS)
def test_every_page_renders_without_exception_and_carries_the_notice(page):
    at = start_app(page=page)
    assert not at.exception
    assert not at.error
    assert any("not a medical device" in c and "Guideline version" in c for c in texts(at.caption))


@pytest.mark.parametrize("page", PAGE_PATHS)
def test_a_data_error_shows_its_problems_on_every_page_and_no_traceback(page, monkeypatch):
    import app_pages.session

    def broken(*_) -> None:
        raise DataError([Problem(field="pathway.yaml: rules.2", message="unknown disposition `nowhere`")])

    monkeypatch.setattr(app_pages.session, "load_guideline", broken)
    at = start_app(page=page)
    assert not at.exception
    assert any("pathway.yaml: rules.2: unknown disposition `nowhere`" in e for e in texts(at.error))


@pytest.fixture(scope="module")
def pathway_app():
    return start_app(CORD_COMPRESSION, page="pathway")


def test_a_pathway_link_with_a_case_draws_that_patients_route(pathway_app):
    at = pathway_app
    assert not at.exception
    assert any(
        "`urgent_neurosurgical_referral`" in m and "decided at `R2_cord_compression`" in m for m in texts(at.markdown)
    )
    assert url_case(at) == CORD_COMPRESSION


def test_the_pathway_page_shows_flowchart_sankey_and_timeline_each_with_a_table(pathway_app):
    at = pathway_app
    assert len(at.get("plotly_chart")) == 4
    headers = texts(at.header)
    assert headers == [
        "The decision rules",
        "How cases flow",
        "Conservative-care timeline",
        "How courses progress over six months",
    ]
    rules_table, timeline, bypass = (at.table[n].value for n in (0, -3, -2))
    assert rules_table["value"].str.startswith("true (decides").sum() == 1
    assert "This patient: week 3 of conservative care" in set(timeline["what"])
    assert len(bypass) > 0
    assert any("synthetic" in c for c in texts(at.caption))


def test_picking_a_sankey_node_lists_the_cases_and_rules_behind_it(pathway_app):
    at = pathway_app.selectbox(key="pathway_node").set_value("rule: R6_decompression").run()
    cases = at.dataframe[0].value
    assert len(cases) > 0 and set(cases["deciding_rule"]) == {"R6_decompression"}
    assert any(f"{len(cases)} cases pass through **rule: R6_decompression**" in m for m in texts(at.markdown))


def test_the_case_entered_on_the_patient_page_follows_to_the_pathway_page_and_its_url():
    at = start_app()
    enter_case(at, {"red_flags": False, "mri_finding": "cord_compression"})
    at.switch_page(app.page_script("pathway")).run()
    assert any("`urgent_neurosurgical_referral`" in m for m in texts(at.markdown))
    assert url_case(at) == {"red_flags": "false", "mri_finding": "cord_compression"}
    at.switch_page(app.page_script("patient")).run()
    assert dispositions_shown(at) == ["urgent_neurosurgical_referral"]


def test_opening_a_scenario_card_loads_it_into_the_patient_page():
    at = start_app(page="scenarios")
    at.button(key="open_progressive_weakness_week_three").click().run()
    assert texts(at.title) == ["Patient"]
    assert dispositions_shown(at) == ["neurosurgical_referral"]
    assert url_case(at)["motor_grade_mrc"] == "4"


@pytest.fixture(scope="module")
def scenarios_app():
    return start_app(page="scenarios")


def test_scenario_cards_show_title_teaching_point_and_expected_disposition(scenarios_app):
    from core import load_guideline

    shown = " ".join(texts(scenarios_app.markdown))
    for scenario in load_guideline().scenarios:
        assert scenario.title in shown and f"(`{scenario.expected.disposition}`)" in shown


def test_compare_names_the_rule_where_the_traces_part(scenarios_app):
    at = scenarios_app.selectbox(key="compare_scenario").set_value("radiculopathy_six_months_failed").run()
    assert any("The copy is the same as the scenario" in m for m in texts(at.markdown))
    at.segmented_control(key="compare_instability").set_value("true").run()
    assert dispositions_shown(at)[:2] == ["decompression_referral", "surgical_consultation"]
    parting = next(m for m in texts(at.markdown) if m.startswith("Changed in the copy"))
    assert "instability on flexion-extension imaging" in parting
    assert "part at **R6_decompression**" in parting and "true for the scenario, false for the copy" in parting
    table = at.table[-1].value
    assert list(table.loc[table["parts here"] != "", "rule"].str.replace("\u200b", "").str[:16]) == ["R6_decompression"]


def test_stepping_through_reveals_one_rule_per_click(scenarios_app):
    at = scenarios_app.selectbox(key="step_source").set_value("cord_compression_week_one").run()
    steps = [m for m in texts(at.markdown) if m.startswith("**Step ")]
    assert steps == ["**Step 1 of 2: R1_red_flags** (Red-flag screen)"]
    reveal = next(b for b in at.button if b.label == "Reveal the next decision")
    reveal.click().run()
    steps = [m for m in texts(at.markdown) if m.startswith("**Step ")]
    assert steps[-1] == "**Step 2 of 2: R2_cord_compression** (Cord compression on MRI)"
    assert next(b for b in at.button if b.label == "Reveal the next decision").disabled
    assert "urgent_neurosurgical_referral" in dispositions_shown(at)
    next(b for b in at.button if b.label == "Start again").click().run()
    assert len([m for m in texts(at.markdown) if m.startswith("**Step ")]) == 1


@pytest.fixture(scope="module")
def references_app():
    return start_app({"ref": "5"}, page="references")


def test_every_reference_and_unresolved_citation_has_an_anchored_entry_with_its_statements(references_app):
    from core import load_guideline

    g = load_guideline()
    subheaders = texts(references_app.subheader)
    for ref in g.references:
        assert any(h.startswith(f"[{ref.number}] ") for h in subheaders)
    for number in audit_guideline(g).unresolved_citations:
        assert f"[{number}] not in the article's reference list" in subheaders
    anchors = {h.proto.anchor for h in references_app.subheader}
    assert {f"ref-{r.number}" for r in g.references} <= anchors


def test_a_followed_citation_that_resolves_to_nothing_says_so(references_app):
    assert any("You followed citation [5]" in w and "no entry 5" in w for w in texts(references_app.warning))


def test_statements_are_listed_with_citations_origin_and_section_and_filter_by_origin(references_app):
    at = references_app.multiselect(key="statements_origins").set_value(["safeguard"]).run()
    listed = [m for m in texts(at.markdown) if m.startswith("- `safeguard")]
    assert listed and all("· safeguard ·" in line for m in listed for line in m.splitlines())
    assert "**Safeguard (added)**" in texts(at.markdown)
    at.multiselect(key="statements_origins").set_value([]).run()


def test_the_audit_filters_by_flag(references_app):
    at = references_app.multiselect(key="audit_flags").set_value(["unresolved citation"]).run()
    table = at.dataframe[0].value
    assert len(table) > 0 and table["flags"].str.contains("unresolved citation").all()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Unresolved citation numbers"] == "5, 6"
    assert "Audit (CSV)" in [b.label for b in at.get("download_button")]


@pytest.mark.parametrize("number", ["0", "9", "9999"])
def test_a_followed_number_the_article_neither_cites_nor_lists_is_not_called_cited(number):
    at = start_app({"ref": number}, page="references")
    warning = next(w for w in texts(at.warning) if f"[{number}]" in w)
    assert "cites it but" not in warning and "neither cites it nor lists" in warning
