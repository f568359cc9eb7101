"""Reading cohort files: a CSV or Parquet file of cases (from a path, or bytes an upload holds in memory) as one
pyarrow table, each problem with the file itself (missing, a directory, unreadable, not UTF-8, repeated or no
case columns) a PathwayError naming it. `core.analyses.cohort` checks and evaluates what is read here.

CSV is read by pyarrow; a few ragged rows (more or fewer cells than the header) are parsed on their own and put
back in place, marked in PROBLEM_COLUMN, so they cost what they weigh. A cell never holds a line break: a quote
left open is reported on its line and the lines it ran over are read as rows of their own, so each line of the
file is a row. Parquet columns of any type become types
the checks read and CSV can hold.
"""

import csv
import difflib
import io
import json
from dataclasses import dataclass
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
PROBLEM_COLUMN = "__row_problem"  # internal: read_cohort -> check_cohort
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


def _cells_table(cells: list[list[str]], header: list[str], schema: pa.Schema) -> pa.Table:
    """Rows parsed by the csv module, padded or cut to the header, typed as pyarrow read the rest."""
    width = len(header)
    cut = [(c + [""] * width)[:width] for c in cells]
    return pa.table(
        {h: pa.array([c[n] for c in cut], pa.string()).cast(schema.field(h).type) for n, h in enumerate(header)}
    )


def _with_ragged_rows(table: pa.Table, ragged: list[tuple[int, str]], header: list[str]) -> pa.Table:
    """The good rows as read, with each ragged row (its record number, its text) put back in its place.

    Only the ragged rows are parsed again (by the csv module: they are few); the rest of the file keeps pyarrow's
    columns. A ragged row's cells are kept as far as they go, padded or cut to the header, and PROBLEM_COLUMN says
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
    extra = _cells_table([r for _, r in rows], header, table.schema)
    messages = [None] * good + [_ragged_message(len(r), width) for _, r in rows]
    whole = pa.concat_tables([table, extra]).unify_dictionaries().combine_chunks()
    return whole.append_column(PROBLEM_COLUMN, pa.array(messages, pa.string())).take(pa.array(order))


Parsed = tuple[pa.Table, list[tuple[int, str]]]  # records as pyarrow read them; ragged ones (number, text)


def _parse(source: Any, header: list[str], skip: int, threads: bool, name: str) -> Parsed:
    """pyarrow's read of the records after `skip` lines; ragged ones (record number, text) set aside."""
    ragged: list[tuple[int, str]] = []

    def keep_ragged(row: Any) -> str:
        ragged.append((row.number, row.text))
        return "skip"

    parse = pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=keep_ragged)
    read = pa_csv.ReadOptions(column_names=header, skip_rows=skip, use_threads=threads)
    convert = pa_csv.ConvertOptions(column_types={h: _column_type(h) for h in header}, strings_can_be_null=False)
    try:
        return pa_csv.read_csv(source, read_options=read, parse_options=parse, convert_options=convert), ragged
    except pa.ArrowInvalid as exc:
        reason = "it is not UTF-8 text" if "UTF8" in str(exc) else str(exc).splitlines()[0]
        raise PathwayError([Problem(field=name, message=f"cannot read the file: {reason}")]) from None


def holds_line_breaks(table: pa.Table) -> bool:
    """Whether a cell holds a line break: in a cohort or visits file, always a quote left open."""
    for column in table.columns:
        if pa.types.is_dictionary(column.type):  # each chunk's few distinct values, scanned in one call
            values: Any = pa.concat_arrays([chunk.dictionary for chunk in column.chunks]) if column.chunks else None
        else:
            values = column
        if values is not None and pa.types.is_string(values.type) and pc.any(pc.match_substring(values, "\n")).as_py():
            return True
    return False


def _line_breaks(table: pa.Table) -> np.ndarray:
    """Per row, the line breaks inside its cells."""
    total = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        array = column.combine_chunks()
        if pa.types.is_dictionary(array.type):
            per_value = pc.count_substring(array.dictionary, "\n").to_numpy(zero_copy_only=False)
            total += np.append(per_value, 0)[pc.fill_null(array.indices, -1).to_numpy(zero_copy_only=False)]
        else:
            total += pc.fill_null(pc.count_substring(array, "\n"), 0).to_numpy(zero_copy_only=False)
    return total


@dataclass
class _Rows:
    """Rows read from some lines of a CSV file: the header's columns, the file line each row starts on, and why a
    row is not evaluated (None when it is)."""

    table: pa.Table
    lines: np.ndarray
    problems: list[str | None]


