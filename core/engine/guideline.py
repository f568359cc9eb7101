"""A pathway pack as data: pydantic models for every file of a pack, loaded and cross-checked once per process.

The pack's case fields come from the shared vocabulary (core.engine.vocabulary) through its manifest.
"""

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, TypeAdapter, ValidationError

from core.engine.case import Case, parse_case
from core.engine.conditions import OPERATORS, Condition, NotOf, Test, describe, fields_read, tests_in
from core.engine.data_files import once_per_directory, read_yaml, unwrap
from core.engine.manifest import MANIFEST_FILE, VERSION_PATTERN, Manifest
from core.engine.packs import default_pack_dir, schema_for
from core.engine.vocabulary import CaseSchema, FieldDef
from core.errors import CaseError, DataError, Problem, validation_problems
from core.model import Frozen

DATA_DIR = default_pack_dir()
NEEDS_INFORMATION = "needs_information"
Region = Literal["cervical", "thoracic", "cervicothoracic", "lumbar", "general"]
# What kind of answer a disposition is: the same six words in every pack, so pathways can be compared.
DispositionClass = Literal[
    "referral", "imaging", "conservative_care", "evaluation_elsewhere", "outside_scope", "needs_information"
]
OUTSIDE_SCOPE = "outside_scope"  # the class of the disposition a case outside the pack's scope gets
SCOPE_RULE = "scope"  # the deciding rule's id for a case outside the scope
__all__ = ["VERSION_PATTERN"]


class TopicStance(Frozen):
    """What a statement says on one shared decision topic (data/topics.yaml)."""

    topic: str
    stance: Literal["recommend", "allow", "avoid"]
    value: int | None = None  # a number in the topic's unit (weeks, score points), where the article gives one


class Statement(Frozen):
    id: str
    section: str
    kind: Literal["recommend", "recommend_against", "caution", "criterion", "context"]
    region: Region
    citations: list[int]
    text: str
    origin: Literal["article", "safeguard"] = "article"
    topics: list[TopicStance] = []
    # The article prints this claim without a citation number (a heading, or a line before its list was cut):
    # said so explicitly, so the checker can still flag every other article statement left uncited.
    uncited_in_article: bool = False


class Reference(Frozen):
    number: int = Field(ge=1)
    title: str
    source: str
    year: int
    type: Literal["guideline", "research"]
    region: Region


Tone = Literal["critical", "high", "moderate", "routine", "unknown"]


class Disposition(Frozen):
    id: str
    class_: DispositionClass = Field(alias="class")
    label: str
    urgent: bool
    tone: Tone
    summary: str
    ends_course: bool = False  # the patient leaves conservative management (a course after it is not censored)


class ConditionalStatements(Frozen):
    when: Condition
    statements: list[str]


class Rule(Frozen):
    id: str
    label: str
    when: Condition | None = None
    disposition: str
    urgent_when: Condition | None = None
    statements: list[str] = []
    extra_statements: list[ConditionalStatements] = []


class Phase(Frozen):
    id: str
    label: str
    when: Condition
    statements: list[str] = []
    extra_statements: list[ConditionalStatements] = []


class Milestone(Frozen):
    week: int = Field(ge=0)
    label: str
    clock: str  # the whole-number field whose count reaches it (checked against the pack)
    # A milestone that names an action (get the MRI, start PT) is not passed while the case still needs it: while
    # this holds, or cannot be told, the milestone is due rather than passed.
    open_while: Condition | None = None


class Warning(Frozen):
    id: str
    label: str
    when: Condition
    statements: list[str] = []
    # A safeguard the article lacks is marked so it is never shown as the article's; `tone` sets how loudly the
    # pages show it (high: an error box, moderate: a warning box).
    origin: Literal["article", "safeguard"] = "article"
    tone: Tone = "moderate"


class Presentation(Frozen):
    """A clinical picture the cohort sankey sorts cases by; a case shows under the first that holds."""

    label: str
    when: Condition


class Pathway(Frozen):
    dispositions: list[Disposition]
    rules: list[Rule]
    phases: list[Phase]
    milestones: list[Milestone]
    warnings: list[Warning]
    presentations: list[Presentation] = []  # most serious first; none: every case is "not assessed"

    @property
    def phased_disposition(self) -> str:
        """The disposition the phases belong to: the fallback (last) rule's, structured conservative care."""
        return self.rules[-1].disposition


