"""Cases written as text: URL query parameters, CSV cells and form values.

Booleans are `true` / `false`; numbers are digits; `proposed` is a list (repeated query parameter) or one
`;`-separated string (CSV). An empty cell, `unknown` or a missing key means unknown.
"""
from collections.abc import Mapping
from typing import Any

from core.engine.case import BOOL_FIELDS, CASE_FIELDS, INT_FIELDS, Case, parse_case
from core.errors import CaseError, Problem

UNKNOWN_WORDS = {"", "unknown", "na", "nan", "none", "null"}
TRUE_WORDS = {"true", "yes"}
FALSE_WORDS = {"false", "no"}


def _is_unknown(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from pandas
        return True
    return isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS


def _convert(field: str, value: Any) -> Any:
    if field == "proposed":
        items = value if isinstance(value, list | tuple) else str(value).split(";")
        return [str(i).strip() for i in items if not _is_unknown(i)]
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError(f"expected one value, got {len(value)}")
        value = value[0]
    if _is_unknown(value):
        return None
    text = str(value).strip()
    if field in BOOL_FIELDS:
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise ValueError(f"expected true, false or unknown, got {text!r}")
    if field in INT_FIELDS:
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"expected a whole number, got {text!r}") from None
        if number != int(number):
            raise ValueError(f"expected a whole number, got {text!r}")
        return int(number)
    return text


def case_from_text(values: Mapping[str, Any]) -> Case:
    """Convert text values to a Case; CaseError names every field that is wrong and why."""
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for field, value in values.items():
        if field not in CASE_FIELDS:
            problems.append(Problem(field=str(field), message="unknown field (not part of the case format)"))
            continue
        try:
            converted = _convert(field, value)
        except ValueError as exc:
            problems.append(Problem(field=field, message=str(exc)))
            continue
        if converted is not None:
            data[field] = converted
    if problems:
        raise CaseError(problems)
    return parse_case(data)


def case_to_text(case: Case) -> dict[str, str | list[str]]:
    """The inverse, for URLs and CSV: known fields only (absent = unknown), `proposed` as a list."""
    out: dict[str, str | list[str]] = {}
    for field, value in case.model_dump(exclude_none=True).items():
        if field == "proposed":
            if value:
                out[field] = list(value)
        elif isinstance(value, bool):
            out[field] = "true" if value else "false"
        else:
            out[field] = str(value)
    return out
