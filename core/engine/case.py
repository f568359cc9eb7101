"""The patient case: the input contract shared by the engine, the pages, the cohort reader and the CLI.

An absent key means *unknown* (not false); `proposed` absent means nothing is proposed.
"""

from collections.abc import Mapping
from typing import Any, Literal, get_args

from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails

from core.errors import CaseError, Problem, quoted, validation_problems
from core.model import Frozen

MriFinding = Literal["not_done", "cord_compression", "nerve_root_compression", "degenerative_only", "normal"]
Proposal = Literal[
    "fusion",
    "decompression",
    "cervical_manipulation",
    "long_term_opioids",
    "epidural_steroid_injection",
    "facet_injection",
]
MRI_FINDINGS: tuple[str, ...] = get_args(MriFinding)
PROPOSALS: tuple[str, ...] = get_args(Proposal)
MAX_WEEKS = 520
PT_OVER_LIMIT = "cannot exceed weeks_conservative"


def pt_over_limit(pt_weeks: Any, weeks_conservative: Any) -> Any:
    """The case's one rule across fields: formal PT is part of conservative care, so it cannot have lasted longer.

    Written once for every checker: two whole numbers give a bool (the Case model, the verification grid), two
    integer arrays give a bool array (evaluate_frame, the cohort reader). Callers pass known values only.
    """
    return pt_weeks > weeks_conservative


class Case(Frozen):
    """One patient as entered by a clinician. None means the item was not assessed."""

    model_config = ConfigDict(strict=True)

    red_flags: bool | None = None
    mri_finding: MriFinding | None = None
    myelopathy_signs: bool | None = None
    radicular_symptoms: bool | None = None
    motor_grade_mrc: int | None = Field(default=None, ge=0, le=5)
    motor_deficit_progressive: bool | None = None
    instability: bool | None = None
    deformity_progressive: bool | None = None
    weeks_conservative: int | None = Field(default=None, ge=0, le=MAX_WEEKS)
    pt_weeks: int | None = Field(default=None, ge=0, le=MAX_WEEKS)
    conservative_failed: bool | None = None
    correlating_pathology: bool | None = None
    proposed: tuple[Proposal, ...] = ()
    prior_fusion_levels: str | None = Field(default=None, max_length=16, pattern=r"^[CTLS][0-9]{1,2}-[CTLS][0-9]{1,2}$")

    @field_validator("proposed", mode="before")
    @classmethod
    def _proposed_as_unique_tuple(cls, value: Any) -> Any:
        # JSON gives a list; repeated items carry no meaning, so keep the first of each.
        if value is None:
            return ()
        if isinstance(value, list | tuple):
            return tuple(dict.fromkeys(value))
        return value

    @field_validator("pt_weeks")
    @classmethod
    def _pt_within_conservative(cls, value: int | None, info: ValidationInfo) -> int | None:
        total = info.data.get("weeks_conservative")
        if value is not None and total is not None and pt_over_limit(value, total):
            raise ValueError(f"{PT_OVER_LIMIT} ({value} > {total})")
        return value

    def values(self) -> dict[str, Any]:
        """Field -> value for condition evaluation (None = unknown)."""
        return {name: getattr(self, name) for name in CASE_FIELDS}


CASE_FIELDS: tuple[str, ...] = tuple(Case.model_fields)
BOOL_FIELDS: tuple[str, ...] = (
    "red_flags",
    "myelopathy_signs",
    "radicular_symptoms",
    "motor_deficit_progressive",
    "instability",
    "deformity_progressive",
    "conservative_failed",
    "correlating_pathology",
)
INT_FIELDS: dict[str, tuple[int, int]] = {
    "motor_grade_mrc": (0, 5),
    "weeks_conservative": (0, MAX_WEEKS),
    "pt_weeks": (0, MAX_WEEKS),
}
# What kind of value each field holds, and the choices of the choice and list fields (the condition language's
# type checks read these).
CHOICES: dict[str, tuple[str, ...]] = {"mri_finding": MRI_FINDINGS, "proposed": PROPOSALS}
FIELD_KINDS: dict[str, str] = {
    **{f: "bool" for f in BOOL_FIELDS},
    **{f: "int" for f in INT_FIELDS},
    "mri_finding": "choice",
    "proposed": "list",
}


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field (not part of the case format)"
    if kind == "literal_error":
        return f"unknown value {quoted(error['input'])}; expected {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch":
        return f"{quoted(error['input'])} is not a level range like L2-L5"
    if kind.startswith("value_error"):
        return str(error["ctx"]["error"])
    return f"{error['msg'].lower()} (got {quoted(error['input'])})"


def parse_case(data: Mapping[str, Any] | Case) -> Case:
    """Validate a mapping (parsed JSON, a form, a CSV row) into a Case, or raise CaseError naming each field."""
    if isinstance(data, Case):
        return data
    if not isinstance(data, Mapping):
        raise CaseError([Problem(field="case", message=f"expected an object of fields, got {type(data).__name__}")])
    try:
        return Case.model_validate(dict(data))
    except ValidationError as exc:
        raise CaseError(validation_problems(exc, depth=1, message=_message, top="case")) from None
