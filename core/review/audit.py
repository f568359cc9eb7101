"""The citation audit: which statement rests on which reference, and what does not hold up.

Everything here is computed from data/ (statements and references); nothing is typed in by hand, so editing the
data changes the audit.
"""

import pandas as pd

from core.engine.guideline import Guideline, Reference, Statement
from core.model import Frozen
from core.outputs.provenance import VERSION_COLUMN
from core.review.evidence import EvidenceLayer

# Regions a statement can be about that are not the lumbar spine the article's guideline sources discuss.
NECK_AND_THORACIC = ("cervical", "thoracic", "cervicothoracic")
FLAGS = ("unresolved citation", "no citation", "uncited safeguard", "region mismatch")
AUDIT_COLUMNS = [
    "statement",
    "section",
    "origin",
    "kind",
    "region",
    "citations",
    "resolved",
    "unresolved",
    "flags",
    VERSION_COLUMN,
]


class RegionMismatch(Frozen):
    """A neck or thoracic statement whose resolved references all discuss the lumbar spine."""

    statement: str
    region: str
    citations: list[int]
    cited_regions: dict[int, str]
    unresolved: list[int]
    note: str


class EvidenceRegionMismatch(Frozen):
    """An outside check of a neck or thoracic statement whose source is about the lumbar spine."""

    statement: str
    region: str
    source: str
    only_check: bool  # every outside check of the statement is such a source


class AuditReport(Frozen):
    guideline_version: str
    unresolved_citations: list[int]
    unresolved_cited_by: dict[int, list[str]]
    unused_references: list[int]
    uncited_statements: list[str]
    uncited_safeguards: list[str]
    region_mismatches: list[RegionMismatch]
    evidence_region_mismatches: list[EvidenceRegionMismatch] = []

    @property
    def clean(self) -> bool:
        """Nothing for `audit --strict` to fail on: every citation resolves."""
        return not self.unresolved_citations


def evidence_region_mismatches(guideline: Guideline, layer: EvidenceLayer) -> list[EvidenceRegionMismatch]:
    """Outside checks that weigh a neck or thoracic claim against a lumbar source, as the audit does for the
    article's own references."""
    found = []
    for s in guideline.statements:
        checks = layer.checks.get(s.id, [])
        lumbar = [c for c in checks if c.region == "lumbar"]
        if s.region in NECK_AND_THORACIC:
            found += [
                EvidenceRegionMismatch(
                    statement=s.id, region=s.region, source=c.source, only_check=len(lumbar) == len(checks)
                )
                for c in lumbar
            ]
    return found


def statements_citing(guideline: Guideline, number: int) -> list[Statement]:
    """Every statement that prints this citation number, in data order."""
    return [s for s in guideline.statements if number in s.citations]


def _region_mismatch(statement: Statement, refs: dict[int, Reference]) -> RegionMismatch | None:
    resolved = [n for n in statement.citations if n in refs]
    unresolved = [n for n in statement.citations if n not in refs]
    if statement.region not in NECK_AND_THORACIC or not resolved:
        return None
    if any(refs[n].region != "lumbar" for n in resolved):
        return None
    note = f"rests on lumbar source{'s' if len(resolved) > 1 else ''} {', '.join(map(str, resolved))}"
    if unresolved:
        note += f"; also cites {', '.join(map(str, unresolved))}, which resolve{'s' if len(unresolved) == 1 else ''}"
        note += " to no reference, so its support cannot be checked"
    return RegionMismatch(
        statement=statement.id,
        region=statement.region,
        citations=list(statement.citations),
        cited_regions={n: refs[n].region for n in resolved},
        unresolved=unresolved,
        note=note,
    )


def audit_guideline(guideline: Guideline, evidence: EvidenceLayer | None = None) -> AuditReport:
    """Unresolved citation numbers, unused references, uncited statements and region mismatches (of the
    article's references and, given the outside-evidence layer, of its checks)."""
    refs = guideline.references_by_number
    cited = sorted({n for s in guideline.statements for n in s.citations})
    unresolved = [n for n in cited if n not in refs]
    mismatches = [m for s in guideline.statements if (m := _region_mismatch(s, refs)) is not None]
    return AuditReport(
        guideline_version=guideline.info.version,
        unresolved_citations=unresolved,
        unresolved_cited_by={n: [s.id for s in statements_citing(guideline, n)] for n in unresolved},
        unused_references=sorted(n for n in refs if n not in cited),
        # Safeguards are ours, not the article's; they have no source by design and are listed apart.
        uncited_statements=[s.id for s in guideline.statements if not s.citations and s.origin == "article"],
        uncited_safeguards=[s.id for s in guideline.statements if not s.citations and s.origin == "safeguard"],
        region_mismatches=mismatches,
        evidence_region_mismatches=evidence_region_mismatches(guideline, evidence) if evidence else [],
    )


def _flags(statement: Statement, refs: dict[int, Reference], mismatched: set[str]) -> list[str]:
    flags = []
    if any(n not in refs for n in statement.citations):
        flags.append("unresolved citation")
    if not statement.citations:
        flags.append("uncited safeguard" if statement.origin == "safeguard" else "no citation")
    if statement.id in mismatched:
        flags.append("region mismatch")
    return flags


def audit_table(guideline: Guideline) -> pd.DataFrame:
    """One row per statement with its citations resolved and its audit flags (`;`-joined), for filters and CSV."""
    refs = guideline.references_by_number
    mismatched = {m.statement for m in audit_guideline(guideline).region_mismatches}
    rows = []
    for s in guideline.statements:
        rows.append(
            {
                "statement": s.id,
                "section": s.section,
                "origin": s.origin,
                "kind": s.kind,
                "region": s.region,
                "citations": ", ".join(map(str, s.citations)),
                "resolved": "; ".join(
                    f"{n} {refs[n].title.rstrip('.')} ({refs[n].region})" for n in s.citations if n in refs
                ),
                "unresolved": ", ".join(str(n) for n in s.citations if n not in refs),
                "flags": "; ".join(_flags(s, refs, mismatched)),
                VERSION_COLUMN: guideline.info.version,
            }
        )
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def audit_text(report: AuditReport) -> str:
    """The audit for a person at a terminal."""

    def listed(items: list) -> str:
        return ", ".join(map(str, items)) if items else "none"

    lines = [f"Citation audit (guideline version {report.guideline_version})", ""]
    lines.append(f"Citation numbers with no reference: {listed(report.unresolved_citations)}")
    for n, ids in report.unresolved_cited_by.items():
        lines.append(f"  [{n}] cited by {listed(ids)}")
    lines.append(f"References no statement cites: {listed(report.unused_references)}")
    lines.append(f"Article statements with no citation: {listed(report.uncited_statements)}")
    lines.append(f"Safeguards (added by us, uncited by design): {listed(report.uncited_safeguards)}")
    lines.append(f"Neck or thoracic statements resting only on lumbar references: {len(report.region_mismatches)}")
    for m in report.region_mismatches:
        lines.append(f"  {m.statement} ({m.region}) cites {m.citations}: {m.note}")
    outside = report.evidence_region_mismatches
    lines.append(f"Outside checks of neck or thoracic statements resting on lumbar sources: {len(outside)}")
    for e in outside:
        alone = " (its only outside check)" if e.only_check else ""
        lines.append(f"  {e.statement} ({e.region}) checked against {e.source}{alone}")
    return "\n".join(lines) + "\n"
