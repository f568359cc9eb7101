"""Figure builders: the pathway flowchart, the cohort sankey and the conservative-care timeline (plotly only).

Each builder takes models or DataFrames and returns a `go.Figure`; the rows it draws from are public too
(`pathway_rows`, `core.analyses.flows`, `core.analyses.timeline`) so every chart has a table equivalent for
screen readers.
Boxes are drawn in data coordinates and text is wrapped short, so the figures read at 1280 px and at 390 px.
"""

import textwrap
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from core.analyses.flows import STAGES, flow_links, flow_nodes
from core.analyses.timeline import axis_end, bypass_rows, timeline_rows
from core.engine.evaluation import Evaluation
from core.engine.guideline import NEEDS_INFORMATION, Guideline, load_guideline
from core.outputs.chart_text import FLOW_TITLE, PATHWAY_TITLE, TIMELINE_TITLE
from core.outputs.palette import TONE_COLOURS, tint

INK = "#1F2A37"
MUTED = "#9AA3AF"  # lines and fills of what the route does not reach
MUTED_TEXT = "#6B7280"  # small text on white at 4.5:1
ROUTE = "#243B53"
STAGE_COLOURS = {"presentation": "#6B7F99", "MRI": "#5E8FB5", "rule": "#8A94A3"}
FONT = dict(family="Source Sans Pro, Arial, sans-serif", color=INK, size=12)
LINE_CHARS = 24  # characters per wrapped line: fits a box at 390 px wide
TITLE_SPACE = 36  # pixels above a figure for its title (core.outputs.chart_text), which the page's alt repeats


def _title(text: str) -> dict[str, Any]:
    return dict(
        text=text, x=0, xanchor="left", y=1, yanchor="top", yref="container", pad=dict(t=10, l=4), font=dict(size=14)
    )


def rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def wrap(text: str, width: int = LINE_CHARS) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def _lines(text: str, width: int) -> int:
    return len(textwrap.wrap(text, width))


def rule_number(rule_id: str) -> str:
    """`R6` from `R6_some_words` (the number before the first underscore)."""
    return rule_id.split("_", 1)[0]


def _rule_text(rule_id: str, label: str) -> str:
    """Short box text: number and label on at most two lines, else the words of the rule id."""
    number, _, words = rule_id.partition("_")
    text = label if _lines(f"{number} {label}", LINE_CHARS) <= 2 else words.replace("_", " ").capitalize()
    return f"<b>{number}</b>" + wrap(f"{number} {text}", LINE_CHARS)[len(number) :]


def _disposition_text(label: str, disposition_id: str) -> str:
    text = label if _lines(label, LINE_CHARS + 2) <= 2 else disposition_id.replace("_", " ")
    return wrap(text, LINE_CHARS + 2)


@dataclass
class Drawing:
    """Shapes, annotations and traces collected as plain dicts and validated once when the figure is built
    (plotly's add_shape/add_annotation/add_trace validate on every call, ten times slower for a flowchart)."""

    shapes: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    traces: list[dict[str, Any]] = field(default_factory=list)

    def figure(
        self, height: int, x_range: list[float] | None = None, y_range: list[float] | None = None, **layout: Any
    ) -> go.Figure:
        axis = dict(visible=False, fixedrange=True)
        base = dict(
            height=height,
            margin=dict(l=8, r=8, t=8, b=8),
            font=FONT,
            showlegend=False,
            paper_bgcolor="rgba(0,0,0,0)",
            plot_bgcolor="rgba(0,0,0,0)",
            dragmode=False,
            hoverlabel=dict(bgcolor="white", font=dict(color=INK, size=12), align="left"),
            xaxis=dict(axis, range=x_range),
            yaxis=dict(axis, range=y_range),
            shapes=self.shapes,
            annotations=self.annotations,
        )
        return go.Figure(data=self.traces, layout=base | layout)

    def box(
        self,
        name: str,
        x0: float,
        x1: float,
        y: float,
        half: float,
        *,
        fill: str,
        border: str,
        width: float,
        dash: str = "solid",
        opacity: float = 1.0,
    ) -> None:
        self.shapes.append(
            dict(
                type="rect",
                name=name,
                x0=x0,
                x1=x1,
                y0=y - half,
                y1=y + half,
                fillcolor=fill,
                opacity=opacity,
                line=dict(color=border, width=width, dash=dash),
                layer="below",
            )
        )

    def edge(
        self, name: str, xs: list[float], ys: list[float], *, colour: str, width: float, dash: str = "solid"
    ) -> None:
        """A connector drawn as a scatter line (so it can be dashed), with an arrowhead at its end."""
        sizes = [0] * (len(xs) - 1) + [9 + width * 1.5]
        self.traces.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                name=name,
                mode="lines+markers",
                hoverinfo="skip",
                showlegend=False,
                line=dict(color=colour, width=width, dash=dash),
                marker=dict(symbol="arrow", angleref="previous", size=sizes, color=colour, line=dict(width=0)),
            )
        )

    def note(self, x: float, y: float, text: str, name: str, **style: Any) -> None:
        self.annotations.append(dict(x=x, y=y, text=text, name=name, showarrow=False, **style))

    def column_headings(self, headings: list[tuple[float, str, str]], yshift: int) -> None:
        """Bold headings over the columns of a sankey, (x, text, name) each: the first flush left, the last flush
        right, the others centred."""
        for n, (x, text, name) in enumerate(headings):
            anchor = "left" if n == 0 else "right" if n == len(headings) - 1 else "center"
            self.note(
                x,
                1.0,
                f"<b>{text}</b>",
                name,
                xref="paper",
                yref="paper",
                yanchor="bottom",
                yshift=yshift,
                xanchor=anchor,
                font=dict(size=11, color=MUTED_TEXT),
            )


