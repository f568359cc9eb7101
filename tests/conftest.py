import pytest

from core import load_guideline
from core.guideline import Guideline

# A case with every field known that lands in conservative care with no warnings; tests change one thing.
BASELINE = {
    "red_flags": False,
    "mri_finding": "nerve_root_compression",
    "myelopathy_signs": False,
    "radicular_symptoms": True,
    "motor_grade_mrc": 5,
    "motor_deficit_progressive": False,
    "instability": False,
    "deformity_progressive": False,
    "weeks_conservative": 10,
    "pt_weeks": 8,
    "conservative_failed": True,
    "correlating_pathology": True,
}


@pytest.fixture(scope="session")
def guideline() -> Guideline:
    return load_guideline()


def case(**changes):
    """The baseline case with some fields changed; a value of ... removes the field (unknown)."""
    merged = {**BASELINE, **changes}
    return {k: v for k, v in merged.items() if v is not ...}
