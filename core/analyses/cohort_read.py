"""Reading cohort files: a CSV or Parquet file of cases (from a path, or bytes an upload holds in memory) as one
pyarrow table, each problem with the file itself (missing, a directory, unreadable, not UTF-8, repeated or no
case columns) a PathwayError naming it. `core.analyses.cohort` checks and evaluates what is read here.

CSV is read by pyarrow; a few ragged rows (more or fewer cells than the header) are parsed on their own and put
back in place, marked in RAGGED_COLUMN, so they cost what they weigh. Parquet columns of any type become types
the checks read and CSV can hold.
"""

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from core.engine.case import CASE_FIELDS
from core.errors import PathwayError, Problem

FORMATS = {".csv": "csv", ".parquet": "parquet"}
RAGGED_COLUMN = "__ragged_row"  # internal: read_cohort -> check_cohort
Source = str | Path | bytes


def file_format(name: str | Path) -> str:
    """`csv` or `parquet` from a file name; PathwayError for anything else."""
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise PathwayError([Problem(field=str(name), message="unsupported file type; use .csv or .parquet")])
    return FORMATS[suffix]


def _open(source: Source) -> Any:
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115


def read_header(source: Source, name: str) -> list[str]:
    with _open(source) as raw:
        # Undecodable bytes further on are pyarrow's to report; here only the header must be clean text.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        try:
            header = next(csv.reader(text))
        except StopIteration:
            raise PathwayError([Problem(field=name, message="the file is empty (no header row)")]) from None
        except csv.Error as exc:
            raise PathwayError([Problem(field=name, message=f"cannot read the header row: {exc}")]) from None
    if any("\ufffd" in h for h in header):
        raise PathwayError([Problem(field=name, message="cannot read the file: it is not UTF-8 text")])
    return header


def _column_type(column: str) -> pa.DataType:
    # Case columns repeat a few values, so dictionary-encode them while reading; ids stay plain strings.
    return pa.dictionary(pa.int32(), pa.string()) if column in CASE_FIELDS else pa.string()


def _ragged_message(cells: int, width: int) -> str:
    return f"the row has {cells} cell{'' if cells == 1 else 's'} but the header has {width}"


def _with_ragged_rows(table: pa.Table, ragged: list[tuple[int, str]], header: list[str]) -> pa.Table:
    """The good rows as read, with each ragged row (its record number, its text) put back in its place.

    Only the ragged rows are parsed again (by the csv module: they are few); the rest of the file keeps pyarrow's
    columns. A ragged row's cells are kept as far as they go, padded or cut to the header, and RAGGED_COLUMN says
    why it is not evaluated.
    """
    width, good = len(header), table.num_rows
    rows = [(number - 2, next(csv.reader([text]), [])) for number, text in ragged]  # the header is record 1
    total = good + len(rows)
    is_ragged = np.zeros(total, dtype=bool)
    is_ragged[[position for position, _ in rows]] = True
    order = np.empty(total, dtype=np.int64)
    order[~is_ragged] = np.arange(good)
    order[is_ragged] = good + np.arange(len(rows))
    cells = [(r + [""] * width)[:width] for _, r in rows]
    extra = pa.table(
        {h: pa.array([c[n] for c in cells], pa.string()).cast(table.schema.field(h).type) for n, h in enumerate(header)}
    )
    messages = [None] * good + [_ragged_message(len(r), width) for _, r in rows]
    whole = pa.concat_tables([table, extra]).unify_dictionaries().combine_chunks()
    return whole.append_column(RAGGED_COLUMN, pa.array(messages, pa.string())).take(pa.array(order))


def _read_csv(source: Source, name: str) -> pa.Table:
    header = [h.strip() for h in read_header(source, name)]
    check_header(header, name)
    options = pa_csv.ConvertOptions(column_types={h: _column_type(h) for h in header}, strings_can_be_null=False)

    def read(threads: bool) -> tuple[pa.Table, list[tuple[int, str]]]:
        ragged: list[tuple[int, str]] = []

        def keep_ragged(row: Any) -> str:
            ragged.append((row.number, row.text))
            return "skip"

        parse = pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=keep_ragged)
        read = pa_csv.ReadOptions(column_names=header, skip_rows=1, use_threads=threads)
        try:
            with _open(source) as raw:
                return pa_csv.read_csv(raw, read_options=read, parse_options=parse, convert_options=options), ragged
        except pa.ArrowInvalid as exc:
            reason = "it is not UTF-8 text" if "UTF8" in str(exc) else str(exc).splitlines()[0]
            raise PathwayError([Problem(field=name, message=f"cannot read the file: {reason}")]) from None

    table, ragged = read(threads=True)
    if not ragged:
        return table
    # A parallel read does not know where a ragged row sits; a serial one numbers each record. Reading twice costs
    # a few seconds per million rows, far less than parsing the whole file in Python.
    table, ragged = read(threads=False)
    return _with_ragged_rows(table, ragged, header)


