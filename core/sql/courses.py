"""Courses of care compiled to SQL: a table of visits in; per-visit results, milestone states and progression links
out; sqlglot trees emitted per dialect. The SQL backend of `core.analyses.progression`, deciding each visit with
the compiled case query (`core.sql.compile.pathway_select`), so the rule walk is still written once.

The table (default `visits`) has one row per visit: `case_id`, `week`, `visit_seq` (orders the visits of one
course in the same week; the file's row order), the case keys typed as the case query reads them, NULL meaning
*not stated at this visit* (carried forward), and `unknown_fields`, the `;`-separated keys this visit makes
unknown from then on. The vocabulary's visit clock is the visit's week, and its fields of one visit only are not
carried. The rows must already pass the visit checks (`check_visits`: cells, and the counts within the week
within the course rules); the query does not check them.

"The latest visit wins" (the carry-forward, and the state at a milestone) is one MAX per field over one window or
group: a visit packs its number and a small code of its value into one integer (visit * PACK + code), so the
largest is the latest, and MOD reads the code back. LAST_VALUE(x IGNORE NULLS) says the same for the carry but
cannot tell "not stated" from "made unknown", and PostgreSQL has no IGNORE NULLS (sqlglot refuses to emit it);
MAX runs in every dialect, and all fields share one window, so the engine sorts once.
"""

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.analyses.course import NO_FURTHER_VISIT, NOT_YET_SEEN, ending_states, state_order
from core.analyses.progression import LINK_COLUMNS, milestone_column
from core.engine.case import BOOL_FIELDS, CHOICES, INT_FIELDS
from core.engine.guideline import Guideline, load_guideline
from core.errors import PathwayError, Problem
from core.sql.compile import DIALECTS, column_type, listed, pathway_select, sql_table

if TYPE_CHECKING:
    from sqlglot import exp

VISITS_TABLE = "visits"
ID_COLUMN = "case_id"
WEEK_COLUMN = "week"
SEQ_COLUMN = "visit_seq"
UNKNOWN_COLUMN = "unknown_fields"
VISIT_COLUMN = "visit"  # 1-based number of the visit in its course, as `evaluate_course` numbers them
STATE_COLUMN = "state"
COURSE_QUERIES = ("visits", "milestones", "links")
PACK = 1024  # above every value code: every whole-number field is at most 520
CLEARED = PACK - 1  # the code of "made unknown at this visit"
# The query's own names, prefixed so they cannot meet the analyst's table name.
NUMBERED, LATEST, CARRIED, DECIDED = "pathway_numbered", "pathway_latest", "pathway_carried", "pathway_decided"
VISIT_RESULTS, COURSE_ENDS, MILESTONES = "pathway_visit_results", "pathway_course_ends", "pathway_milestones"


def carried_fields(g: Guideline) -> list[str]:
    """The case keys a visit carries forward (not the week, which the visit sets, nor a visit's own statements)."""
    return [f for f in g.decision_fields if f not in g.schema.not_carried]


def own_fields(g: Guideline) -> list[str]:
    """The case keys that belong to their visit only, as the visits table holds them."""
    return [f for f in g.decision_fields if f in g.schema.per_visit]


def _number(value: int) -> "exp.Expression":
    from sqlglot import exp

    return exp.Literal.number(value)


def _searched(pairs: Sequence[tuple["exp.Expression", "exp.Expression"]]) -> "exp.Case":
    from sqlglot import exp

    case = exp.Case()
    for condition, then in pairs:
        case = case.when(condition, then, copy=False)
    return case


def _value_code(field: str) -> "exp.Expression":
    """A stated value as a small integer below CLEARED (NULL when the visit does not state it)."""
    from sqlglot import exp

    column = exp.column(field)
    if field in BOOL_FIELDS:
        return _searched([(column, _number(1)), (exp.Not(this=column), _number(0))])
    if field in INT_FIELDS:
        return column
    return _searched(
        [(exp.EQ(this=column, expression=exp.Literal.string(v)), _number(n)) for n, v in enumerate(CHOICES[field])]
    )


