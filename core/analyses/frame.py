"""Vectorised evaluation: every row of a frame through the same rules, from the same data, as `evaluate_case`.

How: each column is coded once (integer codes over its distinct values; code -1 = unknown); each leaf test of a
condition is decided once per distinct value by the engine's own `core.engine.conditions.holds` and broadcast to the
rows; `all` / `any` / `not` combine pandas nullable booleans, whose `&`, `|`, `~` are Kleene logic (NA =
unknown). Rules, phases and warnings are walked in order with row masks: a handful of steps, never a loop over
rows.

Input contract (`evaluate_frame` expects validated values; `core.analyses.cohort` turns raw text into this):
- columns named by the case keys; other columns are ignored; an absent column is unknown on every row
  (a list field absent: no item listed);
- yes/no fields: bool, pandas `boolean`, or object holding True/False;
- number fields: any integer or float dtype (nullable `Int64` included) holding whole numbers;
- choice fields: strings or categorical; list fields: `;`-separated strings (or tuples of items);
- NaN / None / pd.NA / blank strings mean unknown.
A value outside the pack's case contract (wrong type, out of range, unknown choice, a broken rule across fields)
raises CaseError naming the field, the reason and the first rows; it is never silently taken as unknown.
"""

import functools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.engine.case import BOOL_FIELDS, FIELD_KINDS, INT_FIELDS, VOCABULARY_SCHEMA, parse_case, pt_over_limit
from core.engine.conditions import Condition, Test, Undecided, fold, holds
from core.engine.guideline import Guideline, load_guideline
from core.engine.vocabulary import CaseSchema
from core.engine.walk import walk
from core.errors import CaseError, Problem

RESULT_COLUMNS = ("disposition", "urgent", "warnings", "missing", "deciding_rule", "phase")
PROBLEM_ROWS_SHOWN = 3


@dataclass(frozen=True)
class Coded:
    """One column as integer codes into `values`; code -1 stands for `unknown` (None; `()` for a list field)."""

    codes: np.ndarray
    values: tuple[Any, ...]
    unknown: Any = None


def _rows(index: pd.Index, bad: np.ndarray) -> str:
    labels = [str(label) for label in index[np.flatnonzero(bad)[:PROBLEM_ROWS_SHOWN]]]
    more = int(bad.sum()) - len(labels)
    return "row " + ", ".join(labels) + (f" and {more} more" if more > 0 else "")


def _is_blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _plain(field: str, value: Any) -> Any:
    """A numpy/pandas scalar as the plain Python value the strict Case model expects."""
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and field in INT_FIELDS and float(value).is_integer():
        return int(value)
    if FIELD_KINDS.get(field) == "list":
        items = value.split(";") if isinstance(value, str) else value
        return [i.strip() if isinstance(i, str) else i for i in items if not _is_blank(i)]
    return value


def _unknown(field: str) -> Any:
    return () if FIELD_KINDS.get(field) == "list" else None


