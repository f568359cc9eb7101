"""Figures of care over time: the progression sankey (milestone to milestone) and one patient's course timeline.

Colours per state come from data/course_states.yaml and the order of states from the pathway data, so a state
looks the same in every column, chart and table. Every figure has a table of the same numbers beside it.
"""

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from core.analyses.course import CourseEvaluation, state_order
from core.engine.guideline import Guideline
from core.engine.words import value_words
from core.outputs.course_text import course_states, state_labels
from core.outputs.figures import FONT, INK, Drawing, rgba, sankey_trace, wrap
from core.outputs.palette import tint

SANKEY_HEIGHT = 560
PT_COLOUR = "#243B53"
WARNING_COLOUR = "#B4464B"
MERGED_COLOUR = "#9AA3AF"  # merged small cells and any state without a colour of its own


def state_colours(guideline: Guideline) -> dict[str, str]:
    """State -> colour, for every state a course can take (a KeyError here means the data lacks one)."""
    colours = course_states(guideline.source_dir)["colours"]
    return {s: colours[s] for s in state_order(guideline)}


def _short(label: str) -> str:
    return label.split(" (", 1)[0]


def progression_table(links: pd.DataFrame, guideline: Guideline) -> pd.DataFrame:
    """The links in words, the same counts as the sankey: from week, from state, to week, to state, courses."""
    labels = state_labels(guideline)
    return pd.DataFrame(
        {
            "from week": links["from_week"].astype(int),
            "from state": links["from_state"].map(lambda s: labels.get(s, s)),
            "to week": links["to_week"].astype(int),
            "to state": links["to_state"].map(lambda s: labels.get(s, s)),
            "courses": links["courses"].astype(int),
        }
    )


def progression_nodes(links: pd.DataFrame, guideline: Guideline) -> list[tuple[int, str]]:
    """(milestone week, state) of every node, columns left to right, states in the data's order in each."""
    order = {s: n for n, s in enumerate(state_order(guideline))}
    ends = pd.concat(
        [
            links[["from_week", "from_state"]].set_axis(["week", "state"], axis=1),
            links[["to_week", "to_state"]].set_axis(["week", "state"], axis=1),
        ]
    ).drop_duplicates()
    return sorted(
        ((int(w), str(s)) for w, s in ends.itertuples(index=False)),
        key=lambda node: (node[0], order.get(node[1], len(order))),
    )


def progression_legend(links: pd.DataFrame, guideline: Guideline) -> list[tuple[str, str]]:
    """(colour, state in words) for every state drawn, in the data's order: names the nodes too small to label."""
    colours, labels = state_colours(guideline), state_labels(guideline)
    drawn = {s for _, s in progression_nodes(links, guideline)}
    order = state_order(guideline)
    states = [s for s in order if s in drawn] + sorted(drawn - set(order))  # merged small cells last
    return [(colours.get(s, MERGED_COLOUR), labels.get(s, s)) for s in states]


def courses_in_words(courses: pd.DataFrame, guideline: Guideline) -> pd.DataFrame:
    """Courses with their state at each milestone (as `courses_at` gives them) in words rather than ids."""
    labels = state_labels(guideline)
    words = {
        column: courses[column].map(lambda s: labels.get(s, s))
        for column in courses
        if courses[column].dtype == "category"
    }
    return courses.assign(**words)


