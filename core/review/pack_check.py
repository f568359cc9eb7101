"""The library as a whole and the author's first reader: list the packs, and check one pack without code.

`check_pack` reads a pack folder and names every problem as `file: path: message`; it never rewrites a file.
It runs what loading runs (schema, duplicate keys, ids that must resolve), then what only a reader of the whole
pack can see: fields listed but never read, statements without citations, citations without a reference that
the pack does not acknowledge, rules that never decide or that no scenario reaches, scenarios whose expected
result does not hold, and what the verification of the whole input space finds.
"""

from pathlib import Path
from typing import Any

from core.engine.evaluate import evaluate_case
from core.engine.guideline import NEEDS_INFORMATION, Guideline, Scenario, load_guideline
from core.engine.manifest import MANIFEST_FILE, load_manifest
from core.engine.packs import PACKS_DIR, pack_dirs
from core.errors import CaseError, PathwayError, Problem
from core.model import Frozen

PROJECT_ROOT = PACKS_DIR.parents[1]
CONTEXT_GROUP = "context"  # fields shown in reports that no rule is meant to read


class PackSummary(Frozen):
    """One card of the library: what `python -m core pathways` lists for a pack."""

    id: str
    title: str
    question: str
    version: str
    status: str
    source: dict[str, Any]
    path: str
    scope: str
    fields: list[str]
    dispositions: list[dict[str, str]]
    rules: int
    scenarios: int
    statements: int
    citations: int


class LibraryListing(Frozen):
    packs: list[PackSummary]
    problems: list[Problem]  # packs that could not be loaded, each named by file, path and reason


def _relative(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(PROJECT_ROOT)) if resolved.is_relative_to(PROJECT_ROOT) else str(resolved)


def pack_summary(g: Guideline) -> PackSummary:
    info = g.info
    return PackSummary(
        id=info.id,
        title=info.title,
        question=info.question,
        version=info.version,
        status=info.status,
        source=info.source.model_dump(mode="json", exclude_none=True),
        path=_relative(g.source_dir),
        scope=g.describe(info.scope) if info.scope is not None else "every patient",
        fields=list(g.schema.fields),
        dispositions=[{"id": d.id, "class": d.class_} for d in g.pathway.dispositions],
        rules=len(g.pathway.rules),
        scenarios=len(g.scenarios),
        statements=len(g.statements),
        citations=len({n for s in g.statements for n in s.citations}),
    )


def library(root: Path = PACKS_DIR) -> LibraryListing:
    """Every pack under `root` that loads, and one problem list for those that do not (the others still list)."""
    packs, problems = [], []
    for folder in pack_dirs(root):
        try:
            packs.append(pack_summary(load_guideline(folder)))
        except PathwayError as exc:
            problems += [Problem(field=f"{folder.name}/{p.field}", message=p.message) for p in exc.problems]
    return LibraryListing(packs=packs, problems=problems)


# ------------------------------------------------------------------------------------------- scenarios


def scenario_problems(g: Guideline, scenario: Scenario) -> list[str]:
    """How a scenario's evaluation differs from what it expects (empty when it holds)."""
    try:
        result = evaluate_case(scenario.case, g)
    except CaseError as exc:
        return [f"case.{p.field}: {p.message}" for p in exc.problems]
    expected = scenario.expected
    wanted: list[tuple[str, Any, Any]] = [
        ("disposition", expected.disposition, result.disposition),
        ("warnings", expected.warnings, result.warnings),
        ("urgent", expected.urgent, result.urgent),
        ("phase", expected.phase, result.phase),
        ("missing", expected.missing, result.missing),
        ("possible", expected.possible, [p.disposition for p in result.possible_dispositions]),
        ("class", expected.class_, result.disposition_class),
        ("rule", expected.rule, result.deciding_rule),
        ("scope", expected.scope, {True: "inside", False: "outside", None: "unknown"}[result.in_scope]),
    ]
    return [
        f"expected {name} {want!r}, the pathway gives {got!r}"
        for name, want, got in wanted
        if want is not None and want != got
    ]


def scenarios_reaching(g: Guideline) -> dict[str, list[str]]:
    """Rule id -> the scenarios it decides (rules no scenario reaches map to an empty list)."""
    reached: dict[str, list[str]] = {r.id: [] for r in g.pathway.rules}
    for sc in g.scenarios:
        try:
            result = evaluate_case(sc.case, g)
        except CaseError:
            continue
        if result.deciding_rule in reached and result.disposition != NEEDS_INFORMATION:
            reached[result.deciding_rule].append(sc.id)
    return reached


# ------------------------------------------------------------------------------------------- the checks


def _acknowledged_unresolved(folder: Path) -> bool:
    """Whether the pack records its unresolved citations as the article's own conflict (conflicts.yaml)."""
    from core.review.conflicts import load_conflict_specs

    if not (folder / "conflicts.yaml").is_file():
        return False
    return any(spec.computed_by == "unresolved_citations" for spec in load_conflict_specs(folder))


