"""Benchmark: `python -m core compare-cohort` (one cohort under two pathways) against `python -m core cohort` on the
same rows, in the same run, each in its own process.

Run: .venv/bin/python bench/bench_compare_cohort.py [--rows 1000000] [--pathways A,B]
Target (issue 20): compare-cohort at most 2.5 times the time of cohort on the same rows; peak memory printed.
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa
import pyarrow.csv as pa_csv

from tools.measure import measured
from tools.synthetic import synthetic_cases

DEFAULT_PAIR = "neck-upper-back-pain-after-lumbar-fusion,cervical-radiculopathy"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pathways", default=DEFAULT_PAIR)
    args = parser.parse_args()
    table = pa.Table.from_pandas(synthetic_cases(args.rows, seed=1), preserve_index=False)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source = folder / "cases.csv"
        pa_csv.write_csv(table, source)
        py = sys.executable
        cohort = measured([py, "-m", "core", "cohort", str(source), "--out", str(folder / "out.csv")], ROOT)
        across = measured(
            [
                py,
                "-m",
                "core",
                "compare-cohort",
                str(source),
                "--pathways",
                args.pathways,
                "--out",
                str(folder / "crosstab.csv"),
                "--cases-out",
                str(folder / "cases_out.csv"),
            ],
            ROOT,
        )
    print(f"{args.rows:,} rows; pathways {args.pathways}")
    print(f"cohort          {cohort[0]:7.2f} s  peak {cohort[1]:7.0f} MB")
    print(f"compare-cohort  {across[0]:7.2f} s  peak {across[1]:7.0f} MB")
    print(f"ratio           {across[0] / cohort[0]:7.2f}  (goal: at most 2.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
