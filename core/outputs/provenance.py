"""What produced an exported table, carried in the table itself: a results, changes, sweep or audit file found
later says which guideline version (and which variant of it) made it, in CSV and Parquet alike.

One value per file, so the columns are categorical: a million rows cost a million one-byte codes.
"""

import numpy as np
import pandas as pd

from core.engine.guideline import Guideline

VERSION_COLUMN = "guideline_version"
VARIANT_COLUMN = "variant_id"


def provenance_columns(rows: int, guideline: Guideline, variant: str | None = None) -> dict[str, pd.Categorical]:
    """The guideline version (and the variant id, when a variant made the table) for every one of `rows`."""
    values = {VERSION_COLUMN: guideline.info.version}
    if variant is not None:
        values[VARIANT_COLUMN] = variant
    codes = np.zeros(rows, dtype=np.int8)
    return {name: pd.Categorical.from_codes(codes, [value]) for name, value in values.items()}


def with_provenance(frame: pd.DataFrame, guideline: Guideline, variant: str | None = None) -> pd.DataFrame:
    return frame.assign(**provenance_columns(len(frame), guideline, variant))
