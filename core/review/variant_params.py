"""A variant in a URL, so a link reproduces it (the What if page and the Patient page share the form).

A shipped variant, unedited, is `?variant=ID`. Any other is `?variant=custom` with its changes, one parameter
per change: `set=ID/FIELD:VALUE`, `drop=ID/FIELD`, `off=RULE_ID`, `send=RULE_ID:DISPOSITION_ID`. A link's
variant is validated like a file's; a bad link yields problems, never a traceback.
"""

from collections.abc import Mapping
from typing import Any

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


def _one_change_problems(key: str, item: str, change: dict, g: Guideline) -> list[Problem]:
    """Why one parameter's change cannot be made (empty when it can), each naming the parameter."""
    try:
        found = variant_problems(Variant(id=CUSTOM, title=CUSTOM_TITLE, rationale=CUSTOM_RATIONALE, **change), g)
        reasons = [p.message for p in found]
    except ValidationError as exc:
        reasons = [e["msg"] for e in exc.errors()]
    return [Problem(field=key, message=f"`{item}`: {reason}; ignored") for reason in reasons]


def variant_from_params(
    params: Mapping[str, str | list[str]], shipped: Mapping[str, Variant], g: Guideline
) -> tuple[Variant | None, list[Problem]]:
    """The variant a URL names (None when it names none that can be used) and the problems of its parameters.

    As with a case in a link, a bad parameter is named and ignored alone: the other changes still make the
    variant. Only a variant name that is neither shipped nor `custom` leaves no variant.
    """
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
    # (parameter, its text, the change it alone makes)
    candidates: list[tuple[str, str, dict[str, Any]]] = []
    for address, value in _pairs(params, SET_PARAM, problems).items():
        number = int(value) if value.lstrip("-").isdigit() else value
        candidates.append((SET_PARAM, f"{address}:{value}", {"thresholds": {address: number}}))
    candidates += [(DROP_PARAM, item, {"drop": [item]}) for item in _values(params, DROP_PARAM)]
    candidates += [(OFF_PARAM, item, {"rules_off": [item]}) for item in _values(params, OFF_PARAM)]
    for rule, disposition in _pairs(params, SEND_PARAM, problems).items():
        candidates.append((SEND_PARAM, f"{rule}:{disposition}", {"dispositions": {rule: disposition}}))
    changes: dict[str, Any] = {}
    for key, item, change in candidates:
        found = _one_change_problems(key, item, change, g)
        if found:
            problems += found
            continue
        for field, value in change.items():
            if isinstance(value, dict):
                changes.setdefault(field, {}).update(value)
            else:
                changes.setdefault(field, []).extend(value)
    if not changes:
        return None, problems
    variant = Variant(id=CUSTOM, title=CUSTOM_TITLE, rationale=CUSTOM_RATIONALE, **changes)
    together = variant_problems(variant, g, where="link")  # changes that are each fine but clash
    return (None if together else variant), problems + together
