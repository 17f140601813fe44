"""Working one playbook through, step by step (docs/diagnosis-engine.md):

1. ``applies_if``: a playbook that does not apply (no wireless interface) gives a plain verdict.
2. Free automatic probes first, in batches (:func:`free_phase`).
3. Questions marked ``ask_first``.
4. Then one test at a time (:func:`test_loop`), chosen by :mod:`~homediag.engine.choosing`, until a
   hypothesis reaches the threshold or no test is worth its cost.
5. Interactive runs only: remedies in P-over-C order, each offered with the findings so far and
   verified (:mod:`~homediag.engine.remedies`); a failed remedy is evidence and testing resumes; a
   skipped one makes way for the next; no answer or "not now" ends the offers.
6. A ``stop`` step says why it stopped, which tests were deferred and which were unavailable.
"""

from __future__ import annotations

from homediag.engine import choosing, gather, remedies
from homediag.engine.expressions import ExpressionError, MissingInput
from homediag.engine.findings import findings, sort_findings
from homediag.engine.model import match_holds
from homediag.engine.session import Session, text_in
from homediag.engine.trace import TraceAction, Why, WhyRule

MAX_STEPS = 80
MAX_REMEDIES_TRIED = 5


async def run(session: Session, *, free_only: bool = False) -> None:
    """Work the playbook through (with ``free_only``, only as far as its free probes: a checkup
    decides whether to follow up)."""
    if not await check_applies(session):
        return
    if session.model.draft:
        session.run.trace.add(
            TraceAction.INFER,
            playbook=session.playbook,
            note="draft playbook: an outline, some probes it needs are missing",
        )
    await free_phase(session)
    if free_only:
        return
    await run_followup(session)


async def free_phase(session: Session) -> None:
    """Run the free automatic probe tests, batch after batch (each batch may open more)."""
    while True:
        batch = choosing.free_now(session, choosing.available(session))
        if not batch:
            return
        await gather.run_probes(session, batch, Why(WhyRule.FREE))


async def run_followup(session: Session) -> None:
    """Everything after the free probes: first questions, test selection, remedies, stop."""
    for test in choosing.available(session):
        if test.spec.ask_first and test.id not in session.done:
            await gather.ask(session, test, Why(WhyRule.ASK_FIRST))
    remedies_tried = 0
    while True:
        await test_loop(session)
        if not session.run.interactive or remedies_tried >= MAX_REMEDIES_TRIED or session.verified:
            break
        situation = sort_findings(findings(session)) if session.run.questioner is not None else []
        offered = await remedies.offer_next(session, situation)
        if offered is None or not offered.go_on:
            break
        remedies_tried += 1
    unavailable = {k: v for k, v in session.unavailable.items() if k not in session.done}
    session.run.trace.add(
        TraceAction.STOP,
        playbook=session.playbook,
        posterior_top=session.beliefs.top(),
        note=session.stopped_because or None,
        deferred=sorted(session.deferred),
        unavailable=[(k, unavailable[k]) for k in sorted(unavailable)],
    )


async def test_loop(session: Session) -> None:
    """One test at a time, the best by the session's mode, until a stop."""
    while session.steps < MAX_STEPS:
        await free_phase(session)
        choice = choosing.choose(session, choosing.candidates(session))
        if choice.test_id is None:
            session.stopped_because = choice.reason
            return
        test = session.model.test(choice.test_id)
        why = choosing.why_of(choice)
        if test.asks_user:
            await gather.ask(session, test, why)
        elif test.spec.kind == "experiment":
            await gather.run_experiment(session, test, why)
        else:
            await gather.run_probes(session, [test], why)
    session.stopped_because = "step limit reached"


async def check_applies(session: Session) -> bool:
    """Whether the playbook applies (True when it cannot tell); a playbook that does not apply gets
    its reason as ``not_applicable`` and a ``stop`` step."""
    model = session.model
    run = session.run
    rule = model.applies_if
    spec = model.spec.applies_if
    if rule is None or spec is None:
        return True
    why = Why(WhyRule.APPLIES_IF)
    named = sorted(rule.expression.fact_refs - {spec.fact}) if rule.expression is not None else []
    wanted = [f for f in (spec.fact, *named) if not run.observed(f) and run.facts.can_obtain(f)]
    if wanted:
        run.add_observations(await run.facts.obtain(wanted))
    selected = [obs for obs in run.observations if obs.fact == spec.fact]
    selected.sort(key=lambda obs: (obs.subject != "local", obs.subject))
    if not selected:
        run.trace.add(
            TraceAction.INFER,
            playbook=session.playbook,
            why=why,
            note=f"cannot tell whether it applies: {spec.fact} not observed",
        )
        return True
    values = [obs.value for obs in selected]
    variables = session.variables.scope().child(
        {
            "value": values[0],
            "values": values,
            "subject": selected[0].subject,
            "subjects": [obs.subject for obs in selected],
        }
    )
    try:
        if rule.expression is not None:
            verdict = rule.expression.evaluate(variables, run.budget)
        else:
            assert rule.match is not None
            verdict = match_holds(rule.match, values[0], values, variables)
    except ExpressionError as exc:
        error = None if isinstance(exc, MissingInput) else str(exc)
        run.trace.add(
            TraceAction.INFER,
            playbook=session.playbook,
            why=why,
            note=f"cannot tell whether it applies: {exc}",
            error=error,
        )
        if error:
            run.record_error(f"{session.playbook}/applies_if", error)
        return True
    if verdict is False:
        session.not_applicable = text_in(spec.reason, session.lang)
        run.trace.add(
            TraceAction.STOP,
            playbook=session.playbook,
            why=why,
            note=f"does not apply: {session.not_applicable}",
        )
        return False
    return True