class _Lines:
    """The physical lines of some bytes of a CSV file (split at `\\n`), the first being line `first` of the file."""

    def __init__(self, data: bytes, first: int):
        self.data, self.first = data, first
        raw = np.frombuffer(data, dtype=np.uint8)
        breaks = np.flatnonzero(raw == 10)
        self.starts = np.concatenate([[0], breaks + 1])
        self.ends = np.append(breaks + 1, len(data))
        if self.starts[-1] == len(data):  # the file ends with a line break, not with an empty line
            self.starts, self.ends = self.starts[:-1], self.ends[:-1]
        quotes = np.flatnonzero(raw == ord('"'))
        self.quotes = np.searchsorted(quotes, self.ends) - np.searchsorted(quotes, self.starts)
        text_length = self.ends - self.starts
        self.blank = (text_length == 0) | (text_length == 1) & (raw[np.maximum(self.ends - 1, 0)] == 10)
        self.blank |= (text_length == 2) & (raw[np.maximum(self.ends - 2, 0)] == 13)

    def text(self, line: int) -> str:
        return self.data[self.starts[line] : self.ends[line]].decode("utf-8", "replace").rstrip("\r\n")

    def span(self, first: int, last: int) -> bytes:
        return self.data[self.starts[first] : self.ends[last]]


def _starting_lines(lines: _Lines, skip: int, breaks: np.ndarray, name: str) -> np.ndarray:
    """The line (index into `lines`) each record starts on: records start on the next line that is not blank
    (pyarrow skips blank lines) after the previous record's last line."""
    records = len(breaks)
    starts = np.empty(records, dtype=np.int64)
    filled = np.flatnonzero(~lines.blank[skip:]) + skip
    line, done = skip, 0
    for record in [*np.flatnonzero(breaks).tolist(), records]:
        count = min(record + 1, records) - done
        at = int(np.searchsorted(filled, line))
        if at + count > len(filled):
            raise PathwayError([Problem(field=name, message="cannot read the file: its lines and records disagree")])
        starts[done : done + count] = filled[at : at + count]
        if record < records:
            line = int(starts[record] + breaks[record] + 1)
        done += count
    return starts


def _quote_message(header: list[str], cells: list[str], line: int, swallowed: tuple[int, int]) -> str:
    open_in = f"`{header[len(cells) - 1]}`" if 0 < len(cells) <= len(header) else f"cell {len(cells)}"
    one = swallowed[0] == swallowed[1]
    after = f"line {swallowed[0]}" if one else f"lines {swallowed[0]}-{swallowed[1]}"
    read = "is read as a row of its own" if one else "are read as rows of their own"
    return (
        f"a quote opens in {open_in} on line {line} and is not closed on that line (a cell holds no line break); "
        f"{after}, which it ran over, {read}"
    )


def _rows_of_lines(
    lines: _Lines,
    header: list[str],
    skip: int,
    name: str,
    parsed: Parsed | None = None,
) -> list[_Rows]:
    """Every record of `lines` on the line it starts. A record that runs over line ends (a quote opened and left
    open) is cut back to its own line and reported; the lines it ran over are read again as rows of their own,
    and one of them with an unpaired quote mark (where the quote closed) is reported, not evaluated."""
    table, ragged = parsed or _parse(io.BytesIO(lines.data), header, skip, False, name)
    records = table.num_rows + len(ragged)
    is_ragged = np.zeros(records, dtype=bool)
    is_ragged[[number - skip - 1 for number, _ in ragged]] = True
    breaks = np.zeros(records, dtype=np.int64)
    breaks[~is_ragged] = _line_breaks(table)
    breaks[is_ragged] = [text.count("\n") for _, text in ragged]
    starts = _starting_lines(lines, skip, breaks, name)
    good_breaks = breaks[~is_ragged]
    found = [_Rows(table.filter(pa.array(good_breaks == 0)), lines.first + starts[~is_ragged][good_breaks == 0], [])]
    found[0].problems = [None] * found[0].table.num_rows

    extra_cells: list[list[str]] = []
    extra_lines: list[int] = []
    extra_problems: list[str | None] = []
    width = len(header)
    for (_, text), start in zip(ragged, starts[is_ragged].tolist(), strict=True):
        if "\n" not in text:
            cells = next(csv.reader([text]), [])
            extra_cells.append(cells)
            extra_lines.append(lines.first + start)
            extra_problems.append(_ragged_message(len(cells), width))
    for record in np.flatnonzero(breaks).tolist():
        # A quote left open to the end of the file takes the file's last line break too.
        start, last = int(starts[record]), min(int(starts[record] + breaks[record]), len(lines.starts) - 1)
        opening = lines.first + start
        cells = next(csv.reader([lines.text(start)]), [])
        extra_cells.append(cells)
        extra_lines.append(opening)
        extra_problems.append(_quote_message(header, cells, opening, (opening + 1, opening + last - start)))
        inner = _Lines(lines.span(start + 1, last), opening + 1)
        for rows in _rows_of_lines(inner, header, 0, name):
            odd = lines.quotes[rows.lines - lines.first] % 2 == 1
            rows.problems = [
                f"an unpaired quote mark on line {line} (the quote that opened on line {opening} ends here)"
                if problem is None and unpaired
                else problem
                for problem, unpaired, line in zip(rows.problems, odd.tolist(), rows.lines.tolist(), strict=True)
            ]
            found.append(rows)
    if extra_cells:
        found.append(_Rows(_cells_table(extra_cells, header, table.schema), np.array(extra_lines), extra_problems))
    return found


