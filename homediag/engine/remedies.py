"""Remedies: what they cost, which to offer next, and whether the user's step worked.

Remedies are ranked in updating P-over-C order (:func:`~homediag.engine.selection.repair_plan`).
In interactive runs the next one is offered (with what it disturbs and the findings so far; a
``contact`` remedy, calling the provider, is the escalation and is not offered as a step); the user
does it, skips it, cannot do it, or stops. When the user did it, its verifier test is re-run (a
question asked again, or its fact measured again: the fact source runs its probe once more) and
decides: passed confirms the cause it fixed, failed is evidence against the remedy's causes, and a
verifier that cannot be run (a stored report cannot measure again, the probe gave no outcome) decides
nothing and says why in the trace. Each offered remedy's :class:`~homediag.core.model.RemedyOutcome`
goes into the report with the findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from homediag.core.model import Finding, RemedyOutcome
from homediag.engine import gather
from homediag.engine.model import CompiledRemedy
from homediag.engine.questions import (
    CANNOT,
    DONE,
    NOT_NOW,
    REMEDY_ANSWERS,
    SKIP,
    QuestionKind,
    QuestionSpec,
    RemedyListener,
    RemedyOffer,
    RemedyResult,
)
from homediag.engine.selection import RemedyOption, repair_plan
from homediag.engine.session import Session
from homediag.engine.trace import TraceAction, Why, WhyRule, rounded


def remedy_cost(session: Session, remedy: CompiledRemedy) -> float:
    """A remedy's cost in seconds-equivalent, its verifier included."""
    verifier = 0.0
    if remedy.spec.verify is not None:
        verifier = session.model.test(remedy.spec.verify.test).cost_s(session.user_minute_s)
    return remedy.cost_s(session.user_minute_s, verifier)


def escalation_cost(session: Session) -> float:
    """What calling for help costs (the yardstick of remedies)."""
    cost = session.model.spec.escalation.cost
    return max(cost.seconds + cost.user_minutes * session.user_minute_s, 1.0)


def options(session: Session, *, offerable_only: bool = False) -> list[RemedyOption]:
    """The remedies not tried yet (with ``offerable_only``, only those this audience may do)."""
    found = []
    hypotheses = session.beliefs.hypotheses
    for remedy in session.model.remedies:
        if remedy.id in session.tried_remedies:
            continue
        if offerable_only and remedy.spec.kind == "contact":
            continue  # calling the provider is the escalation, not a step to verify now
        if offerable_only and session.run.audience == "customer" and not remedy.spec.safe_for_customer:
            continue
        fixes = tuple(session.model.fix(remedy, h) for h in hypotheses)
        found.append(RemedyOption(remedy.id, remedy.index, fixes, remedy_cost(session, remedy)))
    return found


@dataclass(frozen=True)
class Verdict:
    """What a remedy's verifier said: passed, failed, or (``passed`` None) why it could not be run."""

    passed: bool | None
    reason: str = ""


@dataclass(frozen=True)
class Offered:
    """What became of one remedy offered, and whether to offer the next one."""

    outcome: RemedyOutcome
    go_on: bool
    """False when the user stepped away (no answer, "not now"): no more remedies are offered."""


NOT_DONE_NOTES = {SKIP: "skipped", CANNOT: "the user cannot do it", NOT_NOW: "not now"}


def target_of(session: Session, remedy: CompiledRemedy) -> str | None:
    """The hypothesis ``remedy`` most likely fixes now (by probability times how well it fixes it)."""
    beliefs = session.beliefs
    marginal: dict[str, float] = {}
    for h in beliefs.hypotheses:
        for member in h.members if h.kind == "multi" else (h.id,):
            marginal[member] = marginal.get(member, 0.0) + beliefs.p(h.id)
    scored = [
        (marginal.get(h.id, 0.0) * session.model.fix(remedy, h), h.id)
        for h in beliefs.hypotheses
        if h.kind in ("cause", "interaction")
    ]
    if not scored:
        return None
    score, best = max(scored)
    return best if score > 0.0 else None


