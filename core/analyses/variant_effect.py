"""What a variant changes: baseline against variant on a cohort, the variant's verification, threshold sweeps.

Snapshot cohorts only (one row per case, as `core.analyses.cohort` reads them). Rows in = rows out: a bad row of
the file keeps its place in the changes table with its error and counts in neither `cases` nor `transitions`.

A sweep sets one addressable threshold to each of many values and counts dispositions over a cohort. The cohort
is coded once (`code_columns`) and only the rule walk runs per value, on a guideline patched and validated like
any variant, so 50 values over a million cases take seconds rather than 50 full evaluations.
"""
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from core.analyses.cohort import ERROR_COLUMN, ID_COLUMN, CohortResult
from core.analyses.frame import ConditionEvaluator, code_columns, evaluate_frame
from core.analyses.verify import Check, Invariant, load_invariants, verification_report
from core.engine.conditions import COMPARISONS, AllOf, AnyOf, Condition, NotOf, Test, tests_in
from core.engine.guideline import NEEDS_INFORMATION, Guideline, pathway_fields
from core.errors import PathwayError, Problem
from core.review.variants import Threshold, Variant, apply_variant, thresholds

CHANGE_COLUMNS = ("row", ID_COLUMN, "baseline", "variant", "changed", "baseline_rule", "variant_rule", ERROR_COLUMN)
SWEEP_COLUMNS = ("value", "disposition", "cases")
MAX_SWEEP_VALUES = 1000


class Transition(BaseModel):
    """How many evaluated cases go from one baseline disposition to one variant disposition."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    cases: int


class VariantVerification(BaseModel):
    """The variant's pathway verified like data/ itself: the checks it fails, each with a counterexample."""

    model_config = ConfigDict(frozen=True)
    passed: bool
    grid_cases: int
    checks: int
    failed: list[Check]

    @property
    def broken_invariants(self) -> list[Check]:
        return [c for c in self.failed if c.kind == "invariant"]


class VariantEffect(BaseModel):
    """The comparison of one variant with the article's pathway on one cohort (`cases` = evaluated rows)."""

    model_config = ConfigDict(frozen=True)
    variant: str
    title: str
    rows: int
    cases: int
    bad_rows: int
    changed: int
    transitions: list[Transition]
    verification: VariantVerification


def variant_verification(variant_guideline: Guideline, invariants: list[Invariant]) -> VariantVerification:
    """`invariants` are the baseline's (load_invariants of the article's guideline): a variant may stop reading a
    field an invariant reads, which is no reason to drop the invariant."""
    report = verification_report(variant_guideline, invariants)
    return VariantVerification(passed=report.passed, grid_cases=report.cases, checks=len(report.checks),
                               failed=[c for c in report.checks if not c.passed])


def changes_table(result: CohortResult, variant_guideline: Guideline) -> pd.DataFrame:
    """Every row of the cohort (same order): both dispositions and deciding rules, `changed`, and `error`."""
    bad = result.results[ERROR_COLUMN].notna().to_numpy()
    decided = evaluate_frame(result.cases, variant_guideline)
    rows = len(result.results)

    def masked(column: pd.Series) -> pd.Categorical:
        return pd.Categorical.from_codes(np.where(bad, -1, column.cat.codes), column.cat.categories)

    baseline, variant = result.results["disposition"], masked(decided["disposition"])
    changed = pd.arrays.BooleanArray(baseline.astype(str).to_numpy() != np.asarray(variant).astype(str), bad)
    table = pd.DataFrame({
        "row": np.arange(1, rows + 1),
        ID_COLUMN: (result.results[ID_COLUMN].array if ID_COLUMN in result.results.columns
                    else pd.array([None] * rows, dtype="str")),
        "baseline": baseline.array,
        "variant": variant,
        "changed": changed,
        "baseline_rule": result.results["deciding_rule"].array,
        "variant_rule": masked(decided["deciding_rule"]),
        ERROR_COLUMN: result.results[ERROR_COLUMN].array,
    }, columns=list(CHANGE_COLUMNS))
    return table


