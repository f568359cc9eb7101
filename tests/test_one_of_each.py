"""One of each small thing: one word for a value nobody assessed, one reading of data files, one PT rule, one
model base, one disposition with phases, one list of page files."""

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel, ValidationError

import core
from core import CaseError, DataError, evaluate_case, evaluate_frame, parse_case
from core.engine.case import pt_over_limit
from core.engine.data_files import load_file
from core.engine.words import NOT_ASSESSED, value_words
from core.errors import Problem, validation_problems
from core.model import Frozen
from core.outputs.report import build_report, report_markdown
from core.outputs.summary import evaluation_text
from core.review.versioning import VersionLock

ROOT = Path(__file__).resolve().parent.parent
PT_OVER_LIMIT = "cannot exceed weeks_conservative"


def test_an_unassessed_value_reads_not_assessed_at_the_terminal_in_reports_and_on_pages(guideline):
    evaluation = evaluate_case({"mri_finding": "normal"}, guideline)
    assert "red_flags=not assessed" in evaluation_text(evaluation, guideline)
    assert "red_flags=not assessed" in report_markdown(build_report(evaluation, guideline))
    assert value_words("red_flags", None, guideline) == value_words("red_flags", None) == NOT_ASSESSED


def test_value_words_label_values_only_when_given_the_guideline(guideline):
    assert value_words("mri_finding", "nerve_root_compression") == "nerve_root_compression"
    assert value_words("mri_finding", "nerve_root_compression", guideline) == "nerve root compression"
    assert value_words("proposed", ["fusion", "facet_injection"]) == "fusion, facet_injection"


def test_a_data_file_names_file_path_and_reason(tmp_path):
    lock = tmp_path / "version.lock"
    lock.write_text("version: one\ncontent_sha256: abc\ncovers: []\n")
    with pytest.raises(DataError) as info:
        load_file(lock, VersionLock)
    assert [p.field for p in info.value.problems] == ["version.lock: version", "version.lock: content_sha256"]


def test_a_missing_top_level_key_is_named(tmp_path):
    (tmp_path / "list.yaml").write_text("other: []\n")
    with pytest.raises(DataError) as info:
        load_file(tmp_path / "list.yaml", list[int], key="numbers")
    assert info.value.problems == [Problem(field="list.yaml", message="top-level key `numbers` is missing")]


def test_validation_problems_place_errors_inside_their_file_and_name_the_whole_input_top():
    with pytest.raises(ValidationError) as info:
        VersionLock.model_validate([])
    assert validation_problems(info.value, "version.lock")[0].field == "version.lock: (top)"
    assert validation_problems(info.value, top="lock")[0].field == "lock"


def test_a_case_names_its_own_field_not_an_item_inside_it():
    with pytest.raises(CaseError) as info:
        parse_case({"proposed": ["fusion", "surgery"]})
    assert [p.field for p in info.value.problems] == ["proposed"]


def test_the_pt_rule_is_one_definition_for_one_case_and_for_a_frame():
    assert pt_over_limit(7, 6) and not pt_over_limit(6, 6)
    assert pt_over_limit(np.array([7, 6, 0]), np.array([6, 6, 1])).tolist() == [True, False, False]
    with pytest.raises(CaseError) as one:
        parse_case({"weeks_conservative": 6, "pt_weeks": 7})
    frame = pd.DataFrame({"weeks_conservative": pd.array([6], dtype="Int64"), "pt_weeks": pd.array([7], dtype="Int64")})
    with pytest.raises(CaseError) as many:
        evaluate_frame(frame)
    assert one.value.problems[0].message.startswith(PT_OVER_LIMIT)
    assert many.value.problems[0].message.startswith(PT_OVER_LIMIT)


def test_the_phases_belong_to_the_fallback_rules_disposition(guideline):
    assert guideline.pathway.phased_disposition == guideline.pathway.rules[-1].disposition == "conservative_care"


def _core_models() -> list[type[BaseModel]]:
    for module in pkgutil.walk_packages(core.__path__, "core."):
        if module.name != "core.__main__":
            importlib.import_module(module.name)
    models = []
    for name, module in list(sys.modules.items()):
        if name.startswith("core."):
            models += [
                obj
                for _, obj in inspect.getmembers(module, inspect.isclass)
                if issubclass(obj, BaseModel) and obj.__module__ == name
            ]
    return models


def test_every_model_in_core_has_the_one_base():
    models = _core_models()
    assert len(models) > 30
    assert [m.__name__ for m in models if not issubclass(m, Frozen) and m is not Frozen] == []


def test_page_files_are_named_in_app_pages_list_only():
    sources = [*ROOT.glob("app_pages/*.py"), *ROOT.glob("tests/*.py"), *ROOT.glob("bench/*.py")]
    naming = [p.name for p in sources if re.search(r'"app_pages/[a-z_]+\.py"', p.read_text(encoding="utf-8"))]
    assert naming == []
