"""Variants of the pathway: small named patches a reviewer can read, write, upload and apply (data/variants.yaml).

A variant asks "what if the guideline said otherwise?". It changes the pathway in four ways only, each addressed
by ids from data/pathway.yaml, never by position, so a variant still reads correctly after the file is reordered:
- `thresholds`: `RULE_OR_PHASE_OR_WARNING_ID/FIELD: value` sets every number comparison of FIELD in that item's
  condition (`RULE/FIELD: 6`);
- `drop`: `ID/FIELD` leaves out a criterion of an item whose condition is `all` of several (the comparison of
  FIELD is removed from the list, so the item no longer needs it, known or not);
- `rules_off`: rule ids removed from the walk (the last rule, "otherwise", always stays);
- `dispositions`: `RULE_ID: DISPOSITION_ID` sends a rule's cases elsewhere.
Applying one yields a full `Guideline`, validated by `build_guideline` like data/ itself, so the engine,
`evaluate_frame`, `verify` and every other consumer use it unchanged. Nothing is evaluated as code.
"""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ConfigDict, Field, StrictInt, ValidationError, model_validator

from core.engine.case import INT_FIELDS
from core.engine.conditions import COMPARISONS, AllOf, Condition, Test, tests_in
from core.engine.guideline import DATA_DIR, NEEDS_INFORMATION, Guideline, build_guideline, load_guideline, read_yaml
from core.errors import DataError, Problem
from core.model import Frozen
from core.safe_parse import load_yaml

VARIANTS_FILE = "variants.yaml"
MAX_UPLOAD_MB = 1  # what the page's uploader states and refuses above: the same limit in both places
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000
SINGLE_LINE = r"^[^\n\r]*$"
HEADER = (
    "# Variants of the pathway: what would change if the guideline said otherwise (core/review/variants.py).\n"
    "# thresholds: ID/FIELD: whole number (every number comparison of FIELD in that rule, phase or warning);\n"
    "# drop: ID/FIELD (a criterion left out of an `all`); rules_off: rule ids; dispositions: RULE_ID: DISPOSITION.\n"
    "# evidence: the check in evidence.yaml the variant answers (statement, source); conflict: an id of\n"
    "# conflicts.yaml. The What if page downloads files in exactly this form; they can replace this file.\n"
    "# sweep (optional): the threshold the What if page sweeps when the chosen variant moves none.\n"
)


class EvidenceRef(Frozen):
    """One check of data/evidence.yaml: the statement it weighs and its source."""

    statement: str
    source: str


class Variant(Frozen):
    model_config = ConfigDict(str_strip_whitespace=True)
    id: str = Field(pattern=r"^[a-z0-9_]+$", max_length=80)
    title: str = Field(min_length=1, max_length=140, pattern=SINGLE_LINE)
    rationale: str = Field(min_length=1, max_length=1200)
    evidence: EvidenceRef | None = None
    conflict: str | None = None
    thresholds: dict[str, StrictInt] = {}
    drop: list[str] = []
    rules_off: list[str] = []
    dispositions: dict[str, str] = {}
    # Verification checks the variant fails by design (its change is what breaks them), so a reader is told the
    # failure is the point rather than a fault.
    intended_failures: list[str] = []

    @model_validator(mode="after")
    def _changes_something(self) -> "Variant":
        if not (self.thresholds or self.drop or self.rules_off or self.dispositions):
            raise ValueError("a variant needs at least one change (thresholds, drop, rules_off or dispositions)")
        return self


class VariantFile(Frozen):
    variants: list[Variant]
    # The threshold the What if page sweeps when the chosen variant moves none: an address of `thresholds`.
    sweep: str | None = None


class Threshold(Frozen):
    """One addressable number comparison of the pathway, with the value the guideline gives it."""

    address: str
    item: str
    kind: str  # rule, phase or warning
    field: str
    op: str
    value: int
    low: int
    high: int

    @property
    def text(self) -> str:
        return f"{self.field} {COMPARISONS[self.op]} {self.value}"


# ------------------------------------------------------------------------------------------ addressing


def _items(g: Guideline) -> dict[str, tuple[str, Condition | None]]:
    """Rules, phases and warnings by id, with their kind and the condition a variant may change."""
    p = g.pathway
    items: dict[str, tuple[str, Condition | None]] = {}
    for kind, members in (("rule", p.rules), ("phase", p.phases), ("warning", p.warnings)):
        for member in members:
            items.setdefault(member.id, (kind, member.when))
    return items


