"""The verification grid: a set of cases that shows every outcome the pathway can produce.

The plain cartesian product of every field's values (yes / no / unknown, every value of a choice and unknown,
numbers at each threshold and either side, every subset of the list items the conditions read) has about a
hundred million rows, almost all repeating each other. Instead the grid is built by *lazy expansion*: start with
every field undecided and split on a field only while its value can still change the answer to a question;
when the answer is settled for every case in a branch, the branch contributes one representative case. The
branches partition the space of valid cases, so every outcome any valid case can get appears in the grid.

Questions (each expanded on its own; the grid is the union, duplicates removed):
- the decision: disposition, deciding rule, urgency, missing fields and phase, exactly as the engine reports;
- each warning: fires or not;
- each invariant (`data/invariants.yaml`): violated or not.

Values tried per field (derived from the conditions in data and the pack's schema, never listed by hand):
booleans yes / no; every value of a choice field; for numbers each threshold a condition compares with, one
either side, and the ends of the range; each list item a condition reads, in or out; and unknown for every field
except list fields (an absent list is empty). A branch is settled
when a sound over-approximation says so: each condition is evaluated to the *set* of truth values (true, false,
unknown) it can take given what is decided so far; a settled answer is a set of one.
"""

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.engine.case import pt_over_limit
from core.engine.conditions import Condition, Junction, NotOf, Test, fold, holds, tests_in
from core.engine.guideline import NEEDS_INFORMATION, Guideline, Pathway, pathway_fields
from core.engine.walk import walk

T, F, N = 1, 2, 4  # truth values as bits, so a set of them is a small integer
ANY_KNOWN = "<any known value>"  # a field decided to be known, its value not yet chosen
_BIT = {True: T, False: F, None: N}


def _table(op: Callable[[int, int], int]) -> list[list[int]]:
    table = [[0] * 8 for _ in range(8)]
    for a in range(8):
        for b in range(8):
            table[a][b] = _union(op(x, y) for x in (T, F, N) if a & x for y in (T, F, N) if b & y)
    return table


def _union(bits: Iterable[int]) -> int:
    out = 0
    for bit in bits:
        out |= bit
    return out


# Kleene logic lifted to sets of truth values.
_AND = _table(lambda x, y: F if F in (x, y) else (N if N in (x, y) else T))
_OR = _table(lambda x, y: T if T in (x, y) else (N if N in (x, y) else F))
_NOT = [((s & T) and F) | ((s & F) and T) | (s & N) for s in range(8)]


def single(truths: int) -> bool:
    return truths in (T, F, N)


Dim = str | tuple[str, str]  # a case field, or (list field, item) for one item in or out


def _item(test: Test) -> tuple[str, str]:
    return (test.field, str(test.value))


@dataclass
class GridSpace:
    """The fields and values the grid splits on, derived from the guideline's conditions and the invariants."""

    guideline: Guideline
    extra_conditions: list[Condition] = field(default_factory=list)

    def __post_init__(self) -> None:
        conditions = self.guideline.conditions + self.extra_conditions
        tests = [t for c in conditions for t in tests_in(c)]
        schema = self.guideline.schema
        self.lists = set(schema.list_fields)
        self.constraints = schema.constraints
        self.read = pathway_fields(self.guideline)  # what `all_known` speaks of
        # An invariant may read a field the pathway does not (a variant that drops a criterion): split on it too.
        extra = [t.field for c in self.extra_conditions for t in tests_in(c) if t.field in schema.defs]
        self.fields = list(dict.fromkeys(self.read + extra))
        self.scalars = [f for f in self.fields if f not in self.lists]
        self.items = list(dict.fromkeys(_item(t) for t in tests if t.field in self.lists))
        self.dims: list[Dim] = [*self.scalars, *self.items]
        self.candidates = {f: self._candidates(f, tests) for f in self.scalars}
        self.leaf_truths: dict[tuple[int, Any], int] = {}  # (test, field state) -> truth set, shared by branches
        p = self.guideline.pathway
        # What the decision's walk asks about; its split plan depends only on their truth sets (see `_Splits`).
        self.walk_conditions = [r.when for r in p.rules] + [r.urgent_when for r in p.rules] + [f.when for f in p.phases]
        self.split_plans: dict[tuple[bool, tuple[int, ...]], list[_Open]] = {}
        self.truths: dict[tuple[int, tuple[Any, ...]], int] = {}  # (condition, states of its dims) -> truth set
        self._dims_read: dict[int, tuple[Dim, ...]] = {}

    def dims_read(self, condition: Condition | None) -> tuple[Dim, ...]:
        key = id(condition)
        if key not in self._dims_read:
            tests = tests_in(condition)
            dims = (_item(t) if t.field in self.lists else t.field for t in tests)
            self._dims_read[key] = tuple(dict.fromkeys(dims))
        return self._dims_read[key]

    def _candidates(self, name: str, tests: list[Test]) -> tuple[Any, ...]:
        schema = self.guideline.schema
        kind = schema.kinds[name]
        if kind == "bool":
            return (True, False)
        if kind == "choice":
            return schema.choices[name]
        low, high = schema.int_fields[name]
        values = {low, high}
        for t in tests:
            if t.field == name and isinstance(t.value, int):
                values |= {v for v in (t.value - 1, t.value, t.value + 1) if low <= v <= high}
        return tuple(sorted(values))


