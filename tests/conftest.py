"""Shared fixtures. The lab fixtures build one simulated home network per test session.

``lab`` is session-scoped: it builds the ``healthy`` scenario once under the lab id ``t<pid>`` (or
``$HOMEDIAG_TEST_LAB_ID``), so it never collides with a developer's lab or another test run, and
tears it down at the end. Labs of earlier test runs whose process is gone are removed first.
It skips, with the reason, only where a machine cannot build a lab (not Linux, not root, no ``ip
netns``), and fails instead when ``CI`` is set: CI runs as root and must run the lab tests.

``lab_faults`` switches faults for one test and restores the healthy lab afterwards::

    @pytest.mark.lab
    def test_printer_paused(lab_faults):
        with lab_faults("printer-paused") as lab:
            lab.client_exec(["homediag", "diagnose", "printer", "--format", "json"])
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

import pytest

from tests.support import skip_or_fail

if TYPE_CHECKING:
    from homediag.lab.lab import Lab

LAB_TEST_ID = os.environ.get("HOMEDIAG_TEST_LAB_ID") or f"t{os.getpid()}"
"""The test session's lab id: ``t`` and the PID of the test run (at most 8 characters)."""
_TEST_LAB = re.compile(r"^([tx])(\d{1,7})([a-z]?)-")
"""Lab ids of test runs: ``t``/``x``, the PID, and an optional letter (``x<pid>b``: a bench trial's)."""


def remove_stale_test_labs() -> None:
    """Take down the labs of test runs that crashed (their PID is gone)."""
    from homediag.lab import system
    from homediag.lab.lab import Lab

    stale = set()
    for ns in system.list_netns():
        match = _TEST_LAB.match(ns)
        if match and not os.path.exists(f"/proc/{match.group(2)}"):
            stale.add(match.group(1) + match.group(2) + match.group(3))
    for lab_id in sorted(stale):
        Lab(lab_id).down()


def lab_unavailable_reason() -> str | None:
    """Why this machine cannot build a lab, or None when it can."""
    if not sys.platform.startswith("linux"):
        return "the lab needs Linux network namespaces"
    if os.geteuid() != 0:
        return "the lab needs root (it creates network namespaces)"
    if shutil.which("ip") is None:
        return "the lab needs iproute2's 'ip'"
    proc = subprocess.run(["ip", "netns", "list"], capture_output=True, check=False)
    if proc.returncode != 0:
        return "'ip netns' does not work here"
    return None


def require_lab() -> None:
    """Skip (or, under CI, fail) when the lab cannot be built here."""
    reason = lab_unavailable_reason()
    if reason is None:
        return
    skip_or_fail(reason)


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """A healthy lab for the whole session (lab id ``t<pid>``)."""
    require_lab()
    from homediag.lab.lab import Lab

    remove_stale_test_labs()
    instance = Lab(LAB_TEST_ID)
    instance.down()
    instance.up("healthy")
    try:
        yield instance
    finally:
        instance.down()


@pytest.fixture
def lab_faults(lab: Lab) -> Iterator[Callable[..., AbstractContextManager[Lab]]]:
    """``with lab_faults("wan-down", "printer-paused") as lab:`` - faults on inside the block."""

    @contextmanager
    def switch(*names: str) -> Iterator[Lab]:
        lab.set_faults(list(names))
        try:
            yield lab
        finally:
            lab.set_faults([])

    try:
        yield switch
    finally:
        lab.set_faults([])
