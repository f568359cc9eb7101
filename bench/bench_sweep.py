"""Benchmark: a threshold sweep of 50 values over 1,000,000 synthetic cases, against evaluate_frame run once.

Run: .venv/bin/python bench/bench_sweep.py [--rows 1000000] [--values 50]
     [--threshold R7_failed_six_months/weeks_conservative]
Target (issue 12): the sweep in under 30 s; the counts at the article's value equal evaluate_frame's.
With --rows 300 (the demo cohort's size) it times the What if page's sweep, which should feel interactive (< 2 s).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import evaluate_frame, load_guideline  # noqa: E402
from core.analyses.variant_effect import sweep, threshold_at  # noqa: E402
from tools.synthetic import synthetic_cases  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--values", type=int, default=50)
    parser.add_argument("--threshold", default="R7_failed_six_months/weeks_conservative")
    args = parser.parse_args()

    g = load_guideline()
    article = threshold_at(g, args.threshold)
    values = list(range(article.value - args.values // 2, article.value - args.values // 2 + args.values))
    values = [v for v in values if article.low <= v <= article.high]
    frame = synthetic_cases(args.rows, seed=0)
    evaluate_frame(frame.head(1000))  # first call pays one-off imports inside pandas

    start = time.perf_counter()
    reference = evaluate_frame(frame, g)
    once = time.perf_counter() - start
    start = time.perf_counter()
    counts = sweep(frame, g, args.threshold, values)
    seconds = time.perf_counter() - start

    at_article = counts[counts["value"] == article.value].set_index("disposition")["cases"]
    expected = reference["disposition"].value_counts()
    same = all(int(at_article[d]) == int(expected.get(d, 0)) for d in at_article.index)
    print(
        f"sweep of {args.threshold} over {len(values)} values x {args.rows:,} cases: {seconds:.2f} s "
        f"({seconds / len(values) * 1000:.0f} ms per value; target under 30 s)"
    )
    print(
        f"reference: one evaluate_frame of the same cases: {once:.2f} s; the sweep costs "
        f"{seconds / once:.1f} x one evaluation ({len(values)} naive re-evaluations would cost {len(values)} x)"
    )
    print(f"counts at the article's value ({article.value}) equal evaluate_frame's: {same}")
    return 0 if same and seconds < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
