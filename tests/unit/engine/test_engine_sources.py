"""The live fact source: the real runner runs only the probes whose facts the engine asks for.

The probes here are test doubles that observe recorded values (no network); they carry the ids of
the built-in probes because the fact catalogue names those as providers.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from homediag.core.model import FindingStatus, Outcome
from homediag.core.probe import Probe, ProbeContext
from homediag.core.registry import Registry
from homediag.core.runner import Runner
from homediag.core.session import Session
from homediag.core.spec import ProbeSpec, Risk
from homediag.engine.catalog import load_playbooks
from homediag.engine.diagnose import diagnose
from homediag.engine.sources import RunnerFacts


class RecordedInterfaces(Probe):
    """Stands in for net.interfaces: the link is down."""

    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.interfaces",
        summary="recorded interfaces",
        risk=Risk.PASSIVE,
        timeout_s=2,
        provides=("interface.up", "interface.has_ipv4", "interface.kind", "dns.resolvers"),
    )

    async def run(self, ctx: ProbeContext) -> None:
        ctx.observe("interface.up", False)
        ctx.observe("interface.has_ipv4", False)
        ctx.observe("interface.kind", "wired")
        ctx.observe("dns.resolvers", [])


class RecordedGateway(Probe):
    """Stands in for net.gateway; it must not run when the link is down."""

    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.gateway",
        summary="recorded gateway",
        risk=Risk.SAFE,
        timeout_s=8,
        provides=("gateway.reachable", "gateway.loss_pct"),
    )

    async def run(self, ctx: ProbeContext) -> None:
        ctx.observe("gateway.reachable", False)
        ctx.observe("gateway.loss_pct", 100.0)


class FailingDns(Probe):
    """Stands in for net.dns, and fails."""

    spec: ClassVar[ProbeSpec] = ProbeSpec(
        id="net.dns",
        summary="failing dns",
        risk=Risk.ACTIVE,
        timeout_s=3,
        provides=("dns.any_ok",),
    )

    async def run(self, ctx: ProbeContext) -> None:
        raise RuntimeError("resolver socket refused")


def _runner(max_risk: Risk = Risk.ACTIVE) -> Runner:
    registry = Registry()
    for probe in (RecordedInterfaces, RecordedGateway, FailingDns):
        registry.register(probe)
    return Runner(registry, Session(max_risk=max_risk), budget_s=20)


def test_lazy_probing_runs_only_the_probes_that_discriminate() -> None:
    runner = _runner()
    result = asyncio.run(
        diagnose(
            "no-internet",
            facts=RunnerFacts(runner),
            questioner=None,
            playbooks=load_playbooks(),
            audience="technician",
        )
    )
    ran = {r.probe for r in runner.results}
    assert ran == {"net.interfaces"}
    assert result.findings[0].code == "link.no-connection"
    assert result.findings[0].status is FindingStatus.CONFIRMED
    assert all(s["action"] != "replay" for s in result.trace)


def test_facts_costs_and_reasons() -> None:
    runner = _runner(max_risk=Risk.SAFE)
    facts = RunnerFacts(runner)
    assert facts.can_obtain("gateway.reachable")
    assert facts.cost_s("gateway.reachable") == 8.0
    assert not facts.can_obtain("dns.any_ok")  # active probe above --max-risk safe
    assert "skipped" in (facts.missing_reason("dns.any_ok") or "")
    assert not facts.can_obtain("wifi.signal_dbm")
    assert facts.missing_reason("wifi.signal_dbm") == "no probe provides it"
    asyncio.run(facts.obtain(["gateway.reachable"]))
    assert facts.cost_s("gateway.loss_pct") == 0.0  # its probe has run
    assert facts.missing_reason("gateway.reachable") is None


def test_a_failed_probe_is_explained_not_read_as_healthy() -> None:
    runner = _runner()
    facts = RunnerFacts(runner)
    observations = asyncio.run(facts.obtain(["dns.any_ok"]))
    assert observations == []
    assert [r.outcome for r in runner.results] == [Outcome.ERROR]
    assert facts.missing_reason("dns.any_ok") == "net.dns error: resolver socket refused"
    assert not facts.can_obtain("dns.any_ok")
