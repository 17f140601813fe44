"""Inline playbook tests, in the style of ``promtool test rules``: given these observations and
answers, expect this diagnosis, these causes ruled out, this first question, at most this cost.

::

    cases:
      - name: cable unplugged, nothing else is probed
        observations:
          - {fact: interface.up, value: false}
        answers: {other_devices: "yes"}
        expect: {diagnosis: link_down, status: confirmed, never_runs: [gateway_reply]}

Each case runs the real engine on :class:`~homediag.engine.sources.StoredFacts` and an answer
mapping (no network); ``interactive: false`` runs it without a questioner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from homediag.core.codes import is_advisory
from homediag.core.config import Config
from homediag.core.model import FindingStatus, Observation
from homediag.engine.catalog import PlaybookSet
from homediag.engine.diagnose import Diagnosis, diagnose_playbook
from homediag.engine.model import LEAK_ID, PlaybookModel
from homediag.engine.questions import AnswerFile
from homediag.engine.schema import Case
from homediag.engine.sources import StoredFacts
from homediag.engine.trace import TraceAction

PROBLEM_STATUSES = (FindingStatus.CONFIRMED, FindingStatus.LIKELY)
ACTIONS_THAT_RUN = (TraceAction.PROBE, TraceAction.REPLAY, TraceAction.QUESTION)


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one inline test."""

    playbook: str
    name: str
    failures: tuple[str, ...]
    diagnosis: Diagnosis

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return not self.failures


def observations_of(case: Case) -> list[Observation]:
    """The case's observations as engine observations."""
    return [
        Observation(fact=o.fact, value=o.value, source="case", subject=o.subject) for o in case.observations
    ]


def _top_hypothesis(diagnosis: Diagnosis) -> str | None:
    for step in reversed(diagnosis.trace):
        if step.action in (TraceAction.STOP, TraceAction.MULTI_FAULT) and step.posterior_top:
            return step.posterior_top[0][0]
    for step in reversed(diagnosis.trace):
        if step.posterior_top:
            return step.posterior_top[0][0]
    return None


async def run_case(model: PlaybookModel, case: Case, playbooks: PlaybookSet | None = None) -> CaseResult:
    """Run one case and check its expectations."""
    questioner = AnswerFile(case.answers) if case.interactive else None
    diagnosis = await diagnose_playbook(
        model,
        facts=StoredFacts(observations_of(case)),
        questioner=questioner,
        playbooks=playbooks,
        audience=case.audience,
        lang="en",
        mode=case.mode,
        config=Config(),
    )
    return CaseResult(model.id, case.name, tuple(check(diagnosis, case)), diagnosis)


def check(diagnosis: Diagnosis, case: Case) -> list[str]:
    """The expectations of ``case`` that ``diagnosis`` breaks, in words."""
    expect = case.expect
    failures: list[str] = []
    by_cause = {f.cause: f for f in diagnosis.findings if f.cause}
    statuses = {cause: f.status.value for cause, f in by_cause.items()}

    def describe(cause: str) -> str:
        found = by_cause.get(cause)
        if found is None:
            return f"{cause}: no finding"
        return f"{cause}: {found.status.value} {found.probability:.3f}"

    if expect.not_applicable is not None and bool(diagnosis.not_applicable) != expect.not_applicable:
        failures.append(f"not_applicable: expected {expect.not_applicable}, got {diagnosis.not_applicable!r}")
    if isinstance(expect.diagnosis, str):
        top = _top_hypothesis(diagnosis)
        if top != expect.diagnosis:
            failures.append(f"diagnosis: expected {expect.diagnosis}, got {top}")
        wanted = [expect.diagnosis]
    elif isinstance(expect.diagnosis, list):
        wanted = sorted(expect.diagnosis)
        top = _top_hypothesis(diagnosis)
        if top != "+".join(wanted):
            failures.append(f"diagnosis: expected the candidate {'+'.join(wanted)}, got {top}")
        codes = {by_cause[c].code for c in wanted if c in by_cause}
        for cause in wanted:
            finding = by_cause.get(cause)
            if finding is None or finding.status is FindingStatus.RULED_OUT:
                failures.append(f"diagnosis: expected {cause} named, got {describe(cause)}")
            elif not codes <= set(finding.members):
                failures.append(
                    f"diagnosis: {cause}'s finding names {list(finding.members)}, not all of {sorted(codes)}"
                )
    else:
        wanted = []
    for cause in wanted:
        finding = by_cause.get(cause)
        if expect.status is not None and (finding is None or finding.status.value != expect.status):
            failures.append(f"status: expected {cause} {expect.status}, got {describe(cause)}")
        if expect.min_probability is not None and (
            finding is None or finding.probability < expect.min_probability
        ):
            failures.append(
                f"min_probability: expected {cause} >= {expect.min_probability}, got {describe(cause)}"
            )
    for cause in expect.ruled_out:
        if statuses.get(cause) != FindingStatus.RULED_OUT.value:
            failures.append(f"ruled_out: expected {cause} ruled out, got {describe(cause)}")
    for cause in expect.not_ruled_out:
        if cause == LEAK_ID:
            continue
        if statuses.get(cause) in (None, FindingStatus.RULED_OUT.value):
            failures.append(f"not_ruled_out: expected {cause} still open, got {describe(cause)}")
    question_steps = [s for s in diagnosis.trace if s.action is TraceAction.QUESTION]
    if expect.first_question is not None:
        first = question_steps[0].test if question_steps else None
        if first != expect.first_question:
            failures.append(f"first_question: expected {expect.first_question}, got {first}")
    if expect.asks_nothing and question_steps:
        failures.append(f"asks_nothing: asked {question_steps[0].test}")
    ran = {s.test for s in diagnosis.trace if s.action in ACTIONS_THAT_RUN}
    for test in expect.never_runs:
        if test in ran:
            failures.append(f"never_runs: {test} ran")
    deferred: set[str] = set()
    for step in diagnosis.trace:
        if step.action is TraceAction.STOP:
            deferred.update(step.deferred)
    for test in expect.deferred:
        if test not in deferred:
            failures.append(f"deferred: expected {test} deferred")
    if expect.max_cost_s is not None and diagnosis.cost_s > expect.max_cost_s:
        failures.append(f"max_cost_s: cost {diagnosis.cost_s:g} s > {expect.max_cost_s:g} s")
    problem_codes = {f.code for f in diagnosis.findings if f.status in PROBLEM_STATUSES}
    for code in expect.codes:
        if code not in problem_codes:
            failures.append(
                f"codes: {code} is not confirmed or likely "
                f"(problems: {', '.join(sorted(problem_codes)) or 'none'})"
            )
    for code in expect.no_codes:
        if code in problem_codes:
            failures.append(f"no_codes: {code} is confirmed or likely")
    faults = sorted(code for code in problem_codes if not is_advisory(code))
    if expect.no_problems and faults:
        failures.append(f"no_problems: found {', '.join(faults)}")
    failures += [f"evaluation error: {error}" for error in diagnosis.errors]
    return failures


async def run_cases(playbooks: PlaybookSet, only: Sequence[str] = ()) -> list[CaseResult]:
    """Run the inline tests of every playbook (or of those named in ``only``)."""
    results: list[CaseResult] = []
    for model in playbooks.playbooks:
        if only and model.id not in only:
            continue
        for case in model.spec.cases:
            results.append(await run_case(model, case, playbooks))
    return results
