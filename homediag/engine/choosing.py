"""Which tests can run now, which of them are free, and which one runs next.

A test is available when its ``requires`` holds and it is inside its validity window (else it is
deferred: it rules nothing out); a question only for the audiences it may be asked of; an experiment
only in an interactive run that can measure again; a probe test only when its fact is observed or can
be obtained (else it is unavailable, with the reason; in a checkup an on-demand probe's fact is held
back unless the user asked for it).

The next test is chosen by :mod:`~homediag.engine.selection`: expected information per cost
(identify mode) or expected cost of repair (repair mode).
"""

from __future__ import annotations

from collections.abc import Sequence

from homediag.engine import competitors, evidence, remedies
from homediag.engine.expressions import ExpressionError
from homediag.engine.model import CompiledTest
from homediag.engine.selection import Candidate, Choice, choose_identify, choose_repair
from homediag.engine.session import Session, text_in
from homediag.engine.trace import Why, WhyRule
from homediag.engine.variables import ConditionKind

ON_DEMAND_NOTE = "its probe runs on demand only (the speed test): a checkup needs --speedtest"
OUTSIDE_WINDOW = "outside its window"
NEEDS_REMEASURE = "needs an interactive run that can measure again"


def available(session: Session) -> list[CompiledTest]:
    """The tests that can run now, in declaration order (noting the deferred and unavailable)."""
    run = session.run
    ready: list[CompiledTest] = []
    for test in session.model.tests:
        if test.id in session.done:
            continue
        requires = _condition(session, test, "requires")
        if requires is not True:
            continue
        valid = _condition(session, test, "valid_if")
        if valid is None and test.id in session.done:  # it failed to evaluate
            continue
        if valid is not True:
            session.deferred[test.id] = text_in(test.spec.window, session.lang, OUTSIDE_WINDOW)
            continue
        session.deferred.pop(test.id, None)
        if test.asks_user:
            if run.audience not in test.spec.ask:
                continue
            ready.append(test)
        elif test.spec.kind == "experiment":
            # Re-measuring after a change needs a person and a fresh measurement.
            if not (run.interactive and not run.replay):
                session.unavailable[test.id] = NEEDS_REMEASURE
                continue
            ready.append(test)
        elif test.fact is not None:
            if run.held_back(test.fact):
                session.unavailable[test.id] = f"{test.fact}: {ON_DEMAND_NOTE}"
            elif run.observed(test.fact) or run.facts.can_obtain(test.fact):
                ready.append(test)
            else:
                reason = run.facts.missing_reason(test.fact) or "no observation"
                session.unavailable[test.id] = f"{test.fact}: {reason}"
    return ready


def _condition(session: Session, test: CompiledTest, which: ConditionKind) -> bool | None:
    """The condition's verdict; one that fails to evaluate marks the test done, loudly."""
    try:
        return session.variables.condition(test, which)
    except ExpressionError as exc:
        evidence.condition_failed(session, test, which, str(exc))
        return None


def is_free(session: Session, test: CompiledTest) -> bool:
    """Whether the author's cost of ``test`` makes it free (no user time, at most the free cost)."""
    cost = test.spec.cost
    return cost.user_minutes == 0 and cost.seconds <= session.free_cost_s


def free_now(session: Session, tests: Sequence[CompiledTest]) -> list[CompiledTest]:
    """The automatic probe tests among ``tests`` that run without selection: free by their cost, or
    their fact is observed, or obtaining it costs nothing any more (stored, or its probe already ran)."""
    run = session.run
    return [
        t
        for t in tests
        if not t.asks_user
        and t.spec.kind == "probe"
        and t.fact is not None
        and (is_free(session, t) or run.observed(t.fact) or run.facts.cost_s(t.fact) <= 0.0)
    ]


def choose(session: Session, candidates: Sequence[Candidate]) -> Choice:
    """The next test (or a stop with its reason) for the session's mode; before stopping at the
    threshold, a test that tells the leading cause from an untested competitor
    (:mod:`~homediag.engine.competitors`)."""
    defaults = session.model.spec.defaults
    beliefs = session.beliefs
    if session.mode == "repair":
        choice = choose_repair(
            beliefs.posterior,
            candidates,
            remedies.options(session),
            escalation_cost_s=remedies.escalation_cost(session),
            threshold=defaults.threshold,
        )
    else:
        choice = choose_identify(
            beliefs.posterior,
            candidates,
            threshold=defaults.threshold,
            min_gain_per_s=defaults.min_gain_per_s,
        )
    if choice.test_id is None and choice.rule == "threshold":
        return _competitor_test(session, candidates) or choice
    return choice


def _competitor_test(session: Session, candidates: Sequence[Candidate]) -> Choice | None:
    top_id, _p = session.beliefs.top(1)[0]
    try:
        leading = session.beliefs.hypothesis(top_id)
    except KeyError:
        return None
    ready = {c.test_id: c for c in candidates}
    pending = competitors.pending_tests(session, leading, [session.model.test(t) for t in ready])
    if not pending:
        return None
    best = min(pending, key=lambda t: (ready[t.id].cost_s, t.index))
    return Choice(best.id, WhyRule.COMPETITOR.value, round(ready[best.id].cost_s, 3))


def candidates(session: Session) -> list[Candidate]:
    """The available tests with their likelihood tables and costs."""
    return [
        Candidate(test.id, test.index, session.beliefs.table(test), session.test_cost(test))
        for test in available(session)
    ]


def why_of(choice: Choice) -> Why:
    """The trace's ``why`` of a chosen test."""
    return Why(
        WhyRule(choice.rule),
        score=choice.score,
        ecr_s=choice.ecr_s,
        runners_up=tuple(choice.runners_up),
    )
