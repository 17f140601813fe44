"""Getting evidence: probe tests read facts from the source, questions ask the user, experiments ask the
user to change something and measure again.

Probe tests are obtained in batches (every fact a batch reads in one call, so their probes run
together) and applied in the batch's order. A fact that was not observed gives no evidence; the trace
says why (the source's reason: the probe timed out, was gated, does not exist). An answer that is not
one of the question's outcomes is ignored. After each piece of evidence, multi-fault candidates are
considered (:mod:`~homediag.engine.multifault`).
"""

from __future__ import annotations

from collections.abc import Sequence

from homediag.core.model import Question
from homediag.engine import evidence, multifault
from homediag.engine.model import CompiledTest, MapResult
from homediag.engine.questions import DONE, DONE_OR_NOT, QuestionKind, QuestionSpec
from homediag.engine.session import Session
from homediag.engine.trace import TraceAction, Why


def missing_reason(session: Session, fact: str) -> str:
    """Why ``fact`` was not observed, in words."""
    return session.run.facts.missing_reason(fact) or "no observation"


def probe_action(session: Session) -> TraceAction:
    """How a fact is read in this run: stored (``replay``) or live (``probe``)."""
    return TraceAction.REPLAY if session.run.replay else TraceAction.PROBE


async def run_probes(session: Session, tests: Sequence[CompiledTest], why: Why) -> None:
    """Obtain the facts ``tests`` read (those not observed yet, in one batch) and apply each test."""
    run = session.run
    wanted = sorted({f for t in tests for f in t.reads if not run.observed(f)})
    costs = {t.id: session.test_cost(t) for t in tests}
    charged: set[str] = set()
    if wanted:
        run.add_observations(await run.facts.obtain(wanted))
    action = probe_action(session)
    scope = session.variables.scope()
    for test in tests:
        if test.fact in wanted and test.fact not in charged:
            charged.add(test.fact)
            session.cost_spent += costs[test.id]
        result = test.map_observations(run.observations, scope, run.budget)
        if result.outcome is None:
            note = result.note or "no outcome"
            if not result.observed and test.fact is not None:
                note = f"could not be run: {test.fact} {missing_reason(session, test.fact)}"
            evidence.no_evidence(session, test, action=action, why=why, note=note, result=result)
        else:
            evidence.apply(session, test, result.outcome, action=action, why=why, result=result)
        multifault.check(session)


async def ask(session: Session, test: CompiledTest, why: Why) -> None:
    """Ask the user ``test``'s question (a non-interactive run records it as unasked) and apply the
    answer."""
    run = session.run
    question = QuestionSpec.of_test(test, session.playbook, QuestionKind(test.spec.kind))
    lang = session.lang
    labels = dict(question.answer_labels(lang))
    session.cost_spent += test.cost_s(session.user_minute_s)
    if run.questioner is None:
        run.questions.append(
            Question(id=test.id, text=question.text_in(lang), answer=None, source="unasked", answers=labels)
        )
        run.record_answer(session.playbook, test.id, None)
        evidence.no_evidence(
            session, test, action=TraceAction.QUESTION, why=why, note="not asked: non-interactive run"
        )
        return
    answer = await run.questioner.ask(question, lang)
    if answer is not None and answer not in test.outcomes:
        note = f"answer {answer!r} is not one of {', '.join(test.outcomes)}"
        answer = None
    else:
        note = "unanswered"
    run.questions.append(
        Question(
            id=test.id,
            text=question.text_in(lang),
            answer=answer,
            source=run.questioner.source if answer is not None else "unasked",
            answers=labels,
        )
    )
    run.record_answer(session.playbook, test.id, answer)
    if answer is None:
        evidence.no_evidence(session, test, action=TraceAction.QUESTION, why=why, note=note)
    else:
        evidence.apply(session, test, answer, action=TraceAction.QUESTION, why=why)
        multifault.check(session)


async def remeasure(session: Session, test: CompiledTest) -> MapResult:
    """Measure ``test``'s fact again and map the fresh observations (they join the run's and
    supersede the earlier ones); no outcome, with a note, when the source cannot measure again."""
    assert test.fact is not None
    run = session.run
    fresh = await run.facts.refresh([test.fact])
    if fresh.refused is not None:
        return MapResult(outcome=None, note=fresh.refused)
    result = test.map_observations(list(fresh.observations), session.variables.scope(), run.budget)
    run.add_observations(fresh.observations)
    return result


async def run_experiment(session: Session, test: CompiledTest, why: Why) -> None:
    """Ask the user to change something, then measure again (Breese & Heckerman's experiment:
    change the configuration, observe the new behaviour)."""
    run = session.run
    assert test.fact is not None and run.questioner is not None
    question = QuestionSpec.of_test(test, session.playbook, QuestionKind.EXPERIMENT, DONE_OR_NOT)
    session.cost_spent += test.cost_s(session.user_minute_s)
    answer = await run.questioner.ask(question, session.lang)
    if answer != DONE:
        evidence.no_evidence(session, test, action=TraceAction.QUESTION, why=why, note="experiment not done")
        return
    result = await remeasure(session, test)
    if result.outcome is None:
        evidence.no_evidence(
            session,
            test,
            action=TraceAction.PROBE,
            why=why,
            note=f"experiment gave no evidence: {result.note or 'no outcome'}",
            result=result,
        )
    else:
        evidence.apply(session, test, result.outcome, action=TraceAction.PROBE, why=why, result=result)
        multifault.check(session)
