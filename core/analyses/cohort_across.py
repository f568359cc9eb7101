"""A cohort across two pathways: each case under both, cross-tabulated by the class of answer each gives.

As in studies that ran one population through two guidelines (who would each treat?), the cross-tab counts the
good rows by (class under A, class under B). Each pathway reads its own fields of the file; a row that is bad for
either pathway is reported with both reasons and left out of the counts (rows in = rows out in the cases table).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from core.analyses.cohort import ERROR_COLUMN, ID_COLUMN, evaluate_cohort
from core.analyses.frame import evaluate_frame
from core.engine.guideline import Guideline

CROSSTAB_COLUMNS = ["pathway_a", "class_a", "pathway_b", "class_b", "cases"]
MERGED = "fewer than {k} (merged)"
Decider = Callable[[pd.DataFrame, Guideline], pd.DataFrame]


@dataclass(frozen=True)
class CohortAcross:
    crosstab: pd.DataFrame  # CROSSTAB_COLUMNS, one row per pair of classes that occurs (small cells merged)
    cases: pd.DataFrame  # every row of the file: its id, and per pathway disposition, class and deciding rule
    rows: int
    good: int
    discordant: int  # good rows whose two classes differ


def _classes(results: pd.DataFrame, g: Guideline) -> pd.Series:
    classes = {d.id: d.class_ for d in g.pathway.dispositions}
    return results["disposition"].astype("object").map(classes)


def _merge_small(crosstab: pd.DataFrame, k: int) -> pd.DataFrame:
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


def compare_cohort(
    table: pa.Table, a: Guideline, b: Guideline, min_count: int = 1, decide: Decider = evaluate_frame
) -> CohortAcross:
    """Every row of `table` under pathways `a` and `b`, and the cross-tab of their classes over the good rows."""
    ra = evaluate_cohort(table, a, decide=decide).results
    rb = evaluate_cohort(table, b, decide=decide).results
    rows = len(ra)
    ids = ra[ID_COLUMN].astype("object") if ID_COLUMN in ra.columns else pd.Series(np.arange(1, rows + 1))
    errors_a, errors_b = ra[ERROR_COLUMN].astype("object"), rb[ERROR_COLUMN].astype("object")
    bad = errors_a.notna().to_numpy() | errors_b.notna().to_numpy()
    error = [
        "; ".join(f"{g.info.id}: {e}" for g, e in ((a, ea), (b, eb)) if isinstance(e, str))
        for ea, eb in zip(errors_a, errors_b, strict=True)
    ]
    cases = pd.DataFrame(
        {
            "case_id": ids.to_numpy(),
            "disposition_a": ra["disposition"].astype("object"),
            "class_a": _classes(ra, a),
            "deciding_rule_a": ra["deciding_rule"].astype("object"),
            "disposition_b": rb["disposition"].astype("object"),
            "class_b": _classes(rb, b),
            "deciding_rule_b": rb["deciding_rule"].astype("object"),
            "error": pd.array([e or None for e in error], dtype="str"),
        }
    )
    for column in ("disposition_a", "class_a", "deciding_rule_a", "disposition_b", "class_b", "deciding_rule_b"):
        cases.loc[bad, column] = None
    good = cases.loc[~bad]
    counts = good.groupby(["class_a", "class_b"], sort=True).size().reset_index(name="cases")
    crosstab = pd.DataFrame(
        {
            "pathway_a": a.info.id,
            "class_a": counts["class_a"],
            "pathway_b": b.info.id,
            "class_b": counts["class_b"],
            "cases": counts["cases"].astype("int64"),
        },
        columns=CROSSTAB_COLUMNS,
    )
    discordant = int((good["class_a"] != good["class_b"]).sum())
    return CohortAcross(_merge_small(crosstab, min_count), cases, rows, len(good), discordant)


def cohort_across_text(result: CohortAcross, name: str) -> str:
    bad = result.rows - result.good
    lines = [
        f"{name}: {result.rows} rows; {result.good} evaluated under both pathways, {bad} bad; "
        f"{result.discordant} cases get a different kind of answer.",
        "Educational decision support, not a medical device.",
    ]
    for row in result.crosstab.itertuples(index=False):
        lines.append(f"  {row.class_a} under {row.pathway_a} / {row.class_b} under {row.pathway_b}: {row.cases}")
    return "\n".join(lines) + "\n"
