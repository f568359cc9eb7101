"""One clock across pathways: each pathway's milestones on one axis of weeks, one row per pathway, and a table."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.flow_view import text_table
from core.engine.guideline import Guideline


def milestone_rows(guidelines: list[Guideline]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"pathway": g.info.title, "week": m.week, "milestone": m.label, "clock": m.clock.replace("_", " ")}
            for g in guidelines
            for m in g.pathway.milestones
        ],
        columns=["pathway", "week", "milestone", "clock"],
    )


def clock_figure(rows: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Scatter(
            x=rows["week"].tolist(),
            y=rows["pathway"].tolist(),
            mode="markers+text",
            text=[f"{w}" for w in rows["week"]],
            textposition="top center",
            marker={"size": 12, "symbol": "diamond"},
            customdata=rows[["milestone"]],
            hovertemplate="%{y}<br>week %{x}: %{customdata[0]}<extra></extra>",
        )
    )
    figure.update_layout(
        title="Milestones of each pathway on one clock (weeks of care)",
        xaxis_title="weeks",
        height=120 + 60 * rows["pathway"].nunique(),
        showlegend=False,
    )
    return figure


def clock_section(guidelines: list[Guideline]) -> None:
    rows = milestone_rows(guidelines)
    if rows.empty:
        return
    st.subheader("One clock across pathways")
    st.caption("When each pathway reassesses or opens a new route, counted in weeks; the table under it says what.")
    st.plotly_chart(clock_figure(rows), config={"displayModeBar": False}, key="pathways_clock")
    text_table(rows)
