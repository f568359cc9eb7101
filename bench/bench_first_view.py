"""First view for every new visitor: a warm server, a new browser session, the Patient page with a full case in
the URL, against a one-line Streamlit app served at the same time (prints figures; no assertions).

Both servers are started once and visited once to warm them (imports done, caches filled); then each visit opens
a new browser context (no cookies, no cached session, a new Streamlit session on the server), alternating between
the two apps so both see the same machine load. A visit is timed from `goto` to the page fully rendered (its
content visible, the script finished, no placeholder or stale element left). The figure is the ratio of the
medians. Target: at most 1.5 times the one-line app.

Then the Pathway page visited directly by new visitors (no chart library compiled yet): the median time to its
first chart area showing something (the words of the loading placeholder, or the chart) and to its first chart
drawn. Target: no chart area blank while the library loads.

Run from the repository root:  .venv/bin/python bench/bench_first_view.py [--visits 9]
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_app import CHROMIUM, CHROMIUM_ARGS, ONE_LINE_APP, RENDERED, start_server  # noqa: E402
from tools.streamlit_server import stop  # noqa: E402

# A full case: every field the form offers is set, as a shared link would have it.
FULL_CASE_QUERY = (
    "red_flags=false&mri_finding=nerve_root_compression&myelopathy_signs=false&radicular_symptoms=true"
    "&motor_grade_mrc=5&motor_deficit_progressive=false&instability=false&deformity_progressive=false"
    "&weeks_conservative=10&pt_weeks=8&conservative_failed=true&correlating_pathology=true"
    "&proposed=long_term_opioids&prior_fusion_levels=L2-L5"
)
ONE_LINE_READY = '[data-testid="stMarkdownContainer"] p'
PATIENT_READY = ".disposition code"
CHART_AREA = ".stPrintGraphic"  # a chart's area: the loading placeholder, then the chart
CHART_DRAWN = ".js-plotly-plot .main-svg"


def _shown(page, selector: str, settled: bool = False) -> None:
    """Wait until an element matching `selector` is on screen (and, if `settled`, the page has finished), checked on
    every animation frame. A locator's `wait_for` retries at growing intervals (up to half a second), which would
    add up to 0.5 s of waiting to a figure of about one second."""
    visible = (
        "(s => { const e = document.querySelector(s); if (!e) return false;"
        " const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })"
    )
    condition = f"{visible}({selector!r})" + (f" && ({RENDERED})()" if settled else "")
    page.wait_for_function(f"() => {condition}", polling="raf", timeout=60_000)


def _visit(browser, url: str, ready: Callable) -> float:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url)
        ready(page)
        return time.perf_counter() - started
    finally:
        context.close()


def measure_first_view(visits: int) -> dict[str, list[float]]:
    """Seconds per first view of each app: {'one_line': [...], 'patient': [...]}, `visits` each."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as plain, sync_playwright() as p:
        baseline = Path(plain) / "one_line_app.py"
        baseline.write_text(ONE_LINE_APP)
        servers = [start_server(baseline), start_server(ROOT / "app.py")]
        try:
            (_, one_line_url), (_, app_url) = servers
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            targets = {
                "one_line": (one_line_url + "/", lambda page: _shown(page, ONE_LINE_READY, settled=True)),
                "patient": (
                    f"{app_url}/patient?{FULL_CASE_QUERY}",
                    lambda page: _shown(page, PATIENT_READY, settled=True),
                ),
            }
            for url, ready in targets.values():  # warm both servers: imports and per-process caches
                _visit(browser, url, ready)
            times: dict[str, list[float]] = {name: [] for name in targets}
            for _ in range(visits):
                for name, (url, ready) in targets.items():
                    times[name].append(_visit(browser, url, ready))
            browser.close()
        finally:
            for process, _ in servers:
                stop(process)
    return times


def measure_pathway_charts(visits: int) -> dict[str, list[float]]:
    """Seconds from `goto` to the first chart area shown and to the first chart drawn, per direct Pathway visit."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"area": [], "drawn": []}
    with sync_playwright() as p:
        process, url = start_server(ROOT / "app.py")
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for n in range(visits + 1):  # the first visit warms the server
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                started = time.perf_counter()
                page.goto(f"{url}/pathway")
                _shown(page, CHART_AREA)
                area = time.perf_counter() - started
                _shown(page, CHART_DRAWN)
                if n:
                    times["area"].append(area)
                    times["drawn"].append(time.perf_counter() - started)
                context.close()
            browser.close()
        finally:
            stop(process)
    return times


def ratio(times: dict[str, list[float]]) -> float:
    return statistics.median(times["patient"]) / statistics.median(times["one_line"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=9, help="timed visits per app (default 9)")
    args = parser.parse_args()
    times = measure_first_view(args.visits)

    def line(label: str, values: list[float]) -> str:
        return f"  {label:<40}: {statistics.median(values):.3f} s  (visits: {', '.join(f'{t:.2f}' for t in values)})"

    print(f"first view on a warm server, new browser context per visit, median of {args.visits} visits")
    print(line("one-line app", times["one_line"]))
    print(line("Patient page with a full case in the URL", times["patient"]))
    print(f"  ratio: {ratio(times):.2f}x (target <= 1.5x)")
    charts = measure_pathway_charts(args.visits)
    print(f"Pathway page visited directly, new browser context per visit, median of {args.visits} visits")
    print(line("first chart area shown (placeholder words)", charts["area"]))
    print(line("first chart drawn", charts["drawn"]))


if __name__ == "__main__":
    main()
