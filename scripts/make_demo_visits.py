"""Generate data/demo_visits.csv: SYNTHETIC courses of care from the illustrative model in
data/progression_model.yaml. No real patient is in it.

Each course starts at week 0 (MRI done, PT starting) and is reviewed at the model's visit weeks; at each step the
model's chances for the course's current state (decided by the engine) say whether the patient improves, keeps
failing, gets a new finding or misses follow-up (the course stops). A course ends at a referral. Visits state
only what changed (blank = carried forward), as a clinic's visits file would. Python's `random.Random(seed)`
draws everything, so rerunning reproduces the shipped file byte for byte (a test checks this).

    .venv/bin/python scripts/make_demo_visits.py [--out data/demo_visits.csv]
"""

import argparse
import csv
import io
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.analyses.course import carried_case, ending_states, visit_state
from core.engine.evaluate import evaluate_case
from core.engine.guideline import DATA_DIR, load_guideline, read_yaml

MODEL = DATA_DIR / "progression_model.yaml"
OUT = DATA_DIR / "demo_visits.csv"
COLUMNS = (
    "case_id",
    "week",
    "red_flags",
    "mri_finding",
    "radicular_symptoms",
    "motor_grade_mrc",
    "motor_deficit_progressive",
    "instability",
    "deformity_progressive",
    "pt_weeks",
    "conservative_failed",
    "correlating_pathology",
    "proposed",
)


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _start(rng: random.Random, model: dict[str, Any]) -> dict[str, Any]:
    s = model["start"]
    mri = _pick(rng, s["mri_finding"])
    root = mri == "nerve_root_compression"
    return {
        "red_flags": False,
        "mri_finding": mri,
        "motor_grade_mrc": 5,
        "motor_deficit_progressive": False,
        "deformity_progressive": False,
        "instability": rng.random() < s["instability"],
        "pt_weeks": 0,
        "radicular_symptoms": rng.random()
        < s["radicular_symptoms_if_root_compression" if root else "radicular_symptoms_otherwise"],
        "correlating_pathology": rng.random()
        < s["correlating_pathology_if_root_compression" if root else "correlating_pathology_otherwise"],
    }


def _finding(kind: str) -> dict[str, Any]:
    return {
        "nerve_root_compression": {
            "mri_finding": "nerve_root_compression",
            "radicular_symptoms": True,
            "correlating_pathology": True,
        },
        "progressive_weakness": {"motor_grade_mrc": 4, "motor_deficit_progressive": True},
        "progressive_deformity": {"deformity_progressive": True},
        "red_flags": {"red_flags": True},
    }[kind]


def _course(rng: random.Random, model: dict[str, Any], g: Any) -> list[dict[str, Any]]:
    weeks = model["visit_weeks"]
    visits = [{"week": 0, **_start(rng, model)}]
    case = carried_case({}, visits[0], 0, g.schema)
    ending = ending_states(g)
    for before, week in zip(weeks, weeks[1:], strict=False):
        evaluation = evaluate_case(case, g)
        state = visit_state(g, evaluation.disposition, evaluation.phase)
        if state in ending or state not in model["steps"]:
            break
        outcome = _pick(rng, model["steps"][state])
        if outcome == "missed_follow_up":
            break
        visit: dict[str, Any] = {"week": week, "pt_weeks": case["pt_weeks"] + (week - before)}
        # A new finding comes with symptoms that are not settling.
        visit["conservative_failed"] = outcome != "improving"
        if outcome == "new_finding":
            visit.update(_finding(_pick(rng, model["new_findings"])))
        proposed = [p for p, share in model["proposals"].items() if rng.random() < share]
        if proposed:
            visit["proposed"] = proposed
        # Only what changed is written: a value equal to the carried one is left blank.
        visit = {k: v for k, v in visit.items() if k in ("week", "proposed") or case.get(k) != v}
        visits.append(visit)
        case = carried_case(case, visit, week, g.schema)
    return visits


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def generate(model_path: Path = MODEL) -> str:
    """The visits file's text, reproducible from the model's seed."""
    model = read_yaml(model_path)
    g = load_guideline()
    rng = random.Random(model["seed"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n in range(1, model["courses"] + 1):
        for visit in _course(rng, model, g):
            writer.writerow([f"demo-{n:03d}", *(_cell(visit.get(c)) for c in COLUMNS[1:])])
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the synthetic demo visits (fixed seed, reproducible).")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = generate()
    args.out.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {text.count(chr(10)) - 1} synthetic visits to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
