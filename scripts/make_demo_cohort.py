"""Generate data/demo_cohort.csv: a SYNTHETIC cohort for the pathway page's sankey. No real patient is in it.

Every row is drawn from a fixed seed (numpy `default_rng`), so rerunning the script reproduces the shipped file
byte for byte (a test checks this). The mixture is meant to look like a spine clinic's neck-pain referrals after
a lumbar fusion, not to match any real population:
- most patients have had MRI showing degenerative change or root compression and are in conservative care;
- a few have cord compression, progressive weakness, progressive deformity or a red flag (the urgent routes);
- some have no MRI yet, and a small share of findings were never assessed (blank = unknown), so
  `needs_information` appears;
- weeks of formal PT never exceed weeks of conservative care (the case contract rejects that).

Columns: `case_id` plus every case key (core.engine.case.CASE_FIELDS); booleans `true`/`false`, numbers as digits,
`proposed` `;`-separated, blank = unknown. The pathway page labels the cohort synthetic.

    .venv/bin/python scripts/make_demo_cohort.py [--out data/demo_cohort.csv] [--seed 20260112] [--rows 300]
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.engine.case import CASE_FIELDS
from core.engine.guideline import DATA_DIR

# Every case key but the scope's region: the demo patients' region is not recorded (scope not confirmed).
COLUMNS = tuple(f for f in CASE_FIELDS if f != "region")

SEED = 20260112
ROWS = 300
OUT = DATA_DIR / "demo_cohort.csv"

MRI_SHARES = {
    "not_done": 0.10,
    "cord_compression": 0.05,
    "nerve_root_compression": 0.35,
    "degenerative_only": 0.40,
    "normal": 0.10,
}
# Share of each assessed finding left blank (not assessed), so some cases need more information.
UNASSESSED = 0.03
FUSION_LEVELS = ("L2-L5", "L2-L5", "L2-L5", "L3-L5", "L4-S1")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _patient(rng: np.random.Generator) -> dict[str, object]:
    def chance(p: float) -> bool:
        return bool(rng.random() < p)

    mri = str(rng.choice(list(MRI_SHARES), p=list(MRI_SHARES.values())))
    root = mri == "nerve_root_compression"
    cord = mri == "cord_compression"
    weeks = int(rng.integers(0, 13)) if chance(0.55) else int(rng.integers(13, 53))
    if mri == "not_done":
        weeks = int(rng.integers(0, 3))
    pt = int(rng.integers(0, weeks + 1))
    grade = 5 if chance(0.8) else int(rng.choice([4, 4, 4, 3]))
    proposed = [
        p
        for p, share in (
            ("fusion", 0.08),
            ("decompression", 0.06),
            ("cervical_manipulation", 0.06),
            ("long_term_opioids", 0.05),
            ("epidural_steroid_injection", 0.08),
            ("facet_injection", 0.05),
        )
        if chance(share)
    ]
    patient: dict[str, object] = {
        "red_flags": chance(0.03),
        "mri_finding": mri,
        "myelopathy_signs": chance(0.6 if cord else 0.04),
        "radicular_symptoms": chance(0.85 if root else 0.3),
        "motor_grade_mrc": grade,
        "motor_deficit_progressive": chance(0.25 if grade < 5 else 0.01),
        "instability": chance(0.08),
        "deformity_progressive": chance(0.04),
        "weeks_conservative": weeks,
        "pt_weeks": pt,
        # Failure grows more likely the longer symptoms have lasted despite care.
        "conservative_failed": chance(min(0.25 + weeks / 60, 0.8)),
        "correlating_pathology": chance(
            {"nerve_root_compression": 0.65, "cord_compression": 0.9, "degenerative_only": 0.15}.get(mri, 0.0)
        ),
        "proposed": ";".join(proposed),
        "prior_fusion_levels": str(rng.choice(FUSION_LEVELS)),
    }
    for field in COLUMNS:
        if field not in ("proposed", "prior_fusion_levels", "mri_finding") and chance(UNASSESSED):
            patient[field] = None
    if patient["weeks_conservative"] is None:
        patient["pt_weeks"] = None if chance(0.5) else patient["pt_weeks"]
    return patient


def generate(seed: int = SEED, n: int = ROWS) -> pd.DataFrame:
    """`n` synthetic cases as text cells (the CSV's content), reproducible from `seed`."""
    rng = np.random.default_rng(seed)
    rows = [
        {"case_id": f"synthetic-{i:03d}", **{k: _text(v) for k, v in _patient(rng).items()}} for i in range(1, n + 1)
    ]
    return pd.DataFrame(rows, columns=["case_id", *COLUMNS], dtype=str)


def write(frame: pd.DataFrame, out: Path) -> None:
    frame.to_csv(out, index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic demo cohort (fixed seed, reproducible).")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args(argv)
    write(generate(args.seed, args.rows), args.out)
    print(f"wrote {args.rows} synthetic cases to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
