"""Multiple faults: when the leak grows or no single cause explains the abnormal findings, candidates
made of several causes join the hypotheses.

Following GDE (de Kleer & Williams), each abnormal finding has a "can explain" set (the causes that
make it at least :data:`EXPLAINS_RATIO` times more likely than a healthy network does, less those a
normal finding exonerated); the candidates are the minimal hitting sets of those sets, of two or three
causes, most probable first. Checked after every piece of evidence; each set of abnormal findings is
considered once.
"""

from __future__ import annotations

from homediag.engine.hitting import minimal_hitting_sets
from homediag.engine.model import LEAK_ID, CompiledTest
from homediag.engine.session import Session
from homediag.engine.trace import TraceAction

MULTI_FAULT_CANDIDATES = 10
ABNORMAL_P = 0.2
"""An outcome is abnormal when its chance with nothing wrong is at most this."""
EXPLAINS_RATIO = 3.0
"""A cause can explain an abnormal finding when it makes it at least this much more likely."""
EXONERATES_RATIO = 0.1
"""A normal finding exonerates a cause that makes it at least this much less likely."""


def check(session: Session) -> None:
    """Form multi-fault candidates when the leak grows or no single cause explains the abnormal
    findings (GDE-style minimal hitting sets of the 'can explain' sets)."""
    beliefs = session.beliefs
    model = session.model
    causes = [h for h in beliefs.hypotheses if h.kind == "cause"]
    singles = [h for h in beliefs.hypotheses if h.kind in ("cause", "interaction")]
    if len(causes) < 2:
        return
    abnormal: list[tuple[CompiledTest, int]] = []
    exonerated: set[str] = set()
    for test, index in beliefs.test_outcomes():
        base = beliefs.baseline(test)[index]
        if test.normal[index] <= ABNORMAL_P:
            abnormal.append((test, index))
        else:
            for h in causes:
                if model.likelihood(test, h)[index] <= EXONERATES_RATIO * base:
                    exonerated.add(h.id)
    if len(abnormal) < 2:
        return
    cause_ids = {c.id for c in causes}
    families: list[set[str]] = []
    single_explains: set[str] | None = None
    for test, index in abnormal:
        base = beliefs.baseline(test)[index]
        explains = {h.id for h in singles if model.likelihood(test, h)[index] >= EXPLAINS_RATIO * base}
        # A cause some normal finding exonerated cannot be the single explanation either.
        alive = explains - exonerated
        single_explains = alive if single_explains is None else single_explains & alive
        families.append({cid for cid in explains if cid in cause_ids and cid not in exonerated})
    leak_high = beliefs.p(LEAK_ID) > model.spec.defaults.leak_alarm
    if single_explains and not leak_high:
        return
    key = frozenset(f"{t.id}={t.outcomes[i]}" for t, i in abnormal)
    if key in session.multi_done:
        return
    session.multi_done.add(key)
    sets = [s for s in minimal_hitting_sets(families) if len(s) >= 2]
    existing = {h.id for h in beliefs.hypotheses}
    new = [h for h in (model.multi_fault(s) for s in sets) if h.id not in existing]
    new.sort(key=lambda h: (-h.prior, h.id))
    new = new[:MULTI_FAULT_CANDIDATES]
    if not new:
        return
    beliefs.add(new)
    reason = "the leak grew" if leak_high else "no single cause explains the abnormal findings"
    session.run.trace.add(
        TraceAction.MULTI_FAULT,
        playbook=session.playbook,
        posterior_top=beliefs.top(),
        note=f"{reason}: added {', '.join(h.id for h in new)}",
        candidates=[h.members for h in new],
    )
