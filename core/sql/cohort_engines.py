"""`python -m core cohort --engine pandas|duckdb|spark`: one cohort file, the same results file from every engine.

Validation stays in Python, with the cohort module's own checks and wording (`evaluate_cohort`); only the
deciding of the good rows moves to SQL. With DuckDB the file is streamed: DuckDB reads the CSV (or Parquet)
itself in batches of `chunk_rows`, each batch is checked and decided, its results appended to the output file,
and the summaries are added up, so memory stays bounded whatever the file's size; DuckDB runs under a memory
limit and spills to a temporary folder past it. A file DuckDB's strict reader refuses (ragged rows, bytes that
are not UTF-8, a damaged Parquet file) is read again by the usual reader, which reports it exactly as today.
"""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from core.analyses.cohort import (
    BAD_ROWS_LISTED,
    CohortSummary,
    _arrow,
    evaluate_cohort,
    file_format,
    read_cohort,
    write_results,
)
from core.analyses.cohort_read import check_header, holds_line_breaks, read_header
from core.analyses.csv_export import formula_safe, write_options
from core.engine.case import CASE_FIELDS
from core.engine.guideline import Guideline, load_guideline
from core.errors import PathwayError, Problem
from core.sql.engines import DEFAULT_MEMORY_LIMIT

ENGINES = ("auto", "pandas", "duckdb", "spark")
AUTO_DUCKDB_BYTES = 200 * 1024 * 1024  # above this, `auto` streams through DuckDB instead of loading the file
STREAM_ROWS = 250_000


@dataclass(frozen=True)
class EngineOptions:
    engine: str = "auto"
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    spark_master: str = "local[1]"
    chunk_rows: int = STREAM_ROWS


def chosen_engine(engine: str, path: str | Path) -> str:
    """`auto`: DuckDB for files over AUTO_DUCKDB_BYTES when duckdb is installed, pandas otherwise."""
    if engine != "auto":
        return engine
    try:
        large = Path(path).stat().st_size > AUTO_DUCKDB_BYTES
    except OSError:
        return "pandas"  # the reader reports the missing file
    if not large:
        return "pandas"
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return "pandas"
    return "duckdb"


def run_cohort_file(path: str, out: str | None, options: EngineOptions, g: Guideline | None = None) -> CohortSummary:
    """Check and decide every row of a cohort file with the chosen engine; write the results to `out`."""
    g = g or load_guideline()
    engine = chosen_engine(options.engine, path)
    if engine == "duckdb":
        return _run_duckdb(path, out, options, g)
    decide = None
    if engine == "spark":
        from core.sql.engines import spark_decider, spark_session

        decide = spark_decider(spark_session(options.spark_master))
    table = read_cohort(path)
    result = evaluate_cohort(table, g, decide=decide) if decide else evaluate_cohort(table, g)
    if out:
        write_results(result.results, out)
    return result.summary


# ------------------------------------------------------------------------------------------ DuckDB, streamed


def _duckdb_batches(con: Any, path: str, chunk_rows: int) -> Iterator[pa.Table]:
    """The file's rows as read_cohort would give them, batch by batch, read by DuckDB."""
    if file_format(path) == "csv":
        header = [h.strip() for h in read_header(path, path)]
        check_header(header, path)
        # Exactly the CSV dialect read_cohort accepts; strict, so a ragged row raises instead of being guessed.
        relation = con.sql(
            "SELECT * FROM read_csv($path, header = true, delim = ',', quote = '\"', escape = '\"', "
            "auto_detect = false, columns = $columns, strict_mode = true, null_padding = false)",
            params={"path": path, "columns": {h: "VARCHAR" for h in header}},
        )
        for batch in relation.to_arrow_reader(chunk_rows):
            # read_cohort keeps an empty cell as an empty string (DuckDB reads NULL) and dictionary-encodes the
            # case columns; the same here, so the results file is the same.
            columns = {name: pc.fill_null(batch.column(name).cast(pa.string()), "") for name in batch.schema.names}
            if holds_line_breaks(pa.table(columns)):  # a quote left open: read_cohort reports it line by line
                raise pa.ArrowInvalid("a cell holds a line break")
            yield pa.table(
                {
                    name: pc.dictionary_encode(column) if name in CASE_FIELDS else column
                    for name, column in columns.items()
                }
            )
        return
    schema = pq.read_schema(path).remove_metadata()
    check_header(schema.names, path)
    relation = con.sql("SELECT * FROM read_parquet($path)", params={"path": path})
    for batch in relation.to_arrow_reader(chunk_rows):
        yield pa.Table.from_batches([batch]).cast(schema)  # the file's own types, as read_cohort has them


