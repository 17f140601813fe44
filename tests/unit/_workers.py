"""Module-level functions for the killable worker tests (they must be importable by the worker)."""

from __future__ import annotations


def add(a: int, b: int) -> int:
    return a + b


def spin_forever(_: bytes) -> None:
    while True:
        pass


def explode(_: bytes) -> None:
    raise ValueError("negative value-length")
