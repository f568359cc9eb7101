"""The one exception family of the project; pages and the CLI catch it and show its message."""

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from core.model import Frozen

QUOTED_CHARS = 40


def quoted(value: Any) -> str:
    """A value a person supplied, quoted for a message: repr, cut short so a 5,000-character link stays readable."""
    text = repr(value)
    return text if len(text) <= QUOTED_CHARS else f"{text[:QUOTED_CHARS]}... ({len(str(value)):,} characters)"


class Problem(Frozen):
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


def error_path(loc: Sequence[Any]) -> str:
    """`rules.2.when.op`: where in the input an error is (pydantic's own validator names left out)."""
    return ".".join(str(part) for part in loc if not str(part).startswith("function-"))


def validation_problems(
    exc: ValidationError,
    file: str = "",
    within: Sequence[str | int] = (),
    depth: int | None = None,
    message: Callable[[ErrorDetails], str] | None = None,
    top: str = "(top)",
) -> list[Problem]:
    """One Problem per error of a pydantic validation, named `file: path.inside.it` (or the path alone).

    `within` is where the validated content sits in its file (`invariants` for the list under that key);
    `depth` keeps the first parts of the path only (a case names its own field, not an item of a list field);
    `message` words the reason (pydantic's own by default); `top` names an error about the whole input.
    """
    problems = []
    for error in exc.errors():
        path = error_path([*within, *error["loc"][:depth]]) or top
        field = f"{file}: {path}" if file else path
        problems.append(Problem(field=field, message=message(error) if message else error["msg"]))
    return problems
