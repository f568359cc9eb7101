"""Cohorts over time: a visits file (one row per visit) compiled into courses, decided, and counted as the
progression between milestone weeks (issue 9, section 3).

Same rules as `core.analyses.course` (a test compares the two on many random courses), vectorised: each column's
distinct values are checked once; rows are sorted by course, week and file order; carry-forward and milestone
states are index arithmetic over the sorted rows (no loop over rows or courses); visits are decided by
`evaluate_frame`. Cells: blank = not given at this visit (carried forward), `unknown` = unknown from this visit
on, otherwise as in cohort files. A bad row is reported and not applied (its course goes on from the previous
visit); rows in = rows out.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from core.analyses.cohort import (
    BAD_ROWS_LISTED,
    CHUNK_ROWS,
    ID_COLUMN,
    Source,
    distinct_values,
    read_cohort,
)
from core.analyses.course import (
    NO_FURTHER_VISIT,
    NOT_YET_SEEN,
    WEEK,
    ending_states,
    inner_problem,
    state_order,
    week_required,
)
from core.analyses.frame import RESULT_COLUMNS, evaluate_frame
from core.engine.case import BOOL_FIELDS, CHOICES, FIELD_KINDS, INT_FIELDS, MAX_WEEKS
from core.engine.case_text import UNKNOWN_WORDS, case_from_text
from core.engine.guideline import DATA_DIR, Guideline, load_guideline
from core.engine.vocabulary import CaseSchema
from core.errors import CaseError, PathwayError, Problem
from core.model import Frozen

CARRIED, UNKNOWN = -2, -1  # cell codes below the value codes
STATE_COLUMN = "state"
ERROR_COLUMN = "error"
LINK_COLUMNS = ("from_week", "from_state", "to_week", "to_state", "courses")
LINK_TYPES = {"from_week": "int64", "from_state": "str", "to_week": "int64", "to_state": "str", "courses": "int64"}
DEMO_VISITS = DATA_DIR / "demo_visits.csv"


class BadVisit(Frozen):
    row: int  # 1-based data row
    case_id: str | None
    field: str
    reason: str


class ProgressionSummary(Frozen):
    guideline_version: str
    rows: int
    courses: int  # courses with at least one good visit (the ones counted in the links)
    bad_rows: int
    courses_without_visits: list[str]  # every good visit of these was bad: reported, not counted
    bad: list[BadVisit]  # the first BAD_ROWS_LISTED bad rows


@dataclass(frozen=True)
class Progression:
    """Per-visit results (input order, rows in = rows out), per-course milestone states, links and summary."""

    visits: pd.DataFrame
    courses: pd.DataFrame  # case_id, then one state column per milestone week (`week_0`, ...)
    milestone_weeks: list[int]
    summary: ProgressionSummary


def milestone_column(week: int) -> str:
    return f"week_{week}"


# ------------------------------------------------------------------------------------------------ checking


@dataclass
class _Column:
    """A case column as codes per row: CARRIED, UNKNOWN or an index into `values`; messages for bad cells."""

    codes: np.ndarray
    values: list[Any]
    bad: np.ndarray  # per row
    messages: np.ndarray  # per row, None when the cell is fine


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, float) and raw != raw)


def _check_case_column(field: str, column: pa.ChunkedArray, schema: CaseSchema) -> _Column:
    raw_codes, distinct = distinct_values(column)
    remap = np.empty(len(distinct) + 1, dtype=np.int32)
    remap[-1] = CARRIED  # null (Parquet, or an absent cell)
    message_of: list[str | None] = [None] * (len(distinct) + 1)
    values: list[Any] = []
    for n, raw in enumerate(distinct):
        if _is_blank(raw):
            remap[n] = CARRIED
        elif isinstance(raw, str) and raw.strip().lower() in UNKNOWN_WORDS:
            remap[n] = UNKNOWN
            if field == schema.visit_clock:
                message_of[n] = "is the visit's week; it cannot be unknown"
        else:
            try:
                value = getattr(case_from_text({field: raw}, schema), field)
            except CaseError as exc:
                remap[n], message_of[n] = UNKNOWN, exc.problems[0].message
                continue
            remap[n] = len(values)
            values.append(value)
    messages = np.array(message_of, dtype=object)[raw_codes]
    return _Column(codes=remap[raw_codes], values=values, bad=messages != None, messages=messages)  # noqa: E711


def _check_week(column: pa.ChunkedArray, schema: CaseSchema) -> tuple[np.ndarray, np.ndarray]:
    """Week per row (-1 when bad) and the message per row."""
    raw_codes, distinct = distinct_values(column)
    weeks = np.full(len(distinct) + 1, -1, dtype=np.int64)
    required = week_required(schema)
    message_of: list[str | None] = [None] * len(distinct) + [required]
    for n, raw in enumerate(distinct):
        text = "" if raw is None else str(raw).strip()
        try:
            number = float(text)
            if number != int(number):
                raise ValueError
        except ValueError:
            message_of[n] = required if not text else f"expected a whole number, got {text!r}"
            continue
        if not 0 <= number <= MAX_WEEKS:
            message_of[n] = f"must be between 0 and {MAX_WEEKS} (got {int(number)})"
            continue
        weeks[n] = int(number)
    return weeks[raw_codes], np.array(message_of, dtype=object)[raw_codes]


def _first_error(errors: np.ndarray, fields: np.ndarray, rows: np.ndarray, field: str, message: Any) -> None:
    """Record `field: message` on the rows that have no error yet (a row is reported once, by its first problem)."""
    rows = rows & (errors == None)  # noqa: E711
    errors[rows] = message[rows] if isinstance(message, np.ndarray) else message
    fields[rows] = field


# ---------------------------------------------------------------------------------------------- compiling


def _carry(codes: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """Carry-forward within courses over sorted rows: CARRIED cells take the last given code of their course
    (UNKNOWN before the first given one)."""
    positions = np.arange(len(codes))
    given = codes != CARRIED
    source = np.maximum.accumulate(np.where(given | group_start, positions, 0))
    return np.where(given[source], codes[source], UNKNOWN)


def _previous_known(known: np.ndarray, group_first: np.ndarray) -> np.ndarray:
    """Per sorted row, the position of the latest earlier row of the same course where `known` holds (-1: none)."""
    positions = np.arange(len(known))
    last = np.maximum.accumulate(np.where(known, positions, -1))
    previous = np.r_[-1, last[:-1]]
    return np.where(previous >= group_first, previous, -1)


def _inner_violations(
    field: str, counts: _Column, weeks: np.ndarray, groups: np.ndarray, order: np.ndarray
) -> dict[int, str]:
    """Sorted good rows (`order`) whose count within the week (`field`) breaks the course rules, found course by
    course in order: a bad row is not applied, so the next visit is compared with the visit before it."""
    known = np.asarray(counts.values + [0], dtype=np.int64)
    found: dict[int, str] = {}
    active = order
    while True:
        g = groups[active]
        start = np.r_[True, g[1:] != g[:-1]]
        first = np.maximum.accumulate(np.where(start, np.arange(len(active)), 0))
        codes = _carry(counts.codes[active], start)
        given = counts.codes[active] >= 0
        value = known[np.where(codes >= 0, codes, -1)]
        previous = _previous_known(codes >= 0, first)
        has_previous = given & (previous >= 0)
        week = weeks[active]
        prev_value = value[np.maximum(previous, 0)]
        prev_week = week[np.maximum(previous, 0)]
        broken = has_previous & ((value < prev_value) | (value - prev_value > week - prev_week))
        if not broken.any():
            return found
        hit = np.flatnonzero(broken)
        _, firsts = np.unique(g[hit], return_index=True)  # the first broken visit of each course
        for n in hit[firsts].tolist():
            # Broken rows break a rule by construction, so there is a reason to name.
            reason = inner_problem(field, int(value[n]), int(week[n]), int(prev_value[n]), int(prev_week[n]))
            found[int(active[n])] = reason or ""
        active = active[~np.isin(active, active[hit[firsts]])]


def typed_column(field: str, values: list[Any], codes: np.ndarray) -> Any:
    """The typed column `evaluate_frame` reads, from effective codes (negative = unknown)."""
    known = codes >= 0
    safe = np.where(known, codes, 0)
    if field in BOOL_FIELDS:
        return pd.arrays.BooleanArray(np.asarray([bool(v) for v in values] + [False])[safe], ~known)
    if field in INT_FIELDS:
        return pd.arrays.IntegerArray(np.asarray(list(values) + [0], dtype=np.int64)[safe], ~known)
    if FIELD_KINDS[field] == "choice":
        choices = CHOICES[field]
        position = np.array([choices.index(v) for v in values] + [-1], dtype=np.int32)
        return pd.Categorical.from_codes(position[np.where(known, codes, -1)], categories=list(choices))
    labels = [";".join(v) for v in values] + [""]  # a list field
    categories = list(dict.fromkeys(labels))
    position = np.array([categories.index(label) for label in labels], dtype=np.int32)
    return pd.Categorical.from_codes(position[np.where(known, codes, -1)], categories=categories)


def _decide(frame: pd.DataFrame, g: Guideline) -> pd.DataFrame:
    parts = [
        evaluate_frame(frame.iloc[s : s + CHUNK_ROWS].reset_index(drop=True), g)
        for s in range(0, max(len(frame), 1), CHUNK_ROWS)
    ]
    if len(parts) == 1:
        return parts[0]
    return pd.DataFrame(
        {
            name: pd.api.types.union_categoricals([p[name] for p in parts])
            if isinstance(parts[0][name].dtype, pd.CategoricalDtype)
            else np.concatenate([p[name].to_numpy() for p in parts])
            for name in parts[0].columns
        }
    )


@dataclass(frozen=True)
class CheckedVisits:
    """A visits table after every row check: the bad rows' errors, and the good rows in course order."""

    table: pa.Table
    ids: pd.Series  # case_id per row (None when blank)
    course_codes: np.ndarray  # per row: the course's position in order of first appearance (-1 without an id)
    course_ids: pd.Index
    weeks: np.ndarray  # per row (-1 when bad)
    columns: dict[str, _Column]  # the case columns as given (before carry-forward)
    errors: np.ndarray  # per row, None when good
    error_fields: np.ndarray
    order: np.ndarray  # the good rows, sorted by course, week and file order


