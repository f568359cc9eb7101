"""Spine Pathway Explorer core: pure Python, no UI. Data -> models -> evaluation -> figures."""

from typing import Any

from core.analyses.counterfactuals import Counterfactual, counterfactuals
from core.analyses.course import Course, CourseEvaluation, evaluate_course, parse_course
from core.engine.case import Case, parse_case
from core.engine.evaluate import evaluate_case
from core.engine.evaluation import Evaluation
from core.engine.guideline import Guideline, load_guideline
from core.errors import CaseError, DataError, PathwayError, Problem

__all__ = [
    "Case",
    "CaseError",
    "Counterfactual",
    "Course",
    "CourseEvaluation",
    "DataError",
    "Evaluation",
    "Guideline",
    "PathwayError",
    "Problem",
    "counterfactuals",
    "evaluate_case",
    "evaluate_course",
    "evaluate_frame",
    "load_guideline",
    "parse_case",
    "parse_course",
]


def __getattr__(name: str) -> Any:
    # evaluate_frame needs pandas; importing it lazily keeps a cold start of the Patient page quick.
    if name == "evaluate_frame":
        from core.analyses.frame import evaluate_frame

        return evaluate_frame
    raise AttributeError(f"module 'core' has no attribute {name!r}")
