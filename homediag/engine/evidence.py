"""Evidence into the session: an outcome updates the beliefs and is traced with what it ruled in or out;
a test that gave nothing is traced with why.

Every test run ends here, whichever way it was run (probe, stored fact, question, experiment), so a
step of the trace always says the same things the same way.
"""

from __future__ import annotations

from homediag.core.codes import UNKNOWN
from homediag.engine.model import CompiledTest, MapResult
from homediag.engine.session import Session
from homediag.engine.trace import RULED_IN_LR, RULED_OUT_LR, RatioEntry, TraceAction, Why, rounded


def apply(
    session: Session,
    test: CompiledTest,
    outcome: str,
    *,
    action: TraceAction,
    why: Why,
    result: MapResult | None = None,
) -> None:
    """Update the beliefs by ``test``'s ``outcome`` and trace the step (the observed value stays out
    when an observation it read is sensitive)."""
    beliefs = session.beliefs
    hypotheses = list(beliefs.hypotheses)
    run = session.run
    selected = test.select(run.observations) if test.fact else []
    sensitive = any(obs.sensitive or (obs.privacy not in (None, "keep")) for obs in selected)
    ratios = beliefs.observe(
        test,
        outcome,
        subject=result.subject if result else None,
        detail=result.evidence if result else None,
        value=None if (result is None or sensitive) else result.value,
        unit=selected[0].unit if selected and result is not None else None,
    )
    session.done.add(test.id)
    text = session.explain(test, outcome)
    ruled_out: list[RatioEntry] = []
    ruled_in: list[RatioEntry] = []
    for h, ratio in sorted(zip(hypotheses, ratios, strict=True), key=lambda x: (x[1], x[0].id)):
        if h.kind == "healthy":
            continue
        entry = RatioEntry(
            cause=h.id,
            code=h.code or (UNKNOWN if h.kind == "leak" else None),
            likelihood_ratio=rounded(ratio),
            text=text,
        )
        if ratio <= RULED_OUT_LR:
            ruled_out.append(entry)
        elif ratio >= RULED_IN_LR:
            ruled_in.append(entry)
    ruled_in.reverse()
    run.trace.add(
        action,
        playbook=session.playbook,
        test=test.id,
        fact=test.fact if not test.asks_user else None,
        subject=result.subject if result else None,
        why=why,
        outcome=outcome,
        value=None if (result is None or sensitive) else result.value,
        ruled_out=ruled_out,
        ruled_in=ruled_in,
        posterior_top=beliefs.top(),
    )
    session.steps += 1


def no_evidence(
    session: Session,
    test: CompiledTest,
    *,
    action: TraceAction,
    why: Why,
    note: str,
    result: MapResult | None = None,
) -> None:
    """``test`` ran and gave no outcome: it counts as done, rules nothing out, and the trace says
    why. A map that failed to evaluate (``result.error``) is an error of the playbook: traced with
    the error, and the diagnosis becomes incomplete."""
    error = result.error if result else None
    session.done.add(test.id)
    session.run.trace.add(
        action,
        playbook=session.playbook,
        test=test.id,
        fact=test.fact if not test.asks_user else None,
        subject=result.subject if result else None,
        why=why,
        outcome=None,
        note=note,
        error=error,
    )
    if error:
        session.run.record_error(f"{session.playbook}/{test.id}", error)
    session.steps += 1


def condition_failed(session: Session, test: CompiledTest, which: str, error: str) -> None:
    """``test``'s ``requires`` or ``valid_if`` failed to evaluate: the test counts as done without
    running, the trace says so with the error, and the diagnosis becomes incomplete."""
    session.done.add(test.id)
    session.run.trace.add(
        TraceAction.INFER,
        playbook=session.playbook,
        test=test.id,
        note=f"not run: its {which} could not be evaluated",
        error=error,
    )
    session.run.record_error(f"{session.playbook}/{test.id}/{which}", error)
    session.steps += 1
