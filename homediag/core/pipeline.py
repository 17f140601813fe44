"""One run of homediag end to end: session -> runner (and engine) -> the canonical report.

The CLI drives a :class:`DiagnosisRun`: it awaits :meth:`DiagnosisRun.execute` and, whenever the run
ends (finished, interrupted by a signal, failed), asks :meth:`DiagnosisRun.report` for the report of what
is known at that moment. An interrupted run gives a partial report (``complete: false``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from homediag import __version__
from homediag.core.model import (
    Finding,
    PlaybookRef,
    ProbeRun,
    Question,
    Report,
    ReportMeta,
    RunContext,
    utc_now,
)
from homediag.core.registry import Registry
from homediag.core.runner import ProgressHook, Runner
from homediag.core.session import Session
from homediag.core.system import SystemView


@dataclass
class Judgement:
    """What the engine concluded (empty until it has run)."""

    findings: tuple[Finding, ...] = ()
    trace: tuple[dict[str, object], ...] = ()
    questions: tuple[Question, ...] = ()
    playbooks: tuple[PlaybookRef, ...] = ()
    complaint: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


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
    ) -> None:
        self.session = session
        self.registry = registry
        self.complaint = complaint
        self.meta = meta or ReportMeta()
        self.runner = Runner(registry, session, progress=progress, system=system)
        self.judgement = Judgement(complaint=complaint)
        self.run_id = str(uuid.uuid4())
        self.started_at = utc_now()
        self._started = time.monotonic()

    async def execute(self, probe_ids: Sequence[str] | None = None) -> None:
        """Run the probes (every registered one unless ``probe_ids`` says which)."""
        await self.runner.run(probe_ids)

    def report(self, *, interrupted_by: str | None = None) -> Report:
        """The report of everything known now; partial when interrupted or when probes failed."""
        results = list(self.runner.results)
        runs = tuple(ProbeRun.of(result) for result in results)
        complete = interrupted_by is None and not any(run.outcome.failed for run in runs)
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
            tool_version=__version__,
        )


def _observed_interface(runner: Runner) -> str | None:
    for obs in runner.observations:
        if obs.fact == "interface.name" and isinstance(obs.value, str):
            return obs.value
    return None
