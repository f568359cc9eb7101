"""The shared case vocabulary (data/vocabulary.yaml): every field a pathway pack may read, defined once.

A pack names the fields it reads; its case schema (the pydantic model of a case, and the kinds, ranges and
choices every backend checks against) is generated here from the vocabulary and that list, so no field is
written twice and no pathway's field is spelled in code.
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import model_validator

from core.engine.data_files import load_file
from core.model import Frozen

if TYPE_CHECKING:
    from core.engine.case import Case

VOCABULARY_FILE = Path(__file__).resolve().parents[2] / "data" / "vocabulary.yaml"
FieldKind = Literal["bool", "int", "choice", "list", "text"]


class FieldDef(Frozen):
    """One case field: its kind and range, and the words readers see."""

    kind: FieldKind
    label: str
    group: str
    help: str
    values: dict[str, str] = {}  # a choice field's values, id -> words
    value_hints: dict[str, str] = {}  # what a reader looks for, per value (forms show it beside the label)
    items: dict[str, str] = {}  # a list field's items, id -> words
    min: int | None = None
    max: int | None = None
    unit: str | None = None
    pattern: str | None = None
    max_length: int | None = None
    pattern_hint: str | None = None  # what a text field's pattern asks for, in words ("a level range like L2-L5")
    # How a value can change over a real course, for the what-if search: a choice's results in order of severity
    # (a later result only moves along it; a value outside it, such as "not done", may become any), and the way
    # a whole number moves (weeks pass: up; power or a score falls: down).
    worsening: list[str] = []
    moves: Literal["up", "down"] = "up"

    @model_validator(mode="after")
    def _kind_has_its_parts(self) -> "FieldDef":
        needs = {"int": ("min", "max"), "choice": ("values",), "list": ("items",), "text": ("max_length",)}
        for part in needs.get(self.kind, ()):
            if getattr(self, part) in (None, {}):
                raise ValueError(f"a {self.kind} field needs `{part}`")
        if self.kind == "int" and self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self

    @property
    def choices(self) -> tuple[str, ...]:
        """The ids a choice or list field takes (empty for other kinds)."""
        return tuple(self.values or self.items)

    @property
    def words(self) -> dict[str, str]:
        """Value id -> words, for a choice's values or a list's items."""
        return dict(self.values or self.items)


class Constraint(Frozen):
    """A rule across fields: `field` may not exceed `at_most` when both are known (formal PT within care)."""

    field: str
    at_most: str
    message: str


class Vocabulary(Frozen):
    fields: dict[str, FieldDef]
    constraints: list[Constraint] = []

    @model_validator(mode="after")
    def _constraints_name_int_fields(self) -> "Vocabulary":
        for c in self.constraints:
            for name in (c.field, c.at_most):
                if name not in self.fields or self.fields[name].kind != "int":
                    raise ValueError(f"constraint on `{c.field}`: `{name}` is not a whole-number field")
        return self


@functools.cache
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Read and validate the vocabulary once per process."""
    return load_file(path, Vocabulary)


@dataclass(frozen=True)
class CaseSchema:
    """The fields one pack reads, with everything a backend checks a value against.

    `fields` is in the pack's order (the form's); `choices` holds each choice and list field's allowed ids (a
    pack may accept fewer list items than the vocabulary holds); `constraints` are the vocabulary's rules
    across fields among these fields.
    """

    defs: Mapping[str, FieldDef]
    choices: Mapping[str, tuple[str, ...]]
    constraints: tuple[Constraint, ...]

    @functools.cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.defs)

    def of_kind(self, kind: FieldKind) -> tuple[str, ...]:
        return tuple(f for f, d in self.defs.items() if d.kind == kind)

    @functools.cached_property
    def kinds(self) -> dict[str, str]:
        return {f: d.kind for f, d in self.defs.items()}

    @functools.cached_property
    def bool_fields(self) -> tuple[str, ...]:
        return self.of_kind("bool")

    @functools.cached_property
    def int_fields(self) -> dict[str, tuple[int, int]]:
        return {f: (d.min or 0, d.max or 0) for f, d in self.defs.items() if d.kind == "int"}

    @functools.cached_property
    def choice_fields(self) -> tuple[str, ...]:
        return self.of_kind("choice")

    @functools.cached_property
    def list_fields(self) -> tuple[str, ...]:
        return self.of_kind("list")

    @functools.cached_property
    def text_fields(self) -> tuple[str, ...]:
        return self.of_kind("text")

    @functools.cached_property
    def max_int(self) -> int:
        """The largest value any whole-number field takes (value codes of the SQL backends sit above it)."""
        return max((hi for _, hi in self.int_fields.values()), default=0)

    def constraint_on(self, field: str) -> Constraint | None:
        return next((c for c in self.constraints if c.field == field), None)

    @functools.cached_property
    def model(self) -> "type[Case]":
        from core.engine.case import case_model

        return case_model(self)


def case_schema(vocabulary: Vocabulary, fields: Sequence[str], items: Mapping[str, Sequence[str]]) -> CaseSchema:
    """The schema of the named fields; `items` narrows a choice or list field to the ids a pack accepts.

    The caller has checked that every name is in the vocabulary (the pack's own checks name the file).
    """
    defs = {f: vocabulary.fields[f] for f in fields}
    choices = {f: tuple(items.get(f, d.choices)) for f, d in defs.items() if d.kind in ("choice", "list")}
    constraints = tuple(c for c in vocabulary.constraints if c.field in defs and c.at_most in defs)
    return CaseSchema(defs, choices, constraints)


def readers(packs: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Field -> the packs that read it (generated for `pathways --format json`, never written by hand)."""
    found: dict[str, list[str]] = {}
    for pack, fields in packs.items():
        for f in fields:
            found.setdefault(f, []).append(pack)
    return found