def _in_file_order(found: list[_Rows]) -> pa.Table:
    whole = pa.concat_tables([rows.table for rows in found]).unify_dictionaries().combine_chunks()
    problems = pa.array([p for rows in found for p in rows.problems], pa.string())
    order = np.argsort(np.concatenate([rows.lines for rows in found]), kind="stable")
    return whole.append_column(PROBLEM_COLUMN, problems).take(pa.array(order))


def _read_csv(source: Source, name: str) -> pa.Table:
    header = [h.strip() for h in read_header(source, name)]
    check_header(header, name)
    with _open(source) as raw:
        table, ragged = _parse(raw, header, 1, True, name)
    if not ragged and not holds_line_breaks(table):
        return table
    # A parallel read does not know where a ragged row sits; a serial one numbers each record. Reading twice costs
    # a few seconds per million rows, far less than parsing the whole file in Python.
    with _open(source) as raw:
        table, ragged = _parse(raw, header, 1, False, name)
    if not holds_line_breaks(table) and not any("\n" in text for _, text in ragged):
        return _with_ragged_rows(table, ragged, header)
    # Cohort and visits files hold no line break in a cell, so a record over several lines is a quote left open:
    # it is cut back to its line and the lines it took are read again, each line of the file a row.
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    return _in_file_order(_rows_of_lines(_Lines(data, 1), header, 1, name, (table, ragged)))


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
    """A Parquet column as a type the checks read and CSV can hold: binary as text, lists (a list field) joined
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
                    "text, numbers or true/false (a list field: a list of text)",
                )
            ]
        )
    return pa.chunked_array(
        [pa.array([None if v is None else json.dumps(v, default=str) for v in values.to_pylist()], pa.string())]
    )


def suggested_field(column: str) -> str | None:
    """The case field a column name was probably meant to be (`Red_Flags`, `red flags`, `redflags`), or None."""
    folded = {f.casefold(): f for f in CASE_FIELDS}
    key = column.strip().casefold().replace(" ", "_").replace("-", "_")
    if key in folded:
        return folded[key]
    close = difflib.get_close_matches(key, list(folded), n=1)
    return folded[close[0]] if close else None


def check_header(header: list[str], name: str) -> None:
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise PathwayError([Problem(field=name, message=f"columns appear more than once: {', '.join(repeated)}")])
    if not any(h in CASE_FIELDS for h in header):
        hints = [f"`{h}` -> `{f}`" for h in header if (f := suggested_field(h)) is not None]
        hint = f" (did you mean {', '.join(hints)}? names are lower case)" if hints else ""
        raise PathwayError(
            [
                Problem(
                    field=name,
                    message=f"no column is a case field{hint}; expected some of: {', '.join(CASE_FIELDS)}",
                )
            ]
        )


def read_cohort(source: Source, fmt: str | None = None, name: str | None = None) -> pa.Table:
    """Read a cohort from a path or from bytes (uploads stay in memory). PathwayError when the file itself is
    unreadable, empty, has repeated column names or no case-field column at all.

    A CSV with ragged rows (more or fewer cells than the header) or a quote left open is read record by record
    instead, and the table gets a PROBLEM_COLUMN that `evaluate_cohort` turns into those rows' errors.
    """
    name = name or (str(source) if not isinstance(source, bytes) else "upload")
    if not isinstance(source, bytes):
        _check_readable(Path(source), name)  # first: a directory is named as one, not as a file type
    fmt = fmt or file_format(name)
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
