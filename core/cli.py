"""Command line: `python -m core evaluate CASE.json`, `python -m core validate`.

Errors a user can fix exit with status 2 and one line per problem on stderr; never a traceback.
"""
import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.audit import audit_guideline, audit_text
from core.engine import evaluate_case
from core.errors import PathwayError, Problem
from core.guideline import DATA_DIR, load_guideline
from core.summary import evaluation_text


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


def _audit(args: argparse.Namespace) -> int:
    report = audit_guideline(load_guideline(Path(args.data)))
    if args.format == "json":
        print(report.model_dump_json(indent=2))
    else:
        print(audit_text(report), end="")
    return 0


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

    audit = commands.add_parser("audit", help="audit citations: unresolved numbers, unused references, mismatches")
    audit.add_argument("--format", choices=["text", "json"], default="text")
    audit.add_argument("--data", default=str(DATA_DIR), help="data directory (default: the project's data/)")
    audit.set_defaults(run=_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except PathwayError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
