"""Inputs that contradict each other (data/inconsistencies.yaml): found on known inputs, never blocking.

Kept as data in the pathway's condition language, like the invariants, so a reviewer can read and extend them.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.engine.conditions import Condition, fields_read, holds
from core.engine.data_files import load_file, once_per_directory
from core.engine.guideline import DATA_DIR, condition_type_problems
from core.engine.packs import schema_of
from core.errors import DataError, Problem
from core.model import Frozen

INCONSISTENCIES_FILE = "inconsistencies.yaml"


class InconsistencyRule(Frozen):
    id: str
    text: str
    when: Condition
    fields: list[str] = []  # where the page shows it; the fields `when` reads when left empty


class Inconsistency(Frozen):
    """One contradiction found in a case: what it is and the fields it concerns."""

    id: str
    text: str
    fields: list[str]


class InconsistencyFile(Frozen):
    inconsistencies: list[InconsistencyRule]


def load_inconsistency_rules(data_dir: Path = DATA_DIR) -> tuple[InconsistencyRule, ...]:
    """The file, validated: known fields with values of their type, unique ids; DataError names each problem."""
    return _load_inconsistency_rules(data_dir)


@once_per_directory
def _load_inconsistency_rules(data_dir: Path) -> tuple[InconsistencyRule, ...]:
    if not (data_dir / INCONSISTENCIES_FILE).is_file():
        return ()  # a pack need not name any
    parsed = load_file(data_dir / INCONSISTENCIES_FILE, InconsistencyFile)
    schema = schema_of(data_dir)
    problems: list[Problem] = []
    ids = [r.id for r in parsed.inconsistencies]
    if len(set(ids)) != len(ids):
        problems.append(Problem(field=INCONSISTENCIES_FILE, message="an id is used twice"))
    for rule in parsed.inconsistencies:
        problems += condition_type_problems(f"{INCONSISTENCIES_FILE}: {rule.id}", rule.when, (), schema)
    if problems:
        raise DataError(problems)
    return tuple(parsed.inconsistencies)


def find_inconsistencies(values: Mapping[str, Any], data_dir: Path = DATA_DIR) -> list[Inconsistency]:
    """The contradictions that hold on the case's known inputs, in file order."""
    return [
        Inconsistency(id=r.id, text=r.text, fields=r.fields or fields_read(r.when))
        for r in load_inconsistency_rules(data_dir)
        if holds(r.when, values) is True
    ]