def _numeric_tests(condition: Condition | None, field: str) -> list[Test]:
    return [t for t in tests_in(condition) if t.field == field and t.op in COMPARISONS]


def thresholds(g: Guideline) -> list[Threshold]:
    """Every number comparison a variant can change, in the order of pathway.yaml (rules, phases, warnings)."""
    found = []
    for item_id, (kind, condition) in _items(g).items():
        for field in dict.fromkeys(t.field for t in tests_in(condition)):
            tests = _numeric_tests(condition, field)
            if tests and field in INT_FIELDS:
                low, high = INT_FIELDS[field]
                found.append(
                    Threshold(
                        address=f"{item_id}/{field}",
                        item=item_id,
                        kind=kind,
                        field=field,
                        op=tests[0].op,
                        value=tests[0].value,
                        low=low,
                        high=high,
                    )
                )
    return found


def droppable(g: Guideline) -> list[str]:
    """Addresses of criteria that can be left out: direct members of an item's top-level `all`."""
    found = []
    for item_id, (_, condition) in _items(g).items():
        if isinstance(condition, AllOf) and len(condition.all) > 1:
            fields = [part.field for part in condition.all if isinstance(part, Test)]
            found += [f"{item_id}/{field}" for field in dict.fromkeys(fields) if field != "disposition"]
    return found


def _split(address: str) -> tuple[str, str] | None:
    item, slash, field = address.partition("/")
    return (item, field) if slash and item and field and "/" not in field else None


# -------------------------------------------------------------------------------------------- checking


def variant_problems(
    variant: Variant,
    g: Guideline,
    evidence: Any = None,
    conflict_ids: list[str] | None = None,
    where: str = VARIANTS_FILE,
) -> list[Problem]:
    """What is wrong with a variant against this guideline (and the evidence layer and conflicts, when given).

    Each problem names the file, the variant, the path inside it and the reason.
    """
    at = f"{where}: variant {variant.id}"
    problems: list[Problem] = []
    items = _items(g)
    rule_ids = [r.id for r in g.pathway.rules]
    disposition_ids = [d.id for d in g.pathway.dispositions]

    def address_problem(path: str, address: str) -> tuple[str, str, Condition | None] | None:
        parts = _split(address)
        if parts is None:
            problems.append(Problem(field=f"{at}: {path}", message="an address is RULE_OR_PHASE_OR_WARNING_ID/FIELD"))
            return None
        item, field = parts
        if item not in items:
            problems.append(Problem(field=f"{at}: {path}", message=f"unknown rule, phase or warning `{item}`"))
            return None
        if item in variant.rules_off:
            problems.append(Problem(field=f"{at}: {path}", message=f"`{item}` is switched off by this variant"))
            return None
        return item, field, items[item][1]

    for address, value in variant.thresholds.items():
        path = f"thresholds.{address}"
        found = address_problem(path, address)
        if found is None:
            continue
        item, field, condition = found
        if not _numeric_tests(condition, field):
            compared = sorted({t.field for t in tests_in(condition) if t.op in COMPARISONS})
            problems.append(
                Problem(
                    field=f"{at}: {path}",
                    message=(
                        f"`{item}` does not compare `{field}` with a number (its number comparisons: "
                        f"{', '.join(compared) or 'none'})"
                    ),
                )
            )
            continue
        low, high = INT_FIELDS[field]
        if not low <= value <= high:
            problems.append(
                Problem(field=f"{at}: {path}", message=f"{value} is out of range: `{field}` runs from {low} to {high}")
            )
    for n, address in enumerate(variant.drop):
        found = address_problem(f"drop.{n}", address)
        if found is not None and address not in droppable(g):
            problems.append(
                Problem(
                    field=f"{at}: drop.{n}",
                    message=(f"`{address}` is not a criterion that can be left out; one of: {', '.join(droppable(g))}"),
                )
            )
    for address in set(variant.thresholds) & set(variant.drop):
        problems.append(Problem(field=f"{at}: thresholds.{address}", message="this criterion is also dropped"))
    for n, rule in enumerate(variant.rules_off):
        if rule not in rule_ids:
            problems.append(Problem(field=f"{at}: rules_off.{n}", message=f"unknown rule `{rule}`"))
        elif rule == rule_ids[-1]:
            problems.append(
                Problem(field=f"{at}: rules_off.{n}", message=f"`{rule}` is the last rule (otherwise) and always stays")
            )
    if len(set(variant.rules_off)) != len(variant.rules_off):
        problems.append(Problem(field=f"{at}: rules_off", message="a rule is listed twice"))
    for rule, disposition in variant.dispositions.items():
        path = f"{at}: dispositions.{rule}"
        if rule not in rule_ids:
            problems.append(Problem(field=path, message=f"unknown rule `{rule}`"))
        elif rule in variant.rules_off:
            problems.append(Problem(field=path, message=f"`{rule}` is switched off by this variant"))
        if disposition not in disposition_ids or disposition == NEEDS_INFORMATION:
            choices = [d for d in disposition_ids if d != NEEDS_INFORMATION]
            problems.append(Problem(field=path, message=f"unknown disposition `{disposition}`; one of {choices}"))
    if variant.evidence is not None and evidence is not None:
        checks = evidence.checks.get(variant.evidence.statement)
        if checks is None:
            problems.append(
                Problem(
                    field=f"{at}: evidence.statement",
                    message=(f"no evidence check for statement `{variant.evidence.statement}` in evidence.yaml"),
                )
            )
        elif variant.evidence.source.casefold() not in [c.source.casefold() for c in checks]:
            problems.append(
                Problem(
                    field=f"{at}: evidence.source",
                    message=(
                        f"no check of `{variant.evidence.statement}` has this source; its sources: "
                        f"{'; '.join(c.source for c in checks)}"
                    ),
                )
            )
    if variant.conflict is not None and conflict_ids is not None and variant.conflict not in conflict_ids:
        problems.append(
            Problem(field=f"{at}: conflict", message=f"unknown conflict `{variant.conflict}`; one of {conflict_ids}")
        )
    if not problems:
        try:
            apply_variant(variant, g)
        except DataError as exc:  # the patched pathway must pass every check data/ passes
            problems += [Problem(field=f"{at}: {p.field}", message=p.message) for p in exc.problems]
    return problems


