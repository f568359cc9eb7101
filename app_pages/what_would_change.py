"""The Patient page's "What would change this decision": the nearby cases with another disposition.

Each change links to the Scenarios page's compare view with this case beside the changed one (both in the link,
so it can be opened in a new tab or shared). Changes to known values come first, most urgent first (the order of
`core.analyses.counterfactuals`); the rest wait in an expander.
"""

import functools
import html
from urllib.parse import urlencode

import streamlit as st

from app_pages.session import guideline
from core import Case, Counterfactual, Evaluation, Guideline, counterfactuals
from core.engine.case_params import as_params, change_params
from core.engine.case_text import case_to_text
from core.outputs.palette import TONE_COLOURS, tint

SHOWN = 8
SCENARIOS_PATH = "scenarios"  # relative to the Patient page's URL
TAB_PARAM = "tab"  # the Scenarios page's tabs are bound to this URL parameter
COMPARE_TAB = "Compare"
DIRECTION_MARKS = {
    "more urgent": "▲ more urgent",
    "less urgent": "▼ less urgent",
    "as urgent": "● as urgent",
    "decides": "✓ decides the case",
    "needs information": "? would need more information",
}


def compare_link_params(case_text: dict, item: Counterfactual) -> dict[str, list[str]]:
    """The Scenarios page's query: this case, the counterfactual's changes (`vs.`), the compare tab open."""
    return {
        **as_params(case_text),
        **change_params(case_text, case_to_text(item.case), guideline().schema),
        TAB_PARAM: [COMPARE_TAB],
    }


def _item_html(item: Counterfactual, g: Guideline, case_text: dict) -> str:
    colour = TONE_COLOURS[g.disposition(item.disposition).tone]
    href = html.escape(f"{SCENARIOS_PATH}?{urlencode(compare_link_params(case_text, item), doseq=True)}")
    return (
        f'<div class="counterfactual" data-disposition="{item.disposition}" style="display:flex;gap:.6rem;'
        f"align-items:center;border-left:.3rem solid {colour};background:{tint(colour, 0.93)};padding:.3rem .6rem;"
        f'border-radius:.3rem;margin:.3rem 0"><div style="flex:1">'
        f'<div style="font-size:.75rem;color:#52606D">{DIRECTION_MARKS[item.direction]}</div>'
        f'<div style="color:{colour};font-weight:600">{html.escape(item.sentence)}</div></div>'
        f'<a class="compare" href="{href}" target="_self" title="Open this case beside the changed one on the '
        f'Scenarios page" style="white-space:nowrap">Compare ⇄</a></div>'
    )


def _items_html(items: list[Counterfactual], g: Guideline, case_text: dict) -> str:
    """All rows in one HTML block: one element instead of three per row keeps a new visitor's first view quick."""
    return "".join(_item_html(item, g, case_text) for item in items)


@functools.lru_cache(maxsize=256)
def _counterfactuals(case: Case) -> tuple[Counterfactual, ...]:
    # Per process, not per session: a shared link opened by many visitors is worked out once (the guideline is
    # loaded once per process too, and a case is frozen and hashable).
    return tuple(counterfactuals(case, guideline()))


def what_would_change_section(evaluation: Evaluation, g: Guideline) -> None:
    st.subheader("What would change this decision")
    items = list(_counterfactuals(evaluation.case))
    if not items:
        st.write("No change of one input (or of two, for a worsening) gives another disposition.")
        return
    st.caption(
        "Each line is a change that can happen (an item assessed, a finding appearing or worsening, a "
        "result arriving, time and PT passing, a treatment proposed or withdrawn; two where a worsening "
        "needs both) and what the pathway would then decide, in the colour of that decision. Compare "
        "opens both cases side by side."
    )
    case_text = case_to_text(evaluation.case)
    first, rest = items[:SHOWN], items[SHOWN:]
    st.html(_items_html(first, g, case_text))
    if rest:
        with st.expander(f"More changes ({len(rest)})"):
            st.html(_items_html(rest, g, case_text))
