"""Deterministic draws from a seed, one independent stream per label.

Every choice a drawn home or a bench makes is ``sha256(seed, label)``: it depends on the seed and on
the label of that one choice only, never on Python's ``random`` implementation, dict or set order, the
time or a PID. A new dimension added to the draw gets a new label and leaves every other choice of an
existing seed as it was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TypeVar

from homediag.core.errors import LabError
from homediag.core.i18n import _

T = TypeVar("T")

SEED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$")
"""A seed: 1 to 48 letters, digits, dots, dashes and underscores, starting with a letter or digit."""
_SCALE = 1 << 64


def check_seed(seed: str) -> str:
    """Refuse a seed that is not 1-48 letters, digits, ``.``, ``-`` or ``_``."""
    if not SEED.match(seed):
        raise LabError(
            _("invalid seed {seed!r}: use 1 to 48 letters, digits, '.', '-' or '_'").format(seed=seed)
        )
    return seed


class Draw:
    """The choices of one seed within one namespace (``home``, ``bench``...)."""

    def __init__(self, seed: str, namespace: str) -> None:
        self.seed = check_seed(seed)
        self.namespace = namespace

    def unit(self, label: str) -> int:
        """A 64-bit number for ``label``."""
        digest = hashlib.sha256(f"homediag/{self.namespace}/{self.seed}/{label}".encode()).digest()
        return int.from_bytes(digest[:8], "big")

    def chance(self, label: str, p: float) -> bool:
        """True with probability ``p``."""
        return self.unit(label) < p * _SCALE

    def between(self, label: str, low: int, high: int) -> int:
        """An integer from ``low`` to ``high``, both included."""
        return low + self.unit(label) % (high - low + 1)

    def pick(self, label: str, options: Sequence[T]) -> T:
        """One of ``options`` (equally likely)."""
        if not options:
            raise ValueError(f"nothing to pick for {label}")
        return options[self.unit(label) % len(options)]

    def weighted(self, label: str, options: Sequence[tuple[T, int]]) -> T:
        """One of ``options``, each ``(value, weight)`` with an integer weight."""
        total = sum(weight for _value, weight in options)
        point = self.unit(label) % total
        for value, weight in options:
            if point < weight:
                return value
            point -= weight
        raise AssertionError("unreachable")

    def sample(self, label: str, options: Sequence[T], k: int) -> list[T]:
        """``k`` distinct options in a drawn order."""
        order = sorted(range(len(options)), key=lambda i: (self.unit(f"{label}/{i}"), i))
        return [options[i] for i in order[:k]]