def transitions(changes: pd.DataFrame) -> list[Transition]:
    """Counts per (baseline, variant) pair over the evaluated rows, largest first; they sum to the cases."""
    evaluated = changes[changes[ERROR_COLUMN].isna()]
    counts = evaluated.groupby(["baseline", "variant"], observed=True).size()
    pairs = [Transition(from_=str(f), to=str(t), cases=int(n)) for (f, t), n in counts.items() if n]
    return sorted(pairs, key=lambda p: (-p.cases, p.from_, p.to))


def variant_effect(result: CohortResult, variant: Variant, baseline: Guideline,
                   invariants: list[Invariant] | None = None) -> tuple[VariantEffect, pd.DataFrame]:
    """The effect summary and the per-row changes table of a variant on an evaluated cohort."""
    patched = apply_variant(variant, baseline)
    invariants = load_invariants(baseline) if invariants is None else invariants
    changes = changes_table(result, patched)
    summary = result.summary
    return VariantEffect(
        variant=variant.id, title=variant.title, rows=summary.rows, cases=summary.evaluated,
        bad_rows=summary.bad_rows, changed=int(changes["changed"].sum()), transitions=transitions(changes),
        verification=variant_verification(patched, invariants),
    ), changes


def effect_text(effect: VariantEffect, cohort_name: str) -> str:
    """The comparison for a person at a terminal."""
    lines = [f"Variant {effect.variant}: {effect.title}",
             "(a what-if, not the article's pathway; educational decision support, not a medical device)",
             f"{cohort_name}: {effect.rows:,} rows; {effect.cases:,} evaluated, {effect.bad_rows:,} bad (not evaluated).",
             f"Changed disposition: {effect.changed:,} of {effect.cases:,} cases.",
             "Transitions (article's pathway -> variant):"]
    for t in effect.transitions:
        mark = "  " if t.from_ == t.to else "* "
        lines.append(f"  {mark}{t.from_:<32} -> {t.to:<32}{t.cases:>10,}")
    v = effect.verification
    lines.append(f"Verification of the variant over {v.grid_cases:,} cases: "
                 + ("all checks pass." if v.passed else f"{len(v.failed)} of {v.checks} checks fail:"))
    for c in v.failed:
        lines.append(f"  FAIL {c.kind} {c.id}: {c.title}")
        if c.counterexample is not None:
            lines.append(f"       counterexample: {c.counterexample} -> {c.outcome and c.outcome['disposition']}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------- sweeps

def threshold_at(g: Guideline, address: str) -> Threshold:
    """The addressable threshold `RULE_OR_PHASE_OR_WARNING_ID/FIELD`; PathwayError lists the valid ones."""
    found = {t.address: t for t in thresholds(g)}
    if address not in found:
        raise PathwayError([Problem(field=address, message=(
            f"not an addressable threshold; one of: {', '.join(found)}"))])
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
            raise PathwayError([Problem(field=name, message=(
                f"{value} is out of range for {where}: {threshold.field} runs from {threshold.low} to {threshold.high}"))])
    values = list(range(start, stop + 1, step))
    if len(values) > MAX_SWEEP_VALUES:
        raise PathwayError([Problem(field="--step", message=f"{len(values):,} values; at most {MAX_SWEEP_VALUES:,}")])
    return values


Truths = tuple[np.ndarray, np.ndarray]  # (true, unknown) per row


def _truths(value: pd.arrays.BooleanArray) -> Truths:
    return value.to_numpy(dtype=bool, na_value=False), np.asarray(value.isna())


def _with_threshold(logic: ConditionEvaluator, condition: Condition | None, field: str, value: int) -> pd.arrays.BooleanArray:
    """The condition's value with every number comparison of `field` set to `value` (as `patched_pathway` sets it).

    Subtrees without such a comparison are the baseline's, computed once by `logic` and reused for every value.
    """
    if not any(t.field == field and t.op in COMPARISONS for t in tests_in(condition)):
        return logic.value(condition)
    match condition:
        case Test():
            # A fresh evaluator: the patched test is a temporary object and must not enter `logic`'s memo.
            return ConditionEvaluator(logic.columns, logic.rows).value(condition.model_copy(update={"value": value}))
        case AllOf():
            result = logic.constant(True)
            for part in condition.all:
                result = result & _with_threshold(logic, part, field, value)
            return result
        case AnyOf():
            result = logic.constant(False)
            for part in condition.any:
                result = result | _with_threshold(logic, part, field, value)
            return result
        case NotOf():
            return ~_with_threshold(logic, condition.negated, field, value)
    raise AssertionError(type(condition))


@dataclass
class _Walk:
    """The rule walk over rows as far as it has gone: decided rows, rows blocked by an unknown rule, codes."""

    decided: np.ndarray
    blocked: np.ndarray
    codes: np.ndarray

    def step(self, code: int, truths: Truths) -> "_Walk":
        true, unknown = truths
        newly = ~self.decided & true
        codes = self.codes.copy()
        codes[newly] = code
        return _Walk(self.decided | newly, self.blocked | (~self.decided & unknown), codes)


def sweep(cases: pd.DataFrame, g: Guideline, address: str, values: Sequence[int]) -> pd.DataFrame:
    """Cases per disposition with the threshold at each value (columns value, disposition, cases; every
    disposition at every value, zeros included). `cases` is `evaluate_frame`'s input; every row counts.

    Same decisions as evaluating `patched_pathway(g, {address: value})`, but the cohort is coded once, the rules
    before the patched one are walked once, and only the patched condition is recomputed per value.
    """
    threshold = threshold_at(g, address)
    for value in values:
        if not threshold.low <= value <= threshold.high:
            raise PathwayError([Problem(field=address, message=f"{value} is out of range ({threshold.low} to "
                                                               f"{threshold.high})")])
    rows = len(cases)
    logic = ConditionEvaluator(code_columns(cases, pathway_fields(g)), rows)
    dispositions = [d.id for d in g.pathway.dispositions]
    code = {d: n for n, d in enumerate(dispositions)}
    rules = g.pathway.rules
    patched = next((n for n, r in enumerate(rules) if r.id == threshold.item), len(rules))
    start = _Walk(np.zeros(rows, dtype=bool), np.zeros(rows, dtype=bool), np.full(rows, -1, dtype=np.int32))
    for rule in rules[:patched]:
        start = start.step(code[rule.disposition], _truths(logic.value(rule.when)))
    later = [(code[r.disposition], _truths(logic.value(r.when))) for r in rules[patched + 1:]]
    counts = []
    for value in values:
        walk = start
        if patched < len(rules):  # a phase or warning threshold never changes a disposition
            rule = rules[patched]
            walk = walk.step(code[rule.disposition], _truths(_with_threshold(logic, rule.when, threshold.field, value)))
        for step in later:
            walk = walk.step(*step)
        final = np.where(walk.blocked, code[NEEDS_INFORMATION], walk.codes)
        counts.append(np.bincount(final, minlength=len(dispositions)))
    return pd.DataFrame({
        "value": np.repeat(np.asarray(values, dtype=np.int64), len(dispositions)),
        "disposition": np.tile(np.array(dispositions, dtype=object), len(values)),
        "cases": np.concatenate(counts).astype(np.int64) if counts else np.array([], dtype=np.int64),
    }, columns=list(SWEEP_COLUMNS))


def evaluated_cases(result: CohortResult) -> pd.DataFrame:
    """The typed cases of a cohort's good rows (bad rows are not evaluated, so a sweep leaves them out)."""
    return result.cases[result.results[ERROR_COLUMN].isna().to_numpy()]


def sweep_text(counts: pd.DataFrame, address: str, article_value: int) -> str:
    """The sweep as a table for a terminal: one line per value, one column per disposition that occurs."""
    table = counts.pivot(index="value", columns="disposition", values="cases")
    table = table[[d for d in dict.fromkeys(counts["disposition"]) if table[d].any()]]
    width = max([len(c) for c in table.columns] + [8])
    lines = [f"Sweep of {address} (the article's value: {article_value}); cases per disposition "
             "(a what-if, not the article's pathway; educational decision support, not a medical device).",
             f"{'value':>6}  " + "  ".join(f"{c:>{width}}" for c in table.columns)]
    for value, row in table.iterrows():
        mark = "  <- the article" if value == article_value else ""
        lines.append(f"{value:>6}  " + "  ".join(f"{int(n):>{width},}" for n in row) + mark)
    return "\n".join(lines) + "\n"
