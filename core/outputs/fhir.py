"""The pathway as an HL7 FHIR PlanDefinition, shaped like the clinical practice guideline (CPG) profile.

Conditions keep our structured language (`text/x-spine-pathway-condition`, JSON of the condition) beside a
readable description, so no logic is lost and none is rewritten into another language. R4B (4.3.0, closest to
the CPG profile's R4) is the default; R5 (5.0.0) differs here only in `relatedAction.targetId` and a single
`action.code`. The output is plain JSON; the tests validate it with the fhir.resources models of that version.
"""

import json
from typing import Any, Literal

from core.engine.conditions import Condition
from core.engine.guideline import Guideline, Rule, Statement
from core.outputs.citations import citation_marks
from core.outputs.summary import citation_line

FhirVersion = Literal["R4B", "R5"]
FHIR_RELEASES = {"R4B": "4.3.0", "R5": "5.0.0"}
CONDITION_LANGUAGE = "text/x-spine-pathway-condition"
SYSTEM = "urn:spine-pathway-explorer"
UCUM = "http://unitsofmeasure.org"
CPG = "http://hl7.org/fhir/uv/cpg/StructureDefinition"


def _camel(identifier: str) -> str:
    return "".join(part.capitalize() for part in identifier.replace("_", "-").split("-"))


def _action_id(identifier: str) -> str:
    # FHIR ids allow letters, digits, '-' and '.': our ids use '_'.
    return identifier.replace("_", "-")


def _citation(g: Guideline, number: int) -> dict[str, Any]:
    listed = {r.number for r in g.references}
    artifact = {"type": "citation", "label": str(number), "display": citation_line(g, number)}
    if number not in listed:
        artifact["display"] = f"[{number}] UNRESOLVED: cited by the article, absent from its reference list"
    else:
        artifact["citation"] = citation_line(g, number).split("] ", 1)[1]
    return artifact


def _documentation(g: Guideline, statement_ids: list[str]) -> list[dict[str, Any]]:
    numbers = sorted({n for sid in statement_ids for n in g.statement(sid).citations})
    return [_citation(g, n) for n in numbers]


def _condition(g: Guideline, condition: Condition) -> list[dict[str, Any]]:
    return [
        {
            "kind": "applicability",
            "expression": {
                "language": CONDITION_LANGUAGE,
                "expression": json.dumps(condition.model_dump(by_alias=True), separators=(",", ":")),
                "description": g.describe(condition),
            },
        }
    ]


def _statement_text(s: Statement) -> str:
    return f"{s.text} {citation_marks(s.citations, s.origin)}"


def _rule_action(g: Guideline, rule: Rule) -> dict[str, Any]:
    d = g.disposition(rule.disposition)
    statements = rule.statements + [s for x in rule.extra_statements for s in x.statements]
    when = g.describe(rule.when)
    text = f"If {when}: {d.label}." if rule.when is not None else f"Otherwise: {d.label}."
    description = d.summary
    if rule.urgent_when is not None:
        description += f" Urgent when {g.describe(rule.urgent_when)}."
    action: dict[str, Any] = {
        "id": _action_id(rule.id),
        "title": rule.label,
        "description": description,
        "textEquivalent": " ".join([text] + [_statement_text(g.statement(s)) for s in dict.fromkeys(statements)]),
        "code": [{"coding": [{"system": f"{SYSTEM}:disposition", "code": d.id}], "text": d.label}],
        "priority": "urgent" if d.urgent else "routine",
    }
    if rule.when is not None:
        action["condition"] = _condition(g, rule.when)
    documentation = _documentation(g, statements)
    if documentation:
        action["documentation"] = documentation
    return action


def _conditional_action(
    g: Guideline, item_id: str, title: str, lead: str, when: Condition, statements: list[str]
) -> dict[str, Any]:
    """A phase or pitfall: its condition, readable text with the statements, and their citations."""
    action: dict[str, Any] = {
        "id": _action_id(item_id),
        "title": title,
        "textEquivalent": " ".join([lead] + [_statement_text(g.statement(s)) for s in dict.fromkeys(statements)]),
        "condition": _condition(g, when),
    }
    documentation = _documentation(g, statements)
    if documentation:
        action["documentation"] = documentation
    return action


