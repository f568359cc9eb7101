"""Verification of the whole pathway: evaluate the verification grid and check structure, coverage and invariants.

Invariants are data (`data/invariants.yaml`), in the pathway's own condition language, so a reviewer can read
and extend them; they are evaluated by our code (never eval). The report names a counterexample for each
failure: the case in the JSON case format and what the pathway gave.
"""

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import computed_field

from core.analyses.frame import Coded, ConditionEvaluator, cases_frame, code_columns, evaluate_frame
from core.analyses.grid import RESULT_FIELDS, GridSpace, verification_grid
from core.engine.case import FIELD_KINDS
from core.engine.conditions import Condition, fields_read, tests_in
from core.engine.data_files import load_file
from core.engine.guideline import (
    DATA_DIR,
    NEEDS_INFORMATION,
    Guideline,
    condition_type_problems,
    load_guideline,
    pathway_fields,
)
from core.errors import DataError, Problem
from core.model import Frozen

INVARIANTS_FILE = "invariants.yaml"
METHOD = (
    "Lazy expansion over the values each condition can tell apart (yes / no / unknown; every MRI finding and "
    "unknown; each number threshold, one either side and the ends of the range; each proposal the conditions "
    "read, in or out): a field is split only while its value can still change the decision, a warning or an "
    "invariant. The branches partition all valid cases, so every outcome any case can get is in the grid."
)


class Invariant(Frozen):
    """WHEN `when` holds THEN `then` must hold, for every case."""

    id: str
    text: str
    basis: list[str] = []
    when: Condition
    then: Condition


class Check(Frozen):
    """One verified property; a failure carries a counterexample (or names what is missing)."""

    id: str
    kind: Literal["structure", "coverage", "invariant"]
    title: str
    passed: bool
    detail: str
    counterexample: dict[str, Any] | None = None
    outcome: dict[str, Any] | None = None


class VerificationReport(Frozen):
    guideline_version: str
    cases: int
    method: str
    values_tried: dict[str, list[Any]]
    checks: list[Check]
    dispositions: dict[str, int]
    rules: dict[str, int]
    warnings: dict[str, int]

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form; mypy cannot see through it
    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def _invariant_problems(g: Guideline, invariants: list[Invariant]) -> list[Problem]:
    problems: list[Problem] = []
    readable = set(pathway_fields(g)) | set(RESULT_FIELDS)
    ids = {
        "disposition": [d.id for d in g.pathway.dispositions],
        "deciding_rule": [r.id for r in g.pathway.rules],
        "warnings": [w.id for w in g.pathway.warnings],
    }
    seen: set[str] = set()
    for n, inv in enumerate(invariants):
        where = f"{INVARIANTS_FILE}: invariants.{n} ({inv.id})"
        if inv.id in seen:
            problems.append(Problem(field=where, message="duplicate id"))
        seen.add(inv.id)
        problems += [
            Problem(field=where, message=f"unknown statement `{s}`") for s in inv.basis if s not in g.statements_by_id
        ]
        for condition in (inv.when, inv.then):
            problems += condition_type_problems(where, condition, RESULT_FIELDS, g.schema)
            for test in tests_in(condition):
                values = test.value if isinstance(test.value, list) else [test.value]
                if test.field not in readable:
                    problems.append(Problem(field=where, message=f"`{test.field}` is not read by the pathway"))
                elif test.field in ("urgent", "all_known") and not (
                    test.op in ("is", "is_not") and isinstance(test.value, bool)
                ):
                    problems.append(
                        Problem(field=where, message=f"`{test.field}` is yes/no: use op is/is_not with true/false")
                    )
                elif test.field == "warnings" and not (test.op == "includes" and test.value in ids["warnings"]):
                    problems.append(
                        Problem(field=where, message=f"`warnings` takes op includes with one of {ids['warnings']}")
                    )
                elif test.field in ("disposition", "deciding_rule") and (
                    test.op not in ("is", "is_not", "in", "not_in") or any(v not in ids[test.field] for v in values)
                ):
                    problems.append(
                        Problem(field=where, message=f"`{test.field}` values must be among {ids[test.field]}")
                    )
    return problems


