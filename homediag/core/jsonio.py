"""Writing files safely: strict JSON and atomic replacement.

A report is written to a temporary file in the same directory, flushed and fsynced, then moved over the
destination with ``os.replace`` and the directory fsynced: a crash leaves the old file or the new one,
never half of one. JSON never contains NaN, infinities or lone surrogates.
"""

from __future__ import annotations

import contextlib
import json
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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def loads(text: str) -> Any:
    """Parse strict JSON (NaN and Infinity are errors, as in other tools' parsers)."""
    return json.loads(text, parse_constant=_reject_constant)


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