def _valid(space: GridSpace, assignment: Mapping[Any, Any]) -> bool:
    """Whether the decided values keep the vocabulary's rules across fields (formal PT within care)."""
    for c in space.constraints:
        value, limit = assignment.get(c.field), assignment.get(c.at_most)
        if isinstance(value, int) and isinstance(limit, int) and pt_over_limit(value, limit):
            return False
    return True


class _Branch:
    """What is decided in one branch, and the truth sets that follow from it."""

    def __init__(self, space: GridSpace, assignment: dict[Dim, Any]):
        self.space = space
        self.a = assignment
        self._memo: dict[int, int] = {}
        self._truths = TruthSets(self, None)

    # ---- case-field leaves
    def _leaf(self, test: Test) -> int:
        if test.field in self.space.lists:
            state = self.a.get(_item(test))
            return (T | F) if state is None else (T if state else F)
        state = self.a.get(test.field, _UNSET)
        key = (id(test), state)
        if key not in self.space.leaf_truths:
            if state is _UNSET or state == ANY_KNOWN:
                truths = _union(_BIT[holds(test, {test.field: v})] for v in self.space.candidates[test.field])
                truths |= _BIT[holds(test, {test.field: None})] if state is _UNSET else 0
            else:
                truths = _BIT[holds(test, {test.field: state})]
            self.space.leaf_truths[key] = truths
        return self.space.leaf_truths[key]

    def truth(self, condition: Condition | None, results: "_Results | None" = None) -> int:
        """The set of truth values the condition can take in this branch (results: for conditions on them)."""
        # Truths that read the results are not kept: the same branch is asked them with other results.
        if results is None:
            # A truth set depends only on the states of the dims the condition reads: shared by every branch.
            memo = self._memo.get(id(condition))
            if memo is not None:
                return memo
            key = (id(condition), tuple(self.a.get(d, _UNSET) for d in self.space.dims_read(condition)))
            if key not in self.space.truths:
                self.space.truths[key] = fold(condition, self._truths, self._memo)
            self._memo[id(condition)] = self.space.truths[key]
            return self.space.truths[key]
        return fold(condition, TruthSets(self, results))

    def split_dim(self, condition: Condition | None, results: "_Results | None" = None) -> Dim | None:
        """The first undecided field (depth first) whose leaf keeps this condition's truth set open."""
        for test in tests_in(condition):
            if single(self.truth(test, results)):
                continue
            if test.field in RESULT_FIELDS:
                return results.split_dim(test) if results else None
            return _item(test) if test.field in self.space.lists else test.field
        return None

    def undecided_dim(self, condition: Condition | None) -> Dim | None:
        """A dim to split on if `undecided_fields` of this (unknown) condition is not yet settled."""
        match condition:
            case Junction():
                for part in condition.parts:
                    truths = self.truth(part)
                    if not single(truths):
                        return self.split_dim(part)
                    if truths == N:
                        found = self.undecided_dim(part)
                        if found is not None:
                            return found
            case NotOf():
                return self.undecided_dim(condition.negated)
        return None

    # ---- the decision, as the engine makes it
    def decision_dim(self, with_details: bool = True) -> Dim | None:
        """The field to split on while the decision is open in this branch, None once it is settled.

        The decision is the walk's (see `_Splits`), and the walk's answer depends only on the truth sets of the
        conditions it reads: branches with the same truth sets share one run of it."""
        conditions = self.space.walk_conditions
        truths = tuple(self.truth(c) for c in conditions)
        key = (with_details, truths)
        if key not in self.space.split_plans:
            by_id = {id(c): t for c, t in zip(conditions, truths, strict=True)}
            self.space.split_plans[key] = _Splits(by_id, with_details).plan(self.space.guideline.pathway)
        for opened in self.space.split_plans[key]:
            dim = self.split_dim(opened.condition) if opened.split else self.undecided_dim(opened.condition)
            if dim is not None:
                return dim
        return None

    def all_known(self) -> int:
        states = [self.a.get(f, _UNSET) for f in self.space.read if f not in self.space.lists]
        if any(s is None for s in states):
            return F
        return (T | F) if any(s is _UNSET for s in states) else T

    def first_unset(self) -> Dim | None:
        return next((f for f in self.space.read if f not in self.space.lists and f not in self.a), None)


