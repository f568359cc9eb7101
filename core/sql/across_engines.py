"""`python -m core compare-cohort --engine pandas|duckdb|spark`: one cohort file under two pathways, the same
cross-tab and cases file from every engine.

The rows are checked in Python (`check_across`: the cohort checks and wording, under each pathway's fields); the
table of typed cases goes to the engine, which decides both pathways and counts the pairs of classes with one
GROUP BY (`core.sql.across`), so only the cross-tab comes back, plus every row when the cases file is asked for.
With DuckDB the file is read by DuckDB batch by batch, as `cohort` reads it, each batch checked and appended to a
table inside DuckDB (which spills to a temporary folder past its memory limit); with Spark the table becomes a
Spark DataFrame.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from core.analyses.cohort import BAD_ROWS_LISTED, ERROR_COLUMN, ID_COLUMN, BadRow, read_cohort, write_table
from core.analyses.cohort_across import (
    AcrossCounts,
    CheckedAcross,
    across_counts,
    bad_rows,
    cases_output,
    check_across,
    compare_cohort,
)
from core.engine.guideline import Guideline
from core.errors import PathwayError, Problem
from core.sql.across import across_queries
from core.sql.cohort_engines import (
    EngineOptions,
    ResultsWriter,
    chosen_engine,
    duckdb_cohort_batches,
    fallback_batches,
)
from core.sql.compile import DEFAULT_TABLE
from core.sql.engines import ROW_COLUMN, typed_table

BATCH_TABLE = "cohort_batch"


def across_table(checked: CheckedAcross, a: Guideline, b: Guideline) -> pa.Table:
    """The table the across queries read: a typed column per field either pathway reads (a bad row's fields may
    be unknown: its answers are not kept), the row's place in the file, its id and its error."""
    frame = checked.a.cases
    more = [c for c in checked.b.cases.columns if c not in frame.columns]
    if more:
        frame = pd.concat([frame, checked.b.cases[more]], axis=1)
    fields = list(dict.fromkeys([*a.decision_fields, *b.decision_fields]))
    table = typed_table(frame, fields)
    rows = table.num_rows
    place = pa.array(np.arange(checked.first_row - 1, checked.first_row - 1 + rows, dtype=np.int64))
    table = table.set_column(table.schema.get_field_index(ROW_COLUMN), ROW_COLUMN, place)
    table = table.append_column(ID_COLUMN, checked.ids)
    return table.append_column(ERROR_COLUMN, pa.array(checked.errors, type=pa.string()))


def _counts(crosstab: pa.Table, rows: int, bad: list[BadRow], min_count: int) -> AcrossCounts:
    return across_counts(crosstab.to_pandas(), rows, bad, min_count)


# ------------------------------------------------------------------------------------------ DuckDB, streamed


def _load(con: Any, batches: Iterator[pa.Table], a: Guideline, b: Guideline) -> tuple[int, list[BadRow]]:
    """Check each batch and append its typed rows to DuckDB's `cases` table: (rows, the first bad rows)."""
    con.execute(f"DROP TABLE IF EXISTS {DEFAULT_TABLE}")  # noqa: S608  (a constant name)
    rows = 0
    bad: list[BadRow] = []
    for batch in batches:
        if rows and batch.num_rows == 0:
            continue
        checked = check_across(batch, a, b, first_row=rows + 1)
        bad += bad_rows(checked, BAD_ROWS_LISTED - len(bad))
        con.register(BATCH_TABLE, across_table(checked, a, b))
        verb = "INSERT INTO {t} SELECT * FROM {b}" if rows else "CREATE TABLE {t} AS SELECT * FROM {b}"
        con.execute(verb.format(t=DEFAULT_TABLE, b=BATCH_TABLE))
        con.unregister(BATCH_TABLE)
        rows += batch.num_rows
    return rows, bad


def _on_duckdb(
    path: str, a: Guideline, b: Guideline, options: EngineOptions, cases_out: str | None, min_count: int
) -> AcrossCounts:
    import duckdb

    from core.sql.engines import duckdb_connection

    if not Path(path).is_file():
        read_cohort(path)  # raises "file not found" in the usual words
    queries = across_queries(a, b, "duckdb")
    with tempfile.TemporaryDirectory(prefix="pathway-spill-") as spill:
        con = duckdb_connection(options.memory_limit, spill)
        loading = con.cursor()  # its own cursor: the file's reader keeps a result open
        try:
            try:
                rows, bad = _load(loading, duckdb_cohort_batches(con, path, options.chunk_rows), a, b)
            except (duckdb.Error, pa.ArrowException):  # the strict reader refused the file: the usual reader
                rows, bad = _load(loading, fallback_batches(path, options.chunk_rows), a, b)
            crosstab = con.sql(queries["crosstab"]).to_arrow_table()
            if cases_out:
                writer = ResultsWriter(cases_out)
                try:
                    reader = con.sql(queries["cases"]).to_arrow_reader(options.chunk_rows)
                    writer.write(cases_output(reader.schema.empty_table()))  # a file with no rows still has a header
                    for batch in reader:
                        writer.write(cases_output(pa.Table.from_batches([batch])))
                finally:
                    writer.close()
        except duckdb.Error as exc:  # e.g. out of memory even after spilling: say so, without a traceback
            raise PathwayError([Problem(field="--engine duckdb", message=str(exc).splitlines()[0])]) from None
        finally:
            con.close()
    return _counts(crosstab, rows, bad, min_count)


# ------------------------------------------------------------------------------------------------ Spark


def _on_spark(
    table: pa.Table, a: Guideline, b: Guideline, master: str, cases_out: str | None, min_count: int
) -> AcrossCounts:
    from core.sql.engines import spark_session

    checked = check_across(table, a, b)
    spark = spark_session(master)
    queries = across_queries(a, b, "spark")
    spark.createDataFrame(across_table(checked, a, b)).createOrReplaceTempView(DEFAULT_TABLE)
    try:
        crosstab = spark.sql(queries["crosstab"]).toArrow()
        if cases_out:
            write_table(cases_output(spark.sql(queries["cases"]).toArrow()), cases_out)
    finally:
        spark.catalog.dropTempView(DEFAULT_TABLE)
    return _counts(crosstab, table.num_rows, bad_rows(checked), min_count)


def run_compare_cohort_file(
    path: str,
    a: Guideline,
    b: Guideline,
    options: EngineOptions,
    cases_out: str | None = None,
    min_count: int = 1,
) -> AcrossCounts:
    """A cohort file under pathways `a` and `b` with the chosen engine (`auto`: as `cohort` chooses): the counts,
    and every case written to `cases_out` when given."""
    engine = chosen_engine(options.engine, path)
    if engine == "duckdb":
        return _on_duckdb(path, a, b, options, cases_out, min_count)
    table = read_cohort(path)
    if engine == "spark":
        return _on_spark(table, a, b, options.spark_master, cases_out, min_count)
    result = compare_cohort(table, a, b, min_count)
    if cases_out:
        write_table(cases_output(pa.Table.from_pandas(result.cases, preserve_index=False)), cases_out)
    return result
