"""The one exception family of the project; pages and the CLI catch it and show its message."""
from typing import Any

from pydantic import BaseModel

QUOTED_CHARS = 40


def quoted(value: Any) -> str:
    """A value a person supplied, quoted for a message: repr, cut short so a 5,000-character link stays readable."""
    text = repr(value)
    return text if len(text) <= QUOTED_CHARS else f"{text[:QUOTED_CHARS]}... ({len(str(value)):,} characters)"


class Problem(BaseModel):
    """One thing wrong with an input, named so a person can fix it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class PathwayError(Exception):
    """Raised for anything a user can correct: a bad case, a bad data file, an unreadable cohort."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class CaseError(PathwayError):
    """A patient case that does not meet the input contract."""


class DataError(PathwayError):
    """A guideline data file that does not validate; `field` holds `file: path inside the file`."""
