"""Synthetic cohorts for benchmarks, tests and demos: random valid cases, never real patients.

Columns are typed the way `evaluate_frame` expects (`boolean`, `Int64`, strings); `pt_weeks` never exceeds
`weeks_conservative`; every field is unknown with probability `unknown_share`.
"""

import numpy as np
import pandas as pd

from core.engine.case import DEFAULT_SCHEMA

BOOL_FIELDS = DEFAULT_SCHEMA.bool_fields  # the synthetic cases are cases of the default pack
MRI_FINDINGS = DEFAULT_SCHEMA.choices["mri_finding"]
PROPOSALS = DEFAULT_SCHEMA.choices["proposed"]

# Mostly ordinary presentations with a tail of serious ones, so every rule has work to do.
BOOL_SHARE_TRUE = {
    "red_flags": 0.04,
    "myelopathy_signs": 0.08,
    "radicular_symptoms": 0.45,
    "motor_deficit_progressive": 0.1,
    "instability": 0.1,
    "deformity_progressive": 0.06,
    "conservative_failed": 0.5,
    "correlating_pathology": 0.4,
}
MRI_SHARE = (0.15, 0.06, 0.35, 0.3, 0.14)
PROPOSAL_SETS = (
    "",
    "fusion",
    "decompression",
    "fusion;decompression",
    "cervical_manipulation",
    "long_term_opioids",
    "epidural_steroid_injection",
    "facet_injection",
    "cervical_manipulation;long_term_opioids",
    "epidural_steroid_injection;facet_injection",
)
PROPOSAL_SHARE = (0.55, 0.08, 0.07, 0.03, 0.05, 0.05, 0.07, 0.06, 0.02, 0.02)


def synthetic_cases(rows: int, seed: int = 0, unknown_share: float = 0.08) -> pd.DataFrame:
    """`rows` random valid cases (with a `case_id` column), reproducible for a given seed."""
    assert set(BOOL_SHARE_TRUE) == set(BOOL_FIELDS) and len(MRI_SHARE) == len(MRI_FINDINGS)
    assert all(p in PROPOSALS for s in PROPOSAL_SETS for p in s.split(";") if p)
    rng = np.random.default_rng(seed)

    def unknown() -> np.ndarray:
        return rng.random(rows) < unknown_share

    columns: dict[str, object] = {"case_id": pd.array([f"synthetic-{n:07d}" for n in range(rows)], dtype="str")}
    for field in BOOL_FIELDS:
        columns[field] = pd.arrays.BooleanArray(rng.random(rows) < BOOL_SHARE_TRUE[field], unknown())
    mri = rng.choice(len(MRI_FINDINGS), size=rows, p=MRI_SHARE)
    columns["mri_finding"] = pd.Categorical.from_codes(np.where(unknown(), -1, mri), categories=list(MRI_FINDINGS))
    grade = np.where(rng.random(rows) < 0.8, 5, rng.integers(0, 5, rows))
    columns["motor_grade_mrc"] = pd.arrays.IntegerArray(grade.astype(np.int64), unknown())
    total = rng.integers(0, 60, rows)
    pt = np.floor(rng.random(rows) * (total + 1)).astype(np.int64)
    columns["weeks_conservative"] = pd.arrays.IntegerArray(total.astype(np.int64), unknown())
    columns["pt_weeks"] = pd.arrays.IntegerArray(pt, unknown())
    proposals = rng.choice(len(PROPOSAL_SETS), size=rows, p=PROPOSAL_SHARE)
    columns["proposed"] = pd.Categorical.from_codes(proposals, categories=list(PROPOSAL_SETS))
    return pd.DataFrame(columns)
