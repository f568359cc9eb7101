"""A sankey of cases with what a screen reader and a curious reader need beside it: a node picker that lists the
cases behind a node (Streamlit does not report clicks on a sankey), and every flow as a table.
Shared by the Pathway page (demo cases) and the Cohort page (an uploaded file).
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import Guideline
from core.analyses.flows import cases_at_node, flow_links, flow_nodes
from core.engine.words import NOTHING
from core.outputs.chart_text import flow_chart_text
from core.outputs.tables import wrappable

LISTED_ROWS = 5000


def text_table(frame: pd.DataFrame) -> None:
    """A chart's text equivalent: a plain HTML table (read by screen readers), ids allowed to wrap."""
    st.table(wrappable(frame), hide_index=True)


def sankey_with_nodes(flows: pd.DataFrame, figure: go.Figure, g: Guideline, key: str) -> None:
    """The figure (named by its title and what it shows), a selectbox of its nodes with the cases behind the chosen
    one, and the flows as a table."""
    st.plotly_chart(figure, config={"displayModeBar": False}, alt=flow_chart_text(flows, figure.layout.title.text).alt)
    if flows.empty:
        return
    nodes = flow_nodes(flows, g)
    if st.session_state.get(key) not in nodes:
        st.session_state.pop(key, None)  # a node of another file: start again from the first
    node = st.selectbox(
        "Show the cases behind a node",
        nodes,
        key=key,
        help="Clicks on the diagram are not reported to the app; pick a node here instead.",
    )
    behind = cases_at_node(flows, node, g)
    # A case without warnings says so in words: an empty cell reads as a value left out.
    behind["warnings"] = behind["warnings"].astype(str).replace("", NOTHING)
    rules = ", ".join(sorted(str(r) for r in behind["deciding_rule"].unique()))
    shown = f"; the first {LISTED_ROWS:,} are listed" if len(behind) > LISTED_ROWS else ""
    st.write(
        f"{len(behind):,} case{'s pass' if len(behind) != 1 else ' passes'} through **{node}**{shown}; "
        f"rules behind them: {rules}."
    )
    st.dataframe(behind.head(LISTED_ROWS), hide_index=True, height=260, key=f"{key}_cases")
    with st.expander("Table: every flow between neighbouring stages, with its number of cases"):
        text_table(flow_links(flows, g))
