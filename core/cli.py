"""Command line: `python -m core COMMAND ...` (evaluate, course, progression, validate, audit, report, export-fhir,
export-sql, version, conflicts, cohort, verify, variant, sweep; pathways, check and pack new in core.cli_library).

Errors a user can fix exit with status 2 and one line per problem on stderr; never a traceback. Output piped into a
reader that stops early (`| head`) ends quietly with status 141, as other command-line tools do.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from core.analyses.cohort import evaluate_cohort, file_format, read_cohort, summary_text, write_results
from core.analyses.course import evaluate_course
from core.analyses.variant_effect import (
    effect_text,
    evaluated_cases,
    sweep,
    sweep_text,
    sweep_values,
    threshold_at,
    variant_effect,
)
from core.analyses.verify import load_invariants, report_text, verification_report
from core.cli_across import add_across_commands
from core.cli_library import add_library_commands
from core.engine.evaluate import evaluate_case
from core.engine.guideline import Guideline, load_guideline
from core.engine.inconsistencies import load_inconsistency_rules
from core.engine.packs import resolve_pack
from core.engine.vocabulary import load_vocabulary
from core.errors import PathwayError, Problem
from core.outputs.course_text import course_text
from core.outputs.fhir import FHIR_RELEASES, export_fhir_json
from core.outputs.provenance import with_provenance
from core.outputs.report import build_report, report_markdown
from core.outputs.report_html import report_html
from core.outputs.summary import evaluation_text
from core.review.audit import audit_guideline, audit_text
from core.review.conflicts import article_conflicts, load_conflict_specs
from core.review.evidence import evidence_from_yaml, load_evidence, verdict_counts
from core.review.variants import Variant, load_variants, variants_from_yaml
from core.review.versioning import HASHED_FILES, record_version, version_status
from core.safe_parse import load_json
from core.sql.cohort_engines import AUTO_DUCKDB_BYTES, ENGINES, EngineOptions, run_cohort_file
from core.sql.compile import DEFAULT_TABLE, DIALECTS
from core.sql.engines import DEFAULT_MEMORY_LIMIT
from core.sql.export import COURSE_QUERY_TEXT, export_course_sql_text, export_sql_text


def read_json(path: str) -> Any:
    """Parse a JSON file (or `-` for standard input), turning I/O and syntax errors into a PathwayError."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PathwayError([Problem(field=path, message="file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PathwayError([Problem(field=path, message=f"cannot read: {exc}")]) from None
    return load_json(text, "standard input" if path == "-" else path)


def data_dir(value: str) -> Path:
    """The `--data` directory; PathwayError when it is missing, a file, or cannot be listed."""
    path = Path(value)
    if not path.exists():
        raise PathwayError([Problem(field="--data", message=f"{value}: no such directory")])
    if not path.is_dir():
        raise PathwayError([Problem(field="--data", message=f"{value}: is a file; give the data directory")])
    try:
        next(path.iterdir(), None)
    except OSError as exc:
        raise PathwayError([Problem(field="--data", message=f"{value}: cannot read: {exc.strerror or exc}")]) from None
    return path


def pack_folder(args: argparse.Namespace) -> Path:
    """The pack a command reads: `--data DIR` (checked as today), `--pathway ID|DIR`, else today's pathway."""
    if args.data is not None:
        return data_dir(args.data)
    try:
        return resolve_pack(args.pathway)
    except PathwayError as exc:
        raise PathwayError([Problem(field="--pathway", message=p.message) for p in exc.problems]) from None


def chosen_guideline(args: argparse.Namespace) -> Guideline:
    return load_guideline(pack_folder(args))


def _evaluate(args: argparse.Namespace) -> int:
    g = chosen_guideline(args)
    evaluation = evaluate_case(read_json(args.case), g)
    if args.format == "json":
        print(evaluation.model_dump_json(indent=2))
    else:
        print(evaluation_text(evaluation, g), end="")
    return 0


