"""Teaching courses of care (data/course_scenarios.yaml), validated, with the states they must produce."""

from functools import cache
from pathlib import Path
from typing import Any

from core.engine.data_files import load_file
from core.engine.guideline import DATA_DIR
from core.model import Frozen

COURSE_SCENARIOS = DATA_DIR / "course_scenarios.yaml"


class ExpectedCourse(Frozen):
    milestones: dict[int, str]
    deviations: list[str] = []


class CourseScenario(Frozen):
    id: str
    title: str
    teaching_point: str
    course: dict[str, Any]
    expected: ExpectedCourse


@cache
def load_course_scenarios(path: Path = COURSE_SCENARIOS) -> tuple[CourseScenario, ...]:
    """The teaching courses; DataError naming the entry, the path in it and the reason when the file does not
    validate."""
    return tuple(load_file(path, list[CourseScenario], key="course_scenarios"))
