"""Cohort files: many cases in one CSV or Parquet file, checked with the single-case rules, decided by
`evaluate_frame`. Rows in = rows out, always: a bad row keeps its place, gets an `error` naming each field and
reason, and is not evaluated; the good rows are.

Files are read by `core.analyses.cohort_read` (re-exported here). Cells follow `core.engine.case_text` (true /
false / unknown / blank, digits, a list field as a `;` list). Each distinct
value of a column is checked once with `case_from_text` itself, so the checks and their wording are exactly the
single case's; rows then pick their value by code, without a loop over rows. Other columns (an id such as
`case_id`, a site, a misspelt field) are carried through unread and reported, never silently dropped. Files
are read from a path or from bytes in memory; nothing is written except the results file asked for.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from core.analyses.cohort_read import (  # noqa: F401  (the API)
    PROBLEM_COLUMN,
    Source,
    file_format,
    read_cohort,
    suggested_field,
)
from core.analyses.csv_export import csv_bytes, write_csv
from core.analyses.frame import RESULT_COLUMNS, evaluate_frame
from core.engine.case import DEFAULT_SCHEMA, pt_over_limit
from core.engine.case_text import case_from_text
from core.engine.guideline import DATA_DIR, Guideline, load_guideline
from core.engine.vocabulary import CaseSchema
from core.errors import CaseError, PathwayError, Problem
from core.model import Frozen
from core.outputs.provenance import VERSION_COLUMN, provenance_columns

ID_COLUMN = "case_id"
ERROR_COLUMN = "error"
OUTPUT_COLUMNS = (*RESULT_COLUMNS, ERROR_COLUMN, VERSION_COLUMN)
DEMO_COHORT = DATA_DIR / "demo_cohort.csv"
BAD_ROWS_LISTED = 1000
CHUNK_ROWS = 100_000


class BadRow(Frozen):
    row: int  # 1-based data row (the header is not a row)
    case_id: str | None
    error: str


class CohortSummary(Frozen):
    """Counts for a person or a page; `bad` lists the first BAD_ROWS_LISTED bad rows (all are in the results)."""

    rows: int
    evaluated: int
    bad_rows: int
    urgent: int
    dispositions: dict[str, int]
    warnings: dict[str, int]
    unknown_columns: list[str]
    notes: list[str]
    bad: list[BadRow]


@dataclass(frozen=True)
class CohortResult:
    """The results table (input columns as read, then RESULT_COLUMNS, `error` and the guideline version), its
    summary, and the cases as `evaluate_frame` read them (typed; a bad row's fields unknown), on the same index
    (for `flows_from_results`)."""

    results: pd.DataFrame
    summary: CohortSummary
    cases: pd.DataFrame


# --------------------------------------------------------------------------------------------- validation


def distinct_values(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[Any]]:
    """(code per row, -1 for null; distinct values as Python objects)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_null(array.type):
        return np.full(len(array), -1, dtype=np.int32), []
    if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
        array = pc.binary_join(array.cast(pa.list_(pa.string())), ";")
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    codes = pc.fill_null(array.indices, -1).to_numpy(zero_copy_only=False).astype(np.int32)
    return codes, array.dictionary.to_pylist()


@dataclass
class _Checked:
    """One case column after checking: per row, the value's code (-1 unknown) and, for bad cells, the message."""

    codes: np.ndarray
    values: list[Any]
    messages: list[str | None]  # per distinct value; None when the value is fine

    def bad(self) -> np.ndarray:
        flags = np.array([m is not None for m in self.messages] + [False])
        return flags[self.codes]


def _check_column(field: str, column: pa.ChunkedArray, schema: CaseSchema) -> _Checked:
    codes, distinct = distinct_values(column)
    values: list[Any] = []
    messages: list[str | None] = []
    for raw in distinct:
        try:
            values.append(getattr(case_from_text({field: raw}, schema), field))
            messages.append(None)
        except CaseError as exc:
            values.append(None)
            messages.append(exc.problems[0].message)
    return _Checked(codes=codes, values=values, messages=messages)


def _frame_column(field: str, checked: _Checked, unusable: np.ndarray, schema: CaseSchema) -> Any:
    """The typed column `evaluate_frame` reads; bad rows are given as unknown (they are not evaluated)."""
    codes = np.where(unusable, -1, checked.codes)
    values = checked.values + [None]
    kind = schema.kinds[field]
    if kind == "bool":
        known = np.array([v is not None for v in values])
        return pd.arrays.BooleanArray(np.array([bool(v) for v in values])[codes], ~known[codes])
    if kind == "int":
        known = np.array([v is not None for v in values])
        return pd.arrays.IntegerArray(np.array([v or 0 for v in values], dtype=np.int64)[codes], ~known[codes])
    if kind in ("choice", "text"):
        categories = list(schema.choices.get(field) or dict.fromkeys(v for v in values if v))
        position = np.array([categories.index(v) if v else -1 for v in values], dtype=np.int32)
        return pd.Categorical.from_codes(position[codes], categories=categories)
    labels = [";".join(v or ()) for v in values]  # a list field: canonical, de-duplicated
    categories = list(dict.fromkeys(labels))
    position = np.array([categories.index(label) for label in labels], dtype=np.int32)
    return pd.Categorical.from_codes(position[codes], categories=categories)


def _pt_messages(checked: dict[str, _Checked], bad: np.ndarray, schema: CaseSchema) -> tuple[np.ndarray, np.ndarray]:
    """Rows that break a rule across fields (formal PT above care), with case_from_text's own problems."""
    rows = len(bad)
    over = np.zeros(rows, dtype=bool)
    messages = np.full(rows, None, dtype=object)
    for c in schema.constraints:
        if c.field in checked and c.at_most in checked:
            hit, found = _over_limit(checked[c.field], checked[c.at_most], c.field, c.at_most, bad | over, schema)
            over |= hit
            messages[hit] = found[hit]
    return over, messages


def _over_limit(
    pt: _Checked, total: _Checked, field: str, limit: str, bad: np.ndarray, schema: CaseSchema
) -> tuple[np.ndarray, np.ndarray]:
    rows = len(bad)

    def number(c: _Checked) -> np.ndarray:
        return np.array([-1 if v is None else v for v in c.values] + [-1])[c.codes]

    pt_value, total_value = number(pt), number(total)
    over = ~bad & (pt_value >= 0) & (total_value >= 0) & pt_over_limit(pt_value, total_value)
    messages = np.full(rows, None, dtype=object)
    for p_value, t_value in set(zip(pt_value[over].tolist(), total_value[over].tolist(), strict=False)):
        try:
            case_from_text({limit: str(t_value), field: str(p_value)}, schema)
        except CaseError as exc:
            hit = np.flatnonzero(over & (pt_value == p_value) & (total_value == t_value))
            messages[hit] = [list(exc.problems)] * len(hit)
    return over, messages


@dataclass(frozen=True)
class CheckedCohort:
    """A cohort table checked row by row with the single-case rules (the one validator of cohort files).

    `cases` is the typed frame `evaluate_frame` reads (a bad row's fields unknown); `errors` the text of each bad
    row (None when good); `problems` the same per bad row as Problems naming each field."""

    table: pa.Table  # the table as read, without the internal ragged-row column
    cases: pd.DataFrame
    errors: np.ndarray
    problems: dict[int, list[Problem]]
    fields: list[str]
    others: list[str]


def check_cohort(table: pa.Table, schema: CaseSchema = DEFAULT_SCHEMA) -> CheckedCohort:
    """Check every row of a table from `read_cohort` under a pack's fields (a column the pack does not read is
    carried, not checked); each distinct value of a column is checked once."""
    rows = table.num_rows
    ragged = None
    if PROBLEM_COLUMN in table.column_names:
        ragged = table.column(PROBLEM_COLUMN).to_numpy(zero_copy_only=False)
        table = table.drop_columns([PROBLEM_COLUMN])
    fields = [c for c in table.column_names if c in schema.kinds]
    others = [c for c in table.column_names if c not in schema.kinds]
    checked = {f: _check_column(f, table.column(f), schema) for f in fields}

    problems: dict[int, list[Problem]] = {}
    for field, column in checked.items():
        rows_hit = np.flatnonzero(column.bad())
        for row, code in zip(rows_hit.tolist(), column.codes[rows_hit].tolist(), strict=False):  # bad rows only
            problems.setdefault(row, []).append(Problem(field=field, message=column.messages[code]))
    bad = np.zeros(rows, dtype=bool)
    bad[list(problems)] = True
    over, pt_problems = _pt_messages(checked, bad, schema)
    for row in np.flatnonzero(over).tolist():
        problems[row] = pt_problems[row]
    if ragged is not None:  # the cells of a ragged row are misaligned: nothing else about it is reliable
        for row in np.flatnonzero(~pd.isna(ragged)).tolist():
            problems[row] = [Problem(field="row", message=str(ragged[row]))]
    errors = np.full(rows, None, dtype=object)
    for row, found in problems.items():
        errors[row] = found[0].message if found[0].field == "row" else "; ".join(str(p) for p in found)
    bad = errors != None  # noqa: E711
    cases = pd.DataFrame(
        {f: _frame_column(f, checked[f], bad, schema) for f in fields if schema.kinds[f] != "text"},
        index=pd.RangeIndex(rows),
    )
    return CheckedCohort(table=table, cases=cases, errors=errors, problems=problems, fields=fields, others=others)


# ----------------------------------------------------------------------------------------------- evaluation


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    if len(parts) == 1:
        return parts[0]
    columns = {}
    for name in parts[0].columns:
        if isinstance(parts[0][name].dtype, pd.CategoricalDtype):
            columns[name] = pd.api.types.union_categoricals([p[name] for p in parts])
        else:
            columns[name] = np.concatenate([p[name].to_numpy() for p in parts])
    return pd.DataFrame(columns)


def decided_in_chunks(
    frame: pd.DataFrame,
    g: Guideline,
    decide: Callable[[pd.DataFrame, Guideline], pd.DataFrame] = evaluate_frame,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[float], None] | None = None,
) -> pd.DataFrame:
    """`decide` over a typed frame in chunks (the masks of a whole large file at once would not fit in memory)."""
    rows = len(frame)
    parts = []
    for start in range(0, max(rows, 1), chunk_rows):
        parts.append(decide(frame.iloc[start : start + chunk_rows].reset_index(drop=True), g))
        if progress:
            progress(min(1.0, (start + chunk_rows) / max(rows, 1)))
    return _concat(parts)


