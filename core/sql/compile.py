"""The pathway compiled to one SQL query over a table of cases, built as a sqlglot tree and emitted per dialect.

The table (default `cases`) has a column per case key read by the pathway, typed BOOLEAN / INTEGER / VARCHAR
(a list field as `;`-separated text), NULL meaning unknown; other columns are carried through. The query selects
every column of the table followed by RESULT_COLUMNS, with the semantics of `evaluate_frame` (and, for
`next_milestone_week`, of `evaluate_case`).

Why it is exact: SQL's NULL logic for AND / OR / NOT is Kleene logic, the engine's own three-valued logic, so a
condition compiles node for node. Each rule's truth is written as an explicit
`CASE WHEN c THEN 1 WHEN NOT (c) THEN 0 ELSE NULL END`, and the tree is never handed to sqlglot's optimiser or
simplifier: boolean simplifiers are known to get NULL semantics wrong, and nothing here needs them.

The rules, phases and warnings are not walked here: the SQL is a backend (`SqlLogic`) of the one condition fold
and the one walk (`core.engine.walk`), read off as CASE expressions. Sub-expressions are shared between the
places that use them (the tree is a DAG) instead of copied: the tree is only ever generated, never rewritten,
and copying cost seconds.
"""

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.engine.case import BOOL_FIELDS, INT_FIELDS
from core.engine.conditions import Condition, Test, Undecided, fold
from core.engine.guideline import Guideline, load_guideline
from core.engine.walk import walk
from core.errors import PathwayError, Problem

if TYPE_CHECKING:
    from sqlglot import exp

DIALECTS = ("duckdb", "spark", "postgres", "bigquery", "snowflake")
DEFAULT_TABLE = "cases"
LAYERED_DIALECTS = ("duckdb", "bigquery", "snowflake")  # they can leave helper columns out of `*`
HELPER_PREFIX = "pathway_truth_"
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")
RESULT_COLUMNS = ("disposition", "urgent", "deciding_rule", "missing", "phase", "warnings", "next_milestone_week")
RESULT_TYPES = {
    "disposition": "VARCHAR",
    "urgent": "BOOLEAN",
    "deciding_rule": "VARCHAR",
    "missing": "VARCHAR",
    "phase": "VARCHAR",
    "warnings": "VARCHAR",
    "next_milestone_week": "INTEGER",
}


def column_type(field: str) -> str:
    """The SQL type a case column has in the table the query reads."""
    return "BOOLEAN" if field in BOOL_FIELDS else "INTEGER" if field in INT_FIELDS else "VARCHAR"


# ------------------------------------------------------------------------------ the fold's and walk's backend


def _literal(value: Any) -> "exp.Expression":
    from sqlglot import exp

    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _is_literal(e: "exp.Expression", value: bool) -> bool:
    from sqlglot import exp

    return isinstance(e, exp.Boolean) and e.this is value


