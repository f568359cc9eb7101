"""How cases flow through the pathway: presentation -> MRI finding -> deciding rule -> disposition.

The rows feed the pathway page's sankey and its table; node names carry their stage so that, say, an MRI
finding and a rule of the same name can never be the same node. The presentations are the pack's data
(`presentations` in pathway.yaml); the finding is the first choice field its rules read.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from core.analyses.cohort import DEMO_COHORT, ID_COLUMN, check_cohort, read_cohort
from core.analyses.frame import ConditionEvaluator, cases_frame, code_columns, evaluate_frame
from core.engine.case import DEFAULT_SCHEMA, Case, parse_case
from core.engine.conditions import fields_read, holds
from core.engine.guideline import Guideline, load_guideline, pathway_fields
from core.engine.vocabulary import CaseSchema
from core.engine.words import NOT_ASSESSED
from core.errors import CaseError, PathwayError, Problem

SCENARIO_SOURCE = "teaching scenario"
SYNTHETIC_SOURCE = "synthetic"
COHORT_SOURCE = "cohort"
# The sankey's stages, left to right.
STAGES = ("presentation", "MRI", "rule", "disposition")
FINDING_COLUMN = "finding"  # the finding stage's column when the rules read no choice field


def presentations(guideline: Guideline) -> list[str]:
    """The presentation stage's values in reading order: the pack's pictures, then `not assessed`."""
    return [pr.label for pr in guideline.pathway.presentations] + [NOT_ASSESSED]


def presentation(case: Case, guideline: Guideline | None = None) -> str:
    """The clinical picture a case presents with: the pack's first presentation that holds on what is known."""
    g = guideline or load_guideline()
    values = case.values()
    return next((pr.label for pr in g.pathway.presentations if holds(pr.when, values) is True), NOT_ASSESSED)


def finding_column(guideline: Guideline) -> str:
    """The flows column of the finding stage: named by its field, so tables read in the pack's own words."""
    return finding_field(guideline) or FINDING_COLUMN


def stage_columns(guideline: Guideline) -> dict[str, str]:
    """Stage name -> the flows column it reads, in the sankey's left-to-right order."""
    columns = ("presentation", finding_column(guideline), "deciding_rule", "disposition")
    return dict(zip(STAGES, columns, strict=True))


def flow_columns(guideline: Guideline) -> list[str]:
    finding = finding_column(guideline)
    labelled = ["deciding_rule", "deciding_rule_label", "disposition", "disposition_label"]
    return ["case_id", "source", "presentation", finding, *labelled, "urgent", "warnings"]


def read_cohort_cases(path: Path, schema: CaseSchema = DEFAULT_SCHEMA) -> list[tuple[str, Case]]:
    """(case_id, Case) for each row of a cohort file, read and checked by the same reader and validator as the
    Cohort page and `python -m core cohort`; any bad row raises CaseError naming the case and the field."""
    checked = check_cohort(read_cohort(path), schema)
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
    # Text fields are checked but not decided on, so the checked frame leaves them out: they are read as written.
    texts = {f: checked.table.column(f).to_pylist() for f in checked.fields if schema.kinds[f] == "text"}
    records = checked.cases.astype(object).to_dict("records")
    for row, values in enumerate(records):
        values.update({f: column[row] for f, column in texts.items()})
    return [(case_id, _case(values, schema)) for case_id, values in zip(ids, records, strict=False)]


def _case(values: dict[str, Any], schema: CaseSchema) -> Case:
    """A checked row as a Case (its values are already valid: this only builds the model)."""
    known = {k: v for k, v in values.items() if v is not None and v is not pd.NA and v == v}
    for field in schema.list_fields:
        if field in known:
            known[field] = [item for item in str(known[field]).split(";") if item]
    for field in schema.text_fields:
        if field in known:
            known[field] = str(known[field]).strip() or None
    return parse_case({k: v for k, v in known.items() if v is not None}, schema)