def _course(args: argparse.Namespace) -> int:
    g = chosen_guideline(args)
    result = evaluate_course(read_json(args.course), g)
    print(result.model_dump_json(indent=2) if args.format == "json" else course_text(result, g), end="")
    if args.format == "json":
        print()
    return 0


def _progression(args: argparse.Namespace) -> int:
    from core.analyses.progression_command import progression_main  # pandas only for this command

    return progression_main(args, chosen_guideline(args))


def _validate(args: argparse.Namespace) -> int:
    data = pack_folder(args)
    g = load_guideline(data)
    evidence = load_evidence(data)
    conflicts = load_conflict_specs(data)
    inconsistencies = load_inconsistency_rules(data)
    counts = ", ".join(f"{n} {v}" for v, n in verdict_counts(evidence).items())
    print(
        f"{data}: valid. Guideline {g.info.version}: {len(g.statements)} statements, "
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
                raise PathwayError(
                    [
                        Problem(
                            field="--out",
                            message="a PDF is binary: give --out FILE or redirect standard output to a file",
                        )
                    ]
                )
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
    g = chosen_guideline(args)
    evidence = None
    if args.evidence:
        try:
            evidence = evidence_from_yaml(Path(args.evidence).read_bytes(), g, filename=args.evidence)
        except OSError as exc:
            raise PathwayError([Problem(field=args.evidence, message=f"cannot read: {exc.strerror or exc}")]) from None
    content = build_report(evaluate_case(read_json(args.case), g), g, evidence)
    if args.format == "pdf":
        from core.outputs.report_pdf import report_pdf  # fpdf's fonts cost every other command 0.4 s to import

        _write(args.out, report_pdf(content), binary=True)
    else:
        _write(args.out, report_html(content) if args.format == "html" else report_markdown(content), binary=False)
    return 0


def _export_fhir(args: argparse.Namespace) -> int:
    _write(args.out, export_fhir_json(chosen_guideline(args), args.fhir_version), binary=False)
    return 0


def _version(args: argparse.Namespace) -> int:
    data = pack_folder(args)
    status = record_version(data) if args.record else version_status(data)
    print(f"version:         {status.version}")
    print(f"recorded:        {status.recorded_version or '-'}")
    print(f"recorded sha256: {status.recorded_hash or '-'}")
    print(f"current sha256:  {status.current_hash}")
    print(f"status:          {'ok' if status.matches else 'MISMATCH'}: {status.message}")
    return 0 if status.matches else 1


def _conflicts(args: argparse.Namespace) -> int:
    for c in article_conflicts(pack_folder(args)):
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
    options = EngineOptions(engine=args.engine, memory_limit=args.memory_limit, spark_master=args.spark_master)
    summary = run_cohort_file(args.cases, args.out, options, chosen_guideline(args))
    if args.format == "json":
        print(summary.model_dump_json(indent=2))
    else:
        print(summary_text(summary, args.cases), end="")
        if args.out:
            print(f"Results: {args.out}")
    return 0


def _export_sql(args: argparse.Namespace) -> int:
    g = chosen_guideline(args)
    if args.query == "cases":
        text = export_sql_text(args.dialect, args.table or DEFAULT_TABLE, g)
    else:
        text = export_course_sql_text(args.query, args.dialect, args.table, g)
    _write(args.out, text, binary=False)
    return 0


def _pathway_arguments(parser: argparse.ArgumentParser) -> None:
    """--pathway (an id or a pack folder) and --data (a pack folder), the same for every command reading a pack."""
    chosen = parser.add_mutually_exclusive_group()
    chosen.add_argument(
        "--pathway",
        metavar="ID_OR_DIR",
        help="the pack: an id listed by `python -m core pathways`, or a pack folder anywhere (default: "
        "today's pathway)",
    )
    chosen.add_argument("--data", metavar="DIR", help="a pack folder (the same as --pathway DIR)")


def _engine_arguments(parser: argparse.ArgumentParser, duckdb_role: str) -> None:
    """--engine, --memory-limit and --spark-master, the same for every command that can run on SQL engines."""
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help=f"who decides the rows: pandas in memory, {duckdb_role}, or Spark SQL "
        f"(auto: DuckDB for files over {AUTO_DUCKDB_BYTES // 2**20} MB)",
    )
    parser.add_argument(
        "--memory-limit",
        default=DEFAULT_MEMORY_LIMIT,
        help="DuckDB's memory limit; past it DuckDB spills to a temporary folder (default 1GB)",
    )
    parser.add_argument(
        "--spark-master",
        default="local[1]",
        help="Spark master URL for --engine spark (default local[1]; e.g. spark://host:7077)",
    )