class SqlLogic:
    """SQL as a backend of the condition fold (`core.engine.conditions.fold`) and of the walk
    (`core.engine.walk.walk`).

    Fold values are boolean expressions whose NULL is unknown (SQL's AND / OR / NOT are Kleene logic). The walk's
    masks are boolean expressions that are never NULL; on masks only, a literal TRUE / FALSE operand is dropped
    (two-valued, so this cannot change a NULL into anything). `column(field)` gives the expression a field reads;
    once the walk has decided, `disposition` reads the computed disposition (the warnings read it).
    """

    def __init__(
        self, column: Callable[[str], "exp.Expression"], layered: bool = False, helper_prefix: str = HELPER_PREFIX
    ):
        self.column = column
        self.helper_prefix = helper_prefix  # distinct per pathway when two pathways share one query
        self.disposition: exp.Expression | None = None
        # Layered: each rule, phase and urgent_when truth becomes a helper column (name, CASE) computed once
        # per row, and the masks read the column; flat: the masks repeat the CASE.
        self.helpers: dict[int, tuple[str, exp.Expression]] | None = {} if layered else None

    def _truth_atom(self, condition: Condition) -> "exp.Expression":
        from sqlglot import exp

        if self.helpers is None or self.disposition is not None:  # warnings read the disposition: inline
            return self.truth(condition)
        key = id(condition)
        if key not in self.helpers:
            self.helpers[key] = (f"{self.helper_prefix}{len(self.helpers) + 1}", self.truth(condition))
        return exp.column(self.helpers[key][0])

    # ---- the condition fold (three-valued)
    def leaf(self, test: Test) -> "exp.Expression":
        from sqlglot import exp

        if test.field == "disposition" and self.disposition is not None:
            column = self.disposition
        else:
            column = self.column(test.field)
        if test.op == "includes":
            # A list field is never unknown (absent = no item listed).
            return listed(column, str(test.value))
        if test.op in ("in", "not_in"):
            items = list(test.value) if isinstance(test.value, list) else [test.value]
            if not items:  # `x in []`: false when x is known, unknown when it is not
                empty = exp.Case().when(exp.Is(this=column, expression=exp.Null()), exp.Null())
                return empty.else_(exp.Boolean(this=test.op == "not_in"))
            member = exp.In(this=column, expressions=[_literal(v) for v in items])
            return exp.Paren(this=exp.Not(this=member)) if test.op == "not_in" else member
        comparison: dict[str, type[exp.Expression]] = {
            "is": exp.EQ,
            "is_not": exp.NEQ,
            "ge": exp.GTE,
            "gt": exp.GT,
            "le": exp.LTE,
            "lt": exp.LT,
        }
        return comparison[test.op](this=column, expression=_literal(test.value))

    def all_of(self, parts: list["exp.Expression"]) -> "exp.Expression":
        from sqlglot import exp

        if not parts:
            return exp.Boolean(this=True)
        return exp.Paren(this=exp.and_(*parts, wrap=True, copy=False)) if len(parts) > 1 else parts[0]

    def any_of(self, parts: list["exp.Expression"]) -> "exp.Expression":
        from sqlglot import exp

        if not parts:
            return exp.Boolean(this=False)
        return exp.Paren(this=exp.or_(*parts, wrap=True, copy=False)) if len(parts) > 1 else parts[0]

    def negate(self, value: "exp.Expression") -> "exp.Expression":
        """Kleene NOT on a truth, plain NOT on a mask: SQL's NOT is both."""
        from sqlglot import exp

        if _is_literal(value, True) or _is_literal(value, False):
            return exp.Boolean(this=not value.this)
        return exp.Paren(this=exp.Not(this=exp.Paren(this=value)))

    def truth(self, condition: Condition | None) -> "exp.Expression":
        """1 / 0 / NULL, written out as a CASE so no engine or optimiser can fold unknown into false."""
        from sqlglot import exp

        if condition is None:
            return exp.Literal.number(1)
        c = fold(condition, self)
        return (
            exp.Case()
            .when(c, exp.Literal.number(1), copy=False)
            .when(exp.Not(this=exp.Paren(this=c)), exp.Literal.number(0), copy=False)
            .else_(exp.Null(), copy=False)
        )

    # ---- the walk's masks (two-valued)
    def const(self, value: bool) -> "exp.Expression":
        return _literal(value)

    def both(self, a: "exp.Expression", b: "exp.Expression") -> "exp.Expression":
        from sqlglot import exp

        if _is_literal(a, False) or _is_literal(b, False):
            return exp.Boolean(this=False)
        if _is_literal(a, True):
            return b
        if _is_literal(b, True):
            return a
        return exp.Paren(this=exp.and_(a, b, wrap=True, copy=False))

    def either(self, a: "exp.Expression", b: "exp.Expression") -> "exp.Expression":
        from sqlglot import exp

        if _is_literal(a, True) or _is_literal(b, True):
            return exp.Boolean(this=True)
        if _is_literal(a, False):
            return b
        if _is_literal(b, False):
            return a
        return exp.Paren(this=exp.or_(a, b, wrap=True, copy=False))

    def true(self, condition: Condition | None) -> "exp.Expression":
        from sqlglot import exp

        if condition is None:
            return exp.Boolean(this=True)
        return exp.EQ(
            this=exp.Coalesce(this=self._truth_atom(condition), expressions=[exp.Literal.number(0)]),
            expression=exp.Literal.number(1),
        )

    def unknown(self, condition: Condition | None) -> "exp.Expression":
        from sqlglot import exp

        if condition is None:
            return exp.Boolean(this=False)
        return exp.Is(this=self._truth_atom(condition), expression=exp.Null())

    def undecided(self, condition: Condition | None, where: "exp.Expression") -> list[tuple[str, "exp.Expression"]]:
        from sqlglot import exp

        if condition is None or _is_literal(where, False):
            return []
        unknown = lambda truth: exp.Is(this=truth, expression=exp.Null())  # noqa: E731
        named = fold(condition, Undecided(self, unknown, self.both))[1]
        return [(name, self.both(mask, where)) for name, mask in named]

    def decided(self, dispositions: list[tuple[str, "exp.Expression"]]) -> None:
        self.disposition = first_of(dispositions)