class Expected(Frozen):
    disposition: str
    warnings: list[str] = []
    urgent: bool | None = None
    phase: str | None = None
    missing: list[str] | None = None
    possible: list[str] | None = None  # the dispositions still possible, most urgent first
    class_: DispositionClass | None = Field(default=None, alias="class")
    rule: str | None = None  # the deciding rule's id
    scope: Literal["inside", "outside", "unknown"] | None = None  # whether the case is in the pack's scope


class Scenario(Frozen):
    id: str
    title: str
    teaching_point: str
    case: dict[str, Any]
    expected: Expected


class Guideline(Frozen):
    """Everything in data/, validated. Lookups by id are plain dict comprehensions over small lists."""

    info: Manifest
    fields: dict[str, FieldDef]
    statements: list[Statement]
    references: list[Reference]
    pathway: Pathway
    scenarios: list[Scenario]
    source_dir: Path = DATA_DIR  # the pack's folder, where its other files (evidence, variants, demo data) are

    @functools.cached_property
    def schema(self) -> CaseSchema:  # type: ignore[override]
        """The pack's case fields: kinds, ranges, choices and rules across fields (from the vocabulary)."""
        return schema_for(self.info)

    @property
    def fields_in_order(self) -> tuple[str, ...]:
        return self.schema.fields

    def parse_case(self, data: Mapping[str, Any] | Case) -> Case:
        """A case under this pack's fields, or CaseError naming each bad field."""
        return parse_case(data, self.schema)

    @functools.cached_property
    def scope_disposition(self) -> Disposition | None:
        """The disposition a case outside the scope gets (the one of class outside_scope)."""
        return next((d for d in self.pathway.dispositions if d.class_ == OUTSIDE_SCOPE), None)

    @functools.cached_property
    def scope_rule(self) -> "Rule | None":
        """The gate before the rules: it holds where the case is certainly outside the pack's scope."""
        d = self.scope_disposition
        if self.info.scope is None or d is None:
            return None
        outside = NotOf.model_validate({"not": self.info.scope})
        return Rule(id=SCOPE_RULE, label="Outside this pathway's scope", when=outside, disposition=d.id)

    @functools.cached_property
    def clocks(self) -> list[str]:
        """The whole-number fields the milestones count on, the main clock first (empty: no time model)."""
        return list(dict.fromkeys(m.clock for m in self.pathway.milestones))

    @functools.cached_property
    def decision_rules(self) -> list["Rule"]:
        """The rules a case can be decided by, in the order they are tried: the scope gate first, if any."""
        return ([self.scope_rule] if self.scope_rule is not None else []) + self.pathway.rules

    @functools.cached_property
    def decision_fields(self) -> list[str]:
        """The fields the scope and the rules, phases and warnings read (what a decision needs)."""
        scope = fields_read(self.info.scope) if self.info.scope is not None else []
        return list(dict.fromkeys(scope + pathway_fields(self)))

    def statement(self, statement_id: str) -> Statement:
        return self.statements_by_id[statement_id]

    def disposition(self, disposition_id: str) -> Disposition:
        return self.dispositions_by_id[disposition_id]

    @functools.cached_property
    def dispositions_by_id(self) -> dict[str, Disposition]:
        return {d.id: d for d in self.pathway.dispositions}

    @functools.cached_property
    def references_by_number(self) -> dict[int, Reference]:
        return {r.number: r for r in self.references}

    @functools.cached_property
    def warning_labels(self) -> dict[str, str]:
        return {w.id: w.label for w in self.pathway.warnings}

    @functools.cached_property
    def phase_labels(self) -> dict[str, str]:
        return {p.id: p.label for p in self.pathway.phases}

    @functools.cached_property
    def statements_by_id(self) -> dict[str, Statement]:
        return {s.id: s for s in self.statements}

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        return {name: f.label for name, f in self.fields.items()} | {"disposition": "disposition"}

    @functools.cached_property
    def value_labels(self) -> dict[str, dict[str, str]]:
        return {name: f.words for name, f in self.fields.items() if f.words}

    @functools.cached_property
    def conditions(self) -> list[Condition]:
        """Every condition the pathway decides with: the rules', their urgency's, the phases', the warnings'."""
        p = self.pathway
        found = [r.when for r in p.rules] + [r.urgent_when for r in p.rules]
        return [c for c in found + [ph.when for ph in p.phases] + [w.when for w in p.warnings] if c is not None]

    def describe(self, condition: Condition | None) -> str:
        """A condition in this guideline's words (field labels and value labels)."""
        return describe(condition, self.labels, self.value_labels)


