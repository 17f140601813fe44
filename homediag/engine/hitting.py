"""Minimal hitting sets: multi-fault candidates from the causes that can explain each abnormal
finding.

A set of causes explains every abnormal finding when it intersects each finding's "can explain" set:
it is a hitting set of those sets (Reiter 1987; Peng & Reggia's parsimonious covers are the same
thing seen from the findings). The minimal ones, enumerated by increasing size, are the multi-fault
candidates (de Kleer & Williams 1987).

Playbooks have a few dozen causes at most and candidates stop at 3 causes, so a breadth-first
enumeration over combinations is both simple and fast (at most C(30, 3) = 4060 sets per call);
Reiter's HS-DAG or PySAT's Hitman would only pay off with hundreds of causes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

MAX_CARDINALITY = 3


def minimal_hitting_sets(
    families: Sequence[Iterable[str]],
    *,
    max_size: int = MAX_CARDINALITY,
    limit: int = 64,
) -> list[tuple[str, ...]]:
    """Every minimal hitting set of ``families`` with at most ``max_size`` elements.

    Sets come out by increasing size, each sorted, sizes in lexicographic order; at most ``limit``.
    An empty family cannot be hit: then there is no hitting set at all.
    """
    sets = [frozenset(family) for family in families]
    if not sets:
        return [()]
    if any(not family for family in sets):
        return []
    universe = sorted(frozenset().union(*sets))
    found: list[tuple[str, ...]] = []
    for size in range(1, max_size + 1):
        for combo in combinations(universe, size):
            chosen = frozenset(combo)
            if any(frozenset(smaller) <= chosen for smaller in found):
                continue
            if all(chosen & family for family in sets):
                found.append(combo)
                if len(found) >= limit:
                    return found
    return found