def check_visits(table: pa.Table, guideline: Guideline | None = None) -> CheckedVisits:
    """Check every row of a visits table under a pack (the default pack when none is given): cells, then the
    course rules of the counts within the week; PathwayError when case_id or week is absent. Every engine starts
    here, so bad rows are reported the same way whoever decides the rest."""
    schema = (guideline or load_guideline()).schema
    clock = schema.visit_clock
    missing = [c for c in (ID_COLUMN, WEEK) if c not in table.column_names]
    if missing:
        raise PathwayError([Problem(field=c, message="required column of a visits file") for c in missing])
    rows = table.num_rows
    errors = np.full(rows, None, dtype=object)
    error_fields = np.full(rows, None, dtype=object)

    ids = table.column(ID_COLUMN).cast(pa.string()).to_pandas()
    ids = ids.where(ids.str.strip() != "", None)
    _first_error(errors, error_fields, ids.isna().to_numpy(), ID_COLUMN, "required (which course the visit belongs to)")
    weeks, week_messages = _check_week(table.column(WEEK), schema)
    _first_error(errors, error_fields, week_messages != None, WEEK, week_messages)  # noqa: E711
    # A text field (free words, no rule reads it) is not part of a course.
    fields = [c for c in table.column_names if c in schema.kinds and schema.kinds[c] != "text"]
    columns = {f: _check_case_column(f, table.column(f), schema) for f in fields}
    for field, column in columns.items():
        _first_error(errors, error_fields, column.bad, field, column.messages)
    inner = [f for f in schema.inner_clocks if f in columns]
    if clock is not None and clock in columns:
        wc = columns[clock]
        given = np.asarray(wc.values + [-1], dtype=np.int64)[np.where(wc.codes >= 0, wc.codes, -1)]
        differs = (wc.codes >= 0) & (weeks >= 0) & (given != weeks)
        text = (
            np.array(
                [f"must equal the visit's week ({a} != {b})" for a, b in zip(given, weeks, strict=False)], dtype=object
            )
            if differs.any()
            else None
        )
        _first_error(errors, error_fields, differs, clock, text)
    for field in inner:
        counts = columns[field]
        given_count = np.asarray(counts.values + [0], dtype=np.int64)[np.where(counts.codes >= 0, counts.codes, -1)]
        over = (counts.codes >= 0) & (weeks >= 0) & (given_count > weeks)
        if over.any():
            text = np.full(rows, None, dtype=object)
            pairs = zip(given_count[over], weeks[over], strict=False)
            text[over] = [f"cannot exceed the visit's week ({c} > {w})" for c, w in pairs]
            _first_error(errors, error_fields, over, field, text)

    course_codes, course_ids = pd.factorize(ids, use_na_sentinel=True)
    good = errors == None  # noqa: E711
    order = np.lexsort((np.arange(rows), weeks, course_codes))
    order = order[good[order]]
    for field in inner:
        for row, reason in _inner_violations(field, columns[field], weeks, course_codes, order).items():
            errors[row], error_fields[row] = reason, field
        good = errors == None  # noqa: E711
        order = order[good[order]]
    return CheckedVisits(
        table=table,
        ids=ids,
        course_codes=course_codes,
        course_ids=course_ids,
        weeks=weeks,
        columns=columns,
        errors=errors,
        error_fields=error_fields,
        order=order,
    )