def _code_by_value(field: str, series: pd.Series, problems: list[Problem], schema: CaseSchema) -> Coded:
    """Factorize, then validate each distinct value with the Case model itself (few values, exact semantics)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    unknown = _unknown(field)
    # A field the pack does not read (one an invariant names) is checked against the whole vocabulary.
    model_schema = schema if field in schema.defs else VOCABULARY_SCHEMA
    values: list[Any] = []
    remap = np.empty(len(uniques) + 1, dtype=np.int32)
    remap[-1] = -1
    for n, raw in enumerate(uniques):
        if _is_blank(raw):
            remap[n] = -1
            continue
        try:
            value = getattr(parse_case({field: _plain(field, raw)}, model_schema), field)
        except (CaseError, TypeError) as exc:
            reason = exc.problems[0].message if isinstance(exc, CaseError) else f"cannot read {raw!r}"
            problems.append(Problem(field=field, message=f"{reason} ({_rows(series.index, codes == n)})"))
            value = unknown
        if value == unknown:
            remap[n] = -1
        else:
            remap[n] = len(values)
            values.append(value)
    return Coded(codes=remap[codes], values=tuple(values), unknown=unknown)


def _code_numbers(field: str, series: pd.Series, problems: list[Problem]) -> Coded:
    low, high = INT_FIELDS[field]
    numbers = series.to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(numbers)
    for bad, reason in (
        (known & (numbers != np.floor(numbers)), "expected a whole number"),
        (known & (numbers < low), f"input should be greater than or equal to {low}"),
        (known & (numbers > high), f"input should be less than or equal to {high}"),
    ):
        if bad.any():
            problems.append(Problem(field=field, message=f"{reason} ({_rows(series.index, bad)})"))
            known &= ~bad
    codes = np.where(known, np.nan_to_num(numbers) - low, -1).astype(np.int32)
    return Coded(codes=codes, values=tuple(range(low, high + 1)))


def _code_column(field: str, series: pd.Series, problems: list[Problem], schema: CaseSchema) -> Coded:
    dtype = series.dtype
    if field in BOOL_FIELDS and (dtype == np.dtype(bool) or isinstance(dtype, pd.BooleanDtype)):
        codes = np.where(series.isna(), -1, series.to_numpy(dtype=bool, na_value=False)).astype(np.int32)
        return Coded(codes=codes, values=(False, True))
    if field in INT_FIELDS and pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return _code_numbers(field, series, problems)
    return _code_by_value(field, series, problems, schema)


def code_columns(frame: pd.DataFrame, fields: list[str], schema: CaseSchema) -> dict[str, Coded]:
    """Code the given case fields of a frame (absent = unknown) under a pack's schema; CaseError lists every
    value out of contract."""
    problems: list[Problem] = []
    n = len(frame)
    columns: dict[str, Coded] = {}
    for field in fields:
        if field in frame.columns:
            columns[field] = _code_column(field, frame[field], problems, schema)
        else:
            columns[field] = Coded(codes=np.full(n, -1, dtype=np.int32), values=(), unknown=_unknown(field))
    for c in VOCABULARY_SCHEMA.constraints:
        if c.field not in columns or c.at_most not in columns:
            continue
        value, limit = columns[c.field], columns[c.at_most]
        both = (value.codes >= 0) & (limit.codes >= 0)
        values = np.where(both, np.asarray(value.values or (0,))[np.maximum(value.codes, 0)], 0)
        limits = np.where(both, np.asarray(limit.values or (0,))[np.maximum(limit.codes, 0)], 0)
        bad = both & pt_over_limit(values, limits)
        if bad.any():
            problems.append(Problem(field=c.field, message=f"{c.message} ({_rows(frame.index, bad)})"))
    if problems:
        raise CaseError(problems)
    return columns


class ConditionEvaluator:
    """The vectorised backend: an algebra of the condition fold over coded columns (pandas nullable booleans,
    whose `&`, `|`, `~` are Kleene logic) and a `Logic` of the walk whose masks are numpy boolean arrays. Each
    node of a condition is computed once per frame."""

    def __init__(
        self,
        columns: Mapping[str, Coded],
        rows: int,
        leaves: dict[tuple[str, str, str], pd.arrays.BooleanArray] | None = None,
    ):
        self.columns = dict(columns)
        self.rows = rows
        self._memo: dict[int, pd.arrays.BooleanArray] = {}
        # Leaves by what they test, so evaluators of patched copies of a pathway over the same columns share them.
        self._leaves = {} if leaves is None else leaves

    # ---- the condition fold
    def leaf(self, test: Test) -> pd.arrays.BooleanArray:
        # Each leaf is decided once per distinct value by the scalar definition, then broadcast to the rows.
        key = (test.field, test.op, repr(test.value))
        if key not in self._leaves or test.field == "disposition":  # the disposition column is this walk's own
            column = self.columns[test.field]
            truths = [holds(test, {test.field: v}) for v in column.values + (column.unknown,)]
            true = np.array([t is True for t in truths])
            unknown = np.array([t is None for t in truths])
            self._leaves[key] = pd.arrays.BooleanArray(true[column.codes], unknown[column.codes])
        return self._leaves[key]

    def all_of(self, parts: list[pd.arrays.BooleanArray]) -> pd.arrays.BooleanArray:
        return functools.reduce(operator.and_, parts, self._constant(True))

    def any_of(self, parts: list[pd.arrays.BooleanArray]) -> pd.arrays.BooleanArray:
        return functools.reduce(operator.or_, parts, self._constant(False))

    # `~` is Kleene `not` on nullable booleans and plain `not` on the walk's masks: one method serves both.
    negate = staticmethod(operator.inv)

    def _constant(self, value: bool) -> pd.arrays.BooleanArray:
        return pd.arrays.BooleanArray(np.full(self.rows, value), np.zeros(self.rows, dtype=bool))

    def value(self, condition: Condition | None) -> pd.arrays.BooleanArray:
        """True / False / NA (unknown) per row; a missing condition always holds (like `holds`)."""
        return fold(condition, self, self._memo)

    # ---- the walk's masks
    def const(self, value: bool) -> np.ndarray:
        return np.full(self.rows, value)

    both, either = staticmethod(operator.and_), staticmethod(operator.or_)

    def true(self, condition: Condition | None) -> np.ndarray:
        return self.value(condition).to_numpy(dtype=bool, na_value=False)

    def unknown(self, condition: Condition | None) -> np.ndarray:
        return np.asarray(self.value(condition).isna())

    def undecided(self, condition: Condition | None, where: np.ndarray) -> list[tuple[str, np.ndarray]]:
        if condition is None or not where.any():
            return []
        named = fold(condition, Undecided(self, lambda truth: np.asarray(truth.isna()), operator.and_))[1]
        return [(name, mask & where) for name, mask in named if (mask & where).any()]

    def decided(self, dispositions: list[tuple[str, np.ndarray]]) -> None:
        ids = tuple(dict.fromkeys(d for d, _ in dispositions))
        codes = np.full(self.rows, -1, dtype=np.int32)
        for disposition, where in dispositions:
            codes[where] = ids.index(disposition)
        # No memoised truth is stale: only warnings read the disposition, and the walk reads them after this.
        self.columns["disposition"] = Coded(codes=codes, values=ids)


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The first row of each code of a factorization (pandas numbers codes in order of first appearance)."""
    running = np.maximum.accumulate(codes)
    return np.flatnonzero(np.r_[True, running[1:] > running[:-1]])


