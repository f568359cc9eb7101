"""Static checks: ruff's rules (ruff.toml) and its formatting hold everywhere; no type errors in core/."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"


def test_ruff_finds_nothing():
    result = subprocess.run([RUFF, "check", "."], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_as_ruff_formats_it():
    result = subprocess.run([RUFF, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_no_type_errors_in_core():
    # mypy.ini holds the settings (core/, untyped function bodies checked too); the cache makes reruns quick.
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