async def offer_next(session: Session, findings: Sequence[Finding] = ()) -> Offered | None:
    """Offer the next remedy and verify it when the user did it; None when there is none to offer.

    ``findings`` (the findings as they stand) go with the offer, so that the user hears what was
    found before being asked to do anything. "Skip" and "I can't" go on to the next remedy; no answer
    or "not now" stops offering. A questioner that is a :class:`RemedyListener` hears the verdict.
    """
    run = session.run
    beliefs = session.beliefs
    plan = repair_plan(beliefs.posterior, options(session, offerable_only=True), escalation_cost(session))
    if not plan.sequence or run.questioner is None:
        return None
    remedy_id, p_fix, efficiency = plan.sequence[0]
    remedy = session.model.remedy(remedy_id)
    spec = remedy.spec
    offer = RemedyOffer(
        remedy=remedy.id,
        disrupts=dict(spec.disrupts) if spec.disrupts else None,
        disruptive=spec.disruptive,
        needs_consent=spec.needs_consent,
        target=target_of(session, remedy),
        findings=tuple(findings),
        number=len(session.tried_remedies) + 1,
    )
    question = QuestionSpec(
        id=f"remedy:{remedy.id}",
        playbook=session.playbook,
        kind=QuestionKind.REMEDY,
        text=session.texts(spec.title),
        answers=REMEDY_ANSWERS,
        steps=tuple(session.texts(step) for step in session.remedy_steps(spec.steps)),
        offer=offer,
    )
    answer = await run.questioner.ask(question, session.lang)
    session.tried_remedies.add(remedy.id)
    why = Why(WhyRule.P_OVER_C, score=rounded(efficiency, 6), p_fix=rounded(p_fix))
    if answer != DONE:
        outcome = RemedyOutcome.SKIPPED if answer in NOT_DONE_NOTES else RemedyOutcome.OFFERED
        session.remedy_outcomes[remedy.id] = outcome
        run.trace.add(
            TraceAction.REMEDY,
            playbook=session.playbook,
            test=remedy.id,
            why=why,
            outcome=None,
            note=NOT_DONE_NOTES.get(answer or "", "not done"),
        )
        return Offered(outcome, go_on=answer in (SKIP, CANNOT))
    verdict = await verify(session, remedy)
    outcome = _record_verdict(session, remedy, verdict, why)
    if isinstance(run.questioner, RemedyListener):
        result = RemedyResult(
            remedy=remedy.id,
            playbook=session.playbook,
            outcome=outcome,
            title=dict(spec.title),
            reason=verdict.reason,
        )
        await run.questioner.remedy_result(result, session.lang)
    return Offered(outcome, go_on=True)


def _record_verdict(session: Session, remedy: CompiledRemedy, verdict: Verdict, why: Why) -> RemedyOutcome:
    """Apply a verifier's verdict: a pass confirms the cause it fixed, a failure is evidence against
    the remedy's causes; record the remedy's outcome and a trace step."""
    run = session.run
    beliefs = session.beliefs
    if verdict.passed is None:
        session.remedy_outcomes[remedy.id] = RemedyOutcome.COULD_NOT_VERIFY
        run.trace.add(
            TraceAction.REMEDY,
            playbook=session.playbook,
            test=remedy.id,
            why=why,
            outcome="done",
            note=f"could not verify: {verdict.reason}",
            posterior_top=beliefs.top(),
        )
        return RemedyOutcome.COULD_NOT_VERIFY
    if verdict.passed:
        best = max(beliefs.hypotheses, key=lambda h: (beliefs.p(h.id) * session.model.fix(remedy, h), h.id))
        session.verified[best.id] = remedy.id
        if best.kind == "multi":
            for member in best.members:
                session.verified.setdefault(member, remedy.id)
        session.remedy_outcomes[remedy.id] = RemedyOutcome.FIXED
        run.trace.add(
            TraceAction.REMEDY,
            playbook=session.playbook,
            test=remedy.id,
            why=why,
            outcome="verified",
            posterior_top=beliefs.top(),
            note=f"fixed: {best.id}",
        )
        return RemedyOutcome.FIXED
    beliefs.remedy_failed(remedy)
    session.remedy_outcomes[remedy.id] = RemedyOutcome.NOT_FIXED
    run.trace.add(
        TraceAction.REMEDY,
        playbook=session.playbook,
        test=remedy.id,
        why=why,
        outcome="not_fixed",
        posterior_top=beliefs.top(),
    )
    return RemedyOutcome.NOT_FIXED


async def verify(session: Session, remedy: CompiledRemedy) -> Verdict:
    """Re-run the remedy's verifier: a question is asked again, a probe test measures its fact again
    (the source runs its probe once more) and maps the fresh observation."""
    spec = remedy.spec.verify
    if spec is None:
        return Verdict(None, "the remedy has no verifier")
    test = session.model.test(spec.test)
    run = session.run
    if test.asks_user:
        assert run.questioner is not None
        question = QuestionSpec.of_test(test, session.playbook, QuestionKind.VERIFY)
        answer = await run.questioner.ask(question, session.lang)
        if answer is None:
            return Verdict(None, f"{test.id}: unanswered")
        return Verdict(answer == spec.expect)
    if test.fact is None:
        return Verdict(None, f"{test.id} measures nothing")
    result = await gather.remeasure(session, test)
    if result.error:
        run.record_error(f"{session.playbook}/{test.id}", result.error)
        return Verdict(None, f"{test.id}: {result.note}: {result.error}")
    if result.outcome is None:
        return Verdict(None, f"{test.id}: {result.note or 'no outcome'}")
    return Verdict(result.outcome == spec.expect)
