"""`python -m core export-sql`: the query an analyst runs where the data lives, with the table it expects."""

from core.engine.guideline import Guideline, load_guideline
from core.sql.compile import DEFAULT_TABLE, expected_table, pathway_sql


def _comment(text: str) -> list[str]:
    return [f"-- {line}".rstrip() for line in text.splitlines()]


def _sql_file(g: Guideline, about: str, expected_table: str, query: str) -> str:
    """A runnable SQL file: the notice, what the query reads and gives, the table it expects (as comments), then
    the query."""
    lines = _comment(g.info.notice.strip()) + _comment(about + "\nThe table it expects:") + _comment(expected_table)
    return "\n".join(lines) + "\n" + query + ";\n"


def _lists(g: Guideline) -> str:
    """The pack's list fields for the file's comments, each with a leading space."""
    return "".join(f" {f}" for f in g.schema.list_fields) or " no list field"


def _clock(g: Guideline) -> str:
    return g.clocks[0] if g.clocks else "no field"


def export_sql_text(dialect: str, table: str = DEFAULT_TABLE, g: Guideline | None = None) -> str:
    """A runnable SQL file: comments (notice, version, the expected table), then the query."""
    g = g or load_guideline()
    about = (
        f"Spine pathway, guideline version {g.info.version}, compiled for {dialect}.\n"
        f"Reads table {table}: one row per case; the columns below (NULL = unknown;{_lists(g)} as `;`-separated\n"
        "text); any other columns are carried through. Adds disposition, urgent, deciding_rule, missing, phase,\n"
        "warnings (missing and warnings `;`-separated) and next_milestone_week.\n"
        "Values must already meet the case format (python -m core cohort checks a file and names bad cells)."
    )
    return _sql_file(g, about, expected_table(dialect, g, table), pathway_sql(dialect, g, table))


COURSE_QUERY_TEXT = {
    "visits": "every visit with its case after carry-forward (case keys), visit (its number in the course),\n"
    "disposition, urgent, deciding_rule, missing, phase, warnings, next_milestone_week and state",
    "milestones": "per course: case_id and its state at each milestone week (week_0, week_6, ...)",
    "links": "the progression links: from_week, from_state, to_week, to_state, courses (every count, however\n"
    "small: merge small cells before sharing them, as `progression --min-count K` does)",
}


def export_course_sql_text(query: str, dialect: str, table: str | None = None, g: Guideline | None = None) -> str:
    """A runnable SQL file for courses of care (`query` one of visits, milestones, links): comments (notice,
    version, the visits table it expects), then the query."""
    from core.sql.courses import VISITS_TABLE, course_sql, expected_visits_table

    g = g or load_guideline()
    table = table or VISITS_TABLE
    about = (
        f"Spine pathway courses of care ({query}), guideline version {g.info.version}, compiled for {dialect}.\n"
        f"Reads table {table}: one row per visit, identified by case_id, in week order (visit_seq orders the\n"
        "visits of one course in the same week). A case key that is NULL is not stated at this visit and is\n"
        "carried forward from the course's previous visit; unknown_fields lists (`;`-separated) the keys this\n"
        f"visit makes unknown from then on; {_clock(g)} is the week;{_lists(g)} belongs to its visit only.\n"
        f"Gives {COURSE_QUERY_TEXT[query]}.\n"
        "Rows must already pass the visit checks (python -m core progression checks a file and names bad rows)."
    )
    return _sql_file(g, about, expected_visits_table(dialect, g, table), course_sql(query, dialect, g, table))
