"""Benchmark: `python -m core cohort` end to end on a 1,000,000-row CSV (and the same as Parquet), in a subprocess.

Run: .venv/bin/python bench/bench_cohort.py [--rows 1000000] [--bad-share 0.001]
Targets (issue 4): CSV in and out under 10 s, peak memory under 2 GB. Peak memory is the child's maximum resident
set size (os.wait4 on the child), so the generator's memory does not count.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tools.synthetic import synthetic_cases


def run_cohort(source: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one `python -m core cohort` process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "core", "cohort", str(source), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, _, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if child.stderr.read():
        raise SystemExit(f"cohort failed on {source}")
    return seconds, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bad-share", type=float, default=0.001, help="share of rows given a bad red_flags cell")
    args = parser.parse_args()

    table = pa.Table.from_pandas(synthetic_cases(args.rows, seed=1), preserve_index=False)
    text = table.column("red_flags").cast(pa.string())
    bad = np.random.default_rng(1).random(args.rows) < args.bad_share
    table = table.set_column(
        table.column_names.index("red_flags"),
        "red_flags",
        pa.array(np.where(bad, "maybe", text.to_numpy(zero_copy_only=False)), type=pa.string()),
    )
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        pa_csv.write_csv(table, folder / "cases.csv")
        pq.write_table(table, folder / "cases.parquet")
        size = (folder / "cases.csv").stat().st_size / 1e6
        for kind in ("csv", "parquet"):
            out = folder / f"results.{kind}"
            seconds, peak = run_cohort(folder / f"cases.{kind}", out)
            written = (
                pq.read_table(out, columns=["error"])
                if kind == "parquet"
                else pa_csv.read_csv(
                    out, convert_options=pa_csv.ConvertOptions(include_columns=["error"], strings_can_be_null=True)
                )
            )
            flagged = written.column("error").drop_null().length()
            note = f" (input {size:.0f} MB)" if kind == "csv" else ""
            print(
                f"cohort {kind} -> {kind}: {args.rows:,} rows{note} in {seconds:.2f} s, peak memory {peak:,.0f} MB; "
                f"rows out {written.num_rows:,} (= rows in: {written.num_rows == args.rows}), "
                f"bad rows {flagged:,} (injected {int(bad.sum()):,})"
            )
            if kind == "csv":
                print(
                    f"targets: under 10 s {'met' if seconds < 10 else 'MISSED'}; "
                    f"under 2 GB {'met' if peak < 2048 else 'MISSED'}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