def _timeline(g: Guideline) -> dict[str, Any]:
    milestones = g.pathway.milestones
    start = milestones[0]
    actions = []
    for m in milestones:
        action: dict[str, Any] = {
            "id": f"week-{m.week}",
            "title": m.label,
            "textEquivalent": f"Week {m.week} of conservative care: {m.label}.",
        }
        if m is not start:
            action["relatedAction"] = [
                {
                    "actionId": f"week-{start.week}",
                    "relationship": "after-start",
                    "offsetDuration": {"value": m.week - start.week, "unit": "weeks", "system": UCUM, "code": "wk"},
                }
            ]
        actions.append(action)
    phases = []
    for p in g.pathway.phases:
        statements = p.statements + [s for x in p.extra_statements for s in x.statements]
        lead = f"When {g.describe(p.when)}: {p.label}."
        phases.append(_conditional_action(g, p.id, p.label, lead, p.when, statements))
    return {
        "id": "conservative-care",
        "title": "Conservative care: milestones and phases",
        "description": "Weeks are counted from the MRI and the start of structured conservative care (week 0).",
        "action": [
            {"id": "milestones", "title": "Review milestones", "selectionBehavior": "all", "action": actions},
            {
                "id": "phases",
                "title": "Phase of conservative care (first that holds)",
                "selectionBehavior": "exactly-one",
                "action": phases,
            },
        ],
    }


def _pitfalls(g: Guideline) -> dict[str, Any]:
    actions = []
    for w in g.pathway.warnings:
        lead = f"Warn when {g.describe(w.when)}."
        actions.append(_conditional_action(g, w.id, w.label, lead, w.when, w.statements))
    return {
        "id": "pitfalls",
        "title": "Pitfalls, checked on every case",
        "description": "Each warning fires only when its condition holds on known inputs; `disposition` is the "
        "decision reached by the rules.",
        "selectionBehavior": "any",
        "action": actions,
    }


def _to_r5(node: Any) -> Any:
    """R5 renames relatedAction.actionId to targetId and makes action.code a single CodeableConcept."""
    if isinstance(node, list):
        return [_to_r5(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {("targetId" if k == "actionId" else k): _to_r5(v) for k, v in node.items()}
    if isinstance(out.get("code"), list) and "priority" in out:
        out["code"] = out["code"][0]
    return out


def plan_definition(guideline: Guideline, fhir_version: FhirVersion = "R4B") -> dict[str, Any]:
    """The pathway as a PlanDefinition resource (a JSON-ready dict) for FHIR R4B or R5."""
    g = guideline
    release = FHIR_RELEASES[fhir_version]
    all_cited = sorted({n for s in g.statements for n in s.citations} | {r.number for r in g.references})
    resource = {
        "resourceType": "PlanDefinition",
        "id": g.info.id,
        "meta": {
            "tag": [
                {
                    "system": f"{SYSTEM}:fhir-version",
                    "code": release,
                    "display": f"FHIR {fhir_version} ({release}), checked with the fhir.resources {fhir_version} "
                    "models; "
                    "shaped like the CPG PlanDefinition profile, not validated against it",
                },
                {
                    "system": f"{SYSTEM}:guideline-version",
                    "code": g.info.version,
                    "display": f"guideline data version {g.info.version} ({g.info.date.isoformat()})",
                },
            ]
        },
        "extension": [
            {"url": f"{CPG}/cpg-knowledgeCapability", "valueCode": "computable"},
            {"url": f"{CPG}/cpg-knowledgeRepresentationLevel", "valueCode": "structured"},
        ],
        "url": f"{SYSTEM}:PlanDefinition/{g.info.id}",
        "version": g.info.version,
        "name": _camel(g.info.id),
        "title": g.info.title,
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                    "code": "clinical-protocol",
                    "display": "Clinical Protocol",
                }
            ]
        },
        "status": "draft",
        "experimental": True,
        "date": g.info.date.isoformat(),
        "publisher": "Spine Pathway Explorer",
        "description": g.info.source.line,
        "usage": g.info.notice,
        "relatedArtifact": [_citation(g, n) for n in all_cited],
        "action": [
            {
                "id": "decision-rules",
                "title": "Decision rules (first that holds decides)",
                "description": "Rules are tried in order and the first whose condition holds decides. If a rule "
                "cannot be decided for lack of data before that, the result is: more information "
                "needed, listing the findings to assess.",
                "selectionBehavior": "exactly-one",
                "action": [_rule_action(g, r) for r in g.pathway.rules],
            },
            _timeline(g),
            _pitfalls(g),
        ],
    }
    return _to_r5(resource) if fhir_version == "R5" else resource


def export_fhir_json(guideline: Guideline, fhir_version: FhirVersion = "R4B") -> str:
    return json.dumps(plan_definition(guideline, fhir_version), indent=2, ensure_ascii=False) + "\n"
