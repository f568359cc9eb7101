"""Benchmark: `python -m core compare-cohort` (one cohort under two pathways) against `python -m core cohort` on the
same rows, in the same run, each in its own process, for each engine.

Run: .venv/bin/python bench/bench_compare_cohort.py [--rows 1000000] [--pathways A,B] [--engines pandas,duckdb]
Target (issue 20): compare-cohort at most 2.5 times the time of cohort on the same rows and engine. Peak memory is
each child process's own peak resident set (ru_maxrss from os.wait4), so the generated data here does not count.
`--engines` may name spark too (it starts a JVM; the JVM's memory is not the child's and is not counted).
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from tools.measure import measured
from tools.synthetic import synthetic_cases

# Today's pathway and one that reads many of the same fields (region, red flags, MRI finding, weeks, proposals).
DEFAULT_PAIR = "neck-upper-back-pain-after-lumbar-fusion,cervical-myelopathy"


def cases(rows: int) -> pa.Table:
    """The synthetic cohort plus the fields the myelopathy pathway reads that it lacks (mostly cervical cases),
    so both pathways decide on real values."""
    frame = synthetic_cases(rows, seed=1)
    rng = np.random.default_rng(2)
    frame["region"] = pd.Categorical.from_codes(
        np.where(rng.random(rows) < 0.85, 0, rng.integers(1, 3, rows)), ["cervical", "thoracic", "lumbar"]
    )
    for field in ("gait_disturbance", "myelopathy_worsening"):
        frame[field] = pd.arrays.BooleanArray(rng.random(rows) < 0.1, rng.random(rows) < 0.08)
    frame["mjoa_score"] = pd.arrays.IntegerArray(rng.integers(8, 19, rows), rng.random(rows) < 0.3)
    return pa.Table.from_pandas(frame, preserve_index=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pathways", default=DEFAULT_PAIR)
    parser.add_argument("--engines", default="pandas,duckdb")
    args = parser.parse_args()
    first = args.pathways.split(",")[0]
    table = cases(args.rows)
    py = sys.executable
    print(f"{args.rows:,} rows; pathways {args.pathways}; peak = the child process's peak resident set")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source = folder / "cases.csv"
        pa_csv.write_csv(table, source)
        del table
        for engine in args.engines.split(","):
            cohort = measured(
                [py, "-m", "core", "cohort", str(source), "--pathway", first, "--out", str(folder / "out.csv"),
                 "--engine", engine],
                ROOT,
            )  # fmt: skip
            across = measured(
                [py, "-m", "core", "compare-cohort", str(source), "--pathways", args.pathways,
                 "--out", str(folder / "crosstab.csv"), "--cases-out", str(folder / "cases_out.csv"),
                 "--engine", engine],
                ROOT,
            )  # fmt: skip
            print(f"{engine:<7} cohort          {cohort[0]:7.2f} s  peak {cohort[1]:7.0f} MB")
            print(f"{engine:<7} compare-cohort  {across[0]:7.2f} s  peak {across[1]:7.0f} MB")
            print(f"{engine:<7} ratio           {across[0] / cohort[0]:7.2f}  (goal: at most 2.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
