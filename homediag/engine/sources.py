"""The live fact source: the engine asks the runner for facts, and only their providers run.

``RunnerFacts`` adapts :class:`homediag.core.runner.Runner` to the engine's
:class:`~homediag.engine.diagnose.FactSource`: a fact can be obtained when a registered probe
provides it and the session lets that probe run (platform, ``--max-risk``, ``--allow``); its cost is
the probe's timeout until it has run, then nothing. The runner runs each probe once; a fact it did
not observe gives no evidence, and :meth:`RunnerFacts.missing_reason` says why (the probe's
outcome). A probe tagged ``on-demand`` (the speed test) runs when a complaint's playbook asks for its
facts; a checkup leaves it out unless the session asks for it (``--speedtest``).
"""

from __future__ import annotations

from collections.abc import Iterable

from homediag.core.model import Observation
from homediag.core.runner import ON_DEMAND_TAG, Runner


class RunnerFacts:
    """Facts from a live runner, obtained lazily."""

    replay = False

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

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