def evaluate_visits(table: pa.Table, guideline: Guideline | None = None) -> Progression:
    """Compile a visits table into courses and decide every visit; PathwayError when case_id or week is absent."""
    g = guideline or load_guideline()
    checked = check_visits(table, g)
    order, columns, weeks = checked.order, checked.columns, checked.weeks
    schema = g.schema
    groups = checked.course_codes[order]
    start = np.r_[True, groups[1:] != groups[:-1]] if len(order) else np.zeros(0, dtype=bool)
    frame = pd.DataFrame(
        {
            f: typed_column(f, c.values, c.codes[order] if f in schema.per_visit else _carry(c.codes[order], start))
            for f, c in columns.items()
            if f != schema.visit_clock
        }
    )
    if schema.visit_clock:
        frame[schema.visit_clock] = pd.array(weeks[order], dtype="Int64")
    decided = _decide(frame, g)

    states = state_order(g)
    state_position = {s: n for n, s in enumerate(states)}
    disposition = decided["disposition"].cat.codes.to_numpy()
    to_state = np.array([state_position[d] for d in decided["disposition"].cat.categories], dtype=np.int32)
    phased = g.pathway.phased_disposition
    phase_state = np.array(
        [state_position[p] for p in decided["phase"].cat.categories] + [state_position[phased]], dtype=np.int32
    )
    is_conservative = decided["disposition"].to_numpy() == phased
    state = np.where(is_conservative, phase_state[decided["phase"].cat.codes.to_numpy()], to_state[disposition])

    visits = visit_results(checked, decided, state, states)
    courses, milestone_weeks = _milestones(g, groups, weeks[order], state, checked.course_ids, states)
    summary = progression_summary(checked, courses, g)
    return Progression(visits=visits, courses=courses, milestone_weeks=milestone_weeks, summary=summary)


