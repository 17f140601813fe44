"""The checkup: no complaint was made, so every complete playbook it includes runs its free tests,
with a "nothing is wrong" hypothesis, and follows up where they point.

It obtains the members' free facts in one batch first, so their probes run together; causes with a
``prevalence`` get it as their prior; on-demand probes (the speed test) are left out unless the user
asked for them (``--speedtest``), in which case they run after the free batch. Findings are merged by
problem code (the highest probability wins).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from homediag.core.errors import UsageError
from homediag.core.model import Finding, PlaybookRef
from homediag.engine import walk
from homediag.engine.catalog import PlaybookSet
from homediag.engine.findings import POSSIBLE_P, findings, trace_judgements
from homediag.engine.model import HEALTHY_ID, LEAK_ID, PlaybookModel
from homediag.engine.session import Session
from homediag.engine.state import RunState
from homediag.engine.trace import TraceAction, Why, WhyRule

DEFAULT_HEALTHY_PRIOR = 0.9


@dataclass(frozen=True)
class CheckupResult:
    """What the members of a checkup found (not merged yet), which playbooks took part, the cost."""

    findings: tuple[Finding, ...]
    playbooks: tuple[PlaybookRef, ...]
    cost_s: float


async def checkup(
    model: PlaybookModel, run: RunState, playbooks: PlaybookSet | None, mode: str, name: str
) -> CheckupResult:
    """Work the checkup ``model``'s members through on ``run``."""
    if playbooks is None:
        raise UsageError("checkup needs the playbook set it includes")
    healthy = model.spec.healthy_prior or DEFAULT_HEALTHY_PRIOR
    found: list[Finding] = []
    refs: list[PlaybookRef] = [model.ref]
    members = [playbooks.get(pid) for pid in model.spec.includes]
    if not model.draft and model.spec.causes:
        members.append(model)
    free_cost_s = model.spec.defaults.free_cost_s
    cost = await prefetch(model, [m for m in members if not m.draft], run, free_cost_s)
    for member in members:
        if member.draft:
            run.trace.add(
                TraceAction.INFER, playbook=member.id, note="skipped in the checkup: draft playbook"
            )
            continue
        session = Session.start(
            member, run, mode=mode, complaint=name, healthy_prior=healthy, free_cost_s=free_cost_s
        )
        await walk.run(session, free_only=True)
        if session.not_applicable:
            refs.append(member.ref)
            continue
        pointing = [
            hid
            for hid, p in session.beliefs.posterior.as_dict().items()
            if hid not in (HEALTHY_ID, LEAK_ID) and p >= POSSIBLE_P
        ]
        if pointing:
            run.trace.add(
                TraceAction.INFER,
                playbook=member.id,
                posterior_top=session.beliefs.top(),
                note=f"following up: {', '.join(sorted(pointing))}",
            )
            await walk.run_followup(session)
        trace_judgements(session)
        found += findings(session)
        refs.append(member.ref)
        cost += session.cost_spent
    return CheckupResult(tuple(found), tuple(refs), cost)


def free_facts(member: PlaybookModel, free_cost_s: float) -> dict[str, float]:
    """The facts a checkup obtains for ``member`` before working it through, with their cost: its
    ``applies_if`` fact when it has one (the rest waits for the verdict), else the facts of its free
    probe tests that need nothing else first (no ``requires``)."""
    if member.spec.applies_if is not None:
        rule = member.applies_if
        named = rule.expression.fact_refs if rule is not None and rule.expression is not None else frozenset()
        return {fact: 0.0 for fact in (member.spec.applies_if.fact, *named)}
    wanted: dict[str, float] = {}
    for test in member.tests:
        cost = test.spec.cost
        if (
            test.spec.kind == "probe"
            and test.fact is not None
            and test.requires is None
            and cost.user_minutes == 0
            and cost.seconds <= free_cost_s
        ):
            for fact in test.reads:  # its own fact carries the cost; the others come along
                own = cost.seconds if fact == test.fact else 0.0
                wanted[fact] = max(wanted.get(fact, 0.0), own)
    return wanted


async def prefetch(
    model: PlaybookModel, members: Sequence[PlaybookModel], run: RunState, free_cost_s: float
) -> float:
    """Obtain the free facts of every member in one batch, so their probes run together (a checkup's
    members are otherwise worked through one after another); then the on-demand facts the user asked
    for (``--speedtest``), once the line is idle again. Returns the cost charged."""
    facts = run.facts
    wanted: dict[str, float] = {}
    for member in members:
        for fact, cost_s in free_facts(member, free_cost_s).items():
            wanted[fact] = max(wanted.get(fact, 0.0), cost_s)
    batch = sorted(
        f for f in wanted if not run.observed(f) and not facts.on_demand(f) and facts.can_obtain(f)
    )
    if batch:
        run.add_observations(await facts.obtain(batch))
        run.trace.add(
            TraceAction.INFER,
            playbook=model.id,
            why=Why(WhyRule.CHECKUP_PREFETCH),
            note=f"obtained together: {len(batch)} facts of the members' free tests",
        )
    asked: set[str] = set()
    for member in members:
        for test in member.tests:
            own = test.fact
            if own is None or run.observed(own) or not facts.on_demand(own):
                continue
            if facts.asked_for(own) and facts.can_obtain(own):
                asked.add(own)
    if asked:
        run.add_observations(await facts.obtain(sorted(asked)))
        run.trace.add(
            TraceAction.INFER,
            playbook=model.id,
            why=Why(WhyRule.ASKED_FOR),
            note=f"on-demand probes the user asked for: {len(asked)} facts",
        )
    return math.fsum(wanted[f] for f in batch)
