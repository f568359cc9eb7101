"""CSV for spreadsheets: results files as the page downloads them and `cohort --out x.csv` writes them.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel, LibreOffice and
Google Sheets, so a `case_id` such as `=HYPERLINK("http://host", "open")` in an uploaded cohort would run in the
reviewer's spreadsheet. As OWASP's CSV-injection guidance recommends, such text cells are prefixed with a single
quote (shown as text, never evaluated) and every text cell is written inside double quotes. A cell that is a plain
number (`-1.5`, `+3`, `1e-3`) or a lone sign (`-`, a common blank) runs nothing, so it is written as it is and a
numeric column stays numeric in R and pandas. Parquet output is data, not a spreadsheet, and is written unchanged.
"""

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

FORMULA_START = r"^[=+\-@\t\r]"
PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]$"


def _neutralised(array: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(array.type):
        return pa.DictionaryArray.from_arrays(array.indices, _neutralised(array.dictionary))
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return array
    risky = pc.and_(
        pc.fill_null(pc.match_substring_regex(array, FORMULA_START), False),
        pc.invert(pc.fill_null(pc.match_substring_regex(array, PLAIN_NUMBER), False)),
    )
    if not pc.any(risky).as_py():
        return array
    quote, empty = pa.scalar("'", array.type), pa.scalar("", array.type)
    return pc.if_else(risky, pc.binary_join_element_wise(quote, array, empty), array)


def formula_safe(table: pa.Table) -> pa.Table:
    """The table with every text cell that a spreadsheet would run as a formula prefixed by `'`."""
    columns = [
        pa.chunked_array([_neutralised(chunk) for chunk in column.chunks], type=column.type)
        if column.num_chunks
        else column
        for column in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def write_options() -> pa_csv.WriteOptions:
    """Every valid cell quoted, as OWASP recommends for CSV exports."""
    return pa_csv.WriteOptions(quoting_style="all_valid")


def csv_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pa_csv.write_csv(formula_safe(table), sink, write_options=write_options())
    return sink.getvalue()


def write_csv(table: pa.Table, path: str | Path) -> None:
    pa_csv.write_csv(formula_safe(table), str(path), write_options=write_options())