def _verify(args: argparse.Namespace) -> int:
    folder = pack_folder(args)
    g = load_guideline(folder)
    report = verification_report(g, load_invariants(g, folder))
    print(report.model_dump_json(indent=2) if args.format == "json" else report_text(report), end="")
    if args.format == "json":
        print()
    return 0 if report.passed else 1


def _chosen_variant(name: str, data: Path) -> Variant:
    """A variant by id from data/variants.yaml, or the one variant of a YAML file."""
    g = load_guideline(data)
    if Path(name).suffix.lower() in (".yaml", ".yml") or Path(name).is_file():
        try:
            content = Path(name).read_bytes()
        except OSError as exc:
            raise PathwayError([Problem(field=name, message=f"cannot read: {exc.strerror or exc}")]) from None
        variants = variants_from_yaml(content, g, filename=name, data_dir=data)
        if len(variants) != 1:
            ids = ", ".join(v.id for v in variants)
            raise PathwayError(
                [
                    Problem(
                        field=name,
                        message=f"holds {len(variants)} variants ({ids}); give a file "
                        "with one, or name a shipped variant by id",
                    )
                ]
            )
        return variants[0]
    shipped = {v.id: v for v in load_variants(data)}
    if name not in shipped:
        raise PathwayError(
            [Problem(field=name, message=f"not a variant file or a shipped variant; one of: {', '.join(shipped)}")]
        )
    return shipped[name]


def _variant(args: argparse.Namespace) -> int:
    data = pack_folder(args)
    if args.out:
        file_format(args.out)
    variant = _chosen_variant(args.variant, data)
    g = load_guideline(data)
    result = evaluate_cohort(read_cohort(args.cohort), g)
    effect, changes = variant_effect(result, variant, g, load_invariants(g, data))
    if args.out:
        write_results(changes, args.out)
    if args.format == "json":
        print(effect.model_dump_json(indent=2, by_alias=True))
    else:
        print(effect_text(effect, args.cohort), end="")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    g = chosen_guideline(args)
    if args.out:
        file_format(args.out)
    values = sweep_values(threshold_at(g, args.threshold), args.start, args.stop, args.step)
    result = evaluate_cohort(read_cohort(args.cohort), g)
    counts = sweep(evaluated_cases(result), g, args.threshold, values)
    if args.out:
        write_results(with_provenance(counts, g), args.out)
    print(sweep_text(counts, args.threshold, threshold_at(g, args.threshold).value), end="")
    return 0


