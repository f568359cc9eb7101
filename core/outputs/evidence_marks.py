"""Marks a clinician sees beside a statement where they read it: citations that do not resolve, and outside
evidence that disagrees or only partly agrees (the same flags the report carries, in a few words)."""

from core.engine.guideline import Guideline
from core.review.evidence import EvidenceLayer, strongest_verdict

VERDICT_MARKS = {"disagrees": "outside evidence disagrees", "partly": "outside evidence only partly agrees"}


def unresolved_citations(citations: list[int], g: Guideline) -> list[int]:
    """Citation numbers the article uses but its reference list lacks (5 and 6)."""
    return [n for n in citations if n not in g.references_by_number]


def statement_marks(statement_id: str, citations: list[int], g: Guideline, evidence: EvidenceLayer) -> list[str]:
    """Short warnings for one statement, most serious first; empty when nothing is in doubt."""
    marks = []
    verdict = strongest_verdict(evidence, statement_id)
    if verdict in VERDICT_MARKS:
        checks = [c for c in evidence.checks.get(statement_id, []) if c.verdict == verdict]
        confirmed = "" if any(c.confirmed for c in checks) else " (from summaries, unconfirmed)"
        marks.append(VERDICT_MARKS[verdict] + confirmed)
    missing = unresolved_citations(citations, g)
    if missing:
        numbers = ", ".join(f"[{n}]" for n in missing)
        marks.append(f"citation{'s' if len(missing) > 1 else ''} {numbers} not in the article's reference list")
    return marks