def _value_of(field: str, code: "exp.Expression") -> "exp.Expression":
    """The value a code stands for (NULL for CLEARED or no code)."""
    from sqlglot import exp

    if field in BOOL_FIELDS:
        return _searched(
            [
                (exp.EQ(this=code, expression=_number(1)), exp.true()),
                (exp.EQ(this=code, expression=_number(0)), exp.false()),
            ]
        )
    if field in INT_FIELDS:
        return _searched(
            [(exp.LT(this=code, expression=_number(CLEARED)), exp.Cast(this=code, to=exp.DataType.build("INTEGER")))]
        )
    return _searched(
        [(exp.EQ(this=code, expression=_number(n)), exp.Literal.string(v)) for n, v in enumerate(CHOICES[field])]
    )


def _packed(number: "exp.Expression", code: "exp.Expression", base: int) -> "exp.Expression":
    from sqlglot import exp

    return exp.Add(this=exp.Mul(this=number, expression=_number(base)), expression=code)


def _low(packed: "exp.Expression", base: int) -> "exp.Expression":
    from sqlglot import exp

    return exp.Paren(this=exp.Mod(this=packed, expression=_number(base)))


def _up_to_visit(aggregate: "exp.Expression") -> "exp.Expression":
    """`aggregate` over the course's visits so far (this one included)."""
    from sqlglot import exp

    return exp.Window(
        this=aggregate,
        partition_by=[exp.column(ID_COLUMN)],
        order=exp.Order(expressions=[exp.Ordered(this=exp.column(VISIT_COLUMN), nulls_first=False)]),
        spec=exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"),
        over="OVER",
    )


def _visit_ctes(g: Guideline, table: str) -> list[tuple[str, "exp.Select"]]:
    """The per-visit steps: number the visits, carry the fields forward, decide each visit, name its state."""
    from sqlglot import exp

    fields, own = carried_fields(g), [exp.column(f) for f in own_fields(g)]
    keys = [exp.column(c) for c in (ID_COLUMN, WEEK_COLUMN, SEQ_COLUMN, VISIT_COLUMN)]
    visit_number = exp.Window(
        this=exp.RowNumber(),
        partition_by=[exp.column(ID_COLUMN)],
        order=exp.Order(
            expressions=[exp.Ordered(this=exp.column(c), nulls_first=False) for c in (WEEK_COLUMN, SEQ_COLUMN)]
        ),
        over="OVER",
    )
    numbered = exp.select(
        exp.column(ID_COLUMN),
        exp.column(WEEK_COLUMN),
        exp.column(SEQ_COLUMN),
        *(exp.column(f) for f in fields),
        *own,
        exp.column(UNKNOWN_COLUMN),
        exp.alias_(visit_number, VISIT_COLUMN),
    ).from_(sql_table(table))

    def event(field: str) -> "exp.Expression":
        visit = exp.column(VISIT_COLUMN)
        stated = exp.Not(this=exp.Is(this=exp.column(field), expression=exp.Null()))
        return _searched(
            [
                (stated, _packed(visit, _value_code(field), PACK)),
                # Most visits make nothing unknown: the text search runs only where the list is there.
                (
                    exp.Paren(
                        this=exp.and_(
                            exp.Not(this=exp.Is(this=exp.column(UNKNOWN_COLUMN), expression=exp.Null())),
                            listed(exp.column(UNKNOWN_COLUMN), field),
                        )
                    ),
                    _packed(visit, _number(CLEARED), PACK),
                ),
            ]
        )

    latest = exp.select(
        *keys,
        *own,
        *(exp.alias_(_up_to_visit(exp.Max(this=event(f))), f"latest_{f}") for f in fields),
    ).from_(NUMBERED)
    carried = exp.select(
        *keys,
        *(exp.alias_(_value_of(f, _low(exp.column(f"latest_{f}"), PACK)), f) for f in fields),
        *([exp.alias_(exp.column(WEEK_COLUMN), clock)] if (clock := g.schema.visit_clock) else []),
        *own,
    ).from_(LATEST)
    # The carried columns are known, so the case query can be layered (each truth computed once) in every dialect.
    decided = pathway_select(g, CARRIED, layered=True, columns=[c.alias_or_name for c in carried.expressions])
    phased = g.pathway.phased_disposition
    disposition = exp.column("disposition")
    state = _searched(
        [
            (
                exp.EQ(this=disposition, expression=exp.Literal.string(phased)),
                exp.Coalesce(this=exp.column("phase"), expressions=[disposition]),
            )
        ]
    ).else_(disposition)
    visit_results = exp.select(exp.Star(), exp.alias_(state, STATE_COLUMN)).from_(DECIDED)
    return [
        (NUMBERED, numbered),
        (LATEST, latest),
        (CARRIED, carried),
        (DECIDED, decided),
        (VISIT_RESULTS, visit_results),
    ]


