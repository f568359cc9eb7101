"""The cohort's sankey: cases -> deciding rule -> disposition, from the counts of a cohort's results.

Counts come from a group-by over the results, so a million rows draw as fast as a hundred.
"""
import pandas as pd
import plotly.graph_objects as go

from core.guideline import Guideline

TONE_COLOURS = {"critical": "#b42318", "high": "#d9480f", "moderate": "#b08800", "routine": "#2f7d4f", "unknown": "#6b7280"}
RULE_COLOUR = "#5b6b8c"
SOURCE_COLOUR = "#344054"


def cohort_sankey(results: pd.DataFrame, guideline: Guideline) -> go.Figure:
    """Evaluated cases flow through the rule that decided (or blocked) them to their disposition."""
    evaluated = results[results["error"].isna()]
    flows = evaluated.groupby(["deciding_rule", "disposition"], observed=True).size().reset_index(name="count")
    rules = [r for r in guideline.pathway.rules if r.id in set(flows["deciding_rule"])]
    dispositions = [d for d in guideline.pathway.dispositions if d.id in set(flows["disposition"])]
    bad = int(results["error"].notna().sum())
    labels = [f"cases ({len(evaluated):,})"] + [f"{r.id}: {r.label}" for r in rules] + [d.label for d in dispositions]
    colours = [SOURCE_COLOUR] + [RULE_COLOUR] * len(rules) + [TONE_COLOURS[d.tone] for d in dispositions]
    index = {r.id: 1 + n for n, r in enumerate(rules)} | {d.id: 1 + len(rules) + n for n, d in enumerate(dispositions)}
    by_rule = flows.groupby("deciding_rule", observed=True)["count"].sum()
    sources = [0] * len(rules) + [index[r] for r in flows["deciding_rule"]]
    targets = [index[r.id] for r in rules] + [index[d] for d in flows["disposition"]]
    values = [int(by_rule[r.id]) for r in rules] + flows["count"].astype(int).tolist()
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=labels, color=colours, pad=14, thickness=14, line=dict(width=0)),
        link=dict(source=sources, target=targets, value=values, color="rgba(91,107,140,0.25)"),
    ))
    figure.update_layout(height=480, margin=dict(l=8, r=8, t=32, b=8),
                         title=dict(text="How this cohort flows through the rules"
                                    + (f" ({bad:,} bad rows not evaluated)" if bad else ""), x=0, font=dict(size=14)))
    return figure
