"""A cohort across two pathways: each case under both, cross-tabulated by the class of answer each gives.

As in studies that ran one population through two guidelines (who would each treat?), the cross-tab counts the
good rows by (class under A, class under B). Each pathway reads its own fields of the file; a row that is bad for
either pathway is reported with both reasons and left out of the counts (rows in = rows out in the cases table).

The rows are checked here for every engine (`check_across`, the cohort module's own checks and wording); pandas
decides them with `evaluate_frame`, the SQL engines with both compiled pathways in one query
(`core.sql.across_engines`). Every engine's answers end in the same shapes (`AcrossCounts`, `cases_output`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from core.analyses.across_pathways import foreign_items, without_items
from core.analyses.cohort import (
    BAD_ROWS_LISTED,
    ERROR_COLUMN,
    ID_COLUMN,
    BadRow,
    CheckedCohort,
    check_cohort,
    decided_in_chunks,
    distinct_values,
)
from core.engine.guideline import Guideline
from core.engine.vocabulary import CaseSchema

CROSSTAB_COLUMNS = ["pathway_a", "class_a", "pathway_b", "class_b", "cases"]
CASES_COLUMNS = [
    ID_COLUMN,
    "disposition_a",
    "class_a",
    "deciding_rule_a",
    "disposition_b",
    "class_b",
    "deciding_rule_b",
    ERROR_COLUMN,
]
MERGED = "fewer than {k} (merged)"


@dataclass(frozen=True)
class AcrossCounts:
    crosstab: pd.DataFrame  # CROSSTAB_COLUMNS, one row per pair of classes that occurs (small cells merged)
    rows: int
    good: int
    discordant: int  # good rows whose two classes differ
    bad: list[BadRow]  # the first BAD_ROWS_LISTED bad rows (every one is in the cases table)


@dataclass(frozen=True)
class CohortAcross(AcrossCounts):
    cases: pd.DataFrame  # every row of the file: its id, and per pathway disposition, class and deciding rule


@dataclass(frozen=True)
class CheckedAcross:
    """A cohort table checked under each pathway's fields; a row is bad when it is bad under either."""

    a: CheckedCohort
    b: CheckedCohort
    ids: pa.ChunkedArray  # the file's case_id, or the row number (1-based) when it has none
    errors: np.ndarray  # per row "A: reason; B: reason" (None when good under both)
    bad: np.ndarray
    first_row: int  # the row number of this table's first row in its file (tables may be chunks of one)


def read_by(table: pa.Table, schema: CaseSchema) -> pa.Table:
    """The file as one pathway reads it. A list item the vocabulary knows but this pathway does not speak of (a
    proposed fusion, under a pathway that only weighs decompression) is set aside for it, as a field it does not
    read is: each pathway decides on its own items, and the row stays in its counts. Any other value is checked as
    `cohort` checks it. Only the distinct values are rewritten, so a million rows cost a few hundred strings."""
    for field, foreign in foreign_items(schema).items():
        if not foreign or field not in table.column_names:
            continue
        codes, distinct = distinct_values(table.column(field))
        if not all(isinstance(v, str) for v in distinct):
            continue  # not text: `cohort`'s own check names it
        kept = pa.array([without_items(v, foreign) for v in distinct], pa.string())
        rewritten = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), kept)
        table = table.set_column(table.column_names.index(field), field, rewritten)
    return table


def check_across(table: pa.Table, a: Guideline, b: Guideline, first_row: int = 1) -> CheckedAcross:
    ca, cb = check_cohort(read_by(table, a.schema), a.schema), check_cohort(read_by(table, b.schema), b.schema)
    rows = ca.table.num_rows
    if ID_COLUMN in ca.table.column_names:
        ids = ca.table.column(ID_COLUMN)
    else:
        ids = pa.chunked_array([pa.array(np.arange(first_row, first_row + rows, dtype=np.int64))])
    bad = pd.notna(ca.errors) | pd.notna(cb.errors)
    errors = np.full(rows, None, dtype=object)
    for n in np.flatnonzero(bad).tolist():
        errors[n] = "; ".join(f"{g.info.id}: {e}" for g, e in ((a, ca.errors[n]), (b, cb.errors[n])) if e)
    return CheckedAcross(a=ca, b=cb, ids=ids, errors=errors, bad=bad, first_row=first_row)


def bad_rows(checked: CheckedAcross, limit: int = BAD_ROWS_LISTED) -> list[BadRow]:
    """The first `limit` bad rows, numbered in the file, as `cohort` lists them."""
    listed = np.flatnonzero(checked.bad)[:limit].tolist()
    ids = checked.ids.take(pa.array(listed, type=pa.int64())).to_pylist() if listed else []
    return [
        BadRow(row=checked.first_row + n, case_id=None if i is None else str(i), error=str(checked.errors[n]))
        for n, i in zip(listed, ids, strict=True)
    ]


def _classes(disposition: pd.Categorical, g: Guideline) -> pd.Categorical:
    classes = {d.id: d.class_ for d in g.pathway.dispositions}
    kinds = list(dict.fromkeys(classes.values()))
    position = np.array([kinds.index(classes[d]) for d in disposition.categories] + [-1], dtype=np.int32)
    return pd.Categorical.from_codes(position[disposition.codes], categories=kinds)


