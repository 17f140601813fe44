"""Findings: one per cause and interaction of a playbook, with its status, evidence and remedies.

A cause's probability is its marginal: its own posterior plus that of every multi-fault candidate it
is part of. Status words follow docs/probes-and-playbooks.md#status-words: ``confirmed`` (>= 0.9 with a
likelihood ratio of at least
10 for it, or a passed verifier), ``likely`` (>= 0.6), ``ruled_out`` (< 0.01, with the deciding test),
``deferred`` or ``not_tested`` (no test moved it; deferred when a test that would is outside its
window), else ``possible``. A cause that another explains as well, never told apart from it
(:mod:`~homediag.engine.competitors`), is at most ``likely``. The leak becomes the finding
``unknown`` when it is (tied) most probable.
A checkup merges its members' findings by problem code (:func:`merge_by_code`).

Judged on their own (:mod:`homediag.engine.direct`): a cause whose symptom a test measured directly
takes the higher of its marginal and the measurement's own verdict; an advisory is judged from its
probe tests alone. Advisory findings come after every fault (their own section of the report) and
are never the top finding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from homediag.core.codes import UNKNOWN, is_advisory
from homediag.core.i18n import N_, gettext_for
from homediag.core.model import EvidenceItem, Finding, FindingStatus, Remedy
from homediag.engine import competitors, direct, remedies
from homediag.engine.beliefs import Evidence, EvidenceKind
from homediag.engine.model import LEAK_ID, Hypothesis
from homediag.engine.selection import repair_plan
from homediag.engine.session import Session
from homediag.engine.trace import TraceAction, rounded

CONFIRMED_P = 0.9
CONFIRMED_LR = 10.0
LIKELY_P = 0.6
LIKELY_LR = 2.0
"""A cause is likely (or confirmed) only when some outcome seen is at least this much more likely with
it than with nothing wrong: what is left after every other cause was ruled out, with nothing pointing
to it, is possible, not tested or deferred, never likely (a technician does not blame the hub's Wi-Fi
on a wired computer that saw everything answer)."""
POSSIBLE_P = 0.1
RULED_OUT_P = 0.01
TIE_P = 1e-9
"""Probabilities closer than this are equal: renormalising after a test that changes nothing must not
turn a tie into an order."""
TESTED_DELTA = 0.05
"""A test moves a hypothesis when some outcome's likelihood differs from a healthy network's by more."""
STATUS_RANK = {
    FindingStatus.CONFIRMED: 0,
    FindingStatus.LIKELY: 1,
    FindingStatus.POSSIBLE: 2,
    FindingStatus.DEFERRED: 3,
    FindingStatus.NOT_TESTED: 4,
    FindingStatus.RULED_OUT: 5,
}
UNKNOWN_TITLE = N_("The cause could not be identified")
UNKNOWN_EXPLANATION = N_(
    "None of the causes homediag knows explains what it observed. "
    "Hand this report to a technician or your provider."
)
UNKNOWN_DETAILS = N_(
    "The leak hypothesis (a cause this playbook does not model) is the most probable. "
    "Escalate with the report: observations and trace are included."
)

Ratios = Sequence[tuple[Evidence, float]]


def findings(session: Session) -> list[Finding]:
    """The findings of the session's causes and interactions (and of the leak when it wins)."""
    beliefs = session.beliefs
    scored = beliefs.score()
    belief = scored.belief
    marginal = marginals(session)
    partners: dict[str, tuple[str, float]] = {}
    for h in beliefs.hypotheses:
        p = belief.p(h.id)
        if h.kind == "multi":
            for member in h.members:
                if p > partners.get(member, ("", 0.0))[1]:
                    partners[member] = (h.id, p)
    offered = remedies.options(session)
    plan = repair_plan(belief, offered, remedies.escalation_cost(session))
    order = {rid: i for i, (rid, _, _) in enumerate(plan.sequence)}
    efficiency = {
        o.remedy_id: math.fsum(p * f for p, f in zip(belief.probs, o.fixes, strict=True)) / o.cost_s
        for o in offered
    }
    found: list[Finding] = []
    for h in beliefs.hypotheses:
        if h.kind not in ("cause", "interaction"):
            continue
        p = min(1.0, marginal.get(h.id, 0.0))
        items = list(scored.ratios.get(h.id, []))
        partner = partners.get(h.id)
        if partner is not None and partner[1] >= POSSIBLE_P:
            items += scored.ratios.get(partner[0], [])
        members: tuple[str, ...] = ()
        if h.kind == "interaction":
            members = _codes(session, h.members)
        elif partner is not None and partner[1] >= POSSIBLE_P:
            members = _codes(session, beliefs.hypothesis(partner[0]).members)
        judged = direct.measured(beliefs, h, marginal) if h.kind == "cause" else None
        if judged is not None and judged.probability > p:
            found.append(
                _finding(
                    session,
                    h,
                    judged.probability,
                    items=[*judged.items, *items],
                    members=members,
                    order=order,
                    efficiency=efficiency,
                    judged=judged,
                )
            )
            continue
        found.append(
            _finding(session, h, p, items=items, members=members, order=order, efficiency=efficiency)
        )
    leak_p = belief.p(LEAK_ID)
    others = [belief.p(h.id) for h in beliefs.hypotheses if h.kind != "leak"]
    if leak_p >= max(others, default=0.0) - TIE_P:
        found.append(_leak_finding(session, leak_p, scored.ratios.get(LEAK_ID, [])))
    for advisory in session.model.advisories:
        judged = direct.advisory(beliefs, advisory)
        found.append(
            _finding(
                session,
                advisory,
                judged.probability,
                items=list(judged.items),
                members=(),
                order=order,
                efficiency=efficiency,
                judged=judged,
            )
        )
    return found


