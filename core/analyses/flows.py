"""How cases flow through the pathway: presentation -> MRI finding -> deciding rule -> disposition.

The rows feed the pathway page's sankey and its table; node names carry their stage so that, say, the MRI
finding "not done" and the rule `R4_mri_not_done` can never be the same node.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.analyses.cohort import DEMO_COHORT, ID_COLUMN, check_cohort, read_cohort
from core.analyses.frame import cases_frame, evaluate_frame
from core.engine.case import Case, parse_case
from core.engine.guideline import Guideline, load_guideline, pathway_fields
from core.engine.words import NOT_ASSESSED
from core.errors import CaseError, PathwayError, Problem

SCENARIO_SOURCE = "teaching scenario"
SYNTHETIC_SOURCE = "synthetic"
COHORT_SOURCE = "cohort"
# Most serious first: a case shows under the presentation that most shapes its route. Red flags take the patient
# out of the pathway whatever else is found (safeguard_red_flag_screen); myelopathic signs point at the cord and
# make the MRI urgent (safeguard_myelopathy_signs); radicular pain opens the root-compression routes (R6, the
# epidural option); axial pain alone is what is left when radicular symptoms were asked about and are absent.
PRESENTATIONS = ("red flags", "myelopathic signs", "radicular pain", "axial neck pain", NOT_ASSESSED)
# Stage name -> the flows column it reads, in the sankey's left-to-right order.
STAGES = {"presentation": "presentation", "MRI": "mri_finding", "rule": "deciding_rule", "disposition": "disposition"}
FLOW_COLUMNS = [
    "case_id",
    "source",
    "presentation",
    "mri_finding",
    "deciding_rule",
    "deciding_rule_label",
    "disposition",
    "disposition_label",
    "urgent",
    "warnings",
]


def presentation(case: Case) -> str:
    """The clinical picture a case presents with (see PRESENTATIONS for why this order)."""
    values = case.values()
    if values.get("red_flags"):
        return "red flags"
    if values.get("myelopathy_signs"):
        return "myelopathic signs"
    if values.get("radicular_symptoms"):
        return "radicular pain"
    if values.get("radicular_symptoms") is False:
        return "axial neck pain"
    return NOT_ASSESSED


def read_cohort_cases(path: Path) -> list[tuple[str, Case]]:
    """(case_id, Case) for each row of a cohort file, read and checked by the same reader and validator as the
    Cohort page and `python -m core cohort`; any bad row raises CaseError naming the case and the field."""
    checked = check_cohort(read_cohort(path))
    if ID_COLUMN not in checked.table.column_names:
        raise CaseError([Problem(field=path.name, message=f"no `{ID_COLUMN}` column")])
    ids = checked.table.column(ID_COLUMN).to_pylist()
    problems = [
        Problem(field=f"{ids[row]}: {p.field}", message=p.message)
        for row in sorted(checked.problems)
        for p in checked.problems[row]
    ]
    if problems:
        raise CaseError(problems)
    levels = (
        checked.table.column("prior_fusion_levels").to_pylist()
        if "prior_fusion_levels" in checked.fields
        else [None] * len(ids)
    )
    records = checked.cases.astype(object).to_dict("records")
    return [(case_id, _case(values, level)) for case_id, values, level in zip(ids, records, levels, strict=False)]


def _case(values: dict[str, Any], prior_fusion_levels: str | None) -> Case:
    """A checked row as a Case (its values are already valid: this only builds the model)."""
    known = {k: v for k, v in values.items() if v is not None and v is not pd.NA and v == v}
    if "proposed" in known:
        known["proposed"] = [p for p in str(known["proposed"]).split(";") if p]
    if prior_fusion_levels and prior_fusion_levels.strip():
        known["prior_fusion_levels"] = prior_fusion_levels.strip()
    return parse_case(known)


def demo_cases(guideline: Guideline | None = None, cohort: Path = DEMO_COHORT) -> list[tuple[str, str, Case]]:
    """The teaching scenarios, then the synthetic demo cohort, as (case_id, source, Case)."""
    g = guideline or load_guideline()
    scenarios = [(s.id, SCENARIO_SOURCE, g.parse_case(s.case)) for s in g.scenarios]
    if cohort == DEMO_COHORT:  # the pack's own demo cohort; a pack need not ship one
        cohort = g.source_dir / DEMO_COHORT.name
        if not cohort.is_file():
            return scenarios
    return scenarios + [(cid, SYNTHETIC_SOURCE, case) for cid, case in read_cohort_cases(cohort)]


def _known(frame: pd.DataFrame, field: str, value: bool) -> np.ndarray:
    """Rows where a yes/no field is known to be `value` (unknown or absent is neither)."""
    if field not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    column = pd.array(frame[field], dtype="boolean")
    return (column if value else ~column).to_numpy(dtype=bool, na_value=False)


def _presentations(cases: pd.DataFrame) -> pd.Categorical:
    """`presentation` for every row at once: the first picture in PRESENTATIONS that holds."""
    pictures = [
        _known(cases, "red_flags", True),
        _known(cases, "myelopathy_signs", True),
        _known(cases, "radicular_symptoms", True),
        _known(cases, "radicular_symptoms", False),
    ]
    codes = np.full(len(cases), PRESENTATIONS.index(NOT_ASSESSED), dtype=np.int8)
    for code, holds in reversed(list(enumerate(pictures))):  # the most serious picture is written last, so wins
        codes[holds] = code
    return pd.Categorical.from_codes(codes, categories=list(PRESENTATIONS))


def finding_field(guideline: Guideline) -> str | None:
    """The field of the sankey's finding stage: the first choice field the rules read (the imaging finding)."""
    return next((f for f in pathway_fields(guideline) if guideline.schema.kinds.get(f) == "choice"), None)


