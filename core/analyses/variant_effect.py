"""What a variant changes: baseline against variant on a cohort, the variant's verification, threshold sweeps.

Snapshot cohorts only (one row per case, as `core.analyses.cohort` reads them). Rows in = rows out: a bad row of
the file keeps its place in the changes table with its error and counts in neither `cases` nor `transitions`.

A sweep sets one addressable threshold to each of many values and counts dispositions over a cohort. The cohort
is coded once (`code_columns`) and only the rule walk runs per value, on a guideline patched and validated like
any variant, so 50 values over a million cases take seconds rather than 50 full evaluations.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pydantic import ConfigDict, Field

from core.analyses.cohort import ERROR_COLUMN, ID_COLUMN, CohortResult
from core.analyses.frame import ConditionEvaluator, code_columns, evaluate_frame
from core.analyses.verify import Check, Invariant, load_invariants, verification_report
from core.engine.guideline import NEEDS_INFORMATION, Guideline, pathway_fields
from core.engine.walk import walk
from core.errors import PathwayError, Problem
from core.model import Frozen
from core.outputs.provenance import with_provenance
from core.review.variants import Threshold, Variant, apply_variant, patched_pathway, thresholds

CHANGE_COLUMNS = ("row", ID_COLUMN, "baseline", "variant", "changed", "baseline_rule", "variant_rule", ERROR_COLUMN)
SWEEP_COLUMNS = ("value", "disposition", "cases")
MAX_SWEEP_VALUES = 1000


class Transition(Frozen):
    """How many evaluated cases go from one baseline disposition to one variant disposition."""

    model_config = ConfigDict(populate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    cases: int


class VariantVerification(Frozen):
    """The variant's pathway verified like data/ itself: the checks it fails, each with a counterexample."""

    passed: bool
    grid_cases: int
    checks: int
    failed: list[Check]

    @property
    def broken_invariants(self) -> list[Check]:
        return [c for c in self.failed if c.kind == "invariant"]


class VariantEffect(Frozen):
    """The comparison of one variant with the article's pathway on one cohort (`cases` = evaluated rows)."""

    variant: str
    title: str
    rows: int
    cases: int
    bad_rows: int
    changed: int
    rerouted: int  # changed to another decision
    to_needs_information: int  # changed only to "more information needed"
    transitions: list[Transition]
    verification: VariantVerification
    intended_failures: list[str] = []  # the variant's own word: checks it fails by design


def variant_verification(variant_guideline: Guideline, invariants: list[Invariant]) -> VariantVerification:
    """`invariants` are the baseline's (load_invariants of the article's guideline): a variant may stop reading a
    field an invariant reads, which is no reason to drop the invariant."""
    report = verification_report(variant_guideline, invariants)
    return VariantVerification(
        passed=report.passed,
        grid_cases=report.cases,
        checks=len(report.checks),
        failed=[c for c in report.checks if not c.passed],
    )


def changes_table(result: CohortResult, variant_guideline: Guideline, variant_id: str = "") -> pd.DataFrame:
    """Every row of the cohort (same order): both dispositions and deciding rules, `changed`, `error`, and what
    produced it (the guideline version and the variant's id)."""
    bad = result.results[ERROR_COLUMN].notna().to_numpy()
    decided = evaluate_frame(result.cases, variant_guideline)
    rows = len(result.results)

    def masked(column: pd.Series) -> pd.Categorical:
        return pd.Categorical.from_codes(np.where(bad, -1, column.cat.codes), column.cat.categories)

    baseline, variant = result.results["disposition"], masked(decided["disposition"])
    changed = pd.arrays.BooleanArray(baseline.astype(str).to_numpy() != np.asarray(variant).astype(str), bad)
    table = pd.DataFrame(
        {
            "row": np.arange(1, rows + 1),
            ID_COLUMN: (
                result.results[ID_COLUMN].array
                if ID_COLUMN in result.results.columns
                else pd.array([None] * rows, dtype="str")
            ),
            "baseline": baseline.array,
            "variant": variant,
            "changed": changed,
            "baseline_rule": result.results["deciding_rule"].array,
            "variant_rule": masked(decided["deciding_rule"]),
            ERROR_COLUMN: result.results[ERROR_COLUMN].array,
        },
        columns=list(CHANGE_COLUMNS),
    )
    return with_provenance(table, variant_guideline, variant_id)


