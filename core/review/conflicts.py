"""The article's own conflicts: computed from the data where a check can find them, listed where not.

data/conflicts.yaml holds the wording; an entry naming `computed_by` is reported only while that check (a
function here, chosen from a fixed table, never evaluated text) still finds something in the data.
"""

import functools
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from core.engine.data_files import read_yaml, validate_content
from core.engine.evaluate import evaluate_case
from core.engine.guideline import DATA_DIR, Guideline, load_guideline
from core.engine.words import value_words
from core.errors import CaseError, DataError, Problem
from core.model import Frozen

CONFLICTS_FILE = "conflicts.yaml"
UPPER_SPINE = ("cervical", "thoracic", "cervicothoracic")


class ExampleSpec(Frozen):
    label: str
    case: dict[str, Any]


class Probe(Frozen):
    """The case a search for early surgical routes starts from: `held` fields are its premise, never varied."""

    label: str  # the premise in words ("Week 3, 2 weeks of PT")
    case: dict[str, Any]
    held: list[str] = []
    before: str  # what the routes found come before ("the six-week minimum")


class ConflictSpec(Frozen):
    id: str
    title: str
    computed_by: str | None = None
    probe: Probe | None = None  # for bypasses_before_six_weeks
    criteria_section: str | None = None  # for surgical_rules_without_referral_criterion: the referral list
    statements: list[str] = []
    what: str
    resolution: str
    examples: list[ExampleSpec] = []


class ConflictExample(Frozen):
    """A case the engine evaluated to show the conflict or its resolution."""

    label: str
    case: dict[str, Any]
    disposition: str
    disposition_label: str
    deciding_rule: str
    statements: list[str]


class Conflict(Frozen):
    id: str
    title: str
    basis: Literal["computed", "listed"]
    statements: list[str]
    what: str
    resolution: str
    findings: list[str] = Field(default_factory=list)
    examples: list[ConflictExample] = Field(default_factory=list)


class Found(Frozen):
    """What a check found: more statements involved, readable findings and evaluated examples."""

    statements: list[str] = []
    findings: list[str]
    examples: list[ConflictExample] = []


def _example(g: Guideline, label: str, case: dict[str, Any]) -> ConflictExample:
    e = evaluate_case(case, g)
    return ConflictExample(
        label=label,
        case=case,
        disposition=e.disposition,
        disposition_label=e.disposition_label,
        deciding_rule=e.deciding_rule,
        statements=[s.id for s in e.statements],
    )


def surgical_routes(g: Guideline) -> set[str]:
    """Dispositions that put an operation on the table: those of class referral."""
    return {d.id for d in g.pathway.dispositions if d.class_ == "referral"}


def _alternatives(g: Guideline, field: str, base: Any) -> list[Any]:
    kind = g.schema.kinds[field]
    if kind == "bool":
        return [not base]
    if kind == "choice":
        return [v for v in g.schema.choices[field] if v != base]
    low, high = g.schema.int_fields[field]
    return sorted((v for v in range(low, high + 1) if v != base), key=lambda v: abs(v - base))


def bypasses_before_six_weeks(g: Guideline, spec: ConflictSpec) -> Found | None:
    """Rules other than the claimed one that reach a surgical route from the spec's early case, found by
    changing one or two of its findings."""
    if spec.probe is None:
        return None
    probe = spec.probe
    claimed = {r.id for r in g.pathway.rules if set(r.statements) & set(spec.statements)}
    routes = surgical_routes(g)
    fields = [f for f in probe.case if f not in probe.held]
    first: dict[str, tuple[dict[str, Any], ConflictExample]] = {}
    for size in (1, 2):
        for chosen in itertools.combinations(fields, size):
            for values in itertools.product(*(_alternatives(g, f, probe.case[f]) for f in chosen)):
                changes = dict(zip(chosen, values, strict=False))
                example = _example(g, "", {**probe.case, **changes})
                rule = example.deciding_rule
                if example.disposition in routes and rule not in claimed and rule not in first:
                    first[rule] = (changes, example)
    if not first:
        return None
    order = [r.id for r in g.pathway.rules]
    found = sorted(first.items(), key=lambda item: order.index(item[0]))
    examples, findings, statements = [], [], []
    for rule_id, (changes, example) in found:
        what = ", ".join(f"{g.labels[f]} {value_words(f, v)}" for f, v in changes.items())
        label = f"{probe.label}, {what}"
        examples.append(example.model_copy(update={"label": label}))
        findings.append(f"{label}: {example.disposition_label} by {rule_id}, before {probe.before}.")
        statements += next(r.statements for r in g.pathway.rules if r.id == rule_id)
    return Found(statements=statements, findings=findings, examples=examples)


def surgical_rules_without_referral_criterion(g: Guideline, spec: ConflictSpec) -> Found | None:
    """Rules leading to a surgical route that activate no statement of the article's referral list."""
    if spec.criteria_section is None:
        return None
    criteria = [s.id for s in g.statements if s.section == spec.criteria_section]
    routes = surgical_routes(g)
    uncovered = [
        r
        for r in g.pathway.rules
        if r.disposition in routes
        and not set(criteria) & set(r.statements + [s for x in r.extra_statements for s in x.statements])
    ]
    if not uncovered:
        return None
    findings = [
        f"{r.id} ({r.label}) leads to {g.disposition(r.disposition).label}, which no referral criterion "
        f"({', '.join(criteria)}) names."
        for r in uncovered
    ]
    return Found(statements=criteria + [s for r in uncovered for s in r.statements], findings=findings)


