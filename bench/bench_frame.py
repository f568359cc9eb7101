"""Benchmark: evaluate_frame on 1,000,000 synthetic cases against evaluate_case row by row on a sample.

Run: .venv/bin/python bench/bench_frame.py [--rows 1000000] [--sample 20000] [--repeats 3]
Targets (issue 4): at least 1,000,000 cases/s, at least 50x the row-by-row rate, identical results on the sample.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from core import evaluate_case, evaluate_frame
from core.analyses.frame import frame_cases
from tools.synthetic import synthetic_cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    frame = synthetic_cases(args.rows, seed=0)
    evaluate_frame(frame.head(1000))  # first call pays one-off imports inside pandas
    seconds = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        results = evaluate_frame(frame)
        seconds.append(time.perf_counter() - start)
    best, median = min(seconds), statistics.median(seconds)

    cases = frame_cases(frame.head(args.sample))
    start = time.perf_counter()
    engine = [evaluate_case(case) for case in cases]
    engine_seconds = time.perf_counter() - start

    head = results.head(args.sample)
    got = list(
        zip(
            head["disposition"].astype(str),
            head["urgent"],
            head["warnings"].astype(str),
            head["missing"].astype(str),
            head["deciding_rule"].astype(str),
            [None if pd.isna(p) else p for p in head["phase"]],
            strict=False,
        )
    )
    want = [
        (e.disposition, e.urgent, ";".join(e.warnings), ";".join(e.missing), e.deciding_rule, e.phase) for e in engine
    ]
    mismatches = sum(g != w for g, w in zip(got, want, strict=False))

    frame_rate, engine_rate = args.rows / median, args.sample / engine_seconds
    print(
        f"evaluate_frame: {args.rows:,} rows in {median:.3f} s median of {args.repeats} "
        f"(best {best:.3f} s): {frame_rate:,.0f} cases/s median, {args.rows / best:,.0f} best"
    )
    print(f"evaluate_case:  {args.sample:,} rows one by one in {engine_seconds:.2f} s: {engine_rate:,.0f} cases/s")
    print(f"speed-up: {frame_rate / engine_rate:,.0f}x (median frame rate / row-by-row rate)")
    print(f"identical results on the {args.sample:,} rows both evaluated: {mismatches == 0} ({mismatches} mismatches)")
    print(
        f"targets: >= 1,000,000 cases/s {'met' if frame_rate >= 1e6 else 'MISSED'}; "
        f">= 50x {'met' if frame_rate / engine_rate >= 50 else 'MISSED'}"
    )
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
