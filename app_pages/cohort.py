"""Cohort page: a file of cases (uploaded, or the synthetic demo), every decision, filters, the flow, download.

Uploads are read from memory and never written to disk; results live only in this browser session.
"""
import hashlib

import streamlit as st

from core import cohort as cohort_files
from core import load_guideline
from core.cohort_figure import cohort_sankey
from core.errors import PathwayError

TABLE_ROWS = 5000
UPLOAD, DEMO = "Upload a file", "Synthetic demo cohort"

guideline = load_guideline()

st.title("Cohort")
st.write("Evaluate many cases at once: every row goes through the same rules as a single case. Rows with a bad "
         "value are kept in place and listed with the reason; the others are evaluated.")

sources = [UPLOAD] + ([DEMO] if cohort_files.DEMO_COHORT.is_file() else [])
source = st.radio("Cases", sources, horizontal=True, key="cohort_source")
if source == DEMO:
    data, name = cohort_files.DEMO_COHORT.read_bytes(), cohort_files.DEMO_COHORT.name
else:
    upload = st.file_uploader("CSV or Parquet file of cases", type=["csv", "parquet"], key="cohort_upload")
    if upload is None:
        st.info("One row per case, columns named by the case keys (`red_flags`, `mri_finding`, `motor_grade_mrc`, "
                "...). Cells: `true` / `false` / blank for unknown, whole numbers, `proposed` as a `;` list. "
                "An optional `case_id` column is carried through to the results.")
        st.stop()
    data, name = upload.getvalue(), upload.name

digest = hashlib.sha256(data).hexdigest()
if st.session_state.get("cohort_digest") != digest:
    try:
        table = cohort_files.read_cohort(data, name=name)
    except PathwayError as exc:
        for problem in exc.problems:
            st.error(str(problem))
        st.stop()
    bar = st.progress(0.0, text=f"Evaluating {table.num_rows:,} rows")
    result = cohort_files.evaluate_cohort(
        table, guideline, progress=lambda done: bar.progress(done, text=f"Evaluating {table.num_rows:,} rows: {done:.0%}"))
    bar.empty()
    st.session_state["cohort_digest"], st.session_state["cohort_result"] = digest, result
result: cohort_files.CohortResult = st.session_state["cohort_result"]
summary, results = result.summary, result.results

for note in summary.notes:
    st.warning(note)
columns = st.columns(4)
columns[0].metric("Rows", f"{summary.rows:,}")
columns[1].metric("Evaluated", f"{summary.evaluated:,}")
columns[2].metric("Bad rows", f"{summary.bad_rows:,}")
columns[3].metric("Urgent", f"{summary.urgent:,}")

labels = {d.id: d.label for d in guideline.pathway.dispositions}
warning_labels = {w.id: w.label for w in guideline.pathway.warnings}
left, right = st.columns(2)
left.subheader("Dispositions")
left.dataframe(
    [{"disposition": labels[d], "id": d, "cases": n, "share": f"{n / summary.evaluated:.1%}" if summary.evaluated else "-"}
     for d, n in summary.dispositions.items()],
    hide_index=True,
)
right.subheader("Warnings")
right.dataframe([{"warning": warning_labels[w], "id": w, "cases": n} for w, n in summary.warnings.items()],
                hide_index=True)

if summary.evaluated:
    # Swap for the shared builder at merge: sankey_figure(...) from core.figures.
    st.plotly_chart(cohort_sankey(results, guideline), key="cohort_sankey")

st.subheader("Results")
filters = st.columns(3)
chosen = filters[0].multiselect("Disposition", list(labels), format_func=labels.get, key="cohort_dispositions")
flagged = filters[1].multiselect("Warnings (any of)", list(warning_labels), format_func=warning_labels.get,
                                 key="cohort_warnings")
only_urgent = filters[2].checkbox("Urgent only", key="cohort_urgent")
shown = results
if chosen:
    shown = shown[shown["disposition"].isin(chosen)]
if flagged:
    categories = shown["warnings"].cat.categories
    hit = [any(w in str(c).split(";") for w in flagged) for c in categories]
    shown = shown[shown["warnings"].isin([c for c, h in zip(categories, hit) if h])]
if only_urgent:
    shown = shown[shown["urgent"].fillna(False).to_numpy(dtype=bool)]
st.caption(f"{len(shown):,} matching rows" + (f"; showing the first {TABLE_ROWS:,}" if len(shown) > TABLE_ROWS else ""))
table = shown.head(TABLE_ROWS)
table.index = table.index + 1  # row numbers as in the file (and in the bad-row list)
leading = [c for c in ("case_id", *cohort_files.OUTPUT_COLUMNS) if c in table.columns]
st.dataframe(table, column_order=leading + [c for c in table.columns if c not in leading], key="cohort_results")
st.download_button("Download all results (CSV)", data=lambda: cohort_files.results_csv(results),
                   file_name="cohort_results.csv", mime="text/csv", on_click="ignore", key="cohort_download")

if summary.bad_rows:
    st.subheader(f"Bad rows ({summary.bad_rows:,}): not evaluated")
    bad = results[results["error"].notna()].head(TABLE_ROWS)
    st.dataframe(
        {"row": (bad.index + 1).tolist(),
         **({"case_id": bad["case_id"].tolist()} if "case_id" in bad.columns else {}),
         "reason": bad["error"].tolist()},
        hide_index=True, key="cohort_bad_rows",
    )
