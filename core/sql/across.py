"""Two pathways compiled into one query over one table of cases: each case's disposition, class and deciding rule
under both, and their cross-tab as a GROUP BY, so an engine hands back a few counts instead of every row.

Each pathway is the one walk read off as SQL (`core.sql.compile.result_expressions`); nothing about the rules is
written here. The query has three layers: the truths of both pathways' rules as helper columns (named per
pathway, computed once per row), the two dispositions and deciding rules, then each disposition's class. A row
whose `error` is set (bad under either pathway; checked in Python) keeps its place with no answers and is left
out of the counts.

The table (`cases`) has a typed column per field either pathway reads (as `typed_table` gives them), ROW_COLUMN,
`case_id` and `error`.
"""

from typing import TYPE_CHECKING

from core.analyses.cohort import ERROR_COLUMN, ID_COLUMN
from core.analyses.cohort_across import CASES_COLUMNS, CROSSTAB_COLUMNS
from core.engine.guideline import Guideline
from core.sql.compile import DEFAULT_TABLE, SqlLogic, result_expressions, sql_table
from core.sql.engines import ROW_COLUMN

if TYPE_CHECKING:
    from sqlglot import exp

SIDES = ("a", "b")


def _class_of(disposition: "exp.Expression", g: Guideline) -> "exp.Expression":
    from sqlglot import exp

    case = exp.Case()
    for d in g.pathway.dispositions:
        case = case.when(
            exp.EQ(this=disposition, expression=exp.Literal.string(d.id)), exp.Literal.string(d.class_), copy=False
        )
    return case


def across_select(a: Guideline, b: Guideline, table: str = DEFAULT_TABLE) -> "exp.Select":
    """Every row of `table`: ROW_COLUMN, then CASES_COLUMNS (answers NULL on a row with an error)."""
    from sqlglot import exp

    helpers: list[tuple[str, exp.Expression]] = []
    decided: list[exp.Expr] = [exp.column(c) for c in (ROW_COLUMN, ID_COLUMN, ERROR_COLUMN)]
    for g, side in zip((a, b), SIDES, strict=True):
        logic = SqlLogic(exp.column, layered=True, helper_prefix=f"pathway_{side}_truth_")
        results = result_expressions(g, logic)
        helpers += list((logic.helpers or {}).values())
        decided += [exp.alias_(results[n], f"{n}_{side}", copy=False) for n in ("disposition", "deciding_rule")]
    truths = exp.select(exp.Star(), *(exp.alias_(truth, name, copy=False) for name, truth in helpers), copy=False)
    inner = truths.from_(sql_table(table), copy=False).subquery("truths", copy=False)
    middle = exp.select(*decided, copy=False).from_(inner, copy=False).subquery("decided", copy=False)

    good = exp.Is(this=exp.column(ERROR_COLUMN), expression=exp.Null())

    def answer(value: exp.Expression, name: str) -> exp.Expr:
        return exp.alias_(exp.Case().when(good, value, copy=False), name, copy=False)

    answers: dict[str, exp.Expr] = {}
    for g, side in zip((a, b), SIDES, strict=True):
        disposition = exp.column(f"disposition_{side}")
        answers[f"disposition_{side}"] = answer(disposition, f"disposition_{side}")
        answers[f"class_{side}"] = answer(_class_of(disposition, g), f"class_{side}")
        answers[f"deciding_rule_{side}"] = answer(exp.column(f"deciding_rule_{side}"), f"deciding_rule_{side}")
    outer = [answers.get(name, exp.column(name)) for name in CASES_COLUMNS]
    return exp.select(exp.column(ROW_COLUMN), *outer, copy=False).from_(middle, copy=False)


def crosstab_select(a: Guideline, b: Guideline, table: str = DEFAULT_TABLE) -> "exp.Select":
    """CROSSTAB_COLUMNS: the good rows counted by (class under A, class under B), ordered by the two classes."""
    from sqlglot import exp

    rows = across_select(a, b, table).subquery("across", copy=False)
    pair = [exp.column("class_a"), exp.column("class_b")]
    selected = {
        "pathway_a": exp.Literal.string(a.info.id),
        "class_a": pair[0],
        "pathway_b": exp.Literal.string(b.info.id),
        "class_b": pair[1],
        "cases": exp.Count(this=exp.Star()),
    }
    return (
        exp.select(*(exp.alias_(selected[name], name, copy=False) for name in CROSSTAB_COLUMNS), copy=False)
        .from_(rows, copy=False)
        .where(exp.Is(this=exp.column(ERROR_COLUMN), expression=exp.Null()), copy=False)
        .group_by(*pair, copy=False)
        .order_by(*pair, copy=False)
    )


_TEXTS: dict[tuple[int, int, str], tuple[Guideline, Guideline, dict[str, str]]] = {}


def across_queries(a: Guideline, b: Guideline, dialect: str) -> dict[str, str]:
    """The two queries' texts in one dialect: `crosstab`, and `cases` (every row, in file order). Kept per pair
    of guidelines (kept with them, so their ids are not reused meanwhile): compiling takes a second or two."""
    from sqlglot import exp

    key = (id(a), id(b), dialect)
    if key not in _TEXTS:
        rows = across_select(a, b).subquery("across", copy=False)
        cases = exp.select(*(exp.column(c) for c in CASES_COLUMNS)).from_(rows).order_by(exp.column(ROW_COLUMN))
        texts = {"crosstab": crosstab_select(a, b).sql(dialect=dialect), "cases": cases.sql(dialect=dialect)}
        _TEXTS[key] = (a, b, texts)
    return _TEXTS[key][2]