def progression_summary(checked: CheckedVisits, courses: pd.DataFrame, g: Guideline) -> ProgressionSummary:
    """Rows, counted courses and the bad rows (the first BAD_ROWS_LISTED named) of a checked visits table."""
    counted = set(courses[ID_COLUMN])
    without = [str(c) for c in checked.course_ids if c not in counted]
    bad_rows = np.flatnonzero(checked.errors != None)  # noqa: E711
    ids = checked.ids
    return ProgressionSummary(
        guideline_version=g.info.version,
        rows=checked.table.num_rows,
        courses=len(courses),
        bad_rows=len(bad_rows),
        courses_without_visits=without,
        bad=[
            BadVisit(
                row=int(n) + 1,
                case_id=None if ids.iat[n] is None or pd.isna(ids.iat[n]) else str(ids.iat[n]),
                field=str(checked.error_fields[n]),
                reason=str(checked.errors[n]),
            )
            for n in bad_rows[:BAD_ROWS_LISTED]
        ],
    )


def visit_results(checked: CheckedVisits, decided: pd.DataFrame, state: np.ndarray, states: list[str]) -> pd.DataFrame:
    """The input rows in file order with their results (`decided` and `state` codes are in `checked.order`); a bad
    row's results are empty and its error says why."""
    table, order, errors, error_fields = checked.table, checked.order, checked.errors, checked.error_fields
    rows = table.num_rows
    output = (STATE_COLUMN, *RESULT_COLUMNS, ERROR_COLUMN)
    results = table.select([c for c in table.column_names if c not in output]).to_pandas()
    place = np.full(rows, -1, dtype=np.int64)
    place[order] = np.arange(len(order))
    decided_row = place >= 0
    full = np.full(rows, -1, dtype=np.int32)
    full[order] = state
    results[STATE_COLUMN] = pd.Categorical.from_codes(full, categories=states)
    for name in RESULT_COLUMNS:
        column = decided[name]
        if name == "urgent":
            values = np.zeros(rows, dtype=bool)
            values[order] = column.to_numpy(dtype=bool)
            results[name] = pd.arrays.BooleanArray(values, ~decided_row)
        else:
            codes = np.full(rows, -1, dtype=np.int32)
            codes[order] = column.cat.codes.to_numpy()
            results[name] = pd.Categorical.from_codes(codes, column.cat.categories)
    text = np.where(errors == None, None, error_fields.astype(str) + ": " + errors.astype(str))  # noqa: E711
    results[ERROR_COLUMN] = pd.array(text, dtype="str")
    return results