def _content_problems(folder: Path, g: Guideline) -> list[Problem]:
    problems: list[Problem] = []
    read = set(g.decision_fields)
    for n, field in enumerate(g.info.field_ids):
        if field not in read and g.fields[field].group != CONTEXT_GROUP:
            problems.append(
                Problem(field=f"{MANIFEST_FILE}: fields.{n}", message=f"`{field}` is listed but no condition reads it")
            )
    numbers = set(g.references_by_number)
    acknowledged = _acknowledged_unresolved(folder)
    for n, s in enumerate(g.statements):
        where = f"statements.yaml: statements.{n} ({s.id})"
        if s.origin == "article" and not s.citations and not s.uncited_in_article:
            problems.append(Problem(field=where, message="an article statement without citations"))
        missing = [c for c in s.citations if c not in numbers]
        if missing and not acknowledged:
            problems.append(
                Problem(
                    field=where,
                    message=f"cites {missing} with no entry in references.yaml (record it in conflicts.yaml with "
                    "computed_by: unresolved_citations if the article's list lacks them)",
                )
            )
    reached = scenarios_reaching(g)
    for n, rule in enumerate(g.pathway.rules):
        if not reached[rule.id]:
            problems.append(
                Problem(field=f"pathway.yaml: rules.{n} ({rule.id})", message="no scenario is decided by this rule")
            )
    for n, sc in enumerate(g.scenarios):
        for text in scenario_problems(g, sc):
            problems.append(Problem(field=f"scenarios.yaml: scenarios.{n} ({sc.id})", message=text))
    return problems


def _verification_problems(folder: Path, g: Guideline) -> list[Problem]:
    """What the verification over the whole input space finds, each named by the rule, disposition, warning or
    invariant it is about."""
    from core.analyses.verify import INVARIANTS_FILE, load_invariants, verification_report

    invariants = load_invariants(g, folder)
    report = verification_report(g, invariants)
    p = g.pathway
    problems = [
        Problem(
            field=f"pathway.yaml: rules.{n} ({rule.id})",
            message="decides no input of the whole input space: its condition never holds, or every input where it "
            "holds is decided by an earlier rule (shadowed)",
        )
        for n, rule in enumerate(p.rules)
        if not report.rules.get(rule.id)
    ]
    problems += [
        Problem(field=f"pathway.yaml: dispositions.{n} ({d.id})", message="no input reaches this disposition")
        for n, d in enumerate(p.dispositions)
        if d is not g.scope_disposition and not report.dispositions.get(d.id)
    ]
    problems += [
        Problem(field=f"pathway.yaml: warnings.{n} ({w.id})", message="no input makes this warning fire")
        for n, w in enumerate(p.warnings)
        if not report.warnings.get(w.id)
    ]
    positions = {inv.id: n for n, inv in enumerate(invariants)}
    for check in report.checks:
        if check.passed or check.kind == "coverage":
            continue
        where = (
            f"{INVARIANTS_FILE}: invariants.{positions[check.id]} ({check.id})"
            if check.id in positions
            else "pathway.yaml: rules"
        )
        example = f"; for example {check.counterexample} gives {check.outcome}" if check.counterexample else ""
        problems.append(Problem(field=where, message=f"{check.title}: {check.detail}{example}"))
    return problems


def _review_problems(folder: Path, g: Guideline) -> list[Problem]:
    """The pack's review files (evidence, conflicts, inconsistencies, variants) load and resolve."""
    from core.engine.inconsistencies import load_inconsistency_rules
    from core.review.conflicts import load_conflict_specs
    from core.review.evidence import load_evidence
    from core.review.variants import load_variants

    problems: list[Problem] = []
    for name, load in (
        ("evidence.yaml", load_evidence),
        ("conflicts.yaml", load_conflict_specs),
        ("inconsistencies.yaml", load_inconsistency_rules),
        ("variants.yaml", load_variants),
    ):
        if not (folder / name).is_file():
            continue
        try:
            load(folder)
        except PathwayError as exc:
            problems += exc.problems
    for n, decision in enumerate(g.info.decisions):
        if decision.variant is None or not (folder / "variants.yaml").is_file():
            continue
        if decision.variant not in {v.id for v in load_variants(folder)}:
            problems.append(
                Problem(
                    field=f"{MANIFEST_FILE}: decisions.{n} ({decision.id})",
                    message=f"names variant `{decision.variant}`, which variants.yaml does not hold",
                )
            )
    return problems


def check_pack(folder: Path) -> list[Problem]:
    """Every problem of the pack in `folder`, each naming its file and path; empty when the pack is clean."""
    folder = Path(folder)
    try:
        load_manifest(folder)
        g = load_guideline(folder)
    except PathwayError as exc:
        return exc.problems  # the rest cannot be read before these are fixed
    problems = _review_problems(folder, g)
    problems += _content_problems(folder, g)
    problems += _verification_problems(folder, g)
    return problems
