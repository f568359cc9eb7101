"""Cases written as text: URL query parameters, CSV cells and form values.

Booleans are `true` / `false`; numbers are digits; a list field is a list (repeated query parameter) or one
`;`-separated string (CSV). An empty cell, `unknown` or a missing key means unknown. Which fields a case has,
and of what kind, is the pack's schema (the default pack's when none is given).
"""

import math
from collections.abc import Mapping
from typing import Any

from core.engine.case import DEFAULT_SCHEMA, Case, parse_case
from core.engine.vocabulary import CaseSchema
from core.errors import CaseError, Problem, quoted

UNKNOWN_WORDS = {"", "unknown", "na", "nan", "none", "null"}
TRUE_WORDS = {"true", "yes"}
FALSE_WORDS = {"false", "no"}
# Longer than any whole number a field accepts (at most 520, maybe written `520.0`): refused before converting, so
# a 5,000-digit parameter costs nothing and `inf`, `1e400` or 400 digits never reach int().
MAX_NUMBER_CHARS = 24


def _is_unknown(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from pandas
        return True
    return isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS


def _convert(field: str, value: Any, schema: CaseSchema) -> Any:
    kind = schema.kinds[field]
    if kind == "list":
        items = value if isinstance(value, list | tuple) else str(value).split(";")
        return [str(i).strip() for i in items if not _is_unknown(i)]
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError(f"expected one value, got {len(value)}")
        value = value[0]
    if _is_unknown(value):
        return None
    text = str(value).strip()
    if kind == "bool":
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise ValueError(f"expected true, false or unknown, got {quoted(text)}")
    if kind == "int":
        return _whole_number(schema.int_fields[field], text)
    return text


def _whole_number(bounds: tuple[int, int], text: str) -> int:
    try:
        number = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    except ValueError:
        raise ValueError(f"expected a whole number, got {quoted(text)}") from None
    if not math.isfinite(number):
        low, high = bounds
        raise ValueError(f"expected a whole number from {low} to {high}, got {quoted(text)}")
    if number != int(number):
        raise ValueError(f"expected a whole number, got {quoted(text)}")
    return int(number)


def case_from_text(values: Mapping[str, Any], schema: CaseSchema = DEFAULT_SCHEMA) -> Case:
    """Convert text values to a Case; CaseError names every field that is wrong and why."""
    data: dict[str, Any] = {}
    problems: list[Problem] = []
    for field, value in values.items():
        if field not in schema.kinds:
            problems.append(Problem(field=str(field), message="unknown field (not part of the case format)"))
            continue
        try:
            converted = _convert(field, value, schema)
        except ValueError as exc:
            problems.append(Problem(field=field, message=str(exc)))
            continue
        if converted is not None:
            data[field] = converted
    if problems:
        raise CaseError(problems)
    return parse_case(data, schema)


def case_to_text(case: Case) -> dict[str, str | list[str]]:
    """The inverse, for URLs and CSV: known fields only (absent = unknown), list fields as lists."""
    out: dict[str, str | list[str]] = {}
    for field, value in case.model_dump(exclude_none=True).items():
        if isinstance(value, tuple):
            if value:
                out[field] = list(value)
        elif isinstance(value, bool):
            out[field] = "true" if value else "false"
        else:
            out[field] = str(value)
    return out
