"""A case as the pages hold it: the canonical text of each known field, the same form as a shareable URL.

`true` / `false` for yes/no fields, digits for numbers, the value id for a choice, a list for a list field;
an absent field is unknown. Which fields there are is the pack's schema (the default pack's when none is
given). The pages keep this text (not a Case) because an invalid combination, such as more
weeks of PT than of conservative care, must stay on screen beside its field until the person corrects it.
URL parameters are read one at a time, so a bad value in a shared link costs only that parameter.

A second case (the Scenarios page's compare view, opened from "what would change this decision") travels in the
same URL as the fields it changes, prefixed `vs.`: `?a_choice=its_value&...&vs.a_number=4`, with
`unknown` for a field it clears.
"""

from collections.abc import Mapping
from typing import Any

from core.engine.case import DEFAULT_SCHEMA, VOCABULARY_SCHEMA, Case
from core.engine.case_text import case_from_text, case_to_text
from core.engine.vocabulary import CaseSchema, FieldDef
from core.errors import CaseError, Problem

CaseText = dict[str, str | list[str]]
UNKNOWN = "unknown"
# Query parameters Streamlit itself reads; they are never case fields and never a mistake.
STREAMLIT_PARAMS = ("embed", "embed_options")
CHANGE_PREFIX = "vs."
CHANGE_PARAMS = tuple(CHANGE_PREFIX + field for field in VOCABULARY_SCHEMA.fields)
SCALE_MAX_STEPS = 6  # a whole-number scale this short is shown as one tap per value; longer ones are typed


def is_scale(d: FieldDef) -> bool:
    """A whole-number field short enough to offer every value as a choice (the MRC grade, not weeks)."""
    return d.kind == "int" and d.min is not None and d.max is not None and d.max - d.min <= SCALE_MAX_STEPS


def field_text(field: str, raw: Any, schema: CaseSchema = DEFAULT_SCHEMA) -> str | list[str] | None:
    """The canonical text of one field's value (None when unknown); CaseError names the field and why not."""
    return case_to_text(case_from_text({field: raw}, schema)).get(field)


def read_case_params(
    params: Mapping[str, str | list[str]], other_params: tuple[str, ...] = (), schema: CaseSchema = DEFAULT_SCHEMA
) -> tuple[CaseText, list[Problem]]:
    """The case fields of a URL's query parameters, and a problem for each parameter that had to be ignored.

    `other_params` are parameters the page uses for something else (they are neither read nor reported).
    """
    text: CaseText = {}
    problems: list[Problem] = []
    for key, raw in params.items():
        if key not in schema.kinds:
            # A field of the vocabulary this pathway does not read is another pathway's: set aside, not a mistake.
            if key not in other_params and key not in STREAMLIT_PARAMS and key not in VOCABULARY_SCHEMA.kinds:
                problems.append(Problem(field=key, message=_not_read(key, schema)))
            continue
        try:
            value = field_text(key, raw, schema)
        except CaseError as exc:
            problems += [Problem(field=p.field, message=f"{p.message}; ignored") for p in exc.problems]
            continue
        if value is not None:
            text[key] = value
    return text, problems


def _not_read(key: str, schema: CaseSchema) -> str:
    if key in VOCABULARY_SCHEMA.kinds:
        return "a case field this pathway does not read; ignored"
    return "not a case field; ignored"


def case_from_case_text(
    text: Mapping[str, str | list[str]], schema: CaseSchema = DEFAULT_SCHEMA
) -> tuple[Case | None, list[Problem]]:
    """The Case, or None and the problems (each naming its field) when the combination is invalid."""
    try:
        return case_from_text(dict(text), schema), []
    except CaseError as exc:
        return None, list(exc.problems)


def case_setting_aside(
    text: Mapping[str, str | list[str]], schema: CaseSchema = DEFAULT_SCHEMA
) -> tuple[Case, list[Problem]]:
    """The Case with each field named by a problem treated as not assessed, and those problems: as with a bad
    value in a link, one slip costs only its own field, and an urgent answer the rest supports still shows. Fields
    the pathway does not read are another pathway's and are left aside without a word."""
    text = {k: v for k, v in text.items() if k in schema.kinds}
    case, problems = case_from_case_text(text, schema)
    if case is not None:
        return case, []
    named = {p.field for p in problems}
    kept, _ = case_from_case_text({k: v for k, v in text.items() if k not in named}, schema)
    return kept or schema.model(), problems


