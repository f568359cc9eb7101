"""Figures of a variant's effect: baseline -> variant dispositions as a sankey, and a threshold sweep as lines.

Both come with the rows they draw (`transitions`, the sweep's counts), which the page shows as tables too.
"""

import pandas as pd
import plotly.graph_objects as go

from core.analyses.variant_effect import Transition
from core.engine.guideline import Guideline
from core.outputs.figures import FONT, INK, Drawing, rgba, sankey_trace, wrap
from core.outputs.palette import TONE_COLOURS

ARTICLE, VARIANT = "article", "variant"
# Dispositions that share a tone colour are told apart by their dash, in pathway order.
DASHES = ("solid", "dash", "dot", "dashdot")


def transition_sankey(pairs: list[Transition], g: Guideline, title: str) -> go.Figure:
    """The article's disposition (left) -> the variant's (right); flows that change are drawn strong."""
    order = [d.id for d in g.pathway.dispositions]
    left = [d for d in order if any(p.from_ == d for p in pairs)]
    right = [d for d in order if any(p.to == d for p in pairs)]
    nodes = [(ARTICLE, d) for d in left] + [(VARIANT, d) for d in right]
    index = {node: n for n, node in enumerate(nodes)}
    colours = [TONE_COLOURS[g.disposition(d).tone] for _, d in nodes]
    labels = [wrap(g.disposition(d).label.split(" (", 1)[0], 22) for _, d in nodes]
    d = Drawing()
    d.traces.append(
        sankey_trace(
            labels=labels,
            colours=colours,
            details=[f"{side}: {g.disposition(x).label}" for side, x in nodes],
            pad=12,
            source=[index[(ARTICLE, p.from_)] for p in pairs],
            target=[index[(VARIANT, p.to)] for p in pairs],
            values=[p.cases for p in pairs],
            link_colours=[
                rgba(TONE_COLOURS[g.disposition(p.to).tone], 0.75 if p.from_ != p.to else 0.18) for p in pairs
            ],
            link_details=[f"{p.from_} -> {p.to}" + (" (changed)" if p.from_ != p.to else "") for p in pairs],
        )
    )
    if not pairs:
        d.note(0.5, 0.5, "No cases to show", "empty", xref="paper", yref="paper")
    d.column_headings([(0.0, "article's pathway", "<b>article's pathway</b>"), (1.0, "variant", "<b>variant</b>")], 10)
    return d.figure(
        520, margin=dict(l=8, r=8, t=70, b=8), title=dict(text=title, x=0, xanchor="left", font=dict(size=14))
    )


def sweep_figure(
    counts: pd.DataFrame, g: Guideline, label: str, article_value: int, variant_value: int | None = None
) -> go.Figure:
    """Cases per disposition (one line each; those that never occur are left out) against the threshold's value,
    the article's value marked, and the variant's when it differs."""
    shown = [d for d in g.pathway.dispositions if counts.loc[counts["disposition"] == d.id, "cases"].any()]
    tone_seen: dict[str, int] = {}
    traces = []
    for disposition in shown:
        rows = counts[counts["disposition"] == disposition.id]
        dash = DASHES[tone_seen.get(disposition.tone, 0) % len(DASHES)]
        tone_seen[disposition.tone] = tone_seen.get(disposition.tone, 0) + 1
        traces.append(
            dict(
                type="scatter",
                x=rows["value"].tolist(),
                y=rows["cases"].tolist(),
                mode="lines+markers",
                name=disposition.label.split(" (", 1)[0],
                marker=dict(size=4),
                line=dict(color=TONE_COLOURS[disposition.tone], dash=dash, width=2),
                hovertemplate=f"{disposition.id}<br>{label} = %{{x}}: %{{y}} cases<extra></extra>",
            )
        )
    marks = [(article_value, f"the article: {article_value}", "solid")]
    if variant_value is not None and variant_value != article_value:
        marks.append((variant_value, f"variant: {variant_value}", "dash"))
    # Plain dicts validated once by go.Figure: add_vline/add_annotation validate per call, ten times slower.
    shapes = [
        dict(
            type="line",
            xref="x",
            yref="paper",
            x0=value,
            x1=value,
            y0=0,
            y1=1,
            line=dict(color=INK, width=1.5, dash=dash),
        )
        for value, _, dash in marks
    ]
    annotations = [
        dict(
            x=value,
            y=1.0 - 0.08 * n,
            xref="x",
            yref="paper",
            text=text,
            showarrow=False,
            xanchor="left",
            xshift=4,
            font=dict(size=11, color=INK),
            bgcolor="rgba(255,255,255,0.8)",
        )
        for n, (value, text, _) in enumerate(marks)
    ]
    return go.Figure(
        data=traces,
        layout=dict(
            height=470,
            font=FONT,
            margin=dict(l=8, r=8, t=40, b=8),
            paper_bgcolor="rgba(0,0,0,0)",
            plot_bgcolor="rgba(0,0,0,0)",
            hovermode="closest",
            shapes=shapes,
            annotations=annotations,
            title=dict(text=f"Cases per disposition as {label} changes", x=0, xanchor="left", font=dict(size=14)),
            xaxis=dict(title=dict(text=label), gridcolor="#E5E7EB", zeroline=False),
            yaxis=dict(title=dict(text="cases"), gridcolor="#E5E7EB", rangemode="tozero"),
            legend=dict(orientation="h", yanchor="top", y=-0.24, x=0, font=dict(size=11)),
        ),
    )
