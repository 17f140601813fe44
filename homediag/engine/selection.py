"""Choosing the next test: information per cost (identify) or expected cost of repair (repair).

Identify mode (technicians, reports) follows de Kleer & Williams' best measurement with costs: the
test with the highest expected information gain per second-equivalent, until one hypothesis reaches
the threshold or no test promises enough information for its cost.

Repair mode (customers) follows Heckerman, Breese & Rommelse (1995): remedies in "updating P-over-C"
order (descending P(fix | evidence) / cost, re-conditioned after each failed remedy, SACSO 2001)
give the expected cost of repair ECR; a test is worth running when its expected cost of observation
``ECO(t) = C(t) + sum_o P(o) * ECR(E + o)`` is below ECR. Escalation ("call service") fixes
everything at its cost, so a remedy less efficient than ``1 / C_escalation`` is never tried.

Ties are broken by declaration order, so the same inputs always give the same choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from homediag.engine.inference import Belief, normalised

MIN_COST_S = 0.1
RUNNERS_UP = 3


@dataclass(frozen=True)
class Candidate:
    """A test the engine could run now, with its likelihood table and cost."""

    test_id: str
    order: int
    table: tuple[tuple[float, ...], ...]
    """``table[h][o]``: P(outcome o | hypothesis h), hypotheses in the belief's order."""
    cost_s: float


@dataclass(frozen=True)
class RemedyOption:
    """A remedy the engine could propose, with P(fix | h) per hypothesis."""

    remedy_id: str
    order: int
    fixes: tuple[float, ...]
    cost_s: float


@dataclass(frozen=True)
class Choice:
    """The decision of one step: a test (or None to stop), why, and the runners-up."""

    test_id: str | None
    rule: str
    score: float | None
    runners_up: tuple[tuple[str, float], ...] = ()
    ecr_s: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class RepairPlan:
    """The remedies in updating P-over-C order and the expected cost of repair."""

    sequence: tuple[tuple[str, float, float], ...]
    """(remedy id, P(fix) at its turn, efficiency)."""
    ecr_s: float
    escalates: bool


def repair_plan(belief: Belief, remedies: Sequence[RemedyOption], escalation_cost_s: float) -> RepairPlan:
    """Updating P-over-C: the next remedy is the most efficient; after it fails the posterior is
    conditioned on that failure. Stops (escalates) when no remedy beats ``1 /
    escalation_cost_s``."""
    probs = list(belief.probs)
    left = list(remedies)
    unsolved = 1.0
    total = 0.0
    sequence: list[tuple[str, float, float]] = []
    escalates = False
    while True:
        best: tuple[float, int, RemedyOption, float] | None = None
        for option in left:
            p_fix = math.fsum(p * f for p, f in zip(probs, option.fixes, strict=True))
            efficiency = p_fix / max(option.cost_s, MIN_COST_S)
            key = (efficiency, -option.order)
            if best is None or key > (best[0], -best[1]):
                best = (efficiency, option.order, option, p_fix)
        if best is None or best[0] < 1.0 / escalation_cost_s or best[3] <= 0.0:
            total += unsolved * escalation_cost_s
            escalates = True
            break
        efficiency, _, option, p_fix = best
        sequence.append((option.remedy_id, p_fix, efficiency))
        total += unsolved * option.cost_s
        unsolved *= 1.0 - p_fix
        probs = list(normalised([p * (1.0 - f) for p, f in zip(probs, option.fixes, strict=True)]))
        left.remove(option)
        if unsolved <= 1e-9:
            break
    return RepairPlan(tuple(sequence), total, escalates)


def _rank(scored: list[tuple[float, int, str]], *, highest: bool) -> list[tuple[float, int, str]]:
    return sorted(scored, key=lambda item: ((-item[0] if highest else item[0]), item[1]))


def choose_identify(
    belief: Belief,
    candidates: Sequence[Candidate],
    *,
    threshold: float,
    min_gain_per_s: float,
) -> Choice:
    """The test with the most expected information per cost, or a stop with its reason."""
    top_id, top_p = belief.top(1)[0]
    if top_p >= threshold:
        return Choice(None, "threshold", top_p, reason=f"{top_id} reached {top_p:.2f}")
    if not candidates:
        return Choice(None, "no_tests", None, reason="no test left to run")
    scored: list[tuple[float, int, str]] = []
    gains: dict[str, float] = {}
    for candidate in candidates:
        gain = belief.expected_information(candidate.table)
        gains[candidate.test_id] = gain
        scored.append((gain / max(candidate.cost_s, MIN_COST_S), candidate.order, candidate.test_id))
    ranked = _rank(scored, highest=True)
    best_score, _, best_id = ranked[0]
    runners = tuple((tid, round(score, 6)) for score, _, tid in ranked[1 : 1 + RUNNERS_UP])
    if gains[best_id] < 1e-4 or best_score < min_gain_per_s:
        return Choice(None, "not_worth", round(best_score, 6), runners, reason="no test is worth its cost")
    return Choice(best_id, "EIG/cost", round(best_score, 6), runners)


def choose_repair(
    belief: Belief,
    candidates: Sequence[Candidate],
    remedies: Sequence[RemedyOption],
    *,
    escalation_cost_s: float,
    threshold: float,
) -> Choice:
    """Heckerman's myopic rule: run the test with the lowest ECO if it is below ECR."""
    plan = repair_plan(belief, remedies, escalation_cost_s)
    ecr = plan.ecr_s
    top_id, top_p = belief.top(1)[0]
    if top_p >= threshold:
        return Choice(None, "threshold", top_p, ecr_s=round(ecr, 3), reason=f"{top_id} reached {top_p:.2f}")
    if not candidates:
        return Choice(None, "no_tests", None, ecr_s=round(ecr, 3), reason="no test left to run")
    scored: list[tuple[float, int, str]] = []
    for candidate in candidates:
        predictive = belief.predictive(candidate.table)
        eco = max(candidate.cost_s, MIN_COST_S)
        for outcome, p_o in enumerate(predictive):
            if p_o <= 1e-12:
                continue
            after = belief.update([row[outcome] for row in candidate.table])
            eco += p_o * repair_plan(after, remedies, escalation_cost_s).ecr_s
        scored.append((eco, candidate.order, candidate.test_id))
    ranked = _rank(scored, highest=False)
    best_eco, _, best_id = ranked[0]
    runners = tuple((tid, round(score, 3)) for score, _, tid in ranked[1 : 1 + RUNNERS_UP])
    if best_eco >= ecr - 1e-9:
        next_step = plan.sequence[0][0] if plan.sequence else "escalate"
        return Choice(
            None,
            "ECO>=ECR",
            round(best_eco, 3),
            runners,
            ecr_s=round(ecr, 3),
            reason=f"no test lowers the expected cost of repair; next: {next_step}",
        )
    return Choice(best_id, "ECO<ECR", round(best_eco, 3), runners, ecr_s=round(ecr, 3))