def changed_kinds(changes: pd.DataFrame) -> tuple[int, int]:
    """(cases re-routed to another decision, cases that only became "more information needed")."""
    changed = changes["changed"].fillna(False).to_numpy(dtype=bool)
    undecided = np.asarray(changes["variant"]).astype(str) == NEEDS_INFORMATION
    return int((changed & ~undecided).sum()), int((changed & undecided).sum())


def transitions(changes: pd.DataFrame) -> list[Transition]:
    """Counts per (baseline, variant) pair over the evaluated rows, largest first; they sum to the cases."""
    evaluated = changes[changes[ERROR_COLUMN].isna()]
    counts = evaluated.groupby(["baseline", "variant"], observed=True).size()
    pairs = [Transition(from_=str(f), to=str(t), cases=int(n)) for (f, t), n in counts.items() if n]
    return sorted(pairs, key=lambda p: (-p.cases, p.from_, p.to))


def variant_effect(
    result: CohortResult, variant: Variant, baseline: Guideline, invariants: list[Invariant] | None = None
) -> tuple[VariantEffect, pd.DataFrame]:
    """The effect summary and the per-row changes table of a variant on an evaluated cohort."""
    patched = apply_variant(variant, baseline)
    invariants = load_invariants(baseline) if invariants is None else invariants
    changes = changes_table(result, patched, variant.id)
    summary = result.summary
    rerouted, undecided = changed_kinds(changes)
    return VariantEffect(
        variant=variant.id,
        title=variant.title,
        rows=summary.rows,
        cases=summary.evaluated,
        bad_rows=summary.bad_rows,
        changed=int(changes["changed"].sum()),
        rerouted=rerouted,
        to_needs_information=undecided,
        transitions=transitions(changes),
        verification=variant_verification(patched, invariants),
        intended_failures=list(variant.intended_failures),
    ), changes


