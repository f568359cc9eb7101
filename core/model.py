"""The one base of every pydantic model in core: immutable, and a key it does not define is an error.

Frozen, because an evaluation, a guideline or a report is a value that callers share and cache; no extra keys,
because a misspelt key in data/, a case or an upload must be named, never silently dropped.
"""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
