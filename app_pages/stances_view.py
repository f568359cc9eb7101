"""Who says what: each pathway's stance on each shared decision topic, disagreements first and named in words; for
a chosen topic, each pathway's statements with their citations; the stances as a CSV."""

import pandas as pd
import pyarrow as pa
import streamlit as st

from app_pages.flow_view import text_table
from app_pages.inert import inert
from core.analyses.csv_export import csv_bytes
from core.engine.guideline import Guideline
from core.review.stances import NOT_ADDRESSED, STANCE_WORDS, disagreements, load_topics, stance_matrix, stance_rows

TOPIC_KEY = "stances_topic"
WIDE_KEY, NARROW_KEY = "stances_table", "stances_list"
NARROW_PX = 640


def _statements(g: Guideline, rows: pd.DataFrame) -> str:
    """One pathway's statements on a topic in words, each with its citations (or that it does not address it)."""
    said = rows[rows["stance"] != NOT_ADDRESSED]
    if said.empty:
        return f"**{inert(g.info.title)}**: {NOT_ADDRESSED}."
    lines = [f"**{inert(g.info.title)}**:"]
    for r in said.itertuples():
        s = g.statement(r.statement)
        cited = f" [{', '.join(map(str, s.citations))}]" if s.citations else " (uncited)"
        lines.append(f"- {STANCE_WORDS[r.stance]}: {inert(s.text)}{cited} (`{s.id}`)")
    return "\n".join(lines)


def stances_section(guidelines: list[Guideline]) -> None:
    st.subheader("Who says what")
    st.caption(
        "Each pathway's position on shared decision topics, as its article states it. Topics on which the pathways "
        "that address them take different positions are listed first and marked `disagree`."
    )
    rows = stance_rows(guidelines)
    topics = load_topics()
    split = disagreements(rows)
    st.markdown(f"The pathways disagree on {len(split)} of {len(topics)} topics.")
    matrix = stance_matrix(rows, topics)
    titles = {g.info.id: g.info.title for g in guidelines}
    # Topics down and pathways across where there is room; on a phone, where four pathways across do not fit, each
    # topic with one line per pathway under it. CSS shows one of the two.
    st.html(
        f"<style>@media (max-width: {NARROW_PX}px) {{ .st-key-{WIDE_KEY} {{ display: none; }} }}"
        f"@media (min-width: {NARROW_PX + 1}px) {{ .st-key-{NARROW_KEY} {{ display: none; }} }}</style>"
    )
    with st.container(key=WIDE_KEY):
        text_table(
            pd.DataFrame(
                {
                    "topic": [f"{r['topic']} ({r['pathways']})" for r in matrix.to_dict("records")],
                    **{title: matrix[p].tolist() for p, title in titles.items()},
                }
            )
        )
    lines = []
    for record in matrix.to_dict("records"):
        lines.append(f"- **{inert(record['topic'])}** ({record['pathways']})")
        lines += [f"    - *{inert(title)}*: {record[p]}" for p, title in titles.items()]
    with st.container(key=NARROW_KEY):
        st.markdown("\n".join(lines))
    order = split + [t for t in topics if t not in split]
    topic = st.selectbox(
        "What each pathway says on a topic",
        order,
        format_func=lambda t: topics[t].label + (" (disagree)" if t in split else ""),
        key=TOPIC_KEY,
    )
    st.markdown(
        "\n\n".join(_statements(g, rows[(rows.topic == topic) & (rows.pathway == g.info.id)]) for g in guidelines)
    )
    st.download_button(
        "Download who says what (CSV)",
        data=lambda: csv_bytes(pa.Table.from_pandas(rows, preserve_index=False)),
        file_name="stances.csv",
        mime="text/csv",
        on_click="ignore",
        key="stances_download",
    )
