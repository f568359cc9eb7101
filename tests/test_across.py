"""One patient under every pathway, a cohort across two, and the library's pages for every pack."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core.analyses.across_pathways import compare_pathways
from core.analyses.cohort import read_cohort
from core.analyses.cohort_across import CROSSTAB_COLUMNS, AcrossCounts, cohort_across_text, compare_cohort
from core.engine.evaluate import evaluate_case
from core.engine.guideline import DATA_DIR, load_guideline
from core.engine.packs import PACKS_DIR, pack_ids
from tests.app_helpers import start_app

ROOT = Path(__file__).resolve().parent.parent
PACKS = [load_guideline(PACKS_DIR / p) for p in pack_ids()]
# Fields every shipped pack reads, so each pathway takes the whole case as it is.
SHARED = {"region": "cervical", "red_flags": False}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, input=stdin)


@pytest.mark.parametrize("case", [SHARED, {"region": "lumbar"}, {}, {**SHARED, "weeks_conservative": 3}])
def test_compare_gives_for_each_pathway_what_evaluating_under_it_gives(case):
    comparison = compare_pathways(case, PACKS)
    assert [r.pathway for r in comparison.results] == [g.info.id for g in PACKS]
    for r, g in zip(comparison.results, PACKS, strict=True):
        e = evaluate_case({k: v for k, v in case.items() if k in g.schema.kinds}, g)
        assert (r.disposition, r.disposition_class, r.urgent, r.deciding_rule, r.missing, r.in_scope) == (
            e.disposition,
            e.disposition_class,
            e.urgent,
            e.deciding_rule,
            e.missing,
            e.in_scope,
        )
        assert r.version == g.info.version


def test_compare_command_follows_the_contract_and_names_where_pathways_differ(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"region": "lumbar", "neurogenic_claudication": True, "red_flags": False}))
    result = run("compare", str(case), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"results", "summary"}
    keys = {"pathway", "version", "in_scope", "disposition", "disposition_class", "urgent", "deciding_rule", "missing"}
    assert all(keys | {"statement"} <= set(r) for r in data["results"])
    by_id = {r["pathway"]: r for r in data["results"]}
    assert by_id["neck-upper-back-pain-after-lumbar-fusion"]["disposition_class"] == "outside_scope"
    assert by_id["lumbar-stenosis-claudication"]["in_scope"] is True
    assert "Three pathways are not about this patient" in data["summary"]
    assert "one pathway needs more information" in data["summary"]


def test_a_bad_pathway_in_compare_is_one_clear_line(tmp_path):
    case = tmp_path / "case.json"
    case.write_text("{}")
    result = run("compare", str(case), "--pathways", "nowhere")
    assert result.returncode == 2 and "nowhere" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"region": "cervical", "motor_grade_mrc": 9}, "motor_grade_mrc: input should be less than or equal to 5"),
        ({"region": "cervical", "bogus": 1}, "bogus: unknown field"),
    ],
)
def test_compare_refuses_what_evaluate_refuses_in_the_same_words(case, message):
    compared = run("compare", "-", stdin=json.dumps(case))
    evaluated = run("evaluate", "-", stdin=json.dumps(case))
    assert (compared.returncode, evaluated.returncode) == (2, 2)
    assert compared.stdout == ""
    assert message in compared.stderr
    assert compared.stderr == evaluated.stderr


def test_compare_sets_aside_a_field_or_an_item_one_pathway_does_not_read_and_names_them():
    # The radiculopathy pathway weighs only an MRI, decompression and fusion among the proposals.
    case = {"region": "cervical", "motor_grade_mrc": 3, "proposed": ["long_term_opioids", "fusion"]}
    result = run("compare", "-", "--pathways", "cervical-radiculopathy", stdin=json.dumps(case))
    assert result.returncode == 0, result.stderr
    assert "not read by this pathway: motor_grade_mrc, proposed: long_term_opioids" in result.stdout
    assert "cannot take" not in result.stdout and "proposed: fusion" not in result.stdout


def test_compare_writes_a_statement_without_citations_as_evaluate_does():
    radiculopathy = "cervical-radiculopathy"
    screened = run("compare", "-", "--pathways", radiculopathy, stdin=json.dumps({"region": "cervical"}))
    assert "gone. [safeguard, no citation]" in screened.stdout and "[]" not in screened.stdout
    flagged = {"region": "cervical", "red_flags": True}
    compared = run("compare", "-", "--pathways", radiculopathy, stdin=json.dumps(flagged))
    evaluated = run("evaluate", "-", "--pathway", radiculopathy, stdin=json.dumps(flagged))
    said = "trial of treatment. [the article gives no citation]"
    assert said in compared.stdout and said in evaluated.stdout


def test_the_cross_tab_adds_up_to_the_good_rows_and_equals_a_row_by_row_count():
    a, b = PACKS[-1], PACKS[1]  # today's pathway and the radiculopathy pathway
    result = compare_cohort(read_cohort(DATA_DIR / "demo_cohort.csv"), a, b)
    assert list(result.crosstab.columns) == CROSSTAB_COLUMNS
    assert len(result.cases) == result.rows == 300
    assert result.crosstab["cases"].sum() == result.good
    good = result.cases[result.cases["error"].isna()]
    expected = good.groupby(["class_a", "class_b"]).size()
    got = result.crosstab.set_index(["class_a", "class_b"])["cases"]
    assert got.sort_index().tolist() == expected.sort_index().tolist()
    for row in good.head(25).itertuples():
        assert row.class_a == evaluate_case(_case(row.case_id), a).disposition_class


def _case(case_id: str) -> dict:
    frame = pd.read_csv(DATA_DIR / "demo_cohort.csv", dtype=str, keep_default_na=False)
    from core.engine.case_text import case_from_text

    row = frame[frame["case_id"] == case_id].iloc[0].drop("case_id").to_dict()
    return case_from_text({k: v for k, v in row.items() if v}).model_dump(exclude_none=True)


def test_small_cells_are_merged_until_none_is_below_k():
    a, b = PACKS[-1], PACKS[1]
    result = compare_cohort(read_cohort(DATA_DIR / "demo_cohort.csv"), a, b, min_count=10)
    assert result.crosstab["cases"].min() >= 10 and result.crosstab["cases"].sum() == result.good


def test_compare_cohort_command_writes_the_cross_tab_and_each_case(tmp_path):
    out, cases = tmp_path / "crosstab.csv", tmp_path / "cases.csv"
    pair = "neck-upper-back-pain-after-lumbar-fusion,cervical-myelopathy"
    result = run(
        "compare-cohort",
        str(DATA_DIR / "demo_cohort.csv"),
        "--pathways",
        pair,
        "--out",
        str(out),
        "--cases-out",
        str(cases),
    )
    assert result.returncode == 0, result.stderr
    assert list(pd.read_csv(out).columns) == CROSSTAB_COLUMNS
    assert len(pd.read_csv(cases)) == 300 and "not a medical device" in result.stdout


@pytest.mark.parametrize(
    ("rows", "differ", "said"),
    [
        (1, 1, "cohort.csv: 1 row; 1 evaluated under both pathways, 0 bad"),
        (1, 1, "; 1 case gets a different kind of answer."),
        (2, 0, "cohort.csv: 2 rows; 2 evaluated under both pathways, 0 bad"),
        (2, 0, "; 0 cases get a different kind of answer."),
    ],
)
def test_the_cross_pathway_summary_counts_in_words_that_agree_with_the_number(rows, differ, said):
    counts = AcrossCounts(
        crosstab=pd.DataFrame(columns=CROSSTAB_COLUMNS), rows=rows, good=rows, discordant=differ, bad=[]
    )
    assert said in cohort_across_text(counts, "cohort.csv")


@pytest.mark.parametrize("pack", [p for p in pack_ids() if p != DATA_DIR.name])
@pytest.mark.parametrize("page", ["patient", "pathway", "scenarios", "references", "cohort", "what-if", "pathways"])
def test_every_page_renders_for_every_pack_and_names_it(pack, page):
    at = start_app({"pathway": pack}, page=page)
    assert not at.exception
    title = load_guideline(PACKS_DIR / pack).info.title
    assert any(title in c.value for c in at.caption), "the notice names the pathway shown"
    assert not [e.value for e in at.error if "cannot be shown" in e.value]