# ---------------------------------------------------------------------------------------------------- pathway

RULE_X = (0.10, 0.96)
OUTCOME_X = (1.24, 2.16)
RAIL_X = 0.04
HALF = 0.3
NEEDS_HALF = 0.42  # the last box holds the fields to assess, so it is taller
STATE_MARKS = {"unknown": "? ", "decides": "✓ "}


def pathway_rows(guideline: Guideline, evaluation: Evaluation | None = None) -> pd.DataFrame:
    """The flowchart as a table: each rule in order, its condition, its value for this patient and its outcome."""
    steps = {s.id: s for s in evaluation.trace} if evaluation else {}
    blocked = evaluation is not None and evaluation.disposition == NEEDS_INFORMATION
    rows = []
    for rule in guideline.pathway.rules:
        step = steps.get(rule.id)
        result = ""
        if evaluation is not None and rule.id == evaluation.deciding_rule:
            result = (
                f"unknown ahead of the deciding rule: {evaluation.disposition_label}"
                if blocked
                else f"decides: {evaluation.disposition_label}"
            )
        rows.append(
            {
                "rule": rule.id,
                "label": rule.label,
                "condition": step.condition if step else guideline.describe(rule.when),
                "value": step.value if step else ("not reached" if evaluation else ""),
                "outcome": guideline.disposition(rule.disposition).label,
                "result": result,
            }
        )
    return pd.DataFrame(rows, columns=["rule", "label", "condition", "value", "outcome", "result"])


