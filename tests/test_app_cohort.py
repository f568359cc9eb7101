"""The cohort page, opened through the app with AppTest: upload or demo, counts, filters, bad rows, download."""

import json

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from streamlit.testing.v1 import AppTest

import core.analyses.cohort
from tests.app_helpers import start_app
from tools.synthetic import synthetic_cases

BAD_ROW = '"bad-1",maybe,,,,,,,,"normal",9,,,""\n'


def csv_bytes(rows: int, extra: str = "") -> bytes:
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(pa.Table.from_pandas(synthetic_cases(rows, seed=4), preserve_index=False), sink)
    return sink.getvalue().to_pybytes() + extra.encode()


@pytest.fixture
def demo(tmp_path, monkeypatch):
    path = tmp_path / "demo_cohort.csv"
    path.write_bytes(csv_bytes(120, BAD_ROW))
    monkeypatch.setattr(core.analyses.cohort, "DEMO_COHORT", path)
    return path


def page() -> AppTest:
    return start_app(page="cohort")


def test_the_page_shows_the_notice_and_asks_for_a_file(tmp_path, monkeypatch):
    monkeypatch.setattr(core.analyses.cohort, "DEMO_COHORT", tmp_path / "absent.csv")
    app = page()
    assert not app.exception
    assert "not a medical device" in app.caption[0].value
    assert app.radio[0].options == ["Upload a file"] and len(app.file_uploader) == 1
    assert "case_id" in app.info[0].value


def counts(app: AppTest, table: int = 0):
    """The counts table (0: dispositions, 1: warnings) as id -> cases."""
    frame = app.table[table].value
    return dict(zip(frame["id"].str.replace("\u200b", ""), frame["cases"].astype(int), strict=False))


def table_with(app: AppTest, column: str):
    """The first dataframe on the page that has this column."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def sankey(app: AppTest) -> dict:
    return json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]


def test_the_demo_cohort_shows_counts_flow_results_and_each_bad_row(demo):
    app = page()
    app.radio[0].set_value("Synthetic demo cohort").run()
    assert not app.exception
    assert [m.value for m in app.metric][:3] == ["121", "120", "1"]
    assert sum(counts(app).values()) == 120
    bad = table_with(app, "reason")
    assert bad["row"].tolist() == [121] and bad["case_id"].tolist() == ["bad-1"]
    assert bad["reason"].iat[0].startswith("red_flags: expected true, false or unknown, got 'maybe'")
    assert [b.proto.label for b in app.get("download_button")] == [
        "Download all results (CSV)",
        "Download all results (Parquet)",
        "Download every case under both pathways (CSV)",
    ]


def test_the_cohort_flows_through_the_shared_sankey_stages_and_the_bad_row_does_not(demo):
    app = page()
    app.radio[0].set_value("Synthetic demo cohort").run()
    flow = sankey(app)
    names = flow["node"]["customdata"]
    assert {name.split(": ")[0] for name in names} == {"presentation", "MRI", "rule", "disposition"}
    for stage in ("presentation", "MRI", "rule"):
        leaving = [
            v for s, v in zip(flow["link"]["source"], flow["link"]["value"], strict=False) if names[s].startswith(stage)
        ]
        assert sum(leaving) == 120  # every evaluated case once per stage; the bad row not at all
    dispositions = counts(app)
    into = {}
    for t, v in zip(flow["link"]["target"], flow["link"]["value"], strict=False):
        if names[t].startswith("disposition: "):
            into[names[t].removeprefix("disposition: ")] = into.get(names[t].removeprefix("disposition: "), 0) + v
    assert into == {d: n for d, n in dispositions.items() if n}
    assert "1 bad rows not evaluated" in json.loads(app.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]


def test_picking_a_node_lists_the_cases_behind_it(demo):
    app = page()
    app.radio[0].set_value("Synthetic demo cohort").run()
    conservative = counts(app)["conservative_care"]
    app.selectbox(key="cohort_node").set_value("disposition: conservative_care").run()
    behind = table_with(app, "presentation")
    assert len(behind) == conservative and set(behind["disposition"]) == {"conservative_care"}
    assert any(f"{len(behind)} cases pass through **disposition: conservative_care**" in m.value for m in app.markdown)
    app.selectbox(key="cohort_node").set_value("presentation: red flags").run()
    behind = table_with(app, "presentation")
    assert len(behind) > 0 and set(behind["presentation"]) == {"red flags"}
    assert set(behind["disposition"]) == {"outside_pathway"}


def test_filters_narrow_the_results_table(demo):
    app = page()
    app.radio[0].set_value("Synthetic demo cohort").run()
    everything = len(table_with(app, "error"))
    app.multiselect[0].set_value(["conservative_care"]).run()
    table = table_with(app, "error")
    assert 0 < len(table) < everything and set(table["disposition"]) == {"conservative_care"}
    app.multiselect[1].set_value(["avoid_manipulation"]).run()
    table = table_with(app, "error")
    assert len(table) > 0 and all("avoid_manipulation" in w.split(";") for w in table["warnings"])


def test_an_uploaded_file_is_evaluated_and_an_unreadable_one_is_explained(tmp_path, monkeypatch):
    monkeypatch.setattr(core.analyses.cohort, "DEMO_COHORT", tmp_path / "absent.csv")
    app = page()
    app.file_uploader[0].set_value(("cases.csv", b"case_id,red_flags,site\nx,true,north\n", "text/csv")).run()
    assert not app.exception and [m.value for m in app.metric][:3] == ["1", "1", "0"]
    assert "`site` is not part of the case format" in app.warning[0].value
    app.file_uploader[0].set_value(("cases.csv", b"name,age\nx,3\n", "text/csv")).run()
    assert not app.exception and "no column is a case field" in app.error[0].value


def test_blank_cells_show_blank_not_none(demo):
    app = page()
    app.radio[0].set_value("Synthetic demo cohort").run()
    table = next(d.value for d in app.dataframe if "disposition" in d.value.columns)
    assert not table.isna().any().any() and "None" not in table.astype(str).to_numpy()


def test_a_header_in_the_wrong_case_is_named_with_the_field_it_means(tmp_path, monkeypatch):
    from core import PathwayError
    from core.analyses.cohort import read_cohort

    with pytest.raises(PathwayError) as info:
        read_cohort(b"case_id,Red_Flags\na,true\n", fmt="csv", name="x.csv")
    assert "`Red_Flags` -> `red_flags`" in info.value.problems[0].message