# -------------------------------------------------------------------------------------------- applying


def _dumped_tests(node: Any) -> Iterator[dict[str, Any]]:
    """The leaf tests of a dumped condition (plain dicts), depth first."""
    if isinstance(node, dict):
        if "field" in node:
            yield node
        for key in ("all", "any"):
            for part in node.get(key, ()):
                yield from _dumped_tests(part)
        if "not" in node:
            yield from _dumped_tests(node["not"])


def patched_pathway(
    g: Guideline,
    thresholds: dict[str, int] | None = None,
    drop: Sequence[str] = (),
    rules_off: Sequence[str] = (),
    dispositions: dict[str, str] | None = None,
) -> Guideline:
    """A copy of the guideline with the changes made, validated and cross-checked by `build_guideline`.

    Addresses are assumed checked (`variant_problems`); an unchecked bad one raises DataError or KeyError.
    """
    raw = g.model_dump(by_alias=True)
    pathway = raw["pathway"]
    items = {}
    for kind in ("warnings", "phases", "rules"):  # rules win a shared id, as in `_items`
        items.update({member["id"]: member for member in pathway[kind]})
    for address, value in (thresholds or {}).items():
        item, field = address.split("/")
        for test in _dumped_tests(items[item]["when"]):
            if test["field"] == field and test["op"] in COMPARISONS:
                test["value"] = value
    for address in drop:
        item, field = address.split("/")
        condition = items[item]["when"]
        condition["all"] = [part for part in condition["all"] if part.get("field") != field]
    pathway["rules"] = [r for r in pathway["rules"] if r["id"] not in set(rules_off)]
    # A scenario's expected deciding rule is the pack's answer; a rule switched off no longer exists to name.
    for scenario in raw["scenarios"]:
        if scenario["expected"].get("rule") in set(rules_off):
            scenario["expected"]["rule"] = None
    for rule in pathway["rules"]:
        rule["disposition"] = (dispositions or {}).get(rule["id"], rule["disposition"])
    return build_guideline(raw, g.source_dir)