def pathway_figure(guideline: Guideline, evaluation: Evaluation | None = None, title: str = PATHWAY_TITLE) -> go.Figure:
    """The rules as a vertical chain of decisions, each with a branch to its disposition; the patient's route
    (when given an evaluation) drawn bold, unknown rules dashed in the unknown tone with '?', needs_information as
    the outcome when an unknown rule came first."""
    rules = guideline.pathway.rules
    steps = {s.id: s for s in evaluation.trace} if evaluation else {}
    blocked = evaluation is not None and evaluation.disposition == NEEDS_INFORMATION
    decided = evaluation.deciding_rule if evaluation is not None and not blocked else None
    first_unknown = next((s.id for s in evaluation.trace if s.value == "unknown"), None) if evaluation else None
    centre = sum(RULE_X) / 2
    d = Drawing()
    hover_x, hover_y, hover_text = [], [], []

    for n, rule in enumerate(rules):
        y = -n
        step = steps.get(rule.id)
        disposition = guideline.disposition(rule.disposition)
        tone = TONE_COLOURS[disposition.tone]
        value = step.value if step else None
        # Rule node: the patient's route is bold; unknown is dashed in the unknown tone with '?'; unvisited fades.
        style: dict[str, Any]
        if evaluation is None:
            style = dict(fill="white", border=ROUTE, width=1.5)
        elif value is None:
            style = dict(fill="#F3F4F6", border=MUTED, width=1, opacity=0.75)
        elif value == "unknown":
            style = dict(fill=tint(TONE_COLOURS["unknown"], 0.8), border=TONE_COLOURS["unknown"], width=3, dash="dash")
        elif rule.id == decided:
            style = dict(fill=tint(tone, 0.82), border=tone, width=3.5)
        else:
            style = dict(fill="white", border=ROUTE, width=3)
        d.box(f"rule {rule.id}", *RULE_X, y, HALF, **style)
        # States in symbols as well as colour and line: '?' cannot be decided yet, a tick decides.
        state = "decides" if rule.id == decided else (value or "")
        text = STATE_MARKS.get(state, "") + _rule_text(rule.id, rule.label)
        d.note(
            centre,
            y,
            text,
            f"rule {rule.id}",
            font=dict(size=11, color=MUTED_TEXT if evaluation and value is None else INK),
        )

        # Its outcome: solid and filled when this patient ends here; faded when the route never reaches it.
        chosen = rule.id == decided
        d.box(
            f"disposition {rule.id}",
            *OUTCOME_X,
            y,
            HALF,
            fill=tone if chosen else tint(tone, 0.85),
            border=tone,
            width=3.5 if chosen else 1,
            opacity=0.5 if evaluation and value is None else 1.0,
        )
        d.note(
            sum(OUTCOME_X) / 2,
            y,
            ("✓ " if chosen else "") + _disposition_text(disposition.label, disposition.id),
            f"disposition {rule.id}",
            font=dict(size=11, color="white" if chosen else INK),
        )
        d.edge(
            f"yes {rule.id}",
            [RULE_X[1], OUTCOME_X[0]],
            [y, y],
            colour=tone if chosen else MUTED,
            width=3.5 if chosen else 1.2,
        )
        d.note(
            (RULE_X[1] + OUTCOME_X[0]) / 2,
            y + 0.05,
            "yes" if rule.when is not None else "else",
            f"yes label {rule.id}",
            yanchor="bottom",
            font=dict(size=10, color=MUTED_TEXT),
        )

        if n + 1 < len(rules):
            on_route = value in ("false", "unknown") and rules[n + 1].id in steps
            d.edge(
                f"no {rule.id}",
                [centre, centre],
                [y - HALF, y - 1 + HALF],
                colour=ROUTE if on_route else MUTED,
                width=3 if on_route else 1.2,
            )
            d.note(
                centre + 0.03,
                y - 0.5,
                "no" if value != "unknown" else "unknown",
                f"no label {rule.id}",
                xanchor="left",
                font=dict(size=10, color=MUTED_TEXT),
            )
        hover_x.append(centre)
        hover_y.append(y)
        hover_text.append(
            f"<b>{rule.id}</b>: {rule.label}<br>when: {wrap(guideline.describe(rule.when), 60)}"
            + (f"<br>this patient: <b>{value}</b>" if evaluation else "")
            + f"<br>outcome: {disposition.label} ({disposition.id})"
        )

    # needs_information: reached when an unknown rule comes before the first rule that holds.
    unknown = guideline.disposition(NEEDS_INFORMATION)
    y_end = -len(rules)
    unknown_colour = TONE_COLOURS[unknown.tone]
    d.box(
        f"disposition {NEEDS_INFORMATION}",
        *RULE_X,
        y_end,
        NEEDS_HALF,
        fill=unknown_colour if blocked else tint(unknown_colour, 0.85),
        border=unknown_colour,
        width=3.5 if blocked else 1,
        dash="solid" if blocked else "dash",
        opacity=0.5 if evaluation and not blocked else 1.0,
    )
    text = f"<b>{unknown.label}</b>"
    if evaluation is not None and blocked:
        missing = "assess " + ", ".join(guideline.labels.get(f, f) for f in evaluation.missing)
        if _lines(missing, LINE_CHARS + 4) > 2:
            missing = f"assess {len(evaluation.missing)} unassessed findings"
        text += "<br>" + wrap(missing, LINE_CHARS + 4)
    d.note(
        centre, y_end, text, f"disposition {NEEDS_INFORMATION}", font=dict(size=11, color="white" if blocked else INK)
    )
    start = -[r.id for r in rules].index(first_unknown) if blocked and first_unknown is not None else 0
    d.edge(
        "unknown route",
        [RULE_X[0], RAIL_X, RAIL_X, RULE_X[0]],
        [start, start, y_end, y_end],
        colour=unknown_colour if blocked else MUTED,
        width=3 if blocked else 1,
        dash="dash",
    )
    hover_x.append(centre)
    hover_y.append(y_end)
    hover_text.append(
        f"<b>{NEEDS_INFORMATION}</b>: {wrap(unknown.summary, 60)}"
        + (f"<br>missing: {', '.join(evaluation.missing)}" if evaluation and blocked else "")
    )

    d.traces.append(
        dict(
            type="scatter",
            x=hover_x,
            y=hover_y,
            mode="markers",
            name="details",
            showlegend=False,
            marker=dict(size=30, opacity=0),
            hovertext=hover_text,
            hoverinfo="text",
        )
    )
    return d.figure(
        70 * (len(rules) + 1) + 16 + TITLE_SPACE,
        x_range=[0, OUTCOME_X[1] + 0.02],
        y_range=[y_end - NEEDS_HALF - 0.05, HALF + 0.1],
        title=_title(title),
        margin=dict(l=8, r=8, t=8 + TITLE_SPACE, b=8),
    )


