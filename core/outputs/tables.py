"""Tables (pandas DataFrames) the Pathway, Scenarios and References pages show beneath charts and in lists.

Kept apart from core.outputs.presentation so the Patient page, which needs none of them, renders without importing
pandas (a cold start's largest single cost).
"""

from collections.abc import Iterable

import pandas as pd

from core.engine.case import Case
from core.engine.guideline import Guideline
from core.engine.words import value_words
from core.outputs.provenance import VERSION_COLUMN

STATEMENT_COLUMNS = ["statement", "section", "kind", "origin", "region", "citations", "text", VERSION_COLUMN]


def statement_frame(guideline: Guideline) -> pd.DataFrame:
    """Every statement with its citation numbers, origin (article or safeguard) and section."""
    rows = [
        {
            "statement": s.id,
            "section": s.section,
            "kind": s.kind,
            "origin": s.origin,
            "region": s.region,
            "citations": ", ".join(map(str, s.citations)) or "none",
            "text": s.text,
            VERSION_COLUMN: guideline.info.version,
        }
        for s in guideline.statements
    ]
    return pd.DataFrame(rows, columns=STATEMENT_COLUMNS)


def case_frame(case: Case, guideline: Guideline) -> pd.DataFrame:
    """The known fields of a case as `field` / `value` rows in words (unknown ones are left out)."""
    rows = [
        {"field": guideline.labels.get(f, f), "value": value_words(f, v, guideline)}
        for f, v in case.model_dump().items()
        if v not in (None, (), [])
    ]
    return pd.DataFrame(rows, columns=["field", "value"])


def rows_flagged(audit: pd.DataFrame, flags: Iterable[str]) -> pd.DataFrame:
    """Audit rows carrying any of `flags` (the `flags` column is `; `-joined); every row when none is chosen."""
    wanted = set(flags)
    if not wanted:
        return audit
    keep = audit["flags"].map(lambda cell: bool(wanted & {f.strip() for f in cell.split(";") if f.strip()}))
    return audit[keep].reset_index(drop=True)


def soft_breaks(column: pd.Series) -> pd.Series:
    """Ids with a zero-width space after each underscore, so a long rule id (`R3_some_words`) wraps at 390 px."""
    return column.str.replace("_", "_\u200b", regex=False)


def wrappable(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text column of a table with soft breaks in its ids (numbers and flags are left alone)."""
    return frame.assign(**{c: soft_breaks(frame[c]) for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})


# The charts' text equivalents, narrowed so they read on a phone (390 px) without sideways scrolling.
def pathway_table(rows: pd.DataFrame) -> pd.DataFrame:
    """From `pathway_rows`: the rule with where it leads, what it checks, and its value for this patient."""
    return pd.DataFrame(
        {
            "rule": rows["rule"] + " · " + rows["label"] + "; if it holds: " + rows["outcome"],
            "checks": rows["condition"],
            "value": rows["value"] + rows["result"].map(lambda r: f" ({r})" if r else ""),
        }
    )


def timeline_table(rows: pd.DataFrame) -> pd.DataFrame:
    """From `timeline_rows`: the weeks (a stretch as `6-12`, an open end as `26+`), kind, what and status."""

    def weeks(row: pd.Series) -> str:
        if row["kind"] in ("milestone", "patient"):
            return str(row["week"])
        return f"{row['week']}+" if pd.isna(row["until"]) else f"{row['week']}-{row['until']}"

    return pd.DataFrame(
        {
            "weeks": rows.apply(weeks, axis=1) if len(rows) else pd.Series(dtype=str),
            "kind": rows["kind"],
            "what": rows["what"],
            "status": rows["status"],
        }
    )


def bypass_table(rows: pd.DataFrame) -> pd.DataFrame:
    """From `bypass_rows`: the rule, what it checks and where it leads (marked urgent when it is)."""
    return pd.DataFrame(
        {
            "rule": rows["rule"] + " · " + rows["label"],
            "checks": rows["condition"],
            "leads to": rows["disposition_label"] + rows["urgent"].map(lambda u: " (urgent)" if u else ""),
            "when": rows["when"],
        }
    )
