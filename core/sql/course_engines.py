"""`python -m core progression --engine pandas|duckdb|spark`: one visits file, the same results from every engine.

The rows are checked in Python (`check_visits`, the pandas path's own checks and wording), so bad rows are
reported the same way; the good rows go to the engine as the visits table the course queries read (values as
stated, NULL = not stated, `unknown_fields`), and the engine carries the fields forward, decides every visit,
names its state, and computes the milestone states and the links (`core.sql.courses`). Its answers are put back
into the pandas path's shapes (`Progression`, links), so the output files are the same.
"""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.analyses.course import state_order
from core.analyses.frame import RESULT_COLUMNS
from core.analyses.progression import (
    LINK_COLUMNS,
    LINK_TYPES,
    UNKNOWN,
    CheckedVisits,
    Progression,
    check_visits,
    evaluate_visits,
    milestone_column,
    progression_links,
    progression_summary,
    read_visits,
    typed_column,
    visit_results,
)
from core.engine.guideline import Guideline, load_guideline
from core.errors import PathwayError, Problem
from core.sql.cohort_engines import EngineOptions, chosen_engine
from core.sql.courses import (
    ID_COLUMN,
    SEQ_COLUMN,
    STATE_COLUMN,
    UNKNOWN_COLUMN,
    VISIT_COLUMN,
    VISIT_RESULTS,
    VISITS_TABLE,
    WEEK_COLUMN,
    carried_fields,
    course_select,
)
from core.sql.engines import ROW_COLUMN, as_frame_results, typed_table

ENCODED_BATCH_ROWS = 100_000
Keep = Callable[[str, str], None]  # run a query and keep its result as a table by that name
Fetch = Callable[[str], pa.Table]  # run a query and return its rows


def stated_visits(checked: CheckedVisits, g: Guideline) -> pa.Table:
    """The good rows as the visits table the course queries read: each value as stated at its visit (NULL when
    the cell was blank or `unknown`; a list of one visit empty when it holds nothing), the keys made unknown in
    `unknown_fields`, the file row as `visit_seq`."""
    good = np.flatnonzero(checked.errors == None)  # noqa: E711
    clock = g.schema.visit_clock
    columns = {f: c for f, c in checked.columns.items() if f != clock}
    frame = pd.DataFrame({f: typed_column(f, c.values, c.codes[good]) for f, c in columns.items()})
    fields = [f for f in g.decision_fields if f != clock]
    cases = typed_table(frame, fields).drop_columns([ROW_COLUMN])
    cleared_fields = [f for f in carried_fields(g) if f in checked.columns]
    cleared = np.zeros((len(good), len(cleared_fields)), dtype=bool)
    for n, field in enumerate(cleared_fields):
        cleared[:, n] = checked.columns[field].codes[good] == UNKNOWN
    rows, which = np.nonzero(cleared)  # row by row, fields in order
    offsets = np.r_[0, np.cumsum(np.bincount(rows, minlength=len(good)))].astype(np.int32)
    names = pa.array(np.asarray(cleared_fields, dtype=object)[which], type=pa.string())
    unknown = pc.binary_join(pa.ListArray.from_arrays(offsets, names), ";")
    keys = {
        ID_COLUMN: pa.array(checked.ids.to_numpy(dtype=object)[good], type=pa.string()),
        WEEK_COLUMN: pa.array(checked.weeks[good], type=pa.int32()),
        SEQ_COLUMN: pa.array(good, type=pa.int64()),
    }
    table = pa.table(keys)
    for name in cases.column_names:
        table = table.append_column(name, cases.column(name))
    return table.append_column(UNKNOWN_COLUMN, pc.if_else(pc.equal(unknown, ""), None, unknown))


def _state_codes(column: pa.ChunkedArray | pa.Array, states: list[str]) -> np.ndarray:
    encoded = pc.dictionary_encode(column).combine_chunks()
    position = np.array([states.index(s) for s in encoded.dictionary.to_pylist()] + [-1], dtype=np.int32)
    return position[pc.fill_null(encoded.indices, len(encoded.dictionary)).to_numpy(zero_copy_only=False)]


_COMPILED: dict[tuple[int, str], tuple[Guideline, dict[str, str]]] = {}


def _course_queries(g: Guideline, dialect: str) -> dict[str, str]:
    """The course queries' texts as an engine runs them (compiling takes a fraction of a second; kept per guideline,
    which is kept with them so its id is not reused meanwhile)."""
    from sqlglot import exp

    key = (id(g), dialect)
    if key not in _COMPILED:
        # The engine keeps only what it reads back (not each visit's carried case), so its table stays small.
        visits = course_select("visits", g, VISITS_TABLE, ordered=False)
        kept = [
            exp.column(c) for c in (ID_COLUMN, WEEK_COLUMN, SEQ_COLUMN, VISIT_COLUMN, *RESULT_COLUMNS, STATE_COLUMN)
        ]
        texts = {"visits": visits.select(*kept, append=False, copy=False).sql(dialect=dialect)}
        for query in ("milestones", "links"):
            texts[query] = course_select(query, g, visit_results=VISIT_RESULTS).sql(dialect=dialect)
        _COMPILED[key] = (g, texts)
    return _COMPILED[key][1]