def evaluate_cohort(
    table: pa.Table,
    guideline: Guideline | None = None,
    progress: Callable[[float], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    decide: Callable[[pd.DataFrame, Guideline], pd.DataFrame] = evaluate_frame,
) -> CohortResult:
    """Check every row, evaluate the good ones in chunks (calling `progress(fraction done)` after each) with
    `decide` (`evaluate_frame`, or a SQL engine's decider from `core.sql.engines`)."""
    g = guideline or load_guideline()
    checked = check_cohort(table, g.schema)
    table, frame, errors, fields, others = checked.table, checked.cases, checked.errors, checked.fields, checked.others
    rows, bad = table.num_rows, pd.notna(checked.errors)
    decided = decided_in_chunks(frame, g, decide, chunk_rows, progress)

    results = table.select([c for c in table.column_names if c not in OUTPUT_COLUMNS]).to_pandas()
    for name in RESULT_COLUMNS:
        column = decided[name]
        if name == "urgent":
            results[name] = pd.arrays.BooleanArray(column.to_numpy(dtype=bool), bad)
        else:
            results[name] = pd.Categorical.from_codes(np.where(bad, -1, column.cat.codes), column.cat.categories)
    results[ERROR_COLUMN] = pd.array(errors, dtype="str")
    for name, column in provenance_columns(rows, g).items():
        results[name] = column
    return CohortResult(results=results, summary=_summary(results, g, fields, others), cases=frame)


def _repeated_ids(ids: pd.Series) -> list[str]:
    """A note when case ids repeat: both rows are evaluated, but a reader joining on the id would mix them up."""
    known = ids[ids.notna() & (ids.astype(str) != "")]
    repeated = known[known.duplicated(keep=False)]
    if repeated.empty:
        return []
    groups = repeated.groupby(repeated.astype(str), sort=False).groups
    shown = "; ".join(
        f"`{cid}` on rows {', '.join(str(n + 1) for n in list(rows)[:5])}" for cid, rows in list(groups.items())[:5]
    )
    more = f" and {len(groups) - 5:,} more" if len(groups) > 5 else ""
    return [f"{len(groups):,} `{ID_COLUMN}` value(s) appear more than once ({shown}{more}); each row is evaluated"]


def _summary(results: pd.DataFrame, g: Guideline, fields: list[str], others: list[str]) -> CohortSummary:
    bad = results[ERROR_COLUMN].notna().to_numpy()
    counts = results["disposition"].value_counts()
    warnings = {w.id: 0 for w in g.pathway.warnings}
    for label, count in results["warnings"].value_counts().items():
        for w in filter(None, str(label).split(";")):
            warnings[w] += int(count)
    notes = []
    unknown = [c for c in others if c != ID_COLUMN]
    for column in unknown:
        if column in OUTPUT_COLUMNS:
            notes.append(f"column `{column}` is a result column: replaced by this run's results")
            continue
        close = suggested_field(column)
        hint = f" (did you mean `{close}`?)" if close and close not in fields else ""
        notes.append(f"column `{column}` is not part of the case format: carried through unread{hint}")
    ids = results[ID_COLUMN] if ID_COLUMN in results.columns else None
    if ids is not None:
        notes += _repeated_ids(ids)
    listed = np.flatnonzero(bad)[:BAD_ROWS_LISTED]
    return CohortSummary(
        rows=len(results),
        evaluated=int((~bad).sum()),
        bad_rows=int(bad.sum()),
        urgent=int(results["urgent"].sum()),
        dispositions={d.id: int(counts.get(d.id, 0)) for d in g.pathway.dispositions},
        warnings=warnings,
        unknown_columns=unknown,
        notes=notes,
        bad=[
            BadRow(
                row=int(n) + 1,
                case_id=None if ids is None or pd.isna(ids.iat[n]) else str(ids.iat[n]),
                error=str(results[ERROR_COLUMN].iat[n]),
            )
            for n in listed
        ],
    )


# ------------------------------------------------------------------------------------------------- writing


def _arrow(results: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(results, preserve_index=False)


def results_csv(results: pd.DataFrame) -> bytes:
    """The results as CSV bytes (for a download button; nothing touches the disk), formulas neutralised."""
    return csv_bytes(_arrow(results))


def results_parquet(results: pd.DataFrame) -> bytes:
    """The results as Parquet bytes: typed columns, cells exactly as read (data for R or pandas, not a spreadsheet)."""
    sink = pa.BufferOutputStream()
    pq.write_table(_arrow(results), sink)
    return bytes(sink.getvalue().to_pybytes())


def write_results(results: pd.DataFrame, path: str | Path) -> None:
    """Write CSV or Parquet, chosen by the file extension."""
    write_table(_arrow(results), path)


def write_table(table: pa.Table, path: str | Path) -> None:
    """Write an Arrow table as CSV (formulas neutralised) or Parquet, chosen by the file extension."""
    fmt = file_format(path)
    try:
        if fmt == "csv":
            write_csv(table, path)
        else:
            pq.write_table(table, str(path))
    except OSError as exc:
        raise PathwayError([Problem(field=str(path), message=f"cannot write: {exc}")]) from None


def summary_text(summary: CohortSummary, name: str) -> str:
    s = summary
    lines = [
        f"{name}: {s.rows:,} rows; {s.evaluated:,} evaluated, {s.bad_rows:,} bad "
        f"(not evaluated; their reasons are in the `{ERROR_COLUMN}` column)."
    ]
    lines.append("Dispositions:")
    for disposition, count in s.dispositions.items():
        share = f"{count / s.evaluated:6.1%}" if s.evaluated else "     -"
        lines.append(f"  {disposition:<32}{count:>10,}  {share}")
    lines.append(f"Urgent: {s.urgent:,}")
    lines.append("Warnings:")
    lines += [f"  {warning:<32}{count:>10,}" for warning, count in s.warnings.items()]
    if s.bad:
        lines.append("Bad rows:")
        for b in s.bad[:20]:
            label = f" ({ID_COLUMN} {b.case_id})" if b.case_id else ""
            lines.append(f"  row {b.row}{label}: {b.error}")
        if s.bad_rows > 20:
            lines.append(f"  ... and {s.bad_rows - 20:,} more")
    lines += [f"Note: {note}" for note in s.notes]
    return "\n".join(lines) + "\n"
