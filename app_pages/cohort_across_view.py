"""Across two pathways (Cohort page): the loaded cohort under two pathways, cross-tabulated by the kind of answer
each gives; a heatmap with the counts written in its cells, the discordant cases each linked to the Patient page
with both pathways side by side, and a CSV of every case's two answers."""

from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from app_pages.flow_view import text_table
from app_pages.other_pathways import COMPARE_PARAM
from app_pages.session import PATHWAY_PARAM, chosen_pathway
from core.analyses import cohort as cohort_files
from core.analyses.cohort_across import CohortAcross, compare_cohort
from core.analyses.frame import frame_cases
from core.engine.case_params import as_params
from core.engine.case_text import case_to_text
from core.engine.guideline import Guideline, load_guideline
from core.engine.packs import PACKS_DIR
from core.review.pack_check import library

ACROSS_KEY = "cohort_across"  # the last comparison computed: ((file digest, pathway a, pathway b), Compared)
LINKED_ROWS = 200
PATIENT_URL_PATH = "patient"
SECTION_KEY = "cohort_across_section"


def _words(cls: object) -> str:
    return str(cls).replace("_", " ")


def _default_pair(active: list[str]) -> tuple[str, str]:
    """The chosen pathway and the next active one after it (the first two active ones if it is not active)."""
    chosen = chosen_pathway()
    a = chosen if chosen in active else active[0]
    return a, active[(active.index(a) + 1) % len(active)]


@dataclass(frozen=True)
class Compared:
    result: CohortAcross
    discordant: pd.DataFrame  # the cases table's good rows whose two classes differ
    links: list[str]  # a Patient page link for each of the first LINKED_ROWS discordant rows


def _compared(data: bytes, name: str, digest: str, a: Guideline, b: Guideline) -> Compared:
    """The comparison, computed once per file and pair of pathways (the file is read again only then)."""
    key = (digest, a.info.id, b.info.id)
    kept = st.session_state.get(ACROSS_KEY)
    if kept is None or kept[0] != key:
        table = cohort_files.read_cohort(data, name=name)
        result = compare_cohort(table, a, b)
        cases = result.cases
        differs = cases["error"].isna() & (cases["class_a"] != cases["class_b"]).fillna(False)
        discordant = cases[differs.to_numpy(dtype=bool)]
        links = patient_links(table, discordant.index[:LINKED_ROWS].tolist(), a, b)
        kept = (key, Compared(result, discordant, links))
        st.session_state[ACROSS_KEY] = kept
    return kept[1]


def _labels(g: Guideline) -> dict[str, str]:
    """Each disposition as a clinician reads it: its kind, then its label."""
    return {d.id: f"{_words(d.class_)}: {d.label}" for d in g.pathway.dispositions}


def _tick(cls: object) -> str:
    """A class as an axis label: one word a line, so labels stay level and whole on a phone."""
    return "<br>".join(_words(cls).split())


def heatmap_figure(result: CohortAcross, a: Guideline, b: Guideline) -> go.Figure:
    grid = result.crosstab.pivot_table(index="class_a", columns="class_b", values="cases", aggfunc="sum", fill_value=0)
    # The counts are written in the cells, so no colour scale is needed to read them (and a phone keeps its width).
    figure = go.Figure(
        go.Heatmap(
            z=grid.to_numpy().tolist(),
            x=[_tick(c) for c in grid.columns],
            y=[_tick(c) for c in grid.index],
            text=grid.to_numpy().tolist(),
            texttemplate="%{text:,}",
            textfont={"size": 15},
            colorscale="Blues",
            showscale=False,
            hovertemplate=f"{a.info.title}: %{{y}}<br>{b.info.title}: %{{x}}<br>%{{z:,}} cases<extra></extra>",
        )
    )
    # The pathways are named in full by the choices above the chart: a phone cannot fit two titles in one line.
    figure.update_layout(
        title="Cases by kind of answer",
        xaxis={"title": "answer under pathway B", "tickangle": 0},
        yaxis={"title": "answer under pathway A"},
        height=420,
        margin={"l": 10, "r": 10},
    )
    return figure


