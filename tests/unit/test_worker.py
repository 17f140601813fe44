"""Untrusted parsing runs in a process that is killed at its deadline."""

from __future__ import annotations

import asyncio
import time

import pytest

from homediag.core.worker import WorkerError, run_killable
from tests.unit import _workers


def test_returns_the_result() -> None:
    assert asyncio.run(run_killable(_workers.add, 2, 3, timeout_s=10)) == 5


def test_a_parser_stuck_in_a_cpu_loop_is_killed_at_its_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="killed"):
        asyncio.run(run_killable(_workers.spin_forever, b"\x01\x01", timeout_s=1.0))
    assert time.monotonic() - started < 8


def test_an_exception_in_the_parser_comes_back_typed() -> None:
    with pytest.raises(WorkerError, match="ValueError: negative value-length"):
        asyncio.run(run_killable(_workers.explode, b"", timeout_s=10))