def listed(column: "exp.Expression", item: str) -> "exp.Expression":
    """Whether `;`-separated text holds `item` (an exact item match in `;a;b;`, spaces ignored; NULL holds none)."""
    from sqlglot import exp

    padded = exp.Concat(
        expressions=[
            exp.Literal.string(";"),
            exp.Anonymous(
                this="REPLACE",
                expressions=[
                    exp.Coalesce(this=column, expressions=[exp.Literal.string("")]),
                    exp.Literal.string(" "),
                    exp.Literal.string(""),
                ],
            ),
            exp.Literal.string(";"),
        ]
    )
    found = exp.StrPosition(this=padded, substr=exp.Literal.string(f";{item};"))
    return exp.Paren(this=exp.GT(this=found, expression=exp.Literal.number(0)))


def first_of(items: list[tuple[str, "exp.Expression"]]) -> "exp.Expression":
    """CASE WHEN mask THEN 'name' ... END: the name of the first mask that holds (NULL when none)."""
    from sqlglot import exp

    if not items:  # a pack without phases: a CASE needs at least one WHEN
        return exp.Null()
    case = exp.Case()
    for name, mask in items:
        case = case.when(mask, exp.Literal.string(name), copy=False)
    return case


def joined(pieces: list[tuple[str, "exp.Expression"]]) -> "exp.Expression":
    """`;`-joined names whose mask holds, in order, each name once ('' when none)."""
    from sqlglot import exp

    parts: list[exp.Expression] = []
    for k, (name, mask) in enumerate(pieces):
        earlier = [m for other, m in pieces[:k] if other == name]
        once: exp.Expression = mask
        if earlier:  # a name already given by an earlier mask is not given again
            once = exp.Paren(
                this=exp.and_(
                    mask, exp.Not(this=exp.Paren(this=exp.or_(*earlier, wrap=True, copy=False))), wrap=True, copy=False
                )
            )
        parts.append(
            exp.Case().when(once, exp.Literal.string(f";{name}"), copy=False).else_(exp.Literal.string(""), copy=False)
        )
    if not parts:
        return exp.Literal.string("")
    return exp.Substring(this=exp.Concat(expressions=parts), start=exp.Literal.number(2))


