"""Cohort page: a file of cases (uploaded, or the synthetic demo), every decision, filters, the flow, download.

Uploads are read from memory and never written to disk; results live only in this browser session. A file is
evaluated once (keyed by its content hash); its flows and sankey are built from the results, not case by case.
"""

import hashlib
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.cohort_across_view import across_section
from app_pages.flow_view import sankey_with_nodes, text_table
from app_pages.inert import inert
from app_pages.progression_view import visits_upload_section
from app_pages.session import guarded, guideline
from core.analyses import cohort as cohort_files
from core.analyses.flows import flows_from_results
from core.engine.guideline import Guideline, pathway_fields
from core.errors import PathwayError
from core.outputs.figures import sankey_figure

TABLE_ROWS = 5000
UPLOAD, DEMO = "Upload a file", "Synthetic demo cohort"
LOADED_KEY = "cohort_loaded"
NODE_KEY = "cohort_node"


@dataclass(frozen=True)
class Loaded:
    """One file's evaluation and what is drawn from it, kept for the session's reruns."""

    digest: str
    result: cohort_files.CohortResult
    flows: pd.DataFrame
    sankey: go.Figure


def _format_hint(g: Guideline) -> str:
    """The file format in the pack's own keys: a yes/no, a choice and a number its rules read, and its lists."""
    read = pathway_fields(g)
    firsts = (next((f for f in read if g.schema.kinds[f] == kind), None) for kind in ("bool", "choice", "int"))
    examples = [f for f in firsts if f is not None]
    keys = ", ".join(f"`{f}`" for f in examples)
    lists = "".join(f", `{f}` as a `;` list" for f in g.schema.list_fields)
    return (
        f"One row per case, columns named by the case keys ({keys}, ...). Cells: `true` / `false` / blank for "
        f"unknown, whole numbers{lists}. An optional `case_id` column is carried through to the results."
    )


def _read_source() -> tuple[bytes, str] | None:
    sources = [UPLOAD] + ([DEMO] if cohort_files.DEMO_COHORT.is_file() else [])
    source = st.radio("Cases", sources, horizontal=True, key="cohort_source")
    if source == DEMO:
        return cohort_files.DEMO_COHORT.read_bytes(), cohort_files.DEMO_COHORT.name
    upload = st.file_uploader("CSV or Parquet file of cases", type=["csv", "parquet"], key="cohort_upload")
    if upload is None:
        st.info(_format_hint(guideline()))
        return None
    return upload.getvalue(), upload.name


def _evaluate(data: bytes, name: str) -> Loaded | None:
    """The file's evaluation, reusing this session's when the content is the same; None (shown) if unreadable."""
    g = guideline()
    digest = hashlib.sha256(data).hexdigest()
    loaded: Loaded | None = st.session_state.get(LOADED_KEY)
    if loaded is not None and loaded.digest == digest:
        return loaded
    try:
        table = cohort_files.read_cohort(data, name=name)
    except PathwayError as exc:
        for problem in exc.problems:
            st.error(inert(problem), icon=":material/error:")
        return None
    bar = st.progress(0.0, text=f"Evaluating {table.num_rows:,} rows")
    result = cohort_files.evaluate_cohort(
        table, g, progress=lambda done: bar.progress(done, text=f"Evaluating {table.num_rows:,} rows: {done:.0%}")
    )
    bar.empty()
    flows = flows_from_results(result.cases, result.results, g)
    bad = result.summary.bad_rows
    title = "How this cohort flows through the pathway" + (f" ({bad:,} bad rows not evaluated)" if bad else "")
    loaded = Loaded(digest=digest, result=result, flows=flows, sankey=sankey_figure(flows, title=title, guideline=g))
    st.session_state[LOADED_KEY] = loaded
    return loaded


def counts_section(summary: cohort_files.CohortSummary) -> None:
    g = guideline()
    for note in summary.notes:
        st.warning(inert(note))
    columns = st.columns(4)
    columns[0].metric("Rows", f"{summary.rows:,}")
    columns[1].metric("Evaluated", f"{summary.evaluated:,}")
    columns[2].metric("Bad rows", f"{summary.bad_rows:,}")
    columns[3].metric("Urgent", f"{summary.urgent:,}")
    labels = {d.id: d.label for d in g.pathway.dispositions}
    warning_labels = g.warning_labels
    left, right = st.columns(2)
    with left:
        st.subheader("Dispositions")
        text_table(
            pd.DataFrame(
                [
                    {
                        "disposition": labels[d],
                        "id": d,
                        "cases": n,
                        "share": f"{n / summary.evaluated:.1%}" if summary.evaluated else "-",
                    }
                    for d, n in summary.dispositions.items()
                ],
                columns=["disposition", "id", "cases", "share"],
            )
        )
    with right:
        st.subheader("Warnings")
        text_table(
            pd.DataFrame(
                [{"warning": warning_labels[w], "id": w, "cases": n} for w, n in summary.warnings.items()],
                columns=["warning", "id", "cases"],
            )
        )


