"""Command line: `python -m core evaluate|validate|audit|report|export-fhir|version|conflicts|cohort|verify ...`.

Errors a user can fix exit with status 2 and one line per problem on stderr; never a traceback.
"""
import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.engine.inconsistencies import load_inconsistency_rules
from core.review.conflicts import article_conflicts, load_conflict_specs
from core.analyses.cohort import evaluate_cohort, file_format, read_cohort, summary_text, write_results
from core.review.audit import audit_guideline, audit_text
from core.engine.evaluate import evaluate_case
from core.errors import PathwayError, Problem
from core.review.evidence import evidence_from_yaml, load_evidence, verdict_counts
from core.outputs.fhir import FHIR_RELEASES, export_fhir_json
from core.engine.guideline import DATA_DIR, load_guideline
from core.outputs.report import build_report, report_markdown
from core.outputs.report_html import report_html
from core.outputs.report_pdf import report_pdf
from core.outputs.summary import evaluation_text
from core.review.versioning import HASHED_FILES, record_version, version_status
from core.analyses.verify import load_invariants, report_text, verification_report


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
    data = Path(args.data)
    g = load_guideline(data)
    evidence = load_evidence(data)
    conflicts = load_conflict_specs(data)
    inconsistencies = load_inconsistency_rules(data)
    counts = ", ".join(f"{n} {v}" for v, n in verdict_counts(evidence).items())
    print(
        f"{args.data}: valid. Guideline {g.info.version}: {len(g.statements)} statements, "
        f"{len(g.references)} references, {len(g.pathway.rules)} rules, {len(g.pathway.warnings)} warnings, "
        f"{len(g.scenarios)} scenarios; {sum(len(c) for c in evidence.checks.values())} evidence checks "
        f"({counts}); {len(conflicts)} conflict entries; {len(inconsistencies)} inconsistency checks."
    )
    status = version_status(data)
    print(f"version lock: {'ok' if status.matches else 'NOT OK'}: {status.message}")
    return 0


def _write(out: str | None, payload: str | bytes, binary: bool) -> None:
    """To --out FILE, else to standard output (a PDF only when stdout is not a terminal)."""
    if out is None:
        if binary:
            if sys.stdout.isatty():
                raise PathwayError([Problem(field="--out", message="a PDF is binary: give --out FILE or redirect "
                                                                   "standard output to a file")])
            sys.stdout.flush()
            sys.stdout.buffer.write(payload)  # type: ignore[arg-type]
            sys.stdout.buffer.flush()
        else:
            print(payload, end="")
        return
    try:
        data = payload if isinstance(payload, bytes) else payload.encode("utf-8")
        Path(out).write_bytes(data)
    except OSError as exc:
        raise PathwayError([Problem(field=out, message=f"cannot write: {exc.strerror or exc}")]) from None
    print(f"wrote {out} ({len(data)} bytes)", file=sys.stderr)


def _report(args: argparse.Namespace) -> int:
    g = load_guideline()
    evidence = None
    if args.evidence:
        try:
            evidence = evidence_from_yaml(Path(args.evidence).read_bytes(), g, filename=args.evidence)
        except OSError as exc:
            raise PathwayError([Problem(field=args.evidence, message=f"cannot read: {exc.strerror or exc}")]) from None
    content = build_report(evaluate_case(read_json(args.case), g), g, evidence)
    if args.format == "pdf":
        _write(args.out, report_pdf(content), binary=True)
    else:
        _write(args.out, report_html(content) if args.format == "html" else report_markdown(content), binary=False)
    return 0


def _export_fhir(args: argparse.Namespace) -> int:
    _write(args.out, export_fhir_json(load_guideline(), args.fhir_version), binary=False)
    return 0


def _version(args: argparse.Namespace) -> int:
    data = Path(args.data)
    status = record_version(data) if args.record else version_status(data)
    print(f"version:         {status.version}")
    print(f"recorded:        {status.recorded_version or '-'}")
    print(f"recorded sha256: {status.recorded_hash or '-'}")
    print(f"current sha256:  {status.current_hash}")
    print(f"status:          {'ok' if status.matches else 'MISMATCH'}: {status.message}")
    return 0 if status.matches else 1


def _conflicts(args: argparse.Namespace) -> int:
    for c in article_conflicts():
        print(f"* {c.title} [{c.id}, {c.basis}]")
        print(f"  statements: {', '.join(c.statements) or '-'}")
        for finding in c.findings:
            print(f"  found: {finding}")
        for x in c.examples:
            print(f"  example: {x.label} -> {x.disposition_label} ({x.deciding_rule})")
        print(f"  engine: {c.resolution}")
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

    report = commands.add_parser(
        "report", help="one-page report of a case (md or html to stdout, or --out FILE; pdf needs --out or a "
                       "redirected stdout)")
    report.add_argument("case", help="case JSON file (- for stdin)")
    report.add_argument("--format", choices=["md", "html", "pdf"], default="md")
    report.add_argument("--out", help="write to this file instead of standard output")
    report.add_argument("--evidence", help="a reviewer's evidence file instead of data/evidence.yaml")
    report.set_defaults(run=_report)

    releases = ", ".join(f"{k} = FHIR {v}" for k, v in FHIR_RELEASES.items())
    fhir = commands.add_parser(
        "export-fhir", help=f"the pathway as a FHIR PlanDefinition (JSON; default R4B; {releases})",
        description="Write the pathway as an HL7 FHIR PlanDefinition shaped like the CPG profile. The FHIR "
                    f"release ({releases}) and the guideline version are stated in meta.tag.")
    fhir.add_argument("--out", help="write to this file instead of standard output")
    fhir.add_argument("--fhir-version", choices=list(FHIR_RELEASES), default="R4B")
    fhir.set_defaults(run=_export_fhir)

    version = commands.add_parser(
        "version", help="the data version and whether the recorded content hash still matches (exit 1 if not)",
        description=f"The hash covers the parsed content of {', '.join(HASHED_FILES)} in the data directory.")
    version.add_argument("--data", default=str(DATA_DIR), help="data directory (default: the project's data/)")
    version.add_argument("--record", action="store_true",
                         help="record the current hash for the current version (refused unless the version was bumped)")
    version.set_defaults(run=_version)

    conflicts = commands.add_parser("conflicts", help="the article's own conflicts and how the engine resolves them")
    conflicts.set_defaults(run=_conflicts)

    cohort = commands.add_parser("cohort", help="evaluate every row of a CSV or Parquet file of cases")
    cohort.add_argument("cases", help="CASES.csv or CASES.parquet")
    cohort.add_argument("--out", help="write the rows with their results (and errors) to .csv or .parquet")
    cohort.add_argument("--format", choices=["text", "json"], default="text", help="summary format")
    cohort.set_defaults(run=_cohort)

    verify = commands.add_parser("verify", help="check the whole pathway on every outcome it can produce (exit 1 on failure)")
    verify.add_argument("--format", choices=["text", "json"], default="text")
    verify.add_argument("--data", default=str(DATA_DIR), help="data directory (default: the project's data/)")
    verify.set_defaults(run=_verify)

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