def _state_rank(states: list[str], state: "exp.Expression") -> "exp.Expression":
    from sqlglot import exp

    return _searched([(exp.EQ(this=state, expression=exp.Literal.string(s)), _number(n)) for n, s in enumerate(states)])


def _milestone_ctes(g: Guideline, visit_results: str) -> list[tuple[str, "exp.Select"]]:
    """Per course, the state at each milestone week: that of the latest visit at or before it, `not_yet_seen`
    before the first visit, `no_further_visit` when the course stops earlier without a disposition that ends it
    (`core.analyses.course.milestone_state`)."""
    from sqlglot import exp

    states = state_order(g)
    base = len(states)
    weeks = [m.week for m in g.pathway.milestones]
    week = exp.column(WEEK_COLUMN)
    ranked = _packed(exp.column(VISIT_COLUMN), _state_rank(states, exp.column(STATE_COLUMN)), base)
    ends = (
        exp.select(
            exp.column(ID_COLUMN),
            exp.alias_(exp.Max(this=week), "last_week"),
            *(
                exp.alias_(
                    exp.Max(this=_searched([(exp.LTE(this=week, expression=_number(m)), ranked)])), f"latest_at_{m}"
                )
                for m in weeks
            ),
        )
        .from_(visit_results)
        .group_by(exp.column(ID_COLUMN))
    )
    ending = [_number(states.index(s)) for s in states if s in ending_states(g)]

    def at(m: int) -> "exp.Expression":
        latest = exp.column(f"latest_at_{m}")
        rank = _low(latest, base)
        censored = exp.Paren(
            this=exp.and_(
                exp.LT(this=exp.column("last_week"), expression=_number(m)),
                exp.Not(this=exp.In(this=rank, expressions=ending)),
            )
        )
        named = _searched(
            [(exp.EQ(this=rank, expression=_number(n)), exp.Literal.string(s)) for n, s in enumerate(states)]
        )
        return _searched(
            [
                (exp.Is(this=latest, expression=exp.Null()), exp.Literal.string(NOT_YET_SEEN)),
                (censored, exp.Literal.string(NO_FURTHER_VISIT)),
            ]
        ).else_(named)

    milestones = exp.select(exp.column(ID_COLUMN), *(exp.alias_(at(m), milestone_column(m)) for m in weeks)).from_(
        COURSE_ENDS
    )
    return [(COURSE_ENDS, ends), (MILESTONES, milestones)]


def _links_select(g: Guideline, milestones: str) -> "exp.Select":
    """Courses between neighbouring milestones, one row per pair of states, in the order of `progression_links`."""
    from sqlglot import exp

    states = state_order(g)
    weeks = [m.week for m in g.pathway.milestones]
    pairs = []
    for before, after in zip(weeks, weeks[1:], strict=False):
        a, b = exp.column(milestone_column(before)), exp.column(milestone_column(after))
        pairs.append(
            exp.select(
                exp.alias_(_number(before), "from_week"),
                exp.alias_(a, "from_state"),
                exp.alias_(_number(after), "to_week"),
                exp.alias_(b, "to_state"),
                exp.alias_(exp.Count(this=exp.Star()), "courses"),
            )
            .from_(milestones)
            .group_by(a, b)
        )
    union: exp.Query = pairs[0]
    for pair in pairs[1:]:
        union = exp.union(union, pair, distinct=False)
    return (
        exp.select(*(exp.column(c) for c in LINK_COLUMNS))
        .from_(union.subquery("pathway_links"))
        .order_by(
            exp.column("from_week"),
            _state_rank(states, exp.column("from_state")),
            _state_rank(states, exp.column("to_state")),
        )
    )