FILES = {
    "info": MANIFEST_FILE,
    "statements": "statements.yaml",
    "references": "references.yaml",
    "pathway": "pathway.yaml",
    "scenarios": "scenarios.yaml",
}
# The key inside each file that holds its content (manifest.yaml and pathway.yaml are the content).
WRAPPERS = {"statements": "statements", "references": "references", "scenarios": "scenarios"}


def read_raw(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """The parsed YAML of each data file, keyed like Guideline's fields (for hashing and editing tools)."""
    return {key: unwrap(read_yaml(data_dir / filename), filename, WRAPPERS.get(key)) for key, filename in FILES.items()}


_KIND_RULES = {
    "bool": "`{field}` is yes/no: use op is/is_not with true/false",
    "int": "`{field}` is a number: compare it with a whole number",
    "choice": "`{field}` values must be among {choices}",
    "list": "`{field}` takes op includes with one of {choices}",
}


def _test_problem(test: Test, schema: CaseSchema) -> str | None:
    """Why a leaf test's operator or value does not fit its case field's kind (None when it fits)."""
    kind = schema.kinds[test.field]
    op, value = OPERATORS[test.op], test.value
    choices = schema.choices.get(test.field, ())
    values = value if isinstance(value, list) else [value]
    fits = kind in op.kinds and (
        (kind == "bool" and isinstance(value, bool))
        or (kind == "int" and type(value) is int)
        or (kind in ("choice", "list") and all(v in choices for v in values))
    )
    return (
        None if fits else _KIND_RULES.get(kind, "`{field}` cannot be tested").format(field=test.field, choices=choices)
    )


def condition_type_problems(
    where: str, condition: Condition | None, extra_fields: tuple[str, ...], schema: CaseSchema
) -> list[Problem]:
    """Problems with the field names, operators and value types of one condition (shared by verify)."""
    problems = []
    for test in tests_in(condition):
        if test.field in extra_fields:
            continue
        if test.field not in schema.kinds:
            problems.append(Problem(field=where, message=f"condition reads unknown field `{test.field}`"))
        elif (reason := _test_problem(test, schema)) is not None:
            problems.append(Problem(field=where, message=reason))
    return problems


def _cross_check(g: Guideline) -> list[Problem]:
    problems: list[Problem] = []
    p = g.pathway
    disposition_ids = [d.id for d in p.dispositions]
    statement_ids = set(g.statements_by_id)
    warning_ids = [w.id for w in p.warnings]
    phase_ids = [ph.id for ph in p.phases]

    def unique(where: str, ids: list[Any]) -> None:
        seen = [i for n, i in enumerate(ids) if i in ids[:n]]
        if seen:
            problems.append(Problem(field=where, message=f"duplicate ids {sorted(set(seen))}"))

    def known_statements(where: str, ids: list[str]) -> None:
        for sid in ids:
            if sid not in statement_ids:
                problems.append(Problem(field=where, message=f"unknown statement `{sid}`"))

    unique("statements.yaml", [s.id for s in g.statements])
    unique("references.yaml", [r.number for r in g.references])
    unique("pathway.yaml: rules", [r.id for r in p.rules])
    unique("pathway.yaml: dispositions", disposition_ids)
    unique("scenarios.yaml", [s.id for s in g.scenarios])
    if NEEDS_INFORMATION not in disposition_ids:
        problems.append(Problem(field="pathway.yaml: dispositions", message=f"`{NEEDS_INFORMATION}` must be defined"))
    if not p.rules or p.rules[-1].when is not None:
        problems.append(
            Problem(
                field="pathway.yaml: rules",
                message="the last rule must have no `when` (otherwise): a case for which no rule holds would get "
                "no disposition",
            )
        )
    schema = g.schema
    if g.info.scope is not None:
        problems += condition_type_problems(f"{MANIFEST_FILE}: scope", g.info.scope, (), schema)
        if g.scope_disposition is None:
            problems.append(
                Problem(
                    field="pathway.yaml: dispositions",
                    message=f"a pack with a scope needs a disposition of class {OUTSIDE_SCOPE}",
                )
            )
    if any(d.class_ == NEEDS_INFORMATION for d in p.dispositions if d.id != NEEDS_INFORMATION):
        problems.append(Problem(field="pathway.yaml: dispositions", message="only `needs_information` has that class"))
    for n, r in enumerate(p.rules):
        where = f"pathway.yaml: rules.{n} ({r.id})"
        if r.disposition not in disposition_ids or r.disposition == NEEDS_INFORMATION:
            problems.append(Problem(field=where, message=f"unknown disposition `{r.disposition}`"))
        if r.when is None and n != len(p.rules) - 1:
            problems.append(Problem(field=where, message="only the last rule may have no `when`"))
        known_statements(where, r.statements + [s for x in r.extra_statements for s in x.statements])
        for cond in [r.when, r.urgent_when] + [x.when for x in r.extra_statements]:
            problems += condition_type_problems(where, cond, (), schema)
    for n, ph in enumerate(p.phases):
        where = f"pathway.yaml: phases.{n} ({ph.id})"
        known_statements(where, ph.statements + [s for x in ph.extra_statements for s in x.statements])
        for cond in [ph.when] + [x.when for x in ph.extra_statements]:
            problems += condition_type_problems(where, cond, (), schema)
    for n, m in enumerate(p.milestones):
        where = f"pathway.yaml: milestones.{n} (week {m.week})"
        problems += condition_type_problems(where, m.open_while, (), schema)
        if m.clock not in schema.int_fields:
            problems.append(Problem(field=where, message=f"clock `{m.clock}` is not a whole-number field of the pack"))
    for n, pr in enumerate(p.presentations):
        problems += condition_type_problems(f"pathway.yaml: presentations.{n} ({pr.label})", pr.when, (), schema)
    for n, w in enumerate(p.warnings):
        where = f"pathway.yaml: warnings.{n} ({w.id})"
        known_statements(where, w.statements)
        problems += condition_type_problems(where, w.when, ("disposition",), schema)
        for t in tests_in(w.when):
            values = t.value if isinstance(t.value, list) else [t.value]
            if t.field == "disposition" and any(v not in disposition_ids for v in values):
                problems.append(Problem(field=where, message=f"unknown disposition in {values}"))
    for n, sc in enumerate(g.scenarios):
        where = f"scenarios.yaml: {n} ({sc.id})"
        try:
            g.parse_case(sc.case)
        except CaseError as exc:
            problems += [Problem(field=f"{where}: case.{e.field}", message=e.message) for e in exc.problems]
        if sc.expected.rule not in [None, SCOPE_RULE, *[r.id for r in p.rules]]:
            problems.append(Problem(field=where, message=f"unknown rule `{sc.expected.rule}`"))
        if sc.expected.disposition not in disposition_ids:
            problems.append(Problem(field=where, message=f"unknown disposition `{sc.expected.disposition}`"))
        for wid in sc.expected.warnings:
            if wid not in warning_ids:
                problems.append(Problem(field=where, message=f"unknown warning `{wid}`"))
        for did in sc.expected.possible or []:
            if did not in disposition_ids:
                problems.append(Problem(field=where, message=f"unknown disposition `{did}` in possible"))
        if sc.expected.phase is not None and sc.expected.phase not in phase_ids:
            problems.append(Problem(field=where, message=f"unknown phase `{sc.expected.phase}`"))
    return problems


def build_guideline(raw: dict[str, Any], source_dir: Path = DATA_DIR) -> Guideline:
    """Validate parsed data files into a Guideline; DataError lists every problem with file and path."""
    problems: list[Problem] = []
    parts: dict[str, Any] = {}
    models: dict[str, Any] = {
        "info": Manifest,
        "statements": list[Statement],
        "references": list[Reference],
        "pathway": Pathway,
        "scenarios": list[Scenario],
    }
    for key, model in models.items():
        try:
            parts[key] = TypeAdapter(model).validate_python(raw.get(key))
        except ValidationError as exc:
            problems += validation_problems(exc, FILES[key], within=[WRAPPERS[key]] if key in WRAPPERS else [])
    if problems:
        raise DataError(problems)
    schema = schema_for(parts["info"])
    guideline = Guideline(**parts, fields=dict(schema.defs), source_dir=source_dir)
    problems = _cross_check(guideline)
    if problems:
        raise DataError(problems)
    return guideline


def load_guideline(data_dir: Path = DATA_DIR) -> Guideline:
    """Read and validate data/ once per process (per directory)."""
    return _load_guideline(data_dir)


@once_per_directory
def _load_guideline(data_dir: Path) -> Guideline:
    return build_guideline(read_raw(data_dir), data_dir)


def pathway_fields(guideline: Guideline) -> list[str]:
    """The case fields any rule, phase or warning reads, in order of first appearance."""
    return [f for f in dict.fromkeys(f for c in guideline.conditions for f in fields_read(c)) if f != "disposition"]
