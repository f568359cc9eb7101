"""The patient case: the input contract shared by the engine, the pages, the cohort reader and the CLI.

An absent key means *unknown* (not false); an absent list field (the treatments proposed) means an empty list.
"""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ConfigDict, Field, SerializeAsAny, ValidationError, ValidationInfo, create_model, field_validator
from pydantic_core import ErrorDetails

from core.engine.packs import default_schema, vocabulary_schema
from core.engine.vocabulary import CaseSchema, Constraint, FieldDef
from core.errors import CaseError, Problem, quoted, validation_problems
from core.model import Frozen


def pt_over_limit(value: Any, limit: Any) -> Any:
    """A vocabulary constraint broken: `value` above the field it may not exceed (formal PT above care).

    Written once for every checker: two whole numbers give a bool (the case model, the verification grid), two
    integer arrays give a bool array (evaluate_frame, the cohort reader). Callers pass known values only.
    """
    return value > limit


class Case(Frozen):
    """One patient as entered by a clinician. None means the item was not assessed.

    The base of every pack's case model (`case_model`): the fields come from the vocabulary and the pack.
    """

    model_config = ConfigDict(strict=True)

    def values(self) -> dict[str, Any]:
        """Field -> value for condition evaluation (None = unknown)."""
        return {name: getattr(self, name) for name in type(self).model_fields}


# A model field holding a case: typed by the base, dumped with its pack's fields (pydantic would otherwise dump
# only what the base declares, which is nothing).
AnyCase = SerializeAsAny[Case]


def _unique_tuple(value: Any) -> Any:
    # JSON gives a list; repeated items carry no meaning, so keep the first of each.
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(dict.fromkeys(value))
    return value


def _annotation(d: FieldDef, choices: tuple[str, ...]) -> tuple[Any, Any]:
    """A field's type and default for pydantic, from its vocabulary definition."""
    if d.kind == "bool":
        return bool | None, None
    if d.kind == "int":
        return int | None, Field(default=None, ge=d.min, le=d.max)
    if d.kind == "choice":
        return Literal[choices] | None, None
    if d.kind == "list":
        return tuple[Literal[choices], ...], ()  # type: ignore[valid-type]
    return str | None, Field(default=None, max_length=d.max_length, pattern=d.pattern)


def case_model(schema: CaseSchema) -> type[Case]:
    """The pydantic model of a case under one pack: one optional field per field it reads."""
    fields = {f: _annotation(d, schema.choices.get(f, ())) for f, d in schema.defs.items()}
    validators: dict[str, Any] = {
        f"_unique_{f}": field_validator(f, mode="before")(_unique_tuple) for f in schema.list_fields
    }
    for c in schema.constraints:

        def within(cls: Any, value: int | None, info: ValidationInfo, c: Constraint = c) -> int | None:
            limit = info.data.get(c.at_most)
            if value is not None and limit is not None and pt_over_limit(value, limit):
                raise ValueError(f"{c.message} ({value} > {limit})")
            return value

        validators[f"_within_{c.field}"] = field_validator(c.field)(within)
    return create_model("Case", __base__=Case, __validators__=validators, **fields)  # type: ignore[call-overload]


# Kinds, ranges and choices over the whole vocabulary: what kind of value a field holds is the same in every
# pack, so the backends that code values (the frame, the grid, SQL) dispatch on these; which fields a pack reads,
# and the values it accepts, come from its own schema (`Guideline.schema`).
VOCABULARY_SCHEMA = vocabulary_schema()
BOOL_FIELDS: tuple[str, ...] = VOCABULARY_SCHEMA.bool_fields
INT_FIELDS: dict[str, tuple[int, int]] = VOCABULARY_SCHEMA.int_fields
CHOICES: dict[str, tuple[str, ...]] = dict(VOCABULARY_SCHEMA.choices)
FIELD_KINDS: dict[str, str] = VOCABULARY_SCHEMA.kinds
MAX_WEEKS = VOCABULARY_SCHEMA.max_int
DEFAULT_SCHEMA = default_schema()
CASE_FIELDS: tuple[str, ...] = DEFAULT_SCHEMA.fields


def _message(error: ErrorDetails, schema: CaseSchema) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (not part of the case format)"
    if kind == "literal_error":
        return f"unknown value {quoted(error['input'])}; expected {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        field = schema.defs.get(str(error["loc"][0])) if error["loc"] else None
        hint = field.pattern_hint if field and field.pattern_hint else "in the expected form"
        return f"{quoted(error['input'])} is not {hint}"
    if kind.startswith("value_error"):
        return str(error["ctx"]["error"])
    return f"{error['msg'].lower()} (got {quoted(error['input'])})"


def parse_case(data: Mapping[str, Any] | Case, schema: CaseSchema | None = None) -> Case:
    """Validate a mapping (parsed JSON, a form, a CSV row) into a pack's Case, or raise CaseError naming each field.

    Without a schema, the default pack's."""
    schema = schema or DEFAULT_SCHEMA
    if isinstance(data, schema.model):
        return data
    if isinstance(data, Case):
        data = data.model_dump(exclude_defaults=True)
    if not isinstance(data, Mapping):
        raise CaseError([Problem(field="case", message=f"expected an object of fields, got {type(data).__name__}")])
    try:
        return schema.model.model_validate(dict(data))
    except ValidationError as exc:
        raise CaseError(validation_problems(exc, depth=1, message=lambda e: _message(e, schema), top="case")) from None