@dataclass(frozen=True)
class TruthSets:
    """The grid's backend of the condition fold: Kleene logic lifted to sets of truth values (bit sets)."""

    branch: _Branch
    results: "_Results | None"

    def leaf(self, test: Test) -> int:
        if test.field in RESULT_FIELDS and self.results is not None:
            return self.results.leaf(test)
        return self.branch._leaf(test)

    @staticmethod
    def all_of(parts: list[int]) -> int:
        out = T
        for part in parts:
            out = _AND[out][part]
        return out

    @staticmethod
    def any_of(parts: list[int]) -> int:
        out = F
        for part in parts:
            out = _OR[out][part]
        return out

    @staticmethod
    def negate(value: int) -> int:
        return _NOT[value]


_UNSET = object()
RESULT_FIELDS = ("disposition", "deciding_rule", "urgent", "warnings", "all_known")


Cube = dict[int, int]  # condition (by id) -> the truth values (bits) it takes; the worlds where all of them do
ALL_TRUTHS = T | F | N


class _Worlds:
    """The walk's backend for a branch: a mask is the set of *worlds* where it is so, a world being one choice of
    truth value for each condition among those its truth set allows. Masks are unions of cubes; a cube constrains
    a few conditions, so the walk's answers stay exact where sets of truth values alone would blur them (a rule
    that can be true or unknown is never false, so nothing after it can decide)."""

    def __init__(self, branch: _Branch):
        self.branch = branch
        self.conditions: dict[int, Condition | None] = {}

    @staticmethod
    def const(value: bool) -> list[Cube]:
        return [{}] if value else []

    def _atom(self, condition: Condition | None, bits: int) -> list[Cube]:
        self.conditions[id(condition)] = condition
        return [{id(condition): bits}]

    def true(self, condition: Condition | None) -> list[Cube]:
        return self._atom(condition, T)

    def unknown(self, condition: Condition | None) -> list[Cube]:
        return self._atom(condition, N)

    @staticmethod
    def _meet(a: Cube, b: Cube) -> Cube | None:
        out = dict(a)
        for key, bits in b.items():
            out[key] = out.get(key, ALL_TRUTHS) & bits
            if not out[key]:
                return None
        return out

    def both(self, a: list[Cube], b: list[Cube]) -> list[Cube]:
        return [m for x in a for y in b if (m := self._meet(x, y)) is not None]

    @staticmethod
    def either(a: list[Cube], b: list[Cube]) -> list[Cube]:
        return a + b

    def but_not(self, a: list[Cube], b: list[Cube]) -> list[Cube]:
        """The worlds of `a` outside `b`: each cube of `b` that meets a cube of `a` cuts it up."""
        out = a
        for cut in b:
            kept = []
            for cube in out:
                if self._meet(cube, cut) is None:
                    kept.append(cube)
                    continue
                kept += [m for key, bits in cut.items() if (m := self._meet(cube, {key: ALL_TRUTHS & ~bits}))]
            out = kept
        return out

    def negate(self, a: list[Cube]) -> list[Cube]:
        return self.but_not([{}], a)

    @staticmethod
    def undecided(condition: Condition | None, where: list[Cube]) -> list[tuple[str, list[Cube]]]:
        return []  # the outcomes do not read the missing fields

    def decided(self, dispositions: list[tuple[str, list[Cube]]]) -> None:
        pass  # nor the warnings, which read the outcomes themselves (see `leaf`)

    def possible(self, mask: list[Cube]) -> bool:
        """Whether some world of the branch is in the mask."""
        truth = self.branch.truth
        return any(all(bits & truth(self.conditions[key]) for key, bits in cube.items()) for cube in mask)