def _finding_values(guideline: Guideline) -> tuple[list[str], list[str]]:
    """(value ids, their labels then `not assessed`) of the finding stage."""
    field = finding_field(guideline)
    values = list(guideline.schema.choices[field]) if field else []
    return values, [guideline.value_labels[field][v] for v in values] + [NOT_ASSESSED] if field else [NOT_ASSESSED]


def _mri_labels(cases: pd.DataFrame, guideline: Guideline) -> pd.Categorical:
    field = finding_field(guideline)
    values, labels = _finding_values(guideline)
    if field is None or field not in cases.columns:
        return pd.Categorical.from_codes(np.full(len(cases), len(values)), categories=labels)
    codes = pd.Categorical(cases[field], categories=values).codes
    return pd.Categorical.from_codes(np.where(codes < 0, len(values), codes), categories=labels)


def _labelled(column: pd.Series, labels: dict[str, str]) -> pd.Categorical:
    """A categorical of ids as the categorical of their labels (one lookup per category, not per row)."""
    ids = pd.Categorical(column)
    return pd.Categorical.from_codes(ids.codes, categories=[labels[i] for i in ids.categories])


def flows_from_results(
    cases: pd.DataFrame, results: pd.DataFrame, guideline: Guideline | None = None, source: str = COHORT_SOURCE
) -> pd.DataFrame:
    """The flows of evaluated cases: `cases` in `evaluate_frame`'s input form, `results` its output (or a cohort's
    results, whose rows with an `error` were not evaluated and are left out), on the same index.

    `case_id` and `source` come from columns of that name in the results or the cases; otherwise the case id is
    the 1-based row number and the source is `source`. Vectorised: a million rows take well under a second.
    """
    g = guideline or load_guideline()
    evaluated = results["disposition"].notna().to_numpy()
    if not evaluated.all():
        cases, results = cases[evaluated], results[evaluated]
    rows = len(results)

    def carried(name: str, default: Callable[[], Any]) -> Any:
        for frame in (results, cases):
            if name in frame.columns:
                return frame[name].array
        return default()

    return pd.DataFrame(
        {
            "case_id": carried("case_id", lambda: pd.array((np.flatnonzero(evaluated) + 1).astype(str), dtype="str")),
            "source": carried("source", lambda: pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), [source])),
            "presentation": _presentations(cases),
            "mri_finding": _mri_labels(cases, g),
            "deciding_rule": pd.Categorical(results["deciding_rule"]),
            "deciding_rule_label": _labelled(results["deciding_rule"], {r.id: r.label for r in g.decision_rules}),
            "disposition": pd.Categorical(results["disposition"]),
            "disposition_label": _labelled(results["disposition"], {d.id: d.label for d in g.pathway.dispositions}),
            "urgent": results["urgent"].to_numpy(dtype=bool),
            "warnings": pd.Categorical(results["warnings"]),
        },
        columns=FLOW_COLUMNS,
    )


