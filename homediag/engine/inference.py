"""Bayesian elimination over a small explicit hypothesis space.

Hypotheses are single causes, declared interactions, multi-fault candidates, the leak and (in a
checkup) "nothing is wrong". Tests are conditionally independent given the hypothesis, as in the
single-fault Bayesian networks of the SACSO printer troubleshooters (Jensen et al. 2001). This
module holds the arithmetic, with no knowledge of playbook files:

- :func:`combine`: a hypothesis with several active members (an interaction, a multi-fault
  candidate) gets a noisy-OR over the members' effects, generalised to several outcomes (noisy-MAX
  in spirit): the chance of the normal outcome is the product of what each member leaves of it; the
  rest is shared among the abnormal outcomes by each member's push (Pearl 1988;
  docs/diagnosis-engine.md#hypotheses-and-beliefs);
- :func:`marginalise`: conditions a test depends on but a hypothesis does not mention count by their
  base rate;
- :func:`floored`: the likelihood floor; nothing is ever impossible, since probes and users are
  noisy;
- :class:`Belief`: the posterior, updated by Bayes' rule, with entropy, predictive distributions and
  likelihood ratios for the trace.

Pure Python: with at most a few dozen hypotheses and tests, arrays would cost more than they save.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product

Dist = tuple[float, ...]

MAX_MARGINALISED_CONDITIONS = 6


def normalised(values: Sequence[float]) -> Dist:
    """``values`` scaled to sum to 1 (uniform when they sum to 0)."""
    total = math.fsum(values)
    if total <= 0.0 or not math.isfinite(total):
        return tuple(1.0 / len(values) for _ in values)
    return tuple(v / total for v in values)


def floored(dist: Sequence[float], floor: float) -> Dist:
    """Every outcome at least ``floor`` (before renormalising): nothing is ever impossible."""
    return normalised([max(p, floor) for p in dist])


def uniform(n: int) -> Dist:
    """Every outcome equally likely (the part of the leak that predicts nothing)."""
    return tuple(1.0 / n for _ in range(n))


def normal_index(normal: Sequence[float]) -> int:
    """The outcome that is most likely when nothing is wrong (the first, on ties)."""
    best = 0
    for i, p in enumerate(normal):
        if p > normal[best]:
            best = i
    return best


def combine(normal: Sequence[float], effects: Sequence[Sequence[float]]) -> Dist:
    """Noisy-OR of several members' effects on one test.

    With ``n`` the normal outcome, each member ``c`` leaves ``r_c = min(1, e_c[n] / normal[n])`` of
    the normal outcome's chance, so ``P(n | D) = normal[n] * prod(r_c)``; the abnormal rest is split
    by the members' abnormal shapes, weighted by how hard each pushes (``1 - r_c``). One member: its
    effect.
    """
    if not effects:
        return tuple(normal)
    if len(effects) == 1:
        return tuple(effects[0])
    n = normal_index(normal)
    base = normal[n]
    keep = 1.0
    weights: list[float] = []
    for effect in effects:
        ratio = min(1.0, effect[n] / base) if base > 0 else 0.0
        keep *= ratio
        weights.append(1.0 - ratio)
    p_normal = base * keep
    abnormal = 1.0 - p_normal
    total_weight = math.fsum(weights)
    shape = [0.0] * len(normal)
    if total_weight > 0:
        for effect, weight in zip(effects, weights, strict=True):
            rest = 1.0 - effect[n]
            if weight <= 0 or rest <= 0:
                continue
            for i, p in enumerate(effect):
                if i != n:
                    shape[i] += weight * p / rest / total_weight
    else:
        rest = 1.0 - base
        for i, p in enumerate(normal):
            if i != n:
                shape[i] = p / rest if rest > 0 else 1.0 / (len(normal) - 1)
    result = [abnormal * s for s in shape]
    result[n] = p_normal
    return normalised(result)


def marginalise(
    normal: Sequence[float],
    active: Sequence[Sequence[float]],
    latent: Sequence[tuple[float, Sequence[float]]],
) -> Dist:
    """The outcome distribution with ``active`` members' effects present and each latent condition
    ``(base_rate, effect)`` present with its base rate (summed over every combination)."""
    if not latent:
        return combine(normal, active)
    if len(latent) > MAX_MARGINALISED_CONDITIONS:
        raise ValueError("too many conditions on one test")
    total = [0.0] * len(normal)
    for present in product((False, True), repeat=len(latent)):
        weight = 1.0
        members = list(active)
        for on, (rate, effect) in zip(present, latent, strict=True):
            weight *= rate if on else 1.0 - rate
            if on:
                members.append(effect)
        dist = combine(normal, members)
        for i, p in enumerate(dist):
            total[i] += weight * p
    return normalised(total)


def entropy(probs: Sequence[float]) -> float:
    """Shannon entropy in bits."""
    return -math.fsum(p * math.log2(p) for p in probs if p > 0.0)


@dataclass(frozen=True)
class Belief:
    """A posterior over hypotheses (by index), always normalised."""

    ids: tuple[str, ...]
    probs: Dist

    @classmethod
    def from_priors(cls, priors: Mapping[str, float]) -> Belief:
        """A belief from (unnormalised) priors, in the mapping's order."""
        ids = tuple(priors)
        return cls(ids, normalised([priors[i] for i in ids]))

    def p(self, hypothesis: str) -> float:
        """The posterior of ``hypothesis`` (0 when unknown)."""
        try:
            return self.probs[self.ids.index(hypothesis)]
        except ValueError:
            return 0.0

    def as_dict(self) -> dict[str, float]:
        """Hypothesis id -> posterior."""
        return dict(zip(self.ids, self.probs, strict=True))

    def update(self, likelihoods: Sequence[float]) -> Belief:
        """Bayes' rule with the likelihood of the observed outcome under each hypothesis."""
        return Belief(self.ids, normalised([p * lk for p, lk in zip(self.probs, likelihoods, strict=True)]))

    def predictive(self, table: Sequence[Sequence[float]]) -> Dist:
        """P(outcome) for a test whose row per hypothesis is ``table[h]``."""
        n = len(table[0])
        return tuple(
            math.fsum(p * row[o] for p, row in zip(self.probs, table, strict=True)) for o in range(n)
        )

    def expected_information(self, table: Sequence[Sequence[float]]) -> float:
        """Expected information gain in bits: H(belief) - E_outcome[H(belief | outcome)]."""
        before = entropy(self.probs)
        after = 0.0
        for o, p_o in enumerate(self.predictive(table)):
            if p_o <= 0.0:
                continue
            posterior = [p * row[o] / p_o for p, row in zip(self.probs, table, strict=True)]
            after += p_o * entropy(posterior)
        return max(0.0, before - after)

    def likelihood_ratios(self, likelihoods: Sequence[float]) -> Dist:
        """For each hypothesis h: P(o | h) / P(o | not h), with the belief before the
        observation."""
        total = math.fsum(p * lk for p, lk in zip(self.probs, likelihoods, strict=True))
        ratios = []
        for p, lk in zip(self.probs, likelihoods, strict=True):
            rest = 1.0 - p
            if rest <= 1e-12:
                ratios.append(1.0)
                continue
            other = (total - p * lk) / rest
            ratios.append(lk / other if other > 0 else math.inf)
        return tuple(ratios)

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable hypotheses, ties broken by id."""
        pairs = sorted(zip(self.ids, self.probs, strict=True), key=lambda item: (-item[1], item[0]))
        return pairs[:k]