def load_invariants(guideline: Guideline | None = None, data_dir: Path = DATA_DIR) -> list[Invariant]:
    """Read and validate `invariants.yaml`; DataError names the file, the path inside it and the reason."""
    g = guideline or load_guideline()
    if not (Path(data_dir) / INVARIANTS_FILE).is_file():
        return []  # a pack need not state any
    invariants = load_file(Path(data_dir) / INVARIANTS_FILE, list[Invariant], key="invariants")
    problems = _invariant_problems(g, invariants)
    if problems:
        raise DataError(problems)
    return invariants


def _outcome(results: pd.DataFrame, row: int) -> dict[str, Any]:
    r = results.iloc[row]
    return {
        "disposition": r["disposition"],
        "urgent": bool(r["urgent"]),
        "deciding_rule": r["deciding_rule"],
        "warnings": [w for w in r["warnings"].split(";") if w],
        "missing": [m for m in r["missing"].split(";") if m],
        "phase": None if pd.isna(r["phase"]) else r["phase"],
    }


def _result_columns(frame: pd.DataFrame, results: pd.DataFrame, fields: list[str]) -> dict[str, Coded]:
    def categorical(column: str, parse: Any = str, unknown: Any = None) -> Coded:
        values = results[column].cat
        return Coded(
            codes=values.codes.to_numpy().astype(np.int32),
            values=tuple(parse(c) for c in values.categories),
            unknown=unknown,
        )

    known = np.ones(len(frame), dtype=bool)
    for name in fields:
        if FIELD_KINDS.get(name) != "list":  # a list is never unknown (absent: no item listed)
            known &= frame[name].notna().to_numpy()
    return {
        "disposition": categorical("disposition"),
        "deciding_rule": categorical("deciding_rule"),
        "warnings": categorical("warnings", lambda c: tuple(w for w in c.split(";") if w), unknown=()),
        "urgent": Coded(codes=results["urgent"].to_numpy().astype(np.int32), values=(False, True)),
        "all_known": Coded(codes=known.astype(np.int32), values=(False, True)),
    }


def _check(
    check_id: str,
    kind: str,
    title: str,
    failing: np.ndarray,
    detail: str,
    cases: list[dict[str, Any]],
    results: pd.DataFrame,
) -> Check:
    if not failing.any():
        return Check(id=check_id, kind=kind, title=title, passed=True, detail=detail)
    row = int(np.flatnonzero(failing)[0])
    return Check(
        id=check_id,
        kind=kind,
        title=title,
        passed=False,
        detail=f"{int(failing.sum())} of {len(failing)} cases fail. {detail}",
        counterexample=cases[row],
        outcome=_outcome(results, row),
    )


def _coverage(check_id: str, title: str, wanted: list[str], counts: dict[str, int]) -> Check:
    never = [w for w in wanted if not counts.get(w)]
    detail = f"never: {', '.join(never)}" if never else f"all {len(wanted)} occur"
    return Check(id=check_id, kind="coverage", title=title, passed=not never, detail=detail)