def progression_sankey(
    links: pd.DataFrame, guideline: Guideline, title: str, picked: tuple[int, str] | None = None
) -> go.Figure:
    """Columns are the milestone weeks, spaced by weeks; each state keeps its colour in every column; merged small
    cells in grey. A picked node keeps its links strong and fades the others."""
    colours, labels = state_colours(guideline), state_labels(guideline)
    nodes = progression_nodes(links, guideline)
    index = {node: n for n, node in enumerate(nodes)}
    weeks = sorted({w for w, _ in nodes})
    span = max(weeks[-1] - weeks[0], 1) if weeks else 1
    column_x = {w: 0.001 + 0.998 * (w - weeks[0]) / span for w in weeks}

    def strength(r: Any) -> float:
        if picked is None:
            return 0.35
        touches = picked in ((int(r.from_week), r.from_state), (int(r.to_week), r.to_state))
        return 0.8 if touches else 0.08

    totals = {
        node: max(
            links.loc[(links["from_week"] == node[0]) & (links["from_state"] == node[1]), "courses"].sum(),
            links.loc[(links["to_week"] == node[0]) & (links["to_state"] == node[1]), "courses"].sum(),
        )
        for node in nodes
    }
    # Stack each column in the data's order (plotly's own placement would reorder nodes by flow).
    y: dict[tuple[int, str], float] = {}
    for week in weeks:
        members = [n for n in nodes if n[0] == week]
        total = sum(totals[n] for n in members) or 1
        top = 0.0
        for node in members:
            share = totals[node] / total * 0.86
            y[node] = min(max(top + share / 2, 0.001), 0.999)
            top += share + 0.14 / max(len(members), 1)
    node_colours = [colours.get(s, MERGED_COLOUR) for _, s in nodes]
    # Small nodes go unlabelled (their labels would overprint); the hover, the picker and the table name them.
    column_total = {w: sum(totals[n] for n in nodes if n[0] == w) or 1 for w in weeks}
    node_labels = [
        wrap(_short(labels.get(s, s)), 18) if totals[(w, s)] >= 0.05 * column_total[w] else "" for w, s in nodes
    ]
    d = Drawing()
    d.traces.append(
        sankey_trace(
            labels=node_labels,
            colours=node_colours,
            details=[f"week {w}: {labels.get(s, s)}" for w, s in nodes],
            unit="courses",
            pad=10,
            arrangement="fixed",
            x=[column_x[w] for w, _ in nodes],
            y=[y[n] for n in nodes],
            source=[index[(int(r.from_week), r.from_state)] for r in links.itertuples()],
            target=[index[(int(r.to_week), r.to_state)] for r in links.itertuples()],
            values=links["courses"].tolist(),
            link_colours=[rgba(colours.get(r.from_state, MERGED_COLOUR), strength(r)) for r in links.itertuples()],
            link_details=[
                f"week {r.from_week} {labels.get(r.from_state, r.from_state)} -> week {r.to_week} "
                f"{labels.get(r.to_state, r.to_state)}"
                for r in links.itertuples()
            ],
        )
    )
    d.column_headings([(column_x[w], f"week {w}", f"week {w}") for w in weeks], 8)
    if links.empty:
        d.note(0.5, 0.5, "No courses to show", "empty", xref="paper", yref="paper")
    return d.figure(
        SANKEY_HEIGHT, margin=dict(l=8, r=8, t=64, b=8), title=dict(text=title, x=0, xanchor="left", font=dict(size=14))
    )


# ------------------------------------------------------------------------------------------- course timeline


def _inner_count(guideline: Guideline) -> tuple[str | None, str]:
    """The pack's first count of weeks within the course's weeks (formal PT), and its short words."""
    schema = guideline.schema
    inner = schema.inner_clocks[0] if schema.inner_clocks else None
    return inner, schema.defs[inner].counted_short if inner else ""


def course_rows(result: CourseEvaluation, guideline: Guideline) -> pd.DataFrame:
    """One row per visit: the timeline's content as a table (with the count within the weeks, such as formal PT,
    when the pack has one)."""
    labels = state_labels(guideline)
    inner, words = _inner_count(guideline)
    rows = []
    for v in result.visits:
        changed = ", ".join(
            f"{guideline.labels.get(k, k)}: {value_words(k, x, guideline)}" for k, x in v.changed.items()
        )
        row: dict[str, Any] = {"visit": v.visit, "week": v.week, "state": labels.get(v.state, v.state)}
        row["what changed"] = changed or "nothing new"
        if inner:
            count = v.evaluation.case.values().get(inner)
            row[f"weeks of {words}"] = "unknown" if count is None else count
        row["warnings"] = ", ".join(guideline.warning_labels[w] for w in v.warnings) or "none"
        rows.append(row)
    return pd.DataFrame(rows)


