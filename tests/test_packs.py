"""Every shipped pack, held to the same standard: it loads, checks clean, its scenarios pass and reach every
rule, the verification passes, and every backend (frame, DuckDB SQL, FHIR) agrees with the engine on it."""

import pandas as pd
import pytest
from fhir.resources.R4B.plandefinition import PlanDefinition as PlanDefinitionR4B
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.analyses.frame import cases_frame, evaluate_frame
from core.analyses.verify import load_invariants, verification_report
from core.engine.evaluate import evaluate_case
from core.engine.guideline import load_guideline
from core.engine.packs import pack_dirs
from core.outputs.fhir import plan_definition
from core.review.pack_check import check_pack, scenario_problems
from core.sql.engines import duckdb_connection, duckdb_decider
from tests.strategies import schema_case

PACKS = pack_dirs()
RESULTS = ["disposition", "urgent", "warnings", "missing", "deciding_rule", "phase"]


@pytest.fixture(scope="module", params=PACKS, ids=[p.name for p in PACKS])
def pack(request):
    return request.param, load_guideline(request.param)


@pytest.fixture(scope="module")
def con():
    connection = duckdb_connection()
    yield connection
    connection.close()


def test_the_library_ships_the_four_packs_of_the_sibling_articles():
    assert {p.name for p in PACKS} >= {
        "neck-upper-back-pain-after-lumbar-fusion",
        "cervical-myelopathy",
        "lumbar-stenosis-claudication",
        "cervical-radiculopathy",
    }


def test_pack_checks_clean(pack):
    folder, _ = pack
    assert check_pack(folder) == []


def test_every_scenario_passes_and_every_rule_is_reached(pack):
    _, g = pack
    assert {sc.id: scenario_problems(g, sc) for sc in g.scenarios if scenario_problems(g, sc)} == {}
    reached = {evaluate_case(sc.case, g).deciding_rule for sc in g.scenarios}
    assert {r.id for r in g.pathway.rules} - reached == set()


def test_verification_passes_every_check(pack):
    folder, g = pack
    report = verification_report(g, load_invariants(g, folder))
    assert [c.id for c in report.checks if not c.passed] == []


def _scalar_results(cases, g) -> pd.DataFrame:
    rows = []
    for case in cases:
        e = evaluate_case(case, g)
        rows.append(
            {
                "disposition": e.disposition,
                "urgent": e.urgent,
                "warnings": ";".join(e.warnings),
                "missing": ";".join(e.missing),
                "deciding_rule": e.deciding_rule,
                "phase": e.phase,
            }
        )
    return pd.DataFrame(rows, dtype=object)


def _frame_results(frame, g) -> pd.DataFrame:
    out = evaluate_frame(frame, g)[RESULTS].astype(object)
    return out.where(out.notna(), None).reset_index(drop=True)


def test_frame_equals_the_engine_on_the_scenarios(pack):
    _, g = pack
    cases = [sc.case for sc in g.scenarios]
    frame = cases_frame(cases, list(g.schema.fields))
    pd.testing.assert_frame_equal(_frame_results(frame, g), _scalar_results(cases, g), check_dtype=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_frame_equals_the_engine_on_random_cases_of_the_schema(pack, data):
    _, g = pack
    cases = [data.draw(schema_case(g.schema)) for _ in range(5)]
    frame = cases_frame(cases, list(g.schema.fields))
    pd.testing.assert_frame_equal(_frame_results(frame, g), _scalar_results(cases, g), check_dtype=False)


def test_duckdb_sql_equals_pandas_on_the_scenarios_and_the_grid(pack, con):
    _, g = pack
    from core.analyses.grid import verification_grid

    cases = [sc.case for sc in g.scenarios] + verification_grid(g)
    frame = cases_frame(cases, list(g.schema.fields))
    pd.testing.assert_frame_equal(duckdb_decider(con)(frame, g), evaluate_frame(frame, g), check_categorical=False)


def test_fhir_export_validates(pack):
    _, g = pack
    resource = PlanDefinitionR4B.model_validate(plan_definition(g))
    assert resource.version == g.info.version and resource.action
