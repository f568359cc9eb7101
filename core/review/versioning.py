"""The guideline content may not change without a new version: a hash of the content is recorded with it.

The hash covers the parsed content (canonical JSON) of HASHED_FILES only, so comments and layout may change
freely, and other files of a pack (cohorts, invariants) do not take part; the vocabulary entries of the fields
the pack reads do. The pack's `version.lock` holds the
version and the hash recorded for it; `python -m core version --record` writes it after a version bump.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field

from core.engine.data_files import load_file, read_yaml
from core.engine.guideline import DATA_DIR, VERSION_PATTERN
from core.engine.manifest import MANIFEST_FILE
from core.engine.vocabulary import VOCABULARY_FILE
from core.errors import DataError, PathwayError, Problem
from core.model import Frozen

HASHED_FILES = (
    "manifest.yaml",
    "statements.yaml",
    "references.yaml",
    "pathway.yaml",
    "scenarios.yaml",
    "evidence.yaml",
    "conflicts.yaml",
)
LOCK_FILE = "version.lock"
VOCABULARY_KEY = "vocabulary.yaml (fields read)"
LOCK_HEADER = (
    "# Written by `python -m core version --record`; do not edit by hand.\n"
    "# content_sha256: SHA-256 of the canonical JSON of the parsed files listed under `covers`.\n"
)


class VersionLock(Frozen):
    version: str = Field(pattern=VERSION_PATTERN)
    content_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    covers: list[str]


class VersionStatus(Frozen):
    """What `python -m core version` prints: the data's version and whether its recorded hash still holds."""

    version: str
    recorded_version: str | None
    recorded_hash: str | None
    current_hash: str
    matches: bool
    message: str


def content_hash(data_dir: Path = DATA_DIR) -> str:
    """SHA-256 over the canonical JSON of the parsed content files (dates as ISO text, keys sorted)."""
    content = {name: read_yaml(Path(data_dir) / name) for name in HASHED_FILES if (Path(data_dir) / name).is_file()}
    # The shared vocabulary's entries for the fields the pack reads are part of its content: a changed label or
    # range changes what the pack means.
    content[VOCABULARY_KEY] = {f: read_yaml(VOCABULARY_FILE)["fields"].get(f) for f in _fields_read(content)}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _fields_read(content: dict[str, Any]) -> list[str]:
    manifest = content.get(MANIFEST_FILE)
    entries = manifest.get("fields", []) if isinstance(manifest, dict) else []
    return [e if isinstance(e, str) else next(iter(e), "") for e in entries if isinstance(e, str | dict)]


def _data_version(data_dir: Path) -> str:
    info = read_yaml(Path(data_dir) / MANIFEST_FILE)
    version = info.get("version") if isinstance(info, dict) else None
    if not isinstance(version, str):
        raise DataError([Problem(field=f"{MANIFEST_FILE}: version", message="missing or not text")])
    return version


def read_lock(data_dir: Path = DATA_DIR) -> VersionLock | None:
    path = Path(data_dir) / LOCK_FILE
    if not path.exists():
        return None
    return load_file(path, VersionLock)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def version_status(data_dir: Path = DATA_DIR) -> VersionStatus:
    version, current, lock = _data_version(data_dir), content_hash(data_dir), read_lock(data_dir)
    if lock is None:
        matches, message = False, f"no {LOCK_FILE} yet: run `python -m core version --record`"
    elif lock.content_sha256 == current and lock.version == version:
        matches, message = True, f"content matches the hash recorded for version {version}"
    elif lock.version == version:
        matches, message = (
            False,
            (
                f"the content changed but the version is still {version}: bump `version` in manifest.yaml, add a "
                "changelog entry, then run `python -m core version --record`"
            ),
        )
    else:
        matches, message = (
            False,
            (
                f"version {version} is not recorded yet ({LOCK_FILE} holds {lock.version}): "
                "run `python -m core version --record`"
            ),
        )
    return VersionStatus(
        version=version,
        recorded_version=lock.version if lock else None,
        recorded_hash=lock.content_sha256 if lock else None,
        current_hash=current,
        matches=matches,
        message=message,
    )


def record_version(data_dir: Path = DATA_DIR) -> VersionStatus:
    """Write version.lock for the current content; refuse when the content changed under an unbumped version."""
    status = version_status(data_dir)
    if status.matches:
        return status
    if (
        status.recorded_version is not None
        and status.recorded_hash != status.current_hash
        and _version_key(status.version) <= _version_key(status.recorded_version)
    ):
        raise PathwayError(
            [
                Problem(
                    field=f"{MANIFEST_FILE}: version",
                    message=f"the content changed since {status.recorded_version} was recorded; raise the version "
                    f"above {status.recorded_version} (and add a changelog entry) before recording",
                )
            ]
        )
    covers = [*HASHED_FILES, VOCABULARY_KEY]
    lock = VersionLock(version=status.version, content_sha256=status.current_hash, covers=covers)
    body = yaml.safe_dump(lock.model_dump(), sort_keys=False, default_flow_style=False)
    (Path(data_dir) / LOCK_FILE).write_text(LOCK_HEADER + body, encoding="utf-8")
    return version_status(data_dir)
