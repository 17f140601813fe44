"""Where the engine gets observations: a :class:`FactSource`, live (:class:`RunnerFacts`) or stored
(:class:`StoredFacts`).

The protocol is complete and mypy checks it: every source says whether it can obtain a fact, what it
costs, why one is missing, whether a fact's probe runs only on demand (the speed test) and whether the
user asked for it anyway (``--speedtest``), whether it replays stored observations, and it can be asked
to measure again (:meth:`FactSource.refresh`, for remedy verifiers and experiments).

``RunnerFacts`` adapts :class:`homediag.core.runner.Runner`: a fact can be obtained when a registered
probe provides it and the session lets that probe run (platform, ``--max-risk``, ``--allow``); its cost
is the probe's timeout until it has run, then nothing. The runner runs each probe once; a fact it did
not observe gives no evidence, and :meth:`RunnerFacts.missing_reason` says why (the probe's outcome).
:meth:`RunnerFacts.refresh` runs the providers again with the probes they need (``Runner.rerun``: a
summary such as ``devices.printer_summary`` measures again only when the printer is asked again);
their new results are kept beside the old ones, and the engine reads the latest observation of a fact.
A probe tagged ``on-demand`` (the speed test) runs when a complaint's playbook asks for its facts; a
checkup leaves it out unless the session asks for it (``--speedtest``).

``StoredFacts`` replays the observations of a stored report and never touches the network; it cannot
measure again, so a verifier ends ``could_not_verify`` on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from homediag.core.facts import FactCatalogue
from homediag.core.model import Observation, Outcome, Report
from homediag.core.runner import ON_DEMAND_TAG, Runner


@dataclass(frozen=True)
class Refreshed:
    """What measuring again gave: the fresh observations, or why the source cannot measure again."""

    observations: tuple[Observation, ...] = ()
    refused: str | None = None
    """Why nothing was measured again (a stored report, no probe provides the fact); None when the
    providers ran again (whatever they observed)."""


class FactSource(Protocol):
    """Where the engine gets observations. Live: the runner (runs providers lazily). Replay: stored
    ones."""

    @property
    def replay(self) -> bool:
        """Whether the observations are stored ones (trace steps say ``replay`` instead of ``probe``;
        nothing can be measured again)."""
        ...

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        """Make sure ``facts`` are observed (run their probes once); return their observations."""
        ...

    def can_obtain(self, fact: str) -> bool:
        """Whether a provider exists and may run (risk and platform gates), or it is observed."""
        ...

    def cost_s(self, fact: str) -> float:
        """Expected seconds to obtain ``fact`` (0 when already observed)."""
        ...

    def missing_reason(self, fact: str) -> str | None:
        """Why ``fact`` was not observed (None when it was)."""
        ...

    def on_demand(self, fact: str) -> bool:
        """Whether ``fact``'s probe runs only when a complaint needs it (the speed test): a checkup
        leaves it out."""
        ...

    def asked_for(self, fact: str) -> bool:
        """Whether the user asked for ``fact``'s on-demand probe anyway (``--speedtest``): a checkup
        runs it right after its free probes."""
        ...

    async def refresh(self, facts: Iterable[str]) -> Refreshed:
        """Measure ``facts`` again (after the user changed something) and return the new
        observations, or say why that cannot be done."""
        ...


class StoredFacts:
    """Replay: observations from a stored report. Never touches the network.

    A report of an interactive run may hold a fact observed twice (a verifier measured again after a
    remedy): the engine reads the latest, so a replay judges the network as it was at the end.
    """

    def __init__(self, observations: Iterable[Observation], reasons: Mapping[str, str] | None = None) -> None:
        self._observations = tuple(observations)
        self._facts = frozenset(obs.fact for obs in self._observations)
        self._reasons = dict(reasons or {})

    @classmethod
    def from_report(cls, report: Report, catalogue: FactCatalogue | None = None) -> StoredFacts:
        """The observations of a stored report; a fact whose probe failed says how it failed (the
        probe that provides each fact comes from ``catalogue``)."""
        runs = {run.probe: run for run in report.probe_runs}
        reasons: dict[str, str] = {}
        for spec in catalogue or ():
            run = runs.get(spec.provider)
            if run is not None and run.outcome is not Outcome.OK:
                detail = f": {run.reason}" if run.reason else ""
                reasons[spec.name] = f"{run.probe} {run.outcome.value}{detail}"
        return cls(report.observations, reasons)

    @property
    def replay(self) -> bool:
        """Stored observations are replayed."""
        return True

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        """The stored observations of ``facts``."""
        wanted = set(facts)
        return [obs for obs in self._observations if obs.fact in wanted]

    def can_obtain(self, fact: str) -> bool:
        """Whether the report holds ``fact``."""
        return fact in self._facts

    def cost_s(self, fact: str) -> float:
        """Stored facts cost nothing."""
        del fact
        return 0.0

    def missing_reason(self, fact: str) -> str | None:
        """Why ``fact`` is not in the report."""
        if fact in self._facts:
            return None
        return self._reasons.get(fact, "not in the stored observations")

    def on_demand(self, fact: str) -> bool:
        """Nothing is run on demand in a replay: what is stored is there."""
        del fact
        return False

    def asked_for(self, fact: str) -> bool:
        """Nothing is asked for in a replay."""
        del fact
        return False

    async def refresh(self, facts: Iterable[str]) -> Refreshed:
        """A stored report cannot measure again."""
        del facts
        return Refreshed(refused="a stored report cannot measure again")


class RunnerFacts:
    """Facts from a live runner, obtained lazily."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    @property
    def replay(self) -> bool:
        """Live observations: probes run now."""
        return False

    def _provider(self, fact: str) -> str | None:
        return self.runner.registry.providers().get(fact)

    def _observed(self, fact: str) -> bool:
        return any(obs.fact == fact for obs in self.runner.observations)

    async def obtain(self, facts: Iterable[str]) -> list[Observation]:
        """Run the providers of ``facts`` (once) and return the observations of those facts."""
        return await self.runner.obtain(facts)

    def can_obtain(self, fact: str) -> bool:
        """Whether ``fact`` is observed, or a probe provides it and may run in this session."""
        if self._observed(fact):
            return True
        provider = self._provider(fact)
        if provider is None or self.runner.has_run(provider):
            return False
        return self.runner.gate(self.runner.registry.get(provider)) is None

    def cost_s(self, fact: str) -> float:
        """0 once observed (or its probe ran); else the provider's timeout, an upper bound."""
        if self._observed(fact):
            return 0.0
        provider = self._provider(fact)
        if provider is None or self.runner.has_run(provider):
            return 0.0
        return float(self.runner.registry.get(provider).spec.timeout_s)

    def on_demand(self, fact: str) -> bool:
        """Whether ``fact``'s probe runs only on demand (tagged ``on-demand``: the speed test)."""
        provider = self._provider(fact)
        return provider is not None and ON_DEMAND_TAG in self.runner.registry.get(provider).spec.tags

    def asked_for(self, fact: str) -> bool:
        """Whether the session asked for ``fact``'s on-demand probe anyway (``--speedtest``)."""
        return self.on_demand(fact) and self.runner.session.speedtest

    def missing_reason(self, fact: str) -> str | None:
        """Why ``fact`` was not observed: no provider, gated, or the provider's outcome."""
        if self._observed(fact):
            return None
        provider = self._provider(fact)
        if provider is None:
            return "no probe provides it"
        refusal = self.runner.gate(self.runner.registry.get(provider))
        if refusal is not None:
            return f"{provider} {refusal[0].value}: {refusal[1]}"
        for result in reversed(self.runner.results):
            if result.probe == provider:
                reason = f": {result.reason}" if result.reason else ""
                return f"{provider} {result.outcome.value}{reason}"
        return f"{provider} has not run"

    async def refresh(self, facts: Iterable[str]) -> Refreshed:
        """Run the providers of ``facts`` again, with the probes they need (``Runner.rerun``), and
        return what they observed of those facts now."""
        wanted = set(facts)
        providers = sorted({p for f in wanted if (p := self._provider(f)) is not None})
        if not providers:
            return Refreshed(refused="no probe provides " + ", ".join(sorted(wanted)))
        results = await self.runner.rerun(providers)
        return Refreshed(
            tuple(obs for result in results for obs in result.observations if obs.fact in wanted)
        )
