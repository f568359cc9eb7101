"""Starting a pack: a copy of the template (data/pack_template/) or of another pack, renamed, as a fresh draft.

The copy keeps the source's files byte for byte (comments included) except the manifest's id, version, status,
date and changelog; the recorded version lock and the demo data stay behind, since they belong to the source.
Nothing is overwritten: the copy is built beside the target and moved there only once its manifest loads.
"""

import datetime
import re
import shutil
from pathlib import Path

from core.engine.manifest import MANIFEST_FILE, PACK_ID_PATTERN, load_manifest
from core.engine.packs import DATA_ROOT
from core.errors import PathwayError, Problem
from core.review.versioning import LOCK_FILE

TEMPLATE_DIR = DATA_ROOT / "pack_template"
FIRST_VERSION = "0.1.0"
DEMO_PREFIX = "demo_"  # demo_cohort.csv, demo_visits.csv: illustrative data made for the source pathway


def _left_behind(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == LOCK_FILE or n.startswith(DEMO_PREFIX)}


def _top_level(text: str, key: str, value: str) -> str:
    """`text` with the top-level `key:` line (and any lines indented under it) replaced by `key: value`."""
    pattern = re.compile(rf"^{key}:.*\n(?:(?:[ \t]+.*|[ \t]*)\n)*", re.MULTILINE)
    line = f"{key}:{'' if value.startswith(chr(10)) else ' '}{value}\n"
    return pattern.sub(lambda _: line, text, count=1) if pattern.search(text) else text + line


def fresh_manifest(text: str, pack_id: str, source_id: str, today: datetime.date) -> str:
    """The source's manifest text as a new draft named `pack_id`, with a one-entry changelog."""
    changelog = (
        f"\n  - version: {FIRST_VERSION}\n    date: {today.isoformat()}\n    changes:\n"
        f"      - Started as a copy of {source_id}.\n"
    )
    text = text if text.endswith("\n") else text + "\n"
    for key, value in (
        ("id", pack_id),
        ("version", FIRST_VERSION),
        ("status", "draft"),
        ("date", today.isoformat()),
        ("changelog", changelog.rstrip("\n")),
    ):
        text = _top_level(text, key, value)
    return text


def new_pack(pack_id: str, source: Path, target: Path, today: datetime.date) -> Path:
    """Write the pack `pack_id` to `target`, copied from the pack folder `source`; PathwayError if it cannot."""
    if not re.fullmatch(PACK_ID_PATTERN, pack_id):
        raise PathwayError(
            [Problem(field="ID", message=f"{pack_id!r}: use lower-case letters and digits joined by hyphens")]
        )
    if target.exists():
        raise PathwayError([Problem(field=str(target), message="already exists; a new pack never overwrites")])
    if not target.parent.is_dir():
        raise PathwayError([Problem(field=str(target.parent), message="no such directory")])
    source_id = load_manifest(source).id
    partial = target.parent / f".{target.name}.partial"
    try:
        shutil.rmtree(partial, ignore_errors=True)
        shutil.copytree(source, partial, ignore=_left_behind)
        manifest = partial / MANIFEST_FILE
        manifest.write_text(
            fresh_manifest(manifest.read_text(encoding="utf-8"), pack_id, source_id, today), encoding="utf-8"
        )
        load_manifest(partial)
        partial.rename(target)
    except OSError as exc:
        raise PathwayError([Problem(field=str(target), message=f"cannot write: {exc.strerror or exc}")]) from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target