@dataclass(frozen=True)
class _Open:
    """A mask the branch leaves open, and what would settle it: splitting on a field of `condition` (`split`), or
    on a field that decides which of its fields are missing. `seq` is the order in which the walk met it."""

    seq: int
    condition: Condition | None
    split: bool


Mask = bool | _Open


class _Splits:
    """The walk's backend that finds where a branch must split, given the truth sets of the conditions the walk
    reads. A mask is True or False where every case of the branch agrees, open where they may not. Combined
    masks keep their earliest opening, so the open answers in the walk's order are the questions the engine
    would ask, in turn, that this branch cannot answer yet."""

    def __init__(self, truths: Mapping[int, int], with_details: bool):
        self.truths = truths  # condition (by id) -> its set of truth values in the branch
        self.with_details = with_details
        self.seq = 0
        self.decided_already = False

    def plan(self, pathway: Pathway) -> list[_Open]:
        """The open answers that bear on the decision, in the walk's order. Without details only the disposition
        and the deciding rule are asked for: not the missing fields, the urgency or the phase."""
        result = walk(pathway, self, blocked_urgency=False)
        masks = [*result.rules.first, *result.rules.blocking, *(mask for _, mask in result.rules.missing)]
        if self.with_details:
            masks += [result.urgent, *result.phases.deciding, *result.phases.blocking]
        opened = {m.seq: m for m in masks if isinstance(m, _Open)}
        return [opened[seq] for seq in sorted(opened)]

    def _is(self, condition: Condition | None, bit: int) -> Mask:
        truths = self.truths[id(condition)]
        self.seq += 1
        if truths == bit:
            return True
        return False if not truths & bit else _Open(self.seq, condition, split=True)

    @staticmethod
    def const(value: bool) -> Mask:
        return value

    @staticmethod
    def _combine(a: Mask, b: Mask, zero: bool) -> Mask:
        """`zero` absorbs (False for `both`, True for `either`) and its opposite is neutral; of two open masks the
        earlier opening is kept."""
        if a is zero or b is zero:
            return zero
        if isinstance(a, bool):
            return b
        if isinstance(b, bool):
            return a
        return min(a, b, key=lambda m: m.seq)

    def both(self, a: Mask, b: Mask) -> Mask:
        return self._combine(a, b, zero=False)

    def either(self, a: Mask, b: Mask) -> Mask:
        return self._combine(a, b, zero=True)

    @staticmethod
    def negate(a: Mask) -> Mask:
        return (not a) if isinstance(a, bool) else a

    def true(self, condition: Condition | None) -> Mask:
        if self.decided_already:  # a warning: it reads the decision, and is a question of its own
            return False
        return self._is(condition, T)

    def unknown(self, condition: Condition | None) -> Mask:
        return self._is(condition, N)

    def undecided(self, condition: Condition | None, where: Mask) -> list[tuple[str, Mask]]:
        if where is True and self.with_details:
            self.seq += 1
            return [("", _Open(self.seq, condition, split=False))]
        return [("", where)] if isinstance(where, _Open) else []

    def decided(self, dispositions: list[tuple[str, Mask]]) -> None:
        self.decided_already = True


class _Results:
    """The possible results of a branch (sets), for warnings and invariants that read them."""

    def __init__(self, branch: _Branch):
        self.branch = branch

    @functools.cached_property
    def outcomes(self) -> set[tuple[str, str, bool]]:
        """(disposition, deciding rule, urgent) triples this branch can still end in: the shared walk, read off
        with masks that are the possible worlds of the branch."""
        p = self.branch.space.guideline.pathway
        worlds = _Worlds(self.branch)
        result = walk(p, worlds, blocked_urgency=False)
        outcomes: set[tuple[str, str, bool]] = set()
        for rule, blocking, deciding in zip(p.rules, result.rules.blocking, result.rules.deciding, strict=True):
            if worlds.possible(blocking):
                outcomes.add((NEEDS_INFORMATION, rule.id, False))
            if worlds.possible(worlds.both(deciding, result.urgent)):
                outcomes.add((rule.disposition, rule.id, True))
            if worlds.possible(worlds.but_not(deciding, result.urgent)):
                outcomes.add((rule.disposition, rule.id, False))
        return outcomes

    def leaf(self, test: Test) -> int:
        if test.field == "all_known":
            known = self.branch.all_known()
            return _union(_BIT[holds(test, {"all_known": v})] for v, bit in ((True, T), (False, F)) if known & bit)
        if test.field == "warnings":
            warning = {w.id: w for w in self.branch.space.guideline.pathway.warnings}[str(test.value)]
            fires = self.branch.truth(warning.when, self)
            return (T if fires & T else 0) | (F if fires & (F | N) else 0)
        column = ("disposition", "deciding_rule", "urgent").index(test.field)
        return _union(_BIT[holds(test, {test.field: outcome[column]})] for outcome in self.outcomes)

    def split_dim(self, test: Test) -> Dim | None:
        if test.field == "all_known":
            return self.branch.first_unset()
        if test.field == "warnings":
            warning = {w.id: w for w in self.branch.space.guideline.pathway.warnings}[str(test.value)]
            return self.branch.split_dim(warning.when, self)
        if test.field == "urgent":
            return self.branch.decision_dim()
        return self.branch.decision_dim(with_details=False)


