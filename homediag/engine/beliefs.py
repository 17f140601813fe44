"""Belief update: the hypotheses of one playbook, their posterior, and the evidence that moved it.

:class:`Beliefs` holds the numbers and nothing else (no trace, no texts): an outcome of a test updates
the posterior by Bayes and is logged as :class:`Evidence`; a remedy that did not fix the problem is
evidence too (its causes become less likely). Multi-fault candidates join the hypotheses later, so
:meth:`Beliefs.score` recomputes the posterior from the priors and the whole log, with each piece's
likelihood ratio per hypothesis, for the findings and their evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from homediag.core.model import JSONValue
from homediag.engine.inference import Belief, Dist
from homediag.engine.model import CompiledRemedy, CompiledTest, Hypothesis, PlaybookModel

NOTHING_WRONG = Hypothesis("__none__", "healthy", 1.0)
"""A hypothesis no cause is part of: the yardstick of abnormal outcomes."""


class EvidenceKind(StrEnum):
    """What moved the posterior."""

    TEST = "test"
    REMEDY_FAILED = "remedy_failed"


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: a test's outcome, or a remedy that did not fix the problem."""

    kind: EvidenceKind
    item: str
    """The test id, or the remedy id."""
    outcome: str | None = None
    subject: str | None = None
    fact: str | None = None
    detail: str | None = None
    """The observations' own words (``3 of 30 pings lost``)."""
    value: JSONValue = None
    """The value observed (the first subject's; None when it is personal data)."""
    unit: str | None = None


@dataclass(frozen=True)
class Scored:
    """The posterior recomputed from the priors and the evidence, with each test outcome's likelihood
    ratio per hypothesis (in evidence order)."""

    ratios: Mapping[str, Sequence[tuple[Evidence, float]]]
    belief: Belief


class Beliefs:
    """The hypotheses of one playbook and what the evidence made of them."""

    def __init__(self, model: PlaybookModel, hypotheses: Iterable[Hypothesis]) -> None:
        self.model = model
        self.hypotheses: list[Hypothesis] = list(hypotheses)
        self.posterior = Belief.from_priors({h.id: h.prior for h in self.hypotheses})
        self.evidence: list[Evidence] = []

    def top(self, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most probable hypotheses."""
        return self.posterior.top(k)

    def p(self, hypothesis_id: str) -> float:
        """The posterior of a hypothesis."""
        return self.posterior.p(hypothesis_id)

    def hypothesis(self, hypothesis_id: str) -> Hypothesis:
        """The hypothesis with this id; ``KeyError`` when unknown."""
        for h in self.hypotheses:
            if h.id == hypothesis_id:
                return h
        raise KeyError(hypothesis_id)

    def table(self, test: CompiledTest) -> tuple[tuple[float, ...], ...]:
        """P(outcome | h) of ``test`` for every hypothesis, in order."""
        return tuple(self.model.likelihood(test, h) for h in self.hypotheses)

    def baseline(self, test: CompiledTest) -> Dist:
        """P(outcome) of ``test`` when none of the causes is present."""
        return self.model.likelihood(test, NOTHING_WRONG)

    def observe(
        self,
        test: CompiledTest,
        outcome: str,
        *,
        subject: str | None = None,
        detail: str | None = None,
        value: JSONValue = None,
        unit: str | None = None,
    ) -> tuple[float, ...]:
        """Update by ``test``'s ``outcome``; return each hypothesis' likelihood ratio of it (against
        the belief before)."""
        index = test.outcomes.index(outcome)
        likelihoods = [self.model.likelihood(test, h)[index] for h in self.hypotheses]
        ratios = self.posterior.likelihood_ratios(likelihoods)
        self.posterior = self.posterior.update(likelihoods)
        self.evidence.append(
            Evidence(
                EvidenceKind.TEST, test.id, outcome, subject=subject, fact=test.fact, detail=detail,
                value=value, unit=unit,
            )
        )
        return ratios

    def remedy_failed(self, remedy: CompiledRemedy) -> None:
        """A remedy was done and did not fix the problem: its causes become less likely."""
        self.posterior = self.posterior.update([1.0 - self.model.fix(remedy, h) for h in self.hypotheses])
        self.evidence.append(Evidence(EvidenceKind.REMEDY_FAILED, remedy.id))

    def add(self, hypotheses: Iterable[Hypothesis]) -> None:
        """Add hypotheses (multi-fault candidates) and weigh them by all the evidence so far."""
        self.hypotheses.extend(hypotheses)
        self.posterior = self.score().belief

    def test_outcomes(self) -> list[tuple[CompiledTest, int]]:
        """The tests that gave an outcome, with the outcome's index, in order."""
        found: list[tuple[CompiledTest, int]] = []
        for item in self.evidence:
            if item.kind is EvidenceKind.TEST and item.outcome is not None:
                test = self.model.test(item.item)
                found.append((test, test.outcomes.index(item.outcome)))
        return found

    def score(self) -> Scored:
        """The posterior from the priors and every piece of evidence, with likelihood ratios."""
        belief = Belief.from_priors({h.id: h.prior for h in self.hypotheses})
        ratios: dict[str, list[tuple[Evidence, float]]] = {h.id: [] for h in self.hypotheses}
        for item in self.evidence:
            if item.kind is EvidenceKind.TEST and item.outcome is not None:
                test = self.model.test(item.item)
                index = test.outcomes.index(item.outcome)
                likelihoods = [self.model.likelihood(test, h)[index] for h in self.hypotheses]
                for h, ratio in zip(self.hypotheses, belief.likelihood_ratios(likelihoods), strict=True):
                    ratios[h.id].append((item, ratio))
                belief = belief.update(likelihoods)
            elif item.kind is EvidenceKind.REMEDY_FAILED:
                remedy = self.model.remedy(item.item)
                belief = belief.update([1.0 - self.model.fix(remedy, h) for h in self.hypotheses])
        return Scored(ratios, belief)

    def points_to(self, hypothesis: Hypothesis, ratio: float) -> bool:
        """Whether some outcome seen is at least ``ratio`` times more likely under ``hypothesis`` than
        with nothing wrong: evidence for it, not only against the others."""
        for test, index in self.test_outcomes():
            base = self.baseline(test)[index]
            if base > 0 and self.model.likelihood(test, hypothesis)[index] >= ratio * base:
                return True
        return False

    def moved_by(self, hypothesis: Hypothesis, tests: Iterable[CompiledTest], delta: float) -> bool:
        """Whether any of ``tests`` predicts its outcomes differently under ``hypothesis`` than with
        nothing wrong (by more than ``delta`` for some outcome)."""
        for test in tests:
            own = self.model.likelihood(test, hypothesis)
            base = self.baseline(test)
            if max(abs(a - b) for a, b in zip(own, base, strict=True)) > delta:
                return True
        return False
