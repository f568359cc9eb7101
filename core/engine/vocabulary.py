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
# A field's part in a course of visits: set from each visit's week, stated for its visit only, or carried forward.
CourseRole = Literal["carried", "visit_week", "per_visit"]


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
    course: CourseRole = "carried"
    counts: str | None = None  # a count of weeks: what it counts, after "N weeks of" ("conservative care")
    counts_short: str | None = None  # the same in a chart's few words (`counts` when not given)
    pending: str | None = None  # a choice's value saying the result is not there yet

    @model_validator(mode="after")
    def _kind_has_its_parts(self) -> "FieldDef":
        needs = {"int": ("min", "max"), "choice": ("values",), "list": ("items",), "text": ("max_length",)}
        for part in needs.get(self.kind, ()):
            if getattr(self, part) in (None, {}):
                raise ValueError(f"a {self.kind} field needs `{part}`")
        if self.kind == "int" and self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if self.kind != "int" and (self.counts or self.course == "visit_week"):
            raise ValueError("only a whole-number field counts weeks (`counts`, `course: visit_week`)")
        if self.course == "visit_week" and not self.counts:
            raise ValueError("the visit's week needs `counts` (what its weeks count, in words)")
        if self.pending is not None and self.pending not in self.values:
            raise ValueError(f"pending `{self.pending}` is not one of its values")
        return self

    @property
    def counted(self) -> str:
        """What the weeks of a count are of, in full words (its label when `counts` is not given)."""
        return self.counts or self.label

    @property
    def counted_short(self) -> str:
        return self.counts_short or self.counted

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
    groups: dict[str, str]  # group id -> heading, in a clinician's order
    fields: dict[str, FieldDef]
    constraints: list[Constraint] = []

    @model_validator(mode="after")
    def _constraints_name_int_fields(self) -> "Vocabulary":
        for c in self.constraints:
            for name in (c.field, c.at_most):
                if name not in self.fields or self.fields[name].kind != "int":
                    raise ValueError(f"constraint on `{c.field}`: `{name}` is not a whole-number field")
        for f, d in self.fields.items():
            if d.group not in self.groups:
                raise ValueError(f"`{f}`: group `{d.group}` is not one of the groups")
        weeks = [f for f, d in self.fields.items() if d.course == "visit_week"]
        if len(weeks) != 1:
            raise ValueError(f"exactly one field is the visit's week (`course: visit_week`), found {weeks}")
        for c in self.constraints:
            if c.at_most == weeks[0] and not self.fields[c.field].counts:
                raise ValueError(f"`{c.field}` is counted within the visit's week and needs `counts`")
        return self

    @property
    def visit_clock(self) -> str:
        """The field a course sets from each visit's week (the evaluation's key for the weeks holds its id)."""
        return next(f for f, d in self.fields.items() if d.course == "visit_week")


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Read and validate the vocabulary (VOCABULARY_FILE unless another is named) once per process."""
    return _load_vocabulary(path or VOCABULARY_FILE)


@functools.cache
def _load_vocabulary(path: Path) -> Vocabulary:
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
    def visit_clock(self) -> str | None:
        """The field a course sets from each visit's week (None: the pack has no time model)."""
        return next((f for f, d in self.defs.items() if d.course == "visit_week"), None)

    @functools.cached_property
    def inner_clocks(self) -> tuple[str, ...]:
        """Counts of weeks held within the visit's week (by a constraint): never falling over a course, and growing
        no faster than the weeks pass."""
        return tuple(c.field for c in self.constraints if c.at_most == self.visit_clock)

    @functools.cached_property
    def time_fields(self) -> tuple[str, ...]:
        """The counts of weeks a course moves: the visit's week first, then the counts within it."""
        clock = self.visit_clock
        return (clock, *self.inner_clocks) if clock else ()

    @functools.cached_property
    def per_visit(self) -> tuple[str, ...]:
        """Fields stated for their visit only, never carried forward to the next."""
        return tuple(f for f, d in self.defs.items() if d.course == "per_visit")

    @functools.cached_property
    def not_carried(self) -> tuple[str, ...]:
        """What a visit does not carry from the one before: its own statements and the week (set from the visit)."""
        return (*self.per_visit, *self.time_fields[:1])

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
