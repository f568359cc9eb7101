"""The pathway as a FHIR PlanDefinition, validated with the fhir.resources models (R4B default, and R5)."""

import json

import pytest
from fhir.resources.plandefinition import PlanDefinition as PlanDefinitionR5
from fhir.resources.R4B.plandefinition import PlanDefinition as PlanDefinitionR4B
from pydantic import TypeAdapter

from core.engine.conditions import Condition
from core.outputs.fhir import CONDITION_LANGUAGE, plan_definition

PRIORITIES = {"routine", "urgent", "asap", "stat"}  # the FHIR request-priority codes


@pytest.fixture(scope="module")
def plan(guideline):
    return plan_definition(guideline)


def actions(node):
    for action in node.get("action", []):
        yield action
        yield from actions(action)


def by_id(plan):
    return {a["id"]: a for a in actions(plan)}


def test_r4b_export_validates_with_the_r4b_models(plan):
    resource = PlanDefinitionR4B.model_validate(plan)
    assert resource.status == "draft" and resource.type.coding[0].code == "clinical-protocol"


def test_r5_export_validates_with_the_default_r5_models(guideline):
    data = plan_definition(guideline, "R5")
    resource = PlanDefinitionR5.model_validate(data)
    week6 = by_id(data)["week-6"]["relatedAction"][0]
    assert "targetId" in week6 and "actionId" not in week6 and resource.version == guideline.info.version
    with pytest.raises(ValueError):
        PlanDefinitionR5.model_validate(plan_definition(guideline, "R4B"))  # the releases really differ


def test_meta_states_fhir_release_and_guideline_version(plan, guideline):
    tags = {t["system"].rsplit(":", 1)[1]: t for t in plan["meta"]["tag"]}
    assert tags["fhir-version"]["code"] == "4.3.0" and "R4B" in tags["fhir-version"]["display"]
    assert tags["guideline-version"]["code"] == plan["version"] == guideline.info.version


def test_every_rule_is_an_action_with_its_structured_condition_and_readable_text(plan, guideline):
    rules = {a["id"]: a for a in plan["action"][0]["action"]}
    assert list(rules) == [r.id.replace("_", "-") for r in guideline.pathway.rules]
    for rule in guideline.pathway.rules:
        action = rules[rule.id.replace("_", "-")]
        assert action["code"][0]["coding"][0]["code"] == rule.disposition
        assert action["textEquivalent"] and action["title"] == rule.label
        if rule.when is None:
            assert "condition" not in action and action["textEquivalent"].startswith("Otherwise")
            continue
        (condition,) = action["condition"]
        expression = condition["expression"]
        assert condition["kind"] == "applicability" and expression["language"] == CONDITION_LANGUAGE
        assert TypeAdapter(Condition).validate_python(json.loads(expression["expression"])) == rule.when
        assert expression["description"] in action["textEquivalent"]
    assert plan["action"][0]["selectionBehavior"] == "exactly-one"


def test_urgent_priority_exactly_on_urgent_dispositions(plan, guideline):
    urgent = {d.id for d in guideline.pathway.dispositions if d.urgent}
    for action in plan["action"][0]["action"]:
        disposition = action["code"][0]["coding"][0]["code"]
        assert action["priority"] == ("urgent" if disposition in urgent else "routine")
    assert by_id(plan)["R2-cord-compression"]["priority"] == "urgent"
    assert all(a["priority"] in PRIORITIES for a in actions(plan) if "priority" in a)


def test_milestones_6_12_26_weeks_are_timed_from_week_0(plan):
    found = by_id(plan)
    for week in (6, 12, 26):
        (related,) = found[f"week-{week}"]["relatedAction"]
        assert related["actionId"] == "week-0" and related["relationship"] == "after-start"
        assert related["offsetDuration"] == {
            "value": week,
            "unit": "weeks",
            "system": "http://unitsofmeasure.org",
            "code": "wk",
        }


def test_citations_are_documented_and_unresolved_ones_are_flagged(plan):
    listed = {a["label"]: a for a in plan["relatedArtifact"]}
    assert list(listed) == ["1", "2", "3", "4", "5", "6"]
    assert "UNRESOLVED" in listed["5"]["display"] and "UNRESOLVED" in listed["6"]["display"]
    assert listed["1"]["citation"].startswith("Medical Necessity of Lumbar Fusion")
    r3 = by_id(plan)["R3-progressive-weakness"]["documentation"]
    assert [d["label"] for d in r3] == ["6"] and "UNRESOLVED" in r3[0]["display"]


def test_pitfalls_and_phases_carry_conditions(plan, guideline):
    found = by_id(plan)
    for w in guideline.pathway.warnings:
        assert found[w.id.replace("_", "-")]["condition"][0]["expression"]["language"] == CONDITION_LANGUAGE
    for p in guideline.pathway.phases:
        assert found[p.id.replace("_", "-")]["condition"]
