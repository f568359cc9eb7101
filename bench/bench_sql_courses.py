"""Benchmark: `python -m core progression` on DuckDB (1 GB memory limit) beside the pandas path, at several sizes of
a visits file (5 visits per course), each run in its own process, in the same run.

Run: .venv/bin/python bench/bench_sql_courses.py [--visits 100000 300000 1000000] [--repeats 3] [--memory-limit 1GB]
Both engines read the same Parquet file and write the links (CSV) and every visit's results (Parquet); the links
must come out the same. Peak memory is the child's maximum resident set size (os.wait4), so generating the data
does not count. The data is synthetic (tools/synthetic_visits.py), in a temporary folder removed afterwards.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.measure import measured  # noqa: E402

VISITS_PER_COURSE = 5

GENERATE = """
import sys
import pyarrow as pa, pyarrow.parquet as pq
from tools.synthetic_visits import synthetic_visits
courses, path = int(sys.argv[1]), sys.argv[2]
pq.write_table(pa.Table.from_pandas(synthetic_visits(courses, 5, seed=1), preserve_index=False), path)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per engine and size (medians are printed)")
    parser.add_argument("--memory-limit", default="1GB")
    args = parser.parse_args()
    print(f"{'engine':<8}{'visits':>12}{'seconds':>10}{'peak MB':>10}{'s per 1M':>10}   (medians of {args.repeats})")
    figures: dict[str, list[tuple[int, float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-sql-courses-") as folder:
        for visits in sorted(args.visits):
            source = Path(folder) / f"visits_{visits}.parquet"
            courses = visits // VISITS_PER_COURSE
            subprocess.run([sys.executable, "-c", GENERATE, str(courses), str(source)], cwd=ROOT, check=True)
            links = {}
            for engine in ("pandas", "duckdb"):
                out = Path(folder) / f"links_{engine}.csv"
                runs = [
                    measured(
                        [
                            sys.executable,
                            "-m",
                            "core",
                            "progression",
                            str(source),
                            "--engine",
                            engine,
                            "--memory-limit",
                            args.memory_limit,
                            "--out",
                            str(out),
                            "--visits-out",
                            str(Path(folder) / f"results_{engine}.parquet"),
                        ],
                        ROOT,
                    )
                    for _ in range(args.repeats)
                ]
                seconds = statistics.median(s for s, _ in runs)
                peak = statistics.median(m for _, m in runs)
                figures.setdefault(engine, []).append((visits, seconds, peak))
                links[engine] = out.read_bytes()
                print(
                    f"{engine:<8}{courses * VISITS_PER_COURSE:>12,}{seconds:>10.1f}{peak:>10.0f}"
                    f"{seconds / visits * 1e6:>10.1f}",
                    flush=True,
                )
            if links["pandas"] != links["duckdb"]:
                raise SystemExit(f"the links differ between engines at {visits:,} visits")
            source.unlink()
    for engine, points in figures.items():
        if len(points) < 2:
            continue
        (small, s_seconds, s_peak), (large, l_seconds, l_peak) = points[0], points[-1]
        per_million = (l_seconds - s_seconds) / (large - small) * 1e6
        mb_per_million = (l_peak - s_peak) / (large - small) * 1e6
        print(
            f"{engine}: {large / small:.0f}x the visits took {l_seconds / s_seconds:.1f}x the time; beyond the "
            f"smallest size each extra 1,000,000 visits cost {per_million:.1f} s and {mb_per_million:.0f} MB"
        )
    print(
        f"DuckDB ran with memory_limit={args.memory_limit}; the rows are checked in Python on both engines, so peak "
        "MB is the whole process (the file, the checks, DuckDB and the results)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