def result_expressions(g: Guideline, logic: SqlLogic) -> dict[str, "exp.Expression"]:
    """RESULT_COLUMNS as expressions (over `logic.column(field)`): the shared walk, read off as SQL."""
    from sqlglot import exp

    p = g.pathway
    column = logic.column
    result = walk(p, logic, g.scope_rule)
    rule_ids = [r.id for r in p.rules]
    deciding_rule = first_of(
        ([(g.scope_rule.id, result.outside)] if g.scope_rule is not None else [])
        + [
            (rule_id, logic.either(blocking, deciding))
            for rule_id, blocking, deciding in zip(rule_ids, result.rules.blocking, result.rules.deciding, strict=True)
        ]
    )
    phased = [mask for disposition, mask in result.dispositions if disposition == p.phased_disposition]
    next_milestone_week: exp.Expression = exp.Null()
    if phased and g.clocks:
        weeks = column(g.clocks[0])  # the main clock, as `next_milestone` counts it
        milestone = exp.Case()
        for week in sorted({m.week for m in p.milestones}):
            milestone = milestone.when(
                exp.LT(this=weeks, expression=exp.Literal.number(week)), exp.Literal.number(week), copy=False
            )
        next_milestone_week = exp.Case().when(functools.reduce(logic.either, phased), milestone, copy=False)
    return {
        "disposition": first_of(result.dispositions),
        "urgent": result.urgent,
        "deciding_rule": deciding_rule,
        "missing": joined(result.rules.missing),
        "phase": first_of([(ph.id, mask) for ph, mask in zip(p.phases, result.phases.deciding, strict=True)]),
        "warnings": joined(result.warnings),
        "next_milestone_week": next_milestone_week,
    }


# ------------------------------------------------------------------------------------------------ queries


def sql_table(name: str) -> "exp.Table":
    from sqlglot import exp

    # A plain (catalog.)(schema.)table name: anything else is more likely a slip than a table.
    if not TABLE_NAME.fullmatch(name):
        raise PathwayError(
            [
                Problem(
                    field="--table",
                    message=f"{name!r} is not a table name like cases or warehouse.spine_visits (letters, digits, _)",
                )
            ]
        )
    return exp.to_table(name)


def pathway_select(
    g: Guideline | None = None, table: str = DEFAULT_TABLE, layered: bool = True, columns: list[str] | None = None
) -> "exp.Select":
    """The query as one sqlglot tree: every column of `table` (or just `columns`), then RESULT_COLUMNS.

    Layered: an inner select adds each rule's and phase's truth as a helper column, computed once per row, and
    the outer select reads them and leaves them out, either by naming `columns` (any dialect) or from `*` (for
    dialects with `* EXCLUDE` / `* EXCEPT`). Flat (Spark SQL, Postgres over a table whose columns are not
    known here): one select that repeats the truths where the walk reads them.
    """
    from sqlglot import exp

    g = g or load_guideline()
    logic = SqlLogic(lambda field: exp.column(field), layered=layered)
    results = [exp.alias_(e, name, copy=False) for name, e in result_expressions(g, logic).items()]
    kept: list[exp.Expression] = [exp.column(c) for c in columns] if columns else [exp.Star()]
    if not logic.helpers:
        return exp.select(*kept, *results, copy=False).from_(sql_table(table), copy=False)
    helpers = list(logic.helpers.values())
    inner = exp.select(exp.Star(), *(exp.alias_(truth, name, copy=False) for name, truth in helpers), copy=False)
    truths = inner.from_(sql_table(table), copy=False).subquery(DEFAULT_TABLE, copy=False)
    if not columns:
        kept = [exp.Star(except_=[exp.column(name) for name, _ in helpers])]
    return exp.select(*kept, *results, copy=False).from_(truths, copy=False)


def pathway_sql(dialect: str, g: Guideline | None = None, table: str = DEFAULT_TABLE, pretty: bool = True) -> str:
    """The query's text in one dialect (one of DIALECTS)."""
    if dialect not in DIALECTS:
        raise PathwayError(
            [Problem(field="--dialect", message=f"unknown dialect {dialect!r}; use one of {', '.join(DIALECTS)}")]
        )
    return pathway_select(g, table, layered=dialect in LAYERED_DIALECTS).sql(dialect=dialect, pretty=pretty)


def expected_table(dialect: str, g: Guideline | None = None, table: str = DEFAULT_TABLE) -> str:
    """The table the query reads, as CREATE TABLE text (case columns only; other columns are carried through)."""
    from sqlglot import exp

    g = g or load_guideline()
    columns = [
        exp.ColumnDef(this=exp.to_identifier(f), kind=exp.DataType.build(column_type(f))) for f in g.decision_fields
    ]
    create = exp.Create(this=exp.Schema(this=sql_table(table), expressions=columns), kind="TABLE")
    return create.sql(dialect=dialect, pretty=True)
