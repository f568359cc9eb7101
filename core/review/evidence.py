"""The review layer: for each statement, checks of its claim against outside sources (data/evidence.yaml).

A reviewer's edited layer is serialised by `evidence_to_yaml` to exactly the form `load_evidence` reads, so a
downloaded file can replace data/evidence.yaml unchanged. The shipped file is itself written in that form.
"""

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import ConfigDict, Field, ValidationError

from core.engine.data_files import once_per_directory, validate_content
from core.engine.guideline import DATA_DIR, Guideline, Region, load_guideline
from core.errors import DataError, PathwayError, Problem, validation_problems
from core.model import Frozen
from core.safe_parse import load_yaml

Verdict = Literal["agrees", "partly", "disagrees", "not_found"]
SourceKind = Literal["guideline", "systematic_review", "rct", "policy", "regulatory", "other"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
# Verdicts that put a statement's claim in doubt; reports flag them.
DISPUTING: tuple[str, ...] = ("disagrees", "partly")
# Most to least critical, for one flag per statement.
_SEVERITY = ("disagrees", "partly", "not_found", "agrees")
EVIDENCE_FILE = "evidence.yaml"
MAX_UPLOAD_BYTES = 1_000_000
# Every check is validated and drawn on the References page: the count, not the bytes, is what costs. A layer
# covers at most a few checks per statement; 1,000 is far above that and still quick.
MAX_CHECKS = 1_000
VALUES_PER_CHECK = 20  # the YAML values one check takes (8 keys, 8 values, its mapping) with some slack
HEADER = (
    "# Review layer: checks of statements (by id, see statements.yaml) against outside sources.\n"
    "# verdict: agrees | partly | disagrees | not_found. kind: guideline | systematic_review | rct | policy |\n"
    "# regulatory | other. year: null when the source is a living document with no single year.\n"
    "# note: one line in our own words. confirmed: false until checked against the source's full text.\n"
    "# region: the part of the spine the source is about (null: not one region), so a check on a neck claim from\n"
    "# a low-back source is flagged. link: a DOI (doi:...), PMID (pmid:...) or URL of the source, where one exists.\n"
    "# The References page downloads files in exactly this form; they can replace this file unchanged.\n"
)


class EvidenceCheck(Frozen):
    """One outside source weighed against one statement."""

    model_config = ConfigDict(str_strip_whitespace=True)
    source: str = Field(min_length=1, max_length=200, pattern=r"^[^\n\r]*$")
    year: int | None = Field(default=None, ge=1900, le=2100)
    kind: SourceKind
    verdict: Verdict
    note: str = Field(min_length=1, max_length=300, pattern=r"^[^\n\r]*$")
    confirmed: bool = False
    region: Region | None = None
    link: str | None = Field(default=None, max_length=300, pattern=r"^(https?://|doi:|pmid:)\S+$")


class EvidenceLayer(Frozen):
    """Checks by statement id, in the order of statements.yaml; a statement without checks is absent."""

    checks: dict[str, list[EvidenceCheck]] = {}


def build_evidence(raw: Any, guideline: Guideline, filename: str = EVIDENCE_FILE) -> EvidenceLayer:
    """Validate parsed YAML into a layer; DataError names file, path and reason for every problem."""
    layer = validate_content(EvidenceLayer, raw if raw is not None else {}, filename)
    problems = []
    known = guideline.statements_by_id
    for statement_id, checks in layer.checks.items():
        if statement_id not in known:
            problems.append(
                Problem(
                    field=f"{filename}: checks.{statement_id}",
                    message=f"unknown statement `{statement_id}` (not in statements.yaml)",
                )
            )
        sources = [c.source.casefold() for c in checks]
        if len(set(sources)) != len(sources):
            problems.append(
                Problem(
                    field=f"{filename}: checks.{statement_id}",
                    message="the same source is checked twice; merge the two checks",
                )
            )
    if problems:
        raise DataError(problems)
    return layer


def load_evidence(data_dir: Path = DATA_DIR) -> EvidenceLayer:
    """data/evidence.yaml, validated against the statements of the same data directory (once per process)."""
    return _load_evidence(data_dir)


@once_per_directory
def _load_evidence(data_dir: Path) -> EvidenceLayer:
    path = data_dir / EVIDENCE_FILE
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return EvidenceLayer()  # a pack not yet reviewed has no checks
    return evidence_from_yaml(text, load_guideline(data_dir))


def evidence_from_yaml(data: bytes | str, guideline: Guideline, filename: str = EVIDENCE_FILE) -> EvidenceLayer:
    """Read a layer from file content (an upload or data/evidence.yaml); never executes anything."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataError([Problem(field=filename, message=f"larger than {MAX_UPLOAD_BYTES} bytes")])
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise DataError([Problem(field=filename, message="not UTF-8 text")]) from None
    raw = load_yaml(text, filename, max_values=MAX_CHECKS * VALUES_PER_CHECK, too_many=_too_many_checks)
    checks = (
        sum(len(c) for c in raw.get("checks", {}).values() if isinstance(c, list))
        if isinstance(raw, dict) and isinstance(raw.get("checks"), dict)
        else 0
    )
    if checks > MAX_CHECKS:
        raise DataError([Problem(field=filename, message=_too_many_checks())])
    return build_evidence(raw, guideline, filename)


def _too_many_checks() -> str:
    return f"holds more than {MAX_CHECKS:,} checks, the most one layer may hold; split it or remove checks"


def evidence_to_yaml(layer: EvidenceLayer) -> str:
    """The layer as the text of data/evidence.yaml: what the page offers for download."""
    body = {"checks": {sid: [c.model_dump() for c in checks] for sid, checks in layer.checks.items()}}
    return HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def parse_check(values: Mapping[str, Any]) -> EvidenceCheck:
    """A check from form input; PathwayError names each bad field (source, year, kind, verdict, note)."""
    try:
        return EvidenceCheck.model_validate(dict(values))
    except ValidationError as exc:
        raise PathwayError(validation_problems(exc, top="check")) from None


def checks_for(layer: EvidenceLayer, statement_id: str) -> list[EvidenceCheck]:
    return list(layer.checks.get(statement_id, []))


def strongest_verdict(layer: EvidenceLayer, statement_id: str) -> Verdict | None:
    """The most critical verdict on a statement (disagrees > partly > not_found > agrees); None if unchecked."""
    found = {c.verdict for c in layer.checks.get(statement_id, [])}
    return next((v for v in _SEVERITY if v in found), None)


def verdict_counts(layer: EvidenceLayer, statement_ids: Iterable[str] | None = None) -> dict[str, int]:
    """Checks per verdict (every verdict present, zero included), optionally over some statements only."""
    wanted = None if statement_ids is None else set(statement_ids)
    counts = dict.fromkeys(VERDICTS, 0)
    for sid, checks in layer.checks.items():
        if wanted is None or sid in wanted:
            for check in checks:
                counts[check.verdict] += 1
    return counts


def statements_with_verdict(layer: EvidenceLayer, verdicts: Iterable[str] = ("disagrees",)) -> list[str]:
    """Statement ids with at least one check of the given verdicts: the filter 'outside evidence disagrees'."""
    wanted = set(verdicts)
    return [sid for sid, checks in layer.checks.items() if any(c.verdict in wanted for c in checks)]


def upsert_check(layer: EvidenceLayer, statement_id: str, check: EvidenceCheck, guideline: Guideline) -> EvidenceLayer:
    """A new layer with the check added, or replacing the statement's check of the same source."""
    if statement_id not in guideline.statements_by_id:
        raise PathwayError([Problem(field="statement", message=f"unknown statement `{statement_id}`")])
    current = checks_for(layer, statement_id)
    same = [n for n, c in enumerate(current) if c.source.casefold() == check.source.casefold()]
    if same:
        current[same[0]] = check
    else:
        current.append(check)
    merged = {**layer.checks, statement_id: current}
    # Keep statements in the order of statements.yaml so downloads diff cleanly against data/.
    ordered = {s.id: merged[s.id] for s in guideline.statements if s.id in merged}
    return EvidenceLayer(checks=ordered)


def remove_check(layer: EvidenceLayer, statement_id: str, source: str) -> EvidenceLayer:
    """A new layer without the statement's check of that source; PathwayError when there is none."""
    current = checks_for(layer, statement_id)
    kept = [c for c in current if c.source.casefold() != source.strip().casefold()]
    if len(kept) == len(current):
        raise PathwayError([Problem(field="source", message=f"`{statement_id}` has no check from `{source}`")])
    checks = {sid: (kept if sid == statement_id else cs) for sid, cs in layer.checks.items()}
    return EvidenceLayer(checks={sid: cs for sid, cs in checks.items() if cs})