# ---------------------------------------------------------------------------------------------------- sankey

SANKEY_HEIGHT = 640
SANKEY_TOP = 76
SANKEY_PAD = 14
# Column positions: the rule column sits mid-way so the disposition labels (drawn left of the last column) have
# room for a line of text even at 390 px; rule labels are short (R1..R8).
SANKEY_COLUMNS = (0.0, 0.26, 0.52, 1.0)


def _sankey_positions(nodes: list[str], links: pd.DataFrame, height_px: int) -> tuple[list[float], list[float]]:
    """Node centres (0-1) stacking each stage in pathway order, sized as plotly sizes them (value * ky)."""
    value = {
        n: max(links.loc[links["source"] == n, "count"].sum(), links.loc[links["target"] == n, "count"].sum())
        for n in nodes
    }
    stages = [[n for n in nodes if n.startswith(f"{stage}: ")] for stage in STAGES]
    ky = min(((height_px - SANKEY_PAD * (len(c) - 1)) / sum(value[n] for n in c) for c in stages if c), default=1)
    x, y = [], []
    for column_x, members in zip(SANKEY_COLUMNS, stages, strict=False):
        top = 0.0
        for n in members:
            size = value[n] * ky
            x.append(min(max(column_x, 0.001), 0.999))
            y.append(min(max((top + size / 2) / height_px, 0.001), 0.999))
            top += size + SANKEY_PAD
    return x, y


def sankey_trace(
    *,
    labels: list[str],
    colours: list[str],
    details: list[str],
    source: list[int],
    target: list[int],
    values: list[int],
    link_colours: list[str],
    link_details: list[str],
    unit: str = "cases",
    pad: int = SANKEY_PAD,
    arrangement: str = "snap",
    x: list[float] | None = None,
    y: list[float] | None = None,
) -> dict[str, Any]:
    """One sankey as plotly reads it, for every sankey of the app: the hover names each node and link with its
    count in `unit`; nodes sit at `x`, `y` when given."""
    hover = f"%{{customdata}}: %{{value}} {unit}<extra></extra>"
    node = dict(label=labels, color=colours, pad=pad, thickness=14, line=dict(width=0), customdata=details)
    if x is not None:
        node |= dict(x=x, y=y)
    return dict(
        type="sankey",
        arrangement=arrangement,
        node=node | dict(hovertemplate=hover),
        link=dict(
            source=source,
            target=target,
            value=values,
            color=link_colours,
            customdata=link_details,
            hovertemplate=hover,
        ),
        textfont=dict(size=11, color=INK),
    )


def _sankey_label(stage: str, value: str, guideline: Guideline) -> str:
    """Short text beside a node (the hover and the table carry the full name): rule numbers, wrapped labels."""
    if stage == "rule":
        return rule_number(value)
    if stage == "disposition":
        return wrap(_short(guideline.disposition(value).label), 24)
    return wrap(value, 14)


