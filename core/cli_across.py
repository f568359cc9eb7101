"""Commands across pathways: `compare` (one patient under every pathway), `compare-cohort` (a cohort under two,
cross-tabulated by class) and `stances` (who says what on each shared decision topic).

Errors a user can fix exit with status 2 and one line per problem on stderr, as every command does.
"""

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from core.engine.case import VOCABULARY_SCHEMA, parse_case
from core.engine.guideline import Guideline, load_guideline
from core.engine.packs import resolve_pack
from core.errors import PathwayError, Problem
from core.outputs.citations import citation_marks
from core.review.pack_check import library

NOTICE = "Educational decision support, not a medical device."


def chosen_packs(value: str | None, at_least: int = 1) -> list[Guideline]:
    """`--pathways ID,ID,...` as loaded packs (absent: every active pack of the library)."""
    if not value:
        return [load_guideline(resolve_pack(p.id)) for p in library().packs if p.status == "active"]
    names = [n.strip() for n in value.split(",") if n.strip()]
    if len(names) < at_least:
        raise PathwayError([Problem(field="--pathways", message=f"name {at_least} pathways, separated by commas")])
    return [load_guideline(resolve_pack(n)) for n in names]


def _compare(args: argparse.Namespace, read_json: Callable[[str], Any]) -> int:
    from core.analyses.across_pathways import compare_pathways

    case = read_json(args.case)
    # The vocabulary first, as `evaluate` checks a case: a bad value or an unknown field is refused here, not set
    # aside by every pathway in turn; a field one pathway does not read is still allowed.
    parse_case(case, VOCABULARY_SCHEMA)
    comparison = compare_pathways(case, chosen_packs(args.pathways))
    if args.format == "json":
        print(
            json.dumps(
                {"results": [r.model_dump() for r in comparison.results], "summary": comparison.summary}, indent=2
            )
        )
        return 0
    print(comparison.summary)
    for r in comparison.results:
        scope = {True: "in scope", False: "outside its scope", None: "scope not confirmed"}[r.in_scope]
        print(
            f"- {r.title} (v{r.version}, {scope}): {r.disposition_label} [{r.disposition_class}]"
            f"{' URGENT' if r.urgent else ''}, rule {r.deciding_rule}"
        )
        for problem in r.problems:
            print(f"  cannot take {problem} (decided without it)")
        if r.missing:
            print(f"  still needs: {', '.join(r.missing)}")
        if r.statement is not None:
            print(f"  what to do: {r.statement.text} {citation_marks(r.statement.citations, r.statement.origin)}")
        if r.set_aside:
            print(f"  not read by this pathway: {', '.join(r.set_aside)}")
    print(NOTICE)
    return 0


def _compare_cohort(args: argparse.Namespace) -> int:
    from core.analyses.cohort import file_format, write_results
    from core.analyses.cohort_across import cohort_across_text
    from core.sql.across_engines import run_compare_cohort_file
    from core.sql.cohort_engines import EngineOptions

    if args.min_count < 1:
        raise PathwayError([Problem(field="--min-count", message="must be 1 or more")])
    for out in (args.out, args.cases_out):
        if out:
            file_format(out)  # refuse an unsupported output type before doing the work
    a, b = chosen_packs(args.pathways, at_least=2)[:2]
    options = EngineOptions(engine=args.engine, memory_limit=args.memory_limit, spark_master=args.spark_master)
    result = run_compare_cohort_file(args.cohort, a, b, options, args.cases_out, args.min_count)
    write_results(result.crosstab, args.out)
    print(cohort_across_text(result, args.cohort), end="")
    return 0


def _stances(args: argparse.Namespace) -> int:
    from core.review.stances import stance_rows

    rows = stance_rows(chosen_packs(args.pathways))
    if args.format == "json":
        print(rows.astype(object).where(rows.notna(), None).to_json(orient="records", indent=2))
    else:
        rows.to_csv(sys.stdout, index=False)
    return 0


def add_across_commands(
    commands: "argparse._SubParsersAction[argparse.ArgumentParser]",
    read_json: Callable[[str], Any],
    engine_arguments: Callable[[argparse.ArgumentParser, str], None],
) -> None:
    compare = commands.add_parser("compare", help="one case under every pathway: who says what, where they differ")
    compare.add_argument(
        "case", help="case JSON file (- for stdin), checked as evaluate checks it; each pathway reads its own fields"
    )
    compare.add_argument("--pathways", help="ID,ID,... (default: every active pack)")
    compare.add_argument("--format", choices=["text", "json"], default="text")
    compare.set_defaults(run=lambda args: _compare(args, read_json))

    cohort = commands.add_parser(
        "compare-cohort", help="a cohort under two pathways: the cross-tab of their classes, and each case's"
    )
    cohort.add_argument("cohort", metavar="COHORT", help="CASES.csv or CASES.parquet")
    cohort.add_argument("--pathways", required=True, help="A,B: the two pathways")
    cohort.add_argument(
        "--out", required=True, metavar="CROSSTAB.csv", help="pathway_a, class_a, pathway_b, class_b, cases"
    )
    cohort.add_argument(
        "--cases-out", metavar="CASES.csv", help="each case's id and, per pathway, disposition, class, rule"
    )
    cohort.add_argument("--min-count", type=int, default=1, metavar="K", help="merge cells of fewer than K cases")
    engine_arguments(cohort, "DuckDB reading the file and counting")
    cohort.set_defaults(run=_compare_cohort)

    stances = commands.add_parser("stances", help="each pathway's stance on each shared decision topic")
    stances.add_argument("--pathways", help="ID,ID,... (default: every active pack)")
    stances.add_argument("--format", choices=["csv", "json"], default="csv")
    stances.set_defaults(run=_stances)
