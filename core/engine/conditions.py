"""Conditions as data: a small structured language evaluated with Kleene (three-valued) logic.

A condition is a test `{field, op, value}` or a junction `{all: [...]}` / `{any: [...]}`, or `{not: ...}`. It is
one tree with one table of operators (`OPERATORS`) and one fold (`fold`) over the tree; every reading of a
condition is an `Algebra` handed to that fold: the scalar Kleene evaluation here, the vectorised one in
`core.analyses.frame`, the sets of truth values of the verification grid, SQL, the fields read, the words, the
type checks. No text is ever executed.
"""

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from core.model import Frozen

Truth = bool | None
OperatorName = Literal["is", "is_not", "in", "not_in", "ge", "gt", "le", "lt", "includes"]
FieldKind = Literal["bool", "int", "choice", "list"]
V = TypeVar("V")


@dataclass(frozen=True)
class Operator:
    """What an operator means (`test` of a known value against the condition's value), how it reads, and which
    kinds of field accept it (`many`: the condition's value is a list of alternatives)."""

    test: Callable[[Any, Any], bool]
    words: str
    kinds: frozenset[FieldKind]
    many: bool = False


OPERATORS: dict[str, Operator] = {
    "is": Operator(operator.eq, "is", frozenset({"bool", "int", "choice"})),
    "is_not": Operator(operator.ne, "is not", frozenset({"bool", "int", "choice"})),
    "in": Operator(lambda actual, options: actual in options, "is", frozenset({"choice"}), many=True),
    "not_in": Operator(lambda actual, options: actual not in options, "is neither", frozenset({"choice"}), many=True),
    "ge": Operator(operator.ge, ">=", frozenset({"int"})),
    "gt": Operator(operator.gt, ">", frozenset({"int"})),
    "le": Operator(operator.le, "<=", frozenset({"int"})),
    "lt": Operator(operator.lt, "<", frozenset({"int"})),
    "includes": Operator(lambda actual, item: item in actual, "include", frozenset({"list"})),
}
COMPARISONS = {name: op.words for name, op in OPERATORS.items() if op.kinds == {"int"}}


class _Node(Frozen):
    model_config = ConfigDict(populate_by_name=True)


class Test(_Node):
    """One comparison of a case field with a value."""

    field: str
    op: OperatorName
    value: bool | int | str | list[str]


class Junction(_Node):
    """A list of conditions joined by `and` (AllOf) or `or` (AnyOf); `parts` is the list for either."""

    joiner: ClassVar[Literal["and", "or"]]

    @property
    def parts(self) -> list["Condition"]:
        raise NotImplementedError


class AllOf(Junction):
    joiner: ClassVar[Literal["and", "or"]] = "and"
    all: list["Condition"]

    @property
    def parts(self) -> list["Condition"]:
        return self.all


class AnyOf(Junction):
    joiner: ClassVar[Literal["and", "or"]] = "or"
    any: list["Condition"]

    @property
    def parts(self) -> list["Condition"]:
        return self.any


