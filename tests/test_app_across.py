"""Across pathways in AppTest: who says what and one clock (Pathways page), a cohort across two (Cohort page)."""

import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest

from app import page_script
from core.analyses.flows import cohort_flows, demo_cases
from core.engine.case_params import as_params
from core.engine.case_text import case_to_text
from core.engine.guideline import load_guideline
from core.engine.packs import PACKS_DIR
from core.review.stances import STANCE_COLUMNS
from tests.app_helpers import start_app, texts
from tests.test_app_review import content, offered_downloads


@pytest.fixture(scope="module")
def pathways_app():
    with offered_downloads() as offered:
        at = start_app(page="pathways")
    return at, offered


def matrix(at) -> list[str]:
    """The who-says-what list, one entry per topic: `- **Topic** (disagree)` and a line `- *Pathway*: stance`
    under it for each pathway."""
    block = next(m for m in texts(at.markdown) if m.startswith("- **") and "(disagree)" in m)
    return [topic.strip() for topic in ("\n" + block).split("\n- ")[1:]]


def test_who_says_what_lists_disagreements_first_in_words(pathways_app):
    at, _ = pathways_app
    assert not at.exception
    lines = matrix(at)
    marks = ["disagree" if "(disagree)" in line else "agree" for line in lines]
    assert "disagree" in marks and marks == sorted(marks, key=lambda m: m != "disagree")
    gabapentinoids = next(line for line in lines if line.startswith("**Gabapentinoids"))
    assert "(disagree)" in gabapentinoids
    assert "*Neck and upper back pain after a prior L2-L5 lumbar fusion*: recommends" in gabapentinoids
    assert "*Lumbar spinal stenosis with neurogenic claudication*: advises against" in gabapentinoids


def test_a_chosen_topic_shows_each_pathways_statements_with_citations(pathways_app):
    at, _ = pathways_app
    box = at.selectbox(key="stances_topic")
    assert box.options[0].endswith("(disagree)")
    box.select_index(box.options.index(next(o for o in box.options if o.startswith("Gabapentinoids")))).run()
    said = next(m for m in texts(at.markdown) if "**Cervical myelopathy" in m)
    assert "advises against:" in said and "recommends:" in said
    assert "[" in said.split("recommends:")[1]  # the citations of the statement


def test_the_stances_download_has_the_contract_columns_and_every_pathway(pathways_app):
    at, offered = pathways_app
    assert "Download who says what (CSV)" in [b.proto.label for b in at.get("download_button")]
    rows = list(csv.DictReader(io.StringIO(content(offered, "stances.csv").decode())))
    assert list(rows[0]) == STANCE_COLUMNS
    assert len({r["pathway"] for r in rows}) == 4
    assert any(r["topic"] == "gabapentinoids" and r["stance"] == "avoid" for r in rows)


@pytest.fixture(scope="module")
def cohort_app():
    with offered_downloads() as offered:
        at = start_app(page="cohort")
        at.radio(key="cohort_source").set_value("Synthetic demo cohort").run()
    return at, offered


def test_across_two_pathways_defaults_to_the_chosen_and_next_pathway_and_counts_add_up(cohort_app):
    at, offered = cohort_app
    assert not at.exception
    assert at.selectbox(key="cohort_across_a").value == "neck-upper-back-pain-after-lumbar-fusion"
    b = at.selectbox(key="cohort_across_b").value
    assert b != at.selectbox(key="cohort_across_a").value
    crosstab = next(t.value for t in at.table if str(t.value.columns[0]) == "answer under pathway A")
    rows = list(
        csv.DictReader(
            io.StringIO(content(offered, f"cohort_neck-upper-back-pain-after-lumbar-fusion_vs_{b}.csv").decode())
        )
    )
    good = [r for r in rows if not r["error"]]
    assert crosstab["cases"].astype(int).sum() == len(good)
    heatmap = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert heatmap["type"] == "heatmap" and heatmap["texttemplate"] == "%{text:,}"
    assert sum(map(sum, heatmap["z"])) == len(good)


