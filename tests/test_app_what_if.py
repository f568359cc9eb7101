"""The What if page and the Patient page's variant comparison, in AppTest."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from app import page_script
from core import load_guideline
from core.review.variants import load_variants, variants_from_yaml
from tests.app_helpers import APP, APP_TIMEOUT, dispositions_shown, texts
from tests.test_app_review import content, offered_downloads

SHIPPED = {v.id: v for v in load_variants()}
FIRST = next(iter(SHIPPED))
WHAT_IF = page_script("what-if")
PATIENT = page_script("patient")


def open_page(script: str, query: dict | None = None) -> AppTest:
    """Open a page the way a link does. One run first: AppTest finds a page registered under a url_path that differs
    from its file name (what-if vs what_if.py) only once st.navigation has run."""
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT * 2)
    at.run()
    at.query_params.clear()
    at.query_params.update(query or {})
    at.switch_page(script)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def changed_table(at: AppTest):
    return next(d.value for d in at.dataframe if "open" in d.value.columns)


def url(at: AppTest) -> dict[str, list[str]]:
    return {k: [v] if isinstance(v, str) else list(v) for k, v in at.query_params.items()}


@pytest.fixture(scope="module")
def first_variant() -> AppTest:
    return open_page(WHAT_IF, {"variant": FIRST})


def test_the_page_opens_on_the_articles_pathway_first_and_by_default():
    at = open_page(WHAT_IF)
    assert not at.exception
    picker = at.selectbox(key="whatif_pick")
    assert picker.value == "" and picker.options[0].startswith("The article's pathway")
    assert url(at) == {} and any("No change from the article's pathway" in i for i in texts(at.info))


def test_a_shipped_variant_shows_the_notice_and_its_effect_counted_by_kind(first_variant):
    at = first_variant
    assert not at.exception
    assert "not a medical device" in at.caption[0].value
    assert any("not the article's pathway" in w for w in texts(at.warning))
    assert url(at) == {"variant": [FIRST]}
    assert at.selectbox(key="whatif_pick").value == FIRST
    assert SHIPPED[FIRST].rationale in texts(at.text)
    counts = metrics(at)
    assert counts["Decisions changed"] == "7" and counts["Cases evaluated"] == "300"
    assert int(counts["Re-routed to another decision"]) + int(counts["Now need more information"]) == 7


def test_a_variant_whose_verification_fails_by_design_says_so_instead_of_an_error(first_variant):
    at = first_variant
    at.button(key="whatif_verify").click().run()
    assert not at.exception and not at.error
    assert any("as this variant intends" in i and "no_early_surgical_disposition" in i for i in texts(at.info))


def test_what_if_quotes_the_sessions_evidence_not_the_shipped_file():
    import app_pages.session as session
    from core.review.evidence import EvidenceLayer, load_evidence, upsert_check

    check = SHIPPED[FIRST].evidence
    shipped = next(c for c in load_evidence().checks[check.statement] if c.source == check.source)
    edited = upsert_check(
        load_evidence(),
        check.statement,
        shipped.model_copy(update={"note": "A reviewer's own note."}),
        load_guideline(),
    )
    at = AppTest.from_file(str(APP), default_timeout=APP_TIMEOUT * 2)
    at.run()
    at.session_state[session.EVIDENCE_KEY] = {session.default_pack_id(): edited}
    at.query_params.update({"variant": FIRST})
    at.switch_page(WHAT_IF)
    at.run()
    assert any("A reviewer's own note." in c for c in texts(at.caption))
    assert isinstance(edited, EvidenceLayer)


def test_each_changed_case_links_to_the_patient_page_under_the_variant(first_variant):
    table = changed_table(first_variant)
    assert len(table) == 7 and (table["baseline"] != table["variant"]).all()
    link = urlsplit(table["open"].iloc[0])
    query = parse_qs(link.query)
    assert link.path == "patient" and query["variant"] == [FIRST]
    assert query["mri_finding"] == ["nerve_root_compression"]


def test_the_sankey_goes_from_the_articles_disposition_to_the_variants(first_variant):
    spec = json.loads(first_variant.get("plotly_chart")[0].proto.spec)
    sankey = spec["data"][0]
    assert sankey["type"] == "sankey" and sum(sankey["link"]["value"]) == 300
    assert any("(changed)" in c for c in sankey["link"]["customdata"])


def test_the_sweep_marks_the_articles_value(first_variant):
    charts = [json.loads(c.proto.spec) for c in first_variant.get("plotly_chart")]
    sweep = charts[1]
    texts_on_chart = [a["text"] for a in sweep["layout"]["annotations"]]
    assert "the article: 26" in texts_on_chart and "variant: 6" in texts_on_chart
    assert first_variant.selectbox(key="whatif_sweep_threshold").value == "R6_decompression/weeks_conservative"


def test_picking_another_variant_puts_it_in_the_url_and_recounts():
    at = open_page(WHAT_IF)
    at.selectbox(key="whatif_pick").set_value("progressive_deformity_not_a_surgical_route").run()
    assert not at.exception
    assert url(at) == {"variant": ["progressive_deformity_not_a_surgical_route"]}
    table = changed_table(at)
    assert set(table["baseline_rule"]) == {"R5_progressive_deformity"}
    assert int(metrics(at)["Decisions changed"]) == len(table)


def test_editing_a_threshold_from_the_first_view_changes_only_that_threshold():
    at = open_page(WHAT_IF)
    at.number_input(key="whatif_set_R7_failed_six_months/weeks_conservative").set_value(12)
    with offered_downloads() as offered:
        at.run()
    assert not at.exception
    assert url(at) == {"variant": ["custom"], "set": ["R7_failed_six_months/weeks_conservative:12"]}
    downloaded = variants_from_yaml(content(offered, "custom.yaml"), load_guideline())
    assert len(downloaded) == 1 and downloaded[0].thresholds == {"R7_failed_six_months/weeks_conservative": 12}
    assert downloaded[0].title == "Edited from: the article's pathway"


def test_switching_a_rule_off_and_back_to_the_article_shows_no_change():
    at = open_page(WHAT_IF, {"variant": "progressive_deformity_not_a_surgical_route"})
    assert at.toggle(key="whatif_on_R5_progressive_deformity").value is False
    at.toggle(key="whatif_on_R5_progressive_deformity").set_value(True).run()
    assert not at.exception
    assert any("No change from the article's pathway" in i for i in texts(at.info))
    assert url(at) == {}


def test_a_custom_variant_in_a_link_opens_with_its_changes():
    at = open_page(
        WHAT_IF,
        {"variant": "custom", "off": "R5_progressive_deformity", "send": "R6_decompression:surgical_consultation"},
    )
    assert not at.exception and not at.error
    assert at.toggle(key="whatif_on_R5_progressive_deformity").value is False
    assert at.selectbox(key="whatif_send_R6_decompression").value == "surgical_consultation"
    assert set(changed_table(at)["variant"]) <= {"surgical_consultation", "conservative_care", "needs_information"}


def test_a_bad_link_parameter_is_named_and_ignored_alone():
    at = open_page(
        WHAT_IF,
        {
            "variant": "custom",
            "set": ["R7_failed_six_months/weeks_conservative:900", "R6_decompression/weeks_conservative:12"],
        },
    )
    assert not at.exception
    assert any("are ignored" in e for e in texts(at.error))
    assert any("`R7_failed_six_months/weeks_conservative:900`: 900 is out of range" in t for t in texts(at.text))
    assert url(at) == {"variant": ["custom"], "set": ["R6_decompression/weeks_conservative:12"]}


def test_an_unknown_variant_in_a_link_falls_back_to_the_article_not_to_a_shipped_variant():
    at = open_page(WHAT_IF, {"variant": "nope"})
    assert not at.exception
    assert any("unknown variant `nope`" in t for t in texts(at.text))
    assert at.selectbox(key="whatif_pick").value == "" and not [m for m in at.metric]


def test_verifying_a_variant_that_keeps_every_invariant():
    at = open_page(WHAT_IF, {"variant": "progressive_deficit_without_mrc_grade"})
    at.button(key="whatif_verify").click().run()
    assert not at.exception
    assert any(s.startswith("All 15 checks pass") for s in texts(at.success))


def test_an_uploaded_variant_is_used_and_a_bad_upload_is_explained():
    at = open_page(WHAT_IF)
    good = (
        b"variants:\n- id: later\n  title: Later consultation\n  rationale: A test.\n"
        b"  thresholds:\n    R7_failed_six_months/weeks_conservative: 52\n"
    )
    at.file_uploader(key="whatif_upload").upload("mine.yaml", good, "application/x-yaml").run()
    assert not at.exception
    assert at.selectbox(key="whatif_pick").value == "later"
    assert url(at) == {"variant": ["custom"], "set": ["R7_failed_six_months/weeks_conservative:52"]}
    bad = b"variants:\n- id: bad\n  title: Bad\n  rationale: A test.\n  rules_off: [R8_conservative]\n"
    at.file_uploader(key="whatif_upload").clear().upload("bad.yaml", bad, "application/x-yaml").run()
    assert any("cannot be used" in e for e in texts(at.error))
    assert any("bad.yaml: variant bad: rules_off.0" in t for t in texts(at.text))


CASE = {
    "red_flags": "false",
    "mri_finding": "nerve_root_compression",
    "myelopathy_signs": "false",
    "radicular_symptoms": "true",
    "motor_grade_mrc": "5",
    "motor_deficit_progressive": "false",
    "instability": "false",
    "deformity_progressive": "false",
    "weeks_conservative": "10",
    "pt_weeks": "8",
    "conservative_failed": "true",
    "correlating_pathology": "true",
}


def test_the_patient_page_shows_the_case_under_the_variant_beside_the_article():
    at = open_page(PATIENT, {**CASE, "variant": "six_week_surgical_opinion_for_radiculopathy"})
    assert not at.exception and not at.error
    assert dispositions_shown(at)[:3] == ["conservative_care", "decompression_referral", "conservative_care"]
    assert any("not the article's pathway" in m for m in texts(at.markdown))
    assert url(at)["variant"] == ["six_week_surgical_opinion_for_radiculopathy"]


def test_the_patient_page_keeps_variants_off_until_asked():
    at = open_page(PATIENT, CASE)
    assert at.toggle(key="patient_variant_on").value is False
    assert dispositions_shown(at) == ["conservative_care"]
    at.toggle(key="patient_variant_on").set_value(True).run()
    at.selectbox(key="patient_variant").set_value("six_week_surgical_opinion_for_radiculopathy").run()
    assert url(at)["variant"] == ["six_week_surgical_opinion_for_radiculopathy"]
    assert "decompression_referral" in dispositions_shown(at)
