"""A case value in the words a person reads, one vocabulary for the pages, the CLI, reports and analyses.

yes / no for yes/no fields; `not assessed` for an unknown value (never "unknown", which a clinician could read
as a finding); the value labels of data/fields.yaml when a guideline is given (raw ids otherwise, as the CLI's
trace shows them); lists joined with commas, `none` when empty.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.engine.guideline import Guideline

NOT_ASSESSED = "not assessed"
YES, NO = "yes", "no"
NOTHING = "none"


def value_words(field: str, value: Any, guideline: "Guideline | None" = None) -> str:
    """One field's value in words (labelled from the guideline's fields.yaml when one is given)."""
    names = guideline.value_labels.get(field, {}) if guideline is not None else {}
    if value is None:
        return NOT_ASSESSED
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list | tuple):
        return ", ".join(names.get(str(v), str(v)) for v in value) or NOTHING
    return names.get(str(value), str(value))
