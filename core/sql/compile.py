"""The pathway compiled to one SQL query over a table of cases, built as a sqlglot tree and emitted per dialect.

The table (default `cases`) has a column per case key read by the pathway, typed BOOLEAN / INTEGER / VARCHAR
(`proposed` as `;`-separated text), NULL meaning unknown; other columns are carried through. The query selects
every column of the table followed by RESULT_COLUMNS, with the semantics of `evaluate_frame` (and, for
`next_milestone_week`, of `evaluate_case`).

Why it is exact: SQL's NULL logic for AND / OR / NOT is Kleene logic, the engine's own three-valued logic, so a
condition compiles node for node. Each rule's truth is written as an explicit
`CASE WHEN c THEN 1 WHEN NOT (c) THEN 0 ELSE NULL END`, and the tree is never handed to sqlglot's optimiser or
simplifier: boolean simplifiers are known to get NULL semantics wrong, and nothing here needs them.
"""
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.analyses.frame import CONSERVATIVE_CARE
from core.engine.case import BOOL_FIELDS, INT_FIELDS
from core.engine.conditions import AllOf, AnyOf, Condition, NotOf, Test
from core.engine.guideline import NEEDS_INFORMATION, Guideline, load_guideline, pathway_fields
from core.errors import PathwayError, Problem

if TYPE_CHECKING:
    from sqlglot import exp

DIALECTS = ("duckdb", "spark", "postgres", "bigquery", "snowflake")
DEFAULT_TABLE = "cases"
TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")
RESULT_COLUMNS = ("disposition", "urgent", "deciding_rule", "missing", "phase", "warnings", "next_milestone_week")
RESULT_TYPES = {"disposition": "VARCHAR", "urgent": "BOOLEAN", "deciding_rule": "VARCHAR", "missing": "VARCHAR",
                "phase": "VARCHAR", "warnings": "VARCHAR", "next_milestone_week": "INTEGER"}


def column_type(field: str) -> str:
    """The SQL type a case column has in the table the query reads."""
    return "BOOLEAN" if field in BOOL_FIELDS else "INTEGER" if field in INT_FIELDS else "VARCHAR"


# ------------------------------------------------------------------------------------------ the algebra

def _literal(value: Any) -> "exp.Expression":
    from sqlglot import exp

    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


@dataclass(frozen=True)
class SqlTruth:
    """Truth values as SQL boolean expressions (NULL = unknown); `column(field)` gives the expression a field
    reads (a table column, or the computed disposition for warnings)."""

    column: Callable[[str], "exp.Expression"]

    def constant(self, value: bool) -> "exp.Expression":
        return _literal(value)

    def test(self, test: Test) -> "exp.Expression":
        from sqlglot import exp

        column = self.column(test.field)
        if test.op == "includes":
            # `proposed` is never unknown (absent = nothing proposed): an exact item match in `;a;b;`, spaces ignored.
            padded = exp.Concat(expressions=[
                exp.Literal.string(";"),
                exp.Anonymous(this="REPLACE", expressions=[
                    exp.Coalesce(this=column, expressions=[exp.Literal.string("")]),
                    exp.Literal.string(" "), exp.Literal.string("")]),
                exp.Literal.string(";")])
            found = exp.StrPosition(this=padded, substr=exp.Literal.string(f";{test.value};"))
            return exp.Paren(this=exp.GT(this=found, expression=exp.Literal.number(0)))
        if test.op in ("in", "not_in"):
            items = list(test.value) if isinstance(test.value, list) else [test.value]
            if not items:  # `x in []`: false when x is known, unknown when it is not
                empty = exp.Case().when(exp.Is(this=column, expression=exp.Null()), exp.Null())
                return empty.else_(exp.Boolean(this=test.op == "not_in"))
            member = exp.In(this=column, expressions=[_literal(v) for v in items])
            return exp.Paren(this=exp.Not(this=member)) if test.op == "not_in" else member
        comparison = {"is": exp.EQ, "is_not": exp.NEQ, "ge": exp.GTE, "gt": exp.GT, "le": exp.LTE, "lt": exp.LT}
        return comparison[test.op](this=column, expression=_literal(test.value))

    def all(self, parts: Sequence["exp.Expression"]) -> "exp.Expression":
        from sqlglot import exp

        if not parts:
            return self.constant(True)
        return exp.Paren(this=exp.and_(*parts, wrap=True)) if len(parts) > 1 else parts[0]

    def any(self, parts: Sequence["exp.Expression"]) -> "exp.Expression":
        from sqlglot import exp

        if not parts:
            return self.constant(False)
        return exp.Paren(this=exp.or_(*parts, wrap=True)) if len(parts) > 1 else parts[0]

    def negate(self, inner: "exp.Expression") -> "exp.Expression":
        from sqlglot import exp

        return exp.Paren(this=exp.Not(this=exp.Paren(this=inner)))


