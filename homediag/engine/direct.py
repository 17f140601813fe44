"""Judgements from direct observation: advisories, and faults whose symptom a probe measures.

docs/probes-and-playbooks.md#faults-and-advisories and #direct-measurement-wins-over-inference. Two
kinds of cause are judged each on its own, from the probe tests that observe it, instead of (or as
well as) by its share of the complaint's posterior:

- an *advisory* (an admin page over plain HTTP, Telnet, an anonymous MQTT broker, no UPnP IGD, an
  insecure Wi-Fi) produces no symptom, so it is not a hypothesis of the complaint at all: it would take
  probability from the causes that explain the complaint. Its judgement starts from its prevalence and
  is updated by the probe tests that observe it (``P(outcome | advisory)`` against ``P(outcome |
  nothing wrong)``); questions never count;
- a *fault whose symptom a probe measures* (a test declares ``measures: {slow: [dns_slow]}``: DNS
  answers taking 800 ms *are* ``dns.slow``) is reported from the measurement whatever else is wrong:
  when such an outcome is observed, the measurement is judged on its own likelihood ratio, at even
  odds (as if no other cause competed for it), and the finding takes the higher of that and its share
  of the posterior. A measurement that does not show the symptom changes nothing here: ruling a cause
  out stays the posterior's job. A measured symptom that another likely cause explains (loss to the
  router on a weak Wi-Fi link) stays that cause's evidence.

Both give a :class:`Judged`: the probability and the evidence (each test outcome with its likelihood
ratio against a healthy network), for the findings and the trace.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from homediag.engine.beliefs import Beliefs, Evidence, EvidenceKind
from homediag.engine.model import CompiledTest, Hypothesis

MEASURED_PRIOR = 0.5
"""A directly measured symptom is judged at even odds: the measurement decides, not the prior."""
EXPLAINED_P = 0.6
"""A cause at least this likely (``likely`` or better) explains the measurements it predicts."""
EXPLAINS_RATIO = 3.0
"""A cause explains an outcome it makes at least this much likelier than a healthy network does
(as for multi-fault candidates)."""


@dataclass(frozen=True)
class Judged:
    """A cause judged on its own: its probability and the evidence that moved it."""

    hypothesis: Hypothesis
    probability: float
    items: tuple[tuple[Evidence, float], ...]
    """Each test outcome that observed it, with its likelihood ratio (against a healthy network)."""

    @property
    def tested(self) -> bool:
        """Whether any test observed it."""
        return bool(self.items)

    @property
    def best_ratio(self) -> float:
        """The strongest likelihood ratio for it (1 without evidence)."""
        return max((ratio for _, ratio in self.items), default=1.0)

    @property
    def decisive(self) -> Evidence | None:
        """The evidence that moved it most (towards the side it ended on)."""
        if not self.items:
            return None
        if self.probability >= 0.5:
            return max(self.items, key=lambda x: (x[1], x[0].item))[0]
        return min(self.items, key=lambda x: (x[1], x[0].item))[0]


def _odds(p: float) -> float:
    return p / (1.0 - p) if p < 1.0 else math.inf


def _probability(odds: float) -> float:
    return 1.0 if math.isinf(odds) else odds / (1.0 + odds)


Observed = Sequence[tuple[Evidence, CompiledTest, int]]


def _judge(beliefs: Beliefs, hypothesis: Hypothesis, prior: float, observed: Observed) -> Judged:
    odds = _odds(prior)
    items: list[tuple[Evidence, float]] = []
    for item, test, index in observed:
        own = beliefs.model.likelihood(test, hypothesis)[index]
        base = beliefs.baseline(test)[index]
        ratio = own / base if base > 0 else math.inf
        odds *= ratio
        items.append((item, ratio))
    return Judged(hypothesis, _probability(odds), tuple(items))


def _outcomes(beliefs: Beliefs) -> list[tuple[Evidence, CompiledTest, int]]:
    """The probe tests that gave an outcome, latest per test (a verifier may have measured again)."""
    latest: dict[str, tuple[Evidence, CompiledTest, int]] = {}
    for item in beliefs.evidence:
        if item.kind is not EvidenceKind.TEST or item.outcome is None:
            continue
        test = beliefs.model.test(item.item)
        if test.fact is None or test.asks_user:
            continue
        latest[test.id] = (item, test, test.outcomes.index(item.outcome))
    return list(latest.values())


def advisory(beliefs: Beliefs, hypothesis: Hypothesis) -> Judged:
    """An advisory judged from the probe tests that observe it, starting from its prevalence."""
    observed = [entry for entry in _outcomes(beliefs) if hypothesis.id in entry[1].advisory_effects]
    return _judge(beliefs, hypothesis, hypothesis.prior, observed)


def measured(
    beliefs: Beliefs, hypothesis: Hypothesis, marginals: Mapping[str, float] | None = None
) -> Judged | None:
    """A fault judged from the outcomes that measure its symptom directly (``measures``), or None when
    no test measured it.

    A measured outcome that another cause explains, one that is itself likely (its marginal in
    ``marginals`` at least :data:`EXPLAINED_P`, and it makes the outcome :data:`EXPLAINS_RATIO`
    times likelier than a healthy network), is that cause's evidence instead: 13 % loss to the router
    on a weak Wi-Fi link is the weak signal's symptom, not a second fault of the cable."""
    observed = [
        entry
        for entry in _outcomes(beliefs)
        if hypothesis.id in entry[1].spec.measures.get(entry[0].outcome or "", ())
        and not _explained(beliefs, hypothesis, entry[1], entry[2], marginals or {})
    ]
    if not observed:
        return None
    return _judge(beliefs, hypothesis, MEASURED_PRIOR, observed)


def _explained(
    beliefs: Beliefs, hypothesis: Hypothesis, test: CompiledTest, index: int, marginals: Mapping[str, float]
) -> bool:
    base = beliefs.baseline(test)[index]
    for other in beliefs.hypotheses:
        if other.id == hypothesis.id or other.kind not in ("cause", "interaction"):
            continue
        if marginals.get(other.id, 0.0) < EXPLAINED_P:
            continue
        if beliefs.model.likelihood(test, other)[index] >= EXPLAINS_RATIO * base:
            return True
    return False