Question = Callable[[_Branch], Dim | None]


def _must_split(dim: Dim | None) -> Dim:
    # An open answer always has an undecided leaf; None here would settle a branch too early and hide outcomes.
    if dim is None:
        raise AssertionError("open question with no field left to split on")
    return dim


def decision_question(branch: _Branch) -> Dim | None:
    return branch.decision_dim()


def condition_question(condition: Condition) -> Question:
    def question(branch: _Branch) -> Dim | None:
        results = _Results(branch)
        if single(branch.truth(condition, results)):
            return None
        return _must_split(branch.split_dim(condition, results))

    return question


def implication_question(when: Condition, then: Condition) -> Question:
    """Settled once it is known whether `when` holds and `then` does not (a violation)."""

    def question(branch: _Branch) -> Dim | None:
        results = _Results(branch)
        premise, conclusion = branch.truth(when, results), branch.truth(then, results)
        can_violate = bool(premise & T) and bool(conclusion & (F | N))
        can_hold = bool(premise & (F | N)) or bool(conclusion & T)
        if not (can_violate and can_hold):
            return None
        return _must_split(branch.split_dim(when, results) if not single(premise) else branch.split_dim(then, results))

    return question


def _expand(space: GridSpace, question: Question) -> list[dict[Dim, Any]]:
    leaves: list[dict[Dim, Any]] = []
    stack: list[dict[Dim, Any]] = [{}]
    while stack:
        assignment = stack.pop()
        dim = question(_Branch(space, assignment))
        if dim is None:
            leaves.append(assignment)
            continue
        state = assignment.get(dim, _UNSET)
        if isinstance(dim, tuple):
            options: tuple[Any, ...] = (False, True)
        elif state is _UNSET:
            options = (None, ANY_KNOWN)
        elif state == ANY_KNOWN:
            options = space.candidates[dim]
        else:
            raise AssertionError(f"split on settled field {dim}")
        for value in reversed(options):
            child = {**assignment, dim: value}
            if _valid(space, child):
                stack.append(child)
    return leaves


def _case(space: GridSpace, assignment: Mapping[Dim, Any]) -> dict[str, Any]:
    """The representative case of a settled branch: undecided fields unknown, `any known` the first valid value."""
    case: dict[str, Any] = {}
    for name in space.scalars:
        state = assignment.get(name, _UNSET)
        if state == ANY_KNOWN:
            state = next(v for v in space.candidates[name] if _valid(space, {**case, name: v}))
        if state is not _UNSET and state is not None:
            case[name] = state
    for name in (f for f in space.fields if f in space.lists):
        chosen = [item for f, item in space.items if f == name and assignment.get((f, item)) is True]
        if chosen:
            case[name] = chosen
    return case


def verification_grid(
    guideline: Guideline, implications: Sequence[tuple[Condition, Condition]] = ()
) -> list[dict[str, Any]]:
    """Every case needed to show each decision, each warning and each implication (when -> then) outcome.

    Cases are plain dicts in the JSON case format (absent key = unknown), without duplicates.
    """
    extra = [c for pair in implications for c in pair]
    space = GridSpace(guideline, extra)
    questions: list[Question] = [decision_question]
    questions += [condition_question(w.when) for w in guideline.pathway.warnings]
    questions += [implication_question(when, then) for when, then in implications]
    cases: dict[tuple, dict[str, Any]] = {}
    for question in questions:
        for assignment in _expand(space, question):
            case = _case(space, assignment)
            cases.setdefault(tuple(sorted((k, str(v)) for k, v in case.items())), case)
    return list(cases.values())
