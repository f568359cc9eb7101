"""The library of pathway packs: where packs live, which one is the default, and finding one by id or folder.

A pack is a folder holding a manifest.yaml and the pathway's data files; the shipped ones are the folders under
data/packs/. `--pathway` (CLI) and `?pathway=` (pages) take a pack's id; the CLI also takes a folder anywhere.
"""

import functools
from pathlib import Path

from core.engine.data_files import read_yaml
from core.engine.manifest import MANIFEST_FILE, Manifest, load_manifest
from core.engine.vocabulary import CaseSchema, case_schema, load_vocabulary
from core.errors import DataError, PathwayError, Problem

DATA_ROOT = Path(__file__).resolve().parents[2] / "data"
PACKS_DIR = DATA_ROOT / "packs"
LIBRARY_FILE = DATA_ROOT / "library.yaml"


def pack_dirs(root: Path = PACKS_DIR) -> list[Path]:
    """Every folder under `root` that holds a manifest, sorted by folder name."""
    return sorted(p for p in root.iterdir() if (p / MANIFEST_FILE).is_file()) if root.is_dir() else []


@functools.cache
def default_pack_id() -> str:
    raw = read_yaml(LIBRARY_FILE)
    default = raw.get("default") if isinstance(raw, dict) else None
    if not isinstance(default, str):
        raise DataError([Problem(field="library.yaml: default", message="must name the default pack's id")])
    return default


def default_pack_dir() -> Path:
    return PACKS_DIR / default_pack_id()


def pack_ids(root: Path = PACKS_DIR) -> list[str]:
    return [p.name for p in pack_dirs(root)]


def resolve_pack(name: str | Path | None) -> Path:
    """The folder of a pack named by id (a folder under data/packs/) or by its own path; None is the default.

    A name that is neither is a PathwayError listing the packs there are.
    """
    if name is None or name == "":
        return default_pack_dir()
    as_path = Path(name)
    if (as_path / MANIFEST_FILE).is_file():
        return as_path.resolve()
    text = str(name)
    if "/" not in text and (PACKS_DIR / text / MANIFEST_FILE).is_file():
        return PACKS_DIR / text
    known = ", ".join(pack_ids()) or "none"
    reason = "is a folder without a manifest.yaml" if as_path.is_dir() else "is not a pack id or a pack folder"
    raise PathwayError([Problem(field="pathway", message=f"{text!r} {reason} (packs: {known})")])


def schema_for(manifest: Manifest, file: str = MANIFEST_FILE) -> CaseSchema:
    """The case schema of a pack from its manifest's fields; a field or value the vocabulary lacks is named."""
    vocabulary = load_vocabulary()
    problems = []
    for n, field in enumerate(manifest.field_ids):
        if field not in vocabulary.fields:
            problems.append(Problem(field=f"{file}: fields.{n}", message=f"`{field}` is not in the vocabulary"))
    for field, ids in manifest.narrowed.items():
        known = vocabulary.fields[field].choices if field in vocabulary.fields else ()
        for value in ids:
            if value not in known:
                problems.append(
                    Problem(field=f"{file}: fields ({field})", message=f"`{value}` is not one of its values")
                )
    if len(set(manifest.field_ids)) != len(manifest.field_ids):
        problems.append(Problem(field=f"{file}: fields", message="a field is listed twice"))
    if problems:
        raise DataError(problems)
    return case_schema(vocabulary, manifest.field_ids, manifest.narrowed)


@functools.cache
def _schema_of(pack_dir: Path) -> CaseSchema:
    return schema_for(load_manifest(pack_dir))


def schema_of(pack_dir: Path) -> CaseSchema:
    """The case schema of the pack in `pack_dir`, read once per process."""
    return _schema_of(Path(pack_dir).resolve())


def default_schema() -> CaseSchema:
    return schema_of(default_pack_dir())


def vocabulary_schema() -> CaseSchema:
    """Every field of the vocabulary as one schema: the kinds and ranges the value-coding backends dispatch on."""
    vocabulary = load_vocabulary()
    return case_schema(vocabulary, list(vocabulary.fields), {})
