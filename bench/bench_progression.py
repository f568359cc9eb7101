"""Benchmark: `python -m core progression` on 1,000,000 visit rows (200,000 courses) against `python -m core cohort`
on 1,000,000 case rows, both CSV in and out, each in its own process, in the same run.

Run: .venv/bin/python bench/bench_progression.py [--courses 200000] [--visits 5]
Targets (issue 9): progression at most 3 times the cohort's time; peak memory under 2 GB. Peak memory is the
child's maximum resident set size (os.wait4), so the generator's memory does not count.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.measure import measured  # noqa: E402

GENERATE = """
import sys
import pyarrow as pa, pyarrow.csv as pa_csv
from tools.synthetic import synthetic_cases
from tools.synthetic_visits import synthetic_visits
courses, visits, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
frame = synthetic_visits(courses, visits, seed=1)
pa_csv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), folder + "/visits.csv")
del frame
pa_csv.write_csv(pa.Table.from_pandas(synthetic_cases(courses * visits, seed=1), preserve_index=False),
                 folder + "/cases.csv")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=200_000)
    parser.add_argument("--visits", type=int, default=5, help="visits per course")
    args = parser.parse_args()
    rows = args.courses * args.visits
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        visits, cases = folder / "visits.csv", folder / "cases.csv"
        subprocess.run(
            [sys.executable, "-c", GENERATE, str(args.courses), str(args.visits), str(folder)], cwd=ROOT, check=True
        )
        core = [sys.executable, "-m", "core"]
        cohort_s, cohort_mb = measured([*core, "cohort", str(cases), "--out", str(folder / "results.csv")], ROOT)
        progression_s, progression_mb = measured(
            [
                *core,
                "progression",
                str(visits),
                "--out",
                str(folder / "links.csv"),
                "--visits-out",
                str(folder / "visit_results.csv"),
            ],
            ROOT,
        )
    ratio = progression_s / cohort_s
    print(f"cohort:      {rows:,} case rows in {cohort_s:.2f} s, peak memory {cohort_mb:,.0f} MB")
    print(
        f"progression: {rows:,} visit rows ({args.courses:,} courses) in {progression_s:.2f} s, "
        f"peak memory {progression_mb:,.0f} MB"
    )
    print(
        f"ratio progression/cohort: {ratio:.2f}x (target <= 3x: {'met' if ratio <= 3 else 'MISSED'}); "
        f"peak under 2 GB: {'met' if progression_mb < 2048 else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