def unresolved_citations(g: Guideline, spec: ConflictSpec) -> Found | None:
    """Citation numbers used by statements minus the numbers in the reference list."""
    listed = {r.number for r in g.references}
    missing = sorted({n for s in g.statements for n in s.citations} - listed)
    if not missing:
        return None
    findings, statements = [], []
    for n in missing:
        citing = [s.id for s in g.statements if n in s.citations]
        held = f"has entries {', '.join(map(str, sorted(listed)))} only" if listed else "is empty"
        findings.append(f"[{n}] is cited by {len(citing)} statements but the list {held}: {', '.join(citing)}.")
        statements += citing
    return Found(statements=statements, findings=findings)


def lumbar_sources_for_upper_spine(g: Guideline, spec: ConflictSpec) -> Found | None:
    """Statements about the neck or thoracic spine that cite a reference about the lumbar spine."""
    lumbar = {r.number: r for r in g.references if r.region == "lumbar"}
    findings, statements = [], []
    for number, ref in lumbar.items():
        citing = [s.id for s in g.statements if s.region in UPPER_SPINE and number in s.citations]
        if citing:
            findings.append(
                f"[{number}] {ref.title} (lumbar) is cited for {len(citing)} neck or thoracic "
                f"statements: {', '.join(citing)}."
            )
            statements += citing
    return Found(statements=statements, findings=findings) if findings else None


CHECKS: dict[str, Callable[[Guideline, ConflictSpec], Found | None]] = {
    f.__name__: f
    for f in (
        bypasses_before_six_weeks,
        surgical_rules_without_referral_criterion,
        unresolved_citations,
        lumbar_sources_for_upper_spine,
    )
}


# The part of a spec each check reads, when it reads one.
NEEDS = {"bypasses_before_six_weeks": "probe", "surgical_rules_without_referral_criterion": "criteria_section"}


def build_conflict_specs(raw: Any, guideline: Guideline) -> list[ConflictSpec]:
    """Validate conflicts.yaml content; DataError names file, path and reason."""
    specs = validate_content(list[ConflictSpec], raw, CONFLICTS_FILE, key="conflicts")
    problems: list[Problem] = []
    for n, spec in enumerate(specs):
        where = f"{CONFLICTS_FILE}: conflicts.{n} ({spec.id})"
        if spec.computed_by is not None and spec.computed_by not in CHECKS:
            problems.append(Problem(field=where, message=f"unknown check `{spec.computed_by}`; one of {list(CHECKS)}"))
        needs = NEEDS.get(spec.computed_by or "")
        if needs is not None and getattr(spec, needs) is None:
            problems.append(Problem(field=where, message=f"the check `{spec.computed_by}` needs `{needs}`"))
        if spec.probe is not None:
            try:
                guideline.parse_case(spec.probe.case)
            except CaseError as exc:
                problems += [Problem(field=f"{where}: probe.case.{p.field}", message=p.message) for p in exc.problems]
        problems += [
            Problem(field=where, message=f"unknown statement `{s}`")
            for s in spec.statements
            if s not in guideline.statements_by_id
        ]
        for k, example in enumerate(spec.examples):
            try:
                guideline.parse_case(example.case)
            except CaseError as exc:
                problems += [
                    Problem(field=f"{where}: examples.{k}.case.{p.field}", message=p.message) for p in exc.problems
                ]
    ids = [s.id for s in specs]
    if len(set(ids)) != len(ids):
        problems.append(Problem(field=CONFLICTS_FILE, message="duplicate conflict ids"))
    if problems:
        raise DataError(problems)
    return specs


def load_conflict_specs(data_dir: Path = DATA_DIR) -> list[ConflictSpec]:
    if not (Path(data_dir) / CONFLICTS_FILE).is_file():
        return []  # a pack need not record any
    return build_conflict_specs(read_yaml(Path(data_dir) / CONFLICTS_FILE), load_guideline(Path(data_dir)))


def resolve_conflicts(specs: list[ConflictSpec], guideline: Guideline) -> list[Conflict]:
    """Run each computed check and evaluate each example; drop computed entries whose check finds nothing."""
    conflicts = []
    for spec in specs:
        found = CHECKS[spec.computed_by](guideline, spec) if spec.computed_by else None
        if spec.computed_by and found is None:
            continue
        found = found or Found(findings=[])
        examples = found.examples + [_example(guideline, x.label, x.case) for x in spec.examples]
        conflicts.append(
            Conflict(
                id=spec.id,
                title=spec.title,
                basis="computed" if spec.computed_by else "listed",
                statements=list(dict.fromkeys(spec.statements + found.statements)),
                what=spec.what,
                resolution=spec.resolution,
                findings=found.findings,
                examples=examples,
            )
        )
    return conflicts


@functools.lru_cache(maxsize=4)
def _cached(data_dir: Path) -> tuple[Conflict, ...]:
    return tuple(resolve_conflicts(load_conflict_specs(data_dir), load_guideline(data_dir)))


def article_conflicts(data_dir: Path = DATA_DIR) -> list[Conflict]:
    """The article's conflicts for the data in `data_dir`, computed once per process."""
    return list(_cached(Path(data_dir)))
