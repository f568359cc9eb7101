"""One clock across pathways: each pathway's milestones on one axis of weeks, one row per pathway, and a table."""

import textwrap

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_pages.flow_view import text_table
from core.engine.guideline import Guideline

LABEL_WIDTH = 22  # characters of a pathway's title on one line of the chart's axis
AXIS_WEEKS = 52  # a year of care on the axis; later milestones (three years of watching) follow it in order


def milestone_rows(guidelines: list[Guideline]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"pathway": g.info.title, "week": m.week, "milestone": m.label, "clock": g.labels.get(m.clock, m.clock)}
            for g in guidelines
            for m in g.pathway.milestones
        ],
        columns=["pathway", "week", "milestone", "clock"],
    )


def clock_figure(rows: pd.DataFrame) -> go.Figure:
    # Titles broken into short lines leave a phone room for the axis; a pathway's week numbers go above and below
    # its markers in turn, so weeks a few apart (0, 6, 12) do not print over each other. One far milestone would
    # squeeze every other one into the axis's first tenth, so milestones after a year are drawn past it, in order,
    # as arrows with their own week written beside them.
    names = {p: "<br>".join(textwrap.wrap(p, LABEL_WIDTH)) for p in rows["pathway"].unique()}
    turn = rows.groupby("pathway", sort=False).cumcount()
    later = rows["week"] > AXIS_WEEKS
    # Later milestones a few weeks apart past the edge, in their order, so two of them never share a place.
    edge = AXIS_WEEKS + 4 + 5 * later.groupby(rows["pathway"], sort=False).cumsum().where(later, 0)
    figure = go.Figure(
        go.Scatter(
            x=rows["week"].where(~later, edge).tolist(),
            y=rows["pathway"].map(names).tolist(),
            mode="markers+text",
            text=[f"{w} →" if far else f"{w}" for w, far in zip(rows["week"], later, strict=True)],
            textposition=["top center" if n % 2 == 0 else "bottom center" for n in turn],
            cliponaxis=False,
            marker={"size": 12, "symbol": ["triangle-right" if far else "diamond" for far in later]},
            customdata=rows[["milestone", "week"]],
            hovertemplate="%{y}<br>week %{customdata[1]}: %{customdata[0]}<extra></extra>",
        )
    )
    figure.update_layout(
        title="Each pathway's milestones",
        xaxis_title="weeks of care",
        xaxis={"range": [-2, int(edge.max()) + 3]} if later.any() else {},
        height=140 + 70 * rows["pathway"].nunique(),
        margin={"l": 10, "r": 20},
        showlegend=False,
    )
    return figure


def clock_section(guidelines: list[Guideline]) -> None:
    rows = milestone_rows(guidelines)
    if rows.empty:
        return
    st.subheader("One clock across pathways")
    later = ""
    if (rows["week"] > AXIS_WEEKS).any():
        later = f" Milestones after week {AXIS_WEEKS} are drawn past it, in order, each with its week and an arrow."
    st.caption(
        "When each pathway reassesses or opens a new route, counted in weeks; the table under it says what." + later
    )
    weeks = rows.groupby("pathway", sort=False)["week"].apply(lambda w: ", ".join(map(str, w)))
    alt = "Milestones of each pathway on one clock, in weeks of care: " + "; ".join(
        f"{pathway}: weeks {w}" for pathway, w in weeks.items()
    )
    st.plotly_chart(clock_figure(rows), config={"displayModeBar": False}, key="pathways_clock", alt=alt + ".")
    text_table(rows)
