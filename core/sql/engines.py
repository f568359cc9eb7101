"""Engines that run the compiled pathway: embedded DuckDB, and Spark SQL (local, or a cluster by URL).

Each `*_decider` returns a function with `evaluate_frame`'s signature and result (same columns, dtypes and
categories), so the cohort code can hand a typed frame to any of them. duckdb and pyspark are imported here,
inside functions, never at the app's start-up; pyspark is a test-only dependency (requirements-test.txt).
"""

import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.analyses.frame import RESULT_COLUMNS
from core.engine.case import BOOL_FIELDS, FIELD_KINDS, INT_FIELDS
from core.engine.guideline import Guideline, load_guideline
from core.errors import PathwayError, Problem
from core.sql.compile import DEFAULT_TABLE, pathway_sql

DEFAULT_MEMORY_LIMIT = "1GB"
ROW_COLUMN = "__row"  # row order through engines that do not keep it (Spark)
PYSPARK_PIN = "pyspark==4.3.0"
Decider = Callable[[pd.DataFrame, Guideline], pd.DataFrame]


def _arrow_type(field: str) -> pa.DataType:
    return pa.bool_() if field in BOOL_FIELDS else pa.int32() if field in INT_FIELDS else pa.string()


def typed_table(frame: pd.DataFrame, fields: list[str]) -> pa.Table:
    """The table the query expects, from a frame `evaluate_frame` accepts (validated values; absent = unknown)."""
    rows = len(frame)
    columns = {}
    for field in fields:
        if field not in frame.columns:
            columns[field] = pa.nulls(rows, _arrow_type(field))
            continue
        series = frame[field]
        if FIELD_KINDS.get(field) == "list" and series.dtype == object:  # evaluate_frame also takes tuples of items
            series = series.map(lambda v: ";".join(v) if isinstance(v, tuple) else v)
        array = pa.array(series, from_pandas=True)
        if pa.types.is_dictionary(array.type):
            array = array.cast(array.type.value_type)
        columns[field] = array.cast(_arrow_type(field))
    columns[ROW_COLUMN] = pa.array(np.arange(rows, dtype=np.int64))
    return pa.table(columns)


def as_frame_results(table: pa.Table, g: Guideline, index: pd.Index) -> pd.DataFrame:
    """Query output in `evaluate_frame`'s shape: categorical columns with the same categories, urgent as bool."""
    p = g.pathway
    fixed = {
        "disposition": [d.id for d in p.dispositions],
        "deciding_rule": [r.id for r in g.decision_rules],
        "phase": [ph.id for ph in p.phases],
    }
    out = {}
    for name in RESULT_COLUMNS:
        column = table.column(name)
        if name == "urgent":
            out[name] = column.to_numpy(zero_copy_only=False).astype(bool)
            continue
        # Dictionary-encode in Arrow (a few distinct strings), then recode to the categories evaluate_frame uses.
        if not pa.types.is_dictionary(column.type):  # an engine may hand them over encoded already
            column = pc.dictionary_encode(column.cast(pa.string()))
        encoded = column.combine_chunks()
        seen = encoded.dictionary.to_pylist()
        categories = fixed.get(name) or list(dict.fromkeys(["" if v is None else v for v in seen]))
        position = np.array([categories.index(v) if v in categories else -1 for v in seen] + [-1], dtype=np.int32)
        codes = pc.fill_null(encoded.indices, len(seen)).to_numpy(zero_copy_only=False)
        out[name] = pd.Categorical.from_codes(position[codes], categories=categories)
    return pd.DataFrame(out, index=index)


class _QueryCache:
    """The query text per guideline: compiling takes about a second, and a cohort is decided chunk by chunk."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.texts: dict[int, tuple[Guideline, str]] = {}

    def __call__(self, g: Guideline) -> str:
        if id(g) not in self.texts:  # the guideline is kept with its text, so its id is never reused meanwhile
            self.texts[id(g)] = (g, pathway_sql(self.dialect, g, pretty=False))
        return self.texts[id(g)][1]


# ----------------------------------------------------------------------------------------------- DuckDB


def duckdb_connection(memory_limit: str = DEFAULT_MEMORY_LIMIT, spill_dir: str | None = None) -> Any:
    """An in-memory DuckDB that spills to `spill_dir` (a fresh temporary folder by default) past `memory_limit`."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute("SET memory_limit = ?", [memory_limit])
    except duckdb.Error as exc:
        raise PathwayError([Problem(field="--memory-limit", message=str(exc).splitlines()[0])]) from None
    con.execute("SET temp_directory = ?", [spill_dir or tempfile.mkdtemp(prefix="pathway-duckdb-")])
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    return con


def duckdb_decider(con: Any) -> Decider:
    """Decide a typed frame on a DuckDB connection with the compiled query."""
    query = _QueryCache("duckdb")

    def decide(frame: pd.DataFrame, guideline: Guideline | None = None) -> pd.DataFrame:
        g = guideline or load_guideline()
        con.register(DEFAULT_TABLE, typed_table(frame, g.decision_fields))
        try:
            # Projection only: DuckDB keeps the rows in table order (preserve_insertion_order).
            table = con.sql(query(g)).to_arrow_table()
        finally:
            con.unregister(DEFAULT_TABLE)
        return as_frame_results(table, g, frame.index)

    return decide


# ------------------------------------------------------------------------------------------------ Spark


def spark_session(master: str = "local[1]") -> Any:
    """A Spark session (local by default; a cluster by URL). PathwayError saying how to install pyspark."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise PathwayError(
            [
                Problem(
                    field="--engine spark",
                    message=f"pyspark is not installed; install it with `.venv/bin/pip install {PYSPARK_PIN}` "
                    "(or `pip install -r requirements-test.txt`); Spark also needs Java 17 or later",
                )
            ]
        ) from None
    builder = (
        SparkSession.builder.master(master)
        .appName("spine-pathway")
        .config("spark.ui.enabled", "false")  # no web server from a command-line run
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_decider(spark: Any) -> Decider:
    """Decide a typed frame on Spark with the compiled query (Spark's dialect); rows come back in order."""
    query = _QueryCache("spark")

    def decide(frame: pd.DataFrame, guideline: Guideline | None = None) -> pd.DataFrame:
        g = guideline or load_guideline()
        view = spark.createDataFrame(typed_table(frame, g.decision_fields))
        view.createOrReplaceTempView(DEFAULT_TABLE)
        table = spark.sql(query(g)).orderBy(ROW_COLUMN).toArrow()
        return as_frame_results(table, g, frame.index)

    return decide
