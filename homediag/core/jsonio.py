"""Writing files safely: strict JSON and atomic replacement.

A report is written to a temporary file in the same directory, flushed and fsynced, then moved over the
destination with ``os.replace`` and the directory fsynced: a crash leaves the old file or the new one,
never half of one. JSON never contains NaN, infinities or lone surrogates.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from homediag.core.model import to_jsonable

TEMP_PREFIX = ".homediag-"
TEMP_SUFFIX = ".tmp"


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Serialise to strict JSON: sorted keys, NaN refused (``to_jsonable`` turned it into null)."""
    return json.dumps(to_jsonable(data), indent=indent, sort_keys=True, ensure_ascii=False, allow_nan=False)


MAX_DEPTH = 64
"""Nesting deeper than this is refused (a report needs about ten levels)."""
MAX_INT_DIGITS = 30
"""Integers with more digits are refused (a report's largest are byte counters, 20 digits)."""


class JsonLimitError(ValueError):
    """JSON that is well-formed but beyond what homediag reads: ``limit`` names which bound."""

    def __init__(self, limit: str, bound: int) -> None:
        super().__init__(f"{limit} over {bound}")
        self.limit = limit
        """``depth``, ``digits`` or ``number`` (a float too large to represent)."""
        self.bound = bound


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonLimitError("digits", MAX_INT_DIGITS)
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JsonLimitError("number", 308)
    return value


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse strict JSON within bounds: NaN and Infinity are errors (as in other tools' parsers), and
    so are numbers beyond a float or :data:`MAX_INT_DIGITS` digits and nesting deeper than
    ``max_depth`` (:class:`JsonLimitError`, a ``ValueError``)."""
    try:
        data = json.loads(
            text, parse_constant=_reject_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
    except RecursionError:  # deeper than the interpreter's own limit
        raise JsonLimitError("depth", max_depth) from None
    _check_depth(data, max_depth)
    return data


def _check_depth(data: Any, max_depth: int) -> None:
    """Raise :class:`JsonLimitError` when containers nest deeper than ``max_depth`` (no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth >= max_depth:
            raise JsonLimitError("depth", max_depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def atomic_write(path: Path, content: str | bytes, *, mode: int = 0o644) -> None:
    """Write ``content`` to ``path`` atomically and durably, with file mode ``mode``."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):  # not every platform can open a directory
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def sweep_temp_files(directory: Path) -> int:
    """Remove temp files a crashed writer left behind; return how many."""
    removed = 0
    with contextlib.suppress(OSError):
        for leftover in Path(directory).glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed += 1
    return removed
