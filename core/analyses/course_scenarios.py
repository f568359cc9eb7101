"""Teaching courses of care (data/course_scenarios.yaml), validated, with the states they must produce."""
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from core.engine.guideline import DATA_DIR, read_yaml
from core.errors import DataError, Problem

COURSE_SCENARIOS = DATA_DIR / "course_scenarios.yaml"


class ExpectedCourse(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    milestones: dict[int, str]
    deviations: list[str] = []


class CourseScenario(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    title: str
    teaching_point: str
    course: dict[str, Any]
    expected: ExpectedCourse


@cache
def load_course_scenarios(path: Path = COURSE_SCENARIOS) -> tuple[CourseScenario, ...]:
    """The teaching courses; DataError naming the entry when the file does not validate."""
    raw = read_yaml(path)
    try:
        return tuple(CourseScenario.model_validate(item) for item in raw["course_scenarios"])
    except (ValidationError, KeyError, TypeError) as exc:
        raise DataError([Problem(field=f"{path.name}", message=str(exc).splitlines()[0])]) from None