def test_each_discordant_case_links_to_the_patient_page_with_both_pathways(cohort_app):
    at, _ = cohort_app
    listed = next(d.value for d in at.dataframe if "open" in d.value.columns)
    b = at.selectbox(key="cohort_across_b").value
    kinds_a, kinds_b = (listed[f"under pathway {side}"].str.split(":").str[0] for side in "AB")
    assert len(listed) > 0 and (kinds_a != kinds_b).all()
    assert listed["under pathway A"].iloc[0] == "conservative care: Structured conservative care"
    link = parse_qs(urlsplit(listed["open"].iloc[0]).query)
    assert urlsplit(listed["open"].iloc[0]).path == "patient"
    assert link["pathway"] == ["neck-upper-back-pain-after-lumbar-fusion"]
    assert link["compare"] == [f"neck-upper-back-pain-after-lumbar-fusion,{b}"]
    opened = start_app({k: v if len(v) > 1 else v[0] for k, v in link.items()}, page="patient")
    assert not opened.exception and not opened.error
    assert any(s.value == "Under other pathways" for s in opened.subheader)
    # Both pathways side by side, each with the answer the cohort gave this row.
    blocks = pathway_blocks(opened)
    assert len(blocks) == 2
    fusion = next(x for x in blocks if x.startswith("**Neck"))
    other = next(x for x in blocks if not x.startswith("**Neck"))
    for block, side in ((fusion, "A"), (other, "B")):
        assert f"decision: {listed[f'under pathway {side}'].iloc[0].split(': ', 1)[1]}" in block


def test_one_clock_draws_every_pathways_milestones_on_one_week_axis_with_a_table(pathways_app):
    at, _ = pathways_app
    chart = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    table = next(t.value for t in at.table if "milestone" in t.value.columns)
    assert chart["type"] == "scatter" and len(set(chart["y"])) == 4 == table["pathway"].nunique()
    fusion = table[table["pathway"].str.contains("fusion", case=False)]
    assert 26 in fusion["week"].astype(int).tolist()
    weeks = table["week"].astype(int).tolist()
    # The myelopathy pathway's two- and three-year reviews would squeeze every other milestone: they follow week
    # 52 in order, a few weeks apart, their own weeks written beside them, and the table keeps the true weeks.
    past = [x for x, w in zip(chart["x"], weeks, strict=True) if w > 52]
    assert 156 in weeks and len(set(past)) == len(past) >= 2 and max(past) < 70 and "156 →" in chart["text"]
    assert [x for x, w in zip(chart["x"], weeks, strict=True) if w <= 52] == [w for w in weeks if w <= 52]


FUSION = "neck-upper-back-pain-after-lumbar-fusion"


def param(at, name: str) -> str | None:
    """One query parameter's value (AppTest gives one value as a string, several as a list)."""
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def pathway_blocks(at) -> list[str]:
    """The side-by-side blocks of "Under other pathways": one per pathway, its title in bold first."""
    return [m for m in texts(at.markdown) if m.startswith("**") and "deciding rule:" in m]


def test_the_scenarios_compare_view_shows_the_chosen_scenario_under_the_pathways_the_link_names():
    at = start_app(
        {"tab": "Compare", "compare": "cord_compression_week_one", "across": f"cervical-myelopathy,{FUSION}"},
        page="scenarios",
    )
    assert not at.exception and not at.error
    assert "Under other pathways" in texts(at.subheader)
    assert at.pills(key="compare_across").value == ["cervical-myelopathy", FUSION]  # the library's order
    myelopathy, fusion = pathway_blocks(at)
    assert myelopathy.startswith("**Cervical myelopathy") and fusion.startswith("**Neck and upper back pain")
    # The scenario itself (not the empty patient): its expected answer under its own pathway.
    assert "decision: Urgent neurosurgical referral (urgent)" in fusion
    assert "compared with Neck and upper back pain" in myelopathy and "this is that pathway" in fusion
    assert param(at, "compare") == "cord_compression_week_one"


