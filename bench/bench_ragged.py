"""Benchmark: a few rows with the wrong number of cells must cost about what they weigh.

`python -m core cohort` end to end (CSV in, CSV out) on a 1,000,000-row file, clean, and the same file with a few
rows given one cell too many or too few; each in its own process. Printed: wall seconds and peak resident
memory (os.wait4 on the child) of both, and their ratio. Before this benchmark existed, one ragged row sent the
whole file through Python's csv module: 51 s and 1.58 GB against 7 s and 0.5 GB clean.
Target: the ragged file within 1.5 times the clean one in time and memory.

Run: .venv/bin/python bench/bench_ragged.py [--rows 1000000] [--ragged 5]
"""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.csv as pa_csv  # noqa: E402

from bench.bench_cohort import run_cohort  # noqa: E402
from tools.synthetic import synthetic_cases  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ragged", type=int, default=5, help="rows given a wrong number of cells")
    args = parser.parse_args()
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(pa.Table.from_pandas(synthetic_cases(args.rows, seed=2), preserve_index=False), sink)
    lines = sink.getvalue().to_pybytes().split(b"\n")
    with tempfile.TemporaryDirectory() as folder:
        clean, ragged = Path(folder) / "clean.csv", Path(folder) / "ragged.csv"
        clean.write_bytes(b"\n".join(lines))
        step = max(1, args.rows // max(1, args.ragged))
        for n in range(args.ragged):  # one cell too many, then one too few, spread over the file
            row = 1 + n * step + step // 2
            lines[row] = lines[row] + b',"extra"' if n % 2 == 0 else lines[row].rsplit(b",", 1)[0]
        ragged.write_bytes(b"\n".join(lines))
        figures = {
            name: run_cohort(path, Path(folder) / f"{name}-out.csv")
            for name, path in (("clean", clean), ("ragged", ragged))
        }
    (t_clean, m_clean), (t_ragged, m_ragged) = figures["clean"], figures["ragged"]
    print(f"{args.rows:,} rows, CSV in and out (`python -m core cohort x.csv --out y.csv`)")
    print(f"  clean:                 {t_clean:6.1f} s  {m_clean:7.0f} MB peak")
    print(f"  {args.ragged} ragged rows:         {t_ragged:6.1f} s  {m_ragged:7.0f} MB peak")
    print(f"  ratio ragged / clean:  {t_ragged / t_clean:6.2f} x  {m_ragged / m_clean:7.2f} x   (target <= 1.5 x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