def sankey_figure(flows: pd.DataFrame, title: str = FLOW_TITLE, guideline: Guideline | None = None) -> go.Figure:
    """Presentation -> MRI finding -> deciding rule -> disposition; dispositions coloured by tone."""
    g = guideline or load_guideline()
    nodes = flow_nodes(flows, g)
    index = {name: n for n, name in enumerate(nodes)}
    tones = {d.id: TONE_COLOURS[d.tone] for d in g.pathway.dispositions}
    rule_labels = {r.id: r.label for r in g.decision_rules}
    colours, labels, details = [], [], []
    for name in nodes:
        stage, value = name.split(": ", 1)
        colours.append(tones[value] if stage == "disposition" else STAGE_COLOURS[stage])
        labels.append(_sankey_label(stage, value, g))
        details.append(f"{name} ({rule_labels[value]})" if stage == "rule" else name)
    links = flow_links(flows, g)
    x, y = _sankey_positions(nodes, links, SANKEY_HEIGHT - SANKEY_TOP - 8)
    d = Drawing()
    d.traces.append(
        sankey_trace(
            labels=labels,
            colours=colours,
            details=details,
            x=x,
            y=y,
            source=[index[s] for s in links["source"]],
            target=[index[t] for t in links["target"]],
            values=links["count"].tolist(),
            link_colours=[rgba(colours[index[t]], 0.35) for t in links["target"]],
            link_details=[f"{s} -> {t}" for s, t in zip(links["source"], links["target"], strict=False)],
        )
    )
    if flows.empty:
        d.note(0.5, 0.5, "No cases to show", "empty", xref="paper", yref="paper")
    d.column_headings([(x, stage, f"stage {stage}") for stage, x in zip(STAGES, SANKEY_COLUMNS, strict=True)], 14)
    return d.figure(SANKEY_HEIGHT, margin=dict(l=8, r=8, t=SANKEY_TOP, b=8), title=_title(title))


# ---------------------------------------------------------------------------------------------------- timeline

PT_X = 0.25
PATIENT_X = 0.5
AXIS_X = 0.8
LABEL_X = 1.15
LABEL_CHARS = 28
RAIL = 5.6
BYPASS_X = (5.9, 9.95)
STATUS_COLOURS = {"done": MUTED_TEXT, "current": INK, "upcoming": INK, "unknown": INK}
MILESTONE_WORDS = {"done": " · passed", "current": " · this week", "upcoming": "", "unknown": ""}  # not by shade alone


def _short(label: str) -> str:
    """A phase or disposition label without its parenthetical detail (the table keeps the full text)."""
    return label.split(" (", 1)[0]


