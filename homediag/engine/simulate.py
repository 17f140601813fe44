"""Monte-Carlo simulation of a playbook against its own model: a regression gate for playbooks and
for the test-selection policy (docs/diagnosis-engine.md#choosing-the-next-test).

Each episode samples a true hypothesis from the priors (a cause, an interaction or the leak), then
an outcome for every test from that hypothesis' likelihoods. Policies then run on the same sampled
world, so their costs and accuracies compare pair by pair:

- ``adaptive``: what :func:`~homediag.engine.diagnose.diagnose` does: free probes first, then the
  next test by expected information per cost (identify) or by expected cost of repair (repair),
  until a hypothesis reaches the threshold or no test is worth its cost;
- ``fixed``: free probes first, then every other test in declared order (a flowchart), stopping at
  the same threshold;
- ``fixed_all``: every test in declared order, no stopping.

Cost is the tests' cost in seconds-equivalent (machine seconds plus the user's minutes weighted for
the audience); top-1 accuracy is how often the most probable hypothesis at the end is the sampled
one; total cost adds the remedies tried in P-over-C order until one fixes the sampled fault (or the
escalation), the yardstick of repair mode, which stops testing once repairing is cheaper.
The figures validate the policy against the model, not the model against reality. Multi-fault
worlds are not sampled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from homediag.engine.inference import Belief
from homediag.engine.model import CompiledTest, Hypothesis, PlaybookModel
from homediag.engine.selection import (
    Candidate,
    RemedyOption,
    choose_identify,
    choose_repair,
    repair_plan,
)

Policy = Literal["adaptive", "fixed", "fixed_all"]


@dataclass(frozen=True)
class SimulationResult:
    """Figures of one policy on one playbook."""

    playbook: str
    policy: str
    mode: str
    episodes: int
    mean_cost_s: float
    """Tests only."""
    top1_accuracy: float
    mean_tests: float
    mean_total_cost_s: float
    """Tests, then remedies in P-over-C order until one fixes the fault (else escalation)."""
    resolved: float
    """Share of episodes a remedy fixed without escalation."""


def _sample(dist: tuple[float, ...], rng: random.Random) -> int:
    x = rng.random()
    acc = 0.0
    for i, p in enumerate(dist):
        acc += p
        if x < acc:
            return i
    return len(dist) - 1


class _World:
    def __init__(self, model: PlaybookModel, truth: Hypothesis, rng: random.Random) -> None:
        self.truth = truth
        self.outcomes = {t.id: _sample(model.likelihood(t, truth), rng) for t in model.tests}
        # A remedy fixes the sampled fault when its draw is below P(fix | truth).
        self.draws = {r.id: rng.random() for r in model.remedies}


def _run(
    model: PlaybookModel,
    world: _World,
    policy: Policy,
    mode: str,
    user_minute_s: float,
) -> tuple[float, tuple[float, bool], bool, int]:
    hypotheses = list(model.hypotheses)
    belief = Belief.from_priors({h.id: h.prior for h in hypotheses})
    defaults = model.spec.defaults
    done: set[str] = set()
    cost = 0.0

    def table(test: CompiledTest) -> tuple[tuple[float, ...], ...]:
        return tuple(model.likelihood(test, h) for h in hypotheses)

    def apply(test: CompiledTest) -> None:
        nonlocal belief, cost
        index = world.outcomes[test.id]
        belief = belief.update([row[index] for row in table(test)])
        cost += test.cost_s(user_minute_s)
        done.add(test.id)

    ordered = list(model.tests)
    if policy == "fixed_all":
        for test in ordered:
            apply(test)
    else:
        for test in ordered:
            if test.free:
                apply(test)
        if policy == "fixed":
            for test in ordered:
                if belief.top(1)[0][1] >= defaults.threshold:
                    break
                if test.id not in done:
                    apply(test)
        else:
            remedies = [
                RemedyOption(
                    r.id,
                    r.index,
                    tuple(model.fix(r, h) for h in hypotheses),
                    r.cost_s(user_minute_s),
                )
                for r in model.remedies
            ]
            escalation = model.spec.escalation.cost
            escalation_s = max(escalation.seconds + escalation.user_minutes * user_minute_s, 1.0)
            while True:
                candidates = [
                    Candidate(t.id, t.index, table(t), t.cost_s(user_minute_s))
                    for t in ordered
                    if t.id not in done
                ]
                if mode == "repair":
                    choice = choose_repair(
                        belief,
                        candidates,
                        remedies,
                        escalation_cost_s=escalation_s,
                        threshold=defaults.threshold,
                    )
                else:
                    choice = choose_identify(
                        belief,
                        candidates,
                        threshold=defaults.threshold,
                        min_gain_per_s=defaults.min_gain_per_s,
                    )
                if choice.test_id is None:
                    break
                apply(model.test(choice.test_id))
    top = belief.top(1)[0][0]
    repair = _repair_cost(model, world, belief, hypotheses, user_minute_s)
    return cost, repair, top == world.truth.id, len(done)


def _repair_cost(
    model: PlaybookModel,
    world: _World,
    belief: Belief,
    hypotheses: list[Hypothesis],
    user_minute_s: float,
) -> tuple[float, bool]:
    """Remedies in updating P-over-C order until one fixes the sampled fault, else escalation."""
    escalation = model.spec.escalation.cost
    escalation_s = max(escalation.seconds + escalation.user_minutes * user_minute_s, 1.0)
    left = list(model.remedies)
    cost = 0.0
    while True:
        options = [
            RemedyOption(r.id, r.index, tuple(model.fix(r, h) for h in hypotheses), r.cost_s(user_minute_s))
            for r in left
        ]
        plan = repair_plan(belief, options, escalation_s)
        if not plan.sequence:
            return cost + escalation_s, False
        remedy = model.remedy(plan.sequence[0][0])
        cost += remedy.cost_s(user_minute_s)
        if world.draws[remedy.id] < model.fix(remedy, world.truth):
            return cost, True
        belief = belief.update([1.0 - model.fix(remedy, h) for h in hypotheses])
        left.remove(remedy)


def simulate(
    model: PlaybookModel,
    *,
    policies: tuple[Policy, ...] = ("adaptive", "fixed", "fixed_all"),
    mode: str = "identify",
    audience: str = "technician",
    episodes: int = 400,
    seed: int = 7,
) -> list[SimulationResult]:
    """Simulate ``episodes`` sampled worlds and run every policy on each (same worlds for all)."""
    rng = random.Random(seed)  # noqa: S311 - a seeded simulation, not cryptography
    hypotheses = list(model.hypotheses)
    priors = tuple(h.prior for h in hypotheses)
    total = sum(priors)
    weights = tuple(p / total for p in priors)
    user_minute_s = model.user_minute_s(audience)
    sums = {p: [0.0, 0.0, 0.0, 0.0, 0.0] for p in policies}
    for _ in range(episodes):
        truth = hypotheses[_sample(weights, rng)]
        world = _World(model, truth, rng)
        for policy in policies:
            cost, (repair, fixed), correct, tests = _run(model, world, policy, mode, user_minute_s)
            sums[policy][0] += cost
            sums[policy][1] += 1.0 if correct else 0.0
            sums[policy][2] += tests
            sums[policy][3] += cost + repair
            sums[policy][4] += 1.0 if fixed else 0.0
    return [
        SimulationResult(
            playbook=model.id,
            policy=policy,
            mode=mode,
            episodes=episodes,
            mean_cost_s=sums[policy][0] / episodes,
            top1_accuracy=sums[policy][1] / episodes,
            mean_tests=sums[policy][2] / episodes,
            mean_total_cost_s=sums[policy][3] / episodes,
            resolved=sums[policy][4] / episodes,
        )
        for policy in policies
    ]