def patient_links(table: pa.Table, rows: list[int], a: Guideline, b: Guideline) -> list[str]:
    """Each row as a relative link to the Patient page under pathway A, compared with B, its fields in the URL.

    The Patient page keeps the fields its pathway reads, so the link carries A's fields of the row."""
    if not rows:
        return []
    cases = frame_cases(cohort_files.evaluate_cohort(table.take(pa.array(rows, type=pa.int64())), a).cases)
    compare = {PATHWAY_PARAM: [a.info.id], COMPARE_PARAM: [f"{a.info.id},{b.info.id}"]}
    return [
        f"{PATIENT_URL_PATH}?{urlencode(compare | as_params(case_to_text(a.parse_case(c))), doseq=True)}" for c in cases
    ]


def across_section(data: bytes, name: str, digest: str) -> None:
    active = [p.id for p in library().packs if p.status == "active"]
    if len(active) < 2:
        return
    with st.container(key=SECTION_KEY):
        _across(data, name, digest, active)


def _across(data: bytes, name: str, digest: str, active: list[str]) -> None:
    st.subheader("Across two pathways")
    st.caption(
        "Every row of this file under two pathways, counted by the kind of answer each gives. Each pathway reads "
        "its own fields; a row bad for either is left out of the counts. Different articles, different answers: "
        "none of them is a patient's plan."
    )
    first, second = _default_pair(active)
    left, right = st.columns(2)
    titles = {p.id: p.title for p in library().packs}
    a_id = left.selectbox(
        "Pathway A", active, index=active.index(first), key="cohort_across_a", format_func=titles.__getitem__
    )
    b_id = right.selectbox(
        "Pathway B", active, index=active.index(second), key="cohort_across_b", format_func=titles.__getitem__
    )
    if a_id == b_id:
        st.info("Choose two different pathways to compare.")
        return
    a, b = load_guideline(PACKS_DIR / a_id), load_guideline(PACKS_DIR / b_id)
    compared = _compared(data, name, digest, a, b)
    result, discordant = compared.result, compared.discordant
    bad = result.rows - result.good
    st.markdown(
        f"{result.good:,} of {result.rows:,} rows evaluated under both ({bad:,} bad); **{result.discordant:,}** "
        f"get a different kind of answer from the two pathways."
    )
    if result.good:
        st.plotly_chart(
            heatmap_figure(result, a, b),
            config={"displayModeBar": False},
            key="cohort_across_heatmap",
            alt=(
                f"Cases by kind of answer, {a.info.title} down and {b.info.title} across: {result.good:,} cases, "
                f"{result.discordant:,} answered differently. The table under it gives every cell."
            ),
        )
    # The pathways are named by the choices above: the table holds the two answers and the count, to fit a phone.
    text_table(
        pd.DataFrame(
            {
                "answer under pathway A": result.crosstab["class_a"].map(_words),
                "answer under pathway B": result.crosstab["class_b"].map(_words),
                "cases": result.crosstab["cases"],
            }
        )
    )
    if not discordant.empty:
        st.markdown(f"**Cases the two pathways answer differently** ({len(discordant):,})")
        listed = discordant.head(LINKED_ROWS)
        shown = pd.DataFrame(
            {
                "row": listed.index + 1,
                "case_id": listed["case_id"].astype(str),
                "under pathway A": listed["disposition_a"].map(_labels(a)),
                "under pathway B": listed["disposition_b"].map(_labels(b)),
                "open": compared.links,
            }
        )
        st.dataframe(
            shown,
            hide_index=True,
            key="cohort_across_discordant",
            column_config={
                "open": st.column_config.LinkColumn(
                    "Patient page", display_text="open side by side", help="This case under both pathways"
                )
            },
        )
        more = f" The first {LINKED_ROWS:,} are listed." if len(discordant) > LINKED_ROWS else ""
        st.caption(
            f"Each link opens the case on the Patient page under {a.info.title}, with {b.info.title} beside it.{more}"
        )
    st.download_button(
        "Download every case under both pathways (CSV)",
        data=lambda: cohort_files.results_csv(result.cases),
        file_name=f"cohort_{a_id}_vs_{b_id}.csv",
        mime="text/csv",
        on_click="ignore",
        key="cohort_across_download",
    )
