"""Small helpers every part of the test suite shares."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]


def skip_or_fail(reason: str) -> NoReturn:
    """Skip a test this machine cannot run; under CI (``CI`` set) fail instead: CI must run it."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test, but {reason}")
    pytest.skip(reason)
