"""Command line: `python -m core evaluate CASE.json`, `validate`, `cohort CASES.csv`, `verify`.

Errors a user can fix exit with status 2 and one line per problem on stderr; never a traceback.
"""
import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.cohort import evaluate_cohort, file_format, read_cohort, summary_text, write_results
from core.engine import evaluate_case
from core.errors import PathwayError, Problem
from core.guideline import DATA_DIR, load_guideline
from core.summary import evaluation_text
from core.verify import load_invariants, report_text, verification_report


def read_json(path: str) -> Any:
    """Parse a JSON file (or `-` for standard input), turning I/O and syntax errors into a PathwayError."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return json.loads(text)
    except FileNotFoundError:
        raise PathwayError([Problem(field=path, message="file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PathwayError([Problem(field=path, message=f"cannot read: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise PathwayError([Problem(field=path, message=f"not valid JSON ({exc.msg} at line {exc.lineno})")]) from None


def _evaluate(args: argparse.Namespace) -> int:
    evaluation = evaluate_case(read_json(args.case))
    if args.format == "json":
        print(evaluation.model_dump_json(indent=2))
    else:
        print(evaluation_text(evaluation, load_guideline()), end="")
    return 0


def _validate(args: argparse.Namespace) -> int:
    g = load_guideline(Path(args.data))
    print(
        f"{args.data}: valid. Guideline {g.info.version}: {len(g.statements)} statements, "
        f"{len(g.references)} references, {len(g.pathway.rules)} rules, {len(g.pathway.warnings)} warnings, "
        f"{len(g.scenarios)} scenarios."
    )
    return 0


def _cohort(args: argparse.Namespace) -> int:
    if args.out:
        file_format(args.out)  # refuse an unsupported output type before doing the work
    result = evaluate_cohort(read_cohort(args.cases))
    if args.out:
        write_results(result.results, args.out)
    if args.format == "json":
        print(result.summary.model_dump_json(indent=2))
    else:
        print(summary_text(result.summary, args.cases), end="")
        if args.out:
            print(f"Results: {args.out}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    g = load_guideline(Path(args.data))
    report = verification_report(g, load_invariants(g, Path(args.data)))
    print(report.model_dump_json(indent=2) if args.format == "json" else report_text(report), end="")
    if args.format == "json":
        print()
    return 0 if report.passed else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Spine Pathway Explorer (educational use only).")
    commands = parser.add_subparsers(dest="command", required=True)

    evaluate = commands.add_parser("evaluate", help="evaluate one case from a JSON file (- for stdin)")
    evaluate.add_argument("case")
    evaluate.add_argument("--format", choices=["text", "json"], default="text")
    evaluate.set_defaults(run=_evaluate)

    validate = commands.add_parser("validate", help="check the guideline data files")
    validate.add_argument("--data", default=str(DATA_DIR), help="data directory (default: the project's data/)")
    validate.set_defaults(run=_validate)

    cohort = commands.add_parser("cohort", help="evaluate every row of a CSV or Parquet file of cases")
    cohort.add_argument("cases", help="CASES.csv or CASES.parquet")
    cohort.add_argument("--out", help="write the rows with their results (and errors) to .csv or .parquet")
    cohort.add_argument("--format", choices=["text", "json"], default="text", help="summary format")
    cohort.set_defaults(run=_cohort)

    verify = commands.add_parser("verify", help="check the whole pathway on every outcome it can produce (exit 1 on failure)")
    verify.add_argument("--format", choices=["text", "json"], default="text")
    verify.add_argument("--data", default=str(DATA_DIR), help="data directory (default: the project's data/)")
    verify.set_defaults(run=_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except PathwayError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