def _kept(column: pd.Series, bad: np.ndarray) -> pd.Categorical:
    """A decided column with the bad rows' answers taken out (they are not evaluated)."""
    return pd.Categorical.from_codes(np.where(bad, -1, column.cat.codes), column.cat.categories)


def merged_small(crosstab: pd.DataFrame, k: int) -> pd.DataFrame:
    """Cells below K merged into one row; while that row is itself below K, the next smallest cell joins it, so no
    published count is under K and the total stays true."""
    if k <= 1 or crosstab.empty:
        return crosstab
    ordered = crosstab.sort_values("cases", kind="stable").reset_index(drop=True)
    small = ordered["cases"] < k
    merged = int(ordered.loc[small, "cases"].sum())
    n = int(small.sum())
    while 0 < merged < k and n < len(ordered):
        merged += int(ordered.loc[n, "cases"])
        n += 1
    if n == 0:
        return crosstab
    kept = ordered.iloc[n:]
    label = MERGED.format(k=k)
    row = {"pathway_a": ordered["pathway_a"].iloc[0], "class_a": label, "pathway_b": ordered["pathway_b"].iloc[0]}
    row |= {"class_b": label, "cases": merged}
    return pd.concat([kept, pd.DataFrame([row])], ignore_index=True)


def across_counts(crosstab: pd.DataFrame, rows: int, bad: list[BadRow], min_count: int) -> AcrossCounts:
    """The counts of a comparison from its full cross-tab (CROSSTAB_COLUMNS, ordered by class_a, class_b)."""
    crosstab = crosstab.astype({"cases": "int64"})[CROSSTAB_COLUMNS].reset_index(drop=True)
    discordant = int(crosstab.loc[crosstab["class_a"] != crosstab["class_b"], "cases"].sum())
    good = int(crosstab["cases"].sum())
    return AcrossCounts(merged_small(crosstab, min_count), rows, good, discordant, bad)


def compare_cohort(table: pa.Table, a: Guideline, b: Guideline, min_count: int = 1) -> CohortAcross:
    """Every row of `table` under pathways `a` and `b` (decided by `evaluate_frame`), and the cross-tab of their
    classes over the good rows."""
    checked = check_across(table, a, b)
    bad = checked.bad
    columns: dict[str, object] = {ID_COLUMN: checked.ids.to_pandas()}
    for g, c, suffix in ((a, checked.a, "a"), (b, checked.b, "b")):
        decided = decided_in_chunks(c.cases, g)
        disposition = _kept(decided["disposition"], bad)
        columns[f"disposition_{suffix}"] = disposition
        columns[f"class_{suffix}"] = _classes(disposition, g)
        columns[f"deciding_rule_{suffix}"] = _kept(decided["deciding_rule"], bad)
    columns[ERROR_COLUMN] = pd.array(checked.errors, dtype="str")
    # Text, not categories: the two sides' categories differ, and categoricals compare only on equal categories.
    cases = pd.DataFrame(columns)[CASES_COLUMNS].astype({c: "str" for c in CASES_COLUMNS[1:]})
    good = cases.loc[~bad, ["class_a", "class_b"]]
    counts = good.groupby(["class_a", "class_b"]).size().reset_index(name="cases")
    crosstab = counts.assign(pathway_a=a.info.id, pathway_b=b.info.id).sort_values(["class_a", "class_b"])
    summary = across_counts(crosstab, len(cases), bad_rows(checked), min_count)
    return CohortAcross(**vars(summary), cases=cases)


def cases_output(cases: pa.Table) -> pa.Table:
    """The cases table as every engine writes it: the id as read (text as plain strings), every answer as text."""
    id_type = cases.schema.field(ID_COLUMN).type
    if pa.types.is_large_string(id_type) or pa.types.is_dictionary(id_type):
        id_type = pa.string()
    return pa.table(
        {name: cases.column(name).cast(id_type if name == ID_COLUMN else pa.string()) for name in CASES_COLUMNS}
    )


def cohort_across_text(result: AcrossCounts, name: str) -> str:
    bad = result.rows - result.good
    lines = [
        f"{name}: {result.rows:,} row{'' if result.rows == 1 else 's'}; {result.good:,} evaluated under both "
        f"pathways, {bad:,} bad (not counted; their reasons are in the `{ERROR_COLUMN}` column of the cases); "
        f"{result.discordant:,} {'case gets' if result.discordant == 1 else 'cases get'} a different kind of answer.",
        "Educational decision support, not a medical device.",
    ]
    for row in result.crosstab.itertuples(index=False):
        lines.append(f"  {row.class_a} under {row.pathway_a} / {row.class_b} under {row.pathway_b}: {row.cases:,}")
    if result.bad:
        lines.append("Bad rows:")
        for b in result.bad[:20]:
            label = f" ({ID_COLUMN} {b.case_id})" if b.case_id else ""
            lines.append(f"  row {b.row}{label}: {b.error}")
        if bad > 20:
            lines.append(f"  ... and {bad - 20:,} more")
    return "\n".join(lines) + "\n"
