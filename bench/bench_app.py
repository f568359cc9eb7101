"""Dashboard benchmarks (prints figures; no assertions).

1. Start-up: from launching `streamlit run` to the Patient page fully rendered in chromium (the disposition of a
   case given in the URL visible, the script finished and no placeholder left), against a one-line Streamlit app
   measured the same way in the same run.
   Target: at most 1.5 times the one-line app.
2. Rerun: server-side time of one rerun of the Patient page after one input changes, measured with AppTest
   (`at.run()` after setting one widget; includes AppTest's own overhead, so it is an upper bound).
   Target: under 100 ms.

Run from the repository root:  .venv/bin/python bench/bench_app.py [--runs 5] [--reruns 40]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.streamlit_server import CHROMIUM, CHROMIUM_ARGS, start_streamlit

CASE_QUERY = (
    "red_flags=false&mri_finding=nerve_root_compression&radicular_symptoms=true&motor_grade_mrc=5"
    "&motor_deficit_progressive=false&instability=false&deformity_progressive=false&weeks_conservative=10"
    "&pt_weeks=8&conservative_failed=true&correlating_pathology=true&proposed=long_term_opioids"
)
EXTRA: list[str] = []
ONE_LINE_APP = 'import streamlit as st\nst.write("ready")\n'


def start_server(script: Path) -> tuple[subprocess.Popen, str]:
    return start_streamlit(script, *EXTRA)


RENDERED = (
    '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"], [data-stale="true"]\')'
)


def time_to_render(browser, script: Path, path: str, ready: Callable) -> float:
    """Seconds from launching the server to `ready(page)` and the page fully rendered (script finished, no
    placeholder left) in a fresh browser tab."""
    started = time.perf_counter()
    process, url = start_server(script)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(url + path)
        ready(page)
        page.wait_for_function(RENDERED, timeout=60_000)
        elapsed = time.perf_counter() - started
        context.close()
        return elapsed
    finally:
        process.terminate()
        process.wait(timeout=10)


def bench_startup(runs: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as plain, tempfile.TemporaryDirectory() as configured, sync_playwright() as p:
        # The one-line app as anyone would run it (Streamlit's defaults), and with this project's config.toml.
        baseline, baseline_configured = Path(plain) / "one_line_app.py", Path(configured) / "one_line_app.py"
        for script in (baseline, baseline_configured):
            script.write_text(ONE_LINE_APP)
        (Path(configured) / ".streamlit").mkdir()
        shutil.copy(ROOT / ".streamlit" / "config.toml", Path(configured) / ".streamlit" / "config.toml")
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ours, theirs, theirs_configured = [], [], []

        def one_line_ready(page) -> None:
            page.get_by_text("ready").wait_for(timeout=60_000)

        for _ in range(runs):  # interleaved so all three see the same machine load
            theirs.append(time_to_render(browser, baseline, "/", one_line_ready))
            theirs_configured.append(time_to_render(browser, baseline_configured, "/", one_line_ready))
            ours.append(
                time_to_render(
                    browser,
                    ROOT / "app.py",
                    f"/patient?{CASE_QUERY}",
                    lambda page: page.locator(".disposition code", has_text="conservative_care").wait_for(
                        timeout=60_000
                    ),
                )
            )
        browser.close()

    def line(label: str, times: list[float]) -> str:
        return f"  {label:<38}: {statistics.median(times):.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})"

    print(f"start-up to fully rendered page, median of {runs} cold starts (launch of `streamlit run` -> rendered)")
    print(line("one-line app, Streamlit defaults", theirs))
    print(line("one-line app, this project's config", theirs_configured))
    print(line("Patient page with a case in the URL", ours))
    print(
        f"  ratio to the one-line app: {statistics.median(ours) / statistics.median(theirs):.2f}x (target <= 1.5x); "
        f"to the same app with our config: {statistics.median(ours) / statistics.median(theirs_configured):.2f}x"
    )


def bench_rerun(reruns: int) -> None:
    from streamlit.testing.v1 import AppTest

    from core.engine.case_params import read_case_params

    text, _ = read_case_params(dict(part.split("=") for part in CASE_QUERY.split("&")))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(text)
    at.run()
    assert not at.exception, at.exception
    times = []
    for n in range(reruns):
        at.number_input(key="patient_weeks_conservative").set_value(10 + n % 2)
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    times.sort()
    print(f"rerun after one input change (AppTest, {reruns} reruns, weeks of conservative care 10 <-> 11)")
    print(
        f"  median {1000 * statistics.median(times):.1f} ms, p90 {1000 * times[int(0.9 * len(times)) - 1]:.1f} ms,"
        f" max {1000 * times[-1]:.1f} ms  (target < 100 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold starts per app (default 5)")
    parser.add_argument("--reruns", type=int, default=40, help="timed reruns of the Patient page (default 40)")
    args = parser.parse_args()
    bench_rerun(args.reruns)
    bench_startup(args.runs)


if __name__ == "__main__":
    main()