def test_choosing_pathways_in_the_scenarios_compare_view_writes_them_to_the_url():
    at = start_app({"tab": "Compare", "compare": "cord_compression_week_one"}, page="scenarios")
    chooser = at.pills(key="compare_across")
    assert len(chooser.value) == 4 and len(pathway_blocks(at)) == 4  # no `across`: every active pathway
    chooser.set_value(["lumbar-stenosis-claudication", FUSION]).run()
    assert param(at, "across") == f"lumbar-stenosis-claudication,{FUSION}"
    assert len(pathway_blocks(at)) == 2
    assert param(at, "compare") == "cord_compression_week_one"
    at.pills(key="compare_across").set_value([FUSION]).run()
    assert not pathway_blocks(at) and any("two or more" in i.value for i in at.info)


def test_the_patient_pages_choice_of_pathways_is_the_compare_parameter():
    at = start_app({"mri_finding": "cord_compression", "compare": f"{FUSION},cervical-myelopathy"}, page="patient")
    assert at.pills(key="patient_compared_pathways").value == ["cervical-myelopathy", FUSION]
    assert len(pathway_blocks(at)) == 2
    at.pills(key="patient_compared_pathways").set_value(["cervical-radiculopathy", FUSION]).run()
    assert param(at, "compare") == f"cervical-radiculopathy,{FUSION}"
    assert param(at, "mri_finding") == "cord_compression"


def test_who_says_what_is_also_a_table_of_topics_down_and_pathways_across(pathways_app):
    at, _ = pathways_app
    table = next(t.value for t in at.table if "topic" in t.value.columns)
    assert list(table.columns) == [
        "topic",
        "Cervical myelopathy graded by the mJOA score",
        "Cervical radiculopathy at first presentation",
        "Lumbar spinal stenosis with neurogenic claudication",
        "Neck and upper back pain after a prior L2-L5 lumbar fusion",
    ]
    marks = table["topic"].str.endswith("(disagree)").tolist()
    assert marks == sorted(marks, reverse=True) and any(marks)
    gabapentinoids = table[table["topic"].str.startswith("Gabapentinoids")].iloc[0]
    assert gabapentinoids["Lumbar spinal stenosis with neurogenic claudication"] == "advises against"


@pytest.mark.parametrize("page", [None, "patient", "pathway", "scenarios", "references", "pathways"])
def test_a_link_naming_no_pathway_of_the_library_is_named_on_every_page_and_leaves_the_url(page):
    at = start_app({"pathway": "<b>x</b>", "region": "cervical"}, page=page)
    assert not at.exception
    said = [e.value for e in at.error if e.value.startswith("The link's pathway could not be used")]
    assert len(said) == 1 and "'&lt;b>x&lt;/b>' is not a pathway of the library" in said[0]
    assert at.query_params.get("pathway") is None
    assert at.query_params.get("region") in ("cervical", ["cervical"])
    at.run()  # the same page again (a widget changed): still said; another page: no longer
    assert any(e.value.startswith("The link's pathway could not be used") for e in at.error)
    at.switch_page(page_script("pathway" if page in (None, "patient") else "patient")).run()
    assert not any(e.value.startswith("The link's pathway could not be used") for e in at.error)


@pytest.mark.parametrize(
    ("page", "param", "key"),
    [("patient", "compare", "patient_compared_pathways"), ("scenarios", "across", "compare_across")],
)
def test_pathways_to_compare_that_the_library_lacks_are_named_not_silently_replaced(page, param, key):
    query = {param: "nope,<b>x</b>"} | (
        {"tab": "Compare", "compare": "cord_compression_week_one"} if page != "patient" else {}
    )
    at = start_app(query, page=page)
    assert not at.exception
    assert len(at.pills(key=key).value) == 4  # nothing usable named: every active pathway
    said = [e.value for e in at.error if "not a pathway the library can compare" in e.value]
    assert len(said) == 1 and "'nope', '&lt;b>x&lt;/b>'" in said[0] and said[0].startswith("Some parameters")
    at = start_app(query | {param: f"nope,{FUSION},cervical-myelopathy"}, page=page)
    assert at.pills(key=key).value == ["cervical-myelopathy", FUSION]
    assert any("'nope':" in e.value for e in at.error)


