"""Load the chart library while the reader is still on another page, so the Pathway page's charts are not blank
placeholders for seconds when it opens.

Streamlit fetches its plotly component (about 4.7 MB of script) only when a page first shows a chart; on a small
machine fetching and compiling it takes seconds. Once a page has finished and the browser is idle, this imports the
same module from our own server (no other host is ever contacted), so the browser has it compiled when a chart
comes. Nothing runs when the file is missing (a Streamlit upgrade renamed it): the charts then load as before.
"""

import functools
from pathlib import Path

import streamlit as st

STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"
DELAY_MS = 4000  # after the page is idle: a first view is never slowed down by it


@functools.cache
def _chart_module() -> str | None:
    found = sorted(STATIC_JS.glob("PlotlyChart.*.js"))
    return found[0].name if found else None


def warm_up_charts() -> None:
    module = _chart_module()
    if module is None:
        return
    # Runs once per browser tab (the flag), from the app's own origin; failures are ignored: it is only a head start.
    st.html(
        "<script>(function(){const w=window.parent||window;if(w.__chartsWarm)return;w.__chartsWarm=true;"
        f"const go=()=>import(new URL('static/js/{module}',w.location.origin+'/').href).catch(()=>{{}});"
        f"w.setTimeout(()=>('requestIdleCallback' in w)?w.requestIdleCallback(go):go(),{DELAY_MS});}})();</script>",
        unsafe_allow_javascript=True,
    )