def form_value(field: str, text: Mapping[str, str | list[str]]) -> Any:
    """The value a form widget shows for a field: `unknown` for choices, None for numbers, '' for free text."""
    value = text.get(field)
    d = VOCABULARY_SCHEMA.defs[field]
    if d.kind == "list":
        return list(value) if isinstance(value, list) else []
    if d.kind == "int" and not is_scale(d):
        return None if value is None else int(str(value))
    if d.kind == "text":
        return "" if value is None else str(value)
    return UNKNOWN if value is None else str(value)


def text_from_form(field: str, value: Any) -> str | list[str] | None:
    """The inverse of form_value: the canonical text of a widget's value, None when unknown."""
    kind = VOCABULARY_SCHEMA.kinds[field]
    if kind == "list":
        return list(value) or None
    if value is None or value == UNKNOWN or (isinstance(value, str) and not value.strip()):
        return None
    if kind == "int":
        return str(int(value))
    return str(value).strip() if kind == "text" else str(value)


def with_field(
    text: Mapping[str, str | list[str]], field: str, value: str | list[str] | None, schema: CaseSchema = DEFAULT_SCHEMA
) -> CaseText:
    """A copy of the text with one field set (or removed when the value is unknown), in the pack's field order."""
    updated = {k: v for k, v in text.items() if k != field}
    if value is not None:
        updated[field] = value
    return {k: updated[k] for k in schema.fields if k in updated}


def choice_options(field: str, schema: CaseSchema = DEFAULT_SCHEMA) -> list[str]:
    """The options of a single-choice field as its form shows them (`unknown`, not assessed, last); a scale
    reads from its best value down."""
    d = VOCABULARY_SCHEMA.defs[field]
    if d.kind == "bool":
        return ["true", "false", UNKNOWN]
    if d.kind == "choice":
        return [*schema.choices.get(field, d.choices), UNKNOWN]
    if is_scale(d):
        low, high = VOCABULARY_SCHEMA.int_fields[field]
        return [str(n) for n in range(high, low - 1, -1)] + [UNKNOWN]
    raise ValueError(f"{field} is not a single-choice field")


def as_params(text: Mapping[str, str | list[str]]) -> dict[str, list[str]]:
    """Case text as query parameters: one list of strings per field (a list field repeated once per item)."""
    return {k: list(v) if isinstance(v, list) else [v] for k, v in text.items()}


def change_params(
    before: Mapping[str, str | list[str]], after: Mapping[str, str | list[str]], schema: CaseSchema = DEFAULT_SCHEMA
) -> dict[str, list[str]]:
    """The second case as the `vs.` parameters of the fields where it differs from the first."""
    return {
        CHANGE_PREFIX + field: as_params({field: after[field]})[field] if field in after else [UNKNOWN]
        for field in schema.fields
        if before.get(field) != after.get(field)
    }


def apply_change_params(
    base: Mapping[str, str | list[str]], params: Mapping[str, str | list[str]], schema: CaseSchema = DEFAULT_SCHEMA
) -> tuple[CaseText, list[Problem]]:
    """The first case with the `vs.` parameters applied, and a problem for each one that had to be ignored."""
    text: CaseText = dict(base)
    problems: list[Problem] = []
    for key, raw in params.items():
        if not key.startswith(CHANGE_PREFIX):
            continue
        field = key[len(CHANGE_PREFIX) :]
        if field not in schema.kinds:
            problems.append(Problem(field=key, message=_not_read(field, schema)))
            continue
        try:
            text = with_field(text, field, field_text(field, raw, schema), schema)
        except CaseError as exc:
            problems += [
                Problem(field=p.field, message=f"in the compared case, {p.message}; ignored") for p in exc.problems
            ]
    return text, problems