def timeline_figure(
    guideline: Guideline,
    weeks: int | None = None,
    therapy_weeks: int | None = None,
    title: str = TIMELINE_TITLE,
) -> go.Figure:
    """The conservative progression down a week axis (0 to past the last milestone), the routes that leave it at
    any week, and this patient's week and PT completed when known. Drawn from `timeline_rows`/`bypass_rows`."""
    rows = timeline_rows(guideline, weeks, therapy_weeks)
    bypass = bypass_rows(guideline).reset_index(drop=True)
    end = axis_end(guideline)
    milestones = rows[rows["kind"] == "milestone"]
    last = int(milestones["week"].max())
    d = Drawing()

    def text(x: float, y: float, body: str, name: str, **style: Any) -> None:
        d.note(x, y, body, name, xanchor="left", align="left", **style)

    text(0, -2.3, "<b>Weeks of conservative care</b>", "header", yanchor="middle", font=dict(size=12))
    text(
        RAIL,
        -2.3,
        "<b>At any week</b><br>routes off the timeline",
        "header bypass",
        yanchor="middle",
        font=dict(size=11),
    )

    # Stretches between milestones: a band on the axis, labelled (just above the next milestone) with what can
    # happen in it; where time-gated rules open, with where they lead.
    for band in rows[rows["kind"] == "phase"].to_dict("records"):
        start = int(band["week"])
        stop = end if pd.isna(band["until"]) else int(band["until"])
        opens = rows[(rows["kind"] == "route opens") & (rows["week"] == start)]
        colour = TONE_COLOURS[opens["tone"].iloc[0] if len(opens) else band["tone"]]
        d.shapes.append(
            dict(
                type="rect",
                name=f"band {start}",
                x0=AXIS_X - 0.14,
                x1=AXIS_X + 0.14,
                y0=start,
                y1=stop,
                fillcolor=tint(colour, 0.4 if band["status"] == "current" else 0.72),
                line=dict(width=0),
                layer="below",
            )
        )
        if len(opens):
            body = "then: " + " or ".join(_short(label) for label in opens["leads_to"])
        else:
            body = " or ".join(_short(p) for p in band["what"].split(" or "))
        text(
            LABEL_X,
            stop - 0.5,
            f"<i>{wrap(body, LABEL_CHARS + 2)}</i>",
            f"band {start}",
            yanchor="bottom",
            font=dict(size=10, color=MUTED_TEXT if band["status"] == "done" else "#52606D"),
        )
    d.shapes.append(
        dict(
            type="line", name="axis", x0=AXIS_X, x1=AXIS_X, y0=0, y1=end, layer="below", line=dict(color=ROUTE, width=2)
        )
    )
    text(AXIS_X + 0.15, end + 0.2, f"{last}+", "axis end", yanchor="top", font=dict(size=10, color=MUTED_TEXT))

    d.traces.append(
        dict(
            type="scatter",
            x=[AXIS_X] * len(milestones),
            y=list(milestones["week"]),
            mode="markers",
            name="milestones",
            showlegend=False,
            hoverinfo="text",
            marker=dict(
                symbol="diamond",
                size=12,
                color=[STATUS_COLOURS[s] for s in milestones["status"]],
                line=dict(color="white", width=1.5),
            ),
            hovertext=[f"week {w}: {t}" for w, t in zip(milestones["week"], milestones["what"], strict=False)],
        )
    )
    for m in milestones.to_dict("records"):
        body = f"<b>Week {m['week']}</b>{MILESTONE_WORDS[m['status']]}<br>{wrap(m['what'], LABEL_CHARS)}"
        text(
            LABEL_X,
            m["week"] - 0.6,
            f"<b>{body}</b>" if m["status"] == "current" else body,
            f"milestone {m['week']}",
            yanchor="top",
            font=dict(size=11, color=STATUS_COLOURS[m["status"]]),
        )

    # Bypass routes: an 'any week' rail alongside the axis with an arrow out to each route.
    d.shapes.append(
        dict(type="line", name="any week", x0=RAIL, x1=RAIL, y0=0, y1=end, line=dict(color=MUTED, width=2, dash="dot"))
    )
    step = end / max(len(bypass), 1)
    for n, b in enumerate(bypass.to_dict("records")):
        y = step * (n + 0.5)
        colour = TONE_COLOURS[b["tone"]]
        d.box(
            f"bypass {b['rule']}", *BYPASS_X, y, min(step * 0.4, 2.6), fill=tint(colour, 0.85), border=colour, width=1.5
        )
        d.edge(f"bypass {b['rule']}", [RAIL, BYPASS_X[0]], [y, y], colour=colour, width=2)
        d.note(
            sum(BYPASS_X) / 2,
            y,
            f"<b>{wrap(b['label'], 22)}</b><br>-> {wrap(_short(b['disposition_label']), 22)}",
            f"bypass {b['rule']}",
            font=dict(size=10.5),
            hovertext=f"{b['condition']} -> {b['disposition_label']}",
        )

    # The patient: weeks of care as a marker beside the axis (clamped to its end), PT completed as a bar from 0.
    if therapy_weeks is not None:
        d.traces.append(
            dict(
                type="scatter",
                x=[PT_X] * 2,
                y=[0, min(therapy_weeks, end)],
                mode="lines",
                name=f"PT completed: {therapy_weeks} weeks",
                hoverinfo="name",
                showlegend=True,
                line=dict(color=TONE_COLOURS[rows.loc[rows["kind"] == "phase", "tone"].iloc[0]], width=7),
            )
        )
    if weeks is not None:
        beyond = f" (beyond week {last}, shown at the axis end)" if weeks > last else ""
        d.traces.append(
            dict(
                type="scatter",
                x=[PATIENT_X],
                y=[min(weeks, end)],
                mode="markers",
                name=f"This patient: week {weeks}{beyond}",
                hoverinfo="name",
                showlegend=True,
                marker=dict(symbol="triangle-right", size=17, color=ROUTE, line=dict(color="white", width=1)),
            )
        )
    return d.figure(
        660 + TITLE_SPACE,
        x_range=[0, BYPASS_X[1] + 0.05],
        y_range=[end + 1.4, -3.4],
        showlegend=weeks is not None or therapy_weeks is not None,
        title=_title(title),
        legend=dict(orientation="h", x=0, y=0, yanchor="top", font=dict(size=11)),
        margin=dict(l=8, r=8, t=8 + TITLE_SPACE, b=56),
    )
