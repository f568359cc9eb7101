"""The `progression` command: a visits file in, the progression links and per-visit results out, and a text
account for a person (core.analyses.progression does the work)."""

import argparse
from pathlib import Path

import pandas as pd

from core.analyses.cohort import ID_COLUMN, file_format, write_results
from core.analyses.progression import Progression, merged_small_links
from core.engine.guideline import Guideline
from core.errors import PathwayError, Problem


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with text cells that a spreadsheet would run as a formula (=, +, -, @, tab, return) prefixed by an
    apostrophe, for CSV written from a file a person uploaded."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype) or not (
            column.dtype == object or pd.api.types.is_string_dtype(column)
        ):
            continue
        text = column.astype("string")
        risky = text.str.match(r"^[=+\-@\t\r]").fillna(False).to_numpy(dtype=bool)
        if risky.any():
            out[name] = text.where(~risky, "'" + text)
    return out


def progression_text(progression: Progression, links: pd.DataFrame, name: str) -> str:
    s = progression.summary
    lines = [
        f"{name}: {s.rows:,} visit rows, {s.courses:,} courses, {s.bad_rows:,} bad rows (not applied). "
        f"Guideline version {s.guideline_version}. Educational decision support, not a medical device."
    ]
    for row in s.bad[:20]:
        label = f" ({ID_COLUMN} {row.case_id})" if row.case_id else ""
        lines.append(f"  row {row.row}{label}: {row.field}: {row.reason}")
    if s.bad_rows > 20:
        lines.append(f"  ... and {s.bad_rows - 20:,} more")
    if s.courses_without_visits:
        shown = ", ".join(s.courses_without_visits[:20])
        lines.append(
            f"Courses with no good visit (not counted): {shown}"
            + (" ..." if len(s.courses_without_visits) > 20 else "")
        )
    lines.append("Progression (courses between neighbouring milestones):")
    lines += [
        f"  week {r.from_week:>3} {r.from_state:<34} -> week {r.to_week:>3} {r.to_state:<34} {r.courses:>8,}"
        for r in links.itertuples()
    ]
    return "\n".join(lines) + "\n"


def progression_main(args: argparse.Namespace, g: Guideline) -> int:
    """`python -m core progression`: the links to --out (or the text account), per-visit results to --visits-out."""
    if args.min_count < 1:
        raise PathwayError([Problem(field="--min-count", message="must be 1 or more")])
    for out in (args.out, args.visits_out):
        if out:
            file_format(out)
    from core.sql.cohort_engines import EngineOptions
    from core.sql.course_engines import run_progression_file

    options = EngineOptions(engine=args.engine, memory_limit=args.memory_limit, spark_master=args.spark_master)
    progression, links = run_progression_file(args.visits, options, g)
    links = merged_small_links(links, args.min_count)
    if args.visits_out:
        visits = progression.visits
        write_results(neutralised(visits) if file_format(args.visits_out) == "csv" else visits, args.visits_out)
    if args.out:
        write_results(links, args.out)
    print(progression_text(progression, links, str(Path(args.visits).name)), end="")
    return 0