def marginals(session: Session) -> dict[str, float]:
    """Each cause's and interaction's marginal: its own posterior plus that of every multi-fault
    candidate it is part of."""
    beliefs = session.beliefs
    belief = beliefs.posterior
    marginal: dict[str, float] = {}
    for h in beliefs.hypotheses:
        p = belief.p(h.id)
        if h.kind in ("cause", "interaction"):
            marginal[h.id] = marginal.get(h.id, 0.0) + p
        elif h.kind == "multi":
            for member in h.members:
                marginal[member] = marginal.get(member, 0.0) + p
    return marginal


def trace_judgements(session: Session) -> None:
    """Record, in one ``infer`` step, the causes judged on their own: the advisories a probe observed,
    and the faults a measurement raised above their share of the posterior."""
    beliefs = session.beliefs
    marginal = marginals(session)
    parts: list[str] = []
    for h in beliefs.hypotheses:
        if h.kind != "cause":
            continue
        judged = direct.measured(beliefs, h, marginal)
        if judged is not None and judged.probability > marginal.get(h.id, 0.0):
            parts.append(f"measured {h.code} {judged.probability:.2f} ({_sources(judged)})")
    for advisory in session.model.advisories:
        judged = direct.advisory(beliefs, advisory)
        if judged.tested:
            parts.append(f"advisory {advisory.code} {judged.probability:.2f} ({_sources(judged)})")
    if parts:
        session.run.trace.add(
            TraceAction.INFER,
            playbook=session.playbook,
            note="judged on their own: " + "; ".join(parts),
        )


def _sources(judged: direct.Judged) -> str:
    return ", ".join(f"{item.item}={item.outcome}" for item, _ in judged.items)


def _codes(session: Session, members: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({c for m in members if (c := session.model.code_of(m))}))


def evidence_items(session: Session, items: Ratios) -> tuple[list[EvidenceItem], list[EvidenceItem]]:
    """The evidence for (likelihood ratio >= 2) and against (<= 0.5) a hypothesis, strongest first."""
    pro: list[tuple[float, EvidenceItem]] = []
    con: list[tuple[float, EvidenceItem]] = []
    seen: set[tuple[str, str | None]] = set()
    for item, ratio in items:
        if item.kind is not EvidenceKind.TEST or item.outcome is None or (item.item, item.outcome) in seen:
            continue
        seen.add((item.item, item.outcome))
        test = session.model.test(item.item)
        text = session.explain(test, item.outcome)
        if item.detail:
            text = f"{text} ({item.detail})"
        evidence = EvidenceItem(
            text=text,
            test=test.id,
            fact=test.fact,
            outcome=item.outcome,
            likelihood_ratio=rounded(ratio),
            detail=item.detail,
            value=item.value,
            unit=item.unit,
        )
        if ratio >= 2.0:
            pro.append((ratio, evidence))
        elif ratio <= 0.5:
            con.append((ratio, evidence))
    pro.sort(key=lambda x: (-x[0], x[1].test or ""))
    con.sort(key=lambda x: (x[0], x[1].test or ""))
    return [e for _, e in pro], [e for _, e in con]


def status_of(
    session: Session, h: Hypothesis, p: float, best_lr: float, judged: direct.Judged | None = None
) -> FindingStatus:
    """The status word of hypothesis ``h`` at probability ``p``
    (docs/probes-and-playbooks.md#status-words); ``judged``: the judgement on its own that gave
    ``p``, when one did."""
    beliefs = session.beliefs
    if h.id in session.verified:
        return FindingStatus.CONFIRMED
    points = judged is not None or beliefs.points_to(h, LIKELY_LR)
    if p >= CONFIRMED_P and best_lr >= CONFIRMED_LR and points:
        if judged is None and competitors.untested(session, h):
            return FindingStatus.LIKELY  # another cause explains the same observations, untested
        return FindingStatus.CONFIRMED
    if p >= LIKELY_P and points:
        return FindingStatus.LIKELY
    if h.kind == "advisory" and judged is not None and not judged.tested:
        return FindingStatus.NOT_TESTED
    if p < RULED_OUT_P and not competitors.competes_with_leader(session, h):
        return FindingStatus.RULED_OUT
    if judged is not None:
        return FindingStatus.POSSIBLE
    tested = [test for test, _ in beliefs.test_outcomes()]
    if not beliefs.moved_by(h, tested, TESTED_DELTA):
        deferred = [session.model.test(tid) for tid in session.deferred]
        return (
            FindingStatus.DEFERRED
            if beliefs.moved_by(h, deferred, TESTED_DELTA)
            else FindingStatus.NOT_TESTED
        )
    return FindingStatus.POSSIBLE  # from 0.01: not ruled out (the design leaves 0.01-0.1 open)


