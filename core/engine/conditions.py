"""Conditions as data: a small structured language evaluated with Kleene (three-valued) logic.

A condition is a test `{field, op, value}` or a combination `{all: [...]}`, `{any: [...]}`, `{not: ...}`.
Evaluation returns True, False or None (unknown). No text is ever executed.
"""
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

Truth = bool | None
Operator = Literal["is", "is_not", "in", "not_in", "ge", "gt", "le", "lt", "includes"]
COMPARISONS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


class Test(BaseModel):
    """One comparison of a case field with a value."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str
    op: Operator
    value: bool | int | str | list[str]


class AllOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    all: list["Condition"]


class AnyOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    any: list["Condition"]


class NotOf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    negated: "Condition" = Field(alias="not")


def _kind(node: Any) -> str | None:
    if isinstance(node, BaseModel):
        return {Test: "test", AllOf: "all", AnyOf: "any", NotOf: "not"}.get(type(node))
    if isinstance(node, Mapping):
        for key in ("field", "all", "any", "not"):
            if key in node:
                return "test" if key == "field" else key
    return None


Condition = Annotated[
    Union[
        Annotated[Test, Tag("test")],
        Annotated[AllOf, Tag("all")],
        Annotated[AnyOf, Tag("any")],
        Annotated[NotOf, Tag("not")],
    ],
    Discriminator(
        _kind,
        custom_error_type="condition",
        custom_error_message="a condition needs `field` (with op and value), `all`, `any` or `not`",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


def _test_holds(test: Test, actual: Any) -> Truth:
    if test.op == "includes":  # list fields are never unknown: absent means empty
        return test.value in (actual or ())
    if actual is None:
        return None
    match test.op:
        case "is":
            return actual == test.value
        case "is_not":
            return actual != test.value
        case "in":
            return actual in test.value
        case "not_in":
            return actual not in test.value
        case "ge":
            return actual >= test.value
        case "gt":
            return actual > test.value
        case "le":
            return actual <= test.value
        case "lt":
            return actual < test.value
    raise AssertionError(test.op)  # unreachable: op is a closed Literal


def holds(condition: Condition | None, values: Mapping[str, Any]) -> Truth:
    """Kleene evaluation: False dominates `all`, True dominates `any`, otherwise unknown propagates."""
    if condition is None:
        return True
    match condition:
        case Test():
            return _test_holds(condition, values.get(condition.field))
        case AllOf():
            results = [holds(c, values) for c in condition.all]
            return False if False in results else (None if None in results else True)
        case AnyOf():
            results = [holds(c, values) for c in condition.any]
            return True if True in results else (None if None in results else False)
        case NotOf():
            inner = holds(condition.negated, values)
            return None if inner is None else not inner
    raise AssertionError(type(condition))


def tests_in(condition: Condition | None) -> Iterator[Test]:
    """Every leaf test, depth first."""
    match condition:
        case None:
            return
        case Test():
            yield condition
        case AllOf():
            for c in condition.all:
                yield from tests_in(c)
        case AnyOf():
            for c in condition.any:
                yield from tests_in(c)
        case NotOf():
            yield from tests_in(condition.negated)


def fields_read(condition: Condition | None) -> list[str]:
    """The fields a condition reads, in order of first appearance."""
    return list(dict.fromkeys(t.field for t in tests_in(condition)))


def undecided_fields(condition: Condition | None, values: Mapping[str, Any]) -> list[str]:
    """Fields whose unknown value leaves the condition unknown (only those that could still decide it)."""
    if condition is None or holds(condition, values) is not None:
        return []
    match condition:
        case Test():
            return [condition.field]
        case AllOf() | AnyOf():
            parts = condition.all if isinstance(condition, AllOf) else condition.any
            return list(dict.fromkeys(f for c in parts for f in undecided_fields(c, values)))
        case NotOf():
            return undecided_fields(condition.negated, values)
    raise AssertionError(type(condition))


def describe(condition: Condition | None, labels: Mapping[str, str], value_labels: Mapping[str, Mapping[str, str]]) -> str:
    """Readable text: 'MRI finding is nerve root compression and weeks of conservative care >= 26'."""
    if condition is None:
        return "otherwise (no earlier rule applied)"

    def name(v: Any, field: str) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        return value_labels.get(field, {}).get(str(v), str(v))

    def alternatives(items: list[str], field: str, joiner: str) -> str:
        words = [name(v, field) for v in items]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {joiner} " + words[-1]

    def text(node: Condition, nested: bool) -> str:
        match node:
            case Test(field=field, op=op, value=value):
                label = labels.get(field, field)
                if isinstance(value, bool):
                    return f"{label}: {name(value if op == 'is' else not value, field)}"
                if op in COMPARISONS:
                    return f"{label} {COMPARISONS[op]} {value}"
                if op == "includes":
                    return f"{label} include {name(value, field)}"
                if op in ("in", "not_in"):
                    verb = "is" if op == "in" else "is neither"
                    joiner = "or" if op == "in" else "nor"
                    return f"{label} {verb} {alternatives(list(value), field, joiner)}"
                return f"{label} {'is' if op == 'is' else 'is not'} {name(value, field)}"
            case AllOf() | AnyOf():
                parts = node.all if isinstance(node, AllOf) else node.any
                if not parts:
                    return "always" if isinstance(node, AllOf) else "never"
                joined = (" and " if isinstance(node, AllOf) else " or ").join(text(c, True) for c in parts)
                return f"({joined})" if nested and len(parts) > 1 else joined
            case NotOf():
                return f"not {text(node.negated, True)}"
        raise AssertionError(type(node))

    return text(condition, False)
