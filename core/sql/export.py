"""`python -m core export-sql`: the query an analyst runs where the data lives, with the table it expects."""

from core.engine.guideline import Guideline, load_guideline
from core.sql.compile import DEFAULT_TABLE, expected_table, pathway_sql


def _comment(text: str) -> list[str]:
    return [f"-- {line}".rstrip() for line in text.splitlines()]


def export_sql_text(dialect: str, table: str = DEFAULT_TABLE, g: Guideline | None = None) -> str:
    """A runnable SQL file: comments (notice, version, the expected table), then the query."""
    g = g or load_guideline()
    lines = _comment(g.info.notice.strip())
    lines += _comment(
        f"Spine pathway, guideline version {g.info.version}, compiled for {dialect}.\n"
        f"Reads table {table}: one row per case; the columns below (NULL = unknown; proposed as `;`-separated\n"
        "text); any other columns are carried through. Adds disposition, urgent, deciding_rule, missing, phase,\n"
        "warnings (missing and warnings `;`-separated) and next_milestone_week.\n"
        "Values must already meet the case format (python -m core cohort checks a file and names bad cells).\n"
        "The table it expects:"
    )
    lines += _comment(expected_table(dialect, g, table))
    return "\n".join(lines) + "\n" + pathway_sql(dialect, g, table) + ";\n"
