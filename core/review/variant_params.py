"""A variant in a URL, so a link reproduces it (the What if page and the Patient page share the form).

A shipped variant, unedited, is `?variant=ID`. Any other is `?variant=custom` with its changes, one parameter
per change: `set=ID/FIELD:VALUE`, `drop=ID/FIELD`, `off=RULE_ID`, `send=RULE_ID:DISPOSITION_ID`. A link's
variant is validated like a file's; a bad link yields problems, never a traceback.
"""

from collections.abc import Mapping

from pydantic import ValidationError

from core.engine.guideline import Guideline
from core.errors import Problem
from core.review.variants import Variant, variant_problems

VARIANT_PARAM, SET_PARAM, DROP_PARAM, OFF_PARAM, SEND_PARAM = "variant", "set", "drop", "off", "send"
VARIANT_PARAMS = (VARIANT_PARAM, SET_PARAM, DROP_PARAM, OFF_PARAM, SEND_PARAM)
CUSTOM = "custom"
CUSTOM_TITLE = "A variant from a link"
CUSTOM_RATIONALE = "Made on the What if page; it is not the article's pathway."


def variant_params(variant: Variant, shipped: Mapping[str, Variant]) -> dict[str, list[str]]:
    """The query parameters that reproduce this variant (empty lists left out)."""
    if shipped.get(variant.id) == variant:
        return {VARIANT_PARAM: [variant.id]}
    params = {
        VARIANT_PARAM: [CUSTOM],
        SET_PARAM: [f"{address}:{value}" for address, value in variant.thresholds.items()],
        DROP_PARAM: list(variant.drop),
        OFF_PARAM: list(variant.rules_off),
        SEND_PARAM: [f"{rule}:{disposition}" for rule, disposition in variant.dispositions.items()],
    }
    return {key: values for key, values in params.items() if values}


def _values(params: Mapping[str, str | list[str]], key: str) -> list[str]:
    raw = params.get(key, [])
    return [raw] if isinstance(raw, str) else list(raw)


def _pairs(params: Mapping[str, str | list[str]], key: str, problems: list[Problem]) -> dict[str, str]:
    pairs = {}
    for item in _values(params, key):
        name, colon, value = item.rpartition(":")
        if not colon or not name or not value:
            problems.append(Problem(field=key, message=f"`{item}` is not NAME:VALUE; ignored"))
        else:
            pairs[name] = value
    return pairs


def variant_from_params(
    params: Mapping[str, str | list[str]], shipped: Mapping[str, Variant], g: Guideline
) -> tuple[Variant | None, list[Problem]]:
    """The variant a URL names (None when it names none), and the problems that made it unusable."""
    chosen = _values(params, VARIANT_PARAM)
    if not chosen:
        return None, []
    if chosen[0] != CUSTOM:
        if chosen[0] in shipped:
            return shipped[chosen[0]], []
        return None, [
            Problem(field=VARIANT_PARAM, message=f"unknown variant `{chosen[0]}`; one of {[*shipped, CUSTOM]}")
        ]
    problems: list[Problem] = []
    thresholds: dict[str, int | str] = {}
    for address, value in _pairs(params, SET_PARAM, problems).items():
        thresholds[address] = int(value) if value.lstrip("-").isdigit() else value
    try:
        variant = Variant(
            id=CUSTOM,
            title=CUSTOM_TITLE,
            rationale=CUSTOM_RATIONALE,
            thresholds=thresholds,
            drop=_values(params, DROP_PARAM),
            rules_off=_values(params, OFF_PARAM),
            dispositions=_pairs(params, SEND_PARAM, problems),
        )
    except ValidationError as exc:
        return None, problems + [
            Problem(field=".".join(str(p) for p in e["loc"]) or VARIANT_PARAM, message=e["msg"]) for e in exc.errors()
        ]
    problems += variant_problems(variant, g, where="link")
    return (None if problems else variant), problems
