"""Helpers for the Wi-Fi parser tests: where the recorded outputs live and how to read them.

Real outputs come from ``<repo>/../shared/fixtures/real-outputs`` (override with
``HOMEDIAG_REAL_OUTPUTS``). Where the folder is missing the tests skip, except when ``CI`` is set:
there the folder must exist and a missing one fails.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.parsers.real_outputs import OWN_FIXTURES
from tests.parsers.real_outputs import real_outputs_dir as real_outputs_root

WIFI_COMMANDS = (
    "iw-dev-link",
    "iw-dev-scan",
    "iwconfig",
    "airport-I",
    "airport-s",
    "netsh-wlan-show-interfaces",
    "netsh-wlan-show-networks-bssid",
    "nmcli-t-dev-wifi-list",
    "system-profiler-airport-json",
    "wdutil-info",
)


@dataclass(frozen=True)
class RealOutput:
    """One recorded output with its meta file."""

    command: str
    name: str
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def meta(self) -> dict[str, Any]:
        meta_path = self.path.with_name(self.path.name.removesuffix(".txt") + ".meta.json")
        data: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        return data

    @property
    def expected(self) -> dict[str, Any]:
        expected: dict[str, Any] = self.meta["expected"]
        return expected


def real_output_params() -> list[Any]:
    """pytest params: one per recorded output, or one placeholder when the folder is missing."""
    root = real_outputs_root()
    if not root.is_dir():
        return [pytest.param(None, id="real-outputs-missing")]
    params = []
    for command in WIFI_COMMANDS:
        folder = root / command
        files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
        if not files:
            missing = RealOutput(command, "<missing>", folder)
            params.append(pytest.param(missing, id=f"{command}-missing"))
        for path in files:
            output = RealOutput(command, path.stem, path)
            params.append(pytest.param(output, id=f"{command}/{path.stem}"))
    return params


def own_fixture(command: str, name: str) -> str:
    """Text of one of this suite's own recorded outputs, kept as written (CRLF, U+00A0)."""
    with (OWN_FIXTURES / command / name).open(encoding="utf-8", newline="") as handle:
        return handle.read()


class Expected:
    """The ``expected`` mapping of a meta file; remembers which keys a test looked at.

    ``done()`` fails when a key was neither checked nor explicitly waived, so a meta file that
    grows a new value cannot be silently ignored.
    """

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where
        self.seen: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(key)
        return self.data.get(key, default)

    def waive(self, key: str, reason: str) -> None:
        assert reason, "a waiver needs a reason"
        self.seen.add(key)

    def done(self) -> None:
        left = set(self.data) - self.seen
        assert not left, f"{self.where}: meta keys not checked: {sorted(left)}"
