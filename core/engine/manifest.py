"""A pack's manifest (manifest.yaml): what the pathway is, where it comes from, whom it is about, what it reads.

Read on its own (without the rest of the pack) by the library listing and by the case schema, so a listing of
many packs never validates their rules.
"""

import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, HttpUrl, field_validator, model_validator

from core.engine.conditions import Condition
from core.engine.data_files import load_file
from core.model import Frozen

MANIFEST_FILE = "manifest.yaml"
VERSION_PATTERN = r"^\d+\.\d+\.\d+$"
PACK_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Status = Literal["draft", "active", "retired"]


class ChangeEntry(Frozen):
    """One dated release of the pack: what changed, in a few lines."""

    version: str = Field(pattern=VERSION_PATTERN)
    date: datetime.date
    changes: list[str] = Field(min_length=1)


class Source(Frozen):
    """The article a pack encodes: who published it, where, the version encoded and which sections."""

    publisher: str
    url: HttpUrl
    updated: datetime.date  # the date of the article's version that was encoded
    sections_encoded: list[str] = Field(min_length=1)
    text_note: str | None = None  # where the stored text ends before the article's last sections
    summary: str | None = None  # one line on how it was encoded (paraphrased, not the article's words)

    @property
    def line(self) -> str:
        """The source in one line, for reports and exports."""
        return f"{self.publisher}, {self.url} (last updated {self.updated.isoformat()})"


class Decision(Frozen):
    """A reading chosen where the article is vague, with the shipped variant that encodes the other reading."""

    id: str
    text: str
    variant: str | None = None


class Manifest(Frozen):
    id: str = Field(pattern=PACK_ID_PATTERN)
    title: str
    question: str
    version: str = Field(pattern=VERSION_PATTERN)
    status: Status
    date: datetime.date
    source: Source
    scope: Condition | None = None  # which patients the pathway is about (None: every patient)
    # The vocabulary fields the pack reads, in form order; `{field: [ids]}` accepts only those values or items.
    fields: list[str | dict[str, list[str]]] = Field(min_length=1)
    decisions: list[Decision] = []
    notice: str
    changelog: list[ChangeEntry] = []  # newest first

    @field_validator("fields")
    @classmethod
    def _one_field_per_entry(cls, entries: list[Any]) -> list[Any]:
        for entry in entries:
            if isinstance(entry, dict) and len(entry) != 1:
                raise ValueError("an entry that narrows a field names exactly one field")
        return entries

    @model_validator(mode="after")
    def _changelog_names_this_version(self) -> "Manifest":
        versions = [entry.version for entry in self.changelog]
        if len(set(versions)) != len(versions):
            raise ValueError("changelog lists a version twice")
        if versions and versions[0] != self.version:
            raise ValueError(f"the newest changelog entry must be version {self.version} (found {versions[0]})")
        return self

    @property
    def field_ids(self) -> list[str]:
        return [e if isinstance(e, str) else next(iter(e)) for e in self.fields]

    @property
    def narrowed(self) -> dict[str, list[str]]:
        """Field -> the only values or items this pack accepts (fields not listed accept the vocabulary's)."""
        return {k: v for e in self.fields if isinstance(e, dict) for k, v in e.items()}


def load_manifest(pack_dir: Path) -> Manifest:
    return load_file(Path(pack_dir) / MANIFEST_FILE, Manifest)
