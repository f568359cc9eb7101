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

from core.engine.case import BOOL_FIELDS, INT_FIELDS, MRI_FINDINGS, parse_case
from core.engine.data_files import read_yaml, validate_content
from core.engine.evaluate import evaluate_case
from core.engine.guideline import DATA_DIR, Guideline, load_guideline
from core.engine.words import value_words
from core.errors import CaseError, DataError, Problem
from core.model import Frozen

CONFLICTS_FILE = "conflicts.yaml"
# Dispositions that put an operation on the table; the six-week minimum (conservative_minimum_6_weeks) is
# about reaching one of these before six weeks of PT.
SURGICAL_ROUTES = (
    "urgent_neurosurgical_referral",
    "neurosurgical_referral",
    "surgical_consultation",
    "decompression_referral",
)
REFERRAL_SECTION = "When to refer to neurosurgery"
UPPER_SPINE = ("cervical", "thoracic", "cervicothoracic")
# An early, benign case in conservative care (week 3, 2 weeks of PT) from which bypasses are searched.
EARLY_CASE: dict[str, Any] = {
    "red_flags": False,
    "mri_finding": "nerve_root_compression",
    "myelopathy_signs": False,
    "radicular_symptoms": True,
    "motor_grade_mrc": 5,
    "motor_deficit_progressive": False,
    "instability": False,
    "deformity_progressive": False,
    "weeks_conservative": 3,
    "pt_weeks": 2,
    "conservative_failed": False,
    "correlating_pathology": False,
}


class ExampleSpec(Frozen):
    label: str
    case: dict[str, Any]


class ConflictSpec(Frozen):
    id: str
    title: str
    computed_by: str | None = None
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


def _alternatives(field: str) -> list[Any]:
    base = EARLY_CASE[field]
    if field in BOOL_FIELDS:
        return [not base]
    if field == "mri_finding":
        return [v for v in MRI_FINDINGS if v != base]
    low, high = INT_FIELDS[field]
    return sorted((v for v in range(low, high + 1) if v != base), key=lambda v: abs(v - base))


def bypasses_before_six_weeks(g: Guideline, spec: ConflictSpec) -> Found | None:
    """Rules other than the claimed one that reach a surgical route at week 3, found by changing 1-2 findings."""
    claimed = {r.id for r in g.pathway.rules if set(r.statements) & set(spec.statements)}
    # Weeks of care stay fixed: they are the premise (early in care), not a finding to vary.
    fields = [f for f in EARLY_CASE if f not in ("weeks_conservative", "pt_weeks")]
    first: dict[str, tuple[dict[str, Any], ConflictExample]] = {}
    for size in (1, 2):
        for chosen in itertools.combinations(fields, size):
            for values in itertools.product(*(_alternatives(f) for f in chosen)):
                changes = dict(zip(chosen, values, strict=False))
                example = _example(g, "", {**EARLY_CASE, **changes})
                rule = example.deciding_rule
                if example.disposition in SURGICAL_ROUTES and rule not in claimed and rule not in first:
                    first[rule] = (changes, example)
    if not first:
        return None
    order = [r.id for r in g.pathway.rules]
    found = sorted(first.items(), key=lambda item: order.index(item[0]))
    examples, findings, statements = [], [], []
    for rule_id, (changes, example) in found:
        what = ", ".join(f"{g.labels[f]} {value_words(f, v)}" for f, v in changes.items())
        label = f"Week 3, 2 weeks of PT, {what}"
        examples.append(example.model_copy(update={"label": label}))
        findings.append(f"{label}: {example.disposition_label} by {rule_id}, before the six-week minimum.")
        statements += next(r.statements for r in g.pathway.rules if r.id == rule_id)
    return Found(statements=statements, findings=findings, examples=examples)


def surgical_rules_without_referral_criterion(g: Guideline, spec: ConflictSpec) -> Found | None:
    """Rules leading to a surgical route that activate no statement of the article's referral list."""
    criteria = [s.id for s in g.statements if s.section == REFERRAL_SECTION]
    uncovered = [
        r
        for r in g.pathway.rules
        if r.disposition in SURGICAL_ROUTES
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
        findings.append(
            f"[{n}] is cited by {len(citing)} statements but the list has entries "
            f"{', '.join(map(str, sorted(listed)))} only: {', '.join(citing)}."
        )
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


def build_conflict_specs(raw: Any, guideline: Guideline) -> list[ConflictSpec]:
    """Validate conflicts.yaml content; DataError names file, path and reason."""
    specs = validate_content(list[ConflictSpec], raw, CONFLICTS_FILE, key="conflicts")
    problems: list[Problem] = []
    for n, spec in enumerate(specs):
        where = f"{CONFLICTS_FILE}: conflicts.{n} ({spec.id})"
        if spec.computed_by is not None and spec.computed_by not in CHECKS:
            problems.append(Problem(field=where, message=f"unknown check `{spec.computed_by}`; one of {list(CHECKS)}"))
        problems += [
            Problem(field=where, message=f"unknown statement `{s}`")
            for s in spec.statements
            if s not in guideline.statements_by_id
        ]
        for k, example in enumerate(spec.examples):
            try:
                parse_case(example.case)
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