def course_timeline(result: CourseEvaluation, guideline: Guideline, unrecorded: bool = False) -> go.Figure:
    """Weeks 0 to 26 and beyond: each stretch between visits as a band in its state's colour, visits as points
    labelled with their state, milestones with the course's state there, PT accumulated, warnings where they fired.
    `unrecorded`: the last visit is the form, not yet recorded (drawn hollow and named so)."""
    colours, labels = state_colours(guideline), state_labels(guideline)
    last_milestone = max(m.week for m in guideline.pathway.milestones)
    end = max(last_milestone, max(v.week for v in result.visits)) + 4
    weeks = [v.week for v in result.visits]
    inner, words = _inner_count(guideline)
    pts = [v.evaluation.case.values().get(inner) if inner else None for v in result.visits]
    top = max(end * 0.55, max((p or 0) for p in pts) + 6)
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for n, v in enumerate(result.visits):
        stop = weeks[n + 1] if n + 1 < len(weeks) else end
        if stop > v.week:
            shapes.append(
                dict(
                    type="rect",
                    x0=v.week,
                    x1=stop,
                    y0=0,
                    y1=top,
                    layer="below",
                    line=dict(width=0),
                    fillcolor=tint(colours[v.state], 0.7),
                )
            )
    # Milestones: a dotted line, the week above it, and a diamond in the colour of the course's state there (the
    # state's words are in the hover and in the milestone line under the chart: they would collide on a phone).
    for m in result.milestones:
        shapes.append(
            dict(type="line", x0=m.week, x1=m.week, y0=0, y1=top * 1.1, line=dict(color=INK, width=1, dash="dot"))
        )
        annotations.append(
            dict(
                x=m.week,
                y=top * 1.16,
                yanchor="bottom",
                showarrow=False,
                text=f"<b>week {m.week}</b>",
                font=dict(size=10, color=INK),
            )
        )
    traces: list[dict[str, Any]] = [
        dict(
            type="scatter",
            x=weeks,
            y=[top * 0.88] * len(weeks),
            mode="markers+text",
            name="visits",
            marker=dict(
                size=14,
                color=[colours[v.state] for v in result.visits],
                line=dict(color="white", width=1.5),
                symbol=["circle"] * (len(result.visits) - 1) + ["circle-open" if unrecorded else "circle"],
            ),
            text=[f"V{v.visit}" for v in result.visits[:-1]]
            + [f"V{result.visits[-1].visit}" + (" (not yet recorded)" if unrecorded else "")],
            textposition="bottom center",
            hovertext=[f"visit {v.visit}, week {v.week}: {labels[v.state]}" for v in result.visits],
            hoverinfo="text",
            showlegend=False,
        )
    ]
    traces.append(
        dict(
            type="scatter",
            x=[m.week for m in result.milestones],
            y=[top * 1.1] * len(result.milestones),
            mode="markers",
            name="state at each milestone",
            showlegend=False,
            hoverinfo="text",
            marker=dict(
                symbol="diamond",
                size=13,
                color=[colours[m.state] for m in result.milestones],
                line=dict(color=INK, width=1),
            ),
            hovertext=[f"week {m.week}: {labels[m.state]}" for m in result.milestones],
        )
    )
    # One legend entry per state the course passes through, so the colours can be read without hovering.
    for state in dict.fromkeys([v.state for v in result.visits] + [m.state for m in result.milestones]):
        traces.append(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="markers",
                name=_short(labels[state]),
                marker=dict(size=11, symbol="square", color=colours[state]),
                hoverinfo="skip",
            )
        )
    known = [(w, p) for w, p in zip(weeks, pts, strict=False) if p is not None]
    if known:
        traces.append(
            dict(
                type="scatter",
                x=[w for w, _ in known],
                y=[p for _, p in known],
                mode="lines+markers",
                name=f"{words} accumulated (weeks)",
                line=dict(color=PT_COLOUR, width=3, shape="linear"),
                marker=dict(size=7),
                hovertemplate=f"week %{{x}}: %{{y}} weeks of {words}<extra></extra>",
            )
        )
    fired = [(v.week, w) for v in result.visits for w in v.warnings]
    if fired:
        traces.append(
            dict(
                type="scatter",
                x=[w for w, _ in fired],
                y=[top * 0.7] * len(fired),
                mode="markers",
                name="warning fired",
                marker=dict(symbol="x", size=12, color=WARNING_COLOUR),
                hovertext=[guideline.warning_labels[w] for _, w in fired],
                hoverinfo="text",
            )
        )
    return go.Figure(
        data=traces,
        layout=dict(
            height=360,
            font=FONT,
            margin=dict(l=40, r=12, t=16, b=40),
            paper_bgcolor="rgba(0,0,0,0)",
            plot_bgcolor="white",
            shapes=shapes,
            annotations=annotations,
            dragmode=False,
            xaxis=dict(
                title="weeks since MRI and the start of care",
                range=[-1, end],
                fixedrange=True,
                tickvals=sorted({0, 6, 12, 18, 26, *weeks}),
            ),
            yaxis=dict(title=f"weeks of {words}" if inner else "weeks", range=[0, top * 1.28], fixedrange=True),
            legend=dict(orientation="h", x=0, y=-0.3, yanchor="top", font=dict(size=11)),
        ),
    )
