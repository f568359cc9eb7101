import shutil

import pytest
import yaml

from core import load_guideline
from core.engine.guideline import DATA_DIR, Guideline
from tests.browser_support import browser, page, server  # noqa: F401  (fixtures for every browser test file)

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


@pytest.fixture
def data_copy(tmp_path):
    """A private copy of data/ that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path, change):
    """Apply `change` to the parsed YAML of `path` and write it back."""
    content = yaml.safe_load(path.read_text())
    change(content)
    path.write_text(yaml.safe_dump(content, sort_keys=False))
