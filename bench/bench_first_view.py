"""First view for every new visitor, as issue 21 defines it: on a warm server, a new browser context opens the
Patient page with a full case in the URL and the clock stops when the disposition's title is visible; the same
for a one-line Streamlit app (`st.write("hello there")`) served in the same run, until its line is visible. The
figure is the ratio of the medians (four visits each by default), at desktop (1280x800) and phone (390x844) size.
Target: at most 1.5 times the one-line app. Prints both medians and the ratio per size; no assertions.

Both servers are started once and visited once per size to warm them (imports done, caches filled); each timed
visit opens a new browser context (no cookies, no cached files, a new Streamlit session on the server),
alternating between the two apps so both see the same machine load. Visibility is checked on every animation
frame, from just before `goto`.

Then the Pathway page visited directly by new visitors (no chart library compiled yet): the median time to its
first chart area showing something (the words of the loading placeholder, or the chart) and to its first chart
drawn. Target: no chart area blank while the library loads.

Run from the repository root:  .venv/bin/python bench/bench_first_view.py [--visits 4] [--no-pathway]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_app import CHROMIUM, CHROMIUM_ARGS, start_server  # noqa: E402
from tools.streamlit_server import stop  # noqa: E402

# A full case: every field the form offers is set, as a shared link would have it.
FULL_CASE_QUERY = (
    "red_flags=false&mri_finding=nerve_root_compression&myelopathy_signs=false&radicular_symptoms=true"
    "&motor_grade_mrc=5&motor_deficit_progressive=false&instability=false&deformity_progressive=false"
    "&weeks_conservative=10&pt_weeks=8&conservative_failed=true&correlating_pathology=true"
    "&proposed=long_term_opioids&prior_fusion_levels=L2-L5"
)
ONE_LINE_APP = 'import streamlit as st\n\nst.write("hello there")\n'
ONE_LINE_READY = '[data-testid="stMarkdownContainer"] p'
PATIENT_READY = ".disposition > div:first-child"  # the disposition's title, above its id
SIZES = {"1280x800": (1280, 800), "390x844": (390, 844)}
CHART_AREA = ".stPrintGraphic"  # a chart's area: the loading placeholder, then the chart
CHART_DRAWN = ".js-plotly-plot .main-svg"


def _shown(page, selector: str) -> None:
    """Wait until an element matching `selector` has a box on screen, checked on every animation frame. A
    locator's `wait_for` retries at growing intervals (up to half a second), which would add up to 0.5 s of waiting
    to a figure of about one second."""
    visible = (
        "(s => { const e = document.querySelector(s); if (!e) return false;"
        " const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; })"
    )
    page.wait_for_function(f"() => {visible}({selector!r})", polling="raf", timeout=60_000)


def _visit(browser, url: str, selector: str, size: tuple[int, int]) -> float:
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        _shown(page, selector)
        return time.perf_counter() - started
    finally:
        context.close()


def measure_first_view(visits: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per first view, per size and app: {'1280x800': {'one_line': [...], 'patient': [...]}, ...}."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as plain, sync_playwright() as p:
        baseline = Path(plain) / "one_line_app.py"
        baseline.write_text(ONE_LINE_APP)
        servers = [start_server(baseline), start_server(ROOT / "app.py")]
        try:
            (_, one_line_url), (_, app_url) = servers
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            targets = {
                "one_line": (one_line_url + "/", ONE_LINE_READY),
                "patient": (f"{app_url}/patient?{FULL_CASE_QUERY}", PATIENT_READY),
            }
            times: dict[str, dict[str, list[float]]] = {}
            for size_name, size in SIZES.items():
                for url, selector in targets.values():  # warm both servers: imports and per-process caches
                    _visit(browser, url, selector, size)
                times[size_name] = {name: [] for name in targets}
                for _ in range(visits):
                    for name, (url, selector) in targets.items():
                        times[size_name][name].append(_visit(browser, url, selector, size))
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
    parser.add_argument("--visits", type=int, default=4, help="timed visits per app and size (default 4)")
    parser.add_argument("--no-pathway", action="store_true", help="skip the Pathway page's chart timings")
    args = parser.parse_args()

    def line(label: str, values: list[float]) -> str:
        return f"  {label:<40}: {statistics.median(values):.3f} s  (visits: {', '.join(f'{t:.2f}' for t in values)})"

    print(f"first view on a warm server, new browser context per visit, median of {args.visits} visits")
    for size_name, times in measure_first_view(args.visits).items():
        print(f" {size_name}")
        print(line("one-line app: its line visible", times["one_line"]))
        print(line("Patient page: the disposition's title", times["patient"]))
        print(f"  ratio at {size_name}: {ratio(times):.2f}x (target <= 1.5x)")
    if args.no_pathway:
        return
    charts = measure_pathway_charts(args.visits)
    print(f"Pathway page visited directly, new browser context per visit, median of {args.visits} visits")
    print(line("first chart area shown (placeholder words)", charts["area"]))
    print(line("first chart drawn", charts["drawn"]))


if __name__ == "__main__":
    main()