class NotOf(_Node):
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
    Annotated[Test, Tag("test")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")],
    Discriminator(
        _kind,
        custom_error_type="condition",
        custom_error_message="a condition needs `field` (with op and value), `all`, `any` or `not`",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()


class Algebra(Protocol, Generic[V]):
    """One reading of the condition language: a value for a leaf test and how junctions and `not` combine them."""

    def leaf(self, test: Test) -> V: ...

    def all_of(self, parts: list[V]) -> V: ...

    def any_of(self, parts: list[V]) -> V: ...

    def negate(self, value: V) -> V: ...


def fold(condition: "Condition | None", algebra: Algebra[V], memo: dict[int, V] | None = None) -> V:
    """The one walk over a condition tree. A missing condition always holds (an empty `all`).

    `memo` (keyed by node identity) lets a backend compute each node once when it reads one tree many times.
    """
    if condition is None:
        return algebra.all_of([])
    key = id(condition)
    if memo is not None and key in memo:
        return memo[key]
    if isinstance(condition, Test):
        value = algebra.leaf(condition)
    elif isinstance(condition, Junction):
        parts = [fold(part, algebra, memo) for part in condition.parts]
        value = algebra.all_of(parts) if isinstance(condition, AllOf) else algebra.any_of(parts)
    elif isinstance(condition, NotOf):
        value = algebra.negate(fold(condition.negated, algebra, memo))
    else:
        raise AssertionError(type(condition))
    if memo is not None:
        memo[key] = value
    return value


# ---- Kleene logic on one case: True, False or None (unknown)


def kleene_and(parts: list[Truth]) -> Truth:
    return False if False in parts else (None if None in parts else True)


def kleene_or(parts: list[Truth]) -> Truth:
    return True if True in parts else (None if None in parts else False)


def kleene_not(value: Truth) -> Truth:
    return None if value is None else not value


def test_holds(test: Test, actual: Any) -> Truth:
    """One leaf on one value: the operator's test, unknown when the value is unknown."""
    if test.op == "includes":  # list fields are never unknown: absent means empty
        actual = actual or ()
    elif actual is None:
        return None
    return OPERATORS[test.op].test(actual, test.value)


@dataclass(frozen=True)
class Kleene:
    """The scalar backend: the truth of a condition for one case's values."""

    values: Mapping[str, Any]

    def leaf(self, test: Test) -> Truth:
        return test_holds(test, self.values.get(test.field))

    all_of = staticmethod(kleene_and)
    any_of = staticmethod(kleene_or)
    negate = staticmethod(kleene_not)


def holds(condition: "Condition | None", values: Mapping[str, Any]) -> Truth:
    """Kleene evaluation: False dominates `all`, True dominates `any`, otherwise unknown propagates."""
    return fold(condition, Kleene(values))


M = TypeVar("M")


@dataclass(frozen=True)
class Undecided(Generic[V, M]):
    """Pairs each node's truth (from `truths`) with the leaves that leave it unknown, each with where (a mask).

    A leaf is named where it and every node above it are unknown: the fields that could still decide the
    condition. `unknown` turns a truth into a mask and `both` intersects masks (for one case, plain booleans).
    """

    truths: Algebra[V]
    unknown: Callable[[V], M]
    both: Callable[[M, M], M]

    def leaf(self, test: Test) -> tuple[V, list[tuple[str, M]]]:
        truth = self.truths.leaf(test)
        return truth, [(test.field, self.unknown(truth))]

    def _junction(self, truth: V, parts: list[tuple[V, list[tuple[str, M]]]]) -> tuple[V, list[tuple[str, M]]]:
        where = self.unknown(truth)
        return truth, [(name, self.both(mask, where)) for _, named in parts for name, mask in named]

    def all_of(self, parts: list[tuple[V, list[tuple[str, M]]]]) -> tuple[V, list[tuple[str, M]]]:
        return self._junction(self.truths.all_of([truth for truth, _ in parts]), parts)

    def any_of(self, parts: list[tuple[V, list[tuple[str, M]]]]) -> tuple[V, list[tuple[str, M]]]:
        return self._junction(self.truths.any_of([truth for truth, _ in parts]), parts)

    def negate(self, value: tuple[V, list[tuple[str, M]]]) -> tuple[V, list[tuple[str, M]]]:
        return self.truths.negate(value[0]), value[1]


def undecided_fields(condition: "Condition | None", values: Mapping[str, Any]) -> list[str]:
    """Fields whose unknown value leaves the condition unknown (only those that could still decide it)."""
    if condition is None:
        return []
    _, named = fold(condition, Undecided(Kleene(values), lambda truth: truth is None, lambda a, b: a and b))
    return list(dict.fromkeys(name for name, where in named if where))


class _Leaves:
    """The leaf tests of a tree, depth first."""

    @staticmethod
    def leaf(test: Test) -> list[Test]:
        return [test]

    @staticmethod
    def all_of(parts: list[list[Test]]) -> list[Test]:
        return [t for part in parts for t in part]

    any_of = all_of

    @staticmethod
    def negate(value: list[Test]) -> list[Test]:
        return value


def tests_in(condition: "Condition | None") -> Iterator[Test]:
    """Every leaf test, depth first."""
    if condition is not None:
        yield from fold(condition, _Leaves())


def fields_read(condition: "Condition | None") -> list[str]:
    """The fields a condition reads, in order of first appearance."""
    return list(dict.fromkeys(t.field for t in tests_in(condition)))


@dataclass(frozen=True)
class Words:
    """A condition in words: 'MRI finding is nerve root compression and weeks of conservative care >= 26'.

    A junction of several parts reads in parentheses; `describe` drops them around the whole condition.
    """

    labels: Mapping[str, str]
    value_labels: Mapping[str, Mapping[str, str]]

    def name(self, value: Any, field: str) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return self.value_labels.get(field, {}).get(str(value), str(value))

    def leaf(self, test: Test) -> str:
        label, op, value = self.labels.get(test.field, test.field), OPERATORS[test.op], test.value
        if isinstance(value, bool):
            return f"{label}: {self.name(value if test.op == 'is' else not value, test.field)}"
        if op.many:
            words = [self.name(v, test.field) for v in value]  # type: ignore[union-attr]
            joiner = "or" if test.op == "in" else "nor"
            listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {joiner} " + words[-1]
            return f"{label} {op.words} {listed}"
        if op.kinds == {"int"}:
            return f"{label} {op.words} {value}"
        return f"{label} {op.words} {self.name(value, test.field)}"

    @staticmethod
    def _joined(parts: list[str], joiner: str, empty: str) -> str:
        if not parts:
            return empty
        return parts[0] if len(parts) == 1 else "(" + f" {joiner} ".join(parts) + ")"

    def all_of(self, parts: list[str]) -> str:
        return self._joined(parts, "and", "always")

    def any_of(self, parts: list[str]) -> str:
        return self._joined(parts, "or", "never")

    @staticmethod
    def negate(value: str) -> str:
        return f"not {value}"


def describe(
    condition: "Condition | None", labels: Mapping[str, str], value_labels: Mapping[str, Mapping[str, str]]
) -> str:
    """Readable text of a condition, for pages, reports and traces."""
    if condition is None:
        return "otherwise (no earlier rule applied)"
    text = fold(condition, Words(labels, value_labels))
    if isinstance(condition, Junction) and len(condition.parts) > 1:
        return text[1:-1]
    return text
