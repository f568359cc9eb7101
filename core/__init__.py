"""Spine Pathway Explorer core: pure Python, no UI. Data -> models -> evaluation -> figures."""
from core.case import Case, parse_case
from core.counterfactuals import Counterfactual, counterfactuals
from core.engine import evaluate_case
from core.errors import CaseError, DataError, PathwayError, Problem
from core.evaluation import Evaluation
from core.frame import evaluate_frame
from core.guideline import Guideline, load_guideline

__all__ = [
    "Case", "CaseError", "Counterfactual", "DataError", "Evaluation", "Guideline", "PathwayError", "Problem",
    "counterfactuals", "evaluate_case", "evaluate_frame", "load_guideline", "parse_case",
]