def _audit(args: argparse.Namespace) -> int:
    folder = pack_folder(args)
    report = audit_guideline(load_guideline(folder), load_evidence(folder))
    if args.format == "json":
        print(report.model_dump_json(indent=2))
    else:
        print(audit_text(report), end="")
    if args.strict and not report.clean:
        unresolved = ", ".join(map(str, report.unresolved_citations))
        print(f"audit --strict: citation numbers with no reference ({unresolved})", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core", description="Spine Pathway Explorer (educational use only)."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    evaluate = commands.add_parser("evaluate", help="evaluate one case from a JSON file (- for stdin)")
    evaluate.add_argument("case")
    evaluate.add_argument("--format", choices=["text", "json"], default="text")
    _pathway_arguments(evaluate)
    evaluate.set_defaults(run=_evaluate)

    course = commands.add_parser("course", help="evaluate a course of care (visits over the weeks) from a JSON file")
    course.add_argument("course", help="course JSON file (- for stdin): {course_id, visits: [{week, ...case keys}]}")
    course.add_argument("--format", choices=["text", "json"], default="text")
    _pathway_arguments(course)
    course.set_defaults(run=_course)

    progression = commands.add_parser(
        "progression", help="milestone-to-milestone progression links of a visits file (.csv or .parquet)"
    )
    progression.add_argument("visits", help="VISITS.csv or VISITS.parquet: case_id, week and case keys per visit")
    progression.add_argument("--out", help="write the progression links to .csv or .parquet")
    progression.add_argument("--visits-out", help="write every visit row with its result (and error)")
    progression.add_argument(
        "--min-count",
        type=int,
        default=1,
        metavar="K",
        help="merge links of fewer than K courses into one row per milestone pair",
    )
    _engine_arguments(progression, "DuckDB (rows checked in Python)")
    _pathway_arguments(progression)
    progression.set_defaults(run=_progression)

    validate = commands.add_parser("validate", help="check the guideline data files")
    _pathway_arguments(validate)
    validate.set_defaults(run=_validate)

    report = commands.add_parser(
        "report",
        help="one-page report of a case (md or html to stdout, or --out FILE; pdf needs --out or a redirected stdout)",
    )
    report.add_argument("case", help="case JSON file (- for stdin)")
    report.add_argument("--format", choices=["md", "html", "pdf"], default="md")
    report.add_argument("--out", help="write to this file instead of standard output")
    report.add_argument("--evidence", help="a reviewer's evidence file instead of data/evidence.yaml")
    _pathway_arguments(report)
    report.set_defaults(run=_report)

    releases = ", ".join(f"{k} = FHIR {v}" for k, v in FHIR_RELEASES.items())
    fhir = commands.add_parser(
        "export-fhir",
        help=f"the pathway as a FHIR PlanDefinition (JSON; default R4B; {releases})",
        description="Write the pathway as an HL7 FHIR PlanDefinition shaped like the CPG profile. The FHIR "
        f"release ({releases}) and the guideline version are stated in meta.tag.",
    )
    fhir.add_argument("--out", help="write to this file instead of standard output")
    fhir.add_argument("--fhir-version", choices=list(FHIR_RELEASES), default="R4B")
    _pathway_arguments(fhir)
    fhir.set_defaults(run=_export_fhir)

    version = commands.add_parser(
        "version",
        help="the data version and whether the recorded content hash still matches (exit 1 if not)",
        description=f"The hash covers the parsed content of {', '.join(HASHED_FILES)} in the data directory.",
    )
    _pathway_arguments(version)
    version.add_argument(
        "--record",
        action="store_true",
        help="record the current hash for the current version (refused unless the version was bumped)",
    )
    version.set_defaults(run=_version)

    conflicts = commands.add_parser("conflicts", help="the article's own conflicts and how the engine resolves them")
    _pathway_arguments(conflicts)
    conflicts.set_defaults(run=_conflicts)

    cohort = commands.add_parser("cohort", help="evaluate every row of a CSV or Parquet file of cases")
    cohort.add_argument("cases", help="CASES.csv or CASES.parquet")
    cohort.add_argument("--out", help="write the rows with their results (and errors) to .csv or .parquet")
    cohort.add_argument("--format", choices=["text", "json"], default="text", help="summary format")
    _pathway_arguments(cohort)
    _engine_arguments(cohort, "DuckDB streaming the file")
    cohort.set_defaults(run=_cohort)

    export_sql = commands.add_parser(
        "export-sql",
        help="the pathway as one SQL query (and the table it expects) for an analyst's database",
        description="Print the pathway compiled to SQL for one dialect: every column of the table, then "
        "disposition, urgent, deciding_rule, missing, phase, warnings and next_milestone_week. With --query visits, "
        "milestones or links: courses of care over a table of visits (the table is described in the file).",
    )
    export_sql.add_argument("--dialect", choices=DIALECTS, default="duckdb")
    export_sql.add_argument(
        "--query",
        choices=["cases", *COURSE_QUERY_TEXT],
        default="cases",
        help="cases: the pathway over a table of cases (default); visits, milestones, links: courses of care over "
        "a table of visits",
    )
    export_sql.add_argument(
        "--table", help="the table to read (default: cases, or visits for the course queries)", default=None
    )
    export_sql.add_argument("--out", help="write to this file instead of standard output")
    _pathway_arguments(export_sql)
    export_sql.set_defaults(run=_export_sql)

    variant = commands.add_parser(
        "variant",
        help="compare a variant of the pathway with the article's on a cohort, and verify the variant",
        description="VARIANT is the id of a variant in data/variants.yaml or a YAML file holding one variant.",
    )
    variant.add_argument("variant", metavar="VARIANT_ID_OR_FILE")
    variant.add_argument("cohort", metavar="COHORT", help="CASES.csv or CASES.parquet")
    variant.add_argument("--out", metavar="CHANGES.csv", help="every row with both dispositions (.csv or .parquet)")
    variant.add_argument("--format", choices=["text", "json"], default="text")
    _pathway_arguments(variant)
    variant.set_defaults(run=_variant)

    vocabulary = load_vocabulary()
    clock = vocabulary.visit_clock
    sweeping = commands.add_parser(
        "sweep",
        help="cases per disposition as one threshold runs over a range of values",
        description="RULE/FIELD names a number comparison: a rule, phase or warning id and the field it compares, "
        f"e.g. RULE_ID/{clock} for a rule that compares {vocabulary.fields[clock].label} with a number.",
    )
    sweeping.add_argument("threshold", metavar="RULE/FIELD")
    sweeping.add_argument("--from", dest="start", type=int, required=True, metavar="A")
    sweeping.add_argument("--to", dest="stop", type=int, required=True, metavar="B")
    sweeping.add_argument("--step", type=int, default=1, metavar="S")
    sweeping.add_argument("cohort", metavar="COHORT", help="CASES.csv or CASES.parquet")
    sweeping.add_argument("--out", metavar="SWEEP.csv", help="columns value, disposition, cases (.csv or .parquet)")
    _pathway_arguments(sweeping)
    sweeping.set_defaults(run=_sweep)

    verify = commands.add_parser(
        "verify", help="check the whole pathway on every outcome it can produce (exit 1 on failure)"
    )
    verify.add_argument("--format", choices=["text", "json"], default="text")
    _pathway_arguments(verify)
    verify.set_defaults(run=_verify)

    audit = commands.add_parser("audit", help="audit citations: unresolved numbers, unused references, mismatches")
    audit.add_argument("--format", choices=["text", "json"], default="text")
    audit.add_argument("--strict", action="store_true", help="exit 1 when a citation number resolves to no reference")
    _pathway_arguments(audit)
    audit.set_defaults(run=_audit)
    add_library_commands(commands)
    add_across_commands(commands, read_json, _engine_arguments)
    return parser


# 128 + SIGPIPE: what a shell reports for a command whose reader stopped reading (as `cat big | head` does), so a
# script under `set -o pipefail` can tell the output was cut short rather than finished.
STOPPED_READING = 141


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        status: int = args.run(args)
        sys.stdout.flush()  # a reader that already left shows here, while it can still be caught
        return status
    except PathwayError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (`| head`) wants no more output; Python flushes stdout once more at exit, so send that flush
        # nowhere rather than into a second broken pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return STOPPED_READING
