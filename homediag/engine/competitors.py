"""Competing explanations: never confirm a cause while another that explains the same observations
has not been tested.

A second DHCP server that hands out its own gateway looks, from this computer, just like a provider
outage: the gateway answers and nothing beyond it does. The rogue server is rare, so the posterior
of ``wan.down`` may cross the threshold before the one test that tells them apart has run. Following
the consistency-based view of diagnosis (de Kleer & Williams: a candidate the observations do not
contradict stays a candidate until a measurement separates it), a cause ``c`` *competes* with the
leading cause ``h`` when

- the evidence so far favours ``h`` over ``c`` by less than :data:`COMPETITOR_RATIO` (their likelihoods
  alone, priors left out: rarity is no evidence), and
- no test that tells them apart (some outcome's likelihood differs by more than :data:`SEPARATION`)
  has given an outcome yet.

The engine runs such a separating test before it stops at the threshold (when one can run); a cause
with an untested competitor is reported ``likely``, not ``confirmed``, and the competitor, however rare,
is not ``ruled_out``: nothing ruled it out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from homediag.engine.model import CompiledTest, Hypothesis
from homediag.engine.session import Session

COMPETITOR_RATIO = 100.0
"""Evidence favouring the leading cause by less than this leaves the other cause in the running."""
SEPARATION = 0.2
"""A test tells two causes apart when some outcome's likelihood differs by more than this."""


@dataclass(frozen=True)
class Competitor:
    """A cause that explains the evidence nearly as well as the leading one, and the tests that
    would tell them apart."""

    hypothesis: Hypothesis
    ratio: float
    """How much the evidence favours the leading cause over it (likelihoods only)."""
    separating: tuple[CompiledTest, ...]


def separates(session: Session, test: CompiledTest, first: Hypothesis, second: Hypothesis) -> bool:
    """Whether ``test`` tells ``first`` from ``second``."""
    a = session.model.likelihood(test, first)
    b = session.model.likelihood(test, second)
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) > SEPARATION


def untested(session: Session, leading: Hypothesis) -> list[Competitor]:
    """The causes that compete with ``leading``: explained about as well, never told apart."""
    if leading.kind not in ("cause", "interaction"):
        return []
    model = session.model
    outcomes = session.beliefs.test_outcomes()
    found: list[Competitor] = []
    for other in session.beliefs.hypotheses:
        if other.id == leading.id or other.kind != "cause":
            continue
        if other.id in leading.members:
            continue
        log_ratio = 0.0
        for test, index in outcomes:
            own = model.likelihood(test, leading)[index]
            theirs = model.likelihood(test, other)[index]
            log_ratio += math.log(own) - math.log(theirs)
        if log_ratio >= math.log(COMPETITOR_RATIO):
            continue
        if any(separates(session, test, leading, other) for test, _ in outcomes):
            continue
        separating = tuple(t for t in model.tests if separates(session, t, leading, other))
        if not separating:
            continue  # nothing could ever tell them apart: no test is missing
        found.append(Competitor(other, math.exp(log_ratio), separating))
    return found


def pending_tests(
    session: Session, leading: Hypothesis, available: Sequence[CompiledTest]
) -> list[CompiledTest]:
    """The available tests that would tell ``leading`` from an untested competitor."""
    wanted = {t.id for c in untested(session, leading) for t in c.separating}
    return [t for t in available if t.id in wanted]


def competes_with_leader(session: Session, hypothesis: Hypothesis) -> bool:
    """Whether ``hypothesis`` is an untested competitor of the most probable cause."""
    top_id, _p = session.beliefs.top(1)[0]
    try:
        leading = session.beliefs.hypothesis(top_id)
    except KeyError:
        return False
    return any(c.hypothesis.id == hypothesis.id for c in untested(session, leading))
