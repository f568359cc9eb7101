"""Benchmark: `python -m core verify` on the full grid, plus an exhaustive cross-check of the grid's completeness.

Run: .venv/bin/python bench/bench_verify.py [--skip-exhaustive]
Target (issue 4): verify under 10 s. The cross-check evaluates the whole cartesian product of the values the grid
tries for the decision (every field: its values and unknown; numbers at each threshold, either side and the range
ends) with evaluate_frame, and reports any decision it finds that the grid lacks (there must be none).
"""

import argparse
import itertools
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np
import pandas as pd

from core import evaluate_frame, load_guideline
from core.analyses.frame import cases_frame, pathway_fields
from core.analyses.grid import verification_grid
from core.analyses.verify import load_invariants, verification_report

DECISION = ["disposition", "deciding_rule", "urgent", "missing", "phase"]


def decisions(results: pd.DataFrame) -> set[tuple]:
    frame = results[DECISION].astype(str).drop_duplicates()
    return set(frame.itertuples(index=False, name=None))


def exhaustive(values: dict[str, list]) -> tuple[int, set[tuple]]:
    """Evaluate the full product (split by the first two fields to bound memory); (rows, decisions)."""
    names = list(values)
    head, rest = names[:2], names[2:]
    total, found = 0, set()
    for fixed in itertools.product(*(values[n] for n in head)):
        grids = np.meshgrid(*(np.arange(len(values[n])) for n in rest), indexing="ij")
        columns = {n: pd.Series([v] * grids[0].size, dtype="object") for n, v in zip(head, fixed, strict=False)}
        for n, index in zip(rest, grids, strict=False):
            choices = np.array(values[n], dtype=object)
            columns[n] = pd.Series(choices[index.ravel()], dtype="object")
        frame = pd.DataFrame(columns)
        pt, total_weeks = frame["pt_weeks"], frame["weeks_conservative"]
        frame = frame[~(pt.notna() & total_weeks.notna() & (pt.fillna(0) > total_weeks.fillna(0)))]
        total += len(frame)
        found |= decisions(evaluate_frame(frame))
    return total, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-exhaustive", action="store_true")
    args = parser.parse_args()

    start = time.perf_counter()
    command = subprocess.run([sys.executable, "-m", "core", "verify"], cwd=ROOT, capture_output=True, text=True)
    cli_seconds = time.perf_counter() - start
    print(
        f"python -m core verify: exit {command.returncode} in {cli_seconds:.2f} s (whole process) - "
        f"{command.stdout.splitlines()[0]}"
    )

    g = load_guideline()
    start = time.perf_counter()
    report = verification_report(g)
    print(
        f"verification_report: {report.cases:,} cases, {len(report.checks)} checks, passed {report.passed}, "
        f"{time.perf_counter() - start:.2f} s in process"
    )
    print(f"target: under 10 s {'met' if cli_seconds < 10 else 'MISSED'}")
    if args.skip_exhaustive:
        return 0 if report.passed else 1

    invariants = load_invariants(g)
    grid = verification_grid(g, [(i.when, i.then) for i in invariants])
    in_grid = decisions(evaluate_frame(cases_frame(grid, pathway_fields(g))))
    values = {f: v for f, v in report.values_tried.items() if f != "proposed"}  # proposals never move the decision
    start = time.perf_counter()
    rows, in_product = exhaustive(values)
    lacking = in_product - in_grid
    print(
        f"exhaustive cross-check: {rows:,} cases in the product, {len(in_product):,} distinct decisions, "
        f"{len(in_grid):,} in the grid, missing from the grid: {len(lacking)} ({time.perf_counter() - start:.1f} s)"
    )
    return 0 if report.passed and not lacking else 1


if __name__ == "__main__":
    sys.exit(main())