def course_select(
    query: str,
    g: Guideline | None = None,
    table: str = VISITS_TABLE,
    visit_results: str | None = None,
    ordered: bool = True,
) -> "exp.Select":
    """One of COURSE_QUERIES as a sqlglot tree over the visits table: `visits` (every visit with its carried case,
    results and state), `milestones` (per course, the state at each milestone week) or `links` (the progression
    links, as `progression_links` counts them). With `visit_results`, the milestones and links read that table
    (the `visits` query's output, kept by an engine) instead of computing it again. Visits come sorted by course
    and visit unless `ordered` is false (an engine keeping them as a table does not need the order); milestones
    come by course, links by milestone pair and state, in the data's order of states."""
    from sqlglot import exp

    g = g or load_guideline()
    ctes = [] if visit_results else _visit_ctes(g, table)
    source = visit_results or VISIT_RESULTS
    if query == "visits":
        select = exp.select(exp.Star()).from_(VISIT_RESULTS)
        if ordered:
            select = select.order_by(exp.column(ID_COLUMN), exp.column(VISIT_COLUMN))
    elif query == "milestones":
        ctes += _milestone_ctes(g, source)
        select = exp.select(exp.Star()).from_(MILESTONES).order_by(exp.column(ID_COLUMN))
    elif query == "links":
        ctes += _milestone_ctes(g, source)
        select = _links_select(g, MILESTONES)
    else:
        raise PathwayError(
            [Problem(field="--query", message=f"unknown query {query!r}; use one of {', '.join(COURSE_QUERIES)}")]
        )
    for name, cte in ctes:
        select = select.with_(name, as_=cte, copy=False)
    return select


def course_sql(
    query: str, dialect: str, g: Guideline | None = None, table: str = VISITS_TABLE, pretty: bool = True
) -> str:
    """One course query's text in one dialect (one of DIALECTS)."""
    if dialect not in DIALECTS:
        raise PathwayError(
            [Problem(field="--dialect", message=f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}")]
        )
    logger = logging.getLogger("sqlglot")
    logger.addFilter(_null_order_notice)
    try:
        return course_select(query, g, table).sql(dialect=dialect, pretty=pretty)
    finally:
        logger.removeFilter(_null_order_notice)


def _null_order_notice(record: logging.LogRecord) -> bool:
    """Drop sqlglot's notice that BigQuery cannot say NULLS LAST in a window: the windows order by columns that are
    never NULL (week, visit_seq, the visit number), so where NULLs would go does not matter."""
    return "'NULLS LAST' translation not supported" not in record.getMessage()


def expected_visits_table(dialect: str, g: Guideline | None = None, table: str = VISITS_TABLE) -> str:
    """The visits table the course queries read, as CREATE TABLE text."""
    from sqlglot import exp

    g = g or load_guideline()
    types = {ID_COLUMN: "VARCHAR", WEEK_COLUMN: "INTEGER", SEQ_COLUMN: "BIGINT"}
    types |= {f: column_type(f) for f in g.decision_fields if f != g.schema.visit_clock}
    types[UNKNOWN_COLUMN] = "VARCHAR"
    columns = [exp.ColumnDef(this=exp.to_identifier(c), kind=exp.DataType.build(t)) for c, t in types.items()]
    create = exp.Create(this=exp.Schema(this=sql_table(table), expressions=columns), kind="TABLE")
    return create.sql(dialect=dialect, pretty=True)