def _finding(
    session: Session,
    h: Hypothesis,
    p: float,
    *,
    items: Ratios,
    members: tuple[str, ...],
    order: Mapping[str, int],
    efficiency: Mapping[str, float],
    judged: direct.Judged | None = None,
) -> Finding:
    source = session.model.cause(h.id) or session.model.interaction(h.id)
    assert source is not None
    pro, con = evidence_items(session, items)
    best_lr = max((ratio for _, ratio in items), default=1.0)
    status = status_of(session, h, p, best_lr, judged)
    decided_by: str | None = None
    subject: str | None = None
    decisive_judged = judged.decisive if judged is not None else None
    if h.id in session.verified:
        decided_by = f"remedy:{session.verified[h.id]}"
    elif decisive_judged is not None:
        decided_by = decisive_judged.item
        if decisive_judged.subject and decisive_judged.subject != "local":
            subject = decisive_judged.subject
    elif items:
        if status is FindingStatus.RULED_OUT:
            decisive = min(items, key=lambda x: (x[1], x[0].item))
        else:
            decisive = max(items, key=lambda x: (x[1], x[0].item))
        if status is FindingStatus.RULED_OUT or decisive[1] >= 2.0:
            decided_by = decisive[0].item
            if decisive[0].subject and decisive[0].subject != "local":
                subject = decisive[0].subject
    return Finding(
        code=h.code or UNKNOWN,
        status=status,
        probability=rounded(p),
        title=session.text(source.title),
        explanation=session.text(source.explanation),
        details=session.text(source.details),
        evidence=tuple(pro),
        evidence_against=tuple(con),
        remedies=_remedies_for(session, h, order, efficiency),
        decided_by=decided_by,
        members=members,
        playbook=session.playbook,
        cause=h.id,
        subject=subject,
    )


def _remedies_for(
    session: Session, h: Hypothesis, order: Mapping[str, int], efficiency: Mapping[str, float]
) -> tuple[Remedy, ...]:
    model = session.model
    chosen = [r for r in model.remedies if model.fix(r, h) > 0]
    chosen.sort(key=lambda r: (order.get(r.id, len(order)), -efficiency.get(r.id, 0.0), r.index))
    result = [
        Remedy(
            id=r.id,
            title=session.text(r.spec.title),
            steps=tuple(session.text(step) for step in session.remedy_steps(r.spec.steps)),
            safe_for_customer=r.spec.safe_for_customer,
            needs_consent=r.spec.needs_consent,
            disruptive=r.spec.disruptive,
            costs_money=r.spec.costs_money,
            cost_s=rounded(remedies.remedy_cost(session, r), 1),
            fixes={k: rounded(v) for k, v in sorted(r.spec.fixes.items())},
            outcome=session.remedy_outcomes.get(r.id),
        )
        for r in chosen
    ]
    cause = model.cause(h.id)
    if not result and cause is not None and cause.escalation_only:
        result.append(_escalation(session))
    return tuple(result)


def _escalation(session: Session) -> Remedy:
    spec = session.model.spec.escalation
    return Remedy(
        id="escalate",
        title=session.text(spec.title),
        steps=(session.text(spec.text),),
        safe_for_customer=True,
        cost_s=rounded(remedies.escalation_cost(session), 1),
    )


def _leak_finding(session: Session, p: float, items: Ratios) -> Finding:
    lang = session.lang
    pro, con = evidence_items(session, items)
    return Finding(
        code=UNKNOWN,
        status=FindingStatus.POSSIBLE,
        probability=rounded(p),
        title=gettext_for(lang, UNKNOWN_TITLE),
        explanation=gettext_for(lang, UNKNOWN_EXPLANATION),
        details=gettext_for(lang, UNKNOWN_DETAILS),
        evidence=tuple(pro),
        evidence_against=tuple(con),
        remedies=(_escalation(session),),
        playbook=session.playbook,
        cause=LEAK_ID,
    )


def sort_findings(found: Iterable[Finding]) -> tuple[Finding, ...]:
    """Faults first, then advisories (their own section); each by status, then probability (highest
    first), then code, playbook and cause."""
    return tuple(
        sorted(
            found,
            key=lambda f: (
                is_advisory(f.code),
                STATUS_RANK[f.status],
                -f.probability,
                f.code,
                f.playbook or "",
                f.cause or "",
            ),
        )
    )


def merge_by_code(found: Iterable[Finding]) -> tuple[Finding, ...]:
    """One finding per problem code: the highest probability wins (then the stronger status)."""
    best: dict[str, Finding] = {}
    for finding in found:
        current = best.get(finding.code)
        key = (finding.probability, -STATUS_RANK[finding.status])
        if current is None or key > (current.probability, -STATUS_RANK[current.status]):
            best[finding.code] = finding
    return sort_findings(best.values())