def cohort_flows(cases: list[tuple[str, str, Case]], guideline: Guideline | None = None) -> pd.DataFrame:
    """One row per case: its presentation, MRI finding, the rule that decided (or blocked) and the disposition."""
    g = guideline or load_guideline()
    frame = cases_frame([case.model_dump(exclude_none=True) for _, _, case in cases], list(g.schema.fields))
    frame["case_id"] = [case_id for case_id, _, _ in cases]
    frame["source"] = pd.Categorical([source for _, source, _ in cases])
    return flows_from_results(frame, evaluate_frame(frame, g), g)


def _node(stage: str, value: str) -> str:
    return f"{stage}: {value}"


def _stage_order(stage: str, guideline: Guideline) -> list[str]:
    """Every value a stage can take, in reading order (so the sankey's columns read like the pathway)."""
    if stage == "presentation":
        return list(PRESENTATIONS)
    if stage == "MRI":
        return _finding_values(guideline)[1]
    if stage == "rule":
        return [r.id for r in guideline.decision_rules]
    return [d.id for d in guideline.pathway.dispositions]


def flow_nodes(flows: pd.DataFrame, guideline: Guideline | None = None) -> list[str]:
    """Every node some case passes through, stage by stage, each stage in the pathway's order."""
    g = guideline or load_guideline()
    nodes = []
    for stage, column in STAGES.items():
        present = set(flows[column].unique())
        order = _stage_order(stage, g)
        nodes += [_node(stage, v) for v in order if v in present]
        nodes += [_node(stage, v) for v in sorted(present - set(order))]
    return nodes


def flow_links(flows: pd.DataFrame, guideline: Guideline | None = None) -> pd.DataFrame:
    """Case counts between neighbouring stages (source node, target node, count), in node order."""
    rank = {name: n for n, name in enumerate(flow_nodes(flows, guideline))}
    stages = list(STAGES.items())
    parts = []
    for (left, left_col), (right, right_col) in zip(stages, stages[1:], strict=False):
        counts = flows.groupby([left_col, right_col], observed=True).size().reset_index(name="count")
        parts.append(
            pd.DataFrame(
                {
                    "source": [_node(left, v) for v in counts[left_col]],
                    "target": [_node(right, v) for v in counts[right_col]],
                    "count": counts["count"].astype(int),
                }
            )
        )
    links = pd.concat(parts, ignore_index=True)
    order = links["source"].map(rank) * len(rank) + links["target"].map(rank)
    return links.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def node_stage(node: str) -> str:
    """The stage a node name belongs to (`presentation`, `MRI`, `rule` or `disposition`)."""
    stage = node.split(": ", 1)[0]
    if stage not in STAGES or ": " not in node:
        raise PathwayError([Problem(field="node", message=f"{node!r} is not a flow node (stage: value)")])
    return stage


def cases_at_node(flows: pd.DataFrame, node: str) -> pd.DataFrame:
    """The cases that pass through one node, with the rule that decided them and where they ended up."""
    stage = node_stage(node)
    value = node.split(": ", 1)[1]
    chosen = flows[flows[STAGES[stage]] == value]
    return chosen[
        ["case_id", "source", "presentation", "mri_finding", "deciding_rule", "disposition", "urgent", "warnings"]
    ].reset_index(drop=True)