def apply_variant(variant: Variant, g: Guideline) -> Guideline:
    """The full guideline the variant describes."""
    return patched_pathway(g, variant.thresholds, variant.drop, variant.rules_off, variant.dispositions)


# ------------------------------------------------------------------------------------------ files


def _validation_problems(exc: ValidationError, where: str, raw_items: list[Any]) -> list[Problem]:
    problems = []
    for e in exc.errors():
        loc = list(e["loc"])
        if loc[:1] == ["variants"] and len(loc) > 1 and isinstance(loc[1], int):
            item = raw_items[loc[1]] if loc[1] < len(raw_items) else None
            name = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else f"#{loc[1] + 1}"
            path = ".".join(str(p) for p in loc[2:]) or "(the variant)"
            problems.append(Problem(field=f"{where}: variant {name}: {path}", message=e["msg"]))
        else:
            problems.append(Problem(field=f"{where}: {'.'.join(str(p) for p in loc) or '(top)'}", message=e["msg"]))
    return problems


def build_variants(
    raw: Any, g: Guideline, evidence: Any = None, conflict_ids: list[str] | None = None, where: str = VARIANTS_FILE
) -> list[Variant]:
    """Validate parsed YAML (`variants: [...]`); DataError names the variant, the path and the reason."""
    listed = raw.get("variants") if isinstance(raw, dict) else None
    raw_items: list[Any] = listed if isinstance(listed, list) else []
    try:
        file = VariantFile.model_validate(raw)
    except ValidationError as exc:
        raise DataError(_validation_problems(exc, where, raw_items)) from None
    variants = file.variants
    problems = []
    if file.sweep is not None and file.sweep not in {t.address for t in thresholds(g)}:
        problems.append(Problem(field=f"{where}: sweep", message=f"`{file.sweep}` is not a threshold of the pathway"))
    ids = [v.id for v in variants]
    problems += [
        Problem(field=f"{where}: variant {i}", message="the id is used twice")
        for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    for variant in variants:
        problems += variant_problems(variant, g, evidence, conflict_ids, where)
    if problems:
        raise DataError(problems)
    return variants


def _review_context(data_dir: Path) -> tuple[Any, list[str]]:
    from core.review.conflicts import load_conflict_specs
    from core.review.evidence import load_evidence

    return load_evidence(data_dir), [c.id for c in load_conflict_specs(data_dir)]


def load_variants(data_dir: Path = DATA_DIR) -> list[Variant]:
    """data/variants.yaml, checked against the guideline, evidence and conflicts of the same directory."""
    data_dir = Path(data_dir)
    if not (data_dir / VARIANTS_FILE).is_file():
        return []  # a pack need not offer any
    evidence, conflict_ids = _review_context(data_dir)
    return build_variants(read_yaml(data_dir / VARIANTS_FILE), load_guideline(data_dir), evidence, conflict_ids)


def default_sweep(g: Guideline) -> str | None:
    """The threshold the pack's variants file names for the sweep (None: the file names none, or there is none);
    `load_variants` has checked it is a threshold of the pathway."""
    path = g.source_dir / VARIANTS_FILE
    raw = read_yaml(path) if path.is_file() else None
    sweep = raw.get("sweep") if isinstance(raw, dict) else None
    return sweep if isinstance(sweep, str) else None


def variants_from_yaml(
    data: bytes | str, g: Guideline, filename: str = VARIANTS_FILE, data_dir: Path = DATA_DIR
) -> list[Variant]:
    """Variants from file content (an upload or a file named on the command line); never executes anything."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataError([Problem(field=filename, message=f"larger than {MAX_UPLOAD_BYTES:,} bytes")])
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise DataError([Problem(field=filename, message="not UTF-8 text")]) from None
    raw = load_yaml(text, filename)  # bounded: aliases cannot blow a small file up
    evidence, conflict_ids = _review_context(Path(data_dir))
    return build_variants(raw, g, evidence, conflict_ids, where=filename)


def variants_to_yaml(variants: list[Variant], sweep: str | None = None) -> str:
    """Variants as the text of data/variants.yaml (what the What if page downloads)."""
    body: dict[str, Any] = {"sweep": sweep} if sweep is not None else {}
    body["variants"] = [v.model_dump(exclude_defaults=True) for v in variants]
    return HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