def joined_labels(parts: list[tuple[str, np.ndarray]], rows: int) -> pd.Categorical:
    """Per row, the names whose mask is set, in order, duplicates dropped, joined by `;` (empty string if none).

    Rows are grouped by the exact set of masks they have (a few distinct groups), so strings are built once per
    group, not once per row.
    """
    parts = [(name, mask) for name, mask in parts if mask.any()]
    if rows == 0 or not parts:
        return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), categories=[""])
    key = None
    for start in range(0, len(parts), 62):  # 62 masks per 64-bit word; words are combined via group codes
        word = np.zeros(rows, dtype=np.int64)
        for bit, (_, mask) in enumerate(parts[start : start + 62]):
            word |= mask.astype(np.int64) << bit
        if key is None:
            key = word
        else:
            (left, _), (right, seen) = pd.factorize(key), pd.factorize(word)
            key = left.astype(np.int64) * len(seen) + right
    codes, _ = pd.factorize(key)
    labels = [";".join(dict.fromkeys(name for name, mask in parts if mask[row])) for row in _first_rows(codes)]
    categories = list(dict.fromkeys(labels))
    position = {label: n for n, label in enumerate(categories)}
    remap = np.array([position[label] for label in labels], dtype=np.int32)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def evaluate_frame(frame: pd.DataFrame, guideline: Guideline | None = None) -> pd.DataFrame:
    """Decide every row; columns disposition, urgent, warnings, missing, deciding_rule, phase (same index).

    Same semantics as `evaluate_case`: the first rule that holds decides unless an unknown rule comes before it
    (then `needs_information`, deciding_rule = that first unknown rule, missing = the fields that could decide
    the unknown rules, in the engine's order). `warnings` and `missing` are `;`-joined ids (empty string when
    none); `phase` is set for conservative care when it is determined, NaN otherwise.
    """
    g = guideline or load_guideline()
    p = g.pathway
    rows = len(frame)
    logic = ConditionEvaluator(code_columns(frame, g.decision_fields, g.schema), rows)
    result = walk(p, logic, g.scope_rule)

    disposition_ids = [d.id for d in p.dispositions]
    disposition = np.zeros(rows, dtype=np.int32)
    for disposition_id, where in result.dispositions:
        disposition[where] = disposition_ids.index(disposition_id)
    rule_index = np.full(rows, -1, dtype=np.int32)
    first = len(g.decision_rules) - len(p.rules)  # the scope gate, when there is one, comes first
    rule_index[result.outside] = 0
    for n, (blocking, deciding) in enumerate(zip(result.rules.blocking, result.rules.deciding, strict=True)):
        rule_index[blocking | deciding] = first + n
    phase = np.full(rows, -1, dtype=np.int32)
    for n, deciding in enumerate(result.phases.deciding):
        phase[deciding] = n

    return pd.DataFrame(
        {
            "disposition": pd.Categorical.from_codes(disposition, categories=disposition_ids),
            "urgent": result.urgent,
            "warnings": joined_labels(result.warnings, rows),
            "missing": joined_labels(result.rules.missing, rows),
            "deciding_rule": pd.Categorical.from_codes(rule_index, categories=[r.id for r in g.decision_rules]),
            "phase": pd.Categorical.from_codes(phase, categories=[ph.id for ph in p.phases]),
        },
        index=frame.index,
    )


def cases_frame(cases: Sequence[Mapping[str, Any]], fields: list[str]) -> pd.DataFrame:
    """Cases in the JSON format as a typed frame for `evaluate_frame` (an absent key becomes a missing value)."""
    columns: dict[str, Any] = {}
    for name in fields:
        values = [case.get(name) for case in cases]
        if FIELD_KINDS.get(name) == "list":
            columns[name] = pd.array([";".join(v or ()) for v in values], dtype="str")
        elif name in INT_FIELDS:
            columns[name] = pd.array(values, dtype="Int64")
        elif name in BOOL_FIELDS:
            columns[name] = pd.array(values, dtype="boolean")
        else:
            columns[name] = pd.array(values, dtype="str")
    return pd.DataFrame(columns, index=pd.RangeIndex(len(cases)))


def frame_cases(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The inverse: each row as a case in the JSON format (missing values left out, list fields as lists)."""
    cases = []
    for record in frame[[c for c in frame.columns if c in FIELD_KINDS]].to_dict("records"):
        case: dict[str, Any] = {}
        for name, value in record.items():
            if value is None or value is pd.NA or _is_blank(value) or (isinstance(value, float) and value != value):
                continue
            value = _plain(name, value)
            if FIELD_KINDS[name] != "list" or value:
                case[name] = value
        cases.append(case)
    return cases
