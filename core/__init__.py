"""Spine Pathway Explorer core: pure Python, no UI. Data -> models -> evaluation -> figures."""
from core.case import Case, parse_case
from core.engine import evaluate_case
from core.errors import CaseError, DataError, PathwayError, Problem
from core.evaluation import Evaluation
from core.guideline import Guideline, load_guideline

__all__ = [
    "Case", "CaseError", "DataError", "Evaluation", "Guideline", "PathwayError", "Problem",
    "evaluate_case", "load_guideline", "parse_case",
]
