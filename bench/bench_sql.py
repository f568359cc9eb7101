"""Benchmark: the compiled pathway on DuckDB (Parquet in, Parquet out, 1 GB memory limit) beside pandas
(`evaluate_frame` on the same Parquet file), at several sizes, each run in its own process.

Run: .venv/bin/python bench/bench_sql.py [--duckdb-rows 1000000 3000000 10000000] [--pandas-rows 1000000 3000000]
Peak memory is the child's maximum resident set size (os.wait4), so generating the data does not count. The data
is synthetic (tools/synthetic.py), written in a temporary folder that is removed afterwards.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from tools.measure import measured  # noqa: E402
from tools.synthetic import synthetic_cases  # noqa: E402

PART_ROWS = 1_000_000

DUCKDB_CHILD = """
import sys, duckdb
from core.sql.compile import pathway_sql
source, out, limit = sys.argv[1:4]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute("SET memory_limit = ?", [limit])
con.execute("SET temp_directory = ?", [out + ".spill"])
con.execute("CREATE VIEW cases AS SELECT * FROM read_parquet(?)".replace("?", "'" + source + "'"))
con.execute("COPY (" + pathway_sql("duckdb", pretty=False) + ") TO '" + out + "' (FORMAT parquet)")
"""

PANDAS_CHILD = """
import sys
import pandas as pd
from core.analyses.frame import evaluate_frame
source, out = sys.argv[1:3]
frame = pd.read_parquet(source)
frame.join(evaluate_frame(frame)).to_parquet(out)
"""


def write_cases(path: Path, rows: int) -> None:
    """`rows` synthetic cases as Parquet, generated a million at a time (so generation stays small)."""
    writer = None
    for n, start in enumerate(range(0, rows, PART_ROWS)):
        part = synthetic_cases(min(PART_ROWS, rows - start), seed=n)
        part["case_id"] = part["case_id"].str.replace("synthetic-", f"synthetic-{n}-")
        part["mri_finding"] = part["mri_finding"].astype("str").where(part["mri_finding"].notna(), None)
        table = pa.Table.from_pandas(part, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table.cast(writer.schema))
    writer.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duckdb-rows", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    parser.add_argument("--pandas-rows", type=int, nargs="+", default=[1_000_000, 3_000_000])
    parser.add_argument("--memory-limit", default="1GB")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the children import core
    print(f"{'engine':<8}{'rows':>12}{'seconds':>10}{'peak MB':>10}{'rows/s':>12}{'s per 1M':>10}")
    with tempfile.TemporaryDirectory(prefix="bench-sql-") as folder:
        for rows in sorted(set(args.duckdb_rows) | set(args.pandas_rows)):
            source = Path(folder) / f"cases_{rows}.parquet"
            write_cases(source, rows)
            for engine in ("pandas", "duckdb"):
                if rows not in (args.pandas_rows if engine == "pandas" else args.duckdb_rows):
                    continue
                out = Path(folder) / f"out_{engine}_{rows}.parquet"
                if engine == "duckdb":
                    child = [sys.executable, "-c", DUCKDB_CHILD, str(source), str(out), args.memory_limit]
                    seconds, peak = measured(child, ROOT, env)
                else:
                    seconds, peak = measured([sys.executable, "-c", PANDAS_CHILD, str(source), str(out)], ROOT, env)
                assert pq.read_metadata(out).num_rows == rows  # rows in = rows out
                print(
                    f"{engine:<8}{rows:>12,}{seconds:>10.1f}{peak:>10.0f}{rows / seconds:>12,.0f}"
                    f"{seconds / rows * 1e6:>10.1f}",
                    flush=True,
                )
                out.unlink()
            source.unlink()
    print(
        f"DuckDB ran with memory_limit={args.memory_limit}, spilling to a temporary folder; peak MB is the whole "
        "process (Python, DuckDB and the compiled query)."
    )


if __name__ == "__main__":
    main()
