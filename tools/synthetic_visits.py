"""Synthetic visits files for benchmarks and tests: random valid courses, never real patients.

Each course has a first visit at week 0 stating every field, then later visits that state only what changed
(blank cells carry forward), a few `unknown` cells, proposals at some visits, and pt_weeks that only grows as
fast as the weeks pass.
"""

import numpy as np
import pandas as pd

from tools.synthetic import synthetic_cases


def synthetic_visits(courses: int, visits_per_course: int = 5, seed: int = 0) -> pd.DataFrame:
    """`courses * visits_per_course` rows as text cells (a visits file as written), reproducible per seed."""
    rng = np.random.default_rng(seed)
    rows = courses * visits_per_course
    base = synthetic_cases(courses, seed=seed)
    step = rng.integers(1, 9, size=(courses, visits_per_course))
    step[:, 0] = 0
    weeks = np.cumsum(step, axis=1).ravel()
    # PT grows by at most the weeks elapsed; the first visit starts at 0.
    pt = np.cumsum(np.floor(step * rng.random((courses, visits_per_course))).astype(np.int64), axis=1).ravel()
    first = np.zeros(rows, dtype=bool)
    first[::visits_per_course] = True

    def text(column: pd.Series) -> np.ndarray:
        values = column.astype("string").str.lower().fillna("unknown").to_numpy(dtype=object)
        return np.repeat(values, visits_per_course)

    frame = {"case_id": np.repeat(base["case_id"].to_numpy(dtype=object), visits_per_course), "week": weeks.astype(str)}
    for field in base.columns:
        if field in ("case_id", "weeks_conservative", "pt_weeks", "proposed"):
            continue
        cells = text(base[field])
        changed = rng.random(rows) < 0.05  # later visits restate a field now and then
        flipped = {"true": "false", "false": "true"}
        later = np.where(changed, [flipped.get(c, c) for c in cells], "")
        frame[field] = np.where(first, cells, later)
    # A blank pt_weeks carries the last value forward, so it is left blank only where PT did not grow.
    grew = first | (pt != np.r_[-1, pt[:-1]])
    frame["pt_weeks"] = np.where(grew | (rng.random(rows) < 0.5), pt.astype(str), "")
    proposals = base["proposed"].astype(str).to_numpy(dtype=object)
    frame["proposed"] = np.where(rng.random(rows) < 0.3, np.repeat(proposals, visits_per_course), "")
    return pd.DataFrame(frame)