def fold(condition: Condition | None, algebra: SqlTruth) -> "exp.Expression":
    """One pass over the condition tree; a missing condition always holds (like `holds`)."""
    match condition:
        case None:
            return algebra.constant(True)
        case Test():
            return algebra.test(condition)
        case AllOf():
            return algebra.all([fold(c, algebra) for c in condition.all])
        case AnyOf():
            return algebra.any([fold(c, algebra) for c in condition.any])
        case NotOf():
            return algebra.negate(fold(condition.negated, algebra))
    raise AssertionError(type(condition))


def undecided_paths(condition: Condition | None) -> Iterator[tuple[str, list[Condition]]]:
    """(field, nodes from the root to its leaf) for every leaf, depth first: a field is undecided on a row when
    every node on its path is unknown there (the masks of `evaluate_frame`'s `undecided`)."""
    def walk(node: Condition, path: list[Condition]) -> Iterator[tuple[str, list[Condition]]]:
        path = [*path, node]
        match node:
            case Test():
                yield node.field, path
            case AllOf() | AnyOf():
                for part in node.all if isinstance(node, AllOf) else node.any:
                    yield from walk(part, path)
            case NotOf():
                yield from walk(node.negated, path)

    if condition is not None:
        yield from walk(condition, [])


# ----------------------------------------------------------------------------------------- the rule walk

def truth(condition: Condition | None, algebra: SqlTruth) -> "exp.Expression":
    """1 / 0 / NULL, written out so no engine or optimiser can fold unknown into false."""
    from sqlglot import exp

    if condition is None:
        return exp.Literal.number(1)
    c = fold(condition, algebra)
    return (exp.Case().when(c, exp.Literal.number(1))
            .when(exp.Not(this=exp.Paren(this=c.copy())), exp.Literal.number(0)).else_(exp.Null()))


def _is_null(e: "exp.Expression") -> "exp.Expression":
    from sqlglot import exp

    return exp.Is(this=e.copy(), expression=exp.Null())


def _is_one(e: "exp.Expression") -> "exp.Expression":
    from sqlglot import exp

    return exp.EQ(this=e.copy(), expression=exp.Literal.number(1))


def _not_one(e: "exp.Expression") -> "exp.Expression":
    """Two-valued: the truth is false or unknown."""
    from sqlglot import exp

    return exp.NEQ(this=exp.Coalesce(this=e.copy(), expressions=[exp.Literal.number(0)]),
                   expression=exp.Literal.number(1))


def first_not_false(truths: Sequence["exp.Expression"], unknown: Callable[[int], "exp.Expression"],
                    true: Callable[[int], "exp.Expression"]) -> "exp.Expression":
    """The walk: the first item whose truth is not false decides, with `unknown(n)` or `true(n)`."""
    from sqlglot import exp

    case = exp.Case()
    for n, t in enumerate(truths):
        case = case.when(_is_null(t), unknown(n)).when(_is_one(t), true(n))
    return case


def joined(pieces: Sequence[tuple[str, "exp.Expression"]]) -> "exp.Expression":
    """`;`-joined names whose two-valued mask holds, in order ('' when none)."""
    from sqlglot import exp

    if not pieces:
        return exp.Literal.string("")
    parts = [exp.Case().when(mask, exp.Literal.string(f";{name}")).else_(exp.Literal.string(""))
             for name, mask in pieces]
    return exp.Substring(this=exp.Concat(expressions=parts), start=exp.Literal.number(2))


def _and(masks: Sequence["exp.Expression"]) -> "exp.Expression":
    from sqlglot import exp

    return exp.and_(*masks, wrap=True) if masks else exp.Boolean(this=True)


