"""Reading a data file into a model, one way for every file: YAML with the safe loader, then pydantic.

Every failure is a DataError whose problems name the file, the path inside it and the reason.
"""

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from core.errors import DataError, Problem, validation_problems
from core.safe_parse import load_yaml

T = TypeVar("T")


def read_yaml(path: Path) -> Any:
    """Parse one data file with the safe loader; a missing or malformed file is a DataError naming it."""
    try:
        with path.open(encoding="utf-8") as handle:
            return load_yaml(handle, path.name)
    except FileNotFoundError:
        raise DataError([Problem(field=path.name, message="file is missing")]) from None


def unwrap(raw: Any, file: str, key: str | None) -> Any:
    """The content under a file's top-level `key` (the parsed file itself when there is no key)."""
    if key is None:
        return raw
    content = raw.get(key) if isinstance(raw, dict) else None
    if content is None:
        raise DataError([Problem(field=file, message=f"top-level key `{key}` is missing")])
    return content


def validate_content(model: type[T], raw: Any, file: str, key: str | None = None) -> T:
    """Parsed file content as `model` (a pydantic model or a type such as `list[Invariant]`)."""
    try:
        return TypeAdapter(model).validate_python(unwrap(raw, file, key))
    except ValidationError as exc:
        raise DataError(validation_problems(exc, file, within=(key,) if key else ())) from None


def load_file(path: Path, model: type[T], key: str | None = None) -> T:
    """Read and validate one data file."""
    return validate_content(model, read_yaml(path), path.name, key)


def once_per_directory(load: Callable[[Path], T]) -> Callable[[Path], T]:
    """`load(data_dir)` run once per process and directory, however the directory is spelled.

    One caller reads while any others asking at the same time wait for its result: app sessions that open
    together (a server restart, a shared link) would otherwise each parse the same YAML files, all at once.
    A failure is not kept; the next call tries again.
    """
    cached = functools.lru_cache(maxsize=32)(load)  # every pack of the library, and a few copies (tests, checks)
    lock = threading.Lock()

    @functools.wraps(load)
    def once(data_dir: Path) -> T:
        with lock:
            return cached(Path(data_dir))

    return once