def _read_parquet(source: Source, name: str) -> pa.Table:
    try:
        table = pq.read_table(pa.BufferReader(source) if isinstance(source, bytes) else source)
    except (pa.ArrowException, OSError) as exc:
        raise PathwayError([Problem(field=name, message=f"cannot read the file as Parquet: {exc}")]) from None
    check_header(table.column_names, name)
    # Pandas metadata describes the frame that wrote the file; the columns as stored are what we read.
    table = table.replace_schema_metadata(None)
    return pa.table([_plain_column(c, table.column(c), name) for c in table.column_names], names=table.column_names)


def _plain_column(column: str, values: pa.ChunkedArray, name: str) -> pa.ChunkedArray:
    """A Parquet column as a type the checks read and CSV can hold: binary as text, lists (`proposed`) joined
    with `;`; a column that is not a case field but nested (struct, list, map) carried through as JSON text.
    A case field holding nested values is refused, naming the column."""
    kind = values.type
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        try:
            return pc.cast(values, pa.string())
        except pa.ArrowInvalid:
            if column in CASE_FIELDS:
                raise PathwayError(
                    [Problem(field=name, message=f"column `{column}` holds bytes that are not UTF-8 text")]
                ) from None
            return pa.chunked_array(
                [pa.array([None if v is None else v.hex() for v in values.to_pylist()], pa.string())]
            )
    if not pa.types.is_nested(kind):
        return values
    if (
        column in CASE_FIELDS
        and (pa.types.is_list(kind) or pa.types.is_large_list(kind))
        and not pa.types.is_nested(kind.value_type)
    ):
        return pc.binary_join(pc.cast(values, pa.list_(pa.string())), ";")
    if column in CASE_FIELDS:
        raise PathwayError(
            [
                Problem(
                    field=name,
                    message=f"column `{column}` holds {kind} values; a case field holds "
                    "text, numbers or true/false (`proposed`: a list of text)",
                )
            ]
        )
    return pa.chunked_array(
        [pa.array([None if v is None else json.dumps(v, default=str) for v in values.to_pylist()], pa.string())]
    )


def check_header(header: list[str], name: str) -> None:
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise PathwayError([Problem(field=name, message=f"columns appear more than once: {', '.join(repeated)}")])
    if not any(h in CASE_FIELDS for h in header):
        raise PathwayError(
            [Problem(field=name, message=f"no column is a case field; expected some of: {', '.join(CASE_FIELDS)}")]
        )


def read_cohort(source: Source, fmt: str | None = None, name: str | None = None) -> pa.Table:
    """Read a cohort from a path or from bytes (uploads stay in memory). PathwayError when the file itself is
    unreadable, empty, has repeated column names or no case-field column at all.

    A CSV with ragged rows (more or fewer cells than the header) is read record by record instead, and the
    table gets a RAGGED_COLUMN that `evaluate_cohort` turns into those rows' errors.
    """
    name = name or (str(source) if not isinstance(source, bytes) else "upload")
    fmt = fmt or file_format(name)
    if not isinstance(source, bytes):
        _check_readable(Path(source), name)
    try:
        return _read_csv(source, name) if fmt == "csv" else _read_parquet(source, name)
    except OSError as exc:  # a file that vanished or changed permissions while being read
        raise PathwayError([Problem(field=name, message=f"cannot read: {exc.strerror or exc}")]) from None


def _check_readable(path: Path, name: str) -> None:
    if path.is_dir():
        raise PathwayError([Problem(field=name, message="is a directory, not a file")])
    if not path.exists():
        raise PathwayError([Problem(field=name, message="file not found")])
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        reason = "no permission to read it" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
        raise PathwayError([Problem(field=name, message=f"cannot read: {reason}")]) from None
