"""How a statement's citations are written beside it, in every text output (evaluate, compare, reports, FHIR).

A statement with no number says why: a safeguard is ours, not the article's; an article statement without one is a
line the article prints bare (`uncited_in_article` in the pack, which the checker requires for it).
"""

from collections.abc import Collection, Sequence

SAFEGUARD_UNCITED = "[safeguard, no citation]"
ARTICLE_UNCITED = "[the article gives no citation]"


def citation_marks(citations: Sequence[int], origin: str, unresolved: Collection[int] = ()) -> str:
    """`[1][6 unresolved]` (a number the reference list lacks is marked), or why the statement has none."""
    if not citations:
        return SAFEGUARD_UNCITED if origin == "safeguard" else ARTICLE_UNCITED
    return "".join(f"[{n} unresolved]" if n in unresolved else f"[{n}]" for n in citations)