def _milestones(
    g: Guideline, groups: np.ndarray, weeks: np.ndarray, state: np.ndarray, course_ids: pd.Index, states: list[str]
) -> tuple[pd.DataFrame, list[int]]:
    """Per course with a good visit, the state at each milestone week (sorted rows: course, week, file order)."""
    present, starts, counts = np.unique(groups, return_index=True, return_counts=True)
    ends = starts + counts - 1
    last_week = weeks[ends] if len(ends) else np.zeros(0, dtype=np.int64)
    ending_ids = ending_states(g)
    ending = np.array([s in ending_ids for s in states])
    position = {s: n for n, s in enumerate(states)}
    milestone_weeks = [m.week for m in g.pathway.milestones]
    columns: dict[str, Any] = {ID_COLUMN: np.asarray(course_ids, dtype=object)[present]}
    for week in milestone_weeks:
        # Rows of a course are in week order, so the visits at or before the milestone are a prefix of them.
        seen = np.add.reduceat((weeks <= week).astype(np.int64), starts) if len(starts) else np.zeros(0, dtype=np.int64)
        last = state[np.maximum(starts + seen - 1, 0)] if len(starts) else np.zeros(0, dtype=np.int32)
        censored = (last_week < week) & ~ending[last]
        code = np.where(seen == 0, position[NOT_YET_SEEN], np.where(censored, position[NO_FURTHER_VISIT], last))
        columns[milestone_column(week)] = pd.Categorical.from_codes(code.astype(np.int32), categories=states)
    return pd.DataFrame(columns), milestone_weeks


# ------------------------------------------------------------------------------------------------- links