def engine_answers(
    g: Guideline, dialect: str, keep: Keep, fetch: Fetch, fetch_encoded: Fetch | None = None
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Run the course queries on an engine whose `visits` table holds `stated_visits(...)`: the visits' results
    (by `visit_seq`; through `fetch_encoded` when the engine can hand its text columns over dictionary-encoded,
    a row's few distinct words as small codes), the milestone states per course and the links."""
    from sqlglot import exp

    queries = _course_queries(g, dialect)
    fetch_encoded = fetch_encoded or fetch
    keep(VISIT_RESULTS, queries["visits"])
    wanted = [exp.column(c) for c in (SEQ_COLUMN, *RESULT_COLUMNS, STATE_COLUMN)]
    per_visit = fetch_encoded(
        exp.select(*wanted).from_(VISIT_RESULTS).order_by(exp.column(SEQ_COLUMN)).sql(dialect=dialect)
    )
    return per_visit, fetch(queries["milestones"]), fetch(queries["links"])


def sql_progression(
    checked: CheckedVisits, g: Guideline, answers: tuple[pa.Table, pa.Table, pa.Table]
) -> tuple[Progression, pd.DataFrame]:
    """The engine's answers in the pandas path's shapes: the progression, and the links before any small-cell
    merging."""
    per_visit, milestones, links = answers
    states = state_order(g)
    seq = per_visit.column(SEQ_COLUMN).to_numpy()
    in_order = np.searchsorted(seq, checked.order)  # the pandas path's row order: course, week, file order
    decided = as_frame_results(per_visit, g, pd.RangeIndex(len(seq))).iloc[in_order].reset_index(drop=True)
    state = _state_codes(per_visit.column(STATE_COLUMN), states)[in_order]
    visits = visit_results(checked, decided, state, states)

    weeks = [m.week for m in g.pathway.milestones]
    ids = milestones.column(ID_COLUMN).to_pylist()
    first_seen = np.argsort(checked.course_ids.get_indexer(ids), kind="stable")  # as the pandas path lists them
    courses = pd.DataFrame({ID_COLUMN: np.asarray(ids, dtype=object)[first_seen]})
    for week in weeks:
        codes = _state_codes(milestones.column(milestone_column(week)), states)[first_seen]
        courses[milestone_column(week)] = pd.Categorical.from_codes(codes, categories=states)
    progression = Progression(
        visits=visits, courses=courses, milestone_weeks=weeks, summary=progression_summary(checked, courses, g)
    )
    return progression, links.to_pandas().astype(LINK_TYPES)[list(LINK_COLUMNS)]


def _encoded(batch: pa.RecordBatch) -> pa.RecordBatch:
    """The batch with its text columns dictionary-encoded."""
    columns = [pc.dictionary_encode(c) if pa.types.is_string(c.type) else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _on_duckdb(checked: CheckedVisits, g: Guideline, memory_limit: str) -> tuple[Progression, pd.DataFrame]:
    import tempfile

    import duckdb

    from core.sql.engines import duckdb_connection

    with tempfile.TemporaryDirectory(prefix="pathway-spill-") as spill:
        con = duckdb_connection(memory_limit, spill)
        try:
            con.register(VISITS_TABLE, stated_visits(checked, g))

            def keep(name: str, query: str) -> None:
                con.sql(query).create(name)
                con.unregister(VISITS_TABLE)  # the stated rows are no longer needed

            def encoded(query: str) -> pa.Table:
                reader = con.sql(query).to_arrow_reader(ENCODED_BATCH_ROWS)
                batches = [_encoded(b) for b in reader]
                return pa.Table.from_batches(batches).unify_dictionaries() if batches else reader.schema.empty_table()

            answers = engine_answers(g, "duckdb", keep, lambda q: con.sql(q).to_arrow_table(), encoded)
        except duckdb.Error as exc:  # e.g. out of memory even after spilling: say so, without a traceback
            raise PathwayError([Problem(field="--engine duckdb", message=str(exc).splitlines()[0])]) from None
        finally:
            con.close()  # DuckDB's memory is given back before the results are put together
    return sql_progression(checked, g, answers)


def _on_spark(checked: CheckedVisits, g: Guideline, master: str) -> tuple[Progression, pd.DataFrame]:
    from core.sql.engines import spark_session

    spark = spark_session(master)
    spark.createDataFrame(stated_visits(checked, g)).createOrReplaceTempView(VISITS_TABLE)
    kept: list[Any] = []

    def keep(name: str, query: str) -> None:
        frame = spark.sql(query).cache()  # read twice (visits, then milestones and links): computed once
        frame.createOrReplaceTempView(name)
        kept.append(frame)

    try:
        answers = engine_answers(g, "spark", keep, lambda q: spark.sql(q).toArrow())
    finally:
        for frame in kept:
            frame.unpersist()
    return sql_progression(checked, g, answers)


def progression_on(
    table: pa.Table, engine: str, options: EngineOptions, g: Guideline
) -> tuple[Progression, pd.DataFrame]:
    """A visits table checked and decided on one engine (pandas, duckdb or spark): the progression and its links
    (before any small-cell merging)."""
    if engine == "pandas":
        progression = evaluate_visits(table, g)
        return progression, progression_links(progression)
    checked = check_visits(table, g)
    if engine == "duckdb":
        return _on_duckdb(checked, g, options.memory_limit)
    return _on_spark(checked, g, options.spark_master)


def run_progression_file(
    path: str, options: EngineOptions, g: Guideline | None = None
) -> tuple[Progression, pd.DataFrame]:
    """A visits file checked and decided with the chosen engine (`auto`: as `cohort` chooses)."""
    return progression_on(read_visits(path), chosen_engine(options.engine, path), options, g or load_guideline())
