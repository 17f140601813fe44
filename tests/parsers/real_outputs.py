"""Helpers for the tests of the network command parsers: where the fixtures are, and small
normalisers written independently of the parsers (so a test never checks a parser with itself).

Real outputs of real machines live outside the repository, in the workplace's shared folder:
``<repo>/../shared/fixtures/real-outputs`` or ``/work/shared/fixtures/real-outputs`` (override:
``HOMEDIAG_REAL_OUTPUTS``). They are not ours to copy into the repository, so where neither folder
exists the tests that need them skip, in CI too, and say where they looked.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from tests.support import REPO

OWN_FIXTURES = Path(__file__).resolve().parent / "fixtures"


_BESIDE_THE_CLONE = REPO.parent / "shared" / "fixtures" / "real-outputs"
SHARED_CANDIDATES = tuple(
    dict.fromkeys(p.resolve() for p in (_BESIDE_THE_CLONE, Path("/work/shared/fixtures/real-outputs")))
)


def real_outputs_dir() -> Path:
    """The folder of real command outputs: the first that exists, else the first looked at."""
    override = os.environ.get("HOMEDIAG_REAL_OUTPUTS")
    if override:
        return Path(override)
    return next((c for c in SHARED_CANDIDATES if c.is_dir()), SHARED_CANDIDATES[0])


def skip_without_real_outputs() -> NoReturn:
    """Skip a test whose real outputs are absent here (they live outside the repository)."""
    looked = ", ".join(str(c) for c in SHARED_CANDIDATES)
    pytest.skip(f"real command outputs not found (looked in {looked}; set HOMEDIAG_REAL_OUTPUTS)")


def require_real_outputs() -> Path:
    """The real-outputs folder; skip the test where it is absent."""
    folder = real_outputs_dir()
    if not folder.is_dir():
        skip_without_real_outputs()
    return folder


@dataclass(frozen=True)
class RealCase:
    """One real output and the values a correct parser must read from it."""

    command: str
    name: str
    text: str
    meta: dict[str, Any]

    @property
    def expected(self) -> dict[str, Any]:
        """The ``expected`` object of the meta file."""
        value = self.meta.get("expected", {})
        assert isinstance(value, dict)
        return value


def real_case_params(commands: list[str]) -> list[Any]:
    """pytest params ``(command, file name)`` for every real output of ``commands``.

    Collected at import time; where the folder is absent one placeholder param per command is
    returned, so the test runs and skips with its reason instead of silently vanishing.
    """
    folder = real_outputs_dir()
    params: list[Any] = []
    for command in commands:
        files = sorted((folder / command).glob("*.txt")) if folder.is_dir() else []
        if not files:
            params.append(pytest.param(command, None, id=f"{command}-missing"))
        for path in files:
            params.append(pytest.param(command, path.name, id=f"{command}/{path.stem}"))
    return params


def load_real_case(command: str, name: str | None) -> RealCase:
    """Read a real output and its meta file; skip when the folder is absent."""
    folder = require_real_outputs()
    if name is None:
        pytest.fail(f"no real outputs for {command!r} in {folder}")
    path = folder / command / name
    meta_path = path.with_suffix(".meta.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    text = path.read_bytes().decode("utf-8")
    return RealCase(command=command, name=name, text=text, meta=meta)


def own_fixture(command: str, name: str) -> str:
    """The text of one of this repository's own fixtures (bytes decoded as UTF-8, kept as is)."""
    return (OWN_FIXTURES / command / name).read_bytes().decode("utf-8")


def own_fixture_paths() -> list[Path]:
    """Every own fixture file."""
    return sorted(p for p in OWN_FIXTURES.rglob("*") if p.is_file())


_HEX = re.compile(r"[0-9a-f]{1,2}")


def mac(text: str) -> str:
    """Expected MAC text -> lower-case colon form (independent of the parsers' normaliser).

    Accepts ``AA-BB-..``, unpadded ``0:1e:..`` and the meta files' ``"x (printed y)"`` notes.
    """
    value = text.split(" (", 1)[0].strip().lower()
    parts = re.split(r"[:\- ]", value)
    assert all(_HEX.fullmatch(part) for part in parts), text
    return ":".join(part.zfill(2) for part in parts)
