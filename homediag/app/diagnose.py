"""One run of homediag end to end: session -> engine (asking the runner for facts) -> the report.

The CLI drives a :class:`DiagnosisRun`: it awaits :meth:`DiagnosisRun.execute` and, whenever the run
ends (finished, interrupted by a signal, failed), asks :meth:`DiagnosisRun.report` for the report of what
is known at that moment. An interrupted run gives a partial report (``complete: false``).

The engine picks the probes (lazy probing: a complaint costs only the probes that discriminate).
:func:`replay` re-diagnoses the observations of a stored report with the current playbooks, without
touching the network (``diagnose --from``).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from homediag import __version__
from homediag.app.playbooks import fact_catalogue, load_playbooks
from homediag.core.baseline import Baseline
from homediag.core.model import (
    Finding,
    PlaybookRef,
    ProbeResult,
    ProbeRun,
    Question,
    Report,
    ReportMeta,
    RunContext,
    utc_now,
)
from homediag.core.probe import ProbeContext
from homediag.core.registry import Registry
from homediag.core.runner import ProgressHook, Runner
from homediag.core.session import Session
from homediag.core.system import SystemView
from homediag.engine.catalog import PlaybookSet
from homediag.engine.diagnose import Diagnosis, diagnose
from homediag.engine.questions import Questioner
from homediag.engine.sources import RunnerFacts, StoredFacts
from homediag.reports.baseline import tokenizer
from homediag.reports.document import load_report


@dataclass
class Judgement:
    """What the engine concluded (empty until it has run)."""

    findings: tuple[Finding, ...] = ()
    trace: tuple[dict[str, Any], ...] = ()
    """The engine's trace steps, as the report stores them."""
    questions: tuple[Question, ...] = ()
    playbooks: tuple[PlaybookRef, ...] = ()
    complaint: str | None = None
    not_applicable: str | None = None
    errors: tuple[str, ...] = ()
    """Expressions of the playbooks that failed to evaluate: the report is incomplete."""
    extra: dict[str, object] = field(default_factory=dict)

    @classmethod
    def of(cls, diagnosis: Diagnosis, playbooks: PlaybookSet) -> Judgement:
        """The judgement of an engine diagnosis (``playbooks``: the set it judged with, for titles)."""
        return cls(
            findings=diagnosis.findings,
            trace=tuple(diagnosis.trace_json()),
            questions=diagnosis.questions,
            playbooks=_titled(diagnosis.playbooks, playbooks),
            complaint=diagnosis.complaint,
            not_applicable=diagnosis.not_applicable,
            errors=diagnosis.errors,
        )


def _titled(refs: Sequence[PlaybookRef], playbooks: PlaybookSet) -> tuple[PlaybookRef, ...]:
    """``refs`` with each playbook's title in every language, which reports call the complaint by."""
    titled = []
    for ref in refs:
        try:
            title = dict(playbooks.get(ref.id).spec.title)
        except KeyError:
            title = {}
        titled.append(dataclasses.replace(ref, title=title) if title else ref)
    return tuple(titled)