def demo_cases(guideline: Guideline | None = None, cohort: Path = DEMO_COHORT) -> list[tuple[str, str, Case]]:
    """The teaching scenarios, then the synthetic demo cohort, as (case_id, source, Case)."""
    g = guideline or load_guideline()
    scenarios = [(s.id, SCENARIO_SOURCE, g.parse_case(s.case)) for s in g.scenarios]
    if cohort == DEMO_COHORT:  # the pack's own demo cohort; a pack need not ship one
        cohort = g.source_dir / DEMO_COHORT.name
        if not cohort.is_file():
            return scenarios
    return scenarios + [(cid, SYNTHETIC_SOURCE, case) for cid, case in read_cohort_cases(cohort, g.schema)]


def _presentations(cases: pd.DataFrame, guideline: Guideline) -> pd.Categorical:
    """`presentation` for every row at once: the first of the pack's pictures that holds."""
    pictures = guideline.pathway.presentations
    fields = list(dict.fromkeys(f for pr in pictures for f in fields_read(pr.when)))
    logic = ConditionEvaluator(code_columns(cases, fields, guideline.schema), len(cases))
    codes = np.full(len(cases), len(pictures), dtype=np.int8)
    for code in reversed(range(len(pictures))):  # the most serious picture is written last, so wins
        codes[logic.true(pictures[code].when)] = code
    return pd.Categorical.from_codes(codes, categories=presentations(guideline))


def finding_field(guideline: Guideline) -> str | None:
    """The field of the sankey's finding stage: the first choice field the rules read (the imaging finding)."""
    return next((f for f in pathway_fields(guideline) if guideline.schema.kinds.get(f) == "choice"), None)


def _finding_values(guideline: Guideline) -> tuple[list[str], list[str]]:
    """(value ids, their labels then `not assessed`) of the finding stage."""
    field = finding_field(guideline)
    values = list(guideline.schema.choices[field]) if field else []
    return values, [guideline.value_labels[field][v] for v in values] + [NOT_ASSESSED] if field else [NOT_ASSESSED]


def _finding_labels(cases: pd.DataFrame, guideline: Guideline) -> pd.Categorical:
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
            "presentation": _presentations(cases, g),
            finding_column(g): _finding_labels(cases, g),
            "deciding_rule": pd.Categorical(results["deciding_rule"]),
            "deciding_rule_label": _labelled(results["deciding_rule"], {r.id: r.label for r in g.decision_rules}),
            "disposition": pd.Categorical(results["disposition"]),
            "disposition_label": _labelled(results["disposition"], {d.id: d.label for d in g.pathway.dispositions}),
            "urgent": results["urgent"].to_numpy(dtype=bool),
            "warnings": pd.Categorical(results["warnings"]),
        },
        columns=flow_columns(g),
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
        return presentations(guideline)
    if stage == "MRI":
        return _finding_values(guideline)[1]
    if stage == "rule":
        return [r.id for r in guideline.decision_rules]
    return [d.id for d in guideline.pathway.dispositions]


def flow_nodes(flows: pd.DataFrame, guideline: Guideline | None = None) -> list[str]:
    """Every node some case passes through, stage by stage, each stage in the pathway's order."""
    g = guideline or load_guideline()
    nodes = []
    for stage, column in stage_columns(g).items():
        present = set(flows[column].unique())
        order = _stage_order(stage, g)
        nodes += [_node(stage, v) for v in order if v in present]
        nodes += [_node(stage, v) for v in sorted(present - set(order))]
    return nodes


def flow_links(flows: pd.DataFrame, guideline: Guideline | None = None) -> pd.DataFrame:
    """Case counts between neighbouring stages (source node, target node, count), in node order."""
    g = guideline or load_guideline()
    rank = {name: n for n, name in enumerate(flow_nodes(flows, g))}
    stages = list(stage_columns(g).items())
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


def cases_at_node(flows: pd.DataFrame, node: str, guideline: Guideline | None = None) -> pd.DataFrame:
    """The cases that pass through one node, with the rule that decided them and where they ended up."""
    g = guideline or load_guideline()
    stage = node_stage(node)
    value = node.split(": ", 1)[1]
    chosen = flows[flows[stage_columns(g)[stage]] == value]
    return chosen[[c for c in flow_columns(g) if not c.endswith("_label")]].reset_index(drop=True)
