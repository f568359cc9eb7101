"""The Patient page's "What would change this decision": the nearby cases with another disposition.

Each change links to the Scenarios page's compare view with this case beside the changed one (both in the link,
so it can be opened in a new tab or shared). Changes to known values come first, most urgent first (the order of
`core.analyses.counterfactuals`); the rest wait in an expander.
"""
import html

import streamlit as st

from core import Counterfactual, Evaluation, Guideline, counterfactuals
from core.engine.case_params import as_params, change_params
from core.engine.case_text import case_to_text
from core.outputs.palette import TONE_COLOURS, tint

SHOWN = 8
SCENARIOS_PAGE = "app_pages/scenarios.py"
TAB_PARAM = "tab"  # the Scenarios page's tabs are bound to this URL parameter
COMPARE_TAB = "Compare"
DIRECTION_MARKS = {"more urgent": "▲ more urgent", "less urgent": "▼ less urgent", "as urgent": "● as urgent",
                   "decides": "✓ decides the case", "needs information": "? would need more information"}


def compare_link_params(case_text: dict, item: Counterfactual) -> dict[str, list[str]]:
    """The Scenarios page's query: this case, the counterfactual's changes (`vs.`), the compare tab open."""
    return {**as_params(case_text), **change_params(case_text, case_to_text(item.case)), TAB_PARAM: [COMPARE_TAB]}


def _item_row(item: Counterfactual, g: Guideline, case_text: dict, n: int) -> None:
    colour = TONE_COLOURS[g.disposition(item.disposition).tone]
    with st.container(horizontal=True, wrap=False, vertical_alignment="center", gap="small", key=f"counterfactual_{n}"):
        st.html(
            f'<div class="counterfactual" data-disposition="{item.disposition}" style="border-left:.3rem solid '
            f'{colour};background:{tint(colour, 0.93)};padding:.3rem .6rem;border-radius:.3rem;margin:.2rem 0">'
            f'<div style="font-size:.75rem;color:#52606D">{DIRECTION_MARKS[item.direction]}</div>'
            f'<div style="color:{colour};font-weight:600">{html.escape(item.sentence)}</div></div>',
            width="stretch",
        )
        st.page_link(SCENARIOS_PAGE, label="Compare", icon=":material/compare_arrows:",
                     query_params=compare_link_params(case_text, item),
                     help="Open this case beside the changed one on the Scenarios page")


def what_would_change_section(evaluation: Evaluation, g: Guideline) -> None:
    st.subheader("What would change this decision")
    items = counterfactuals(evaluation.case, g)
    if not items:
        st.write("No change of one input (or of two, for a worsening) gives another disposition.")
        return
    st.caption("Each line is a change that can happen (an item assessed, a finding appearing or worsening, a "
               "result arriving, time and PT passing, a treatment proposed or withdrawn; two where a worsening "
               "needs both) and what the pathway would then decide, in the colour of that decision. *Compare* "
               "opens both cases side by side.")
    case_text = case_to_text(evaluation.case)
    first, rest = items[:SHOWN], items[SHOWN:]
    for n, item in enumerate(first):
        _item_row(item, g, case_text, n)
    if rest:
        with st.expander(f"More changes ({len(rest)})"):
            for n, item in enumerate(rest, start=len(first)):
                _item_row(item, g, case_text, n)