def verification_report(
    guideline: Guideline | None = None, invariants: list[Invariant] | None = None
) -> VerificationReport:
    """Build the grid, evaluate it with `evaluate_frame`, and check every property. Never raises on a failure."""
    g = guideline or load_guideline()
    invariants = load_invariants(g) if invariants is None else invariants
    p = g.pathway
    cases = verification_grid(g, [(inv.when, inv.then) for inv in invariants])
    fields = pathway_fields(g)
    invariant_fields = [f for inv in invariants for c in (inv.when, inv.then) for f in fields_read(c)]
    # A variant's pathway may no longer read a field an invariant does; the grid then varies it, so keep it.
    frame = cases_frame(cases, list(dict.fromkeys(fields + [f for f in invariant_fields if f in g.schema.defs])))
    results = evaluate_frame(frame, g)

    disposition = results["disposition"].astype(str).to_numpy()
    deciding = results["deciding_rule"].astype(str).to_numpy()
    rule_disposition = np.array([{r.id: r.disposition for r in p.rules}[d] for d in deciding])
    blocked = disposition == NEEDS_INFORMATION
    checks = [
        _check(
            "one_disposition",
            "structure",
            "every case gets exactly one disposition, from its deciding rule",
            results["disposition"].isna().to_numpy() | (~blocked & (rule_disposition != disposition)),
            "each case has one disposition id, the one of the first rule that holds (or needs_information)",
            cases,
            results,
        )
    ]
    missing = results["missing"].to_numpy().astype(str)
    wrong_missing = blocked != (missing != "")
    for name in fields:
        listed = np.array([name in m.split(";") for m in results["missing"].cat.categories])[
            results["missing"].cat.codes
        ]
        wrong_missing |= listed & frame[name].notna().to_numpy()
    checks.append(
        _check(
            "missing_names_unknown_fields",
            "structure",
            "needs_information lists the missing fields, and only fields that are unknown",
            wrong_missing,
            "a decided case lists none; a case needing information lists at least one, each unknown in the case",
            cases,
            results,
        )
    )

    decided = pd.Series(deciding[~blocked]).value_counts().to_dict()
    by_disposition = pd.Series(disposition).value_counts().to_dict()
    fired: dict[str, int] = {}
    for label, count in results["warnings"].value_counts().items():
        for w in filter(None, str(label).split(";")):
            fired[w] = fired.get(w, 0) + int(count)
    checks += [
        _coverage(
            "every_rule_decides",
            "every rule decides at least one case (no dead rule)",
            [r.id for r in p.rules],
            decided,
        ),
        _coverage(
            "every_disposition_reachable",
            "every disposition is reachable",
            # The scope's own disposition is reached by the scope gate, which the grid does not split on.
            [d.id for d in p.dispositions if d is not g.scope_disposition],
            by_disposition,
        ),
        _coverage("every_warning_fires", "every warning can fire", [w.id for w in p.warnings], fired),
    ]

    logic = ConditionEvaluator(
        {
            **code_columns(frame, [f for f in frame.columns if f in invariant_fields], g.schema),
            **_result_columns(frame, results, fields),
        },
        len(frame),
    )
    for inv in invariants:
        violated = logic.true(inv.when) & ~logic.true(inv.then)
        checks.append(
            _check(
                inv.id,
                "invariant",
                inv.text,
                violated,
                "when the premise holds, the conclusion must hold",
                cases,
                results,
            )
        )

    space = GridSpace(g, [c for inv in invariants for c in (inv.when, inv.then)])
    return VerificationReport(
        guideline_version=g.info.version,
        cases=len(cases),
        method=METHOD,
        values_tried={
            **{f: [*space.candidates[f], None] for f in space.candidates},
            **{name: [[q] for f, q in space.items if f == name] for name in space.fields if name in space.lists},
        },
        checks=checks,
        dispositions={d.id: int(by_disposition.get(d.id, 0)) for d in p.dispositions},
        rules={r.id: int(decided.get(r.id, 0)) for r in p.rules},
        warnings={w.id: fired.get(w.id, 0) for w in p.warnings},
    )


def report_text(report: VerificationReport) -> str:
    """The report for a person at a terminal: one line per check, counterexamples as JSON."""
    import json

    lines = [
        f"Verification of guideline {report.guideline_version} over {report.cases:,} cases "
        "(every outcome of the decision, of each warning and of each invariant)."
    ]
    for c in report.checks:
        lines.append(f"{'PASS' if c.passed else 'FAIL'}  {c.kind:<9}  {c.id}: {c.title}")
        if not c.passed:
            lines.append(f"      {c.detail}")
            if c.counterexample is not None:
                lines.append(f"      counterexample: {json.dumps(c.counterexample)}")
                lines.append(f"      pathway gave:   {json.dumps(c.outcome)}")
    failed = sum(not c.passed for c in report.checks)
    lines.append(f"Result: {failed or 'all'} of {len(report.checks)} checks {'passed' if not failed else 'failed'}.")
    return "\n".join(lines) + "\n"