def fallback_batches(path: str, chunk_rows: int) -> Iterator[pa.Table]:
    table = read_cohort(path)  # raises the usual message, or reads what DuckDB's strict reader refused
    for start in range(0, max(table.num_rows, 1), chunk_rows):
        yield table.slice(start, chunk_rows)


def duckdb_cohort_batches(con: Any, path: str, chunk_rows: int) -> Iterator[pa.Table]:
    """The file's rows read by DuckDB, batch by batch; a header-only file gives one empty batch, so its results
    file still has a header. Raises duckdb.Error or ArrowException when the strict reader refuses the file (read
    it again with `fallback_batches`)."""
    empty = True
    for table in _duckdb_batches(con, path, chunk_rows):
        empty = False
        yield table
    if empty:
        yield from fallback_batches(path, chunk_rows)


class ResultsWriter:
    """Appends result tables to a CSV or Parquet file; every chunk is cast to the first one's schema."""

    def __init__(self, out: str):
        self.out, self.fmt = out, file_format(out)
        self.writer: Any = None
        self.schema: pa.Schema | None = None

    def write(self, table: pa.Table) -> None:
        if self.schema is None:
            # Dictionary codes are as wide as each chunk needs; one width for the whole file.
            self.schema = pa.schema(
                [
                    f.with_type(pa.dictionary(pa.int32(), f.type.value_type)) if pa.types.is_dictionary(f.type) else f
                    for f in table.schema
                ],
                metadata=table.schema.metadata,
            )
            try:
                self.writer = (
                    pa_csv.CSVWriter(self.out, self.schema, write_options=write_options())
                    if self.fmt == "csv"
                    else pq.ParquetWriter(self.out, self.schema)
                )
            except OSError as exc:
                raise PathwayError([Problem(field=self.out, message=f"cannot write: {exc}")]) from None
        table = table.cast(self.schema)
        self.writer.write_table(formula_safe(table) if self.fmt == "csv" else table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _merged(parts: list[tuple[int, CohortSummary]]) -> CohortSummary:
    """The summary of the whole file from the summaries of its chunks (row numbers shifted by each offset)."""
    first = parts[0][1]
    bad = [b.model_copy(update={"row": b.row + offset}) for offset, s in parts for b in s.bad][:BAD_ROWS_LISTED]
    return CohortSummary(
        rows=sum(s.rows for _, s in parts),
        evaluated=sum(s.evaluated for _, s in parts),
        bad_rows=sum(s.bad_rows for _, s in parts),
        urgent=sum(s.urgent for _, s in parts),
        dispositions={d: sum(s.dispositions[d] for _, s in parts) for d in first.dispositions},
        warnings={w: sum(s.warnings[w] for _, s in parts) for w in first.warnings},
        unknown_columns=first.unknown_columns,
        notes=first.notes,
        bad=bad,
    )


def _stream(batches: Iterator[pa.Table], out: str | None, g: Guideline, decide: Any) -> CohortSummary:
    parts: list[tuple[int, CohortSummary]] = []
    offset = 0
    writer = ResultsWriter(out) if out else None
    try:
        for table in batches:
            if parts and table.num_rows == 0:
                continue
            result = evaluate_cohort(table, g, chunk_rows=max(table.num_rows, 1), decide=decide)
            if writer:
                writer.write(_arrow(result.results))
            parts.append((offset, result.summary))
            offset += table.num_rows
    finally:
        if writer:
            writer.close()
    return _merged(parts)


def _run_duckdb(path: str, out: str | None, options: EngineOptions, g: Guideline) -> CohortSummary:
    import duckdb

    from core.sql.engines import duckdb_connection, duckdb_decider

    if out:
        file_format(out)
    if not Path(path).is_file():
        read_cohort(path)  # raises "file not found" in the usual words
    with tempfile.TemporaryDirectory(prefix="pathway-spill-") as spill:
        con = duckdb_connection(options.memory_limit, spill)
        decide = duckdb_decider(con.cursor())  # its own cursor: the reader keeps a result open
        try:
            return _stream(duckdb_cohort_batches(con, path, options.chunk_rows), out, g, decide)
        except (duckdb.Error, pa.ArrowException):
            if out and os.path.exists(out):
                os.remove(out)  # partial output from the strict reader; written again in full below
            try:
                return _stream(fallback_batches(path, options.chunk_rows), out, g, decide)
            except duckdb.Error as exc:  # e.g. out of memory even after spilling: say so, without a traceback
                raise PathwayError([Problem(field="--engine duckdb", message=str(exc).splitlines()[0])]) from None
        finally:
            con.close()
