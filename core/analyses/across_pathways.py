"""One patient under every pathway of the library: who says what, and where they disagree.

Each pack reads its own fields of the shared vocabulary, so the case is taken as each pack would take it: the
fields a pack does not read are set aside for that pack (and named), never an error, and so are the items of a list
field the vocabulary knows but the pack does not speak of (a proposed fusion under a pathway that only weighs
decompression). Each result is exactly what
evaluating the case under that pack gives; the summary says, in words, where the pathways agree and differ.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from core.engine.case import VOCABULARY_SCHEMA
from core.engine.case_text import case_from_text
from core.engine.evaluate import evaluate_case
from core.engine.guideline import Guideline
from core.engine.vocabulary import CaseSchema
from core.errors import CaseError, Problem
from core.model import Frozen

# How each class reads in a sentence about what pathways say ("two pathways refer").
CLASS_VERBS = {
    "referral": ("refers", "refer"),
    "imaging": ("orders imaging first", "order imaging first"),
    "conservative_care": ("says conservative care", "say conservative care"),
    "evaluation_elsewhere": ("sends the patient for another work-up", "send the patient for another work-up"),
    "outside_scope": ("is not about this patient", "are not about this patient"),
    "needs_information": ("needs more information", "need more information"),
}
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def foreign_items(schema: CaseSchema) -> dict[str, frozenset[str]]:
    """Per list field the pack reads: the items the vocabulary knows that the pack does not speak of."""
    return {
        f: frozenset(VOCABULARY_SCHEMA.choices.get(f, ())) - frozenset(schema.choices.get(f, ()))
        for f in schema.list_fields
    }


def _items(value: Any) -> list[str]:
    """A list value's items: a list, or the `a;b` text of a link or a file."""
    return [str(i).strip() for i in (value.split(";") if isinstance(value, str) else value or [])]


def without_items(value: Any, foreign: frozenset[str]) -> Any:
    """A list value less the items set aside, in the form it came in (text stays text)."""
    if isinstance(value, str):
        return ";".join(item for item in value.split(";") if item.strip() not in foreign)
    if isinstance(value, list | tuple):
        return [item for item in value if str(item).strip() not in foreign]
    return value


class PathwayStatement(Frozen):
    """What to do under one pathway: a statement of the deciding rule, with the article's citation numbers."""

    id: str
    text: str
    citations: list[int]
    origin: str


class PathwayResult(Frozen):
    pathway: str
    title: str
    version: str
    in_scope: bool | None
    disposition: str
    disposition_label: str
    disposition_class: str
    urgent: bool
    deciding_rule: str
    missing: list[str]
    statement: PathwayStatement | None
    set_aside: list[str]  # fields of the case this pathway does not read, and `field: item` for its list items
    problems: list[Problem]  # the case's values this pathway cannot take (evaluated without them)


class PathwayComparison(Frozen):
    results: list[PathwayResult]
    summary: str
    agree: bool  # every pathway that applies gives the same class of answer


def _first_statement(g: Guideline, evaluation: Any) -> PathwayStatement | None:
    rule = next((r for r in g.decision_rules if r.id == evaluation.deciding_rule), None)
    ids = [s.id for s in evaluation.statements]
    if rule is not None and rule.statements:
        ids = [s for s in rule.statements if s in ids] or ids
    if not ids:
        return None
    s = g.statement(ids[0])
    return PathwayStatement(id=s.id, text=s.text, citations=s.citations, origin=s.origin)


def _items_set_aside(case: Mapping[str, Any], foreign: dict[str, frozenset[str]]) -> list[str]:
    return [f"{f}: {item}" for f in foreign if f in case for item in _items(case[f]) if item in foreign[f]]


def result_under(case: Mapping[str, Any], g: Guideline) -> PathwayResult:
    """The case (typed values or the text of a link or a CSV row) under one pathway: its own fields only; a value it
    cannot take is named and left unassessed."""
    foreign = foreign_items(g.schema)
    kept = {k: without_items(v, foreign[k]) if k in foreign else v for k, v in case.items() if k in g.schema.kinds}
    problems: list[Problem] = []
    try:
        evaluation = evaluate_case(case_from_text(kept, g.schema), g)
    except CaseError as exc:
        problems = list(exc.problems)
        bad = {p.field for p in problems}
        evaluation = evaluate_case(case_from_text({k: v for k, v in kept.items() if k not in bad}, g.schema), g)
    return PathwayResult(
        pathway=g.info.id,
        title=g.info.title,
        version=g.info.version,
        in_scope=evaluation.in_scope,
        disposition=evaluation.disposition,
        disposition_label=evaluation.disposition_label,
        disposition_class=evaluation.disposition_class,
        urgent=evaluation.urgent,
        deciding_rule=evaluation.deciding_rule,
        missing=evaluation.missing,
        statement=_first_statement(g, evaluation),
        set_aside=[k for k in case if k not in g.schema.kinds] + _items_set_aside(case, foreign),
        problems=problems,
    )


def _count(n: int) -> str:
    return NUMBER_WORDS.get(n, str(n))


def summary_text(results: Sequence[PathwayResult]) -> str:
    """Where the pathways agree and differ, in words a clinician reads at once."""
    if not results:
        return "No pathway to compare."
    by_class: dict[str, list[PathwayResult]] = {}
    for r in results:
        by_class.setdefault(r.disposition_class, []).append(r)
    parts = []
    for cls, members in by_class.items():
        one, many = CLASS_VERBS.get(cls, (cls, cls))
        names = ", ".join(m.title for m in members)
        if len(members) == 1:
            parts.append(f"one pathway {one} ({names})")
        else:
            parts.append(f"{_count(len(members))} pathways {many} ({names})")
    applying = [r for r in results if r.disposition_class != "outside_scope"]
    classes = {r.disposition_class for r in applying}
    if len(classes) <= 1 and len(applying) > 1:
        lead = "The pathways that apply agree: "
    elif len(classes) > 1:
        lead = "The pathways differ: "
    else:
        lead = ""
    text = lead + "; ".join(parts) + "."
    urgent = [r.title for r in results if r.urgent]
    if urgent and len(urgent) < len(results):
        text += f" Urgent under {', '.join(urgent)} only."
    unknown = [r.title for r in results if r.in_scope is None]
    if unknown:
        text += f" Scope not confirmed for {', '.join(unknown)} (a field it reads to decide whom it is about is blank)."
    return text[0].upper() + text[1:]


def compare_pathways(case: Mapping[str, Any], guidelines: Sequence[Guideline]) -> PathwayComparison:
    """The case under each pathway, in the order given, with the summary of who says what."""
    if not isinstance(case, Mapping):
        raise CaseError([Problem(field="case", message=f"expected an object of fields, got {type(case).__name__}")])
    results = [result_under(case, g) for g in guidelines]
    applying = {r.disposition_class for r in results if r.disposition_class != "outside_scope"}
    return PathwayComparison(results=results, summary=summary_text(results), agree=len(applying) <= 1)