def flow_section(loaded: Loaded) -> None:
    if not loaded.result.summary.evaluated:
        return
    st.subheader("How the cases flow")
    st.caption("Presentation → MRI finding → deciding rule → disposition, for every evaluated row.")
    sankey_with_nodes(loaded.flows, loaded.sankey, guideline(), NODE_KEY)


def _filtered(results: pd.DataFrame, dispositions: list[str], flagged: list[str], only_urgent: bool) -> pd.DataFrame:
    shown = results
    if dispositions:
        shown = shown[shown["disposition"].isin(dispositions)]
    if flagged:
        # One test per distinct warnings value, not per row.
        categories = shown["warnings"].cat.categories
        hit = [c for c in categories if any(w in str(c).split(";") for w in flagged)]
        shown = shown[shown["warnings"].isin(hit)]
    if only_urgent:
        shown = shown[shown["urgent"].fillna(False).to_numpy(dtype=bool)]
    return shown


def results_section(results: pd.DataFrame) -> None:
    g = guideline()
    labels = {d.id: d.label for d in g.pathway.dispositions}
    warning_labels = g.warning_labels
    st.subheader("Results")
    filters = st.columns(3)
    chosen = filters[0].multiselect("Disposition", list(labels), format_func=labels.get, key="cohort_dispositions")
    flagged = filters[1].multiselect(
        "Warnings (any of)", list(warning_labels), format_func=warning_labels.get, key="cohort_warnings"
    )
    only_urgent = filters[2].checkbox("Urgent only", key="cohort_urgent")
    shown = _filtered(results, chosen, flagged, only_urgent)
    more = f"; showing the first {TABLE_ROWS:,}" if len(shown) > TABLE_ROWS else ""
    st.caption(f"{len(shown):,} matching rows{more}")
    # A blank cell is shown blank, not as the word None; the downloads keep the data as it is.
    table = shown.head(TABLE_ROWS).astype(object)
    table = table.where(table.notna(), "")
    table.index = table.index + 1  # row numbers as in the file (and in the bad-row list)
    leading = [c for c in (cohort_files.ID_COLUMN, *cohort_files.OUTPUT_COLUMNS) if c in table.columns]
    st.dataframe(table, column_order=leading + [c for c in table.columns if c not in leading], key="cohort_results")
    as_csv, as_parquet = st.columns(2)
    as_csv.download_button(
        "Download all results (CSV)",
        data=lambda: cohort_files.results_csv(results),
        file_name="cohort_results.csv",
        mime="text/csv",
        on_click="ignore",
        key="cohort_download",
    )
    as_parquet.download_button(
        "Download all results (Parquet)",
        data=lambda: cohort_files.results_parquet(results),
        file_name="cohort_results.parquet",
        mime="application/vnd.apache.parquet",
        on_click="ignore",
        key="cohort_download_parquet",
    )


def bad_rows_section(results: pd.DataFrame, bad_rows: int) -> None:
    if not bad_rows:
        return
    st.subheader(f"Bad rows ({bad_rows:,}): not evaluated")
    bad = results[results[cohort_files.ERROR_COLUMN].notna()].head(TABLE_ROWS)
    st.dataframe(
        {
            "row": (bad.index + 1).tolist(),
            **({"case_id": bad[cohort_files.ID_COLUMN].tolist()} if cohort_files.ID_COLUMN in bad.columns else {}),
            "reason": bad[cohort_files.ERROR_COLUMN].tolist(),
        },
        hide_index=True,
        key="cohort_bad_rows",
    )


def cohort_page() -> None:
    st.title("Cohort")
    st.write(
        "Evaluate many cases at once: every row goes through the same rules as a single case. Rows with a bad "
        "value are kept in place and listed with the reason; the others are evaluated."
    )
    source = _read_source()
    loaded = None if source is None else _evaluate(*source)
    if loaded is None:
        return
    summary, results = loaded.result.summary, loaded.result.results
    counts_section(summary)
    flow_section(loaded)
    results_section(results)
    bad_rows_section(results, summary.bad_rows)
    across_section(*source, loaded.digest)


guarded(cohort_page)
guarded(lambda: visits_upload_section(guideline()))