@pytest.mark.parametrize("pack", ["lumbar-stenosis-claudication", "cervical-myelopathy", "cervical-radiculopathy"])
def test_how_cases_flow_for_a_pack_without_a_demo_cohort_says_what_it_is_drawn_from(pack):
    g = load_guideline(PACKS_DIR / pack)
    at = start_app({"pathway": pack}, page="pathway")
    assert not at.exception
    said = next(c.value for c in at.caption if c.value.startswith("Presentation → MRI finding"))
    assert f"the pack's {len(g.scenarios)} teaching scenarios (this pathway ships no synthetic demo cohort)" in said
    assert "cohort of 0" not in said
    assert any(m.value.startswith("1 case passes through **presentation: red flags**") for m in at.markdown)
    behind = at.dataframe[0].value
    assert list(behind["warnings"]) == ["none"]  # a case without warnings, in words
    assert not (set(behind["warnings"]) & {"", "None"})
    everyone = cohort_flows(demo_cases(g), g)["presentation"]
    assert (everyone == "not assessed").sum() <= 1  # each pack's pictures are ones its fields can tell


def radiculopathy_first_visit():
    g = load_guideline(PACKS_DIR / "cervical-radiculopathy")
    case = g.parse_case(next(s.case for s in g.scenarios if s.id == "first_visit_no_red_flags"))
    return start_app({"pathway": "cervical-radiculopathy"} | as_params(case_to_text(case)), page="patient")


def what_to_do_now(at) -> list[str]:
    return [line for m in texts(at.markdown) if m.startswith("- ") for line in m.split("\n")]


def test_a_statement_the_article_prints_uncited_says_so_where_a_citation_would_be():
    lines = what_to_do_now(radiculopathy_first_visit())
    begin = next(line for line in lines if line.startswith("- Begin conservative care from the first visit"))
    assert begin.endswith("(the article gives no citation for this)")


def test_an_evidence_mark_is_whole_text_that_wraps_not_a_badge_cut_short_on_a_phone():
    lines = what_to_do_now(radiculopathy_first_visit())
    marked = [line for line in lines if "outside evidence only partly agrees" in line]
    assert marked
    for line in marked:
        assert "-badge[" not in line  # a badge is one line, cut with an ellipsis at 390 px
        assert ":orange-background[:material/report: outside evidence only partly agrees (from summaries, " in line


@pytest.mark.parametrize(
    ("pack", "offered"),
    [
        ("cervical-myelopathy", {"decompression", "non_operative_trial"}),
        ("cervical-radiculopathy", {"mri", "decompression", "fusion"}),
        ("lumbar-stenosis-claudication", {"fusion", "decompression", "nsaids", "calcitonin", "paracetamol"}),
    ],
)
def test_the_proposed_treatments_offered_are_those_the_pack_speaks_of(pack, offered):
    vocabulary = load_guideline(PACKS_DIR / "neck-upper-back-pain-after-lumbar-fusion").fields["proposed"].items
    labels = {vocabulary[i] for i in offered}
    at = start_app({"pathway": pack}, page="patient")
    shown = set(at.pills(key="patient_proposed").options)
    assert labels <= shown and len(shown) < len(vocabulary)
    assert not shown & {vocabulary["cervical_manipulation"], vocabulary["facet_injection"]}
    if pack == "cervical-myelopathy":
        assert shown == labels
        at = start_app(
            {"pathway": pack, "tab": "Compare", "compare": "unsteady_gait_collar_proposed"}, page="scenarios"
        )
        assert set(at.pills(key="compare_proposed").options) == labels