def result_expressions(g: Guideline, column: Callable[[str], "exp.Expression"]) -> dict[str, "exp.Expression"]:
    """RESULT_COLUMNS as expressions over `column(field)`."""
    from sqlglot import exp

    p = g.pathway
    cases = SqlTruth(column)
    rule_truths = [truth(r.when, cases) for r in p.rules]
    string = exp.Literal.string

    disposition = first_not_false(rule_truths, lambda n: string(NEEDS_INFORMATION),
                                  lambda n: string(p.rules[n].disposition))
    deciding_rule = first_not_false(rule_truths, lambda n: string(p.rules[n].id), lambda n: string(p.rules[n].id))

    def urgent_if_decided(n: int) -> exp.Expression:
        rule = p.rules[n]
        if g.disposition(rule.disposition).urgent or rule.urgent_when is None:
            return exp.Boolean(this=g.disposition(rule.disposition).urgent)
        return exp.Case().when(fold(rule.urgent_when, cases), exp.Boolean(this=True)).else_(exp.Boolean(this=False))

    urgent = first_not_false(rule_truths, lambda n: exp.Boolean(this=g.disposition(NEEDS_INFORMATION).urgent),
                             urgent_if_decided)

    # missing: each unknown rule ahead of the first true one names its undecided fields; a field once only.
    entries: list[tuple[str, exp.Expression]] = []
    for n, rule in enumerate(p.rules):
        reached = [_not_one(t) for t in rule_truths[:n]]
        for field, path in undecided_paths(rule.when):
            entries.append((field, _and(reached + [_is_null(fold(node, cases)) for node in path])))
    pieces = []
    for k, (field, mask) in enumerate(entries):
        earlier = [m.copy() for f, m in entries[:k] if f == field]
        once = _and([mask.copy(), exp.Not(this=exp.Paren(this=exp.or_(*earlier, wrap=True)))]) if earlier else mask
        pieces.append((field, once))
    missing = joined(pieces)

    is_conservative = exp.EQ(this=disposition.copy(), expression=string(CONSERVATIVE_CARE))
    phase_truths = [truth(ph.when, cases) for ph in p.phases]
    phase_walk = first_not_false(phase_truths, lambda n: exp.Null(), lambda n: string(p.phases[n].id))
    phase = exp.Case().when(is_conservative, phase_walk)

    def read_with_disposition(field: str) -> exp.Expression:
        return disposition.copy() if field == "disposition" else column(field)

    warning_truth = SqlTruth(read_with_disposition)
    warnings = joined([(w.id, exp.Coalesce(this=fold(w.when, warning_truth), expressions=[exp.Boolean(this=False)]))
                       for w in p.warnings])

    weeks = column("weeks_conservative")
    milestone = exp.Case()
    for week in sorted({m.week for m in p.milestones}):
        milestone = milestone.when(exp.LT(this=weeks.copy(), expression=exp.Literal.number(week)),
                                   exp.Literal.number(week))
    next_milestone_week = exp.Case().when(is_conservative.copy(), milestone) if p.milestones else exp.Null()

    return {"disposition": disposition, "urgent": urgent, "deciding_rule": deciding_rule, "missing": missing,
            "phase": phase, "warnings": warnings, "next_milestone_week": next_milestone_week}


# ------------------------------------------------------------------------------------------------ queries

def _table(name: str) -> "exp.Table":
    from sqlglot import exp

    # A plain (catalog.)(schema.)table name: anything else is more likely a slip than a table.
    if not TABLE_NAME.fullmatch(name):
        raise PathwayError([Problem(field="--table", message=f"{name!r} is not a table name like cases or "
                                                             "warehouse.spine_visits (letters, digits, _)")])
    return exp.to_table(name)


def pathway_select(g: Guideline | None = None, table: str = DEFAULT_TABLE) -> "exp.Select":
    """The query as one sqlglot tree: every column of `table`, then RESULT_COLUMNS."""
    from sqlglot import exp

    g = g or load_guideline()
    results = result_expressions(g, lambda field: exp.column(field))
    select = exp.select(exp.Star(), *(exp.alias_(e, name) for name, e in results.items()))
    return select.from_(_table(table))


def pathway_sql(dialect: str, g: Guideline | None = None, table: str = DEFAULT_TABLE, pretty: bool = True) -> str:
    """The query's text in one dialect (one of DIALECTS)."""
    if dialect not in DIALECTS:
        raise PathwayError([Problem(field="--dialect", message=f"unknown dialect {dialect!r}; use one of "
                                                               f"{', '.join(DIALECTS)}")])
    return pathway_select(g, table).sql(dialect=dialect, pretty=pretty)


def expected_table(dialect: str, g: Guideline | None = None, table: str = DEFAULT_TABLE) -> str:
    """The table the query reads, as CREATE TABLE text (case columns only; other columns are carried through)."""
    from sqlglot import exp

    g = g or load_guideline()
    columns = [exp.ColumnDef(this=exp.to_identifier(f), kind=exp.DataType.build(column_type(f)))
               for f in pathway_fields(g)]
    create = exp.Create(this=exp.Schema(this=_table(table), expressions=columns), kind="TABLE")
    return create.sql(dialect=dialect, pretty=True)