def progression_links(progression: Progression, min_count: int = 1) -> pd.DataFrame:
    """Courses moving between neighbouring milestones, one row per pair of states (states in the data's order).

    With min_count K > 1, the links of fewer than K courses are merged into one `fewer than K` row per milestone
    pair, so every total stays true while no small cell is shown.
    """
    courses, weeks = progression.courses, progression.milestone_weeks
    frames = []
    for before, after in zip(weeks, weeks[1:], strict=False):
        a, b = courses[milestone_column(before)], courses[milestone_column(after)]
        states = list(a.cat.categories)
        codes = a.cat.codes.to_numpy().astype(np.int64) * len(states) + b.cat.codes.to_numpy()
        count = np.bincount(codes, minlength=len(states) ** 2)
        pairs = np.flatnonzero(count)
        frames.append(
            pd.DataFrame(
                {
                    "from_week": before,
                    "from_state": [states[p // len(states)] for p in pairs],
                    "to_week": after,
                    "to_state": [states[p % len(states)] for p in pairs],
                    "courses": count[pairs],
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: [] for c in LINK_COLUMNS}).astype(LINK_TYPES)
    links = pd.concat(frames, ignore_index=True)
    return merged_small_links(links.astype(LINK_TYPES)[list(LINK_COLUMNS)], min_count)


def _suppressed(link: pd.DataFrame, min_count: int) -> np.ndarray:
    """Which links of one milestone pair are merged: those under K, then (secondary suppression, as statistical
    offices do) the next smallest until neither the merged cell nor what any node loses to it is under K, since a
    node's total (from its other side) minus its shown links would give a small cell back."""
    courses = link["courses"].to_numpy()
    hidden = courses < min_count
    order = np.argsort(courses, kind="stable")

    def hide_smallest(among: np.ndarray) -> bool:
        for position in order:
            if among[position] and not hidden[position]:
                hidden[position] = True
                return True
        return False

    changed = True
    while changed:
        changed = False
        for side in ("from_state", "to_state"):
            lost = pd.Series(np.where(hidden, courses, 0)).groupby(link[side].to_numpy()).sum()
            for node in lost[(lost > 0) & (lost < min_count)].index:
                changed |= hide_smallest(link[side].to_numpy() == node)
        merged = courses[hidden].sum()
        if 0 < merged < min_count:
            changed |= hide_smallest(np.ones(len(courses), dtype=bool))
    return hidden


def merged_small_links(links: pd.DataFrame, min_count: int) -> pd.DataFrame:
    """Links (LINK_COLUMNS, grouped by milestone pair) with those under `min_count` courses, and as many more as it
    takes for no published count to be under K, merged into one `fewer than K` row at the end of their milestone
    pair; totals stay true (nothing changes when min_count is 1)."""
    if min_count <= 1 or links.empty:
        return links
    label = f"fewer than {min_count}"
    frames = []
    for (before, after), link in links.groupby(["from_week", "to_week"], sort=False):
        small = _suppressed(link.reset_index(drop=True), min_count)
        if small.any():
            merged = pd.DataFrame(
                {
                    "from_week": [before],
                    "from_state": [label],
                    "to_week": [after],
                    "to_state": [label],
                    "courses": [int(link["courses"].to_numpy()[small].sum())],
                }
            )
            link = pd.concat([link[~small], merged], ignore_index=True)
        frames.append(link)
    return pd.concat(frames, ignore_index=True).astype(LINK_TYPES)[list(LINK_COLUMNS)]


# -------------------------------------------------------------------------------------------------- files


def read_visits(source: Source, fmt: str | None = None, name: str | None = None) -> pa.Table:
    """Read a visits file (CSV or Parquet, path or bytes) with the cohort reader."""
    return read_cohort(source, fmt, name)


def courses_at(progression: Progression, week: int, state: str) -> pd.DataFrame:
    """The courses in `state` at milestone `week`, with their state at every milestone."""
    courses = progression.courses
    return courses[courses[milestone_column(week)] == state].reset_index(drop=True)