def effect_text(effect: VariantEffect, cohort_name: str) -> str:
    """The comparison for a person at a terminal."""
    lines = [
        f"Variant {effect.variant}: {effect.title}",
        "(a what-if, not the article's pathway; educational decision support, not a medical device)",
        f"{cohort_name}: {effect.rows:,} rows; {effect.cases:,} evaluated, {effect.bad_rows:,} bad (not evaluated).",
        f"Changed disposition: {effect.changed:,} of {effect.cases:,} cases: {effect.rerouted:,} re-routed to "
        f"another decision, {effect.to_needs_information:,} now need more information.",
        "Transitions (article's pathway -> variant):",
    ]
    for t in effect.transitions:
        mark = "  " if t.from_ == t.to else "* "
        lines.append(f"  {mark}{t.from_:<32} -> {t.to:<32}{t.cases:>10,}")
    v = effect.verification
    lines.append(
        f"Verification of the variant over {v.grid_cases:,} cases: "
        + ("all checks pass." if v.passed else f"{len(v.failed)} of {v.checks} checks fail:")
    )
    for c in v.failed:
        intended = " (intended: the variant's change is what breaks it)" if c.id in effect.intended_failures else ""
        lines.append(f"  FAIL {c.kind} {c.id}{intended}: {c.title}")
        if c.counterexample is not None:
            lines.append(f"       counterexample: {c.counterexample} -> {c.outcome and c.outcome['disposition']}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------- sweeps


def threshold_at(g: Guideline, address: str) -> Threshold:
    """The addressable threshold `RULE_OR_PHASE_OR_WARNING_ID/FIELD`; PathwayError lists the valid ones."""
    found = {t.address: t for t in thresholds(g)}
    if address not in found:
        raise PathwayError(
            [Problem(field=address, message=(f"not an addressable threshold; one of: {', '.join(found)}"))]
        )
    return found[address]


def sweep_values(threshold: Threshold, start: int, stop: int, step: int = 1) -> list[int]:
    """start, start + step, ... up to stop (inclusive), each within the field's range."""
    where = threshold.address
    if step <= 0:
        raise PathwayError([Problem(field="--step", message="must be a whole number above 0")])
    if start > stop:
        raise PathwayError([Problem(field="--from", message=f"{start} is above --to {stop}")])
    for name, value in (("--from", start), ("--to", stop)):
        if not threshold.low <= value <= threshold.high:
            raise PathwayError(
                [
                    Problem(
                        field=name,
                        message=(
                            f"{value} is out of range for {where}: {threshold.field} runs from {threshold.low} "
                            f"to {threshold.high}"
                        ),
                    )
                ]
            )
    values = list(range(start, stop + 1, step))
    if len(values) > MAX_SWEEP_VALUES:
        raise PathwayError([Problem(field="--step", message=f"{len(values):,} values; at most {MAX_SWEEP_VALUES:,}")])
    return values


def sweep(cases: pd.DataFrame, g: Guideline, address: str, values: Sequence[int]) -> pd.DataFrame:
    """Cases per disposition with the threshold at each value (columns value, disposition, cases; every
    disposition at every value, zeros included). `cases` is `evaluate_frame`'s input; every row counts.

    Same decisions as evaluating `patched_pathway(g, {address: value})`, but the cohort is coded once, the rules
    before the patched one are walked once, and only the patched condition is recomputed per value.
    """
    threshold = threshold_at(g, address)
    for value in values:
        if not threshold.low <= value <= threshold.high:
            raise PathwayError(
                [Problem(field=address, message=f"{value} is out of range ({threshold.low} to {threshold.high})")]
            )
    rows = len(cases)
    columns = code_columns(cases, pathway_fields(g), g.schema)  # the cohort is coded once
    leaves: dict[tuple[str, str, str], pd.arrays.BooleanArray] = {}  # and each leaf decided once for all values
    dispositions = [d.id for d in g.pathway.dispositions]
    counts = []
    for value in values:
        logic = ConditionEvaluator(columns, rows, leaves)
        result = walk(patched_pathway(g, {address: value}).pathway, logic)
        count = dict.fromkeys(dispositions, 0)
        for disposition, where in result.dispositions:
            count[disposition] += int(where.sum())
        counts.append(np.array([count[d] for d in dispositions], dtype=np.int64))
    return pd.DataFrame(
        {
            "value": np.repeat(np.asarray(values, dtype=np.int64), len(dispositions)),
            "disposition": np.tile(np.array(dispositions, dtype=object), len(values)),
            "cases": np.concatenate(counts).astype(np.int64) if counts else np.array([], dtype=np.int64),
        },
        columns=list(SWEEP_COLUMNS),
    )


def evaluated_cases(result: CohortResult) -> pd.DataFrame:
    """The typed cases of a cohort's good rows (bad rows are not evaluated, so a sweep leaves them out)."""
    return result.cases[result.results[ERROR_COLUMN].isna().to_numpy()]


def sweep_text(counts: pd.DataFrame, address: str, article_value: int) -> str:
    """The sweep as a table for a terminal: one line per value, one column per disposition that occurs."""
    table = counts.pivot(index="value", columns="disposition", values="cases")
    table = table[[d for d in dict.fromkeys(counts["disposition"]) if table[d].any()]]
    width = max([len(c) for c in table.columns] + [8])
    lines = [
        f"Sweep of {address} (the article's value: {article_value}); cases per disposition "
        "(a what-if, not the article's pathway; educational decision support, not a medical device).",
        f"{'value':>6}  " + "  ".join(f"{c:>{width}}" for c in table.columns),
    ]
    for value, row in table.iterrows():
        mark = "  <- the article" if value == article_value else ""
        lines.append(f"{value:>6}  " + "  ".join(f"{int(n):>{width},}" for n in row) + mark)
    return "\n".join(lines) + "\n"
