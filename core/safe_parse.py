"""Parsing text a person or a file supplies (a JSON case, an evidence upload, a data file), with bounds.

YAML goes through the safe loader (no tags, no code) and is also bounded in nesting depth and in the number of
values, so a 10 KB file of nested brackets or a megabyte of checks is refused with a message instead of exhausting
the stack or the reviewer's patience. Neither a JSON object nor a YAML mapping may repeat a key: `{"a_field":
true, "a_field": false}` would otherwise be read as the last value, silently.
"""

import json
from collections.abc import Callable
from typing import Any

import yaml

from core.errors import DataError, PathwayError, Problem

MAX_NESTING = 32  # our files nest 4 levels deep; 32 leaves room for any honest file
MAX_YAML_VALUES = 200_000  # the shipped data files hold a few thousand


class _LimitExceeded(yaml.YAMLError):
    pass


def _bounded_loader(max_values: int) -> type[yaml.SafeLoader]:
    class BoundedLoader(yaml.SafeLoader):
        depth = 0
        values = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.depth += 1
            self.values += 1
            try:
                if self.depth > MAX_NESTING:
                    raise _LimitExceeded(f"nested more than {MAX_NESTING} levels deep")
                if self.values > max_values:
                    raise _LimitExceeded(f"more than {max_values:,} values")
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return BoundedLoader


def load_yaml(
    text: Any, name: str, max_values: int = MAX_YAML_VALUES, too_many: Callable[[], str] | None = None
) -> Any:
    """Parse YAML text (or a file object) safely; DataError names the file and the reason.

    `too_many` words the refusal when there are more than `max_values` values (say, as a count of checks).
    """
    loader = _bounded_loader(max_values)(text)
    try:
        node = loader.get_single_node()
        repeated = _repeated_keys(node, ()) if node is not None else []
        if repeated:
            raise DataError([Problem(field=f"{name}: {where}", message=message) for where, message in repeated])
        return loader.construct_document(node) if node is not None else None
    except _LimitExceeded as exc:
        message = too_many() if too_many and "values" in str(exc) else f"refused: {exc}"
        raise DataError([Problem(field=name, message=message)]) from None
    except yaml.YAMLError as exc:
        raise DataError([Problem(field=name, message=f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()


def _repeated_keys(node: yaml.Node, path: tuple[str, ...], seen_nodes: set[int] | None = None) -> list[tuple[str, str]]:
    """(path, message) for each key a mapping of the composed document gives twice, depth first.

    A node an alias repeats is walked once: walking every path through nested aliases would take exponential time.
    """
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if id(node) in seen_nodes:
        return []
    seen_nodes.add(id(node))
    found: list[tuple[str, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                where = ".".join((*path, name))
                found.append((where, f"key `{name}` given again on line {key.start_mark.line + 1}; give it once"))
            seen.add(key.value if isinstance(key, yaml.ScalarNode) else id(key))
            found += _repeated_keys(value, (*path, name), seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for n, item in enumerate(node.value):
            found += _repeated_keys(item, (*path, str(n)), seen_nodes)
    return found


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise PathwayError(
                [Problem(field=key, message="this key appears more than once in one object; give it once")]
            )
        seen[key] = value
    return seen


def load_json(text: str, name: str) -> Any:
    """Parse JSON text; PathwayError for bad syntax, a repeated key (named) or nesting too deep to read."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise PathwayError([Problem(field=name, message=f"not valid JSON ({exc.msg} at line {exc.lineno})")]) from None
    except RecursionError:
        raise PathwayError([Problem(field=name, message="not valid here: nested too deeply")]) from None