class DiagnosisRun:
    """Probes (and judgement) for one session, and the report of it."""

    def __init__(
        self,
        session: Session,
        registry: Registry,
        *,
        complaint: str | None = None,
        meta: ReportMeta | None = None,
        progress: ProgressHook | None = None,
        system: SystemView | None = None,
        questioner: Questioner | None = None,
        playbooks: PlaybookSet | None = None,
        contexts: Callable[..., ProbeContext] | None = None,
    ) -> None:
        self.session = session
        self.playbooks = playbooks
        """The playbooks to judge with (loaded against the registry's facts when None)."""
        self.questioner = questioner
        self.registry = registry
        self.complaint = complaint
        self.meta = meta or ReportMeta()
        self.runner = Runner(registry, session, progress=progress, system=system, contexts=contexts)
        self.judgement = Judgement(complaint=complaint)
        self.run_id = str(uuid.uuid4())
        self.started_at = utc_now()
        self._started = time.monotonic()

    async def execute(self) -> None:
        """Diagnose the complaint: the engine asks the runner for the facts it needs."""
        playbooks = self.playbooks or load_playbooks(catalogue=self.registry.catalogue())
        diagnosis = await diagnose(
            self.complaint,
            facts=RunnerFacts(self.runner),
            questioner=self.questioner,
            playbooks=playbooks,
            audience=self.session.audience.value,
            lang=self.session.lang,
            config=self.session.config,
            now=datetime.now().astimezone(),
        )
        self.judgement = Judgement.of(diagnosis, playbooks)

    async def run_probes(self, probe_ids: Sequence[str] | None = None) -> None:
        """Run probes without judging (``homediag scan``; every default probe when None)."""
        await self.runner.run(probe_ids)

    def report(self, *, interrupted_by: str | None = None) -> Report:
        """The report of everything known now; partial when interrupted or when probes failed."""
        results = list(self.runner.results)
        runs = tuple(ProbeRun.of(result) for result in results)
        complete = (
            interrupted_by is None
            and not any(run.outcome.failed for run in runs)
            and not self.judgement.errors
        )
        session = self.session
        return Report(
            run_id=self.run_id,
            started_at=self.started_at,
            finished_at=utc_now(),
            complete=complete,
            context=RunContext(
                platform=session.platform.value if session.platform else "unknown",
                mode="live",
                interface=session.interface or _observed_interface(self.runner),
                audience=session.audience.value,
                lang=session.lang,
                privileged=session.privileged,
                max_risk=session.max_risk.value,
                allowed=tuple(sorted(session.allowed)),
            ),
            complaint=self.judgement.complaint or self.complaint,
            devices=tuple(self.runner.devices),
            observations=tuple(obs for result in results for obs in result.observations),
            probe_runs=runs,
            findings=self.judgement.findings,
            trace=self.judgement.trace,
            questions=self.judgement.questions,
            playbooks=self.judgement.playbooks,
            meta=self.meta,
            privacy_level="full",
            interrupted_by=interrupted_by,
            baseline=_baseline_summary(session, results),
            not_applicable=self.judgement.not_applicable,
            tool_version=__version__,
        )


def load_baseline(path: Path) -> Baseline:
    """The report given with ``--baseline``, with this installation's tokens to compare a redacted one."""
    return Baseline(report=load_report(path), tokenize=tokenizer())


def _baseline_summary(session: Session, results: Sequence[ProbeResult]) -> dict[str, Any] | None:
    """``Report.baseline``: the baseline's identity and what the comparison found (None without one)."""
    baseline = session.baseline
    if baseline is None:
        return None
    summary: dict[str, Any] = {
        "baseline_run": baseline.report.run_id,
        "baseline_time": baseline.report.started_at,
        "redacted": baseline.redacted,
        "device_count": len(baseline.devices),
    }
    wanted = {"baseline.missing_devices": "missing_devices", "baseline.moved_devices": "moved_devices"}
    for result in results:
        for obs in result.observations:
            if obs.fact in wanted:
                summary[wanted[obs.fact]] = obs.value
    return summary


def _observed_interface(runner: Runner) -> str | None:
    for obs in runner.observations:
        if obs.fact == "interface.name" and isinstance(obs.value, str):
            return obs.value
    return None


async def replay(
    stored: Report,
    *,
    complaint: str | None,
    questioner: Questioner | None,
    audience: str,
    lang: str,
    config: Any,
    playbooks: PlaybookSet | None = None,
) -> Report:
    """Re-diagnose a stored report's observations with the current playbooks (no network).

    The observations, devices and probe runs are kept as they were; findings, trace, questions and
    playbook versions are new; ``context.mode`` becomes ``replay``; an expression that failed to
    evaluate makes the report incomplete. ``playbooks``: the set to judge
    with (loaded against the installed probes' facts when None).
    """
    catalogue = fact_catalogue(config)
    playbooks = playbooks or load_playbooks(catalogue=catalogue)
    diagnosis = await diagnose(
        complaint or stored.complaint,
        facts=StoredFacts.from_report(stored, catalogue),
        questioner=questioner,
        playbooks=playbooks,
        audience=audience,
        lang=lang,
        config=config,
    )
    judgement = Judgement.of(diagnosis, playbooks)
    return dataclasses.replace(
        stored,
        run_id=str(uuid.uuid4()),
        started_at=utc_now(),
        finished_at=utc_now(),
        complete=stored.complete and not judgement.errors,
        context=dataclasses.replace(stored.context, mode="replay", audience=audience, lang=lang),
        complaint=judgement.complaint,
        findings=judgement.findings,
        trace=judgement.trace,
        questions=judgement.questions,
        playbooks=judgement.playbooks,
        not_applicable=judgement.not_applicable,
        tool_version=__version__,
    )
